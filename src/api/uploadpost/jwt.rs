//! `/api/uploadposts/users/generate-jwt` and `/validate-jwt`: connect links in Upload-Post's words.

use super::{Auth, Error, State, need, ok, profile_json};
use crate::api::{authenticate, body, presented_key};
use crate::domain::connect::{self, NewLink, RawLinkOptions};
use crate::domain::{self, accounts};
use crate::service::{self, Issued, Target};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct GenerateBody {
    username: Option<String>,
    redirect_url: Option<String>,
    logo_image: Option<String>,
    redirect_button_text: Option<String>,
    platforms: Option<Vec<String>>,
    connect_title: Option<String>,
    connect_description: Option<String>,
    language: Option<String>,
    ui_labels: Option<BTreeMap<String, String>>,
    /// Minutes; hitchpost's addition (Upload-Post links last an hour).
    expires_in: Option<i64>,
}

/// `1h`, `30m`, `48h`: how Upload-Post writes a link's lifetime.
fn duration(minutes: i64) -> String {
    if minutes % 60 == 0 { format!("{}h", minutes / 60) } else { format!("{minutes}m") }
}

/// `POST /users/generate-jwt` -> `{success, access_url, duration, jwt}`.
pub async fn generate(
    state: State,
    Auth { caller, .. }: Auth<need::ProfilesConnect>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: GenerateBody = body::json(&req, payload).await?;
    let name =
        b.username.filter(|u| !u.trim().is_empty()).ok_or_else(|| domain::Error::invalid("username", "is required"))?;
    let new = NewLink::parse(RawLinkOptions {
        redirect_url: b.redirect_url,
        logo_url: b.logo_image,
        platforms: b.platforms,
        title: b.connect_title,
        description: b.connect_description,
        button_text: b.redirect_button_text,
        language: b.language,
        labels: b.ui_labels,
        expires_in_minutes: b.expires_in,
        ..Default::default()
    })?;
    let minutes = new.expires_in_minutes;
    let whose = Target::Handle(name.trim().to_string());
    let Issued { link, url } = service::issue(&state, caller.workspace, whose, new).await?;
    Ok(ok(json!({
        "success": true,
        "access_url": url,
        "duration": duration(minutes),
        "jwt": link.token,
    })))
}

#[derive(Debug, Default, Deserialize)]
pub struct ValidateBody {
    jwt: Option<String>,
}

fn invalid(reason: &str) -> Value {
    json!({ "isValid": false, "reason": reason })
}

/// `POST|GET /users/validate-jwt`: with the API key and `{jwt}`, or with the JWT itself as
/// `Authorization: Bearer JWT`. Valid -> `{success, profile}`; invalid -> 200 `{isValid: false, reason}`.
pub async fn validate(state: State, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, Error> {
    let bearer = presented_key(&req, "Bearer", None).map(str::to_owned);
    let (token, workspace) = match bearer {
        // The token authenticates itself: it names its workspace and is signed by this server.
        Some(t) => (t, None),
        None => {
            let missing = "send `Authorization: Bearer JWT`, or your API key with `{\"jwt\": ...}`";
            let key = presented_key(&req, "ApiKey", None).ok_or(domain::Error::Unauthorized(missing))?;
            let caller = authenticate::<need::ProfilesConnect>(&state, key).await?;
            let b: ValidateBody = body::json_or_empty(&req, payload).await?;
            let token = b.jwt.filter(|t| !t.is_empty()).ok_or_else(|| domain::Error::invalid("jwt", "is required"))?;
            (token, Some(caller.workspace))
        }
    };
    let jwt = state.jwt.clone();
    let answer = state
        .db
        .read(move |c| {
            let checked = match connect::validate(c, &jwt, &token, workspace)? {
                Ok(l) => l,
                Err(refusal) => return Ok(invalid(refusal.reason())),
            };
            let linked = accounts::list_for(c, &checked.profile)?;
            let mut profile = profile_json(&checked.profile, &linked);
            let o = &checked.options;
            let extra = json!({
                "language": o.language, "ui_labels": o.labels, "redirect_url": o.redirect_url,
                "logo_image": o.logo_url, "redirect_button_text": o.button_text,
                "connect_title": o.title, "connect_description": o.description,
                "platforms": o.platforms,
            });
            if let Value::Object(extra) = extra {
                profile.extend(extra);
            }
            Ok::<_, domain::Error>(json!({ "success": true, "profile": profile }))
        })
        .await?;
    Ok(ok(answer))
}
