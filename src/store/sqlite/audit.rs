//! The SQL of `store::audit`, for SQLite.

use crate::store::Result;
use crate::store::audit::AuditRow;
use rusqlite::Connection as Conn;
use rusqlite::params;

pub fn insert_audit(conn: &Conn, a: &AuditRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (workspace_id, at, actor, ip, action, profile_id, target) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![a.workspace_id, a.at, a.actor, a.ip, a.action, a.profile_id, a.target])?;
    Ok(())
}

pub fn list_audit(
    conn: &Conn,
    workspace_id: i64,
    before_seq: i64,
    limit: u32,
    action: Option<&str>,
    profile_id: Option<&str>,
) -> Result<Vec<AuditRow>> {
    let mut st = conn.prepare_cached(
        "SELECT seq, workspace_id, at, actor, ip, action, profile_id, target FROM audit_log
         WHERE workspace_id = ?1 AND (?2 = 0 OR seq < ?2) AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR profile_id = ?4)
         ORDER BY seq DESC LIMIT ?5",
    )?;
    let rows = st.query_map(params![workspace_id, before_seq, action, profile_id, limit], |r| {
        Ok(AuditRow {
            seq: r.get(0)?,
            workspace_id: r.get(1)?,
            at: r.get(2)?,
            actor: r.get(3)?,
            ip: r.get(4)?,
            action: r.get(5)?,
            profile_id: r.get(6)?,
            target: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn delete_audit_before(conn: &Conn, before: &str) -> Result<usize> {
    Ok(conn.prepare_cached("DELETE FROM audit_log WHERE at < ?1")?.execute([before])?)
}
