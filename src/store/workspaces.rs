//! The `workspaces` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A workspace row.
#[derive(Debug, Clone)]
pub struct WorkspaceRow {
    pub id: i64,
    pub name: String,
    pub plan: String,
    pub profile_limit: Option<i64>,
    pub trial_ends_at: Option<String>,
    pub created_at: String,
    pub monthly_api_quota: Option<i64>,
    pub subscription_id: Option<String>,
    pub next_billing_at: Option<String>,
}

/// Finds a workspace by its unique name.
pub fn find_workspace_by_name(conn: &Conn, name: &str) -> Result<Option<WorkspaceRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::workspaces::find_workspace_by_name(c, name),
        Backend::Postgres(c) => postgres::workspaces::find_workspace_by_name(c, name),
    }
}

/// Finds a workspace by id.
pub fn find_workspace(conn: &Conn, id: i64) -> Result<Option<WorkspaceRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::workspaces::find_workspace(c, id),
        Backend::Postgres(c) => postgres::workspaces::find_workspace(c, id),
    }
}

/// Holds the workspace's row until the write commits, so a cap counted after it (profiles,
/// keys, webhooks) cannot be passed by a write running beside this one. A no-op on SQLite,
/// whose one writer already runs writes one at a time; `SELECT ... FOR UPDATE` on PostgreSQL.
pub fn lock_workspace(conn: &Conn, id: i64) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(_) => Ok(()),
        Backend::Postgres(c) => postgres::workspaces::lock_workspace(c, id),
    }
}

/// Inserts a workspace and returns its id.
pub fn insert_workspace(conn: &Conn, name: &str, profile_limit: Option<i64>) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::workspaces::insert_workspace(c, name, profile_limit),
        Backend::Postgres(c) => postgres::workspaces::insert_workspace(c, name, profile_limit),
    }
}

/// Sets a workspace's profile limit (`None`: no limit).
pub fn update_workspace_profile_limit(conn: &Conn, id: i64, limit: Option<i64>) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::workspaces::update_workspace_profile_limit(c, id, limit),
        Backend::Postgres(c) => postgres::workspaces::update_workspace_profile_limit(c, id, limit),
    }
}

/// A workspace's plan, as the operator sets it.
#[derive(Debug, Clone)]
pub struct PlanRow {
    pub plan: String,
    pub profile_limit: Option<i64>,
    pub trial_ends_at: Option<String>,
    pub subscription_id: Option<String>,
    pub next_billing_at: Option<String>,
}

/// Writes a workspace's plan.
pub fn update_workspace_plan(conn: &Conn, id: i64, p: &PlanRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::workspaces::update_workspace_plan(c, id, p),
        Backend::Postgres(c) => postgres::workspaces::update_workspace_plan(c, id, p),
    }
}
