//! The PostgreSQL schema (src/store/postgres/migrations) against SQLite's (schema.sql), on a
//! real PostgreSQL: the same tables, columns, nullability, named indexes and triggers, so a
//! store function finds the same shape on both; and the rules SQLite expressed its own way
//! (COLLATE NOCASE, triggers) hold on PostgreSQL too.

use crate::pg::{fresh_database, migrate, psql, psql_refused};
use std::collections::{BTreeMap, BTreeSet};

/// (table, column) -> (type class, not null).
type Columns = BTreeMap<(String, String), (&'static str, bool)>;

/// SQLite's type names and PostgreSQL's, as one class each: the store binds an i64 or a bool
/// to INTEGER (BIGINT or BOOLEAN here), a string to TEXT, bytes to BLOB (BYTEA).
fn class(type_name: &str) -> &'static str {
    match type_name.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "boolean" => "integer",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        other => panic!("a column type the store does not use: {other}"),
    }
}

fn sqlite_schema() -> (rusqlite::Connection, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = rusqlite::Connection::open(dir.path().join("schema.db")).expect("open");
    conn.execute_batch(include_str!("../../schema.sql")).expect("schema.sql applies");
    (conn, dir)
}

fn sqlite_columns(conn: &rusqlite::Connection) -> Columns {
    let mut st = conn
        .prepare(
            "SELECT m.name, c.name, c.type, c.\"notnull\" OR c.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .expect("prepare");
    st.query_map([], |r| {
        Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), (class(&r.get::<_, String>(2)?), r.get(3)?)))
    })
    .expect("query")
    .map(|r| r.expect("row"))
    .collect()
}

fn postgres_columns(url: &str) -> Columns {
    psql(
        url,
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
    )
    .lines()
    .map(|l| {
        let f: Vec<&str> = l.split('|').collect();
        ((f[0].to_string(), f[1].to_string()), (class(f[2]), f[3] == "NO"))
    })
    .collect()
}

fn sqlite_names(conn: &rusqlite::Connection, kind: &str) -> BTreeSet<String> {
    // Indexes SQLite made itself (UNIQUE constraints) have no SQL; PostgreSQL names those its
    // own way, and the column comparison covers them.
    let mut st = conn.prepare("SELECT name FROM sqlite_master WHERE type = ?1 AND sql IS NOT NULL").expect("prepare");
    st.query_map([kind], |r| r.get(0)).expect("query").map(|r| r.expect("row")).collect()
}

#[test]
fn the_postgres_schema_has_every_table_column_index_and_trigger_of_sqlites() {
    let Some(db) = fresh_database() else { return };
    migrate(&db.url);
    let (sqlite, _dir) = sqlite_schema();

    let (lite, pg) = (sqlite_columns(&sqlite), postgres_columns(&db.url));
    let only_sqlite: Vec<_> = lite.iter().filter(|(k, v)| pg.get(*k) != Some(*v)).collect();
    let only_pg: Vec<_> = pg.iter().filter(|(k, v)| lite.get(*k) != Some(*v)).collect();
    assert!(only_sqlite.is_empty() && only_pg.is_empty(), "SQLite has {only_sqlite:#?}\nPostgreSQL has {only_pg:#?}");
    assert!(lite.len() > 150, "the comparison saw the whole schema ({} columns)", lite.len());

    let pg_indexes: BTreeSet<String> = psql(&db.url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        .lines()
        .map(str::to_owned)
        .collect();
    let missing: Vec<_> = sqlite_names(&sqlite, "index").into_iter().filter(|i| !pg_indexes.contains(i)).collect();
    assert!(missing.is_empty(), "indexes of schema.sql missing on PostgreSQL: {missing:?}");

    let pg_triggers: BTreeSet<String> = psql(&db.url, "SELECT DISTINCT trigger_name FROM information_schema.triggers")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(sqlite_names(&sqlite, "trigger"), pg_triggers, "the same triggers");
}

#[test]
fn postgres_refuses_a_second_holder_whose_email_differs_only_in_case() {
    let Some(db) = fresh_database() else { return };
    migrate(&db.url);
    let insert = |id: &str, email: &str, username: &str| {
        format!(
            "INSERT INTO account_holders (id, email, username, password_hash, created_at, updated_at)
             VALUES ('{id}', '{email}', '{username}', 'h', '2026-12-03T00:00:00.000Z', '2026-12-03T00:00:00.000Z')"
        )
    };
    psql(&db.url, &insert("h1", "Ada@Example.com", "ada"));
    let error = psql_refused(&db.url, &insert("h2", "ada@example.COM", "other"));
    assert!(error.contains("account_holders_email"), "{error}");
    let error = psql_refused(&db.url, &insert("h3", "grace@example.com", "ADA"));
    assert!(error.contains("account_holders_username"), "{error}");
}

#[test]
fn postgres_counts_each_revoked_or_deleted_key_in_api_key_changes() {
    let Some(db) = fresh_database() else { return };
    migrate(&db.url);
    psql(
        &db.url,
        "INSERT INTO workspaces (name, created_at) VALUES ('w', '2026-12-03T00:00:00.000Z');
         INSERT INTO api_keys (key_id, workspace_id, secret_hash, created_at)
         SELECT k, id, 'h', '2026-12-03T00:00:00.000Z' FROM workspaces, (VALUES ('k1'), ('k2')) AS v(k)",
    );
    let changes = || psql(&db.url, "SELECT n FROM api_key_changes").trim().to_string();
    assert_eq!(changes(), "0");
    psql(&db.url, "UPDATE api_keys SET revoked_at = '2026-12-03T00:00:01.000Z' WHERE key_id = 'k1'");
    assert_eq!(changes(), "1", "a revocation moves the counter every instance polls");
    psql(&db.url, "DELETE FROM api_keys WHERE key_id = 'k2'");
    assert_eq!(changes(), "2", "so does a deletion");
}
