//! Request limits for every API route, per API key or account holder and per client address,
//! answered in the caller's dialect: `X-RateLimit-Limit`, `-Remaining` and `-Reset` on every
//! response (Ayrshare also `x-ratelimit-max` and `x-ratelimit-count`), and over the limit a 429
//! with `Retry-After`.

use super::client_ip;
use crate::app::App;
use crate::auth::jwt::{HOLDER_AUDIENCE, HolderClaims};
use crate::domain;
use crate::ratelimit::{Refused, Standing};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Native,
    UploadPost,
    Postcore,
    Holders,
    Ayrshare,
}

fn dialect(path: &str) -> Option<Dialect> {
    let under = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    Some(if under("/v1") {
        Dialect::Native
    } else if under("/api/uploadposts") {
        Dialect::UploadPost
    } else if under("/api/users") || under("/api/auth") {
        Dialect::Holders
    } else if under("/api") {
        Dialect::Ayrshare
    } else if under("/profiles") {
        Dialect::Postcore
    } else {
        return None;
    })
}

fn refused(d: Dialect, r: Refused) -> HttpResponse {
    let e = domain::Error::RateLimited { retry_after: r.retry_after };
    let mut res = match d {
        Dialect::Native => super::native::Error::from(e).error_response(),
        Dialect::UploadPost => super::uploadpost::Error::from(e).error_response(),
        Dialect::Postcore => super::postcore::Error::from(e).error_response(),
        Dialect::Holders => super::holders::Error::from(e).error_response(),
        Dialect::Ayrshare => super::ayrshare::Error::from(e).error_response(),
    };
    let h = res.headers_mut();
    h.insert(HeaderName::from_static("retry-after"), HeaderValue::from(r.retry_after));
    h.insert(HeaderName::from_static("x-ratelimit-limit"), HeaderValue::from(r.limit));
    h.insert(HeaderName::from_static("x-ratelimit-remaining"), HeaderValue::from(0u32));
    h.insert(HeaderName::from_static("x-ratelimit-reset"), HeaderValue::from(r.retry_after));
    res
}

fn annotate(d: Dialect, s: Standing, headers: &mut actix_web::http::header::HeaderMap) {
    headers.insert(HeaderName::from_static("x-ratelimit-limit"), HeaderValue::from(s.limit));
    headers.insert(HeaderName::from_static("x-ratelimit-remaining"), HeaderValue::from(s.remaining));
    headers.insert(HeaderName::from_static("x-ratelimit-reset"), HeaderValue::from(s.reset_secs));
    if d == Dialect::Ayrshare {
        headers.insert(HeaderName::from_static("x-ratelimit-max"), HeaderValue::from(s.limit));
        headers.insert(HeaderName::from_static("x-ratelimit-count"), HeaderValue::from(s.limit - s.remaining));
    }
}

/// The middleware (wraps the whole app; only API paths are limited).
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (Some(d), Some(state)) = (dialect(req.path()), req.app_data::<web::Data<App>>().cloned()) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // A key picks its own bucket only once it has been verified (it is in the authenticator's
    // cache): a request with a key id and a wrong secret is charged to its address, or anyone
    // knowing a key id (they are shown in audit logs) could use up that key's allowance. The
    // same for an account holder's session token: only once its signature checks out.
    let presented: Vec<&str> = ["authorization", "x-api-key"]
        .iter()
        .filter_map(|h| req.headers().get(*h).and_then(|v| v.to_str().ok()))
        .map(|v| v.rsplit(' ').next().unwrap_or(v).trim())
        .collect();
    let key_id = presented.iter().find_map(|v| state.auth.verified_key_id(v)).or_else(|| {
        presented
            .iter()
            .find_map(|v| state.jwt.verify::<HolderClaims>(v, HOLDER_AUDIENCE).ok())
            .map(|c| format!("holder:{}", c.sub))
    });
    let ip = client_ip(&state, req.request());
    match state.api_limiter.check(key_id.as_deref(), &ip) {
        Ok(standing) => {
            let mut res = next.call(req).await?.map_into_boxed_body();
            annotate(d, standing, res.headers_mut());
            Ok(res)
        }
        Err(r) => {
            log::info!("rate limited: {} {}", req.method(), req.path());
            state.db.metrics().rate_limited.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(req.into_response(refused(d, r)))
        }
    }
}
