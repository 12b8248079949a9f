//! The SQL of `store::profiles`, for SQLite.

use crate::store::Result;
use crate::store::profiles::{ProfileFilter, ProfileRow};
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str =
    "seq, id, workspace_id, profile_key, name, external_id, username, metadata, created_at, updated_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok(ProfileRow {
        seq: r.get(0)?,
        id: r.get(1)?,
        workspace_id: r.get(2)?,
        profile_key: r.get(3)?,
        name: r.get(4)?,
        external_id: r.get(5)?,
        username: r.get(6)?,
        metadata: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub fn insert_profile(conn: &Conn, p: &ProfileRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO profiles (id, workspace_id, profile_key, name, external_id, username, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.id,
        p.workspace_id,
        p.profile_key,
        p.name,
        p.external_id,
        p.username,
        p.metadata,
        p.created_at,
        p.updated_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn find_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<Option<ProfileRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM profiles WHERE id = ?1 AND workspace_id = ?2"))?;
    Ok(st.query_row(params![id, workspace_id], from_row).optional()?)
}

pub fn list_profiles(conn: &Conn, workspace_id: i64, f: &ProfileFilter<'_>) -> Result<Vec<ProfileRow>> {
    // NULL filters match everything; the planner still walks the workspace index from after_seq.
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM profiles
         WHERE workspace_id = ?1 AND seq > ?2
           AND (?3 IS NULL OR external_id = ?3)
           AND (?4 IS NULL OR username = ?4)
         ORDER BY seq LIMIT ?5"
    ))?;
    let rows = st.query_map(params![workspace_id, f.after_seq, f.external_id, f.username, f.limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn update_profile(conn: &Conn, p: &ProfileRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE profiles SET name = ?3, external_id = ?4, username = ?5, metadata = ?6, updated_at = ?7
         WHERE id = ?1 AND workspace_id = ?2",
    )?
    .execute(params![p.id, p.workspace_id, p.name, p.external_id, p.username, p.metadata, p.updated_at])?;
    Ok(())
}

pub fn delete_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM profiles WHERE id = ?1 AND workspace_id = ?2")?
        .execute(params![id, workspace_id])?;
    Ok(n == 1)
}

pub fn count_profiles(conn: &Conn, workspace_id: i64) -> Result<i64> {
    let mut st = conn.prepare_cached("SELECT count(*) FROM profiles WHERE workspace_id = ?1")?;
    Ok(st.query_row([workspace_id], |r| r.get(0))?)
}

pub fn find_profile_by_seq(conn: &Conn, seq: i64) -> Result<Option<ProfileRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM profiles WHERE seq = ?1"))?;
    Ok(st.query_row([seq], from_row).optional()?)
}

pub fn find_profile_by_key(conn: &Conn, workspace_id: i64, key: &str) -> Result<Option<ProfileRow>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM profiles WHERE profile_key = ?1 AND workspace_id = ?2"))?;
    Ok(st.query_row(params![key, workspace_id], from_row).optional()?)
}

pub fn find_profile_by_username(conn: &Conn, workspace_id: i64, username: &str) -> Result<Option<ProfileRow>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM profiles WHERE username = ?1 AND workspace_id = ?2"))?;
    Ok(st.query_row(params![username, workspace_id], from_row).optional()?)
}
