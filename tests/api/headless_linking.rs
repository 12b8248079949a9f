//! Headless linking in the native API (`POST /v1/profiles/{id}/accounts/{platform}/authorize`)
//! against oidc-provider, the certified OAuth server the linking tests use: the consent URL,
//! the callback, the return to the platform's own page with the account id, and no replay.

use crate::helpers::{create_scoped_key, spawn_app_with};
use crate::real_oauth::{Rig, at_provider};
use hitchpost::auth::Scope;
use serde_json::json;
use std::collections::HashMap;

fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

#[test]
fn authorize_returns_a_consent_url_whose_callback_links_and_returns_with_the_account_id() {
    let Some(rig) = Rig::start() else { return };
    let app = &rig.app;
    let id = app.new_profile(&rig.key, "Headless")["id"].as_str().unwrap().to_string();
    let return_url = format!("{}/healthz?screen=settings", app.base);
    let res = app.authorize(&rig.key, &id, "linkedin", &json!({ "returnUrl": return_url }));
    assert_eq!(res.status, 200, "{}", res.text);
    let auth_url = res.body["authUrl"].as_str().unwrap();
    assert!(auth_url.starts_with(&format!("http://127.0.0.1:{}/auth?", rig.port)), "{auth_url}");
    let q = query(auth_url);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], format!("{}/connect/callback/linkedin", app.base));
    assert!(q["state"].len() >= 32 && !q.contains_key("code_verifier"), "PKCE's verifier stays here: {q:?}");
    let expires = chrono::DateTime::parse_from_rfc3339(res.body["expiresAt"].as_str().unwrap()).unwrap();
    let minutes = (expires.to_utc() - chrono::Utc::now()).num_minutes();
    assert!((14..=15).contains(&minutes), "{minutes}");
    assert!(app.list_accounts(&rig.key, &id).body["data"].as_array().unwrap().is_empty());

    // The person consents at the provider, which sends them to hitchpost's callback; no
    // connect page and no cookie are involved.
    let callback = at_provider(auth_url, &app.base);
    let back = app.get_url(&callback, None);
    assert_eq!(back.status, 303, "{}", back.text);
    let landed = back.location().to_string();
    assert!(landed.starts_with(&format!("{}/healthz?", app.base)), "{landed}");
    let q = query(&landed);
    let account = &app.list_accounts(&rig.key, &id).body["data"][0];
    assert_eq!(q["screen"], "settings", "the return URL's own query is kept");
    assert_eq!(q["status"], "success");
    assert_eq!(q["platform"], "linkedin");
    assert_eq!(q["accountId"], account["id"].as_str().unwrap());
    assert_eq!(account["platformUserId"], "alice");

    // The state was used up: the same callback again links nothing.
    let replay = app.get_url(&callback, None);
    assert_eq!(replay.status, 400, "{}", replay.text);
    assert_eq!(rig.events()["authorizationCode"], 1);
    assert_eq!(app.list_accounts(&rig.key, &id).body["data"].as_array().unwrap().len(), 1);
}

#[test]
fn a_declined_consent_returns_to_the_return_url_with_the_declined_code() {
    let Some(rig) = Rig::start() else { return };
    rig.decline();
    let app = &rig.app;
    let id = app.new_profile(&rig.key, "Says no")["id"].as_str().unwrap().to_string();
    let res = app.authorize(&rig.key, &id, "linkedin", &json!({ "returnUrl": format!("{}/healthz", app.base) }));
    let callback = at_provider(res.body["authUrl"].as_str().unwrap(), &app.base);
    assert_eq!(query(&callback)["error"], "access_denied", "{callback}");
    let q = query(app.get_url(&callback, None).location());
    assert_eq!((q["status"].as_str(), q["platform"].as_str(), q["error"].as_str()), ("error", "linkedin", "declined"));
    assert!(!q.contains_key("accountId"));
    assert_eq!(app.list_accounts(&rig.key, &id).body["data"], json!([]));
}

#[test]
fn authorize_returns_4xx_naming_the_field_for_bad_requests() {
    let app = spawn_app_with(|c| c.providers.sandbox = false);
    let key = app.key("acme");
    let id = app.new_profile(&key, "Someone")["id"].as_str().unwrap().to_string();
    let ok = json!({"returnUrl": "https://app.example/back"});
    let cases = [
        ("linkedin", json!({}), 400, "returnUrl"),
        ("linkedin", json!({"returnUrl": "javascript:alert(1)"}), 400, "returnUrl"),
        ("linkedin", json!({"returnUrl": "/back"}), 400, "returnUrl"),
        ("linkedin", json!({"returnUrl": "https://app.example", "scope": "all"}), 400, "scope"),
        ("bluesky", ok.clone(), 400, "platform"),
        ("myspace", ok.clone(), 400, "platform"),
        // No OAuth client is configured for LinkedIn on this server.
        ("linkedin", ok.clone(), 400, "platform"),
    ];
    for (platform, body, status, field) in cases {
        let res = app.authorize(&key, &id, platform, &body);
        assert_eq!(res.status, status, "{platform} {body}: {}", res.text);
        assert_eq!(res.problem_field(), field, "{platform} {body}: {}", res.text);
    }
    let res = app.authorize(&key, "01a23cc4-c5a4-7316-97ef-6e4c05c038d4", "x", &ok);
    assert_eq!(res.status, 404, "{}", res.text);
    let other = app.key("globex");
    assert_eq!(app.authorize(&other, &id, "x", &ok).status, 404, "another workspace's profile");
    let no_connect = create_scoped_key(&app, "acme", None, [Scope::Profiles, Scope::Accounts].into_iter().collect());
    assert_eq!(app.authorize(&no_connect, &id, "x", &ok).status, 403);
}

#[test]
fn authorize_in_the_sandbox_returns_a_connect_link_for_that_platform_alone() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("acme");
    let id = app.new_profile(&key, "Dev")["id"].as_str().unwrap().to_string();
    let res = app.authorize(&key, &id, "tiktok", &json!({"returnUrl": "https://app.example/back"}));
    assert_eq!(res.status, 200, "{}", res.text);
    let cookie = app.open_session(res.body["authUrl"].as_str().unwrap());
    let platforms = app.page_session(&cookie).body["platforms"].clone();
    assert_eq!(platforms.as_array().unwrap().len(), 1);
    assert_eq!(platforms[0]["platform"], "tiktok");
}
