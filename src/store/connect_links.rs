//! The `connect_links` and `oauth_states` tables.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A connect link row (the link itself is a JWT; this makes it single use and revocable).
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub jti: String,
    pub workspace_id: i64,
    pub profile_seq: i64,
    pub options: String,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Records a new link.
pub fn insert_link(conn: &Conn, l: &LinkRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::insert_link(c, l),
        Backend::Postgres(c) => postgres::connect_links::insert_link(c, l),
    }
}

/// A link by its id.
pub fn find_link(conn: &Conn, jti: &str) -> Result<Option<LinkRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::find_link(c, jti),
        Backend::Postgres(c) => postgres::connect_links::find_link(c, jti),
    }
}

/// A profile's links that are neither used, revoked nor expired.
pub fn list_live_links(conn: &Conn, profile_seq: i64, now: &str) -> Result<Vec<LinkRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::list_live_links(c, profile_seq, now),
        Backend::Postgres(c) => postgres::connect_links::list_live_links(c, profile_seq, now),
    }
}

/// Marks the link used if it is still usable; true for the one caller that wins.
pub fn claim_link(conn: &Conn, jti: &str, now: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::claim_link(c, jti, now),
        Backend::Postgres(c) => postgres::connect_links::claim_link(c, jti, now),
    }
}

/// Revokes a workspace's link; false when there is no such link.
pub fn revoke_link(conn: &Conn, workspace_id: i64, jti: &str, now: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::revoke_link(c, workspace_id, jti, now),
        Backend::Postgres(c) => postgres::connect_links::revoke_link(c, workspace_id, jti, now),
    }
}

/// An OAuth authorization in progress.
#[derive(Debug, Clone)]
pub struct OAuthStateRow {
    pub state: String,
    pub profile_seq: i64,
    pub platform: String,
    pub pkce_verifier: String,
    pub link_jti: Option<String>,
    pub return_url: Option<String>,
    pub created_at: String,
    pub expires_at: String,
}

/// Records an authorization in progress.
/// How many OAuth sign-ins may wait for their callback per profile.
pub const MAX_PENDING_OAUTH_STATES: i64 = 10;

/// Records a sign-in in progress (see `MAX_PENDING_OAUTH_STATES`).
pub fn insert_oauth_state(conn: &Conn, s: &OAuthStateRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::insert_oauth_state(c, s),
        Backend::Postgres(c) => postgres::connect_links::insert_oauth_state(c, s),
    }
}

/// Removes and returns an authorization in progress: a state is good for one callback.
pub fn take_oauth_state(conn: &Conn, state: &str) -> Result<Option<OAuthStateRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::take_oauth_state(c, state),
        Backend::Postgres(c) => postgres::connect_links::take_oauth_state(c, state),
    }
}

/// Forgets authorizations that were never completed.
pub fn delete_expired_oauth_states(conn: &Conn, now: &str) -> Result<usize> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::connect_links::delete_expired_oauth_states(c, now),
        Backend::Postgres(c) => postgres::connect_links::delete_expired_oauth_states(c, now),
    }
}
