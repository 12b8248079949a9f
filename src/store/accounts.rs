//! The `social_accounts` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A linked account row; tokens are sealed bytes, opened only by `auth::seal`.
#[derive(Debug, Clone, Default)]
pub struct AccountRow {
    pub id: i64,
    pub profile_seq: i64,
    pub platform: String,
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub profile_url: Option<String>,
    pub image_url: Option<String>,
    pub account_type: String,
    pub access_token: Option<Vec<u8>>,
    pub refresh_token: Option<Vec<u8>>,
    pub token_expires_at: Option<String>,
    pub provider_url: Option<String>,
    pub details: Option<String>,
    pub sandbox: bool,
    pub needs_reconnect: bool,
    pub reconnect_reason: Option<String>,
    pub next_refresh_at: Option<String>,
    /// Bumped on every change of tokens; see `update_account_tokens`.
    pub token_generation: i64,
    pub refresh_expires_at: Option<String>,
    /// `acc_…`: the id the API shows (the integer `id` never leaves the server).
    pub public_id: String,
    /// The scopes granted, space-separated, where known.
    pub granted_scopes: Option<String>,
    pub linked_at: String,
    pub updated_at: String,
}

/// Inserts the account, or replaces the identity and tokens of the profile's account on the
/// same platform (keeping its id and clearing any reconnect flag). Returns the account id.
pub fn upsert_account(conn: &Conn, a: &AccountRow) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::upsert_account(c, a),
        Backend::Postgres(c) => postgres::accounts::upsert_account(c, a),
    }
}

/// The accounts of one profile, in platform order of linking.
pub fn list_accounts(conn: &Conn, profile_seq: i64) -> Result<Vec<AccountRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::list_accounts(c, profile_seq),
        Backend::Postgres(c) => postgres::accounts::list_accounts(c, profile_seq),
    }
}

/// The accounts of each of the given profiles, in one query (ordered by profile, then id).
pub fn list_accounts_of_profiles(conn: &Conn, profile_seqs: &[i64]) -> Result<Vec<AccountRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::list_accounts_of_profiles(c, profile_seqs),
        Backend::Postgres(c) => postgres::accounts::list_accounts_of_profiles(c, profile_seqs),
    }
}

/// The platforms linked by each of the given profiles, as (profile_seq, platform) pairs.
pub fn list_linked_platforms(conn: &Conn, profile_seqs: &[i64]) -> Result<Vec<(i64, String)>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::list_linked_platforms(c, profile_seqs),
        Backend::Postgres(c) => postgres::accounts::list_linked_platforms(c, profile_seqs),
    }
}

/// The platforms one profile has linked, by the (profile_seq, platform) index: the common
/// single-profile case, without `list_linked_platforms`' temporary table.
pub fn list_platforms_of_profile(conn: &Conn, profile_seq: i64) -> Result<Vec<String>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::list_platforms_of_profile(c, profile_seq),
        Backend::Postgres(c) => postgres::accounts::list_platforms_of_profile(c, profile_seq),
    }
}

/// One profile's account on one platform.
pub fn find_account(conn: &Conn, profile_seq: i64, platform: &str) -> Result<Option<AccountRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::find_account(c, profile_seq, platform),
        Backend::Postgres(c) => postgres::accounts::find_account(c, profile_seq, platform),
    }
}

/// One profile's account by its public id.
pub fn find_account_by_public_id(conn: &Conn, profile_seq: i64, public_id: &str) -> Result<Option<AccountRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::find_account_by_public_id(c, profile_seq, public_id),
        Backend::Postgres(c) => postgres::accounts::find_account_by_public_id(c, profile_seq, public_id),
    }
}

/// An account by its id.
pub fn find_account_by_id(conn: &Conn, id: i64) -> Result<Option<AccountRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::find_account_by_id(c, id),
        Backend::Postgres(c) => postgres::accounts::find_account_by_id(c, id),
    }
}

/// Unlinks; false when there was nothing linked.
pub fn delete_account(conn: &Conn, profile_seq: i64, platform: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::delete_account(c, profile_seq, platform),
        Backend::Postgres(c) => postgres::accounts::delete_account(c, profile_seq, platform),
    }
}

/// Accounts whose tokens lapse before `before` and may be refreshed now.
pub fn list_accounts_due_for_refresh(conn: &Conn, before: &str, now: &str, limit: u32) -> Result<Vec<AccountRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::list_accounts_due_for_refresh(c, before, now, limit),
        Backend::Postgres(c) => postgres::accounts::list_accounts_due_for_refresh(c, before, now, limit),
    }
}

/// Stores refreshed tokens, if the account's tokens are still those of `generation` (else a
/// newer link or refresh won, and this answer is stale); clears any reconnect flag, since the
/// provider has just accepted the account. Returns whether it was stored.
pub fn update_account_tokens(conn: &Conn, id: i64, generation: i64, t: &RefreshedTokens<'_>) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::update_account_tokens(c, id, generation, t),
        Backend::Postgres(c) => postgres::accounts::update_account_tokens(c, id, generation, t),
    }
}

/// Refreshed tokens, sealed.
#[derive(Debug, Clone, Copy)]
pub struct RefreshedTokens<'a> {
    pub access_token: &'a [u8],
    /// The scopes the refresh answer named; `None` keeps those stored.
    pub scopes: Option<&'a str>,
    pub refresh_token: Option<&'a [u8]>,
    pub expires_at: Option<&'a str>,
    pub refresh_expires_at: Option<&'a str>,
}

/// Postpones the next refresh attempt (after a transient failure), if the tokens are still
/// those of `generation`.
pub fn update_account_next_refresh(conn: &Conn, id: i64, generation: i64, at: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::update_account_next_refresh(c, id, generation, at),
        Backend::Postgres(c) => postgres::accounts::update_account_next_refresh(c, id, generation, at),
    }
}

/// Marks an account as needing its owner to link it again, if the tokens the provider refused
/// are still those of `generation`. Returns whether it was marked.
pub fn update_account_needs_reconnect(conn: &Conn, id: i64, generation: i64, reason: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::update_account_needs_reconnect(c, id, generation, reason),
        Backend::Postgres(c) => postgres::accounts::update_account_needs_reconnect(c, id, generation, reason),
    }
}

/// How many accounts the profiles of a workspace have linked.
pub fn count_social_accounts(conn: &Conn, workspace_id: i64) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::count_social_accounts(c, workspace_id),
        Backend::Postgres(c) => postgres::accounts::count_social_accounts(c, workspace_id),
    }
}

/// Accounts whose tokens lapse before `before` and were not yet announced as expiring for
/// that expiry, as (id, expiry).
pub fn list_accounts_expiring(conn: &Conn, before: &str, limit: u32) -> Result<Vec<(i64, String)>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::list_accounts_expiring(c, before, limit),
        Backend::Postgres(c) => postgres::accounts::list_accounts_expiring(c, before, limit),
    }
}

/// Records that the expiry was announced; false if it already was (by another instance).
pub fn update_account_expiring_notified(conn: &Conn, id: i64, expiry: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::accounts::update_account_expiring_notified(c, id, expiry),
        Backend::Postgres(c) => postgres::accounts::update_account_expiring_notified(c, id, expiry),
    }
}

/// Takes the lease on refreshing account `id` from the tokens of `generation`, until `until`:
/// false while another instance holds an unexpired lease, or when the account's tokens are no
/// longer of `generation`. Only where instances share the database (`Db::shared`); a SQLite
/// file has one process, whose in-process single flight is the lease, so there it is always
/// taken.
pub fn claim_refresh(conn: &Conn, id: i64, generation: i64, now: &str, until: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(_) => Ok(true),
        Backend::Postgres(c) => postgres::accounts::claim_refresh(c, id, generation, now, until),
    }
}

/// Gives up the lease `claim_refresh` took (with the refresh's outcome, in its transaction).
pub fn release_refresh(conn: &Conn, id: i64) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(_) => Ok(()),
        Backend::Postgres(c) => postgres::accounts::release_refresh(c, id),
    }
}
