//! The `webhooks`, `webhook_secrets`, `events` and `deliveries` tables.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A webhook subscription row.
#[derive(Debug, Clone)]
pub struct WebhookRow {
    pub id: String,
    pub workspace_id: i64,
    pub kind: String,
    pub url: String,
    pub events: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i64,
    /// What a wire format calls the subscription (an Ayrshare action, Upload-Post's event
    /// names); opaque below the API. `events` is always native event names.
    pub label: Option<String>,
}

/// Inserts a subscription.
pub fn insert_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::insert_webhook(c, w),
        Backend::Postgres(c) => postgres::webhooks::insert_webhook(c, w),
    }
}

/// A workspace's subscription.
pub fn find_webhook(conn: &Conn, workspace_id: i64, id: &str) -> Result<Option<WebhookRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::find_webhook(c, workspace_id, id),
        Backend::Postgres(c) => postgres::webhooks::find_webhook(c, workspace_id, id),
    }
}

/// A workspace's subscriptions of one kind, oldest first.
pub fn list_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<Vec<WebhookRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::list_webhooks(c, workspace_id, kind),
        Backend::Postgres(c) => postgres::webhooks::list_webhooks(c, workspace_id, kind),
    }
}

/// A workspace's enabled subscriptions of every kind (for fanning an event out).
pub fn list_enabled_webhooks(conn: &Conn, workspace_id: i64) -> Result<Vec<WebhookRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::list_enabled_webhooks(c, workspace_id),
        Backend::Postgres(c) => postgres::webhooks::list_enabled_webhooks(c, workspace_id),
    }
}

/// Writes a subscription's url, events, description and state.
pub fn update_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::update_webhook(c, w),
        Backend::Postgres(c) => postgres::webhooks::update_webhook(c, w),
    }
}

/// Points a subscription at another URL (and switches it back on).
pub fn update_webhook_url(conn: &Conn, id: &str, url: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::update_webhook_url(c, id, url),
        Backend::Postgres(c) => postgres::webhooks::update_webhook_url(c, id, url),
    }
}

/// Deletes a workspace's subscription; false when there was none.
pub fn delete_webhook(conn: &Conn, workspace_id: i64, id: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::delete_webhook(c, workspace_id, id),
        Backend::Postgres(c) => postgres::webhooks::delete_webhook(c, workspace_id, id),
    }
}

/// Deletes a workspace's subscriptions of one kind with the given label; returns how many.
pub fn delete_webhooks_by_label(conn: &Conn, workspace_id: i64, kind: &str, label: &str) -> Result<usize> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::delete_webhooks_by_label(c, workspace_id, kind, label),
        Backend::Postgres(c) => postgres::webhooks::delete_webhooks_by_label(c, workspace_id, kind, label),
    }
}

/// Deletes a workspace's subscriptions of one kind.
pub fn delete_webhooks_of_kind(conn: &Conn, workspace_id: i64, kind: &str) -> Result<usize> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::delete_webhooks_of_kind(c, workspace_id, kind),
        Backend::Postgres(c) => postgres::webhooks::delete_webhooks_of_kind(c, workspace_id, kind),
    }
}

/// Counts an event that reached the subscription.
pub fn record_webhook_success(conn: &Conn, id: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::record_webhook_success(c, id),
        Backend::Postgres(c) => postgres::webhooks::record_webhook_success(c, id),
    }
}

/// Counts an event that never reached the subscription; switches it off at `threshold`.
/// Returns whether it was switched off now.
pub fn record_webhook_failure(conn: &Conn, id: &str, threshold: i64, reason: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::record_webhook_failure(c, id, threshold, reason),
        Backend::Postgres(c) => postgres::webhooks::record_webhook_failure(c, id, threshold, reason),
    }
}

/// Stores a sealed signing secret.
pub fn insert_secret(conn: &Conn, webhook_id: &str, sealed: &[u8]) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::insert_secret(c, webhook_id, sealed),
        Backend::Postgres(c) => postgres::webhooks::insert_secret(c, webhook_id, sealed),
    }
}

/// Gives a subscription's current secrets an end (after a rotation).
pub fn expire_secrets(conn: &Conn, webhook_id: &str, at: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::expire_secrets(c, webhook_id, at),
        Backend::Postgres(c) => postgres::webhooks::expire_secrets(c, webhook_id, at),
    }
}

/// A subscription's sealed secrets still live at `now`, newest first.
pub fn list_live_secrets(conn: &Conn, webhook_id: &str, now: &str) -> Result<Vec<Vec<u8>>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::list_live_secrets(c, webhook_id, now),
        Backend::Postgres(c) => postgres::webhooks::list_live_secrets(c, webhook_id, now),
    }
}

/// An event row.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: String,
    pub workspace_id: i64,
    pub kind: String,
    pub data: String,
    pub created_at: String,
}

/// Inserts an event.
pub fn insert_event(conn: &Conn, e: &EventRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::insert_event(c, e),
        Backend::Postgres(c) => postgres::webhooks::insert_event(c, e),
    }
}

/// Inserts a pending delivery.
pub fn insert_delivery(
    conn: &Conn,
    id: &str,
    event_id: &str,
    webhook_id: &str,
    ordering_key: &str,
    now: &str,
) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::insert_delivery(c, id, event_id, webhook_id, ordering_key, now),
        Backend::Postgres(c) => postgres::webhooks::insert_delivery(c, id, event_id, webhook_id, ordering_key, now),
    }
}

/// A delivery with what sending it needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    pub attempts: i64,
    pub webhook: WebhookRow,
    pub event: EventRow,
}

/// Deliveries due at `now`, oldest first, leaving out any whose subscription has an older
/// pending delivery for the same profile (per-profile order), and at most 32 per
/// subscription: one subscription's backlog cannot fill the batch and hide everyone else's.
pub fn list_due_deliveries(conn: &Conn, now: &str, limit: u32) -> Result<Vec<DueDelivery>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::list_due_deliveries(c, now, limit),
        Backend::Postgres(c) => postgres::webhooks::list_due_deliveries(c, now, limit),
    }
}

/// Claims a due delivery for one attempt by moving its next attempt to `lease_until`: other
/// instances no longer see it due, and if this one dies the delivery is due again when the
/// lease ends (none lost). False when another instance claimed it first, or it has moved on
/// (`attempts` is the count it was listed with).
pub fn claim_delivery(conn: &Conn, id: &str, attempts: i64, now: &str, lease_until: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::claim_delivery(c, id, attempts, now, lease_until),
        Backend::Postgres(c) => postgres::webhooks::claim_delivery(c, id, attempts, now, lease_until),
    }
}

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub status: &'static str,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: i64,
}

/// Records an attempt.
pub fn update_delivery_attempt(conn: &Conn, id: &str, a: &AttemptRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::update_delivery_attempt(c, id, a),
        Backend::Postgres(c) => postgres::webhooks::update_delivery_attempt(c, id, a),
    }
}

/// A delivery as listed.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A subscription's deliveries, newest first.
pub fn list_deliveries(conn: &Conn, webhook_id: &str, limit: u32) -> Result<Vec<DeliveryRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::list_deliveries(c, webhook_id, limit),
        Backend::Postgres(c) => postgres::webhooks::list_deliveries(c, webhook_id, limit),
    }
}

/// The event a subscription's delivery carries.
pub fn find_delivery_event(conn: &Conn, webhook_id: &str, delivery_id: &str) -> Result<Option<(String, String)>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::find_delivery_event(c, webhook_id, delivery_id),
        Backend::Postgres(c) => postgres::webhooks::find_delivery_event(c, webhook_id, delivery_id),
    }
}

/// Deliveries waiting to be sent.
pub fn count_pending_deliveries(conn: &Conn) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::count_pending_deliveries(c),
        Backend::Postgres(c) => postgres::webhooks::count_pending_deliveries(c),
    }
}

/// How many subscriptions of `kind` a workspace has (for its cap).
pub fn count_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::webhooks::count_webhooks(c, workspace_id, kind),
        Backend::Postgres(c) => postgres::webhooks::count_webhooks(c, workspace_id, kind),
    }
}
