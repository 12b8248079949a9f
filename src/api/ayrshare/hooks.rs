//! `/api/hook/webhook`: Ayrshare webhook registrations, one URL per action.

use super::{Auth, Error};
use crate::api::body;
use crate::app::App;
use crate::domain::{self, webhooks};
use crate::providers::net;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Deserialize)]
pub struct HookBody {
    action: Option<String>,
    url: Option<String>,
    /// Signs deliveries (`X-Authorization-Content-SHA256`) when given.
    secret: Option<String>,
}

fn action(b: &HookBody) -> Result<String, Error> {
    let a = b.action.clone().unwrap_or_default();
    Ok(webhooks::AyrshareAction::parse(&a)?.as_str().to_string())
}

/// `POST /api/hook/webhook {action, url}`.
pub async fn register(
    state: web::Data<App>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: HookBody = body::json_or_empty(&req, payload).await?;
    let action = action(&b)?;
    let url = b.url.filter(|u| !u.is_empty()).ok_or_else(|| domain::Error::invalid("url", "is required"))?;
    let url = net::check_outbound(&url, state.providers.allow_private_outbound)
        .map_err(|why| domain::Error::invalid("url", why))?;
    let sealed = b.secret.filter(|s| !s.is_empty()).map(|s| state.sealer.seal(&s));
    let (ws, a, u) = (auth.caller.workspace, action.clone(), url.to_string());
    state.db.write(move |c| webhooks::register_ayrshare(c, ws, &a, &u, sealed.as_deref())).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "action": action, "url": url.to_string() })))
}

/// `DELETE /api/hook/webhook {action}`.
pub async fn unregister(
    state: web::Data<App>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: HookBody = body::json_or_empty(&req, payload).await?;
    let action = action(&b)?;
    let (ws, a) = (auth.caller.workspace, action.clone());
    state.db.write(move |c| webhooks::unregister_ayrshare(c, ws, &a)).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "action": action })))
}

/// `GET /api/hook/webhook`.
pub async fn list(state: web::Data<App>, auth: Auth) -> Result<HttpResponse, Error> {
    let hooks = state.db.read(move |c| webhooks::list_ayrshare(c, auth.caller.workspace)).await?;
    let list: Vec<_> = hooks
        .into_iter()
        .map(|h| json!({"action": h.events, "url": h.url, "created": h.created_at, "enabled": h.enabled}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "webhooks": list })))
}
