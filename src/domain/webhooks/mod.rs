//! Webhooks: events written to an outbox in the same transaction as the change that caused
//! them, and the subscriptions they fan out to — native (Standard Webhooks), Ayrshare
//! (registered at /api/hook/webhook) and Upload-Post (its notification config).

use super::accounts::SocialAccount;
use super::profiles::Profile;
use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::store::{self, Conn, webhooks::WebhookRow};
use serde_json::{Value, json};

mod dialects;
mod native;

pub use dialects::{
    AyrshareAction, list_ayrshare, register_ayrshare, sync_uploadpost, test_uploadpost, unregister_ayrshare,
};
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

    /// Ayrshare's `type` for the social action, where it has one.
    pub fn ayrshare_type(self) -> Option<&'static str> {
        match self {
            EventType::AccountLinked => Some("link"),
            EventType::AccountUnlinked => Some("unlink"),
            EventType::AccountRefreshed | EventType::AccountNeedsReconnect => Some("refresh"),
            _ => None,
        }
    }

    /// Upload-Post's notification event, where it has one.
    pub fn uploadpost_event(self) -> Option<&'static str> {
        match self {
            EventType::AccountLinked => Some("social_account_connected"),
            EventType::AccountUnlinked => Some("social_account_disconnected"),
            EventType::AccountNeedsReconnect => Some("social_account_reauth_required"),
            _ => None,
        }
    }
}

/// The event's data: who and what, never a token.
pub fn event_data(profile: &Profile, account: Option<&SocialAccount>) -> Value {
    let mut data = json!({
        "profileId": profile.id, "profileKey": profile.profile_key, "externalId": profile.external_id,
        "username": profile.username, "name": profile.name,
    });
    if let Some(a) = account {
        data["platform"] = json!(a.platform.as_str());
        data["account"] = json!({
            "platformUserId": a.platform_user_id, "username": a.username, "displayName": a.display_name,
            "profileUrl": a.profile_url, "expiresAt": a.expires_at, "needsReconnect": a.needs_reconnect,
            "reconnectReason": a.reconnect_reason,
        });
    }
    data
}

fn wants(hook: &WebhookRow, kind: EventType) -> bool {
    match hook.kind.as_str() {
        NATIVE => serde_json::from_str::<Vec<String>>(&hook.events)
            .is_ok_and(|evs| evs.iter().any(|e| e == kind.as_str() || e == "*")),
        AYRSHARE => hook.events == "social" && kind.ayrshare_type().is_some(),
        UPLOADPOST => kind.uploadpost_event().is_some_and(|e| {
            serde_json::from_str::<Vec<String>>(&hook.events)
                .is_ok_and(|evs| evs.is_empty() || evs.iter().any(|x| x == e))
        }),
        _ => false,
    }
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

pub const NATIVE: &str = "native";
pub const AYRSHARE: &str = "ayrshare";
pub const UPLOADPOST: &str = "uploadpost";
