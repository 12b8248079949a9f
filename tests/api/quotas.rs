//! What one tenant may fill (audit H4, M8, L11): document storage within its limit, a floor
//! of free disk, and caps on documents, API keys and webhooks.

use crate::helpers::{spawn_app, spawn_app_with};
use crate::holders::{register, users};
use hitchpost::config::per_second;
use serde_json::{Value, json};

const JSON: (&str, &str) = ("content-type", "application/json");

fn document(bytes: usize) -> Value {
    json!({"documentName": "blob", "documentContent": "A".repeat(bytes)})
}

fn unlimited_rate(c: &mut hitchpost::config::Config) {
    c.api_key_rate = per_second(0);
    c.api_ip_rate = per_second(0);
}

#[test]
fn document_writes_return_413_when_the_storage_limit_would_be_passed() {
    let app = spawn_app_with(|c| c.storage_limit_bytes = 1024 * 1024);
    let token = register(&app, "filler@example.com");
    for _ in 0..2 {
        assert_eq!(users(&app, &token, "POST", "/documents", Some(document(400_000))).status, 201);
    }
    let third = users(&app, &token, "POST", "/documents", Some(document(400_000)));
    assert_eq!(third.status, 413, "{}", third.text);
    assert!(third.body["message"].as_str().unwrap().contains("storage limit reached"), "{}", third.text);
    // Growing a document past the limit is refused too; shrinking one is not.
    let docs = users(&app, &token, "GET", "/documents", None).body;
    let id = docs["documents"][0]["Id"].as_str().unwrap().to_string();
    assert_eq!(users(&app, &token, "PUT", &format!("/documents/{id}"), Some(document(700_000))).status, 413);
    assert_eq!(users(&app, &token, "PUT", &format!("/documents/{id}"), Some(document(100_000))).status, 200);
    let stats = users(&app, &token, "GET", "/stats", None).body;
    assert_eq!(stats["storageUsedBytes"], 500_000, "{stats}");
    assert_eq!(stats["storageLimit"], "1 MB");
}

#[test]
fn concurrent_uploads_cannot_share_the_same_room() {
    let app = spawn_app_with(|c| c.storage_limit_bytes = 1024 * 1024);
    let token = register(&app, "racer@example.com");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| s.spawn(|| users(&app, &token, "POST", "/documents", Some(document(300_000))).status))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 413).count(), 5, "{statuses:?}");
}

#[test]
fn large_document_writes_return_507_while_free_disk_is_below_the_floor() {
    // The floor is the SQLite file's disk; PostgreSQL's disk is its operator's to watch.
    let app = crate::helpers::spawn_sqlite_app_with(|c| c.min_free_disk_bytes = u64::MAX);
    let token = register(&app, "disk@example.com");
    let big = users(&app, &token, "POST", "/documents", Some(document(100_000)));
    assert_eq!(big.status, 507, "{}", big.text);
    assert!(big.body["message"].as_str().unwrap().contains("short of disk space"), "{}", big.text);
    assert_eq!(users(&app, &token, "POST", "/documents", Some(document(1_000))).status, 201, "small writes still go");
}

#[test]
fn a_holder_keeps_at_most_1000_documents() {
    let app = spawn_app_with(unlimited_rate);
    let token = register(&app, "many@example.com");
    for i in 0..1000 {
        let res = users(&app, &token, "POST", "/documents", Some(json!({"documentName": format!("d{i}")})));
        assert_eq!(res.status, 201, "{i}: {}", res.text);
    }
    let over = users(&app, &token, "POST", "/documents", Some(json!({"documentName": "one too many"})));
    assert_eq!(over.status, 409, "{}", over.text);
    assert!(over.body["message"].as_str().unwrap().contains("limit of 1000 documents"), "{}", over.text);
}

#[test]
fn a_holder_may_make_25_api_keys_and_the_26th_is_409() {
    let app = spawn_app();
    let token = register(&app, "keys@example.com");
    let mut first = String::new();
    for i in 0..25 {
        let res = users(&app, &token, "POST", "/api-keys", Some(json!({"name": format!("k{i}")})));
        assert_eq!(res.status, 201, "{i}: {}", res.text);
        if i == 0 {
            first = res.body["apiKey"]["id"].as_str().unwrap().to_string();
        }
    }
    let over = users(&app, &token, "POST", "/api-keys", Some(json!({"name": "k25"})));
    assert_eq!(over.status, 409, "{}", over.text);
    assert!(over.body["message"].as_str().unwrap().contains("limit of 25 API keys"), "{}", over.text);
    // Revoking one makes room.
    assert_eq!(users(&app, &token, "DELETE", &format!("/api-keys/{first}"), None).status, 200);
    assert_eq!(users(&app, &token, "POST", "/api-keys", Some(json!({"name": "again"}))).status, 201);
}

#[test]
fn a_workspace_may_have_20_webhooks_and_the_21st_is_409_in_the_native_dialect() {
    let app = spawn_app();
    let key = app.key("hooks");
    let subscribe = |i: usize| {
        let body = json!({"url": format!("http://127.0.0.1:9/hook/{i}"), "events": ["account.linked"]});
        app.send("POST", "/v1/webhooks", &[("x-api-key", &key), JSON], Some(body.to_string().into_bytes()))
    };
    for i in 0..20 {
        let res = subscribe(i);
        assert_eq!(res.status, 201, "{i}: {}", res.text);
    }
    let over = subscribe(20);
    assert_eq!(over.status, 409, "{}", over.text);
    assert_eq!(over.body["type"], "urn:hitchpost:problem:limit-reached", "{}", over.text);
    assert!(over.body["detail"].as_str().unwrap().contains("limit of 20 webhooks"), "{}", over.text);
}
