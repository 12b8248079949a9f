//! The wire: one module per dialect, each translating its format to the domain and back.

pub mod actor;
pub mod ayrshare;
pub mod body;
pub mod connect;
pub mod cors;
pub mod health;
pub mod holders;
pub mod limits;
pub mod metrics;
pub mod native;
pub mod pages;
pub mod postcore;
pub mod uploadpost;

use crate::app::App;
use crate::domain;

/// Parses `bytes` as every request body of every dialect (the fuzz targets' entry point).
#[doc(hidden)]
pub fn parse_every_body(bytes: &[u8]) {
    native::parse_bodies(bytes);
    uploadpost::parse_bodies(bytes);
    ayrshare::parse_bodies(bytes);
    postcore::parse_bodies(bytes);
    holders::parse_bodies(bytes);
    connect::parse_bodies(bytes);
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

/// Why a request failed before or inside the domain; each dialect renders it its own way.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// The body is larger than the route accepts.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The body is not JSON (by its Content-Type).
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// No route matches the path.
    #[error("no such route")]
    RouteNotFound,
}

/// A dialect's error type: `Error(ApiError)`, made from a domain error or an `ApiError`; the
/// dialect renders it with its own `ResponseError`.
macro_rules! dialect_error {
    ($doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, thiserror::Error)]
        #[error("{0}")]
        pub struct Error(pub ApiError);

        impl From<domain::Error> for Error {
            fn from(e: domain::Error) -> Self {
                Error(ApiError::Domain(e))
            }
        }

        impl From<ApiError> for Error {
            fn from(e: ApiError) -> Self {
                Error(e)
            }
        }
    };
}
pub(crate) use dialect_error;

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

/// Verifies a presented API key and counts the call; `missing` is the message when none was
/// presented (dialects word it their own way).
pub async fn authenticate(
    state: &App,
    key: Option<String>,
    missing: &'static str,
) -> Result<crate::auth::Caller, domain::Error> {
    let key = key.ok_or(domain::Error::Unauthorized(missing))?;
    let caller = state.auth.verify(&key).await?;
    state.usage.record(caller.workspace, &caller.key_id);
    Ok(caller)
}

/// The app state of a request (always present: `startup` registers it).
pub fn state_of(req: &actix_web::HttpRequest) -> Result<actix_web::web::Data<App>, domain::Error> {
    req.app_data::<actix_web::web::Data<App>>()
        .cloned()
        .ok_or_else(|| domain::Error::Internal("app state missing".into()))
}
