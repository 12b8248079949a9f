//! CORS: off by default; a listed origin gets preflights answered and readable responses.

use crate::helpers::{spawn_app, spawn_app_with};

const APP: &str = "https://app.example.com";

#[test]
fn cross_origin_requests_get_no_cors_headers_by_default() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = app.send("GET", "/v1/profiles", &[("x-api-key", &key), ("origin", APP)], None);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), None);
    let preflight = [("origin", APP), ("access-control-request-method", "POST")];
    let res = app.send("OPTIONS", "/v1/profiles", &preflight, None);
    assert_eq!(res.header("access-control-allow-origin"), None, "{}", res.status);
}

#[test]
fn a_listed_origin_gets_its_preflight_answered_and_can_read_responses() {
    let app = spawn_app_with(|c| c.cors_origins = vec![APP.to_string()]);
    let key = app.key("acme");
    let preflight = [
        ("origin", APP),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "authorization, content-type, idempotency-key"),
    ];
    let res = app.send("OPTIONS", "/v1/profiles", &preflight, None);
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    let allowed = res.header("access-control-allow-headers").unwrap();
    for h in ["authorization", "content-type", "idempotency-key", "x-api-key", "profile-key"] {
        assert!(allowed.contains(h), "{h} not in {allowed}");
    }
    assert!(res.header("access-control-allow-methods").unwrap().contains("PATCH"));

    let res = app.send("GET", "/v1/profiles", &[("x-api-key", &key), ("origin", APP)], None);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    assert!(res.header("access-control-expose-headers").unwrap().contains("x-ratelimit-remaining"));
    assert_eq!(res.header("vary"), Some("Origin"));
    // Dialects too: the Ayrshare route answers the same origin.
    let res = app.send("GET", "/api/profiles", &[("authorization", &format!("Bearer {key}")), ("origin", APP)], None);
    assert_eq!(res.header("access-control-allow-origin"), Some(APP), "{}", res.text);
}

#[test]
fn an_unlisted_origin_gets_no_cors_headers_but_the_request_itself_is_untouched() {
    let app = spawn_app_with(|c| c.cors_origins = vec![APP.to_string()]);
    let key = app.key("acme");
    let evil = "https://evil.example";
    let res = app.send("GET", "/v1/profiles", &[("x-api-key", &key), ("origin", evil)], None);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), None);
    let res = app.send("OPTIONS", "/v1/profiles", &[("origin", evil), ("access-control-request-method", "POST")], None);
    assert_ne!(res.status, 204);
    assert_eq!(res.header("access-control-allow-origin"), None);
    // The connect page is same-origin by design: never opened to other origins.
    let res = app.send("GET", "/connect/app", &[("origin", APP)], None);
    assert_eq!(res.header("access-control-allow-origin"), None);
}
