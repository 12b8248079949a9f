//! Account holders: sign-up, sessions and the users API (seed 004).

use crate::helpers::{Res, TestApp, spawn_app, spawn_app_with};
use hitchpost::auth::ServerSecret;
use hitchpost::auth::jwt::{HolderClaims, Jwt};
use serde_json::{Value, json};
use std::time::Duration;

const JSON: (&str, &str) = ("content-type", "application/json");
const PASSWORD: &str = "Sup3rSecret";

fn post(app: &TestApp, path: &str, body: Value) -> Res {
    app.send("POST", path, &[JSON], Some(body.to_string().into_bytes()))
}

/// Calls the users API (`/api/users{path}`) with a session token.
pub(crate) fn users(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Res {
    let auth = format!("Bearer {token}");
    app.send(
        method,
        &format!("/api/users{path}"),
        &[("authorization", &auth), JSON],
        body.map(|b| b.to_string().into_bytes()),
    )
}

/// Registers a holder and returns their session token.
pub(crate) fn register(app: &TestApp, email: &str) -> String {
    let res = post(app, "/api/auth/register", json!({"email": email, "password": PASSWORD}));
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["token"].as_str().unwrap().to_string()
}

#[test]
fn register_login_and_every_users_endpoint_answer_with_the_seeds_fields() {
    let app = spawn_app();
    let res = post(
        &app,
        "/api/auth/register",
        json!({"email": "john@example.com", "password": PASSWORD, "username": "johndoe", "firstName": " John ", "lastName": "Doe"}),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(res.body["token"].is_string() && res.body["expiresAt"].is_string());
    let exp = chrono::DateTime::parse_from_rfc3339(res.body["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!((exp.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days(), 6, "a session lasts 7 days");
    assert_eq!(res.body["user"]["firstName"], "John", "names are trimmed");

    let login = post(&app, "/api/auth/login", json!({"email": "john@example.com", "password": PASSWORD}));
    assert_eq!(login.status, 200, "{}", login.text);
    let token = login.body["token"].as_str().unwrap().to_string();
    let by_name = post(&app, "/api/auth/login", json!({"username": "JohnDoe", "password": PASSWORD}));
    assert_eq!(by_name.status, 200, "usernames match without regard to case");

    let p = users(&app, &token, "GET", "/profile", None);
    assert_eq!(p.status, 200);
    for f in ["id", "username", "email", "firstName", "lastName", "createdAt", "lastLoginAt"] {
        assert!(!p.body[f].is_null(), "{f}: {}", p.text);
    }
    assert_eq!(p.body["email"], "john@example.com");

    let u = users(
        &app,
        &token,
        "PUT",
        "/profile",
        Some(json!({"firstName": "Johnny", "email": "new@example.com", "currentPassword": PASSWORD})),
    );
    assert_eq!(u.status, 200, "{}", u.text);
    assert_eq!(u.body["message"], "Profile updated successfully");
    for f in ["Id", "Username", "Email", "FirstName", "LastName", "UpdatedAt"] {
        assert!(u.body["user"].get(f).is_some(), "{f}");
    }
    assert_eq!(u.body["user"]["Email"], "new@example.com");
    assert_eq!(u.body["user"]["LastName"], "Doe", "fields not sent stay");
    // A new email ends the other sessions; the answer carries this one's successor.
    assert_eq!(users(&app, &token, "GET", "/profile", None).status, 401);
    let token = u.body["token"].as_str().unwrap().to_string();

    let d = users(
        &app,
        &token,
        "POST",
        "/documents",
        Some(json!({"documentId": "q1-report", "documentName": "Q1 Sales Report", "documentContent": "<b>raw</b>"})),
    );
    assert_eq!(d.status, 201, "{}", d.text);
    assert_eq!(d.body["message"], "Document saved successfully");
    assert_eq!(d.body["document"]["DocumentId"], "q1-report");
    let doc_id = d.body["document"]["Id"].as_str().unwrap().to_string();
    let list = users(&app, &token, "GET", "/documents", None);
    let doc = &list.body["documents"][0];
    for f in ["Id", "DocumentId", "DocumentName", "CreatedAt", "UpdatedAt"] {
        assert!(doc.get(f).is_some(), "{f}");
    }
    let up = users(&app, &token, "PUT", &format!("/documents/{doc_id}"), Some(json!({"documentName": "Q1 - Updated"})));
    assert_eq!(up.status, 200);
    assert_eq!(up.body["message"], "Document updated successfully");
    assert_eq!(up.body["document"]["DocumentName"], "Q1 - Updated");

    let sub = users(&app, &token, "GET", "/subscription", None);
    assert_eq!(sub.body["subscriptionType"], "trial");
    assert_eq!(sub.body["subscriptionStatus"], "active");
    assert_eq!(sub.body["daysRemaining"], 14);
    assert!(sub.body["trialEndsAt"].is_string());

    let pw = users(
        &app,
        &token,
        "PUT",
        "/password",
        Some(json!({"currentPassword": PASSWORD, "newPassword": "An0therOne"})),
    );
    assert_eq!(pw.status, 200);
    assert_eq!(pw.body["message"], "Password updated successfully");
    let fresh = pw.body["token"].as_str().unwrap().to_string();
    assert_eq!(
        post(&app, "/api/auth/login", json!({"email": "new@example.com", "password": "An0therOne"})).status,
        200
    );

    let del = users(&app, &fresh, "DELETE", &format!("/documents/{doc_id}"), None);
    assert_eq!(del.body, json!({"message": "Document deleted successfully"}));
    let again = users(&app, &fresh, "DELETE", &format!("/documents/{doc_id}"), None);
    assert_eq!(again.status, 404);
    assert_eq!(again.body, json!({"message": "Document not found"}));
}

fn forged(claims: &HolderClaims, secret: &str) -> String {
    Jwt::new(&ServerSecret::from_passphrase(secret)).sign(claims)
}

#[test]
fn every_session_failure_is_a_401() {
    let app = spawn_app();
    let token = register(&app, "a@example.com");
    let claims: HolderClaims = Jwt::new(&ServerSecret::from_passphrase(crate::helpers::TEST_SECRET))
        .verify(&token, hitchpost::auth::jwt::HOLDER_AUDIENCE)
        .unwrap();
    let expired = forged(
        &HolderClaims { exp: chrono::Utc::now().timestamp() - 10, ..claims.clone() },
        crate::helpers::TEST_SECRET,
    );
    let other_secret = forged(&claims, "some other secret");
    let alg_none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", token.split('.').nth(1).unwrap());
    // A password change ends the sessions from before it.
    let old = post(&app, "/api/auth/login", json!({"email": "a@example.com", "password": PASSWORD})).body["token"]
        .as_str()
        .unwrap()
        .to_string();
    users(&app, &token, "PUT", "/password", Some(json!({"currentPassword": PASSWORD, "newPassword": "Changed123"})));
    for (what, t) in [
        ("expired", expired.as_str()),
        ("other secret", &other_secret),
        ("alg none", &alg_none),
        ("before the password change", &old),
        ("the changing session itself", &token),
        ("garbage", "x.y.z"),
    ] {
        let res = users(&app, t, "GET", "/profile", None);
        assert_eq!(res.status, 401, "{what}");
        assert!(res.body["message"].is_string());
    }
    assert_eq!(app.send("GET", "/api/users/profile", &[], None).status, 401, "no token");
    // An API key is not a session.
    let key = app.key("acme");
    assert_eq!(users(&app, &key, "GET", "/profile", None).status, 401);
}

#[test]
fn logout_all_ends_every_session() {
    let app = spawn_app();
    let a = register(&app, "b@example.com");
    let b = post(&app, "/api/auth/login", json!({"email": "b@example.com", "password": PASSWORD})).body["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.send("POST", "/api/auth/logout-all", &[("authorization", &format!("Bearer {a}"))], None).status,
        200
    );
    for t in [&a, &b] {
        assert_eq!(users(&app, t, "GET", "/profile", None).status, 401);
    }
    let c = post(&app, "/api/auth/login", json!({"email": "b@example.com", "password": PASSWORD})).body["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(users(&app, &c, "GET", "/profile", None).status, 200);
}

#[test]
fn one_holder_never_reaches_anothers_documents_or_keys() {
    let app = spawn_app();
    let alice = register(&app, "alice@example.com");
    let mallory = register(&app, "mallory@example.com");
    let doc = users(
        &app,
        &alice,
        "POST",
        "/documents",
        Some(json!({"documentName": "Secret plans", "documentContent": "x"})),
    );
    let doc_id = doc.body["document"]["Id"].as_str().unwrap().to_string();
    let key = users(&app, &alice, "POST", "/api-keys", Some(json!({"name": "alice's key"})));
    let key_id = key.body["apiKey"]["id"].as_str().unwrap().to_string();
    assert_eq!(users(&app, &mallory, "GET", "/documents", None).body["documents"], json!([]));
    assert_eq!(
        users(&app, &mallory, "PUT", &format!("/documents/{doc_id}"), Some(json!({"documentName": "mine"}))).status,
        404
    );
    assert_eq!(users(&app, &mallory, "DELETE", &format!("/documents/{doc_id}"), None).status, 404);
    assert_eq!(users(&app, &mallory, "GET", "/api-keys", None).body["apiKeys"], json!([]));
    assert_eq!(users(&app, &mallory, "DELETE", &format!("/api-keys/{key_id}"), None).status, 404);
    // Untouched.
    assert_eq!(users(&app, &alice, "GET", "/documents", None).body["documents"][0]["DocumentName"], "Secret plans");
    assert_eq!(users(&app, &alice, "GET", "/api-keys", None).body["apiKeys"][0]["id"], key_id.as_str());
}

#[test]
fn a_key_made_by_its_owner_works_on_v1_and_stops_after_delete() {
    let app = spawn_app();
    let token = register(&app, "keys@example.com");
    let res = users(&app, &token, "POST", "/api-keys", Some(json!({"name": "production"})));
    assert_eq!(res.status, 201, "{}", res.text);
    let key = res.body["apiKey"]["key"].as_str().unwrap().to_string();
    let id = res.body["apiKey"]["id"].as_str().unwrap().to_string();
    assert_eq!(res.body["apiKey"]["prefix"], format!("hp_{id}"));
    assert!(key.starts_with(&format!("hp_{id}")));
    assert_eq!(app.create_profile(&key, &json!({"name": "via owner key"})).status, 201);
    std::thread::sleep(Duration::from_millis(1200));
    let listed = users(&app, &token, "GET", "/api-keys", None);
    let k = &listed.body["apiKeys"][0];
    assert_eq!(k["name"], "production");
    assert!(k["lastUsedAt"].is_string(), "{}", listed.text);
    assert!(!listed.text.contains(&key[15..]), "the secret is never listed");
    assert_eq!(users(&app, &token, "DELETE", &format!("/api-keys/{id}"), None).status, 200);
    assert_eq!(app.list_profiles(&key, "").status, 401);
    assert_eq!(users(&app, &token, "GET", "/api-keys", None).body["apiKeys"], json!([]));
    assert_eq!(users(&app, &token, "POST", "/api-keys", Some(json!({}))).status, 400);
}

#[test]
fn stats_count_what_was_made() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let token = register(&app, "stats@example.com");
    let key = users(&app, &token, "POST", "/api-keys", Some(json!({"name": "k"}))).body["apiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..3 {
        let id = app.new_profile(&key, &format!("p{i}"))["id"].as_str().unwrap().to_string();
        if i < 2 {
            app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true}));
        }
    }
    for name in ["a", "b"] {
        users(
            &app,
            &token,
            "POST",
            "/documents",
            Some(json!({"documentName": name, "documentContent": "x".repeat(1536)})),
        );
    }
    let s = users(&app, &token, "GET", "/stats", None);
    assert_eq!(s.status, 200);
    assert_eq!(s.body["totalDocuments"], 2);
    assert_eq!(s.body["totalProfiles"], 3);
    assert_eq!(s.body["totalSocialAccounts"], 2);
    assert_eq!(s.body["monthlyApiCalls"], 5, "three creates and two links");
    assert_eq!(s.body["storageUsedBytes"], 3072);
    assert_eq!(s.body["storageUsed"], "3 KB");
    assert_eq!(s.body["storageLimit"], "1 GB");
}

#[test]
fn the_trial_counts_down_and_its_end_turns_creates_into_402() {
    let app = spawn_app();
    let token = register(&app, "trial@example.com");
    let key = users(&app, &token, "POST", "/api-keys", Some(json!({"name": "k"}))).body["apiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let existing = app.new_profile(&key, "before")["id"].as_str().unwrap().to_string();
    let ws = app.send("GET", "/api/uploadposts/me", &[("authorization", &format!("ApiKey {key}"))], None);
    assert_eq!(ws.body["email"], "trial@example.com", "the owner's email");
    // The operator shortens the trial.
    let workspace = workspace_of(&app, &key);
    let (ok, _, err) = app.cli(&["plan", "set", "--workspace", &workspace, "--plan", "trial", "--trial-days", "3"]);
    assert!(ok, "{err}");
    assert_eq!(users(&app, &token, "GET", "/subscription", None).body["daysRemaining"], 3);
    let (ok, _, err) = app.cli(&["plan", "set", "--workspace", &workspace, "--plan", "trial", "--trial-days", "0"]);
    assert!(ok, "{err}");
    let sub = users(&app, &token, "GET", "/subscription", None);
    assert_eq!(sub.body["subscriptionStatus"], "expired");
    assert_eq!(sub.body["daysRemaining"], 0);
    let res = app.create_profile(&key, &json!({"name": "after"}));
    assert_eq!(res.status, 402, "{}", res.text);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:trial-expired");
    assert_eq!(app.get_profile(&key, &existing).status, 200, "reads keep working");
    // A paid plan: subscription id and next billing date.
    let (ok, _, err) =
        app.cli(&["plan", "set", "--workspace", &workspace, "--plan", "premium", "--profile-limit", "50"]);
    assert!(ok, "{err}");
    let sub = users(&app, &token, "GET", "/subscription", None).body;
    assert_eq!(sub["subscriptionType"], "premium");
    assert!(sub["subscriptionId"].as_str().unwrap().starts_with("sub_"));
    assert!(sub["nextBillingDate"].is_string());
    assert_eq!(app.create_profile(&key, &json!({"name": "paid"})).status, 201);
}

/// The workspace a key belongs to, by name (via the CLI's list).
fn workspace_of(app: &TestApp, key: &str) -> String {
    app.sql_value(
        "SELECT w.name FROM workspaces w JOIN api_keys k ON k.workspace_id = w.id WHERE k.key_id = $1",
        &[&&key[3..15]],
    )
}

#[test]
fn password_email_and_name_rules_with_the_seeds_messages() {
    // Many attempts from one address: a roomier bucket than the default ten.
    let app = spawn_app_with(|c| {
        c.auth_rate = hitchpost::ratelimit::AttemptRate { burst: 100, per: Duration::from_millis(10) }
    });
    let token = register(&app, "rules@example.com");
    register(&app, "taken@example.com");
    for weak in ["short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"] {
        let res =
            users(&app, &token, "PUT", "/password", Some(json!({"currentPassword": PASSWORD, "newPassword": weak})));
        assert_eq!(res.status, 400, "{weak}");
        assert_eq!(
            res.body["message"],
            "New password must be at least 8 characters and contain uppercase, lowercase, and numbers"
        );
    }
    let res = users(
        &app,
        &token,
        "PUT",
        "/password",
        Some(json!({"currentPassword": "Wrong1234", "newPassword": "Valid1234"})),
    );
    assert_eq!(res.status, 400);
    assert_eq!(res.body["message"], "Current password is incorrect");
    for bad in ["plainaddress", "@example.com", "a@b", "a b@example.com", "a@example..com"] {
        let res = users(&app, &token, "PUT", "/profile", Some(json!({"email": bad})));
        assert_eq!(res.status, 400, "{bad}");
        assert_eq!(
            res.body["errors"][0],
            json!({"msg": "Invalid email address", "param": "email", "location": "body"})
        );
    }
    let res = users(
        &app,
        &token,
        "PUT",
        "/profile",
        Some(json!({"email": "TAKEN@example.com", "currentPassword": PASSWORD})),
    );
    assert_eq!(res.status, 409);
    assert_eq!(res.body, json!({"message": "Email already in use"}));
    let res = users(&app, &token, "PUT", "/profile", Some(json!({"firstName": "<script>alert(1)</script>"})));
    assert_eq!(res.status, 400);
    assert_eq!(res.body["errors"][0]["param"], "firstName");
    let res = users(&app, &token, "PUT", "/profile", Some(json!({"lastName": "bad\u{0007}"})));
    assert_eq!(res.status, 400);
    let res = post(&app, "/api/auth/register", json!({"email": "taken@example.com", "password": PASSWORD}));
    assert_eq!(res.status, 409);
    let res = post(&app, "/api/auth/register", json!({"email": "weak@example.com", "password": "weak"}));
    assert_eq!(res.status, 400);
    assert!(res.body["message"].as_str().unwrap().starts_with("Password must be at least 8 characters"));
    let res = post(&app, "/api/auth/login", json!({"email": "rules@example.com", "password": "Wrong1234"}));
    assert_eq!(res.status, 401);
    assert_eq!(res.body["message"], "Invalid email or password");
    let res = post(&app, "/api/auth/login", json!({"email": "nobody@example.com", "password": "Wrong1234"}));
    assert_eq!(res.status, 401, "an unknown account looks like a wrong password");
}

#[test]
fn documents_hold_up_to_a_mebibyte_of_content_stored_as_given() {
    let app = spawn_app();
    let token = register(&app, "docs@example.com");
    let content = "<script>not html here</script>".repeat(30_000);
    assert!(content.len() < 1024 * 1024);
    let res =
        users(&app, &token, "POST", "/documents", Some(json!({"documentName": "big", "documentContent": content})));
    assert_eq!(res.status, 201, "{}", &res.text[..res.text.len().min(200)]);
    let too_big = "x".repeat(1024 * 1024 + 1);
    let res =
        users(&app, &token, "POST", "/documents", Some(json!({"documentName": "huge", "documentContent": too_big})));
    assert!(res.status == 400 || res.status == 413, "{}", res.status);
    let res = users(&app, &token, "POST", "/documents", Some(json!({"documentContent": "no name"})));
    assert_eq!(res.status, 400);
    assert_eq!(res.body["errors"][0]["param"], "documentName");
    let res = users(&app, &token, "POST", "/documents", Some(json!({"documentName": "<b>bold</b>"})));
    assert_eq!(res.status, 400);
}

#[test]
fn closed_sign_up_is_403_and_the_cli_still_makes_accounts() {
    let app = spawn_app_with(|c| c.signup_open = false);
    let res = post(&app, "/api/auth/register", json!({"email": "no@example.com", "password": PASSWORD}));
    assert_eq!(res.status, 403);
    assert!(res.body["message"].as_str().unwrap().contains("closed"));
    let out = std::process::Command::new(crate::helpers::server_binary())
        .args(["account", "create", "--email", "ops@example.com", "--username", "ops"])
        .args(app.db_args())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let login = post(&app, "/api/auth/login", json!({"username": "ops", "password": PASSWORD}));
    assert_eq!(login.status, 200, "{}", login.text);
}

#[test]
fn a_burst_of_wrong_passwords_is_slowed_but_does_not_lock_out_the_owner() {
    let app = spawn_app_with(|c| {
        // One attempt back a second: slow enough that a loaded CI machine, where a request can
        // take 100 ms, does not earn one back between two attempts of the burst.
        c.auth_rate = hitchpost::ratelimit::AttemptRate { burst: 5, per: Duration::from_secs(1) };
        c.trust_proxy = true;
    });
    register(&app, "owner@example.com");
    let attempt = |ip: &str, password: &str| {
        let body = json!({"email": "owner@example.com", "password": password}).to_string().into_bytes();
        app.send("POST", "/api/auth/login", &[JSON, ("x-forwarded-for", ip)], Some(body))
    };
    let statuses: Vec<u16> = (0..20).map(|_| attempt("203.0.113.9", "Wrong1234").status).collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    let limited = attempt("203.0.113.9", "Wrong1234");
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // After the window, the owner signs in from elsewhere.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(attempt("198.51.100.7", PASSWORD).status, 200);
}

#[test]
fn signing_in_moves_a_password_hashed_with_earlier_parameters_to_todays_and_keeps_sessions() {
    use argon2::{Argon2, PasswordHasher};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rehash.db");
    let app = crate::helpers::spawn_app_on(&db);
    let session = register(&app, "old@example.com");
    // The hash an earlier hitchpost stored: Argon2::default(), m=19 MiB, t=2.
    let legacy = Argon2::default().hash_password(PASSWORD.as_bytes()).unwrap().to_string();
    let hash_of = || -> String {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT password_hash FROM account_holders WHERE email = 'old@example.com'", [], |r| r.get(0))
            .unwrap()
    };
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE account_holders SET password_hash = ?1 WHERE email = 'old@example.com'", [&legacy])
        .unwrap();
    assert!(hash_of().contains("m=19456,t=2"));
    let res = post(&app, "/api/auth/login", json!({"email": "old@example.com", "password": PASSWORD}));
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(hash_of().starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{}", hash_of());
    // The same password still signs in, and the session made before is still good.
    let res = post(&app, "/api/auth/login", json!({"email": "old@example.com", "password": PASSWORD}));
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(users(&app, &session, "GET", "/profile", None).status, 200);
    let wrong = post(&app, "/api/auth/login", json!({"email": "old@example.com", "password": "Wr0ngPassword"}));
    assert_eq!(wrong.status, 401);
}
