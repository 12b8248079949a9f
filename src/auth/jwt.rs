//! JWTs: connect links and connect sessions. HS256 only (the algorithm is pinned on decode, so
//! `alg: none` or an RSA/HMAC confusion is refused), keyed from the server secret.

use super::secret::ServerSecret;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

const ISSUER: &str = "hitchpost";
/// The audience of a connect link's token.
pub const LINK_AUDIENCE: &str = "connect-link";
/// The audience of a connect session (the cookie a used link is exchanged for).
pub const SESSION_AUDIENCE: &str = "connect-session";
/// The audience of an account holder's session.
pub const HOLDER_AUDIENCE: &str = "holder-session";
/// The audience of a one-time console sign-in link (`hitchpost console-link`).
pub const CONSOLE_LINK_AUDIENCE: &str = "console-link";

/// An account holder's session: valid 7 days, and only while `epoch` is the holder's current
/// session epoch (a password change or "log out everywhere" moves it on).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HolderClaims {
    pub iss: String,
    pub aud: String,
    /// The holder's id.
    pub sub: String,
    pub epoch: i64,
    pub iat: i64,
    pub exp: i64,
    /// A console session opened by a one-time sign-in link (a lost password): it may set a
    /// new password without the current one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recovery: bool,
}

impl HolderClaims {
    pub fn new(holder_id: &str, epoch: i64, exp: i64) -> Self {
        Self::for_audience(HOLDER_AUDIENCE, holder_id, epoch, exp)
    }

    /// Claims for another holder token than a session (a console sign-in link).
    pub fn for_audience(audience: &str, holder_id: &str, epoch: i64, exp: i64) -> Self {
        HolderClaims {
            iss: ISSUER.into(),
            aud: audience.into(),
            sub: holder_id.into(),
            epoch,
            iat: chrono::Utc::now().timestamp(),
            exp,
            recovery: false,
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    Expired,
    Invalid,
}

impl JwtError {
    /// Plain words for the person holding the token.
    pub fn reason(self) -> &'static str {
        match self {
            JwtError::Expired => "Token expired",
            JwtError::Invalid => "Token is invalid or its signature does not match",
        }
    }
}

/// What a connect link or session token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConnectClaims {
    pub iss: String,
    pub aud: String,
    /// The profile's UUID.
    pub sub: String,
    /// The workspace id.
    pub ws: i64,
    /// The link's id (the session carries the id of the link it was opened from).
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

impl ConnectClaims {
    pub fn new(audience: &str, profile_id: &str, workspace: i64, jti: &str, exp: i64) -> Self {
        ConnectClaims {
            iss: ISSUER.into(),
            aud: audience.into(),
            sub: profile_id.into(),
            ws: workspace,
            jti: jti.into(),
            iat: chrono::Utc::now().timestamp(),
            exp,
        }
    }
}

/// Signs and verifies tokens.
#[derive(Clone)]
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Jwt {
    pub fn new(secret: &ServerSecret) -> Self {
        let key = secret.digest(b"jwt hs256", b"");
        Jwt { encoding: EncodingKey::from_secret(&key), decoding: DecodingKey::from_secret(&key) }
    }

    /// Signs claims.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        // HS256 over serializable claims cannot fail; an empty token would be refused anyway.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).unwrap_or_default()
    }

    /// Verifies a token meant for `audience`: signature, algorithm, issuer, expiry (no leeway).
    pub fn verify<T: DeserializeOwned>(&self, token: &str, audience: &str) -> Result<T, JwtError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_audience(&[audience]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        jsonwebtoken::decode::<T>(token, &self.decoding, &v).map(|d| d.claims).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => JwtError::Expired,
            _ => JwtError::Invalid,
        })
    }
}
