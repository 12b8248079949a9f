//! `/v1/profiles/{id}/connect-links` and `/v1/connect-links`.

use super::accounts::AccountBody;
use super::profiles::{ProfileBody, with_accounts};
use super::{Auth, Error, Problem, need};
use crate::api::body;
use crate::app::App;
use crate::domain::accounts;
use crate::domain::connect::{self, NewLink, RawLinkOptions};
use crate::service::{self, Issued, Target};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The body of `POST /v1/profiles/{id}/connect-links`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateConnectLink {
    /// Where the Done button returns to (absolute http(s) URL; empty: none).
    #[schema(
        max_length = 2048,
        pattern = r"^(https?://[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*)?$"
    )]
    redirect_url: Option<String>,
    /// Where the Done button returns to instead when linking failed or the end-user declined,
    /// with `profileId`, `platform`, `error` (a stable code) and `status=error`.
    #[schema(
        max_length = 2048,
        pattern = r"^(https?://[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*)?$"
    )]
    error_redirect_url: Option<String>,
    /// A logo shown on the page (absolute http(s) URL).
    #[schema(
        max_length = 2048,
        pattern = r"^(https?://[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*)?$"
    )]
    logo_url: Option<String>,
    /// Only these platforms are offered.
    #[schema(value_type = Option<Vec<super::schemas::PlatformName>>, min_items = 1)]
    platforms: Option<Vec<String>>,
    #[schema(
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    title: Option<String>,
    #[schema(
        max_length = 1000,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    description: Option<String>,
    #[schema(
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    button_text: Option<String>,
    /// en (default), es, de, fr, pt, pl or tr, in any case, with an optional region (`pt-BR`).
    #[schema(pattern = r"^\s*([eE][nN]|[eE][sS]|[dD][eE]|[fF][rR]|[pP][tT]|[pP][lL]|[tT][rR])([-_][\s\S]*)?$|^\s*$")]
    language: Option<String>,
    /// Replacements for the page's texts, by key (at most 100).
    #[schema(value_type = Option<super::schemas::Labels>)]
    labels: Option<BTreeMap<String, String>>,
    /// `light`, `dark` or `auto` (the default: the browser's `prefers-color-scheme`).
    #[schema(pattern = r"^\s*([lL][iI][gG][hH][tT]|[dD][aA][rR][kK]|[aA][uU][tT][oO])\s*$|^\s*$")]
    theme: Option<String>,
    /// The buttons' colour, `#rrggbb`; their text is white or black, whichever reads better.
    #[schema(pattern = r"^\s*#[0-9A-Fa-f]{6}\s*$|^\s*$")]
    accent_color: Option<String>,
    /// `page` (the default) or `popup`: opened by the platform's web app with `window.open`,
    /// the page ends by posting `{type: "hitchpost:connect", profileId, connected, status}`
    /// to its opener at `redirectUrl`'s origin (required then), and closes.
    #[schema(pattern = r"^\s*([pP][aA][gG][eE]|[pP][oO][pP][uU][pP])\s*$|^\s*$")]
    mode: Option<String>,
    /// Minutes until the link lapses: 1-2880, default 60.
    #[schema(minimum = 1, maximum = 2880)]
    #[serde(default, deserialize_with = "body::whole_number")]
    expires_in: Option<i64>,
}

/// A new connect link. `url` is what the end-user opens; `token` is inside it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectLinkBody {
    /// The link's id (the token's `jti`), for revocation.
    id: String,
    url: String,
    token: String,
    expires_at: String,
}

/// A live link, as listed (without its token).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectLinkInfo {
    id: String,
    created_at: String,
    expires_at: String,
    redirect_url: Option<String>,
    platforms: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectLinkList {
    data: Vec<ConnectLinkInfo>,
}

/// The body of `POST /v1/connect-links/validate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateConnectLink {
    token: String,
}

/// The answer of `POST /v1/connect-links/validate`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidationBody {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<ProfileBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts: Option<Vec<AccountBody>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
}

impl ValidationBody {
    fn refused(reason: &str) -> Self {
        ValidationBody { valid: false, reason: Some(reason.into()), profile: None, accounts: None, expires_at: None }
    }
}

impl CreateConnectLink {
    pub(crate) fn into_domain(self) -> Result<NewLink, Error> {
        Ok(NewLink::parse(RawLinkOptions {
            redirect_url: self.redirect_url,
            error_redirect_url: self.error_redirect_url,
            logo_url: self.logo_url,
            platforms: self.platforms,
            title: self.title,
            description: self.description,
            button_text: self.button_text,
            language: self.language,
            labels: self.labels,
            theme: self.theme,
            accent_color: self.accent_color,
            mode: self.mode,
            expires_in_minutes: self.expires_in,
        })?)
    }
}

#[utoipa::path(post, path = "/v1/profiles/{id}/connect-links", tag = "connect", request_body = Option<CreateConnectLink>,
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 201, description = "The link", body = ConnectLinkBody),
        (status = 400, description = "A field failed validation", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `connect` scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["connect"]), ("apiKey" = ["connect"])))]
#[post("/profiles/{id}/connect-links")]
pub async fn create_connect_link(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Connect>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let new = body::json_or_empty::<CreateConnectLink>(&req, payload).await?.into_domain()?;
    let Issued { link, url } = service::issue(&state, caller.workspace, Target::Id(id.into_inner()), new).await?;
    Ok(HttpResponse::Created().json(ConnectLinkBody {
        url,
        id: link.jti,
        token: link.token,
        expires_at: link.expires_at,
    }))
}

#[utoipa::path(get, path = "/v1/profiles/{id}/connect-links", tag = "connect",
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 200, description = "The profile's live links", body = ConnectLinkList),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `connect` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["connect"]), ("apiKey" = ["connect"])))]
#[get("/profiles/{id}/connect-links")]
pub async fn list_connect_links(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Connect>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let links = state.db.read(move |c| connect::list_live(c, caller.workspace, &id)).await?;
    let data = links
        .into_iter()
        .map(|l| ConnectLinkInfo {
            id: l.jti,
            created_at: l.created_at,
            expires_at: l.expires_at,
            redirect_url: l.options.redirect_url,
            platforms: l.options.platforms.map(|ps| ps.iter().map(|p| p.as_str().to_string()).collect()),
        })
        .collect();
    Ok(HttpResponse::Ok().json(ConnectLinkList { data }))
}

#[utoipa::path(delete, path = "/v1/connect-links/{linkId}", tag = "connect",
    params(("linkId" = String, Path, description = "The link's id")),
    responses(
        (status = 204, description = "The link is revoked"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `connect` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["connect"]), ("apiKey" = ["connect"])))]
#[delete("/connect-links/{link_id}")]
pub async fn revoke_connect_link(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Connect>,
    link_id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let jti = link_id.into_inner();
    state.db.write(move |c| connect::revoke(c, caller.workspace, &jti)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/v1/connect-links/validate", tag = "connect", request_body = ValidateConnectLink,
    responses(
        (status = 200, description = "Whether the token is a live link of this workspace, and its profile", body = ValidationBody),
        (status = 400, description = "No token given", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `connect` scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["connect"]), ("apiKey" = ["connect"])))]
#[post("/connect-links/validate")]
pub async fn validate_connect_link(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Connect>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let token = body::json::<ValidateConnectLink>(&req, payload).await?.token;
    let jwt = state.jwt.clone();
    let answer = state
        .db
        .read(move |c| {
            let checked = match connect::validate(c, &jwt, &token, Some(caller.workspace))? {
                Ok(l) => l,
                Err(refusal) => return Ok(ValidationBody::refused(refusal.reason())),
            };
            let accounts = accounts::list_for(c, &checked.profile)?;
            let exp = checked.claims.exp;
            Ok::<_, crate::domain::Error>(ValidationBody {
                valid: true,
                reason: None,
                accounts: Some(accounts.iter().map(AccountBody::from).collect()),
                profile: Some(with_accounts(c, checked.profile)?),
                expires_at: chrono::DateTime::from_timestamp(exp, 0)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}
