//! The postcore dialect (seed 001), route by route.

use crate::fakes::{self, GOOD_APP_PASSWORD};
use crate::helpers::{Res, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

fn pc(app: &TestApp, key: &str, method: &str, path: &str, body: Option<Value>) -> Res {
    let headers = [("x-api-key", key), ("content-type", "application/json")];
    app.send(method, path, &headers, body.map(|b| b.to_string().into_bytes()))
}

#[test]
fn create_profile_returns_201_with_its_key_and_name_or_null() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = pc(&app, &key, "POST", "/profiles/create", Some(json!({"profileName": "User: john@example.com"})));
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(res.body["profileKey"].as_str().unwrap().starts_with("prof_"));
    assert_eq!(res.body["profileName"], "User: john@example.com");
    let res = pc(&app, &key, "POST", "/profiles/create", Some(json!({})));
    assert_eq!(res.status, 201);
    assert!(res.body["profileName"].is_null());
    let res = pc(&app, &key, "POST", "/profiles/create", Some(json!({"profileName": "x".repeat(101)})));
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"], "VALIDATION_ERROR");
    assert!(res.body["message"].as_str().unwrap().contains("profileName"));
}

#[test]
fn missing_and_invalid_keys_are_told_apart() {
    let app = spawn_app();
    let res = app.send("GET", "/profiles", &[], None);
    assert_eq!(res.status, 401);
    assert_eq!(res.body["error"], "MISSING_API_KEY");
    let res = app.send("GET", "/profiles", &[("x-api-key", "hp_nope")], None);
    assert_eq!(res.status, 401);
    assert_eq!(res.body["error"], "INVALID_API_KEY");
    assert!(res.body["message"].is_string());
}

#[test]
fn list_delete_and_profile_not_found() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("acme");
    let pk = pc(&app, &key, "POST", "/profiles/create", Some(json!({"profileName": "A"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app.list_profiles(&key, "").body["data"][0]["id"].as_str().unwrap().to_string();
    app.link_account(&key, &id, &json!({"platform": "linkedin", "sandbox": true}));
    let res = pc(&app, &key, "GET", "/profiles", None);
    assert_eq!(res.status, 200);
    let p = &res.body["profiles"][0];
    assert_eq!(p["profileKey"], pk.as_str());
    assert_eq!(p["profileName"], "A");
    assert!(p["createdAt"].is_string());
    let a = &p["connectedPlatforms"][0];
    assert_eq!(a["platform"], "linkedin");
    assert!(a["expiresAt"].is_string());
    assert!(a["daysUntilExpiry"].as_i64().unwrap() >= 59);
    assert_eq!(a["needsReconnect"], false);
    let res = pc(&app, &key, "DELETE", &format!("/profiles/{pk}"), None);
    assert_eq!(res.status, 200);
    // The accounts went with it.
    assert_eq!(app.list_accounts(&key, &id).status, 404);
    let res = pc(&app, &key, "DELETE", &format!("/profiles/{pk}"), None);
    assert_eq!(res.status, 404);
    assert_eq!(res.body["error"], "PROFILE_NOT_FOUND");
}

#[test]
fn connect_bluesky_links_directly_and_auto_creates_a_profile() {
    let pds = fakes::pds();
    let app = spawn_app();
    let key = app.key("acme");
    let creds = json!({"handle": "alice.test", "appPassword": GOOD_APP_PASSWORD, "pdsUrl": pds.base});
    let res = pc(&app, &key, "POST", "/profiles/connect", Some(json!({"platform": "bluesky", "credentials": creds})));
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["profileCreated"], true);
    assert_eq!(res.body["account"]["username"], "alice.test");
    let pk = res.body["profileKey"].as_str().unwrap().to_string();
    // Into an existing profile.
    let res = pc(
        &app,
        &key,
        "POST",
        "/profiles/connect",
        Some(json!({"profileKey": pk, "platform": "bluesky", "credentials": creds})),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    let listed = pc(&app, &key, "GET", "/profiles", None);
    assert_eq!(listed.body["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["profiles"][0]["connectedPlatforms"][0]["platform"], "bluesky");
}

#[test]
fn connect_bluesky_with_wrong_credentials_stores_nothing() {
    let pds = fakes::pds();
    let app = spawn_app();
    let key = app.key("acme");
    let creds = json!({"handle": "alice.test", "appPassword": "wrong", "pdsUrl": pds.base});
    let res = pc(&app, &key, "POST", "/profiles/connect", Some(json!({"platform": "bluesky", "credentials": creds})));
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"], "INVALID_CREDENTIALS");
    assert_eq!(pc(&app, &key, "GET", "/profiles", None).body["profiles"], json!([]), "no empty profile is left behind");
    let res = pc(&app, &key, "POST", "/profiles/connect", Some(json!({"platform": "bluesky"})));
    assert_eq!(res.body["error"], "VALIDATION_ERROR");
    let res = pc(
        &app,
        &key,
        "POST",
        "/profiles/connect",
        Some(json!({"platform": "bluesky", "profileKey": "prof_none", "credentials": creds})),
    );
    assert_eq!(res.body["error"], "PROFILE_NOT_FOUND");
    let res = pc(&app, &key, "POST", "/profiles/connect", Some(json!({"platform": "myspace"})));
    assert_eq!(res.body["error"], "VALIDATION_ERROR");
}

#[test]
fn connect_linkedin_returns_the_provider_url_without_the_api_key() {
    let provider = fakes::oauth_provider();
    let base = provider.base.clone();
    let app = spawn_app_with(move |c| {
        c.providers.oauth.insert(
            hitchpost::domain::platform::Platform::Linkedin,
            hitchpost::providers::oauth::OAuthConfig {
                client_id: "fake-client".into(),
                client_secret: "fake-secret".into(),
                authorize_url: Some(format!("{base}/authorize")),
                token_url: Some(format!("{base}/token")),
                identity_url: Some(format!("{base}/me")),
                scopes: None,
                revoke_url: None,
                pkce: Some(true),
                ..Default::default()
            },
        );
    });
    let key = app.key("acme");
    let res = pc(
        &app,
        &key,
        "POST",
        "/profiles/connect",
        Some(json!({"platform": "linkedin", "returnUrl": "https://app.example.com/linked"})),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    let url = res.body["authUrl"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/authorize?", provider.base)), "{url}");
    assert!(!url.contains(&key) && !url.contains(&key[15..]), "no API key in a browser URL");
    // The person consents; the callback sends them to the returnUrl.
    let consent = crate::helpers::send("", "GET", url, &[], None);
    let back = app.get_url(consent.location(), None);
    assert_eq!(back.status, 303, "{}", back.text);
    assert!(
        back.location().starts_with("https://app.example.com/linked?status=success&platform=linkedin"),
        "{}",
        back.location()
    );
    let profiles = pc(&app, &key, "GET", "/profiles", None).body;
    assert_eq!(profiles["profiles"][0]["connectedPlatforms"][0]["platform"], "linkedin");
    // Without credentials and without the sandbox: a clear validation error.
    let bare = spawn_app();
    let key = bare.key("acme");
    let res = pc(&bare, &key, "POST", "/profiles/connect", Some(json!({"platform": "linkedin"})));
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"], "VALIDATION_ERROR");
    assert!(res.body["message"].as_str().unwrap().contains("HITCHPOST_OAUTH_LINKEDIN_CLIENT_ID"));
}
