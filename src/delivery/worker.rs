//! The loop: reads the outbox, sends each due delivery in its subscription's format, and
//! records the outcome, retrying failures with exponential backoff and jitter.

use super::format::{Event, Formats, Rendered};
use super::slots::Slots;
use crate::app::App;
use crate::config::WebhookConfig;
use crate::domain::{self, webhooks::EventType};
use crate::providers::net;
use crate::store::{
    self,
    webhooks::{AttemptRow, DueDelivery},
};
use rand::RngExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request ready to send.
struct Outgoing {
    url: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

fn build(formats: &Formats, d: &DueDelivery, secrets: &[String]) -> Outgoing {
    let data: Value = serde_json::from_str(&d.event.data).unwrap_or(Value::Null);
    let kind = EventType::SUBSCRIBABLE.into_iter().find(|t| t.as_str() == d.event.kind).unwrap_or(EventType::Ping);
    let now = chrono::Utc::now().timestamp();
    let event = Event { id: &d.event.id, kind, created_at: &d.event.created_at, data: &data };
    let format = formats.iter().find(|f| f.kind() == d.webhook.kind).or(formats.first());
    let Rendered { body, mut headers } = match format {
        Some(f) => f.render(&event, secrets, now),
        None => Rendered { body: data.to_string().into_bytes(), headers: Vec::new() },
    };
    headers.insert(0, ("content-type".to_string(), "application/json".to_string()));
    // Every kind carries the Standard Webhooks id and timestamp, so any receiver can dedupe.
    headers.push(("webhook-id".into(), d.event.id.clone()));
    headers.push(("webhook-timestamp".into(), now.to_string()));
    Outgoing { url: d.webhook.url.clone(), body, headers }
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

/// How long a claimed delivery's lease outlasts the attempt's timeout: time to record the
/// outcome. An instance that dies holding a lease delays that delivery by about this much.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What the worker's tasks share.
#[derive(Clone)]
struct Shared {
    state: App,
    cfg: Arc<WebhookConfig>,
    formats: Formats,
    agent: ureq::Agent,
    stopping: Arc<AtomicBool>,
    in_flight: Arc<Mutex<InFlight>>,
    /// Polls begun so far.
    polls: Arc<AtomicU64>,
    slots: Arc<Slots>,
    /// Wakes the loop when a delivery finishes.
    finished: Arc<tokio::sync::Notify>,
}

/// Deliveries under way (`None`) and lately finished (`Some(polls)`: how many polls had
/// begun when it finished). A poll whose read began before a delivery's outcome was written
/// may still see it pending; it must not send it again.
type InFlight = HashMap<String, Option<u64>>;

/// How one attempt ended.
struct Outcome {
    ok: bool,
    status: Option<i64>,
    error: Option<String>,
    latency_ms: i64,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, InFlight> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether poll number `poll` may start `id`: not while it runs, nor when it finished
    /// after this poll's read began (the read may predate its outcome).
    fn may_start(&self, id: &str, poll: u64) -> bool {
        let mut in_flight = self.in_flight();
        match in_flight.get(id) {
            None => true,
            Some(None) => false,
            Some(Some(finished)) if *finished >= poll => false,
            Some(Some(_)) => {
                in_flight.remove(id);
                true
            }
        }
    }

    async fn run(self) {
        loop {
            // A finished delivery wakes the loop at once: with shares capping what is in
            // flight, waiting out the poll interval would cap each subscription's throughput.
            tokio::select! {
                _ = actix_web::rt::time::sleep(self.cfg.poll) => {}
                _ = self.finished.notified() => {}
            }
            if self.stopping() {
                return;
            }
            let poll = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
            let now = store::now();
            let due = self
                .state
                .db
                .read(move |c| Ok::<_, domain::Error>(store::webhooks::list_due_deliveries(c, &now, 200)?));
            match due.await {
                Ok(due) => self.dispatch(due, poll),
                Err(e) => log::warn!("webhook worker: {e}"),
            }
        }
    }

    /// Starts each due delivery that is not under way and fits its shares.
    fn dispatch(&self, due: Vec<DueDelivery>, poll: u64) {
        self.forget_finished(poll);
        for d in due {
            if self.stopping() {
                break;
            }
            if !self.may_start(&d.id, poll) {
                continue;
            }
            // Over its tenant's or its subscription's share: it waits for a later poll.
            let Some(slot) = self.slots.try_take(d.webhook.workspace_id, &d.webhook.id) else { continue };
            self.in_flight().insert(d.id.clone(), None);
            let shared = self.clone();
            actix_web::rt::spawn(async move {
                let id = d.id.clone();
                if let Err(e) = shared.deliver(d).await {
                    log::warn!("webhook delivery {id}: {e}");
                }
                let polls = shared.polls.load(Ordering::SeqCst);
                shared.in_flight().insert(id, Some(polls));
                drop(slot);
                shared.finished.notify_one();
            });
        }
    }

    /// Forgets deliveries that finished before poll `poll` began: its read saw their outcome.
    fn forget_finished(&self, poll: u64) {
        self.in_flight().retain(|_, finished| finished.is_none_or(|f| f >= poll));
    }

    async fn deliver(&self, d: DueDelivery) -> domain::Result<()> {
        if self.state.db.shared() && !self.claim(&d).await? {
            return Ok(());
        }
        let hook_id = d.webhook.id.clone();
        let now = store::now();
        let sealed =
            self.state.db.read(move |c| Ok::<_, domain::Error>(store::webhooks::list_live_secrets(c, &hook_id, &now)?));
        let secrets: Vec<String> = sealed.await?.iter().filter_map(|s| self.state.sealer.open(s)).collect();
        let outcome = self.attempt(build(&self.formats, &d, &secrets)).await;
        self.record(&d, outcome).await
    }

    /// Claims `d` against the other instances on the database: one attempt at a time, by one
    /// of them. The lease outlasts an attempt (its timeout) and the recording of its outcome.
    async fn claim(&self, d: &DueDelivery) -> domain::Result<bool> {
        let now = chrono::Utc::now();
        let lease = chrono::Duration::from_std(self.cfg.timeout + LEASE_MARGIN).unwrap_or_default();
        let (id, attempts, until) = (d.id.clone(), d.attempts, stamp(now + lease));
        let now = stamp(now);
        self.state
            .db
            .write(move |c| Ok::<_, domain::Error>(store::webhooks::claim_delivery(c, &id, attempts, &now, &until)?))
            .await
    }

    /// Sends on a thread of its own, not the blocking pool the database reads use: a receiver
    /// that hangs holds only this thread, for at most the timeout (`slots` bounds how many).
    async fn attempt(&self, out: Outgoing) -> Outcome {
        let (agent, allow_private) = (self.agent.clone(), self.state.providers.allow_private_outbound);
        let started = Instant::now();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new().name("hitchpost-webhook".into()).spawn(move || {
            let _ = tx.send(send(&agent, &out, allow_private));
        });
        let result = match spawned {
            Ok(_) => rx.await.unwrap_or_else(|_| Err("the delivery thread ended without an answer".into())),
            Err(e) => Err(format!("cannot start a delivery thread: {e}")),
        };
        let latency_ms = started.elapsed().as_millis() as i64;
        match result {
            Ok(s) if (200..300).contains(&s) => Outcome { ok: true, status: Some(s.into()), error: None, latency_ms },
            Ok(s) => Outcome { ok: false, status: Some(s.into()), error: Some(format!("HTTP {s}")), latency_ms },
            Err(e) => Outcome { ok: false, status: None, error: Some(e), latency_ms },
        }
    }

    /// Records an attempt: done, failed for good, or due again after the schedule's wait.
    async fn record(&self, d: &DueDelivery, o: Outcome) -> domain::Result<()> {
        let attempt = d.attempts + 1;
        let give_up = !o.ok && attempt as usize > self.cfg.retry_schedule.len();
        let next = if o.ok || give_up {
            stamp(chrono::Utc::now())
        } else {
            let base = self.cfg.retry_schedule[(attempt - 1) as usize];
            let jitter: f64 = rand::rng().random_range(0.8..1.2);
            stamp(chrono::Utc::now() + chrono::Duration::from_std(base.mul_f64(jitter)).unwrap_or_default())
        };
        let status = match (o.ok, give_up) {
            (true, _) => "succeeded",
            (false, true) => "failed",
            (false, false) => "pending",
        };
        let row = AttemptRow {
            status,
            next_attempt_at: next,
            last_status: o.status,
            last_error: o.error.clone(),
            last_latency_ms: o.latency_ms,
        };
        if !o.ok {
            self.log_failure(d, attempt, o.error.as_deref().unwrap_or_default());
        }
        let (id, hook, threshold, ok, error) =
            (d.id.clone(), d.webhook.id.clone(), self.cfg.disable_after, o.ok, o.error);
        self.state
            .db
            .write(move |c| {
                store::webhooks::update_delivery_attempt(c, &id, &row)?;
                if ok {
                    store::webhooks::record_webhook_success(c, &hook)?;
                } else if give_up {
                    let last = error.unwrap_or_default();
                    let reason = format!("{threshold} events in a row could not be delivered; last: {last}");
                    if store::webhooks::record_webhook_failure(c, &hook, threshold, &reason)? {
                        log::warn!("webhook {hook} switched off: {reason}");
                    }
                }
                Ok::<_, domain::Error>(())
            })
            .await
    }

    fn log_failure(&self, d: &DueDelivery, attempt: i64, error: &str) {
        self.state.db.metrics().webhook_failures.fetch_add(1, Ordering::Relaxed);
        // The host only: a webhook URL's path or user part is often its secret (Slack, basic auth).
        let host = url::Url::parse(&d.webhook.url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        log::warn!(
            "webhook delivery {} of webhook {} to {host} failed (attempt {attempt}): {error}",
            d.id,
            d.webhook.id
        );
    }
}

/// Starts the worker; it runs as long as the server.
pub fn start(state: App, cfg: WebhookConfig, formats: Formats) -> Worker {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(cfg.timeout))
        .user_agent("hitchpost-webhooks")
        .build();
    // A receiver's name is resolved once per call, checked and connected to (no rebinding).
    let agent = net::public_agent(config, state.providers.allow_private_outbound);
    let shared = Shared {
        state,
        cfg: Arc::new(cfg),
        formats,
        agent,
        stopping: Arc::default(),
        in_flight: Arc::default(),
        polls: Arc::default(),
        slots: Arc::default(),
        finished: Arc::default(),
    };
    let worker =
        Worker { stopping: shared.stopping.clone(), in_flight: shared.in_flight.clone(), timeout: shared.cfg.timeout };
    actix_web::rt::spawn(shared.run());
    worker
}

/// The running delivery worker.
#[derive(Clone)]
pub struct Worker {
    stopping: Arc<AtomicBool>,
    in_flight: Arc<Mutex<InFlight>>,
    timeout: Duration,
}

impl Worker {
    /// Starts no more deliveries and waits (at most one delivery timeout) for those under way,
    /// so that each one's outcome is recorded rather than sent again after a restart.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + self.timeout + Duration::from_secs(1);
        let running = || self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).values().any(Option::is_none);
        while running() && Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
