//! The `documents` table.

use super::{Backend, Conn, Result, postgres, sqlite};

/// A document row.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: String,
    pub holder_id: String,
    pub document_id: String,
    pub name: String,
    pub content: Option<String>,
    pub size: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Inserts a document.
pub fn insert_document(conn: &Conn, d: &DocumentRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::documents::insert_document(c, d),
        Backend::Postgres(c) => postgres::documents::insert_document(c, d),
    }
}

/// A holder's documents, oldest first (without their content).
pub fn list_documents(conn: &Conn, holder_id: &str) -> Result<Vec<DocumentRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::documents::list_documents(c, holder_id),
        Backend::Postgres(c) => postgres::documents::list_documents(c, holder_id),
    }
}

/// One of a holder's documents.
pub fn find_document(conn: &Conn, holder_id: &str, id: &str) -> Result<Option<DocumentRow>> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::documents::find_document(c, holder_id, id),
        Backend::Postgres(c) => postgres::documents::find_document(c, holder_id, id),
    }
}

/// Writes a document's name and content.
pub fn update_document(conn: &Conn, d: &DocumentRow) -> Result<()> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::documents::update_document(c, d),
        Backend::Postgres(c) => postgres::documents::update_document(c, d),
    }
}

/// Deletes one of a holder's documents; false when there was none.
pub fn delete_document(conn: &Conn, holder_id: &str, id: &str) -> Result<bool> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::documents::delete_document(c, holder_id, id),
        Backend::Postgres(c) => postgres::documents::delete_document(c, holder_id, id),
    }
}

/// A holder's document count and bytes stored.
pub fn document_totals(conn: &Conn, holder_id: &str) -> Result<(i64, i64)> {
    match conn.backend() {
        Backend::Sqlite(c) => sqlite::documents::document_totals(c, holder_id),
        Backend::Postgres(c) => postgres::documents::document_totals(c, holder_id),
    }
}
