//! The SQL of `store::holders`, for SQLite.

use crate::store::Result;
use crate::store::holders::HolderRow;
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str =
    "id, email, username, password_hash, first_name, last_name, session_epoch, created_at, updated_at, last_login_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HolderRow> {
    Ok(HolderRow {
        id: r.get(0)?,
        email: r.get(1)?,
        username: r.get(2)?,
        password_hash: r.get(3)?,
        first_name: r.get(4)?,
        last_name: r.get(5)?,
        session_epoch: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        last_login_at: r.get(9)?,
    })
}

pub fn insert_holder(conn: &Conn, h: &HolderRow) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO account_holders ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        h.id,
        h.email,
        h.username,
        h.password_hash,
        h.first_name,
        h.last_name,
        h.session_epoch,
        h.created_at,
        h.updated_at,
        h.last_login_at
    ])?;
    Ok(())
}

pub fn find_holder(conn: &Conn, id: &str) -> Result<Option<HolderRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM account_holders WHERE id = ?1"))?;
    Ok(st.query_row([id], from_row).optional()?)
}

pub fn find_holder_by_login(conn: &Conn, login: &str) -> Result<Option<HolderRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM account_holders WHERE email = ?1 OR username = ?1 ORDER BY email = ?1 DESC LIMIT 1"
    ))?;
    Ok(st.query_row([login], from_row).optional()?)
}

pub fn update_holder_profile(conn: &Conn, h: &HolderRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE account_holders SET email = ?2, first_name = ?3, last_name = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![h.id, h.email, h.first_name, h.last_name, h.updated_at])?;
    Ok(())
}

pub fn update_holder_password(conn: &Conn, id: &str, hash: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE account_holders SET password_hash = ?2, session_epoch = session_epoch + 1, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, hash, crate::store::now()])?;
    Ok(())
}

pub fn update_holder_password_hash(conn: &Conn, id: &str, hash: &str) -> Result<()> {
    conn.prepare_cached("UPDATE account_holders SET password_hash = ?2 WHERE id = ?1")?.execute(params![id, hash])?;
    Ok(())
}

pub fn bump_holder_session_epoch(conn: &Conn, id: &str) -> Result<()> {
    conn.prepare_cached("UPDATE account_holders SET session_epoch = session_epoch + 1 WHERE id = ?1")?.execute([id])?;
    Ok(())
}

pub fn update_holder_last_login(conn: &Conn, id: &str, at: &str) -> Result<()> {
    conn.prepare_cached("UPDATE account_holders SET last_login_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
    Ok(())
}

pub fn insert_membership(conn: &Conn, holder_id: &str, workspace_id: i64, role: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO memberships (holder_id, workspace_id, role, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![holder_id, workspace_id, role, crate::store::now()])?;
    Ok(())
}

pub fn find_owned_workspace(conn: &Conn, holder_id: &str) -> Result<Option<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT workspace_id FROM memberships WHERE holder_id = ?1 AND role = 'owner' ORDER BY created_at LIMIT 1",
    )?;
    Ok(st.query_row([holder_id], |r| r.get(0)).optional()?)
}

pub fn find_owner_email(conn: &Conn, workspace_id: i64) -> Result<Option<String>> {
    let mut st = conn.prepare_cached(
        "SELECT h.email FROM memberships m JOIN account_holders h ON h.id = m.holder_id
         WHERE m.workspace_id = ?1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1",
    )?;
    Ok(st.query_row([workspace_id], |r| r.get(0)).optional()?)
}
