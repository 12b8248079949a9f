//! `spawn_app()` (an in-process server on port 0 over a temp database), a binary launcher for
//! the tests that need a real process, and one client method per route.

use hitchpost::auth::api_key;
use hitchpost::config::Config;
use hitchpost::db::Db;
use hitchpost::domain::{self, workspaces::WorkspaceName};
use hitchpost::startup::Application;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `errors[0].field` of a problem document.
    pub fn problem_field(&self) -> &str {
        self.body["errors"][0]["field"].as_str().unwrap_or("<none>")
    }

    /// `name=value` of the cookie the response sets, ready for a `cookie` header.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }
}

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are part of what the tests check (the connect link's 303, OAuth).
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    })
}

/// `send`, but `None` when no answer came (the server is down), instead of failing the test.
pub fn try_send(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Option<Res> {
    let mut req = ureq::http::Request::builder().method(method).uri(format!("{base}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = match body {
        Some(b) => agent().run(req.body(b).ok()?),
        None => agent().run(req.body(()).ok()?),
    };
    let mut res = res.ok()?;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.body_mut().read_to_string().ok()?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Some(Res { status, headers, text, body })
}

/// Sends one request to `base` + `path`.
pub fn send(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Res {
    let mut req = ureq::http::Request::builder().method(method).uri(format!("{base}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = match body {
        Some(b) => agent().run(req.body(b).expect("request")),
        None => agent().run(req.body(()).expect("request")),
    };
    let mut res = res.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Res { status, headers, text, body }
}

/// A server running in this process.
pub struct TestApp {
    pub base: String,
    /// The SQLite file; on PostgreSQL (`postgres_test_run`) a path where nothing is.
    pub db_path: PathBuf,
    /// Where the data is: the file, or the test's own PostgreSQL database.
    pub store: TestStore,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

/// The database a test server runs on.
pub enum TestStore {
    File(PathBuf),
    /// Shared by the servers `spawn_app_beside` starts on it; dropped after the last.
    Postgres(std::sync::Arc<crate::pg::TestDb>),
}

/// True when `HITCHPOST_TEST_BACKEND=postgres`: `spawn_app` then runs each server on a fresh
/// PostgreSQL database. `.ci/run` runs the suite once per backend this way.
pub fn postgres_test_run() -> bool {
    std::env::var("HITCHPOST_TEST_BACKEND").is_ok_and(|v| v == "postgres")
}

/// Starts a server on port 0 with a database of its own: a file in a new temp dir, or a new
/// PostgreSQL database in a PostgreSQL run.
pub fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

/// `spawn_app` with changes to the configuration (providers, sandbox, ...).
pub fn spawn_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    if postgres_test_run() {
        return spawn_postgres_app_with(change).expect("HITCHPOST_TEST_BACKEND=postgres needs PostgreSQL");
    }
    spawn_sqlite_app_with(change)
}

/// `spawn_app_with` on a fresh PostgreSQL database whatever the run; None where PostgreSQL
/// is not installed (outside CI).
pub fn spawn_postgres_app_with(change: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let db = std::sync::Arc::new(crate::pg::fresh_database()?);
    Some(spawn_on_postgres(db, change))
}

/// A second server on `other`'s PostgreSQL database, as a second instance behind a load
/// balancer would be.
pub fn spawn_app_beside(other: &TestApp, change: impl FnOnce(&mut Config)) -> TestApp {
    let TestStore::Postgres(db) = &other.store else { panic!("a SQLite file is served by one process") };
    spawn_on_postgres(db.clone(), change)
}

fn spawn_on_postgres(db: std::sync::Arc<crate::pg::TestDb>, change: impl FnOnce(&mut Config)) -> TestApp {
    let url = db.url.clone();
    let mut app = spawn_sqlite_app_with(|c| {
        c.database_url = Some(url);
        change(c);
    });
    app.store = TestStore::Postgres(db);
    app
}

/// `spawn_app`, always on a SQLite file: for the tests of what only SQLite has (its file, its
/// locks), which a PostgreSQL run repeats on SQLite.
pub fn spawn_sqlite_app() -> TestApp {
    spawn_sqlite_app_with(|_| {})
}

pub fn spawn_sqlite_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("hitchpost.db");
    let mut app = spawn_app_on_with(&db_path, change);
    app._dir = Some(dir);
    app
}

/// Starts a server on port 0 over an existing (or new) database file.
pub fn spawn_app_on(db_path: &Path) -> TestApp {
    spawn_app_on_with(db_path, |_| {})
}

pub fn spawn_app_on_with(db_path: &Path, change: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        db_path: db_path.to_path_buf(),
        secret: Some(TEST_SECRET.into()),
        workers: Some(2),
        ..Config::default()
    };
    // Fake providers in tests listen on loopback.
    config.providers.allow_private_outbound = true;
    change(&mut config);
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(config).expect("server builds");
            tx.send((app.addr(), app.handle())).expect("send addr");
            app.run_until_stopped().await.expect("server runs");
        })
    });
    let (addr, handle) = rx.recv().expect("server started");
    TestApp {
        base: format!("http://{addr}"),
        db_path: db_path.to_path_buf(),
        store: TestStore::File(db_path.to_path_buf()),
        handle,
        thread: Some(thread),
        _dir: None,
    }
}

/// The server secret of every `spawn_app` server.
pub const TEST_SECRET: &str = "test secret";

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the server's own thread then winds down.
        drop(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A parameter of `TestApp::sql_execute`: a value both backends can bind.
pub trait SqlParam: rusqlite::ToSql + postgres::types::ToSql + Sync {}
impl<T: rusqlite::ToSql + postgres::types::ToSql + Sync> SqlParam for T {}

/// Something that names a database: a SQLite file's path, or a test server's store.
pub trait DbAt {
    fn open_db(&self) -> Db;
}

impl DbAt for Path {
    fn open_db(&self) -> Db {
        Db::open(self).expect("open db")
    }
}

impl DbAt for PathBuf {
    fn open_db(&self) -> Db {
        Db::open(self).expect("open db")
    }
}

impl DbAt for TestStore {
    fn open_db(&self) -> Db {
        match self {
            TestStore::File(path) => path.open_db(),
            TestStore::Postgres(db) => Db::connect(&db.url, &Default::default()).expect("connect to the test database"),
        }
    }
}

impl DbAt for TestApp {
    fn open_db(&self) -> Db {
        self.store.open_db()
    }
}

/// Creates an API key for `workspace` straight in the database, as `hitchpost key create` does.
pub fn create_key(at: &(impl DbAt + ?Sized), workspace: &str, profile_limit: Option<i64>) -> String {
    create_scoped_key(at, workspace, profile_limit, hitchpost::auth::Scopes::default_grant())
}

/// `create_key` with the given scopes (`hitchpost key create --scope`).
pub fn create_scoped_key(
    at: &(impl DbAt + ?Sized),
    workspace: &str,
    profile_limit: Option<i64>,
    scopes: hitchpost::auth::Scopes,
) -> String {
    let db = at.open_db();
    let parts = api_key::generate();
    let hash = api_key::hash_secret_without_server(&parts.secret).expect("hash");
    let name = WorkspaceName::parse(workspace).expect("workspace name");
    let key = parts.clone();
    db.write_blocking(hitchpost::db::Actor::system(), move |c| {
        let ws = domain::workspaces::ensure(c, &name, profile_limit)?;
        domain::api_keys::insert(c, ws, &key, hash, None, scopes)
    })
    .map_err(|e: domain::Error| e.to_string())
    .expect("insert key");
    parts.to_key()
}

const JSON: (&str, &str) = ("content-type", "application/json");

impl TestApp {
    /// A new workspace with one key.
    pub fn key(&self, workspace: &str) -> String {
        create_key(self, workspace, None)
    }

    pub fn key_with_limit(&self, workspace: &str, limit: i64) -> String {
        create_key(self, workspace, Some(limit))
    }

    /// The CLI's words for this server's database: `--db PATH` or `--database-url URL`.
    pub fn db_args(&self) -> [String; 2] {
        match &self.store {
            TestStore::File(path) => ["--db".into(), path.to_string_lossy().into_owned()],
            TestStore::Postgres(db) => ["--database-url".into(), db.url.clone()],
        }
    }

    /// Runs `sql` (one statement, `$1`-style parameters, in the dialect both backends share)
    /// straight on the database, as an operator or an attacker with the file would; returns
    /// the rows changed.
    pub fn sql_execute(&self, sql: &str, params: &[&dyn SqlParam]) -> u64 {
        match &self.store {
            TestStore::File(path) => {
                let conn = rusqlite::Connection::open(path).expect("open the file");
                let params: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| *p as _).collect();
                conn.execute(sql, params.as_slice()).expect("sql") as u64
            }
            TestStore::Postgres(db) => {
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| *p as _).collect();
                crate::pg::connect(&db.url).execute(sql, &params).expect("sql")
            }
        }
    }

    /// The one value of the one row `sql` selects (a count, a stored text, sealed bytes).
    pub fn sql_value<T>(&self, sql: &str, params: &[&dyn SqlParam]) -> T
    where
        T: rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a>,
    {
        match &self.store {
            TestStore::File(path) => {
                let conn = rusqlite::Connection::open(path).expect("open the file");
                let params: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| *p as _).collect();
                conn.query_row(sql, params.as_slice(), |r| r.get(0)).expect("sql")
            }
            TestStore::Postgres(db) => {
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| *p as _).collect();
                crate::pg::connect(&db.url).query_one(sql, &params).expect("sql").get(0)
            }
        }
    }

    /// Runs the `hitchpost` CLI with `words` and this server's database (`db_args`) after them.
    pub fn cli(&self, words: &[&str]) -> (bool, String, String) {
        self.cli_env(words, &[])
    }

    /// `cli` with these environment variables set.
    pub fn cli_env(&self, words: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
        let db = self.db_args();
        let mut all = words.to_vec();
        all.extend(db.iter().map(String::as_str));
        cli_env(&all, env)
    }

    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Res {
        send(&self.base, method, path, headers, body)
    }

    pub fn healthz(&self) -> Res {
        self.send("GET", "/healthz", &[], None)
    }

    pub fn openapi(&self) -> Res {
        self.send("GET", "/openapi.json", &[], None)
    }

    pub fn create_profile(&self, key: &str, body: &Value) -> Res {
        let auth = format!("Bearer {key}");
        self.send("POST", "/v1/profiles", &[("authorization", &auth), JSON], Some(body.to_string().into_bytes()))
    }

    /// Creates a profile and returns its body, failing the test on anything but 201.
    pub fn new_profile(&self, key: &str, name: &str) -> Value {
        let res = self.create_profile(key, &json!({ "name": name }));
        assert_eq!(res.status, 201, "{}", res.text);
        res.body
    }

    pub fn list_profiles(&self, key: &str, query: &str) -> Res {
        self.send("GET", &format!("/v1/profiles{query}"), &[("x-api-key", key)], None)
    }

    pub fn get_profile(&self, key: &str, id: &str) -> Res {
        self.send("GET", &format!("/v1/profiles/{id}"), &[("x-api-key", key)], None)
    }

    pub fn update_profile(&self, key: &str, id: &str, body: &Value) -> Res {
        self.send(
            "PATCH",
            &format!("/v1/profiles/{id}"),
            &[("x-api-key", key), JSON],
            Some(body.to_string().into_bytes()),
        )
    }

    pub fn delete_profile(&self, key: &str, id: &str) -> Res {
        self.send("DELETE", &format!("/v1/profiles/{id}"), &[("x-api-key", key)], None)
    }
}

impl TestApp {
    pub fn create_link(&self, key: &str, profile_id: &str, body: &Value) -> Res {
        let path = format!("/v1/profiles/{profile_id}/connect-links");
        self.send("POST", &path, &[("x-api-key", key), JSON], Some(body.to_string().into_bytes()))
    }

    /// Creates a link and returns its body, failing the test on anything but 201.
    pub fn new_link(&self, key: &str, profile_id: &str, body: &Value) -> Value {
        let res = self.create_link(key, profile_id, body);
        assert_eq!(res.status, 201, "{}", res.text);
        res.body
    }

    pub fn list_links(&self, key: &str, profile_id: &str) -> Res {
        self.send("GET", &format!("/v1/profiles/{profile_id}/connect-links"), &[("x-api-key", key)], None)
    }

    pub fn revoke_link(&self, key: &str, link_id: &str) -> Res {
        self.send("DELETE", &format!("/v1/connect-links/{link_id}"), &[("x-api-key", key)], None)
    }

    pub fn validate_link(&self, key: &str, token: &str) -> Res {
        let body = json!({ "token": token }).to_string().into_bytes();
        self.send("POST", "/v1/connect-links/validate", &[("x-api-key", key), JSON], Some(body))
    }

    pub fn list_accounts(&self, key: &str, profile_id: &str) -> Res {
        self.send("GET", &format!("/v1/profiles/{profile_id}/accounts"), &[("x-api-key", key)], None)
    }

    pub fn link_account(&self, key: &str, profile_id: &str, body: &Value) -> Res {
        let path = format!("/v1/profiles/{profile_id}/accounts");
        self.send("POST", &path, &[("x-api-key", key), JSON], Some(body.to_string().into_bytes()))
    }

    pub fn unlink_account(&self, key: &str, profile_id: &str, platform: &str) -> Res {
        self.send("DELETE", &format!("/v1/profiles/{profile_id}/accounts/{platform}"), &[("x-api-key", key)], None)
    }

    pub fn get_account(&self, key: &str, profile_id: &str, account: &str) -> Res {
        self.send("GET", &format!("/v1/profiles/{profile_id}/accounts/{account}"), &[("x-api-key", key)], None)
    }

    /// `GET .../credentials` with `query` (`""` or `?minValidity=N`).
    pub fn credentials(&self, key: &str, profile_id: &str, account: &str, query: &str) -> Res {
        let path = format!("/v1/profiles/{profile_id}/accounts/{account}/credentials{query}");
        self.send("GET", &path, &[("x-api-key", key)], None)
    }

    /// A call through the proxy: `path` is the platform's (with any query), `headers` the
    /// caller's beside its key.
    #[allow(clippy::too_many_arguments)]
    pub fn proxy(
        &self,
        key: &str,
        profile_id: &str,
        account: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Res {
        let auth = format!("Bearer {key}");
        let mut all = vec![("authorization", auth.as_str())];
        all.extend_from_slice(headers);
        self.send(method, &format!("/v1/profiles/{profile_id}/accounts/{account}/proxy/{path}"), &all, body)
    }

    pub fn refresh_account(&self, key: &str, profile_id: &str, platform: &str) -> Res {
        let path = format!("/v1/profiles/{profile_id}/accounts/{platform}/refresh");
        self.send("POST", &path, &[("x-api-key", key)], None)
    }

    /// Opens a connect link (its full URL) as a person would: the page it shows, then its
    /// button (a form POST of the token), without following the redirect. A refused link is
    /// the GET's answer.
    pub fn open_link(&self, url: &str) -> Res {
        let page = self.fetch_link(url);
        if page.status != 200 {
            return page;
        }
        let path = url.strip_prefix(&self.base).unwrap_or(url);
        assert!(page.text.contains(r#"<form method="post" action="/connect?token="#), "{}", page.text);
        self.send("POST", path, &[("content-type", "application/x-www-form-urlencoded")], Some(Vec::new()))
    }

    /// Fetches a connect link as a mail scanner would: a GET and nothing more.
    pub fn fetch_link(&self, url: &str) -> Res {
        let path = url.strip_prefix(&self.base).unwrap_or(url);
        self.send("GET", path, &[], None)
    }

    /// Opens a link and returns the session cookie, failing the test if the link is refused.
    pub fn open_session(&self, url: &str) -> String {
        let res = self.open_link(url);
        assert_eq!(res.status, 303, "{}", res.text);
        assert_eq!(res.location(), "/connect/app");
        res.cookie("hp_connect").expect("a session cookie")
    }

    pub fn page_session(&self, cookie: &str) -> Res {
        self.send("GET", "/connect/api/session", &[("cookie", cookie)], None)
    }

    pub fn page_link(&self, cookie: &str, platform: &str, body: &Value) -> Res {
        let path = format!("/connect/api/accounts/{platform}");
        let headers = [("cookie", cookie), ("x-hitchpost-connect", "1"), JSON];
        self.send("POST", &path, &headers, Some(body.to_string().into_bytes()))
    }

    pub fn page_unlink(&self, cookie: &str, platform: &str) -> Res {
        let path = format!("/connect/api/accounts/{platform}");
        self.send("DELETE", &path, &[("cookie", cookie), ("x-hitchpost-connect", "1")], None)
    }

    pub fn page_done(&self, cookie: &str) -> Res {
        self.send("POST", "/connect/api/done", &[("cookie", cookie), ("x-hitchpost-connect", "1")], None)
    }

    /// `POST /connect/api/done` with the page's report of a failed last attempt.
    pub fn page_done_with(&self, cookie: &str, body: &Value) -> Res {
        let headers = [("cookie", cookie), ("x-hitchpost-connect", "1"), JSON];
        self.send("POST", "/connect/api/done", &headers, Some(body.to_string().into_bytes()))
    }

    /// `GET /connect/api/session` from a browser that prefers `accept_language`.
    pub fn page_session_in(&self, cookie: &str, accept_language: &str) -> Res {
        self.send("GET", "/connect/api/session", &[("cookie", cookie), ("accept-language", accept_language)], None)
    }

    /// Fetches a connect link's button page from a browser that prefers `accept_language`.
    pub fn fetch_link_in(&self, url: &str, accept_language: &str) -> Res {
        let path = url.strip_prefix(&self.base).unwrap_or(url);
        self.send("GET", path, &[("accept-language", accept_language)], None)
    }

    /// `POST /v1/profiles/{id}/accounts/{platform}/authorize`: headless linking.
    pub fn authorize(&self, key: &str, profile_id: &str, platform: &str, body: &Value) -> Res {
        let path = format!("/v1/profiles/{profile_id}/accounts/{platform}/authorize");
        self.send("POST", &path, &[("x-api-key", key), JSON], Some(body.to_string().into_bytes()))
    }

    pub fn page_start_oauth(&self, cookie: &str, platform: &str) -> Res {
        self.send("GET", &format!("/connect/start/{platform}"), &[("cookie", cookie)], None)
    }

    /// GETs an absolute URL on this server (a callback), with the session cookie.
    pub fn get_url(&self, url: &str, cookie: Option<&str>) -> Res {
        let path = url.strip_prefix(&self.base).unwrap_or(url);
        match cookie {
            Some(c) => self.send("GET", path, &[("cookie", c)], None),
            None => self.send("GET", path, &[], None),
        }
    }
}

/// The `hitchpost` binary, run as a child process.
pub struct BinServer {
    pub child: Child,
    pub base: String,
    pub dev_key: Option<String>,
}

/// Runs `hitchpost serve` with `args` and waits until it listens.
pub fn spawn_binary(db_path: &Path, args: &[&str]) -> BinServer {
    spawn_binary_with(db_path, args, &[], None)
}

/// `spawn_binary` with environment variables, and the log (stderr) written to `log`.
pub fn spawn_binary_with(db_path: &Path, args: &[&str], env: &[(&str, &str)], log: Option<&Path>) -> BinServer {
    let stderr = match log {
        Some(p) => Stdio::from(std::fs::File::create(p).expect("log file")),
        None => Stdio::inherit(),
    };
    let mut words: Vec<std::ffi::OsString> = vec!["serve".into(), "--bind".into(), "127.0.0.1:0".into(), "--db".into()];
    words.push(db_path.into());
    words.extend(args.iter().map(Into::into));
    let rust_log = if log.is_some() { "trace" } else { "warn" };
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.push(("RUST_LOG", rust_log));
    spawn_command(&words, &env, stderr, args.contains(&"--dev"))
}

/// Runs the `hitchpost` binary with exactly `words` (a command line that serves) and waits
/// until it listens; `dev`: read the dev key line too.
pub fn spawn_command(words: &[std::ffi::OsString], env: &[(&str, &str)], stderr: Stdio, dev: bool) -> BinServer {
    let mut cmd = Command::new(server_binary());
    cmd.args(words)
        .env_remove("HITCHPOST_SECRET")
        .env_remove("HITCHPOST_BIND")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn hitchpost");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let dev_key = if dev {
        let line = lines.next().expect("dev key line").expect("utf-8");
        line.split_whitespace().find(|w| w.starts_with("hp_")).map(str::to_string)
    } else {
        None
    };
    BinServer { child, base: format!("http://{addr}"), dev_key }
}

impl BinServer {
    pub fn kill9(mut self) {
        let _ = self.child.kill(); // SIGKILL on unix
        let _ = self.child.wait();
    }
}

impl Drop for BinServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `hitchpost` binary the process tests run: `HITCHPOST_TEST_BINARY` when set (CI runs the
/// crash test against the release build this way), else the one cargo built for the tests.
pub fn server_binary() -> std::path::PathBuf {
    std::env::var_os("HITCHPOST_TEST_BINARY").map_or_else(|| env!("CARGO_BIN_EXE_hitchpost").into(), Into::into)
}

/// Runs the `hitchpost` CLI and returns (exit ok, stdout, stderr).
pub fn cli(args: &[&str]) -> (bool, String, String) {
    cli_env(args, &[])
}

/// `cli` with these environment variables set.
pub fn cli_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(server_binary())
        .args(args)
        .env_remove("HITCHPOST_DB")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("run hitchpost");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
