//! `GET /v1/profiles/{id}/accounts/{account}/credentials`: a linked account's access token,
//! fresh, for a platform that calls the social platform itself. Never the refresh token.

use super::accounts::account_ref;
use super::{Auth, Error, Problem, need};
use crate::app::App;
use crate::domain::{self, platform::Platform};
use crate::service::{self, MAX_MIN_VALIDITY};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How long the token must stay valid unless the caller says.
const DEFAULT_MIN_VALIDITY: i64 = 300;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CredentialsParams {
    /// Seconds the token must stay valid, 0-1800 (default 300): refreshed first if it would
    /// lapse sooner.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 1800)]
    min_validity: Option<String>,
}

/// An access token and what is needed to use it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsBody {
    account_id: String,
    platform: String,
    /// `oauth2`, or `atproto` for Bluesky (an app-password session at the account's PDS).
    #[serde(rename = "type")]
    kind: &'static str,
    access_token: String,
    /// How to send it: `Authorization: Bearer <accessToken>`.
    token_type: &'static str,
    /// When the token lapses, if the platform said.
    expires_at: Option<String>,
    /// The scopes the platform granted, where known.
    scopes: Vec<String>,
    /// Bluesky: the PDS to send requests to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pds_url: Option<String>,
    /// Bluesky: the account's DID.
    #[serde(skip_serializing_if = "Option::is_none")]
    did: Option<String>,
}

fn min_validity(req: &HttpRequest) -> Result<i64, Error> {
    let q: CredentialsParams = crate::api::query(req)?;
    match q.min_validity {
        None => Ok(DEFAULT_MIN_VALIDITY),
        Some(s) => s.trim().parse::<i64>().map_err(|_| {
            domain::Error::invalid("minValidity", format!("must be a whole number of seconds, 0-{MAX_MIN_VALIDITY}"))
                .into()
        }),
    }
}

#[utoipa::path(get, path = "/v1/profiles/{id}/accounts/{account}/credentials", tag = "accounts",
    params(("id" = String, Path, description = "The profile's UUID"),
        ("account" = super::schemas::AccountRefName, Path, description = "The account's id (`acc_…`) or its platform's name"),
        CredentialsParams),
    responses(
        (status = 200, description = "A token valid for at least `minValidity` seconds", body = CredentialsBody),
        (status = 400, description = "A bad account or minValidity", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `credentials` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile or account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The platform refused the account's refresh: its owner must link it again", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The platform could not be reached to refresh the token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["credentials"]), ("apiKey" = ["credentials"])))]
#[get("/profiles/{id}/accounts/{account}/credentials")]
pub async fn get_credentials(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Credentials>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let (id, account) = path.into_inner();
    let which = account_ref(&account)?;
    let min = min_validity(&req)?;
    let f = service::read_credentials(&state, caller.workspace, &id, which, min).await?;
    let bluesky = f.platform == Platform::Bluesky;
    let body = CredentialsBody {
        account_id: f.account_id,
        platform: f.platform.as_str().into(),
        kind: if bluesky { "atproto" } else { "oauth2" },
        access_token: f.access_token,
        token_type: "Bearer",
        expires_at: f.expires_at,
        scopes: f.scopes,
        pds_url: if bluesky { f.pds_url } else { None },
        did: bluesky.then_some(f.platform_user_id),
    };
    // A token must not be kept by any cache between here and the caller.
    Ok(HttpResponse::Ok().insert_header(("cache-control", "no-store")).json(body))
}
