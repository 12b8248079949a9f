//! The SQL of `store::workspaces`, for SQLite.

use crate::store::Result;
use crate::store::workspaces::{PlanRow, WorkspaceRow};
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str =
    "id, name, plan, profile_limit, trial_ends_at, created_at, monthly_api_quota, subscription_id, next_billing_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WorkspaceRow> {
    Ok(WorkspaceRow {
        id: r.get(0)?,
        name: r.get(1)?,
        plan: r.get(2)?,
        profile_limit: r.get(3)?,
        trial_ends_at: r.get(4)?,
        created_at: r.get(5)?,
        monthly_api_quota: r.get(6)?,
        subscription_id: r.get(7)?,
        next_billing_at: r.get(8)?,
    })
}

pub fn find_workspace_by_name(conn: &Conn, name: &str) -> Result<Option<WorkspaceRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM workspaces WHERE name = ?1"))?;
    Ok(st.query_row([name], from_row).optional()?)
}

pub fn find_workspace(conn: &Conn, id: i64) -> Result<Option<WorkspaceRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM workspaces WHERE id = ?1"))?;
    Ok(st.query_row([id], from_row).optional()?)
}

pub fn insert_workspace(conn: &Conn, name: &str, profile_limit: Option<i64>) -> Result<i64> {
    conn.prepare_cached("INSERT INTO workspaces (name, profile_limit, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![name, profile_limit, crate::store::now()])?;
    Ok(conn.last_insert_rowid())
}

pub fn update_workspace_profile_limit(conn: &Conn, id: i64, limit: Option<i64>) -> Result<()> {
    conn.prepare_cached("UPDATE workspaces SET profile_limit = ?2 WHERE id = ?1")?.execute(params![id, limit])?;
    Ok(())
}

pub fn update_workspace_plan(conn: &Conn, id: i64, p: &PlanRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE workspaces SET plan = ?2, profile_limit = ?3, trial_ends_at = ?4, subscription_id = ?5,
            next_billing_at = ?6 WHERE id = ?1",
    )?
    .execute(params![id, p.plan, p.profile_limit, p.trial_ends_at, p.subscription_id, p.next_billing_at])?;
    Ok(())
}
