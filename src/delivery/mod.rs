//! The webhook delivery worker: reads the outbox, sends each due delivery in the format of
//! its subscription's dialect, and retries failures with exponential backoff and jitter.
//!
//! Each attempt runs on a thread of its own with its own timeout, within fair shares
//! (`slots`), so a receiver that hangs or answers with an endless body holds up only its own
//! deliveries, never another tenant's or the database reads. Deliveries of one profile to
//! one subscription go in order: a later one waits while an earlier one is pending. Delivery is
//! at least once; the event id (in the body and in `webhook-id`) lets receivers drop repeats.

mod slots;

use crate::api;
use crate::app::App;
use crate::config::WebhookConfig;
use crate::domain::{self, webhooks::EventType};
use crate::providers::net;
use crate::store::{
    self,
    webhooks::{AttemptRow, DueDelivery},
};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngExt;
use serde_json::Value;
use sha2::Sha256;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Signs `id.timestamp.body` with a `whsec_` secret (Standard Webhooks v1).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())))
}

/// A new signing secret: `whsec_` + base64 of 24 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::rng().random();
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A request ready to send.
struct Outgoing {
    url: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

fn build(d: &DueDelivery, secrets: &[String]) -> Outgoing {
    let data: Value = serde_json::from_str(&d.event.data).unwrap_or(Value::Null);
    let kind = EventType::SUBSCRIBABLE.into_iter().find(|t| t.as_str() == d.event.kind).unwrap_or(EventType::Ping);
    let now = chrono::Utc::now().timestamp();
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    let body = match d.webhook.kind.as_str() {
        domain::webhooks::AYRSHARE => {
            let body =
                api::ayrshare::webhook_payload(kind, &d.event.id, &d.event.created_at, &data).to_string().into_bytes();
            let digest = match secrets.first() {
                Some(secret) => {
                    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
                    mac.update(&body);
                    hex(&mac.finalize().into_bytes())
                }
                None => {
                    use sha2::Digest;
                    hex(&Sha256::digest(&body))
                }
            };
            headers.push(("x-authorization-timestamp".into(), now.to_string()));
            headers.push(("x-authorization-content-sha256".into(), digest));
            body
        }
        domain::webhooks::UPLOADPOST => {
            api::uploadpost::webhook_payload(kind, &d.event.id, &d.event.created_at, &data).to_string().into_bytes()
        }
        _ => {
            let body = api::native::webhook_payload(&d.event.id, &d.event.kind, &d.event.created_at, &data)
                .to_string()
                .into_bytes();
            let sigs: Vec<String> = secrets.iter().filter_map(|s| sign(s, &d.event.id, now, &body)).collect();
            headers.push(("webhook-signature".into(), sigs.join(" ")));
            body
        }
    };
    // Every kind carries the Standard Webhooks id and timestamp, so any receiver can dedupe.
    headers.push(("webhook-id".into(), d.event.id.clone()));
    headers.push(("webhook-timestamp".into(), now.to_string()));
    Outgoing { url: d.webhook.url.clone(), body, headers }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sends one request; `Ok(status)` for any HTTP answer, `Err` for no answer.
fn send(agent: &ureq::Agent, out: &Outgoing, allow_private: bool) -> Result<u16, String> {
    net::check_outbound(&out.url, allow_private)?;
    let mut req = agent.post(&out.url);
    for (k, v) in &out.headers {
        req = req.header(k, v);
    }
    let mut res = req.send(&out.body[..]).map_err(|e| e.to_string())?;
    // Read a little of the answer, never all of a hostile one.
    let _ = res.body_mut().with_config().limit(64 * 1024).read_to_vec();
    Ok(res.status().as_u16())
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn deliver(state: App, cfg: Arc<WebhookConfig>, agent: ureq::Agent, d: DueDelivery) -> domain::Result<()> {
    let hook_id = d.webhook.id.clone();
    let now = store::now();
    let sealed = state
        .db
        .read(move |c| store::webhooks::list_live_secrets(c, &hook_id, &now).map_err(domain::Error::from))
        .await?;
    let secrets: Vec<String> = sealed.iter().filter_map(|s| state.sealer.open(s)).collect();
    let out = build(&d, &secrets);
    let allow_private = state.providers.allow_private_outbound;
    let started = Instant::now();
    // A thread of its own, not the blocking pool the database reads use: a receiver that hangs
    // holds only this thread, for at most the timeout (`slots` bounds how many there are).
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name("hitchpost-webhook".into()).spawn(move || {
        let _ = tx.send(send(&agent, &out, allow_private));
    });
    let result = match spawned {
        Ok(_) => rx.await.unwrap_or_else(|_| Err("the delivery thread ended without an answer".into())),
        Err(e) => Err(format!("cannot start a delivery thread: {e}")),
    };
    let latency = started.elapsed().as_millis() as i64;
    let attempt = d.attempts + 1;
    let (ok, status, error) = match result {
        Ok(s) if (200..300).contains(&s) => (true, Some(s as i64), None),
        Ok(s) => (false, Some(s as i64), Some(format!("HTTP {s}"))),
        Err(e) => (false, None, Some(e)),
    };
    let give_up = !ok && attempt as usize > cfg.retry_schedule.len();
    let next = if ok || give_up {
        stamp(chrono::Utc::now())
    } else {
        let base = cfg.retry_schedule[(attempt - 1) as usize];
        let jitter: f64 = rand::rng().random_range(0.8..1.2);
        stamp(chrono::Utc::now() + chrono::Duration::from_std(base.mul_f64(jitter)).unwrap_or_default())
    };
    let row = AttemptRow {
        status: if ok {
            "succeeded"
        } else if give_up {
            "failed"
        } else {
            "pending"
        },
        next_attempt_at: next,
        last_status: status,
        last_error: error.clone(),
        last_latency_ms: latency,
    };
    if !ok {
        state.db.metrics().webhook_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The host only: a webhook URL's path or user part is often its secret (Slack, basic auth).
        let host = url::Url::parse(&d.webhook.url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        log::warn!(
            "webhook delivery {} of webhook {} to {host} failed (attempt {attempt}): {}",
            d.id,
            d.webhook.id,
            error.clone().unwrap_or_default()
        );
    }
    let (id, hook, threshold) = (d.id.clone(), d.webhook.id.clone(), cfg.disable_after);
    state
        .db
        .write(move |c| {
            store::webhooks::update_delivery_attempt(c, &id, &row)?;
            if ok {
                store::webhooks::record_webhook_success(c, &hook)?;
            } else if give_up {
                let reason =
                    format!("{threshold} events in a row could not be delivered; last: {}", error.unwrap_or_default());
                if store::webhooks::record_webhook_failure(c, &hook, threshold, &reason)? {
                    log::warn!("webhook {hook} switched off: {reason}");
                }
            }
            Ok::<_, domain::Error>(())
        })
        .await
}

/// Starts the worker; it runs as long as the server.
pub fn start(state: App, cfg: WebhookConfig) -> Worker {
    let cfg = Arc::new(cfg);
    let stopping = Arc::new(AtomicBool::new(false));
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(cfg.timeout))
        .user_agent("hitchpost-webhooks")
        .build();
    // A receiver's name is resolved once per call, checked and connected to (no rebinding).
    let agent = net::public_agent(config, state.providers.allow_private_outbound);
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let slots: Arc<slots::Slots> = Arc::default();
    let finished = Arc::new(tokio::sync::Notify::new());
    let worker = Worker { stopping: stopping.clone(), in_flight: in_flight.clone(), timeout: cfg.timeout };
    actix_web::rt::spawn(async move {
        loop {
            // A finished delivery wakes the loop at once: with shares capping what is in
            // flight, waiting out the poll interval would cap each subscription's throughput.
            tokio::select! {
                _ = actix_web::rt::time::sleep(cfg.poll) => {}
                _ = finished.notified() => {}
            }
            if stopping.load(Ordering::SeqCst) {
                return;
            }
            let now = store::now();
            let due = match state
                .db
                .read(move |c| store::webhooks::list_due_deliveries(c, &now, 200).map_err(domain::Error::from))
                .await
            {
                Ok(d) => d,
                Err(e) => {
                    log::warn!("webhook worker: {e}");
                    continue;
                }
            };
            for d in due {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if in_flight.lock().unwrap_or_else(|e| e.into_inner()).contains(&d.id) {
                    continue;
                }
                // Over its tenant's or its subscription's share: it waits for a later poll.
                let Some(slot) = slots.try_take(d.webhook.workspace_id, &d.webhook.id) else { continue };
                in_flight.lock().unwrap_or_else(|e| e.into_inner()).insert(d.id.clone());
                let (state, cfg, agent, in_flight) = (state.clone(), cfg.clone(), agent.clone(), in_flight.clone());
                let finished = finished.clone();
                actix_web::rt::spawn(async move {
                    let _slot = slot;
                    let id = d.id.clone();
                    if let Err(e) = deliver(state, cfg, agent, d).await {
                        log::warn!("webhook delivery {id}: {e}");
                    }
                    in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                    drop(_slot);
                    finished.notify_one();
                });
            }
        }
    });
    worker
}

/// The running delivery worker.
#[derive(Clone)]
pub struct Worker {
    stopping: Arc<AtomicBool>,
    in_flight: Arc<Mutex<HashSet<String>>>,
    timeout: Duration,
}

impl Worker {
    /// Starts no more deliveries and waits (at most one delivery timeout) for those under way,
    /// so that each one's outcome is recorded rather than sent again after a restart.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + self.timeout + Duration::from_secs(1);
        while !self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).is_empty() && Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
