//! The binary itself: `--dev`, and durability across `kill -9`.

use crate::helpers::{cli, create_key, send, spawn_binary};
use serde_json::json;

#[test]
fn dev_mode_prints_a_key_that_works_and_the_same_key_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dev.db");
    let first = spawn_binary(&db, &["--dev"]);
    let key = first.dev_key.clone().expect("a dev key is printed");
    let auth = format!("Bearer {key}");
    let res = send(
        &first.base,
        "POST",
        "/v1/profiles",
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(br#"{"name":"dev"}"#.to_vec()),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    first.kill9();
    let second = spawn_binary(&db, &["--dev"]);
    assert_eq!(second.dev_key.as_deref(), Some(key.as_str()));
    let res = send(&second.base, "GET", "/v1/profiles", &[("authorization", &auth)], None);
    assert_eq!(res.status, 200);
    assert_eq!(res.body["data"][0]["name"], "dev");
}

#[test]
fn dev_mode_refuses_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dev.db");
    let (ok, _, err) = cli(&["serve", "--dev", "--bind", "0.0.0.0:0", "--db", db.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn the_secret_file_is_created_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let _server = spawn_binary(&db, &[]);
    let meta = std::fs::metadata(dir.path().join("h.db.secret")).expect("secret file beside the database");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

#[test]
fn acknowledged_profiles_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let server = spawn_binary(&db, &[]);
    let key = create_key(&db, "acme", None);
    let auth = format!("Bearer {key}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    let mut acknowledged = Vec::new();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|t| {
                let (base, headers) = (&server.base, &headers);
                s.spawn(move || {
                    (0..25)
                        .filter_map(|i| {
                            let body = json!({"name": format!("p{t}-{i}"), "externalId": format!("{t}-{i}")});
                            let res = send(base, "POST", "/v1/profiles", headers, Some(body.to_string().into_bytes()));
                            (res.status == 201).then(|| res.body["id"].as_str().unwrap().to_string())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in hs {
            acknowledged.extend(h.join().unwrap());
        }
    });
    assert_eq!(acknowledged.len(), 200);
    server.kill9();
    let server = spawn_binary(&db, &[]);
    for id in &acknowledged {
        let res = send(&server.base, "GET", &format!("/v1/profiles/{id}"), &[("x-api-key", &key)], None);
        assert_eq!(res.status, 200, "profile {id} was acknowledged but lost");
    }
}

#[test]
fn a_backup_under_write_load_holds_every_write_acknowledged_before_it_and_restores() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let server = spawn_binary(&db, &[]);
    let key = create_key(&db, "acme", None);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let (base, key, acked, stop) = (server.base.clone(), key.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = json!({"name": format!("w{t}-{i}")}).to_string().into_bytes();
                    let res = send(
                        &base,
                        "POST",
                        "/v1/profiles",
                        &[("x-api-key", &key), ("content-type", "application/json")],
                        Some(body),
                    );
                    if res.status == 201 {
                        acked.lock().unwrap().push(res.body["id"].as_str().unwrap().to_string());
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before: Vec<String> = acked.lock().unwrap().clone();
    assert!(!before.is_empty());
    let out = dir.path().join("backup.db");
    let (ok, stdout, err) = cli(&["backup", "--db", db.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(stdout.contains("integrity ok"), "{stdout}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    drop(server);
    let (ok, report, err) = cli(&["check", "--db", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(report.contains("integrity\tok"), "{report}");
    assert!(report.contains(&format!("schema version\t{}", hitchpost::db::SCHEMA_VERSION)), "{report}");
    // Every write acknowledged before the backup began is in it.
    let copy = rusqlite::Connection::open(&out).unwrap();
    for id in &before {
        let n: i64 = copy.query_row("SELECT count(*) FROM profiles WHERE id = ?1", [id], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "{id} was acknowledged before the backup but is not in it");
    }
    // Restore it over a fresh file and serve it.
    let restored = dir.path().join("restored.db");
    let (ok, _, err) = cli(&["restore", "--db", restored.to_str().unwrap(), "--from", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    let server = spawn_binary(&restored, &[]);
    let res = send(&server.base, "GET", &format!("/v1/profiles/{}", before[0]), &[("x-api-key", &key)], None);
    assert_eq!(res.status, 200, "{}", res.text);
}

#[test]
fn check_refuses_a_damaged_file_and_restore_refuses_to_use_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, b"SQLite format 3\0this is not a database").unwrap();
    let (ok, _, _) = cli(&["check", "--db", bad.to_str().unwrap()]);
    assert!(!ok);
    let target = dir.path().join("target.db");
    let (ok, _, err) = cli(&["restore", "--db", target.to_str().unwrap(), "--from", bad.to_str().unwrap()]);
    assert!(!ok, "{err}");
}

#[test]
fn sigterm_finishes_in_flight_requests_and_exits_cleanly() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.db");
    let mut server = spawn_binary(&db, &[]);
    let key = create_key(&db, "acme", None);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (base, key, acked, stop) = (server.base.clone(), key.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
                while !stop.load(Ordering::Relaxed) {
                    let body = json!({"name": format!("t{i}")}).to_string().into_bytes();
                    match crate::helpers::try_send(&base, "POST", "/v1/profiles", &headers, Some(body)) {
                        Some(r) if r.status == 201 => {
                            acked.lock().unwrap().push(r.body["id"].as_str().unwrap().to_string())
                        }
                        Some(_) => {}
                        None => return,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    signal(&server, "-TERM");
    let status = wait_for_exit(&mut server, std::time::Duration::from_secs(20));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    assert!(status.success(), "exit status {status}");
    let server = spawn_binary(&db, &[]);
    for id in acked.lock().unwrap().iter() {
        let res = send(&server.base, "GET", &format!("/v1/profiles/{id}"), &[("x-api-key", &key)], None);
        assert_eq!(res.status, 200, "{id} was answered 201 before the shutdown and is lost");
    }
}

/// Waits for the server process to exit, failing the test if it takes longer than `within`.
fn wait_for_exit(server: &mut crate::helpers::BinServer, within: std::time::Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            return s;
        }
        assert!(started.elapsed() < within, "still running {within:?} after the signal");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Sends `signal` to the server process.
fn signal(server: &crate::helpers::BinServer, signal: &str) {
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill").args([signal, &pid]).status().unwrap().success());
}

#[test]
fn a_second_signal_exits_at_once_while_a_request_is_still_in_flight() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("twice.db");
    let mut server = spawn_binary(&db, &[]);
    let key = create_key(&db, "acme", None);
    // A request whose body never finishes keeps a graceful shutdown waiting.
    let mut slow = std::net::TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    write!(
        slow,
        "POST /v1/profiles HTTP/1.1\r\nhost: x\r\nx-api-key: {key}\r\ncontent-type: application/json\r\n\
         content-length: 1000\r\n\r\n{{\"name\":"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    signal(&server, "-TERM");
    std::thread::sleep(Duration::from_secs(1));
    assert!(server.child.try_wait().unwrap().is_none(), "the first signal must wait for the in-flight request");
    signal(&server, "-INT");
    let status = wait_for_exit(&mut server, Duration::from_secs(2));
    assert_eq!(status.code(), Some(130), "exit status {status:?} (signal {:?})", status.signal());
    drop(slow);
    // The file is sound after the abrupt exit.
    let (ok, out, err) = cli(&["check", "--db", db.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
}

#[test]
fn sigterm_lets_a_webhook_delivery_under_way_finish_and_records_it() {
    use crate::fakes::{self, ReceiverMode};
    use std::time::Duration;
    let receiver = fakes::receiver(ReceiverMode::Slow(1500));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("drain.db");
    let env = [("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", "true")];
    let mut server = crate::helpers::spawn_binary_with(&db, &[], &env, None);
    let key = create_key(&db, "acme", None);
    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
    let hook = json!({"url": receiver.base, "events": ["profile.created"]}).to_string().into_bytes();
    let hook = send(&server.base, "POST", "/v1/webhooks", &headers, Some(hook));
    assert_eq!(hook.status, 201, "{}", hook.text);
    let body = json!({"name": "Drained"}).to_string().into_bytes();
    assert_eq!(send(&server.base, "POST", "/v1/profiles", &headers, Some(body)).status, 201);
    receiver.wait_for("the delivery to start", |r| r.len() == 1);
    signal(&server, "-TERM");
    let status = wait_for_exit(&mut server, Duration::from_secs(10));
    assert!(status.success(), "{status}");
    // The worker waited for the receiver's answer and recorded it: nothing is sent again.
    let server = crate::helpers::spawn_binary_with(&db, &[], &env, None);
    let path = format!("/v1/webhooks/{}/deliveries", hook.body["id"].as_str().unwrap());
    let deliveries = send(&server.base, "GET", &path, &[("x-api-key", &key)], None);
    assert_eq!(deliveries.body["data"][0]["status"], "succeeded", "{}", deliveries.text);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(receiver.state.lock().unwrap().requests.len(), 1, "the delivery was sent again");
}

#[cfg(unix)]
#[test]
fn the_database_its_wal_and_backups_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = crate::helpers::spawn_sqlite_app();
    let key = app.key("acme");
    app.new_profile(&key, "Private");
    let out = app.db_path.with_file_name("backup.db");
    let (ok, _, err) = cli(&["backup", "--db", app.db_path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    for path in [app.db_path.clone(), app.db_path.with_extension("db-wal"), out] {
        let mode = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}
