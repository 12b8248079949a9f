//! `/api/auth/register`, `/login`, `/logout-all`.

use super::{Error, Session, session_token, user_json};
use crate::api::{body, client_ip};
use crate::app::App;
use crate::auth::password;
use crate::domain::holders::{self, Email, Holder, NewHolder, NewPassword, person_name};
use crate::domain::{self, profiles::Username};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

fn limited(state: &App, req: &HttpRequest, account: Option<&str>) -> Result<(), Error> {
    state
        .limiter
        .attempt(&client_ip(state, req), account)
        .map_err(|retry_after| domain::Error::RateLimited { retry_after }.into())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterBody {
    email: Option<String>,
    password: Option<String>,
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// `POST /api/auth/register` -> 201 `{token, expiresAt, user}`: a holder and a workspace they own.
pub async fn register(state: web::Data<App>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, Error> {
    if !state.settings.signup_open {
        return Err(
            domain::Error::Forbidden("Sign-up is closed on this server; ask its operator for an account").into()
        );
    }
    limited(&state, &req, None)?;
    let b: RegisterBody = body::json_limited(&req, payload, body::SMALL_BODY).await?;
    let email = Email::parse(b.email.as_deref().unwrap_or_default())?;
    let password = NewPassword::parse("password", b.password.as_deref().unwrap_or_default())?;
    let username = b.username.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(Username::parse).transpose()?;
    let first_name = b.first_name.as_deref().map(|n| person_name("firstName", n)).transpose()?.flatten();
    let last_name = b.last_name.as_deref().map(|n| person_name("lastName", n)).transpose()?.flatten();
    let password_hash = password::hash(password.into_inner()).await?;
    let new = NewHolder { email, username, first_name, last_name, password_hash };
    let trial = state.settings.trial_days;
    let (holder, _) = state.db.write(move |c| holders::register(c, new, Some(trial))).await?;
    let (token, expires_at) = session_token(&state, &holder);
    Ok(HttpResponse::Created().json(json!({ "token": token, "expiresAt": expires_at, "user": user_json(&holder) })))
}

#[derive(Debug, Deserialize)]
pub struct LoginBody {
    email: Option<String>,
    username: Option<String>,
    login: Option<String>,
    password: Option<String>,
}

/// `POST /api/auth/login {email | username, password}` -> `{token, expiresAt}`.
pub async fn login(state: web::Data<App>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, Error> {
    // The address pays before its body is read; the account once it is known.
    state
        .limiter
        .attempt_from(&client_ip(&state, &req))
        .map_err(|retry_after| domain::Error::RateLimited { retry_after })?;
    let b: LoginBody = body::json_limited(&req, payload, body::SMALL_BODY).await?;
    let holder = authenticate(&state, b.email.or(b.username).or(b.login), b.password).await?;
    let (token, expires_at) = session_token(&state, &holder);
    Ok(HttpResponse::Ok().json(json!({ "token": token, "expiresAt": expires_at })))
}

/// Checks an email-or-username and password (the address's attempt already taken): the
/// account's attempt bucket, argon2, the rehash of an old hash, and the login recorded. The
/// console signs in through this too, so both keep one rule.
pub(crate) async fn authenticate(
    state: &App,
    login: Option<String>,
    password: Option<String>,
) -> Result<Holder, domain::Error> {
    let login = login.map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
    let login = login.ok_or_else(|| domain::Error::invalid("email", "Email or username is required"))?;
    let password =
        password.filter(|p| !p.is_empty()).ok_or_else(|| domain::Error::invalid("password", "Password is required"))?;
    let who = login.clone();
    let found = state.db.read(move |c| holders::find_for_login(c, &who)).await?;
    let (holder, hash) = match found {
        Some((h, hash)) => (Some(h), Some(hash)),
        None => (None, None),
    };
    // One bucket per account, whichever of its names is given.
    let bucket = holder.as_ref().map_or_else(|| format!("login:{login}"), |h| format!("holder:{}", h.id));
    state.limiter.attempt_on(&bucket).map_err(|retry_after| domain::Error::RateLimited { retry_after })?;
    // A missing account costs the same argon2 time as a wrong password.
    let stale = hash.as_deref().is_some_and(password::needs_rehash);
    let ok = password::verify(password.clone(), hash).await?;
    let holder = holder.filter(|_| ok).ok_or(domain::Error::Unauthorized("Invalid email or password"))?;
    // A hash from an earlier hitchpost (other argon2 parameters) is replaced while the
    // password is at hand, so every account ends up on today's setting.
    let rehashed = if stale { Some(password::hash(password).await?) } else { None };
    let id = holder.id.clone();
    state.db.write(move |c| holders::record_login(c, &id, rehashed)).await
}

/// `POST /api/auth/logout-all`: every session of the holder ends, this one included.
pub async fn logout_all(state: web::Data<App>, Session(holder): Session) -> Result<HttpResponse, Error> {
    state.db.write(move |c| holders::logout_everywhere(c, &holder.id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Logged out of every session" })))
}
