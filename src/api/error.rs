//! Why a request failed, and the one table of HTTP statuses every dialect answers with. The
//! dialects differ in the body they put around an error (a problem document, `{success:
//! false, message}`, a numeric code), never in its status.

use crate::domain;
use actix_web::http::StatusCode;

/// Why a request failed before or inside the domain; each dialect renders it its own way.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// No API key was presented (most dialects word it as any refused key; postcore names it).
    #[error("{0}")]
    MissingKey(&'static str),
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

/// The status of an error, the same in every dialect.
pub fn status(e: &ApiError) -> StatusCode {
    use domain::Error as D;
    match e {
        ApiError::Domain(e) => match e {
            D::NotFound(_) => StatusCode::NOT_FOUND,
            D::Conflict { .. } | D::LimitReached { .. } => StatusCode::CONFLICT,
            D::Invalid { .. } | D::Credentials(_) => StatusCode::BAD_REQUEST,
            D::PlanLimit { .. } | D::TrialExpired { .. } => StatusCode::PAYMENT_REQUIRED,
            D::Forbidden(_) | D::MissingScope(_) => StatusCode::FORBIDDEN,
            D::NeedsReconnect { .. } => StatusCode::CONFLICT,
            D::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            D::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            D::Upstream(_) => StatusCode::BAD_GATEWAY,
            D::StorageFull(_) => StatusCode::PAYLOAD_TOO_LARGE,
            D::DiskLow => StatusCode::INSUFFICIENT_STORAGE,
            D::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        },
        ApiError::MissingKey(_) => StatusCode::UNAUTHORIZED,
        ApiError::RouteNotFound => StatusCode::NOT_FOUND,
        ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
    }
}
