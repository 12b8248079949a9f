//! What a server is started with.

use std::path::PathBuf;

/// The address `hitchpost` binds when told nothing.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The database file `hitchpost` uses when told nothing.
pub const DEFAULT_DB: &str = "hitchpost.db";

/// A server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `host:port` to listen on; port 0 picks a free port.
    pub bind: String,
    /// The SQLite file.
    pub db_path: PathBuf,
    /// Development mode: a `dev` workspace with a stable key, loopback only.
    pub dev: bool,
    /// `HITCHPOST_SECRET`; when `None` the secret is kept in a file beside the database.
    pub secret: Option<String>,
    /// HTTP worker threads; `None`: one per core.
    pub workers: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: DEFAULT_BIND.into(),
            db_path: DEFAULT_DB.into(),
            dev: false,
            secret: None,
            workers: None,
        }
    }
}
