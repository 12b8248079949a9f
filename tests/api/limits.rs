//! Request limits per API key and per address, with the headers, in each caller's dialect.

use crate::helpers::spawn_app_with;
use hitchpost::ratelimit::AttemptRate;
use std::time::Duration;

/// Five requests, then one back every ten seconds: no request earns one back between two
/// others, however slow a loaded CI machine is.
fn five_then_slow() -> AttemptRate {
    AttemptRate { burst: 5, per: Duration::from_secs(10) }
}

/// A first request, which verifies the key (and is charged to the address).
fn warm(app: &crate::helpers::TestApp, key: &str) {
    assert_eq!(app.list_profiles(key, "").status, 200);
}

#[test]
fn a_key_id_with_a_wrong_secret_cannot_use_up_that_keys_allowance() {
    let app = spawn_app_with(|c| {
        c.api_key_rate = AttemptRate { burst: 3, per: Duration::from_secs(60) };
        c.api_ip_rate = AttemptRate { burst: 1000, per: Duration::from_secs(1) };
    });
    let victim = app.key("acme");
    warm(&app, &victim);
    let forged = format!("{}{}", &victim[..15], "A".repeat(victim.len() - 15));
    for _ in 0..10 {
        assert_eq!(app.list_profiles(&forged, "").status, 401);
    }
    for _ in 0..3 {
        let res = app.list_profiles(&victim, "");
        assert_eq!(res.status, 200, "the victim's allowance is whole: {}", res.text);
    }
}

#[test]
fn every_api_response_carries_the_limit_headers() {
    let app = spawn_app_with(|c| c.api_key_rate = five_then_slow());
    let key = app.key("acme");
    // A key's first request is charged to its address (its secret is not verified yet); from
    // then on, to the key's own bucket.
    warm(&app, &key);
    let res = app.list_profiles(&key, "");
    assert_eq!(res.header("x-ratelimit-limit"), Some("5"));
    assert_eq!(res.header("x-ratelimit-remaining"), Some("4"));
    assert!(res.header("x-ratelimit-reset").unwrap().parse::<u64>().is_ok());
    let ay = app.send("GET", "/api/user", &[("authorization", &format!("Bearer {key}"))], None);
    assert_eq!(ay.header("x-ratelimit-max"), Some("5"));
    assert_eq!(ay.header("x-ratelimit-count"), Some("2"));
    assert!(app.healthz().header("x-ratelimit-limit").is_none(), "health checks are not limited");
}

#[test]
fn over_the_limit_is_a_429_with_retry_after_in_each_dialect_and_other_keys_go_on() {
    let app = spawn_app_with(|c| c.api_key_rate = AttemptRate { burst: 3, per: Duration::from_secs(60) });
    let (flooder, other) = (app.key("a"), app.key("b"));
    warm(&app, &flooder);
    warm(&app, &other);
    for _ in 0..3 {
        assert_eq!(app.list_profiles(&flooder, "").status, 200);
    }
    let native = app.list_profiles(&flooder, "");
    assert_eq!(native.status, 429);
    assert_eq!(native.header("content-type"), Some("application/problem+json"));
    assert!(native.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(native.header("x-ratelimit-remaining"), Some("0"));
    let up = app.send("GET", "/api/uploadposts/users", &[("authorization", &format!("ApiKey {flooder}"))], None);
    assert_eq!(up.status, 429);
    assert_eq!(up.body["success"], false);
    let pc = app.send("GET", "/profiles", &[("x-api-key", &flooder)], None);
    assert_eq!(pc.body["error"], "RATE_LIMITED");
    let ay = app.send("GET", "/api/user", &[("authorization", &format!("Bearer {flooder}"))], None);
    assert_eq!(ay.body["status"], "error");
    assert_eq!(ay.body["code"], 429);
    // Another key's requests are untouched.
    for _ in 0..3 {
        assert_eq!(app.list_profiles(&other, "").status, 200);
    }
}

#[test]
fn the_address_limit_counts_requests_without_a_key_per_address() {
    let app = spawn_app_with(|c| {
        c.api_ip_rate = AttemptRate { burst: 4, per: Duration::from_secs(60) };
        c.trust_proxy = true;
    });
    let from = |ip: &str| app.send("GET", "/v1/profiles", &[("x-forwarded-for", ip)], None).status;
    let statuses: Vec<u16> = (0..6).map(|_| from("203.0.113.5")).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
    assert_eq!(from("198.51.100.1"), 401, "another address is not held back");
}

#[test]
fn metrics_count_requests_by_route_writes_and_refusals() {
    let app = spawn_app_with(|c| c.api_key_rate = AttemptRate { burst: 3, per: Duration::from_secs(60) });
    let key = app.key("acme");
    let id = app.new_profile(&key, "measured")["id"].as_str().unwrap().to_string();
    // (The create verified the key and was charged to the address; three more use the key's.)
    assert_eq!(app.get_profile(&key, &id).status, 200);
    assert_eq!(app.get_profile(&key, "3f2b8c1e-0000-4000-8000-000000000000").status, 404);
    assert_eq!(app.get_profile(&key, &id).status, 200);
    assert_eq!(app.get_profile(&key, &id).status, 429);
    let m = app.send("GET", "/metrics", &[], None);
    assert_eq!(m.status, 200);
    let text = &m.text;
    for needle in [
        r#"hitchpost_http_requests_total{route="/v1/profiles/{id}",status="200"} 2"#,
        r#"hitchpost_http_requests_total{route="/v1/profiles/{id}",status="404"} 1"#,
        r#"hitchpost_http_requests_total{route="/v1/profiles",status="201"} 1"#,
        r#"hitchpost_http_request_duration_seconds_bucket{route="/v1/profiles/{id}",le="+Inf"}"#,
        "hitchpost_rate_limited_total 1",
        "hitchpost_webhook_queue 0",
    ] {
        assert!(text.contains(needle), "{needle} not in\n{text}");
    }
    let batches: u64 =
        text.lines().find_map(|l| l.strip_prefix("hitchpost_writer_batches_total ")).unwrap().parse().unwrap();
    assert!(batches >= 1);
    assert!(!text.contains(&id), "routes are patterns, never raw paths with ids");
    // Security headers on API answers too.
    let res = app.list_profiles(&app.key("other"), "");
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
}

#[test]
fn an_account_holder_has_a_bucket_of_their_own_whatever_the_address() {
    let app = spawn_app_with(|c| {
        c.api_key_rate = AttemptRate { burst: 3, per: Duration::from_secs(60) };
        c.trust_proxy = true;
    });
    let register = |email: &str| {
        let body = serde_json::json!({"email": email, "password": "Sup3rSecret"}).to_string().into_bytes();
        let res = app.send("POST", "/api/auth/register", &[("content-type", "application/json")], Some(body));
        assert_eq!(res.status, 201, "{}", res.text);
        format!("Bearer {}", res.body["token"].as_str().unwrap())
    };
    let (flooder, other) = (register("flood@example.com"), register("calm@example.com"));
    // Each request from another address: only the holder's own bucket can run dry.
    let profile = |auth: &str, ip: &str| {
        app.send("GET", "/api/users/profile", &[("authorization", auth), ("x-forwarded-for", ip)], None)
    };
    for i in 0..3 {
        let res = profile(&flooder, &format!("198.51.100.{i}"));
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.header("x-ratelimit-limit"), Some("3"));
    }
    let res = profile(&flooder, "198.51.100.9");
    assert_eq!(res.status, 429, "{}", res.text);
    assert!(res.header("retry-after").is_some());
    assert_eq!(profile(&other, "198.51.100.9").status, 200, "another holder is not held back");
    // A forged token names no bucket: it is limited by address only, and refused.
    let forged = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    assert_eq!(profile(forged, "203.0.113.7").status, 401);
}

#[test]
fn the_connect_page_is_limited_per_address_like_the_api() {
    let app = spawn_app_with(|c| c.api_ip_rate = AttemptRate { burst: 3, per: Duration::from_secs(60) });
    for n in 0..3 {
        let res = app.send("GET", "/connect/assets/connect.css", &[], None);
        assert_eq!(res.status, 200, "request {n}: {}", res.text);
        assert_eq!(res.header("x-ratelimit-limit"), Some("3"));
    }
    let res = app.send("GET", "/connect?token=anything", &[], None);
    assert_eq!(res.status, 429, "{}", res.text);
    assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(res.body["reason"], "limited");
    assert!(res.body["error"].as_str().unwrap().starts_with("Too many requests"), "{}", res.text);
    assert!(res.header("content-security-policy").is_some(), "a refusal is still the page's");
}
