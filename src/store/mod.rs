//! SQL, and nothing else. Plain synchronous functions over a connection; the callers decide
//! whether they run on a pooled read connection or inside the writer's transaction.
//!
//! Nothing outside this module and `db.rs` names a rusqlite type, so a second backend stays a
//! contained change.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod batches;
pub mod connect_links;
pub mod documents;
pub mod holders;
pub mod idempotency;
pub mod maintenance;
pub mod profiles;
pub mod settings;
pub mod webhooks;
pub mod workspaces;

/// A connection to the store, as the domain sees it.
pub type Conn = rusqlite::Connection;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A UNIQUE constraint refused the write; the value is the column that clashed.
    #[error("unique constraint failed on {0}")]
    Unique(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// No pooled connection could be had.
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    /// The writer thread is gone or a transaction could not be committed.
    #[error("{0}")]
    Writer(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        {
            // "UNIQUE constraint failed: profiles.workspace_id, profiles.external_id":
            // the last column is the one that distinguishes the index.
            let column = msg.rsplit(['.', ' ']).next().unwrap_or_default().to_string();
            return Error::Unique(column);
        }
        Error::Sqlite(e)
    }
}

/// Result of a store function.
pub type Result<T> = std::result::Result<T, Error>;

/// The current time as stored: RFC 3339, UTC, milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Creates `path` readable and writable by its owner only (0600), if it does not exist yet:
/// the file holds documents, emails and hashes in the clear. SQLite gives its `-wal` and `-shm`
/// files the database file's permissions.
pub fn create_private(path: &std::path::Path) -> Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    match open.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::Writer(format!("cannot create {}: {e}", path.display()))),
    }
}
