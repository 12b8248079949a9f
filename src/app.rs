//! The application's shared parts, below the API, the services and the background jobs, so
//! that each of them can reach the database, the keys and the limiters without naming the wire.

use crate::auth::{Authenticator, ServerSecret, jwt::Jwt, seal::Sealer};
use crate::config::Config;
use crate::db::Db;
use crate::providers::Providers;
use std::sync::Arc;

/// What every handler, service and background job can reach: the composition root, built
/// once at start by `startup` and shared by reference.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub auth: Arc<Authenticator>,
    pub jwt: Jwt,
    pub sealer: Sealer,
    pub providers: Providers,
    /// Where people and providers reach this server, without a trailing slash.
    pub public_url: String,
    pub usage: Arc<crate::usage::Usage>,
    pub settings: Settings,
    pub limiter: Arc<crate::ratelimit::AuthLimiter>,
    pub webhooks: Arc<crate::config::WebhookConfig>,
    pub api_limiter: Arc<crate::ratelimit::ApiLimiter>,
    /// Origins whose browser scripts may call the API (empty: none).
    pub cors_origins: Arc<[String]>,
    /// The account refreshes under way (one per account at a time).
    pub refreshes: Arc<crate::flights::Flights<i64, crate::domain::Result<crate::domain::accounts::RefreshOutcome>>>,
    /// What request bodies being read may hold (deadline, shared budget, per address).
    pub bodies: Arc<crate::ratelimit::BodyGate>,
    /// Proxied calls in flight, per account.
    pub proxy_slots: Arc<crate::ratelimit::Slots>,
}

/// What the operator decided: account holders' terms, proxies, retention, metrics access.
#[derive(Debug, Clone)]
pub struct Settings {
    pub signup_open: bool,
    pub trial_days: i64,
    pub storage_limit_bytes: i64,
    pub min_free_disk_bytes: u64,
    pub trust_proxy: bool,
    /// The reverse proxies whose `X-Forwarded-For` counts (with `trust_proxy`).
    pub trusted_proxies: Arc<[crate::forwarded::Block]>,
    /// How long audit entries are kept.
    pub audit_retention_days: i64,
    /// A token that opens `/metrics` to non-loopback scrapers.
    pub metrics_token: Option<String>,
    /// Limits on proxied calls.
    pub proxy: crate::config::ProxyConfig,
}

impl App {
    /// Builds every shared part from the configuration, over an open database and the
    /// server secret; `public_url` is where people and providers reach this server.
    pub fn new(config: &Config, db: Db, secret: ServerSecret, public_url: String) -> App {
        App {
            db: db.clone(),
            jwt: Jwt::new(&secret),
            sealer: Sealer::new(&secret),
            providers: Providers::new(&config.providers),
            usage: crate::usage::Usage::new(),
            settings: Settings {
                signup_open: config.signup_open,
                trial_days: config.trial_days,
                storage_limit_bytes: config.storage_limit_bytes,
                min_free_disk_bytes: config.min_free_disk_bytes,
                trust_proxy: config.trust_proxy,
                trusted_proxies: config.trusted_proxies.clone().into(),
                audit_retention_days: config.audit_retention_days,
                metrics_token: config.metrics_token.clone(),
                proxy: config.proxy,
            },
            limiter: Arc::new(crate::ratelimit::AuthLimiter::new(config.auth_rate)),
            webhooks: Arc::new(config.webhooks.clone()),
            api_limiter: Arc::new(crate::ratelimit::ApiLimiter::new(config.api_key_rate, config.api_ip_rate)),
            auth: Authenticator::new(db, secret),
            cors_origins: config.cors_origins.clone().into(),
            refreshes: Default::default(),
            bodies: Arc::new(crate::ratelimit::BodyGate::new(config.bodies)),
            proxy_slots: Arc::new(crate::ratelimit::Slots::new(config.proxy.per_account)),
            public_url,
        }
    }
}
