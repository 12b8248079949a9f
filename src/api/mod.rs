//! The wire: one module per dialect, each translating its format to the domain and back.

pub mod body;
pub mod connect;
pub mod health;
pub mod native;

use crate::auth::{Authenticator, jwt::Jwt, seal::Sealer};
use crate::db::Db;
use crate::domain;
use crate::providers::Providers;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub auth: Arc<Authenticator>,
    pub jwt: Jwt,
    pub sealer: Sealer,
    pub providers: Providers,
    /// Where people and providers reach this server, without a trailing slash.
    pub public_url: String,
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
