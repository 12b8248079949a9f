//! Builds the server from a configuration: opens the database, makes the `App`, starts the
//! jobs, binds, and mounts every route (`api::configure_all`).

use crate::api;
use crate::app::App;
use crate::auth::{ServerSecret, api_key};
use crate::config::Config;
use crate::db::Db;
use crate::domain::{self, workspaces::WorkspaceName};
use actix_web::{App as HttpApp, HttpServer, dev::Server, middleware::Logger, web};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

/// Blocking threads per HTTP worker (see `db::READ_CONNECTIONS`).
const BLOCKING_THREADS_PER_WORKER: usize = 6;

/// A bound, not yet running server.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    dev_key: Option<String>,
    jobs: crate::jobs::Jobs,
    /// Held while the server runs, so `restore` refuses to replace the file under it.
    _serving: Option<crate::store::maintenance::ServeLock>,
}

fn io_error(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::other(msg.into())
}

/// The configured database: PostgreSQL when a URL is given, else the SQLite file, held
/// against `restore` while the server runs.
fn open_db(config: &Config) -> std::io::Result<(Db, Option<crate::store::maintenance::ServeLock>)> {
    if let Some(url) = &config.database_url {
        // The URL holds the password: the error names the database by its parts, never the URL.
        let options = crate::db::PostgresOptions {
            ca_file: config.database_ca_file.clone(),
            connections: Some(config.database_pool),
        };
        let db =
            Db::connect(url, &options).map_err(|e| io_error(format!("cannot open the PostgreSQL database: {e}")))?;
        return Ok((db, None));
    }
    let serving = crate::store::maintenance::ServeLock::shared(&config.db_path).map_err(io_error)?;
    let db =
        Db::open(&config.db_path).map_err(|e| io_error(format!("cannot open {}: {e}", config.db_path.display())))?;
    Ok((db, Some(serving)))
}

impl Application {
    /// Opens the database and binds the listener; fails before binding if either is wrong.
    pub fn build(config: Config) -> std::io::Result<Application> {
        let addrs: Vec<SocketAddr> = config.bind.to_socket_addrs()?.collect();
        if config.dev && !addrs.iter().all(|a| a.ip().is_loopback()) {
            return Err(io_error(format!(
                "--dev serves a well-known key, so it binds only loopback addresses, not {}",
                config.bind
            )));
        }
        if config.database_url.is_some() && config.secret.is_none() {
            return Err(io_error(
                "a PostgreSQL database needs HITCHPOST_SECRET: every instance must seal and sign with the same secret",
            ));
        }
        let (db, serving) = open_db(&config)?;
        let secret = match &config.secret {
            Some(s) => ServerSecret::from_passphrase(s),
            None => ServerSecret::load_or_create(&config.db_path)?,
        };
        let dev_key = if config.dev { Some(ensure_dev_key(&db, &secret)?) } else { None };
        let listener = TcpListener::bind(&addrs[..])?;
        let addr = listener.local_addr()?;
        let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
        let state = App::new(&config, db, secret, public_url);
        let jobs = crate::jobs::Jobs::start(&state, &config, api::webhook_formats());
        let server = http_server(state, listener, &config)?;
        Ok(Application { addr, server, dev_key, jobs, _serving: serving })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The dev key, in `--dev` mode.
    pub fn dev_key(&self) -> Option<&str> {
        self.dev_key.as_deref()
    }

    /// Serves until the server is stopped, then lets webhook deliveries under way finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.jobs.stop().await;
        served
    }

    /// Serves until SIGTERM or SIGINT. The first stops accepting, lets in-flight requests finish
    /// (each acknowledged write is already committed, so nothing is left to flush) and then the
    /// webhook deliveries under way, whose outcomes the writer records; a
    /// second exits at once, for an operator who will not wait out a slow client. Exiting
    /// mid-transaction is safe: SQLite rolls an uncommitted transaction back at the next open.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let handle = self.server.handle();
        actix_web::rt::spawn(async move {
            let first = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            log::info!("{first}: finishing in-flight requests; a second signal exits at once");
            drop(handle.stop(true));
            let code = tokio::select! {
                _ = term.recv() => 128 + libc_signal::TERM,
                _ = int.recv() => 128 + libc_signal::INT,
            };
            log::warn!("second signal: exiting now");
            std::process::exit(code);
        });
        self.run_until_stopped().await
    }
}

/// The HTTP server over `state`: every route, the middleware every answer passes, and the
/// workers sized to the read pool.
fn http_server(state: App, listener: TcpListener, config: &Config) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        HttpApp::new()
            .app_data(data.clone())
            .wrap(actix_web::middleware::from_fn(api::body::close_unread))
            .wrap(actix_web::middleware::from_fn(api::actor::actor))
            .wrap(actix_web::middleware::from_fn(api::cors::cors))
            .wrap(actix_web::middleware::from_fn(api::metrics::count))
            // Every answer, API or page: no MIME sniffing, no referrer leaving the server.
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("x-content-type-options", "nosniff"))
                    .add(("referrer-policy", "no-referrer")),
            )
            // Path only: a query string may carry a token, and tokens never reach a log. A
            // proxied call writes its own line (with the platform and the account), so it
            // gets one line, not two.
            .wrap(
                Logger::new(r#"%a "%{method}xi %U" %s %b %Dms"#)
                    .custom_request_replace("method", |r| r.method().to_string())
                    .exclude_regex(api::PROXY_PATHS),
            )
            .configure(api::configure_all)
    })
    // Database reads run on the blocking pool. Its threads per worker, times the workers,
    // plus the workers themselves (point reads run there) stay within the 16 pooled read
    // connections, so a worker never waits for a connection; more threads would only wait,
    // each with its own stack and allocator state.
    .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
    // Signals are handled by `run_until_signalled`, which also honours a second one.
    .disable_signals()
    .listen(listener)?;
    // Keep workers x (blocking threads + 1) within the read pool.
    let max_workers = crate::db::READ_CONNECTIONS as usize / (BLOCKING_THREADS_PER_WORKER + 1);
    let workers = config.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let workers = workers.clamp(1, max_workers.max(1));
    // A cap on open connections (each holds buffers; the file-descriptor limit was the
    // only one before): past it, new connections wait in the kernel's backlog.
    Ok(server.workers(workers).max_connections((config.max_connections / workers).max(1)).run())
}

/// Signal numbers for the exit status `128 + n` that shells expect of a process a signal ended.
mod libc_signal {
    pub const INT: i32 = 2;
    pub const TERM: i32 = 15;
}

/// Makes sure the `dev` workspace and its derived key exist, and returns the key.
fn ensure_dev_key(db: &Db, secret: &ServerSecret) -> std::io::Result<String> {
    let parts = api_key::dev_key(secret);
    let fail = |e: domain::Error| io_error(format!("cannot create the dev key: {e}"));
    let id = parts.key_id.clone();
    if db.read_blocking(|c| domain::api_keys::exists(c, &id)).map_err(fail)? {
        return Ok(parts.to_key());
    }
    let hash = api_key::hash_secret(secret, &parts);
    let name = WorkspaceName::parse("dev").map_err(fail)?;
    let key = parts.clone();
    db.write_blocking(crate::db::Actor::system(), move |c| {
        let ws = domain::workspaces::ensure(c, &name, None)?;
        domain::api_keys::ensure(c, ws, &key, hash)
    })
    .map_err(fail)?;
    Ok(parts.to_key())
}
