//! Property tests over real HTTP: any body sent to any route that reads one, and any query
//! string sent to any route that reads one, gets an answer below 500 in the route's dialect —
//! never a 5xx, a panic or a dropped connection.

use crate::helpers::{TestApp, spawn_app_with};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// Field names the routes read, so that generated objects reach past "unknown field".
#[rustfmt::skip]
const FIELDS: &[&str] = &[
    "name", "externalId", "username", "metadata", "expiresIn", "redirectUrl", "logoUrl", "platforms",
    "language", "labels", "title", "description", "token", "platform", "handle", "appPassword", "pdsUrl",
    "sandbox", "url", "events", "enabled", "profileKey", "profileName", "redirect", "allowedSocial", "logo",
    "action", "secret", "credentials", "returnUrl", "redirect_url", "logo_image", "redirect_button_text",
    "connect_title", "connect_description", "ui_labels", "expires_in", "jwt", "week_start_day", "webhook_url",
    "email", "password", "newPassword", "currentPassword", "content", "key", "firstName", "lastName",
    "documentId", "documentName", "documentContent", "login",
];

/// Strings that mean something to some route.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "", " ", "x", "bluesky", "x", "twitter", "linkedin", "profile.created", "account.linked", "social",
    "https://example.com/cb", "http://127.0.0.1:1/hook", "javascript:alert(1)", "prof_abc", "es", "pt-BR",
    "Sup3rSecret", "a@b.co", "alice", "../../etc/passwd", "\u{0}", "ünï😀", "null", "-1", "99999999999",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_string),
        2 => any::<String>(),
        1 => "[a-z0-9._@+\\-]{1,12}",
        1 => "\\PC{190,210}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    crate::properties::json_with(text().boxed(), 4)
}

/// A body: mostly an object of the routes' own field names, else any JSON, else any bytes.
fn body() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let known = prop::collection::btree_map(prop::sample::select(FIELDS), json_value(), 0..6)
        .prop_map(|m| serde_json::to_vec(&m).unwrap());
    prop_oneof![
        6 => known,
        2 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
    .prop_flat_map(|bytes| (Just(bytes), prop::bool::weighted(0.9)))
}

/// What a route needs to be called: the credentials each dialect takes.
struct Fixture {
    app: TestApp,
    key: String,
    profile: String,
    profile_key: String,
    webhook: String,
    holder: String,
    document: String,
    cookie: String,
    /// A console session cookie (`hp_console=…`) of the holder.
    console: String,
}

fn fixture() -> Fixture {
    let app = spawn_app_with(|c| {
        c.api_key_rate = hitchpost::config::per_second(0);
        c.api_ip_rate = hitchpost::config::per_second(0);
        c.providers.sandbox = true;
    });
    let key = app.key("acme");
    let json_ct = ("content-type", "application/json");
    let post = |path: &str, headers: &[(&str, &str)], body: Value| {
        let res = app.send("POST", path, headers, Some(body.to_string().into_bytes()));
        assert!(res.status == 200 || res.status == 201, "{path}: {}", res.text);
        res.body
    };
    let profile = app.new_profile(&key, "Props")["id"].as_str().unwrap().to_string();
    let api = [("x-api-key", key.as_str()), json_ct];
    let profile_key =
        post("/profiles/create", &api, json!({"profileName": "pc"}))["profileKey"].as_str().unwrap().to_string();
    let webhook = post("/v1/webhooks", &api, json!({"url": "http://127.0.0.1:1/hook", "events": ["profile.created"]}))
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        "/api/uploadposts/users",
        &[("authorization", &format!("ApiKey {key}")), json_ct],
        json!({"username": "alice"}),
    );
    let holder = post(
        "/api/auth/register",
        &[json_ct],
        json!({"email": "props@example.com", "password": "Sup3rSecret"}),
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {holder}");
    let document = post(
        "/api/users/documents",
        &[("authorization", &bearer), json_ct],
        json!({"documentName": "d", "documentContent": "c"}),
    )["document"]["Id"]
        .to_string();
    let link = app.new_link(&key, &profile, &json!({}));
    let cookie = app.open_session(link["url"].as_str().unwrap());
    let console = app
        .send(
            "POST",
            "/console/api/login",
            &[json_ct, ("x-hitchpost-console", "1")],
            Some(json!({"login": "props@example.com", "password": "Sup3rSecret"}).to_string().into_bytes()),
        )
        .cookie("hp_console")
        .expect("a console session");
    Fixture { app, key, profile, profile_key, webhook, holder, document, cookie, console }
}

/// A route that reads a body: method, path, and the headers it authenticates with.
type Route = (&'static str, String, Vec<(String, String)>);

/// Every route that reads a body.
fn body_routes(f: &Fixture) -> Vec<Route> {
    let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    let native = h(&[("x-api-key", &f.key)]);
    let upload = h(&[("authorization", &format!("ApiKey {}", f.key))]);
    let ayr = h(&[("authorization", &format!("Bearer {}", f.key)), ("profile-key", &f.profile_key)]);
    let holder = h(&[("authorization", &format!("Bearer {}", f.holder))]);
    let page = h(&[("cookie", &f.cookie), ("x-hitchpost-connect", "1")]);
    let console = h(&[("cookie", &f.console), ("x-hitchpost-console", "1")]);
    let (p, w, d) = (&f.profile, &f.webhook, &f.document);
    vec![
        ("POST", "/v1/profiles".into(), native.clone()),
        ("PATCH", format!("/v1/profiles/{p}"), native.clone()),
        ("POST", format!("/v1/profiles/{p}/connect-links"), native.clone()),
        ("POST", "/v1/connect-links/validate".into(), native.clone()),
        ("POST", format!("/v1/profiles/{p}/accounts"), native.clone()),
        ("POST", "/v1/webhooks".into(), native.clone()),
        ("PATCH", format!("/v1/webhooks/{w}"), native.clone()),
        ("POST", "/api/uploadposts/users".into(), upload.clone()),
        ("DELETE", "/api/uploadposts/users".into(), upload.clone()),
        ("POST", "/api/uploadposts/users/generate-jwt".into(), upload.clone()),
        ("POST", "/api/uploadposts/users/validate-jwt".into(), upload.clone()),
        ("POST", "/api/uploadposts/users/preferences".into(), upload.clone()),
        ("POST", "/api/uploadposts/users/notifications".into(), upload.clone()),
        ("POST", "/api/profiles".into(), ayr.clone()),
        ("PATCH", "/api/profiles".into(), ayr.clone()),
        ("PUT", "/api/profiles/profile".into(), ayr.clone()),
        ("POST", "/api/profiles/generateJWT".into(), ayr.clone()),
        ("DELETE", "/api/profiles/social".into(), ayr.clone()),
        ("POST", "/api/hook/webhook".into(), ayr.clone()),
        ("DELETE", "/api/hook/webhook".into(), ayr.clone()),
        ("DELETE", "/api/profiles".into(), ayr),
        ("POST", "/profiles/create".into(), native.clone()),
        ("POST", "/profiles/connect".into(), native),
        ("POST", "/api/auth/register".into(), vec![]),
        ("POST", "/api/auth/login".into(), vec![]),
        ("PUT", "/api/users/profile".into(), holder.clone()),
        ("PUT", "/api/users/password".into(), holder.clone()),
        ("POST", "/api/users/documents".into(), holder.clone()),
        ("PUT", format!("/api/users/documents/{d}"), holder.clone()),
        ("POST", "/api/users/api-keys".into(), holder),
        ("POST", "/connect/api/accounts/bluesky".into(), page.clone()),
        ("POST", "/connect/api/accounts/x".into(), page),
        ("POST", format!("/v1/profiles/{p}/accounts/linkedin/authorize"), h(&[("x-api-key", &f.key)])),
        ("POST", "/console/api/login".into(), h(&[("x-hitchpost-console", "1")])),
        ("POST", "/console/api/keys".into(), console.clone()),
        ("POST", format!("/console/api/profiles/{p}/links"), console),
    ]
}

fn below_500(what: &str, res: Option<crate::helpers::Res>, seen: &Seen) -> Result<(), TestCaseError> {
    let Some(res) = res else { return Err(TestCaseError::fail(format!("{what}: the connection failed"))) };
    *seen.borrow_mut().entry(res.status).or_default() += 1;
    prop_assert!(res.status < 500, "{what}: {} {}", res.status, res.text);
    if res.status >= 400 && res.status != 405 {
        prop_assert!(
            serde_json::from_str::<Value>(&res.text).is_ok(),
            "{what}: {} is not JSON: {}",
            res.status,
            res.text
        );
    }
    Ok(())
}

/// How many answers of each status the cases got: the proof that they reached the handlers
/// (a run of nothing but 401s would show nothing).
type Seen = std::cell::RefCell<std::collections::BTreeMap<u16, u32>>;

#[test]
fn any_body_on_any_route_gets_an_answer_below_500_in_the_routes_dialect() {
    let f = fixture();
    let routes = body_routes(&f);
    let mut runner = TestRunner::new(Config { cases: 1500, failure_persistence: None, ..Config::default() });
    let strategy = (0..routes.len(), body());
    let seen = Seen::default();
    runner
        .run(&strategy, |(i, (bytes, json_ct))| {
            let (method, path, auth) = &routes[i];
            let mut headers: Vec<(&str, &str)> = auth.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            if json_ct {
                headers.push(("content-type", "application/json"));
            }
            let res = crate::helpers::try_send(&f.app.base, method, path, &headers, Some(bytes));
            below_500(&format!("{method} {path}"), res, &seen)
        })
        .unwrap();
    let seen = seen.into_inner();
    println!("statuses: {seen:?}");
    let ok: u32 = seen.range(200..300).map(|(_, n)| n).sum();
    assert!(ok >= 50 && seen.get(&400).is_some_and(|n| *n >= 300), "cases did not reach the handlers: {seen:?}");
    assert_eq!(f.app.healthz().status, 200);
}

#[test]
fn any_query_string_on_any_route_that_reads_one_gets_an_answer_below_500() {
    let f = fixture();
    const PARAMS: &[&str] =
        &["limit", "cursor", "action", "profileId", "token", "code", "state", "error", "jwt", "username", "q"];
    let query = prop::collection::vec((prop::sample::select(PARAMS), text()), 0..4).prop_map(|pairs| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            q.append_pair(k, &v);
        }
        q.finish()
    });
    let native = [("x-api-key", f.key.as_str())];
    let upload_auth = format!("ApiKey {}", f.key);
    let ayr_auth = format!("Bearer {}", f.key);
    let (p, w) = (&f.profile, &f.webhook);
    let routes: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/v1/profiles".into(), native.to_vec()),
        (format!("/v1/profiles/{p}/accounts"), native.to_vec()),
        (format!("/v1/profiles/{p}/connect-links"), native.to_vec()),
        ("/v1/audit-log".into(), native.to_vec()),
        (format!("/v1/webhooks/{w}/deliveries"), native.to_vec()),
        ("/api/uploadposts/users".into(), vec![("authorization", upload_auth.as_str())]),
        ("/api/uploadposts/users/validate-jwt".into(), vec![("authorization", upload_auth.as_str())]),
        ("/api/profiles".into(), vec![("authorization", ayr_auth.as_str())]),
        ("/profiles".into(), native.to_vec()),
        ("/connect".into(), vec![]),
        ("/connect/callback/linkedin".into(), vec![("cookie", f.cookie.as_str())]),
        ("/connect/callback/bluesky".into(), vec![]),
        ("/console/api/profiles".into(), vec![("cookie", f.console.as_str())]),
        ("/console/api/audit".into(), vec![("cookie", f.console.as_str())]),
    ];
    let mut runner = TestRunner::new(Config { cases: 800, failure_persistence: None, ..Config::default() });
    let seen = Seen::default();
    runner
        .run(&(0..routes.len(), query), |(i, q)| {
            let (path, headers) = &routes[i];
            let target = format!("{path}?{q}");
            // Pages answer HTML; what matters there is no 5xx.
            let res = crate::helpers::try_send(&f.app.base, "GET", &target, headers, None);
            let Some(res) = res else { return Err(TestCaseError::fail(format!("{target}: the connection failed"))) };
            *seen.borrow_mut().entry(res.status).or_default() += 1;
            prop_assert!(res.status < 500, "{}: {} {}", target, res.status, res.text);
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    println!("statuses: {seen:?}");
    assert!(seen.get(&200).is_some_and(|n| *n >= 100) && seen.get(&400).is_some_and(|n| *n >= 100), "{seen:?}");
}
