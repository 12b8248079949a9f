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
