//! Several hitchpost processes on one PostgreSQL, as behind a load balancer: what one instance
//! starts, no other does too, and what an instance that dies leaves is finished by another.

use crate::fakes::{self, ReceiverMode};
use crate::helpers::{BinServer, Res, cli, send, spawn_command};
use crate::pg::fresh_database;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

const SECRET: &str = "0123456789abcdef0123456789abcdef-instances";

/// `hitchpost serve --database-url url` with the shared secret, outbound calls to loopback
/// allowed (the fakes), and `env`.
fn serve(url: &str, env: &[(&str, &str)]) -> BinServer {
    let words: Vec<std::ffi::OsString> =
        ["serve", "--bind", "127.0.0.1:0", "--database-url", url].iter().map(Into::into).collect();
    let mut all = vec![("HITCHPOST_SECRET", SECRET), ("HITCHPOST_ALLOW_PRIVATE_OUTBOUND", "true")];
    all.extend_from_slice(env);
    spawn_command(&words, &all, Stdio::null(), false)
}

fn key_on(url: &str, workspace: &str) -> String {
    let (ok, key, err) = cli(&["key", "create", "--database-url", url, "--workspace", workspace]);
    assert!(ok, "key create: {err}");
    key.trim().to_string()
}

fn post(base: &str, key: &str, path: &str, body: &Value) -> Res {
    let headers = [("x-api-key", key), ("content-type", "application/json")];
    send(base, "POST", path, &headers, Some(body.to_string().into_bytes()))
}

/// Waits up to `secs` for `pred`, polling.
fn within(secs: u64, what: &str, mut pred: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !pred() {
        assert!(Instant::now() < deadline, "timed out after {secs} s waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_instances_deliver_each_event_once_and_the_survivor_finishes_a_killed_ones_deliveries() {
    let Some(pg) = fresh_database() else { return };
    let key = key_on(&pg.url, "acme");
    // Slow answers keep deliveries in flight when one instance is killed.
    let receiver = fakes::receiver(ReceiverMode::Slow(150));
    let env = [("HITCHPOST_WEBHOOK_TIMEOUT_SECS", "2")];
    let (a, b) = (serve(&pg.url, &env), serve(&pg.url, &env));
    let hook = json!({"url": format!("{}/hook", receiver.base), "events": ["profile.created"]});
    let hook = post(&a.base, &key, "/v1/webhooks", &hook);
    assert_eq!(hook.status, 201, "{}", hook.text);
    let mut made = Vec::new();
    for i in 0..24 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let res = post(base, &key, "/v1/profiles", &json!({"name": format!("p{i}")}));
        assert_eq!(res.status, 201, "{}", res.text);
        made.push(res.body["id"].as_str().unwrap().to_string());
    }
    let received = || receiver.state.lock().unwrap().requests.clone();
    within(20, "half the deliveries", || received().len() >= 12);
    let before_kill = received();
    a.kill9();

    let counts = |got: &[fakes::Received]| -> HashMap<String, usize> {
        let mut n = HashMap::new();
        for r in got {
            *n.entry(r.headers["webhook-id"].clone()).or_default() += 1;
        }
        n
    };
    let twice: Vec<_> = counts(&before_kill).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "sent twice while both instances ran: {twice:?}");
    // What the killed instance held is sent by the survivor once its lease (timeout + 5 s)
    // ends: every event arrives.
    within(40, "every event", || {
        let ids: std::collections::HashSet<String> =
            received().iter().map(|r| r.json()["data"]["profileId"].as_str().unwrap_or_default().to_string()).collect();
        made.iter().all(|m| ids.contains(m))
    });
    let all = received();
    let per_event = counts(&all);
    assert_eq!(per_event.len(), 24, "one event per profile");
    assert!(
        per_event.values().all(|n| *n <= 2),
        "at most once more, for what was in flight at the kill: {per_event:?}"
    );
    // The survivor recorded every delivery as done.
    let path = format!("/v1/webhooks/{}/deliveries?limit=100", hook.body["id"].as_str().unwrap());
    within(10, "every delivery recorded", || {
        let listed = send(&b.base, "GET", &path, &[("x-api-key", &key)], None).body;
        let data = listed["data"].as_array().cloned().unwrap_or_default();
        data.len() == 24 && data.iter().all(|d| d["status"] == "succeeded")
    });
}
