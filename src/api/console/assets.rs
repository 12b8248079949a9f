//! The console's page and static files, compiled into the binary.

use actix_web::{HttpResponse, web};

const FILES: &[(&str, &str, &str)] = &[
    ("console.js", "text/javascript; charset=utf-8", include_str!("../../../static/console.js")),
    ("console.css", "text/css; charset=utf-8", include_str!("../../../static/console.css")),
];

/// `GET /console`: the page (it asks `/console/api/me` whether anyone is signed in).
pub async fn page() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(include_str!("../../../static/console.html"))
}

pub async fn serve(name: web::Path<String>) -> HttpResponse {
    match FILES.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, mime, body)) => HttpResponse::Ok().content_type(*mime).body(*body),
        None => HttpResponse::NotFound().content_type("text/plain").body("not found"),
    }
}
