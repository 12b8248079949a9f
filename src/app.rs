//! The application's shared parts, below the API, the services and the background jobs, so
//! that each of them can reach the database, the keys and the limiters without naming the wire.

use crate::auth::{Authenticator, jwt::Jwt, seal::Sealer};
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
}
