//! RFC 9457 problem details for the native API.

use crate::api::ApiError;
use crate::domain;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Default, Serialize, ToSchema)]
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
    /// The scope the API key lacks (`missing-scope`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The account that must be linked again (`needs-reconnect`), and the platform's reason.
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The kind (a URN slug) and title of an error's problem document.
fn kind(e: &ApiError) -> (&'static str, &'static str) {
    use domain::Error as D;
    match e {
        ApiError::Domain(D::NotFound(_)) | ApiError::RouteNotFound => ("not-found", "Not Found"),
        ApiError::Domain(D::Conflict { .. }) => ("conflict", "Conflict"),
        ApiError::Domain(D::Invalid { .. }) => ("validation", "Invalid request"),
        ApiError::Domain(D::PlanLimit { .. }) => ("plan-limit", "Plan limit reached"),
        ApiError::Domain(D::TrialExpired { .. }) => ("trial-expired", "Trial expired"),
        ApiError::Domain(D::LimitReached { .. }) => ("limit-reached", "Limit reached"),
        ApiError::Domain(D::StorageFull(_)) => ("storage-full", "Storage limit reached"),
        ApiError::Domain(D::DiskLow) => ("disk-low", "Insufficient storage"),
        ApiError::Domain(D::Forbidden(_)) => ("forbidden", "Forbidden"),
        ApiError::Domain(D::MissingScope(_)) => ("missing-scope", "Missing scope"),
        ApiError::Domain(D::NeedsReconnect { .. }) => ("needs-reconnect", "The account must be linked again"),
        ApiError::Domain(D::Unauthorized(_)) | ApiError::MissingKey(_) => ("unauthorized", "Unauthorized"),
        ApiError::Domain(D::RateLimited { .. }) => ("rate-limited", "Too many requests"),
        ApiError::Domain(D::Credentials(_)) => ("credentials-refused", "Credentials refused"),
        ApiError::Domain(D::Upstream(_)) => ("upstream", "The provider failed"),
        ApiError::Domain(D::Internal(_)) => ("internal", "Internal error"),
        ApiError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
        ApiError::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
    }
}

/// The problem document for an error with its status.
pub fn problem(e: &ApiError, status: StatusCode) -> Problem {
    let (slug, title) = kind(e);
    let (detail, errors) = match e {
        ApiError::Domain(domain::Error::Invalid { field, reason }) => {
            (format!("{field}: {reason}"), Some(vec![FieldProblem { field: field.clone(), message: reason.clone() }]))
        }
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
    let scope = match e {
        ApiError::Domain(domain::Error::MissingScope(s)) => Some(s.as_str().to_string()),
        _ => None,
    };
    let (account_id, reason) = match e {
        ApiError::Domain(domain::Error::NeedsReconnect { account, reason, .. }) => {
            (Some(account.clone()), Some(reason.clone()))
        }
        _ => (None, None),
    };
    Problem {
        kind: format!("urn:hitchpost:problem:{slug}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        errors,
        scope,
        account_id,
        reason,
    }
}

/// The native error response: a problem document, with `WWW-Authenticate` or `Retry-After`
/// where the error calls for one.
pub fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type("application/problem+json");
    match e {
        ApiError::Domain(domain::Error::Unauthorized(_)) | ApiError::MissingKey(_) => {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        ApiError::Domain(domain::Error::RateLimited { retry_after }) => {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        _ => {}
    }
    res.json(problem(e, status))
}

/// 405 with `Allow`, as a problem document.
pub fn method_not_allowed(req: &actix_web::HttpRequest, allow: &str) -> HttpResponse {
    let problem = Problem {
        kind: "urn:hitchpost:problem:method-not-allowed".into(),
        title: "Method not allowed".into(),
        status: 405,
        detail: format!("{} {} is not served; this route takes {allow}", req.method(), req.path()),
        ..Problem::default()
    };
    HttpResponse::MethodNotAllowed()
        .insert_header(("allow", allow))
        .content_type("application/problem+json")
        .json(problem)
}
