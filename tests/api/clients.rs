//! The hosted services' official client libraries, unmodified but for where they send
//! requests, against a running hitchpost: PyPI `upload-post` and `social-post-api`, npm
//! `upload-post` and `social-media-api`. They are installed into a scratch folder under
//! target/; without Python or Node the tests skip, except under CI, where they fail.

use crate::helpers::{TestApp, spawn_app_with};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PY_CLIENTS: &[&str] = &["upload-post==2.13.0", "social-post-api==1.3.0", "standardwebhooks==1.1.0"];
const NODE_CLIENTS: &[&str] = &["upload-post@2.14.0", "social-media-api@1.3.0"];
/// The one line the npm Ayrshare client has for its base URL, and what it becomes.
const AYRSHARE_BASE_LINE: &str = r#"const BASE_URL = "https://api.ayrshare.com/api";"#;
const AYRSHARE_BASE_ENV: &str =
    r#"const BASE_URL = process.env.HITCHPOST_AYRSHARE_BASE || "https://api.ayrshare.com/api";"#;

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("clients")
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("--version").output().is_ok_and(|o| o.status.success())
}

fn missing(what: &str) -> Option<PathBuf> {
    assert!(std::env::var_os("CI").is_none(), "CI is set but {what} is missing");
    eprintln!("skipping: {what} is not installed");
    None
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Python clients' folder (installed once per build folder).
fn python_clients() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| pip_install("py", PY_CLIENTS)).clone()
}

/// Installs PyPI `packages` into `target/…/clients/<folder>` (again only when the list
/// changes) and returns the folder, for `PYTHONPATH`; `None` without Python, outside CI.
pub fn pip_install(folder: &str, packages: &[&str]) -> Option<PathBuf> {
    {
        if !have("python3") {
            return missing("python3");
        }
        let dir = scratch().join(folder);
        let marker = dir.join(".installed");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(&packages.join(" ")) {
            run(Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--upgrade",
                    "--target",
                ])
                .arg(&dir)
                .args(packages));
            std::fs::write(&marker, packages.join(" ")).unwrap();
        }
        Some(dir)
    }
}

/// The Node clients' folder, with the test scripts copied in (ES modules resolve packages
/// from the script's own folder).
fn node_clients() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        if !have("node") || !have("npm") {
            return missing("node and npm");
        }
        let dir = scratch().join("node");
        std::fs::create_dir_all(&dir).unwrap();
        let marker = dir.join(".installed");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(&NODE_CLIENTS.join(" ")) {
            std::fs::write(
                dir.join("package.json"),
                r#"{"name":"hitchpost-client-tests","private":true,"type":"module"}"#,
            )
            .unwrap();
            run(Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&dir)
                .args(NODE_CLIENTS));
            let index = dir.join("node_modules/social-media-api/index.js");
            let source = std::fs::read_to_string(&index).unwrap();
            assert!(source.contains(AYRSHARE_BASE_LINE), "social-media-api no longer has its base URL line");
            std::fs::write(&index, source.replace(AYRSHARE_BASE_LINE, AYRSHARE_BASE_ENV)).unwrap();
            std::fs::write(&marker, NODE_CLIENTS.join(" ")).unwrap();
        }
        for script in ["uploadpost_client.mjs", "ayrshare_client.mjs"] {
            std::fs::copy(scripts().join(script), dir.join(script)).unwrap();
        }
        Some(dir)
    })
    .clone()
}

fn sandbox_app() -> (TestApp, String) {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("clients");
    (app, key)
}

fn check(out: std::process::Output, what: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(": ok"), "{what} did not finish:\n{stdout}\n{stderr}");
}

#[test]
fn the_upload_post_python_client_works_unmodified() {
    let Some(py) = python_clients() else { return };
    let (app, key) = sandbox_app();
    // A profile with a Pinterest account, for get_pinterest_boards.
    let id = app.create_profile(&key, &json!({"name": "pins", "username": "py_pins"})).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.link_account(&key, &id, &json!({"platform": "pinterest", "sandbox": true}));
    let out = Command::new("python3")
        .arg(scripts().join("uploadpost_client.py"))
        .args([&app.base, &key, "py_pins"])
        .env("PYTHONPATH", &py)
        .output()
        .unwrap();
    check(out, "upload-post (PyPI)");
}

#[test]
fn the_ayrshare_python_client_works_unmodified() {
    let Some(py) = python_clients() else { return };
    let (app, key) = sandbox_app();
    let out = Command::new("python3")
        .arg(scripts().join("ayrshare_client.py"))
        .args([&app.base, &key])
        .env("PYTHONPATH", &py)
        .output()
        .unwrap();
    check(out, "social-post-api (PyPI)");
}

#[test]
fn the_upload_post_node_client_works_unmodified() {
    let Some(dir) = node_clients() else { return };
    let (app, key) = sandbox_app();
    let out = Command::new("node").current_dir(&dir).args(["uploadpost_client.mjs", &app.base, &key]).output().unwrap();
    check(out, "upload-post (npm)");
}

#[test]
fn the_ayrshare_node_client_works_with_only_its_base_url_changed() {
    let Some(dir) = node_clients() else { return };
    let (app, key) = sandbox_app();
    let out = Command::new("node")
        .current_dir(&dir)
        .args(["ayrshare_client.mjs", &app.base, &key])
        .env("HITCHPOST_AYRSHARE_BASE", format!("{}/api", app.base))
        .output()
        .unwrap();
    check(out, "social-media-api (npm)");
}

#[test]
fn deliveries_verify_with_the_standard_webhooks_library() {
    let Some(py) = python_clients() else { return };
    let receiver = crate::fakes::receiver(crate::fakes::ReceiverMode::Ok);
    let (app, key) = sandbox_app();
    let body = json!({"url": receiver.base, "events": ["profile.created"]}).to_string().into_bytes();
    let hook =
        app.send("POST", "/v1/webhooks", &[("x-api-key", &key), ("content-type", "application/json")], Some(body));
    let secret = hook.body["secret"].as_str().unwrap().to_string();
    app.new_profile(&key, "verified");
    let got = receiver.wait_for("a delivery", |g| !g.is_empty());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("body"), &got[0].body).unwrap();
    std::fs::write(dir.path().join("headers.json"), serde_json::to_vec(&got[0].headers).unwrap()).unwrap();
    let out = Command::new("python3")
        .arg(scripts().join("verify_webhook.py"))
        .arg(&secret)
        .args([dir.path().join("body"), dir.path().join("headers.json")])
        .env("PYTHONPATH", &py)
        .output()
        .unwrap();
    check(out, "standardwebhooks (PyPI)");
}
