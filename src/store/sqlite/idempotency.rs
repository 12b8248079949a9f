//! The SQL of `store::idempotency`, for SQLite.

use crate::store::Result;
use crate::store::idempotency::KeptResponse;
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

pub fn claim_key(conn: &Conn, scope: &str, key: &str, hash: &str, now: &str, expired_before: &str) -> Result<bool> {
    conn.prepare_cached("DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND created_at < ?3")?
        .execute(params![scope, key, expired_before])?;
    let n = conn
        .prepare_cached(
            "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (scope, key) DO NOTHING",
        )?
        .execute(params![scope, key, hash, now])?;
    Ok(n == 1)
}

pub fn find_kept(conn: &Conn, scope: &str, key: &str) -> Result<Option<KeptResponse>> {
    let mut st = conn.prepare_cached(
        "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
    )?;
    Ok(st
        .query_row(params![scope, key], |r| {
            Ok(KeptResponse {
                request_hash: r.get(0)?,
                status: r.get(1)?,
                content_type: r.get(2)?,
                body: r.get::<_, Option<Vec<u8>>>(3)?.unwrap_or_default(),
            })
        })
        .optional()?)
}

pub fn keep_response(
    conn: &Conn,
    scope: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE idempotency_keys SET status = ?3, content_type = ?4, body = ?5 WHERE scope = ?1 AND key = ?2",
    )?
    .execute(params![scope, key, status, content_type, body])?;
    Ok(())
}

pub fn release_key(conn: &Conn, scope: &str, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND status = 0")?
        .execute(params![scope, key])?;
    Ok(())
}

pub fn prune(conn: &Conn, expired_before: &str) -> Result<usize> {
    Ok(conn.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")?.execute([expired_before])?)
}
