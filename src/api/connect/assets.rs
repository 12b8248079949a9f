//! The page's static files, compiled into the binary so it runs from any directory.

use crate::api::html::escape;
use actix_web::{HttpResponse, web};

const FILES: &[(&str, &str, &str)] = &[
    ("connect-strings.js", "text/javascript; charset=utf-8", include_str!("../../../static/connect-strings.js")),
    ("connect.js", "text/javascript; charset=utf-8", include_str!("../../../static/connect.js")),
    ("connect.css", "text/css; charset=utf-8", include_str!("../../../static/connect.css")),
    ("avatar.svg", "image/svg+xml", include_str!("../../../static/avatar.svg")),
];

/// The page itself, with the platforms' marks inline (static/MARKS.md): an inline sprite
/// costs no request and cannot show a broken image.
pub fn page() -> &'static str {
    static PAGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        include_str!("../../../static/connect.html").replace("<!--marks-->", include_str!("../../../static/marks.svg"))
    });
    &PAGE
}
/// A page that says one thing (a used link, a finished sign-in).
const MESSAGE: &str = include_str!("../../../static/message.html");

pub async fn serve(name: web::Path<String>) -> HttpResponse {
    match FILES.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, mime, body)) => HttpResponse::Ok()
            .content_type(*mime)
            // Assets change only with the binary; the page itself is never cached.
            .insert_header(("cache-control", "public, max-age=3600"))
            .body(*body),
        None => HttpResponse::NotFound().content_type("text/plain").body("not found"),
    }
}

/// The page a link opens to: one button that uses the link up.
const OPEN: &str = include_str!("../../../static/open.html");

/// The button page for a link, in its language.
pub fn open(lang: &str, theme: &str, title: &str, button: &str, token: &str) -> HttpResponse {
    let html = OPEN
        .replace("{{lang}}", &escape(lang))
        .replace("{{theme}}", &escape(theme))
        .replace("{{title}}", &escape(title))
        .replace("{{button}}", &escape(button))
        .replace("{{token}}", &escape(token));
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // It holds a live token.
        .insert_header(("cache-control", "no-store"))
        .body(html)
}

/// A page with a title and a message, with the given status.
pub fn message(status: actix_web::http::StatusCode, title: &str, text: &str) -> HttpResponse {
    let html = MESSAGE.replace("{{title}}", &escape(title)).replace("{{message}}", &escape(text));
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html)
}
