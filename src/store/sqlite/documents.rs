//! The SQL of `store::documents`, for SQLite.

use crate::store::Result;
use crate::store::documents::DocumentRow;
use rusqlite::Connection as Conn;
use rusqlite::{OptionalExtension, params};

const COLUMNS: &str = "id, holder_id, document_id, name, content, size, created_at, updated_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.get(0)?,
        holder_id: r.get(1)?,
        document_id: r.get(2)?,
        name: r.get(3)?,
        content: r.get(4)?,
        size: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

pub fn insert_document(conn: &Conn, d: &DocumentRow) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO documents ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))?
        .execute(params![d.id, d.holder_id, d.document_id, d.name, d.content, d.size, d.created_at, d.updated_at])?;
    Ok(())
}

pub fn list_documents(conn: &Conn, holder_id: &str) -> Result<Vec<DocumentRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, holder_id, document_id, name, NULL, size, created_at, updated_at FROM documents
         WHERE holder_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = st.query_map([holder_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn find_document(conn: &Conn, holder_id: &str, id: &str) -> Result<Option<DocumentRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM documents WHERE id = ?1 AND holder_id = ?2"))?;
    Ok(st.query_row(params![id, holder_id], from_row).optional()?)
}

pub fn update_document(conn: &Conn, d: &DocumentRow) -> Result<()> {
    conn.prepare_cached(
        "UPDATE documents SET name = ?3, content = ?4, size = ?5, updated_at = ?6 WHERE id = ?1 AND holder_id = ?2",
    )?
    .execute(params![d.id, d.holder_id, d.name, d.content, d.size, d.updated_at])?;
    Ok(())
}

pub fn delete_document(conn: &Conn, holder_id: &str, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM documents WHERE id = ?1 AND holder_id = ?2")?
        .execute(params![id, holder_id])?
        == 1)
}

pub fn document_totals(conn: &Conn, holder_id: &str) -> Result<(i64, i64)> {
    let mut st = conn.prepare_cached("SELECT count(*), COALESCE(sum(size), 0) FROM documents WHERE holder_id = ?1")?;
    Ok(st.query_row([holder_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}
