//! Connect links: the API, single use, refusals, and the page's own API over HTTP.

use crate::helpers::{TEST_SECRET, TestApp, spawn_app, spawn_app_with};
use hitchpost::auth::ServerSecret;
use hitchpost::auth::jwt::{ConnectClaims, Jwt, LINK_AUDIENCE};
use serde_json::json;

fn sandbox_app() -> TestApp {
    spawn_app_with(|c| c.providers.sandbox = true)
}

fn profile(app: &TestApp, key: &str) -> String {
    app.new_profile(key, "Linker")["id"].as_str().unwrap().to_string()
}

#[test]
fn create_connect_link_returns_a_url_a_token_and_an_expiry() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let before = chrono::Utc::now();
    let link = app.new_link(&key, &id, &json!({"redirectUrl": "https://app.example.com/done", "expiresIn": 30}));
    let token = link["token"].as_str().unwrap();
    assert_eq!(link["url"], format!("{}/connect?token={token}", app.base));
    let expires = chrono::DateTime::parse_from_rfc3339(link["expiresAt"].as_str().unwrap()).unwrap();
    let minutes = (expires.with_timezone(&chrono::Utc) - before).num_minutes();
    assert!((29..=30).contains(&minutes), "{minutes}");
    // The token is an HS256 JWT naming the workspace, the profile and a jti.
    let claims: ConnectClaims =
        Jwt::new(&ServerSecret::from_passphrase(TEST_SECRET)).verify(token, LINK_AUDIENCE).unwrap();
    assert_eq!(claims.sub, id);
    assert_eq!(claims.jti, link["id"].as_str().unwrap());
    let header: serde_json::Value = {
        use base64::Engine;
        let h = token.split('.').next().unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
    };
    assert_eq!(header["alg"], "HS256");
}

#[test]
fn create_connect_link_defaults_to_an_hour_and_accepts_an_empty_body() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let res = app.send("POST", &format!("/v1/profiles/{id}/connect-links"), &[("x-api-key", &key)], None);
    assert_eq!(res.status, 201, "{}", res.text);
    let expires = chrono::DateTime::parse_from_rfc3339(res.body["expiresAt"].as_str().unwrap()).unwrap();
    let minutes = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((59..=60).contains(&minutes), "{minutes}");
}

#[test]
fn create_connect_link_returns_400_naming_the_invalid_field() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let many_labels: serde_json::Map<String, serde_json::Value> =
        (0..101).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases = [
        (json!({"redirectUrl": "javascript:alert(1)"}), "redirectUrl"),
        (json!({"redirectUrl": "data:text/html,hi"}), "redirectUrl"),
        (json!({"redirectUrl": "/relative/path"}), "redirectUrl"),
        (json!({"redirectUrl": "ftp://example.com/x"}), "redirectUrl"),
        (json!({"logoUrl": "javascript:x"}), "logoUrl"),
        (json!({"expiresIn": 0}), "expiresIn"),
        (json!({"expiresIn": 2881}), "expiresIn"),
        (json!({"expiresIn": "60"}), "expiresIn"),
        (json!({"platforms": ["myspace"]}), "platforms"),
        (json!({"platforms": []}), "platforms"),
        (json!({"language": "tlh"}), "language"),
        (json!({"labels": many_labels}), "labels"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"redirect_url": "https://x.example"}), "redirect_url"),
    ];
    for (body, field) in cases {
        let res = app.create_link(&key, &id, &body);
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        assert_eq!(res.problem_field(), field, "{body}: {}", res.text);
    }
    assert_eq!(app.create_link(&key, &id, &json!({"expiresIn": 2880, "language": "de"})).status, 201);
}

#[test]
fn create_connect_link_returns_404_for_another_workspaces_profile() {
    let app = spawn_app();
    let (a, b) = (app.key("a"), app.key("b"));
    let theirs = profile(&app, &b);
    assert_eq!(app.create_link(&a, &theirs, &json!({})).status, 404);
    assert_eq!(app.list_links(&a, &theirs).status, 404);
}

#[test]
fn a_link_is_single_use_and_the_second_open_shows_the_used_page() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let link = app.new_link(&key, &id, &json!({}));
    let url = link["url"].as_str().unwrap();
    let first = app.open_link(url);
    assert_eq!(first.status, 303);
    assert_eq!(first.location(), "/connect/app");
    let cookie = first.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/connect"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let second = app.open_link(url);
    assert_eq!(second.status, 410);
    assert!(second.header("content-type").unwrap().starts_with("text/html"));
    assert!(second.text.contains("already used or has expired"), "{}", second.text);
    assert!(second.cookie("hp_connect").is_none());
}

#[test]
fn two_browsers_racing_to_open_one_link_exactly_one_wins() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let url = app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap().to_string();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..16).map(|_| s.spawn(|| app.open_link(&url).status)).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 410).count(), 15, "{statuses:?}");
}

#[test]
fn expired_revoked_and_tampered_links_are_refused_with_a_clear_page() {
    let app = spawn_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    // Expired: a correctly signed token whose time has passed.
    let jwt = Jwt::new(&ServerSecret::from_passphrase(TEST_SECRET));
    let link = app.new_link(&key, &id, &json!({}));
    let live: ConnectClaims = jwt.verify(link["token"].as_str().unwrap(), LINK_AUDIENCE).unwrap();
    let past = ConnectClaims { exp: chrono::Utc::now().timestamp() - 5, ..live };
    let res = app.open_link(&format!("/connect?token={}", jwt.sign(&past)));
    assert_eq!(res.status, 410);
    assert!(res.text.contains("expired"));
    // Revoked.
    let link = app.new_link(&key, &id, &json!({}));
    assert_eq!(app.revoke_link(&key, link["id"].as_str().unwrap()).status, 204);
    let res = app.open_link(link["url"].as_str().unwrap());
    assert_eq!(res.status, 410);
    // Tampered: a changed signature, a changed payload, a token signed with another secret.
    let token = app.new_link(&key, &id, &json!({}))["token"].as_str().unwrap().to_string();
    let mut bad_sig = token.clone();
    bad_sig.pop();
    bad_sig.push(if token.ends_with('A') { 'B' } else { 'A' });
    let other = Jwt::new(&ServerSecret::from_passphrase("another secret"))
        .sign(&jwt.verify::<ConnectClaims>(&token, LINK_AUDIENCE).unwrap());
    let alg_none = {
        let parts: Vec<&str> = token.split('.').collect();
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1])
    };
    for bad in [bad_sig, other, alg_none, "not-a-jwt".to_string()] {
        let res = app.open_link(&format!("/connect?token={bad}"));
        assert_eq!(res.status, 400, "{bad}");
        assert!(res.text.contains("not valid"), "{}", res.text);
    }
    // The untouched token still works.
    assert_eq!(app.open_link(&format!("/connect?token={token}")).status, 303);
}

#[test]
fn validate_says_valid_with_the_profile_or_why_not() {
    let app = sandbox_app();
    let (key, other) = (app.key("acme"), app.key("other"));
    let id = profile(&app, &key);
    app.link_account(&key, &id, &json!({"platform": "linkedin", "sandbox": true}));
    let link = app.new_link(&key, &id, &json!({}));
    let token = link["token"].as_str().unwrap();
    let res = app.validate_link(&key, token);
    assert_eq!(res.status, 200);
    assert_eq!(res.body["valid"], true);
    assert_eq!(res.body["profile"]["id"], id.as_str());
    assert_eq!(res.body["profile"]["accounts"], json!(["linkedin"]));
    assert_eq!(res.body["accounts"][0]["platform"], "linkedin");
    // Another workspace's key learns only that the token is not its own.
    let res = app.validate_link(&other, token);
    assert_eq!(res.body, json!({"valid": false, "reason": "This link belongs to another workspace"}));
    let res = app.validate_link(&key, "garbage");
    assert_eq!(res.body["valid"], false);
    assert!(res.body["profile"].is_null());
    app.open_link(link["url"].as_str().unwrap());
    let res = app.validate_link(&key, token);
    assert_eq!(res.body, json!({"valid": false, "reason": "This link was already used"}));
    let res = app.send(
        "POST",
        "/v1/connect-links/validate",
        &[("x-api-key", &key), ("content-type", "application/json")],
        Some(b"{}".to_vec()),
    );
    assert_eq!(res.status, 400);
    assert_eq!(res.problem_field(), "token");
}

#[test]
fn list_shows_live_links_and_revoke_removes_them() {
    let app = sandbox_app();
    let (key, other) = (app.key("acme"), app.key("other"));
    let id = profile(&app, &key);
    let a = app.new_link(
        &key,
        &id,
        &json!({"redirectUrl": "https://x.example/back", "platforms": ["x", "twitter", "bluesky"]}),
    );
    let b = app.new_link(&key, &id, &json!({}));
    let used = app.new_link(&key, &id, &json!({}));
    app.open_link(used["url"].as_str().unwrap());
    let res = app.list_links(&key, &id);
    assert_eq!(res.status, 200);
    let ids: Vec<&str> = res.body["data"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a["id"].as_str().unwrap(), b["id"].as_str().unwrap()]);
    assert_eq!(res.body["data"][0]["platforms"], json!(["x", "bluesky"]));
    assert_eq!(res.body["data"][0]["redirectUrl"], "https://x.example/back");
    assert!(res.body["data"][0].get("token").is_none(), "a listed link never shows its token");
    // Another workspace cannot revoke it.
    assert_eq!(app.revoke_link(&other, a["id"].as_str().unwrap()).status, 404);
    assert_eq!(app.revoke_link(&key, a["id"].as_str().unwrap()).status, 204);
    assert_eq!(app.list_links(&key, &id).body["data"].as_array().unwrap().len(), 1);
    assert_eq!(app.revoke_link(&key, "no-such-link").status, 404);
}

#[test]
fn the_page_api_links_sandbox_accounts_and_done_returns_to_the_redirect_url() {
    let app = sandbox_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let link = app.new_link(
        &key,
        &id,
        &json!({"redirectUrl": "https://app.example.com/back?x=1",
        "platforms": ["linkedin", "x", "bluesky"], "title": "Hello", "language": "fr", "labels": {"done": "Fini"}}),
    );
    let cookie = app.open_session(link["url"].as_str().unwrap());
    let s = app.page_session(&cookie);
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.body["title"], "Hello");
    assert_eq!(s.body["language"], "fr");
    assert_eq!(s.body["labels"]["done"], "Fini");
    let platforms: Vec<&str> =
        s.body["platforms"].as_array().unwrap().iter().map(|p| p["platform"].as_str().unwrap()).collect();
    assert_eq!(platforms, ["linkedin", "x", "bluesky"]);
    // Not offered by this link.
    assert_eq!(app.page_link(&cookie, "tiktok", &json!({"sandbox": true})).status, 400);
    for p in ["linkedin", "x"] {
        let res = app.page_link(&cookie, p, &json!({"sandbox": true}));
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let res = app.page_unlink(&cookie, "x");
    assert_eq!(res.status, 200);
    let linked: Vec<&str> = res.body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["account"].is_null())
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(linked, ["linkedin"]);
    let done = app.page_done(&cookie);
    assert_eq!(done.status, 200);
    let url = url::Url::parse(done.body["url"].as_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(url.host_str(), Some("app.example.com"));
    assert_eq!(q["x"], "1");
    assert_eq!(q["profileId"], id);
    assert_eq!(q["connected"], "linkedin");
    assert_eq!(q["status"], "success");
    // The API sees what the page did.
    assert_eq!(app.get_profile(&key, &id).body["accounts"], json!(["linkedin"]));
}

#[test]
fn the_page_api_refuses_without_a_session_or_from_another_site() {
    let app = sandbox_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    assert_eq!(app.send("GET", "/connect/api/session", &[], None).status, 401);
    let forged = "hp_connect=eyJhbGciOiJIUzI1NiJ9.e30.AAAA";
    assert_eq!(app.page_session(forged).status, 401);
    // Without the page's header (a cross-site form post cannot send one).
    let res = app.send("POST", "/connect/api/accounts/linkedin", &[("cookie", &cookie)], None);
    assert_eq!(res.status, 403);
    // The link's token is not a session.
    let token = app.new_link(&key, &id, &json!({}))["token"].as_str().unwrap().to_string();
    assert_eq!(app.page_session(&format!("hp_connect={token}")).status, 401);
}

#[test]
fn revoking_a_used_link_ends_its_session() {
    let app = sandbox_app();
    let key = app.key("acme");
    let id = profile(&app, &key);
    let link = app.new_link(&key, &id, &json!({}));
    let cookie = app.open_session(link["url"].as_str().unwrap());
    assert_eq!(app.page_session(&cookie).status, 200);
    assert_eq!(app.revoke_link(&key, link["id"].as_str().unwrap()).status, 204);
    assert_eq!(app.page_session(&cookie).status, 401);
}

#[test]
fn the_page_and_its_assets_are_served_with_a_strict_csp() {
    let app = spawn_app();
    let page = app.send("GET", "/connect/app", &[], None);
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(!page.text.contains("<script>"), "no inline script");
    assert!(page.text.contains(r#"<script src="/connect/assets/connect.js" defer></script>"#));
    for (asset, mime) in
        [("connect.js", "text/javascript"), ("connect.css", "text/css"), ("avatar.svg", "image/svg+xml")]
    {
        let res = app.send("GET", &format!("/connect/assets/{asset}"), &[], None);
        assert_eq!(res.status, 200, "{asset}");
        assert!(res.header("content-type").unwrap().starts_with(mime));
    }
    assert_eq!(app.send("GET", "/connect/assets/../Cargo.toml", &[], None).status, 404);
}

#[test]
fn the_page_cannot_start_or_disconnect_a_platform_its_link_does_not_offer() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.providers.sandbox = true;
        c.providers.oauth.insert(
            hitchpost::domain::platform::Platform::Linkedin,
            crate::linking::fake_linkedin("http://127.0.0.1:9"),
        );
    });
    let key = app.key("acme");
    let id = app.new_profile(&key, "Limited")["id"].as_str().unwrap().to_string();
    assert_eq!(app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true})).status, 201);
    let cookie = app.open_session(app.new_link(&key, &id, &json!({"platforms": ["bluesky"]}))["url"].as_str().unwrap());
    let start = app.page_start_oauth(&cookie, "linkedin");
    assert_eq!(start.status, 303, "{}", start.text);
    assert!(start.location().starts_with("/connect/app?error="), "not sent to LinkedIn: {}", start.location());
    let res = app.page_unlink(&cookie, "x");
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.body["field"], "platform");
    assert_eq!(app.list_accounts(&key, &id).body["data"][0]["platform"], "x", "still linked");
}

#[test]
fn the_connect_page_limits_attempts_per_session_and_caps_pending_sign_ins() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.auth_rate = hitchpost::ratelimit::AttemptRate { burst: 5, per: std::time::Duration::from_secs(60) };
        c.providers.bluesky_pds = "http://127.0.0.1:9".into();
        c.providers.oauth.insert(
            hitchpost::domain::platform::Platform::Linkedin,
            crate::linking::fake_linkedin("http://127.0.0.1:9"),
        );
    });
    let key = app.key("acme");
    let id = app.new_profile(&key, "Limited")["id"].as_str().unwrap().to_string();
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    // Five sign-ins may be started; each leaves a pending state...
    for _ in 0..5 {
        let start = app.page_start_oauth(&cookie, "linkedin");
        assert_eq!(start.status, 302, "{}", start.text);
    }
    // ...then the page is slowed down, for starts and for the Bluesky form alike.
    let start = app.page_start_oauth(&cookie, "linkedin");
    assert_eq!(start.location(), "/connect/app?error=limited&platform=linkedin");
    let body = json!({"handle": "alice.test", "appPassword": "guess"});
    let res = app.page_link(&cookie, "bluesky", &body);
    assert_eq!(res.status, 429, "{}", res.text);
    assert_eq!(res.body["reason"], "limited");
    let pending: i64 = app.sql_value("SELECT count(*) FROM oauth_states", &[]);
    assert_eq!(pending, 5);
}

#[test]
fn pending_sign_ins_are_capped_per_profile() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.auth_rate = hitchpost::ratelimit::AttemptRate { burst: 100, per: std::time::Duration::from_secs(60) };
        c.providers.oauth.insert(
            hitchpost::domain::platform::Platform::Linkedin,
            crate::linking::fake_linkedin("http://127.0.0.1:9"),
        );
    });
    let key = app.key("acme");
    let id = app.new_profile(&key, "Clicky")["id"].as_str().unwrap().to_string();
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    for _ in 0..25 {
        assert_eq!(app.page_start_oauth(&cookie, "linkedin").status, 302);
    }
    let pending: i64 = app.sql_value("SELECT count(*) FROM oauth_states", &[]);
    assert_eq!(pending, hitchpost::store::connect_links::MAX_PENDING_OAUTH_STATES);
}

#[test]
fn done_ends_the_connect_session_on_the_server_too() {
    let app = crate::helpers::spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("acme");
    let id = app.new_profile(&key, "Finisher")["id"].as_str().unwrap().to_string();
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    assert_eq!(app.page_session(&cookie).status, 200);
    assert_eq!(app.page_done(&cookie).status, 200);
    // A copy of the cookie kept after Done opens nothing.
    assert_eq!(app.page_session(&cookie).status, 401);
    assert_eq!(app.page_link(&cookie, "x", &json!({"sandbox": true})).status, 401);
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
}
