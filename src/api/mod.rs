//! The wire: one module per dialect, each translating its format to the domain and back.

pub mod actor;
pub mod ayrshare;
pub mod body;
pub mod connect;
pub mod console;
pub mod cors;
pub mod dialect;
pub mod error;
pub mod health;
pub mod holders;
pub mod html;
pub mod metrics;
pub mod native;
pub mod pages;
pub mod postcore;
pub mod uploadpost;

pub use error::ApiError;

use crate::app::App;
use crate::domain;

/// Mounts every route: each dialect's scope, wrapped in that dialect's limiter. The order
/// matters only under `/api`, where Ayrshare takes what the dialects before it leave.
pub fn configure_all(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.service(health::healthz)
        .route("/metrics", web::get().to(metrics::metrics))
        .configure(native::configure)
        .configure(connect::configure)
        .configure(console::configure)
        .configure(uploadpost::configure)
        .configure(postcore::configure)
        .configure(holders::configure)
        .configure(ayrshare::configure)
        // Outside every dialect's scope (`/healthz`, unknown paths): the native answer.
        .default_service(web::to(native::unmatched));
}

/// The webhook formats deliveries are rendered in, native first (it renders any kind no
/// other claims).
pub fn webhook_formats() -> crate::delivery::Formats {
    std::sync::Arc::new([
        Box::new(native::NativeHooks) as Box<dyn crate::delivery::WebhookFormat>,
        Box::new(ayrshare::AyrshareHooks),
        Box::new(uploadpost::UploadPostHooks),
    ])
}

/// Parses `bytes` as every request body of every dialect (the fuzz targets' entry point).
#[doc(hidden)]
pub fn parse_every_body(bytes: &[u8]) {
    native::parse_bodies(bytes);
    uploadpost::parse_bodies(bytes);
    ayrshare::parse_bodies(bytes);
    postcore::parse_bodies(bytes);
    holders::parse_bodies(bytes);
    connect::parse_bodies(bytes);
    console::parse_bodies(bytes);
}

/// Parses the query string into `T`; a malformed one (a repeated parameter, a wrong type) is an
/// `Invalid` error the caller's dialect renders, not actix's plain-text 400.
pub fn query<T: serde::de::DeserializeOwned>(req: &actix_web::HttpRequest) -> Result<T, crate::domain::Error> {
    actix_web::web::Query::<T>::from_query(req.query_string())
        .map(actix_web::web::Query::into_inner)
        .map_err(|e| crate::domain::Error::invalid("query", e.to_string()))
}

/// The client's address: the peer, or behind trusted proxies the right-most `X-Forwarded-For`
/// hop that is not one of them (`forwarded::client_address`). `Forwarded` is not read.
/// The proxy's paths, which the access log leaves to the proxy's own line.
pub const PROXY_PATHS: &str = "^/v1/profiles/[^/]+/accounts/[^/]+/proxy/";

pub fn client_ip(state: &App, req: &actix_web::HttpRequest) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let ip = if state.settings.trust_proxy {
        let xff = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        crate::forwarded::client_address(peer, xff, &state.settings.trusted_proxies)
    } else {
        peer
    };
    ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

/// The credential a request presents, from `Authorization: <scheme> KEY` (scheme compared
/// without regard to case) or from a header that carries the key alone.
pub fn presented_key<'r>(req: &'r actix_web::HttpRequest, scheme: &str, header: Option<&str>) -> Option<&'r str> {
    if let Some(v) = req.headers().get(actix_web::http::header::AUTHORIZATION)
        && let Ok(v) = v.to_str()
        && let Some((s, key)) = v.trim().split_once(' ')
        && s.eq_ignore_ascii_case(scheme)
    {
        return Some(key.trim());
    }
    header.and_then(|h| req.headers().get(h)).and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty())
}

/// Verifies a presented API key, counts the call for the workspace's usage, and checks that
/// the key holds the scopes `S` names (a 403 naming the first it lacks).
pub async fn authenticate<S: dialect::Need>(state: &App, key: &str) -> Result<crate::auth::Caller, domain::Error> {
    let caller = state.auth.verify(key).await?;
    state.usage.record(caller.workspace, &caller.key_id);
    if let Some(missing) = S::SCOPES.iter().find(|s| !caller.scopes.contains(**s)) {
        return Err(domain::Error::MissingScope(*missing));
    }
    Ok(caller)
}

/// The app state of a request (always present: `startup` registers it).
pub fn state_of(req: &actix_web::HttpRequest) -> Result<actix_web::web::Data<App>, domain::Error> {
    req.app_data::<actix_web::web::Data<App>>()
        .cloned()
        .ok_or_else(|| domain::Error::Internal("app state missing".into()))
}
