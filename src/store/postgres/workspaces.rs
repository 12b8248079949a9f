//! The SQL of `store::workspaces`, for PostgreSQL.

use super::Client as Conn;
use crate::store::Result;
use crate::store::workspaces::{PlanRow, WorkspaceRow};
use ::postgres::Row;

const COLUMNS: &str =
    "id, name, plan, profile_limit, trial_ends_at, created_at, monthly_api_quota, subscription_id, next_billing_at";

fn from_row(r: &Row) -> Result<WorkspaceRow> {
    Ok(WorkspaceRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        plan: r.try_get(2)?,
        profile_limit: r.try_get(3)?,
        trial_ends_at: r.try_get(4)?,
        created_at: r.try_get(5)?,
        monthly_api_quota: r.try_get(6)?,
        subscription_id: r.try_get(7)?,
        next_billing_at: r.try_get(8)?,
    })
}

pub fn find_workspace_by_name(conn: &Conn, name: &str) -> Result<Option<WorkspaceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE name = $1");
    conn.query_opt(&sql, &[&name])?.as_ref().map(from_row).transpose()
}

pub fn find_workspace(conn: &Conn, id: i64) -> Result<Option<WorkspaceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1");
    conn.query_opt(&sql, &[&id])?.as_ref().map(from_row).transpose()
}

pub fn lock_workspace(conn: &Conn, id: i64) -> Result<()> {
    conn.execute("SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE", &[&id])?;
    Ok(())
}

pub fn insert_workspace(conn: &Conn, name: &str, profile_limit: Option<i64>) -> Result<i64> {
    let row = conn.query_one(
        "INSERT INTO workspaces (name, profile_limit, created_at) VALUES ($1, $2, $3) RETURNING id",
        &[&name, &profile_limit, &crate::store::now()],
    )?;
    Ok(row.try_get(0)?)
}

pub fn update_workspace_profile_limit(conn: &Conn, id: i64, limit: Option<i64>) -> Result<()> {
    conn.execute("UPDATE workspaces SET profile_limit = $2 WHERE id = $1", &[&id, &limit])?;
    Ok(())
}

pub fn update_workspace_plan(conn: &Conn, id: i64, p: &PlanRow) -> Result<()> {
    conn.execute(
        "UPDATE workspaces SET plan = $2, profile_limit = $3, trial_ends_at = $4, subscription_id = $5,
            next_billing_at = $6 WHERE id = $1",
        &[&id, &p.plan, &p.profile_limit, &p.trial_ends_at, &p.subscription_id, &p.next_billing_at],
    )?;
    Ok(())
}
