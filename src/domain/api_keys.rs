//! API keys of a workspace: made, listed and revoked by the operator (CLI) or the owner.

use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::auth::api_key::{self, KeyParts};
use crate::store::{self, Conn, api_keys::ApiKeyRow};

/// A key as listed: never its secret.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub key_id: String,
    pub name: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Stores a key whose secret is already hashed (hash outside the writer: argon2 is slow).
pub fn insert(conn: &Conn, ws: WorkspaceId, parts: &KeyParts, secret_hash: String, name: Option<String>) -> Result<()> {
    store::api_keys::insert_api_key(
        conn,
        &ApiKeyRow {
            key_id: parts.key_id.clone(),
            workspace_id: ws.0,
            name,
            secret_hash,
            created_at: store::now(),
            expires_at: None,
            revoked_at: None,
        },
    )?;
    Ok(())
}

/// Makes sure the dev key exists in the workspace (it is derived, so only its row may be missing).
pub fn ensure(conn: &Conn, ws: WorkspaceId, parts: &KeyParts, secret_hash: String) -> Result<()> {
    if store::api_keys::find_api_key_by_key_id(conn, &parts.key_id)?.is_none() {
        insert(conn, ws, parts, secret_hash, Some("dev".into()))?;
    }
    Ok(())
}

/// Whether a key with this id exists (live or revoked).
pub fn exists(conn: &Conn, key_id: &str) -> Result<bool> {
    Ok(store::api_keys::find_api_key_by_key_id(conn, key_id)?.is_some())
}

/// Lists a workspace's keys.
pub fn list(conn: &Conn, ws: WorkspaceId) -> Result<Vec<KeyInfo>> {
    Ok(store::api_keys::list_api_keys(conn, ws.0)?
        .into_iter()
        .map(|r| KeyInfo { key_id: r.key_id, name: r.name, created_at: r.created_at, revoked_at: r.revoked_at })
        .collect())
}

/// Revokes a key given by its id or as the whole key.
pub fn revoke(conn: &Conn, id_or_key: &str) -> Result<()> {
    let key_id = match api_key::parse(id_or_key) {
        Some(parts) => parts.key_id,
        None => id_or_key.to_string(),
    };
    if store::api_keys::revoke_api_key(conn, &key_id)? { Ok(()) } else { Err(Error::NotFound("api key")) }
}
