//! The `profiles` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A profile row. `metadata` is the caller's JSON object as text.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub seq: i64,
    pub id: String,
    pub workspace_id: i64,
    pub profile_key: String,
    pub name: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub metadata: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Which profiles a page holds.
#[derive(Debug, Default)]
pub struct ProfileFilter<'a> {
    /// Only rows after this `seq` (the cursor).
    pub after_seq: i64,
    pub limit: u32,
    pub external_id: Option<&'a str>,
    pub username: Option<&'a str>,
}

/// Inserts a profile and returns its `seq`.
pub fn insert_profile(conn: &Conn, p: &ProfileRow) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::insert_profile(c, p),
        Backend::Postgres(c) => postgres::profiles::insert_profile(c, p),
    }
}

/// Finds a workspace's profile by its UUID.
pub fn find_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<Option<ProfileRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::find_profile(c, workspace_id, id),
        Backend::Postgres(c) => postgres::profiles::find_profile(c, workspace_id, id),
    }
}

/// Holds a profile's row until the write commits, so a read-modify-write of it (a PATCH)
/// cannot overwrite a change committed beside it. A no-op on SQLite (one writer); `FOR
/// UPDATE` on PostgreSQL.
pub fn lock_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(_) => Ok(()),
        Backend::Postgres(c) => postgres::profiles::lock_profile(c, workspace_id, id),
    }
}

/// Lists one page of a workspace's profiles in creation order.
pub fn list_profiles(conn: &Conn, workspace_id: i64, f: &ProfileFilter<'_>) -> Result<Vec<ProfileRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::list_profiles(c, workspace_id, f),
        Backend::Postgres(c) => postgres::profiles::list_profiles(c, workspace_id, f),
    }
}

/// Writes a profile's mutable fields back.
pub fn update_profile(conn: &Conn, p: &ProfileRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::update_profile(c, p),
        Backend::Postgres(c) => postgres::profiles::update_profile(c, p),
    }
}

/// Deletes a workspace's profile; false when there was none.
pub fn delete_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::delete_profile(c, workspace_id, id),
        Backend::Postgres(c) => postgres::profiles::delete_profile(c, workspace_id, id),
    }
}

/// How many profiles a workspace has.
pub fn count_profiles(conn: &Conn, workspace_id: i64) -> Result<i64> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::count_profiles(c, workspace_id),
        Backend::Postgres(c) => postgres::profiles::count_profiles(c, workspace_id),
    }
}

/// Finds a profile by its internal sequence number.
pub fn find_profile_by_seq(conn: &Conn, seq: i64) -> Result<Option<ProfileRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::find_profile_by_seq(c, seq),
        Backend::Postgres(c) => postgres::profiles::find_profile_by_seq(c, seq),
    }
}

/// Finds a workspace's profile by its profile key.
pub fn find_profile_by_key(conn: &Conn, workspace_id: i64, key: &str) -> Result<Option<ProfileRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::find_profile_by_key(c, workspace_id, key),
        Backend::Postgres(c) => postgres::profiles::find_profile_by_key(c, workspace_id, key),
    }
}

/// Finds a workspace's profile by its username.
pub fn find_profile_by_username(conn: &Conn, workspace_id: i64, username: &str) -> Result<Option<ProfileRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::profiles::find_profile_by_username(c, workspace_id, username),
        Backend::Postgres(c) => postgres::profiles::find_profile_by_username(c, workspace_id, username),
    }
}
