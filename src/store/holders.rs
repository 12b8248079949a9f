//! The `account_holders` and `memberships` tables.

use super::{Backend, Conn, Result, postgres, sqlite};

/// An account holder row.
#[derive(Debug, Clone)]
pub struct HolderRow {
    pub id: String,
    pub email: String,
    pub username: Option<String>,
    pub password_hash: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub session_epoch: i64,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: Option<String>,
}

/// Inserts a holder.
pub fn insert_holder(conn: &Conn, h: &HolderRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::insert_holder(c, h),
        Backend::Postgres(c) => postgres::holders::insert_holder(c, h),
    }
}

/// A holder by id.
/// Holds the account holder's row until the write commits, so the holder's document totals
/// counted after it cannot be passed by an upload running beside this one (see
/// `workspaces::lock_workspace`).
pub fn lock_holder(conn: &Conn, id: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(_) => Ok(()),
        Backend::Postgres(c) => postgres::holders::lock_holder(c, id),
    }
}

pub fn find_holder(conn: &Conn, id: &str) -> Result<Option<HolderRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::find_holder(c, id),
        Backend::Postgres(c) => postgres::holders::find_holder(c, id),
    }
}

/// A holder by email or username (either, without regard to case).
pub fn find_holder_by_login(conn: &Conn, login: &str) -> Result<Option<HolderRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::find_holder_by_login(c, login),
        Backend::Postgres(c) => postgres::holders::find_holder_by_login(c, login),
    }
}

/// Writes a holder's names and email.
pub fn update_holder_profile(conn: &Conn, h: &HolderRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::update_holder_profile(c, h),
        Backend::Postgres(c) => postgres::holders::update_holder_profile(c, h),
    }
}

/// Sets a new password hash and ends every older session.
pub fn update_holder_password(conn: &Conn, id: &str, hash: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::update_holder_password(c, id, hash),
        Backend::Postgres(c) => postgres::holders::update_holder_password(c, id, hash),
    }
}

/// Replaces a password's hash with one of the same password (new argon2 parameters): sessions
/// stay valid, unlike `update_holder_password`.
pub fn update_holder_password_hash(conn: &Conn, id: &str, hash: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::update_holder_password_hash(c, id, hash),
        Backend::Postgres(c) => postgres::holders::update_holder_password_hash(c, id, hash),
    }
}

/// Ends every session of a holder.
pub fn bump_holder_session_epoch(conn: &Conn, id: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::bump_holder_session_epoch(c, id),
        Backend::Postgres(c) => postgres::holders::bump_holder_session_epoch(c, id),
    }
}

/// Records a sign-in.
pub fn update_holder_last_login(conn: &Conn, id: &str, at: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::update_holder_last_login(c, id, at),
        Backend::Postgres(c) => postgres::holders::update_holder_last_login(c, id, at),
    }
}

/// Adds a holder to a workspace.
pub fn insert_membership(conn: &Conn, holder_id: &str, workspace_id: i64, role: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::insert_membership(c, holder_id, workspace_id, role),
        Backend::Postgres(c) => postgres::holders::insert_membership(c, holder_id, workspace_id, role),
    }
}

/// The workspace a holder owns (the first, if several).
pub fn find_owned_workspace(conn: &Conn, holder_id: &str) -> Result<Option<i64>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::find_owned_workspace(c, holder_id),
        Backend::Postgres(c) => postgres::holders::find_owned_workspace(c, holder_id),
    }
}

/// The email of a workspace's (first) owner.
pub fn find_owner_email(conn: &Conn, workspace_id: i64) -> Result<Option<String>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::holders::find_owner_email(c, workspace_id),
        Backend::Postgres(c) => postgres::holders::find_owner_email(c, workspace_id),
    }
}
