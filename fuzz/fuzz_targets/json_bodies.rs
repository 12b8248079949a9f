//! Every request body of every dialect, parsed and validated as the handlers do.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hitchpost::api::parse_every_body(data);
});
