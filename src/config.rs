//! What a server is started with.

use crate::providers::ProvidersConfig;
use std::path::PathBuf;
use std::time::Duration;

/// The address `hitchpost` binds when told nothing.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The database file `hitchpost` uses when told nothing.
pub const DEFAULT_DB: &str = "hitchpost.db";

/// A server's configuration. Its `Debug` shows no secret (the server secret, the metrics
/// token, OAuth client secrets).
#[derive(Clone)]
pub struct Config {
    /// `host:port` to listen on; port 0 picks a free port.
    pub bind: String,
    /// The SQLite file.
    pub db_path: PathBuf,
    /// `HITCHPOST_DATABASE_URL`: a PostgreSQL database instead of the SQLite file, for several
    /// instances (which then need one `HITCHPOST_SECRET`).
    pub database_url: Option<String>,
    /// CA certificates (PEM) for TLS to PostgreSQL (`store::postgres::tls`).
    pub database_ca_file: Option<PathBuf>,
    /// PostgreSQL connections this instance keeps (`HITCHPOST_DATABASE_POOL`).
    pub database_pool: u32,
    /// Development mode: a `dev` workspace with a stable key, loopback only.
    pub dev: bool,
    /// `HITCHPOST_SECRET`; when `None` the secret is kept in a file beside the database.
    pub secret: Option<String>,
    /// HTTP worker threads; `None`: one per core.
    pub workers: Option<usize>,
    /// The URL people and providers reach this server at (connect links, OAuth redirect
    /// URIs); `None`: `http://` + the bound address.
    pub public_url: Option<String>,
    /// OAuth credentials, Bluesky PDS, sandbox and outbound policy.
    pub providers: ProvidersConfig,
    /// How often the refresher looks for tokens about to lapse.
    pub refresh_interval: Duration,
    /// How long before a token lapses it is refreshed.
    pub refresh_window: Duration,
    /// Whether anyone may register an account (`HITCHPOST_SIGNUP=open|closed`).
    pub signup_open: bool,
    /// How long a new account's trial lasts.
    pub trial_days: i64,
    /// How much document content an account holder may store.
    pub storage_limit_bytes: i64,
    /// `HITCHPOST_MIN_FREE_DISK_MB`: below this much free disk, large document writes are refused.
    pub min_free_disk_bytes: u64,
    /// Sign-in attempts per IP and per account.
    pub auth_rate: crate::ratelimit::AttemptRate,
    /// Whether to take the client's address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// `HITCHPOST_TRUSTED_PROXIES`: the proxies' addresses or blocks (default: loopback).
    pub trusted_proxies: Vec<crate::forwarded::Block>,
    /// How long audit log entries are kept.
    pub audit_retention_days: i64,
    /// `HITCHPOST_METRICS_TOKEN`: lets non-loopback scrapers read `/metrics`.
    pub metrics_token: Option<String>,
    /// `HITCHPOST_CORS_ORIGINS`: origins whose browser scripts may call the API (empty: CORS off).
    pub cors_origins: Vec<String>,
    /// API requests per API key, and per client address.
    pub api_key_rate: crate::ratelimit::AttemptRate,
    pub api_ip_rate: crate::ratelimit::AttemptRate,
    /// Webhook delivery: retries, timeout, when to switch a subscription off.
    pub webhooks: WebhookConfig,
    /// What request bodies being read may hold: `HITCHPOST_BODY_DEADLINE_SECS`,
    /// `HITCHPOST_BODY_BUDGET_MB`, `HITCHPOST_BODIES_PER_ADDRESS`, `HITCHPOST_BODIES_IN_FLIGHT`.
    pub bodies: crate::ratelimit::BodyLimits,
    /// `HITCHPOST_MAX_CONNECTIONS`: open connections the server keeps, all workers together.
    pub max_connections: usize,
    /// `HITCHPOST_PROXY_CONCURRENCY`, `HITCHPOST_PROXY_TIMEOUT_SECS`: limits on proxied calls.
    pub proxy: ProxyConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: DEFAULT_BIND.into(),
            db_path: DEFAULT_DB.into(),
            database_url: None,
            database_ca_file: None,
            database_pool: crate::db::POSTGRES_CONNECTIONS,
            dev: false,
            secret: None,
            workers: None,
            public_url: None,
            providers: ProvidersConfig::default(),
            refresh_interval: Duration::from_secs(60),
            refresh_window: Duration::from_secs(15 * 60),
            signup_open: true,
            trial_days: 14,
            storage_limit_bytes: 1024 * 1024 * 1024,
            min_free_disk_bytes: 256 * 1024 * 1024,
            auth_rate: crate::ratelimit::AttemptRate::default(),
            trust_proxy: false,
            trusted_proxies: loopback_proxies(),
            webhooks: WebhookConfig::default(),
            audit_retention_days: 90,
            metrics_token: None,
            cors_origins: Vec::new(),
            api_key_rate: per_second(100),
            api_ip_rate: per_second(200),
            bodies: crate::ratelimit::BodyLimits::default(),
            max_connections: 4096,
            proxy: ProxyConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("db_path", &self.db_path)
            .field("database_url", &redacted(&self.database_url))
            .field("database_ca_file", &self.database_ca_file)
            .field("dev", &self.dev)
            .field("secret", &redacted(&self.secret))
            .field("workers", &self.workers)
            .field("public_url", &self.public_url)
            .field("providers", &self.providers)
            .field("signup_open", &self.signup_open)
            .field("trust_proxy", &self.trust_proxy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &redacted(&self.metrics_token))
            .field("cors_origins", &self.cors_origins)
            .field("webhooks", &self.webhooks)
            .finish_non_exhaustive()
    }
}

/// Reads `HITCHPOST_*` variables. A value that is set but not one this server takes stops it
/// at start, naming the variable: silently using the default instead hid typos
/// (`HITCHPOST_RATE_PER_IP=20O`).
struct Env<F: Fn(&str) -> Option<String>>(F);

impl<F: Fn(&str) -> Option<String>> Env<F> {
    fn text(&self, k: &str) -> Option<String> {
        (self.0)(k).filter(|v| !v.is_empty())
    }

    fn flag(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.text(k).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(format!("{k} must be true or false, not {v:?}")),
        }
    }

    fn num<T: std::str::FromStr>(&self, k: &str, default: T) -> Result<T, String> {
        match self.text(k) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| format!("{k} must be a whole number, not {v:?}")),
        }
    }

    fn secs(&self, k: &str, default: u64) -> Result<Duration, String> {
        self.num(k, default).map(Duration::from_secs)
    }

    fn megabytes<T: std::str::FromStr + Into<u64>>(&self, k: &str, default: T) -> Result<u64, String> {
        Ok(self.num(k, default)?.into().saturating_mul(1024 * 1024))
    }
}

impl Config {
    /// The configuration `hitchpost serve` gets from its flags and the environment; an error
    /// names a variable whose value is not one it takes.
    pub fn from_env(bind: String, db_path: PathBuf, dev: bool) -> Result<Self, String> {
        let env = Env(|k: &str| std::env::var(k).ok());
        let mut providers = ProvidersConfig::from_env(|k| env.text(k))?;
        // Dev mode is a local mock: fake accounts at once, and a PDS or webhook on this machine.
        providers.sandbox = env.flag("HITCHPOST_SANDBOX", dev)?;
        providers.allow_private_outbound = env.flag("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", dev)?;
        let secret = env.text("HITCHPOST_SECRET");
        if let Some(s) = &secret {
            crate::auth::ServerSecret::check_passphrase(s)?;
        }
        let mut c = Config { bind, db_path, dev, secret, providers, ..Config::default() };
        c.workers = env.text("HITCHPOST_WORKERS").map(|_| env.num("HITCHPOST_WORKERS", 0usize)).transpose()?;
        c.public_url = env.text("HITCHPOST_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        c.refresh_interval = env.secs("HITCHPOST_REFRESH_INTERVAL_SECS", 60)?;
        c.refresh_window = env.secs("HITCHPOST_REFRESH_WINDOW_SECS", 15 * 60)?;
        c.read_holders(&env)?;
        c.read_network(&env)?;
        c.read_limits(&env)?;
        Ok(c)
    }

    /// Account holders: sign-up, trials, storage, audit retention.
    fn read_holders(&mut self, env: &Env<impl Fn(&str) -> Option<String>>) -> Result<(), String> {
        self.signup_open = match env.text("HITCHPOST_SIGNUP").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("open") => true,
            Some("closed") => false,
            Some(v) => return Err(format!("HITCHPOST_SIGNUP must be open or closed, not {v:?}")),
        };
        self.trial_days = env.num("HITCHPOST_TRIAL_DAYS", 14)?;
        self.storage_limit_bytes = env.num("HITCHPOST_STORAGE_LIMIT_MB", 1024i64)?.saturating_mul(1024 * 1024);
        self.min_free_disk_bytes = env.megabytes("HITCHPOST_MIN_FREE_DISK_MB", 256u64)?;
        self.audit_retention_days = env.num("HITCHPOST_AUDIT_RETENTION_DAYS", 90)?;
        Ok(())
    }

    /// Who the server trusts and answers: proxies, metrics scrapers, browser origins.
    fn read_network(&mut self, env: &Env<impl Fn(&str) -> Option<String>>) -> Result<(), String> {
        self.trust_proxy = env.flag("HITCHPOST_TRUST_PROXY", false)?;
        if let Some(v) = env.text("HITCHPOST_TRUSTED_PROXIES") {
            self.trusted_proxies = crate::forwarded::parse_blocks(&v)
                .map_err(|bad| format!("HITCHPOST_TRUSTED_PROXIES: {bad:?} is not an address or block (10.0.0.0/8)"))?;
        }
        self.metrics_token = env.text("HITCHPOST_METRICS_TOKEN");
        self.cors_origins = env.text("HITCHPOST_CORS_ORIGINS").map(|v| parse_origins(&v)).unwrap_or_default();
        Ok(())
    }

    /// Rates, bodies, connections and webhook delivery.
    fn read_limits(&mut self, env: &Env<impl Fn(&str) -> Option<String>>) -> Result<(), String> {
        self.api_key_rate = per_second(env.num("HITCHPOST_RATE_PER_KEY", 100)?);
        self.api_ip_rate = per_second(env.num("HITCHPOST_RATE_PER_IP", 200)?);
        self.webhooks.disable_after = env.num("HITCHPOST_WEBHOOK_DISABLE_AFTER", 10)?;
        self.database_pool = env.num("HITCHPOST_DATABASE_POOL", crate::db::POSTGRES_CONNECTIONS)?;
        if !(1..=1000).contains(&self.database_pool) {
            return Err("HITCHPOST_DATABASE_POOL must be between 1 and 1000".into());
        }
        self.webhooks.timeout = env.secs("HITCHPOST_WEBHOOK_TIMEOUT_SECS", 10)?;
        if self.webhooks.timeout.is_zero() {
            return Err("HITCHPOST_WEBHOOK_TIMEOUT_SECS must be at least 1".into());
        }
        self.webhooks.expiring_within = env.secs("HITCHPOST_EXPIRING_NOTICE_SECS", 7 * 24 * 3600)?;
        self.bodies = crate::ratelimit::BodyLimits {
            deadline: env.secs("HITCHPOST_BODY_DEADLINE_SECS", 10)?,
            budget_bytes: env.megabytes("HITCHPOST_BODY_BUDGET_MB", 32u64)? as usize,
            per_address: env.num("HITCHPOST_BODIES_PER_ADDRESS", 16)?,
            in_flight: env.num("HITCHPOST_BODIES_IN_FLIGHT", 64)?,
        };
        self.max_connections = env.num("HITCHPOST_MAX_CONNECTIONS", 4096)?;
        self.proxy = ProxyConfig {
            per_account: env.num("HITCHPOST_PROXY_CONCURRENCY", 8)?,
            timeout: env.secs("HITCHPOST_PROXY_TIMEOUT_SECS", 300)?,
        };
        Ok(())
    }
}

/// A proxy on the same machine, the usual set-up.
fn loopback_proxies() -> Vec<crate::forwarded::Block> {
    crate::forwarded::parse_blocks("127.0.0.0/8,::1/128").unwrap_or_default()
}

/// `n` requests a second sustained, bursts of ten seconds' worth; 0 means no limit.
pub fn per_second(n: u32) -> crate::ratelimit::AttemptRate {
    if n == 0 {
        return crate::ratelimit::AttemptRate { burst: u32::MAX / 2, per: Duration::from_nanos(1) };
    }
    crate::ratelimit::AttemptRate { burst: n.saturating_mul(10), per: Duration::from_secs(1) / n }
}

/// The operator's limits on proxied calls.
#[derive(Debug, Clone, Copy)]
pub struct ProxyConfig {
    /// Calls in flight per account at once; more are refused with 429.
    pub per_account: usize,
    /// How long a call may take until the platform's answer begins (an upload included).
    pub timeout: Duration,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig { per_account: 8, timeout: Duration::from_secs(300) }
    }
}

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Waits before each retry; the last entry ends the schedule.
    pub retry_schedule: Vec<Duration>,
    pub timeout: Duration,
    /// Failed events in a row that switch a subscription off.
    pub disable_after: i64,
    /// How long a rotated-out secret keeps signing.
    pub rotation_overlap: Duration,
    pub poll: Duration,
    /// How far ahead `account.expiring` is sent.
    pub expiring_within: Duration,
}

impl Default for WebhookConfig {
    /// About a day of retries (Standard Webhooks' schedule), 10 s per attempt.
    fn default() -> Self {
        let m = |n: u64| Duration::from_secs(n * 60);
        WebhookConfig {
            retry_schedule: vec![Duration::from_secs(5), m(5), m(30), m(120), m(300), m(600), m(600)],
            timeout: Duration::from_secs(10),
            disable_after: 10,
            rotation_overlap: Duration::from_secs(24 * 3600),
            poll: Duration::from_millis(200),
            expiring_within: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Parses a comma list of origins (`HITCHPOST_CORS_ORIGINS`), without trailing slashes.
pub fn parse_origins(list: &str) -> Vec<String> {
    list.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect()
}
