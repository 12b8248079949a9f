//! Who is calling: API keys (format, argon2 hashing, the verified-key cache) and the server
//! secret everything else is keyed from.

pub mod api_key;
pub mod jwt;
pub mod password;
pub mod seal;
pub mod secret;

pub use api_key::{Authenticator, Caller};
pub use secret::ServerSecret;
