//! The SQL of `store::documents`, for PostgreSQL.

use super::{Client as Conn, rows};
use crate::store::Result;
use crate::store::documents::DocumentRow;
use ::postgres::Row;

const COLUMNS: &str = "id, holder_id, document_id, name, content, size, created_at, updated_at";

fn from_row(r: &Row) -> Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.try_get(0)?,
        holder_id: r.try_get(1)?,
        document_id: r.try_get(2)?,
        name: r.try_get(3)?,
        content: r.try_get(4)?,
        size: r.try_get(5)?,
        created_at: r.try_get(6)?,
        updated_at: r.try_get(7)?,
    })
}

pub fn insert_document(conn: &Conn, d: &DocumentRow) -> Result<()> {
    let sql = format!("INSERT INTO documents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    conn.execute(
        &sql,
        &[&d.id, &d.holder_id, &d.document_id, &d.name, &d.content, &d.size, &d.created_at, &d.updated_at],
    )?;
    Ok(())
}

pub fn list_documents(conn: &Conn, holder_id: &str) -> Result<Vec<DocumentRow>> {
    let sql = "SELECT id, holder_id, document_id, name, NULL::text, size, created_at, updated_at FROM documents
         WHERE holder_id = $1 ORDER BY created_at, id";
    rows(conn.query(sql, &[&holder_id])?, from_row)
}

pub fn find_document(conn: &Conn, holder_id: &str, id: &str) -> Result<Option<DocumentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1 AND holder_id = $2");
    conn.query_opt(&sql, &[&id, &holder_id])?.as_ref().map(from_row).transpose()
}

pub fn update_document(conn: &Conn, d: &DocumentRow) -> Result<()> {
    conn.execute(
        "UPDATE documents SET name = $3, content = $4, size = $5, updated_at = $6 WHERE id = $1 AND holder_id = $2",
        &[&d.id, &d.holder_id, &d.name, &d.content, &d.size, &d.updated_at],
    )?;
    Ok(())
}

pub fn delete_document(conn: &Conn, holder_id: &str, id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM documents WHERE id = $1 AND holder_id = $2", &[&id, &holder_id])? == 1)
}

pub fn document_totals(conn: &Conn, holder_id: &str) -> Result<(i64, i64)> {
    // sum() of BIGINT is NUMERIC in PostgreSQL; the store's total is an i64.
    let sql = "SELECT count(*), COALESCE(sum(size), 0)::BIGINT FROM documents WHERE holder_id = $1";
    let r = conn.query_one(sql, &[&holder_id])?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}
