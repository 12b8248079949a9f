//! The Ayrshare dialect (seed 002) under `/api`: `Authorization: Bearer KEY` plus an optional
//! `Profile-Key: prof_…`, `{status: "error", code, message}` errors, and unknown fields (such
//! as the clients' `source`) accepted everywhere.

mod hooks;
mod profiles;
mod user;

use crate::api::{ApiError, authenticate, presented_key, state_of};
use crate::auth::Caller;
use crate::domain::accounts::SocialAccount;
use crate::domain::platform::Platform;
use crate::domain::{self, profiles::Profile};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, dev::Payload, web};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;

/// Mounts Ayrshare's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/user", web::get().to(user::user))
        .route("/api/user/details/{platform}", web::get().to(user::details))
        .route("/api/user/batch", web::get().to(user::batch))
        .route("/api/user/batch/files/{id}", web::get().to(user::batch_file));
    for path in ["/api/profiles", "/api/profiles/profile", "/api/profiles/create-profile"] {
        cfg.route(path, web::post().to(profiles::create));
    }
    for path in ["/api/profiles", "/api/profiles/profile"] {
        cfg.route(path, web::patch().to(profiles::update)).route(path, web::put().to(profiles::update));
    }
    for path in ["/api/profiles", "/api/profiles/profile", "/api/profiles/delete-profile"] {
        cfg.route(path, web::delete().to(profiles::delete));
    }
    cfg.route("/api/profiles", web::get().to(profiles::list))
        .route("/api/profiles/generateJWT", web::post().to(profiles::generate_jwt))
        .route("/api/profiles/social", web::delete().to(profiles::unlink_social))
        .route("/api/hook/webhook", web::post().to(hooks::register))
        .route("/api/hook/webhook", web::delete().to(hooks::unregister))
        .route("/api/hook/webhook", web::get().to(hooks::list));
}

crate::api::dialect_error!("An Ayrshare error.");

impl Error {
    /// HTTP status and hitchpost's Ayrshare-style numeric code (listed in the README).
    fn parts(&self) -> (StatusCode, u16) {
        use domain::Error as D;
        match &self.0 {
            ApiError::Domain(D::Unauthorized(_)) => (StatusCode::UNAUTHORIZED, 102),
            ApiError::Domain(D::NotFound("profile")) => (StatusCode::NOT_FOUND, 136),
            ApiError::Domain(D::NotFound(_)) | ApiError::RouteNotFound => (StatusCode::NOT_FOUND, 404),
            ApiError::Domain(D::Invalid { .. }) => (StatusCode::BAD_REQUEST, 101),
            ApiError::Domain(D::Credentials(_)) => (StatusCode::BAD_REQUEST, 156),
            ApiError::Domain(D::Conflict { .. }) => (StatusCode::CONFLICT, 146),
            ApiError::Domain(D::PlanLimit { .. } | D::TrialExpired { .. }) => (StatusCode::PAYMENT_REQUIRED, 147),
            ApiError::Domain(D::Forbidden(_)) => (StatusCode::FORBIDDEN, 403),
            ApiError::Domain(D::RateLimited { .. }) => (StatusCode::TOO_MANY_REQUESTS, 429),
            ApiError::Domain(D::Upstream(_)) => (StatusCode::BAD_GATEWAY, 502),
            ApiError::Domain(D::LimitReached { .. }) => (StatusCode::CONFLICT, 148),
            ApiError::Domain(D::StorageFull(_)) => (StatusCode::PAYLOAD_TOO_LARGE, 149),
            ApiError::Domain(D::DiskLow) => (StatusCode::INSUFFICIENT_STORAGE, 507),
            ApiError::Domain(D::Internal(_)) => (StatusCode::INTERNAL_SERVER_ERROR, 500),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, 413),
            ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, 415),
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code) = self.parts();
        let message = match &self.0 {
            ApiError::Domain(domain::Error::Invalid { field, reason }) => format!("{field} {reason}"),
            ApiError::Domain(domain::Error::Unauthorized(_)) => "API Key not valid".into(),
            ApiError::Domain(domain::Error::NotFound("profile")) => "Profile Key not found".into(),
            ApiError::Domain(domain::Error::Internal(cause)) => {
                log::error!("internal error: {cause}");
                "Internal error; it is safe to retry".into()
            }
            other => other.to_string(),
        };
        HttpResponse::build(status).json(json!({ "status": "error", "code": code, "message": message }))
    }
}

/// An authenticated Ayrshare caller, with the Profile-Key header if sent.
pub struct Auth {
    pub caller: Caller,
    pub profile_key: Option<String>,
}

impl FromRequest for Auth {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let key = presented_key(req, "Bearer", None).map(str::to_owned);
        let profile_key = req
            .headers()
            .get("profile-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        Box::pin(async move {
            let state = state?;
            let missing = "send your API key as `Authorization: Bearer API_KEY`";
            Ok(Auth { caller: authenticate(&state, key, missing).await?, profile_key })
        })
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

/// The body Ayrshare sends to a `social` webhook: `{action, type: link|unlink|refresh, ...}`.
pub fn webhook_payload(kind: crate::domain::webhooks::EventType, event_id: &str, created: &str, data: &Value) -> Value {
    let ref_id = ref_id_of(data["profileId"].as_str().unwrap_or_default());
    let platform = data["platform"].as_str().and_then(|p| Platform::parse(p).ok()).map(platform_name);
    let account = &data["account"];
    let mut body = json!({
        "action": "social", "type": kind.ayrshare_type(), "source": "user", "platform": platform,
        "refId": ref_id, "profileKey": data["profileKey"], "title": data["name"], "created": created, "id": event_id,
        "username": account["username"], "displayName": account["displayName"],
    });
    if kind == crate::domain::webhooks::EventType::AccountNeedsReconnect {
        body["refreshRequired"] = json!(true);
        body["reason"] = account["reconnectReason"].clone();
    }
    body
}

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
