//! The SQL of `store::webhooks`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::webhooks::{AttemptRow, DeliveryRow, DueDelivery, EventRow, WebhookRow};
use ::postgres::Row;

const COLUMNS: &str = "id, workspace_id, kind, url, events, description, enabled, created_at, updated_at, \
     disabled_reason, consecutive_failures, label";

/// A webhook row whose columns start at `at`.
fn webhook_at(r: &Row, at: usize) -> Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.try_get(at)?,
        workspace_id: r.try_get(at + 1)?,
        kind: r.try_get(at + 2)?,
        url: r.try_get(at + 3)?,
        events: r.try_get(at + 4)?,
        description: r.try_get(at + 5)?,
        enabled: r.try_get(at + 6)?,
        created_at: r.try_get(at + 7)?,
        updated_at: r.try_get(at + 8)?,
        disabled_reason: r.try_get(at + 9)?,
        consecutive_failures: r.try_get(at + 10)?,
        label: r.try_get(at + 11)?,
    })
}

fn from_row(r: &Row) -> Result<WebhookRow> {
    webhook_at(r, 0)
}

pub fn insert_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    let sql = format!("INSERT INTO webhooks ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    conn.execute(
        &sql,
        &[
            &w.id,
            &w.workspace_id,
            &w.kind,
            &w.url,
            &w.events,
            &w.description,
            &w.enabled,
            &w.created_at,
            &w.updated_at,
            &w.disabled_reason,
            &w.consecutive_failures,
            &w.label,
        ],
    )?;
    Ok(())
}

pub fn find_webhook(conn: &Conn, workspace_id: i64, id: &str) -> Result<Option<WebhookRow>> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1 AND workspace_id = $2");
    conn.query_opt(&sql, &[&id, &workspace_id])?.as_ref().map(from_row).transpose()
}

pub fn list_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<Vec<WebhookRow>> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE workspace_id = $1 AND kind = $2 ORDER BY created_at, id");
    rows(conn.query(&sql, &[&workspace_id, &kind])?, from_row)
}

pub fn list_enabled_webhooks(conn: &Conn, workspace_id: i64) -> Result<Vec<WebhookRow>> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE workspace_id = $1 AND enabled ORDER BY created_at, id");
    rows(conn.query(&sql, &[&workspace_id])?, from_row)
}

pub fn update_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    conn.execute(
        "UPDATE webhooks SET url = $2, events = $3, description = $4, enabled = $5, disabled_reason = $6,
            consecutive_failures = $7, updated_at = $8 WHERE id = $1",
        &[
            &w.id,
            &w.url,
            &w.events,
            &w.description,
            &w.enabled,
            &w.disabled_reason,
            &w.consecutive_failures,
            &w.updated_at,
        ],
    )?;
    Ok(())
}

pub fn update_webhook_url(conn: &Conn, id: &str, url: &str) -> Result<()> {
    conn.execute(
        "UPDATE webhooks SET url = $2, enabled = TRUE, disabled_reason = NULL, consecutive_failures = 0, updated_at = $3
         WHERE id = $1",
        &[&id, &url, &crate::store::now()],
    )?;
    Ok(())
}

pub fn delete_webhook(conn: &Conn, workspace_id: i64, id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM webhooks WHERE id = $1 AND workspace_id = $2", &[&id, &workspace_id])? == 1)
}

pub fn delete_webhooks_by_label(conn: &Conn, workspace_id: i64, kind: &str, label: &str) -> Result<usize> {
    let sql = "DELETE FROM webhooks WHERE workspace_id = $1 AND kind = $2 AND label = $3";
    Ok(conn.execute(sql, &[&workspace_id, &kind, &label])? as usize)
}

pub fn delete_webhooks_of_kind(conn: &Conn, workspace_id: i64, kind: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM webhooks WHERE workspace_id = $1 AND kind = $2", &[&workspace_id, &kind])? as usize)
}

pub fn record_webhook_success(conn: &Conn, id: &str) -> Result<()> {
    conn.execute("UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0", &[&id])?;
    Ok(())
}

pub fn record_webhook_failure(conn: &Conn, id: &str, threshold: i64, reason: &str) -> Result<bool> {
    conn.execute("UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = $1", &[&id])?;
    let n = conn.execute(
        "UPDATE webhooks SET enabled = FALSE, disabled_reason = $3, updated_at = $4
         WHERE id = $1 AND enabled AND consecutive_failures >= $2",
        &[&id, &threshold, &reason, &crate::store::now()],
    )?;
    Ok(n == 1)
}

pub fn insert_secret(conn: &Conn, webhook_id: &str, sealed: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO webhook_secrets (webhook_id, secret, created_at) VALUES ($1, $2, $3)",
        &[&webhook_id, &sealed, &crate::store::now()],
    )?;
    Ok(())
}

pub fn expire_secrets(conn: &Conn, webhook_id: &str, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE webhook_secrets SET expires_at = $2 WHERE webhook_id = $1 AND expires_at IS NULL",
        &[&webhook_id, &at],
    )?;
    Ok(())
}

pub fn list_live_secrets(conn: &Conn, webhook_id: &str, now: &str) -> Result<Vec<Vec<u8>>> {
    let sql = "SELECT secret FROM webhook_secrets WHERE webhook_id = $1 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY id DESC";
    rows(conn.query(sql, &[&webhook_id, &now])?, |r| Ok(r.try_get(0)?))
}

pub fn insert_event(conn: &Conn, e: &EventRow) -> Result<()> {
    conn.execute(
        "INSERT INTO events (id, workspace_id, type, data, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[&e.id, &e.workspace_id, &e.kind, &e.data, &e.created_at],
    )?;
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
    conn.execute(
        "INSERT INTO deliveries (id, event_id, webhook_id, ordering_key, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5, $5)",
        &[&id, &event_id, &webhook_id, &ordering_key, &now],
    )?;
    Ok(())
}

pub fn list_due_deliveries(conn: &Conn, now: &str, limit: u32) -> Result<Vec<DueDelivery>> {
    let cols: String = COLUMNS.split(", ").map(|c| format!("w.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "WITH due AS (
             SELECT d.id AS did, d.seq AS dseq,
                    ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY d.seq) AS nth
             FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.enabled
               AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.webhook_id = d.webhook_id
                               AND o.ordering_key = d.ordering_key AND o.status = 'pending' AND o.seq < d.seq))
         SELECT d.id, d.attempts, e.id, e.workspace_id, e.type, e.data, e.created_at, {cols}
         FROM due JOIN deliveries d ON d.id = due.did
         JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
         WHERE due.nth <= 32
         ORDER BY due.dseq LIMIT $2"
    );
    rows(conn.query(&sql, &[&now, &i64::from(limit)])?, |r| {
        Ok(DueDelivery {
            id: r.try_get(0)?,
            attempts: r.try_get(1)?,
            event: EventRow {
                id: r.try_get(2)?,
                workspace_id: r.try_get(3)?,
                kind: r.try_get(4)?,
                data: r.try_get(5)?,
                created_at: r.try_get(6)?,
            },
            webhook: webhook_at(r, 7)?,
        })
    })
}

pub fn claim_delivery(conn: &Conn, id: &str, attempts: i64, now: &str, lease_until: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE deliveries SET next_attempt_at = $4
         WHERE id = $1 AND attempts = $2 AND status = 'pending' AND next_attempt_at <= $3",
        &[&id, &attempts, &now, &lease_until],
    )?;
    Ok(n == 1)
}

pub fn update_delivery_attempt(conn: &Conn, id: &str, a: &AttemptRow) -> Result<()> {
    conn.execute(
        "UPDATE deliveries SET status = $2, attempts = attempts + 1, next_attempt_at = $3, last_status = $4,
            last_error = $5, last_latency_ms = $6, updated_at = $7 WHERE id = $1",
        &[&id, &a.status, &a.next_attempt_at, &a.last_status, &a.last_error, &a.last_latency_ms, &crate::store::now()],
    )?;
    Ok(())
}

pub fn list_deliveries(conn: &Conn, webhook_id: &str, limit: u32) -> Result<Vec<DeliveryRow>> {
    let sql = "SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                d.last_latency_ms, d.created_at, d.updated_at
         FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = $1 ORDER BY d.seq DESC LIMIT $2";
    rows(conn.query(sql, &[&webhook_id, &i64::from(limit)])?, |r| {
        Ok(DeliveryRow {
            id: r.try_get(0)?,
            event_id: r.try_get(1)?,
            event_type: r.try_get(2)?,
            status: r.try_get(3)?,
            attempts: r.try_get(4)?,
            next_attempt_at: r.try_get(5)?,
            last_status: r.try_get(6)?,
            last_error: r.try_get(7)?,
            last_latency_ms: r.try_get(8)?,
            created_at: r.try_get(9)?,
            updated_at: r.try_get(10)?,
        })
    })
}

pub fn find_delivery_event(conn: &Conn, webhook_id: &str, delivery_id: &str) -> Result<Option<(String, String)>> {
    let sql = "SELECT d.event_id, d.ordering_key FROM deliveries d WHERE d.id = $1 AND d.webhook_id = $2";
    conn.query_opt(sql, &[&delivery_id, &webhook_id])?.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

pub fn count_pending_deliveries(conn: &Conn) -> Result<i64> {
    Ok(conn.query_one("SELECT count(*) FROM deliveries WHERE status = 'pending'", &[])?.try_get(0)?)
}

pub fn count_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<i64> {
    let sql = "SELECT count(*) FROM webhooks WHERE workspace_id = $1 AND kind = $2";
    Ok(conn.query_one(sql, &[&workspace_id, &kind])?.try_get(0)?)
}
