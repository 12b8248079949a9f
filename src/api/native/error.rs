//! RFC 9457 problem details for the native API.

use crate::api::ApiError;
use crate::domain;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// A native API error.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(#[from] pub ApiError);

impl From<domain::Error> for Error {
    fn from(e: domain::Error) -> Self {
        Error(ApiError::Domain(e))
    }
}

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields at fault, when the problem is with the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl Error {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use domain::Error as D;
        match &self.0 {
            ApiError::Domain(D::NotFound(_)) | ApiError::RouteNotFound => {
                (StatusCode::NOT_FOUND, "not-found", "Not Found")
            }
            ApiError::Domain(D::Conflict { .. }) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::Domain(D::Invalid { .. }) => (StatusCode::BAD_REQUEST, "validation", "Invalid request"),
            ApiError::Domain(D::PlanLimit { .. }) => (StatusCode::PAYMENT_REQUIRED, "plan-limit", "Plan limit reached"),
            ApiError::Domain(D::TrialExpired { .. }) => {
                (StatusCode::PAYMENT_REQUIRED, "trial-expired", "Trial expired")
            }
            ApiError::Domain(D::LimitReached { .. }) => (StatusCode::CONFLICT, "limit-reached", "Limit reached"),
            ApiError::Domain(D::StorageFull(_)) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "storage-full", "Storage limit reached")
            }
            ApiError::Domain(D::DiskLow) => (StatusCode::INSUFFICIENT_STORAGE, "disk-low", "Insufficient storage"),
            ApiError::Domain(D::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            ApiError::Domain(D::Unauthorized(_)) => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            ApiError::Domain(D::RateLimited { .. }) => {
                (StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests")
            }
            ApiError::Domain(D::Credentials(_)) => {
                (StatusCode::BAD_REQUEST, "credentials-refused", "Credentials refused")
            }
            ApiError::Domain(D::Upstream(_)) => (StatusCode::BAD_GATEWAY, "upstream", "The provider failed"),
            ApiError::Domain(D::Internal(_)) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.parts();
        let (detail, errors) = match &self.0 {
            ApiError::Domain(domain::Error::Invalid { field, reason }) => (
                format!("{field}: {reason}"),
                Some(vec![FieldProblem { field: field.clone(), message: reason.clone() }]),
            ),
            ApiError::Domain(domain::Error::Conflict { resource, field }) => (
                format!("{field} is already used by another {resource}"),
                Some(vec![FieldProblem { field: field.to_string(), message: "is already used".into() }]),
            ),
            ApiError::Domain(domain::Error::PlanLimit { limit }) => {
                (format!("the workspace's plan allows {limit} profiles; delete one or raise the limit"), None)
            }
            // The cause of a 5xx is logged, never shown.
            ApiError::Domain(domain::Error::Internal(_)) => {
                ("something failed on the server; it is safe to retry".into(), None)
            }
            other => (other.to_string(), None),
        };
        Problem {
            kind: format!("urn:hitchpost:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Domain(domain::Error::Internal(cause)) = &self.0 {
            log::error!("internal error: {cause}");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json");
        match &self.0 {
            ApiError::Domain(domain::Error::Unauthorized(_)) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::Domain(domain::Error::RateLimited { retry_after }) => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        res.json(self.problem())
    }
}
