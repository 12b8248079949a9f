//! A link's look and ends: theme, accent colour, language from the browser, popup mode and the
//! error return, as the page's API and the button page serve them (the browser tests show
//! them rendered).

use crate::helpers::{TestApp, spawn_app_with};
use serde_json::{Value, json};
use std::collections::HashMap;

fn sandbox_app() -> TestApp {
    spawn_app_with(|c| c.providers.sandbox = true)
}

/// A profile and a session of a new link with `options`: (key, profile id, cookie).
fn session(app: &TestApp, options: &Value) -> (String, String, String) {
    let key = app.key("acme");
    let id = app.new_profile(&key, "Page user")["id"].as_str().unwrap().to_string();
    let cookie = app.open_session(app.new_link(&key, &id, options)["url"].as_str().unwrap());
    (key, id, cookie)
}

fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

#[test]
fn create_connect_link_returns_400_naming_the_field_for_invalid_look_and_return_options() {
    let app = sandbox_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Someone")["id"].as_str().unwrap().to_string();
    let cases = [
        (json!({"theme": "purple"}), "theme"),
        (json!({"theme": 1}), "theme"),
        (json!({"accentColor": "red"}), "accentColor"),
        (json!({"accentColor": "#fff"}), "accentColor"),
        (json!({"accentColor": "#12345g"}), "accentColor"),
        (json!({"accentColor": "#1234567"}), "accentColor"),
        (json!({"mode": "window"}), "mode"),
        (json!({"mode": "popup"}), "redirectUrl"),
        (json!({"errorRedirectUrl": "javascript:alert(1)"}), "errorRedirectUrl"),
        (json!({"errorRedirectUrl": "/relative"}), "errorRedirectUrl"),
    ];
    for (body, field) in cases {
        let res = app.create_link(&key, &id, &body);
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        assert_eq!(res.problem_field(), field, "{body}: {}", res.text);
    }
    assert_eq!(app.list_links(&key, &id).body["data"], json!([]), "nothing was stored");
}

#[test]
fn the_page_session_carries_the_theme_the_accent_and_the_text_colour_that_reads_on_it() {
    let app = sandbox_app();
    let (_, _, cookie) = session(&app, &json!({"theme": "DARK", "accentColor": "#FFD400", "language": "fr"}));
    let s = app.page_session(&cookie).body;
    assert_eq!(s["theme"], "dark");
    assert_eq!(s["accentColor"], "#ffd400");
    assert_eq!(s["onAccent"], "#111111", "a yellow button keeps dark text");
    assert_eq!(s["mode"], "page");
    let (_, _, cookie) = session(&app, &json!({"accentColor": "#0a2540"}));
    let s = app.page_session(&cookie).body;
    assert_eq!(s["theme"], "auto", "auto is the default");
    assert_eq!(s["onAccent"], "#ffffff");
}

#[test]
fn a_link_without_a_language_follows_the_browsers_accept_language() {
    let app = sandbox_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Someone")["id"].as_str().unwrap().to_string();
    let url = app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap().to_string();
    let page = app.fetch_link_in(&url, "de-CH,de;q=0.9,en;q=0.5");
    assert!(page.text.contains(r#"<html lang="de""#), "{}", page.text);
    assert!(page.text.contains(">Weiter</button>"), "{}", page.text);
    let cookie = app.open_session(&url);
    let cases = [("de", "de"), ("ja,pt-BR;q=0.8", "pt"), ("ja, zh", "en"), ("", "en"), ("fr;q=0.1,tr;q=0.9", "tr")];
    for (accept, want) in cases {
        assert_eq!(app.page_session_in(&cookie, accept).body["language"], want, "{accept}");
    }
    // A link that names its language keeps it whatever the browser prefers.
    let (_, _, cookie) = session(&app, &json!({"language": "es"}));
    assert_eq!(app.page_session_in(&cookie, "de").body["language"], "es");
}

#[test]
fn done_after_a_failure_returns_to_the_error_redirect_url_with_the_stable_code() {
    let app = sandbox_app();
    let options =
        json!({"redirectUrl": "https://app.example/ok", "errorRedirectUrl": "https://app.example/failed?x=1"});
    let (_, id, cookie) = session(&app, &options);
    let res = app.page_done_with(&cookie, &json!({"error": "declined", "platform": "linkedin"}));
    assert_eq!(res.status, 200, "{}", res.text);
    let url = res.body["url"].as_str().unwrap();
    assert!(url.starts_with("https://app.example/failed?"), "{url}");
    let q = query(url);
    assert_eq!(q["x"], "1", "the URL's own query is kept");
    assert_eq!(q["profileId"], id);
    assert_eq!(q["platform"], "linkedin");
    assert_eq!(q["error"], "declined");
    assert_eq!(q["status"], "error");
    assert_eq!(res.body["message"]["status"], "error");
    assert!(res.body["origin"].is_null(), "a page link posts no message");
}

#[test]
fn done_without_a_failure_returns_to_the_redirect_url_even_with_an_error_redirect_url() {
    let app = sandbox_app();
    let options = json!({"redirectUrl": "https://app.example/ok", "errorRedirectUrl": "https://app.example/failed"});
    let (_, id, cookie) = session(&app, &options);
    assert_eq!(app.page_link(&cookie, "x", &json!({"sandbox": true})).status, 200);
    let res = app.page_done(&cookie);
    let q = query(res.body["url"].as_str().unwrap());
    assert!(res.body["url"].as_str().unwrap().starts_with("https://app.example/ok?"));
    assert_eq!((q["profileId"].as_str(), q["connected"].as_str(), q["status"].as_str()), (id.as_str(), "x", "success"));
}

#[test]
fn done_returns_400_naming_the_field_for_an_unknown_failure_code_and_keeps_the_session() {
    let app = sandbox_app();
    let (_, _, cookie) = session(&app, &json!({"errorRedirectUrl": "https://app.example/failed"}));
    let cases = [
        (json!({"error": "exploded", "platform": "x"}), "error"),
        (json!({"error": "declined", "platform": "myspace"}), "platform"),
        (json!({"error": "declined"}), "platform"),
        (json!({"error": "declined", "platform": "x", "extra": 1}), "extra"),
    ];
    for (body, field) in cases {
        let res = app.page_done_with(&cookie, &body);
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        assert_eq!(res.body["field"], field, "{body}: {}", res.text);
    }
    assert_eq!(app.page_session(&cookie).status, 200, "a refused Done ends nothing");
}

#[test]
fn a_popup_links_message_goes_to_its_redirect_urls_origin_only() {
    let app = sandbox_app();
    let options = json!({"mode": "popup", "redirectUrl": "https://app.example:8443/connected?tab=2"});
    let (_, id, cookie) = session(&app, &options);
    assert_eq!(app.page_session(&cookie).body["mode"], "popup");
    assert_eq!(app.page_link(&cookie, "linkedin", &json!({"sandbox": true})).status, 200);
    let res = app.page_done(&cookie);
    assert_eq!(res.body["origin"], "https://app.example:8443");
    assert_eq!(
        res.body["message"],
        json!({"type": "hitchpost:connect", "profileId": id, "connected": ["linkedin"], "status": "success"})
    );
}
