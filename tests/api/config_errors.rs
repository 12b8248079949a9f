//! A setting given a value the server does not take stops it at start, naming the variable,
//! instead of the default being used in silence.

#[test]
fn a_malformed_setting_stops_the_server_at_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("HITCHPOST_RATE_PER_IP", "20O", "HITCHPOST_RATE_PER_IP must be a whole number, not \"20O\""),
        ("HITCHPOST_BODY_DEADLINE_SECS", "10s", "HITCHPOST_BODY_DEADLINE_SECS must be a whole number"),
        ("HITCHPOST_STORAGE_LIMIT_MB", "1GB", "HITCHPOST_STORAGE_LIMIT_MB must be a whole number"),
        ("HITCHPOST_TRUST_PROXY", "maybe", "HITCHPOST_TRUST_PROXY must be true or false"),
        ("HITCHPOST_SIGNUP", "closd", "HITCHPOST_SIGNUP must be open or closed"),
        ("HITCHPOST_TRUSTED_PROXIES", "10.0.0.0/33", "HITCHPOST_TRUSTED_PROXIES"),
    ];
    for (var, value, message) in cases {
        let out = std::process::Command::new(crate::helpers::server_binary())
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("h.db"))
            .env(var, value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}={value} was taken");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{var}={value}: {err}");
    }
}
