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
        ("HITCHPOST_DATABASE_POOL", "0", "HITCHPOST_DATABASE_POOL must be between 1 and 1000"),
        ("HITCHPOST_DATABASE_POOL", "sixteen", "HITCHPOST_DATABASE_POOL must be a whole number"),
        ("HITCHPOST_WEBHOOK_TIMEOUT_SECS", "0", "HITCHPOST_WEBHOOK_TIMEOUT_SECS must be at least 1"),
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

#[test]
fn a_configuration_printed_for_debugging_shows_no_secret() {
    let mut config = hitchpost::config::Config {
        secret: Some("the server passphrase, long enough to pass".into()),
        metrics_token: Some("metrics-scrape-token".into()),
        ..Default::default()
    };
    let oauth = hitchpost::providers::oauth::OAuthConfig {
        client_id: "linkedin-client-id".into(),
        client_secret: "linkedin-client-secret".into(),
        ..Default::default()
    };
    config.providers.oauth.insert(hitchpost::domain::platform::Platform::Linkedin, oauth);
    let shown = format!("{config:?}");
    for secret in ["the server passphrase", "metrics-scrape-token", "linkedin-client-secret"] {
        assert!(!shown.contains(secret), "{secret} is in {shown}");
    }
    assert!(shown.contains("linkedin-client-id"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}
