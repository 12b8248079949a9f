//! Counters for the operator's view (`GET /metrics`, Prometheus text): requests by route and
//! status with a latency histogram, the writer's batches, webhook failures, rate-limit
//! refusals. Plain atomics and one small map: cheap enough for every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Latency bucket bounds, in seconds.
pub const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct RouteStats {
    by_status: HashMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Proxied calls of one platform and status: how many, and their seconds.
#[derive(Default, Clone, Copy)]
struct Proxied {
    count: u64,
    seconds: f64,
}

/// A server's counters.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
    /// Proxied calls by platform and the platform's status (0: no answer), and their seconds.
    proxied: Mutex<HashMap<(&'static str, u16), Proxied>>,
    pub writer_batches: AtomicU64,
    pub writer_writes: AtomicU64,
    pub writer_wait_micros: AtomicU64,
    pub webhook_failures: AtomicU64,
    pub rate_limited: AtomicU64,
    /// Whether the writer's last transaction failed to commit (disk full, file read-only,
    /// locked by another process): `/healthz` says so until a commit succeeds again.
    pub writes_failing: std::sync::atomic::AtomicBool,
}

impl Metrics {
    /// Counts a request to a route pattern (`/v1/profiles/{id}`), never a raw path.
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        // `entry` would allocate the key on every request; only a new route needs one.
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), Default::default());
        }
        let Some(r) = routes.get_mut(route) else { return };
        *r.by_status.entry(status).or_default() += 1;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                r.buckets[i] += 1;
            }
        }
        r.sum += seconds;
        r.count += 1;
    }

    /// Counts a proxied call to `platform` that the platform answered with `status` (0 when
    /// it did not answer) after `seconds`.
    pub fn proxied(&self, platform: &'static str, status: u16, seconds: f64) {
        let mut m = self.proxied.lock().unwrap_or_else(|e| e.into_inner());
        let e = m.entry((platform, status)).or_default();
        e.count += 1;
        e.seconds += seconds;
    }

    /// Counts one writer transaction of `writes` writes that waited `wait_micros` in total.
    pub fn batch(&self, writes: u64, wait_micros: u64) {
        self.writer_batches.fetch_add(1, Ordering::Relaxed);
        self.writer_writes.fetch_add(writes, Ordering::Relaxed);
        self.writer_wait_micros.fetch_add(wait_micros, Ordering::Relaxed);
    }

    /// The Prometheus text, with gauges the caller read from elsewhere.
    pub fn render(&self, keys: KeyCounts, webhook_queue: i64) -> String {
        let mut out = String::new();
        self.render_routes(&mut out);
        self.render_proxied(&mut out);
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let counters = [
            ("hitchpost_writer_batches_total", "Writer transactions committed or tried.", load(&self.writer_batches)),
            ("hitchpost_writer_writes_total", "Writes carried by those transactions.", load(&self.writer_writes)),
            (
                "hitchpost_writer_wait_microseconds_total",
                "Time writes waited for their transaction.",
                load(&self.writer_wait_micros),
            ),
            (
                "hitchpost_webhook_failures_total",
                "Webhook delivery attempts that failed.",
                load(&self.webhook_failures),
            ),
            ("hitchpost_rate_limited_total", "Requests refused by a rate limit.", load(&self.rate_limited)),
            (
                "hitchpost_api_key_lookups_total",
                "API key verifications that read the database (the key was not remembered).",
                keys.lookups,
            ),
            (
                "hitchpost_argon2_verifies_total",
                "API key verifications that ran argon2 (keys stored before schema 9 or by the CLI, once each).",
                keys.argon2_verifies,
            ),
        ];
        for (name, help, v) in counters {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"));
        }
        out.push_str(&format!(
            "# HELP hitchpost_webhook_queue Deliveries waiting to be sent.\n# TYPE hitchpost_webhook_queue gauge\nhitchpost_webhook_queue {webhook_queue}\n"
        ));
        out
    }

    fn render_proxied(&self, out: &mut String) {
        let m = self.proxied.lock().unwrap_or_else(|e| e.into_inner());
        let mut rows: Vec<_> = m.iter().collect();
        rows.sort_by_key(|(k, _)| **k);
        out.push_str("# HELP hitchpost_proxy_requests_total Proxied calls by platform and the platform's status (0: no answer).\n# TYPE hitchpost_proxy_requests_total counter\n");
        for ((platform, status), p) in &rows {
            out.push_str(&format!(
                "hitchpost_proxy_requests_total{{platform=\"{platform}\",status=\"{status}\"}} {}\n",
                p.count
            ));
        }
        out.push_str("# HELP hitchpost_proxy_upstream_seconds_total Time until the platform's answer began, by platform.\n# TYPE hitchpost_proxy_upstream_seconds_total counter\n");
        let mut by_platform: HashMap<&str, f64> = HashMap::new();
        for ((platform, _), p) in &rows {
            *by_platform.entry(platform).or_default() += p.seconds;
        }
        let mut platforms: Vec<_> = by_platform.into_iter().collect();
        platforms.sort_by(|a, b| a.0.cmp(b.0));
        for (platform, s) in platforms {
            out.push_str(&format!("hitchpost_proxy_upstream_seconds_total{{platform=\"{platform}\"}} {s}\n"));
        }
    }

    /// Requests by route and status, and the latency histogram by route.
    fn render_routes(&self, out: &mut String) {
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line("# HELP hitchpost_http_requests_total Requests by route and status.".into());
        line("# TYPE hitchpost_http_requests_total counter".into());
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<&String> = routes.keys().collect();
        names.sort();
        for name in &names {
            let mut statuses: Vec<_> = routes[*name].by_status.iter().collect();
            statuses.sort();
            for (status, n) in statuses {
                line(format!("hitchpost_http_requests_total{{route=\"{name}\",status=\"{status}\"}} {n}"));
            }
        }
        line("# HELP hitchpost_http_request_duration_seconds Request latency by route.".into());
        line("# TYPE hitchpost_http_request_duration_seconds histogram".into());
        for name in &names {
            let r = &routes[*name];
            for (i, b) in BUCKETS.iter().enumerate() {
                line(format!(
                    "hitchpost_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"{b}\"}} {}",
                    r.buckets[i]
                ));
            }
            line(format!("hitchpost_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {}", r.count));
            line(format!("hitchpost_http_request_duration_seconds_sum{{route=\"{name}\"}} {}", r.sum));
            line(format!("hitchpost_http_request_duration_seconds_count{{route=\"{name}\"}} {}", r.count));
        }
    }
}

/// What the authenticator counts, for `render`.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyCounts {
    pub lookups: u64,
    pub argon2_verifies: u64,
}
