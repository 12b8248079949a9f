//! Validation and fidelity gaps (audit L10): invisible and direction-changing characters in
//! names and unique fields, and `/healthz` telling the truth while writes fail.

use crate::helpers::spawn_app;
use serde_json::json;
use std::time::Duration;

#[test]
fn invisible_or_direction_changing_characters_are_refused_with_400_naming_the_field() {
    let app = spawn_app();
    let key = app.key("acme");
    let cases = [
        (json!({"name": "\u{200b}"}), "name"),
        (json!({"name": "Ann\u{202e}gnp.exe"}), "name"),
        (json!({"name": "ok", "externalId": "user-42\u{200b}"}), "externalId"),
        (json!({"name": "ok", "username": "x\u{2066}y"}), "username"),
        (json!({"name": "\u{feff}Bom"}), "name"),
        (json!({"name": "   "}), "name"),
    ];
    for (body, field) in cases {
        let res = app.create_profile(&key, &body);
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        assert_eq!(res.problem_field(), field, "{body}: {}", res.text);
    }
    // Joiners stay: emoji sequences and several scripts need them.
    let family = app.create_profile(&key, &json!({"name": "Family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"}));
    assert_eq!(family.status, 201, "{}", family.text);
    assert_eq!(family.body["name"], "Family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}");
}

#[test]
fn healthz_is_503_while_writes_fail_and_ok_after_the_next_commit() {
    // SQLite's file lock; PostgreSQL's failing writes are the pg tests'.
    let app = crate::helpers::spawn_sqlite_app();
    let key = app.key("acme");
    assert_eq!(app.healthz().status, 200);
    // Another process holds the file's write lock past the writer's busy timeout (5 s).
    let lock = rusqlite::Connection::open(&app.db_path).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let failed = app.create_profile(&key, &json!({"name": "blocked"}));
    assert_eq!(failed.status, 500, "{}", failed.text);
    let health = app.healthz();
    assert_eq!(health.status, 503, "{}", health.text);
    assert_eq!(health.body, json!({"status": "degraded", "writes": "failing"}));
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(app.create_profile(&key, &json!({"name": "unblocked"})).status, 201);
    assert_eq!(app.healthz().status, 200);
}

#[test]
fn metadata_numbers_come_back_with_every_digit_they_were_given() {
    let app = spawn_app();
    let key = app.key("acme");
    let body = r#"{"name":"digits","metadata":{"big":123456789012345678901234567890,"precise":0.10000000000000000555,"neg":-9007199254740993,"exp":1e400}}"#;
    let res = app.send(
        "POST",
        "/v1/profiles",
        &[("x-api-key", &key), ("content-type", "application/json")],
        Some(body.as_bytes().to_vec()),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    let got = app.get_profile(&key, &id);
    // Every digit; an exponent is written with its sign (the same number).
    for digits in ["123456789012345678901234567890", "0.10000000000000000555", "-9007199254740993", "1e+400"] {
        assert!(got.text.contains(digits), "{digits} in {}", got.text);
    }
}

#[test]
fn the_composed_and_decomposed_forms_of_an_external_id_are_one_id() {
    let app = spawn_app();
    let key = app.key("acme");
    let composed = app.create_profile(&key, &json!({"name": "Caf\u{e9}", "externalId": "caf\u{e9}-1"}));
    assert_eq!(composed.status, 201, "{}", composed.text);
    let decomposed = app.create_profile(&key, &json!({"name": "Cafe\u{301}", "externalId": "cafe\u{301}-1"}));
    assert_eq!(decomposed.status, 409, "{}", decomposed.text);
    assert_eq!(decomposed.problem_field(), "externalId");
    // Found by either form; kept and shown in NFC.
    let found = app.list_profiles(&key, "?externalId=cafe%CC%81-1");
    assert_eq!(found.body["data"][0]["externalId"], "caf\u{e9}-1", "{}", found.text);
    assert_eq!(found.body["data"][0]["name"], "Caf\u{e9}");
}
