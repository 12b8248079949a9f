//! `GET /v1/profiles/{id}/accounts/{account}/credentials`: a fresh token, refreshed first when
//! it would lapse too soon, one refresh for many readers, every read audited, the refresh
//! token never shown.

use crate::fakes::{self, OAuthState, RefreshMode};
use crate::helpers::{TestApp, create_scoped_key, spawn_app_with};
use crate::linking::{fake_linkedin, linked_oauth_account};
use hitchpost::auth::Scope;
use hitchpost::domain::platform::Platform;
use serde_json::json;

struct Rig {
    app: TestApp,
    provider: fakes::Fake<OAuthState>,
    key: String,
    profile: String,
}

/// A LinkedIn account linked through the fake provider, whose tokens last `expires_in`
/// seconds, and a key that holds `credentials`.
fn rig(expires_in: i64) -> Rig {
    let provider = fakes::oauth_provider();
    provider.state.lock().unwrap().expires_in = expires_in;
    let linkedin = fake_linkedin(&provider.base);
    let app = spawn_app_with(move |c| {
        c.providers.oauth.insert(Platform::Linkedin, linkedin);
    });
    let owner = app.key("acme");
    let profile = linked_oauth_account(&app, &owner);
    let key = create_scoped_key(&app, "acme", None, [Scope::Credentials, Scope::Audit].into_iter().collect());
    Rig { app, provider, key, profile }
}

impl Rig {
    fn refresh_calls(&self) -> usize {
        self.provider.state.lock().unwrap().refresh_calls
    }
    fn newest_access(&self) -> String {
        self.provider.state.lock().unwrap().issued_access.last().unwrap().clone()
    }
}

#[test]
fn credentials_return_the_fresh_access_token_and_never_the_refresh_token() {
    let r = rig(3600);
    let res = r.app.credentials(&r.key, &r.profile, "linkedin", "");
    assert_eq!(res.status, 200, "{}", res.text);
    let b = &res.body;
    assert!(b["accountId"].as_str().unwrap().starts_with("acc_"));
    assert_eq!((&b["platform"], &b["type"], &b["tokenType"]), (&json!("linkedin"), &json!("oauth2"), &json!("Bearer")));
    assert_eq!(b["accessToken"], r.newest_access());
    assert!(b["expiresAt"].is_string());
    assert!(b["scopes"].as_array().unwrap().iter().any(|s| s == "openid"), "the scopes asked for: {b}");
    assert!(b.get("pdsUrl").is_none() && b.get("did").is_none());
    assert!(!res.text.contains("fake-refresh-"), "the refresh token never leaves: {}", res.text);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(r.refresh_calls(), 0, "an hour left is more than the default five minutes");
    // The same account by its id.
    let by_id = r.app.credentials(&r.key, &r.profile, b["accountId"].as_str().unwrap(), "");
    assert_eq!(by_id.body["accessToken"], b["accessToken"]);
}

#[test]
fn every_credentials_read_is_in_the_audit_log_with_its_actor_and_account() {
    let r = rig(3600);
    let first = r.app.credentials(&r.key, &r.profile, "linkedin", "").body;
    r.app.credentials(&r.key, &r.profile, "linkedin", "?minValidity=0");
    let log = r.app.send("GET", "/v1/audit-log?action=account.credentials_read", &[("x-api-key", &r.key)], None);
    assert_eq!(log.status, 200, "{}", log.text);
    let entries = log.body["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{}", log.text);
    let key_id = &r.key[3..15];
    for e in entries {
        assert_eq!(e["actor"], format!("key:{key_id}"));
        assert_eq!(e["profileId"], r.profile.as_str());
        assert_eq!(e["target"], first["accountId"]);
        assert!(e["at"].is_string());
    }
}

#[test]
fn a_token_lapsing_before_min_validity_is_refreshed_first() {
    let r = rig(600);
    let before = r.newest_access();
    let res = r.app.credentials(&r.key, &r.profile, "linkedin", "?minValidity=900");
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(r.refresh_calls(), 1);
    assert_ne!(res.body["accessToken"], before.as_str());
    assert_eq!(res.body["accessToken"], r.newest_access());
    // Ten minutes left satisfies the default five.
    assert_eq!(r.app.credentials(&r.key, &r.profile, "linkedin", "").status, 200);
    assert_eq!(r.refresh_calls(), 1);
}

#[test]
fn twenty_concurrent_readers_of_a_lapsing_token_cause_one_token_request() {
    let r = rig(60);
    // The refresh answer is held while the readers arrive; what it issues lasts an hour.
    {
        let mut st = r.provider.state.lock().unwrap();
        st.refresh_delay_ms = 300;
        st.expires_in = 3600;
    }
    let tokens: Vec<String> = std::thread::scope(|s| {
        let readers: Vec<_> = (0..20)
            .map(|_| {
                s.spawn(|| {
                    let res = r.app.credentials(&r.key, &r.profile, "linkedin", "");
                    assert_eq!(res.status, 200, "{}", res.text);
                    res.body["accessToken"].as_str().unwrap().to_string()
                })
            })
            .collect();
        readers.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(r.refresh_calls(), 1, "one token request for twenty readers");
    assert!(tokens.iter().all(|t| *t == r.newest_access()), "every reader got the refreshed token");
}

#[test]
fn credentials_refuse_a_bad_min_validity_naming_it() {
    let r = rig(3600);
    for bad in ["-1", "abc", "1801", "1.5", "99999999999999999999"] {
        let res = r.app.credentials(&r.key, &r.profile, "linkedin", &format!("?minValidity={bad}"));
        assert_eq!(res.status, 400, "minValidity={bad}: {}", res.text);
        assert_eq!(res.problem_field(), "minValidity", "minValidity={bad}");
    }
}

#[test]
fn credentials_of_an_account_whose_refresh_is_refused_answer_409_and_mark_it() {
    let r = rig(60);
    r.provider.state.lock().unwrap().refresh_mode = RefreshMode::InvalidGrant;
    let res = r.app.credentials(&r.key, &r.profile, "linkedin", "");
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:needs-reconnect");
    assert!(res.body["accountId"].as_str().unwrap().starts_with("acc_"));
    assert!(!res.text.contains("fake-access-"), "no token in a refusal: {}", res.text);
    let owner = r.app.key("acme");
    assert_eq!(r.app.get_account(&owner, &r.profile, "linkedin").body["needsReconnect"], true);
}

#[test]
fn credentials_of_a_missing_account_or_another_workspaces_are_404() {
    let r = rig(3600);
    assert_eq!(r.app.credentials(&r.key, &r.profile, "x", "").status, 404);
    let other = create_scoped_key(&r.app, "other", None, [Scope::Credentials].into_iter().collect());
    assert_eq!(r.app.credentials(&other, &r.profile, "linkedin", "").status, 404);
    let res = r.app.credentials(&r.key, &r.profile, "acc_nothex", "");
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "account");
}

#[test]
fn a_lapsed_token_that_nothing_can_renew_is_a_409_not_a_dead_token() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let all = Scope::ALL.into_iter().collect();
    let key = create_scoped_key(&app, "acme", None, all);
    let profile = app.new_profile(&key, "Lapsed")["id"].as_str().unwrap().to_string();
    assert_eq!(app.link_account(&key, &profile, &json!({"platform": "facebook", "sandbox": true})).status, 201);
    app.sql_execute("UPDATE social_accounts SET token_expires_at = '2020-01-01T00:00:00.000Z'", &[]);
    let res = app.credentials(&key, &profile, "facebook", "");
    assert_eq!(res.status, 409, "{}", res.text);
    assert!(res.body["reason"].as_str().unwrap().contains("lapsed"), "{}", res.text);
    let proxied = app.proxy(&key, &profile, "facebook", "GET", "me", &[], None);
    assert_eq!(proxied.status, 409, "{}", proxied.text);
}
