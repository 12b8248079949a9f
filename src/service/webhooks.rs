//! Native webhook subscriptions as every caller (the API, the console) changes them: the
//! checks of a URL and a description, and the signing secrets, which are made and sealed here
//! and shown once.

use crate::app::App;
use crate::delivery;
use crate::domain::webhooks::{self, Webhook, WebhookPatch};
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error};
use crate::providers::net;

/// A receiver's URL: absolute http(s), and no literal private address unless this server
/// allows private outbound calls (a host name is checked at each delivery).
pub fn receiver_url(state: &App, u: &str) -> domain::Result<String> {
    let checked = net::check_outbound(u.trim(), state.providers.allow_private_outbound)
        .map_err(|why| Error::invalid("url", why))?;
    Ok(checked.to_string())
}

/// A subscription's description: trimmed, blank is none, at most 500 characters.
pub fn description(d: Option<String>) -> domain::Result<Option<String>> {
    match d.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) => {
            domain::check_text("description", &s, 1, 500)?;
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

/// Subscribes `url` to `events`; returns the subscription and its signing secret.
pub async fn create(
    state: &App,
    ws: WorkspaceId,
    url: &str,
    events: &[String],
    description_text: Option<String>,
) -> domain::Result<(Webhook, String)> {
    let u = receiver_url(state, url)?;
    let events = webhooks::parse_events(events)?;
    let d = description(description_text)?;
    let secret = delivery::new_secret();
    let sealed = state.sealer.seal(&secret);
    let w = state.db.write(move |c| webhooks::create(c, ws, u, events, d, &sealed)).await?;
    Ok((w, secret))
}

/// What a caller asked to change, before it is checked.
#[derive(Debug, Default)]
pub struct RawPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// Changes a subscription (re-enabling one clears its failure count).
pub async fn update(state: &App, ws: WorkspaceId, id: String, raw: RawPatch) -> domain::Result<Webhook> {
    let patch = WebhookPatch {
        url: raw.url.as_deref().map(|u| receiver_url(state, u)).transpose()?,
        events: raw.events.as_deref().map(webhooks::parse_events).transpose()?,
        description: raw.description.map(|d| description(Some(d))).transpose()?,
        enabled: raw.enabled,
    };
    state.db.write(move |c| webhooks::update(c, ws, &id, patch)).await
}

/// A new signing secret; the old one still signs until the returned time (RFC 3339), so a
/// receiver can move over without losing deliveries.
pub async fn rotate_secret(state: &App, ws: WorkspaceId, id: String) -> domain::Result<(String, String)> {
    let secret = delivery::new_secret();
    let sealed = state.sealer.seal(&secret);
    let until = chrono::Utc::now() + chrono::Duration::from_std(state.webhooks.rotation_overlap).unwrap_or_default();
    let until = until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let u = until.clone();
    state.db.write(move |c| webhooks::rotate_secret(c, ws, &id, &sealed, &u)).await?;
    Ok((secret, until))
}
