//! TLS to PostgreSQL: with `sslmode=require` the server connects over TLS and verifies the
//! database's certificate (against `HITCHPOST_DATABASE_CA_FILE`, or the Mozilla roots), its
//! name included; it refuses a certificate nobody it trusts signed, and a CA file given
//! without asking for TLS. The test cluster (tests/pg/cluster) serves a certificate for
//! 127.0.0.1 signed by a CA of its own, beside plain connections.

use crate::helpers::{BinServer, cli, send, spawn_command};
use crate::pg::{TestDb, fresh_database, psql};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const SECRET: &str = "0123456789abcdef0123456789abcdef-tls";

/// The cluster's CA, beside its data directory.
fn cluster_ca(db: &TestDb) -> PathBuf {
    let data = PathBuf::from(psql(&db.url, "SHOW data_directory").trim());
    data.parent().expect("the cluster's directory").join("ca.crt")
}

fn with_tls(url: &str) -> String {
    format!("{url}?sslmode=require")
}

/// `hitchpost serve` on `url` with `extra` words; the first line it prints, or its error.
fn start(url: &str, extra: &[&str]) -> Result<BinServer, String> {
    let mut words: Vec<std::ffi::OsString> =
        ["serve", "--bind", "127.0.0.1:0", "--database-url", url].iter().map(Into::into).collect();
    words.extend(extra.iter().map(Into::into));
    let probe = Command::new(crate::helpers::server_binary())
        .args(&words)
        .env("HITCHPOST_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hitchpost");
    // A server that starts keeps running: that one is stopped and started again through the
    // helper, which reads its address; one that fails exits with its reason.
    let out = wait_or_kill(probe);
    match out {
        Some(failed) => Err(failed),
        None => Ok(spawn_command(&words, &[("HITCHPOST_SECRET", SECRET)], Stdio::null(), false)),
    }
}

/// The error of a server that exited within 3 s, or None (and it is killed) if it ran.
fn wait_or_kill(mut child: std::process::Child) -> Option<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            assert!(!status.success(), "a server exits only on failure");
            return Some(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn serve_over_tls_verifies_the_database_and_its_connections_are_encrypted() {
    let Some(db) = fresh_database() else { return };
    let ca = cluster_ca(&db);
    let url = with_tls(&db.url);
    let ca_arg = ca.to_str().unwrap();
    let (ok, key, err) =
        cli(&["key", "create", "--database-url", &url, "--database-ca-file", ca_arg, "--workspace", "acme"]);
    assert!(ok, "key create over TLS: {err}");
    let server = start(&url, &["--database-ca-file", ca_arg]).expect("serves over TLS");
    let headers = [("x-api-key", key.trim()), ("content-type", "application/json")];
    let made = send(&server.base, "POST", "/v1/profiles", &headers, Some(json!({"name": "Sealed"}).to_string().into()));
    assert_eq!(made.status, 201, "{}", made.text);
    let name = db.url.rsplit('/').next().unwrap();
    let sessions = psql(
        &db.url,
        &format!(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) FROM pg_stat_activity a
             JOIN pg_stat_ssl s USING (pid) WHERE a.datname = '{name}' AND a.pid <> pg_backend_pid()"
        ),
    );
    let (tls, plain) = sessions.trim().split_once('|').unwrap();
    assert!(tls.parse::<u32>().unwrap() >= 1 && plain == "0", "the server's sessions: {tls} over TLS, {plain} plain");
}

#[test]
fn tls_refuses_a_certificate_no_trusted_ca_signed_and_a_name_it_was_not_made_for() {
    let Some(db) = fresh_database() else { return };
    let url = with_tls(&db.url);
    // The Mozilla roots do not include the cluster's own CA.
    let err = start(&url, &[]).err().expect("refused");
    assert!(err.contains("certificate") && err.contains("PostgreSQL database"), "{err}");
    assert!(!err.contains(&db.url), "the URL is never echoed: {err}");
    // The right CA, the wrong name: the certificate is for 127.0.0.1, not localhost.
    let ca = cluster_ca(&db);
    let by_name = url.replacen("127.0.0.1", "localhost", 1);
    let err = start(&by_name, &["--database-ca-file", ca.to_str().unwrap()]).err().expect("refused");
    assert!(err.contains("certificate"), "{err}");
}

#[test]
fn a_ca_file_without_sslmode_require_is_refused_naming_the_setting() {
    let Some(db) = fresh_database() else { return };
    let ca = cluster_ca(&db);
    let err = start(&db.url, &["--database-ca-file", ca.to_str().unwrap()]).err().expect("refused");
    assert!(err.contains("HITCHPOST_DATABASE_CA_FILE") && err.contains("sslmode=require"), "{err}");
    let (ok, out, err) = cli(&[
        "key",
        "create",
        "--database-url",
        &db.url,
        "--database-ca-file",
        ca.to_str().unwrap(),
        "--workspace",
        "a",
    ]);
    assert!(!ok && !out.contains("hp_"), "{out}");
    assert!(err.contains("HITCHPOST_DATABASE_CA_FILE") && !err.contains(&db.url), "{err}");
}
