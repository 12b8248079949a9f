//! The product's rules, independent of any wire format: validated types, operations over the
//! store, and the one error every dialect renders in its own way.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod connect;
pub mod documents;
pub mod holders;
pub mod platform;
pub mod profiles;
pub mod settings;
pub mod webhooks;
pub mod workspaces;

use crate::store;

/// Why an operation did not succeed. Field names are the native API's (camelCase); a dialect
/// that spells a field differently renames it when it renders the error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// No such thing in the caller's workspace (another workspace's ids are not found either).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value that must be unique is already used.
    #[error("{field} is already used by another {resource}")]
    Conflict { resource: &'static str, field: &'static str },
    /// Input failed validation.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The workspace's plan allows no more of something.
    #[error("the plan's limit of {limit} profiles is reached")]
    PlanLimit { limit: i64 },
    /// A workspace or holder has as many of something as it may have (keys, webhooks,
    /// documents): a state to change (delete one), not a plan to buy.
    #[error("the limit of {limit} {what} is reached; delete one first")]
    LimitReached { what: &'static str, limit: i64 },
    /// The write would take the holder past their storage limit.
    #[error("{0}")]
    StorageFull(String),
    /// The server's disk is below its free-space floor: large writes wait for the operator.
    #[error("the server is short of disk space; large writes are refused until its operator frees some")]
    DiskLow,
    /// The workspace's trial has ended: reads work, new profiles do not.
    #[error("the workspace's trial ended on {ended}; ask the operator for a plan")]
    TrialExpired { ended: String },
    /// Missing or bad credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but not allowed (sign-up closed, ...).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The API key lacks the scope the route needs.
    #[error("this API key lacks the `{0}` scope this route needs")]
    MissingScope(crate::auth::Scope),
    /// The linked account must be linked again by its owner before it can be used.
    #[error("the {platform} account {account} must be linked again by its owner: {reason}")]
    NeedsReconnect { account: String, platform: &'static str, reason: String },
    /// A provider refused the credentials the person gave (wrong app password, ...).
    #[error("{0}")]
    Credentials(String),
    /// A provider could not be reached or failed; trying again later may work.
    #[error("{0}")]
    Upstream(String),
    /// Too many requests; try again after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    /// Something failed on our side; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::auth::Error> for Error {
    fn from(e: crate::auth::Error) -> Self {
        match e {
            crate::auth::Error::Refused(why) => Error::Unauthorized(why),
            crate::auth::Error::Internal(cause) => Error::Internal(cause),
        }
    }
}

impl Error {
    /// An `Invalid` error for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid { field: field.into(), reason: reason.into() }
    }
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Self {
        Error::Internal(e.to_string())
    }
}

/// Result of a domain operation.
pub type Result<T> = std::result::Result<T, Error>;

/// Checks that `s` has between `min` and `max` characters and no control characters.
pub(crate) fn check_text(field: &str, s: &str, min: usize, max: usize) -> Result<()> {
    let n = s.chars().count();
    if n < min {
        return Err(Error::invalid(field, format!("must have at least {min} character(s)")));
    }
    if n > max {
        return Err(Error::invalid(field, format!("must have at most {max} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    // Invisible characters make two values that look the same differ (`user-42` and
    // `user-42` + U+200B are two unique values) and bidi overrides make text read backwards.
    if s.chars().any(is_invisible) {
        return Err(Error::invalid(field, "must not contain invisible or direction-changing characters"));
    }
    Ok(())
}

/// `s` in Unicode NFC: text that reads the same is stored the same (a composed "é" and an "e"
/// with a combining accent are otherwise two unique values).
pub(crate) fn nfc(s: &str) -> String {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(s).into_owned()
}

/// Zero-width spaces, direction marks, embeddings, overrides and isolates, word joiners and
/// the byte-order mark. The zero-width joiner and non-joiner stay: emoji sequences and
/// Persian, Hindi and other scripts need them.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
