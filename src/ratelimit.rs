//! Brute-force protection for sign-in, sign-up and password changes: a token bucket per
//! client IP and per account (the `governor` crate). Each bucket refills over its window, so a
//! burst of wrong passwords slows its source down and never locks an account out for good.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
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
        let clock = DefaultClock::default();
        let wait =
            |e: governor::NotUntil<<DefaultClock as Clock>::Instant>| e.wait_time_from(clock.now()).as_secs() + 1;
        self.by_ip.check_key(&ip.to_string()).map_err(wait)?;
        if let Some(a) = account {
            self.by_account.check_key(&a.to_lowercase()).map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets buckets that are full again (called now and then to bound memory).
    pub fn shrink(&self) {
        self.by_ip.retain_recent();
        self.by_account.retain_recent();
    }
}
