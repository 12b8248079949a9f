//! The Upload-Post dialect (seed 000), route by route.

use crate::helpers::{Res, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const JSON: (&str, &str) = ("content-type", "application/json");

fn up(app: &TestApp, key: &str, method: &str, path: &str, body: Option<Value>) -> Res {
    let auth = format!("ApiKey {key}");
    app.send(
        method,
        &format!("/api/uploadposts{path}"),
        &[("authorization", &auth), JSON],
        body.map(|b| b.to_string().into_bytes()),
    )
}

#[test]
fn create_user_returns_201_with_the_profile_and_every_platform_unlinked() {
    let app = spawn_app();
    let key = app.key("acme");
    let res = up(&app, &key, "POST", "/users", Some(json!({"username": "your_platform_user_id_123"})));
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["success"], true);
    let p = &res.body["profile"];
    assert_eq!(p["username"], "your_platform_user_id_123");
    let created = p["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc2822(created).is_ok(), "{created}");
    assert!(created.ends_with(" GMT"));
    for platform in ["tiktok", "instagram", "linkedin", "x", "bluesky"] {
        assert_eq!(p["social_accounts"][platform], "", "{platform}");
    }
}

#[test]
fn create_user_errors_are_success_false_with_a_message() {
    let app = spawn_app();
    let key = app.key("acme");
    up(&app, &key, "POST", "/users", Some(json!({"username": "taken"})));
    let cases = [
        (json!({"username": "taken"}), 409),
        (json!({}), 400),
        (json!({"username": ""}), 400),
        (json!({"username": 7}), 400),
        (json!({"username": "has space"}), 400),
    ];
    for (body, status) in cases {
        let res = up(&app, &key, "POST", "/users", Some(body.clone()));
        assert_eq!(res.status, status, "{body}: {}", res.text);
        assert_eq!(res.body["success"], false);
        assert!(res.body["message"].as_str().unwrap().len() > 3);
    }
    let res = up(&app, &key, "POST", "/users", Some(json!({})));
    assert!(res.body["message"].as_str().unwrap().contains("username"));
    let res = up(&app, "hp_wrong", "GET", "/users", None);
    assert_eq!(res.status, 401);
    assert_eq!(res.body["success"], false);
    let res = app.send("GET", "/api/uploadposts/users", &[], None);
    assert_eq!(res.status, 401);
    let res = up(&app, &key, "GET", "/no-such-route", None);
    assert_eq!(res.status, 404);
    assert_eq!(res.body["success"], false);
}

#[test]
fn the_api_key_scheme_is_case_insensitive() {
    let app = spawn_app();
    let key = app.key("acme");
    for scheme in ["ApiKey", "Apikey", "apikey", "APIKEY"] {
        let auth = format!("{scheme} {key}");
        let res = app.send("GET", "/api/uploadposts/users", &[("authorization", &auth)], None);
        assert_eq!(res.status, 200, "{scheme}");
    }
}

#[test]
fn list_users_carries_limit_and_plan_and_linked_accounts_details() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key_with_limit("acme", 10);
    up(&app, &key, "POST", "/users", Some(json!({"username": "u1"})));
    let id = app.list_profiles(&key, "?username=u1").body["data"][0]["id"].as_str().unwrap().to_string();
    app.link_account(&key, &id, &json!({"platform": "instagram", "sandbox": true}));
    let res = up(&app, &key, "GET", "/users", None);
    assert_eq!(res.status, 200);
    assert_eq!(res.body["success"], true);
    assert_eq!(res.body["limit"], 10);
    assert_eq!(res.body["plan"], "selfhosted");
    let p = &res.body["profiles"][0];
    assert_eq!(p["username"], "u1");
    let ig = &p["social_accounts"]["instagram"];
    assert_eq!(ig["display_name"], "Sandbox Instagram User");
    assert!(ig["username"].as_str().unwrap().starts_with("sandbox_instagram_"));
    assert!(ig["social_images"].as_str().unwrap().ends_with("/connect/assets/avatar.svg"));
    assert_eq!(p["social_accounts"]["tiktok"], "");
    let one = up(&app, &key, "GET", "/users/u1", None);
    assert_eq!(one.status, 200);
    assert_eq!(one.body["profile"], *p);
    assert_eq!(up(&app, &key, "GET", "/users/nobody", None).status, 404);
}

#[test]
fn delete_user_takes_a_json_body_and_says_so() {
    let app = spawn_app();
    let key = app.key("acme");
    up(&app, &key, "POST", "/users", Some(json!({"username": "gone"})));
    let res = up(&app, &key, "DELETE", "/users", Some(json!({"username": "gone"})));
    assert_eq!(res.status, 200);
    assert_eq!(res.body, json!({"success": true, "message": "Perfil eliminado correctamente"}));
    let res = up(&app, &key, "DELETE", "/users", Some(json!({"username": "gone"})));
    assert_eq!(res.status, 404);
    assert_eq!(res.body["success"], false);
    let res = up(&app, &key, "DELETE", "/users", Some(json!({})));
    assert_eq!(res.status, 400);
}

#[test]
fn generate_jwt_returns_a_hitchpost_connect_link_and_validate_jwt_checks_it() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("acme");
    up(&app, &key, "POST", "/users", Some(json!({"username": "u1"})));
    let body = json!({"username": "u1", "redirect_url": "https://app.example.com/back", "logo_image": "https://cdn.example.com/logo.png",
        "redirect_button_text": "Back", "platforms": ["linkedin", "tiktok"], "connect_title": "Link", "connect_description": "Please",
        "language": "de", "ui_labels": {"connect.title": "Verknüpfen"}, "show_calendar": false});
    let res = up(&app, &key, "POST", "/users/generate-jwt", Some(body));
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["success"], true);
    assert_eq!(res.body["duration"], "1h");
    let jwt = res.body["jwt"].as_str().unwrap();
    assert_eq!(res.body["access_url"], format!("{}/connect?token={jwt}", app.base));
    // With the API key and the token in the body.
    let v = up(&app, &key, "POST", "/users/validate-jwt", Some(json!({"jwt": jwt})));
    assert_eq!(v.status, 200);
    assert_eq!(v.body["success"], true);
    assert_eq!(v.body["profile"]["username"], "u1");
    assert_eq!(v.body["profile"]["language"], "de");
    assert_eq!(v.body["profile"]["ui_labels"]["connect.title"], "Verknüpfen");
    assert_eq!(v.body["profile"]["redirect_url"], "https://app.example.com/back");
    // With the token alone as a bearer, by POST and by GET.
    let bearer = format!("Bearer {jwt}");
    for method in ["POST", "GET"] {
        let v = app.send(method, "/api/uploadposts/users/validate-jwt", &[("authorization", &bearer)], None);
        assert_eq!(v.status, 200, "{method}: {}", v.text);
        assert_eq!(v.body["profile"]["username"], "u1");
    }
    // Invalid: 200 with isValid false and a reason.
    let v = app.send("GET", "/api/uploadposts/users/validate-jwt", &[("authorization", "Bearer not.a.jwt")], None);
    assert_eq!(v.status, 200);
    assert_eq!(v.body["isValid"], false);
    assert!(v.body["reason"].as_str().unwrap().contains("invalid"));
    // The link is a real connect link: opening it uses it up.
    app.open_session(res.body["access_url"].as_str().unwrap());
    let v = up(&app, &key, "POST", "/users/validate-jwt", Some(json!({"jwt": jwt})));
    assert_eq!(v.body, json!({"isValid": false, "reason": "This link was already used"}));
}

#[test]
fn generate_jwt_errors_name_the_field_in_upload_posts_words() {
    let app = spawn_app();
    let key = app.key("acme");
    up(&app, &key, "POST", "/users", Some(json!({"username": "u1"})));
    let cases = [
        (json!({}), 400, "username"),
        (json!({"username": "nobody"}), 404, "not found"),
        (json!({"username": "u1", "redirect_url": "javascript:x"}), 400, "redirect_url"),
        (json!({"username": "u1", "logo_image": "nope"}), 400, "logo_image"),
        (json!({"username": "u1", "language": "xx"}), 400, "language"),
    ];
    for (body, status, word) in cases {
        let res = up(&app, &key, "POST", "/users/generate-jwt", Some(body.clone()));
        assert_eq!(res.status, status, "{body}: {}", res.text);
        assert!(res.body["message"].as_str().unwrap().contains(word), "{body}: {}", res.text);
    }
}

#[test]
fn me_preferences_and_notification_config() {
    let app = spawn_app();
    let key = app.key("acme");
    let me = up(&app, &key, "GET", "/me", None);
    assert_eq!(me.status, 200);
    assert_eq!(me.body["success"], true);
    assert_eq!(me.body["message"], "Token is valid");
    assert_eq!(me.body["plan"], "selfhosted");
    assert_eq!(me.body["preferences"]["week_start_day"], 0);
    assert!(me.body.get("email").is_some());
    // Preferences: either spelling, an empty body allowed.
    assert_eq!(
        up(&app, &key, "POST", "/users/preferences", Some(json!({"week_start_day": 1}))).body["preferences"]["week_start_day"],
        1
    );
    assert_eq!(
        up(&app, &key, "POST", "/users/preferences", Some(json!({"weekStartDay": 0}))).body["preferences"]["week_start_day"],
        0
    );
    let auth = format!("ApiKey {key}");
    let empty = app.send("POST", "/api/uploadposts/users/preferences", &[("authorization", &auth)], None);
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.body["preferences"]["week_start_day"], 0);
    let bad = up(&app, &key, "POST", "/users/preferences", Some(json!({"week_start_day": 3})));
    assert_eq!(bad.status, 400);
    assert!(bad.body["message"].as_str().unwrap().contains("week_start_day"));
    assert_eq!(up(&app, &key, "GET", "/users/preferences", None).body["preferences"]["week_start_day"], 0);
    // Notification config at both paths, one store.
    let set = up(
        &app,
        &key,
        "POST",
        "/notification-config",
        Some(json!({"webhook_url": "http://127.0.0.1:9/hook", "webhook_events": ["social_account_connected"]})),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    let got = up(&app, &key, "GET", "/users/notifications", None);
    assert_eq!(got.body["webhook_url"], "http://127.0.0.1:9/hook");
    assert_eq!(got.body["webhook_events"], json!(["social_account_connected"]));
    let bad = up(&app, &key, "POST", "/users/notifications", Some(json!({"webhook_events": ["nope"]})));
    assert_eq!(bad.status, 400);
    let test = up(&app, &key, "POST", "/users/notifications/test", Some(json!({})));
    assert_eq!(test.status, 200);
    assert_eq!(test.body["success"], true);
}
