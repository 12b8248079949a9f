//! `/profiles/create`, `GET /profiles`, `DELETE /profiles/{profileKey}`.

use super::{Auth, Error, profile_json};
use crate::api::body;
use crate::app::App;
use crate::domain::profiles::{self, NewProfile, ProfileName};
use crate::domain::{self, accounts};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    profile_name: Option<String>,
}

/// `POST /profiles/create {profileName?}` -> 201 `{profileKey, profileName}`.
pub async fn create(
    state: web::Data<App>,
    Auth { caller, .. }: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: CreateBody = body::json_or_empty(&req, payload).await?;
    let name =
        b.profile_name.filter(|n| !n.trim().is_empty()).map(|n| ProfileName::parse(&n)).transpose().map_err(|_| {
            domain::Error::invalid("profileName", "must have between 1 and 100 characters, without control characters")
        })?;
    let new = NewProfile::named(name);
    let p = state.db.write(move |c| profiles::create(c, caller.workspace, new)).await?;
    Ok(HttpResponse::Created().json(json!({ "profileKey": p.profile_key, "profileName": p.name })))
}

/// `GET /profiles` -> `{profiles: [...]}`, every profile with its connected platforms.
pub async fn list(state: web::Data<App>, Auth { caller, .. }: Auth) -> Result<HttpResponse, Error> {
    // A page at a time: the dialect lists every profile in one answer.
    let head = r#"{"profiles":["#.to_string();
    Ok(crate::api::pages::every_profile(state.get_ref().clone(), caller.workspace, head, "]}", profile_json))
}

/// `GET /profiles/{profileKey}`.
pub async fn get(
    state: web::Data<App>,
    Auth { caller, .. }: Auth,
    key: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let key = key.into_inner();
    let body = state
        .db
        .read(move |c| {
            let p = profiles::get_by_key(c, caller.workspace, &key)?;
            Ok::<_, domain::Error>(profile_json(&p, &accounts::list_for(c, &p)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// `DELETE /profiles/{profileKey}`: the profile and its accounts.
pub async fn delete(
    state: web::Data<App>,
    Auth { caller, .. }: Auth,
    key: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let key = key.into_inner();
    let p = crate::service::delete_profile(&state, caller.workspace, move |c, ws| profiles::get_by_key(c, ws, &key))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "success": true, "profileKey": p.profile_key, "deleted": true })))
}
