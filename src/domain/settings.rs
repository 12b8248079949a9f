//! Per-workspace settings the hosted services' clients manage: calendar preferences and a
//! notification configuration (an object the client's dialect validates).

use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::store::{self, Conn, settings::SettingsRow};
use serde_json::{Map, Value};

/// The day a calendar week starts on: 0 Sunday, 1 Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekStartDay(i64);

impl WeekStartDay {
    pub fn parse(v: &Value) -> Result<Self> {
        match v.as_i64() {
            Some(d @ (0 | 1)) => Ok(Self(d)),
            _ => Err(Error::invalid("week_start_day", "must be 0 (Sunday) or 1 (Monday)")),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A workspace's week start day.
pub fn week_start_day(conn: &Conn, ws: WorkspaceId) -> Result<i64> {
    Ok(store::settings::find_settings(conn, ws.0)?.week_start_day)
}

/// Sets a workspace's week start day.
pub fn set_week_start_day(conn: &Conn, ws: WorkspaceId, day: WeekStartDay) -> Result<i64> {
    store::workspaces::lock_workspace(conn, ws.0)?;
    let mut s: SettingsRow = store::settings::find_settings(conn, ws.0)?;
    s.week_start_day = day.0;
    store::settings::upsert_settings(conn, ws.0, &s)?;
    Ok(day.0)
}

/// A workspace's notification configuration (an object; empty when never set).
pub fn notification_config(conn: &Conn, ws: WorkspaceId) -> Result<Map<String, Value>> {
    let s = store::settings::find_settings(conn, ws.0)?;
    Ok(s.notification_config.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default())
}

/// Merges validated fields into a workspace's notification configuration.
pub fn update_notification_config(
    conn: &Conn,
    ws: WorkspaceId,
    changes: Map<String, Value>,
) -> Result<Map<String, Value>> {
    // A merge: two at once must each see the other's fields.
    store::workspaces::lock_workspace(conn, ws.0)?;
    let mut s = store::settings::find_settings(conn, ws.0)?;
    let mut config: Map<String, Value> =
        s.notification_config.as_deref().and_then(|c| serde_json::from_str(c).ok()).unwrap_or_default();
    config.extend(changes);
    s.notification_config = Some(Value::Object(config.clone()).to_string());
    store::settings::upsert_settings(conn, ws.0, &s)?;
    Ok(config)
}
