//! Crash safety: 20 rounds of `kill -9` while 16 clients create profiles and link sandbox
//! accounts, on SQLite and on PostgreSQL. After each restart every acknowledged write is
//! there (and the SQLite file is sound); at the end, no webhook event for an acknowledged
//! change is missing.

use crate::fakes::{self, ReceiverMode};
use crate::helpers::{BinServer, cli, create_key, send, spawn_binary_with, spawn_command, try_send};
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ENV: [(&str, &str); 5] = [
    ("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", "true"),
    ("HITCHPOST_SANDBOX", "true"),
    ("HITCHPOST_RATE_PER_KEY", "0"),
    ("HITCHPOST_RATE_PER_IP", "0"),
    // A delivery claimed by a killed PostgreSQL instance is sent again when its lease (this
    // plus 5 s) ends.
    ("HITCHPOST_WEBHOOK_TIMEOUT_SECS", "2"),
];

#[test]
fn twenty_kill_9_rounds_under_load_lose_no_acknowledged_write_or_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let start = || spawn_binary_with(&db, &[], &ENV, None);
    let server = start();
    let key = create_key(&db, "acme", None);
    let sound = |round: usize| {
        let (ok, report, err) = cli(&["check", "--db", db.to_str().unwrap()]);
        assert!(ok && report.contains("integrity\tok"), "round {round}: {report} {err}");
    };
    kill_9_rounds(server, &start, &key, &sound, "SQLite");
}

#[test]
fn twenty_kill_9_rounds_on_postgres_lose_no_acknowledged_write_or_event() {
    let Some(pg) = crate::pg::fresh_database() else { return };
    let words: Vec<std::ffi::OsString> =
        ["serve", "--bind", "127.0.0.1:0", "--database-url", &pg.url].iter().map(Into::into).collect();
    let mut env = ENV.to_vec();
    env.push(("HITCHPOST_SECRET", "0123456789abcdef0123456789abcdef-crash"));
    let start = || spawn_command(&words, &env, std::process::Stdio::null(), false);
    let server = start();
    let (ok, key, err) = cli(&["key", "create", "--database-url", &pg.url, "--workspace", "acme"]);
    assert!(ok, "{err}");
    kill_9_rounds(server, &start, key.trim(), &|_| {}, "PostgreSQL");
}

/// The rounds: load, `kill -9`, `after_kill(round)`, restart with `start`, and every write
/// acknowledged in the round read back; then every event awaited.
fn kill_9_rounds(
    mut server: BinServer,
    start: &dyn Fn() -> BinServer,
    key: &str,
    after_kill: &dyn Fn(usize),
    backend: &str,
) {
    let key = key.to_string();
    let receiver = fakes::receiver(ReceiverMode::Ok);
    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
    let hook = json!({"url": receiver.base, "events": ["profile.created", "account.linked"]}).to_string().into_bytes();
    assert_eq!(send(&server.base, "POST", "/v1/webhooks", &headers, Some(hook)).status, 201);
    let profiles: Arc<Mutex<Vec<String>>> = Arc::default();
    let links: Arc<Mutex<Vec<String>>> = Arc::default();
    for round in 0..20 {
        let before = profiles.lock().unwrap().len();
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..16)
            .map(|t| {
                let (base, key, profiles, links, stop) =
                    (server.base.clone(), key.clone(), profiles.clone(), links.clone(), stop.clone());
                std::thread::spawn(move || {
                    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        i += 1;
                        let body = json!({"name": format!("r{round}-c{t}-{i}")}).to_string().into_bytes();
                        let Some(res) = try_send(&base, "POST", "/v1/profiles", &headers, Some(body)) else { return };
                        if res.status != 201 {
                            continue;
                        }
                        let id = res.body["id"].as_str().unwrap().to_string();
                        profiles.lock().unwrap().push(id.clone());
                        let link = json!({"platform": "x", "sandbox": true}).to_string().into_bytes();
                        let Some(res) =
                            try_send(&base, "POST", &format!("/v1/profiles/{id}/accounts"), &headers, Some(link))
                        else {
                            return;
                        };
                        if res.status == 201 {
                            links.lock().unwrap().push(id);
                        }
                    }
                })
            })
            .collect();
        // A quarter of a second under load, and at least one acknowledged write: on a busy
        // machine the first answers can take longer than that, and a round that made nothing
        // would test nothing.
        std::thread::sleep(Duration::from_millis(250));
        let waited = std::time::Instant::now();
        while profiles.lock().unwrap().len() == before && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        server.kill9();
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
        after_kill(round);
        server = start();
        // Every profile and link acknowledged in this round survived the kill.
        let acked: Vec<String> = profiles.lock().unwrap()[before..].to_vec();
        assert!(!acked.is_empty(), "round {round} made nothing");
        let linked: HashSet<String> = links.lock().unwrap().iter().cloned().collect();
        for id in &acked {
            let res = send(&server.base, "GET", &format!("/v1/profiles/{id}"), &[("x-api-key", &key)], None);
            assert_eq!(res.status, 200, "round {round}: profile {id} was acknowledged and lost");
            if linked.contains(id) {
                assert_eq!(
                    res.body["accounts"],
                    json!(["x"]),
                    "round {round}: the link of {id} was acknowledged and lost"
                );
            }
        }
    }
    // Every acknowledged change's event arrives (at least once).
    let made: HashSet<String> = profiles.lock().unwrap().iter().cloned().collect();
    let linked: HashSet<String> = links.lock().unwrap().iter().cloned().collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got = receiver.state.lock().unwrap().requests.clone();
        let of = |t: &str| -> HashSet<String> {
            got.iter()
                .map(|r| r.json())
                .filter(|b| b["type"] == t)
                .filter_map(|b| b["data"]["profileId"].as_str().map(str::to_owned))
                .collect()
        };
        let (created, links_seen) = (of("profile.created"), of("account.linked"));
        let missing_created = made.difference(&created).count();
        let missing_linked = linked.difference(&links_seen).count();
        if missing_created == 0 && missing_linked == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{missing_created} profile.created and {missing_linked} account.linked events never arrived"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    println!(
        "crash test: 20 kill -9 rounds of {} on {backend}: {} profiles and {} links acknowledged, none lost, every event delivered",
        crate::helpers::server_binary().display(),
        made.len(),
        linked.len()
    );
}
