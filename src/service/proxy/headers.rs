//! Which headers cross the proxy. Going up: the caller's own credentials (its hitchpost key,
//! cookies), hop-by-hop headers and what would reveal the caller's network stay here; the rest
//! pass. Coming back: hop-by-hop headers and `Set-Cookie` stay upstream; the rest pass.

use actix_web::http::header::{HeaderMap, HeaderName};

/// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded in either direction.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Not forwarded up: the caller's credentials for hitchpost (replaced by the account's), the
/// caller's cookies, the host (the client sets the platform's), the length (set from the body
/// as sent), and the forwarding headers that would tell the platform where the caller is.
const NOT_UP: &[&str] =
    &["authorization", "x-api-key", "cookie", "host", "content-length", "forwarded", "x-real-ip", "expect"];

/// Not passed back: the platform's cookies are for a browser talking to it, not for hitchpost's
/// caller; the length is set from the body as streamed.
const NOT_DOWN: &[&str] = &["set-cookie", "set-cookie2", "content-length"];

/// The names a `Connection` header lists are hop-by-hop too.
fn named_by_connection(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("connection")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Whether a caller's header goes up to the platform.
pub fn forwarded_up(name: &HeaderName, connection: &[String]) -> bool {
    let n = name.as_str();
    !(HOP_BY_HOP.contains(&n)
        || NOT_UP.contains(&n)
        || n.starts_with("x-forwarded-")
        || connection.iter().any(|c| c == n))
}

/// Whether a platform's header comes back to the caller.
pub fn passed_down(name: &HeaderName, connection: &[String]) -> bool {
    let n = name.as_str();
    !(HOP_BY_HOP.contains(&n) || NOT_DOWN.contains(&n) || connection.iter().any(|c| c == n))
}

/// The caller's headers that go up.
pub fn up(headers: &HeaderMap) -> Vec<(HeaderName, actix_web::http::header::HeaderValue)> {
    let connection = named_by_connection(headers);
    headers.iter().filter(|(k, _)| forwarded_up(k, &connection)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The platform's headers that come back.
pub fn down(headers: &HeaderMap) -> Vec<(HeaderName, actix_web::http::header::HeaderValue)> {
    let connection = named_by_connection(headers);
    headers.iter().filter(|(k, _)| passed_down(k, &connection)).map(|(k, v)| (k.clone(), v.clone())).collect()
}
