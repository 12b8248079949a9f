//! `Idempotency-Key` on native POSTs.

use crate::helpers::{TestApp, spawn_app};
use serde_json::json;

fn post(app: &TestApp, key: &str, idem: &str, body: &serde_json::Value) -> crate::helpers::Res {
    let headers = [("x-api-key", key), ("content-type", "application/json"), ("idempotency-key", idem)];
    app.send("POST", "/v1/profiles", &headers, Some(body.to_string().into_bytes()))
}

#[test]
fn the_same_key_and_body_replay_the_first_response() {
    let app = spawn_app();
    let key = app.key("acme");
    let first = post(&app, &key, "req-1", &json!({"name": "Once"}));
    assert_eq!(first.status, 201);
    let again = post(&app, &key, "req-1", &json!({"name": "Once"}));
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the first response, not a second profile");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.list_profiles(&key, "").body["data"].as_array().unwrap().len(), 1);
    // An error is kept too.
    let bad = post(&app, &key, "req-2", &json!({"name": ""}));
    assert_eq!(bad.status, 400);
    assert_eq!(post(&app, &key, "req-2", &json!({"name": ""})).body, bad.body);
}

#[test]
fn the_same_key_with_another_body_is_a_422() {
    let app = spawn_app();
    let key = app.key("acme");
    assert_eq!(post(&app, &key, "req-1", &json!({"name": "A"})).status, 201);
    let res = post(&app, &key, "req-1", &json!({"name": "B"}));
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.problem_field(), "Idempotency-Key");
    assert_eq!(app.list_profiles(&key, "").body["data"].as_array().unwrap().len(), 1);
}

#[test]
fn concurrent_requests_with_one_key_run_once() {
    let app = spawn_app();
    let key = app.key("acme");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> =
            (0..8).map(|_| s.spawn(|| post(&app, &key, "same", &json!({"name": "Race"})).status)).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(app.list_profiles(&key, "").body["data"].as_array().unwrap().len(), 1, "{statuses:?}");
}

#[test]
fn keys_are_scoped_to_the_api_key_and_checked() {
    let app = spawn_app();
    let (a, b) = (app.key("a"), app.key("b"));
    assert_eq!(post(&app, &a, "shared", &json!({"name": "A"})).status, 201);
    assert_eq!(post(&app, &b, "shared", &json!({"name": "A"})).status, 201);
    let res = post(&app, &a, &"x".repeat(300), &json!({"name": "A"}));
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "Idempotency-Key");
    // Without the header nothing changes: two creates.
    for _ in 0..2 {
        assert_eq!(app.create_profile(&a, &json!({"name": "plain"})).status, 201);
    }
    assert_eq!(app.list_profiles(&a, "").body["data"].as_array().unwrap().len(), 3);
}

fn hook(app: &TestApp, key: &str, idem: &str) -> crate::helpers::Res {
    let headers = [
        ("authorization", &format!("Bearer {key}") as &str),
        ("content-type", "application/json"),
        ("idempotency-key", idem),
    ];
    let body = json!({"url": "https://hooks.example.com/h", "events": ["profile.created"]});
    app.send("POST", "/v1/webhooks", &headers, Some(body.to_string().into_bytes()))
}

fn kept_rows(app: &TestApp) -> i64 {
    app.sql_value("SELECT count(*) FROM idempotency_keys", &[])
}

#[test]
fn idempotency_replay_refuses_an_unverified_secret() {
    let app = spawn_app();
    let key = app.key("acme");
    let first = hook(&app, &key, "create-hook");
    assert_eq!(first.status, 201, "{}", first.text);
    let secret = first.body["secret"].as_str().unwrap().to_string();
    // The victim's key id with any secret: refused, and nothing of the first answer comes back.
    let forged = format!("{}{}", &key[..15], "A".repeat(key.len() - 15));
    assert_ne!(forged, key);
    let res = hook(&app, &forged, "create-hook");
    assert_eq!(res.status, 401, "{}", res.text);
    assert!(res.header("idempotent-replayed").is_none());
    assert!(!res.text.contains(&secret), "{}", res.text);
    // The owner still gets the replay.
    let again = hook(&app, &key, "create-hook");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["secret"], secret.as_str());
}

#[test]
fn idempotency_replay_refuses_a_revoked_key() {
    let app = spawn_app();
    let key = app.key("acme");
    let first = hook(&app, &key, "rotate-1");
    assert_eq!(first.status, 201);
    let key_id = &key[3..15];
    let (ok, _, err) = app.cli(&["key", "revoke", key_id]);
    assert!(ok, "{err}");
    crate::peers::eventually("the revocation to reach the server", || {
        app.send("GET", "/v1/profiles", &[("x-api-key", &key)], None).status == 401
    });
    let res = hook(&app, &key, "rotate-1");
    assert_eq!(res.status, 401, "{}", res.text);
    assert!(!res.text.contains("whsec_"), "{}", res.text);
}

#[test]
fn idempotency_keys_are_not_stored_for_unauthenticated_requests_and_kept_responses_are_sealed() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = hook(&app, "hp_notakeyatallAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "poison-1");
    assert_eq!(res.status, 401);
    assert_eq!(kept_rows(&app), 0, "a refused request leaves no row (and cannot poison the key)");
    // The real owner's first use of that idempotency key runs normally.
    let first = hook(&app, &key, "poison-1");
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first.header("idempotent-replayed").is_none());
    assert_eq!(kept_rows(&app), 1);
    let secret = first.body["secret"].as_str().unwrap();
    drop(app.send("GET", "/healthz", &[], None));
    let raw = match &app.store {
        crate::helpers::TestStore::File(path) => {
            let mut raw = std::fs::read(path).unwrap();
            raw.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
            raw
        }
        crate::helpers::TestStore::Postgres(_) => app.sql_value("SELECT body FROM idempotency_keys", &[]),
    };
    assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()), "the kept webhook secret is sealed at rest");
}
