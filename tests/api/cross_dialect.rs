//! A profile made through any dialect is the same profile in every other and in /v1.

use crate::helpers::{TestApp, spawn_app_with};
use serde_json::{Value, json};

const JSON: (&str, &str) = ("content-type", "application/json");

/// The profile key of a profile created through `dialect`.
fn create(app: &TestApp, key: &str, dialect: &str, tag: &str) -> String {
    let bearer = format!("Bearer {key}");
    let apikey = format!("ApiKey {key}");
    match dialect {
        "native" => {
            app.create_profile(key, &json!({"name": tag, "username": tag})).body["profileKey"].as_str().unwrap().into()
        }
        "uploadpost" => {
            let body = json!({"username": tag}).to_string().into_bytes();
            assert_eq!(
                app.send("POST", "/api/uploadposts/users", &[("authorization", &apikey), JSON], Some(body)).status,
                201
            );
            app.list_profiles(key, &format!("?username={tag}")).body["data"][0]["profileKey"].as_str().unwrap().into()
        }
        "postcore" => {
            let body = json!({"profileName": tag}).to_string().into_bytes();
            app.send("POST", "/profiles/create", &[("x-api-key", key), JSON], Some(body)).body["profileKey"]
                .as_str()
                .unwrap()
                .into()
        }
        "ayrshare" => {
            let body = json!({"title": tag}).to_string().into_bytes();
            app.send("POST", "/api/profiles", &[("authorization", &bearer), JSON], Some(body)).body["profileKey"]
                .as_str()
                .unwrap()
                .into()
        }
        _ => unreachable!(),
    }
}

fn native_by_key(app: &TestApp, key: &str, pk: &str) -> Option<Value> {
    let all = app.list_profiles(key, "?limit=100").body;
    all["data"].as_array().unwrap().iter().find(|p| p["profileKey"] == pk).cloned()
}

/// Whether `dialect` lists the profile, reads it, and deletes it.
fn check(app: &TestApp, key: &str, dialect: &str, pk: &str) {
    let bearer = format!("Bearer {key}");
    let apikey = format!("ApiKey {key}");
    let native = native_by_key(app, key, pk).expect("in /v1");
    let id = native["id"].as_str().unwrap().to_string();
    let handle = native["username"].as_str().map(str::to_owned).unwrap_or_else(|| pk.to_string());
    match dialect {
        "native" => {
            assert_eq!(app.get_profile(key, &id).status, 200);
            assert_eq!(app.delete_profile(key, &id).status, 204);
        }
        "uploadpost" => {
            let list = app.send("GET", "/api/uploadposts/users", &[("authorization", &apikey)], None).body;
            assert!(list["profiles"].as_array().unwrap().iter().any(|p| p["username"] == handle.as_str()), "{list}");
            let one = app.send("GET", &format!("/api/uploadposts/users/{handle}"), &[("authorization", &apikey)], None);
            assert_eq!(one.status, 200, "{}", one.text);
            let body = json!({"username": handle}).to_string().into_bytes();
            assert_eq!(
                app.send("DELETE", "/api/uploadposts/users", &[("authorization", &apikey), JSON], Some(body)).status,
                200
            );
        }
        "postcore" => {
            let list = app.send("GET", "/profiles", &[("x-api-key", key)], None).body;
            assert!(list["profiles"].as_array().unwrap().iter().any(|p| p["profileKey"] == pk));
            assert_eq!(app.send("GET", &format!("/profiles/{pk}"), &[("x-api-key", key)], None).status, 200);
            assert_eq!(app.send("DELETE", &format!("/profiles/{pk}"), &[("x-api-key", key)], None).status, 200);
        }
        "ayrshare" => {
            let list = app.send("GET", "/api/profiles?limit=100", &[("authorization", &bearer)], None).body;
            assert!(list["profiles"].as_array().unwrap().iter().any(|p| p["profileKey"] == pk));
            let user = app.send("GET", "/api/user", &[("authorization", &bearer), ("profile-key", pk)], None);
            assert_eq!(user.status, 200);
            let body = json!({"profileKey": pk}).to_string().into_bytes();
            assert_eq!(
                app.send("DELETE", "/api/profiles", &[("authorization", &bearer), JSON], Some(body)).status,
                200
            );
        }
        _ => unreachable!(),
    }
    assert!(native_by_key(app, key, pk).is_none(), "{dialect} deleted it");
}

#[test]
fn a_profile_made_through_any_dialect_is_listed_read_and_deleted_through_every_other() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("acme");
    let dialects = ["native", "uploadpost", "postcore", "ayrshare"];
    let mut n = 0;
    for made in dialects {
        for used in dialects {
            n += 1;
            let pk = create(&app, &key, made, &format!("p{n}"));
            check(&app, &key, used, &pk);
        }
    }
}

#[test]
fn an_account_linked_in_one_dialect_shows_in_every_other() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("acme");
    let pk = create(&app, &key, "postcore", "shared");
    let id = native_by_key(&app, &key, &pk).unwrap()["id"].as_str().unwrap().to_string();
    app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true}));
    let bearer = format!("Bearer {key}");
    let apikey = format!("ApiKey {key}");
    let ay = app.send("GET", "/api/user", &[("authorization", &bearer), ("profile-key", &pk)], None).body;
    assert_eq!(ay["activeSocialAccounts"], json!(["twitter"]));
    let up = app.send("GET", &format!("/api/uploadposts/users/{pk}"), &[("authorization", &apikey)], None).body;
    assert!(up["profile"]["social_accounts"]["x"]["username"].is_string());
    let pc = app.send("GET", &format!("/profiles/{pk}"), &[("x-api-key", &key)], None).body;
    assert_eq!(pc["connectedPlatforms"][0]["platform"], "x");
    assert_eq!(app.get_profile(&key, &id).body["accounts"], json!(["x"]));
}
