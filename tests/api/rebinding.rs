//! Outbound calls on a caller's word connect to the addresses they checked (audit M1): a name
//! is looked up once, at the call, and refused there if it leads to this server's network. A
//! name that passed (or was never) checked when it was given, and resolves privately now, is the
//! DNS-rebinding case; `localhost` stands in for such a name.

use crate::fakes::{self, GOOD_APP_PASSWORD, ReceiverMode};
use crate::helpers::spawn_app_with;
use hitchpost::config::WebhookConfig;
use serde_json::json;
use std::time::Duration;

#[test]
fn a_webhook_name_that_resolves_to_a_private_address_is_refused_when_delivering() {
    let receiver = fakes::receiver(ReceiverMode::Ok);
    let port = url::Url::parse(&receiver.base).unwrap().port().unwrap();
    let app = spawn_app_with(|c| {
        c.providers.allow_private_outbound = false;
        c.webhooks = WebhookConfig {
            retry_schedule: vec![Duration::from_millis(100)],
            poll: Duration::from_millis(30),
            ..WebhookConfig::default()
        };
    });
    let key = app.key("acme");
    // A name: nothing to judge until it is resolved, so it is taken.
    let body = json!({"url": format!("http://localhost:{port}/hook"), "events": ["profile.created"]});
    let hook = app.send(
        "POST",
        "/v1/webhooks",
        &[("x-api-key", &key), ("content-type", "application/json")],
        Some(body.to_string().into_bytes()),
    );
    assert_eq!(hook.status, 201, "{}", hook.text);
    app.new_profile(&key, "rebound");
    let path = format!("/v1/webhooks/{}/deliveries", hook.body["id"].as_str().unwrap());
    crate::peers::eventually("two refused attempts", || {
        let d = app.send("GET", &path, &[("x-api-key", &key)], None).body;
        d["data"][0]["attempts"].as_i64().unwrap_or(0) >= 2
    });
    let d = app.send("GET", &path, &[("x-api-key", &key)], None).body;
    assert!(d["data"][0]["lastError"].as_str().unwrap().contains("private"), "{d}");
    assert!(d["data"][0]["responseCode"].is_null(), "{d}");
    assert_eq!(receiver.state.lock().unwrap().requests.len(), 0, "the receiver on loopback was reached");
}

#[test]
fn a_pds_name_that_resolves_to_a_private_address_is_refused_and_never_called() {
    let pds = fakes::pds();
    let port = url::Url::parse(&pds.base).unwrap().port().unwrap();
    let app = spawn_app_with(|c| c.providers.allow_private_outbound = false);
    let key = app.key("acme");
    let id = app.new_profile(&key, "p")["id"].as_str().unwrap().to_string();
    let body = json!({"platform": "bluesky", "handle": "alice.test", "appPassword": GOOD_APP_PASSWORD,
                      "pdsUrl": format!("http://localhost:{port}")});
    let res = app.link_account(&key, &id, &body);
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.problem_field(), "pdsUrl");
    assert!(res.text.contains("private"), "{}", res.text);
    assert_eq!(pds.state.lock().unwrap().sessions, 0, "the PDS on loopback was called");
}
