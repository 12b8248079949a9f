//! API keys and workspace isolation.

use crate::helpers::spawn_app;
use serde_json::json;
use std::time::{Duration, Instant};

const FOREIGN: &str = "3f2b8c1e-0000-4000-8000-000000000000";

#[test]
fn every_native_route_returns_401_without_a_valid_key() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "A")["id"].as_str().unwrap().to_string();
    let routes = [
        ("POST", "/v1/profiles".to_string()),
        ("GET", "/v1/profiles".to_string()),
        ("GET", format!("/v1/profiles/{id}")),
        ("PATCH", format!("/v1/profiles/{id}")),
        ("DELETE", format!("/v1/profiles/{id}")),
    ];
    let bad_keys: [&[(&str, &str)]; 5] = [
        &[],
        &[("authorization", "Bearer nonsense")],
        &[("x-api-key", "hp_tooshort")],
        &[("authorization", "Basic aGk6dGhlcmU=")],
        &[("authorization", "Bearer hp_000000000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")],
    ];
    for (method, path) in &routes {
        for headers in bad_keys {
            let mut h = headers.to_vec();
            h.push(("content-type", "application/json"));
            let res = app.send(method, path, &h, Some(br#"{"name":"x"}"#.to_vec()));
            assert_eq!(res.status, 401, "{method} {path} {headers:?}");
            assert_eq!(res.header("content-type"), Some("application/problem+json"));
            assert_eq!(res.header("www-authenticate"), Some("Bearer"));
            assert_eq!(res.body["status"], 401);
        }
    }
    // Nothing was changed by the refused requests.
    assert_eq!(app.get_profile(&key, &id).status, 200);
}

#[test]
fn bearer_and_x_api_key_headers_both_authenticate() {
    let app = spawn_app();
    let key = app.key("acme");
    let bearer = format!("Bearer {key}");
    assert_eq!(app.send("GET", "/v1/profiles", &[("authorization", &bearer)], None).status, 200);
    let lower = format!("bearer {key}");
    assert_eq!(app.send("GET", "/v1/profiles", &[("authorization", &lower)], None).status, 200);
    assert_eq!(app.send("GET", "/v1/profiles", &[("x-api-key", &key)], None).status, 200);
}

#[test]
fn a_wrong_secret_with_a_valid_key_id_gets_401() {
    let app = spawn_app();
    let key = app.key("acme");
    assert_eq!(app.list_profiles(&key, "").status, 200);
    // Same key id, another secret of the same shape; after the right key was cached.
    let mut forged: Vec<char> = key.chars().collect();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let res = app.list_profiles(&forged, "");
    assert_eq!(res.status, 401);
    assert_eq!(app.list_profiles(&key, "").status, 200);
}

#[test]
fn a_key_revoked_by_the_cli_is_refused_by_the_running_server_within_a_second() {
    let app = spawn_app();
    let (ok, key, err) = app.cli(&["key", "create", "--workspace", "acme"]);
    assert!(ok, "{err}");
    let key = key.trim().to_string();
    assert_eq!(app.list_profiles(&key, "").status, 200);
    let (ok, listed, _) = app.cli(&["key", "list", "--workspace", "acme"]);
    assert!(ok);
    assert!(!listed.contains(&key[15..]), "the secret must never be listed");
    let key_id = listed.lines().next().unwrap().split_whitespace().next().unwrap().to_string();
    assert!(key.starts_with(&format!("hp_{key_id}")));
    let (ok, _, err) = app.cli(&["key", "revoke", &key_id]);
    assert!(ok, "{err}");
    let revoked_at = Instant::now();
    loop {
        let status = app.list_profiles(&key, "").status;
        if status == 401 {
            break;
        }
        assert!(revoked_at.elapsed() < Duration::from_secs(1), "still accepted after 1 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, listed, _) = app.cli(&["key", "list", "--workspace", "acme"]);
    assert!(listed.contains("revoked"), "{listed}");
}

#[test]
fn a_revoked_key_can_be_named_by_the_whole_key() {
    let app = spawn_app();
    let key = app.key("acme");
    let (ok, _, err) = app.cli(&["key", "revoke", &key]);
    assert!(ok, "{err}");
    assert_eq!(app.list_profiles(&key, "").status, 401);
    let (ok, _, err) = app.cli(&["key", "revoke", &key]);
    assert!(!ok, "revoking twice is an error");
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn cli_key_create_sets_the_profile_limit() {
    let app = spawn_app();
    let (ok, key, _) = app.cli(&["key", "create", "--workspace", "tiny", "--profile-limit", "1"]);
    assert!(ok);
    let key = key.trim();
    assert_eq!(app.create_profile(key, &json!({"name": "a"})).status, 201);
    assert_eq!(app.create_profile(key, &json!({"name": "b"})).status, 402);
}

#[test]
fn workspaces_see_only_their_own_profiles() {
    let app = spawn_app();
    let (a, b) = (app.key("a"), app.key("b"));
    let pa = app.new_profile(&a, "A's")["id"].as_str().unwrap().to_string();
    let pb = app.new_profile(&b, "B's")["id"].as_str().unwrap().to_string();
    let listed = app.list_profiles(&a, "").body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], pa.as_str());
    // B's id is as unknown to A as an id that never existed.
    for id in [pb.as_str(), FOREIGN] {
        assert_eq!(app.get_profile(&a, id).status, 404);
        assert_eq!(app.update_profile(&a, id, &json!({"name": "hijacked"})).status, 404);
        assert_eq!(app.delete_profile(&a, id).status, 404);
    }
    let still = app.get_profile(&b, &pb);
    assert_eq!(still.status, 200);
    assert_eq!(still.body["name"], "B's");
    // Filters do not cross workspaces either.
    app.create_profile(&b, &json!({"name": "x", "externalId": "shared"}));
    assert_eq!(app.list_profiles(&a, "?externalId=shared").body["data"], json!([]));
}

#[test]
fn sixty_four_simultaneous_first_requests_with_one_key_all_succeed_with_one_argon2_verify() {
    let app = spawn_app();
    let key = app.key("acme");
    let verifies = || -> u64 {
        let m = app.send("GET", "/metrics", &[], None).text;
        m.lines().find_map(|l| l.strip_prefix("hitchpost_argon2_verifies_total ")).unwrap().trim().parse().unwrap()
    };
    let before = verifies();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..64).map(|_| s.spawn(|| app.list_profiles(&key, "").status)).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(verifies(), before + 1, "one argon2 verification for 64 first requests");
    app.list_profiles(&key, "");
    assert_eq!(verifies(), before + 1, "a verified key costs no argon2");
}

#[test]
fn conflicting_credentials_are_refused_rather_than_one_picked() {
    let app = spawn_app();
    let (key, other) = (app.key("acme"), app.key("other"));
    let cases: [&[(&str, &str)]; 3] = [
        &[("x-api-key", &key), ("authorization", "Basic Zm9vOmJhcg==")],
        &[("x-api-key", &key), ("authorization", "Bearer not-a-key")],
        &[("x-api-key", &key), ("authorization", &format!("Bearer {other}"))],
    ];
    for headers in cases {
        let res = app.send("GET", "/v1/profiles", headers, None);
        assert_eq!(res.status, 401, "{headers:?}");
    }
    let same = format!("Bearer {key}");
    assert_eq!(app.send("GET", "/v1/profiles", &[("x-api-key", &key), ("authorization", &same)], None).status, 200);
}

#[test]
fn a_key_hashed_with_the_earlier_19_mib_parameters_still_authenticates() {
    use argon2::{Argon2, PasswordHasher};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("legacy.db");
    let key = crate::helpers::create_key(&db, "acme", None);
    // Re-hash the key's secret the way earlier versions did (Argon2::default(): m=19 MiB, t=2).
    let parts = hitchpost::auth::api_key::parse(&key).unwrap();
    let legacy = Argon2::default().hash_password(parts.secret.as_bytes()).unwrap().to_string();
    assert!(legacy.contains("m=19456,t=2,p=1"), "{legacy}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n = conn
        .execute("UPDATE api_keys SET secret_hash = ?1 WHERE key_id = ?2", rusqlite::params![legacy, parts.key_id])
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    let app = crate::helpers::spawn_app_on(&db);
    assert_eq!(app.list_profiles(&key, "").status, 200);
    // New keys use the small-memory setting.
    let fresh = app.key("acme");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let id = hitchpost::auth::api_key::parse(&fresh).unwrap().key_id;
    let hash: String =
        conn.query_row("SELECT secret_hash FROM api_keys WHERE key_id = ?1", [id], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
}
