//! SQL, and nothing else. Plain synchronous functions over a connection; the callers decide
//! whether they run on a pooled read connection or inside the writer's transaction.
//!
//! Each function here is the one interface the domain calls; each backend's SQL lives in its
//! own folder (`sqlite/`), and a function picks it by the connection it is given. Nothing
//! outside this module and `db.rs` (the SQLite engine: its pool and its writer) names a
//! rusqlite type, so a second backend stays a contained change.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod batches;
pub mod connect_links;
pub mod documents;
pub mod holders;
pub mod idempotency;
pub mod maintenance;
pub mod postgres;
pub mod profiles;
pub mod settings;
mod sqlite;
pub mod webhooks;
pub mod workspaces;

/// A connection to the store, as the domain sees it: which database is behind it is known
/// only here and to the engine that opened it.
pub struct Conn {
    backend: Backend,
}

/// The database behind a connection.
pub(crate) enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl Conn {
    /// A SQLite connection, as the SQLite engine (`db.rs`) opens it.
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn { backend: Backend::Sqlite(conn) }
    }

    /// A PostgreSQL connection, as the PostgreSQL engine (`db.rs`) opens it.
    pub(crate) fn postgres(client: ::postgres::Client) -> Conn {
        Conn { backend: Backend::Postgres(Box::new(postgres::Client::new(client))) }
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The SQLite connection itself, for the SQLite engine's own statements (transactions,
    /// pragmas). The engine only ever opens SQLite connections, so anything else is a bug.
    pub(crate) fn as_sqlite(&self) -> &rusqlite::Connection {
        match &self.backend {
            Backend::Sqlite(c) => c,
            Backend::Postgres(_) => unreachable!("the SQLite engine holds a PostgreSQL connection"),
        }
    }

    pub(crate) fn as_sqlite_mut(&mut self) -> &mut rusqlite::Connection {
        match &mut self.backend {
            Backend::Sqlite(c) => c,
            Backend::Postgres(_) => unreachable!("the SQLite engine holds a PostgreSQL connection"),
        }
    }

    /// The PostgreSQL connection, for the PostgreSQL engine's own statements.
    pub(crate) fn as_postgres(&self) -> &postgres::Client {
        match &self.backend {
            Backend::Postgres(c) => c,
            Backend::Sqlite(_) => unreachable!("the PostgreSQL engine holds a SQLite connection"),
        }
    }

    pub(crate) fn as_postgres_mut(&mut self) -> &mut postgres::Client {
        match &mut self.backend {
            Backend::Postgres(c) => c,
            Backend::Sqlite(_) => unreachable!("the PostgreSQL engine holds a SQLite connection"),
        }
    }
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A UNIQUE constraint refused the write; the value is the column that clashed.
    #[error("unique constraint failed on {0}")]
    Unique(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A PostgreSQL failure, with its causes (the client's own words alone say only "db
    /// error" or "error performing TLS handshake").
    #[error("database error: {}", with_causes(.0))]
    Postgres(::postgres::Error),
    /// No pooled connection could be had.
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    /// The writer thread is gone or a transaction could not be committed.
    #[error("{0}")]
    Writer(String),
    /// How to reach the database is wrongly set (TLS settings, a CA file).
    #[error("{0}")]
    Config(String),
}

/// `e` and each error it was caused by, `: `-separated.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
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

impl From<::postgres::Error> for Error {
    fn from(e: ::postgres::Error) -> Self {
        if let Some(db) = e.as_db_error()
            && *db.code() == ::postgres::error::SqlState::UNIQUE_VIOLATION
            && let (Some(table), Some(constraint)) = (db.table(), db.constraint())
        {
            // The schema names each unique index `<table>_<column>` (`profiles_external_id`),
            // and PostgreSQL a UNIQUE column's `<table>_<column>_key`: the column, as SQLite's
            // message gives it.
            let column = constraint.strip_prefix(table).and_then(|c| c.strip_prefix('_')).unwrap_or(constraint);
            return Error::Unique(column.strip_suffix("_key").unwrap_or(column).to_string());
        }
        Error::Postgres(e)
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
