//! Several hitchpost processes on one PostgreSQL, as behind a load balancer: what one instance
//! starts, no other does too, and what an instance that dies leaves is finished by another.

use crate::fakes::{self, ReceiverMode};
use crate::helpers::{BinServer, Res, cli, send, spawn_app_beside, spawn_command, spawn_postgres_app_with};
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

#[test]
fn two_instances_running_the_expiry_job_announce_each_expiry_once() {
    let receiver = fakes::receiver(ReceiverMode::Ok);
    // Both run the job every 20 ms, and the notice window takes in a sandbox token's hour.
    let jobs = |c: &mut hitchpost::config::Config| {
        c.providers.sandbox = true;
        c.refresh_interval = Duration::from_millis(20);
        c.webhooks.poll = Duration::from_millis(30);
        c.webhooks.expiring_within = Duration::from_secs(90 * 24 * 3600);
    };
    let Some(a) = spawn_postgres_app_with(jobs) else { return };
    let b = spawn_app_beside(&a, jobs);
    let key = a.key("acme");
    let hook = json!({"url": receiver.base, "events": ["account.expiring"]});
    assert_eq!(post(&a.base, &key, "/v1/webhooks", &hook).status, 201);
    let mut profiles = Vec::new();
    for i in 0..6 {
        let (app, other) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let id = app.new_profile(&key, &format!("p{i}"))["id"].as_str().unwrap().to_string();
        assert_eq!(other.link_account(&key, &id, &json!({"platform": "x", "sandbox": true})).status, 201);
        profiles.push(id);
    }
    receiver.wait_for("six notices", |g| g.len() >= 6);
    // Long enough for each instance to have run the job dozens of times more.
    std::thread::sleep(Duration::from_millis(600));
    let got = receiver.state.lock().unwrap().requests.clone();
    let mut announced: Vec<String> =
        got.iter().map(|r| r.json()["data"]["profileId"].as_str().unwrap().to_string()).collect();
    announced.sort();
    profiles.sort();
    assert_eq!(announced, profiles, "one notice per expiry, whichever instance ran the job");
}

#[test]
fn a_link_made_on_one_instance_opens_once_across_two_racing_instances() {
    let Some(a) = spawn_postgres_app_with(|_| {}) else { return };
    let b = spawn_app_beside(&a, |_| {});
    let key = a.key("acme");
    let id = a.new_profile(&key, "Racer")["id"].as_str().unwrap().to_string();
    let url = a.new_link(&key, &id, &json!({}))["url"].as_str().unwrap().to_string();
    // The link names A's address; the balancer may hand each browser to either instance.
    let on_b = url.replacen(&a.base, &b.base, 1);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..16)
            .map(|i| {
                let (app, url) = if i % 2 == 0 { (&a, &url) } else { (&b, &on_b) };
                s.spawn(move || app.open_link(url).status)
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 410).count(), 15, "{statuses:?}");
    // A second link, made on B, opens on A.
    let url = b.new_link(&key, &id, &json!({}))["url"].as_str().unwrap().replacen(&b.base, &a.base, 1);
    let cookie = a.open_session(&url);
    assert_eq!(b.page_session(&cookie).status, 200, "the page's session is good on either instance");
}

#[test]
fn a_key_revoked_on_one_instance_is_refused_by_the_other_within_a_second() {
    let Some(a) = spawn_postgres_app_with(|_| {}) else { return };
    let b = spawn_app_beside(&a, |_| {});
    let token = crate::holders::register(&a, "owner@example.com");
    let made = crate::holders::users(&a, &token, "POST", "/api-keys", Some(json!({"name": "k"})));
    assert_eq!(made.status, 201, "{}", made.text);
    let (key, id) = (made.body["apiKey"]["key"].as_str().unwrap(), made.body["apiKey"]["id"].as_str().unwrap());
    // B has verified (and remembers) the key.
    assert_eq!(b.list_profiles(key, "").status, 200);
    assert_eq!(b.list_profiles(key, "").status, 200);
    assert_eq!(crate::holders::users(&a, &token, "DELETE", &format!("/api-keys/{id}"), None).status, 200);
    let revoked = Instant::now();
    while b.list_profiles(key, "").status != 401 {
        assert!(revoked.elapsed() < Duration::from_secs(1), "B still takes the key after 1 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_refresh_refused_before_reaching_the_provider_leaves_no_lease_behind() {
    let Some(a) = spawn_postgres_app_with(|c| c.providers.sandbox = true) else { return };
    let key = a.key("acme");
    let id = a.new_profile(&key, "Sandboxed")["id"].as_str().unwrap().to_string();
    assert_eq!(a.link_account(&key, &id, &json!({"platform": "x", "sandbox": true})).status, 201);
    let started = Instant::now();
    let first = a.refresh_account(&key, &id, "x");
    let again = a.refresh_account(&key, &id, "x");
    assert_eq!((first.status, &first.body), (again.status, &again.body), "{}", again.text);
    assert!(started.elapsed() < Duration::from_secs(5), "the second waited on a lease the first left");
    let leases: i64 = a.sql_value("SELECT count(*) FROM refresh_leases", &[]);
    assert_eq!(leases, 0);
}

#[test]
fn an_instance_keeps_at_most_its_pool_of_connections_under_load() {
    let Some(pg) = fresh_database() else { return };
    let key = key_on(&pg.url, "acme");
    let server = serve(&pg.url, &[("HITCHPOST_DATABASE_POOL", "3"), ("HITCHPOST_RATE_PER_KEY", "0")]);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..24)
            .map(|i| {
                let (base, key) = (&server.base, &key);
                s.spawn(move || post(base, key, "/v1/profiles", &json!({"name": format!("p{i}")})).status)
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let name = pg.url.rsplit('/').next().unwrap();
    let held = crate::pg::psql(
        &pg.url,
        &format!("SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"),
    );
    assert!(held.trim().parse::<u32>().unwrap() <= 3, "the server holds {held} connections");
}
