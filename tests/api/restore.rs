//! `hitchpost restore` and `check` refuse what would lose data (audit M9), and a backup carries
//! the server secret its sealed tokens and API keys need.

use crate::helpers::{cli, create_key, send, spawn_binary};
use serde_json::json;
use std::path::{Path, PathBuf};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn new_profile(base: &str, key: &str, name: &str) -> String {
    let res = send(
        base,
        "POST",
        "/v1/profiles",
        &[("x-api-key", key), ("content-type", "application/json")],
        Some(json!({ "name": name }).to_string().into_bytes()),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// A served database with one profile, its key, and a backup of it (`backup.db`).
fn served_with_backup(dir: &Path) -> (PathBuf, String, PathBuf) {
    let db = dir.join("live.db");
    let server = spawn_binary(&db, &[]);
    let key = create_key(&db, "acme", None);
    new_profile(&server.base, &key, "before the backup");
    let out = dir.join("backup.db");
    let (ok, stdout, err) = cli(&["backup", "--db", s(&db), "--out", s(&out)]);
    assert!(ok, "{err}");
    assert!(stdout.contains("server secret"), "{stdout}");
    (db, key, out)
}

#[test]
fn restore_refuses_while_a_server_is_using_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key, backup) = served_with_backup(dir.path());
    let server = spawn_binary(&db, &[]);
    let after = new_profile(&server.base, &key, "after the backup");
    let (ok, _, err) = cli(&["restore", "--db", s(&db), "--from", s(&backup)]);
    assert!(!ok, "restored under a live server");
    assert!(err.contains("server is using"), "{err}");
    let res = send(&server.base, "GET", &format!("/v1/profiles/{after}"), &[("x-api-key", &key)], None);
    assert_eq!(res.status, 200, "the write made after the backup is still there: {}", res.text);
}

#[test]
fn restore_and_check_refuse_a_file_that_is_not_a_hitchpost_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key, _) = served_with_backup(dir.path());
    let other = dir.path().join("other-app.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
    let (ok, _, err) = cli(&["restore", "--db", s(&db), "--from", s(&other)]);
    assert!(!ok);
    assert!(err.contains("not a hitchpost database"), "{err}");
    let (ok, report, err) = cli(&["check", "--db", s(&other)]);
    assert!(!ok, "check passed a foreign file: {report}");
    assert!(err.contains("not a hitchpost database"), "{err}");
    // Nothing was written: the live file still serves.
    let server = spawn_binary(&db, &[]);
    assert_eq!(send(&server.base, "GET", "/v1/profiles", &[("x-api-key", &key)], None).status, 200);
}

#[test]
fn restore_refuses_a_backup_at_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key, backup) = served_with_backup(dir.path());
    rusqlite::Connection::open(&backup).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let (ok, _, err) = cli(&["restore", "--db", s(&db), "--from", s(&backup)]);
    assert!(!ok);
    assert!(err.contains("newer than this hitchpost"), "{err}");
    let (ok, _, err) = cli(&["check", "--db", s(&backup)]);
    assert!(!ok);
    assert!(err.contains("schema version 99"), "{err}");
    let server = spawn_binary(&db, &[]);
    assert_eq!(send(&server.base, "GET", "/v1/profiles", &[("x-api-key", &key)], None).status, 200);
}

#[test]
fn restore_refuses_the_database_itself() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = served_with_backup(dir.path());
    let started = std::time::Instant::now();
    let (ok, _, err) = cli(&["restore", "--db", s(&db), "--from", &format!("{}/./live.db", s(dir.path()))]);
    assert!(!ok);
    assert!(err.contains("is the database itself"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "it used to spin forever");
}

#[test]
fn restore_keeps_the_replaced_database_and_brings_the_server_secret_to_a_new_place() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key, backup) = served_with_backup(dir.path());
    // Into a new file: the key (an HMAC under the server secret) works there.
    let moved = dir.path().join("elsewhere.db");
    let (ok, out, err) = cli(&["restore", "--db", s(&moved), "--from", s(&backup)]);
    assert!(ok, "{err}");
    assert!(out.contains("restored the server secret"), "{out}");
    let server = spawn_binary(&moved, &[]);
    let res = send(&server.base, "GET", "/v1/profiles", &[("x-api-key", &key)], None);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["data"][0]["name"], "before the backup");
    drop(server);
    // Over the live file (server stopped): the replaced file is kept.
    let server = spawn_binary(&db, &[]);
    new_profile(&server.base, &key, "after the backup");
    drop(server);
    let (ok, out, err) = cli(&["restore", "--db", s(&db), "--from", s(&backup)]);
    assert!(ok, "{err}");
    assert!(out.contains("live.db.pre-restore"), "{out}");
    let kept = rusqlite::Connection::open(dir.path().join("live.db.pre-restore")).unwrap();
    let n: i64 = kept.query_row("SELECT count(*) FROM profiles", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2, "the replaced database, with the write made after the backup");
}
