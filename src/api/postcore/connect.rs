//! `POST /profiles/connect`: Bluesky by credentials, OAuth platforms by a URL to send the
//! person to. Without a profileKey the profile is created first (auto-create).

use super::{Auth, Error, account_json, need};
use crate::api::body;
use crate::app::App;
use crate::domain;
use crate::domain::connect;
use crate::domain::platform::Platform;
use crate::domain::profiles::{NewProfile, ProfileName};
use crate::service::{self, BlueskyLogin, Route, Target};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    handle: Option<String>,
    app_password: Option<String>,
    pds_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectBody {
    profile_key: Option<String>,
    profile_name: Option<String>,
    platform: Option<String>,
    credentials: Option<Credentials>,
    return_url: Option<String>,
}

fn target(b: &ConnectBody) -> Result<Target, Error> {
    Ok(match b.profile_key.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Target::Key(k.to_string()),
        None => {
            let name =
                b.profile_name.as_deref().filter(|n| !n.trim().is_empty()).map(ProfileName::parse).transpose()?;
            Target::New(NewProfile::named(name))
        }
    })
}

/// `POST /profiles/connect`.
pub async fn connect(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::ProfilesConnect>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ConnectBody = body::json(&req, payload).await?;
    let platform = Platform::parse(b.platform.as_deref().unwrap_or_default())?;
    let created = b.profile_key.as_deref().is_none_or(str::is_empty);
    let ws = caller.workspace;
    if service::route(platform, false) == Route::AppPassword {
        let c = b
            .credentials
            .as_ref()
            .ok_or_else(|| domain::Error::invalid("credentials", "are required for Bluesky: {handle, appPassword}"))?;
        let login = BlueskyLogin::parse(
            c.handle.clone(),
            c.app_password.clone(),
            c.pds_url.clone(),
            state.providers.allow_private_outbound,
        )?;
        let (p, account) = service::link_bluesky_to(&state, ws, target(&b)?, login).await?;
        let body = json!({
            "profileKey": p.profile_key, "profileName": p.name, "platform": platform.as_str(),
            "connected": true, "profileCreated": created, "account": account_json(&account),
        });
        return Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(body));
    }
    let return_url = b
        .return_url
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| connect::parse_http_url("returnUrl", u))
        .transpose()?;
    service::check_offerable(&state, &[platform])?;
    let t = target(&b)?;
    let p = state.db.write(move |c| t.resolve(c, ws)).await?;
    let auth = service::authorize(&state, ws, &p, platform, return_url).await?;
    let body = json!({
        "profileKey": p.profile_key, "profileName": p.name, "platform": platform.as_str(),
        "profileCreated": created, "authUrl": auth.url, "url": auth.url, "expiresAt": auth.expires_at,
    });
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(body))
}
