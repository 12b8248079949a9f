//! Each OAuth preset against a strict fake of its platform: the fake answers with the response
//! shapes the platform documents and refuses (400, naming what differs) any request that is not
//! exactly the one the platform documents — parameters, client authentication, PKCE or its
//! absence, the Meta long-lived token exchange and renewal, the refresh, the revocation.
//! No real server of these platforms can run here; these are the fakes, and they are strict.

use crate::helpers::{TestApp, spawn_app_with};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hitchpost::domain::platform::Platform;
use hitchpost::providers::oauth::{OAuthConfig, preset};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const ID: &str = "client-id-1";
const SECRET: &str = "client-secret-1";
/// A value the fake takes whatever it is, as long as it is there.
const ANY: &str = "*";

/// What one endpoint must be sent, and what it answers.
#[derive(Clone)]
struct Expect {
    method: &'static str,
    /// The exact parameters (form body for POST, query for GET).
    params: Vec<(&'static str, &'static str)>,
    /// The exact `authorization` header (`None`: must be absent).
    authorization: Option<String>,
    /// A header that must be sent with this value (Reddit's user agent).
    header: Option<(&'static str, &'static str)>,
    answer: Value,
}

#[derive(Default)]
struct FakeState {
    /// By "path" or "path#grant_type".
    expect: HashMap<String, Expect>,
    /// Every refusal, in words.
    refusals: Vec<String>,
    /// Every request served, by key.
    served: Vec<String>,
}

struct Fake {
    base: String,
    state: Arc<Mutex<FakeState>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Fake {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

fn start_fake() -> Fake {
    let state = Arc::new(Mutex::new(FakeState::default()));
    let shared = web::Data::from(state.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || App::new().app_data(shared.clone()).default_service(web::to(serve)))
                .workers(1)
                .bind("127.0.0.1:0")
                .unwrap();
            let addr = server.addrs()[0];
            let server = server.run();
            tx.send((addr, server.handle())).unwrap();
            let _ = server.await;
        })
    });
    let (addr, handle) = rx.recv().unwrap();
    Fake { base: format!("http://{addr}"), state, handle }
}

fn refuse(st: &mut FakeState, why: String) -> HttpResponse {
    st.refusals.push(why.clone());
    HttpResponse::BadRequest().json(json!({"error": "invalid_request", "error_description": why}))
}

async fn serve(s: web::Data<Mutex<FakeState>>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let mut st = s.lock().unwrap();
    let params: BTreeMap<String, String> = if req.method() == "GET" {
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect()
    } else {
        let ct = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return refuse(&mut st, format!("{} {}: content type {ct:?}, not a form", req.method(), req.path()));
        }
        url::form_urlencoded::parse(&body).into_owned().collect()
    };
    let path = req.path().to_string();
    let key = match params.get("grant_type") {
        Some(g) if st.expect.contains_key(&format!("{path}#{g}")) => format!("{path}#{g}"),
        _ => path.clone(),
    };
    let Some(e) = st.expect.get(&key).cloned() else {
        return refuse(&mut st, format!("{} {path}: not an endpoint of this platform", req.method()));
    };
    if req.method().as_str() != e.method {
        return refuse(&mut st, format!("{key}: {} instead of {}", req.method(), e.method));
    }
    let wanted: BTreeMap<String, String> = e.params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let same_keys = wanted.keys().eq(params.keys());
    let same_values = wanted.iter().all(|(k, v)| v == ANY && !params[k].is_empty() || params.get(k) == Some(v));
    if !same_keys || !same_values {
        return refuse(&mut st, format!("{key}: sent {params:?}, the platform documents {wanted:?}"));
    }
    let auth = req.headers().get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    if auth != e.authorization {
        return refuse(&mut st, format!("{key}: authorization {auth:?}, expected {:?}", e.authorization));
    }
    if let Some((name, value)) = e.header {
        let got = req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if got != value {
            return refuse(&mut st, format!("{key}: {name} {got:?}, expected {value:?}"));
        }
    }
    st.served.push(key);
    HttpResponse::Ok().json(e.answer)
}

fn basic() -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{ID}:{SECRET}")))
}

fn path_of(url: &str) -> String {
    url::Url::parse(url).unwrap().path().to_string()
}

fn post(params: Vec<(&'static str, &'static str)>, authorization: Option<String>, answer: Value) -> Expect {
    Expect { method: "POST", params, authorization, header: None, answer }
}

fn get(params: Vec<(&'static str, &'static str)>, authorization: Option<String>, answer: Value) -> Expect {
    Expect { method: "GET", params, authorization, header: None, answer }
}

/// hitchpost with `platform`'s preset, every host moved to the fake (paths kept).
fn app_on(fake: &Fake, platform: Platform, tweak: Option<fn(&mut OAuthConfig)>) -> TestApp {
    let p = preset(platform).unwrap();
    let on_fake = |u: &str| {
        let parsed = url::Url::parse(u).unwrap();
        let query = parsed.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{}{query}", fake.base, parsed.path())
    };
    let mut config = OAuthConfig {
        client_id: ID.into(),
        client_secret: SECRET.into(),
        authorize_url: Some(on_fake(p.authorize_url)),
        token_url: Some(on_fake(p.token_url)),
        identity_url: Some(on_fake(p.identity_url)),
        revoke_url: (!p.revoke_url.is_empty()).then(|| on_fake(p.revoke_url)),
        ..Default::default()
    };
    if let Some(tweak) = tweak {
        tweak(&mut config);
    }
    spawn_app_with(move |c| {
        c.providers.oauth.insert(platform, config);
    })
}

/// What a platform's flow must look like.
struct Case {
    platform: Platform,
    /// The authorize URL's query, exactly (state, challenge and redirect are checked apart).
    authorize: Vec<(&'static str, &'static str)>,
    pkce: bool,
    expect: Vec<(String, Expect)>,
    username: Option<&'static str>,
    display_name: &'static str,
    /// Whether refreshing is possible, and which served keys a refresh must hit.
    refresh: Option<&'static str>,
    /// The served key an unlink must hit, if the platform revokes.
    revoke: Option<&'static str>,
    /// More to check of the linked account.
    check: Option<fn(&Value)>,
    /// Overrides set as the operator would by env (`OAuthConfig::set_behaviour`).
    tweak: Option<fn(&mut OAuthConfig)>,
}

fn run(case: Case) {
    let fake = start_fake();
    let p = preset(case.platform).unwrap();
    fake.state.lock().unwrap().expect = case.expect.iter().cloned().collect();
    let app = app_on(&fake, case.platform, case.tweak);
    let key = app.key("acme");
    let id = app.new_profile(&key, "Preset")["id"].as_str().unwrap().to_string();
    let cookie = app.open_session(app.new_link(&key, &id, &json!({}))["url"].as_str().unwrap());
    let start = app.page_start_oauth(&cookie, case.platform.as_str());
    assert_eq!(start.status, 302, "{}", start.text);
    let authorize = url::Url::parse(start.location()).unwrap();
    assert_eq!(authorize.path(), path_of(p.authorize_url));
    let mut q: BTreeMap<String, String> = authorize.query_pairs().into_owned().collect();
    let state = q.remove("state").expect("state");
    assert!(state.len() >= 32);
    assert_eq!(q.remove("redirect_uri").unwrap(), format!("{}/connect/callback/{}", app.base, case.platform.as_str()));
    let challenge = q.remove("code_challenge");
    let method = q.remove("code_challenge_method");
    assert_eq!(challenge.is_some(), case.pkce, "{}: PKCE sent or not as the platform takes it", case.platform);
    if case.pkce {
        assert_eq!(method.as_deref(), Some("S256"));
    }
    let wanted: BTreeMap<String, String> = case.authorize.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(q, wanted, "{}: the authorize URL", case.platform);
    // The platform sends the person back with a code.
    let back = app
        .get_url(&format!("/connect/callback/{}?code=the-code&state={state}", case.platform.as_str()), Some(&cookie));
    let refusals = fake.state.lock().unwrap().refusals.clone();
    assert!(refusals.is_empty(), "{}: the fake refused {refusals:#?}", case.platform);
    assert_eq!(back.status, 303, "{}", back.text);
    assert_eq!(back.location(), format!("/connect/app?linked={}", case.platform.as_str()));
    let a = app.list_accounts(&key, &id).body["data"][0].clone();
    assert_eq!(a["username"].as_str(), case.username, "{}: {a}", case.platform);
    assert_eq!(a["displayName"], case.display_name, "{}: {a}", case.platform);
    if let Some(check) = case.check {
        check(&a);
    }
    let refreshed = app.refresh_account(&key, &id, case.platform.as_str());
    match case.refresh {
        Some(served) => {
            assert_eq!(refreshed.body["outcome"], "refreshed", "{}: {}", case.platform, refreshed.text);
            assert!(fake.state.lock().unwrap().served.contains(&served.to_string()), "{}: no {served}", case.platform);
        }
        None => assert_eq!(refreshed.status, 400, "{}: {}", case.platform, refreshed.text),
    }
    assert_eq!(app.unlink_account(&key, &id, case.platform.as_str()).status, 204);
    if let Some(served) = case.revoke {
        crate::peers::eventually(&format!("{}'s revocation", case.platform), || {
            fake.state.lock().unwrap().served.contains(&served.to_string())
        });
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let refusals = fake.state.lock().unwrap().refusals.clone();
    assert!(refusals.is_empty(), "{}: the fake refused {refusals:#?}", case.platform);
}

fn tokens(access: &str, refresh: Option<&str>) -> Value {
    let mut v = json!({"access_token": access, "token_type": "bearer", "expires_in": 3600});
    if let Some(r) = refresh {
        v["refresh_token"] = json!(r);
    }
    v
}

#[test]
fn linkedin_sends_what_linkedin_documents() {
    let p = preset(Platform::Linkedin).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::Linkedin,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "openid profile email w_member_social"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "li-access", "expires_in": 5184000, "refresh_token": "li-refresh",
                       "refresh_token_expires_in": 31536000, "scope": "openid,profile,email,w_member_social"}),
                ),
            ),
            (
                format!("{token}#refresh_token"),
                post(
                    vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", "li-refresh"),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "li-access-2", "expires_in": 5184000, "refresh_token": "li-refresh",
                       "refresh_token_expires_in": 31535000}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![],
                    Some("Bearer li-access".into()),
                    json!({"sub": "li-1", "name": "Lin Kedin", "email": "lin@example.com", "picture": "https://media.licdn.com/p.jpg"}),
                ),
            ),
            (
                path_of(p.revoke_url),
                post(
                    vec![
                        ("token", "li-refresh"),
                        ("token_type_hint", "refresh_token"),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({}),
                ),
            ),
        ],
        username: None,
        display_name: "Lin Kedin",
        refresh: Some("/oauth/v2/accessToken#refresh_token"),
        revoke: Some("/oauth/v2/revoke"),
        check: None,
        tweak: None,
    });
}

#[test]
fn x_sends_what_x_documents() {
    let p = preset(Platform::X).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::X,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "tweet.read tweet.write users.read offline.access"),
        ],
        pkce: true,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("code_verifier", ANY),
                        ("client_id", ID),
                    ],
                    Some(basic()),
                    json!({"token_type": "bearer", "expires_in": 7200, "access_token": "x-access", "scope": "tweet.read", "refresh_token": "x-refresh"}),
                ),
            ),
            (
                format!("{token}#refresh_token"),
                post(
                    vec![("grant_type", "refresh_token"), ("refresh_token", "x-refresh"), ("client_id", ID)],
                    Some(basic()),
                    tokens("x-access-2", Some("x-refresh-2")),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![("user.fields", "profile_image_url")],
                    Some("Bearer x-access".into()),
                    json!({"data": {"id": "2244994945", "name": "X Dev", "username": "xdevelopers", "profile_image_url": "https://pbs.twimg.com/x.jpg"}}),
                ),
            ),
            (
                path_of(p.revoke_url),
                post(
                    vec![("token", "x-refresh-2"), ("token_type_hint", "refresh_token"), ("client_id", ID)],
                    Some(basic()),
                    json!({"revoked": true}),
                ),
            ),
        ],
        username: Some("xdevelopers"),
        display_name: "X Dev",
        refresh: Some("/2/oauth2/token#refresh_token"),
        revoke: Some("/2/oauth2/revoke"),
        check: None,
        tweak: None,
    });
}

#[test]
fn facebook_swaps_the_code_token_for_a_long_lived_one() {
    let p = preset(Platform::Facebook).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::Facebook,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "public_profile,pages_show_list,pages_manage_posts"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "fb-short", "token_type": "bearer", "expires_in": 5400}),
                ),
            ),
            (
                format!("{token}#fb_exchange_token"),
                get(
                    vec![
                        ("grant_type", "fb_exchange_token"),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                        ("fb_exchange_token", "fb-short"),
                    ],
                    None,
                    json!({"access_token": "fb-long", "token_type": "bearer", "expires_in": 5183944}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![("fields", "id,name,picture")],
                    Some("Bearer fb-long".into()),
                    json!({"id": "10158", "name": "Face Book", "picture": {"data": {"url": "https://graph.facebook.com/p.jpg"}}}),
                ),
            ),
        ],
        username: None,
        display_name: "Face Book",
        // Facebook user tokens are not renewed by any endpoint: the person links again.
        refresh: None,
        revoke: None,
        check: None,
        tweak: None,
    });
}

#[test]
fn instagram_swaps_for_a_long_lived_token_and_renews_it_with_ig_refresh_token() {
    let p = preset(Platform::Instagram).unwrap();
    run(Case {
        platform: Platform::Instagram,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "instagram_business_basic,instagram_business_content_publish"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{}#authorization_code", path_of(p.token_url)),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"data": [{"access_token": "ig-short", "user_id": "17841", "permissions": "instagram_business_basic"}]}),
                ),
            ),
            (
                "/access_token#ig_exchange_token".into(),
                get(
                    vec![("grant_type", "ig_exchange_token"), ("client_secret", SECRET), ("access_token", "ig-short")],
                    None,
                    json!({"access_token": "ig-long", "token_type": "bearer", "expires_in": 5183944}),
                ),
            ),
            (
                "/refresh_access_token#ig_refresh_token".into(),
                get(
                    vec![("grant_type", "ig_refresh_token"), ("access_token", "ig-long")],
                    None,
                    json!({"access_token": "ig-long-2", "token_type": "bearer", "expires_in": 5183944}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![("fields", "user_id,username,name,profile_picture_url")],
                    Some("Bearer ig-long".into()),
                    json!({"user_id": "17841", "username": "insta.gram", "name": "Insta Gram", "profile_picture_url": "https://scontent.cdninstagram.com/p.jpg"}),
                ),
            ),
        ],
        username: Some("insta.gram"),
        display_name: "Insta Gram",
        refresh: Some("/refresh_access_token#ig_refresh_token"),
        revoke: None,
        check: None,
        tweak: None,
    });
}

#[test]
fn threads_swaps_for_a_long_lived_token_and_renews_it_with_th_refresh_token() {
    let p = preset(Platform::Threads).unwrap();
    run(Case {
        platform: Platform::Threads,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "threads_basic,threads_content_publish"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{}#authorization_code", path_of(p.token_url)),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "th-short", "user_id": "2580"}),
                ),
            ),
            (
                "/access_token#th_exchange_token".into(),
                get(
                    vec![("grant_type", "th_exchange_token"), ("client_secret", SECRET), ("access_token", "th-short")],
                    None,
                    json!({"access_token": "th-long", "token_type": "bearer", "expires_in": 5183944}),
                ),
            ),
            (
                "/refresh_access_token#th_refresh_token".into(),
                get(
                    vec![("grant_type", "th_refresh_token"), ("access_token", "th-long")],
                    None,
                    json!({"access_token": "th-long-2", "token_type": "bearer", "expires_in": 5183944}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![("fields", "id,username,name,threads_profile_picture_url")],
                    Some("Bearer th-long".into()),
                    json!({"id": "2580", "username": "thready", "name": "Thread Y", "threads_profile_picture_url": "https://scontent.threads.net/p.jpg"}),
                ),
            ),
        ],
        username: Some("thready"),
        display_name: "Thread Y",
        refresh: Some("/refresh_access_token#th_refresh_token"),
        revoke: None,
        check: None,
        tweak: None,
    });
}

#[test]
fn tiktok_sends_client_key_and_revokes_by_access_token() {
    let p = preset(Platform::Tiktok).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::Tiktok,
        authorize: vec![
            ("response_type", "code"),
            ("client_key", ID),
            ("scope", "user.info.basic,user.info.profile,video.publish"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("client_key", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "tt-access", "expires_in": 86400, "open_id": "tt-open-1", "refresh_expires_in": 31536000,
                       "refresh_token": "tt-refresh", "scope": "user.info.basic", "token_type": "Bearer"}),
                ),
            ),
            (
                format!("{token}#refresh_token"),
                post(
                    vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", "tt-refresh"),
                        ("client_key", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "tt-access-2", "expires_in": 86400, "open_id": "tt-open-1", "refresh_expires_in": 31535000,
                       "refresh_token": "tt-refresh-2", "token_type": "Bearer"}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![("fields", "open_id,avatar_url,display_name,username")],
                    Some("Bearer tt-access".into()),
                    json!({"data": {"user": {"open_id": "tt-open-1", "avatar_url": "https://p16.tiktokcdn.com/a.jpg", "display_name": "Tik Tok", "username": "tiktoker"}},
                       "error": {"code": "ok", "message": "", "log_id": "1"}}),
                ),
            ),
            (
                path_of(p.revoke_url),
                post(vec![("token", "tt-access-2"), ("client_key", ID), ("client_secret", SECRET)], None, json!({})),
            ),
        ],
        username: Some("tiktoker"),
        display_name: "Tik Tok",
        refresh: Some("/v2/oauth/token/#refresh_token"),
        revoke: Some("/v2/oauth/revoke/"),
        check: None,
        tweak: None,
    });
}

#[test]
fn youtube_asks_google_for_offline_access_with_pkce() {
    let p = preset(Platform::Youtube).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::Youtube,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "openid profile email https://www.googleapis.com/auth/youtube.upload"),
            ("access_type", "offline"),
            ("prompt", "consent"),
        ],
        pkce: true,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("code_verifier", ANY),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    json!({"access_token": "g-access", "expires_in": 3599, "refresh_token": "g-refresh", "scope": "openid", "token_type": "Bearer", "id_token": "x.y.z"}),
                ),
            ),
            (
                format!("{token}#refresh_token"),
                post(
                    vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", "g-refresh"),
                        ("client_id", ID),
                        ("client_secret", SECRET),
                    ],
                    None,
                    // Google does not send a new refresh token: the old one stays.
                    json!({"access_token": "g-access-2", "expires_in": 3599, "scope": "openid", "token_type": "Bearer"}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![],
                    Some("Bearer g-access".into()),
                    json!({"sub": "1090", "name": "You Tube", "email": "yt@example.com", "picture": "https://lh3.googleusercontent.com/p.jpg"}),
                ),
            ),
            // Google's revocation takes the token alone.
            (path_of(p.revoke_url), post(vec![("token", "g-refresh")], None, json!({}))),
        ],
        username: None,
        display_name: "You Tube",
        refresh: Some("/token#refresh_token"),
        revoke: Some("/revoke"),
        check: None,
        tweak: None,
    });
}

#[test]
fn pinterest_authenticates_with_basic_and_reads_the_boards() {
    let p = preset(Platform::Pinterest).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::Pinterest,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "boards:read,pins:read,pins:write,user_accounts:read"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![("grant_type", "authorization_code"), ("code", "the-code"), ("redirect_uri", ANY)],
                    Some(basic()),
                    json!({"access_token": "pin-access", "refresh_token": "pin-refresh", "response_type": "authorization_code",
                       "token_type": "bearer", "expires_in": 2592000, "refresh_token_expires_in": 31536000, "scope": "boards:read"}),
                ),
            ),
            (
                format!("{token}#refresh_token"),
                post(
                    vec![("grant_type", "refresh_token"), ("refresh_token", "pin-refresh")],
                    Some(basic()),
                    json!({"access_token": "pin-access-2", "response_type": "refresh_token", "token_type": "bearer", "expires_in": 2592000, "scope": "boards:read"}),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![],
                    Some("Bearer pin-access".into()),
                    json!({"account_type": "BUSINESS", "id": "pin-1", "profile_image": "https://i.pinimg.com/p.jpg", "username": "pinner", "business_name": "Pin Ner"}),
                ),
            ),
            (
                "/v5/boards".into(),
                get(
                    vec![],
                    Some("Bearer pin-access".into()),
                    json!({"items": [{"id": "b1", "name": "Recipes", "description": "Food"}], "bookmark": null}),
                ),
            ),
        ],
        username: Some("pinner"),
        display_name: "Pin Ner",
        refresh: Some("/v5/oauth/token#refresh_token"),
        revoke: None,
        check: None,
        tweak: None,
    });
}

#[test]
fn reddit_asks_for_a_permanent_grant_with_basic_auth_and_its_user_agent() {
    let p = preset(Platform::Reddit).unwrap();
    let token = path_of(p.token_url);
    let ua = p.user_agent;
    let with_ua = |mut e: Expect| {
        e.header = Some(("user-agent", ua));
        e
    };
    run(Case {
        platform: Platform::Reddit,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "identity submit"),
            ("duration", "permanent"),
        ],
        pkce: false,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                with_ua(post(
                    vec![("grant_type", "authorization_code"), ("code", "the-code"), ("redirect_uri", ANY)],
                    Some(basic()),
                    json!({"access_token": "rd-access", "token_type": "bearer", "expires_in": 86400, "scope": "identity submit", "refresh_token": "rd-refresh"}),
                )),
            ),
            (
                format!("{token}#refresh_token"),
                with_ua(post(
                    vec![("grant_type", "refresh_token"), ("refresh_token", "rd-refresh")],
                    Some(basic()),
                    json!({"access_token": "rd-access-2", "token_type": "bearer", "expires_in": 86400, "scope": "identity submit"}),
                )),
            ),
            (
                path_of(p.identity_url),
                with_ua(get(
                    vec![],
                    Some("Bearer rd-access".into()),
                    json!({"id": "t2_abc", "name": "redditor", "icon_img": "https://styles.redditmedia.com/i.png"}),
                )),
            ),
            (
                path_of(p.revoke_url),
                with_ua(post(
                    vec![("token", "rd-refresh"), ("token_type_hint", "refresh_token")],
                    Some(basic()),
                    json!({}),
                )),
            ),
        ],
        username: Some("redditor"),
        display_name: "redditor",
        refresh: Some("/api/v1/access_token#refresh_token"),
        revoke: Some("/api/v1/revoke_token"),
        check: None,
        tweak: None,
    });
}

#[test]
fn identity_fields_from_a_provider_are_cleaned_before_they_are_stored() {
    let p = preset(Platform::X).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::X,
        authorize: vec![
            ("response_type", "code"),
            ("client_id", ID),
            ("scope", "tweet.read tweet.write users.read offline.access"),
        ],
        pkce: true,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("code_verifier", ANY),
                        ("client_id", ID),
                    ],
                    Some(basic()),
                    tokens("x-access", Some("x-refresh")),
                ),
            ),
            (
                format!("{token}#refresh_token"),
                post(
                    vec![("grant_type", "refresh_token"), ("refresh_token", "x-refresh"), ("client_id", ID)],
                    Some(basic()),
                    tokens("x-access-2", Some("x-refresh-2")),
                ),
            ),
            (
                path_of(p.identity_url),
                get(
                    vec![("user.fields", "profile_image_url")],
                    Some("Bearer x-access".into()),
                    json!({"data": {"id": "1", "name": "Evil\u{202e}gnp.exe\u{200b}", "username": "<img src=x onerror=alert(1)>",
                                "profile_image_url": "javascript:alert(1)"}}),
                ),
            ),
            (
                path_of(p.revoke_url),
                post(
                    vec![("token", "x-refresh-2"), ("token_type_hint", "refresh_token"), ("client_id", ID)],
                    Some(basic()),
                    json!({}),
                ),
            ),
        ],
        // Markup is not a handle; the name loses its bidi and zero-width characters.
        username: None,
        display_name: "Evilgnp.exe",
        refresh: Some("/2/oauth2/token#refresh_token"),
        revoke: Some("/2/oauth2/revoke"),
        check: Some(|a| {
            assert!(a["imageUrl"].is_null(), "a javascript: URL is not kept: {a}");
            assert!(a["profileUrl"].is_null(), "no handle, no profile URL: {a}");
        }),
        tweak: None,
    });
}

#[test]
fn an_operator_can_change_client_authentication_scope_separator_and_authorize_parameters() {
    let p = preset(Platform::Linkedin).unwrap();
    let token = path_of(p.token_url);
    run(Case {
        platform: Platform::Linkedin,
        authorize: vec![("response_type", "code"), ("client_id", ID), ("scope", "openid,profile"), ("prompt", "login")],
        pkce: true,
        expect: vec![
            (
                format!("{token}#authorization_code"),
                post(
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", "the-code"),
                        ("redirect_uri", ANY),
                        ("code_verifier", ANY),
                    ],
                    Some(basic()),
                    tokens("li-access", None),
                ),
            ),
            (
                path_of(p.identity_url),
                get(vec![], Some("Bearer li-access".into()), json!({"sub": "li-2", "name": "Lin Two"})),
            ),
            (
                path_of(p.revoke_url),
                post(vec![("token", "li-access"), ("token_type_hint", "access_token")], Some(basic()), json!({})),
            ),
        ],
        username: None,
        display_name: "Lin Two",
        refresh: None,
        revoke: Some("/oauth/v2/revoke"),
        check: None,
        tweak: Some(|c| {
            c.scopes = Some("openid profile".into());
            c.pkce = Some(true);
            c.set_behaviour(
                "HITCHPOST_OAUTH_LINKEDIN",
                Some("basic".into()),
                Some("comma".into()),
                Some("prompt=login".into()),
            )
            .unwrap();
        }),
    });
}

#[test]
fn a_behaviour_setting_that_is_not_one_it_takes_stops_the_server_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::helpers::server_binary())
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("h.db"))
        .env("HITCHPOST_OAUTH_X_CLIENT_ID", "id")
        .env("HITCHPOST_OAUTH_X_CLIENT_SECRET", "secret")
        .env("HITCHPOST_OAUTH_X_CLIENT_AUTH", "jwt")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HITCHPOST_OAUTH_X_CLIENT_AUTH must be basic or body"), "{err}");
}
