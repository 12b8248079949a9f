//! Upload-Post's notifications: the subscription its notification config stands for, and the
//! format of its deliveries (`{event, id, timestamp, data}`, unsigned, as Upload-Post sends).

use crate::delivery::{Event, Rendered, WebhookFormat};
use crate::domain::webhooks::{EventType, formats::Subscription};
use serde_json::{Map, Value, json};

/// The subscriptions' kind.
pub const KIND: &str = "uploadpost";

/// The notification events Upload-Post clients may subscribe to.
pub const NOTIFICATION_EVENTS: &[&str] =
    &["upload_completed", "social_account_connected", "social_account_disconnected", "social_account_reauth_required"];

/// Upload-Post's name for an event, where it has one (hitchpost never uploads, so
/// `upload_completed` never fires).
fn event_name(kind: EventType) -> Option<&'static str> {
    match kind {
        EventType::AccountLinked => Some("social_account_connected"),
        EventType::AccountUnlinked => Some("social_account_disconnected"),
        EventType::AccountNeedsReconnect => Some("social_account_reauth_required"),
        _ => None,
    }
}

/// The native events a list of Upload-Post's names asks for (none named: all it has).
fn events_for(names: &[String]) -> Vec<EventType> {
    EventType::SUBSCRIBABLE
        .into_iter()
        .filter(|k| event_name(*k).is_some_and(|n| names.is_empty() || names.iter().any(|x| x == n)))
        .collect()
}

/// The subscription a notification config stands for: its `webhook_url` and `webhook_events`.
pub fn subscription(config: &Map<String, Value>) -> Option<(String, String, Vec<EventType>)> {
    let url = config.get("webhook_url").and_then(Value::as_str)?;
    let names: Vec<String> = config
        .get("webhook_events")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Some((url.to_string(), json!(names).to_string(), events_for(&names)))
}

/// `subscription`'s parts as the domain takes them.
pub fn as_subscription<'a>(parts: &'a (String, String, Vec<EventType>)) -> Subscription<'a> {
    Subscription { url: &parts.0, label: &parts.1, events: &parts.2 }
}

/// Renders Upload-Post notification deliveries.
pub struct UploadPostHooks;

impl WebhookFormat for UploadPostHooks {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn render(&self, e: &Event, _secrets: &[String], _now: i64) -> Rendered {
        let (data, account) = (e.data, &e.data["account"]);
        let event = match e.kind {
            EventType::Ping => Some("test"),
            other => event_name(other),
        };
        let body = json!({
            "event": event, "id": e.id, "timestamp": e.created_at,
            "data": {
                "username": data["username"].as_str().or(data["profileKey"].as_str()), "platform": data["platform"],
                "account": { "username": account["username"], "display_name": account["displayName"] },
                "reason": account["reconnectReason"],
            },
        });
        Rendered { body: body.to_string().into_bytes(), headers: Vec::new() }
    }
}
