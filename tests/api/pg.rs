//! PostgreSQL for the tests: the throwaway cluster of tests/pg/cluster (or the one named by
//! `HITCHPOST_TEST_POSTGRES_URL`), and a fresh database per test, dropped after it.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The cluster's URL (to its `postgres` database), started once per test process; None where
/// PostgreSQL is not installed (under CI that fails instead).
pub fn cluster_url() -> Option<&'static str> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("HITCHPOST_TEST_POSTGRES_URL") {
            return Some(url);
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pg/cluster");
        let out = Command::new(&script).output().expect("run tests/pg/cluster");
        if out.status.code() == Some(3) {
            assert!(std::env::var_os("CI").is_none(), "CI is set but PostgreSQL is missing");
            eprintln!("skipping: PostgreSQL is not installed");
            return None;
        }
        assert!(out.status.success(), "tests/pg/cluster failed:\n{}", String::from_utf8_lossy(&out.stderr));
        Some(String::from_utf8(out.stdout).expect("utf-8").trim().to_string())
    })
    .as_deref()
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    name: String,
    admin: &'static str,
}

/// A new, empty database on the cluster.
pub fn fresh_database() -> Option<TestDb> {
    let admin = cluster_url()?;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    psql(admin, &format!("CREATE DATABASE {name}"));
    let url = format!("{}/{name}", admin.rsplit_once('/').expect("a URL with a database").0);
    Some(TestDb { url, name, admin })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = try_psql(self.admin, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn try_psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        .output()
        .expect("run psql");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Runs `sql` and returns its rows, one a line, columns split by `|`.
pub fn psql(url: &str, sql: &str) -> String {
    try_psql(url, sql).unwrap_or_else(|e| panic!("psql {sql:?}: {e}"))
}

/// `sql`, which must be refused; returns PostgreSQL's error.
pub fn psql_refused(url: &str, sql: &str) -> String {
    match try_psql(url, sql) {
        Ok(rows) => panic!("{sql:?} was accepted: {rows}"),
        Err(e) => e,
    }
}

/// A client of `url`'s database.
pub fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

/// Brings the database to the schema with hitchpost's own migration runner.
pub fn migrate(url: &str) {
    hitchpost::store::postgres::migrate(&mut connect(url)).expect("migrate");
}
