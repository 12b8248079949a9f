//! The SQL of `store::settings`, for SQLite.

use crate::store::Result;
use crate::store::settings::SettingsRow;
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

pub fn find_settings(conn: &Conn, workspace_id: i64) -> Result<SettingsRow> {
    let mut st = conn
        .prepare_cached("SELECT week_start_day, notification_config FROM workspace_settings WHERE workspace_id = ?1")?;
    Ok(st
        .query_row([workspace_id], |r| Ok(SettingsRow { week_start_day: r.get(0)?, notification_config: r.get(1)? }))
        .optional()?
        .unwrap_or_default())
}

pub fn upsert_settings(conn: &Conn, workspace_id: i64, s: &SettingsRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO workspace_settings (workspace_id, week_start_day, notification_config, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (workspace_id) DO UPDATE SET week_start_day = excluded.week_start_day,
            notification_config = excluded.notification_config, updated_at = excluded.updated_at",
    )?
    .execute(params![workspace_id, s.week_start_day, s.notification_config, crate::store::now()])?;
    Ok(())
}

pub fn add_api_usage(conn: &Conn, workspace_id: i64, month: &str, calls: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO api_usage (workspace_id, month, calls) VALUES (?1, ?2, ?3)
         ON CONFLICT (workspace_id, month) DO UPDATE SET calls = calls + excluded.calls",
    )?
    .execute(params![workspace_id, month, calls])?;
    Ok(())
}

pub fn find_api_usage(conn: &Conn, workspace_id: i64, month: &str) -> Result<i64> {
    let mut st = conn.prepare_cached("SELECT calls FROM api_usage WHERE workspace_id = ?1 AND month = ?2")?;
    Ok(st.query_row(params![workspace_id, month], |r| r.get(0)).optional()?.unwrap_or(0))
}
