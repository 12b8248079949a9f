//! Linking accounts: sandbox and Bluesky through the API, OAuth against a fake provider,
//! refresh, and no token anywhere it should not be.

use crate::fakes::{self, GOOD_APP_PASSWORD, RefreshMode};
use crate::helpers::{TestApp, send, spawn_app, spawn_app_with, spawn_binary_with};
use hitchpost::domain::platform::Platform;
use hitchpost::providers::oauth::OAuthConfig;
use serde_json::json;

fn profile(app: &TestApp, key: &str) -> String {
    app.new_profile(key, "Linker")["id"].as_str().unwrap().to_string()
}

/// LinkedIn's OAuth pointed at the fake provider.
pub(crate) fn fake_linkedin(provider: &str) -> OAuthConfig {
    OAuthConfig {
        client_id: "fake-client".into(),
        client_secret: "fake-secret".into(),
        authorize_url: Some(format!("{provider}/authorize")),
        token_url: Some(format!("{provider}/token")),
        identity_url: Some(format!("{provider}/me")),
        scopes: None,
        revoke_url: Some(format!("{provider}/revoke")),
        // The generic fake insists on PKCE; LinkedIn's own web flow is sent none.
        pkce: Some(true),
        ..Default::default()
    }
}

pub(crate) fn oauth_app(provider: &str) -> TestApp {
    let config = fake_linkedin(provider);
    spawn_app_with(move |c| {
        c.providers.oauth.insert(Platform::Linkedin, config);
    })
}

#[test]
fn sandbox_accounts_link_through_the_api_only_where_the_sandbox_is_on() {
    let off = spawn_app();
    let key = off.key("acme");
    let id = profile(&off, &key);
    let res = off.link_account(&key, &id, &json!({"platform": "tiktok", "sandbox": true}));
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "sandbox");

    let on = spawn_app_with(|c| c.providers.sandbox = true);
    let key = on.key("acme");
    let id = profile(&on, &key);
    let res = on.link_account(&key, &id, &json!({"platform": "tiktok", "sandbox": true}));
    assert_eq!(res.status, 201, "{}", res.text);
    let a = &res.body;
    assert_eq!(a["platform"], "tiktok");
    assert_eq!(a["sandbox"], true);
    assert_eq!(a["needsReconnect"], false);
    assert!(a["username"].as_str().unwrap().starts_with("sandbox_tiktok_"));
    assert!(a["daysUntilExpiry"].as_i64().unwrap() >= 59);
    for field in ["platformUserId", "displayName", "profileUrl", "imageUrl", "type", "connectedAt", "expiresAt"] {
        assert!(!a[field].is_null(), "{field}");
    }
    // Deterministic: the same profile gets the same identity again.
    let again = on.link_account(&key, &id, &json!({"platform": "tiktok", "sandbox": true}));
    assert_eq!(again.body["platformUserId"], a["platformUserId"]);
    let list = on.list_accounts(&key, &id);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1, "one account per platform");
    assert_eq!(on.unlink_account(&key, &id, "tiktok").status, 204);
    assert_eq!(on.unlink_account(&key, &id, "tiktok").status, 404);
    assert_eq!(on.list_accounts(&key, &id).body["data"], json!([]));
    assert_eq!(on.unlink_account(&key, &id, "myspace").status, 400);
}

#[test]
fn an_oauth_platform_cannot_be_linked_by_api_without_consent() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let res = app.link_account(&key, &id, &json!({"platform": "linkedin"}));
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "platform");
}

#[test]
fn bluesky_links_with_an_app_password_against_the_pds() {
    let pds = fakes::pds();
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let res = app.link_account(
        &key,
        &id,
        &json!({"platform": "bluesky", "handle": "@alice.test",
        "appPassword": GOOD_APP_PASSWORD, "pdsUrl": pds.base}),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["platformUserId"], "did:plc:fake123");
    assert_eq!(res.body["username"], "alice.test");
    assert_eq!(res.body["displayName"], "Fake Sky");
    assert_eq!(res.body["imageUrl"], "https://cdn.example.com/sky.jpg");
    assert_eq!(res.body["profileUrl"], "https://bsky.app/profile/alice.test");
    assert!(!res.text.contains("SECRETTOKEN"));
    assert_eq!(app.get_profile(&key, &id).body["accounts"], json!(["bluesky"]));
}

#[test]
fn bluesky_with_a_wrong_password_gets_400_and_stores_nothing() {
    let pds = fakes::pds();
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let res = app.link_account(
        &key,
        &id,
        &json!({"platform": "bluesky", "handle": "alice.test",
        "appPassword": "wrong", "pdsUrl": pds.base}),
    );
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:credentials-refused");
    assert!(res.body["detail"].as_str().unwrap().contains("Invalid identifier or password"));
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
    for (body, field) in [
        (json!({"platform": "bluesky", "appPassword": "x", "pdsUrl": pds.base}), "handle"),
        (json!({"platform": "bluesky", "handle": "a.test", "pdsUrl": pds.base}), "appPassword"),
        (json!({"platform": "bluesky", "handle": "a.test", "appPassword": "x", "pdsUrl": "javascript:x"}), "pdsUrl"),
    ] {
        let res = app.link_account(&key, &id, &body);
        assert_eq!(res.status, 400);
        assert_eq!(res.problem_field(), field, "{}", res.text);
    }
}

#[test]
fn link_account_returns_400_naming_pds_url_when_the_named_pds_cannot_be_reached_but_502_for_the_default() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    let app = spawn_app_with(|c| c.providers.bluesky_pds = "http://127.0.0.1:9".into());
    let key = app.key("acme");
    let id = profile(&app, &key);
    let body = json!({"platform": "bluesky", "handle": "a.test", "appPassword": "x", "pdsUrl": "http://127.0.0.1:9"});
    let res = app.link_account(&key, &id, &body);
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.problem_field(), "pdsUrl");
    assert!(res.body["detail"].as_str().unwrap().contains("could not be reached"), "{}", res.text);
    // The operator's own PDS being down is the server's upstream failing.
    let res = app.link_account(&key, &id, &json!({"platform": "bluesky", "handle": "a.test", "appPassword": "x"}));
    assert_eq!(res.status, 502, "{}", res.text);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:upstream");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
}

#[test]
fn a_pds_on_a_private_address_is_refused_unless_allowed() {
    let app = spawn_app_with(|c| c.providers.allow_private_outbound = false);
    let key = app.key("acme");
    let id = profile(&app, &key);
    for pds in ["http://127.0.0.1:9", "http://10.0.0.1", "http://169.254.169.254", "http://[::1]:80"] {
        let res = app.link_account(
            &key,
            &id,
            &json!({"platform": "bluesky", "handle": "a.test", "appPassword": "x", "pdsUrl": pds}),
        );
        assert_eq!(res.status, 400, "{pds}: {}", res.text);
        assert_eq!(res.problem_field(), "pdsUrl");
    }
}

/// Runs the page's OAuth round trip; returns the callback's answer.
pub(crate) fn oauth_round_trip(app: &TestApp, cookie: &str, deny: bool) -> crate::helpers::Res {
    let start = app.page_start_oauth(cookie, "linkedin");
    assert_eq!(start.status, 302, "{}", start.text);
    let mut authorize = start.location().to_string();
    let q: std::collections::HashMap<_, _> = url::Url::parse(&authorize).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["client_id"], "fake-client");
    assert_eq!(q["redirect_uri"], format!("{}/connect/callback/linkedin", app.base));
    assert!(q["state"].len() >= 32);
    if deny {
        authorize.push_str("&deny=1");
    }
    let consent = send("", "GET", &authorize, &[], None);
    assert_eq!(consent.status, 302);
    app.get_url(consent.location(), Some(cookie))
}

#[test]
fn oauth_links_an_account_through_the_page() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = profile(&app, &key);
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    let session = app.page_session(&cookie).body;
    let linkedin =
        session["platforms"].as_array().unwrap().iter().find(|p| p["platform"] == "linkedin").unwrap().clone();
    assert_eq!(linkedin["method"], "oauth");
    // Without credentials or the sandbox, other OAuth platforms are not offered.
    assert!(!session["platforms"].as_array().unwrap().iter().any(|p| p["platform"] == "x"));
    let back = oauth_round_trip(&app, &cookie, false);
    assert_eq!(back.status, 303, "{}", back.text);
    assert_eq!(back.location(), "/connect/app?linked=linkedin");
    let accounts = app.list_accounts(&key, &id).body;
    let a = &accounts["data"][0];
    assert_eq!(a["platform"], "linkedin");
    assert_eq!(a["platformUserId"], "fake-user-1");
    assert_eq!(a["displayName"], "Fake Person");
    // LinkedIn has no handles: the email is not shown as one.
    assert!(a["username"].is_null(), "{a}");
    assert_eq!(a["imageUrl"], "https://cdn.example.com/fake.png");
    // Refreshable, and the provider stated no refresh-token lifetime: the link does not lapse.
    assert!(a["daysUntilExpiry"].is_null(), "{a}");
    assert!(!accounts.to_string().contains("SECRETTOKEN"));
}

#[test]
fn oauth_denied_consent_is_shown_on_the_page_and_links_nothing() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = profile(&app, &key);
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    let back = oauth_round_trip(&app, &cookie, true);
    assert_eq!(back.status, 303);
    assert!(back.location().starts_with("/connect/app?error="), "{}", back.location());
    let shown: String = url::form_urlencoded::parse(back.location().split('?').nth(1).unwrap().as_bytes())
        .find(|(k, _)| k == "error")
        .unwrap()
        .1
        .into_owned();
    assert!(shown.contains("declined"), "{shown}");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
}

#[test]
fn oauth_callback_refuses_a_state_mismatch_and_a_reused_code() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = profile(&app, &key);
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    // A state this server never handed out.
    let res = app.get_url("/connect/callback/linkedin?code=code-1&state=forged", Some(&cookie));
    assert_eq!(res.status, 400);
    assert!(res.text.contains("does not match"), "{}", res.text);
    // A good round trip, then the same callback again: the state is used up.
    let start = app.page_start_oauth(&cookie, "linkedin");
    let consent = send("", "GET", start.location(), &[], None);
    let callback = consent.location().to_string();
    assert_eq!(app.get_url(&callback, Some(&cookie)).status, 303);
    let replay = app.get_url(&callback, Some(&cookie));
    assert_eq!(replay.status, 400, "{}", replay.text);
    // The code itself is refused by the provider when reused under a fresh state.
    let start = app.page_start_oauth(&cookie, "linkedin");
    let state: String =
        url::Url::parse(start.location()).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let used_code: String =
        url::Url::parse(&callback).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let res = app.get_url(&format!("/connect/callback/linkedin?code={used_code}&state={state}"), Some(&cookie));
    assert_eq!(res.status, 303);
    assert!(res.location().contains("error="), "{}", res.location());
    // The page is told the category only; the provider's words stay in the log.
    assert!(res.location().contains("error=refused"), "{}", res.location());
    assert!(!res.location().contains("invalid_grant"), "{}", res.location());
}

pub(crate) fn linked_oauth_account(app: &TestApp, key: &str) -> String {
    let id = profile(app, key);
    let cookie = app.open_session(app.new_link(key, &id, &json!({}))["url"].as_str().unwrap());
    assert_eq!(oauth_round_trip(app, &cookie, false).status, 303);
    id
}

#[test]
fn refresh_success_stores_new_tokens() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    let res = app.refresh_account(&key, &id, "linkedin");
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["outcome"], "refreshed");
    assert_eq!(res.body["account"]["needsReconnect"], false);
    assert_eq!(provider.state.lock().unwrap().refresh_calls, 1);
    // The new refresh token is the one used next time (the fake refuses unknown ones).
    assert_eq!(app.refresh_account(&key, &id, "linkedin").body["outcome"], "refreshed");
}

#[test]
fn a_transient_refresh_failure_keeps_the_account_linked() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    provider.state.lock().unwrap().refresh_mode = RefreshMode::Unavailable;
    let res = app.refresh_account(&key, &id, "linkedin");
    assert_eq!(res.status, 200);
    assert_eq!(res.body["outcome"], "postponed");
    assert!(res.body["reason"].as_str().unwrap().contains("503"));
    assert_eq!(res.body["account"]["needsReconnect"], false);
    assert_eq!(app.list_accounts(&key, &id).body["data"][0]["needsReconnect"], false);
}

#[test]
fn an_invalid_grant_on_refresh_marks_the_account_for_reconnect_and_reconnecting_keeps_it() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    provider.state.lock().unwrap().refresh_mode = RefreshMode::InvalidGrant;
    let res = app.refresh_account(&key, &id, "linkedin");
    assert_eq!(res.body["outcome"], "needs_reconnect");
    let a = &app.list_accounts(&key, &id).body["data"][0];
    assert_eq!(a["needsReconnect"], true);
    assert!(a["reconnectReason"].as_str().unwrap().contains("invalid_grant"));
    let connected_at = a["connectedAt"].clone();
    // Reconnecting through a new link clears the flag on the same account.
    provider.state.lock().unwrap().refresh_mode = RefreshMode::Ok;
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    let page = app.page_session(&cookie).body;
    let entry = page["platforms"].as_array().unwrap().iter().find(|p| p["platform"] == "linkedin").unwrap().clone();
    assert_eq!(entry["account"]["needsReconnect"], true);
    assert_eq!(oauth_round_trip(&app, &cookie, false).status, 303);
    let after = app.list_accounts(&key, &id).body;
    assert_eq!(after["data"].as_array().unwrap().len(), 1);
    assert_eq!(after["data"][0]["needsReconnect"], false);
    assert!(after["data"][0]["reconnectReason"].is_null());
    assert_ne!(after["data"][0]["connectedAt"], connected_at);
}

#[test]
fn a_successful_refresh_clears_needs_reconnect() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    provider.state.lock().unwrap().refresh_mode = RefreshMode::InvalidGrant;
    assert_eq!(app.refresh_account(&key, &id, "linkedin").body["outcome"], "needs_reconnect");
    // The provider takes the token again (it was a passing refusal): the account is healthy.
    provider.state.lock().unwrap().refresh_mode = RefreshMode::Ok;
    let res = app.refresh_account(&key, &id, "linkedin");
    assert_eq!(res.body["outcome"], "refreshed", "{}", res.text);
    assert_eq!(res.body["account"]["needsReconnect"], false, "{}", res.text);
    assert!(res.body["account"]["reconnectReason"].is_null(), "{}", res.text);
}

#[test]
fn a_refusal_of_tokens_already_replaced_does_not_mark_the_relinked_account() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    {
        let mut st = provider.state.lock().unwrap();
        st.refresh_mode = RefreshMode::InvalidGrant;
        st.refresh_delay_ms = 1500;
    }
    std::thread::scope(|s| {
        let slow = s.spawn(|| app.refresh_account(&key, &id, "linkedin"));
        // While the provider thinks about the old tokens, the person links the account again.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
        assert_eq!(oauth_round_trip(&app, &cookie, false).status, 303);
        let res = slow.join().unwrap();
        assert_eq!(res.body["outcome"], "needs_reconnect", "the provider refused the old tokens: {}", res.text);
    });
    let a = &app.list_accounts(&key, &id).body["data"][0];
    assert_eq!(a["needsReconnect"], false, "the stale refusal did not land on the new link: {a}");
}

#[test]
fn the_background_refresher_refreshes_tokens_about_to_lapse() {
    let provider = fakes::oauth_provider();
    let base = provider.base.clone();
    let app = spawn_app_with(move |c| {
        c.refresh_interval = std::time::Duration::from_millis(200);
        // Every fake token lapses within the hour: all are due.
        c.refresh_window = std::time::Duration::from_secs(2 * 3600);
        c.providers.oauth.insert(Platform::Linkedin, fake_linkedin(&base));
    });
    let key = app.key("acme");
    linked_oauth_account(&app, &key);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while provider.state.lock().unwrap().refresh_calls == 0 {
        assert!(std::time::Instant::now() < deadline, "the refresher never ran");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn no_response_or_log_line_contains_a_provider_token() {
    let provider = fakes::oauth_provider();
    let pds = fakes::pds();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leak.db");
    let log = dir.path().join("server.log");
    let p = &provider.base;
    let (authorize, token, me) = (format!("{p}/authorize"), format!("{p}/token"), format!("{p}/me"));
    // The proxy's platform refuses the first call (401): a refresh and a retry happen inside it.
    let upstream = crate::upstream::Upstream::start();
    let refused_once = std::sync::atomic::AtomicBool::new(false);
    upstream.answer(move |_| {
        let status = if refused_once.swap(true, std::sync::atomic::Ordering::SeqCst) { 200 } else { 401 };
        crate::upstream::Reply::json(status, &json!({"ok": status == 200}))
    });
    let server = spawn_binary_with(
        &db,
        &[],
        &[
            ("HITCHPOST_OAUTH_LINKEDIN_CLIENT_ID", "fake-client"),
            ("HITCHPOST_OAUTH_LINKEDIN_CLIENT_SECRET", "fake-secret"),
            ("HITCHPOST_OAUTH_LINKEDIN_AUTHORIZE_URL", &authorize),
            ("HITCHPOST_OAUTH_LINKEDIN_TOKEN_URL", &token),
            ("HITCHPOST_OAUTH_LINKEDIN_IDENTITY_URL", &me),
            ("HITCHPOST_OAUTH_LINKEDIN_PKCE", "true"),
            ("HITCHPOST_OAUTH_LINKEDIN_API_URL", &upstream.base),
            ("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", "true"),
        ],
        Some(&log),
    );
    let key = crate::helpers::create_key(&db, "acme", None);
    let base = server.base.clone();
    let call = |m: &str, path: &str, body: Option<serde_json::Value>| {
        let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
        send(&base, m, path, &headers, body.map(|b| b.to_string().into_bytes()))
    };
    let mut seen = String::new();
    let id = call("POST", "/v1/profiles", Some(json!({"name": "leak"}))).body["id"].as_str().unwrap().to_string();
    let link = call("POST", &format!("/v1/profiles/{id}/connect-links"), Some(json!({}))).body;
    let opened = send(&base, "POST", link["url"].as_str().unwrap().strip_prefix(&base).unwrap(), &[], None);
    let cookie = opened.cookie("hp_connect").unwrap();
    let start = send(&base, "GET", "/connect/start/linkedin", &[("cookie", &cookie)], None);
    let consent = send("", "GET", start.location(), &[], None);
    let back = send(&base, "GET", consent.location().strip_prefix(&base).unwrap(), &[("cookie", &cookie)], None);
    assert_eq!(back.status, 303);
    seen += &send(&base, "GET", "/connect/api/session", &[("cookie", &cookie)], None).text;
    let bsky = json!({"platform": "bluesky", "handle": "a.test", "appPassword": GOOD_APP_PASSWORD, "pdsUrl": pds.base});
    seen += &call("POST", &format!("/v1/profiles/{id}/accounts"), Some(bsky)).text;
    seen += &call("POST", &format!("/v1/profiles/{id}/accounts/linkedin/refresh"), None).text;
    for path in [format!("/v1/profiles/{id}"), format!("/v1/profiles/{id}/accounts"), "/v1/profiles".into()] {
        seen += &call("GET", &path, None).text;
    }
    seen += &call("POST", "/v1/connect-links/validate", Some(json!({"token": link["token"]}))).text;
    let proxied = call("POST", &format!("/v1/profiles/{id}/accounts/linkedin/proxy/rest/posts"), Some(json!({})));
    assert_eq!(proxied.status, 200, "{}", proxied.text);
    assert_eq!(upstream.requests().len(), 2, "refused, refreshed, retried");
    seen += &proxied.text;
    let unlinked = call("GET", &format!("/v1/profiles/{id}/accounts/tiktok/proxy/v2/user/info/"), None);
    assert_eq!(unlinked.status, 404, "{}", unlinked.text);
    // The credentials answer holds a token by design; what must not is the log of it.
    let all = hitchpost::auth::Scope::ALL.into_iter().collect();
    let reader = crate::helpers::create_scoped_key(&db, "acme", None, all);
    let path = format!("/v1/profiles/{id}/accounts/linkedin/credentials?minValidity=1800");
    let creds = send(&base, "GET", &path, &[("x-api-key", &reader)], None);
    assert_eq!(creds.status, 200, "{}", creds.text);
    assert!(creds.text.contains("SECRETTOKEN"));
    drop(server);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("/connect/callback/linkedin"), "the log is captured");
    // One line per proxied call (the access log leaves these paths to the proxy's own line),
    // naming the platform, the account and the retry, never the query.
    let proxy_lines: Vec<&str> = logged.lines().filter(|l| l.contains("/proxy/rest/posts")).collect();
    assert_eq!(proxy_lines.len(), 1, "one line for one proxied call: {proxy_lines:#?}");
    let line = proxy_lines[0];
    assert!(line.contains("\"POST ") && line.contains("\" 200 via linkedin acc_"), "{line}");
    assert!(line.contains("after a refresh"), "{line}");
    let refused: Vec<&str> = logged.lines().filter(|l| l.contains("/accounts/tiktok/proxy/")).collect();
    assert_eq!(refused.len(), 1, "a call refused before the platform has its line too: {refused:#?}");
    assert!(refused[0].contains("\" 404 via - -"), "{}", refused[0]);
    assert!(!provider.state.lock().unwrap().issued_access.is_empty());
    for text in [&seen, &logged] {
        let leak = text.lines().find(|l| l.contains("SECRETTOKEN"));
        assert!(leak.is_none(), "a provider token leaked: {leak:?}");
        assert!(!text.contains(&key[15..]), "an API key secret leaked");
        assert!(!text.contains(GOOD_APP_PASSWORD), "an app password leaked");
    }
    // Nor is a token readable in the database file.
    let raw = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("leak.db-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(!bytes.windows(11).any(|w| w == b"SECRETTOKEN"), "a token is stored in clear");
    }
}

#[test]
fn unlinking_an_oauth_account_revokes_its_token_at_the_provider() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    assert_eq!(app.unlink_account(&key, &id, "linkedin").status, 204);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let revoked = provider.state.lock().unwrap().revoked.clone();
        if !revoked.is_empty() {
            assert!(revoked[0].starts_with("fake-refresh-"), "{revoked:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "nothing was revoked");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
}

#[test]
fn a_platform_without_credentials_is_not_offered_and_asking_for_it_names_what_is_missing() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let res = app.create_link(&key, &id, &json!({"platforms": ["linkedin", "bluesky"]}));
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "platforms");
    assert!(res.body["detail"].as_str().unwrap().contains("HITCHPOST_OAUTH_LINKEDIN_CLIENT_ID"), "{}", res.text);
    let res = app.link_account(&key, &id, &json!({"platform": "x"}));
    assert_eq!(res.status, 400);
    assert!(res.body["detail"].as_str().unwrap().contains("HITCHPOST_OAUTH_X_CLIENT_ID"), "{}", res.text);
    // Bluesky needs no credentials: a link for it alone is fine, and the page offers only it.
    let link = app.new_link(&key, &id, &json!({}));
    let cookie = app.open_session(link["url"].as_str().unwrap());
    let offered: Vec<String> = app.page_session(&cookie).body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(offered, ["bluesky"]);
}

#[test]
fn an_oauth_callback_with_a_repeated_state_is_refused_with_400() {
    let app = spawn_app();
    let res = app.send("GET", "/connect/callback/linkedin?code=a&state=one&state=two", &[], None);
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.text.contains("more than once"), "{}", res.text);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
}

#[test]
fn an_oauth_state_finishes_only_in_the_browser_session_that_started_it() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    // The attacker starts a sign-in on their own profile's page...
    let attacker = profile(&app, &key);
    let theirs = app.open_session(app.new_link(&key, &attacker, &json!({}))["url"].as_str().unwrap());
    let start = app.page_start_oauth(&theirs, "linkedin");
    // ...and has a victim, with a connect session of their own (or none), approve it.
    let consent = send("", "GET", start.location(), &[], None);
    let victim = profile(&app, &key);
    let victims = app.open_session(app.new_link(&key, &victim, &json!({}))["url"].as_str().unwrap());
    let back = app.get_url(consent.location(), Some(&victims));
    assert_eq!(back.status, 303, "{}", back.text);
    assert_eq!(back.location(), "/connect/app?error=expired&platform=linkedin");
    assert_eq!(app.list_accounts(&key, &attacker).body["data"], json!([]), "nothing lands on the attacker's profile");
    assert_eq!(app.list_accounts(&key, &victim).body["data"], json!([]));
    // Without any session the answer is refused too.
    let start = app.page_start_oauth(&theirs, "linkedin");
    let consent = send("", "GET", start.location(), &[], None);
    let back = app.get_url(consent.location(), None);
    assert!(back.location().contains("error=expired"), "{}", back.location());
    assert_eq!(app.list_accounts(&key, &attacker).body["data"], json!([]));
}

#[test]
fn deleting_a_profile_revokes_its_accounts_at_the_provider() {
    let provider = fakes::oauth_provider();
    let app = oauth_app(&provider.base);
    let key = app.key("acme");
    let id = linked_oauth_account(&app, &key);
    let res = app.send("DELETE", &format!("/v1/profiles/{id}"), &[("x-api-key", &key)], None);
    assert_eq!(res.status, 204, "{}", res.text);
    crate::peers::eventually("the revocation", || !provider.state.lock().unwrap().revoked.is_empty());
    assert!(provider.state.lock().unwrap().revoked[0].starts_with("fake-refresh-"));
}

#[test]
fn a_stored_pds_url_is_checked_again_when_it_is_used() {
    let pds = fakes::pds();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hitchpost.db");
    let (key, id) = {
        // Linked while private addresses were allowed (a test PDS on loopback).
        let app = crate::helpers::spawn_app_on(&db);
        let key = app.key("acme");
        let id = profile(&app, &key);
        let body = json!({"platform": "bluesky", "handle": "alice.test", "appPassword": GOOD_APP_PASSWORD, "pdsUrl": pds.base});
        assert_eq!(app.link_account(&key, &id, &body).status, 201);
        (key, id)
    };
    // The operator turns that off: the stored PDS is refused at the next refresh, not called.
    let app = crate::helpers::spawn_app_on_with(&db, |c| c.providers.allow_private_outbound = false);
    let res = app.refresh_account(&key, &id, "bluesky");
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["outcome"], "needs_reconnect", "{}", res.text);
    assert!(res.body["reason"].as_str().unwrap().contains("not allowed"), "{}", res.text);
}
