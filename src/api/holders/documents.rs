//! `/api/users/documents`.

use super::{Error, Session};
use crate::api::body;
use crate::app::App;
use crate::domain::{self, documents};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentBody {
    document_id: Option<Value>,
    document_name: Option<Value>,
    document_content: Option<Value>,
}

fn string(field: &str, v: Option<Value>) -> Result<Option<String>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        // Content may be any JSON; it is stored as its text.
        Some(other) if field == "documentContent" => Ok(Some(other.to_string())),
        Some(_) => Err(domain::Error::invalid(field, format!("{field} must be a string")).into()),
    }
}

/// The holder's room: the configured storage limit, and whether the disk is below its floor.
fn quota(state: &App) -> documents::Quota {
    let free = state.db.free_disk_bytes();
    let disk_low = free.is_some_and(|f| f < state.settings.min_free_disk_bytes);
    if disk_low {
        log::warn!(
            "free disk ({} bytes) is below HITCHPOST_MIN_FREE_DISK_MB: large writes are refused",
            free.unwrap_or(0)
        );
    }
    documents::Quota { bytes: state.settings.storage_limit_bytes, documents: documents::MAX_DOCUMENTS, disk_low }
}

/// `GET /api/users/documents`.
pub async fn list(state: web::Data<App>, Session(holder): Session) -> Result<HttpResponse, Error> {
    let docs = state.db.read(move |c| documents::list(c, &holder.id)).await?;
    let docs: Vec<Value> = docs
        .into_iter()
        .map(|d| json!({"Id": d.id, "DocumentId": d.document_id, "DocumentName": d.name, "CreatedAt": d.created_at, "UpdatedAt": d.updated_at}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "documents": docs })))
}

/// `POST /api/users/documents {documentId?, documentName, documentContent?}` -> 201.
pub async fn create(
    state: web::Data<App>,
    Session(holder): Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: DocumentBody = body::json(&req, payload).await?;
    let name = documents::document_name(&string("documentName", b.document_name)?.unwrap_or_default())?;
    let doc_id = string("documentId", b.document_id)?
        .filter(|s| !s.is_empty())
        .map(|s| documents::document_id(&s))
        .transpose()?;
    let content = string("documentContent", b.document_content)?.map(documents::content).transpose()?;
    let quota = quota(&state);
    let d = state.db.write(move |c| documents::create(c, &holder.id, quota, doc_id, name, content)).await?;
    Ok(HttpResponse::Created().json(json!({
        "message": "Document saved successfully",
        "document": {"Id": d.id, "DocumentId": d.document_id, "DocumentName": d.name, "CreatedAt": d.created_at},
    })))
}

/// `PUT /api/users/documents/{id} {documentName?, documentContent?}`.
pub async fn update(
    state: web::Data<App>,
    Session(holder): Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: DocumentBody = body::json(&req, payload).await?;
    let name = string("documentName", b.document_name)?.map(|n| documents::document_name(&n)).transpose()?;
    let content = string("documentContent", b.document_content)?.map(documents::content).transpose()?;
    let id = id.into_inner();
    let quota = quota(&state);
    let d = state.db.write(move |c| documents::update(c, &holder.id, quota, &id, name, content)).await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Document updated successfully",
        "document": {"Id": d.id, "DocumentName": d.name, "UpdatedAt": d.updated_at},
    })))
}

/// `DELETE /api/users/documents/{id}`.
pub async fn delete(
    state: web::Data<App>,
    Session(holder): Session,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    state.db.write(move |c| documents::delete(c, &holder.id, &id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Document deleted successfully" })))
}
