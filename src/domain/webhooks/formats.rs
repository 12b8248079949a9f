//! Subscriptions a wire format keeps in its own terms (one per label, or one per workspace),
//! as opposed to the native API's, which are addressed by id. The format names its kind and
//! its label; which events each gets is said in native event types, so fanning out never
//! needs the format's rules.

use super::native::queue_ping;
use super::{EventType, new_id};
use crate::domain::Result;
use crate::domain::workspaces::WorkspaceId;
use crate::store::{self, Conn, webhooks::WebhookRow};
use serde_json::json;

/// What a format subscribes to: where, under which of its names, for which events.
#[derive(Debug, Clone)]
pub struct Subscription<'a> {
    pub url: &'a str,
    pub label: &'a str,
    pub events: &'a [EventType],
}

fn insert(conn: &Conn, ws: WorkspaceId, kind: &str, s: &Subscription) -> Result<String> {
    let now = store::now();
    let id = new_id("wh");
    let events: Vec<&str> = s.events.iter().map(|e| e.as_str()).collect();
    store::webhooks::insert_webhook(
        conn,
        &WebhookRow {
            id: id.clone(),
            workspace_id: ws.0,
            kind: kind.into(),
            url: s.url.into(),
            events: json!(events).to_string(),
            description: None,
            enabled: true,
            created_at: now.clone(),
            updated_at: now,
            disabled_reason: None,
            consecutive_failures: 0,
            label: Some(s.label.into()),
        },
    )?;
    Ok(id)
}

/// Registers (or re-points) the workspace's `kind` subscription with this label; a sealed
/// `secret`, if given, signs its deliveries from now on.
pub fn register(
    conn: &Conn,
    ws: WorkspaceId,
    kind: &str,
    s: &Subscription,
    sealed_secret: Option<&[u8]>,
) -> Result<()> {
    let existing = list_of(conn, ws, kind)?.into_iter().find(|h| h.label.as_deref() == Some(s.label));
    let id = match existing {
        Some(h) => {
            store::webhooks::update_webhook_url(conn, &h.id, s.url)?;
            h.id
        }
        None => insert(conn, ws, kind, s)?,
    };
    store::webhooks::expire_secrets(conn, &id, &store::now())?;
    if let Some(secret) = sealed_secret {
        store::webhooks::insert_secret(conn, &id, secret)?;
    }
    Ok(())
}

/// Removes the workspace's `kind` subscription with this label; false when there was none.
pub fn unregister(conn: &Conn, ws: WorkspaceId, kind: &str, label: &str) -> Result<bool> {
    Ok(store::webhooks::delete_webhooks_by_label(conn, ws.0, kind, label)? > 0)
}

/// The workspace's `kind` subscriptions, oldest first.
pub fn list_of(conn: &Conn, ws: WorkspaceId, kind: &str) -> Result<Vec<WebhookRow>> {
    Ok(store::webhooks::list_webhooks(conn, ws.0, kind)?)
}

/// Makes `s` the workspace's only `kind` subscription (none when `s` is `None`).
pub fn replace_all(conn: &Conn, ws: WorkspaceId, kind: &str, s: Option<&Subscription>) -> Result<()> {
    store::webhooks::delete_webhooks_of_kind(conn, ws.0, kind)?;
    if let Some(s) = s {
        insert(conn, ws, kind, s)?;
    }
    Ok(())
}

/// Queues a ping to the workspace's first `kind` subscription; `None` when it has none.
pub fn ping_first(conn: &Conn, ws: WorkspaceId, kind: &str) -> Result<Option<String>> {
    match list_of(conn, ws, kind)?.into_iter().next() {
        Some(hook) => queue_ping(conn, ws, &hook).map(Some),
        None => Ok(None),
    }
}
