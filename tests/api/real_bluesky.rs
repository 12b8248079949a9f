//! Bluesky against the official PDS (`@atproto/pds`, with its PLC directory), not a fake:
//! link, profile, refresh with rotation, a revoked app password, unlink and relink ending the
//! session at the PDS.

use crate::helpers::{TEST_SECRET, TestApp, send, spawn_app};
use crate::peers::{self, Peer, eventually};
use hitchpost::auth::{seal::Sealer, secret::ServerSecret};
use serde_json::{Value, json};

/// The refresh JWT hitchpost holds for the profile's Bluesky account, opened from the file.
fn held_refresh_token(app: &TestApp) -> String {
    let sealed: Vec<u8> = app.sql_value("SELECT refresh_token FROM social_accounts WHERE platform = 'bluesky'", &[]);
    Sealer::new(&ServerSecret::from_passphrase(TEST_SECRET)).open(&sealed).expect("opens")
}

fn xrpc(pds: &Peer, nsid: &str, bearer: Option<&str>, body: Option<Value>) -> crate::helpers::Res {
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    // No body at all where none is expected: an empty one, with no content type (the PDS
    // refuses a request that announces a body it does not take).
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    send(&pds.get("url"), "POST", &format!("/xrpc/{nsid}"), &headers, Some(bytes))
}

/// Whether the PDS still takes this refresh token. Harmless to ask: the PDS lets a rotated
/// token be used again for two hours (answering with the same next token), until revoked.
fn pds_takes(pds: &Peer, refresh: &str) -> bool {
    xrpc(pds, "com.atproto.server.refreshSession", Some(refresh), None).status == 200
}

fn linked(app: &TestApp, key: &str, pds: &Peer) -> (String, Value) {
    let id = app.new_profile(key, "Sky")["id"].as_str().unwrap().to_string();
    let res = app.link_account(
        key,
        &id,
        &json!({"platform": "bluesky", "handle": pds.get("handle"), "appPassword": pds.get("appPassword"), "pdsUrl": pds.get("url")}),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    (id, res.body)
}

#[test]
fn bluesky_links_against_the_real_pds_and_reads_the_profile_record() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (_, account) = linked(&app, &key, &pds);
    assert_eq!(account["platformUserId"], pds.get("did"));
    assert_eq!(account["username"], "alice.test");
    // No AppView here: the profile record on the PDS gives the name and the avatar blob.
    assert_eq!(account["displayName"], "Alice Example");
    let avatar = account["imageUrl"].as_str().unwrap();
    assert!(avatar.contains("com.atproto.sync.getBlob") && avatar.contains(&pds.get("avatarCid")), "{avatar}");
    assert_eq!(send("", "GET", avatar, &[], None).status, 200, "the avatar URL serves the image");
    // Access JWTs live two hours; the expiry is read from the token.
    let expires = chrono::DateTime::parse_from_rfc3339(account["expiresAt"].as_str().unwrap()).unwrap();
    let left = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(100) && left <= chrono::Duration::minutes(121), "{left}");
    // Refreshed while linked, the link does not lapse.
    assert!(account["daysUntilExpiry"].is_null(), "{account}");
}

#[test]
fn bluesky_refresh_against_the_real_pds_rotates_the_session_twice() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, _) = linked(&app, &key, &pds);
    let first = held_refresh_token(&app);
    for round in 1..=2 {
        let res = app.refresh_account(&key, &id, "bluesky");
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["outcome"], "refreshed", "round {round}: {}", res.text);
        assert_eq!(res.body["account"]["needsReconnect"], false);
    }
    let now = held_refresh_token(&app);
    assert_ne!(first, now, "the PDS rotated the refresh token and hitchpost kept the new one");
    // (The PDS still takes a rotated token for a two-hour grace period, so "spent" is not
    // observable here; that the kept one works is.)
    assert!(pds_takes(&pds, &now));
}

#[test]
fn a_revoked_app_password_marks_the_account_for_reconnect_with_the_pds_reason() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, _) = linked(&app, &key, &pds);
    // The person revokes the app password in their Bluesky settings (with their main password).
    let me = xrpc(
        &pds,
        "com.atproto.server.createSession",
        None,
        Some(json!({"identifier": pds.get("handle"), "password": pds.get("password")})),
    );
    assert_eq!(me.status, 200, "{}", me.text);
    let access = me.body["accessJwt"].as_str().unwrap();
    let revoked = xrpc(
        &pds,
        "com.atproto.server.revokeAppPassword",
        Some(access),
        Some(json!({"name": pds.get("appPasswordName")})),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let res = app.refresh_account(&key, &id, "bluesky");
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["outcome"], "needs_reconnect", "{}", res.text);
    let reason = res.body["reason"].as_str().unwrap();
    assert!(reason.contains("ExpiredToken") || reason.contains("InvalidToken"), "the PDS's own error: {reason}");
    let a = &app.list_accounts(&key, &id).body["data"][0];
    assert_eq!(a["needsReconnect"], true);
    assert_eq!(a["reconnectReason"], reason);
}

#[test]
fn unlinking_bluesky_ends_the_session_at_the_real_pds() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, _) = linked(&app, &key, &pds);
    let held = held_refresh_token(&app);
    assert!(pds_takes(&pds, &held), "the session is alive before the unlink");
    assert_eq!(app.unlink_account(&key, &id, "bluesky").status, 204);
    // Revocation runs after the answer; the PDS refuses the token once it is done.
    eventually("the session to end at the PDS", || !pds_takes(&pds, &held));
    let after = xrpc(&pds, "com.atproto.server.refreshSession", Some(&held), None);
    assert_eq!(after.status, 400, "{}", after.text);
    assert_eq!(after.body["error"], "ExpiredToken", "{}", after.text);
}

#[test]
fn relinking_bluesky_ends_the_session_it_replaces() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, first) = linked(&app, &key, &pds);
    let old = held_refresh_token(&app);
    assert!(pds_takes(&pds, &old), "the first session is alive before the relink");
    let again = app.link_account(
        &key,
        &id,
        &json!({"platform": "bluesky", "handle": pds.get("handle"), "appPassword": pds.get("appPassword"), "pdsUrl": pds.get("url")}),
    );
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["id"], first["id"], "relinking keeps the account");
    let new = held_refresh_token(&app);
    assert_ne!(old, new);
    eventually("the replaced session to end at the PDS", || !pds_takes(&pds, &old));
    assert_eq!(app.refresh_account(&key, &id, "bluesky").body["outcome"], "refreshed", "the new session works");
}

#[test]
fn deleting_a_profile_in_the_ayrshare_dialect_ends_its_bluesky_session() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, _) = linked(&app, &key, &pds);
    let held = held_refresh_token(&app);
    assert!(pds_takes(&pds, &held));
    let profile_key = app.get_profile(&key, &id).body["profileKey"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {key}");
    let body = json!({"profileKey": profile_key}).to_string().into_bytes();
    let res = app.send(
        "DELETE",
        "/api/profiles",
        &[("authorization", &bearer), ("content-type", "application/json")],
        Some(body),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    eventually("the session to end at the PDS", || !pds_takes(&pds, &held));
}

/// `com.atproto.repo.createRecord` of a post through the proxy; the record's `uri`.
fn post_through_proxy(app: &TestApp, key: &str, profile: &str, did: &str, text: &str) -> String {
    let record = json!({
        "repo": did, "collection": "app.bsky.feed.post",
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": chrono::Utc::now().to_rfc3339()},
    });
    let res = app.proxy(
        key,
        profile,
        "bluesky",
        "POST",
        "xrpc/com.atproto.repo.createRecord",
        &[("content-type", "application/json")],
        Some(record.to_string().into_bytes()),
    );
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["cid"].is_string(), "{}", res.text);
    res.body["uri"].as_str().unwrap().to_string()
}

/// Reads a post back through the proxy and at the PDS itself; its text.
fn read_back(app: &TestApp, key: &str, profile: &str, pds: &Peer, uri: &str) -> String {
    let rkey = uri.rsplit('/').next().unwrap();
    let query = format!("repo={}&collection=app.bsky.feed.post&rkey={rkey}", pds.get("did"));
    let res = app.proxy(key, profile, "bluesky", "GET", &format!("xrpc/com.atproto.repo.getRecord?{query}"), &[], None);
    assert_eq!(res.status, 200, "{}", res.text);
    let direct = send(&pds.get("url"), "GET", &format!("/xrpc/com.atproto.repo.getRecord?{query}"), &[], None);
    assert_eq!(direct.body["value"], res.body["value"], "the PDS holds what the proxy read");
    res.body["value"]["text"].as_str().unwrap().to_string()
}

#[test]
fn a_post_created_through_the_proxy_is_on_the_real_pds() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, account) = linked(&app, &key, &pds);
    let uri = post_through_proxy(&app, &key, &id, &pds.get("did"), "posted through hitchpost");
    assert!(uri.starts_with(&format!("at://{}/app.bsky.feed.post/", pds.get("did"))), "{uri}");
    assert_eq!(read_back(&app, &key, &id, &pds, &uri), "posted through hitchpost");
    let by_id =
        app.proxy(&key, &id, account["id"].as_str().unwrap(), "GET", "xrpc/com.atproto.server.getSession", &[], None);
    assert_eq!(by_id.status, 200, "{}", by_id.text);
    assert_eq!(by_id.body["did"], pds.get("did"));
    assert_eq!(by_id.header("hitchpost-account"), account["id"].as_str());
}

/// Replaces the access JWT hitchpost holds with the same one lapsed a minute ago, signed as the
/// PDS signs its access tokens (the test PDS's JWT secret): the PDS answers it `ExpiredToken`.
fn expire_held_access_jwt(app: &TestApp) {
    use base64::Engine;
    let sealed: Vec<u8> = app.sql_value("SELECT access_token FROM social_accounts WHERE platform = 'bluesky'", &[]);
    let sealer = Sealer::new(&ServerSecret::from_passphrase(TEST_SECRET));
    let jwt = sealer.open(&sealed).unwrap();
    let part = |i: usize| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(i).unwrap()).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let (header, mut claims) = (part(0), part(1));
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now - 3600);
    claims["exp"] = json!(now - 60);
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.typ = header["typ"].as_str().map(str::to_owned);
    let expired = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(b"jwt-secret")).unwrap();
    app.sql_execute(
        "UPDATE social_accounts SET access_token = $1 WHERE platform = 'bluesky'",
        &[&sealer.seal(&expired)],
    );
}

#[test]
fn the_proxy_refreshes_and_retries_when_the_real_pds_says_the_access_jwt_expired() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, _) = linked(&app, &key, &pds);
    let refresh_before = held_refresh_token(&app);
    expire_held_access_jwt(&app);
    let uri = post_through_proxy(&app, &key, &id, &pds.get("did"), "after the access JWT lapsed");
    assert_eq!(read_back(&app, &key, &id, &pds, &uri), "after the access JWT lapsed");
    assert_ne!(held_refresh_token(&app), refresh_before, "the session was refreshed (and rotated) inside the proxy");
    let account = &app.list_accounts(&key, &id).body["data"][0];
    assert_eq!(account["needsReconnect"], false);
}

#[test]
fn bluesky_credentials_name_the_pds_and_did_and_work_at_the_pds() {
    let Some(pds) = peers::pds() else { return };
    let app = spawn_app();
    let key = app.key("sky");
    let (id, account) = linked(&app, &key, &pds);
    let reader = crate::helpers::create_scoped_key(
        &app,
        "sky",
        None,
        [hitchpost::auth::Scope::Credentials].into_iter().collect(),
    );
    let res = app.credentials(&reader, &id, "bluesky", "");
    assert_eq!(res.status, 200, "{}", res.text);
    let c = &res.body;
    assert_eq!(
        (&c["type"], &c["pdsUrl"], &c["did"]),
        (&json!("atproto"), &json!(pds.get("url")), &json!(pds.get("did")))
    );
    assert_eq!(c["accountId"], account["id"]);
    assert!(
        c["scopes"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().starts_with("com.atproto.appPass")),
        "{c}"
    );
    let token = c["accessToken"].as_str().unwrap();
    let session = send(
        &pds.get("url"),
        "GET",
        "/xrpc/com.atproto.server.getSession",
        &[("authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(session.status, 200, "{}", session.text);
    assert_eq!(session.body["did"], pds.get("did"));
}
