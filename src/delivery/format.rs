//! How a delivery looks on the wire is the business of the format that made the
//! subscription (the native API, or a hosted service's dialect): the worker asks it for the
//! body and headers and sends them.

use crate::domain::webhooks::EventType;
use serde_json::Value;

/// One event of the outbox, as a format renders it.
pub struct Event<'a> {
    pub id: &'a str,
    pub kind: EventType,
    /// When it happened (RFC 3339).
    pub created_at: &'a str,
    /// What the domain recorded of the event (`profiles::event_data`, `accounts::event_data`).
    pub data: &'a Value,
}

/// What one attempt sends, beyond the `webhook-id` and `webhook-timestamp` every kind gets.
pub struct Rendered {
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

/// A wire format of webhook deliveries.
pub trait WebhookFormat: Send + Sync + 'static {
    /// The subscriptions it renders for (their `kind`).
    fn kind(&self) -> &'static str;

    /// The body and headers for one attempt at `now` (Unix seconds); `secrets` are the
    /// subscription's signing secrets in force, newest first.
    fn render(&self, event: &Event, secrets: &[String], now: i64) -> Rendered;
}

/// The formats the server delivers in; the first is used for a kind none claims.
pub type Formats = std::sync::Arc<[Box<dyn WebhookFormat>]>;
