//! Backups and checks of the whole file, by path (the CLI's `backup`, `restore`, `check`).

use super::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// Copies the database at `db` to `out` with SQLite's online backup API: a consistent
/// snapshot taken while a server keeps writing (it copies in steps and lets writers in
/// between). Returns the copy's integrity check.
pub fn backup_file(db: &Path, out: &Path) -> Result<String> {
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    src.busy_timeout(Duration::from_secs(5))?;
    super::create_private(out)?;
    let mut dst = Connection::open(out)?;
    rusqlite::backup::Backup::new(&src, &mut dst)?.run_to_completion(1024, Duration::from_millis(5), None)?;
    // A backup is one self-contained file.
    dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
    integrity_check(&dst)
}

/// Replaces the database at `db` with the contents of `from`, if `from` is sound.
/// Returns `from`'s integrity check (not "ok": nothing was written).
pub fn restore_file(db: &Path, from: &Path) -> Result<String> {
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let integrity = integrity_check(&src)?;
    if integrity != "ok" {
        return Ok(integrity);
    }
    let mut dst = Connection::open(db)?;
    dst.busy_timeout(Duration::from_secs(5))?;
    rusqlite::backup::Backup::new(&src, &mut dst)?.run_to_completion(1024, Duration::ZERO, None)?;
    Ok(integrity)
}

fn integrity_check(conn: &Connection) -> Result<String> {
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let lines: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(lines.join("; "))
}

/// What `hitchpost check` reports.
#[derive(Debug, Clone)]
pub struct Report {
    pub integrity: String,
    pub schema_version: i64,
    /// Row counts of the main tables (those the file has).
    pub counts: Vec<(&'static str, i64)>,
}

/// Checks the database at `db` without changing it.
pub fn check_file(db: &Path) -> Result<Report> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let integrity = integrity_check(&conn)?;
    let schema_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut counts = Vec::new();
    for table in [
        "workspaces",
        "api_keys",
        "profiles",
        "social_accounts",
        "connect_links",
        "account_holders",
        "webhooks",
        "events",
        "deliveries",
    ] {
        if let Ok(n) = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)) {
            counts.push((table, n));
        }
    }
    Ok(Report { integrity, schema_version, counts })
}
