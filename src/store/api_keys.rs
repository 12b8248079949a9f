//! The `api_keys` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// An API key row; the secret is only ever here as its HMAC (or, from before schema 9, its
/// argon2 hash).
#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    pub key_id: String,
    pub workspace_id: i64,
    pub name: Option<String>,
    pub secret_hash: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub holder_id: Option<String>,
    pub last_used_at: Option<String>,
    /// What the key may do, as `auth::Scopes::to_stored` writes it.
    pub scopes: String,
}

/// Inserts a key.
pub fn insert_api_key(conn: &Conn, row: &ApiKeyRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::insert_api_key(c, row),
        Backend::Postgres(c) => postgres::api_keys::insert_api_key(c, row),
    }
}

/// Finds a key by its public key id.
pub fn find_api_key_by_key_id(conn: &Conn, key_id: &str) -> Result<Option<ApiKeyRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::find_api_key_by_key_id(c, key_id),
        Backend::Postgres(c) => postgres::api_keys::find_api_key_by_key_id(c, key_id),
    }
}

/// Lists a workspace's keys, oldest first.
pub fn list_api_keys(conn: &Conn, workspace_id: i64) -> Result<Vec<ApiKeyRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::list_api_keys(c, workspace_id),
        Backend::Postgres(c) => postgres::api_keys::list_api_keys(c, workspace_id),
    }
}

/// Marks a key revoked; returns false when no live key has that id.
pub fn revoke_api_key(conn: &Conn, key_id: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::revoke_api_key(c, key_id),
        Backend::Postgres(c) => postgres::api_keys::revoke_api_key(c, key_id),
    }
}

/// The key-change counter: schema triggers bump it on every revocation and deletion, whoever
/// writes (the CLI shares the file), so a running server reads one row to learn that a key it
/// remembers may be dead.
pub fn key_changes(conn: &Conn) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::key_changes(c),
        Backend::Postgres(c) => postgres::api_keys::key_changes(c),
    }
}

/// Replaces a key's stored secret hash (a legacy argon2 hash, once verified, becomes an HMAC).
pub fn set_secret_hash(conn: &Conn, key_id: &str, hash: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::set_secret_hash(c, key_id, hash),
        Backend::Postgres(c) => postgres::api_keys::set_secret_hash(c, key_id, hash),
    }
}

/// How many live keys a workspace has (for its cap).
pub fn count_live_api_keys(conn: &Conn, workspace_id: i64) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::count_live_api_keys(c, workspace_id),
        Backend::Postgres(c) => postgres::api_keys::count_live_api_keys(c, workspace_id),
    }
}

/// The live keys an account holder made, oldest first.
pub fn list_api_keys_by_holder(conn: &Conn, holder_id: &str) -> Result<Vec<ApiKeyRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::list_api_keys_by_holder(c, holder_id),
        Backend::Postgres(c) => postgres::api_keys::list_api_keys_by_holder(c, holder_id),
    }
}

/// Revokes a key an account holder made; false when they made no such live key.
pub fn revoke_api_key_of_holder(conn: &Conn, holder_id: &str, key_id: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::revoke_api_key_of_holder(c, holder_id, key_id),
        Backend::Postgres(c) => postgres::api_keys::revoke_api_key_of_holder(c, holder_id, key_id),
    }
}

/// Records when keys were last used.
pub fn update_api_keys_last_used(conn: &Conn, used: &[(String, String)]) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::api_keys::update_api_keys_last_used(c, used),
        Backend::Postgres(c) => postgres::api_keys::update_api_keys_last_used(c, used),
    }
}
