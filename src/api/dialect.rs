//! What a wire dialect is to the rest of the API: how its callers present a key, how it words
//! an error, and which rate-limit headers it adds. The extractor, the error type and the
//! limiter are written once here, generic over the dialect; a dialect's folder implements
//! `Dialect` and mounts its routes.

use super::error::{ApiError, status};
use super::{client_ip, presented_key, state_of};
use crate::app::App;
use crate::auth::jwt::{HOLDER_AUDIENCE, HolderClaims};
use crate::auth::{Caller, Scope};
use crate::domain;
use crate::ratelimit::{Refused, Standing};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// One wire dialect.
pub trait Dialect: 'static {
    /// The `Authorization` scheme its callers send the key with (`Bearer`, `ApiKey`).
    const SCHEME: &'static str;
    /// A header that carries the key alone (`x-api-key`), where the dialect accepts one.
    const KEY_HEADER: Option<&'static str> = None;
    /// What a caller who sent no key is told.
    const MISSING_KEY: &'static str;

    /// The error body around `e`, whose status is `status` (the same in every dialect). The
    /// cause of an internal error has been logged already; the body must not show it.
    fn render(e: &ApiError, status: StatusCode) -> HttpResponse;

    /// The key a request presents; `Err` when it presents conflicting ones.
    fn presented(req: &HttpRequest) -> Result<Option<String>, ApiError> {
        Ok(presented_key(req, Self::SCHEME, Self::KEY_HEADER).map(str::to_owned))
    }

    /// Rate-limit headers beyond `X-RateLimit-Limit`, `-Remaining` and `-Reset`.
    fn rate_headers(_standing: &Standing, _headers: &mut HeaderMap) {}
}

/// A dialect's error: a domain or API error that renders in that dialect's format.
pub struct Failure<D> {
    pub error: ApiError,
    dialect: PhantomData<fn() -> D>,
}

impl<D> Failure<D> {
    pub fn new(error: ApiError) -> Self {
        Failure { error, dialect: PhantomData }
    }
}

impl<D> std::fmt::Debug for Failure<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.error, f)
    }
}

impl<D> std::fmt::Display for Failure<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)
    }
}

impl<D> From<domain::Error> for Failure<D> {
    fn from(e: domain::Error) -> Self {
        Failure::new(ApiError::Domain(e))
    }
}

impl<D> From<crate::auth::Error> for Failure<D> {
    fn from(e: crate::auth::Error) -> Self {
        Failure::new(ApiError::Domain(e.into()))
    }
}

impl<D> From<ApiError> for Failure<D> {
    fn from(e: ApiError) -> Self {
        Failure::new(e)
    }
}

impl<D: Dialect> ResponseError for Failure<D> {
    fn status_code(&self) -> StatusCode {
        status(&self.error)
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Domain(domain::Error::Internal(cause)) = &self.error {
            log::error!("internal error: {cause}");
        }
        D::render(&self.error, self.status_code())
    }
}

/// The scopes a route needs (`ApiKey<D, need::Proxy>`): named in the handler's signature, so
/// no route can be mounted without saying what it needs.
pub trait Need: 'static {
    const SCOPES: &'static [Scope];
}

/// The scope sets routes need.
pub mod need {
    use super::{Need, Scope};

    macro_rules! need {
        ($($name:ident => [$($scope:ident),+];)+) => {$(
            pub struct $name;
            impl Need for $name {
                const SCOPES: &'static [Scope] = &[$(Scope::$scope),+];
            }
        )+};
    }

    need! {
        Profiles => [Profiles];
        Connect => [Connect];
        Accounts => [Accounts];
        Proxy => [Proxy];
        Credentials => [Credentials];
        Webhooks => [Webhooks];
        Audit => [Audit];
        // The dialects' JWT and link routes: a link to a profile.
        ProfilesConnect => [Profiles, Connect];
        // The dialects' webhook routes.
        ProfilesWebhooks => [Profiles, Webhooks];
    }
}

/// An API key's caller, authenticated the way dialect `D` presents keys and holding the
/// scopes `S` names; each verified call is counted for the workspace's usage.
pub struct ApiKey<D, S> {
    pub caller: Caller,
    marker: PhantomData<fn() -> (D, S)>,
}

impl<D: Dialect, S: Need> FromRequest for ApiKey<D, S> {
    type Error = Failure<D>;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let key = D::presented(req);
        Box::pin(async move {
            let key = key?.ok_or(ApiError::MissingKey(D::MISSING_KEY))?;
            let state = state?;
            let caller = super::authenticate::<S>(&state, &key).await?;
            Ok(ApiKey { caller, marker: PhantomData })
        })
    }
}

/// The rate limiter of a dialect's scope (`.wrap(from_fn(limit::<D, _>))`): per API key or
/// account holder and per client address, `X-RateLimit-*` on every answer and, over the
/// limit, a 429 with `Retry-After` in the dialect's format.
pub async fn limit<D: Dialect, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<App>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key_id = bucket_owner(&state, &req);
    let ip = client_ip(&state, req.request());
    match state.api_limiter.check(key_id.as_deref(), &ip) {
        Ok(standing) => {
            let mut res = next.call(req).await?.map_into_boxed_body();
            let h = res.headers_mut();
            set_numbers(h, standing.limit, standing.remaining, standing.reset_secs);
            D::rate_headers(&standing, h);
            Ok(res)
        }
        Err(r) => {
            log::info!("rate limited: {} {}", req.method(), req.path());
            state.db.metrics().rate_limited.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(req.into_response(refused::<D>(r)))
        }
    }
}

/// Whose bucket a request draws on. A key picks its own bucket only once it has been verified
/// (it is in the authenticator's cache): a request with a key id and a wrong secret is charged
/// to its address, or anyone knowing a key id (they are shown in audit logs) could use up that
/// key's allowance. The same for an account holder's session: only once its signature checks.
fn bucket_owner(state: &App, req: &ServiceRequest) -> Option<String> {
    let presented: Vec<&str> = ["authorization", "x-api-key"]
        .iter()
        .filter_map(|h| req.headers().get(*h).and_then(|v| v.to_str().ok()))
        .map(|v| v.rsplit(' ').next().unwrap_or(v).trim())
        .collect();
    presented.iter().find_map(|v| state.auth.verified_key_id(v)).or_else(|| {
        presented
            .iter()
            .find_map(|v| state.jwt.verify::<HolderClaims>(v, HOLDER_AUDIENCE).ok())
            .map(|c| format!("holder:{}", c.sub))
    })
}

fn refused<D: Dialect>(r: Refused) -> HttpResponse {
    let mut res = Failure::<D>::from(domain::Error::RateLimited { retry_after: r.retry_after }).error_response();
    let h = res.headers_mut();
    h.insert(HeaderName::from_static("retry-after"), HeaderValue::from(r.retry_after));
    set_numbers(h, r.limit, 0, r.retry_after);
    res
}

fn set_numbers(h: &mut HeaderMap, limit: u32, remaining: u32, reset: u64) {
    h.insert(HeaderName::from_static("x-ratelimit-limit"), HeaderValue::from(limit));
    h.insert(HeaderName::from_static("x-ratelimit-remaining"), HeaderValue::from(remaining));
    h.insert(HeaderName::from_static("x-ratelimit-reset"), HeaderValue::from(reset));
}
