//! Opening a connect link (audit L2): a fetch (a mail scanner, a chat preview) uses nothing
//! up; the page's button does, once, and only from the page itself.

use crate::helpers::{TestApp, spawn_app};
use serde_json::json;

fn link(app: &TestApp, language: &str) -> (String, String) {
    let key = app.key("acme");
    let id = app.new_profile(&key, "Opener")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, &json!({"language": language}));
    (key, link["url"].as_str().unwrap().to_string())
}

#[test]
fn fetching_a_link_uses_nothing_up_and_its_button_does_once() {
    let app = spawn_app();
    let (_, url) = link(&app, "es");
    for _ in 0..3 {
        let page = app.fetch_link(&url);
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert!(page.text.contains(r#"<html lang="es" data-theme="auto">"#), "{}", page.text);
        assert!(page.text.contains(">Continuar</button>"), "{}", page.text);
        assert!(page.cookie("hp_connect").is_none(), "a fetch gets no session");
    }
    let opened = app.open_link(&url);
    assert_eq!(opened.status, 303, "{}", opened.text);
    assert!(opened.cookie("hp_connect").is_some());
    // Used now: the page and the button both say so.
    let again = app.fetch_link(&url);
    assert_eq!(again.status, 410, "{}", again.text);
    let path = url.strip_prefix(&app.base).unwrap();
    assert_eq!(app.send("POST", path, &[], None).status, 410);
}

#[test]
fn a_link_is_not_opened_by_another_sites_form() {
    let app = spawn_app();
    let (_, url) = link(&app, "en");
    let path = url.strip_prefix(&app.base).unwrap();
    let res = app.send("POST", path, &[("sec-fetch-site", "cross-site")], None);
    assert_eq!(res.status, 403, "{}", res.text);
    assert!(res.cookie("hp_connect").is_none());
    assert_eq!(app.open_link(&url).status, 303, "the link was not used up");
}

#[test]
fn a_link_of_a_deleted_profile_reads_like_a_used_one() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Gone")["id"].as_str().unwrap().to_string();
    let gone = app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap().to_string();
    let (_, used) = link(&app, "en");
    assert_eq!(app.open_link(&used).status, 303);
    assert_eq!(app.delete_profile(&key, &id).status, 204);
    let (a, b) = (app.fetch_link(&gone), app.fetch_link(&used));
    assert_eq!((a.status, b.status), (410, 410));
    assert_eq!(a.text, b.text, "the page tells a deleted profile from a used link");
}
