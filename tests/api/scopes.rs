//! Scoped API keys: every route refuses a key without the scope it needs with a 403 naming
//! that scope, in the caller's dialect, and takes a key holding only what it needs.

use crate::helpers::{TestApp, create_scoped_key, spawn_app};
use hitchpost::auth::Scope;
use serde_json::{Value, json};

fn key_with(app: &TestApp, ws: &str, scopes: &[Scope]) -> String {
    create_scoped_key(app, ws, None, scopes.iter().copied().collect())
}

/// Every scope but `missing`.
fn key_without(app: &TestApp, ws: &str, missing: Scope) -> String {
    let all: Vec<Scope> = Scope::ALL.into_iter().filter(|s| *s != missing).collect();
    key_with(app, ws, &all)
}

fn scope_named(name: &str) -> Scope {
    Scope::parse(name).unwrap_or_else(|| panic!("the OpenAPI document names an unknown scope {name}"))
}

/// The native routes and the scope each needs, as the OpenAPI document states them.
fn documented_routes(app: &TestApp) -> Vec<(String, String, Scope)> {
    let doc = app.openapi().body;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Some(security) = op["security"].as_array() else { continue };
            let scopes: Vec<&str> =
                security[0]["bearer"].as_array().expect("bearer").iter().filter_map(Value::as_str).collect();
            assert_eq!(scopes.len(), 1, "{method} {path} must state exactly one scope: {security:?}");
            assert_eq!(security[1]["apiKey"], security[0]["bearer"], "{method} {path}: both schemes need one scope");
            out.push((method.to_uppercase(), path.clone(), scope_named(scopes[0])));
        }
    }
    out
}

fn fill(path: &str, profile_id: &str) -> String {
    let mut out = String::new();
    for seg in path.split('/').skip(1) {
        out.push('/');
        out.push_str(match seg {
            "{id}" => profile_id,
            "{account}" => "bluesky",
            s if s.starts_with('{') => "x",
            s => s,
        });
    }
    out
}

fn call(app: &TestApp, method: &str, path: &str, key: &str) -> crate::helpers::Res {
    let auth = format!("Bearer {key}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    let body = matches!(method, "POST" | "PATCH" | "PUT").then(|| b"{}".to_vec());
    app.send(method, path, &headers, body)
}

#[test]
fn every_native_route_states_a_scope_and_refuses_a_key_without_it_with_403_naming_it() {
    let app = spawn_app();
    let owner = app.key("acme");
    let routes = documented_routes(&app);
    assert!(routes.len() >= 20, "the document lists the API key routes: {routes:?}");
    for scope in Scope::ALL {
        let without = key_without(&app, "acme", scope);
        let only = key_with(&app, "acme", &[scope]);
        for (method, path, needed) in routes.iter().filter(|r| r.2 == scope) {
            let profile = app.new_profile(&owner, "Scoped")["id"].as_str().unwrap().to_string();
            let path = fill(path, &profile);
            let res = call(&app, method, &path, &without);
            assert_eq!(res.status, 403, "{method} {path} without {needed}: {}", res.text);
            assert_eq!(res.body["type"], "urn:hitchpost:problem:missing-scope", "{method} {path}");
            assert_eq!(res.body["scope"], needed.as_str(), "{method} {path}");
            assert!(res.body["detail"].as_str().unwrap().contains(&format!("`{needed}`")), "{}", res.text);
            let res = call(&app, method, &path, &only);
            assert!(
                ![401, 403].contains(&res.status),
                "{method} {path} with only {needed}: {} {}",
                res.status,
                res.text
            );
        }
    }
}

#[test]
fn a_key_made_without_scopes_has_every_scope_but_credentials() {
    let app = spawn_app();
    let (ok, key, err) = app.cli(&["key", "create", "--workspace", "acme"]);
    assert!(ok, "{err}");
    let key = key.trim();
    let p = app.new_profile(key, "Plain")["id"].as_str().unwrap().to_string();
    assert_eq!(app.list_accounts(key, &p).status, 200);
    let res = call(&app, "GET", &format!("/v1/profiles/{p}/accounts/bluesky/credentials"), key);
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.body["scope"], "credentials");
    let (_, listed, _) = app.cli(&["key", "list", "--workspace", "acme"]);
    assert!(listed.contains("profiles,connect,accounts,proxy,webhooks,audit"), "{listed}");
    assert!(!listed.contains("credentials"), "{listed}");
}

#[test]
fn key_create_with_scope_makes_a_key_that_holds_only_those() {
    let app = spawn_app();
    let (ok, key, err) = app.cli(&["key", "create", "--workspace", "acme", "--scope", "proxy,accounts"]);
    assert!(ok, "{err}");
    let key = key.trim();
    let res = app.list_profiles(key, "");
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.body["scope"], "profiles");
    let (_, listed, _) = app.cli(&["key", "list", "--workspace", "acme"]);
    assert!(listed.contains("\taccounts,proxy\t"), "{listed}");
}

#[test]
fn key_create_refuses_an_unknown_scope_naming_it() {
    let app = spawn_app();
    for bad in ["admin", "proxy,everything", ","] {
        let (ok, out, err) = app.cli(&["key", "create", "--workspace", "acme", "--scope", bad]);
        assert!(!ok, "--scope {bad} was taken: {out}");
        assert!(err.contains("scopes"), "--scope {bad}: {err}");
        assert!(!out.contains("hp_"), "no key is printed for --scope {bad}");
    }
}

/// A hosted-service route: its dialect, method, path, and the scopes it needs.
struct DialectRoute {
    dialect: &'static str,
    method: &'static str,
    path: &'static str,
    needs: &'static [Scope],
}

const P: &[Scope] = &[Scope::Profiles];
const PC: &[Scope] = &[Scope::Profiles, Scope::Connect];
const PW: &[Scope] = &[Scope::Profiles, Scope::Webhooks];

const DIALECT_ROUTES: &[DialectRoute] = &[
    DialectRoute { dialect: "uploadpost", method: "GET", path: "/api/uploadposts/me", needs: P },
    DialectRoute { dialect: "uploadpost", method: "POST", path: "/api/uploadposts/users", needs: P },
    DialectRoute { dialect: "uploadpost", method: "GET", path: "/api/uploadposts/users", needs: P },
    DialectRoute { dialect: "uploadpost", method: "DELETE", path: "/api/uploadposts/users", needs: P },
    DialectRoute { dialect: "uploadpost", method: "GET", path: "/api/uploadposts/users/someone", needs: P },
    DialectRoute { dialect: "uploadpost", method: "GET", path: "/api/uploadposts/users/preferences", needs: P },
    DialectRoute { dialect: "uploadpost", method: "POST", path: "/api/uploadposts/users/preferences", needs: P },
    DialectRoute { dialect: "uploadpost", method: "GET", path: "/api/uploadposts/pinterest/boards", needs: P },
    DialectRoute { dialect: "uploadpost", method: "POST", path: "/api/uploadposts/users/generate-jwt", needs: PC },
    DialectRoute { dialect: "uploadpost", method: "POST", path: "/api/uploadposts/users/validate-jwt", needs: PC },
    DialectRoute { dialect: "uploadpost", method: "GET", path: "/api/uploadposts/users/notifications", needs: PW },
    DialectRoute { dialect: "uploadpost", method: "POST", path: "/api/uploadposts/users/notifications", needs: PW },
    DialectRoute {
        dialect: "uploadpost",
        method: "POST",
        path: "/api/uploadposts/notification-config/test",
        needs: PW,
    },
    DialectRoute { dialect: "postcore", method: "POST", path: "/profiles/create", needs: P },
    DialectRoute { dialect: "postcore", method: "GET", path: "/profiles", needs: P },
    DialectRoute { dialect: "postcore", method: "GET", path: "/profiles/pk_x", needs: P },
    DialectRoute { dialect: "postcore", method: "DELETE", path: "/profiles/pk_x", needs: P },
    DialectRoute { dialect: "postcore", method: "POST", path: "/profiles/connect", needs: PC },
    DialectRoute { dialect: "ayrshare", method: "GET", path: "/api/user", needs: P },
    DialectRoute { dialect: "ayrshare", method: "GET", path: "/api/user/details/pinterest", needs: P },
    DialectRoute { dialect: "ayrshare", method: "GET", path: "/api/user/batch", needs: P },
    DialectRoute { dialect: "ayrshare", method: "POST", path: "/api/profiles", needs: P },
    DialectRoute { dialect: "ayrshare", method: "GET", path: "/api/profiles", needs: P },
    DialectRoute { dialect: "ayrshare", method: "PATCH", path: "/api/profiles", needs: P },
    DialectRoute { dialect: "ayrshare", method: "DELETE", path: "/api/profiles", needs: P },
    DialectRoute { dialect: "ayrshare", method: "DELETE", path: "/api/profiles/social", needs: P },
    DialectRoute { dialect: "ayrshare", method: "POST", path: "/api/profiles/generateJWT", needs: PC },
    DialectRoute { dialect: "ayrshare", method: "POST", path: "/api/hook/webhook", needs: PW },
    DialectRoute { dialect: "ayrshare", method: "GET", path: "/api/hook/webhook", needs: PW },
    DialectRoute { dialect: "ayrshare", method: "DELETE", path: "/api/hook/webhook", needs: PW },
];

fn dialect_call(app: &TestApp, r: &DialectRoute, key: &str) -> crate::helpers::Res {
    let auth = match r.dialect {
        "uploadpost" => ("authorization", format!("ApiKey {key}")),
        "postcore" => ("x-api-key", key.to_string()),
        _ => ("authorization", format!("Bearer {key}")),
    };
    let headers = [(auth.0, auth.1.as_str()), ("content-type", "application/json")];
    let body = matches!(r.method, "POST" | "PATCH" | "PUT" | "DELETE").then(|| b"{}".to_vec());
    app.send(r.method, r.path, &headers, body)
}

/// The dialect's error body names the scope, in that dialect's shape.
fn assert_names_scope(r: &DialectRoute, body: &Value, scope: Scope) {
    let expected_shape = match r.dialect {
        "uploadpost" => json!({"success": false}),
        "postcore" => json!({"error": "MISSING_SCOPE"}),
        _ => json!({"status": "error", "code": 403}),
    };
    for (k, v) in expected_shape.as_object().unwrap() {
        assert_eq!(&body[k], v, "{} {}: {body}", r.method, r.path);
    }
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("`{scope}`")), "{} {}: {body}", r.method, r.path);
}

#[test]
fn every_dialect_route_refuses_a_key_without_its_scopes_in_the_dialects_format() {
    let app = spawn_app();
    for r in DIALECT_ROUTES {
        for needed in r.needs {
            let key = key_without(&app, "acme", *needed);
            let res = dialect_call(&app, r, &key);
            assert_eq!(res.status, 403, "{} {} without {needed}: {}", r.method, r.path, res.text);
            assert_names_scope(r, &res.body, *needed);
        }
        let only = key_with(&app, "acme", r.needs);
        let res = dialect_call(&app, r, &only);
        assert!(
            ![401, 403].contains(&res.status),
            "{} {} with {:?}: {} {}",
            r.method,
            r.path,
            r.needs,
            res.status,
            res.text
        );
    }
}

#[test]
fn holders_make_scoped_keys_and_see_the_scopes_listed() {
    let app = spawn_app();
    let token = crate::holders::register(&app, "scoper@example.com");
    let auth = format!("Bearer {token}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    let body = json!({"name": "poster", "scopes": ["proxy", "accounts"]}).to_string().into_bytes();
    let res = app.send("POST", "/api/users/api-keys", &headers, Some(body));
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["apiKey"]["scopes"], json!(["accounts", "proxy"]));
    let key = res.body["apiKey"]["key"].as_str().unwrap().to_string();
    assert_eq!(app.list_profiles(&key, "").status, 403);
    let body = json!({"name": "plain"}).to_string().into_bytes();
    let res = app.send("POST", "/api/users/api-keys", &headers, Some(body));
    assert_eq!(res.body["apiKey"]["scopes"], json!(["profiles", "connect", "accounts", "proxy", "webhooks", "audit"]));
    let res = app.send("GET", "/api/users/api-keys", &headers, None);
    let scopes: Vec<&Value> = res.body["apiKeys"].as_array().unwrap().iter().map(|k| &k["scopes"]).collect();
    assert_eq!(
        scopes,
        [&json!(["accounts", "proxy"]), &json!(["profiles", "connect", "accounts", "proxy", "webhooks", "audit"])]
    );
}

#[test]
fn holders_key_creation_refuses_bad_scopes_naming_the_field() {
    let app = spawn_app();
    let token = crate::holders::register(&app, "bad-scopes@example.com");
    let auth = format!("Bearer {token}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    for scopes in [json!("proxy"), json!(["root"]), json!([]), json!([1])] {
        let body = json!({"name": "k", "scopes": scopes}).to_string().into_bytes();
        let res = app.send("POST", "/api/users/api-keys", &headers, Some(body));
        assert_eq!(res.status, 400, "scopes {scopes}: {}", res.text);
        assert_eq!(res.body["errors"][0]["param"], "scopes", "scopes {scopes}: {}", res.text);
    }
}

#[test]
fn a_key_served_from_the_verified_key_cache_keeps_its_scopes() {
    // The verified-key cache holds the scopes too: a key verified once keeps being refused
    // what it lacks (and granted what it has) on later calls served from the cache.
    let app = spawn_app();
    let key = key_with(&app, "acme", &[Scope::Profiles]);
    for _ in 0..3 {
        assert_eq!(app.list_profiles(&key, "").status, 200);
        let p = app.new_profile(&key, "Cached")["id"].as_str().unwrap().to_string();
        assert_eq!(app.list_accounts(&key, &p).status, 403);
    }
}
