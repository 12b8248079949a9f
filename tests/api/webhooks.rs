//! Webhooks: every event type, signed; the Ayrshare and Upload-Post payloads; retries; crash
//! durability; isolation from slow receivers; the outbound address policy; secret rotation.

use crate::fakes::{self, Fake, ReceiverMode, ReceiverState, RefreshMode};
use crate::helpers::{TestApp, create_key, send, spawn_app_with, spawn_binary_with};
use crate::linking::{fake_linkedin, linked_oauth_account};
use hitchpost::config::Config;
use hitchpost::config::WebhookConfig;
use hitchpost::delivery::sign;
use hitchpost::domain::platform::Platform;
use serde_json::{Value, json};
use std::time::Duration;

fn quick(c: &mut Config) {
    c.providers.sandbox = true;
    c.webhooks = WebhookConfig {
        retry_schedule: vec![Duration::from_millis(150), Duration::from_millis(300), Duration::from_millis(600)],
        timeout: Duration::from_secs(2),
        disable_after: 2,
        rotation_overlap: Duration::from_millis(800),
        poll: Duration::from_millis(30),
        expiring_within: Duration::from_secs(3600),
    };
}

fn subscribe(app: &TestApp, key: &str, url: &str, events: &[&str]) -> Value {
    let body = json!({"url": url, "events": events}).to_string().into_bytes();
    let res = app.send("POST", "/v1/webhooks", &[("x-api-key", key), ("content-type", "application/json")], Some(body));
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

/// Whether some `v1,` entry of the signature header verifies with `secret`.
fn verifies(r: &fakes::Received, secret: &str) -> bool {
    let id = &r.headers["webhook-id"];
    let ts: i64 = r.headers["webhook-timestamp"].parse().unwrap();
    let expected = sign(secret, id, ts, &r.body).unwrap();
    r.headers["webhook-signature"].split(' ').any(|s| s == expected)
}

fn types(got: &[fakes::Received]) -> Vec<String> {
    got.iter().map(|r| r.json()["type"].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn every_event_type_arrives_once_with_a_valid_signature() {
    let provider = fakes::oauth_provider();
    let receiver = fakes::receiver(ReceiverMode::Ok);
    let linkedin = fake_linkedin(&provider.base);
    let app = spawn_app_with(move |c| {
        quick(c);
        c.refresh_interval = Duration::from_millis(100);
        c.refresh_window = Duration::from_secs(1);
        c.webhooks.expiring_within = Duration::from_secs(90 * 24 * 3600);
        c.providers.oauth.insert(Platform::Linkedin, linkedin);
    });
    let key = app.key("acme");
    let all = [
        "profile.created",
        "profile.deleted",
        "account.linked",
        "account.unlinked",
        "account.needs_reconnect",
        "account.expiring",
        "account.refreshed",
    ];
    let hook = subscribe(&app, &key, &receiver.base, &all);
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    // An OAuth account: linked, refreshed, needing reconnection, unlinked. A sandbox account,
    // which cannot be refreshed, lapsing within the notice window: expiring.
    let id = linked_oauth_account(&app, &key);
    app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true}));
    receiver.wait_for("account.expiring", |g| types(g).contains(&"account.expiring".to_string()));
    assert_eq!(app.refresh_account(&key, &id, "linkedin").body["outcome"], "refreshed");
    provider.state.lock().unwrap().refresh_mode = RefreshMode::InvalidGrant;
    assert_eq!(app.refresh_account(&key, &id, "linkedin").body["outcome"], "needs_reconnect");
    assert_eq!(app.unlink_account(&key, &id, "linkedin").status, 204);
    assert_eq!(app.delete_profile(&key, &id).status, 204);
    let expected = [
        ("profile.created", ""),
        ("account.linked", "linkedin"),
        ("account.linked", "x"),
        ("account.expiring", "x"),
        ("account.refreshed", "linkedin"),
        ("account.needs_reconnect", "linkedin"),
        ("account.unlinked", "linkedin"),
        ("profile.deleted", ""),
    ];
    let key_of = |r: &fakes::Received| {
        let b = r.json();
        (
            b["type"].as_str().unwrap_or_default().to_string(),
            b["data"]["platform"].as_str().unwrap_or_default().to_string(),
        )
    };
    receiver.wait_for("every event", |g| {
        expected.iter().all(|(t, p)| g.iter().any(|r| key_of(r) == (t.to_string(), p.to_string())))
    });
    std::thread::sleep(Duration::from_millis(400));
    let got = receiver.state.lock().unwrap().requests.clone();
    assert_eq!(got.len(), expected.len(), "{:?}", got.iter().map(key_of).collect::<Vec<_>>());
    for t in all {
        assert!(types(&got).iter().any(|x| x == t), "{t} arrived");
    }
    for (t, p) in expected {
        assert_eq!(got.iter().filter(|r| key_of(r) == (t.to_string(), p.to_string())).count(), 1, "{t} {p} once");
    }
    for r in &got {
        assert!(verifies(r, &secret), "signature of {}", r.json()["type"]);
        let body = r.json();
        assert_eq!(body["id"], r.headers["webhook-id"].as_str(), "the event id is in the body and the header");
        assert!(body["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(body["data"]["profileId"], id.as_str());
        assert!(body["data"]["profileKey"].as_str().unwrap().starts_with("prof_"));
        assert!(chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).is_ok());
        assert!(!String::from_utf8_lossy(&r.body).contains("SECRETTOKEN"), "never a token");
        if body["type"].as_str().unwrap().starts_with("account.") {
            let account = body["data"]["account"]["id"].as_str().unwrap_or_default();
            assert!(account.starts_with("acc_") && account.len() == 36, "the account's id: {body}");
        }
    }
    // One profile's events arrive in the order they happened.
    let order = types(&got);
    let pos = |t: &str| order.iter().position(|x| x == t).unwrap();
    assert!(pos("profile.created") < pos("account.linked"));
    assert!(pos("account.linked") < pos("account.refreshed"));
    assert!(pos("account.refreshed") < pos("account.needs_reconnect"));
    assert!(pos("account.needs_reconnect") < pos("account.unlinked"));
    assert!(pos("account.unlinked") < pos("profile.deleted"));
    let linked = got.iter().find(|r| r.json()["type"] == "account.linked").unwrap().json();
    assert_eq!(linked["data"]["platform"], "linkedin");
    assert_eq!(linked["data"]["account"]["displayName"], "Fake Person");
}

#[test]
fn ayrshare_and_upload_post_subscriptions_get_their_own_payloads() {
    let ayr = fakes::receiver(ReceiverMode::Ok);
    let up = fakes::receiver(ReceiverMode::Ok);
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    let bearer = format!("Bearer {key}");
    let json_ct = ("content-type", "application/json");
    let reg = json!({"action": "social", "url": ayr.base, "secret": "ayr-shared-secret"}).to_string().into_bytes();
    assert_eq!(app.send("POST", "/api/hook/webhook", &[("authorization", &bearer), json_ct], Some(reg)).status, 200);
    let cfg =
        json!({"webhook_url": up.base, "webhook_events": ["social_account_connected", "social_account_disconnected"]});
    let apikey = format!("ApiKey {key}");
    assert_eq!(
        app.send(
            "POST",
            "/api/uploadposts/notification-config",
            &[("authorization", &apikey), json_ct],
            Some(cfg.to_string().into_bytes())
        )
        .status,
        200
    );
    let id = app.create_profile(&key, &json!({"name": "Brand", "username": "brand"})).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true}));
    app.unlink_account(&key, &id, "x");

    let got = ayr.wait_for("link and unlink", |g| g.len() >= 2);
    let link = got[0].json();
    assert_eq!(link["action"], "social");
    assert_eq!(link["type"], "link");
    assert_eq!(link["platform"], "twitter");
    assert_eq!(link["title"], "Brand");
    assert_eq!(link["refId"].as_str().unwrap().len(), 40);
    assert_eq!(got[1].json()["type"], "unlink");
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"ayr-shared-secret").unwrap();
    mac.update(&got[0].body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got[0].headers["x-authorization-content-sha256"], expected);
    assert!(got[0].headers["x-authorization-timestamp"].parse::<i64>().is_ok());

    let got = up.wait_for("connected and disconnected", |g| g.len() >= 2);
    assert_eq!(got[0].json()["event"], "social_account_connected");
    assert_eq!(got[0].json()["data"]["username"], "brand");
    assert_eq!(got[0].json()["data"]["platform"], "x");
    assert_eq!(got[1].json()["event"], "social_account_disconnected");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(ayr.state.lock().unwrap().requests.len(), 2, "profile events are not Ayrshare social events");
    assert_eq!(up.state.lock().unwrap().requests.len(), 2);
}

#[test]
fn a_receiver_that_fails_three_times_gets_the_event_with_growing_gaps() {
    let receiver = fakes::receiver(ReceiverMode::FailFirst(3));
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    let hook = subscribe(&app, &key, &receiver.base, &["profile.created"]);
    app.new_profile(&key, "retry me");
    let got = receiver.wait_for("four attempts", |g| g.len() >= 4);
    let ids: Vec<&str> = got.iter().map(|r| r.headers["webhook-id"].as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "the same event each time");
    let gaps: Vec<Duration> = got.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(gaps[1] > gaps[0] && gaps[2] > gaps[1], "{gaps:?}");
    std::thread::sleep(Duration::from_millis(300));
    let path = format!("/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap());
    let d = app.send("GET", &path, &[("x-api-key", &key)], None).body;
    assert_eq!(d["data"][0]["status"], "succeeded");
    assert_eq!(d["data"][0]["attempts"], 4);
    assert_eq!(d["data"][0]["responseCode"], 200);
    assert!(d["data"][0]["latencyMs"].is_i64());
    // Redeliver: the same event again.
    let redeliver = format!("{path}/{}/redeliver", d["data"][0]["id"].as_str().unwrap());
    assert_eq!(app.send("POST", &redeliver, &[("x-api-key", &key)], None).status, 202);
    let again = receiver.wait_for("a redelivery", |g| g.len() >= 5);
    assert_eq!(again[4].headers["webhook-id"], again[0].headers["webhook-id"]);
}

#[test]
fn a_subscription_that_keeps_failing_is_switched_off_and_says_why() {
    let receiver = fakes::receiver(ReceiverMode::Fail);
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    let hook = subscribe(&app, &key, &receiver.base, &["profile.created"]);
    app.new_profile(&key, "a");
    app.new_profile(&key, "b");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let list = app.send("GET", "/v1/webhooks", &[("x-api-key", &key)], None).body;
        let h = &list["data"][0];
        if h["enabled"] == false {
            assert!(h["disabledReason"].as_str().unwrap().contains("HTTP 500"), "{h}");
            assert_eq!(h["consecutiveFailures"], 2);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never switched off: {list}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Switching it back on clears the count.
    let path = format!("/v1/webhooks/{}", hook["id"].as_str().unwrap());
    let res = app.send(
        "PATCH",
        &path,
        &[("x-api-key", &key), ("content-type", "application/json")],
        Some(br#"{"enabled":true}"#.to_vec()),
    );
    assert_eq!(res.body["enabled"], true);
    assert_eq!(res.body["consecutiveFailures"], 0);
    assert!(res.body["disabledReason"].is_null());
}

#[test]
fn a_hanging_receiver_does_not_delay_another_subscription() {
    let slow = fakes::receiver(ReceiverMode::Hang);
    let fast = fakes::receiver(ReceiverMode::Ok);
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    subscribe(&app, &key, &slow.base, &["profile.created"]);
    subscribe(&app, &key, &fast.base, &["profile.created"]);
    let started = std::time::Instant::now();
    for i in 0..3 {
        app.new_profile(&key, &format!("p{i}"));
    }
    fast.wait_for("three events", |g| g.len() >= 3);
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    // Both are sent at once; which receiver records its first request first is a race.
    slow.wait_for("the slow one to be tried too", |g| !g.is_empty());
}

#[test]
fn subscriptions_to_private_addresses_are_refused_unless_allowed() {
    let app = spawn_app_with(|c| c.providers.allow_private_outbound = false);
    let key = app.key("acme");
    for url in [
        "http://10.0.0.1/hook",
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        // IPv6 forms that carry a private IPv4 address (NAT64, 6to4, IPv4-compatible), Teredo.
        "http://[64:ff9b::7f00:1]/x",
        "http://[64:ff9b::a9fe:a9fe]/latest",
        "http://[64:ff9b:1::1]/x",
        "http://[2002:7f00:1::]/x",
        "http://[2002:a00:1::1]/x",
        "http://[::7f00:1]/x",
        "http://[2001:0:4136:e378::1]/x",
        "http://[fec0::1]/x",
        "http://192.168.1.1/",
        "ftp://93.184.216.34/x",
        "not a url",
    ] {
        let body = json!({"url": url, "events": ["profile.created"]}).to_string().into_bytes();
        let res =
            app.send("POST", "/v1/webhooks", &[("x-api-key", &key), ("content-type", "application/json")], Some(body));
        assert_eq!(res.status, 400, "{url}: {}", res.text);
        assert_eq!(res.problem_field(), "url");
    }
    // A public IPv4 address in the same forms is public.
    for url in ["http://93.184.216.34/hook", "http://[64:ff9b::5db8:d822]/hook", "http://[2002:5db8:d822::1]/hook"] {
        let ok = json!({"url": url, "events": ["profile.created"]}).to_string().into_bytes();
        let res =
            app.send("POST", "/v1/webhooks", &[("x-api-key", &key), ("content-type", "application/json")], Some(ok));
        assert_eq!(res.status, 201, "{url}: {}", res.text);
    }
    let bearer = format!("Bearer {key}");
    let reg = json!({"action": "social", "url": "http://10.0.0.1/hook"}).to_string().into_bytes();
    assert_eq!(
        app.send(
            "POST",
            "/api/hook/webhook",
            &[("authorization", &bearer), ("content-type", "application/json")],
            Some(reg)
        )
        .status,
        400
    );
    let bad = json!({"url": "http://93.184.216.34/hook", "events": ["profile.exploded"]}).to_string().into_bytes();
    let res = app.send("POST", "/v1/webhooks", &[("x-api-key", &key), ("content-type", "application/json")], Some(bad));
    assert_eq!(res.problem_field(), "events");
    // Allowed (the default in tests and --dev): 127.0.0.1 is fine.
    let allowed = spawn_app_with(quick);
    let key = allowed.key("acme");
    subscribe(&allowed, &key, "http://127.0.0.1:9/hook", &["profile.created"]);
}

#[test]
fn during_a_rotation_both_secrets_sign_and_after_it_only_the_new_one() {
    let receiver = fakes::receiver(ReceiverMode::Ok);
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    let hook = subscribe(&app, &key, &receiver.base, &["profile.created"]);
    let old = hook["secret"].as_str().unwrap().to_string();
    let id = hook["id"].as_str().unwrap();
    let rotated = app.send("POST", &format!("/v1/webhooks/{id}/rotate-secret"), &[("x-api-key", &key)], None);
    assert_eq!(rotated.status, 200);
    let new = rotated.body["secret"].as_str().unwrap().to_string();
    assert_ne!(old, new);
    assert_eq!(app.send("POST", &format!("/v1/webhooks/{id}/ping"), &[("x-api-key", &key)], None).status, 202);
    let got = receiver.wait_for("a ping", |g| !g.is_empty());
    assert_eq!(got[0].json()["type"], "webhook.ping");
    assert_eq!(got[0].headers["webhook-signature"].split(' ').count(), 2);
    assert!(verifies(&got[0], &old) && verifies(&got[0], &new));
    std::thread::sleep(Duration::from_millis(900));
    app.send("POST", &format!("/v1/webhooks/{id}/ping"), &[("x-api-key", &key)], None);
    let got = receiver.wait_for("a second ping", |g| g.len() >= 2);
    assert!(verifies(&got[1], &new));
    assert!(!verifies(&got[1], &old), "the old secret no longer signs");
}

#[test]
fn events_acknowledged_before_a_kill_9_are_all_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hooks.db");
    // A receiver that is down while the events are made.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = [("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", "true")];
    let server = spawn_binary_with(&db, &[], &env, None);
    let key = create_key(&db, "acme", None);
    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
    let body =
        json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["profile.created"]}).to_string().into_bytes();
    assert_eq!(send(&server.base, "POST", "/v1/webhooks", &headers, Some(body)).status, 201);
    let mut made = Vec::new();
    for i in 0..10 {
        let b = json!({"name": format!("p{i}")}).to_string().into_bytes();
        let res = send(&server.base, "POST", "/v1/profiles", &headers, Some(b));
        assert_eq!(res.status, 201);
        made.push(res.body["id"].as_str().unwrap().to_string());
    }
    server.kill9();
    let receiver: Fake<ReceiverState> = fakes::receiver_on(port, ReceiverMode::Ok);
    let _server = spawn_binary_with(&db, &[], &env, None);
    let got = receiver.wait_for("ten events", |g| {
        let ids: std::collections::HashSet<String> =
            g.iter().map(|r| r.json()["data"]["profileId"].as_str().unwrap_or_default().to_string()).collect();
        made.iter().all(|m| ids.contains(m))
    });
    assert!(got.len() >= 10);
}

#[test]
fn dialect_subscriptions_hear_refreshes_and_reconnect_requests() {
    let provider = fakes::oauth_provider();
    let ayr = fakes::receiver(ReceiverMode::Ok);
    let up = fakes::receiver(ReceiverMode::Ok);
    let linkedin = fake_linkedin(&provider.base);
    let app = spawn_app_with(move |c| {
        quick(c);
        c.providers.oauth.insert(Platform::Linkedin, linkedin);
    });
    let key = app.key("acme");
    let json_ct = ("content-type", "application/json");
    let reg = json!({"action": "social", "url": ayr.base}).to_string().into_bytes();
    app.send("POST", "/api/hook/webhook", &[("authorization", &format!("Bearer {key}")), json_ct], Some(reg));
    let cfg = json!({"webhook_url": up.base, "webhook_events": ["social_account_connected", "social_account_reauth_required"]});
    app.send(
        "POST",
        "/api/uploadposts/notification-config",
        &[("authorization", &format!("ApiKey {key}")), json_ct],
        Some(cfg.to_string().into_bytes()),
    );
    let id = linked_oauth_account(&app, &key);
    assert_eq!(app.refresh_account(&key, &id, "linkedin").body["outcome"], "refreshed");
    provider.state.lock().unwrap().refresh_mode = RefreshMode::InvalidGrant;
    assert_eq!(app.refresh_account(&key, &id, "linkedin").body["outcome"], "needs_reconnect");
    let got = ayr.wait_for("link, refresh, refresh", |g| g.len() >= 3);
    let kinds: Vec<Value> = got.iter().map(|r| r.json()["type"].clone()).collect();
    assert_eq!(kinds, [json!("link"), json!("refresh"), json!("refresh")]);
    assert_eq!(got[2].json()["refreshRequired"], true);
    assert!(got[2].json()["reason"].as_str().unwrap().contains("invalid_grant"));
    let got = up.wait_for("connected, reauth required", |g| g.len() >= 2);
    assert_eq!(got[0].json()["event"], "social_account_connected");
    assert_eq!(got[1].json()["event"], "social_account_reauth_required");
    assert_eq!(got[1].json()["data"]["platform"], "linkedin");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(up.state.lock().unwrap().requests.len(), 2, "a refresh is not an Upload-Post event");
}

#[test]
fn the_upload_post_test_notification_is_delivered() {
    let up = fakes::receiver(ReceiverMode::Ok);
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    let auth = format!("ApiKey {key}");
    let json_ct = ("content-type", "application/json");
    let early = app.send(
        "POST",
        "/api/uploadposts/users/notifications/test",
        &[("authorization", &auth), json_ct],
        Some(b"{}".to_vec()),
    );
    assert_eq!(early.status, 400, "nothing configured yet");
    let cfg = json!({"webhook_url": up.base, "webhook_events": ["social_account_connected"]}).to_string().into_bytes();
    app.send("POST", "/api/uploadposts/users/notifications", &[("authorization", &auth), json_ct], Some(cfg));
    let res = app.send(
        "POST",
        "/api/uploadposts/users/notifications/test",
        &[("authorization", &auth), json_ct],
        Some(b"{}".to_vec()),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    let got = up.wait_for("the test", |g| !g.is_empty());
    assert_eq!(got[0].json()["event"], "test");
}

#[test]
fn a_webhook_url_over_2048_characters_is_refused_in_every_dialect() {
    let app = spawn_app_with(quick);
    let key = app.key("acme");
    let long = format!("http://127.0.0.1:9/{}", "a".repeat(2048));
    let json_ct = ("content-type", "application/json");
    let body = json!({"url": long, "events": ["profile.created"]}).to_string().into_bytes();
    let res = app.send("POST", "/v1/webhooks", &[("x-api-key", &key), json_ct], Some(body));
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.problem_field(), "url");
    assert!(res.text.contains("2048"), "{}", res.text);
    let bearer = format!("Bearer {key}");
    let reg = json!({"action": "social", "url": long}).to_string().into_bytes();
    let res = app.send("POST", "/api/hook/webhook", &[("authorization", &bearer), json_ct], Some(reg));
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.text.contains("2048"), "{}", res.text);
}

#[test]
fn a_failed_delivery_logs_the_webhook_host_but_not_its_secret_path_or_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hooks.db");
    let log = dir.path().join("server.log");
    let env = [("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", "true")];
    let server = spawn_binary_with(&db, &[], &env, Some(&log));
    let key = create_key(&db, "acme", None);
    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
    // Nobody listens on port 9: the first attempt fails at once.
    let url = "http://hookuser:hookpass@127.0.0.1:9/services/T000/B000/SECRETPATH";
    let body = json!({"url": url, "events": ["profile.created"]}).to_string().into_bytes();
    assert_eq!(send(&server.base, "POST", "/v1/webhooks", &headers, Some(body)).status, 201);
    let b = json!({"name": "logged"}).to_string().into_bytes();
    assert_eq!(send(&server.base, "POST", "/v1/profiles", &headers, Some(b)).status, 201);
    crate::peers::eventually("a failed delivery in the log", || {
        std::fs::read_to_string(&log).unwrap_or_default().contains("failed (attempt 1)")
    });
    let text = std::fs::read_to_string(&log).unwrap();
    let line = text.lines().find(|l| l.contains("failed (attempt 1)")).unwrap();
    assert!(line.contains("http://127.0.0.1:9"), "{line}");
    for secret in ["SECRETPATH", "hookpass", "hookuser"] {
        assert!(!text.contains(secret), "{secret} in the log: {line}");
    }
}
