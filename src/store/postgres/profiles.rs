//! The SQL of `store::profiles`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::profiles::{ProfileFilter, ProfileRow};
use ::postgres::Row;

const COLUMNS: &str =
    "seq, id, workspace_id, profile_key, name, external_id, username, metadata, created_at, updated_at";

fn from_row(r: &Row) -> Result<ProfileRow> {
    Ok(ProfileRow {
        seq: r.try_get(0)?,
        id: r.try_get(1)?,
        workspace_id: r.try_get(2)?,
        profile_key: r.try_get(3)?,
        name: r.try_get(4)?,
        external_id: r.try_get(5)?,
        username: r.try_get(6)?,
        metadata: r.try_get(7)?,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
    })
}

pub fn insert_profile(conn: &Conn, p: &ProfileRow) -> Result<i64> {
    let row = conn.query_one(
        "INSERT INTO profiles (id, workspace_id, profile_key, name, external_id, username, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
        &[
            &p.id,
            &p.workspace_id,
            &p.profile_key,
            &p.name,
            &p.external_id,
            &p.username,
            &p.metadata,
            &p.created_at,
            &p.updated_at,
        ],
    )?;
    Ok(row.try_get(0)?)
}

pub fn find_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<Option<ProfileRow>> {
    let sql = format!("SELECT {COLUMNS} FROM profiles WHERE id = $1 AND workspace_id = $2");
    conn.query_opt(&sql, &[&id, &workspace_id])?.as_ref().map(from_row).transpose()
}

pub fn lock_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<()> {
    conn.execute("SELECT 1 FROM profiles WHERE id = $1 AND workspace_id = $2 FOR UPDATE", &[&id, &workspace_id])?;
    Ok(())
}

pub fn list_profiles(conn: &Conn, workspace_id: i64, f: &ProfileFilter<'_>) -> Result<Vec<ProfileRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM profiles
         WHERE workspace_id = $1 AND seq > $2
           AND ($3::text IS NULL OR external_id = $3)
           AND ($4::text IS NULL OR username = $4)
         ORDER BY seq LIMIT $5"
    );
    let limit = i64::from(f.limit);
    rows(conn.query(&sql, &[&workspace_id, &f.after_seq, &f.external_id, &f.username, &limit])?, from_row)
}

pub fn update_profile(conn: &Conn, p: &ProfileRow) -> Result<()> {
    conn.execute(
        "UPDATE profiles SET name = $3, external_id = $4, username = $5, metadata = $6, updated_at = $7
         WHERE id = $1 AND workspace_id = $2",
        &[&p.id, &p.workspace_id, &p.name, &p.external_id, &p.username, &p.metadata, &p.updated_at],
    )?;
    Ok(())
}

pub fn delete_profile(conn: &Conn, workspace_id: i64, id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM profiles WHERE id = $1 AND workspace_id = $2", &[&id, &workspace_id])? == 1)
}

pub fn count_profiles(conn: &Conn, workspace_id: i64) -> Result<i64> {
    Ok(conn.query_one("SELECT count(*) FROM profiles WHERE workspace_id = $1", &[&workspace_id])?.try_get(0)?)
}

pub fn find_profile_by_seq(conn: &Conn, seq: i64) -> Result<Option<ProfileRow>> {
    let sql = format!("SELECT {COLUMNS} FROM profiles WHERE seq = $1");
    conn.query_opt(&sql, &[&seq])?.as_ref().map(from_row).transpose()
}

pub fn find_profile_by_key(conn: &Conn, workspace_id: i64, key: &str) -> Result<Option<ProfileRow>> {
    let sql = format!("SELECT {COLUMNS} FROM profiles WHERE profile_key = $1 AND workspace_id = $2");
    conn.query_opt(&sql, &[&key, &workspace_id])?.as_ref().map(from_row).transpose()
}

pub fn find_profile_by_username(conn: &Conn, workspace_id: i64, username: &str) -> Result<Option<ProfileRow>> {
    let sql = format!("SELECT {COLUMNS} FROM profiles WHERE username = $1 AND workspace_id = $2");
    conn.query_opt(&sql, &[&username, &workspace_id])?.as_ref().map(from_row).transpose()
}
