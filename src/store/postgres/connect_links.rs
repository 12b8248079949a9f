//! The SQL of `store::connect_links`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::connect_links::{LinkRow, MAX_PENDING_OAUTH_STATES, OAuthStateRow};
use ::postgres::Row;

const COLUMNS: &str = "jti, workspace_id, profile_seq, options, created_at, expires_at, used_at, revoked_at";

fn from_row(r: &Row) -> Result<LinkRow> {
    Ok(LinkRow {
        jti: r.try_get(0)?,
        workspace_id: r.try_get(1)?,
        profile_seq: r.try_get(2)?,
        options: r.try_get(3)?,
        created_at: r.try_get(4)?,
        expires_at: r.try_get(5)?,
        used_at: r.try_get(6)?,
        revoked_at: r.try_get(7)?,
    })
}

pub fn insert_link(conn: &Conn, l: &LinkRow) -> Result<()> {
    let sql = format!("INSERT INTO connect_links ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)");
    conn.execute(&sql, &[&l.jti, &l.workspace_id, &l.profile_seq, &l.options, &l.created_at, &l.expires_at])?;
    Ok(())
}

pub fn find_link(conn: &Conn, jti: &str) -> Result<Option<LinkRow>> {
    let sql = format!("SELECT {COLUMNS} FROM connect_links WHERE jti = $1");
    conn.query_opt(&sql, &[&jti])?.as_ref().map(from_row).transpose()
}

pub fn list_live_links(conn: &Conn, profile_seq: i64, now: &str) -> Result<Vec<LinkRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM connect_links
         WHERE profile_seq = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
         ORDER BY created_at"
    );
    rows(conn.query(&sql, &[&profile_seq, &now])?, from_row)
}

pub fn claim_link(conn: &Conn, jti: &str, now: &str) -> Result<bool> {
    // One UPDATE: of two instances opening the link at once, the second waits on the row
    // lock and then finds used_at set (READ COMMITTED re-checks the WHERE on the new row).
    let n = conn.execute(
        "UPDATE connect_links SET used_at = $2
         WHERE jti = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        &[&jti, &now],
    )?;
    Ok(n == 1)
}

pub fn revoke_link(conn: &Conn, workspace_id: i64, jti: &str, now: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE connect_links SET revoked_at = COALESCE(revoked_at, $3) WHERE jti = $1 AND workspace_id = $2",
        &[&jti, &workspace_id, &now],
    )?;
    Ok(n == 1)
}

pub fn insert_oauth_state(conn: &Conn, s: &OAuthStateRow) -> Result<()> {
    // At most MAX_PENDING sign-ins wait per profile (see the SQLite twin). The profile's row
    // is locked first, so two sign-ins started at once on two instances cannot both keep
    // MAX_PENDING others.
    conn.execute("SELECT 1 FROM profiles WHERE seq = $1 FOR UPDATE", &[&s.profile_seq])?;
    conn.execute(
        "DELETE FROM oauth_states WHERE profile_seq = $1 AND state NOT IN
            (SELECT state FROM oauth_states WHERE profile_seq = $1 ORDER BY created_at DESC LIMIT $2)",
        &[&s.profile_seq, &(MAX_PENDING_OAUTH_STATES - 1)],
    )?;
    conn.execute(
        "INSERT INTO oauth_states (state, profile_seq, platform, pkce_verifier, link_jti, return_url, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &s.state,
            &s.profile_seq,
            &s.platform,
            &s.pkce_verifier,
            &s.link_jti,
            &s.return_url,
            &s.created_at,
            &s.expires_at,
        ],
    )?;
    Ok(())
}

pub fn take_oauth_state(conn: &Conn, state: &str) -> Result<Option<OAuthStateRow>> {
    let found = conn.query_opt(
        "DELETE FROM oauth_states WHERE state = $1
         RETURNING state, profile_seq, platform, pkce_verifier, link_jti, return_url, created_at, expires_at",
        &[&state],
    )?;
    found
        .map(|r| {
            Ok(OAuthStateRow {
                state: r.try_get(0)?,
                profile_seq: r.try_get(1)?,
                platform: r.try_get(2)?,
                pkce_verifier: r.try_get(3)?,
                link_jti: r.try_get(4)?,
                return_url: r.try_get(5)?,
                created_at: r.try_get(6)?,
                expires_at: r.try_get(7)?,
            })
        })
        .transpose()
}

pub fn delete_expired_oauth_states(conn: &Conn, now: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM oauth_states WHERE expires_at < $1", &[&now])? as usize)
}
