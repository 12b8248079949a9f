//! Webhooks: events written to an outbox in the same transaction as the change that caused
//! them, and the subscriptions they fan out to — native (Standard Webhooks), Ayrshare
//! (registered at /api/hook/webhook) and Upload-Post (its notification config).

use super::accounts::SocialAccount;
use super::profiles::Profile;
use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::store::{self, Conn, webhooks::WebhookRow};
use serde_json::{Value, json};

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

/// Creates a native subscription with its first (sealed) secret.
pub fn create(
    conn: &Conn,
    ws: WorkspaceId,
    url: String,
    events: Vec<String>,
    description: Option<String>,
    sealed_secret: &[u8],
) -> Result<Webhook> {
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

/// Queues a test notification to the workspace's Upload-Post subscription.
pub fn test_uploadpost(conn: &Conn, ws: WorkspaceId) -> Result<String> {
    let hook = store::webhooks::list_webhooks(conn, ws.0, UPLOADPOST)?.into_iter().next();
    let hook = hook.ok_or_else(|| Error::invalid("webhook_url", "is not configured: set it before sending a test"))?;
    queue_ping(conn, ws, &hook)
}

fn queue_ping(conn: &Conn, ws: WorkspaceId, hook: &WebhookRow) -> Result<String> {
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
