//! Brute-force protection for sign-in, sign-up and password changes: a token bucket per
//! client IP and per account (the `governor` crate). Each bucket refills over its window, so a
//! burst of wrong passwords slows its source down and never locks an account out for good.

pub mod bodies;
mod slots;

pub use bodies::{BodyGate, BodyLimits};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
pub use slots::Slots;
use std::num::NonZeroU32;
use std::time::Duration;

/// How many attempts a bucket holds, and how fast it refills.
#[derive(Debug, Clone, Copy)]
pub struct AttemptRate {
    pub burst: u32,
    pub per: Duration,
}

impl Default for AttemptRate {
    /// Ten attempts at once, then one every six seconds (ten a minute).
    fn default() -> Self {
        AttemptRate { burst: 10, per: Duration::from_secs(6) }
    }
}

fn wait_secs(e: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    e.wait_time_from(DefaultClock::default().now()).as_secs() + 1
}

/// The bucket of a client address: the address itself, or for IPv6 its /64, the block one
/// customer is given (a client that holds one holds all 2^64 of its addresses).
pub fn address_bucket(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        _ => ip.to_string(),
    }
}

/// The sign-in limiter.
pub struct AuthLimiter {
    by_ip: DefaultKeyedRateLimiter<String>,
    by_account: DefaultKeyedRateLimiter<String>,
}

impl AuthLimiter {
    pub fn new(rate: AttemptRate) -> Self {
        let quota = Quota::with_period(rate.per.max(Duration::from_millis(1)))
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::new(rate.burst.max(1)).expect("non-zero"));
        AuthLimiter { by_ip: RateLimiter::keyed(quota), by_account: RateLimiter::keyed(quota) }
    }

    /// Takes one attempt from the IP's bucket and, when known, the account's; `Err(seconds)`
    /// to wait when either is empty.
    pub fn attempt(&self, ip: &str, account: Option<&str>) -> Result<(), u64> {
        self.attempt_from(ip)?;
        match account {
            Some(a) => self.attempt_on(a),
            None => Ok(()),
        }
    }

    /// Takes one attempt from the address's bucket only: before a body is read, so a client
    /// over its limit costs no reading at all.
    pub fn attempt_from(&self, ip: &str) -> Result<(), u64> {
        self.by_ip.check_key(&address_bucket(ip)).map_err(wait_secs)
    }

    /// Takes one attempt from an account's bucket (its id once known, so that its email and
    /// its username are one account, not two).
    pub fn attempt_on(&self, account: &str) -> Result<(), u64> {
        self.by_account.check_key(&account.to_lowercase()).map_err(wait_secs)
    }

    /// Forgets buckets that are full again (called now and then to bound memory).
    pub fn shrink(&self) {
        self.by_ip.retain_recent();
        self.by_account.retain_recent();
    }
}

use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// API request limits: a bucket per API key and one per client address.
pub struct ApiLimiter {
    by_key: Keyed,
    by_ip: Keyed,
    key_rate: AttemptRate,
    ip_rate: AttemptRate,
}

/// Where a caller stands: the bucket's size, what is left, and seconds until it is full.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u64,
}

/// A refused request: the standing and when to try again.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    pub limit: u32,
    pub retry_after: u64,
}

fn keyed(rate: AttemptRate) -> Keyed {
    let quota = Quota::with_period(rate.per.max(Duration::from_nanos(1)))
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(rate.burst.max(1)).expect("non-zero"));
    RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>()
}

impl ApiLimiter {
    /// `key_rate` per API key, `ip_rate` per address.
    pub fn new(key_rate: AttemptRate, ip_rate: AttemptRate) -> Self {
        ApiLimiter { by_key: keyed(key_rate), by_ip: keyed(ip_rate), key_rate, ip_rate }
    }

    /// Takes one request from the key's bucket (when there is a key) and the address's.
    pub fn check(&self, key_id: Option<&str>, ip: &str) -> Result<Standing, Refused> {
        let clock = DefaultClock::default();
        let one = |lim: &Keyed, k: &str, rate: AttemptRate| -> Result<Standing, Refused> {
            match lim.check_key(&k.to_string()) {
                Ok(snap) => {
                    let remaining = snap.remaining_burst_capacity();
                    let missing = rate.burst.saturating_sub(remaining);
                    let reset = (rate.per * missing).as_secs_f64().ceil() as u64;
                    Ok(Standing { limit: rate.burst, remaining, reset_secs: reset })
                }
                Err(not_until) => {
                    Err(Refused { limit: rate.burst, retry_after: not_until.wait_time_from(clock.now()).as_secs() + 1 })
                }
            }
        };
        let ip_standing = one(&self.by_ip, &address_bucket(ip), self.ip_rate)?;
        match key_id {
            Some(k) => one(&self.by_key, k, self.key_rate),
            None => Ok(ip_standing),
        }
    }

    /// Forgets full buckets.
    pub fn shrink(&self) {
        self.by_key.retain_recent();
        self.by_ip.retain_recent();
    }
}
