//! The dialects' subscriptions: Ayrshare's registrations (/api/hook/webhook) and Upload-Post's
//! notification config, and Upload-Post's test notification.

use super::native::queue_ping;
use super::{AYRSHARE, UPLOADPOST, new_id};
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{Error, Result};
use crate::store::{self, Conn, webhooks::WebhookRow};
use serde_json::json;

/// Queues a test notification to the workspace's Upload-Post subscription.
pub fn test_uploadpost(conn: &Conn, ws: WorkspaceId) -> Result<String> {
    let hook = store::webhooks::list_webhooks(conn, ws.0, UPLOADPOST)?.into_iter().next();
    let hook = hook.ok_or_else(|| Error::invalid("webhook_url", "is not configured: set it before sending a test"))?;
    queue_ping(conn, ws, &hook)
}

/// The Ayrshare webhook actions a registration may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AyrshareAction {
    Social,
    Batch,
    Scheduled,
    Feed,
    Messages,
    Comments,
}

impl AyrshareAction {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.trim() {
            "social" => Self::Social,
            "batch" => Self::Batch,
            "scheduled" => Self::Scheduled,
            "feed" => Self::Feed,
            "messages" => Self::Messages,
            "comments" => Self::Comments,
            _ => {
                return Err(Error::invalid(
                    "action",
                    "must be one of social, batch, scheduled, feed, messages, comments",
                ));
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Social => "social",
            Self::Batch => "batch",
            Self::Scheduled => "scheduled",
            Self::Feed => "feed",
            Self::Messages => "messages",
            Self::Comments => "comments",
        }
    }
}

fn insert_dialect_hook(conn: &Conn, ws: WorkspaceId, kind: &str, url: &str, events: &str) -> Result<()> {
    let now = store::now();
    store::webhooks::insert_webhook(
        conn,
        &WebhookRow {
            id: new_id("wh"),
            workspace_id: ws.0,
            kind: kind.into(),
            url: url.into(),
            events: events.into(),
            description: None,
            enabled: true,
            created_at: now.clone(),
            updated_at: now,
            disabled_reason: None,
            consecutive_failures: 0,
        },
    )?;
    Ok(())
}

/// Registers (or re-points) the workspace's Ayrshare webhook for an action; `secret` (if the
/// caller gave one) signs its deliveries.
pub fn register_ayrshare(
    conn: &Conn,
    ws: WorkspaceId,
    action: &str,
    url: &str,
    sealed_secret: Option<&[u8]>,
) -> Result<()> {
    let existing = store::webhooks::list_webhooks(conn, ws.0, AYRSHARE)?.into_iter().find(|h| h.events == action);
    let id = match existing {
        Some(h) => {
            store::webhooks::update_webhook_url(conn, &h.id, url)?;
            h.id
        }
        None => {
            insert_dialect_hook(conn, ws, AYRSHARE, url, action)?;
            store::webhooks::list_webhooks(conn, ws.0, AYRSHARE)?
                .into_iter()
                .find(|h| h.events == action)
                .map(|h| h.id)
                .unwrap_or_default()
        }
    };
    store::webhooks::expire_secrets(conn, &id, &store::now())?;
    if let Some(s) = sealed_secret {
        store::webhooks::insert_secret(conn, &id, s)?;
    }
    Ok(())
}

/// Removes the workspace's Ayrshare webhook for an action.
pub fn unregister_ayrshare(conn: &Conn, ws: WorkspaceId, action: &str) -> Result<()> {
    if store::webhooks::delete_webhooks_by_events(conn, ws.0, AYRSHARE, action)? == 0 {
        return Err(Error::NotFound("webhook"));
    }
    Ok(())
}

/// The workspace's Ayrshare webhooks.
pub fn list_ayrshare(conn: &Conn, ws: WorkspaceId) -> Result<Vec<WebhookRow>> {
    Ok(store::webhooks::list_webhooks(conn, ws.0, AYRSHARE)?)
}

/// Makes the workspace's Upload-Post subscription follow its notification config.
pub fn sync_uploadpost(conn: &Conn, ws: WorkspaceId, url: Option<&str>, events: &[String]) -> Result<()> {
    store::webhooks::delete_webhooks_of_kind(conn, ws.0, UPLOADPOST)?;
    if let Some(url) = url {
        insert_dialect_hook(conn, ws, UPLOADPOST, url, &json!(events).to_string())?;
    }
    Ok(())
}
