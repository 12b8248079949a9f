//! The SQL of `store::audit`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::audit::AuditRow;

pub fn insert_audit(conn: &Conn, a: &AuditRow) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (workspace_id, at, actor, ip, action, profile_id, target) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&a.workspace_id, &a.at, &a.actor, &a.ip, &a.action, &a.profile_id, &a.target],
    )?;
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
    let sql = "SELECT seq, workspace_id, at, actor, ip, action, profile_id, target FROM audit_log
         WHERE workspace_id = $1 AND ($2::bigint = 0 OR seq < $2) AND ($3::text IS NULL OR action = $3)
           AND ($4::text IS NULL OR profile_id = $4)
         ORDER BY seq DESC LIMIT $5";
    let found = conn.query(sql, &[&workspace_id, &before_seq, &action, &profile_id, &i64::from(limit)])?;
    rows(found, |r| {
        Ok(AuditRow {
            seq: r.try_get(0)?,
            workspace_id: r.try_get(1)?,
            at: r.try_get(2)?,
            actor: r.try_get(3)?,
            ip: r.try_get(4)?,
            action: r.try_get(5)?,
            profile_id: r.try_get(6)?,
            target: r.try_get(7)?,
        })
    })
}

pub fn delete_audit_before(conn: &Conn, before: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM audit_log WHERE at < $1", &[&before])? as usize)
}
