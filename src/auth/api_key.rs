//! API keys: `hp_` + a 12-character key id + a 32-character secret (~190 bits).
//!
//! The key id is stored in clear and finds the row; the secret is checked against an argon2id
//! hash. argon2 costs ~25 ms of CPU by design, so a verified key is remembered in memory under a
//! digest keyed by the server secret (never the key itself): later requests cost a hash-map
//! lookup. Concurrent first requests with one key share a single verification, and at most one
//! verification per core runs at a time, so a flood of bad keys cannot take every core.

use super::secret::ServerSecret;
use crate::db::Db;
use crate::domain::{self, workspaces::WorkspaceId};
use crate::store;
use argon2::{PasswordHasher, PasswordVerifier};
use rand::RngExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore};

const PREFIX: &str = "hp_";
const KEY_ID_LEN: usize = 12;
const SECRET_LEN: usize = 32;
/// How often a running server looks for keys revoked by another process (the CLI).
const REVOCATION_POLL: Duration = Duration::from_millis(250);

/// A key split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParts {
    pub key_id: String,
    pub secret: String,
}

/// Splits a presented key; `None` when it cannot be one of ours.
pub fn parse(key: &str) -> Option<KeyParts> {
    let rest = key.strip_prefix(PREFIX)?;
    if rest.len() != KEY_ID_LEN + SECRET_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (id, secret) = rest.split_at(KEY_ID_LEN);
    if !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return None;
    }
    Some(KeyParts { key_id: id.to_string(), secret: secret.to_string() })
}

/// Makes a new random key.
pub fn generate() -> KeyParts {
    let mut rng = rand::rng();
    const ID_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let key_id = (0..KEY_ID_LEN).map(|_| ID_CHARS[rng.random_range(0..ID_CHARS.len())] as char).collect();
    let secret = (0..SECRET_LEN).map(|_| rng.sample(rand::distr::Alphanumeric) as char).collect();
    KeyParts { key_id, secret }
}

/// The key that `--dev` prints: derived from the server secret, so it is the same at every
/// start on the same database.
pub fn dev_key(secret: &ServerSecret) -> KeyParts {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let id_bytes = secret.digest(b"dev key id", b"");
    let secret_bytes = secret.digest(b"dev key secret", b"");
    let key_id = id_bytes[..KEY_ID_LEN].iter().map(|b| ALNUM[26 + (*b as usize % 36)] as char);
    let secret_part = secret_bytes.iter().map(|b| ALNUM[*b as usize % ALNUM.len()] as char);
    KeyParts { key_id: key_id.map(|c| c.to_ascii_lowercase()).collect(), secret: secret_part.collect() }
}

impl KeyParts {
    /// The whole key, as handed to its owner.
    pub fn to_key(&self) -> String {
        format!("{PREFIX}{}{}", self.key_id, self.secret)
    }
}

/// Hashes a secret with argon2id at OWASP parameters (see `auth::hasher`).
pub fn hash_secret(secret: &str) -> domain::Result<String> {
    super::hasher()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| domain::Error::Internal(format!("argon2 hash: {e}")))
}

fn verify_secret(secret: &str, hash: &str) -> bool {
    super::hasher().verify_password(secret.as_bytes(), hash).is_ok()
}

/// Who an authenticated request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub workspace: WorkspaceId,
    pub key_id: String,
}

#[derive(Debug, Clone)]
struct Verified {
    caller: Caller,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

type Digest = [u8; 32];
type Flight = Arc<OnceCell<Option<Verified>>>;

/// Verifies API keys, remembering the ones it has verified.
pub struct Authenticator {
    db: Db,
    secret: ServerSecret,
    cache: RwLock<HashMap<Digest, Verified>>,
    in_flight: Mutex<HashMap<Digest, Flight>>,
    argon2_slots: Semaphore,
    /// Bumped whenever the cache is cleared, so a verification that raced a revocation is
    /// not remembered.
    generation: AtomicU64,
    verifies: AtomicU64,
}

impl Authenticator {
    /// Builds the authenticator and starts its revocation watcher.
    pub fn start(db: Db, secret: ServerSecret) -> Arc<Self> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let auth = Arc::new(Authenticator {
            db,
            secret,
            cache: RwLock::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            argon2_slots: Semaphore::new(cores),
            generation: AtomicU64::new(0),
            verifies: AtomicU64::new(0),
        });
        // Counted before any key can be cached, so no revocation can fall between.
        let revoked = auth.db.read_blocking(store::api_keys::count_revoked_api_keys).ok();
        let weak = Arc::downgrade(&auth);
        let _ = std::thread::Builder::new()
            .name("hitchpost-revocations".into())
            .spawn(move || watch_revocations(weak, revoked));
        auth
    }

    /// How many argon2 verifications have run since start.
    pub fn argon2_verifies(&self) -> u64 {
        self.verifies.load(Ordering::Relaxed)
    }

    /// Forgets every verified key (after a revocation).
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.cache.write().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The key id of a presented key this authenticator has already verified (and that has not
    /// lapsed), without verifying anything: for choosing a rate-limit bucket, which an
    /// unverified key id must not pick (anyone knowing an id could use up that key's allowance).
    pub fn verified_key_id(&self, presented: &str) -> Option<String> {
        parse(presented)?;
        let digest = self.secret.digest(b"api key cache", presented.as_bytes());
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        let v = cache.get(&digest)?;
        match v.expires_at {
            Some(t) if t <= chrono::Utc::now() => None,
            _ => Some(v.caller.key_id.clone()),
        }
    }

    /// Checks a presented key; `Unauthorized` for a malformed, unknown, wrong, expired or
    /// revoked key alike, so a caller learns nothing about which.
    pub async fn verify(&self, presented: &str) -> domain::Result<Caller> {
        const REFUSED: domain::Error = domain::Error::Unauthorized("the API key is invalid or revoked");
        let parts = parse(presented).ok_or(REFUSED)?;
        let digest = self.secret.digest(b"api key cache", presented.as_bytes());
        let now = chrono::Utc::now();
        let cached = self.cache.read().unwrap_or_else(|p| p.into_inner()).get(&digest).cloned();
        if let Some(v) = cached {
            return match v.expires_at {
                Some(t) if t <= now => Err(REFUSED),
                _ => Ok(v.caller),
            };
        }
        let flight = {
            let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(digest).or_default().clone()
        };
        let generation = self.generation.load(Ordering::SeqCst);
        let result = flight.get_or_init(|| self.verify_uncached(parts)).await.clone();
        {
            let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            if map.get(&digest).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
                map.remove(&digest);
            }
        }
        let v = result.ok_or(REFUSED)?;
        if v.expires_at.is_some_and(|t| t <= now) {
            return Err(REFUSED);
        }
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            cache.insert(digest, v.clone());
        }
        Ok(v.caller)
    }

    async fn verify_uncached(&self, parts: KeyParts) -> Option<Verified> {
        let key_id = parts.key_id.clone();
        let row = self
            .db
            .read(move |c| store::api_keys::find_api_key_by_key_id(c, &key_id))
            .await
            .map_err(|e: store::Error| log::error!("api key lookup failed: {e}"))
            .ok()??;
        if row.revoked_at.is_some() {
            return None;
        }
        let _slot = self.argon2_slots.acquire().await.ok()?;
        self.verifies.fetch_add(1, Ordering::Relaxed);
        let hash = row.secret_hash.clone();
        let ok = tokio::task::spawn_blocking(move || verify_secret(&parts.secret, &hash)).await.unwrap_or(false);
        if !ok {
            return None;
        }
        let expires_at = match &row.expires_at {
            Some(t) => Some(chrono::DateTime::parse_from_rfc3339(t).ok()?.with_timezone(&chrono::Utc)),
            None => None,
        };
        Some(Verified { caller: Caller { workspace: WorkspaceId(row.workspace_id), key_id: row.key_id }, expires_at })
    }
}

/// Clears the cache whenever the number of revoked keys changes; ends with the authenticator.
fn watch_revocations(auth: Weak<Authenticator>, mut seen: Option<i64>) {
    loop {
        std::thread::sleep(REVOCATION_POLL);
        let Some(auth) = auth.upgrade() else { return };
        match auth.db.read_blocking(store::api_keys::count_revoked_api_keys) {
            Ok(n) => {
                if seen.is_some_and(|s| s != n) {
                    auth.forget_all();
                }
                seen = Some(n);
            }
            Err(e) => log::warn!("revocation watch: {e}"),
        }
    }
}
