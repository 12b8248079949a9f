//! The PostgreSQL schema (src/store/postgres/migrations) against SQLite's (schema.sql), on a
//! real PostgreSQL: the same tables, columns, nullability, named indexes and triggers, so a
//! store function finds the same shape on both; the rules SQLite expressed its own way
//! (COLLATE NOCASE, triggers) hold on PostgreSQL too; the migration runner applies each
//! version once, also when two instances start together; a unique violation reads as SQLite's.

use crate::pg::{connect, fresh_database, migrate, psql, psql_refused};
use hitchpost::store::{self, postgres::SCHEMA_VERSION};
use std::collections::{BTreeMap, BTreeSet};

/// (table, column) -> (type class, not null).
type Columns = BTreeMap<(String, String), (&'static str, bool)>;

/// SQLite's type names and PostgreSQL's, as one class each: the store binds an i64 or a bool
/// to INTEGER (BIGINT or BOOLEAN here), a string to TEXT, bytes to BLOB (BYTEA).
/// Tables only the PostgreSQL schema has.
const POSTGRES_ONLY: &[&str] = &["refresh_leases"];

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

    let (lite, mut pg) = (sqlite_columns(&sqlite), postgres_columns(&db.url));
    // What only several instances on one database need: the refresh leases (a SQLite file has
    // one process, whose in-process single flight is the lease).
    pg.retain(|(table, _), _| !POSTGRES_ONLY.contains(&table.as_str()));
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

#[test]
fn migrate_applies_each_version_once_and_reports_where_the_database_was() {
    let Some(db) = fresh_database() else { return };
    let mut client = connect(&db.url);
    assert_eq!(store::postgres::migrate(&mut client).expect("first"), 0, "an empty database was at 0");
    assert_eq!(store::postgres::migrate(&mut client).expect("second"), SCHEMA_VERSION, "then at the latest");
    let versions = psql(&db.url, "SELECT version FROM schema_migrations ORDER BY version");
    let expected: Vec<String> = (1..=SCHEMA_VERSION).map(|v| v.to_string()).collect();
    assert_eq!(versions.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn two_instances_migrating_one_database_at_once_apply_it_once() {
    let Some(db) = fresh_database() else { return };
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (url, barrier) = (db.url.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut client = connect(&url);
                barrier.wait();
                store::postgres::migrate(&mut client).expect("migrate")
            })
        })
        .collect();
    let mut was: Vec<i64> = runs.into_iter().map(|r| r.join().expect("thread")).collect();
    was.sort();
    assert_eq!(was, vec![0, SCHEMA_VERSION], "one applied the schema, the other found it done");
    assert_eq!(psql(&db.url, "SELECT count(*) FROM schema_migrations").trim(), SCHEMA_VERSION.to_string());
}

#[test]
fn a_database_at_version_1_is_brought_to_the_latest_and_keeps_its_rows() {
    let Some(db) = fresh_database() else { return };
    let v1 = include_str!("../../src/store/postgres/migrations/0001_initial.sql");
    let mut client = connect(&db.url);
    client.batch_execute(v1).expect("version 1");
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, '2026-12-01T00:00:00.000Z');
             INSERT INTO workspaces (name, created_at) VALUES ('kept', '2026-12-01T00:00:00.000Z');",
        )
        .expect("a version-1 database with a row");
    assert_eq!(store::postgres::migrate(&mut client).expect("upgrade"), 1, "it was at version 1");
    assert_eq!(psql(&db.url, "SELECT name FROM workspaces").trim(), "kept");
    assert_eq!(psql(&db.url, "SELECT to_regclass('refresh_leases') IS NOT NULL").trim(), "t");
    assert_eq!(psql(&db.url, "SELECT max(version) FROM schema_migrations").trim(), SCHEMA_VERSION.to_string());
}

#[test]
fn migrate_refuses_a_database_written_by_a_newer_hitchpost() {
    let Some(db) = fresh_database() else { return };
    migrate(&db.url);
    psql(&db.url, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, '2027-01-01T00:00:00.000Z')");
    let error = store::postgres::migrate(&mut connect(&db.url)).expect_err("refused").to_string();
    assert!(error.contains("schema version 999") && error.contains("upgrade hitchpost"), "{error}");
}

#[test]
fn a_unique_violation_on_postgres_names_the_column_as_on_sqlite() {
    let Some(db) = fresh_database() else { return };
    migrate(&db.url);
    let mut client = connect(&db.url);
    let mut holder = |id: &str, email: &str, username: &str| {
        client
            .execute(
                "INSERT INTO account_holders (id, email, username, password_hash, created_at, updated_at)
                 VALUES ($1, $2, $3, 'h', 't', 't')",
                &[&id, &email, &username],
            )
            .map_err(store::Error::from)
    };
    holder("h1", "ada@example.com", "ada").expect("first holder");
    let cases = [("h2", "ADA@example.com", "b", "email"), ("h3", "c@example.com", "Ada", "username")];
    for (id, email, username, column) in cases {
        match holder(id, email, username) {
            Err(store::Error::Unique(c)) => assert_eq!(c, column, "{email} {username}"),
            other => panic!("{email} {username}: {other:?}"),
        }
    }
    client.execute("INSERT INTO workspaces (name, created_at) VALUES ('w', 't')", &[]).expect("workspace");
    let again = client.execute("INSERT INTO workspaces (name, created_at) VALUES ('w', 't')", &[]);
    match again.map_err(store::Error::from) {
        Err(store::Error::Unique(c)) => assert_eq!(c, "name", "a UNIQUE column's own constraint"),
        other => panic!("{other:?}"),
    }
}
