//! The console's JSON routes over HTTP: signing in (the users API's rules and limits), the
//! cookie, CSRF, isolation between holders, and the actions (the browser tests drive the page).

use crate::helpers::{Res, TestApp, spawn_app_with};
use crate::holders::{register, users};
use serde_json::{Value, json};

const PASSWORD: &str = "Sup3rSecret";

fn sandbox_app() -> TestApp {
    spawn_app_with(|c| c.providers.sandbox = true)
}

/// A console call as the page makes it: its header, the session cookie, JSON.
fn console(app: &TestApp, cookie: &str, method: &str, path: &str, body: Option<Value>) -> Res {
    let headers = [("cookie", cookie), ("x-hitchpost-console", "1"), ("content-type", "application/json")];
    app.send(method, &format!("/console/api{path}"), &headers, body.map(|b| b.to_string().into_bytes()))
}

fn sign_in(app: &TestApp, login: &str, password: &str) -> Res {
    console(app, "", "POST", "/login", Some(json!({"login": login, "password": password})))
}

/// A holder (registered through the users API) signed in to the console: (cookie, API key).
fn holder(app: &TestApp, email: &str) -> (String, String) {
    let token = register(app, email);
    let res = users(app, &token, "POST", "/api-keys", Some(json!({"name": "setup"})));
    let key = res.body["apiKey"]["key"].as_str().unwrap().to_string();
    let res = sign_in(app, email, PASSWORD);
    assert_eq!(res.status, 200, "{}", res.text);
    (res.cookie("hp_console").unwrap(), key)
}

/// A profile with a linked sandbox X account and a live link: (profile id, link id).
fn furnished(app: &TestApp, key: &str, external_id: &str) -> (String, String) {
    let id = app.create_profile(key, &json!({"name": "Customer", "externalId": external_id})).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.link_account(key, &id, &json!({"platform": "x", "sandbox": true})).status, 201);
    let link = app.new_link(key, &id, &json!({}))["id"].as_str().unwrap().to_string();
    (id, link)
}

#[test]
fn signing_in_sets_an_http_only_strict_cookie_and_never_shows_the_token() {
    let app = sandbox_app();
    register(&app, "owner@example.com");
    let res = sign_in(&app, "owner@example.com", PASSWORD);
    assert_eq!(res.status, 200, "{}", res.text);
    let set = res.header("set-cookie").unwrap().to_string();
    for attr in ["hp_console=", "HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age="] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    assert!(!set.contains("Secure"), "plain http here: {set}");
    let cookie = res.cookie("hp_console").unwrap();
    let token = cookie.strip_prefix("hp_console=").unwrap();
    assert!(token.len() > 40 && !res.text.contains(token), "the session is in the cookie only");
    let me = console(&app, &cookie, "GET", "/me", None);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["holder"]["email"], "owner@example.com");
    assert_eq!(me.body["usage"]["profiles"], 0);
    let out = console(&app, &cookie, "POST", "/logout", None);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"), "{:?}", out.header("set-cookie"));
}

#[test]
fn signing_in_with_a_wrong_password_is_a_401_and_with_missing_fields_a_400_naming_them() {
    let app = sandbox_app();
    register(&app, "owner@example.com");
    let cases = [
        (json!({"login": "owner@example.com", "password": "Wrong1234"}), 401, None),
        (json!({"login": "nobody@example.com", "password": PASSWORD}), 401, None),
        (json!({"password": PASSWORD}), 400, Some("email")),
        (json!({"login": "owner@example.com"}), 400, Some("password")),
        (json!({"login": "owner@example.com", "password": PASSWORD, "remember": true}), 400, Some("remember")),
    ];
    for (body, status, field) in cases {
        let res = console(&app, "", "POST", "/login", Some(body.clone()));
        assert_eq!(res.status, status, "{body}: {}", res.text);
        assert!(res.cookie("hp_console").is_none(), "{body}");
        if let Some(field) = field {
            assert_eq!(res.problem_field(), field, "{body}: {}", res.text);
        } else {
            assert_eq!(res.body["detail"], "Invalid email or password", "{}", res.text);
        }
    }
}

/// A holder's things to aim at: a profile, a link, a key id, a webhook and its delivery.
struct Ids {
    profile: String,
    link: String,
    key: String,
    hook: String,
    delivery: String,
}

/// A furnished workspace of the holder of `cookie`, with a subscription that has been pinged.
fn ids(app: &TestApp, cookie: &str, key: &str, external_id: &str) -> Ids {
    let (profile, link) = furnished(app, key, external_id);
    let hook = console(
        app,
        cookie,
        "POST",
        "/webhooks",
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["profile.created"]})),
    );
    assert_eq!(hook.status, 201, "{}", hook.text);
    let hook = hook.body["id"].as_str().unwrap().to_string();
    let ping = console(app, cookie, "POST", &format!("/webhooks/{hook}/ping"), None);
    assert_eq!(ping.status, 202, "{}", ping.text);
    let delivery = ping.body["deliveryId"].as_str().unwrap().to_string();
    Ids { profile, link, key: key_id(key), hook, delivery }
}

/// Every console JSON route, aimed at `ids`.
fn routes(ids: &Ids) -> Vec<(&'static str, String, Option<Value>)> {
    let Ids { profile, link, key, hook, delivery } = ids;
    vec![
        ("GET", "/me".into(), None),
        ("GET", "/profiles".into(), None),
        ("GET", format!("/profiles/{profile}"), None),
        ("POST", format!("/profiles/{profile}/links"), Some(json!({}))),
        ("DELETE", format!("/links/{link}"), None),
        ("DELETE", format!("/profiles/{profile}/accounts/x"), None),
        ("POST", format!("/profiles/{profile}/accounts/x/refresh"), None),
        ("GET", "/keys".into(), None),
        ("POST", "/keys".into(), Some(json!({"name": "k"}))),
        ("DELETE", format!("/keys/{key}"), None),
        ("GET", "/audit".into(), None),
        ("GET", "/attention".into(), None),
        ("POST", "/password".into(), Some(json!({"currentPassword": "x", "newPassword": "short"}))),
        ("GET", "/webhooks".into(), None),
        ("POST", "/webhooks".into(), Some(json!({"url": "http://127.0.0.1:9/other", "events": ["account.linked"]}))),
        ("PATCH", format!("/webhooks/{hook}"), Some(json!({"enabled": false}))),
        ("POST", format!("/webhooks/{hook}/rotate-secret"), None),
        ("POST", format!("/webhooks/{hook}/ping"), None),
        ("GET", format!("/webhooks/{hook}/deliveries"), None),
        ("POST", format!("/webhooks/{hook}/deliveries/{delivery}/redeliver"), None),
    ]
}

fn key_id(key: &str) -> String {
    key[3..15].to_string()
}

#[test]
fn every_console_route_is_a_401_without_a_session_or_with_a_forged_one() {
    let app = sandbox_app();
    let (owner, key) = holder(&app, "owner@example.com");
    let ids = ids(&app, &owner, &key, "cust-1");
    let profile = ids.profile.clone();
    for cookie in ["", "hp_console=not-a-token", "hp_console=eyJhbGciOiJub25lIn0.e30."] {
        for (method, path, body) in routes(&ids) {
            let res = console(&app, cookie, method, &path, body);
            assert_eq!(res.status, 401, "{method} {path} with {cookie:?}: {}", res.text);
            assert_eq!(res.header("content-type"), Some("application/problem+json"), "{method} {path}");
        }
    }
    assert_eq!(app.list_links(&key, &profile).body["data"].as_array().unwrap().len(), 1, "nothing was revoked");
}

#[test]
fn a_holder_never_sees_or_changes_another_holders_workspace_through_the_console() {
    let app = sandbox_app();
    let (cookie_a, key_a) = holder(&app, "a@example.com");
    let (cookie_b, _) = holder(&app, "b@example.com");
    let ids = ids(&app, &cookie_a, &key_a, "cust-a");
    let profile = ids.profile.clone();
    let theirs = [&ids.profile, &ids.link, &ids.key, &ids.hook, &ids.delivery];
    for (method, path, body) in routes(&ids) {
        let res = console(&app, &cookie_b, method, &path, body);
        assert!(res.status < 500, "{method} {path}: {}", res.text);
        for id in theirs.iter().map(|s| s.as_str()).chain(["cust-a"]) {
            assert!(!res.text.contains(id), "{method} {path} leaked {id}: {}", res.text);
        }
        let expected = match (method, path.as_str()) {
            (_, p) if theirs.iter().any(|id| p.contains(id.as_str())) => 404,
            ("POST", "/keys" | "/webhooks") => 201,
            ("POST", "/password") => 400,
            _ => 200,
        };
        assert_eq!(res.status, expected, "{method} {path}: {}", res.text);
    }
    // A's things are as they were.
    assert_eq!(app.list_links(&key_a, &profile).body["data"].as_array().unwrap().len(), 1);
    let hooks = console(&app, &cookie_a, "GET", "/webhooks", None).body;
    assert_eq!(hooks["data"].as_array().unwrap().len(), 1, "{hooks}");
    assert_eq!(hooks["data"][0]["enabled"], true);
    assert_eq!(app.list_accounts(&key_a, &profile).body["data"][0]["platform"], "x");
    assert_eq!(app.create_profile(&key_a, &json!({"name": "still works"})).status, 201);
}

#[test]
fn a_state_change_from_another_site_is_refused_with_403_and_changes_nothing() {
    let app = sandbox_app();
    let (cookie, key) = holder(&app, "owner@example.com");
    let ids = ids(&app, &cookie, &key, "cust-1");
    let (profile, link) = (ids.profile.clone(), ids.link.clone());
    let forged: [&[(&str, &str)]; 4] = [
        // A cross-site form post: no custom header can be set.
        &[("content-type", "application/x-www-form-urlencoded")],
        &[("origin", "https://evil.example"), ("content-type", "application/json")],
        &[("x-hitchpost-console", "1"), ("origin", "https://evil.example")],
        &[("x-hitchpost-console", "1"), ("sec-fetch-site", "cross-site")],
    ];
    let writes: Vec<_> = routes(&ids).into_iter().filter(|r| r.0 != "GET").collect();
    let mut all = writes.clone();
    all.push(("POST", "/login".into(), Some(json!({"login": "owner@example.com", "password": PASSWORD}))));
    all.push(("POST", "/logout".into(), None));
    for headers in forged {
        for (method, path, body) in &all {
            let mut h = vec![("cookie", cookie.as_str())];
            h.extend_from_slice(headers);
            let res =
                app.send(method, &format!("/console/api{path}"), &h, body.as_ref().map(|b| b.to_string().into_bytes()));
            assert_eq!(res.status, 403, "{method} {path} with {headers:?}: {}", res.text);
            assert!(res.cookie("hp_console").is_none());
        }
    }
    assert_eq!(app.list_links(&key, &profile).body["data"].as_array().unwrap().len(), 1);
    assert_eq!(app.list_accounts(&key, &profile).body["data"].as_array().unwrap().len(), 1);
    assert_eq!(console(&app, &cookie, "GET", "/keys", None).body["data"].as_array().unwrap().len(), 1);
    let hooks = console(&app, &cookie, "GET", "/webhooks", None).body;
    assert_eq!((hooks["data"].as_array().unwrap().len(), &hooks["data"][0]["enabled"]), (1, &json!(true)));
    // The page's own request, from the same origin, goes through.
    let h = [
        ("cookie", cookie.as_str()),
        ("x-hitchpost-console", "1"),
        ("origin", app.base.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    assert_eq!(app.send("DELETE", &format!("/console/api/links/{link}"), &h, None).status, 204);
}

#[test]
fn the_console_finds_profiles_runs_the_apis_operations_and_records_the_holder_in_the_audit_log() {
    let app = sandbox_app();
    let (cookie, key) = holder(&app, "owner@example.com");
    let (profile, link) = furnished(&app, &key, "cust-42");
    furnished(&app, &key, "cust-43");
    let found = console(&app, &cookie, "GET", "/profiles?q=cust-42", None);
    assert_eq!(found.body["data"].as_array().unwrap().len(), 1, "{}", found.text);
    assert_eq!(found.body["data"][0]["id"], profile);
    assert_eq!(found.body["data"][0]["platforms"], json!(["x"]));
    assert_eq!(console(&app, &cookie, "GET", "/profiles?q=nobody", None).body["data"], json!([]));
    assert_eq!(console(&app, &cookie, "GET", "/profiles", None).body["data"].as_array().unwrap().len(), 2);
    assert_eq!(console(&app, &cookie, "GET", "/profiles?cursor=zzz", None).status, 400);

    let page = console(&app, &cookie, "GET", &format!("/profiles/{profile}"), None).body;
    assert_eq!(page["accounts"][0]["platform"], "x");
    assert_eq!(page["links"][0]["id"], link);
    let made = console(&app, &cookie, "POST", &format!("/profiles/{profile}/links"), Some(json!({"platforms": ["x"]})));
    assert_eq!(made.status, 201, "{}", made.text);
    assert!(made.body["url"].as_str().unwrap().starts_with(&format!("{}/connect?token=", app.base)));
    let bad = console(&app, &cookie, "POST", &format!("/profiles/{profile}/links"), Some(json!({"expiresIn": 0})));
    assert_eq!((bad.status, bad.problem_field()), (400, "expiresIn"), "{}", bad.text);
    assert_eq!(console(&app, &cookie, "DELETE", &format!("/links/{link}"), None).status, 204);
    assert_eq!(console(&app, &cookie, "DELETE", &format!("/profiles/{profile}/accounts/x"), None).status, 204);
    assert_eq!(app.list_accounts(&key, &profile).body["data"], json!([]));

    let made = console(&app, &cookie, "POST", "/keys", Some(json!({"name": "ci", "scopes": ["profiles"]})));
    assert_eq!(made.status, 201, "{}", made.text);
    let new_key = made.body["key"].as_str().unwrap().to_string();
    assert_eq!(app.list_profiles(&new_key, "").status, 200);
    let listed = console(&app, &cookie, "GET", "/keys", None);
    assert!(!listed.text.contains(&new_key[15..]), "the secret is shown once");
    assert_eq!(console(&app, &cookie, "DELETE", &format!("/keys/{}", key_id(&new_key)), None).status, 204);
    assert_eq!(app.list_profiles(&new_key, "").status, 401);
    assert_eq!(console(&app, &cookie, "POST", "/keys", Some(json!({"name": ""}))).problem_field(), "name");

    let me = console(&app, &cookie, "GET", "/me", None).body;
    let holder = format!("holder:{}", me["holder"]["id"].as_str().unwrap());
    let audit = console(&app, &cookie, "GET", "/audit?action=connect_link.revoked", None).body;
    assert_eq!(audit["data"][0]["actor"], holder, "{audit}");
    assert_eq!(audit["data"][0]["target"], link);
    let audit =
        console(&app, &cookie, "GET", &format!("/audit?profileId={profile}&action=account.unlinked"), None).body;
    assert_eq!(audit["data"][0]["actor"], holder, "{audit}");
}

/// `hitchpost console-link` for `email` against this server's database and secret.
fn console_link(app: &TestApp, email: &str) -> String {
    let env = [("HITCHPOST_SECRET", crate::helpers::TEST_SECRET)];
    let (ok, out, err) = app.cli_env(&["console-link", "--email", email, "--public-url", &app.base], &env);
    assert!(ok, "{out}{err}");
    assert!(err.contains("once"), "{err}");
    out.trim().to_string()
}

#[test]
fn a_console_link_from_the_cli_signs_in_once_and_ends_the_other_sessions() {
    let app = sandbox_app();
    let (old_cookie, _) = holder(&app, "owner@example.com");
    let api_session = register(&app, "second@example.com");
    let link = console_link(&app, "owner@example.com");
    assert!(link.starts_with(&format!("{}/console/link?token=", app.base)), "{link}");
    let path = link.strip_prefix(&app.base).unwrap();
    // Fetching it (a mail scanner) uses nothing up.
    for _ in 0..2 {
        let page = app.send("GET", path, &[], None);
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains(r#"<form method="post" action="/console/link?token="#), "{}", page.text);
    }
    let cross = app.send("POST", path, &[("sec-fetch-site", "cross-site")], Some(Vec::new()));
    assert_eq!(cross.status, 410, "another site's form cannot use it");
    let used = app.send("POST", path, &[], Some(Vec::new()));
    assert_eq!(used.status, 303, "{}", used.text);
    assert_eq!(used.location(), "/console");
    let cookie = used.cookie("hp_console").expect("a console session");
    assert_eq!(console(&app, &cookie, "GET", "/me", None).body["holder"]["email"], "owner@example.com");
    // Once only; and the sessions from before it are over (another holder's are not).
    assert_eq!(app.send("POST", path, &[], Some(Vec::new())).status, 410);
    assert_eq!(app.send("GET", path, &[], None).status, 410);
    assert_eq!(console(&app, &old_cookie, "GET", "/me", None).status, 401);
    assert_eq!(users(&app, &api_session, "GET", "/profile", None).status, 200);
    let audit = console(&app, &cookie, "GET", "/audit?action=holder.console_link_used", None).body;
    assert_eq!(audit["data"].as_array().unwrap().len(), 1, "{audit}");
    // The link's session may set a new password without the old one; then every other
    // session ends and the new password signs in.
    assert_eq!(console(&app, &cookie, "GET", "/me", None).body["recovery"], true);
    let res = console(&app, &cookie, "POST", "/password", Some(json!({"newPassword": "N3wPassword"})));
    assert_eq!(res.status, 200, "{}", res.text);
    let renewed = res.cookie("hp_console").unwrap();
    assert_eq!(console(&app, &cookie, "GET", "/me", None).status, 401);
    assert_eq!(console(&app, &renewed, "GET", "/me", None).body["recovery"], false);
    assert_eq!(sign_in(&app, "owner@example.com", PASSWORD).status, 401);
    assert_eq!(sign_in(&app, "owner@example.com", "N3wPassword").status, 200);
    // A session that is not a recovery one must give the current password.
    let cases = [
        (json!({"newPassword": "An0therPass"}), "currentPassword"),
        (json!({"currentPassword": "Wrong1234", "newPassword": "An0therPass"}), "currentPassword"),
        (json!({"currentPassword": "N3wPassword", "newPassword": "short"}), "newPassword"),
    ];
    for (body, field) in cases {
        let res = console(&app, &renewed, "POST", "/password", Some(body.clone()));
        assert_eq!((res.status, res.problem_field()), (400, field), "{body}: {}", res.text);
    }
    let res = console(
        &app,
        &renewed,
        "POST",
        "/password",
        Some(json!({"currentPassword": "N3wPassword", "newPassword": "An0therPass"})),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    // A forged or unknown link shows the same page.
    assert_eq!(app.send("GET", "/console/link?token=forged", &[], None).status, 410);
    let (ok, _, err) = app.cli_env(
        &["console-link", "--email", "nobody@example.com"],
        &[("HITCHPOST_SECRET", crate::helpers::TEST_SECRET)],
    );
    assert!(!ok && err.contains("no account holder"), "{err}");
}
