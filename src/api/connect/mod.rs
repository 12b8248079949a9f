//! What the connect page calls. An end-user opens `/connect?token=…` (a connect link); the
//! token is used up at once and exchanged for a session cookie bound to that profile, and the
//! browser is sent on to the page (so the token leaves the address bar and history).
//! Everything after that authenticates with the cookie.

mod assets;
mod done;
pub mod oauth;
mod page;
mod session;

use crate::api::ApiError;
use crate::api::dialect::{Dialect, limit};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde_json::json;

/// The connect session cookie.
pub const COOKIE: &str = "hp_connect";

/// The page's Content-Security-Policy: scripts and styles only from this server, no inline
/// code, no framing, nothing sent anywhere but here.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The connect page as the limiter sees it: no API key (its requests draw on their address's
/// bucket), and a refusal in the page API's `{error, field, reason}` shape.
pub struct ConnectPage;

impl Dialect for ConnectPage {
    const SCHEME: &'static str = "Bearer";
    const MISSING_KEY: &'static str = "the connect page takes no API key";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        let (message, reason) = match e {
            ApiError::Domain(crate::domain::Error::RateLimited { retry_after }) => {
                (format!("Too many requests; try again in {retry_after} seconds."), Some("limited"))
            }
            _ => ("Something went wrong on the server. Try again.".to_string(), None),
        };
        HttpResponse::build(status).json(json!({ "error": message, "field": null, "reason": reason }))
    }
}

/// The browser's `Accept-Language`, for a link that names no language.
fn accept_language(req: &actix_web::HttpRequest) -> Option<&str> {
    req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
}

/// Mounts `/connect`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/connect")
            // Inside the headers below, so that a refusal carries the page's CSP too.
            .wrap(actix_web::middleware::from_fn(limit::<ConnectPage, _>))
            .wrap(crate::api::html::page_headers(CSP))
            .route("", web::get().to(page::open_link))
            .route("", web::post().to(page::claim_link))
            .route("/app", web::get().to(page::app))
            .route("/assets/{name}", web::get().to(assets::serve))
            .route("/start/{platform}", web::get().to(oauth::start))
            .route("/callback/{platform}", web::get().to(oauth::callback))
            .service(
                web::scope("/api")
                    .route("/session", web::get().to(session::show))
                    .route("/accounts/{platform}", web::post().to(session::link))
                    .route("/accounts/{platform}", web::delete().to(session::unlink))
                    .route("/done", web::post().to(done::done)),
            ),
    );
}

/// Parses `bytes` as each request body this dialect reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<session::LinkBody>(bytes);
    let _ = parse::<done::DoneBody>(bytes);
}
