//! The OAuth callback's query string, as a provider (or anyone) sends it.
#![no_main]

use hitchpost::api::connect::oauth::CallbackQuery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    if let Ok(q) = CallbackQuery::parse(query) {
        // What was read is what was sent: no value appears that the query did not hold.
        for v in [&q.code, &q.state, &q.error, &q.error_description].into_iter().flatten() {
            assert!(v.len() <= query.len());
        }
    }
});
