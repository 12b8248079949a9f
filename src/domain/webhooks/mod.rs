//! Webhooks: events written to an outbox in the same transaction as the change that caused
//! them, and the subscriptions they fan out to: the native API's (`native`) and those a wire
//! format keeps in its own terms (`formats`). Every subscription says in native event types
//! which events it wants; how a format renders them is the delivery's business, not the
//! domain's.

use super::workspaces::WorkspaceId;
use super::{Error, Result};
/// A delivery attempt's record, as listed.
pub use crate::store::webhooks::DeliveryRow as Delivery;
use crate::store::{self, Conn, webhooks::WebhookRow};
use serde_json::Value;

pub mod formats;
mod native;

pub use native::{
    Webhook, WebhookPatch, create, delete, deliveries, list, parse_events, ping, redeliver, rotate_secret, update,
};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    ProfileCreated,
    ProfileDeleted,
    AccountLinked,
    AccountUnlinked,
    AccountNeedsReconnect,
    AccountExpiring,
    AccountRefreshed,
    /// Sent by `POST /v1/webhooks/{id}/ping` to that subscription alone.
    Ping,
}

impl EventType {
    /// Every type a subscription may ask for.
    pub const SUBSCRIBABLE: [EventType; 7] = [
        EventType::ProfileCreated,
        EventType::ProfileDeleted,
        EventType::AccountLinked,
        EventType::AccountUnlinked,
        EventType::AccountNeedsReconnect,
        EventType::AccountExpiring,
        EventType::AccountRefreshed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ProfileCreated => "profile.created",
            EventType::ProfileDeleted => "profile.deleted",
            EventType::AccountLinked => "account.linked",
            EventType::AccountUnlinked => "account.unlinked",
            EventType::AccountNeedsReconnect => "account.needs_reconnect",
            EventType::AccountExpiring => "account.expiring",
            EventType::AccountRefreshed => "account.refreshed",
            EventType::Ping => "webhook.ping",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::SUBSCRIBABLE.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::SUBSCRIBABLE.iter().map(|t| t.as_str()).collect();
            Error::invalid("events", format!("`{s}` is not one of {}", all.join(", ")))
        })
    }
}

fn wants(hook: &WebhookRow, kind: EventType) -> bool {
    serde_json::from_str::<Vec<String>>(&hook.events)
        .is_ok_and(|evs| evs.iter().any(|e| e == kind.as_str() || e == "*"))
}

fn new_id(prefix: &str) -> String {
    // Time-ordered, so event and delivery rows append to their id indexes.
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// Writes an event and a delivery for every enabled subscription that wants it. Runs in the
/// caller's transaction: the event stands or falls with the change.
pub fn emit(conn: &Conn, ws: WorkspaceId, kind: EventType, ordering_key: &str, data: Value) -> Result<String> {
    let hooks: Vec<WebhookRow> =
        store::webhooks::list_enabled_webhooks(conn, ws.0)?.into_iter().filter(|h| wants(h, kind)).collect();
    let id = new_id("evt");
    if hooks.is_empty() {
        return Ok(id);
    }
    let now = store::now();
    store::webhooks::insert_event(
        conn,
        &store::webhooks::EventRow {
            id: id.clone(),
            workspace_id: ws.0,
            kind: kind.as_str().into(),
            data: data.to_string(),
            created_at: now.clone(),
        },
    )?;
    for h in hooks {
        store::webhooks::insert_delivery(conn, &new_id("dlv"), &id, &h.id, ordering_key, &now)?;
    }
    Ok(id)
}

/// The kind of the native API's subscriptions (and the format of any kind no format claims).
pub const NATIVE: &str = "native";
