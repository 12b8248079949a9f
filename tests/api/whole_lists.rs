//! The dialects' whole-workspace lists (audit M7) are streamed a page at a time: every profile
//! arrives once, in order, with its accounts, across page boundaries, and an empty workspace
//! is an empty list.

use crate::helpers::{TestApp, spawn_app_with};
use serde_json::{Value, json};

/// 250 profiles straight into the file (three pages of 100), the 150th with an account.
fn workspace_of_250(app: &TestApp) -> String {
    let key = app.key("big");
    let ids: Vec<String> = (0..250)
        .map(|i| {
            let res = app.create_profile(&key, &json!({"name": format!("p{i:03}"), "username": format!("user{i:03}")}));
            assert_eq!(res.status, 201, "{}", res.text);
            res.body["id"].as_str().unwrap().to_string()
        })
        .collect();
    let linked = app.link_account(&key, &ids[150], &json!({"platform": "linkedin", "sandbox": true}));
    assert_eq!(linked.status, 201, "{}", linked.text);
    key
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|p| p[field].as_str().unwrap().to_string()).collect()
}

fn expected() -> Vec<String> {
    (0..250).map(|i| format!("p{i:03}")).collect()
}

#[test]
fn upload_post_lists_every_profile_across_pages() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = workspace_of_250(&app);
    let auth = format!("ApiKey {key}");
    let res = app.send("GET", "/api/uploadposts/users", &[("authorization", &auth)], None);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.body["success"], true);
    let profiles = &res.body["profiles"];
    let usernames = names(profiles, "username");
    assert_eq!(usernames, (0..250).map(|i| format!("user{i:03}")).collect::<Vec<_>>());
    assert!(profiles[150]["social_accounts"]["linkedin"].is_object(), "{}", profiles[150]);
    let empty = app.key("empty");
    let res = app.send("GET", "/api/uploadposts/users", &[("authorization", &format!("ApiKey {empty}"))], None);
    assert_eq!(res.body["profiles"], json!([]), "{}", res.text);
}

#[test]
fn postcore_lists_every_profile_across_pages() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = workspace_of_250(&app);
    let res = app.send("GET", "/profiles", &[("x-api-key", &key)], None);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(names(&res.body["profiles"], "profileName"), expected());
    assert_eq!(res.body["profiles"][150]["connectedPlatforms"][0]["platform"], "linkedin");
    let empty = app.key("empty");
    assert_eq!(app.send("GET", "/profiles", &[("x-api-key", &empty)], None).body, json!({"profiles": []}));
}
