//! The audit log: who did what, and when. A write's actor comes with its transaction
//! (`db::Tx`), so an operation that records one takes the `Tx`, not a bare connection.

use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::db::Tx;
/// An entry as stored and listed.
pub use crate::store::audit::AuditRow;
use crate::store::{self, Conn};

pub use crate::db::Actor;

/// The actions recorded.
pub const ACTIONS: &[&str] = &[
    "key.created",
    "key.revoked",
    "profile.created",
    "profile.updated",
    "profile.deleted",
    "connect_link.created",
    "connect_link.used",
    "connect_link.revoked",
    "account.linked",
    "account.unlinked",
    "account.needs_reconnect",
    "account.link_failed",
    "account.credentials_read",
    "holder.console_link_used",
];

/// Records an action of the write's actor.
pub fn record(
    conn: &Tx,
    ws: WorkspaceId,
    action: &'static str,
    profile_id: Option<&str>,
    target: Option<&str>,
) -> Result<()> {
    let actor = conn.actor.clone();
    store::audit::insert_audit(
        conn,
        &AuditRow {
            seq: 0,
            workspace_id: ws.0,
            at: store::now(),
            actor: actor.who,
            ip: actor.ip,
            action: action.into(),
            profile_id: profile_id.map(str::to_owned),
            target: target.map(str::to_owned),
        },
    )?;
    Ok(())
}

/// Which entries to list.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    pub limit: u32,
    pub before: i64,
    pub action: Option<String>,
    pub profile_id: Option<String>,
}

impl AuditQuery {
    pub fn parse(
        limit: Option<&str>,
        cursor: Option<&str>,
        action: Option<String>,
        profile_id: Option<String>,
    ) -> Result<Self> {
        let limit = match limit {
            None => 50,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=100).contains(l))
                .ok_or_else(|| Error::invalid("limit", "must be between 1 and 100"))?,
        };
        let before = match cursor {
            None => 0,
            Some(c) => c
                .strip_prefix('a')
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| Error::invalid("cursor", "is not a cursor this server handed out"))?,
        };
        if let Some(a) = &action
            && !ACTIONS.contains(&a.as_str())
        {
            return Err(Error::invalid("action", format!("must be one of {}", ACTIONS.join(", "))));
        }
        Ok(AuditQuery { limit, before, action, profile_id })
    }
}

/// A page of the workspace's log, newest first, and the cursor of the next.
pub fn list(conn: &Conn, ws: WorkspaceId, q: &AuditQuery) -> Result<(Vec<AuditRow>, Option<String>)> {
    let mut rows =
        store::audit::list_audit(conn, ws.0, q.before, q.limit + 1, q.action.as_deref(), q.profile_id.as_deref())?;
    let next = if rows.len() > q.limit as usize {
        rows.truncate(q.limit as usize);
        rows.last().map(|r| format!("a{}", r.seq))
    } else {
        None
    };
    Ok((rows, next))
}

/// Forgets entries older than `days`.
pub fn prune(conn: &Conn, days: i64) -> Result<usize> {
    let before =
        (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Ok(store::audit::delete_audit_before(conn, &before)?)
}
