//! The SQL of `store::batches`, for SQLite.

use crate::store::Result;
use crate::store::batches::BatchRow;
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

pub fn find_latest_batch(conn: &Conn, workspace_id: i64) -> Result<Option<BatchRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, workspace_id, created_at, content FROM user_batches
         WHERE workspace_id = ?1 ORDER BY created_at DESC LIMIT 1",
    )?;
    Ok(st
        .query_row([workspace_id], |r| {
            Ok(BatchRow { id: r.get(0)?, workspace_id: r.get(1)?, created_at: r.get(2)?, content: r.get(3)? })
        })
        .optional()?)
}

pub fn find_batch(conn: &Conn, id: &str) -> Result<Option<BatchRow>> {
    let mut st = conn.prepare_cached("SELECT id, workspace_id, created_at, content FROM user_batches WHERE id = ?1")?;
    Ok(st
        .query_row([id], |r| {
            Ok(BatchRow { id: r.get(0)?, workspace_id: r.get(1)?, created_at: r.get(2)?, content: r.get(3)? })
        })
        .optional()?)
}

pub fn insert_batch(conn: &Conn, b: &BatchRow, keep_after: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO user_batches (id, workspace_id, created_at, content) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![b.id, b.workspace_id, b.created_at, b.content])?;
    conn.prepare_cached("DELETE FROM user_batches WHERE workspace_id = ?1 AND created_at < ?2")?
        .execute(params![b.workspace_id, keep_after])?;
    Ok(())
}
