//! The native webhook format: Standard Webhooks (`{id, type, timestamp, data}`, signed with
//! `webhook-signature: v1,…` by every secret in force).

use crate::delivery::{Event, Rendered, WebhookFormat, sign};
use crate::domain::webhooks::NATIVE;
use serde_json::json;

/// Renders native subscriptions' deliveries.
pub struct NativeHooks;

impl WebhookFormat for NativeHooks {
    fn kind(&self) -> &'static str {
        NATIVE
    }

    fn render(&self, e: &Event, secrets: &[String], now: i64) -> Rendered {
        let body = json!({ "id": e.id, "type": e.kind.as_str(), "timestamp": e.created_at, "data": e.data });
        let body = body.to_string().into_bytes();
        let sigs: Vec<String> = secrets.iter().filter_map(|s| sign(s, e.id, now, &body)).collect();
        Rendered { body, headers: vec![("webhook-signature".into(), sigs.join(" "))] }
    }
}
