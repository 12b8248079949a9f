//! The connect page in a real browser: headless Chromium driven over WebDriver (chromedriver).
//! Fails, rather than skips, when `CI` is set and no browser is installed.

mod anywhere;
mod console;
mod linking;

use crate::helpers::send;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session in it.
pub struct Browser {
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
    pub fn start() -> Option<Browser> {
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

    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
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

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    pub fn try_find(&self, css: &str) -> Option<String> {
        let url = format!("/session/{}/elements", self.session);
        let body = json!({"using": "css selector", "value": css}).to_string().into_bytes();
        let res = send(&self.base, "POST", &url, &[("content-type", "application/json")], Some(body));
        res.body["value"].as_array()?.first()?.get(ELEMENT)?.as_str().map(str::to_owned)
    }

    /// Waits up to 10 s for an element.
    pub fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            assert!(Instant::now() < deadline, "no {css} on {}", self.url());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn click(&self, css: &str) {
        let e = self.wait_for(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// The element's text, once it has any (10 s at most): the page fills messages in after
    /// its fetches answer, and a loaded machine makes that late.
    pub fn text(&self, css: &str) -> String {
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

    pub fn wait_for_url(&self, prefix: &str) -> String {
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

impl Browser {
    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
    pub fn eval(&self, script: &str, args: Value) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    /// Types into the element.
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.wait_for(css);
        self.cmd("POST", &format!("/element/{e}/value"), Some(json!({ "text": text })));
    }

    /// A Chrome DevTools Protocol command (chromedriver's `goog/cdp/execute`).
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd("POST", "/goog/cdp/execute", Some(json!({ "cmd": cmd, "params": params })))
    }

    /// Emulates the browser's `prefers-color-scheme` (`light` or `dark`).
    pub fn prefer_color_scheme(&self, scheme: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Sends `Accept-Language: lang` from now on, as a browser set to that language does.
    pub fn accept_language(&self, lang: &str) {
        let ua = self.eval("return navigator.userAgent", json!([]));
        self.cdp("Emulation.setUserAgentOverride", json!({"userAgent": ua, "acceptLanguage": lang}));
    }

    /// Resizes the window (the page's viewport follows).
    pub fn resize(&self, width: u32, height: u32) {
        self.cmd("POST", "/window/rect", Some(json!({ "width": width, "height": height })));
    }

    /// A PNG of the viewport, saved under target/screenshots/ for a person to look at.
    pub fn screenshot(&self, name: &str) -> std::path::PathBuf {
        use base64::Engine;
        let png = self.cmd("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The handles of the browser's windows.
    pub fn windows(&self) -> Vec<String> {
        let v = self.cmd("GET", "/window/handles", None);
        v.as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect()
    }

    pub fn switch_to(&self, handle: &str) {
        self.cmd("POST", "/window", Some(json!({ "handle": handle })));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = send(&self.base, "DELETE", &format!("/session/{}", self.session), &[], None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
