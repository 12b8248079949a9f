//! Fake providers on 127.0.0.1, started by the tests: an OAuth 2.0 provider (authorize, token,
//! identity endpoints, with PKCE checks) and a Bluesky PDS. Each runs its own actix system on
//! a thread, like the server under test.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::json;
use sha2::Digest;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How the fake OAuth provider answers a refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshMode {
    Ok,
    Unavailable,
    InvalidGrant,
}

/// What the fake OAuth provider knows and did.
#[derive(Debug)]
pub struct OAuthState {
    /// code -> (code_challenge, redirect_uri, used)
    pub codes: HashMap<String, (String, String, bool)>,
    pub issued_access: Vec<String>,
    pub issued_refresh: Vec<String>,
    pub refresh_mode: RefreshMode,
    pub refresh_calls: usize,
    /// How long a refresh answer takes (to hold a refresh open while something else happens).
    pub refresh_delay_ms: u64,
    /// The `expires_in` of every token answer (3600 unless a test wants tokens about to lapse).
    pub expires_in: i64,
    pub revoked: Vec<String>,
    pub seq: usize,
}

/// A running fake provider.
pub struct Fake<S> {
    pub base: String,
    pub state: Arc<Mutex<S>>,
    handle: actix_web::dev::ServerHandle,
}

impl<S> Drop for Fake<S> {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

pub fn run<S: Send + 'static>(state: S, routes: fn(&mut web::ServiceConfig)) -> Fake<S> {
    let state = Arc::new(Mutex::new(state));
    let shared = web::Data::from(state.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || App::new().app_data(shared.clone()).configure(routes))
                .workers(1)
                .bind("127.0.0.1:0")
                .expect("bind fake");
            let addr = server.addrs()[0];
            let server = server.run();
            tx.send((addr, server.handle())).unwrap();
            let _ = server.await;
        })
    });
    let (addr, handle) = rx.recv().unwrap();
    Fake { base: format!("http://{addr}"), state, handle }
}

/// Starts the fake OAuth provider.
pub fn oauth_provider() -> Fake<OAuthState> {
    run(
        OAuthState {
            codes: HashMap::new(),
            issued_access: vec![],
            issued_refresh: vec![],
            refresh_mode: RefreshMode::Ok,
            refresh_calls: 0,
            refresh_delay_ms: 0,
            expires_in: 3600,
            revoked: vec![],
            seq: 0,
        },
        |cfg| {
            cfg.route("/authorize", web::get().to(authorize))
                .route("/token", web::post().to(token))
                .route("/me", web::get().to(me))
                .route("/revoke", web::post().to(revoke));
        },
    )
}

type Shared<S> = web::Data<Mutex<S>>;

/// Consents at once (or declines with `?deny=1` appended) and sends the browser back.
async fn authorize(s: Shared<OAuthState>, q: web::Query<HashMap<String, String>>) -> HttpResponse {
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or_default();
    if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return HttpResponse::BadRequest().body("PKCE S256 required");
    }
    let mut url = url::Url::parse(&redirect).expect("redirect_uri");
    if q.contains_key("deny") {
        url.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "The user denied")
            .append_pair("state", &state);
    } else {
        let mut st = s.lock().unwrap();
        st.seq += 1;
        let code = format!("code-{}", st.seq);
        st.codes.insert(code.clone(), (q.get("code_challenge").cloned().unwrap_or_default(), redirect.clone(), false));
        url.query_pairs_mut().append_pair("code", &code).append_pair("state", &state);
    }
    HttpResponse::Found().insert_header(("location", url.to_string())).finish()
}

fn grant_error(code: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": code, "error_description": "refused by the fake provider"}))
}

async fn token(s: Shared<OAuthState>, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    let delay = s.lock().unwrap().refresh_delay_ms;
    if delay > 0 && form.get("grant_type").map(String::as_str) == Some("refresh_token") {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let mut st = s.lock().unwrap();
    if form.get("client_id").map(String::as_str) != Some("fake-client")
        || form.get("client_secret").map(String::as_str) != Some("fake-secret")
    {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid_client"}));
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let Some((challenge, redirect, used)) = st.codes.get_mut(&code) else {
                return grant_error("invalid_grant");
            };
            if *used {
                return grant_error("invalid_grant");
            }
            *used = true;
            let expected =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
            if &expected != challenge || form.get("redirect_uri") != Some(redirect) {
                return grant_error("invalid_grant");
            }
        }
        Some("refresh_token") => {
            st.refresh_calls += 1;
            let known = form.get("refresh_token").is_some_and(|t| st.issued_refresh.contains(t));
            match st.refresh_mode {
                RefreshMode::Unavailable => return HttpResponse::ServiceUnavailable().body("try later"),
                RefreshMode::InvalidGrant => return grant_error("invalid_grant"),
                RefreshMode::Ok if !known => return grant_error("invalid_grant"),
                RefreshMode::Ok => {}
            }
        }
        _ => return grant_error("unsupported_grant_type"),
    }
    st.seq += 1;
    let access = format!("fake-access-{}-SECRETTOKEN", st.seq);
    let refresh = format!("fake-refresh-{}-SECRETTOKEN", st.seq);
    st.issued_access.push(access.clone());
    st.issued_refresh.push(refresh.clone());
    HttpResponse::Ok().json(
        json!({"access_token": access, "refresh_token": refresh, "expires_in": st.expires_in, "token_type": "Bearer"}),
    )
}

async fn revoke(s: Shared<OAuthState>, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    if let Some(t) = form.get("token") {
        s.lock().unwrap().revoked.push(t.clone());
    }
    HttpResponse::Ok().finish()
}

async fn me(s: Shared<OAuthState>, req: HttpRequest) -> HttpResponse {
    let bearer = req.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let ok = bearer.strip_prefix("Bearer ").is_some_and(|t| s.lock().unwrap().issued_access.iter().any(|a| a == t));
    if !ok {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid_token"}));
    }
    HttpResponse::Ok().json(json!({"sub": "fake-user-1", "name": "Fake Person", "email": "fake.person@example.com",
        "picture": "https://cdn.example.com/fake.png"}))
}

/// What the fake PDS did.
#[derive(Debug, Default)]
pub struct PdsState {
    pub sessions: usize,
}

/// The app password the fake PDS accepts.
pub const GOOD_APP_PASSWORD: &str = "good-app-pass";

/// Starts the fake Bluesky PDS.
pub fn pds() -> Fake<PdsState> {
    run(PdsState::default(), |cfg| {
        cfg.route("/xrpc/com.atproto.server.createSession", web::post().to(create_session))
            .route("/xrpc/app.bsky.actor.getProfile", web::get().to(get_profile));
    })
}

async fn create_session(s: Shared<PdsState>, body: web::Json<serde_json::Value>) -> HttpResponse {
    if body["password"] != GOOD_APP_PASSWORD {
        return HttpResponse::Unauthorized()
            .json(json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}));
    }
    s.lock().unwrap().sessions += 1;
    HttpResponse::Ok().json(json!({"did": "did:plc:fake123", "handle": body["identifier"],
        "accessJwt": "pds-access-SECRETTOKEN", "refreshJwt": "pds-refresh-SECRETTOKEN"}))
}

async fn get_profile(req: HttpRequest) -> HttpResponse {
    if req.headers().get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer pds-access-SECRETTOKEN") {
        return HttpResponse::Unauthorized().finish();
    }
    HttpResponse::Ok()
        .json(json!({"did": "did:plc:fake123", "displayName": "Fake Sky", "avatar": "https://cdn.example.com/sky.jpg"}))
}

/// How a fake webhook receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiverMode {
    Ok,
    /// 500 for the first N requests, then 200.
    FailFirst(usize),
    /// Always 500.
    Fail,
    /// Never answers (sleeps far past any timeout).
    Hang,
    /// Answers 200 after this many milliseconds.
    Slow(u64),
}

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub at: std::time::Instant,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What a receiver got.
#[derive(Debug)]
pub struct ReceiverState {
    pub mode: ReceiverMode,
    pub requests: Vec<Received>,
    pub seen: usize,
}

/// Starts a webhook receiver on a free port.
pub fn receiver(mode: ReceiverMode) -> Fake<ReceiverState> {
    receiver_on(0, mode)
}

/// Starts a webhook receiver on the given port (0: any).
pub fn receiver_on(port: u16, mode: ReceiverMode) -> Fake<ReceiverState> {
    let state = Arc::new(Mutex::new(ReceiverState { mode, requests: vec![], seen: 0 }));
    let shared = web::Data::from(state.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || App::new().app_data(shared.clone()).default_service(web::to(receive)))
                .workers(2)
                .bind(("127.0.0.1", port))
                .expect("bind receiver");
            let addr = server.addrs()[0];
            let server = server.run();
            tx.send((addr, server.handle())).unwrap();
            let _ = server.await;
        })
    });
    let (addr, handle) = rx.recv().unwrap();
    Fake { base: format!("http://{addr}"), state, handle }
}

async fn receive(s: Shared<ReceiverState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let mode = {
        let mut st = s.lock().unwrap();
        st.seen += 1;
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        st.requests.push(Received { headers, body: body.to_vec(), at: std::time::Instant::now() });
        match st.mode {
            ReceiverMode::FailFirst(n) if st.seen <= n => ReceiverMode::Fail,
            ReceiverMode::FailFirst(_) => ReceiverMode::Ok,
            m => m,
        }
    };
    match mode {
        ReceiverMode::Ok | ReceiverMode::FailFirst(_) => HttpResponse::Ok().body("ok"),
        ReceiverMode::Fail => HttpResponse::InternalServerError().body("no"),
        ReceiverMode::Slow(ms) => {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(ms)).await;
            HttpResponse::Ok().body("ok")
        }
        ReceiverMode::Hang => {
            actix_web::rt::time::sleep(std::time::Duration::from_secs(60)).await;
            HttpResponse::Ok().finish()
        }
    }
}

impl Fake<ReceiverState> {
    /// Waits until `pred` holds for the requests so far (10 s at most).
    pub fn wait_for(&self, what: &str, pred: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let got = self.state.lock().unwrap().requests.clone();
            if pred(&got) {
                return got;
            }
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}; got {} requests", got.len());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
