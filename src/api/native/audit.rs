//! `GET /v1/audit-log`.

use super::{Auth, Error, Problem, need};
use crate::app::App;
use crate::domain::audit::{self, AuditQuery};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// 1-100 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `nextCursor` of the previous page.
    #[param(pattern = r"^a[1-9][0-9]{0,17}$")]
    cursor: Option<String>,
    /// Only this action.
    #[param(value_type = Option<super::schemas::AuditAction>)]
    action: Option<String>,
    /// Only this profile's entries.
    profile_id: Option<String>,
}

/// One entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    at: String,
    /// `key:<id>`, `holder:<id>`, `link:<jti>`, `cli` or `system`.
    actor: String,
    ip: Option<String>,
    action: String,
    profile_id: Option<String>,
    /// The key id, connect link id or platform acted on.
    target: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    data: Vec<AuditEntry>,
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/audit-log", tag = "operations", params(AuditParams),
    responses((status = 200, description = "The workspace's audit log, newest first", body = AuditPage),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `audit` scope", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["audit"]), ("apiKey" = ["audit"])))]
#[get("/audit-log")]
pub async fn audit_log(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Audit>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let q: AuditParams = crate::api::query(&req)?;
    let query = AuditQuery::parse(q.limit.as_deref(), q.cursor.as_deref(), q.action, q.profile_id)?;
    let (rows, next) = state.db.read(move |c| audit::list(c, caller.workspace, &query)).await?;
    let data = rows
        .into_iter()
        .map(|r| AuditEntry {
            at: r.at,
            actor: r.actor,
            ip: r.ip,
            action: r.action,
            profile_id: r.profile_id,
            target: r.target,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditPage { data, next_cursor: next }))
}
