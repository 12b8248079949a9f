//! Writes racing each other keep every cap and every change: on SQLite the one writer runs
//! them one at a time; on PostgreSQL (the suite's second run) each is a transaction of its own,
//! and the rows they count or rewrite are locked.

use crate::helpers::{Res, TestApp, spawn_app_with};
use crate::holders::{register, users};
use hitchpost::config::per_second;
use serde_json::{Value, json};

const JSON: (&str, &str) = ("content-type", "application/json");

fn app() -> TestApp {
    spawn_app_with(|c| {
        c.api_key_rate = per_second(0);
        c.api_ip_rate = per_second(0);
    })
}

/// Runs `n` calls of `f` at once and returns their statuses, in no particular order.
fn at_once(n: usize, f: impl Fn(usize) -> Res + Sync) -> Vec<u16> {
    let f = &f;
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..n).map(|i| s.spawn(move || f(i).status)).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[test]
fn concurrent_creates_never_pass_the_profile_limit() {
    let app = app();
    let key = app.key_with_limit("tiny", 5);
    app.new_profile(&key, "first");
    let statuses = at_once(12, |i| app.create_profile(&key, &json!({"name": format!("racer {i}")})));
    assert_eq!((count(&statuses, 201), count(&statuses, 402)), (4, 8), "{statuses:?}");
    let listed = app.list_profiles(&key, "?limit=100").body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 5, "{listed}");
}

#[test]
fn concurrent_webhook_creates_never_pass_the_cap_of_20() {
    let app = app();
    let key = app.key("hooks");
    let create = |i: usize| {
        let body = json!({"url": format!("https://hooks.example.com/{i}"), "events": ["profile.created"]});
        app.send("POST", "/v1/webhooks", &[("x-api-key", &key), JSON], Some(body.to_string().into_bytes()))
    };
    for i in 0..17 {
        assert_eq!(create(100 + i).status, 201);
    }
    let statuses = at_once(8, create);
    assert_eq!((count(&statuses, 201), count(&statuses, 409)), (3, 5), "{statuses:?}");
    let listed = app.send("GET", "/v1/webhooks?limit=100", &[("x-api-key", &key)], None).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 20, "{listed}");
}

#[test]
fn concurrent_holder_key_creates_never_pass_the_cap_of_25() {
    let app = app();
    let token = register(&app, "keys@example.com");
    let create = |i: usize| users(&app, &token, "POST", "/api-keys", Some(json!({"name": format!("k{i}")})));
    for i in 0..22 {
        assert_eq!(create(100 + i).status, 201);
    }
    let statuses = at_once(8, create);
    assert_eq!(count(&statuses, 201), 3, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    let listed = users(&app, &token, "GET", "/api-keys", None).body;
    assert_eq!(listed["apiKeys"].as_array().unwrap().len(), 25, "{listed}");
}

#[test]
fn concurrent_patches_of_different_fields_of_one_profile_keep_both() {
    let app = app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "start")["id"].as_str().unwrap().to_string();
    for round in 0..10 {
        let statuses = at_once(2, |i| {
            let patch = if i == 0 {
                json!({"name": format!("name {round}")})
            } else {
                json!({"externalId": format!("ext-{round}")})
            };
            app.update_profile(&key, &id, &patch)
        });
        assert_eq!(statuses, [200, 200]);
        let got = app.get_profile(&key, &id).body;
        assert_eq!(
            (&got["name"], &got["externalId"]),
            (&json!(format!("name {round}")), &json!(format!("ext-{round}")))
        );
    }
}

#[test]
fn concurrent_notification_config_merges_keep_both_fields() {
    let app = app();
    let key = app.key("acme");
    let auth = format!("ApiKey {key}");
    let set = |body: Value| {
        let headers = [("authorization", auth.as_str()), JSON];
        app.send("POST", "/api/uploadposts/notification-config", &headers, Some(body.to_string().into_bytes()))
    };
    let events = [json!(["social_account_connected"]), json!(["social_account_disconnected"])];
    for round in 0..10 {
        let url = format!("http://127.0.0.1:9/hook/{round}");
        let statuses = at_once(2, |i| {
            if i == 0 { set(json!({"webhook_url": url})) } else { set(json!({"webhook_events": events[round % 2]})) }
        });
        assert_eq!(statuses, [200, 200]);
        let got = app.send("GET", "/api/uploadposts/notification-config", &[("authorization", &auth)], None).body;
        assert_eq!((&got["webhook_url"], &got["webhook_events"]), (&json!(url), &events[round % 2]), "{got}");
    }
}
