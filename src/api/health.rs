//! `GET /healthz`: answered once the database is open (the server binds only after that).

use actix_web::{HttpResponse, get};

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server is up and its database is open",
        body = Object, example = json!({"status": "ok"}))))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(r#"{"status":"ok"}"#)
}
