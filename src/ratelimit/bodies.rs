//! What request bodies may hold of the server while they are read (audit H2): a deadline for
//! the whole body, a budget of buffered bytes shared by every request, and a cap on the bodies
//! one address may have in flight. Without these, 300 connections that each sent most of a
//! 1 MiB body and then waited held 365 MB of RSS indefinitely, before any authentication.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// How long a body may take to arrive, from its first read.
    pub deadline: Duration,
    /// Bytes all bodies being read may hold together.
    pub budget_bytes: usize,
    /// Bodies one client address may be sending at once.
    pub per_address: usize,
    /// Bodies all clients may be sending at once. Past it a body is refused before any of it
    /// is read: a request whose body is being read holds what actix has buffered of it too,
    /// which the byte budget alone does not see.
    pub in_flight: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits { deadline: Duration::from_secs(10), budget_bytes: 32 * 1024 * 1024, per_address: 16, in_flight: 64 }
    }
}

/// The shared state behind `BodyLimits`.
pub struct BodyGate {
    limits: BodyLimits,
    /// One permit per KiB of `budget_bytes`.
    budget: Arc<Semaphore>,
    slots: Arc<Semaphore>,
    reading: Arc<Mutex<HashMap<String, usize>>>,
}

/// Why a body was not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The body did not arrive before the deadline.
    TooSlow,
    /// The address has too many bodies in flight, or the budget stayed spent to the deadline.
    Busy,
}

/// One body's admission: its address's slot and the budget it holds, given back on drop.
pub struct Admission {
    address: String,
    reading: Arc<Mutex<HashMap<String, usize>>>,
    budget: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
    held_kib: u32,
    _slot: OwnedSemaphorePermit,
    pub deadline: tokio::time::Instant,
}

impl BodyGate {
    pub fn new(limits: BodyLimits) -> Self {
        let kib = (limits.budget_bytes / 1024).clamp(1024, Semaphore::MAX_PERMITS);
        let slots = Arc::new(Semaphore::new(limits.in_flight.clamp(1, Semaphore::MAX_PERMITS)));
        BodyGate { limits, budget: Arc::new(Semaphore::new(kib)), slots, reading: Arc::default() }
    }

    /// Lets one more body from `address` be read, or refuses at once.
    pub fn admit(&self, address: &str) -> Result<Admission, Refusal> {
        let slot = self.slots.clone().try_acquire_owned().map_err(|_| Refusal::Busy)?;
        {
            let mut reading = self.reading.lock().unwrap_or_else(|p| p.into_inner());
            let n = reading.entry(address.to_string()).or_insert(0);
            if *n >= self.limits.per_address {
                return Err(Refusal::Busy);
            }
            *n += 1;
        }
        Ok(Admission {
            address: address.to_string(),
            reading: self.reading.clone(),
            budget: self.budget.clone(),
            held: None,
            held_kib: 0,
            _slot: slot,
            deadline: tokio::time::Instant::now() + self.limits.deadline,
        })
    }
}

impl Admission {
    /// Takes budget for a body grown to `total` bytes, waiting for it up to the deadline.
    pub async fn reserve(&mut self, total: usize) -> Result<(), Refusal> {
        let want = total.div_ceil(1024) as u32;
        if want <= self.held_kib {
            return Ok(());
        }
        let more = want - self.held_kib;
        let permit = tokio::time::timeout_at(self.deadline, self.budget.clone().acquire_many_owned(more))
            .await
            .map_err(|_| Refusal::Busy)?
            .map_err(|_| Refusal::Busy)?;
        match &mut self.held {
            Some(p) => p.merge(permit),
            None => self.held = Some(permit),
        }
        self.held_kib = want;
        Ok(())
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut reading = self.reading.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = reading.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                reading.remove(&self.address);
            }
        }
    }
}
