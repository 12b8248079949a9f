//! Signing in and out of the console, and who is signed in.

use super::{COOKIE, Error, Session};
use crate::api::holders::session_token;
use crate::api::holders::sessions::authenticate;
use crate::api::{body, client_ip};
use crate::app::App;
use crate::auth::jwt::HolderClaims;
use crate::auth::password;
use crate::domain::holders::{self, Holder, NewPassword};
use crate::domain::{self, profiles, workspaces};
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// An email address or a username.
    login: Option<String>,
    password: Option<String>,
}

/// `POST /console/api/login {login, password}`: the holder's session, in the cookie only
/// (never in the body, so no script can read it).
pub async fn login(state: web::Data<App>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, Error> {
    // The same attempt limits as the users API's sign-in: the address's, then the account's.
    state
        .limiter
        .attempt_from(&client_ip(&state, &req))
        .map_err(|retry_after| domain::Error::RateLimited { retry_after })?;
    let b: LoginBody = body::json_limited(&req, payload, body::SMALL_BODY).await?;
    let holder = authenticate(&state, b.login, b.password).await?;
    let cookie = session_cookie(&state, &holder);
    Ok(HttpResponse::Ok().cookie(cookie).json(json!({ "email": holder.email, "username": holder.username })))
}

/// The console's session cookie for a holder: their session token, HttpOnly, SameSite=Strict,
/// Secure over HTTPS, for the session's days.
pub(super) fn session_cookie(state: &App, holder: &Holder) -> Cookie<'static> {
    cookie_of(state, session_token(state, holder).0)
}

/// A recovery session's cookie (from a one-time link): it lasts an hour, and may set a new
/// password without the current one.
pub(super) fn recovery_cookie(state: &App, holder: &Holder) -> Cookie<'static> {
    let exp = chrono::Utc::now() + chrono::Duration::hours(1);
    let mut claims = HolderClaims::new(&holder.id, holder.session_epoch, exp.timestamp());
    claims.recovery = true;
    let mut cookie = cookie_of(state, state.jwt.sign(&claims));
    cookie.set_max_age(Duration::hours(1));
    cookie
}

fn cookie_of(state: &App, token: String) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.public_url.starts_with("https://"))
        .max_age(Duration::days(crate::api::holders::SESSION_DAYS))
        .finish()
}

/// `POST /console/api/logout`: the cookie goes. (Signing out everywhere is the users API's
/// `logout-all`, which ends every session of the holder.)
pub async fn logout() -> HttpResponse {
    let mut gone = Cookie::build(COOKIE, "").path("/console").finish();
    gone.make_removal();
    HttpResponse::Ok().cookie(gone).json(json!({ "signedOut": true }))
}

/// `GET /console/api/me`: the holder, and the workspace's usage against its plan.
pub async fn me(state: web::Data<App>, s: Session) -> Result<HttpResponse, Error> {
    let ws = s.workspace;
    let st = state.clone();
    let (profiles, info, calls) = state
        .db
        .read(move |c| {
            Ok::<_, domain::Error>((profiles::count(c, ws)?, workspaces::get(c, ws)?, st.usage.this_month(c, ws)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "holder": {"id": s.holder.id, "email": s.holder.email, "username": s.holder.username},
        "recovery": s.recovery,
        "workspace": {"name": info.name, "plan": info.plan, "trialEndsAt": info.trial_ends_at},
        "usage": {"profiles": profiles, "profileLimit": info.profile_limit, "monthlyApiCalls": calls,
                  "monthlyApiQuota": info.monthly_api_quota},
        "scopes": crate::auth::Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `POST /console/api/password {currentPassword, newPassword}`: the current password is not
/// asked of a recovery session. Every other session ends; this one goes on in a new cookie.
pub async fn change_password(
    state: web::Data<App>,
    s: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    state
        .limiter
        .attempt(&client_ip(&state, &req), Some(&s.holder.id))
        .map_err(|retry_after| domain::Error::RateLimited { retry_after })?;
    let b: PasswordBody = body::json(&req, payload).await?;
    let new = NewPassword::parse("newPassword", b.new_password.as_deref().unwrap_or_default())?;
    if !s.recovery {
        let id = s.holder.id.clone();
        let hash = state.db.read(move |c| holders::password_hash(c, &id)).await?;
        if !password::verify(b.current_password.unwrap_or_default(), Some(hash)).await? {
            return Err(domain::Error::invalid("currentPassword", "Current password is incorrect").into());
        }
    }
    let new_hash = password::hash(new.into_inner()).await?;
    let id = s.holder.id.clone();
    let holder = state.db.write(move |c| holders::set_password(c, &id, &new_hash)).await?;
    Ok(HttpResponse::Ok().cookie(session_cookie(&state, &holder)).json(json!({ "passwordChanged": true })))
}
