//! The path a caller asks the proxy for: checked so that it can only ever name a path on the
//! platform's own host. The caller never names a host.

use crate::domain::{self, Error};

/// A checked path (beginning with `/`, as sent upstream, still percent-encoded as the caller
/// wrote it) and the caller's raw query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyPath {
    pub path: String,
    pub query: String,
}

fn refuse(why: &str) -> Error {
    Error::invalid("path", why)
}

/// Encoded forms refused anywhere in the path: a slash or backslash (`..%2f` would climb on a
/// server that decodes), an `@` (userinfo), control characters (CR/LF: header injection on a
/// server that decodes) and NUL.
fn encoded_refused(lower: &str) -> bool {
    ["%2f", "%5c", "%40"].iter().any(|e| lower.contains(e))
        || lower.match_indices('%').any(|(i, _)| {
            let hex = lower.get(i + 1..i + 3).unwrap_or("");
            u8::from_str_radix(hex, 16).is_ok_and(|b| b < 0x20 || b == 0x7f)
        })
}

/// `..` or `.` once decoded (`%2e%2e`, `.%2E`).
fn is_dot_segment(seg: &str) -> bool {
    let decoded = seg.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

impl ProxyPath {
    /// Checks `tail` (the raw path after `/proxy/`) and `query`. Refused with a 400 naming
    /// `path`: nothing, a second leading slash (`//host`), a scheme (`https://`), `..` or `.`
    /// segments in any encoding, `@`, backslashes, encoded slashes, whitespace and control
    /// characters raw or encoded.
    pub fn parse(tail: &str, query: &str) -> domain::Result<ProxyPath> {
        if tail.is_empty() {
            return Err(refuse("is required: the platform API path after /proxy/"));
        }
        if tail.starts_with('/') {
            return Err(refuse("must not begin with a second slash: the proxy never takes a host"));
        }
        if tail.contains("://") || tail.to_ascii_lowercase().contains("%3a%2f%2f") {
            return Err(refuse("must be a path, not a URL: the proxy never takes a host"));
        }
        if tail.bytes().any(|b| b.is_ascii_control() || b == b' ' || b == b'\\' || b == b'@' || b >= 0x80) {
            return Err(refuse("must not contain whitespace, control characters, `\\`, `@` or raw non-ASCII"));
        }
        if encoded_refused(&tail.to_ascii_lowercase()) {
            return Err(refuse("must not contain encoded slashes, backslashes, `@` or control characters"));
        }
        if tail.split('/').any(is_dot_segment) {
            return Err(refuse("must not contain `.` or `..` segments"));
        }
        if query.bytes().any(|b| b.is_ascii_control() || b == b' ') || encoded_refused_control(query) {
            return Err(Error::invalid("query", "must not contain whitespace or control characters, raw or encoded"));
        }
        Ok(ProxyPath { path: format!("/{tail}"), query: query.to_string() })
    }
}

fn encoded_refused_control(query: &str) -> bool {
    let lower = query.to_ascii_lowercase();
    ["%0d", "%0a", "%00"].iter().any(|e| lower.contains(e))
}

#[cfg(test)]
mod tests {
    use super::ProxyPath;

    #[test]
    fn plain_api_paths_pass_unchanged() {
        let p = ProxyPath::parse("v2/ugcPosts/urn%3Ali%3Ashare%3A1", "a=1&b=%20x").unwrap();
        assert_eq!(p.path, "/v2/ugcPosts/urn%3Ali%3Ashare%3A1");
        assert_eq!(p.query, "a=1&b=%20x");
        assert!(ProxyPath::parse("xrpc/com.atproto.repo.createRecord", "").is_ok());
    }

    #[test]
    fn host_escapes_are_refused() {
        for bad in [
            "",
            "/evil.example/x",
            "https://evil.example/x",
            "https:%2f%2fevil",
            "a/../b",
            "..",
            "a/%2e%2e/b",
            "a/.%2E/b",
            "a/./b",
            "a%2fb",
            "a%5cb",
            "a\\b",
            "user@evil.example",
            "a%40b",
            "a%0d%0aX-Injected:1",
            "a%00",
            "a b",
            "caf\u{e9}",
        ] {
            assert!(ProxyPath::parse(bad, "").is_err(), "{bad:?} was taken");
        }
        assert!(ProxyPath::parse("ok", "x=%0d%0aSet-Cookie:1").is_err());
    }
}
