//! Webhook subscriptions. Delivery is the webhooks issue's; here, the registrations the
//! dialects make.

use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::store::{self, Conn, webhooks::WebhookRow};

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

const AYRSHARE: &str = "ayrshare";

/// Registers (or re-points) the workspace's Ayrshare webhook for an action.
pub fn register_ayrshare(conn: &Conn, ws: WorkspaceId, action: &str, url: &str) -> Result<()> {
    let existing = store::webhooks::list_webhooks(conn, ws.0, AYRSHARE)?.into_iter().find(|h| h.events == action);
    match existing {
        Some(h) => store::webhooks::update_webhook_url(conn, &h.id, url)?,
        None => {
            let now = store::now();
            store::webhooks::insert_webhook(
                conn,
                &WebhookRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    workspace_id: ws.0,
                    kind: AYRSHARE.into(),
                    url: url.into(),
                    events: action.into(),
                    description: None,
                    enabled: true,
                    created_at: now.clone(),
                    updated_at: now,
                },
            )?
        }
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
