//! Native subscriptions (Standard Webhooks): create, change, rotate, ping, redeliver.

use super::{EventType, NATIVE, new_id};
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{Error, Result};
use crate::store::{self, Conn, webhooks::WebhookRow};
use serde_json::json;

/// A native subscription as shown (never its secret).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Webhook {
            events: serde_json::from_str(&r.events).unwrap_or_default(),
            id: r.id,
            url: r.url,
            description: r.description,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            consecutive_failures: r.consecutive_failures,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Validates a list of event types (at least one, known, without repeats).
pub fn parse_events(list: &[String]) -> Result<Vec<String>> {
    if list.is_empty() {
        return Err(Error::invalid("events", "must name at least one event type"));
    }
    let mut out: Vec<String> = Vec::new();
    for e in list {
        let t = EventType::parse(e)?.as_str().to_string();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// The most native subscriptions a workspace may have: every event fans out to each of them
/// inside the writer's transaction.
pub const MAX_WEBHOOKS: i64 = 20;

/// Creates a native subscription with its first (sealed) secret.
pub fn create(
    conn: &Conn,
    ws: WorkspaceId,
    url: String,
    events: Vec<String>,
    description: Option<String>,
    sealed_secret: &[u8],
) -> Result<Webhook> {
    store::workspaces::lock_workspace(conn, ws.0)?;
    if store::webhooks::count_webhooks(conn, ws.0, NATIVE)? >= MAX_WEBHOOKS {
        return Err(Error::LimitReached { what: "webhooks", limit: MAX_WEBHOOKS });
    }
    let now = store::now();
    let row = WebhookRow {
        id: new_id("wh"),
        workspace_id: ws.0,
        kind: NATIVE.into(),
        url,
        events: json!(events).to_string(),
        description,
        enabled: true,
        created_at: now.clone(),
        updated_at: now,
        disabled_reason: None,
        consecutive_failures: 0,
        label: None,
    };
    store::webhooks::insert_webhook(conn, &row)?;
    store::webhooks::insert_secret(conn, &row.id, sealed_secret)?;
    Ok(row.into())
}

fn find_native(conn: &Conn, ws: WorkspaceId, id: &str) -> Result<WebhookRow> {
    store::webhooks::find_webhook(conn, ws.0, id)?.filter(|w| w.kind == NATIVE).ok_or(Error::NotFound("webhook"))
}

/// The workspace's native subscriptions.
pub fn list(conn: &Conn, ws: WorkspaceId) -> Result<Vec<Webhook>> {
    Ok(store::webhooks::list_webhooks(conn, ws.0, NATIVE)?.into_iter().map(Webhook::from).collect())
}

/// A change to a subscription.
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Applies a change; switching a subscription on clears its failure count and reason.
pub fn update(conn: &Conn, ws: WorkspaceId, id: &str, patch: WebhookPatch) -> Result<Webhook> {
    store::workspaces::lock_workspace(conn, ws.0)?;
    let mut row = find_native(conn, ws, id)?;
    if let Some(u) = patch.url {
        row.url = u;
    }
    if let Some(e) = patch.events {
        row.events = json!(e).to_string();
    }
    if let Some(d) = patch.description {
        row.description = d;
    }
    if let Some(on) = patch.enabled {
        if on && !row.enabled {
            row.disabled_reason = None;
            row.consecutive_failures = 0;
        }
        row.enabled = on;
        if !on {
            row.disabled_reason = Some("switched off by its owner".into());
        }
    }
    row.updated_at = store::now();
    store::webhooks::update_webhook(conn, &row)?;
    Ok(row.into())
}

/// Deletes a subscription (and its pending deliveries).
pub fn delete(conn: &Conn, ws: WorkspaceId, id: &str) -> Result<()> {
    find_native(conn, ws, id)?;
    store::webhooks::delete_webhook(conn, ws.0, id)?;
    Ok(())
}

/// Adds a new secret; the ones before it keep signing until `overlap_until`.
pub fn rotate_secret(conn: &Conn, ws: WorkspaceId, id: &str, sealed_secret: &[u8], overlap_until: &str) -> Result<()> {
    find_native(conn, ws, id)?;
    store::webhooks::expire_secrets(conn, id, overlap_until)?;
    store::webhooks::insert_secret(conn, id, sealed_secret)?;
    Ok(())
}

/// Queues a ping for one subscription.
pub fn ping(conn: &Conn, ws: WorkspaceId, id: &str) -> Result<String> {
    let hook = find_native(conn, ws, id)?;
    queue_ping(conn, ws, &hook)
}

pub(super) fn queue_ping(conn: &Conn, ws: WorkspaceId, hook: &WebhookRow) -> Result<String> {
    let now = store::now();
    let event_id = new_id("evt");
    let data = json!({ "webhookId": hook.id, "message": "ping" });
    store::webhooks::insert_event(
        conn,
        &store::webhooks::EventRow {
            id: event_id.clone(),
            workspace_id: ws.0,
            kind: EventType::Ping.as_str().into(),
            data: data.to_string(),
            created_at: now.clone(),
        },
    )?;
    let delivery = new_id("dlv");
    store::webhooks::insert_delivery(conn, &delivery, &event_id, &hook.id, &format!("ping:{}", hook.id), &now)?;
    Ok(delivery)
}

/// A subscription's recent deliveries.
pub fn deliveries(conn: &Conn, ws: WorkspaceId, id: &str) -> Result<Vec<store::webhooks::DeliveryRow>> {
    find_native(conn, ws, id)?;
    Ok(store::webhooks::list_deliveries(conn, id, 100)?)
}

/// Queues the event of an earlier delivery again (a new delivery, same event id).
pub fn redeliver(conn: &Conn, ws: WorkspaceId, id: &str, delivery_id: &str) -> Result<String> {
    find_native(conn, ws, id)?;
    let (event_id, ordering_key) =
        store::webhooks::find_delivery_event(conn, id, delivery_id)?.ok_or(Error::NotFound("delivery"))?;
    let new = new_id("dlv");
    store::webhooks::insert_delivery(conn, &new, &event_id, id, &ordering_key, &store::now())?;
    Ok(new)
}
