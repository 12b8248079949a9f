//! The SQL of `store::holders`, for PostgreSQL. Email and username compare case-insensitively,
//! as SQLite's COLLATE NOCASE does: through lower(), which the unique indexes are built on.

use super::Client as Conn;
use crate::store::Result;
use crate::store::holders::HolderRow;
use ::postgres::Row;

const COLUMNS: &str =
    "id, email, username, password_hash, first_name, last_name, session_epoch, created_at, updated_at, last_login_at";

fn from_row(r: &Row) -> Result<HolderRow> {
    Ok(HolderRow {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        username: r.try_get(2)?,
        password_hash: r.try_get(3)?,
        first_name: r.try_get(4)?,
        last_name: r.try_get(5)?,
        session_epoch: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        last_login_at: r.try_get(9)?,
    })
}

pub fn lock_holder(conn: &Conn, id: &str) -> Result<()> {
    conn.execute("SELECT 1 FROM account_holders WHERE id = $1 FOR UPDATE", &[&id])?;
    Ok(())
}

pub fn insert_holder(conn: &Conn, h: &HolderRow) -> Result<()> {
    let sql = format!("INSERT INTO account_holders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
    conn.execute(
        &sql,
        &[
            &h.id,
            &h.email,
            &h.username,
            &h.password_hash,
            &h.first_name,
            &h.last_name,
            &h.session_epoch,
            &h.created_at,
            &h.updated_at,
            &h.last_login_at,
        ],
    )?;
    Ok(())
}

pub fn find_holder(conn: &Conn, id: &str) -> Result<Option<HolderRow>> {
    let sql = format!("SELECT {COLUMNS} FROM account_holders WHERE id = $1");
    conn.query_opt(&sql, &[&id])?.as_ref().map(from_row).transpose()
}

pub fn find_holder_by_login(conn: &Conn, login: &str) -> Result<Option<HolderRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM account_holders WHERE lower(email) = lower($1) OR lower(username) = lower($1)
         ORDER BY lower(email) = lower($1) DESC LIMIT 1"
    );
    conn.query_opt(&sql, &[&login])?.as_ref().map(from_row).transpose()
}

pub fn update_holder_profile(conn: &Conn, h: &HolderRow) -> Result<()> {
    conn.execute(
        "UPDATE account_holders SET email = $2, first_name = $3, last_name = $4, updated_at = $5 WHERE id = $1",
        &[&h.id, &h.email, &h.first_name, &h.last_name, &h.updated_at],
    )?;
    Ok(())
}

pub fn update_holder_password(conn: &Conn, id: &str, hash: &str) -> Result<()> {
    conn.execute(
        "UPDATE account_holders SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = $3 WHERE id = $1",
        &[&id, &hash, &crate::store::now()],
    )?;
    Ok(())
}

pub fn update_holder_password_hash(conn: &Conn, id: &str, hash: &str) -> Result<()> {
    conn.execute("UPDATE account_holders SET password_hash = $2 WHERE id = $1", &[&id, &hash])?;
    Ok(())
}

pub fn bump_holder_session_epoch(conn: &Conn, id: &str) -> Result<()> {
    conn.execute("UPDATE account_holders SET session_epoch = session_epoch + 1 WHERE id = $1", &[&id])?;
    Ok(())
}

pub fn update_holder_last_login(conn: &Conn, id: &str, at: &str) -> Result<()> {
    conn.execute("UPDATE account_holders SET last_login_at = $2 WHERE id = $1", &[&id, &at])?;
    Ok(())
}

pub fn insert_membership(conn: &Conn, holder_id: &str, workspace_id: i64, role: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO memberships (holder_id, workspace_id, role, created_at) VALUES ($1, $2, $3, $4)",
        &[&holder_id, &workspace_id, &role, &crate::store::now()],
    )?;
    Ok(())
}

pub fn find_owned_workspace(conn: &Conn, holder_id: &str) -> Result<Option<i64>> {
    let sql =
        "SELECT workspace_id FROM memberships WHERE holder_id = $1 AND role = 'owner' ORDER BY created_at LIMIT 1";
    Ok(conn.query_opt(sql, &[&holder_id])?.map(|r| r.try_get(0)).transpose()?)
}

pub fn find_owner_email(conn: &Conn, workspace_id: i64) -> Result<Option<String>> {
    let sql = "SELECT h.email FROM memberships m JOIN account_holders h ON h.id = m.holder_id
         WHERE m.workspace_id = $1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1";
    Ok(conn.query_opt(sql, &[&workspace_id])?.map(|r| r.try_get(0)).transpose()?)
}
