//! `hitchpost serve --database-url`, against a real PostgreSQL, as a process (the rest of the
//! suite runs on PostgreSQL in process, with HITCHPOST_TEST_BACKEND=postgres). A key made by the CLI
//! on the database works on the server; profiles are written, refused with the API's 409 on a
//! taken externalId, listed and read; a second instance on the same database sees the first's
//! writes and a restart keeps them; without a shared secret the server refuses to start.

use crate::helpers::{cli, send, spawn_command};
use crate::pg::fresh_database;
use serde_json::json;
use std::process::Stdio;

const SECRET: &str = "0123456789abcdef0123456789abcdef-pg";

fn serve(url: &str) -> crate::helpers::BinServer {
    let words: Vec<std::ffi::OsString> =
        ["serve", "--bind", "127.0.0.1:0", "--database-url", url].iter().map(Into::into).collect();
    spawn_command(&words, &[("HITCHPOST_SECRET", SECRET)], Stdio::null(), false)
}

fn post_profile(base: &str, key: &str, body: &serde_json::Value) -> crate::helpers::Res {
    let auth = format!("Bearer {key}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    send(base, "POST", "/v1/profiles", &headers, Some(body.to_string().into_bytes()))
}

#[test]
fn serve_on_postgres_writes_reads_and_shares_profiles_between_instances() {
    let Some(pg) = fresh_database() else { return };
    let (ok, key, err) = cli(&["key", "create", "--database-url", &pg.url, "--workspace", "acme"]);
    assert!(ok, "key create: {err}");
    let key = key.trim().to_string();
    let a = serve(&pg.url);
    let b = serve(&pg.url);

    let made = post_profile(&a.base, &key, &json!({"name": "Ada", "externalId": "ext-1", "metadata": {"tier": 2}}));
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["id"].as_str().expect("id").to_string();
    let again = post_profile(&b.base, &key, &json!({"name": "Bob", "externalId": "ext-1"}));
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.problem_field(), "externalId");

    let auth = format!("Bearer {key}");
    let seen = send(&b.base, "GET", &format!("/v1/profiles/{id}"), &[("authorization", &auth)], None);
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["name"], "Ada");
    assert_eq!(seen.body["metadata"]["tier"], 2);
    let list = send(&a.base, "GET", "/v1/profiles", &[("authorization", &auth)], None);
    assert_eq!(list.body["data"].as_array().map(Vec::len), Some(1), "{}", list.text);

    drop(a);
    drop(b);
    let c = serve(&pg.url);
    let kept = send(&c.base, "GET", &format!("/v1/profiles/{id}"), &[("authorization", &auth)], None);
    assert_eq!(kept.status, 200, "{}", kept.text);
    let audit = send(&c.base, "GET", "/v1/audit-log", &[("authorization", &auth)], None);
    assert_eq!(audit.body["data"][0]["action"], "profile.created", "{}", audit.text);
}

#[test]
fn serve_on_postgres_refuses_to_start_without_a_shared_secret() {
    let Some(pg) = fresh_database() else { return };
    let out = std::process::Command::new(crate::helpers::server_binary())
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &pg.url])
        .env_remove("HITCHPOST_SECRET")
        .output()
        .expect("run hitchpost");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HITCHPOST_SECRET"), "{err}");
    assert!(!err.contains(&pg.url), "the URL (and any password in it) is not echoed: {err}");
}

#[test]
fn backup_of_a_postgres_database_points_to_pg_dump() {
    let Some(pg) = fresh_database() else { return };
    let (ok, _, err) = cli(&["backup", "--database-url", &pg.url, "--out", "never-written.db"]);
    assert!(!ok);
    assert!(err.contains("pg_dump"), "{err}");
}
