//! `/v1/profiles/{id}/accounts`.

use super::{Auth, Error, Problem, need};
use crate::api::body;
use crate::app::App;
use crate::domain::accounts::RefreshOutcome;
use crate::domain::accounts::{self, AccountRef, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::profiles;
use crate::service::{self, BlueskyLogin, Route};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A linked account. Tokens are never shown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountBody {
    /// The account's id (`acc_…`): stable across reconnects, usable wherever a route takes
    /// `{account}`.
    id: String,
    platform: String,
    platform_user_id: String,
    username: Option<String>,
    display_name: Option<String>,
    profile_url: Option<String>,
    image_url: Option<String>,
    #[serde(rename = "type")]
    account_type: String,
    connected_at: String,
    /// When the access token lapses (hitchpost refreshes it before then where it can).
    expires_at: Option<String>,
    /// Whole days until the end-user must link the account again: the refresh token's lapse
    /// where the platform states one, the access token's for an account that cannot be
    /// refreshed, null when the link does not lapse while it is refreshed.
    days_until_expiry: Option<i64>,
    needs_reconnect: bool,
    reconnect_reason: Option<String>,
    /// A fake account linked in dev mode.
    sandbox: bool,
    /// The scopes the platform granted, where known.
    scopes: Vec<String>,
}

impl From<&SocialAccount> for AccountBody {
    fn from(a: &SocialAccount) -> Self {
        AccountBody {
            id: a.account_id.clone(),
            platform: a.platform.as_str().into(),
            platform_user_id: a.platform_user_id.clone(),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            profile_url: a.profile_url.clone(),
            image_url: a.image_url.clone(),
            account_type: a.account_type.clone(),
            connected_at: a.connected_at.clone(),
            expires_at: a.expires_at.clone(),
            days_until_expiry: a.days_until_expiry(),
            needs_reconnect: a.needs_reconnect,
            reconnect_reason: a.reconnect_reason.clone(),
            sandbox: a.sandbox,
            scopes: a.scopes.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    data: Vec<AccountBody>,
}

/// The body of `POST /v1/profiles/{id}/accounts`: a Bluesky app password, or a sandbox account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkAccount {
    #[schema(value_type = super::schemas::PlatformName)]
    platform: String,
    handle: Option<String>,
    app_password: Option<String>,
    /// The Bluesky PDS (default https://bsky.social).
    pds_url: Option<String>,
    /// Link a fake account (dev mode only).
    #[serde(default)]
    sandbox: bool,
}

/// The answer of a refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshBody {
    /// `refreshed`, `postponed` (a transient failure: still linked) or `needs_reconnect`.
    outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    account: AccountBody,
}

fn platform(s: &str) -> Result<Platform, Error> {
    Ok(Platform::parse(s)?)
}

/// The `{account}` path segment: an account id or a platform name.
pub(super) fn account_ref(s: &str) -> Result<AccountRef, Error> {
    Ok(AccountRef::parse(s, "account")?)
}

#[utoipa::path(get, path = "/v1/profiles/{id}/accounts", tag = "accounts",
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 200, description = "The profile's linked accounts", body = AccountList),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `accounts` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["accounts"]), ("apiKey" = ["accounts"])))]
#[get("/profiles/{id}/accounts")]
pub async fn list_accounts(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Accounts>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    // Point reads (a profile by id, its few accounts by an index): on the worker.
    let list = state.db.read_now(move |c| accounts::list(c, caller.workspace, &id)).await?;
    Ok(HttpResponse::Ok().json(AccountList { data: list.iter().map(AccountBody::from).collect() }))
}

#[utoipa::path(post, path = "/v1/profiles/{id}/accounts", tag = "accounts", request_body = LinkAccount,
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 201, description = "The linked account", body = AccountBody),
        (status = 400, description = "A field failed validation, or the provider refused the credentials", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `accounts` scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider could not be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["accounts"]), ("apiKey" = ["accounts"])))]
#[post("/profiles/{id}/accounts")]
pub async fn link_account(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Accounts>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b = body::json::<LinkAccount>(&req, payload).await?;
    let platform = platform(&b.platform)?;
    let account = match service::route(platform, b.sandbox) {
        Route::Sandbox => service::link_sandbox(&state, caller.workspace, &id, platform).await?,
        Route::AppPassword => {
            let allow_private = state.providers.allow_private_outbound;
            let login = BlueskyLogin::parse(b.handle, b.app_password, b.pds_url, allow_private)?;
            service::link_bluesky(&state, caller.workspace, &id, login).await?
        }
        Route::Consent => {
            service::check_offerable(&state, &[platform]).map_err(|e| match e {
                crate::domain::Error::Invalid { reason, .. } => crate::domain::Error::invalid("platform", reason),
                other => other,
            })?;
            let why = format!("{} needs its owner's consent: send them a connect link", platform.label());
            return Err(crate::domain::Error::invalid("platform", why).into());
        }
    };
    Ok(HttpResponse::Created().json(AccountBody::from(&account)))
}

#[utoipa::path(delete, path = "/v1/profiles/{id}/accounts/{account}", tag = "accounts",
    params(("id" = String, Path, description = "The profile's UUID"), ("account" = super::schemas::AccountRefName, Path, description = "The account's id (`acc_…`) or its platform's name")),
    responses(
        (status = 204, description = "The account is unlinked"),
        (status = 400, description = "Neither an account id nor a platform", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `accounts` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile or account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["accounts"]), ("apiKey" = ["accounts"])))]
#[delete("/profiles/{id}/accounts/{account}")]
pub async fn unlink_account(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Accounts>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, p) = path.into_inner();
    service::unlink(&state, caller.workspace, &id, account_ref(&p)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/v1/profiles/{id}/accounts/{account}/refresh", tag = "accounts",
    params(("id" = String, Path, description = "The profile's UUID"), ("account" = super::schemas::AccountRefName, Path, description = "The account's id (`acc_…`) or its platform's name")),
    responses(
        (status = 200, description = "What the refresh did", body = RefreshBody),
        (status = 400, description = "Neither an account id nor a platform, or the account has no refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `accounts` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile or account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["accounts"]), ("apiKey" = ["accounts"])))]
#[post("/profiles/{id}/accounts/{account}/refresh")]
pub async fn refresh_account(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Accounts>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, p) = path.into_inner();
    let (outcome, account) = service::refresh_now(&state, caller.workspace, &id, account_ref(&p)?).await?;
    let (outcome, reason) = match outcome {
        RefreshOutcome::Refreshed => ("refreshed", None),
        RefreshOutcome::Postponed(r) => ("postponed", Some(r)),
        RefreshOutcome::NeedsReconnect(r) => ("needs_reconnect", Some(r)),
    };
    Ok(HttpResponse::Ok().json(RefreshBody { outcome: outcome.into(), reason, account: AccountBody::from(&account) }))
}

#[utoipa::path(get, path = "/v1/profiles/{id}/accounts/{account}", tag = "accounts",
    params(("id" = String, Path, description = "The profile's UUID"), ("account" = super::schemas::AccountRefName, Path, description = "The account's id (`acc_…`) or its platform's name")),
    responses(
        (status = 200, description = "The account", body = AccountBody),
        (status = 400, description = "Neither an account id nor a platform", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `accounts` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile or account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["accounts"]), ("apiKey" = ["accounts"])))]
#[get("/profiles/{id}/accounts/{account}")]
pub async fn get_account(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Accounts>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, account) = path.into_inner();
    let which = account_ref(&account)?;
    let account = state
        .db
        .read_now(move |c| {
            let profile = profiles::get(c, caller.workspace, &id)?;
            accounts::get(c, &profile, &which)
        })
        .await?;
    Ok(HttpResponse::Ok().json(AccountBody::from(&account)))
}
