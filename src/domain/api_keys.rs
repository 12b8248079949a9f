//! API keys of a workspace: made, listed and revoked by the operator (CLI) or the owner.

use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::auth::api_key::{self, KeyParts};
use crate::auth::{Scope, Scopes};
use crate::db::Tx;
use crate::store::{self, Conn, api_keys::ApiKeyRow};

/// A key as listed: never its secret.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub key_id: String,
    pub name: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    pub scopes: Scopes,
}

impl From<ApiKeyRow> for KeyInfo {
    fn from(r: ApiKeyRow) -> Self {
        KeyInfo {
            key_id: r.key_id,
            name: r.name,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            scopes: Scopes::from_stored(&r.scopes),
        }
    }
}

/// A key's label: 1-100 characters, no control characters, no markup.
pub fn key_name(s: &str) -> Result<String> {
    let s = s.trim();
    super::check_text("name", s, 1, 100).map_err(|_| Error::invalid("name", "Key name must have 1-100 characters"))?;
    if s.contains(['<', '>']) {
        return Err(Error::invalid("name", "Key name may not contain markup"));
    }
    Ok(s.to_string())
}

/// The most live keys a workspace's owner may make (the operator's CLI is not capped).
pub const MAX_HOLDER_KEYS: i64 = 25;

/// Stores a key an account holder made for the workspace they own, up to `MAX_HOLDER_KEYS`.
pub fn insert_for_holder(
    conn: &Tx,
    ws: WorkspaceId,
    holder: &str,
    parts: &KeyParts,
    secret_hash: String,
    name: String,
    scopes: Scopes,
) -> Result<KeyInfo> {
    store::workspaces::lock_workspace(conn, ws.0)?;
    if store::api_keys::count_live_api_keys(conn, ws.0)? >= MAX_HOLDER_KEYS {
        return Err(Error::LimitReached { what: "API keys", limit: MAX_HOLDER_KEYS });
    }
    let row = ApiKeyRow {
        key_id: parts.key_id.clone(),
        workspace_id: ws.0,
        name: Some(name),
        secret_hash,
        created_at: store::now(),
        expires_at: None,
        revoked_at: None,
        holder_id: Some(holder.to_string()),
        last_used_at: None,
        scopes: scopes.to_stored(),
    };
    store::api_keys::insert_api_key(conn, &row)?;
    super::audit::record(conn, ws, "key.created", None, Some(&row.key_id))?;
    Ok(row.into())
}

/// The live keys a holder made.
pub fn list_for_holder(conn: &Conn, holder: &str) -> Result<Vec<KeyInfo>> {
    Ok(store::api_keys::list_api_keys_by_holder(conn, holder)?.into_iter().map(KeyInfo::from).collect())
}

/// Revokes one of a holder's keys; another holder's key is not found.
pub fn revoke_for_holder(conn: &Tx, holder: &str, key_id: &str) -> Result<()> {
    if !store::api_keys::revoke_api_key_of_holder(conn, holder, key_id)? {
        return Err(Error::NotFound("API key"));
    }
    audit_key(conn, key_id, "key.revoked")
}

/// Records a key's creation or revocation in its workspace's log.
fn audit_key(conn: &Tx, key_id: &str, action: &'static str) -> Result<()> {
    match store::api_keys::find_api_key_by_key_id(conn, key_id)? {
        Some(k) => super::audit::record(conn, WorkspaceId(k.workspace_id), action, None, Some(key_id)),
        None => Ok(()),
    }
}

/// Parses the scopes a key's maker asked for; none named means `Scopes::default_grant`.
pub fn scopes(names: Option<&[String]>) -> Result<Scopes> {
    match names {
        None => Ok(Scopes::default_grant()),
        Some(names) => Scopes::parse(names.iter().map(String::as_str)).map_err(|why| Error::invalid("scopes", why)),
    }
}

/// Stores a key whose secret is already hashed (hash outside the writer: argon2 is slow).
pub fn insert(
    conn: &Tx,
    ws: WorkspaceId,
    parts: &KeyParts,
    secret_hash: String,
    name: Option<String>,
    scopes: Scopes,
) -> Result<()> {
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
            holder_id: None,
            last_used_at: None,
            scopes: scopes.to_stored(),
        },
    )?;
    super::audit::record(conn, ws, "key.created", None, Some(&parts.key_id))
}

/// Makes sure the dev key exists in the workspace (it is derived, so only its row may be missing).
/// It holds every scope, `credentials` too: `--dev` is a local mock, where a platform tests all
/// of its code against sandbox accounts whose tokens are fakes.
pub fn ensure(conn: &Tx, ws: WorkspaceId, parts: &KeyParts, secret_hash: String) -> Result<()> {
    if store::api_keys::find_api_key_by_key_id(conn, &parts.key_id)?.is_none() {
        insert(conn, ws, parts, secret_hash, Some("dev".into()), Scope::ALL.into_iter().collect())?;
    }
    Ok(())
}

/// Whether a key with this id exists (live or revoked).
pub fn exists(conn: &Conn, key_id: &str) -> Result<bool> {
    Ok(store::api_keys::find_api_key_by_key_id(conn, key_id)?.is_some())
}

/// Lists a workspace's keys.
pub fn list(conn: &Conn, ws: WorkspaceId) -> Result<Vec<KeyInfo>> {
    Ok(store::api_keys::list_api_keys(conn, ws.0)?.into_iter().map(KeyInfo::from).collect())
}

/// Revokes a key given by its id or as the whole key.
pub fn revoke(conn: &Tx, id_or_key: &str) -> Result<()> {
    let key_id = match api_key::parse(id_or_key) {
        Some(parts) => parts.key_id,
        None => id_or_key.to_string(),
    };
    if !store::api_keys::revoke_api_key(conn, &key_id)? {
        return Err(Error::NotFound("api key"));
    }
    audit_key(conn, &key_id, "key.revoked")
}
