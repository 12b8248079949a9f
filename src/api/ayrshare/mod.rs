//! The Ayrshare dialect (seed 002) under `/api`: `Authorization: Bearer KEY` plus an optional
//! `Profile-Key: prof_…`, `{status: "error", code, message}` errors, and unknown fields (such
//! as the clients' `source`) accepted everywhere.

mod hooks;
mod profiles;
mod user;

use crate::api::ApiError;
use crate::api::dialect::{ApiKey, Dialect, Failure, Need, need};
use crate::auth::Caller;
use crate::domain::accounts::SocialAccount;
use crate::domain::platform::Platform;
use crate::domain::{self, profiles::Profile};
use crate::ratelimit::Standing;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use serde_json::{Value, json};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// Mounts Ayrshare's routes: the whole of `/api` that the other dialects under it leave
/// (mount it after them).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut api = web::scope("/api")
        .wrap(actix_web::middleware::from_fn(crate::api::dialect::limit::<Ayrshare, _>))
        .route("/user", web::get().to(user::user))
        .route("/user/details/{platform}", web::get().to(user::details))
        .route("/user/batch", web::get().to(user::batch))
        .route("/user/batch/files/{id}", web::get().to(user::batch_file));
    for path in ["/profiles", "/profiles/profile", "/profiles/create-profile"] {
        api = api.route(path, web::post().to(profiles::create));
    }
    for path in ["/profiles", "/profiles/profile"] {
        api = api.route(path, web::patch().to(profiles::update)).route(path, web::put().to(profiles::update));
    }
    for path in ["/profiles", "/profiles/profile", "/profiles/delete-profile"] {
        api = api.route(path, web::delete().to(profiles::delete));
    }
    cfg.service(
        api.route("/profiles", web::get().to(profiles::list))
            .route("/profiles/generateJWT", web::post().to(profiles::generate_jwt))
            .route("/profiles/social", web::delete().to(profiles::unlink_social))
            .route("/hook/webhook", web::post().to(hooks::register))
            .route("/hook/webhook", web::delete().to(hooks::unregister))
            .route("/hook/webhook", web::get().to(hooks::list))
            // Unknown paths under /api: the native answer, as everywhere outside a dialect's routes.
            .default_service(web::to(crate::api::native::unmatched)),
    );
}

/// The Ayrshare dialect: `Authorization: Bearer KEY`, `{status: "error", code, message}`.
pub struct Ayrshare;

impl Dialect for Ayrshare {
    const SCHEME: &'static str = "Bearer";
    const MISSING_KEY: &'static str = "send your API key as `Authorization: Bearer API_KEY`";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        let message = match e {
            ApiError::Domain(domain::Error::Invalid { field, reason }) => format!("{field} {reason}"),
            ApiError::Domain(domain::Error::Unauthorized(_)) | ApiError::MissingKey(_) => "API Key not valid".into(),
            ApiError::Domain(domain::Error::NotFound("profile")) => "Profile Key not found".into(),
            ApiError::Domain(domain::Error::Internal(_)) => "Internal error; it is safe to retry".into(),
            other => other.to_string(),
        };
        HttpResponse::build(status).json(json!({ "status": "error", "code": code(e), "message": message }))
    }

    /// Ayrshare's clients read `x-ratelimit-max` and `x-ratelimit-count` too.
    fn rate_headers(s: &Standing, h: &mut HeaderMap) {
        h.insert(HeaderName::from_static("x-ratelimit-max"), HeaderValue::from(s.limit));
        h.insert(HeaderName::from_static("x-ratelimit-count"), HeaderValue::from(s.limit - s.remaining));
    }
}

/// hitchpost's Ayrshare-style numeric code for an error (listed in the README).
fn code(e: &ApiError) -> u16 {
    use domain::Error as D;
    match e {
        ApiError::Domain(D::Unauthorized(_)) | ApiError::MissingKey(_) => 102,
        ApiError::Domain(D::NotFound("profile")) => 136,
        ApiError::Domain(D::NotFound(_)) | ApiError::RouteNotFound => 404,
        ApiError::Domain(D::Invalid { .. }) => 101,
        ApiError::Domain(D::Credentials(_)) => 156,
        ApiError::Domain(D::Conflict { .. }) => 146,
        ApiError::Domain(D::PlanLimit { .. } | D::TrialExpired { .. }) => 147,
        ApiError::Domain(D::Forbidden(_) | D::MissingScope(_)) => 403,
        ApiError::Domain(D::NeedsReconnect { .. }) => 161,
        ApiError::Domain(D::RateLimited { .. }) => 429,
        ApiError::Domain(D::Upstream(_)) => 502,
        ApiError::Domain(D::LimitReached { .. }) => 148,
        ApiError::Domain(D::StorageFull(_)) => 149,
        ApiError::Domain(D::DiskLow) => 507,
        ApiError::Domain(D::Internal(_)) => 500,
        ApiError::PayloadTooLarge(_) => 413,
        ApiError::UnsupportedMediaType => 415,
    }
}

/// An Ayrshare error.
pub type Error = Failure<Ayrshare>;

/// An authenticated Ayrshare caller, with the `Profile-Key` header if sent; its routes need
/// `profiles` unless they say more.
pub struct Auth<S = need::Profiles> {
    pub caller: Caller,
    pub profile_key: Option<String>,
    marker: PhantomData<fn() -> S>,
}

impl<S: Need> FromRequest for Auth<S> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let key = ApiKey::<Ayrshare, S>::from_request(req, payload);
        let profile_key = req
            .headers()
            .get("profile-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        Box::pin(async move { Ok(Auth { caller: key.await?.caller, profile_key, marker: PhantomData }) })
    }
}

/// Ayrshare's name for a platform (X is still `twitter` there).
pub fn platform_name(p: Platform) -> &'static str {
    match p {
        Platform::X => "twitter",
        other => other.as_str(),
    }
}

/// Ayrshare's reference id for a profile: stable, derived, not the profile key.
pub fn ref_id(p: &Profile) -> String {
    ref_id_of(&p.id)
}

/// `ref_id` from a profile id.
pub fn ref_id_of(profile_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("hitchpost profile {profile_id}").as_bytes());
    digest[..20].iter().map(|b| format!("{b:02x}")).collect()
}

/// Firestore-style timestamp `{_seconds, _nanoseconds, utc}`.
pub fn timestamp(rfc3339: &str) -> Value {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => json!({
            "_seconds": t.timestamp(),
            "_nanoseconds": t.timestamp_subsec_nanos(),
            "utc": t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
        Err(_) => Value::Null,
    }
}

pub use hooks::AyrshareHooks;

/// The platforms a profile has linked, Ayrshare-named.
fn active(accounts: &[SocialAccount]) -> Vec<&'static str> {
    let mut names: Vec<&str> = accounts.iter().map(|a| platform_name(a.platform)).collect();
    names.sort_unstable();
    names
}

/// Parses `bytes` as each request body this dialect reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<profiles::ProfileBody>(bytes);
    let _ = parse::<hooks::HookBody>(bytes);
}
