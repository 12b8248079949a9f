//! Backups and checks of the whole file, by path (the CLI's `backup`, `restore`, `check`).

use super::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
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

/// The tables every hitchpost database has had since version 1: a file without them is some
/// other application's.
const CORE_TABLES: [&str; 4] = ["workspaces", "api_keys", "profiles", "social_accounts"];

/// What a restore did besides copying.
#[derive(Debug, Clone)]
pub struct Restored {
    /// Where the replaced database was kept, if there was one.
    pub kept: Option<PathBuf>,
}

/// Replaces the database at `db` with the contents of `from`, after checking that `from` is a
/// sound hitchpost database this binary can serve, that no server is using `db`, and that the
/// two are not the same file. The replaced file is kept as `<db>.pre-restore`. The error is a
/// sentence for the operator; nothing was written when there is one.
pub fn restore_file(db: &Path, from: &Path, newest_schema: i64) -> std::result::Result<Restored, String> {
    let same = match (std::fs::canonicalize(db), std::fs::canonicalize(from)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(format!("{} is the database itself; restore from a backup file", from.display()));
    }
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", from.display()))?;
    let integrity = integrity_check(&src).map_err(|e| format!("{} is not a database: {e}", from.display()))?;
    if integrity != "ok" {
        return Err(format!("{} is damaged ({integrity}); nothing was restored", from.display()));
    }
    let version = schema_problem(&src, newest_schema).map_err(|e| format!("{}: {e}", from.display()))?;
    if let Some(problem) = version {
        return Err(format!("{} {problem}; nothing was restored", from.display()));
    }
    // Held to the end: a server starting meanwhile waits for it (`ServeLock::shared`).
    let _lock = ServeLock::exclusive(db)?;
    let kept = if db.exists() {
        let kept = sibling(db, ".pre-restore");
        let _ = std::fs::remove_file(&kept);
        backup_file(db, &kept).map_err(|e| format!("cannot keep the current database as {}: {e}", kept.display()))?;
        Some(kept)
    } else {
        None
    };
    let copy = || -> Result<()> {
        let mut dst = Connection::open(db)?;
        dst.busy_timeout(Duration::from_secs(5))?;
        rusqlite::backup::Backup::new(&src, &mut dst)?.run_to_completion(1024, Duration::ZERO, None)?;
        Ok(())
    };
    copy().map_err(|e| format!("restore failed: {e}"))?;
    Ok(Restored { kept })
}

/// Why a database cannot be served by a binary whose newest schema is `newest`, or `None`.
fn schema_problem(conn: &Connection, newest: i64) -> Result<Option<String>> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut missing = Vec::new();
    for table in CORE_TABLES {
        let n: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| {
                r.get(0)
            })?;
        if n == 0 {
            missing.push(table);
        }
    }
    Ok(if !missing.is_empty() || version < 1 {
        Some(format!(
            "is not a hitchpost database (schema version {version}, missing tables: {})",
            if missing.is_empty() { "none".to_string() } else { missing.join(", ") }
        ))
    } else if version > newest {
        Some(format!("is at schema version {version}, newer than this hitchpost ({newest}); upgrade hitchpost first"))
    } else {
        None
    })
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// An advisory lock on `<db>.lock`: every server holds it shared for as long as it runs, and
/// `restore` takes it exclusively, so a restore never replaces a file under a live server
/// (whose cached keys and acknowledged writes would silently diverge from it).
#[derive(Debug)]
pub struct ServeLock(#[allow(dead_code)] std::fs::File);

impl ServeLock {
    fn open(db: &Path) -> std::result::Result<std::fs::File, String> {
        let path = sibling(db, ".lock");
        let mut open = std::fs::OpenOptions::new();
        open.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        open.open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))
    }

    /// Taken by a server at start; fails while a restore runs.
    pub fn shared(db: &Path) -> std::result::Result<ServeLock, String> {
        let file = Self::open(db)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(ServeLock(file)),
            Err(_) => Err(format!("a restore of {} is running; start the server when it is done", db.display())),
        }
    }

    fn exclusive(db: &Path) -> std::result::Result<ServeLock, String> {
        let file = Self::open(db)?;
        match file.try_lock() {
            Ok(()) => Ok(ServeLock(file)),
            Err(_) => Err(format!(
                "a hitchpost server is using {}; stop it first (restoring under it would lose what it writes)",
                db.display()
            )),
        }
    }
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
    /// Why this binary cannot serve the file (not hitchpost's, or a newer schema), if so.
    pub problem: Option<String>,
}

/// Checks the database at `db` without changing it.
pub fn check_file(db: &Path, newest_schema: i64) -> Result<Report> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let integrity = integrity_check(&conn)?;
    let problem = schema_problem(&conn, newest_schema)?;
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
    Ok(Report { integrity, schema_version, counts, problem })
}
