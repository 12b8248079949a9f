//! Who is calling: API keys (format, argon2 hashing, the verified-key cache) and the server
//! secret everything else is keyed from.

/// The argon2id hasher for API key secrets and passwords: OWASP's m=7 MiB, t=5, p=1, one of
/// the five settings its cheat sheet lists as equally strong (19 MiB with t=2 is another). The
/// small-memory one suits a server meant to live in 50 MB: two hashes at once (one per core)
/// take 14 MiB, not 38. Verification reads the parameters from the stored hash, so hashes made
/// with other settings keep verifying.
pub fn hasher() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(7 * 1024, 5, 1, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

pub mod api_key;
pub mod jwt;
pub mod password;
pub mod scopes;
pub mod seal;
pub mod secret;

pub use api_key::{Authenticator, Caller};
pub use scopes::{Scope, Scopes};

/// Why authentication did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The credential is refused; the message is all a caller is told (the same for every
    /// reason, so they learn nothing about which).
    #[error("{0}")]
    Refused(&'static str),
    /// Hashing failed or a task died; the cause is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What authentication returns.
pub type Result<T> = std::result::Result<T, Error>;
pub use secret::ServerSecret;
