//! Real implementations of the other side, started by the tests on 127.0.0.1: the official
//! Bluesky PDS (`@atproto/pds` with a PLC directory) and the OpenID-certified `oidc-provider`.
//! Installed from tests/peers/package-lock.json into a scratch folder under target/ (again only
//! when the lock changes). Without Node the tests skip, except under CI, where they fail.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

fn sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// The installed peers' folder, or `None` without Node (outside CI).
pub fn installed() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let have = |cmd: &str| Command::new(cmd).arg("--version").output().is_ok_and(|o| o.status.success());
        if !have("node") || !have("npm") {
            assert!(std::env::var_os("CI").is_none(), "CI is set but node and npm are missing");
            eprintln!("skipping: node and npm are not installed");
            return None;
        }
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("peers");
        std::fs::create_dir_all(&dir).unwrap();
        let lock = std::fs::read_to_string(sources().join("package-lock.json")).unwrap();
        let marker = dir.join(".installed");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(lock.as_str()) {
            for f in ["package.json", "package-lock.json"] {
                std::fs::copy(sources().join(f), dir.join(f)).unwrap();
            }
            // better-sqlite3 (the PDS's database) has no prebuilt binary reachable here and
            // compiles with node-gyp: g++, make and python3 are needed.
            let out = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .output()
                .expect("npm runs");
            assert!(
                out.status.success(),
                "npm ci of the test peers failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::write(&marker, &lock).unwrap();
        }
        for f in ["pds.mjs", "oidc.mjs"] {
            std::fs::copy(sources().join(f), dir.join(f)).unwrap();
        }
        Some(dir)
    })
    .clone()
}

/// A peer process: killed when dropped; its first stdout line is its description.
pub struct Peer {
    child: Child,
    _stdin: ChildStdin,
    pub info: Value,
    _data: Option<tempfile::TempDir>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(script: &str, args: &[&str], data: Option<tempfile::TempDir>) -> Peer {
    let dir = installed().expect("peers installed");
    let mut child = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next().and_then(Result::ok));
        // Keep draining so the peer never blocks on a full pipe.
        for _ in lines {}
    });
    let errors = std::sync::Arc::new(Mutex::new(String::new()));
    let sink = errors.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut e = sink.lock().unwrap();
            if e.len() < 64 * 1024 {
                e.push_str(&line);
                e.push('\n');
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(120)).ok().flatten();
    let Some(info) = line.and_then(|l| serde_json::from_str(&l).ok()) else {
        let _ = child.kill();
        std::thread::sleep(Duration::from_millis(200));
        panic!("{script} did not start:\n{}", errors.lock().unwrap());
    };
    Peer { child, _stdin: stdin, info, _data: data }
}

impl Peer {
    pub fn get(&self, key: &str) -> String {
        self.info[key].as_str().unwrap_or_else(|| panic!("{key} in {}", self.info)).to_string()
    }
}

/// The official PDS with one account `alice.test`, a profile record and an app password.
pub fn pds() -> Option<Peer> {
    installed()?;
    let data = tempfile::tempdir().unwrap();
    let path = data.path().to_str().unwrap().to_string();
    Some(start("pds.mjs", &[&path], Some(data)))
}

/// A port nothing listens on now (for a peer that must be configured before it starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// oidc-provider on `port`, with one client whose only redirect URI is `redirect_uri`.
pub fn oidc(port: u16, redirect_uri: &str) -> Peer {
    start("oidc.mjs", &[&port.to_string(), redirect_uri], None)
}

/// Waits until `f` holds (10 s at most).
pub fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
