//! Workspaces: the tenant every other thing belongs to.

use super::{Error, Result};
use crate::store::{self, Conn};

/// The authenticated tenant of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkspaceId(pub i64);

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
        created_at: w.created_at,
    })
}

/// The email of the account holder who owns the workspace, once there are account holders.
pub fn owner_email(_conn: &Conn, _ws: WorkspaceId) -> Result<Option<String>> {
    Ok(None)
}
