//! Single flight: callers that ask for the same key while a run for it is under way wait for
//! that run and share its outcome, instead of starting their own.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Flight<V> = Arc<OnceCell<V>>;

/// The runs under way in this process, by key.
pub struct Flights<K, V> {
    running: Mutex<HashMap<K, Flight<V>>>,
}

impl<K, V> Default for Flights<K, V> {
    fn default() -> Self {
        Flights { running: Mutex::default() }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Flights<K, V> {
    /// Runs `run` for `key`, unless a run for it is under way: then waits for that one's outcome.
    pub async fn run<F: Future<Output = V>>(&self, key: K, run: impl FnOnce() -> F) -> V {
        let flight = self.join(key.clone());
        let outcome = flight.get_or_init(run).await.clone();
        self.land(&key, &flight);
        outcome
    }

    fn join(&self, key: K) -> Flight<V> {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default().clone()
    }

    /// Forgets a finished flight, unless a newer one already took its place.
    fn land(&self, key: &K, flight: &Flight<V>) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.get(key).is_some_and(|f| Arc::ptr_eq(f, flight)) {
            running.remove(key);
        }
    }
}
