//! The SQL of `store::webhooks`, for SQLite.

use crate::store::Result;
use crate::store::webhooks::{AttemptRow, DeliveryRow, DueDelivery, EventRow, WebhookRow};
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str = "id, workspace_id, kind, url, events, description, enabled, created_at, updated_at, \
     disabled_reason, consecutive_failures, label";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.get(0)?,
        workspace_id: r.get(1)?,
        kind: r.get(2)?,
        url: r.get(3)?,
        events: r.get(4)?,
        description: r.get(5)?,
        enabled: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        disabled_reason: r.get(9)?,
        consecutive_failures: r.get(10)?,
        label: r.get(11)?,
    })
}

pub fn insert_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO webhooks ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        w.id,
        w.workspace_id,
        w.kind,
        w.url,
        w.events,
        w.description,
        w.enabled,
        w.created_at,
        w.updated_at,
        w.disabled_reason,
        w.consecutive_failures,
        w.label
    ])?;
    Ok(())
}

pub fn find_webhook(conn: &Conn, workspace_id: i64, id: &str) -> Result<Option<WebhookRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?1 AND workspace_id = ?2"))?;
    Ok(st.query_row(params![id, workspace_id], from_row).optional()?)
}

pub fn list_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<Vec<WebhookRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhooks WHERE workspace_id = ?1 AND kind = ?2 ORDER BY created_at, id"
    ))?;
    let rows = st.query_map(params![workspace_id, kind], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list_enabled_webhooks(conn: &Conn, workspace_id: i64) -> Result<Vec<WebhookRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhooks WHERE workspace_id = ?1 AND enabled = 1 ORDER BY created_at, id"
    ))?;
    let rows = st.query_map([workspace_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn update_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE webhooks SET url = ?2, events = ?3, description = ?4, enabled = ?5, disabled_reason = ?6,
            consecutive_failures = ?7, updated_at = ?8 WHERE id = ?1",
    )?
    .execute(params![
        w.id,
        w.url,
        w.events,
        w.description,
        w.enabled,
        w.disabled_reason,
        w.consecutive_failures,
        w.updated_at
    ])?;
    Ok(())
}

pub fn update_webhook_url(conn: &Conn, id: &str, url: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE webhooks SET url = ?2, enabled = 1, disabled_reason = NULL, consecutive_failures = 0, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, url, crate::store::now()])?;
    Ok(())
}

pub fn delete_webhook(conn: &Conn, workspace_id: i64, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM webhooks WHERE id = ?1 AND workspace_id = ?2")?
        .execute(params![id, workspace_id])?
        == 1)
}

pub fn delete_webhooks_by_label(conn: &Conn, workspace_id: i64, kind: &str, label: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM webhooks WHERE workspace_id = ?1 AND kind = ?2 AND label = ?3")?
        .execute(params![workspace_id, kind, label])?)
}

pub fn delete_webhooks_of_kind(conn: &Conn, workspace_id: i64, kind: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM webhooks WHERE workspace_id = ?1 AND kind = ?2")?
        .execute(params![workspace_id, kind])?)
}

pub fn record_webhook_success(conn: &Conn, id: &str) -> Result<()> {
    conn.prepare_cached("UPDATE webhooks SET consecutive_failures = 0 WHERE id = ?1 AND consecutive_failures <> 0")?
        .execute([id])?;
    Ok(())
}

pub fn record_webhook_failure(conn: &Conn, id: &str, threshold: i64, reason: &str) -> Result<bool> {
    conn.prepare_cached("UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = ?1")?
        .execute([id])?;
    let n = conn
        .prepare_cached(
            "UPDATE webhooks SET enabled = 0, disabled_reason = ?3, updated_at = ?4
             WHERE id = ?1 AND enabled = 1 AND consecutive_failures >= ?2",
        )?
        .execute(params![id, threshold, reason, crate::store::now()])?;
    Ok(n == 1)
}

pub fn insert_secret(conn: &Conn, webhook_id: &str, sealed: &[u8]) -> Result<()> {
    conn.prepare_cached("INSERT INTO webhook_secrets (webhook_id, secret, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![webhook_id, sealed, crate::store::now()])?;
    Ok(())
}

pub fn expire_secrets(conn: &Conn, webhook_id: &str, at: &str) -> Result<()> {
    conn.prepare_cached("UPDATE webhook_secrets SET expires_at = ?2 WHERE webhook_id = ?1 AND expires_at IS NULL")?
        .execute(params![webhook_id, at])?;
    Ok(())
}

pub fn list_live_secrets(conn: &Conn, webhook_id: &str, now: &str) -> Result<Vec<Vec<u8>>> {
    let mut st = conn.prepare_cached(
        "SELECT secret FROM webhook_secrets WHERE webhook_id = ?1 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY id DESC",
    )?;
    let rows = st.query_map(params![webhook_id, now], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_event(conn: &Conn, e: &EventRow) -> Result<()> {
    conn.prepare_cached("INSERT INTO events (id, workspace_id, type, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![e.id, e.workspace_id, e.kind, e.data, e.created_at])?;
    Ok(())
}

pub fn insert_delivery(
    conn: &Conn,
    id: &str,
    event_id: &str,
    webhook_id: &str,
    ordering_key: &str,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO deliveries (id, event_id, webhook_id, ordering_key, next_attempt_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)",
    )?
    .execute(params![id, event_id, webhook_id, ordering_key, now])?;
    Ok(())
}

pub fn list_due_deliveries(conn: &Conn, now: &str, limit: u32) -> Result<Vec<DueDelivery>> {
    let cols: String = COLUMNS.split(", ").map(|c| format!("w.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let mut st = conn.prepare_cached(&format!(
        "WITH due AS (
             SELECT d.id AS did, d.seq AS dseq,
                    ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY d.seq) AS nth
             FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND w.enabled = 1
               AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.webhook_id = d.webhook_id
                               AND o.ordering_key = d.ordering_key AND o.status = 'pending' AND o.seq < d.seq))
         SELECT d.id, d.attempts, e.id, e.workspace_id, e.type, e.data, e.created_at, {cols}
         FROM due JOIN deliveries d ON d.id = due.did
         JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
         WHERE due.nth <= 32
         ORDER BY due.dseq LIMIT ?2"
    ))?;
    let rows = st.query_map(params![now, limit], |r| {
        let webhook = WebhookRow {
            id: r.get(7)?,
            workspace_id: r.get(8)?,
            kind: r.get(9)?,
            url: r.get(10)?,
            events: r.get(11)?,
            description: r.get(12)?,
            enabled: r.get(13)?,
            created_at: r.get(14)?,
            updated_at: r.get(15)?,
            disabled_reason: r.get(16)?,
            consecutive_failures: r.get(17)?,
            label: r.get(18)?,
        };
        Ok(DueDelivery {
            id: r.get(0)?,
            attempts: r.get(1)?,
            event: EventRow {
                id: r.get(2)?,
                workspace_id: r.get(3)?,
                kind: r.get(4)?,
                data: r.get(5)?,
                created_at: r.get(6)?,
            },
            webhook,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn claim_delivery(conn: &Conn, id: &str, attempts: i64, now: &str, lease_until: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE deliveries SET next_attempt_at = ?4
             WHERE id = ?1 AND attempts = ?2 AND status = 'pending' AND next_attempt_at <= ?3",
        )?
        .execute(params![id, attempts, now, lease_until])?;
    Ok(n == 1)
}

pub fn update_delivery_attempt(conn: &Conn, id: &str, a: &AttemptRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE deliveries SET status = ?2, attempts = attempts + 1, next_attempt_at = ?3, last_status = ?4,
            last_error = ?5, last_latency_ms = ?6, updated_at = ?7 WHERE id = ?1",
    )?
    .execute(params![
        id,
        a.status,
        a.next_attempt_at,
        a.last_status,
        a.last_error,
        a.last_latency_ms,
        crate::store::now()
    ])?;
    Ok(())
}

pub fn list_deliveries(conn: &Conn, webhook_id: &str, limit: u32) -> Result<Vec<DeliveryRow>> {
    let mut st = conn.prepare_cached(
        "SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                d.last_latency_ms, d.created_at, d.updated_at
         FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = ?1 ORDER BY d.seq DESC LIMIT ?2",
    )?;
    let rows = st.query_map(params![webhook_id, limit], |r| {
        Ok(DeliveryRow {
            id: r.get(0)?,
            event_id: r.get(1)?,
            event_type: r.get(2)?,
            status: r.get(3)?,
            attempts: r.get(4)?,
            next_attempt_at: r.get(5)?,
            last_status: r.get(6)?,
            last_error: r.get(7)?,
            last_latency_ms: r.get(8)?,
            created_at: r.get(9)?,
            updated_at: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn find_delivery_event(conn: &Conn, webhook_id: &str, delivery_id: &str) -> Result<Option<(String, String)>> {
    let mut st = conn
        .prepare_cached("SELECT d.event_id, d.ordering_key FROM deliveries d WHERE d.id = ?1 AND d.webhook_id = ?2")?;
    Ok(st.query_row(params![delivery_id, webhook_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

pub fn count_pending_deliveries(conn: &Conn) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM deliveries WHERE status = 'pending'")?.query_row([], |r| r.get(0))?)
}

pub fn count_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<i64> {
    let mut st = conn.prepare_cached("SELECT count(*) FROM webhooks WHERE workspace_id = ?1 AND kind = ?2")?;
    Ok(st.query_row(rusqlite::params![workspace_id, kind], |r| r.get(0))?)
}
