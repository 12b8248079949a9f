//! The authenticated proxy against a recording upstream (`upstream::Upstream`) standing in for
//! LinkedIn's API, with accounts linked through the fake OAuth provider: the header rules, both
//! bodies streaming, refresh before and after a 401, refusals, host escapes, isolation.

use crate::fakes::{self, OAuthState, RefreshMode};
use crate::helpers::{Res, TestApp, spawn_app_with};
use crate::linking::{fake_linkedin, linked_oauth_account};
use crate::upstream::{Reply, ReplyBody, Upstream, pattern_byte};
use hitchpost::domain::platform::Platform;
use hitchpost::providers::upstream::ApiHosts;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

struct Rig {
    app: TestApp,
    provider: fakes::Fake<OAuthState>,
    upstream: Upstream,
    key: String,
    profile: String,
}

fn rig_with(change: impl FnOnce(&mut hitchpost::config::Config) + Send + 'static) -> Rig {
    let provider = fakes::oauth_provider();
    let upstream = Upstream::start();
    let mut linkedin = fake_linkedin(&provider.base);
    linkedin.api_hosts = Some(ApiHosts::parse(&upstream.base).unwrap());
    let app = spawn_app_with(move |c| {
        c.providers.oauth.insert(Platform::Linkedin, linkedin);
        change(c);
    });
    let key = app.key("acme");
    let profile = linked_oauth_account(&app, &key);
    Rig { app, provider, upstream, key, profile }
}

fn rig() -> Rig {
    rig_with(|_| {})
}

impl Rig {
    fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Res {
        self.app.proxy(&self.key, &self.profile, "linkedin", method, path, headers, body)
    }
    fn access_tokens(&self) -> Vec<String> {
        self.provider.state.lock().unwrap().issued_access.clone()
    }
    fn account_id(&self) -> String {
        self.app.get_account(&self.key, &self.profile, "linkedin").body["id"].as_str().unwrap().to_string()
    }
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn proxy_sends_the_accounts_token_and_none_of_the_callers_credentials() {
    let r = rig();
    r.upstream.answer(|_| {
        Reply::json(201, &json!({"id": "urn:li:share:1"}))
            .with("x-restli-id", "urn:li:share:1")
            .with("set-cookie", "lidc=secret; Path=/")
            .with("keep-alive", "timeout=5")
    });
    let body = br#"{"commentary":"hello"}"#.to_vec();
    let res = r.call(
        "POST",
        "rest/posts?dryRun=true&x=%20y",
        &[
            ("content-type", "application/json"),
            ("linkedin-version", "202501"),
            ("x-restli-protocol-version", "2.0.0"),
            ("cookie", "session=caller"),
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
            ("x-real-ip", "203.0.113.9"),
            ("connection", "x-hop"),
            ("x-hop", "dropped"),
            ("x-custom", "kept"),
        ],
        Some(body.clone()),
    );
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body, json!({"id": "urn:li:share:1"}));
    assert_eq!(res.header("x-restli-id"), Some("urn:li:share:1"));
    assert_eq!(res.header("set-cookie"), None, "the platform's cookies stay upstream");
    assert_eq!(res.header("keep-alive"), None);
    assert_eq!(res.header("hitchpost-account"), Some(r.account_id().as_str()));
    let got = r.upstream.last();
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/rest/posts?dryRun=true&x=%20y");
    let token = r.access_tokens().last().unwrap().clone();
    assert_eq!(got.header("authorization"), Some(format!("Bearer {token}").as_str()));
    assert_eq!(got.headers.iter().filter(|(k, _)| k == "authorization").count(), 1);
    for gone in ["cookie", "x-api-key", "x-forwarded-for", "forwarded", "x-real-ip", "x-hop"] {
        assert!(!got.has(gone), "{gone} reached the platform: {:?}", got.headers);
    }
    assert_eq!(got.header("linkedin-version"), Some("202501"));
    assert_eq!(got.header("x-restli-protocol-version"), Some("2.0.0"));
    assert_eq!(got.header("x-custom"), Some("kept"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.body, body);
    assert!(!got.headers.iter().any(|(_, v)| v.contains(&r.key)), "the hitchpost key reached the platform");
}

#[test]
fn proxy_strips_an_x_api_key_and_takes_the_account_by_its_id() {
    let r = rig();
    let id = r.account_id();
    let path = format!("/v1/profiles/{}/accounts/{id}/proxy/v2/userinfo", r.profile);
    let res = r.app.send("GET", &path, &[("x-api-key", &r.key)], None);
    assert_eq!(res.status, 200, "{}", res.text);
    let got = r.upstream.last();
    assert!(!got.has("x-api-key"));
    assert_eq!(got.target, "/v2/userinfo");
    assert!(got.header("authorization").unwrap().starts_with("Bearer fake-access-"));
}

#[test]
fn a_long_query_string_passes_whole() {
    let r = rig();
    let ids: Vec<String> = (0..400).map(|i| format!("urn%3Ali%3Ashare%3A{i:08}")).collect();
    let path = format!("rest/posts?ids=List({})", ids.join(","));
    assert!(path.len() > 8000);
    let res = r.call("GET", &path, &[], None);
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(r.upstream.last().target, format!("/{path}"));
}

#[test]
fn proxy_returns_a_redirect_without_following_it() {
    let r = rig();
    r.upstream.answer(|_| Reply::json(302, &json!({})).with("location", "http://127.0.0.1:9/elsewhere"));
    let res = r.call("GET", "v2/media/1", &[], None);
    assert_eq!(res.status, 302);
    assert_eq!(res.location(), "http://127.0.0.1:9/elsewhere");
    assert_eq!(r.upstream.requests().len(), 1);
}

/// Sends bytes as they are, so that no client tidies the path first; returns the status.
fn raw_status(base: &str, request: &str) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[test]
fn proxy_refuses_every_path_that_could_leave_the_platforms_host_with_400() {
    let r = rig();
    let prefix = format!("/v1/profiles/{}/accounts/linkedin/proxy/", r.profile);
    let escapes = [
        "",
        "/evil.example/x",
        "//evil.example/x",
        "https://evil.example/x",
        "http:%2F%2Fevil.example",
        "a/../../x",
        "..",
        "a/%2e%2e/b",
        "a/.%2E/b",
        "./a",
        "a%2fb",
        "a%5Cb",
        "a\\b",
        "user@evil.example/x",
        "a%40evil",
        "a%0d%0aX-Injected:%201",
        "a%00b",
        "a%09b",
    ];
    for tail in escapes {
        let req = format!(
            "GET {prefix}{tail} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            r.key
        );
        assert_eq!(raw_status(&r.app.base, &req), 400, "{tail:?}");
    }
    let res = r.call("GET", "ok", &[], None);
    assert_eq!(res.status, 200, "a plain path still passes: {}", res.text);
    assert_eq!(r.upstream.requests().len(), 1, "nothing else reached the upstream");
    let res = r.call("GET", "a%2fb", &[], None);
    assert_eq!(res.problem_field(), "path", "{}", res.text);
}

#[test]
fn proxy_refuses_injected_header_lines_before_anything_is_sent() {
    let r = rig();
    let path = format!("/v1/profiles/{}/accounts/linkedin/proxy/ok", r.profile);
    // A bare LF ends a line (RFC 9112 §2.2 lets a server take it): that is two headers, not an
    // injection. A bare CR inside a value and an obs-folded line are refused.
    for injected in ["X-A: 1\r\n folded: 2", "X-A: 1\rX-B: 2"] {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n{injected}\r\nConnection: close\r\n\r\n",
            r.key
        );
        assert_eq!(raw_status(&r.app.base, &req), 400, "{injected:?}");
    }
    assert!(r.upstream.requests().is_empty());
}

#[test]
fn a_head_request_gets_the_platforms_head_and_the_connection_stays_usable() {
    let r = rig();
    r.upstream.answer(|_| Reply {
        status: 200,
        headers: vec![("etag".into(), "\"v1\"".into())],
        body: ReplyBody::Pattern(1000),
    });
    for _ in 0..2 {
        let res = r.call("HEAD", "media/1", &[], None);
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.header("etag"), Some("\"v1\""));
        assert_eq!(res.header("content-length"), Some("1000"));
        assert!(res.text.is_empty());
    }
    r.upstream.answer(|_| Reply::json(200, &json!({"after": "head"})));
    assert_eq!(r.call("GET", "media/1", &[], None).body["after"], "head");
}

#[test]
fn trace_is_refused_so_no_token_can_be_echoed_back() {
    let r = rig();
    r.upstream.answer(|req| Reply::json(200, &json!({"echo": req.headers})));
    let res = r.call("TRACE", "v2/me", &[], None);
    assert_eq!(res.status, 405, "{}", res.text);
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));
    // A method no HTTP client library will send, on a raw socket.
    let path = format!("/v1/profiles/{}/accounts/linkedin/proxy/v2/me", r.profile);
    let req =
        format!("PROPFIND {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n", r.key);
    assert_eq!(raw_status(&r.app.base, &req), 405);
    assert!(r.upstream.requests().is_empty());
}

#[test]
fn another_workspaces_account_is_not_found_and_nothing_is_sent() {
    let r = rig();
    let other = r.app.key("other");
    let res = r.app.proxy(&other, &r.profile, "linkedin", "GET", "v2/userinfo", &[], None);
    assert_eq!(res.status, 404, "{}", res.text);
    let own = r.app.new_profile(&other, "Other")["id"].as_str().unwrap().to_string();
    assert_eq!(r.app.proxy(&other, &own, "linkedin", "GET", "v2/userinfo", &[], None).status, 404);
    assert_eq!(r.app.proxy(&other, &own, &r.account_id(), "GET", "v2/userinfo", &[], None).status, 404);
    assert!(r.upstream.requests().is_empty());
}

#[test]
fn a_large_upload_streams_through_whole_with_its_length() {
    let r = rig();
    let body: Vec<u8> = (0..48 * 1024 * 1024u64).map(pattern_byte).collect();
    let res = r.call("PUT", "upload/video", &[("content-type", "application/octet-stream")], Some(body.clone()));
    assert_eq!(res.status, 200, "{}", res.text);
    let got = r.upstream.last();
    assert_eq!(got.body_len, body.len() as u64);
    assert_eq!(got.body_sha256, sha(&body));
    assert_eq!(got.header("content-length"), Some(body.len().to_string().as_str()));
    assert!(!got.chunked);
}

#[test]
fn a_chunked_upload_streams_through_chunked() {
    let r = rig();
    let addr = r.app.base.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let path = format!("/v1/profiles/{}/accounts/linkedin/proxy/upload/chunks", r.profile);
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        r.key
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut all = Vec::new();
    for i in 0..64u64 {
        let piece: Vec<u8> = (0..100_000u64).map(|j| pattern_byte(i * 100_000 + j)).collect();
        s.write_all(format!("{:x}\r\n", piece.len()).as_bytes()).unwrap();
        s.write_all(&piece).unwrap();
        s.write_all(b"\r\n").unwrap();
        all.extend_from_slice(&piece);
    }
    s.write_all(b"0\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let got = r.upstream.last();
    assert!(got.chunked, "a body of unknown length goes up chunked");
    assert_eq!(got.body_len, all.len() as u64);
    assert_eq!(got.body_sha256, sha(&all));
}

#[test]
fn a_large_download_streams_back_whole() {
    let r = rig();
    let n = 48 * 1024 * 1024u64;
    r.upstream.answer(move |_| Reply {
        status: 200,
        headers: vec![("content-type".into(), "video/mp4".into())],
        body: ReplyBody::Pattern(n),
    });
    let url = format!("{}/v1/profiles/{}/accounts/linkedin/proxy/media/big.mp4", r.app.base, r.profile);
    let mut res = ureq::get(&url).header("authorization", &format!("Bearer {}", r.key)).call().unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("content-length").unwrap(), &n.to_string());
    assert_eq!(res.headers().get("content-type").unwrap(), "video/mp4");
    let mut reader = res.body_mut().with_config().limit(u64::MAX).reader();
    let mut digest = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let (mut total, mut first_bad) = (0u64, None);
    loop {
        let got = reader.read(&mut buf).unwrap();
        if got == 0 {
            break;
        }
        for (k, b) in buf[..got].iter().enumerate() {
            if first_bad.is_none() && *b != pattern_byte(total + k as u64) {
                first_bad = Some(total + k as u64);
            }
        }
        digest.update(&buf[..got]);
        total += got as u64;
    }
    assert_eq!(total, n);
    assert_eq!(first_bad, None, "the bytes arrive as the platform sent them");
}

#[test]
fn a_401_is_answered_by_one_refresh_and_one_retry_with_the_new_token() {
    let r = rig();
    let first = r.access_tokens().last().unwrap().clone();
    let stale = format!("Bearer {first}");
    r.upstream.answer(move |req| {
        if req.header("authorization") == Some(stale.as_str()) {
            Reply::json(401, &json!({"message": "Invalid access token"}))
        } else {
            Reply::json(201, &json!({"ok": "retried"}))
        }
    });
    let body = br#"{"commentary":"again"}"#.to_vec();
    let res = r.call("POST", "rest/posts", &[("content-type", "application/json")], Some(body.clone()));
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["ok"], "retried");
    assert_eq!(r.provider.state.lock().unwrap().refresh_calls, 1);
    let sent = r.upstream.requests();
    assert_eq!(sent.len(), 2, "one retry");
    let newest = r.access_tokens().last().unwrap().clone();
    assert_eq!(sent[1].header("authorization"), Some(format!("Bearer {newest}").as_str()));
    assert_eq!(sent[1].body, body, "the kept body is sent again");
}

#[test]
fn a_401_to_a_body_too_large_to_keep_comes_back_as_it_came() {
    let r = rig();
    r.upstream.answer(|_| Reply::json(401, &json!({"message": "Invalid access token"})));
    let body = vec![7u8; 2 * 1024 * 1024];
    let res = r.call("PUT", "upload/part", &[], Some(body));
    assert_eq!(res.status, 401);
    assert_eq!(res.body["message"], "Invalid access token");
    assert_eq!(r.upstream.requests().len(), 1);
    assert_eq!(r.provider.state.lock().unwrap().refresh_calls, 0);
}

#[test]
fn a_refused_refresh_marks_the_account_for_reconnect_and_answers_409() {
    let r = rig();
    r.upstream.answer(|_| Reply::json(401, &json!({"message": "Revoked"})));
    r.provider.state.lock().unwrap().refresh_mode = RefreshMode::InvalidGrant;
    let res = r.call("GET", "v2/userinfo", &[], None);
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.body["type"], "urn:hitchpost:problem:needs-reconnect");
    assert_eq!(res.body["accountId"], r.account_id());
    assert!(res.body["reason"].as_str().unwrap().contains("invalid_grant"), "{}", res.text);
    let account = r.app.get_account(&r.key, &r.profile, "linkedin").body;
    assert_eq!(account["needsReconnect"], true);
    // Later calls are refused without bothering the platform.
    let again = r.call("GET", "v2/userinfo", &[], None);
    assert_eq!(again.status, 409);
    assert_eq!(r.upstream.requests().len(), 1);
}

#[test]
fn a_token_lapsing_within_a_minute_is_refreshed_before_the_call() {
    let provider = fakes::oauth_provider();
    provider.state.lock().unwrap().expires_in = 30;
    let upstream = Upstream::start();
    let mut linkedin = fake_linkedin(&provider.base);
    linkedin.api_hosts = Some(ApiHosts::parse(&upstream.base).unwrap());
    let app = spawn_app_with(move |c| {
        c.providers.oauth.insert(Platform::Linkedin, linkedin);
    });
    let key = app.key("acme");
    let profile = linked_oauth_account(&app, &key);
    provider.state.lock().unwrap().expires_in = 3600;
    let res = app.proxy(&key, &profile, "linkedin", "GET", "v2/userinfo", &[], None);
    assert_eq!(res.status, 200, "{}", res.text);
    let st = provider.state.lock().unwrap();
    assert_eq!(st.refresh_calls, 1);
    let newest = st.issued_access.last().unwrap();
    assert_eq!(upstream.last().header("authorization"), Some(format!("Bearer {newest}").as_str()));
}

#[test]
fn calls_beyond_the_accounts_concurrency_are_refused_with_429() {
    let r = rig_with(|c| c.proxy.per_account = 1);
    r.upstream.answer(|_| {
        std::thread::sleep(std::time::Duration::from_millis(800));
        Reply::json(200, &json!({}))
    });
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..3).map(|_| s.spawn(|| r.call("GET", "slow", &[], None).status)).collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
}

#[test]
fn proxied_calls_are_counted_per_platform_and_status() {
    let r = rig();
    r.upstream.answer(|_| Reply::json(201, &json!({})));
    r.call("POST", "rest/posts", &[], Some(b"{}".to_vec()));
    let metrics = r.app.send("GET", "/metrics", &[], None).text;
    assert!(metrics.contains(r#"hitchpost_proxy_requests_total{platform="linkedin",status="201"} 1"#), "{metrics}");
}

#[test]
fn a_proxy_call_with_idempotency_key_passes_it_to_the_platform_and_keeps_nothing() {
    let r = rig();
    for _ in 0..2 {
        let res = r.call("POST", "rest/posts", &[("idempotency-key", "k-1")], Some(b"{}".to_vec()));
        assert_eq!(res.status, 200);
    }
    let sent = r.upstream.requests();
    assert_eq!(sent.len(), 2, "both went to the platform (it decides about its key)");
    assert_eq!(sent[1].header("idempotency-key"), Some("k-1"));
}

#[test]
fn sandbox_accounts_get_a_deterministic_echo_and_no_platform_is_called() {
    let app = spawn_app_with(|c| c.providers.sandbox = true);
    let key = app.key("dev");
    let profile = app.new_profile(&key, "Sandboxed")["id"].as_str().unwrap().to_string();
    for platform in ["linkedin", "x", "bluesky", "youtube", "reddit"] {
        let linked = app.link_account(&key, &profile, &json!({"platform": platform, "sandbox": true}));
        assert_eq!(linked.status, 201, "{}", linked.text);
    }
    let body = br#"{"text":"hello"}"#.to_vec();
    let call = |platform: &str| {
        app.proxy(
            &key,
            &profile,
            platform,
            "POST",
            "rest/posts?a=1",
            &[("content-type", "application/json"), ("cookie", "c=1")],
            Some(body.clone()),
        )
    };
    let first = call("linkedin");
    assert_eq!(first.status, 200, "{}", first.text);
    let e = &first.body;
    assert_eq!(e["sandbox"], true);
    assert_eq!(
        (&e["platform"], &e["method"], &e["path"], &e["query"]),
        (&json!("linkedin"), &json!("POST"), &json!("/rest/posts"), &json!("a=1"))
    );
    assert_eq!(e["body"], json!({"bytes": body.len(), "sha256": sha(&body)}));
    assert_eq!(e["headers"]["content-type"], "application/json");
    assert!(e["headers"].get("cookie").is_none() && e["headers"].get("authorization").is_none(), "{e}");
    let id = e["id"].as_str().unwrap();
    assert!(id.starts_with("urn:li:share:") && id.len() == "urn:li:share:".len() + 19, "{id}");
    assert_eq!(call("linkedin").body["id"], e["id"], "the same request gets the same id");
    assert_eq!(call("x").body["id"].as_str().unwrap().len(), 19);
    assert!(
        call("bluesky").body["id"].as_str().unwrap().starts_with("at://sandbox-bluesky-"),
        "{}",
        call("bluesky").text
    );
    assert_eq!(call("youtube").body["id"].as_str().unwrap().len(), 11);
    assert!(call("reddit").body["id"].as_str().unwrap().starts_with("t3_"));
}
