//! The `audit_log` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// An audit entry.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub seq: i64,
    pub workspace_id: i64,
    pub at: String,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub profile_id: Option<String>,
    pub target: Option<String>,
}

/// Appends an entry.
pub fn insert_audit(conn: &Conn, a: &AuditRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::audit::insert_audit(c, a),
        Backend::Postgres(c) => postgres::audit::insert_audit(c, a),
    }
}

/// A page of a workspace's entries, newest first, before `before_seq` (0: from the newest).
pub fn list_audit(
    conn: &Conn,
    workspace_id: i64,
    before_seq: i64,
    limit: u32,
    action: Option<&str>,
    profile_id: Option<&str>,
) -> Result<Vec<AuditRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::audit::list_audit(c, workspace_id, before_seq, limit, action, profile_id),
        Backend::Postgres(c) => postgres::audit::list_audit(c, workspace_id, before_seq, limit, action, profile_id),
    }
}

/// Drops entries older than `before`.
pub fn delete_audit_before(conn: &Conn, before: &str) -> Result<usize> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::audit::delete_audit_before(c, before),
        Backend::Postgres(c) => postgres::audit::delete_audit_before(c, before),
    }
}
