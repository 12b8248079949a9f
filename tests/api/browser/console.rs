//! The console in a real browser: a holder signs in, finds a profile, makes and revokes a
//! connect link, unlinks an account, makes a key (shown once) and revokes it, signs out.

use super::Browser;
use super::linking::sandbox_app;
use crate::helpers::TestApp;
use crate::holders::{register, users};
use serde_json::json;

fn value(browser: &Browser, id: &str) -> String {
    browser.eval("return document.getElementById(arguments[0]).value", json!([id])).as_str().unwrap().to_string()
}

fn count(browser: &Browser, css: &str) -> usize {
    browser.eval("return document.querySelectorAll(arguments[0]).length", json!([css])).as_u64().unwrap() as usize
}

/// Presses a destructive button twice: the console asks for a second press.
fn press_twice(browser: &Browser, css: &str) {
    browser.click(css);
    let armed = format!("{css}[data-armed=\"1\"]");
    browser.click(&armed);
}

fn wait_until(browser: &Browser, what: &str, f: impl Fn(&Browser) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !f(browser) {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn sign_in(browser: &Browser, app: &TestApp, login: &str, password: &str) {
    browser.goto(&format!("{}/console", app.base));
    browser.wait_for("#signin:not([hidden])");
    browser
        .eval("document.getElementById('login').value = ''; document.getElementById('password').value = ''", json!([]));
    browser.type_into("#login", login);
    browser.type_into("#password", password);
    browser.click("#signin-submit");
}

#[test]
fn a_holder_finds_a_profile_revokes_a_link_unlinks_an_account_and_makes_and_revokes_a_key() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    let token = register(&app, "owner@example.com");
    let key = users(&app, &token, "POST", "/api-keys", Some(json!({"name": "setup"}))).body["apiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app.create_profile(&key, &json!({"name": "Customer Seven", "externalId": "cust-7"})).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.link_account(&key, &id, &json!({"platform": "x", "sandbox": true})).status, 201);
    app.create_profile(&key, &json!({"name": "Someone else", "externalId": "cust-8"}));

    // A wrong password is said plainly, and nothing opens.
    sign_in(&browser, &app, "owner@example.com", "Wrong-pass1");
    assert_eq!(browser.text("#error"), "Invalid email or password");
    assert_eq!(count(&browser, "#nav:not([hidden])"), 0);

    sign_in(&browser, &app, "owner@example.com", "Sup3rSecret");
    assert_eq!(browser.text("#who"), "owner@example.com");
    wait_until(&browser, "two profiles", |b| count(b, "#profiles li[data-id]") == 2);
    let usage = browser.text("#usage");
    assert!(usage.starts_with("2 profiles") && usage.ends_with("14 trial days left"), "{usage}");
    for (device, width, height) in [("phone", 390, 844), ("desktop", 1280, 900)] {
        browser.resize(width, height);
        let fits = browser.eval("return [document.documentElement.scrollWidth, window.innerWidth]", json!([]));
        assert!(fits[0].as_i64() <= fits[1].as_i64(), "{device}: the console overflows: {fits}");
        println!("screenshot: {}", browser.screenshot(&format!("console-{device}")).display());
    }

    // Find the profile by its externalId and open it.
    browser.type_into("#q", "cust-7");
    browser.click("#search-submit");
    wait_until(&browser, "one match", |b| count(b, "#profiles li[data-id]") == 1);
    browser.click(&format!(r#"#profiles li[data-id="{id}"] a"#));
    browser.wait_for(r#"#accounts li[data-platform="x"]"#);
    assert_eq!(browser.text("#profile-name"), "Customer Seven");

    // A connect link: made, its URL shown to copy, then revoked.
    browser.type_into("#link-platforms", "x");
    browser.click("#link-submit");
    browser.wait_for("#new-link:not([hidden])");
    assert!(value(&browser, "new-link-url").starts_with(&format!("{}/connect?token=", app.base)));
    browser.wait_for("#links li[data-link]");
    assert_eq!(app.list_links(&key, &id).body["data"].as_array().unwrap().len(), 1);
    press_twice(&browser, "#links li[data-link] button.danger");
    wait_until(&browser, "the link gone", |b| count(b, "#links li[data-link]") == 0);
    assert_eq!(app.list_links(&key, &id).body["data"], json!([]));

    // Unlink X.
    press_twice(&browser, r#"#accounts li[data-platform="x"] button.danger"#);
    wait_until(&browser, "the account gone", |b| count(b, "#accounts li[data-platform]") == 0);
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
    assert!(browser.text("#profile-audit").contains("account.unlinked"));

    // A key: shown once, works, revoked, refused.
    browser.click("#nav-keys");
    browser.wait_for("#view-keys:not([hidden])");
    browser.type_into("#key-name", "from the console");
    browser.click("#key-submit");
    browser.wait_for("#new-key:not([hidden])");
    let made = value(&browser, "new-key-value");
    assert!(made.starts_with("hp_"), "{made}");
    assert_eq!(app.list_profiles(&made, "").status, 200);
    let key_id = &made[3..15];
    let row = format!(r#"#keys li[data-key="{key_id}"]"#);
    browser.wait_for(&row);
    let listed = browser.eval("return document.getElementById('keys').textContent", json!([]));
    assert!(!listed.as_str().unwrap().contains(&made[15..]), "the list never shows the secret");
    press_twice(&browser, &format!("{row} button.danger"));
    wait_until(&browser, "the key gone", |b| count(b, &row) == 0);
    assert_eq!(app.list_profiles(&made, "").status, 401);

    // Every view fits a phone.
    browser.resize(390, 844);
    for (view, hash) in [
        ("profile", format!("#/profiles/{id}")),
        ("attention", "#/attention".into()),
        ("keys", "#/keys".into()),
        ("webhooks", "#/webhooks".into()),
        ("audit", "#/audit".into()),
        ("password", "#/password".into()),
    ] {
        browser.goto(&format!("{}/console{hash}", app.base));
        browser.wait_for(&format!("#view-{view}:not([hidden])"));
        let fits = browser.eval("return [document.documentElement.scrollWidth, window.innerWidth]", json!([]));
        assert!(fits[0].as_i64() <= fits[1].as_i64(), "{view} overflows a phone: {fits}");
        if matches!(view, "profile" | "webhooks") {
            browser.screenshot(&format!("console-phone-{view}"));
        }
    }
    browser.resize(1280, 900);

    // Sign out: a reload shows the sign-in form again.
    browser.click("#signout");
    browser.wait_for("#signin:not([hidden])");
    browser.goto(&format!("{}/console", app.base));
    browser.wait_for("#signin:not([hidden])");
}

/// A server whose deliveries retry quickly and whose subscriptions are not disabled by a few
/// failures (the test fixes its receiver and redelivers).
fn webhook_app() -> TestApp {
    crate::helpers::spawn_app_with(|c| {
        c.providers.sandbox = true;
        c.webhooks.retry_schedule = vec![std::time::Duration::from_millis(100), std::time::Duration::from_millis(200)];
        c.webhooks.disable_after = 50;
        c.webhooks.poll = std::time::Duration::from_millis(30);
    })
}

#[test]
fn a_failing_delivery_is_shown_with_its_error_and_redelivered_once_the_receiver_is_fixed() {
    let Some(browser) = Browser::start() else { return };
    let app = webhook_app();
    register(&app, "owner@example.com");
    let receiver = crate::fakes::receiver(crate::fakes::ReceiverMode::Fail);
    sign_in(&browser, &app, "owner@example.com", "Sup3rSecret");
    browser.wait_for("#nav:not([hidden])");
    browser.click("#nav-webhooks");
    browser.wait_for(r#"#hook-events input[value="profile.created"]"#);
    browser.type_into("#hook-url", &format!("{}/hook", receiver.base));
    browser.click(r#"#hook-events input[value="profile.created"]"#);
    browser.click("#hook-submit");
    browser.wait_for("#new-secret:not([hidden])");
    assert!(value(&browser, "new-secret-value").starts_with("whsec_"), "{}", value(&browser, "new-secret-value"));
    let hook = "#webhooks li[data-webhook]";
    browser.wait_for(hook);

    // Ping: the receiver answers 500 to every attempt, and the delivery says so.
    browser.click(&format!(r#"{hook} button[data-action="ping"]"#));
    let deliveries = format!(r#"{hook} button[data-action="deliveries"]"#);
    wait_until(&browser, "a failed delivery", |b| {
        b.click(&deliveries);
        std::thread::sleep(std::time::Duration::from_millis(200));
        count(b, r#"#deliveries li[data-status="failed"]"#) == 1
    });
    let shown = browser.text(r#"#deliveries li[data-status="failed"]"#);
    assert!(shown.contains("webhook.ping") && shown.contains("3 attempts") && shown.contains("HTTP 500"), "{shown}");
    assert!(shown.contains("500"), "the error is shown: {shown}");

    // Fixed, and redelivered from the console.
    receiver.state.lock().unwrap().mode = crate::fakes::ReceiverMode::Ok;
    let before = receiver.state.lock().unwrap().requests.len();
    browser.click(r#"#deliveries li[data-status="failed"] button[data-action="redeliver"]"#);
    wait_until(&browser, "a succeeded delivery", |b| {
        b.click(&deliveries);
        std::thread::sleep(std::time::Duration::from_millis(200));
        count(b, r#"#deliveries li[data-status="succeeded"]"#) == 1
    });
    assert_eq!(receiver.state.lock().unwrap().requests.len(), before + 1);
}

#[test]
fn an_account_that_needs_reconnecting_is_listed_with_a_one_click_connect_link() {
    let Some(browser) = Browser::start() else { return };
    let provider = crate::fakes::oauth_provider();
    let app = crate::linking::oauth_app(&provider.base);
    let token = register(&app, "owner@example.com");
    let key = users(&app, &token, "POST", "/api-keys", Some(json!({"name": "setup"}))).body["apiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = crate::linking::linked_oauth_account(&app, &key);
    let account = app.list_accounts(&key, &id).body["data"][0]["id"].as_str().unwrap().to_string();
    app.sql_execute(
        "UPDATE social_accounts SET needs_reconnect = (1 = 1), reconnect_reason = 'revoked' WHERE public_id = $1",
        &[&account],
    );
    sign_in(&browser, &app, "owner@example.com", "Sup3rSecret");
    browser.wait_for("#nav:not([hidden])");
    browser.click("#nav-attention");
    let row = format!(r#"#attention li[data-account="{account}"]"#);
    browser.wait_for(&row);
    assert!(browser.text(&row).contains("needs reconnect"));
    browser.click(&format!("{row} button"));
    browser.wait_for("#attention-link:not([hidden])");
    assert!(value(&browser, "attention-link-url").starts_with(&format!("{}/connect?token=", app.base)));
    let links = app.list_links(&key, &id).body;
    assert_eq!(links["data"][0]["platforms"], json!(["linkedin"]), "{links}");
}

#[test]
fn a_holder_who_lost_their_password_signs_in_with_a_console_link_and_sets_a_new_one() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    register(&app, "owner@example.com");
    let env = [("HITCHPOST_SECRET", crate::helpers::TEST_SECRET)];
    let (ok, out, err) =
        app.cli_env(&["console-link", "--email", "owner@example.com", "--public-url", &app.base], &env);
    assert!(ok, "{out}{err}");
    browser.goto(out.trim());
    browser.click("#continue");
    browser.wait_for("#view-password:not([hidden])");
    assert_eq!(count(&browser, "#current-password-field[hidden]"), 1, "no current password is asked");
    browser.type_into("#new-password", "Rec0vered1");
    browser.click("#password-submit");
    assert_eq!(browser.text("#notice"), "Your password was changed. Your other sessions have ended.");
    browser.click("#signout");
    sign_in(&browser, &app, "owner@example.com", "Rec0vered1");
    assert_eq!(browser.text("#who"), "owner@example.com");
    // The link was used up.
    browser.goto(out.trim());
    assert_eq!(browser.text("#message-title"), "This sign-in link can no longer be used");
}

/// Another site's page that, once opened, posts a form and sends a fetch to the console's
/// key route, as a CSRF attack would.
const EVIL: &str = r#"<!doctype html>
<html><body>
<form id="f" method="post" enctype="text/plain"><input name='{"name":"evil","x":"' value='"}'></form>
<p id="done"></p>
<script>
const target = new URLSearchParams(location.search).get("target");
fetch(target, { method: "POST", credentials: "include", headers: { "x-hitchpost-console": "1", "content-type": "application/json" },
  body: JSON.stringify({ name: "evil-fetch" }) })
  .catch(() => null)
  .finally(() => {
    fetch(target, { method: "POST", credentials: "include", mode: "no-cors", body: '{"name":"evil-simple"}' }).catch(() => null)
      .finally(() => { document.getElementById("done").textContent = "sent"; const f = document.getElementById("f"); f.action = target; f.submit(); });
  });
</script>
</body></html>"#;

#[test]
fn another_sites_form_and_fetch_make_no_key_in_a_signed_in_browser() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    register(&app, "owner@example.com");
    sign_in(&browser, &app, "owner@example.com", "Sup3rSecret");
    browser.wait_for("#nav:not([hidden])");
    let evil = crate::fakes::run((), |cfg| {
        cfg.route(
            "/evil",
            actix_web::web::get().to(|| async { actix_web::HttpResponse::Ok().content_type("text/html").body(EVIL) }),
        );
    });
    // Another origin (localhost, not 127.0.0.1) aims at the console's key route.
    let evil_base = evil.base.replace("127.0.0.1", "localhost");
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("target", &format!("{}/console/api/keys", app.base))
        .finish();
    browser.goto(&format!("{evil_base}/evil?{q}"));
    // The form's post navigates to the console's refusal.
    let landed = browser.wait_for_url(&format!("{}/console/api/keys", app.base));
    assert!(landed.starts_with(&app.base), "{landed}");
    let refusal = browser.eval("return document.body.textContent", json!([]));
    assert!(refusal.as_str().unwrap().contains("must come from the console"), "{refusal}");
    // The browser is still signed in, and no key was made.
    browser.goto(&format!("{}/console#/keys", app.base));
    browser.wait_for("#view-keys:not([hidden])");
    wait_until(&browser, "the key list", |b| {
        b.text("#keys").contains("No keys yet") || count(b, "#keys li[data-key]") > 0
    });
    assert_eq!(count(&browser, "#keys li[data-key]"), 0, "{}", browser.text("#keys"));
}
