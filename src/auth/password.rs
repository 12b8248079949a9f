//! Account holders' passwords: argon2id at OWASP parameters, off the async executor, with at
//! most one hash per core at a time so a flood of sign-ins cannot take every core.

use super::{Error, Result};
use argon2::{PasswordHasher, PasswordVerifier};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

/// A hash to verify against when the account does not exist, so a wrong email costs the same
/// time as a wrong password (no account enumeration by timing).
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| super::hasher().hash_password(b"decoy password").map(|h| h.to_string()).unwrap_or_default())
}

/// Hashes a password on the calling thread (the CLI).
pub fn hash_blocking(password: &str) -> Result<String> {
    super::hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Hashes a password.
pub async fn hash(password: String) -> Result<String> {
    let _slot = slots().acquire().await.map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || super::hasher().hash_password(password.as_bytes()).map(|h| h.to_string()))
        .await
        .map_err(|e| Error::Internal(format!("password hashing task: {e}")))?
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Whether a stored hash was made with other argon2 parameters than today's (`auth::hasher`),
/// so that a successful sign-in should store it again.
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = argon2::PasswordHash::new(hash) else { return false };
    let Ok(params) = argon2::Params::try_from(&parsed) else { return true };
    let current = super::hasher();
    let now = current.params();
    parsed.algorithm.as_str() != "argon2id"
        || params.m_cost() != now.m_cost()
        || params.t_cost() != now.t_cost()
        || params.p_cost() != now.p_cost()
}

/// Checks a password against a stored hash (or against a decoy when there is none).
pub async fn verify(password: String, hash: Option<String>) -> Result<bool> {
    let _slot = slots().acquire().await.map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let target = hash.as_deref().unwrap_or_else(|| decoy());
        let ok = super::hasher().verify_password(password.as_bytes(), target).is_ok();
        ok && hash.is_some()
    })
    .await
    .map_err(|e| Error::Internal(format!("password task: {e}")))
}
