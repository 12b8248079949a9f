//! The connect page in a real browser: headless Chromium driven over WebDriver (chromedriver).
//! Fails, rather than skips, when `CI` is set and no browser is installed.

use crate::helpers::{TestApp, send, spawn_app_with};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session in it.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

fn find(names: &[&str]) -> Option<String> {
    names.iter().map(|n| n.to_string()).find(|p| std::path::Path::new(p).exists())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or explains why it cannot.
    fn start() -> Option<Browser> {
        let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
        let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            assert!(std::env::var_os("CI").is_none(), "CI is set but chromium or chromedriver is missing");
            eprintln!("skipping the browser test: install chromium and chromium-driver to run it");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=420,900",
        ];
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}}}});
        let res = send(
            &base,
            "POST",
            "/session",
            &[("content-type", "application/json")],
            Some(caps.to_string().into_bytes()),
        );
        assert_eq!(res.status, 200, "new session: {}", res.text);
        let session = res.body["value"]["sessionId"].as_str().expect("session id").to_string();
        Some(Browser { driver: child, base, session, _profile: profile })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let res = send(
            &self.base,
            method,
            &url,
            &[("content-type", "application/json")],
            body.map(|b| b.to_string().into_bytes()),
        );
        assert!(res.status < 300, "{method} {path}: {}", res.text);
        res.body["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    fn try_find(&self, css: &str) -> Option<String> {
        let url = format!("/session/{}/elements", self.session);
        let body = json!({"using": "css selector", "value": css}).to_string().into_bytes();
        let res = send(&self.base, "POST", &url, &[("content-type", "application/json")], Some(body));
        res.body["value"].as_array()?.first()?.get(ELEMENT)?.as_str().map(str::to_owned)
    }

    /// Waits up to 10 s for an element.
    fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            assert!(Instant::now() < deadline, "no {css} on {}", self.url());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn click(&self, css: &str) {
        let e = self.wait_for(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// The element's text, once it has any (10 s at most): the page fills messages in after
    /// its fetches answer, and a loaded machine makes that late.
    fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let e = self.wait_for(css);
            let text = self.cmd("GET", &format!("/element/{e}/text"), None).as_str().unwrap_or_default().to_string();
            if !text.is_empty() || Instant::now() >= deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for_url(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let u = self.url();
            if u.starts_with(prefix) {
                return u;
            }
            assert!(Instant::now() < deadline, "still at {u}, waiting for {prefix}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = send(&self.base, "DELETE", &format!("/session/{}", self.session), &[], None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn sandbox_app() -> TestApp {
    spawn_app_with(|c| c.providers.sandbox = true)
}

#[test]
fn a_person_links_two_sandbox_accounts_disconnects_one_and_returns_to_the_platform() {
    let Some(browser) = Browser::start() else { return };
    let app = sandbox_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Browser user")["id"].as_str().unwrap().to_string();
    // The platform's own page: here, any page of a server on this machine.
    let redirect = format!("{}/healthz", app.base);
    let link = app.new_link(
        &key,
        &id,
        &json!({"redirectUrl": redirect, "platforms": ["linkedin", "x", "bluesky"],
        "title": "Connect to Acme", "buttonText": "Back to Acme"}),
    );
    let url = link["url"].as_str().unwrap();

    browser.goto(url);
    // Opening the link takes a press: a fetch alone (a mail scanner) does not use it up.
    browser.click("#continue");
    browser.wait_for_url(&format!("{}/connect/app", app.base));
    assert_eq!(browser.text("#title"), "Connect to Acme");
    for platform in ["linkedin", "x"] {
        browser.click(&format!(r#"li[data-platform="{platform}"] button[data-action="connect"]"#));
        browser.wait_for(&format!(r#"li[data-platform="{platform}"][data-state="linked"]"#));
    }
    // LinkedIn has no handles: the person's name there, without an "@".
    assert_eq!(browser.text(r#"li[data-platform="linkedin"] .state"#), "Connected as Sandbox LinkedIn User");
    let state = browser.text(r#"li[data-platform="x"] .state"#);
    assert!(state.starts_with("Connected as @sandbox_x_"), "{state}");
    browser.click(r#"li[data-platform="x"] button[data-action="disconnect"]"#);
    browser.wait_for(r#"li[data-platform="x"][data-state="unlinked"]"#);
    assert!(browser.text("#notice").contains("X was disconnected"));
    assert_eq!(browser.text("#done"), "Back to Acme");
    browser.click("#done");

    let landed = url::Url::parse(&browser.wait_for_url(&redirect)).unwrap();
    let q: std::collections::HashMap<_, _> = landed.query_pairs().into_owned().collect();
    assert_eq!(q["profileId"], id);
    assert_eq!(q["connected"], "linkedin");
    assert_eq!(q["status"], "success");
    assert_eq!(app.get_profile(&key, &id).body["accounts"], json!(["linkedin"]));

    // The link was used: opening it again shows the used-link page.
    browser.goto(url);
    let title = browser.text("#message-title");
    assert_eq!(title, "This link can no longer be used");
    assert!(browser.text("#message-text").contains("already used or has expired"));
}

#[test]
fn a_wrong_bluesky_password_is_shown_in_plain_words_and_links_nothing() {
    let Some(browser) = Browser::start() else { return };
    let Some(pds) = crate::peers::pds() else { return };
    let app = sandbox_app();
    let key = app.key("acme");
    let id = app.new_profile(&key, "Sky user")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, &json!({"platforms": ["bluesky"], "language": "es"}));
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    browser.click(r#"li[data-platform="bluesky"] button[data-action="connect"]"#);
    let set = |css: &str, text: &str| {
        let e = browser.wait_for(css);
        browser.cmd("POST", &format!("/element/{e}/value"), Some(json!({ "text": text })));
    };
    set("#bsky-handle", &pds.get("handle"));
    set("#bsky-password", "wrong-password");
    set("#bsky-pds", &pds.get("url"));
    browser.click("#bsky-submit");
    // A sentence in the link's language, not the PDS's own words.
    let error = browser.text("#error");
    assert_eq!(error, "Bluesky no aceptó el inicio de sesión. Revisa lo que escribiste e inténtalo de nuevo.");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
    assert_eq!(browser.text("#bsky-submit"), "Conectar");
}

#[test]
fn an_unreachable_provider_is_explained_without_its_error_text() {
    let Some(browser) = Browser::start() else { return };
    let provider = crate::fakes::oauth_provider();
    let mut config = crate::linking::fake_linkedin(&provider.base);
    // Consent works; the code exchange finds nobody listening ("Connection refused").
    config.token_url = Some("http://127.0.0.1:9/token".into());
    let app = spawn_app_with(move |c| {
        c.providers.oauth.insert(hitchpost::domain::platform::Platform::Linkedin, config);
    });
    let key = app.key("acme");
    let id = app.new_profile(&key, "Linker")["id"].as_str().unwrap().to_string();
    let link = app.new_link(&key, &id, &json!({"platforms": ["linkedin"], "language": "de"}));
    browser.goto(link["url"].as_str().unwrap());
    browser.click("#continue");
    browser.click(r#"li[data-platform="linkedin"] button[data-action="connect"]"#);
    let error = browser.text("#error");
    assert_eq!(error, "LinkedIn ist gerade nicht erreichbar. Versuche es in ein paar Minuten erneut.");
    assert!(!error.contains("os error") && !error.contains("refused"), "{error}");
    assert_eq!(app.list_accounts(&key, &id).body["data"], json!([]));
}
