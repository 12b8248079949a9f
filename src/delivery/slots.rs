//! Fair shares of the delivery threads (audit M5): one tenant's receiver that hangs used to
//! hold every thread the deliveries (and the database reads) shared, and another tenant's
//! delivery waited 31 s instead of 0.12 s. Now deliveries run on threads of their own, at most
//! `TOTAL` at once, at most `PER_WORKSPACE` of them for one workspace and `PER_WEBHOOK` for
//! one subscription; what does not fit waits, in order, until a delivery finishes (which wakes
//! the poller at once, so the shares bound concurrency, not throughput).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Deliveries in flight at once, all tenants together.
pub const TOTAL: usize = 32;
/// Deliveries in flight at once for one workspace.
pub const PER_WORKSPACE: usize = 16;
/// Deliveries in flight at once to one subscription.
pub const PER_WEBHOOK: usize = 8;

#[derive(Default)]
struct Counts {
    total: usize,
    by_workspace: HashMap<i64, usize>,
    by_webhook: HashMap<String, usize>,
}

/// The shares, counted.
#[derive(Default)]
pub struct Slots(Mutex<Counts>);

/// One delivery's place; given back when dropped.
pub struct Slot {
    slots: Arc<Slots>,
    workspace: i64,
    webhook: String,
}

impl Slots {
    /// A place for a delivery of `workspace` to `webhook`, if its shares allow one now.
    pub fn try_take(self: &Arc<Self>, workspace: i64, webhook: &str) -> Option<Slot> {
        let mut c = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let ws = c.by_workspace.get(&workspace).copied().unwrap_or(0);
        let hook = c.by_webhook.get(webhook).copied().unwrap_or(0);
        if c.total >= TOTAL || ws >= PER_WORKSPACE || hook >= PER_WEBHOOK {
            return None;
        }
        c.total += 1;
        *c.by_workspace.entry(workspace).or_insert(0) += 1;
        *c.by_webhook.entry(webhook.to_string()).or_insert(0) += 1;
        Some(Slot { slots: self.clone(), workspace, webhook: webhook.to_string() })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.slots.0.lock().unwrap_or_else(|p| p.into_inner());
        c.total -= 1;
        if let Some(n) = c.by_workspace.get_mut(&self.workspace) {
            *n -= 1;
            if *n == 0 {
                c.by_workspace.remove(&self.workspace);
            }
        }
        if let Some(n) = c.by_webhook.get_mut(&self.webhook) {
            *n -= 1;
            if *n == 0 {
                c.by_webhook.remove(&self.webhook);
            }
        }
    }
}
