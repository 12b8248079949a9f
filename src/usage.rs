//! API calls per workspace per month, counted for real without making every request a write:
//! calls are added up in memory and written about once a second. A crash loses at most that
//! second's count, never anything a caller was told is stored.

use crate::db::Db;
use crate::domain::{self, workspaces::WorkspaceId};
use crate::store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The calls not yet written, by workspace and month.
#[derive(Default)]
pub struct Usage {
    pending: Mutex<HashMap<(i64, String), i64>>,
    /// When each key was last used, by key id (written with the counts).
    last_used: Mutex<HashMap<String, String>>,
}

fn this_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

impl Usage {
    /// An empty counter; `jobs` flushes it to the database about once a second.
    pub fn new() -> Arc<Self> {
        Arc::new(Usage::default())
    }

    /// Counts one call made with a key.
    pub fn record(&self, ws: WorkspaceId, key_id: &str) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry((ws.0, this_month())).or_default() += 1;
        drop(p);
        let now = crate::store::now();
        let mut used = self.last_used.lock().unwrap_or_else(|e| e.into_inner());
        match used.get_mut(key_id) {
            Some(t) => *t = now,
            None => {
                used.insert(key_id.to_string(), now);
            }
        }
    }

    /// Writes what is pending.
    pub async fn flush(&self, db: &Db) {
        let batch: Vec<((i64, String), i64)> =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        let used: Vec<(String, String)> =
            std::mem::take(&mut *self.last_used.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        if batch.is_empty() && used.is_empty() {
            return;
        }
        let result = db
            .write(move |c| {
                for ((ws, month), n) in &batch {
                    store::settings::add_api_usage(c, *ws, month, *n)?;
                }
                store::api_keys::update_api_keys_last_used(c, &used)?;
                Ok::<_, store::Error>(())
            })
            .await;
        if let Err(e) = result {
            log::warn!("api usage: {e}");
        }
    }

    /// A workspace's calls this month: written plus pending.
    pub fn this_month(&self, conn: &store::Conn, ws: WorkspaceId) -> domain::Result<i64> {
        let month = this_month();
        let stored = store::settings::find_api_usage(conn, ws.0, &month)?;
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner()).get(&(ws.0, month)).copied().unwrap_or(0);
        Ok(stored + pending)
    }
}
