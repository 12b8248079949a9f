//! `/api/profiles…`: create, update, delete, list, generateJWT, and unlink a social account.

use super::{Auth, Error, active, need, ref_id, timestamp};
use crate::api::body;
use crate::app::App;
use crate::domain::accounts::AccountRef;
use crate::domain::connect::{NewLink, RawLinkOptions};
use crate::domain::platform::Platform;
use crate::domain::profiles::{self, NewProfile, ProfileName, ProfilePatch};
use crate::domain::{self, accounts};
use crate::service::{self, Issued, Target};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

/// Any Ayrshare profile body: the fields hitchpost uses; the rest (`source`, `team`, ...) are accepted and ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileBody {
    title: Option<Value>,
    profile_key: Option<String>,
    platform: Option<String>,
    redirect: Option<String>,
    allowed_social: Option<Vec<String>>,
    expires_in: Option<i64>,
    logo: Option<String>,
}

fn title(v: Option<Value>) -> Result<Option<ProfileName>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(
            ProfileName::parse(&s)
                .map_err(|_| domain::Error::invalid("title", "must have between 1 and 100 characters"))?,
        )),
        Some(_) => Err(domain::Error::invalid("title", "must be a string").into()),
    }
}

/// The profile a call is about: the body's profileKey wins over the Profile-Key header, so a
/// stale header never makes a call act on the wrong profile.
fn profile_key<S>(body: &ProfileBody, auth: &Auth<S>) -> Result<String, Error> {
    body.profile_key.clone().filter(|k| !k.is_empty()).or_else(|| auth.profile_key.clone()).ok_or_else(|| {
        domain::Error::invalid("profileKey", "is required (in the body or the Profile-Key header)").into()
    })
}

/// `POST /api/profiles` (also `/profile`, `/create-profile`) `{title}` -> `{status, title, refId, profileKey}`.
pub async fn create(
    state: web::Data<App>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ProfileBody = body::json_or_empty(&req, payload).await?;
    let name = title(b.title)?.ok_or_else(|| domain::Error::invalid("title", "is required"))?;
    let new = NewProfile::named(Some(name));
    let p = state.db.write(move |c| profiles::create(c, auth.caller.workspace, new)).await?;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success", "title": p.name, "refId": ref_id(&p), "profileKey": p.profile_key,
    })))
}

/// `PATCH|PUT /api/profiles` (also `/profile`) `{profileKey?, title?}`.
pub async fn update(
    state: web::Data<App>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ProfileBody = body::json_or_empty(&req, payload).await?;
    let key = profile_key(&b, &auth)?;
    let patch = ProfilePatch { name: title(b.title)?, ..Default::default() };
    let ws = auth.caller.workspace;
    let p = state
        .db
        .write(move |c| {
            let p = profiles::get_by_key(c, ws, &key)?;
            profiles::update(c, ws, &p.id, patch)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "status": "success", "title": p.name, "refId": ref_id(&p), "profileKey": p.profile_key })))
}

/// `DELETE /api/profiles` (also `/profile`, `/delete-profile`) `{profileKey?}`.
pub async fn delete(
    state: web::Data<App>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ProfileBody = body::json_or_empty(&req, payload).await?;
    let key = profile_key(&b, &auth)?;
    let p =
        service::delete_profile(&state, auth.caller.workspace, move |c, ws| profiles::get_by_key(c, ws, &key)).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "refId": ref_id(&p), "title": p.name })))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /api/profiles?limit&cursor` -> `{profiles, count, nextCursor, lastUpdated, nextUpdate}`.
pub async fn list(state: web::Data<App>, auth: Auth, req: HttpRequest) -> Result<HttpResponse, Error> {
    let q: ListQuery = crate::api::query(&req)?;
    let limit = q
        .limit
        .map(|l| l.parse::<i64>().map_err(|_| domain::Error::invalid("limit", "must be a whole number")))
        .transpose()?;
    let query = profiles::ProfileQuery {
        limit: profiles::PageLimit::parse(limit)?,
        cursor: q.cursor.as_deref().filter(|c| !c.is_empty()).map(profiles::Cursor::parse).transpose()?,
        external_id: None,
        username: None,
    };
    let ws = auth.caller.workspace;
    let (items, next, count) = state
        .db
        .read(move |c| {
            let page = profiles::list(c, ws, &query)?;
            let mut items = Vec::new();
            for (p, linked) in page.data.iter().zip(accounts::list_for_each(c, &page.data)?) {
                items.push(json!({
                    "status": "active", "title": p.name, "displayTitle": p.name, "refId": ref_id(p),
                    "profileKey": p.profile_key, "created": timestamp(&p.created_at), "createdUTC": p.created_at,
                    "activeSocialAccounts": active(&linked), "suspended": false,
                }));
            }
            Ok::<_, domain::Error>((items, page.next_cursor, profiles::count(c, ws)?))
        })
        .await?;
    let now = chrono::Utc::now();
    Ok(HttpResponse::Ok().json(json!({
        "profiles": items, "count": count, "nextCursor": next,
        "lastUpdated": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "nextUpdate": (now + chrono::Duration::seconds(30)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })))
}

/// `POST /api/profiles/generateJWT {profileKey, domain, privateKey, redirect?, allowedSocial?, expiresIn?}`:
/// a hitchpost connect link (`domain` and `privateKey` are Ayrshare's and are ignored).
pub async fn generate_jwt(
    state: web::Data<App>,
    auth: Auth<need::ProfilesConnect>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ProfileBody = body::json_or_empty(&req, payload).await?;
    let key = profile_key(&b, &auth)?;
    let allowed =
        b.allowed_social.map(|list| list.into_iter().map(|p| if p == "twitter" { "x".into() } else { p }).collect());
    let new = NewLink::parse(RawLinkOptions {
        redirect_url: b.redirect,
        logo_url: b.logo,
        platforms: allowed,
        expires_in_minutes: b.expires_in,
        ..Default::default()
    })
    .map_err(|e| match e {
        domain::Error::Invalid { field, reason } => domain::Error::Invalid {
            field: match field.as_str() {
                "redirectUrl" => "redirect".into(),
                "platforms" => "allowedSocial".into(),
                _ => field,
            },
            reason,
        },
        other => other,
    })?;
    let minutes = new.expires_in_minutes;
    let Issued { link, url } = service::issue(&state, auth.caller.workspace, Target::Key(key), new).await?;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success", "title": link.profile.name, "token": link.token, "url": url,
        "emailSent": false, "expiresIn": format!("{minutes}m"),
    })))
}

/// `DELETE /api/profiles/social {platform, profileKey}`: unlinks one account.
pub async fn unlink_social(
    state: web::Data<App>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ProfileBody = body::json_or_empty(&req, payload).await?;
    let key = profile_key(&b, &auth)?;
    let platform = Platform::parse(b.platform.as_deref().unwrap_or_default())?;
    let ws = auth.caller.workspace;
    let profile = state.db.read(move |c| profiles::get_by_key(c, ws, &key)).await?;
    // Ayrshare's documentation: "a 200 success is returned even if the platform is not linked".
    match service::unlink(&state, ws, &profile.id, AccountRef::Platform(platform)).await {
        Ok(()) | Err(domain::Error::NotFound("account")) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(HttpResponse::Ok()
        .json(json!({ "status": "success", "platform": super::platform_name(platform), "refId": ref_id(&profile) })))
}
