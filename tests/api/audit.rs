//! The audit log: who did what, when, from where.

use crate::helpers::spawn_app_with;
use serde_json::{Value, json};

#[test]
fn the_audit_log_records_who_did_what_and_filters_and_pages() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let (ok, key, _) = app.cli(&["key", "create", "--workspace", "acme"]);
    assert!(ok);
    let key = key.trim().to_string();
    let key_id = key[3..15].to_string();
    let id = app.new_profile(&key, "Audited")["id"].as_str().unwrap().to_string();
    app.update_profile(&key, &id, &json!({"name": "Audited 2"}));
    let link = app.new_link(&key, &id, &json!({}));
    let jti = link["id"].as_str().unwrap().to_string();
    let cookie = app.open_session(link["url"].as_str().unwrap());
    app.page_link(&cookie, "linkedin", &json!({"sandbox": true}));
    let revoked = app.new_link(&key, &id, &json!({}));
    app.revoke_link(&key, revoked["id"].as_str().unwrap());
    app.unlink_account(&key, &id, "linkedin");
    app.delete_profile(&key, &id);
    let (ok, _, _) = app.cli(&["key", "revoke", &key_id]);
    assert!(ok);
    let other = app.key("other");

    let log = app.send("GET", "/v1/audit-log?limit=100", &[("x-api-key", &other)], None).body;
    let actions: Vec<&str> = log["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["key.created"], "another workspace sees only its own");
    // The revoked key cannot read its workspace's log; a new one can.
    let (_, reader, _) = app.cli(&["key", "create", "--workspace", "acme"]);
    let reader = reader.trim().to_string();
    let log = app.send("GET", "/v1/audit-log?limit=100", &[("x-api-key", &reader)], None).body;
    let entries: Vec<Value> = log["data"].as_array().unwrap().clone();
    let find = |action: &str| {
        entries.iter().find(|e| e["action"] == action).unwrap_or_else(|| panic!("no {action}: {entries:?}")).clone()
    };
    let by_key = format!("key:{key_id}");
    assert_eq!(find("key.created")["actor"], "cli");
    assert_eq!(find("key.revoked")["actor"], "cli");
    let created = find("profile.created");
    assert_eq!(created["actor"], by_key.as_str());
    assert_eq!(created["ip"], "127.0.0.1");
    assert_eq!(created["profileId"], id.as_str());
    assert_eq!(find("profile.updated")["actor"], by_key.as_str());
    assert!(entries.iter().any(|e| e["action"] == "connect_link.created" && e["target"] == jti.as_str()));
    let used = find("connect_link.used");
    assert_eq!(used["actor"], format!("link:{jti}"));
    let linked = find("account.linked");
    assert_eq!(linked["actor"], format!("link:{jti}"), "linked by the end-user through the page");
    assert_eq!(linked["target"], "linkedin");
    assert_eq!(find("connect_link.revoked")["actor"], by_key.as_str());
    assert_eq!(find("account.unlinked")["actor"], by_key.as_str());
    assert_eq!(find("profile.deleted")["profileId"], id.as_str());
    assert!(chrono::DateTime::parse_from_rfc3339(created["at"].as_str().unwrap()).is_ok());

    // Filters and pages.
    let only = app.send("GET", "/v1/audit-log?action=account.linked", &[("x-api-key", &reader)], None).body;
    assert_eq!(only["data"].as_array().unwrap().len(), 1);
    let of = app.send("GET", &format!("/v1/audit-log?profileId={id}&limit=100"), &[("x-api-key", &reader)], None).body;
    assert!(of["data"].as_array().unwrap().iter().all(|e| e["profileId"] == id.as_str()));
    let mut seen = 0;
    let mut path = "/v1/audit-log?limit=3".to_string();
    loop {
        let page = app.send("GET", &path, &[("x-api-key", &reader)], None).body;
        seen += page["data"].as_array().unwrap().len();
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("/v1/audit-log?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, entries.len());
    let bad = app.send("GET", "/v1/audit-log?action=nope", &[("x-api-key", &reader)], None);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.problem_field(), "action");
}
