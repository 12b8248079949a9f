//! The connect page's API, authenticated by the session cookie.

use super::COOKIE;
use crate::api::body;
use crate::app::App;
use crate::auth::jwt::SESSION_AUDIENCE;
use crate::domain::accounts::AccountRef;
use crate::domain::connect::{self, CheckedLink};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, accounts};
use crate::providers::LinkMethod;
use crate::service::{self, BlueskyLogin, Route};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

/// The session of the request, if its cookie is good and its link is neither revoked nor gone.
pub async fn current(state: &App, req: &HttpRequest) -> domain::Result<Option<CheckedLink>> {
    let Some(cookie) = req.cookie(COOKIE) else { return Ok(None) };
    let jwt = state.jwt.clone();
    let token = cookie.value().to_string();
    Ok(state.db.read(move |c| connect::check(c, &jwt, &token, SESSION_AUDIENCE)).await?.ok())
}

/// An error of the page's API: `{error, field}` in words for the person.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
    field: Option<String>,
    /// The failure category the page explains in the person's language (`message` keeps the
    /// provider's own words, for whoever reads the API).
    reason: Option<&'static str>,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status)
            .json(json!({ "error": self.message, "field": self.field, "reason": self.reason }))
    }
}

pub(super) fn error(status: StatusCode, message: &str, field: Option<&str>) -> PageError {
    PageError { status, message: message.into(), field: field.map(str::to_owned), reason: None }
}

impl From<domain::Error> for PageError {
    fn from(e: domain::Error) -> Self {
        use domain::Error as D;
        let reason = crate::service::FailureKind::of_error(&e).map(|k| k.as_str());
        let mut page = match &e {
            D::Invalid { field, reason } => error(StatusCode::BAD_REQUEST, &format!("{field} {reason}"), Some(field)),
            D::Credentials(why) => error(StatusCode::BAD_REQUEST, why, Some("appPassword")),
            D::Upstream(why) => error(StatusCode::BAD_GATEWAY, why, None),
            D::NotFound(what) => error(StatusCode::NOT_FOUND, &format!("{what} not found"), None),
            _ => {
                log::error!("connect page: {e}");
                error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server. Try again.", None)
            }
        };
        page.reason = reason;
        page
    }
}

impl From<crate::api::ApiError> for PageError {
    fn from(e: crate::api::ApiError) -> Self {
        match e {
            crate::api::ApiError::Domain(d) => d.into(),
            other => error(StatusCode::BAD_REQUEST, &other.to_string(), None),
        }
    }
}

/// Takes one attempt from the page's own buckets (the session's and the address's): linking
/// checks credentials at a provider (the Bluesky form would otherwise be an unthrottled
/// password-checking relay) and each start writes a pending sign-in.
pub(super) fn attempt(state: &App, req: &HttpRequest, s: &CheckedLink) -> Result<(), PageError> {
    let ip = format!("connect:{}", crate::api::client_ip(state, req));
    let session = format!("connect:{}", s.claims.jti);
    state.limiter.attempt(&ip, Some(&session)).map_err(|wait| PageError {
        status: StatusCode::TOO_MANY_REQUESTS,
        message: format!("Too many attempts; try again in {wait} seconds."),
        field: None,
        reason: Some(service::FailureKind::Limited.as_str()),
    })
}

fn no_session() -> PageError {
    error(StatusCode::UNAUTHORIZED, "Your session has ended. Open your link again, or ask for a new one.", None)
}

pub(super) fn not_from_page() -> PageError {
    error(StatusCode::FORBIDDEN, "This action must come from the connect page.", None)
}

/// Page actions must come from the page: a custom header cannot be sent cross-site without
/// a CORS preflight, which this server never grants.
pub(super) fn from_page(req: &HttpRequest) -> bool {
    req.headers().get("x-hitchpost-connect").is_some()
}

pub(super) async fn session(state: &App, req: &HttpRequest) -> Result<CheckedLink, PageError> {
    current(state, req).await?.ok_or_else(no_session)
}

/// The platforms this link offers: its allow-list (or all), less those that cannot be linked here.
/// The platforms this link offers (its allow-list, less those this server cannot link).
pub(super) fn offered(state: &App, s: &CheckedLink) -> Vec<Platform> {
    let wanted = s.options.platforms.clone().unwrap_or_else(|| Platform::ALL.to_vec());
    wanted.into_iter().filter(|p| state.providers.method(*p) != LinkMethod::Unavailable).collect()
}

async fn describe(state: &App, req: &HttpRequest, s: &CheckedLink) -> Result<HttpResponse, PageError> {
    let profile = s.profile.clone();
    let linked = state.db.read(move |c| accounts::list_for(c, &profile)).await?;
    let platforms: Vec<Value> = offered(state, s)
        .into_iter()
        .map(|p| {
            let method = match state.providers.method(p) {
                LinkMethod::OAuth => "oauth",
                LinkMethod::Credentials => "credentials",
                LinkMethod::Sandbox => "sandbox",
                LinkMethod::Unavailable => "unavailable",
            };
            let account = linked.iter().find(|a| a.platform == p).map(|a| {
                json!({
                    "username": a.username, "displayName": a.display_name, "imageUrl": a.image_url,
                    "profileUrl": a.profile_url, "needsReconnect": a.needs_reconnect,
                    "reconnectReason": a.reconnect_reason, "sandbox": a.sandbox,
                })
            });
            json!({"platform": p.as_str(), "label": p.label(), "method": method,
                   "sandboxAvailable": state.providers.sandbox, "account": account})
        })
        .collect();
    let o = &s.options;
    Ok(HttpResponse::Ok().json(json!({
        "profile": {"id": s.profile.id, "name": s.profile.name},
        "title": o.title, "description": o.description, "logoUrl": o.logo_url,
        "buttonText": o.button_text, "language": o.language_for(super::accept_language(req)),
        "labels": o.labels, "theme": o.theme, "accentColor": o.accent_color,
        "onAccent": o.accent_color.map(|c| c.on_accent()), "mode": o.mode,
        "hasRedirect": o.redirect_url.is_some(),
        "expiresAt": chrono::DateTime::from_timestamp(s.claims.exp, 0).map(|t| t.to_rfc3339()),
        "platforms": platforms,
    })))
}

/// `GET /connect/api/session`.
pub async fn show(state: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    describe(&state, &req, &s).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkBody {
    #[serde(default)]
    sandbox: bool,
    handle: Option<String>,
    app_password: Option<String>,
    pds_url: Option<String>,
}

fn platform_of(state: &App, s: &CheckedLink, name: &str) -> Result<Platform, PageError> {
    let p = Platform::parse(name)?;
    if !offered(state, s).contains(&p) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            &format!("{} is not offered by this link", p.label()),
            Some("platform"),
        ));
    }
    Ok(p)
}

/// `POST /connect/api/accounts/{platform}`: a sandbox account, or Bluesky credentials.
pub async fn link(
    state: web::Data<App>,
    req: HttpRequest,
    name: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    if !from_page(&req) {
        return Err(not_from_page());
    }
    let s = session(&state, &req).await?;
    let platform = platform_of(&state, &s, &name)?;
    attempt(&state, &req, &s)?;
    let b: LinkBody = body::json_or_empty(&req, payload).await?;
    let ws = WorkspaceId(s.claims.ws);
    // On a sandbox server the page's button links a sandbox account for a platform it has
    // no credentials for.
    let sandbox = b.sandbox || state.providers.method(platform) == LinkMethod::Sandbox;
    match service::route(platform, sandbox) {
        Route::Sandbox => {
            service::link_sandbox(&state, ws, &s.profile.id, platform).await?;
        }
        Route::AppPassword => {
            let allow_private = state.providers.allow_private_outbound;
            let login = BlueskyLogin::parse(b.handle, b.app_password, b.pds_url, allow_private)?;
            service::link_bluesky(&state, ws, &s.profile.id, login).await?;
        }
        Route::Consent => {
            let why = format!("{} links through its own sign-in page", platform.label());
            return Err(domain::Error::invalid("platform", why).into());
        }
    }
    describe(&state, &req, &s).await
}

/// `DELETE /connect/api/accounts/{platform}`.
pub async fn unlink(
    state: web::Data<App>,
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    if !from_page(&req) {
        return Err(not_from_page());
    }
    let s = session(&state, &req).await?;
    // The link's allow-list holds for disconnecting too: a page for X cannot unlink LinkedIn.
    let platform = platform_of(&state, &s, &name)?;
    service::unlink(&state, WorkspaceId(s.claims.ws), &s.profile.id, AccountRef::Platform(platform)).await?;
    describe(&state, &req, &s).await
}
