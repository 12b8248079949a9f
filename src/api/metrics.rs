//! `GET /metrics`: Prometheus text, to loopback callers only (an operator's view, not the
//! world's).

use super::AppState;
use actix_web::{HttpRequest, HttpResponse, web};

pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let loopback = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    if !loopback {
        return HttpResponse::NotFound().finish();
    }
    let body = format!(
        "# HELP hitchpost_argon2_verifies_total API key verifications that ran argon2.\n\
         # TYPE hitchpost_argon2_verifies_total counter\n\
         hitchpost_argon2_verifies_total {}\n",
        state.auth.argon2_verifies()
    );
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body)
}
