//! Workspaces: the tenant every other thing belongs to.

use super::{Error, Result, check_text};
use crate::store::{self, Conn};

pub use crate::ids::WorkspaceId;

/// A workspace's name: 1-64 characters of letters, digits, `-`, `_` and `.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceName(String);

impl WorkspaceName {
    /// Validates a workspace name.
    pub fn parse(s: &str) -> Result<Self> {
        super::check_text("workspace", s, 1, 64)?;
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(Error::invalid("workspace", "may hold only letters, digits, '-', '_' and '.'"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Finds the workspace called `name`, creating it if needed; a given `profile_limit` is set
/// either way.
pub fn ensure(conn: &Conn, name: &WorkspaceName, profile_limit: Option<i64>) -> Result<WorkspaceId> {
    if let Some(limit) = profile_limit
        && limit < 0
    {
        return Err(Error::invalid("profileLimit", "must not be negative"));
    }
    match store::workspaces::find_workspace_by_name(conn, name.as_str())? {
        Some(ws) => {
            if profile_limit.is_some() {
                store::workspaces::update_workspace_profile_limit(conn, ws.id, profile_limit)?;
            }
            Ok(WorkspaceId(ws.id))
        }
        None => Ok(WorkspaceId(store::workspaces::insert_workspace(conn, name.as_str(), profile_limit)?)),
    }
}

/// Finds a workspace by name.
pub fn find_by_name(conn: &Conn, name: &WorkspaceName) -> Result<WorkspaceId> {
    store::workspaces::find_workspace_by_name(conn, name.as_str())?
        .map(|w| WorkspaceId(w.id))
        .ok_or(Error::NotFound("workspace"))
}

/// What a workspace's plan says.
#[derive(Debug, Clone)]
pub struct WorkspaceInfo {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: String,
    pub profile_limit: Option<i64>,
    pub trial_ends_at: Option<String>,
    pub monthly_api_quota: Option<i64>,
    pub subscription_id: Option<String>,
    pub next_billing_at: Option<String>,
    pub created_at: String,
}

/// Reads a workspace.
pub fn get(conn: &Conn, ws: WorkspaceId) -> Result<WorkspaceInfo> {
    let w = store::workspaces::find_workspace(conn, ws.0)?.ok_or(Error::NotFound("workspace"))?;
    Ok(WorkspaceInfo {
        id: ws,
        name: w.name,
        plan: w.plan,
        profile_limit: w.profile_limit,
        trial_ends_at: w.trial_ends_at,
        monthly_api_quota: w.monthly_api_quota,
        subscription_id: w.subscription_id,
        next_billing_at: w.next_billing_at,
        created_at: w.created_at,
    })
}

/// The email of the account holder who owns the workspace (none for an operator's workspace).
pub fn owner_email(conn: &Conn, ws: WorkspaceId) -> Result<Option<String>> {
    Ok(store::holders::find_owner_email(conn, ws.0)?)
}

/// What the operator sets with `hitchpost plan set`.
#[derive(Debug, Clone)]
pub struct PlanChange {
    pub plan: String,
    pub profile_limit: Option<i64>,
    pub trial_days: Option<i64>,
}

/// Puts a workspace on a plan: `trial` (ending in `trial_days`, 14 by default) or a paid plan
/// (with a subscription id and a next billing date a month out).
pub fn set_plan(conn: &Conn, ws: WorkspaceId, change: PlanChange) -> Result<WorkspaceInfo> {
    let plan = change.plan.trim().to_ascii_lowercase();
    check_text("plan", &plan, 1, 40)?;
    if !plan.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)) {
        return Err(Error::invalid("plan", "may hold only letters, digits, '-' and '_'"));
    }
    if change.profile_limit.is_some_and(|l| l < 0) {
        return Err(Error::invalid("profileLimit", "must not be negative"));
    }
    let now = chrono::Utc::now();
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let current = store::workspaces::find_workspace(conn, ws.0)?.ok_or(Error::NotFound("workspace"))?;
    let row = if plan == "trial" {
        let days = change.trial_days.unwrap_or(14);
        store::workspaces::PlanRow {
            plan,
            profile_limit: change.profile_limit.or(current.profile_limit),
            trial_ends_at: Some(stamp(now + chrono::Duration::days(days))),
            subscription_id: None,
            next_billing_at: None,
        }
    } else {
        let id = current
            .subscription_id
            .clone()
            .unwrap_or_else(|| format!("sub_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]));
        store::workspaces::PlanRow {
            plan,
            profile_limit: change.profile_limit.or(current.profile_limit),
            trial_ends_at: None,
            subscription_id: Some(id),
            next_billing_at: Some(stamp(now + chrono::Duration::days(30))),
        }
    };
    store::workspaces::update_workspace_plan(conn, ws.0, &row)?;
    get(conn, ws)
}
