//! The postcore dialect (seed 001), at the root: `x-api-key: KEY`, camelCase fields, errors as
//! `{error: "UPPER_SNAKE_CODE", message}`. Profiles are addressed by profile key.

mod connect;
mod profiles;

use crate::api::ApiError;
use crate::api::dialect::{ApiKey, Dialect, Failure, need};
use crate::domain::accounts::SocialAccount;
use crate::domain::{self, profiles::Profile};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

/// Mounts postcore's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/profiles")
            .wrap(actix_web::middleware::from_fn(crate::api::dialect::limit::<Postcore, _>))
            .route("/create", web::post().to(profiles::create))
            .route("/connect", web::post().to(connect::connect))
            .route("", web::get().to(profiles::list))
            .route("/{profile_key}", web::get().to(profiles::get))
            .route("/{profile_key}", web::delete().to(profiles::delete))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(Error::new(ApiError::RouteNotFound)) })),
    );
}

/// The postcore dialect: `x-api-key: KEY` (or `Authorization: Bearer KEY`), errors as
/// `{error: "UPPER_SNAKE_CODE", message}`.
pub struct Postcore;

impl Dialect for Postcore {
    const SCHEME: &'static str = "Bearer";
    const KEY_HEADER: Option<&'static str> = Some("x-api-key");
    const MISSING_KEY: &'static str = "an API key is required: send it as `x-api-key`";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        let message = match e {
            ApiError::Domain(domain::Error::Invalid { field, reason }) => format!("{field} {reason}"),
            ApiError::Domain(domain::Error::Unauthorized(_)) => "The API key is invalid or revoked".into(),
            ApiError::Domain(domain::Error::NotFound("profile")) => "No profile has this profileKey".into(),
            ApiError::Domain(domain::Error::Internal(_)) => {
                "Something failed on the server; it is safe to retry".into()
            }
            other => other.to_string(),
        };
        HttpResponse::build(status).json(json!({ "error": code(e), "message": message }))
    }
}

/// postcore's error code.
fn code(e: &ApiError) -> &'static str {
    use domain::Error as D;
    match e {
        ApiError::MissingKey(_) => "MISSING_API_KEY",
        ApiError::Domain(e) => match e {
            D::Unauthorized(_) => "INVALID_API_KEY",
            D::NotFound("profile") => "PROFILE_NOT_FOUND",
            D::NotFound(_) => "NOT_FOUND",
            D::Invalid { .. } => "VALIDATION_ERROR",
            D::Credentials(_) => "INVALID_CREDENTIALS",
            D::Conflict { .. } => "CONFLICT",
            D::PlanLimit { .. } => "PROFILE_LIMIT_REACHED",
            D::TrialExpired { .. } => "TRIAL_EXPIRED",
            D::Forbidden(_) => "FORBIDDEN",
            D::MissingScope(_) => "MISSING_SCOPE",
            D::NeedsReconnect { .. } => "ACCOUNT_NEEDS_RECONNECT",
            D::RateLimited { .. } => "RATE_LIMITED",
            D::Upstream(_) => "PROVIDER_ERROR",
            D::LimitReached { .. } => "LIMIT_REACHED",
            D::StorageFull(_) => "STORAGE_FULL",
            D::DiskLow => "INSUFFICIENT_STORAGE",
            D::Internal(_) => "INTERNAL_ERROR",
        },
        ApiError::RouteNotFound => "NOT_FOUND",
        ApiError::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
        ApiError::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
    }
}

/// A postcore error.
pub type Error = Failure<Postcore>;

/// An authenticated postcore caller.
/// An authenticated postcore caller; its routes need `profiles` unless they say more.
pub type Auth<S = need::Profiles> = ApiKey<Postcore, S>;

/// An account as postcore lists it under its profile.
fn account_json(a: &SocialAccount) -> Value {
    json!({
        "platform": a.platform.as_str(), "username": a.username, "displayName": a.display_name,
        "profileUrl": a.profile_url, "avatarUrl": a.image_url, "connectedAt": a.connected_at,
        "expiresAt": a.expires_at, "daysUntilExpiry": a.days_until_expiry(),
        "needsReconnect": a.needs_reconnect, "reconnectReason": a.reconnect_reason,
    })
}

/// A profile as postcore shows it.
fn profile_json(p: &Profile, accounts: &[SocialAccount]) -> Value {
    json!({
        "profileKey": p.profile_key, "profileName": p.name, "createdAt": p.created_at,
        "connectedPlatforms": accounts.iter().map(account_json).collect::<Vec<_>>(),
    })
}

/// Parses `bytes` as each request body this dialect reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<connect::ConnectBody>(bytes);
    let _ = parse::<profiles::CreateBody>(bytes);
}
