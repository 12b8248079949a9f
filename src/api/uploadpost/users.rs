//! `/api/uploadposts/users`.

use super::{Auth, Error, State, ok, profile_json};
use crate::api::body;
use crate::domain::accounts;
use crate::domain::profiles::{self, NewProfile, ProfileName, Username};
use crate::domain::{self, workspaces};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub struct UsernameBody {
    username: Option<Value>,
}

fn username(b: UsernameBody) -> Result<String, Error> {
    match b.username {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(domain::Error::invalid("username", "is required").into())
        }
        Some(_) => Err(domain::Error::invalid("username", "must be a string").into()),
    }
}

/// `POST /users {username}` -> 201 `{success, profile}`.
pub async fn create(
    state: State,
    Auth { caller, .. }: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let name = username(body::json(&req, payload).await?)?;
    // The name is checked first: when both fail, its error is the one shown.
    let profile_name = Some(ProfileName::parse(&name)?);
    let new = NewProfile { username: Some(Username::parse(&name)?), ..NewProfile::named(profile_name) };
    let profile = state.db.write(move |c| profiles::create(c, caller.workspace, new)).await?;
    Ok(HttpResponse::Created().json(json!({ "success": true, "profile": profile_json(&profile, &[]) })))
}

/// `GET /users` -> `{success, limit, plan, profiles}` (every profile of the workspace).
pub async fn list(state: State, Auth { caller, .. }: Auth) -> Result<HttpResponse, Error> {
    let ws = caller.workspace;
    let info = state.db.read(move |c| workspaces::get(c, ws)).await?;
    let head = json!({ "success": true, "limit": info.profile_limit, "plan": info.plan }).to_string();
    // `{..., "profiles": [` then the profiles a page at a time (the dialect lists them all).
    let head = format!("{},\"profiles\":[", head.trim_end_matches('}'));
    let render: crate::api::pages::Render = |p, accounts| Value::Object(profile_json(p, accounts));
    Ok(crate::api::pages::every_profile(state.get_ref().clone(), ws, head, "]}", render))
}

/// `GET /users/{username}` -> `{success, profile}`.
pub async fn get(state: State, Auth { caller, .. }: Auth, name: web::Path<String>) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    // Indexed point reads: on the worker, like the native point read (`Db::read_now`).
    let profile = state
        .db
        .read_now(move |c| {
            let p = profiles::get_by_handle(c, caller.workspace, &name)?;
            let accounts = accounts::list_for(c, &p)?;
            Ok::<_, domain::Error>(profile_json(&p, &accounts))
        })
        .await?;
    Ok(ok(json!({ "success": true, "profile": profile })))
}

/// `DELETE /users {username}` -> `{success, message}`.
pub async fn delete(
    state: State,
    Auth { caller, .. }: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let name = username(body::json(&req, payload).await?)?;
    crate::service::delete_profile(&state, caller.workspace, move |c, ws| profiles::get_by_handle(c, ws, &name))
        .await?;
    Ok(ok(json!({ "success": true, "message": "Perfil eliminado correctamente" })))
}

#[derive(Debug, Deserialize)]
pub struct ProfileQuery {
    profile: Option<String>,
}

/// `GET /pinterest/boards?profile=` -> `{success, boards}` read at link time.
pub async fn pinterest_boards(
    state: State,
    Auth { caller, .. }: Auth,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let name = crate::api::query::<ProfileQuery>(&req)?
        .profile
        .ok_or_else(|| domain::Error::invalid("profile", "is required"))?;
    let boards = state
        .db
        .read(move |c| {
            let p = profiles::get_by_handle(c, caller.workspace, &name)?;
            let accounts = accounts::list_for(c, &p)?;
            let pinterest = accounts.into_iter().find(|a| a.platform == domain::platform::Platform::Pinterest);
            let pinterest = pinterest.ok_or(domain::Error::NotFound("pinterest account"))?;
            Ok::<_, domain::Error>(pinterest.details.and_then(|d| d.get("boards").cloned()).unwrap_or(json!([])))
        })
        .await?;
    Ok(ok(json!({ "success": true, "boards": boards })))
}
