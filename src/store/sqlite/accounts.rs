//! The SQL of `store::accounts`, for SQLite.

use crate::store::Result;
use crate::store::accounts::{AccountRow, RefreshedTokens};
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str = "id, profile_seq, platform, platform_user_id, username, display_name, profile_url, \
     image_url, account_type, access_token, refresh_token, token_expires_at, provider_url, details, \
     sandbox, needs_reconnect, reconnect_reason, next_refresh_at, linked_at, updated_at, token_generation, \
     refresh_expires_at, public_id, granted_scopes";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        profile_seq: r.get(1)?,
        platform: r.get(2)?,
        platform_user_id: r.get(3)?,
        username: r.get(4)?,
        display_name: r.get(5)?,
        profile_url: r.get(6)?,
        image_url: r.get(7)?,
        account_type: r.get(8)?,
        access_token: r.get(9)?,
        refresh_token: r.get(10)?,
        token_expires_at: r.get(11)?,
        provider_url: r.get(12)?,
        details: r.get(13)?,
        sandbox: r.get(14)?,
        needs_reconnect: r.get(15)?,
        reconnect_reason: r.get(16)?,
        next_refresh_at: r.get(17)?,
        linked_at: r.get(18)?,
        updated_at: r.get(19)?,
        token_generation: r.get(20)?,
        refresh_expires_at: r.get(21)?,
        public_id: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
        granted_scopes: r.get(23)?,
    })
}

pub fn upsert_account(conn: &Conn, a: &AccountRow) -> Result<i64> {
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO social_accounts (profile_seq, platform, platform_user_id, username, display_name,
                profile_url, image_url, account_type, access_token, refresh_token, token_expires_at,
                provider_url, details, sandbox, needs_reconnect, reconnect_reason, next_refresh_at,
                linked_at, updated_at, refresh_expires_at, public_id, granted_scopes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 0, NULL, NULL, ?15, ?15, ?16, ?17, ?18)
             ON CONFLICT (profile_seq, platform) DO UPDATE SET
                platform_user_id = excluded.platform_user_id, username = excluded.username,
                display_name = excluded.display_name, profile_url = excluded.profile_url,
                image_url = excluded.image_url, account_type = excluded.account_type,
                access_token = excluded.access_token, refresh_token = excluded.refresh_token,
                token_expires_at = excluded.token_expires_at, provider_url = excluded.provider_url,
                details = excluded.details, sandbox = excluded.sandbox, needs_reconnect = 0,
                reconnect_reason = NULL, next_refresh_at = NULL, linked_at = excluded.linked_at,
                updated_at = excluded.updated_at, refresh_expires_at = excluded.refresh_expires_at,
                expiring_notified_for = NULL, token_generation = token_generation + 1,
                granted_scopes = excluded.granted_scopes
             RETURNING id",
        )?
        .query_row(
            params![
                a.profile_seq,
                a.platform,
                a.platform_user_id,
                a.username,
                a.display_name,
                a.profile_url,
                a.image_url,
                a.account_type,
                a.access_token,
                a.refresh_token,
                a.token_expires_at,
                a.provider_url,
                a.details,
                a.sandbox,
                a.linked_at,
                a.refresh_expires_at,
                a.public_id,
                a.granted_scopes
            ],
            |r| r.get(0),
        )?;
    Ok(id)
}

pub fn list_accounts(conn: &Conn, profile_seq: i64) -> Result<Vec<AccountRow>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = ?1 ORDER BY id"))?;
    let rows = st.query_map([profile_seq], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list_accounts_of_profiles(conn: &Conn, profile_seqs: &[i64]) -> Result<Vec<AccountRow>> {
    if profile_seqs.is_empty() {
        return Ok(Vec::new());
    }
    let ids = serde_json::to_string(profile_seqs).unwrap_or_else(|_| "[]".into());
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM social_accounts
         WHERE profile_seq IN (SELECT value FROM json_each(?1)) ORDER BY profile_seq, id"
    ))?;
    let rows = st.query_map([ids], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list_linked_platforms(conn: &Conn, profile_seqs: &[i64]) -> Result<Vec<(i64, String)>> {
    if profile_seqs.is_empty() {
        return Ok(Vec::new());
    }
    // A JSON array parameter keeps the statement (and its cache entry) the same for any count.
    let ids = serde_json::to_string(profile_seqs).unwrap_or_else(|_| "[]".into());
    let mut st = conn.prepare_cached(
        "SELECT profile_seq, platform FROM social_accounts
         WHERE profile_seq IN (SELECT value FROM json_each(?1)) ORDER BY profile_seq, id",
    )?;
    let rows = st.query_map([ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list_platforms_of_profile(conn: &Conn, profile_seq: i64) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT platform FROM social_accounts WHERE profile_seq = ?1 ORDER BY id")?;
    let rows = st.query_map([profile_seq], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn find_account(conn: &Conn, profile_seq: i64, platform: &str) -> Result<Option<AccountRow>> {
    let mut st = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = ?1 AND platform = ?2"))?;
    Ok(st.query_row(params![profile_seq, platform], from_row).optional()?)
}

pub fn find_account_by_public_id(conn: &Conn, profile_seq: i64, public_id: &str) -> Result<Option<AccountRow>> {
    let mut st = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = ?1 AND public_id = ?2"))?;
    Ok(st.query_row(params![profile_seq, public_id], from_row).optional()?)
}

pub fn find_account_by_id(conn: &Conn, id: i64) -> Result<Option<AccountRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM social_accounts WHERE id = ?1"))?;
    Ok(st.query_row([id], from_row).optional()?)
}

pub fn delete_account(conn: &Conn, profile_seq: i64, platform: &str) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM social_accounts WHERE profile_seq = ?1 AND platform = ?2")?
        .execute(params![profile_seq, platform])?;
    Ok(n == 1)
}

pub fn list_accounts_due_for_refresh(conn: &Conn, before: &str, now: &str, limit: u32) -> Result<Vec<AccountRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM social_accounts
         WHERE refresh_token IS NOT NULL AND needs_reconnect = 0 AND token_expires_at < ?1
           AND (next_refresh_at IS NULL OR next_refresh_at <= ?2)
         ORDER BY token_expires_at LIMIT ?3"
    ))?;
    let rows = st.query_map(params![before, now, limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn update_account_tokens(conn: &Conn, id: i64, generation: i64, t: &RefreshedTokens<'_>) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE social_accounts SET access_token = ?3, refresh_token = COALESCE(?4, refresh_token),
                token_expires_at = ?5, refresh_expires_at = COALESCE(?6, refresh_expires_at),
                granted_scopes = COALESCE(?8, granted_scopes),
                next_refresh_at = NULL, needs_reconnect = 0, reconnect_reason = NULL, updated_at = ?7,
                token_generation = token_generation + 1
             WHERE id = ?1 AND token_generation = ?2",
        )?
        .execute(params![
            id,
            generation,
            t.access_token,
            t.refresh_token,
            t.expires_at,
            t.refresh_expires_at,
            crate::store::now(),
            t.scopes
        ])?;
    Ok(n == 1)
}

pub fn update_account_next_refresh(conn: &Conn, id: i64, generation: i64, at: &str) -> Result<bool> {
    let n = conn
        .prepare_cached("UPDATE social_accounts SET next_refresh_at = ?3 WHERE id = ?1 AND token_generation = ?2")?
        .execute(params![id, generation, at])?;
    Ok(n == 1)
}

pub fn update_account_needs_reconnect(conn: &Conn, id: i64, generation: i64, reason: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE social_accounts SET needs_reconnect = 1, reconnect_reason = ?3, updated_at = ?4
             WHERE id = ?1 AND token_generation = ?2",
        )?
        .execute(params![id, generation, reason, crate::store::now()])?;
    Ok(n == 1)
}

pub fn count_social_accounts(conn: &Conn, workspace_id: i64) -> Result<i64> {
    let mut st = conn.prepare_cached(
        "SELECT count(*) FROM social_accounts a JOIN profiles p ON p.seq = a.profile_seq WHERE p.workspace_id = ?1",
    )?;
    Ok(st.query_row([workspace_id], |r| r.get(0))?)
}

pub fn list_accounts_expiring(conn: &Conn, before: &str, limit: u32) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, token_expires_at FROM social_accounts
         WHERE token_expires_at IS NOT NULL AND token_expires_at < ?1 AND needs_reconnect = 0
           AND refresh_token IS NULL
           AND (expiring_notified_for IS NULL OR expiring_notified_for <> token_expires_at)
         ORDER BY token_expires_at LIMIT ?2",
    )?;
    let rows = st.query_map(params![before, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn update_account_expiring_notified(conn: &Conn, id: i64, expiry: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE social_accounts SET expiring_notified_for = ?2 WHERE id = ?1 AND expiring_notified_for IS NOT ?2",
        )?
        .execute(params![id, expiry])?;
    Ok(n == 1)
}
