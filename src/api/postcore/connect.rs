//! `POST /profiles/connect`: Bluesky by credentials, OAuth platforms by a URL to send the
//! person to. Without a profileKey the profile is created first (auto-create).

use super::{Auth, Error, account_json};
use crate::api::{body, native::link_url};
use crate::app::App;
use crate::domain::connect;
use crate::domain::platform::Platform;
use crate::domain::profiles::{self, NewProfile, ProfileName};
use crate::domain::{self, workspaces::WorkspaceId};
use crate::service::{self, BlueskyLogin, Target};
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
            Target::New(NewProfile { name, external_id: None, username: None, metadata: None })
        }
    })
}

/// Resolves the target to a stored profile (creating it when asked to).
async fn profile(state: &App, ws: WorkspaceId, t: Target) -> Result<profiles::Profile, Error> {
    Ok(state
        .db
        .write(move |c| match t {
            Target::Key(k) => profiles::get_by_key(c, ws, &k),
            Target::Id(id) => profiles::get(c, ws, &id),
            Target::New(new) => profiles::create(c, ws, new),
        })
        .await?)
}

/// `POST /profiles/connect`.
pub async fn connect(
    state: web::Data<App>,
    Auth { caller, .. }: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: ConnectBody = body::json(&req, payload).await?;
    let platform = Platform::parse(b.platform.as_deref().unwrap_or_default())?;
    let created = b.profile_key.as_deref().is_none_or(str::is_empty);
    let ws = caller.workspace;
    if platform == Platform::Bluesky {
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
    let p = profile(&state, ws, target(&b)?).await?;
    let url = match service::consent_url(&state, ws, &p, platform, return_url).await? {
        service::Consent::Provider(url) => url,
        service::Consent::ConnectLink(token) => link_url(&state, &token),
    };
    let body = json!({
        "profileKey": p.profile_key, "profileName": p.name, "platform": platform.as_str(),
        "profileCreated": created, "authUrl": url, "url": url,
    });
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(body))
}
