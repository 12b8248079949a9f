//! `POST /v1/profiles/{id}/accounts/{platform}/authorize`: headless linking, for platforms
//! that draw their own connect UI.

use super::{Auth, Error, Problem, need};
use crate::api::body;
use crate::app::App;
use crate::domain::connect::parse_http_url;
use crate::domain::platform::Platform;
use crate::domain::profiles;
use crate::service;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /v1/profiles/{id}/accounts/{platform}/authorize`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Authorize {
    /// Where the end-user returns after consenting: `?status=success&platform=…&accountId=…`,
    /// or `?status=error&platform=…&error=…` (a stable code) and `message`.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$"
    )]
    return_url: String,
}

/// Where to send the end-user to consent.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationBody {
    /// The platform's consent URL (state and PKCE are held by hitchpost); in the sandbox, a
    /// connect link for this platform alone.
    auth_url: String,
    /// When the sign-in lapses (15 minutes for a consent URL).
    expires_at: String,
}

#[utoipa::path(post, path = "/v1/profiles/{id}/accounts/{platform}/authorize", tag = "accounts", request_body = Authorize,
    params(("id" = String, Path, description = "The profile's UUID"),
           ("platform" = super::schemas::ConsentPlatformName, Path, description = "The platform to link")),
    responses(
        (status = 200, description = "The consent URL", body = AuthorizationBody),
        (status = 400, description = "A field failed validation, or the platform does not link by redirect here", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `connect` scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["connect"]), ("apiKey" = ["connect"])))]
#[post("/profiles/{id}/accounts/{platform}/authorize")]
pub async fn authorize(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Connect>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let (id, platform) = path.into_inner();
    let platform = Platform::parse(&platform)?;
    let b: Authorize = body::json(&req, payload).await?;
    let return_url = parse_http_url("returnUrl", &b.return_url)?;
    let ws = caller.workspace;
    let profile = state.db.read(move |c| profiles::get(c, ws, &id)).await?;
    let auth = service::authorize(&state, ws, &profile, platform, Some(return_url)).await?;
    Ok(HttpResponse::Ok().json(AuthorizationBody { auth_url: auth.url, expires_at: auth.expires_at }))
}
