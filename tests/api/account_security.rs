//! Account holders' credentials (audit L5): a new email takes the password, and an account's
//! sign-in attempts are one bucket whichever of its names is typed.

use crate::helpers::{Res, TestApp, spawn_app, spawn_app_with};
use hitchpost::ratelimit::AttemptRate;
use serde_json::{Value, json};
use std::time::Duration;

const JSON: (&str, &str) = ("content-type", "application/json");
const PASSWORD: &str = "Sup3rSecret";

fn post(app: &TestApp, path: &str, body: Value, from: &str) -> Res {
    app.send("POST", path, &[JSON, ("x-forwarded-for", from)], Some(body.to_string().into_bytes()))
}

fn put_profile(app: &TestApp, token: &str, body: Value) -> Res {
    let auth = format!("Bearer {token}");
    app.send("PUT", "/api/users/profile", &[JSON, ("authorization", &auth)], Some(body.to_string().into_bytes()))
}

#[test]
fn changing_the_email_returns_400_without_the_current_password_and_ends_other_sessions_with_it() {
    let app = spawn_app();
    let reg = post(&app, "/api/auth/register", json!({"email": "me@example.com", "password": PASSWORD}), "1.1.1.1");
    let token = reg.body["token"].as_str().unwrap().to_string();
    let cases = [
        (json!({"email": "thief@example.com"}), "Current password is required to change the email"),
        (json!({"email": "thief@example.com", "currentPassword": "Wrong1234"}), "Current password is incorrect"),
    ];
    for (body, message) in cases {
        let res = put_profile(&app, &token, body);
        assert_eq!(res.status, 400, "{}", res.text);
        assert_eq!(res.body["message"], message);
    }
    // Names change without it; the same email (any case) is no change.
    assert_eq!(put_profile(&app, &token, json!({"firstName": "Me", "email": "ME@example.com"})).status, 200);
    let ok = put_profile(&app, &token, json!({"email": "new@example.com", "currentPassword": PASSWORD}));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["user"]["Email"], "new@example.com");
    assert_eq!(put_profile(&app, &token, json!({"firstName": "x"})).status, 401, "the old session ended");
    let fresh = ok.body["token"].as_str().unwrap();
    assert_eq!(put_profile(&app, fresh, json!({"firstName": "y"})).status, 200);
}

#[test]
fn the_email_and_the_username_of_one_account_share_one_sign_in_bucket() {
    let app = spawn_app_with(|c| {
        c.auth_rate = AttemptRate { burst: 10, per: Duration::from_secs(60) };
        c.trust_proxy = true;
    });
    let body = json!({"email": "both@example.com", "username": "bothnames", "password": PASSWORD});
    assert_eq!(post(&app, "/api/auth/register", body, "9.9.9.9").status, 201);
    // Each attempt from a new address, so only the account's bucket can run out.
    let statuses: Vec<u16> = (0..12)
        .map(|i| {
            let login =
                if i % 2 == 0 { json!({"email": "both@example.com"}) } else { json!({"username": "bothnames"}) };
            let mut body = login;
            body["password"] = json!("Wrong1234");
            post(&app, "/api/auth/login", body, &format!("203.0.113.{i}")).status
        })
        .collect();
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
}
