//! Every background loop of a server, started (before it takes requests) and stopped in one
//! place: token refresh and the periodic maintenance that rides with it, usage counters,
//! the revocation watcher, the limiters' shrinking, and webhook delivery.

use crate::app::App;
use crate::config::Config;
use crate::delivery::{self, Formats};
use crate::domain::{accounts, audit};
use crate::service;
use crate::store;
use std::sync::Arc;
use std::time::Duration;

/// The running jobs.
pub struct Jobs {
    deliveries: delivery::Worker,
}

impl Jobs {
    /// Starts every job of `app`; webhooks are rendered in `formats`.
    pub fn start(app: &App, config: &Config, formats: Formats) -> Jobs {
        app.auth.watch_revocations();
        flush_usage(app);
        shrink_limiters(app);
        refresh_tokens(app.clone(), config.refresh_interval, config.refresh_window);
        Jobs { deliveries: delivery::start(app.clone(), config.webhooks.clone(), formats) }
    }

    /// Lets the webhook deliveries under way finish (each outcome recorded); the other jobs
    /// end with the runtime.
    pub async fn stop(&self) {
        self.deliveries.stop().await;
    }
}

/// Writes the API call counters about once a second, for as long as they are used.
fn flush_usage(app: &App) {
    let (usage, db) = (Arc::downgrade(&app.usage), app.db.clone());
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            let Some(u) = usage.upgrade() else { return };
            u.flush(&db).await;
        }
    });
}

/// Full buckets carry no information: dropping them bounds the limiters' memory.
fn shrink_limiters(app: &App) {
    let (limiter, api_limiter) = (app.limiter.clone(), app.api_limiter.clone());
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(Duration::from_secs(60)).await;
            limiter.shrink();
            api_limiter.shrink();
        }
    });
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Every `interval`: refreshes tokens about to lapse within `window`, sends expiry notices,
/// and drops audit entries and idempotency keys past their retention.
fn refresh_tokens(app: App, interval: Duration, window: Duration) {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(15));
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(interval).await;
            if let Err(e) = service::refresh_due(&app, window).await {
                log::warn!("token refresher: {e}");
            }
            let ahead = chrono::Duration::from_std(app.webhooks.expiring_within).unwrap_or_default();
            let before = stamp(chrono::Utc::now() + ahead);
            if let Err(e) = app.db.write(move |c| accounts::notify_expiring(c, &before)).await {
                log::warn!("expiry notices: {e}");
            }
            let days = app.settings.audit_retention_days;
            if let Err(e) = app.db.write(move |c| audit::prune(c, days)).await {
                log::warn!("audit retention: {e}");
            }
            // Idempotency keys replay for 24 hours; after that they are only weight.
            let old = stamp(chrono::Utc::now() - chrono::Duration::hours(24));
            let pruned = app.db.write(move |c| store::idempotency::prune(c, &old).map_err(crate::domain::Error::from));
            if let Err(e) = pruned.await {
                log::warn!("idempotency retention: {e}");
            }
        }
    });
}
