//! Presented API keys: a key either parses into parts that spell it back exactly, or is refused.
#![no_main]

use hitchpost::auth::api_key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = std::str::from_utf8(data) else { return };
    if let Some(parts) = api_key::parse(key) {
        assert_eq!(parts.to_key(), key);
    }
});
