//! API key secrets (audit H3): checked with an HMAC keyed by the server secret, argon2 only
//! once for a key stored before (or by the CLI); revoking a key forgets that key only.

use crate::helpers::{TestApp, cli, spawn_app, spawn_app_on, spawn_app_on_with};
use crate::peers::eventually;
use hitchpost::auth::api_key;
use serde_json::json;

fn counter(app: &TestApp, name: &str) -> u64 {
    let m = app.send("GET", "/metrics", &[], None).text;
    let prefix = format!("{name} ");
    m.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("{name} in {m}"))
        .trim()
        .parse()
        .unwrap()
}

fn argon2(app: &TestApp) -> u64 {
    counter(app, "hitchpost_argon2_verifies_total")
}

fn lookups(app: &TestApp) -> u64 {
    counter(app, "hitchpost_api_key_lookups_total")
}

fn stored_hash(app: &TestApp, key: &str) -> String {
    let id = api_key::parse(key).unwrap().key_id;
    app.sql_value("SELECT secret_hash FROM api_keys WHERE key_id = $1", &[&id])
}

/// The key's id with another 32-character secret.
fn wrong_secret(key: &str, i: usize) -> String {
    format!("hp_{}{:0>32}", api_key::parse(key).unwrap().key_id, i)
}

/// A key made through the users API: stored as an HMAC from the start.
fn holder_key(app: &TestApp, email: &str) -> String {
    let json = ("content-type", "application/json");
    let reg = app.send(
        "POST",
        "/api/auth/register",
        &[json],
        Some(json!({"email": email, "password": "Sup3rSecret"}).to_string().into_bytes()),
    );
    assert_eq!(reg.status, 201, "{}", reg.text);
    let auth = format!("Bearer {}", reg.body["token"].as_str().unwrap());
    let made =
        app.send("POST", "/api/users/api-keys", &[json, ("authorization", &auth)], Some(br#"{"name":"k"}"#.to_vec()));
    assert_eq!(made.status, 201, "{}", made.text);
    made.body["apiKey"]["key"].as_str().unwrap().to_string()
}

#[test]
fn wrong_secrets_for_a_known_key_id_run_no_argon2() {
    let app = spawn_app();
    let key = holder_key(&app, "owner@example.com");
    assert!(stored_hash(&app, &key).starts_with("hmac-sha256$"), "{}", stored_hash(&app, &key));
    let before = argon2(&app);
    for i in 0..40 {
        let res = app.list_profiles(&wrong_secret(&key, i), "");
        assert_eq!(res.status, 401, "{}", res.text);
    }
    assert_eq!(argon2(&app), before, "a wrong secret costs an HMAC, not argon2");
    assert_eq!(app.list_profiles(&key, "").status, 200);
}

#[test]
fn a_cli_key_is_checked_with_argon2_once_then_stored_as_an_hmac() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_on(&dir.path().join("h.db"));
    let db = app.db_path.to_str().unwrap().to_string();
    let (ok, out, err) = cli(&["key", "create", "--db", &db, "--workspace", "acme"]);
    assert!(ok, "{err}");
    let key = out.trim().to_string();
    assert!(stored_hash(&app, &key).starts_with("$argon2id$"), "the CLI holds no server secret");
    let before = argon2(&app);
    assert_eq!(app.list_profiles(&key, "").status, 200);
    assert_eq!(argon2(&app), before + 1);
    assert!(stored_hash(&app, &key).starts_with("hmac-sha256$"), "{}", stored_hash(&app, &key));
    // A restarted server (nothing remembered) checks it without argon2.
    drop(app);
    let again = spawn_app_on(std::path::Path::new(&db));
    assert_eq!(again.list_profiles(&key, "").status, 200);
    assert_eq!(argon2(&again), 0);
}

#[test]
fn an_hmac_stored_key_does_not_verify_under_another_server_secret() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_on(&dir.path().join("h.db"));
    let key = holder_key(&app, "owner@example.com");
    let db = app.db_path.clone();
    drop(app);
    let other = spawn_app_on_with(&db, |c| c.secret = Some("another secret".into()));
    assert_eq!(other.list_profiles(&key, "").status, 401, "a database copy without the secret verifies nothing");
}

#[test]
fn a_legacy_key_stops_running_argon2_after_five_wrong_secrets_a_minute() {
    let app = spawn_app();
    // Made as the CLI makes it (argon2) and never used, so still legacy.
    let key = app.key("acme");
    let before = argon2(&app);
    for i in 0..9 {
        assert_eq!(app.list_profiles(&wrong_secret(&key, i), "").status, 401);
    }
    assert_eq!(argon2(&app), before + 5, "the sixth and later wrong secrets are refused unhashed");
    // Other legacy keys keep their own budget.
    let other = app.key("other");
    assert_eq!(app.list_profiles(&other, "").status, 200);
}

#[test]
fn revoking_one_key_through_the_users_api_keeps_every_other_key_remembered() {
    let app = spawn_app();
    let (a, b) = (holder_key(&app, "a@example.com"), holder_key(&app, "b@example.com"));
    let doomed = holder_key(&app, "c@example.com");
    for k in [&a, &b, &doomed] {
        assert_eq!(app.list_profiles(k, "").status, 200);
    }
    // c deletes its own key.
    let json = ("content-type", "application/json");
    let login = app.send(
        "POST",
        "/api/auth/login",
        &[json],
        Some(json!({"email": "c@example.com", "password": "Sup3rSecret"}).to_string().into_bytes()),
    );
    let auth = format!("Bearer {}", login.body["token"].as_str().unwrap());
    let id = api_key::parse(&doomed).unwrap().key_id;
    let before = lookups(&app);
    let del = app.send("DELETE", &format!("/api/users/api-keys/{id}"), &[("authorization", &auth)], None);
    assert_eq!(del.status, 200, "{}", del.text);
    assert_eq!(app.list_profiles(&doomed, "").status, 401);
    for _ in 0..5 {
        assert_eq!(app.list_profiles(&a, "").status, 200);
        assert_eq!(app.list_profiles(&b, "").status, 200);
    }
    assert_eq!(lookups(&app), before + 1, "only the revoked key is looked up again");
}

#[test]
fn a_key_revoked_by_the_cli_is_refused_by_the_running_server_and_others_stay_remembered() {
    let app = spawn_app();
    let (a, b) = (holder_key(&app, "a@example.com"), holder_key(&app, "b@example.com"));
    assert_eq!(app.list_profiles(&a, "").status, 200);
    assert_eq!(app.list_profiles(&b, "").status, 200);
    let (ok, _, err) = app.cli(&["key", "revoke", &a]);
    assert!(ok, "{err}");
    eventually("the revocation to reach the server", || app.list_profiles(&a, "").status == 401);
    let before = lookups(&app);
    assert_eq!(app.list_profiles(&b, "").status, 200);
    assert_eq!(lookups(&app), before, "b was not forgotten");
}

#[test]
fn a_short_or_plain_server_secret_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let start = |secret: &str| {
        std::process::Command::new(crate::helpers::server_binary())
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("h.db"))
            .env("HITCHPOST_SECRET", secret)
            .output()
            .unwrap()
    };
    for weak in ["hunter2", "correct horse battery", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
        let out = start(weak);
        assert!(!out.status.success(), "{weak} was taken");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("HITCHPOST_SECRET must be at least 32 random characters"), "{err}");
    }
}

#[test]
fn a_revoked_legacy_key_costs_no_argon2() {
    let app = spawn_app();
    // Made as the CLI makes it (argon2), revoked before its first use.
    let key = app.key("acme");
    let (ok, _, err) = app.cli(&["key", "revoke", &key]);
    assert!(ok, "{err}");
    let before = argon2(&app);
    assert_eq!(app.list_profiles(&key, "").status, 401);
    assert_eq!(argon2(&app), before);
    assert!(stored_hash(&app, &key).starts_with("$argon2id$"), "a revoked key is not re-stored");
}
