//! The SQL of `store::connect_links`, for SQLite.

use crate::store::Result;
use crate::store::connect_links::{LinkRow, MAX_PENDING_OAUTH_STATES, OAuthStateRow};
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str = "jti, workspace_id, profile_seq, options, created_at, expires_at, used_at, revoked_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        jti: r.get(0)?,
        workspace_id: r.get(1)?,
        profile_seq: r.get(2)?,
        options: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        used_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

pub fn insert_link(conn: &Conn, l: &LinkRow) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO connect_links ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL)"))?
        .execute(params![l.jti, l.workspace_id, l.profile_seq, l.options, l.created_at, l.expires_at])?;
    Ok(())
}

pub fn find_link(conn: &Conn, jti: &str) -> Result<Option<LinkRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM connect_links WHERE jti = ?1"))?;
    Ok(st.query_row([jti], from_row).optional()?)
}

pub fn list_live_links(conn: &Conn, profile_seq: i64, now: &str) -> Result<Vec<LinkRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM connect_links
         WHERE profile_seq = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
         ORDER BY created_at"
    ))?;
    let rows = st.query_map(params![profile_seq, now], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn claim_link(conn: &Conn, jti: &str, now: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE connect_links SET used_at = ?2
             WHERE jti = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2",
        )?
        .execute(params![jti, now])?;
    Ok(n == 1)
}

pub fn revoke_link(conn: &Conn, workspace_id: i64, jti: &str, now: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE connect_links SET revoked_at = COALESCE(revoked_at, ?3) WHERE jti = ?1 AND workspace_id = ?2",
        )?
        .execute(params![jti, workspace_id, now])?;
    Ok(n == 1)
}

pub fn insert_oauth_state(conn: &Conn, s: &OAuthStateRow) -> Result<()> {
    // At most MAX_PENDING sign-ins wait per profile: a page clicked again and again (or a
    // script) replaces the oldest instead of filling the table.
    conn.prepare_cached(
        "DELETE FROM oauth_states WHERE profile_seq = ?1 AND state NOT IN
            (SELECT state FROM oauth_states WHERE profile_seq = ?1 ORDER BY created_at DESC LIMIT ?2)",
    )?
    .execute(params![s.profile_seq, MAX_PENDING_OAUTH_STATES - 1])?;
    conn.prepare_cached(
        "INSERT INTO oauth_states (state, profile_seq, platform, pkce_verifier, link_jti, return_url, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        s.state,
        s.profile_seq,
        s.platform,
        s.pkce_verifier,
        s.link_jti,
        s.return_url,
        s.created_at,
        s.expires_at
    ])?;
    Ok(())
}

pub fn take_oauth_state(conn: &Conn, state: &str) -> Result<Option<OAuthStateRow>> {
    let mut st = conn.prepare_cached(
        "DELETE FROM oauth_states WHERE state = ?1
         RETURNING state, profile_seq, platform, pkce_verifier, link_jti, return_url, created_at, expires_at",
    )?;
    Ok(st
        .query_row([state], |r| {
            Ok(OAuthStateRow {
                state: r.get(0)?,
                profile_seq: r.get(1)?,
                platform: r.get(2)?,
                pkce_verifier: r.get(3)?,
                link_jti: r.get(4)?,
                return_url: r.get(5)?,
                created_at: r.get(6)?,
                expires_at: r.get(7)?,
            })
        })
        .optional()?)
}

pub fn delete_expired_oauth_states(conn: &Conn, now: &str) -> Result<usize> {
    Ok(conn.prepare_cached("DELETE FROM oauth_states WHERE expires_at < ?1")?.execute([now])?)
}
