//! The `user_batches` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A batch file row.
#[derive(Debug, Clone)]
pub struct BatchRow {
    pub id: String,
    pub workspace_id: i64,
    pub created_at: String,
    pub content: String,
}

/// The newest batch of a workspace.
pub fn find_latest_batch(conn: &Conn, workspace_id: i64) -> Result<Option<BatchRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::batches::find_latest_batch(c, workspace_id),
        Backend::Postgres(c) => postgres::batches::find_latest_batch(c, workspace_id),
    }
}

/// A batch by id.
pub fn find_batch(conn: &Conn, id: &str) -> Result<Option<BatchRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::batches::find_batch(c, id),
        Backend::Postgres(c) => postgres::batches::find_batch(c, id),
    }
}

/// Stores a batch and drops the workspace's batches older than `keep_after`.
pub fn insert_batch(conn: &Conn, b: &BatchRow, keep_after: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::batches::insert_batch(c, b, keep_after),
        Backend::Postgres(c) => postgres::batches::insert_batch(c, b, keep_after),
    }
}
