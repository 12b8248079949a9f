//! The binary itself: `--dev`, and durability across `kill -9`.

use crate::helpers::{cli, create_key, send, spawn_binary};
use serde_json::json;

#[test]
fn dev_mode_prints_a_key_that_works_and_the_same_key_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dev.db");
    let first = spawn_binary(&db, &["--dev"]);
    let key = first.dev_key.clone().expect("a dev key is printed");
    let auth = format!("Bearer {key}");
    let res = send(
        &first.base,
        "POST",
        "/v1/profiles",
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(br#"{"name":"dev"}"#.to_vec()),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    first.kill9();
    let second = spawn_binary(&db, &["--dev"]);
    assert_eq!(second.dev_key.as_deref(), Some(key.as_str()));
    let res = send(&second.base, "GET", "/v1/profiles", &[("authorization", &auth)], None);
    assert_eq!(res.status, 200);
    assert_eq!(res.body["data"][0]["name"], "dev");
}

#[test]
fn dev_mode_refuses_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dev.db");
    let (ok, _, err) = cli(&["serve", "--dev", "--bind", "0.0.0.0:0", "--db", db.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn the_secret_file_is_created_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let _server = spawn_binary(&db, &[]);
    let meta = std::fs::metadata(dir.path().join("h.db.secret")).expect("secret file beside the database");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

#[test]
fn acknowledged_profiles_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let server = spawn_binary(&db, &[]);
    let key = create_key(&db, "acme", None);
    let auth = format!("Bearer {key}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    let mut acknowledged = Vec::new();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|t| {
                let (base, headers) = (&server.base, &headers);
                s.spawn(move || {
                    (0..25)
                        .filter_map(|i| {
                            let body = json!({"name": format!("p{t}-{i}"), "externalId": format!("{t}-{i}")});
                            let res = send(base, "POST", "/v1/profiles", headers, Some(body.to_string().into_bytes()));
                            (res.status == 201).then(|| res.body["id"].as_str().unwrap().to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in hs {
            acknowledged.extend(h.join().unwrap());
        }
    });
    assert_eq!(acknowledged.len(), 200);
    server.kill9();
    let server = spawn_binary(&db, &[]);
    for id in &acknowledged {
        let res = send(&server.base, "GET", &format!("/v1/profiles/{id}"), &[("x-api-key", &key)], None);
        assert_eq!(res.status, 200, "profile {id} was acknowledged but lost");
    }
}
