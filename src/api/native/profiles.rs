//! `/v1/profiles`.

use super::{Auth, Error, Problem, need};
use crate::api::body;
use crate::app::App;
use crate::domain::accounts;
use crate::domain::platform::Platform;
use crate::domain::profiles::{
    self, Cursor, ExternalId, Metadata, NewProfile, PageLimit, Profile, ProfileName, ProfilePatch, ProfileQuery,
    Username,
};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// A profile as the native API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileBody {
    /// hitchpost's UUID for the profile.
    id: String,
    /// The profile's key in the Ayrshare and postcore dialects.
    profile_key: String,
    /// Null only for a profile made without a name through another dialect.
    name: Option<String>,
    external_id: Option<String>,
    username: Option<String>,
    metadata: Option<Value>,
    created_at: String,
    updated_at: String,
    /// The platforms this profile has linked accounts on.
    accounts: Vec<String>,
}

impl ProfileBody {
    pub fn new(p: Profile, platforms: &[Platform]) -> Self {
        ProfileBody {
            accounts: platforms.iter().map(|p| p.as_str().to_string()).collect(),
            id: p.id,
            profile_key: p.profile_key,
            name: p.name,
            external_id: p.external_id,
            username: p.username,
            metadata: p.metadata,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A profile with the platforms it has linked.
pub fn with_accounts(c: &crate::store::Conn, p: Profile) -> Result<ProfileBody, crate::domain::Error> {
    let linked = accounts::linked_platforms(c, std::slice::from_ref(&p))?;
    let platforms = linked.get(&p.seq).cloned().unwrap_or_default();
    Ok(ProfileBody::new(p, &platforms))
}

/// The body of `POST /v1/profiles`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProfile {
    /// 1-100 characters (trimmed), no control characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*[^\s\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff][^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    name: String,
    /// Up to 200 characters, unique in the workspace.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    external_id: Option<String>,
    /// Letters, digits and `._@+-`, unique in the workspace.
    #[schema(min_length = 1, max_length = 100, pattern = r"^[A-Za-z0-9._@+-]+$")]
    username: Option<String>,
    /// Any JSON object up to 16 KiB, stored as is.
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
}

impl CreateProfile {
    pub(super) fn into_domain(self) -> Result<NewProfile, Error> {
        Ok(NewProfile {
            name: Some(ProfileName::parse(&self.name)?),
            external_id: self.external_id.as_deref().map(ExternalId::parse).transpose()?,
            username: self.username.as_deref().map(Username::parse).transpose()?,
            metadata: self.metadata.map(Metadata::parse).transpose()?,
        })
    }
}

/// The body of `PATCH /v1/profiles/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProfile {
    #[serde(default, deserialize_with = "body::double_option")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*[^\s\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff][^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::double_option")]
    #[schema(
        nullable,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::double_option")]
    #[schema(nullable, min_length = 1, max_length = 100, pattern = r"^[A-Za-z0-9._@+-]+$")]
    username: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::double_option")]
    #[schema(value_type = Option<Object>)]
    metadata: Option<Option<Value>>,
}

impl UpdateProfile {
    pub(super) fn into_domain(self) -> Result<ProfilePatch, Error> {
        Ok(ProfilePatch {
            name: match self.name {
                Some(None) => {
                    return Err(crate::domain::Error::invalid("name", "cannot be null").into());
                }
                Some(Some(n)) => Some(ProfileName::parse(&n)?),
                None => None,
            },
            external_id: self.external_id.map(|o| o.as_deref().map(ExternalId::parse).transpose()).transpose()?,
            username: self.username.map(|o| o.as_deref().map(Username::parse).transpose()).transpose()?,
            metadata: self.metadata.map(|o| o.map(Metadata::parse).transpose()).transpose()?,
        })
    }
}

/// Query of `GET /v1/profiles`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1-100 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `nextCursor` of the previous page.
    #[param(pattern = r"^p[1-9a-z][0-9a-z]{0,11}$")]
    cursor: Option<String>,
    /// Only the profile with this externalId.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    external_id: Option<String>,
    /// Only the profile with this username.
    #[param(min_length = 1, max_length = 100, pattern = r"^[A-Za-z0-9._@+-]+$")]
    username: Option<String>,
}

impl ListParams {
    pub(super) fn into_domain(self) -> Result<ProfileQuery, Error> {
        let limit = match self.limit {
            None => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .map_err(|_| crate::domain::Error::invalid("limit", "must be a whole number between 1 and 100"))?,
            ),
        };
        Ok(ProfileQuery {
            limit: PageLimit::parse(limit)?,
            cursor: self.cursor.as_deref().map(Cursor::parse).transpose()?,
            external_id: self.external_id.as_deref().map(ExternalId::parse).transpose()?,
            username: self.username.as_deref().map(Username::parse).transpose()?,
        })
    }
}

/// One page of profiles.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileList {
    data: Vec<ProfileBody>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

#[utoipa::path(post, path = "/v1/profiles", tag = "profiles", request_body = CreateProfile,
    responses(
        (status = 201, description = "The profile was created", body = ProfileBody),
        (status = 400, description = "Invalid JSON or a field failed validation", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `profiles` scope", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The workspace's profile limit is reached", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "externalId or username already used", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["profiles"]), ("apiKey" = ["profiles"])))]
#[post("/profiles")]
pub async fn create_profile(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Profiles>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let new = body::json::<CreateProfile>(&req, payload).await?.into_domain()?;
    let profile = state.db.write(move |c| profiles::create(c, caller.workspace, new)).await?;
    Ok(HttpResponse::Created().json(ProfileBody::new(profile, &[])))
}

#[utoipa::path(get, path = "/v1/profiles", tag = "profiles", params(ListParams),
    responses(
        (status = 200, description = "A page of profiles, oldest first", body = ProfileList),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `profiles` scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["profiles"]), ("apiKey" = ["profiles"])))]
#[get("/profiles")]
pub async fn list_profiles(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Profiles>,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let params: ListParams = crate::api::query(&req)?;
    let query = params.into_domain()?;
    let (page, linked) = state
        .db
        .read(move |c| {
            let page = profiles::list(c, caller.workspace, &query)?;
            let linked = accounts::linked_platforms(c, &page.data)?;
            Ok::<_, crate::domain::Error>((page, linked))
        })
        .await?;
    let data = page
        .data
        .into_iter()
        .map(|p| {
            let platforms = linked.get(&p.seq).cloned().unwrap_or_default();
            ProfileBody::new(p, &platforms)
        })
        .collect();
    Ok(HttpResponse::Ok().json(ProfileList { data, next_cursor: page.next_cursor }))
}

#[utoipa::path(get, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 200, description = "The profile", body = ProfileBody),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `profiles` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["profiles"]), ("apiKey" = ["profiles"])))]
#[get("/profiles/{id}")]
pub async fn get_profile(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Profiles>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let body = state.db.read_now(move |c| with_accounts(c, profiles::get(c, caller.workspace, &id)?)).await?;
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(patch, path = "/v1/profiles/{id}", tag = "profiles", request_body = UpdateProfile,
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 200, description = "The updated profile", body = ProfileBody),
        (status = 400, description = "Invalid JSON or a field failed validation", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `profiles` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "externalId or username already used", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["profiles"]), ("apiKey" = ["profiles"])))]
#[patch("/profiles/{id}")]
pub async fn update_profile(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Profiles>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let patch = body::json::<UpdateProfile>(&req, payload).await?.into_domain()?;
    let id = id.into_inner();
    let body = state.db.write(move |c| with_accounts(c, profiles::update(c, caller.workspace, &id, patch)?)).await?;
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(delete, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "The profile's UUID")),
    responses(
        (status = 204, description = "The profile is deleted"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `profiles` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile in this workspace", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["profiles"]), ("apiKey" = ["profiles"])))]
#[delete("/profiles/{id}")]
pub async fn delete_profile(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Profiles>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    crate::service::delete_profile(&state, caller.workspace, move |c, ws| profiles::get(c, ws, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
