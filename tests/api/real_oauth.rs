//! OAuth 2.0 against oidc-provider (OpenID-certified; PKCE S256 required, exact redirect URI,
//! single-use codes, rotating refresh tokens, RFC 7009 revocation, RFC 9207 `iss`), not a fake:
//! the connect page's whole flow without a browser, concurrent refreshes, revocation on unlink,
//! a provider that forgot the grant, and a provider that is down.

use crate::helpers::{TestApp, send, spawn_app_with};
use crate::peers::{self, Peer, eventually};
use hitchpost::domain::platform::Platform;
use hitchpost::providers::oauth::OAuthConfig;
use serde_json::{Value, json};
use std::collections::HashMap;

/// hitchpost with LinkedIn pointed at an oidc-provider that will listen on `port`.
fn app_for(port: u16) -> TestApp {
    spawn_app_with(linkedin_at(port))
}

/// The configuration change that points LinkedIn at the oidc-provider on `port`.
pub fn linkedin_at(port: u16) -> impl FnOnce(&mut hitchpost::config::Config) {
    let issuer = format!("http://127.0.0.1:{port}");
    move |c| {
        c.providers.oauth.insert(
            Platform::Linkedin,
            OAuthConfig {
                client_id: "hitchpost".into(),
                client_secret: "hitchpost-client-secret".into(),
                authorize_url: Some(format!("{issuer}/auth")),
                token_url: Some(format!("{issuer}/token")),
                identity_url: Some(format!("{issuer}/me")),
                revoke_url: Some(format!("{issuer}/token/revocation")),
                scopes: Some("openid profile email".into()),
                // LinkedIn's own flow takes no PKCE; this server requires it, as X does.
                pkce: Some(true),
                ..Default::default()
            },
        );
    }
}

pub struct Rig {
    pub app: TestApp,
    provider: Option<Peer>,
    pub port: u16,
    pub key: String,
}

impl Rig {
    pub fn start() -> Option<Rig> {
        peers::installed()?;
        let port = peers::free_port();
        let app = app_for(port);
        let provider = peers::oidc(port, &format!("{}/connect/callback/linkedin", app.base));
        let key = app.key("acme");
        Some(Rig { app, provider: Some(provider), port, key })
    }

    fn restart_provider(&mut self) {
        self.provider = None;
        self.provider = Some(peers::oidc(self.port, &format!("{}/connect/callback/linkedin", self.app.base)));
    }

    /// Makes the provider's consent screen answer `access_denied` (the person said no) from now on.
    pub fn decline(&self) {
        let res = send(&format!("http://127.0.0.1:{}", self.port), "GET", "/__decline?on=1", &[], None);
        assert_eq!(res.status, 200, "{}", res.text);
    }

    pub fn events(&self) -> Value {
        send(&format!("http://127.0.0.1:{}", self.port), "GET", "/__events", &[], None).body
    }

    /// Opens a connect link, starts LinkedIn on the page and consents at the provider; returns
    /// the profile id, the page cookie and the callback URL the provider sent the person to.
    fn consent(&self) -> (String, String, String) {
        let id = self.app.new_profile(&self.key, "Alice")["id"].as_str().unwrap().to_string();
        let cookie = self.app.open_session(self.app.new_link(&self.key, &id, &json!({}))["url"].as_str().unwrap());
        let start = self.app.page_start_oauth(&cookie, "linkedin");
        assert_eq!(start.status, 302, "{}", start.text);
        (id, cookie, at_provider(start.location(), &self.app.base))
    }

    fn linked(&self) -> String {
        let (id, cookie, callback) = self.consent();
        let back = self.app.get_url(&callback, Some(&cookie));
        assert_eq!(back.status, 303, "{}", back.text);
        assert_eq!(back.location(), "/connect/app?linked=linkedin");
        id
    }
}

/// Follows the provider's redirects (login, consent, both answered at once by the harness)
/// with its cookies, until it sends the person back to `home`.
pub fn at_provider(authorize: &str, home: &str) -> String {
    let mut jar: HashMap<String, String> = HashMap::new();
    let mut url = authorize.to_string();
    for _ in 0..10 {
        let cookie = jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = send("", "GET", &url, &[("cookie", &cookie)], None);
        for c in res.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            if let Some((k, v)) = c.split(';').next().and_then(|kv| kv.split_once('=')) {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        assert!(matches!(res.status, 302 | 303), "the provider answered {}: {}", res.status, res.text);
        let next = res.location();
        url = if next.starts_with("http") {
            next.to_string()
        } else {
            let u = url::Url::parse(&url).unwrap();
            u.join(next).unwrap().to_string()
        };
        if url.starts_with(home) {
            return url;
        }
    }
    panic!("the provider never sent the person back")
}

#[test]
fn an_account_links_through_the_connect_page_against_a_certified_oauth_server() {
    let Some(rig) = Rig::start() else { return };
    let (id, cookie, callback) = rig.consent();
    let q: HashMap<String, String> = url::Url::parse(&callback).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q["iss"], format!("http://127.0.0.1:{}", rig.port), "the server sends RFC 9207's iss");
    let back = rig.app.get_url(&callback, Some(&cookie));
    assert_eq!(back.status, 303, "{}", back.text);
    assert_eq!(back.location(), "/connect/app?linked=linkedin");
    let a = &rig.app.list_accounts(&rig.key, &id).body["data"][0];
    assert_eq!(a["platformUserId"], "alice");
    assert_eq!(a["displayName"], "Alice Example");
    assert!(a["username"].is_null(), "an email is not a handle: {a}");
    assert_eq!(a["imageUrl"], "https://cdn.example.com/alice.png");
    assert_eq!(a["needsReconnect"], false);
    let events = rig.events();
    assert_eq!(events["authorizationCode"], 1, "{events}");
    assert_eq!(events["userinfo"], 1, "{events}");
    // The code is single use: the same callback again is refused (hitchpost's state is spent).
    assert_eq!(rig.app.get_url(&callback, Some(&cookie)).status, 400);
}

#[test]
fn an_answer_from_another_issuer_is_refused() {
    let Some(rig) = Rig::start() else { return };
    let (id, cookie, callback) = rig.consent();
    let forged = callback.replace("iss=http%3A%2F%2F127.0.0.1", "iss=https%3A%2F%2Fevil.example");
    assert_ne!(forged, callback);
    let back = rig.app.get_url(&forged, Some(&cookie));
    assert_eq!(back.status, 303, "{}", back.text);
    assert_eq!(back.location(), "/connect/app?error=refused&platform=linkedin");
    assert_eq!(rig.app.list_accounts(&rig.key, &id).body["data"], json!([]));
    assert_eq!(rig.events()["authorizationCode"], 0, "the code was never sent to be exchanged");
    // The page got a category; the words are in the workspace's audit log.
    let log = rig.app.send("GET", "/v1/audit-log?action=account.link_failed", &[("x-api-key", &rig.key)], None);
    assert_eq!(log.status, 200, "{}", log.text);
    let entry = &log.body["data"][0];
    assert_eq!(entry["profileId"], id.as_str());
    let target = entry["target"].as_str().unwrap();
    assert!(target.starts_with("linkedin: ") && target.contains("https://evil.example"), "{target}");
}

#[test]
fn concurrent_refreshes_send_one_token_request_and_the_grant_survives() {
    let Some(rig) = Rig::start() else { return };
    let id = rig.linked();
    let before = rig.events()["tokenRequests"].as_u64().unwrap();
    // The provider takes a second to answer, so all eight callers arrive while it thinks.
    send(&format!("http://127.0.0.1:{}", rig.port), "GET", "/__delay?ms=1000", &[], None);
    let outcomes: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| rig.app.refresh_account(&rig.key, &id, "linkedin"))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).map(|r| r.body).collect()
    });
    for o in &outcomes {
        assert_eq!(o["outcome"], "refreshed", "{o}");
        assert_eq!(o["account"]["needsReconnect"], false, "{o}");
    }
    let events = rig.events();
    let sent = events["tokenRequests"].as_u64().unwrap() - before;
    assert_eq!(sent, 1, "one token request for eight callers at once: {events}");
    assert_eq!(events["refreshRefused"], 0, "{events}");
    send(&format!("http://127.0.0.1:{}", rig.port), "GET", "/__delay?ms=0", &[], None);
    // The rotated refresh token is the one kept: the grant is alive for the next refresh.
    let next = rig.app.refresh_account(&rig.key, &id, "linkedin");
    assert_eq!(next.body["outcome"], "refreshed", "{}", next.text);
    assert_eq!(rig.events()["refreshed"], 2);
}

#[test]
fn unlinking_revokes_the_grant_at_the_provider() {
    let Some(rig) = Rig::start() else { return };
    let id = rig.linked();
    assert_eq!(rig.app.unlink_account(&rig.key, &id, "linkedin").status, 204);
    eventually("the revocation to reach the provider", || rig.events()["revoked"] == 1);
}

#[test]
fn a_provider_that_forgot_the_grant_marks_the_account_for_reconnect() {
    let Some(mut rig) = Rig::start() else { return };
    let id = rig.linked();
    // Grants live in the provider's memory: after a restart every refresh token is unknown.
    rig.restart_provider();
    let res = rig.app.refresh_account(&rig.key, &id, "linkedin");
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["outcome"], "needs_reconnect", "{}", res.text);
    assert!(res.body["reason"].as_str().unwrap().contains("invalid_grant"), "{}", res.text);
    assert_eq!(res.body["account"]["needsReconnect"], true);
    // Linking again through a new link clears it.
    let cookie = rig.app.open_session(rig.app.new_link(&rig.key, &id, &json!({}))["url"].as_str().unwrap());
    let start = rig.app.page_start_oauth(&cookie, "linkedin");
    let callback = at_provider(start.location(), &rig.app.base);
    assert_eq!(rig.app.get_url(&callback, Some(&cookie)).status, 303);
    let a = &rig.app.list_accounts(&rig.key, &id).body["data"][0];
    assert_eq!(a["needsReconnect"], false);
    assert_eq!(rig.app.refresh_account(&rig.key, &id, "linkedin").body["outcome"], "refreshed");
}

#[test]
fn a_provider_that_is_down_postpones_the_refresh_and_keeps_the_account() {
    let Some(mut rig) = Rig::start() else { return };
    let id = rig.linked();
    rig.provider = None;
    let res = rig.app.refresh_account(&rig.key, &id, "linkedin");
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["outcome"], "postponed", "{}", res.text);
    assert_eq!(res.body["account"]["needsReconnect"], false);
    assert_eq!(rig.app.list_accounts(&rig.key, &id).body["data"][0]["needsReconnect"], false);
}

#[test]
fn a_sign_in_started_on_one_instance_completes_on_another_and_both_refreshing_send_one_token_request() {
    let Some(_) = peers::installed() else { return };
    let port = peers::free_port();
    let Some(a) = crate::helpers::spawn_postgres_app_with(linkedin_at(port)) else { return };
    // Behind a load balancer both instances have one public URL (here A's).
    let public = a.base.clone();
    let b = crate::helpers::spawn_app_beside(&a, |c| {
        linkedin_at(port)(c);
        c.public_url = Some(public);
    });
    let _provider = peers::oidc(port, &format!("{}/connect/callback/linkedin", a.base));
    let events = || send(&format!("http://127.0.0.1:{port}"), "GET", "/__events", &[], None).body;
    let key = a.key("acme");
    let id = a.new_profile(&key, "Alice")["id"].as_str().unwrap().to_string();
    let cookie = a.open_session(a.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    let start = a.page_start_oauth(&cookie, "linkedin");
    assert_eq!(start.status, 302, "{}", start.text);
    let callback = at_provider(start.location(), &a.base);
    // The provider sends the person back; the balancer hands the callback to B.
    let back = b.get_url(&callback.replacen(&a.base, &b.base, 1), Some(&cookie));
    assert_eq!(back.status, 303, "{}", back.text);
    assert_eq!(back.location(), "/connect/app?linked=linkedin");
    assert_eq!(a.list_accounts(&key, &id).body["data"][0]["platform"], "linkedin");

    let before = events()["tokenRequests"].as_u64().unwrap();
    send(&format!("http://127.0.0.1:{port}"), "GET", "/__delay?ms=1000", &[], None);
    let outcomes: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (app, key, id) = (if i % 2 == 0 { &a } else { &b }, &key, &id);
                s.spawn(move || app.refresh_account(key, id, "linkedin"))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).map(|r| r.body).collect()
    });
    for o in &outcomes {
        assert_eq!(o["outcome"], "refreshed", "{o}");
    }
    let after = events();
    assert_eq!(after["tokenRequests"].as_u64().unwrap() - before, 1, "one token request for both instances: {after}");
    assert_eq!(after["refreshRefused"], 0, "{after}");
    send(&format!("http://127.0.0.1:{port}"), "GET", "/__delay?ms=0", &[], None);
    // The rotated token is the one both instances now use.
    assert_eq!(b.refresh_account(&key, &id, "linkedin").body["outcome"], "refreshed");
    assert_eq!(a.refresh_account(&key, &id, "linkedin").body["outcome"], "refreshed");
    assert_eq!(events()["refreshRefused"], 0);
    let leases: i64 = a.sql_value("SELECT count(*) FROM refresh_leases", &[]);
    assert_eq!(leases, 0, "each refresh gave its lease back with its outcome");
    // A lease left by an instance that died is taken over once it has lapsed.
    a.sql_execute(
        "INSERT INTO refresh_leases (account_id, generation, until)
         SELECT id, token_generation, '2020-01-01T00:00:00.000Z' FROM social_accounts",
        &[],
    );
    assert_eq!(b.refresh_account(&key, &id, "linkedin").body["outcome"], "refreshed");
}
