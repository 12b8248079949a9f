//! The SQL of `store::api_keys`, for SQLite.

use crate::store::Result;
use crate::store::api_keys::ApiKeyRow;
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str =
    "key_id, workspace_id, name, secret_hash, created_at, expires_at, revoked_at, holder_id, last_used_at, scopes";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKeyRow> {
    Ok(ApiKeyRow {
        key_id: r.get(0)?,
        workspace_id: r.get(1)?,
        name: r.get(2)?,
        secret_hash: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        revoked_at: r.get(6)?,
        holder_id: r.get(7)?,
        last_used_at: r.get(8)?,
        scopes: r.get(9)?,
    })
}

pub fn insert_api_key(conn: &Conn, row: &ApiKeyRow) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO api_keys ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"))?
        .execute(params![
            row.key_id,
            row.workspace_id,
            row.name,
            row.secret_hash,
            row.created_at,
            row.expires_at,
            row.revoked_at,
            row.holder_id,
            row.last_used_at,
            row.scopes
        ])?;
    Ok(())
}

pub fn find_api_key_by_key_id(conn: &Conn, key_id: &str) -> Result<Option<ApiKeyRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys WHERE key_id = ?1"))?;
    Ok(st.query_row([key_id], from_row).optional()?)
}

pub fn list_api_keys(conn: &Conn, workspace_id: i64) -> Result<Vec<ApiKeyRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys WHERE workspace_id = ?1 ORDER BY id"))?;
    let rows = st.query_map([workspace_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn revoke_api_key(conn: &Conn, key_id: &str) -> Result<bool> {
    let n = conn
        .prepare_cached("UPDATE api_keys SET revoked_at = ?2 WHERE key_id = ?1 AND revoked_at IS NULL")?
        .execute(params![key_id, crate::store::now()])?;
    Ok(n == 1)
}

pub fn key_changes(conn: &Conn) -> Result<i64> {
    let mut st = conn.prepare_cached("SELECT n FROM api_key_changes WHERE id = 1")?;
    Ok(st.query_row([], |r| r.get(0)).optional()?.unwrap_or(0))
}

pub fn set_secret_hash(conn: &Conn, key_id: &str, hash: &str) -> Result<()> {
    conn.prepare_cached("UPDATE api_keys SET secret_hash = ?2 WHERE key_id = ?1")?.execute(params![key_id, hash])?;
    Ok(())
}

pub fn count_live_api_keys(conn: &Conn, workspace_id: i64) -> Result<i64> {
    let mut st = conn.prepare_cached("SELECT count(*) FROM api_keys WHERE workspace_id = ?1 AND revoked_at IS NULL")?;
    Ok(st.query_row([workspace_id], |r| r.get(0))?)
}

pub fn list_api_keys_by_holder(conn: &Conn, holder_id: &str) -> Result<Vec<ApiKeyRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE holder_id = ?1 AND revoked_at IS NULL ORDER BY id"
    ))?;
    let rows = st.query_map([holder_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn revoke_api_key_of_holder(conn: &Conn, holder_id: &str, key_id: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE api_keys SET revoked_at = ?3 WHERE key_id = ?1 AND holder_id = ?2 AND revoked_at IS NULL",
        )?
        .execute(params![key_id, holder_id, crate::store::now()])?;
    Ok(n == 1)
}

pub fn update_api_keys_last_used(conn: &Conn, used: &[(String, String)]) -> Result<()> {
    let mut st = conn.prepare_cached("UPDATE api_keys SET last_used_at = ?2 WHERE key_id = ?1")?;
    for (key_id, at) in used {
        st.execute(params![key_id, at])?;
    }
    Ok(())
}
