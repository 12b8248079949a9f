//! `hitchpost migrate --from-sqlite PATH --database-url URL`, against a real PostgreSQL: a
//! database filled through the API (profiles, a linked account with sealed tokens, a connect
//! link, a webhook with its secret and deliveries, a revoked key, audit entries) arrives
//! whole, row for row; a second copy into the now full database is refused and changes
//! nothing; so is a SQLite file at another schema version.

use crate::helpers::{cli, create_key, spawn_app_on_with};
use crate::pg::{fresh_database, psql};
use serde_json::json;
use std::path::Path;

/// The rows of every table, as SQLite holds them.
fn sqlite_counts(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let n = conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).expect("count");
            (t, n)
        })
        .collect()
}

/// A SQLite database with rows in the tables the API writes most.
fn filled_database(db: &Path) {
    let app = spawn_app_on_with(db, |c| c.providers.sandbox = true);
    let key = create_key(db, "acme", None);
    let revoked = create_key(db, "acme", None);
    let mut profile_ids = Vec::new();
    for i in 0..25 {
        let body = json!({"name": format!("Ada {i}"), "externalId": format!("ext-{i}"), "metadata": {"tier": i}});
        let res = app.create_profile(&key, &body);
        assert_eq!(res.status, 201, "{}", res.text);
        profile_ids.push(res.body["id"].as_str().expect("id").to_string());
    }
    let res = app.link_account(&key, &profile_ids[0], &json!({"platform": "facebook", "sandbox": true}));
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.create_link(&key, &profile_ids[1], &json!({})).status, 201);
    let hook = json!({"url": "https://hooks.example.com/in", "events": ["profile.created"]}).to_string();
    let res = app.send(
        "POST",
        "/v1/webhooks",
        &[("x-api-key", &key), ("content-type", "application/json")],
        Some(hook.into_bytes()),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.create_profile(&key, &json!({"name": "after the hook"})).status, 201);
    let (ok, _, err) = cli(&["key", "revoke", "--db", &db.to_string_lossy(), &revoked]);
    assert!(ok, "{err}");
}

#[test]
fn migrate_copies_every_row_of_a_sqlite_database_into_postgres() {
    let Some(pg) = fresh_database() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("hitchpost.db");
    filled_database(&db);

    let (ok, out, err) = cli(&["migrate", "--from-sqlite", &db.to_string_lossy(), "--database-url", &pg.url]);
    assert!(ok, "migrate failed: {out}{err}");
    assert!(out.contains("each table verified"), "{out}");
    assert!(out.contains("HITCHPOST_SECRET"), "the operator is told about the secret: {out}");
    assert!(!out.contains(&pg.url) && !err.contains(&pg.url), "the URL is not echoed");

    for (table, n) in sqlite_counts(&db) {
        let copied: i64 = psql(&pg.url, &format!("SELECT count(*) FROM {table}")).trim().parse().expect("count");
        assert_eq!(copied, n, "{table}");
        assert!(out.contains(&format!("{table}\t{n}")), "{table} {n} in {out}");
    }
    // Spot checks, value for value: a profile, the sealed token, the revocation counter.
    let conn = rusqlite::Connection::open(&db).expect("open");
    let (name, metadata): (String, String) = conn
        .query_row("SELECT name, metadata FROM profiles WHERE external_id = 'ext-7'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("profile");
    assert_eq!(
        psql(&pg.url, "SELECT name || '|' || metadata FROM profiles WHERE external_id = 'ext-7'").trim(),
        format!("{name}|{metadata}")
    );
    let token: Vec<u8> = conn.query_row("SELECT access_token FROM social_accounts", [], |r| r.get(0)).expect("token");
    let hex: String = token.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(psql(&pg.url, "SELECT encode(access_token, 'hex') FROM social_accounts").trim(), hex);
    assert_eq!(psql(&pg.url, "SELECT sandbox FROM social_accounts").trim(), "t", "flags become booleans");
    let changes: i64 = conn.query_row("SELECT n FROM api_key_changes", [], |r| r.get(0)).expect("changes");
    assert!(changes >= 1, "the revocation counted");
    assert_eq!(psql(&pg.url, "SELECT n FROM api_key_changes").trim(), changes.to_string());
    // New rows continue after the copied ids.
    let max_seq: i64 = conn.query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0)).expect("seq");
    let next = psql(
        &pg.url,
        "INSERT INTO audit_log (workspace_id, at, actor, action) SELECT id, 't', 'test', 'x' FROM workspaces LIMIT 1 RETURNING seq",
    );
    assert_eq!(next.trim(), (max_seq + 1).to_string());
}

#[test]
fn migrate_into_a_database_that_is_not_empty_is_refused_and_changes_nothing() {
    let Some(pg) = fresh_database() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("hitchpost.db");
    filled_database(&db);
    let args = ["migrate", "--from-sqlite", &db.to_string_lossy(), "--database-url", &pg.url];
    assert!(cli(&args).0, "the first copy");
    let before = psql(&pg.url, "SELECT count(*) FROM profiles");
    let (ok, out, err) = cli(&args);
    assert!(!ok, "a second copy must fail: {out}");
    assert!(err.contains("not empty") && err.contains("nothing was copied"), "{err}");
    assert_eq!(psql(&pg.url, "SELECT count(*) FROM profiles"), before);
}

#[test]
fn migrate_refuses_a_sqlite_file_at_another_schema_version() {
    let Some(pg) = fresh_database() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&db).expect("create");
    conn.execute_batch(include_str!("../../schema.sql")).expect("schema");
    conn.execute_batch("PRAGMA user_version = 10").expect("version");
    drop(conn);
    let (ok, _, err) = cli(&["migrate", "--from-sqlite", &db.to_string_lossy(), "--database-url", &pg.url]);
    assert!(!ok);
    assert!(err.contains("schema version 10") && err.contains("start it once"), "{err}");
    let tables = psql(&pg.url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'");
    assert_eq!(tables.trim(), "0", "nothing was made on PostgreSQL");
}
