//! Connect-link, connect-session and holder-session tokens: whatever arrives, verification
//! answers Ok or Err and never panics — also for well-signed tokens whose claims are anything.
#![no_main]

use hitchpost::auth::ServerSecret;
use hitchpost::auth::jwt::{ConnectClaims, HOLDER_AUDIENCE, HolderClaims, Jwt, LINK_AUDIENCE, SESSION_AUDIENCE};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn jwt() -> &'static Jwt {
    static JWT: OnceLock<Jwt> = OnceLock::new();
    JWT.get_or_init(|| Jwt::new(&ServerSecret::from_passphrase("fuzz")))
}

fuzz_target!(|data: &[u8]| {
    let jwt = jwt();
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = jwt.verify::<ConnectClaims>(token, LINK_AUDIENCE);
        let _ = jwt.verify::<ConnectClaims>(token, SESSION_AUDIENCE);
        let _ = jwt.verify::<HolderClaims>(token, HOLDER_AUDIENCE);
    }
    // Claims a forger could not sign, to reach the claim parsing behind the signature check.
    if let Ok(claims) = serde_json::from_slice::<serde_json::Value>(data) {
        let token = jwt.sign(&claims);
        let _ = jwt.verify::<ConnectClaims>(&token, LINK_AUDIENCE);
        let _ = jwt.verify::<HolderClaims>(&token, HOLDER_AUDIENCE);
    }
});
