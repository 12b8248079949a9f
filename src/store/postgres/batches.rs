//! The SQL of `store::batches`, for PostgreSQL.

use super::Client as Conn;
use crate::store::Result;
use crate::store::batches::BatchRow;
use ::postgres::Row;

fn from_row(r: &Row) -> Result<BatchRow> {
    Ok(BatchRow { id: r.try_get(0)?, workspace_id: r.try_get(1)?, created_at: r.try_get(2)?, content: r.try_get(3)? })
}

pub fn find_latest_batch(conn: &Conn, workspace_id: i64) -> Result<Option<BatchRow>> {
    let sql = "SELECT id, workspace_id, created_at, content FROM user_batches
         WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT 1";
    conn.query_opt(sql, &[&workspace_id])?.as_ref().map(from_row).transpose()
}

pub fn find_batch(conn: &Conn, id: &str) -> Result<Option<BatchRow>> {
    let sql = "SELECT id, workspace_id, created_at, content FROM user_batches WHERE id = $1";
    conn.query_opt(sql, &[&id])?.as_ref().map(from_row).transpose()
}

pub fn insert_batch(conn: &Conn, b: &BatchRow, keep_after: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO user_batches (id, workspace_id, created_at, content) VALUES ($1, $2, $3, $4)",
        &[&b.id, &b.workspace_id, &b.created_at, &b.content],
    )?;
    conn.execute(
        "DELETE FROM user_batches WHERE workspace_id = $1 AND created_at < $2",
        &[&b.workspace_id, &keep_after],
    )?;
    Ok(())
}
