//! `POST /connect/api/done`: the end of a page session, and where it returns the person to.

use super::COOKIE;
use super::session::{PageError, from_page, not_from_page, session};
use crate::api::body;
use crate::app::App;
use crate::domain::connect;
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, accounts};
use crate::service::FailureKind;
use actix_web::cookie::Cookie;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

/// What the page tells the server as it ends: the person's last attempt failed, and how.
/// The page knows this (the provider sent the person back to it with the code); trusting it
/// costs nothing, as it only picks which of the platform's own URLs the person returns to.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneBody {
    error: Option<String>,
    platform: Option<String>,
}

/// A failed last attempt: its stable code and platform.
fn failure(b: DoneBody) -> domain::Result<Option<(FailureKind, Platform)>> {
    let Some(code) = b.error.filter(|e| !e.is_empty()) else { return Ok(None) };
    let kind = FailureKind::parse(&code).ok_or_else(|| {
        domain::Error::invalid(
            "error",
            "must be one of refused, declined, expired, unreachable, misconfigured, limited",
        )
    })?;
    let platform = Platform::parse(b.platform.as_deref().unwrap_or_default())?;
    Ok(Some((kind, platform)))
}

/// `POST /connect/api/done {error?, platform?}`: where the Done button goes (the link's
/// redirectUrl, or its errorRedirectUrl after a failure), the message a popup posts to its
/// opener, and the end of the session.
pub async fn done(state: web::Data<App>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, PageError> {
    if !from_page(&req) {
        return Err(not_from_page());
    }
    let s = session(&state, &req).await?;
    let b: DoneBody = body::json_or_empty(&req, payload).await?;
    let failed = failure(b)?;
    let profile = s.profile.clone();
    let linked = state.db.read(move |c| accounts::list_for(c, &profile)).await?;
    let connected: Vec<&str> = linked.iter().filter(|a| !a.needs_reconnect).map(|a| a.platform.as_str()).collect();
    let status = match (failed, connected.is_empty()) {
        (Some(_), _) => "error",
        (None, true) => "cancelled",
        (None, false) => "success",
    };
    let o = &s.options;
    let target = match failed {
        Some(_) => o.error_redirect_url.as_deref().or(o.redirect_url.as_deref()),
        None => o.redirect_url.as_deref(),
    };
    let url = target.and_then(|r| url::Url::parse(r).ok()).map(|mut u| {
        let mut q = u.query_pairs_mut();
        q.append_pair("profileId", &s.profile.id);
        match failed {
            Some((kind, platform)) => {
                q.append_pair("platform", platform.as_str()).append_pair("error", kind.as_str());
            }
            None => {
                q.append_pair("connected", &connected.join(","));
            }
        }
        q.append_pair("status", status);
        drop(q);
        u.to_string()
    });
    let mut message = json!({
        "type": "hitchpost:connect", "profileId": s.profile.id, "connected": connected, "status": status,
    });
    if let Some((kind, platform)) = failed {
        message["error"] = kind.as_str().into();
        message["platform"] = platform.as_str().into();
    }
    let (ws, jti) = (WorkspaceId(s.claims.ws), s.claims.jti.clone());
    state.db.write(move |c| connect::finish(c, ws, &jti)).await?;
    let mut gone = Cookie::build(COOKIE, "").path("/connect").finish();
    gone.make_removal();
    Ok(HttpResponse::Ok().cookie(gone).json(json!({
        "url": url, "connected": connected, "status": status,
        // Only a popup posts, and only to this origin: never `*`.
        "message": message, "origin": o.popup_origin(),
    })))
}
