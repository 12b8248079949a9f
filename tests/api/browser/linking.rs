//! A person links accounts on the connect page, and failures are told in plain words.

use super::Browser;
use crate::helpers::{TestApp, spawn_app_with};
use serde_json::json;

pub(super) fn sandbox_app() -> TestApp {
    spawn_app_with(|c| c.providers.sandbox = true)
}

#[test]
fn a_person_links_two_sandbox_accounts_disconnects_one_and_returns_to_the_platform() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Browser user")["id"].as_str().unwrap().to_string();
    // The platform's own page: here, any page of a server on this machine.
    let redirect = format!("{}/healthz", app.base);
    let link = app.new_link(
        &key,
        &id,
        &json!({"redirectUrl": redirect, "platforms": ["linkedin", "x", "bluesky"],
        "title": "Connect to Acme", "buttonText": "Back to Acme"}),
    );
    let url = link["url"].as_str().unwrap();

    browser.goto(url);
    // Opening the link takes a press: a fetch alone (a mail scanner) does not use it up.
    browser.click("#continue");
    browser.wait_for_url(&format!("{}/connect/app", app.base));
    assert_eq!(browser.text("#title"), "Connect to Acme");
    for platform in ["linkedin", "x"] {
        browser.click(&format!(r#"li[data-platform="{platform}"] button[data-action="connect"]"#));
        browser.wait_for(&format!(r#"li[data-platform="{platform}"][data-state="linked"]"#));
    }
    // LinkedIn has no handles: the person's name there, without an "@".
    assert_eq!(browser.text(r#"li[data-platform="linkedin"] .state"#), "Connected as Sandbox LinkedIn User");
    let state = browser.text(r#"li[data-platform="x"] .state"#);
    assert!(state.starts_with("Connected as @sandbox_x_"), "{state}");
    browser.click(r#"li[data-platform="x"] button[data-action="disconnect"]"#);
    browser.wait_for(r#"li[data-platform="x"][data-state="unlinked"]"#);
    assert!(browser.text("#notice").contains("X was disconnected"));
    assert_eq!(browser.text("#done"), "Back to Acme");
    browser.click("#done");

    let landed = url::Url::parse(&browser.wait_for_url(&redirect)).unwrap();
    let q: std::collections::HashMap<_, _> = landed.query_pairs().into_owned().collect();
    assert_eq!(q["profileId"], id);
    assert_eq!(q["connected"], "linkedin");
    assert_eq!(q["status"], "success");
    assert_eq!(app.get_profile(&key, &id).body["accounts"], json!(["linkedin"]));

    // The link was used: opening it again shows the used-link page.
    browser.goto(url);
    let title = browser.text("#message-title");
    assert_eq!(title, "This link can no longer be used");
    assert!(browser.text("#message-text").contains("already used or has expired"));
}

#[test]
fn a_wrong_bluesky_password_is_shown_in_plain_words_and_links_nothing() {
    let Some(browser) = Browser::start() else { return };
    let Some(pds) = crate::peers::pds() else { return };
    let app = sandbox_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Sky user")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, &json!({"platforms": ["bluesky"], "language": "es"}));
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    browser.click(r#"li[data-platform="bluesky"] button[data-action="connect"]"#);
    browser.type_into("#bsky-handle", &pds.get("handle"));
    browser.type_into("#bsky-password", "wrong-password");
    browser.type_into("#bsky-pds", &pds.get("url"));
    browser.click("#bsky-submit");
    // A sentence in the link's language, not the PDS's own words.
    let error = browser.text("#error");
    assert_eq!(error, "Bluesky no aceptó el inicio de sesión. Revisa lo que escribiste e inténtalo de nuevo.");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
    assert_eq!(browser.text("#bsky-submit"), "Conectar");
}

#[test]
fn an_unreachable_provider_is_explained_without_its_error_text() {
    let Some(browser) = Browser::start() else { return };
    let provider = crate::fakes::oauth_provider();
    let mut config = crate::linking::fake_linkedin(&provider.base);
    // Consent works; the code exchange finds nobody listening ("Connection refused").
    config.token_url = Some("http://127.0.0.1:9/token".into());
    let app = spawn_app_with(move |c| {
        c.providers.oauth.insert(hitchpost::domain::platform::Platform::Linkedin, config);
    });
    let key = app.key("acme");
    let id = app.new_profile(&key, "Linker")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, &json!({"platforms": ["linkedin"], "language": "de"}));
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    browser.click(r#"li[data-platform="linkedin"] button[data-action="connect"]"#);
    let error = browser.text("#error");
    assert_eq!(error, "LinkedIn ist gerade nicht erreichbar. Versuche es in ein paar Minuten erneut.");
    assert!(!error.contains("os error") && !error.contains("refused"), "{error}");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
}
