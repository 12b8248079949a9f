//! Databases written by earlier versions of hitchpost open, keep their data, and gain what is new.

use crate::helpers::spawn_app_on;
use serde_json::json;

fn old_database(dir: &std::path::Path, schema: &str, version: i64) -> std::path::PathBuf {
    let path = dir.join("old.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(schema).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA user_version = {version};
         INSERT INTO workspaces (id, name, profile_limit, created_at) VALUES (1, 'legacy', NULL, '2026-01-01T00:00:00.000Z');
         INSERT INTO profiles (id, workspace_id, profile_key, name, external_id, username, metadata, created_at, updated_at)
         VALUES ('3f2b8c1e-0000-4000-8000-00000000000a', 1, 'prof_legacyAAAAAAAAAAAAAAAAAA', 'Old Timer', 'old-1', 'old', '{{\"k\":1}}',
                 '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');"
    ))
    .unwrap();
    path
}

fn upgrades_from(schema: &str, version: i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = old_database(dir.path(), schema, version);
    let app = spawn_app_on(&db);
    let key = app.key("legacy");
    let p = app.get_profile(&key, "3f2b8c1e-0000-4000-8000-00000000000a");
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["name"], "Old Timer");
    assert_eq!(p.body["metadata"], json!({"k": 1}));
    // What later versions added works on the upgraded file.
    let link = app.create_link(&key, "3f2b8c1e-0000-4000-8000-00000000000a", &json!({}));
    assert_eq!(link.status, 201, "{}", link.text);
    let ay = app.send("GET", "/api/user", &[("authorization", &format!("Bearer {key}"))], None);
    assert_eq!(ay.status, 200, "{}", ay.text);
    assert_eq!(ay.body["title"], "Old Timer");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, hitchpost::db::SCHEMA_VERSION);
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn a_version_1_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v1.sql"), 1);
}

#[test]
fn a_version_2_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v2.sql"), 2);
}

#[test]
fn a_database_from_a_newer_hitchpost_is_refused_rather_than_guessed_at() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 999;").unwrap();
    let (ok, _, err) = crate::helpers::cli(&["key", "list", "--db", path.to_str().unwrap(), "--workspace", "x"]);
    assert!(!ok);
    assert!(err.contains("newer than this hitchpost"), "{err}");
}

#[test]
fn a_version_3_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v3.sql"), 3);
}

#[test]
fn a_version_4_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v4.sql"), 4);
}

#[test]
fn a_version_5_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v5.sql"), 5);
}

#[test]
fn a_version_6_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v6.sql"), 6);
}

#[test]
fn a_version_7_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v7.sql"), 7);
}

#[test]
fn a_version_9_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v9.sql"), 9);
}

#[test]
fn a_version_9_databases_dialect_webhooks_keep_their_names_and_get_native_event_types() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_database(dir.path(), include_str!("../fixtures/schema_v9.sql"), 9);
    let hook = |id: &str, kind: &str, events: &str| {
        format!(
            "INSERT INTO webhooks (id, workspace_id, kind, url, events, enabled, created_at, updated_at)
             VALUES ('{id}', 1, '{kind}', 'https://hooks.example.com/{id}', '{events}', 1,
                     '2026-01-01T00:00:0{}.000Z', '2026-01-01T00:00:00.000Z');",
            id.len() % 10
        )
    };
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            &[
                hook("wh_social", "ayrshare", "social"),
                hook("wh_feed", "ayrshare", "feed"),
                hook("wh_up_all", "uploadpost", "[]"),
                hook("wh_up_one", "uploadpost", r#"["social_account_connected","upload_completed"]"#),
                hook("wh_native", "native", r#"["profile.created"]"#),
            ]
            .concat(),
        )
        .unwrap();
    let app = spawn_app_on(&db);
    let key = app.key("legacy");
    let listed = app.send("GET", "/api/hook/webhook", &[("authorization", &format!("Bearer {key}"))], None);
    assert_eq!(listed.status, 200, "{}", listed.text);
    let mut actions: Vec<&str> =
        listed.body["webhooks"].as_array().unwrap().iter().map(|w| w["action"].as_str().unwrap()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["feed", "social"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let row = |id: &str| -> (String, Option<String>) {
        conn.query_row("SELECT events, label FROM webhooks WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let events = |id: &str| -> Vec<String> { serde_json::from_str(&row(id).0).unwrap() };
    assert_eq!(
        events("wh_social"),
        ["account.linked", "account.unlinked", "account.refreshed", "account.needs_reconnect"]
    );
    assert!(events("wh_feed").is_empty());
    assert_eq!(events("wh_up_all"), ["account.linked", "account.unlinked", "account.needs_reconnect"]);
    assert_eq!(events("wh_up_one"), ["account.linked"]);
    assert_eq!(row("wh_up_one").1.as_deref(), Some(r#"["social_account_connected","upload_completed"]"#));
    assert_eq!(row("wh_native"), (r#"["profile.created"]"#.to_string(), None));
}

#[test]
fn a_version_10_database_upgrades_and_keeps_its_profiles() {
    upgrades_from(include_str!("../fixtures/schema_v10.sql"), 10);
}

#[test]
fn a_version_10_databases_keys_get_the_default_scopes_and_its_accounts_time_ordered_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_database(dir.path(), include_str!("../fixtures/schema_v10.sql"), 10);
    let parts = hitchpost::auth::api_key::generate();
    let hash = hitchpost::auth::api_key::hash_secret_without_server(&parts.secret).unwrap();
    let account = |platform: &str, linked_at: &str| {
        format!(
            "INSERT INTO social_accounts (profile_seq, platform, platform_user_id, account_type, sandbox, linked_at, updated_at)
             VALUES (1, '{platform}', 'u-{platform}', 'personal', 1, '{linked_at}', '{linked_at}');"
        )
    };
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "INSERT INTO api_keys (key_id, workspace_id, secret_hash, created_at) VALUES ('{}', 1, '{hash}', '2026-01-01T00:00:00.000Z');
             {} {}",
            parts.key_id,
            account("x", "2026-03-01T00:00:00.000Z"),
            account("linkedin", "2026-02-01T00:00:00.000Z"),
        ))
        .unwrap();
    let app = spawn_app_on(&db);
    let key = parts.to_key();
    let profile = "3f2b8c1e-0000-4000-8000-00000000000a";
    let accounts = app.list_accounts(&key, profile);
    assert_eq!(accounts.status, 200, "the old key keeps its routes: {}", accounts.text);
    let creds = app.credentials(&key, profile, "x", "");
    assert_eq!(creds.status, 403, "but not credentials: {}", creds.text);
    assert_eq!(creds.body["scope"], "credentials");
    let id_of = |platform: &str| -> String {
        let list = accounts.body["data"].as_array().unwrap();
        list.iter().find(|a| a["platform"] == platform).unwrap()["id"].as_str().unwrap().to_string()
    };
    let (x, linkedin) = (id_of("x"), id_of("linkedin"));
    for id in [&x, &linkedin] {
        assert!(id.starts_with("acc_") && id.len() == 36 && id[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        let one = app.get_account(&key, profile, id);
        assert_eq!(one.status, 200, "{}", one.text);
        assert_eq!(&one.body["id"], id);
    }
    assert!(linkedin < x, "ids sort by linking time: {linkedin} {x}");
}
