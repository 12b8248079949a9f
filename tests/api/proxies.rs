//! Behind reverse proxies (audit M4, L10d): the client is the right-most `X-Forwarded-For` hop
//! that is not a configured proxy, the header counts only from a proxy, `/metrics` needs its
//! token, and an IPv6 client is one bucket per /64.

use crate::helpers::{TestApp, spawn_app_with};
use hitchpost::forwarded::parse_blocks;
use hitchpost::ratelimit::AttemptRate;
use serde_json::json;
use std::time::Duration;

const JSON: (&str, &str) = ("content-type", "application/json");

/// Sign-in attempts for 15 different accounts, each from `forwarded(i)`; their statuses.
fn logins(app: &TestApp, forwarded: impl Fn(usize) -> String) -> Vec<u16> {
    (0..15)
        .map(|i| {
            let body = json!({"email": format!("user{i}@example.com"), "password": "Wrong1234"}).to_string();
            let xff = forwarded(i);
            app.send("POST", "/api/auth/login", &[JSON, ("x-forwarded-for", &xff)], Some(body.into_bytes())).status
        })
        .collect()
}

fn slow_sign_in(c: &mut hitchpost::config::Config) {
    c.auth_rate = AttemptRate { burst: 10, per: Duration::from_secs(60) };
    c.trust_proxy = true;
}

#[test]
fn behind_a_proxy_the_client_is_the_right_most_hop_not_what_it_wrote_on_the_left() {
    let app = spawn_app_with(slow_sign_in);
    // The client writes a new address each time; the proxy appends the real one.
    let statuses = logins(&app, |i| format!("10.9.{i}.1, 203.0.113.7"));
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "the per-address limit held: {statuses:?}");
}

#[test]
fn the_audit_log_records_the_address_the_proxy_saw() {
    let app = spawn_app_with(|c| c.trust_proxy = true);
    let key = app.key("acme");
    let body = json!({"name": "forwarded"}).to_string().into_bytes();
    let res = app.send(
        "POST",
        "/v1/profiles",
        &[("x-api-key", &key), JSON, ("x-forwarded-for", "7.7.7.7, 198.51.100.4"), ("forwarded", "for=6.6.6.6")],
        Some(body),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    let log = app.send("GET", "/v1/audit-log?action=profile.created", &[("x-api-key", &key)], None).body;
    assert_eq!(log["data"][0]["ip"], "198.51.100.4", "{log}");
}

#[test]
fn forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored() {
    let app = spawn_app_with(|c| {
        slow_sign_in(c);
        // The proxies are elsewhere; this test's connections (from loopback) are clients.
        c.trusted_proxies = parse_blocks("10.0.0.0/8").unwrap();
    });
    let statuses = logins(&app, |i| format!("203.0.113.{i}"));
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
}

#[test]
fn metrics_need_the_token_behind_a_proxy_even_from_loopback() {
    let app = spawn_app_with(|c| {
        c.trust_proxy = true;
        c.metrics_token = Some("scrape-me".into());
    });
    assert_eq!(app.send("GET", "/metrics", &[("x-forwarded-for", "8.8.8.8")], None).status, 404);
    assert_eq!(app.send("GET", "/metrics", &[], None).status, 404);
    let ok = app.send("GET", "/metrics", &[("authorization", "Bearer scrape-me")], None);
    assert_eq!(ok.status, 200);
    assert!(ok.text.contains("hitchpost_http_requests_total"));
}

#[test]
fn ipv6_clients_share_one_bucket_per_64() {
    let app = spawn_app_with(slow_sign_in);
    let statuses = logins(&app, |i| format!("2001:db8:1:2::{:x}", i + 1));
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    // Another /64 has its own.
    let other = logins(&app, |i| format!("2001:db8:1:3::{:x}", i + 1));
    assert_eq!(other[0], 401, "{other:?}");
}
