//! The SQL of `store::idempotency`, for PostgreSQL.

use super::Client as Conn;
use crate::store::Result;
use crate::store::idempotency::KeptResponse;

pub fn claim_key(conn: &Conn, scope: &str, key: &str, hash: &str, now: &str, expired_before: &str) -> Result<bool> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < $3",
        &[&scope, &key, &expired_before],
    )?;
    // Two instances claiming one key at once: the second INSERT waits for the first's
    // transaction and then does nothing.
    let n = conn.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (scope, key) DO NOTHING",
        &[&scope, &key, &hash, &now],
    )?;
    Ok(n == 1)
}

pub fn find_kept(conn: &Conn, scope: &str, key: &str) -> Result<Option<KeptResponse>> {
    let found = conn.query_opt(
        "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE scope = $1 AND key = $2",
        &[&scope, &key],
    )?;
    found
        .map(|r| {
            Ok(KeptResponse {
                request_hash: r.try_get(0)?,
                status: u16::try_from(r.try_get::<_, i64>(1)?).unwrap_or(0),
                content_type: r.try_get(2)?,
                body: r.try_get::<_, Option<Vec<u8>>>(3)?.unwrap_or_default(),
            })
        })
        .transpose()
}

pub fn keep_response(
    conn: &Conn,
    scope: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<()> {
    conn.execute(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 WHERE scope = $1 AND key = $2",
        &[&scope, &key, &i64::from(status), &content_type, &body],
    )?;
    Ok(())
}

pub fn release_key(conn: &Conn, scope: &str, key: &str) -> Result<()> {
    conn.execute("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 0", &[&scope, &key])?;
    Ok(())
}

pub fn prune(conn: &Conn, expired_before: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM idempotency_keys WHERE created_at < $1", &[&expired_before])? as usize)
}
