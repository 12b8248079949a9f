//! The SQL of `store::settings`, for PostgreSQL.

use super::Client as Conn;
use crate::store::Result;
use crate::store::settings::SettingsRow;

pub fn find_settings(conn: &Conn, workspace_id: i64) -> Result<SettingsRow> {
    let sql = "SELECT week_start_day, notification_config FROM workspace_settings WHERE workspace_id = $1";
    let found = conn.query_opt(sql, &[&workspace_id])?;
    Ok(found
        .map(|r| -> Result<SettingsRow> {
            Ok(SettingsRow { week_start_day: r.try_get(0)?, notification_config: r.try_get(1)? })
        })
        .transpose()?
        .unwrap_or_default())
}

pub fn upsert_settings(conn: &Conn, workspace_id: i64, s: &SettingsRow) -> Result<()> {
    conn.execute(
        "INSERT INTO workspace_settings (workspace_id, week_start_day, notification_config, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id) DO UPDATE SET week_start_day = excluded.week_start_day,
            notification_config = excluded.notification_config, updated_at = excluded.updated_at",
        &[&workspace_id, &s.week_start_day, &s.notification_config, &crate::store::now()],
    )?;
    Ok(())
}

pub fn add_api_usage(conn: &Conn, workspace_id: i64, month: &str, calls: i64) -> Result<()> {
    // One statement: instances adding to one month's counter at once each add theirs.
    conn.execute(
        "INSERT INTO api_usage (workspace_id, month, calls) VALUES ($1, $2, $3)
         ON CONFLICT (workspace_id, month) DO UPDATE SET calls = api_usage.calls + excluded.calls",
        &[&workspace_id, &month, &calls],
    )?;
    Ok(())
}

pub fn find_api_usage(conn: &Conn, workspace_id: i64, month: &str) -> Result<i64> {
    let sql = "SELECT calls FROM api_usage WHERE workspace_id = $1 AND month = $2";
    Ok(conn.query_opt(sql, &[&workspace_id, &month])?.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
}
