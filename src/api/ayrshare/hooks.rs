//! Ayrshare's webhooks: `/api/hook/webhook` registrations, one URL per action, and the
//! format their deliveries take (`{action: "social", type: link|unlink|refresh, ...}`, with
//! `X-Authorization-Content-SHA256`).

use super::{Auth, Error, need, platform_name, ref_id_of};
use crate::api::body;
use crate::app::App;
use crate::delivery::{Event, Rendered, WebhookFormat};
use crate::domain::platform::Platform;
use crate::domain::webhooks::{EventType, formats};
use crate::domain::{self};
use crate::providers::net;
use actix_web::{HttpRequest, HttpResponse, web};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

/// The subscriptions' kind.
const KIND: &str = "ayrshare";

/// The Ayrshare webhook actions a registration may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Social,
    Batch,
    Scheduled,
    Feed,
    Messages,
    Comments,
}

impl Action {
    const ALL: [Action; 6] =
        [Action::Social, Action::Batch, Action::Scheduled, Action::Feed, Action::Messages, Action::Comments];

    fn parse(s: &str) -> Result<Self, domain::Error> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim()).ok_or_else(|| {
            domain::Error::invalid("action", "must be one of social, batch, scheduled, feed, messages, comments")
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Social => "social",
            Self::Batch => "batch",
            Self::Scheduled => "scheduled",
            Self::Feed => "feed",
            Self::Messages => "messages",
            Self::Comments => "comments",
        }
    }

    /// The events an action's webhook hears (only `social` has any here: hitchpost does not
    /// post, schedule or read feeds).
    fn events(self) -> &'static [EventType] {
        match self {
            Self::Social => &[
                EventType::AccountLinked,
                EventType::AccountUnlinked,
                EventType::AccountRefreshed,
                EventType::AccountNeedsReconnect,
            ],
            _ => &[],
        }
    }
}

/// Ayrshare's `type` for the social action, where it has one.
fn social_type(kind: EventType) -> Option<&'static str> {
    match kind {
        EventType::AccountLinked => Some("link"),
        EventType::AccountUnlinked => Some("unlink"),
        EventType::AccountRefreshed | EventType::AccountNeedsReconnect => Some("refresh"),
        _ => None,
    }
}

/// The body Ayrshare sends to a `social` webhook.
fn payload(e: &Event) -> Value {
    let data = e.data;
    let ref_id = ref_id_of(data["profileId"].as_str().unwrap_or_default());
    let platform = data["platform"].as_str().and_then(|p| Platform::parse(p).ok()).map(platform_name);
    let account = &data["account"];
    let mut body = json!({
        "action": "social", "type": social_type(e.kind), "source": "user", "platform": platform,
        "refId": ref_id, "profileKey": data["profileKey"], "title": data["name"], "created": e.created_at, "id": e.id,
        "username": account["username"], "displayName": account["displayName"],
    });
    if e.kind == EventType::AccountNeedsReconnect {
        body["refreshRequired"] = json!(true);
        body["reason"] = account["reconnectReason"].clone();
    }
    body
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders Ayrshare registrations' deliveries: the body's HMAC-SHA256 under the registration's
/// secret, or its plain SHA-256 when it has none.
pub struct AyrshareHooks;

impl WebhookFormat for AyrshareHooks {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn render(&self, e: &Event, secrets: &[String], now: i64) -> Rendered {
        let body = payload(e).to_string().into_bytes();
        let digest = match secrets.first() {
            Some(secret) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
                mac.update(&body);
                hex(&mac.finalize().into_bytes())
            }
            None => {
                use sha2::Digest;
                hex(&Sha256::digest(&body))
            }
        };
        let headers = vec![
            ("x-authorization-timestamp".into(), now.to_string()),
            ("x-authorization-content-sha256".into(), digest),
        ];
        Rendered { body, headers }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct HookBody {
    action: Option<String>,
    url: Option<String>,
    /// Signs deliveries (`X-Authorization-Content-SHA256`) when given.
    secret: Option<String>,
}

fn action(b: &HookBody) -> Result<Action, Error> {
    Ok(Action::parse(b.action.as_deref().unwrap_or_default())?)
}

/// `POST /api/hook/webhook {action, url}`.
pub async fn register(
    state: web::Data<App>,
    auth: Auth<need::ProfilesWebhooks>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: HookBody = body::json_or_empty(&req, payload).await?;
    let action = action(&b)?;
    let url = b.url.filter(|u| !u.is_empty()).ok_or_else(|| domain::Error::invalid("url", "is required"))?;
    let url = net::check_outbound(&url, state.providers.allow_private_outbound)
        .map_err(|why| domain::Error::invalid("url", why))?;
    let sealed = b.secret.filter(|s| !s.is_empty()).map(|s| state.sealer.seal(&s));
    let (ws, u) = (auth.caller.workspace, url.to_string());
    state
        .db
        .write(move |c| {
            let s = formats::Subscription { url: &u, label: action.as_str(), events: action.events() };
            formats::register(c, ws, KIND, &s, sealed.as_deref())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "action": action.as_str(), "url": url.to_string() })))
}

/// `DELETE /api/hook/webhook {action}`.
pub async fn unregister(
    state: web::Data<App>,
    auth: Auth<need::ProfilesWebhooks>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: HookBody = body::json_or_empty(&req, payload).await?;
    let action = action(&b)?;
    let ws = auth.caller.workspace;
    let removed = state.db.write(move |c| formats::unregister(c, ws, KIND, action.as_str())).await?;
    if !removed {
        return Err(domain::Error::NotFound("webhook").into());
    }
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "action": action.as_str() })))
}

/// `GET /api/hook/webhook`.
pub async fn list(state: web::Data<App>, auth: Auth<need::ProfilesWebhooks>) -> Result<HttpResponse, Error> {
    let hooks = state.db.read(move |c| formats::list_of(c, auth.caller.workspace, KIND)).await?;
    let list: Vec<_> = hooks
        .into_iter()
        .map(|h| json!({"action": h.label, "url": h.url, "created": h.created_at, "enabled": h.enabled}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "status": "success", "webhooks": list })))
}
