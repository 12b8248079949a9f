//! The SQL of `store::accounts`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::accounts::{AccountRow, RefreshedTokens};
use ::postgres::Row;

const COLUMNS: &str = "id, profile_seq, platform, platform_user_id, username, display_name, profile_url, \
     image_url, account_type, access_token, refresh_token, token_expires_at, provider_url, details, \
     sandbox, needs_reconnect, reconnect_reason, next_refresh_at, linked_at, updated_at, token_generation, \
     refresh_expires_at, public_id, granted_scopes";

fn from_row(r: &Row) -> Result<AccountRow> {
    Ok(AccountRow {
        id: r.try_get(0)?,
        profile_seq: r.try_get(1)?,
        platform: r.try_get(2)?,
        platform_user_id: r.try_get(3)?,
        username: r.try_get(4)?,
        display_name: r.try_get(5)?,
        profile_url: r.try_get(6)?,
        image_url: r.try_get(7)?,
        account_type: r.try_get(8)?,
        access_token: r.try_get(9)?,
        refresh_token: r.try_get(10)?,
        token_expires_at: r.try_get(11)?,
        provider_url: r.try_get(12)?,
        details: r.try_get(13)?,
        sandbox: r.try_get(14)?,
        needs_reconnect: r.try_get(15)?,
        reconnect_reason: r.try_get(16)?,
        next_refresh_at: r.try_get(17)?,
        linked_at: r.try_get(18)?,
        updated_at: r.try_get(19)?,
        token_generation: r.try_get(20)?,
        refresh_expires_at: r.try_get(21)?,
        public_id: r.try_get::<_, Option<String>>(22)?.unwrap_or_default(),
        granted_scopes: r.try_get(23)?,
    })
}

pub fn upsert_account(conn: &Conn, a: &AccountRow) -> Result<i64> {
    let row = conn.query_one(
        "INSERT INTO social_accounts (profile_seq, platform, platform_user_id, username, display_name,
            profile_url, image_url, account_type, access_token, refresh_token, token_expires_at,
            provider_url, details, sandbox, needs_reconnect, reconnect_reason, next_refresh_at,
            linked_at, updated_at, refresh_expires_at, public_id, granted_scopes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, FALSE, NULL, NULL, $15, $15, $16, $17, $18)
         ON CONFLICT (profile_seq, platform) DO UPDATE SET
            platform_user_id = excluded.platform_user_id, username = excluded.username,
            display_name = excluded.display_name, profile_url = excluded.profile_url,
            image_url = excluded.image_url, account_type = excluded.account_type,
            access_token = excluded.access_token, refresh_token = excluded.refresh_token,
            token_expires_at = excluded.token_expires_at, provider_url = excluded.provider_url,
            details = excluded.details, sandbox = excluded.sandbox, needs_reconnect = FALSE,
            reconnect_reason = NULL, next_refresh_at = NULL, linked_at = excluded.linked_at,
            updated_at = excluded.updated_at, refresh_expires_at = excluded.refresh_expires_at,
            expiring_notified_for = NULL, token_generation = social_accounts.token_generation + 1,
            granted_scopes = excluded.granted_scopes
         RETURNING id",
        &[
            &a.profile_seq,
            &a.platform,
            &a.platform_user_id,
            &a.username,
            &a.display_name,
            &a.profile_url,
            &a.image_url,
            &a.account_type,
            &a.access_token,
            &a.refresh_token,
            &a.token_expires_at,
            &a.provider_url,
            &a.details,
            &a.sandbox,
            &a.linked_at,
            &a.refresh_expires_at,
            &a.public_id,
            &a.granted_scopes,
        ],
    )?;
    Ok(row.try_get(0)?)
}

pub fn list_accounts(conn: &Conn, profile_seq: i64) -> Result<Vec<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = $1 ORDER BY id");
    rows(conn.query(&sql, &[&profile_seq])?, from_row)
}

pub fn list_accounts_of_profiles(conn: &Conn, profile_seqs: &[i64]) -> Result<Vec<AccountRow>> {
    if profile_seqs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = ANY($1) ORDER BY profile_seq, id");
    rows(conn.query(&sql, &[&profile_seqs])?, from_row)
}

pub fn list_linked_platforms(conn: &Conn, profile_seqs: &[i64]) -> Result<Vec<(i64, String)>> {
    if profile_seqs.is_empty() {
        return Ok(Vec::new());
    }
    // An array parameter keeps the statement (and its prepared form) the same for any count.
    let sql = "SELECT profile_seq, platform FROM social_accounts WHERE profile_seq = ANY($1) ORDER BY profile_seq, id";
    rows(conn.query(sql, &[&profile_seqs])?, |r| Ok((r.try_get(0)?, r.try_get(1)?)))
}

pub fn list_platforms_of_profile(conn: &Conn, profile_seq: i64) -> Result<Vec<String>> {
    let sql = "SELECT platform FROM social_accounts WHERE profile_seq = $1 ORDER BY id";
    rows(conn.query(sql, &[&profile_seq])?, |r| Ok(r.try_get(0)?))
}

pub fn find_account(conn: &Conn, profile_seq: i64, platform: &str) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = $1 AND platform = $2");
    conn.query_opt(&sql, &[&profile_seq, &platform])?.as_ref().map(from_row).transpose()
}

pub fn find_account_by_public_id(conn: &Conn, profile_seq: i64, public_id: &str) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM social_accounts WHERE profile_seq = $1 AND public_id = $2");
    conn.query_opt(&sql, &[&profile_seq, &public_id])?.as_ref().map(from_row).transpose()
}

pub fn find_account_by_id(conn: &Conn, id: i64) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM social_accounts WHERE id = $1");
    conn.query_opt(&sql, &[&id])?.as_ref().map(from_row).transpose()
}

pub fn delete_account(conn: &Conn, profile_seq: i64, platform: &str) -> Result<bool> {
    let sql = "DELETE FROM social_accounts WHERE profile_seq = $1 AND platform = $2";
    Ok(conn.execute(sql, &[&profile_seq, &platform])? == 1)
}

pub fn list_accounts_due_for_refresh(conn: &Conn, before: &str, now: &str, limit: u32) -> Result<Vec<AccountRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM social_accounts
         WHERE refresh_token IS NOT NULL AND NOT needs_reconnect AND token_expires_at < $1
           AND (next_refresh_at IS NULL OR next_refresh_at <= $2)
         ORDER BY token_expires_at LIMIT $3"
    );
    rows(conn.query(&sql, &[&before, &now, &i64::from(limit)])?, from_row)
}

pub fn update_account_tokens(conn: &Conn, id: i64, generation: i64, t: &RefreshedTokens<'_>) -> Result<bool> {
    let n = conn.execute(
        "UPDATE social_accounts SET access_token = $3, refresh_token = COALESCE($4, refresh_token),
            token_expires_at = $5, refresh_expires_at = COALESCE($6, refresh_expires_at),
            granted_scopes = COALESCE($8, granted_scopes),
            next_refresh_at = NULL, needs_reconnect = FALSE, reconnect_reason = NULL, updated_at = $7,
            token_generation = token_generation + 1
         WHERE id = $1 AND token_generation = $2",
        &[
            &id,
            &generation,
            &t.access_token,
            &t.refresh_token,
            &t.expires_at,
            &t.refresh_expires_at,
            &crate::store::now(),
            &t.scopes,
        ],
    )?;
    Ok(n == 1)
}

pub fn update_account_next_refresh(conn: &Conn, id: i64, generation: i64, at: &str) -> Result<bool> {
    let sql = "UPDATE social_accounts SET next_refresh_at = $3 WHERE id = $1 AND token_generation = $2";
    Ok(conn.execute(sql, &[&id, &generation, &at])? == 1)
}

pub fn update_account_needs_reconnect(conn: &Conn, id: i64, generation: i64, reason: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE social_accounts SET needs_reconnect = TRUE, reconnect_reason = $3, updated_at = $4
         WHERE id = $1 AND token_generation = $2",
        &[&id, &generation, &reason, &crate::store::now()],
    )?;
    Ok(n == 1)
}

pub fn count_social_accounts(conn: &Conn, workspace_id: i64) -> Result<i64> {
    let sql =
        "SELECT count(*) FROM social_accounts a JOIN profiles p ON p.seq = a.profile_seq WHERE p.workspace_id = $1";
    Ok(conn.query_one(sql, &[&workspace_id])?.try_get(0)?)
}

pub fn list_accounts_expiring(conn: &Conn, before: &str, limit: u32) -> Result<Vec<(i64, String)>> {
    let sql = "SELECT id, token_expires_at FROM social_accounts
         WHERE token_expires_at IS NOT NULL AND token_expires_at < $1 AND NOT needs_reconnect
           AND refresh_token IS NULL
           AND (expiring_notified_for IS NULL OR expiring_notified_for <> token_expires_at)
         ORDER BY token_expires_at LIMIT $2";
    rows(conn.query(sql, &[&before, &i64::from(limit)])?, |r| Ok((r.try_get(0)?, r.try_get(1)?)))
}

pub fn update_account_expiring_notified(conn: &Conn, id: i64, expiry: &str) -> Result<bool> {
    // A second instance's update waits on the first's row lock, then finds it already marked.
    let n = conn.execute(
        "UPDATE social_accounts SET expiring_notified_for = $2 WHERE id = $1 AND expiring_notified_for IS DISTINCT FROM $2",
        &[&id, &expiry],
    )?;
    Ok(n == 1)
}

pub fn claim_refresh(conn: &Conn, id: i64, generation: i64, now: &str, until: &str) -> Result<bool> {
    // Inserted only if the tokens are still of `generation`; an existing lease is taken over
    // only once it has lapsed (its holder died). Two claims at once: the unique key makes the
    // second wait for the first and then see its lease.
    let n = conn.execute(
        "INSERT INTO refresh_leases (account_id, generation, until)
         SELECT id, token_generation, $3 FROM social_accounts WHERE id = $1 AND token_generation = $2
         ON CONFLICT (account_id) DO UPDATE SET generation = EXCLUDED.generation, until = EXCLUDED.until
         WHERE refresh_leases.until <= $4",
        &[&id, &generation, &until, &now],
    )?;
    Ok(n == 1)
}

pub fn release_refresh(conn: &Conn, id: i64) -> Result<()> {
    conn.execute("DELETE FROM refresh_leases WHERE account_id = $1", &[&id])?;
    Ok(())
}
