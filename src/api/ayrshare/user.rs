//! `/api/user`, `/api/user/details/pinterest` and `/api/user/batch`.

use super::{Auth, Error, active, platform_name, ref_id, timestamp};
use crate::app::App;
use crate::auth::jwt::ConnectClaims;
use crate::domain::accounts::{self, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::profiles::{self, Profile};
use crate::domain::{self, workspaces};
use crate::store::{self, batches::BatchRow};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const BATCH_AUDIENCE: &str = "user-batch";
/// A batch file is made at most this often.
const BATCH_EVERY_HOURS: i64 = 3;
/// A batch URL works this long.
const BATCH_URL_DAYS: i64 = 7;

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn display_name(a: &SocialAccount) -> Value {
    let mut m = Map::new();
    m.insert("created".into(), json!(a.connected_at));
    m.insert("displayName".into(), json!(a.display_name));
    m.insert("id".into(), json!(a.platform_user_id));
    m.insert("platform".into(), json!(platform_name(a.platform)));
    m.insert("profileUrl".into(), json!(a.profile_url));
    m.insert("userImage".into(), json!(a.image_url));
    m.insert("username".into(), json!(a.username));
    m.insert("type".into(), json!(a.account_type));
    // Ayrshare's refresh fields are about the end-user linking again, not the access token.
    if a.link_lapses_at().is_some() || a.needs_reconnect {
        let days = if a.needs_reconnect { Some(0) } else { a.days_until_expiry() };
        m.insert("refreshDaysRemaining".into(), json!(days));
        m.insert("refreshRequired".into(), json!(a.link_lapses_at()));
    }
    if a.needs_reconnect {
        m.insert("reconnectReason".into(), json!(a.reconnect_reason));
    }
    Value::Object(m)
}

/// What `/api/user` says of a profile (or of the workspace, when it has none yet).
fn user_json(
    profile: Option<&Profile>,
    accounts: &[SocialAccount],
    info: &workspaces::WorkspaceInfo,
    email: Option<String>,
    calls: i64,
) -> Value {
    let mut m = Map::new();
    if !accounts.is_empty() {
        m.insert("activeSocialAccounts".into(), json!(active(accounts)));
    }
    let created = profile.map_or(info.created_at.as_str(), |p| p.created_at.as_str());
    m.insert("created".into(), timestamp(created));
    m.insert("displayNames".into(), Value::Array(accounts.iter().map(display_name).collect()));
    m.insert("email".into(), json!(email));
    m.insert("monthlyApiCalls".into(), json!(calls));
    if let Some(q) = info.monthly_api_quota {
        m.insert("monthlyApiCallsQuota".into(), json!(q));
    }
    match profile {
        Some(p) => {
            m.insert("refId".into(), json!(ref_id(p)));
            m.insert("title".into(), json!(p.name.clone().unwrap_or_else(|| p.profile_key.clone())));
            m.insert("profileKey".into(), json!(p.profile_key));
        }
        None => {
            m.insert("refId".into(), Value::Null);
            m.insert("title".into(), json!("Primary Profile"));
        }
    }
    let now = chrono::Utc::now();
    m.insert("lastUpdated".into(), json!(rfc3339(now)));
    m.insert("nextUpdate".into(), json!(rfc3339(now + chrono::Duration::seconds(30))));
    Value::Object(m)
}

#[derive(Debug, Deserialize)]
pub struct UserQuery {
    validate: Option<String>,
}

/// The profile a request is about: its Profile-Key, else the workspace's primary profile.
pub fn target(c: &store::Conn, ws: workspaces::WorkspaceId, key: Option<&str>) -> domain::Result<Option<Profile>> {
    match key {
        Some(k) => profiles::get_by_key(c, ws, k).map(Some),
        None => profiles::primary(c, ws),
    }
}

/// `GET /api/user[?validate=true]`.
pub async fn user(state: web::Data<App>, auth: Auth, req: HttpRequest) -> Result<HttpResponse, Error> {
    let q: UserQuery = crate::api::query(&req)?;
    let validate = q.validate.as_deref().is_some_and(|v| v == "true" || v == "1");
    let (ws, key) = (auth.caller.workspace, auth.profile_key);
    if validate && key.is_none() {
        return Err(domain::Error::invalid("Profile-Key", "is required with validate=true").into());
    }
    let st = state.clone();
    // A handful of indexed point reads: on the worker (`Db::read_now`).
    let body = state
        .db
        .read_now(move |c| {
            let profile = target(c, ws, key.as_deref())?;
            let accounts = match &profile {
                Some(p) => accounts::list_for(c, p)?,
                None => vec![],
            };
            let info = workspaces::get(c, ws)?;
            // A user profile has no email; the primary profile is the account owner's.
            let email = if key.is_some() { None } else { workspaces::owner_email(c, ws)? };
            let calls = st.usage.this_month(c, ws)?;
            let mut body = user_json(profile.as_ref(), &accounts, &info, email, calls);
            if validate {
                body["validated"] = json!(true);
            }
            Ok::<_, domain::Error>(body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/user/details/pinterest`: the boards read when the account was linked.
pub async fn details(state: web::Data<App>, auth: Auth, platform: web::Path<String>) -> Result<HttpResponse, Error> {
    if Platform::parse(&platform).ok() != Some(Platform::Pinterest) {
        return Err(domain::Error::invalid("platform", "details are available for pinterest only").into());
    }
    let (ws, key) = (auth.caller.workspace, auth.profile_key);
    let boards = state
        .db
        .read(move |c| {
            let profile = target(c, ws, key.as_deref())?.ok_or(domain::Error::NotFound("profile"))?;
            let account = accounts::list_for(c, &profile)?.into_iter().find(|a| a.platform == Platform::Pinterest);
            let account = account.ok_or_else(|| domain::Error::invalid("platform", "no Pinterest account is linked"))?;
            let boards = account.details.as_ref().and_then(|d| d.get("boards")).and_then(Value::as_array).cloned().unwrap_or_default();
            let owner = account.username.clone();
            Ok::<_, domain::Error>(
                boards
                    .into_iter()
                    .map(|b| json!({"privacy": b.get("privacy").cloned().unwrap_or(json!("PUBLIC")), "owner": {"username": owner},
                        "id": b.get("id"), "name": b.get("name"), "description": b.get("description").cloned().unwrap_or(json!(""))}))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "pinterest": boards })))
}

fn parse_time(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|_| chrono::Utc::now())
}

/// `GET /api/user/batch`: a signed, expiring URL of a JSON file of every profile's user data,
/// made anew at most every three hours.
pub async fn batch(state: web::Data<App>, auth: Auth) -> Result<HttpResponse, Error> {
    let ws = auth.caller.workspace;
    let now = chrono::Utc::now();
    let latest = state.db.read(move |c| Ok::<_, domain::Error>(store::batches::find_latest_batch(c, ws.0)?)).await?;
    let row = match latest.filter(|b| parse_time(&b.created_at) + chrono::Duration::hours(BATCH_EVERY_HOURS) > now) {
        Some(b) => b,
        None => {
            // Built on a read connection, so the writer (every tenant's writes) waits only for
            // the one insert of the finished file, not for the scan (audit M7).
            let st = state.clone();
            let row = state
                .db
                .read(move |c| {
                    let info = workspaces::get(c, ws)?;
                    let calls = st.usage.this_month(c, ws)?;
                    let mut users = Vec::new();
                    let mut after = None;
                    loop {
                        let (page, next) = profiles::page_of_all(c, ws, after)?;
                        for (p, linked) in page.iter().zip(accounts::list_for_each(c, &page)?) {
                            users.push(user_json(Some(p), &linked, &info, None, calls));
                        }
                        match next {
                            Some(n) => after = Some(n),
                            None => break,
                        }
                    }
                    Ok::<_, domain::Error>(BatchRow {
                        id: uuid::Uuid::new_v4().simple().to_string(),
                        workspace_id: ws.0,
                        created_at: rfc3339(now),
                        content: json!({ "users": users, "count": users.len(), "created": rfc3339(now) }).to_string(),
                    })
                })
                .await?;
            let keep_after = rfc3339(now - chrono::Duration::days(BATCH_URL_DAYS));
            state
                .db
                .write(move |c| {
                    store::batches::insert_batch(c, &row, &keep_after)?;
                    Ok::<_, domain::Error>(row)
                })
                .await?
        }
    };
    let created = parse_time(&row.created_at);
    let expires = created + chrono::Duration::days(BATCH_URL_DAYS);
    let claims = ConnectClaims::new(BATCH_AUDIENCE, &row.id, ws.0, &row.id, expires.timestamp());
    let url = format!("{}/api/user/batch/files/{}?token={}", state.public_url, row.id, state.jwt.sign(&claims));
    Ok(HttpResponse::Ok().json(json!({
        "success": true, "url": url, "urlAvailable": rfc3339(created), "urlExpires": rfc3339(expires),
        "lastUpdated": rfc3339(created), "nextUpdate": rfc3339(created + chrono::Duration::hours(BATCH_EVERY_HOURS)),
    })))
}

#[derive(Debug, Deserialize)]
pub struct FileQuery {
    token: Option<String>,
}

/// `GET /api/user/batch/files/{id}?token=…`: the file, for whoever holds the signed URL.
pub async fn batch_file(state: web::Data<App>, id: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, Error> {
    let token = crate::api::query::<FileQuery>(&req)?.token.unwrap_or_default();
    let claims: ConnectClaims = state
        .jwt
        .verify(&token, BATCH_AUDIENCE)
        .map_err(|_| domain::Error::Unauthorized("the batch URL is invalid or has expired"))?;
    let id = id.into_inner();
    if claims.sub != id {
        return Err(domain::Error::Unauthorized("the batch URL is invalid or has expired").into());
    }
    let row = state.db.read(move |c| Ok::<_, domain::Error>(store::batches::find_batch(c, &id)?)).await?;
    let row = row.filter(|r| r.workspace_id == claims.ws).ok_or(domain::Error::NotFound("batch file"))?;
    Ok(HttpResponse::Ok().content_type("application/json").body(row.content))
}
