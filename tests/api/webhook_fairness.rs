//! One tenant's hanging receivers do not delay another tenant's deliveries, nor anyone's
//! reads (audit M5).

use crate::fakes::{self, ReceiverMode};
use crate::helpers::{TestApp, spawn_app_with};
use hitchpost::config::WebhookConfig;
use serde_json::json;
use std::time::{Duration, Instant};

fn subscribe(app: &TestApp, key: &str, url: &str) {
    let body = json!({"url": url, "events": ["profile.created"]}).to_string().into_bytes();
    let res = app.send("POST", "/v1/webhooks", &[("x-api-key", key), ("content-type", "application/json")], Some(body));
    assert_eq!(res.status, 201, "{}", res.text);
}

#[test]
fn a_tenants_hanging_receivers_do_not_delay_another_tenants_delivery() {
    let hanging = [fakes::receiver(ReceiverMode::Hang), fakes::receiver(ReceiverMode::Hang)];
    let fine = fakes::receiver(ReceiverMode::Ok);
    let app = spawn_app_with(|c| {
        c.webhooks = WebhookConfig {
            retry_schedule: vec![Duration::from_secs(60)],
            timeout: Duration::from_secs(5),
            poll: Duration::from_millis(30),
            ..WebhookConfig::default()
        }
    });
    let (noisy, quiet) = (app.key("noisy"), app.key("quiet"));
    for r in &hanging {
        subscribe(&app, &noisy, &r.base);
    }
    subscribe(&app, &quiet, &fine.base);
    // 80 deliveries to receivers that never answer, all due at once.
    for i in 0..40 {
        app.new_profile(&noisy, &format!("n{i}"));
    }
    fine.wait_for("nothing yet", |_| true);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    app.new_profile(&quiet, "q");
    fine.wait_for("the quiet tenant's event", |g| !g.is_empty());
    let delivered = started.elapsed();
    let read = Instant::now();
    assert_eq!(app.list_profiles(&quiet, "").status, 200);
    let read = read.elapsed();
    assert!(delivered < Duration::from_millis(1500), "the quiet tenant waited {delivered:?}");
    assert!(read < Duration::from_millis(1000), "a read waited {read:?}");
    // The noisy tenant's receivers were tried, within their shares.
    let tried: usize = hanging.iter().map(|r| r.state.lock().unwrap().requests.len()).sum();
    assert!((1..=16).contains(&tried), "{tried} hanging deliveries at once (8 per subscription)");
}
