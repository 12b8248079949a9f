//! The console (`/console`): a page where an account holder sees and runs what hitchpost
//! holds for their workspace. Plain HTML, CSS and JS compiled into the binary, like the
//! connect page; its JSON routes (`/console/api`) run the same domain operations as the API,
//! authenticated by the holder's session in an HttpOnly, SameSite=Strict cookie, and render
//! errors as the native API does (problem+json naming the field).

mod assets;
mod keys;
mod link;
mod profiles;
mod session;
mod webhooks;

use crate::api::ApiError;
use crate::api::dialect::{Dialect, Failure, limit};
use crate::api::native::Native;
use crate::app::App;
use crate::auth::jwt::{HOLDER_AUDIENCE, HolderClaims};
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, holders, holders::Holder};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use std::future::Future;
use std::pin::Pin;

/// The console's session cookie (the holder's session token).
pub const COOKIE: &str = "hp_console";

/// The header every state change must carry: a cross-site form cannot send it, and a
/// cross-site fetch that sets it needs a CORS preflight, which this server never grants.
pub const CSRF_HEADER: &str = "x-hitchpost-console";

/// The same policy as the connect page's: this server's scripts and styles only, no inline
/// code, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The console's JSON routes as the limiter sees them (no API key: the address's bucket),
/// and its errors in the native API's problem+json.
pub struct Console;

impl Dialect for Console {
    const SCHEME: &'static str = "Bearer";
    const MISSING_KEY: &'static str = "sign in to the console first";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        Native::render(e, status)
    }
}

/// A console error.
pub type Error = Failure<Console>;

/// Mounts `/console`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/console")
            .wrap(actix_web::middleware::from_fn(limit::<Console, _>))
            .wrap(crate::api::html::page_headers(CSP))
            .route("", web::get().to(assets::page))
            .route("/assets/{name}", web::get().to(assets::serve))
            .route("/link", web::get().to(link::open))
            .route("/link", web::post().to(link::claim))
            .service(
                web::scope("/api")
                    .wrap(actix_web::middleware::from_fn(same_origin_writes))
                    .route("/login", web::post().to(session::login))
                    .route("/logout", web::post().to(session::logout))
                    .route("/me", web::get().to(session::me))
                    .route("/password", web::post().to(session::change_password))
                    .route("/profiles", web::get().to(profiles::list))
                    .route("/profiles/{id}", web::get().to(profiles::show))
                    .route("/profiles/{id}/links", web::post().to(profiles::create_link))
                    .route("/links/{id}", web::delete().to(profiles::revoke_link))
                    .route("/profiles/{id}/accounts/{account}", web::delete().to(profiles::unlink))
                    .route("/profiles/{id}/accounts/{account}/refresh", web::post().to(profiles::refresh))
                    .route("/keys", web::get().to(keys::list))
                    .route("/keys", web::post().to(keys::create))
                    .route("/keys/{id}", web::delete().to(keys::revoke))
                    .route("/audit", web::get().to(profiles::audit))
                    .route("/attention", web::get().to(profiles::attention))
                    .route("/webhooks", web::get().to(webhooks::list))
                    .route("/webhooks", web::post().to(webhooks::create))
                    .route("/webhooks/{id}", web::patch().to(webhooks::update))
                    .route("/webhooks/{id}/rotate-secret", web::post().to(webhooks::rotate))
                    .route("/webhooks/{id}/ping", web::post().to(webhooks::ping))
                    .route("/webhooks/{id}/deliveries", web::get().to(webhooks::deliveries))
                    .route("/webhooks/{id}/deliveries/{delivery}/redeliver", web::post().to(webhooks::redeliver)),
            ),
    );
}

/// Parses `bytes` as each request body the console reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<session::LoginBody>(bytes);
    let _ = parse::<keys::KeyBody>(bytes);
    let _ = parse::<session::PasswordBody>(bytes);
    let _ = parse::<webhooks::CreateBody>(bytes);
    let _ = parse::<webhooks::UpdateBody>(bytes);
}

/// Whether a state-changing request comes from the console itself: it carries the console's
/// header, and what the browser says of its origin (`Sec-Fetch-Site`, `Origin`) is this server.
fn from_console(state: &App, req: &HttpRequest) -> bool {
    let h = req.headers();
    let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    let site_ok = text("sec-fetch-site").is_none_or(|s| s == "same-origin");
    let origin_ok = text("origin")
        .is_none_or(|o| url::Url::parse(&state.public_url).is_ok_and(|u| u.origin().ascii_serialization() == o));
    h.contains_key(CSRF_HEADER) && site_ok && origin_ok
}

/// Refuses a state change that does not come from the console (CSRF), before any handler.
async fn same_origin_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = req.app_data::<web::Data<App>>().cloned();
    if writes && state.is_some_and(|s| !from_console(&s, req.request())) {
        let e = ApiError::Domain(domain::Error::Forbidden("this action must come from the console's own page"));
        return Ok(req.into_response(Console::render(&e, StatusCode::FORBIDDEN)));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The signed-in holder of a console request and the workspace they own.
pub struct Session {
    pub holder: Holder,
    pub workspace: WorkspaceId,
    /// Opened by a one-time sign-in link: may set a password without the current one.
    pub recovery: bool,
}

/// The holder a console cookie names, if its session is good (signature, expiry, epoch).
pub(crate) fn cookie_holder(state: &App, req: &HttpRequest) -> Option<HolderClaims> {
    let cookie = req.cookie(COOKIE)?;
    state.jwt.verify::<HolderClaims>(cookie.value(), HOLDER_AUDIENCE).ok()
}

impl FromRequest for Session {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = crate::api::state_of(req);
        let claims = state.as_ref().ok().and_then(|s| cookie_holder(s, req));
        Box::pin(async move {
            const REFUSED: domain::Error = domain::Error::Unauthorized("sign in to the console first");
            let state = state?;
            let claims = claims.ok_or(REFUSED)?;
            let sub = claims.sub.clone();
            let (holder, workspace) = state
                .db
                .read(move |c| {
                    let h = holders::get(c, &sub)?;
                    let ws = holders::owned_workspace(c, &h.id)?;
                    Ok::<_, domain::Error>((h, ws))
                })
                .await
                .map_err(|_| REFUSED)?;
            if holder.session_epoch != claims.epoch {
                return Err(REFUSED.into());
            }
            Ok(Session { holder, workspace, recovery: claims.recovery })
        })
    }
}
