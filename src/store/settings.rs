//! The `workspace_settings` and `api_usage` tables.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A workspace's settings row.
#[derive(Debug, Clone, Default)]
pub struct SettingsRow {
    pub week_start_day: i64,
    pub notification_config: Option<String>,
}

/// A workspace's settings; defaults when it never set any.
pub fn find_settings(conn: &Conn, workspace_id: i64) -> Result<SettingsRow> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::settings::find_settings(c, workspace_id),
        Backend::Postgres(c) => postgres::settings::find_settings(c, workspace_id),
    }
}

/// Writes a workspace's settings.
pub fn upsert_settings(conn: &Conn, workspace_id: i64, s: &SettingsRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::settings::upsert_settings(c, workspace_id, s),
        Backend::Postgres(c) => postgres::settings::upsert_settings(c, workspace_id, s),
    }
}

/// Adds calls to a workspace's count for a month (`YYYY-MM`).
pub fn add_api_usage(conn: &Conn, workspace_id: i64, month: &str, calls: i64) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::settings::add_api_usage(c, workspace_id, month, calls),
        Backend::Postgres(c) => postgres::settings::add_api_usage(c, workspace_id, month, calls),
    }
}

/// A workspace's recorded calls in a month.
pub fn find_api_usage(conn: &Conn, workspace_id: i64, month: &str) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::settings::find_api_usage(c, workspace_id, month),
        Backend::Postgres(c) => postgres::settings::find_api_usage(c, workspace_id, month),
    }
}
