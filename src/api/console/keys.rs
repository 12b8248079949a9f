//! The console's API keys: the holder's keys with their scopes and last use; a new key is
//! shown once.

use super::{Error, Session};
use crate::api::body;
use crate::api::holders::keys::{key_json, scopes_of};
use crate::app::App;
use crate::auth::api_key;
use crate::domain::api_keys;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    name: Option<String>,
    scopes: Option<Value>,
}

/// `GET /console/api/keys`: live keys, newest first as the store lists them.
pub async fn list(state: web::Data<App>, s: Session) -> Result<HttpResponse, Error> {
    let holder = s.holder.id.clone();
    let keys = state.db.read(move |c| api_keys::list_for_holder(c, &holder)).await?;
    let keys: Vec<Value> = keys.iter().filter(|k| k.revoked_at.is_none()).map(key_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": keys })))
}

/// `POST /console/api/keys {name, scopes?}` -> 201 with the key, in this answer only.
pub async fn create(
    state: web::Data<App>,
    s: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: KeyBody = body::json(&req, payload).await?;
    let name = api_keys::key_name(b.name.as_deref().unwrap_or_default())?;
    let scopes = scopes_of(b.scopes)?;
    let parts = api_key::generate();
    let hash = state.auth.hash_secret(&parts);
    let (key, ws, holder) = (parts.clone(), s.workspace, s.holder.id.clone());
    let info = state.db.write(move |c| api_keys::insert_for_holder(c, ws, &holder, &key, hash, name, scopes)).await?;
    let mut body = key_json(&info);
    body["key"] = parts.to_key().into();
    Ok(HttpResponse::Created().json(body))
}

/// `DELETE /console/api/keys/{id}`: refused by the API at once.
pub async fn revoke(state: web::Data<App>, s: Session, id: web::Path<String>) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let (key_id, holder) = (id.clone(), s.holder.id.clone());
    state.db.write(move |c| api_keys::revoke_for_holder(c, &holder, &key_id)).await?;
    state.auth.forget(&id);
    Ok(HttpResponse::NoContent().finish())
}
