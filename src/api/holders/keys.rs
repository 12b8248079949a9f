//! `/api/users/api-keys`: keys made and revoked by their owner; the secret is shown once.

use super::{Error, Session};
use crate::api::body;
use crate::app::App;
use crate::auth::api_key;
use crate::domain::{self, api_keys, holders};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub struct KeyBody {
    name: Option<Value>,
    scopes: Option<Value>,
}

/// `scopes`: an array of scope names, or absent for the default grant.
pub(crate) fn scopes_of(v: Option<Value>) -> Result<crate::auth::Scopes, domain::Error> {
    let names: Option<Vec<String>> = match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value(v)
                .map_err(|_| domain::Error::invalid("scopes", "must be an array of scope names"))?,
        ),
    };
    api_keys::scopes(names.as_deref())
}

pub(crate) fn key_json(k: &api_keys::KeyInfo) -> Value {
    json!({"id": k.key_id, "name": k.name, "prefix": format!("hp_{}", k.key_id), "scopes": k.scopes.names(),
           "createdAt": k.created_at, "lastUsedAt": k.last_used_at})
}

/// `POST /api/users/api-keys {name}` -> 201 with the key (in this response only).
pub async fn create(
    state: web::Data<App>,
    Session(holder): Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: KeyBody = body::json(&req, payload).await?;
    let name = match b.name {
        Some(Value::String(s)) => api_keys::key_name(&s)?,
        _ => return Err(domain::Error::invalid("name", "Key name is required").into()),
    };
    let scopes = scopes_of(b.scopes)?;
    let parts = api_key::generate();
    let hash = state.auth.hash_secret(&parts);
    let key = parts.clone();
    let info = state
        .db
        .write(move |c| {
            let ws = holders::owned_workspace(c, &holder.id)?;
            api_keys::insert_for_holder(c, ws, &holder.id, &key, hash, name, scopes)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "message": "API key created",
        "apiKey": {"id": info.key_id, "name": info.name, "prefix": format!("hp_{}", info.key_id),
                   "key": parts.to_key(), "scopes": info.scopes.names(), "createdAt": info.created_at},
    })))
}

/// `GET /api/users/api-keys`: name, prefix, createdAt, lastUsedAt; never the secret.
pub async fn list(state: web::Data<App>, Session(holder): Session) -> Result<HttpResponse, Error> {
    let keys = state.db.read(move |c| api_keys::list_for_holder(c, &holder.id)).await?;
    let keys: Vec<Value> = keys.iter().map(key_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "apiKeys": keys })))
}

/// `DELETE /api/users/api-keys/{id}`: revoked at once.
pub async fn delete(
    state: web::Data<App>,
    Session(holder): Session,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let key_id = id.clone();
    state.db.write(move |c| api_keys::revoke_for_holder(c, &holder.id, &key_id)).await?;
    // This server forgets it now; others on the same file within a second.
    state.auth.forget(&id);
    Ok(HttpResponse::Ok().json(json!({ "message": "API key deleted" })))
}
