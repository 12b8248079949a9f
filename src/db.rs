//! The database: SQLite's pool of read connections and its one writer, or a pool of
//! PostgreSQL connections.
//!
//! SQLite admits one writer at a time. Rather than let pooled connections fight over the lock
//! (measured: p99 ~1 s under load), every write is sent to a single writer thread, which takes
//! every write waiting at that moment into one transaction (group commit), gives each its own
//! SAVEPOINT so one failure rolls back alone, and answers each caller only after COMMIT. With
//! `synchronous=FULL` in WAL mode, a commit is on disk before it is acknowledged: an answered
//! write survives `kill -9` and power loss alike, for one fsync per group rather than per write.
//!
//! PostgreSQL takes concurrent writers itself: each write is its own transaction on a pooled
//! connection, at READ COMMITTED. The writes that count before they insert (caps) or rewrite a
//! row they read (PATCHes) lock that row first (`store::workspaces::lock_workspace` and its
//! kin, no-ops on SQLite, whose one writer makes them unnecessary), and work that another
//! instance must not also do is claimed in the database when `Db::shared`. The synchronous
//! postgres client runs a small runtime of its own, which must not be started on an async
//! worker: every PostgreSQL call runs on the blocking pool (or, for the CLI and start-up, off
//! the runtime's threads).

use crate::metrics::Metrics;
use crate::store::{self, Conn};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Who a change is done by, for the audit log: `key:<id>`, `holder:<id>`, `link:<jti>`, `cli`
/// or `system`, with the client's address when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub who: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The server itself (background jobs, start-up).
    pub fn system() -> Self {
        Actor { who: "system".into(), ip: None }
    }
}

tokio::task_local! {
    /// The actor of the request being served (the API's middleware sets it for the request).
    pub static REQUEST_ACTOR: Actor;
}

/// A write's transaction as the write closure sees it: the connection (it derefs to one) and
/// who the write is by.
pub struct Tx<'a> {
    pub conn: &'a Conn,
    pub actor: &'a Actor,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        self.conn
    }
}

/// The schema, applied at start.
const SCHEMA: &str = include_str!("../schema.sql");
/// The schema version this binary writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 11;
/// Changes to existing tables: (the version it brings a database to, the version that made
/// the table, the statement). A step runs on a database at a version at least the latter and
/// below the former: a table made later comes from schema.sql already in its new shape.
const MIGRATIONS: &[(i64, i64, &str)] = &[
    (3, 1, "ALTER TABLE workspaces ADD COLUMN monthly_api_quota INTEGER;"),
    (4, 1, "ALTER TABLE workspaces ADD COLUMN subscription_id TEXT;"),
    (4, 1, "ALTER TABLE workspaces ADD COLUMN next_billing_at TEXT;"),
    (4, 1, "ALTER TABLE api_keys ADD COLUMN holder_id TEXT;"),
    (4, 1, "ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;"),
    (5, 3, "ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;"),
    (5, 3, "ALTER TABLE webhooks ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;"),
    (5, 2, "ALTER TABLE social_accounts ADD COLUMN expiring_notified_for TEXT;"),
    (8, 2, "ALTER TABLE social_accounts ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;"),
    (8, 2, "ALTER TABLE social_accounts ADD COLUMN refresh_expires_at TEXT;"),
    // LinkedIn and YouTube took the email, Facebook the name, as a handle: they have none.
    (8, 2, "UPDATE social_accounts SET username = NULL WHERE platform IN ('linkedin', 'youtube', 'facebook');"),
    // Dialect subscriptions kept their dialect's words in `events`; they move to `label`, and
    // `events` gets the native types each stood for (Ayrshare's `social` action: link, unlink,
    // refresh; Upload-Post's names one for one, none meaning its three).
    (10, 3, "ALTER TABLE webhooks ADD COLUMN label TEXT;"),
    (
        10,
        3,
        "UPDATE webhooks SET label = events, events = CASE events
             WHEN 'social' THEN '[\"account.linked\",\"account.unlinked\",\"account.refreshed\",\"account.needs_reconnect\"]'
             ELSE '[]' END
         WHERE kind = 'ayrshare';
         UPDATE webhooks SET label = events, events = CASE WHEN json_array_length(events) = 0
             THEN '[\"account.linked\",\"account.unlinked\",\"account.needs_reconnect\"]'
             ELSE (SELECT json_group_array(CASE value
                       WHEN 'social_account_connected' THEN 'account.linked'
                       WHEN 'social_account_disconnected' THEN 'account.unlinked'
                       ELSE 'account.needs_reconnect' END)
                   FROM json_each(webhooks.events)
                   WHERE value IN ('social_account_connected', 'social_account_disconnected',
                                   'social_account_reauth_required'))
             END
         WHERE kind = 'uploadpost';",
    ),
    (11, 1, "ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'profiles,connect,accounts,proxy,webhooks,audit';"),
    // Accounts linked before version 11 get a public id ordered by when they were linked: the
    // UUIDv7 layout (48 bits of Unix milliseconds, version 7, random) built from linked_at.
    (11, 2, "ALTER TABLE social_accounts ADD COLUMN public_id TEXT;"),
    (11, 2, "ALTER TABLE social_accounts ADD COLUMN granted_scopes TEXT;"),
    (
        11,
        2,
        "UPDATE social_accounts SET public_id = 'acc_'
             || printf('%012x', CAST(round((julianday(linked_at) - 2440587.5) * 86400000) AS INTEGER))
             || '7' || lower(substr(hex(randomblob(10)), 1, 19));",
    ),
];
/// Pooled read connections (each keeps its own page cache, up to 2 MB).
pub const READ_CONNECTIONS: u32 = 16;
/// The most writes that share one transaction.
const MAX_BATCH: usize = 256;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// How long a connection waits for a lock held by another process (the CLI, a backup).
const BUSY_TIMEOUT_MS: u32 = 5000;

/// PostgreSQL connections kept per instance, unless `PostgresOptions` says otherwise.
pub const POSTGRES_CONNECTIONS: u32 = 16;

/// How to reach a PostgreSQL database, beyond its URL.
#[derive(Debug, Clone, Default)]
pub struct PostgresOptions {
    /// CA certificates (PEM) for TLS (`store::postgres::tls`); None: the Mozilla roots.
    pub ca_file: Option<std::path::PathBuf>,
    /// The pool's size; None: `POSTGRES_CONNECTIONS`.
    pub connections: Option<u32>,
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    engine: Engine,
    /// This server's counters (the writer's, and everyone else's through `metrics()`).
    metrics: Arc<Metrics>,
}

#[derive(Clone)]
enum Engine {
    Sqlite { pool: r2d2::Pool<Manager>, writer: mpsc::Sender<Box<dyn Job>>, path: Arc<std::path::PathBuf> },
    Postgres { pool: r2d2::Pool<PgManager> },
}

/// Hands out PostgreSQL connections as the store's `Conn`. (r2d2_postgres's manager does the
/// same for the crate's bare client; this one is the few lines it takes to wrap ours.)
struct PgManager(::postgres::Config, store::postgres::tls::Tls);

impl r2d2::ManageConnection for PgManager {
    type Connection = Conn;
    type Error = ::postgres::Error;

    fn connect(&self) -> Result<Conn, ::postgres::Error> {
        self.1.connect(&self.0).map(Conn::postgres)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), ::postgres::Error> {
        conn.as_postgres_mut().get_mut().simple_query("").map(drop)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.as_postgres().is_closed()
    }
}

/// r2d2_sqlite's manager, handing out the store's `Conn`.
struct Manager(SqliteConnectionManager);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Conn, rusqlite::Error> {
        self.0.connect().map(Conn::sqlite)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), rusqlite::Error> {
        self.0.is_valid(conn.as_sqlite_mut())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        self.0.has_broken(conn.as_sqlite_mut())
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))?;
    // Every connection serves every kind of request; rusqlite's default of 16 cached statements
    // is fewer than the server uses, so statements were evicted and parsed again.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
}

fn open_connection(path: &Path) -> store::Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

/// Brings the file to the current schema. Refuses a database written by a newer hitchpost
/// rather than guess at a schema it does not know.
fn migrate(conn: &Connection) -> store::Result<()> {
    conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(store::Error::Writer(format!(
            "the database is at schema version {version}, newer than this hitchpost ({SCHEMA_VERSION}); upgrade hitchpost"
        )));
    }
    if version < SCHEMA_VERSION {
        // A new file gets schema.sql whole. An older one first gets the steps that change
        // existing tables (schema.sql's CREATE ... IF NOT EXISTS skips a table that exists),
        // then schema.sql, whose every statement is idempotent, adds what is new.
        let steps: String = if version == 0 {
            String::new()
        } else {
            MIGRATIONS
                .iter()
                .filter(|(to, made, _)| version >= *made && version < *to)
                .map(|(_, _, sql)| *sql)
                .collect::<Vec<_>>()
                .join("\n")
        };
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {steps} {SCHEMA}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
        ))?;
    }
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database at `path`, applies the schema and starts the writer.
    pub fn open(path: &Path) -> store::Result<Db> {
        store::create_private(path)?;
        let writer_conn = open_connection(path)?;
        migrate(&writer_conn)?;
        let manager = Manager(SqliteConnectionManager::file(path).with_init(|c| configure(c)));
        // No test on checkout: a SQLite connection is a file handle, not a socket that breaks;
        // the test was an `execute_batch("")` on every read.
        let pool = r2d2::Pool::builder()
            .max_size(READ_CONNECTIONS)
            .min_idle(Some(2))
            .test_on_check_out(false)
            .build(manager)?;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let metrics = Arc::new(Metrics::default());
        let writer_metrics = metrics.clone();
        std::thread::Builder::new()
            .name("hitchpost-writer".into())
            .spawn(move || writer_loop(Conn::sqlite(writer_conn), rx, writer_metrics))
            .map_err(|e| store::Error::Writer(format!("cannot start the writer thread: {e}")))?;
        Ok(Db { engine: Engine::Sqlite { pool, writer: tx, path: Arc::new(path.to_path_buf()) }, metrics })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host/db`; with
    /// `sslmode=require`, over verified TLS: see `store::postgres::tls`), brings it to the
    /// current schema and keeps a pool of connections to it.
    pub fn connect(url: &str, options: &PostgresOptions) -> store::Result<Db> {
        let config: ::postgres::Config = url.parse()?;
        let tls = store::postgres::tls::Tls::for_config(&config, options.ca_file.as_deref())?;
        off_runtime(|| -> store::Result<()> {
            let mut client = tls.connect(&config)?;
            store::postgres::migrate(&mut client)?;
            Ok(())
        })?;
        // No test on checkout (a round trip per read): a connection the server closed is seen
        // as broken when it is given back, and only the one statement on it fails.
        let pool = r2d2::Pool::builder()
            .max_size(options.connections.unwrap_or(POSTGRES_CONNECTIONS).max(1))
            .min_idle(Some(2))
            .test_on_check_out(false)
            .build(PgManager(config, tls))?;
        Ok(Db { engine: Engine::Postgres { pool }, metrics: Arc::new(Metrics::default()) })
    }

    /// Whether other hitchpost instances may be using this database at the same time
    /// (PostgreSQL), so that work one instance starts must first be claimed in the database;
    /// a SQLite file is served by one process only (the serve lock).
    pub fn shared(&self) -> bool {
        matches!(self.engine, Engine::Postgres { .. })
    }

    /// Free bytes on the file system that holds the database (for unprivileged writers:
    /// what SQLite can actually use), or `None` where that cannot be told.
    pub fn free_disk_bytes(&self) -> Option<u64> {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            use std::os::unix::ffi::OsStrExt;
            // PostgreSQL's disk is the database server's, out of sight here.
            let Engine::Sqlite { path, .. } = &self.engine else { return None };
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
            let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
            // SAFETY: `c` is a NUL-terminated path and `st` is written by statvfs before we read it.
            if unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) } != 0 {
                return None;
            }
            let st = unsafe { st.assume_init() };
            Some(st.f_bavail.saturating_mul(st.f_frsize))
        }
        #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
        {
            let _ = &self.engine;
            None
        }
    }

    /// The counters of the server this database serves.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Runs `f` on a pooled read connection, off the async executor.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<store::Error> + Send + 'static,
    {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || engine.read(f))
            .await
            .map_err(|e| E::from(store::Error::Writer(format!("read task failed: {e}"))))?
    }

    /// Runs a point read (one indexed row). On SQLite it runs on the calling worker, tens of
    /// microseconds: the hop to the blocking pool costs more than the read; WAL readers never
    /// wait for the writer, and the pool has more connections than there are workers, so this
    /// does not block. On PostgreSQL it is a round trip, made from the blocking pool as `read`.
    /// Anything that may scan belongs in `read`.
    pub async fn read_now<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<store::Error> + Send + 'static,
    {
        match &self.engine {
            Engine::Sqlite { .. } => self.engine.read(f),
            Engine::Postgres { .. } => self.read(f).await,
        }
    }

    /// Runs `f` on a pooled read connection on the calling thread (for the CLI, start-up and
    /// the server's own threads).
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&Conn) -> Result<T, E> + Send,
        T: Send,
        E: From<store::Error> + Send,
    {
        match &self.engine {
            Engine::Sqlite { .. } => self.engine.read(f),
            Engine::Postgres { .. } => off_runtime(|| self.engine.read(f)),
        }
    }

    /// Runs `f` inside the writer's transaction and resolves once it is committed. An `Err`
    /// from `f` rolls back `f`'s own changes only. The write is by the request's actor
    /// (`REQUEST_ACTOR`), else by the system.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<store::Error> + Send + 'static,
    {
        let actor = REQUEST_ACTOR.try_with(Clone::clone).unwrap_or_else(|_| Actor::system());
        self.write_as(actor, f).await
    }

    /// `write`, by `actor`.
    pub async fn write_as<T, E, F>(&self, actor: Actor, f: F) -> Result<T, E>
    where
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<store::Error> + Send + 'static,
    {
        if let Engine::Postgres { pool } = &self.engine {
            let (pool, metrics) = (pool.clone(), self.metrics.clone());
            return tokio::task::spawn_blocking(move || postgres_write(&pool, &metrics, &actor, f))
                .await
                .unwrap_or_else(|_| Err(dropped()));
        }
        let (tx, rx) = oneshot::channel();
        self.submit(actor, f, Box::new(move |r| drop(tx.send(r))))?;
        rx.await.unwrap_or_else(|_| Err(dropped()))
    }

    /// `write_as` for callers outside the async runtime (the CLI, start-up).
    pub fn write_blocking<T, E, F>(&self, actor: Actor, f: F) -> Result<T, E>
    where
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<store::Error> + Send + 'static,
    {
        if let Engine::Postgres { pool } = &self.engine {
            return off_runtime(|| postgres_write(pool, &self.metrics, &actor, f));
        }
        // A std channel, not a oneshot: this may run on a thread that drives a runtime.
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit(actor, f, Box::new(move |r| drop(tx.send(r))))?;
        rx.recv().unwrap_or_else(|_| Err(dropped()))
    }

    fn submit<T, E, F>(&self, actor: Actor, f: F, reply: Reply<T, E>) -> Result<(), E>
    where
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<store::Error> + Send + 'static,
    {
        let Engine::Sqlite { writer, .. } = &self.engine else {
            return Err(E::from(store::Error::Writer("PostgreSQL writes do not queue".into())));
        };
        let job = Box::new(WriteJob { f: Some(f), result: None, reply, actor, queued: std::time::Instant::now() });
        writer.send(job).map_err(|_| E::from(store::Error::Writer("the writer has stopped".into())))
    }
}

impl Engine {
    /// `f` on a pooled connection, on this thread.
    fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&Conn) -> Result<T, E>,
        E: From<store::Error>,
    {
        match self {
            Engine::Sqlite { pool, .. } => f(&*pool.get().map_err(store::Error::from)?),
            Engine::Postgres { pool } => {
                // A pooled connection the database closed (a restart, a failover: then all
                // of them) fails its first statement; it is dropped and the read, which
                // changed nothing, runs again on the next, rather than failing the request.
                let mut tries = 0;
                loop {
                    let conn = pool.get().map_err(store::Error::from)?;
                    let result = f(&conn);
                    tries += 1;
                    if result.is_ok() || !conn.as_postgres().is_closed() || tries > pool.max_size() {
                        return result;
                    }
                }
            }
        }
    }
}

/// Runs `f` where the synchronous postgres client may run: here when this thread is not one
/// of an async runtime's, else on a thread of its own (the CLI and start-up, rarely).
fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// One write as one PostgreSQL transaction: committed when `f` succeeds, rolled back when it
/// fails or panics.
fn postgres_write<T, E, F>(pool: &r2d2::Pool<PgManager>, metrics: &Metrics, actor: &Actor, f: F) -> Result<T, E>
where
    F: FnOnce(&Tx) -> Result<T, E>,
    E: From<store::Error>,
{
    let queued = std::time::Instant::now();
    // BEGIN is a pooled connection's first word: if the database closed it meanwhile (a
    // restart, a failover: then all of them), nothing has run, and the next takes the write.
    let mut tries = 0;
    let conn = loop {
        let conn = pool.get().map_err(store::Error::from)?;
        tries += 1;
        match conn.as_postgres().begin() {
            Ok(()) => break conn,
            Err(e) if !conn.as_postgres().is_closed() || tries > pool.max_size() => return Err(E::from(e)),
            Err(_) => {}
        }
    };
    metrics.batch(1, queued.elapsed().as_micros() as u64);
    let client = conn.as_postgres();
    let tx = Tx { conn: &conn, actor };
    let result = catch_unwind(AssertUnwindSafe(|| f(&tx)))
        .unwrap_or_else(|_| Err(E::from(store::Error::Writer("a write panicked".into()))));
    match result {
        Ok(v) => {
            let commit = client.commit();
            // As the SQLite writer's flag: set while commits fail, cleared by the next that works.
            metrics.writes_failing.store(commit.is_err(), std::sync::atomic::Ordering::Relaxed);
            commit.map(|()| v).map_err(E::from)
        }
        Err(e) => {
            if let Err(r) = client.rollback() {
                log::warn!("rollback failed: {r}");
            }
            Err(e)
        }
    }
}

fn dropped<E: From<store::Error>>() -> E {
    E::from(store::Error::Writer("the writer dropped a write".into()))
}

type Reply<T, E> = Box<dyn FnOnce(Result<T, E>) + Send>;

/// One caller's write, as the writer thread sees it.
trait Job: Send {
    /// Runs the write; false when it failed (and must be rolled back).
    fn run(&mut self, conn: &Conn) -> bool;
    /// How long the write has waited for its transaction.
    fn waited_micros(&self) -> u64;
    /// Answers the caller once the transaction's fate is known.
    fn finish(self: Box<Self>, commit: Result<(), &str>);
}

struct WriteJob<T, E, F> {
    f: Option<F>,
    result: Option<Result<T, E>>,
    reply: Reply<T, E>,
    actor: Actor,
    queued: std::time::Instant,
}

impl<T, E, F> Job for WriteJob<T, E, F>
where
    F: FnOnce(&Tx) -> Result<T, E> + Send,
    T: Send,
    E: From<store::Error> + Send,
{
    fn run(&mut self, conn: &Conn) -> bool {
        let Some(f) = self.f.take() else { return false };
        let tx = Tx { conn, actor: &self.actor };
        // A panicking write must not take the writer (and every later write) down with it.
        let result = catch_unwind(AssertUnwindSafe(|| f(&tx)))
            .unwrap_or_else(|_| Err(E::from(store::Error::Writer("a write panicked".into()))));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn waited_micros(&self) -> u64 {
        self.queued.elapsed().as_micros() as u64
    }

    fn finish(self: Box<Self>, commit: Result<(), &str>) {
        let answer = match (self.result, commit) {
            // A write that failed by itself reports its own error, committed or not.
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(why)) => Err(E::from(store::Error::Writer(why.to_string()))),
            (None, Ok(())) => Err(E::from(store::Error::Writer("the write did not run".into()))),
        };
        (self.reply)(answer);
    }
}

fn writer_loop(conn: Conn, rx: mpsc::Receiver<Box<dyn Job>>, metrics: Arc<Metrics>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let waited: u64 = batch.iter().map(|j| j.waited_micros()).sum();
        metrics.batch(batch.len() as u64, waited);
        let outcome = commit_batch(&conn, &mut batch);
        metrics.writes_failing.store(outcome.is_err(), std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = &outcome {
            log::error!("writer: a batch of {} writes failed to commit: {e}", batch.len());
            let _ = conn.as_sqlite().execute_batch("ROLLBACK");
        }
        let commit = outcome.as_ref().map(|_| ()).map_err(|_| "the write could not be committed");
        for job in batch {
            job.finish(commit);
        }
    }
}

fn commit_batch(conn: &Conn, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    // Cached statements: `execute_batch` parses its text anew each time, and these run two
    // per write (measured: the parser was a tenth of a small write's cost on the writer).
    let run = |sql: &str| conn.as_sqlite().prepare_cached(sql)?.execute([]).map(drop);
    run("BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        run("SAVEPOINT w")?;
        if !job.run(conn) {
            run("ROLLBACK TO w")?;
        }
        run("RELEASE w")?;
    }
    run("COMMIT")
}
