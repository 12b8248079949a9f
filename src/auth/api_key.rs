//! API keys: `hp_` + a 12-character key id + a 32-character secret (~190 bits).
//!
//! The key id is stored in clear and finds the row; the secret is checked against an HMAC keyed
//! by the server secret (`hash_secret`), keys from before schema 9 against their argon2 hash
//! once. A verified key is remembered in memory under a digest keyed by the server secret (never
//! the key itself), so later requests skip the row read; concurrent first requests with one key
//! share a single verification.

use super::secret::ServerSecret;
use crate::db::Db;
use crate::ids::WorkspaceId;
use crate::store;
use argon2::{PasswordHasher, PasswordVerifier};
use hmac::{Hmac, Mac};
use rand::RngExt;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
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

/// The stored form of a key's secret: an HMAC-SHA256 of key id and secret under a key derived
/// from the server secret. The secret is ~190 random bits, so a slow hash buys nothing against
/// guessing and cost the server ~25 ms of CPU per wrong guess (audit H3); an HMAC costs a
/// microsecond, and a copy of the database without the server secret verifies nothing.
pub fn hash_secret(server: &ServerSecret, parts: &KeyParts) -> String {
    format!("{HMAC_SCHEME}{}", super::secret::hex(&mac(server, &parts.key_id, &parts.secret).finalize().into_bytes()))
}

const HMAC_SCHEME: &str = "hmac-sha256$";

/// The stored form for a key made where the server secret is not at hand (the CLI, which may
/// run without the server's `HITCHPOST_SECRET`): argon2id, re-stored as an HMAC by the first
/// server that verifies it.
pub fn hash_secret_without_server(secret: &str) -> super::Result<String> {
    super::hasher()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| super::Error::Internal(format!("argon2 hash: {e}")))
}

fn mac(server: &ServerSecret, key_id: &str, secret: &str) -> Hmac<Sha256> {
    let key = server.digest(b"api key hmac", b"");
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes a key of any length");
    m.update(key_id.as_bytes());
    m.update(b".");
    m.update(secret.as_bytes());
    m
}

/// How a stored hash answers a presented secret.
enum Check {
    Match,
    Mismatch,
    /// An argon2 hash from before schema 9: verify it the slow way (once, then re-store).
    Legacy,
}

fn check_stored(server: &ServerSecret, parts: &KeyParts, stored: &str) -> Check {
    let Some(hex) = stored.strip_prefix(HMAC_SCHEME) else { return Check::Legacy };
    let Some(expected) = unhex(hex) else { return Check::Mismatch };
    // `verify_slice` compares in constant time.
    match mac(server, &parts.key_id, &parts.secret).verify_slice(&expected) {
        Ok(()) => Check::Match,
        Err(_) => Check::Mismatch,
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn verify_argon2(secret: &str, hash: &str) -> bool {
    super::hasher().verify_password(secret.as_bytes(), hash).is_ok()
}

/// Who an authenticated request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub workspace: WorkspaceId,
    pub key_id: String,
    /// What the key may do.
    pub scopes: super::Scopes,
}

#[derive(Debug, Clone)]
struct Verified {
    caller: Caller,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

type Digest = [u8; 32];
type Flight = Arc<OnceCell<Option<Verified>>>;

/// Wrong secrets a legacy (argon2) key may receive in `LEGACY_WINDOW` before further attempts
/// are refused without hashing: until its owner's next success re-stores it, such a key is
/// still slow to check, and its id is not secret.
const LEGACY_FAILURES: u32 = 5;
const LEGACY_WINDOW: Duration = Duration::from_secs(60);

/// Verifies API keys, remembering the ones it has verified.
pub struct Authenticator {
    db: Db,
    secret: ServerSecret,
    cache: RwLock<HashMap<Digest, Verified>>,
    in_flight: Mutex<HashMap<Digest, Flight>>,
    argon2_slots: Semaphore,
    legacy_failures: Mutex<HashMap<String, (Instant, u32)>>,
    /// Bumped whenever keys may have been revoked, so a verification that raced a revocation
    /// is not remembered.
    generation: AtomicU64,
    lookups: AtomicU64,
    verifies: AtomicU64,
}

impl Authenticator {
    /// Builds the authenticator (`watch_revocations` starts its watcher).
    pub fn new(db: Db, secret: ServerSecret) -> Arc<Self> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Arc::new(Authenticator {
            db,
            secret,
            cache: RwLock::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            // One core stays free for everything else while legacy hashes are checked.
            argon2_slots: Semaphore::new(cores.saturating_sub(1).max(1)),
            legacy_failures: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            lookups: AtomicU64::new(0),
            verifies: AtomicU64::new(0),
        })
    }

    /// Starts forgetting revoked keys (`jobs` calls it before the server takes requests): the
    /// count of key changes is read now, before any key can be cached, so no revocation can
    /// fall between. The watcher ends when the authenticator is dropped.
    pub fn watch_revocations(self: &Arc<Self>) {
        let changes = self.db.read_blocking(store::api_keys::key_changes).ok();
        let weak = Arc::downgrade(self);
        let _ = std::thread::Builder::new()
            .name("hitchpost-revocations".into())
            .spawn(move || watch_revocations(weak, changes));
    }

    /// The stored form of a new key's secret (`hash_secret` under this server's secret).
    pub fn hash_secret(&self, parts: &KeyParts) -> String {
        hash_secret(&self.secret, parts)
    }

    /// How many verifications read the database, and how many ran argon2, since start.
    pub fn counts(&self) -> crate::metrics::KeyCounts {
        crate::metrics::KeyCounts {
            lookups: self.lookups.load(Ordering::Relaxed),
            argon2_verifies: self.verifies.load(Ordering::Relaxed),
        }
    }

    /// Forgets one key (after its revocation); every other key stays verified.
    pub fn forget(&self, key_id: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.cache.write().unwrap_or_else(|p| p.into_inner()).retain(|_, v| v.caller.key_id != key_id);
    }

    /// Forgets every remembered key that is no longer live in the database (revoked, deleted
    /// with its workspace, or gone in a restore).
    fn forget_dead(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut ids: Vec<String> = {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            cache.values().map(|v| v.caller.key_id.clone()).collect()
        };
        ids.sort();
        ids.dedup();
        let dead: Vec<String> = ids
            .into_iter()
            .filter(|id| {
                let row = self.db.read_blocking(|c| store::api_keys::find_api_key_by_key_id(c, id));
                // A failed read forgets the key: verifying it again is the safe side.
                !matches!(row, Ok(Some(r)) if r.revoked_at.is_none())
            })
            .collect();
        if !dead.is_empty() {
            self.cache.write().unwrap_or_else(|p| p.into_inner()).retain(|_, v| !dead.contains(&v.caller.key_id));
        }
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
    pub async fn verify(&self, presented: &str) -> super::Result<Caller> {
        const REFUSED: super::Error = super::Error::Refused("the API key is invalid or revoked");
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
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let key_id = parts.key_id.clone();
        let row = self
            .db
            .read(move |c| store::api_keys::find_api_key_by_key_id(c, &key_id))
            .await
            .map_err(|e: store::Error| log::error!("api key lookup failed: {e}"))
            .ok()?;
        let Some(row) = row else {
            // The same MAC work as a known id, so timing does not tell which ids exist.
            let _ = check_stored(&self.secret, &parts, HMAC_SCHEME);
            return None;
        };
        if row.revoked_at.is_some() {
            // The same MAC work as a live key; a revoked legacy key never costs argon2 (nor is
            // it re-stored).
            let _ = check_stored(&self.secret, &parts, HMAC_SCHEME);
            return None;
        }
        let ok = match check_stored(&self.secret, &parts, &row.secret_hash) {
            Check::Match => true,
            Check::Mismatch => false,
            Check::Legacy => self.verify_legacy(&parts, &row.secret_hash).await,
        };
        if !ok {
            return None;
        }
        let expires_at = match &row.expires_at {
            Some(t) => Some(chrono::DateTime::parse_from_rfc3339(t).ok()?.with_timezone(&chrono::Utc)),
            None => None,
        };
        let scopes = super::Scopes::from_stored(&row.scopes);
        Some(Verified {
            caller: Caller { workspace: WorkspaceId(row.workspace_id), key_id: row.key_id, scopes },
            expires_at,
        })
    }

    /// argon2 for a key stored before schema 9, within a per-key failure budget; a success
    /// re-stores the key as an HMAC, so each old key pays argon2 once.
    async fn verify_legacy(&self, parts: &KeyParts, hash: &str) -> bool {
        if self.legacy_budget_spent(&parts.key_id) {
            return false;
        }
        let Ok(_slot) = self.argon2_slots.acquire().await else { return false };
        self.verifies.fetch_add(1, Ordering::Relaxed);
        let (secret, hash) = (parts.secret.clone(), hash.to_string());
        let ok = tokio::task::spawn_blocking(move || verify_argon2(&secret, &hash)).await.unwrap_or(false);
        if !ok {
            self.note_legacy_failure(&parts.key_id);
            return false;
        }
        let (key_id, new_hash) = (parts.key_id.clone(), hash_secret(&self.secret, parts));
        if let Err(e) =
            self.db.write(move |c| store::api_keys::set_secret_hash(c, &key_id, &new_hash)).await as store::Result<_>
        {
            log::warn!("could not re-store key {} as an HMAC (it stays argon2): {e}", parts.key_id);
        }
        true
    }

    fn legacy_budget_spent(&self, key_id: &str) -> bool {
        let map = self.legacy_failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key_id).is_some_and(|(since, n)| since.elapsed() < LEGACY_WINDOW && *n >= LEGACY_FAILURES)
    }

    fn note_legacy_failure(&self, key_id: &str) {
        let mut map = self.legacy_failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (since, _)| since.elapsed() < LEGACY_WINDOW);
        }
        let entry = map.entry(key_id.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= LEGACY_WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

/// Watches the database's key-change counter (bumped by a trigger on every revocation or
/// deletion, whoever makes it: this server, another one, the CLI) and forgets the keys that are
/// no longer live; ends with the authenticator. One indexed row per poll.
fn watch_revocations(auth: Weak<Authenticator>, mut seen: Option<i64>) {
    loop {
        std::thread::sleep(REVOCATION_POLL);
        let Some(auth) = auth.upgrade() else { return };
        match auth.db.read_blocking(store::api_keys::key_changes) {
            Ok(n) => {
                if seen.is_some_and(|s| s != n) {
                    auth.forget_dead();
                }
                seen = Some(n);
            }
            Err(e) => log::warn!("revocation watch: {e}"),
        }
    }
}
