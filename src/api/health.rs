//! `GET /healthz`: answered once the database is open (the server binds only after that); a
//! 503 while the database takes no writes, so a load balancer or monitor sees what callers do.

use crate::app::App;
use actix_web::{HttpResponse, get, web};
use std::sync::atomic::Ordering;

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server is up and its database is open and takes writes",
        body = Object, example = json!({"status": "ok"})),
        (status = 503, description = "The last write could not be committed (disk full, file read-only or locked); it says ok again after the next write that commits",
        body = Object, example = json!({"status": "degraded", "writes": "failing"}))))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<App>) -> HttpResponse {
    if state.db.metrics().writes_failing.load(Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable()
            .content_type("application/json")
            .body(r#"{"status":"degraded","writes":"failing"}"#);
    }
    HttpResponse::Ok().content_type("application/json").body(r#"{"status":"ok"}"#)
}
