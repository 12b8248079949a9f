//! What the server's own pages (the connect page, the console) share: their security headers
//! and the escaping of text put into their templates.

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;

/// The headers of every response of a page scope: its Content-Security-Policy `csp`, no
/// sniffing, no referrer, no framing, no caching.
pub fn page_headers(csp: &'static str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, csp))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// `s` as HTML text or a quoted attribute value.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
