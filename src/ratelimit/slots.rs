//! Calls in flight per account: a platform rate-limits per user token, and one account's flood
//! must not hold every connection to the platform.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Past this many accounts remembered, idle ones are forgotten.
const PRUNE_AT: usize = 4096;

/// Per-account slots.
pub struct Slots {
    per_account: usize,
    by_account: Mutex<HashMap<i64, Arc<Semaphore>>>,
}

impl Slots {
    pub fn new(per_account: usize) -> Self {
        Slots { per_account: per_account.max(1), by_account: Mutex::new(HashMap::new()) }
    }

    /// A slot for the account, or `None` when all of its slots are taken.
    pub fn try_acquire(&self, account: i64) -> Option<OwnedSemaphorePermit> {
        let sem = {
            let mut map = self.by_account.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() >= PRUNE_AT {
                let full = self.per_account;
                map.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < full);
            }
            map.entry(account).or_insert_with(|| Arc::new(Semaphore::new(self.per_account))).clone()
        };
        sem.try_acquire_owned().ok()
    }
}
