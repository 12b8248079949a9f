//! An account holder's named documents. Content is stored as given and never served as HTML;
//! its size counts toward the holder's storage.

use super::{Error, Result, check_text};
use crate::store::{self, Conn, documents::DocumentRow};

/// The most content one document may hold.
pub const MAX_CONTENT_BYTES: usize = 1024 * 1024;

/// The most documents one holder may keep.
pub const MAX_DOCUMENTS: i64 = 1000;

/// What one holder may store, and whether the server's disk is below its floor.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub bytes: i64,
    pub documents: i64,
    pub disk_low: bool,
}

/// Content above this size is refused while the disk is low (small edits still go through).
const LARGE_WRITE_BYTES: i64 = 64 * 1024;

/// Refuses a write that would take the holder from `used` bytes (`growth` more) past the
/// quota, or that is large while the disk is low.
fn check_room(quota: Quota, used: i64, size: i64, growth: i64) -> Result<()> {
    if quota.disk_low && size > LARGE_WRITE_BYTES {
        return Err(Error::DiskLow);
    }
    if growth > 0 && used + growth > quota.bytes {
        return Err(Error::StorageFull(format!(
            "storage limit reached: {} of {} used, this needs {} more; delete documents to make room",
            human_bytes(used),
            human_bytes(quota.bytes),
            human_bytes(growth)
        )));
    }
    Ok(())
}

/// Bytes as people read them: `45.3 MB`, `1 GB`.
pub fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes.max(0) as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 || (v - v.round()).abs() < 0.05 {
        format!("{} {}", v.round() as i64, UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A document name: 1-200 characters, no control characters, no markup.
pub fn document_name(s: &str) -> Result<String> {
    let s = s.trim();
    check_text("documentName", s, 1, 200)
        .map_err(|_| Error::invalid("documentName", "Document name is required (1-200 characters)"))?;
    if s.contains(['<', '>']) {
        return Err(Error::invalid("documentName", "Document name may not contain markup"));
    }
    Ok(s.to_string())
}

/// A caller-chosen document id: 1-200 characters of letters, digits and `-_.:`.
pub fn document_id(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 || !s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) {
        return Err(Error::invalid("documentId", "Document id may hold 1-200 letters, digits and - _ . :"));
    }
    Ok(s.to_string())
}

/// Document content, up to 1 MiB.
pub fn content(s: String) -> Result<String> {
    if s.len() > MAX_CONTENT_BYTES {
        return Err(Error::invalid("documentContent", "Document content may be at most 1 MiB"));
    }
    Ok(s)
}

/// A holder's documents (without content).
pub fn list(conn: &Conn, holder: &str) -> Result<Vec<DocumentRow>> {
    Ok(store::documents::list_documents(conn, holder)?)
}

/// Saves a new document within the holder's quota (checked in the writer's transaction, so
/// concurrent uploads cannot each see room that only one of them has).
pub fn create(
    conn: &Conn,
    holder: &str,
    quota: Quota,
    document_id: Option<String>,
    name: String,
    content: Option<String>,
) -> Result<DocumentRow> {
    store::holders::lock_holder(conn, holder)?;
    let (count, used) = store::documents::document_totals(conn, holder)?;
    if count >= quota.documents {
        return Err(Error::LimitReached { what: "documents", limit: quota.documents });
    }
    let size = content.as_ref().map_or(0, |c| c.len() as i64);
    check_room(quota, used, size, size)?;
    let now = store::now();
    let id = uuid::Uuid::new_v4().to_string();
    let row = DocumentRow {
        document_id: document_id.unwrap_or_else(|| id.clone()),
        id,
        holder_id: holder.into(),
        name,
        size: content.as_ref().map_or(0, |c| c.len() as i64),
        content,
        created_at: now.clone(),
        updated_at: now,
    };
    store::documents::insert_document(conn, &row)?;
    Ok(row)
}

/// Changes a document's name or content within the holder's quota; another holder's document
/// is not found.
pub fn update(
    conn: &Conn,
    holder: &str,
    quota: Quota,
    id: &str,
    name: Option<String>,
    content: Option<String>,
) -> Result<DocumentRow> {
    store::holders::lock_holder(conn, holder)?;
    let mut row = store::documents::find_document(conn, holder, id)?.ok_or(Error::NotFound("document"))?;
    if let Some(c) = &content {
        let (_, used) = store::documents::document_totals(conn, holder)?;
        let size = c.len() as i64;
        check_room(quota, used, size, size - row.size)?;
    }
    if let Some(n) = name {
        row.name = n;
    }
    if let Some(c) = content {
        row.size = c.len() as i64;
        row.content = Some(c);
    }
    row.updated_at = store::now();
    store::documents::update_document(conn, &row)?;
    Ok(row)
}

/// Deletes one of a holder's documents.
pub fn delete(conn: &Conn, holder: &str, id: &str) -> Result<()> {
    if store::documents::delete_document(conn, holder, id)? { Ok(()) } else { Err(Error::NotFound("document")) }
}

/// A holder's document count and bytes stored.
pub fn totals(conn: &Conn, holder: &str) -> Result<(i64, i64)> {
    Ok(store::documents::document_totals(conn, holder)?)
}
