//! The Ayrshare dialect (seed 002), route by route.

use crate::helpers::{Res, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

fn ay(app: &TestApp, key: &str, profile_key: Option<&str>, method: &str, path: &str, body: Option<Value>) -> Res {
    let auth = format!("Bearer {key}");
    let mut headers = vec![("authorization", auth.as_str()), ("content-type", "application/json")];
    if let Some(pk) = profile_key {
        headers.push(("profile-key", pk));
    }
    app.send(method, &format!("/api{path}"), &headers, body.map(|b| b.to_string().into_bytes()))
}

fn sandbox() -> TestApp {
    spawn_app_with(|c| c.providers.sandbox = true)
}

#[test]
fn profiles_are_created_at_every_path_the_clients_use() {
    let app = spawn_app();
    let key = app.key("acme");
    for (i, path) in ["/profiles", "/profiles/profile", "/profiles/create-profile"].iter().enumerate() {
        let res = ay(
            &app,
            &key,
            None,
            "POST",
            path,
            Some(json!({"title": format!("P{i}"), "source": "pypi", "team": false})),
        );
        assert_eq!(res.status, 200, "{path}: {}", res.text);
        assert_eq!(res.body["status"], "success");
        assert_eq!(res.body["title"], format!("P{i}"));
        assert_eq!(res.body["refId"].as_str().unwrap().len(), 40);
        assert!(res.body["profileKey"].as_str().unwrap().starts_with("prof_"));
    }
    let res = ay(&app, &key, None, "POST", "/profiles", Some(json!({"source": "npm"})));
    assert_eq!(res.status, 400);
    assert_eq!(res.body["status"], "error");
    assert!(res.body["code"].is_number());
    assert!(res.body["message"].as_str().unwrap().contains("title"));
}

#[test]
fn user_describes_a_profile_with_every_seed_field() {
    let app = sandbox();
    let key = app.key("acme");
    let pk = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "Brand"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let none = ay(&app, &key, Some(&pk), "GET", "/user", None);
    assert_eq!(none.status, 200, "{}", none.text);
    assert!(none.body.get("activeSocialAccounts").is_none(), "omitted when nothing is linked");
    assert_eq!(none.body["displayNames"], json!([]));
    let id = app.list_profiles(&key, "").body["data"][0]["id"].as_str().unwrap().to_string();
    for p in ["x", "linkedin"] {
        app.link_account(&key, &id, &json!({"platform": p, "sandbox": true}));
    }
    let res = ay(&app, &key, Some(&pk), "GET", "/user?source=pypi", None);
    let u = &res.body;
    assert_eq!(u["activeSocialAccounts"], json!(["linkedin", "twitter"]));
    assert_eq!(u["title"], "Brand");
    assert!(u["email"].is_null(), "a user profile has no email");
    assert_eq!(u["refId"].as_str().unwrap().len(), 40);
    assert!(
        u["created"]["_seconds"].is_i64() && u["created"]["_nanoseconds"].is_u64() && u["created"]["utc"].is_string()
    );
    assert!(u["monthlyApiCalls"].as_i64().unwrap() >= 1);
    for f in ["lastUpdated", "nextUpdate"] {
        assert!(chrono::DateTime::parse_from_rfc3339(u[f].as_str().unwrap()).is_ok(), "{f}");
    }
    let twitter = u["displayNames"].as_array().unwrap().iter().find(|d| d["platform"] == "twitter").unwrap();
    for f in ["id", "username", "displayName", "profileUrl", "userImage", "created", "type", "refreshRequired"] {
        assert!(!twitter[f].is_null(), "{f}");
    }
    assert!(twitter["refreshDaysRemaining"].as_i64().unwrap() >= 59);
    // validate=true on a gone profile.
    ay(&app, &key, None, "DELETE", "/profiles", Some(json!({"profileKey": pk})));
    let gone = ay(&app, &key, Some(&pk), "GET", "/user?validate=true", None);
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["status"], "error");
}

#[test]
fn user_without_a_profile_key_describes_the_primary_profile() {
    let app = spawn_app();
    let key = app.key("acme");
    let empty = ay(&app, &key, None, "GET", "/user", None);
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body["title"], "Primary Profile");
    let first = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "First"}))).body;
    ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "Second"})));
    let res = ay(&app, &key, None, "GET", "/user", None);
    assert_eq!(res.body["title"], "First");
    assert_eq!(res.body["refId"], first["refId"]);
}

#[test]
fn monthly_api_calls_are_counted_for_real() {
    let app = spawn_app();
    let key = app.key("acme");
    let before = ay(&app, &key, None, "GET", "/user", None).body["monthlyApiCalls"].as_i64().unwrap();
    for _ in 0..5 {
        app.list_profiles(&key, "");
    }
    let after = ay(&app, &key, None, "GET", "/user", None).body["monthlyApiCalls"].as_i64().unwrap();
    assert_eq!(after, before + 6, "five list calls and this user call");
    // Another workspace's calls are its own.
    let other = app.key("other");
    assert_eq!(ay(&app, &other, None, "GET", "/user", None).body["monthlyApiCalls"], 1);
}

#[test]
fn update_and_delete_prefer_the_body_profile_key_over_the_header() {
    let app = spawn_app();
    let key = app.key("acme");
    let a = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "A"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let b = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "B"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    for method in ["PATCH", "PUT"] {
        for path in ["/profiles", "/profiles/profile"] {
            let res = ay(&app, &key, Some(&a), method, path, Some(json!({"title": format!("{method}{path}")})));
            assert_eq!(res.status, 200, "{method} {path}: {}", res.text);
        }
    }
    let listed = ay(&app, &key, None, "GET", "/profiles", None).body;
    assert_eq!(listed["profiles"][0]["title"], "PUT/profiles/profile");
    // Header says A, body says B: B is deleted.
    let res = ay(&app, &key, Some(&a), "DELETE", "/profiles/delete-profile", Some(json!({"profileKey": b})));
    assert_eq!(res.status, 200);
    let titles: Vec<Value> = ay(&app, &key, None, "GET", "/profiles", None).body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(titles, vec![json!("PUT/profiles/profile")]);
    let res = ay(&app, &key, None, "DELETE", "/profiles", Some(json!({})));
    assert_eq!(res.status, 400, "no key anywhere");
    let res = ay(&app, &key, None, "DELETE", "/profiles/profile", Some(json!({"profileKey": "prof_none"})));
    assert_eq!(res.status, 404);
    assert_eq!(res.body["message"], "Profile Key not found");
}

#[test]
fn get_profiles_pages_with_a_cursor() {
    let app = spawn_app();
    let key = app.key("acme");
    for i in 0..5 {
        ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": format!("T{i}")})));
    }
    let mut titles = Vec::new();
    let mut path = "/profiles?limit=2".to_string();
    loop {
        let res = ay(&app, &key, None, "GET", &path, None);
        assert_eq!(res.status, 200);
        assert_eq!(res.body["count"], 5);
        titles
            .extend(res.body["profiles"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_string()));
        match res.body["nextCursor"].as_str() {
            Some(c) => path = format!("/profiles?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(titles, ["T0", "T1", "T2", "T3", "T4"]);
}

#[test]
fn generate_jwt_gives_a_connect_link_and_ignores_domain_and_private_key() {
    let app = sandbox();
    let key = app.key("acme");
    let pk = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "Brand"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let res = ay(
        &app,
        &key,
        None,
        "POST",
        "/profiles/generateJWT",
        Some(
            json!({"profileKey": pk, "domain": "acme", "privateKey": "-----BEGIN RSA PRIVATE KEY-----...", "allowedSocial": ["twitter", "linkedin"], "expiresIn": 30}),
        ),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "success");
    assert_eq!(res.body["title"], "Brand");
    assert_eq!(res.body["emailSent"], false);
    assert_eq!(res.body["expiresIn"], "30m");
    let token = res.body["token"].as_str().unwrap();
    assert_eq!(res.body["url"], format!("{}/connect?token={token}", app.base));
    let cookie = app.open_session(res.body["url"].as_str().unwrap());
    let offered: Vec<String> = app.page_session(&cookie).body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(offered, ["x", "linkedin"]);
}

#[test]
fn unlink_social_removes_one_account() {
    let app = sandbox();
    let key = app.key("acme");
    let pk = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "Brand"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app.list_profiles(&key, "").body["data"][0]["id"].as_str().unwrap().to_string();
    app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true}));
    let res =
        ay(&app, &key, None, "DELETE", "/profiles/social", Some(json!({"platform": "twitter", "profileKey": pk})));
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "success");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
    // Ayrshare answers 200 even when the platform is not linked (its documentation says so).
    let again =
        ay(&app, &key, None, "DELETE", "/profiles/social", Some(json!({"platform": "twitter", "profileKey": pk})));
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["status"], "success");
    assert_eq!(again.body["platform"], "twitter");
}

#[test]
fn pinterest_details_list_the_boards_read_at_link_time() {
    let app = sandbox();
    let key = app.key("acme");
    let pk = ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "Pins"}))).body["profileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app.list_profiles(&key, "").body["data"][0]["id"].as_str().unwrap().to_string();
    let res = ay(&app, &key, Some(&pk), "GET", "/user/details/pinterest", None);
    assert_eq!(res.status, 400, "nothing linked yet");
    app.link_account(&key, &id, &json!({"platform": "pinterest", "sandbox": true}));
    let res = ay(&app, &key, Some(&pk), "GET", "/user/details/pinterest", None);
    assert_eq!(res.status, 200);
    let boards = res.body["pinterest"].as_array().unwrap();
    assert_eq!(boards.len(), 2);
    assert_eq!(boards[0]["privacy"], "PUBLIC");
    assert!(boards[0]["owner"]["username"].as_str().unwrap().starts_with("sandbox_pinterest_"));
    assert!(boards[0]["id"].is_string() && boards[0]["name"].is_string());
    assert_eq!(ay(&app, &key, Some(&pk), "GET", "/user/details/tiktok", None).status, 400);
}

#[test]
fn batch_returns_a_signed_expiring_url_of_every_profiles_data() {
    let app = sandbox();
    let key = app.key("acme");
    for t in ["A", "B"] {
        ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": t})));
    }
    let res = ay(&app, &key, None, "GET", "/user/batch", None);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["success"], true);
    let url = res.body["url"].as_str().unwrap().to_string();
    let expires = chrono::DateTime::parse_from_rfc3339(res.body["urlExpires"].as_str().unwrap()).unwrap();
    let available = chrono::DateTime::parse_from_rfc3339(res.body["urlAvailable"].as_str().unwrap()).unwrap();
    assert_eq!((expires - available).num_days(), 7);
    let next = chrono::DateTime::parse_from_rfc3339(res.body["nextUpdate"].as_str().unwrap()).unwrap();
    let last = chrono::DateTime::parse_from_rfc3339(res.body["lastUpdated"].as_str().unwrap()).unwrap();
    assert_eq!((next - last).num_hours(), 3);
    // Anyone with the URL can read it; no API key needed.
    let file = app.get_url(&url, None);
    assert_eq!(file.status, 200, "{}", file.text);
    let titles: Vec<&str> =
        file.body["users"].as_array().unwrap().iter().map(|u| u["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["A", "B"]);
    // A second call within three hours serves the same file.
    ay(&app, &key, None, "POST", "/profiles", Some(json!({"title": "C"})));
    let again = ay(&app, &key, None, "GET", "/user/batch", None);
    assert_eq!(again.body["lastUpdated"], res.body["lastUpdated"]);
    // A tampered signature is refused.
    let bad = format!("{}x", url);
    assert_eq!(app.get_url(&bad, None).status, 401);
}

#[test]
fn webhooks_register_list_and_unregister() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = ay(
        &app,
        &key,
        None,
        "POST",
        "/hook/webhook",
        Some(json!({"action": "social", "url": "https://hooks.example.com/a"})),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "success");
    // Registering the action again re-points it.
    ay(
        &app,
        &key,
        None,
        "POST",
        "/hook/webhook",
        Some(json!({"action": "social", "url": "https://hooks.example.com/b"})),
    );
    let list = ay(&app, &key, None, "GET", "/hook/webhook", None);
    let hooks = list.body["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["url"], "https://hooks.example.com/b");
    assert_eq!(
        ay(&app, &key, None, "POST", "/hook/webhook", Some(json!({"action": "nope", "url": "https://x.example"})))
            .status,
        400
    );
    assert_eq!(
        ay(&app, &key, None, "POST", "/hook/webhook", Some(json!({"action": "social", "url": "ftp://x"}))).status,
        400
    );
    assert_eq!(ay(&app, &key, None, "DELETE", "/hook/webhook", Some(json!({"action": "social"}))).status, 200);
    assert_eq!(ay(&app, &key, None, "GET", "/hook/webhook", None).body["webhooks"], json!([]));
    assert_eq!(ay(&app, &key, None, "DELETE", "/hook/webhook", Some(json!({"action": "social"}))).status, 404);
}

#[test]
fn errors_have_status_code_and_message() {
    let app = spawn_app();
    let res = app.send("GET", "/api/user", &[], None);
    assert_eq!(res.status, 401);
    assert_eq!(res.body["status"], "error");
    assert_eq!(res.body["code"], 102);
    let res = app.send("GET", "/api/user", &[("authorization", "Bearer hp_nope")], None);
    assert_eq!(res.status, 401);
    assert_eq!(res.body["message"], "API Key not valid");
}
