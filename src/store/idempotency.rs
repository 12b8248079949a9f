//! The `idempotency_keys` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A kept response (status 0: the first request is still running).
#[derive(Debug, Clone)]
pub struct KeptResponse {
    pub request_hash: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Claims a key for a request; false when it is already claimed (then see `find_kept`).
/// Claims older than `expired_before` are forgotten first.
pub fn claim_key(conn: &Conn, scope: &str, key: &str, hash: &str, now: &str, expired_before: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::idempotency::claim_key(c, scope, key, hash, now, expired_before),
        Backend::Postgres(c) => postgres::idempotency::claim_key(c, scope, key, hash, now, expired_before),
    }
}

/// The kept response of a key.
pub fn find_kept(conn: &Conn, scope: &str, key: &str) -> Result<Option<KeptResponse>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::idempotency::find_kept(c, scope, key),
        Backend::Postgres(c) => postgres::idempotency::find_kept(c, scope, key),
    }
}

/// Keeps the response of a claimed key.
pub fn keep_response(
    conn: &Conn,
    scope: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::idempotency::keep_response(c, scope, key, status, content_type, body),
        Backend::Postgres(c) => postgres::idempotency::keep_response(c, scope, key, status, content_type, body),
    }
}

/// Releases a claim without a kept response (the request failed on the server's side).
pub fn release_key(conn: &Conn, scope: &str, key: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::idempotency::release_key(c, scope, key),
        Backend::Postgres(c) => postgres::idempotency::release_key(c, scope, key),
    }
}

/// Forgets every key claimed before `expired_before` (they can no longer be replayed).
pub fn prune(conn: &Conn, expired_before: &str) -> Result<usize> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::idempotency::prune(c, expired_before),
        Backend::Postgres(c) => postgres::idempotency::prune(c, expired_before),
    }
}
