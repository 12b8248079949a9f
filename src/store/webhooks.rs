//! The `webhooks` table.

use super::{Conn, Result};
use rusqlite::params;

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
}

const COLUMNS: &str = "id, workspace_id, kind, url, events, description, enabled, created_at, updated_at";

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
    })
}

/// Inserts a subscription.
pub fn insert_webhook(conn: &Conn, w: &WebhookRow) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO webhooks ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"))?
        .execute(params![
            w.id,
            w.workspace_id,
            w.kind,
            w.url,
            w.events,
            w.description,
            w.enabled,
            w.created_at,
            w.updated_at
        ])?;
    Ok(())
}

/// A workspace's subscriptions of one kind, oldest first.
pub fn list_webhooks(conn: &Conn, workspace_id: i64, kind: &str) -> Result<Vec<WebhookRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhooks WHERE workspace_id = ?1 AND kind = ?2 ORDER BY created_at, id"
    ))?;
    let rows = st.query_map(params![workspace_id, kind], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Points a subscription at another URL.
pub fn update_webhook_url(conn: &Conn, id: &str, url: &str) -> Result<()> {
    conn.prepare_cached("UPDATE webhooks SET url = ?2, enabled = 1, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, url, super::now()])?;
    Ok(())
}

/// Deletes a workspace's subscriptions of one kind with the given events value; returns how many.
pub fn delete_webhooks_by_events(conn: &Conn, workspace_id: i64, kind: &str, events: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM webhooks WHERE workspace_id = ?1 AND kind = ?2 AND events = ?3")?
        .execute(params![workspace_id, kind, events])?)
}
