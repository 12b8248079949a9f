//! The SQL of `store::api_keys`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::api_keys::ApiKeyRow;
use ::postgres::Row;

const COLUMNS: &str =
    "key_id, workspace_id, name, secret_hash, created_at, expires_at, revoked_at, holder_id, last_used_at, scopes";

fn from_row(r: &Row) -> Result<ApiKeyRow> {
    Ok(ApiKeyRow {
        key_id: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        name: r.try_get(2)?,
        secret_hash: r.try_get(3)?,
        created_at: r.try_get(4)?,
        expires_at: r.try_get(5)?,
        revoked_at: r.try_get(6)?,
        holder_id: r.try_get(7)?,
        last_used_at: r.try_get(8)?,
        scopes: r.try_get(9)?,
    })
}

pub fn insert_api_key(conn: &Conn, row: &ApiKeyRow) -> Result<()> {
    let sql = format!("INSERT INTO api_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
    conn.execute(
        &sql,
        &[
            &row.key_id,
            &row.workspace_id,
            &row.name,
            &row.secret_hash,
            &row.created_at,
            &row.expires_at,
            &row.revoked_at,
            &row.holder_id,
            &row.last_used_at,
            &row.scopes,
        ],
    )?;
    Ok(())
}

pub fn find_api_key_by_key_id(conn: &Conn, key_id: &str) -> Result<Option<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_id = $1");
    conn.query_opt(&sql, &[&key_id])?.as_ref().map(from_row).transpose()
}

pub fn list_api_keys(conn: &Conn, workspace_id: i64) -> Result<Vec<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE workspace_id = $1 ORDER BY id");
    rows(conn.query(&sql, &[&workspace_id])?, from_row)
}

pub fn revoke_api_key(conn: &Conn, key_id: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL",
        &[&key_id, &crate::store::now()],
    )?;
    Ok(n == 1)
}

pub fn key_changes(conn: &Conn) -> Result<i64> {
    let row = conn.query_opt("SELECT n FROM api_key_changes WHERE id = 1", &[])?;
    Ok(row.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
}

pub fn set_secret_hash(conn: &Conn, key_id: &str, hash: &str) -> Result<()> {
    conn.execute("UPDATE api_keys SET secret_hash = $2 WHERE key_id = $1", &[&key_id, &hash])?;
    Ok(())
}

pub fn count_live_api_keys(conn: &Conn, workspace_id: i64) -> Result<i64> {
    let sql = "SELECT count(*) FROM api_keys WHERE workspace_id = $1 AND revoked_at IS NULL";
    Ok(conn.query_one(sql, &[&workspace_id])?.try_get(0)?)
}

pub fn list_api_keys_by_holder(conn: &Conn, holder_id: &str) -> Result<Vec<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE holder_id = $1 AND revoked_at IS NULL ORDER BY id");
    rows(conn.query(&sql, &[&holder_id])?, from_row)
}

pub fn revoke_api_key_of_holder(conn: &Conn, holder_id: &str, key_id: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE api_keys SET revoked_at = $3 WHERE key_id = $1 AND holder_id = $2 AND revoked_at IS NULL",
        &[&key_id, &holder_id, &crate::store::now()],
    )?;
    Ok(n == 1)
}

pub fn update_api_keys_last_used(conn: &Conn, used: &[(String, String)]) -> Result<()> {
    for (key_id, at) in used {
        conn.execute("UPDATE api_keys SET last_used_at = $2 WHERE key_id = $1", &[key_id, at])?;
    }
    Ok(())
}
