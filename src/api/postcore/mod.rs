//! The postcore dialect (seed 001), at the root: `x-api-key: KEY`, camelCase fields, errors as
//! `{error: "UPPER_SNAKE_CODE", message}`. Profiles are addressed by profile key.

mod connect;
mod profiles;

use crate::api::{ApiError, authenticate, presented_key, state_of};
use crate::auth::Caller;
use crate::domain::accounts::SocialAccount;
use crate::domain::{self, profiles::Profile};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, dev::Payload, web};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;

/// Mounts postcore's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/profiles")
            .route("/create", web::post().to(profiles::create))
            .route("/connect", web::post().to(connect::connect))
            .route("", web::get().to(profiles::list))
            .route("/{profile_key}", web::get().to(profiles::get))
            .route("/{profile_key}", web::delete().to(profiles::delete))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(Error::Api(ApiError::RouteNotFound)) })),
    );
}

/// A postcore error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("an API key is required: send it as `x-api-key`")]
    MissingKey,
    #[error("{0}")]
    Api(ApiError),
}

impl From<domain::Error> for Error {
    fn from(e: domain::Error) -> Self {
        Error::Api(ApiError::Domain(e))
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

impl Error {
    fn parts(&self) -> (StatusCode, &'static str) {
        use domain::Error as D;
        match self {
            Error::MissingKey => (StatusCode::UNAUTHORIZED, "MISSING_API_KEY"),
            Error::Api(ApiError::Domain(e)) => match e {
                D::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "INVALID_API_KEY"),
                D::NotFound("profile") => (StatusCode::NOT_FOUND, "PROFILE_NOT_FOUND"),
                D::NotFound(_) => (StatusCode::NOT_FOUND, "NOT_FOUND"),
                D::Invalid { .. } => (StatusCode::BAD_REQUEST, "VALIDATION_ERROR"),
                D::Credentials(_) => (StatusCode::BAD_REQUEST, "INVALID_CREDENTIALS"),
                D::Conflict { .. } => (StatusCode::CONFLICT, "CONFLICT"),
                D::PlanLimit { .. } => (StatusCode::PAYMENT_REQUIRED, "PROFILE_LIMIT_REACHED"),
                D::TrialExpired { .. } => (StatusCode::PAYMENT_REQUIRED, "TRIAL_EXPIRED"),
                D::Forbidden(_) => (StatusCode::FORBIDDEN, "FORBIDDEN"),
                D::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED"),
                D::Upstream(_) => (StatusCode::BAD_GATEWAY, "PROVIDER_ERROR"),
                D::LimitReached { .. } => (StatusCode::CONFLICT, "LIMIT_REACHED"),
                D::StorageFull(_) => (StatusCode::PAYLOAD_TOO_LARGE, "STORAGE_FULL"),
                D::DiskLow => (StatusCode::INSUFFICIENT_STORAGE, "INSUFFICIENT_STORAGE"),
                D::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
            },
            Error::Api(ApiError::RouteNotFound) => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            Error::Api(ApiError::PayloadTooLarge(_)) => (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"),
            Error::Api(ApiError::UnsupportedMediaType) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE")
            }
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code) = self.parts();
        let message = match self {
            Error::Api(ApiError::Domain(domain::Error::Invalid { field, reason })) => format!("{field} {reason}"),
            Error::Api(ApiError::Domain(domain::Error::Unauthorized(_))) => "The API key is invalid or revoked".into(),
            Error::Api(ApiError::Domain(domain::Error::NotFound("profile"))) => "No profile has this profileKey".into(),
            Error::Api(ApiError::Domain(domain::Error::Internal(cause))) => {
                log::error!("internal error: {cause}");
                "Something failed on the server; it is safe to retry".into()
            }
            other => other.to_string(),
        };
        HttpResponse::build(status).json(json!({ "error": code, "message": message }))
    }
}

/// An authenticated postcore caller.
pub struct Auth(pub Caller);

impl FromRequest for Auth {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let key = presented_key(req, "Bearer", Some("x-api-key")).map(str::to_owned);
        Box::pin(async move {
            let state = state?;
            if key.is_none() {
                return Err(Error::MissingKey);
            }
            Ok(Auth(authenticate(&state, key, "").await?))
        })
    }
}

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
