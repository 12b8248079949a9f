//! PostgreSQL restarted under a running server, as a failover or an upgrade does: every pooled
//! connection is dead at once. The server takes its requests on new connections instead of
//! failing one request per dead connection.

use crate::helpers::{cli, send, spawn_command};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A cluster of the test's own (restarting the shared one would cut the other tests' servers
/// off), stopped and removed when dropped.
struct OwnCluster {
    env: Vec<(String, String)>,
    dir: PathBuf,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pg/cluster")
}

impl OwnCluster {
    fn start() -> Option<(OwnCluster, String)> {
        crate::pg::cluster_url()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("hitchpost-pg-restart-{port}"));
        let env = vec![
            ("HITCHPOST_PG_PORT".to_string(), port.to_string()),
            ("HITCHPOST_PG_DIR".to_string(), dir.to_string_lossy().into_owned()),
        ];
        let cluster = OwnCluster { env, dir };
        let url = cluster.run(None);
        Some((cluster, url.trim().to_string()))
    }

    fn run(&self, command: Option<&str>) -> String {
        let out = Command::new(script()).args(command).envs(self.env.iter().cloned()).output().expect("cluster");
        assert!(out.status.success(), "tests/pg/cluster {command:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").envs(self.env.iter().cloned()).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_restarted_postgres_costs_the_server_no_failed_request() {
    let Some((cluster, url)) = OwnCluster::start() else { return };
    let (ok, key, err) = cli(&["key", "create", "--database-url", &url, "--workspace", "acme"]);
    assert!(ok, "{err}");
    let key = key.trim().to_string();
    let words: Vec<std::ffi::OsString> =
        ["serve", "--bind", "127.0.0.1:0", "--database-url", &url].iter().map(Into::into).collect();
    let secret = [("HITCHPOST_SECRET", "0123456789abcdef0123456789abcdef-restart")];
    let server = spawn_command(&words, &secret, Stdio::null(), false);
    let headers = [("x-api-key", key.as_str()), ("content-type", "application/json")];
    let headers = &headers;
    let (base, key) = (&server.base, &key);
    let create =
        |name: &str| send(base, "POST", "/v1/profiles", headers, Some(json!({"name": name}).to_string().into_bytes()));
    // Several connections in the pool, each used.
    let ids: Vec<String> = std::thread::scope(|s| {
        let create = &create;
        let hs: Vec<_> = (0..8).map(|i| s.spawn(move || create(&format!("before {i}")))).collect();
        hs.into_iter().map(|h| h.join().unwrap().body["id"].as_str().unwrap().to_string()).collect()
    });
    cluster.run(Some("restart"));
    let statuses: Vec<(u16, u16)> = std::thread::scope(|s| {
        let create = &create;
        let hs: Vec<_> = ids
            .iter()
            .map(|id| {
                s.spawn(move || {
                    let read = send(base, "GET", &format!("/v1/profiles/{id}"), &[("x-api-key", key)], None);
                    (read.status, create("after").status)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == (200, 201)), "after the restart: {statuses:?}");
}
