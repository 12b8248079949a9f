//! The authenticated proxy: a caller's request to a platform's API, sent with a linked
//! account's token. The caller names a path, never a host (`ProxyPath`); hitchpost picks the
//! platform's host (`providers::upstream`), puts the account's fresh token in `Authorization`,
//! and streams both bodies, so a 1 GiB upload holds a few buffers, not the file.
//!
//! A token that would lapse within a minute is refreshed first. A 401 from the platform with a
//! body small enough to have been kept (`KEPT_BODY_MAX`) is answered by one refresh and one
//! retry; a larger body has been streamed away, and its 401 goes back as it came. Sandbox
//! accounts never leave the server: `echo` answers for the platform.

mod echo;
mod headers;
mod path;

pub use path::ProxyPath;

use super::credentials::{Fresh, fresh, refresh_after_refusal};
use crate::app::App;
use crate::domain::accounts::AccountRef;
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error};
use awc::http::header::{HeaderMap, HeaderName, HeaderValue};
use awc::http::{Method, StatusCode};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::time::{Duration, Instant};

/// The largest request body kept in memory so that it can be sent again after a refresh.
pub const KEPT_BODY_MAX: usize = 1024 * 1024;
/// How long before its lapse a token is refreshed rather than used.
const FRESH_FOR: i64 = 60;
/// The header naming the account a proxied answer came through.
pub const ACCOUNT_HEADER: &str = "hitchpost-account";

/// A body stream, as the server hands it over or the platform sends it back.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, awc::error::PayloadError>>>>;

/// A request body going up.
pub enum OutBody {
    /// Read whole (at most `KEPT_BODY_MAX`): can be sent twice.
    Kept(Bytes),
    /// Streamed as it arrives, with its length when the caller stated one.
    Streamed(BodyStream, Option<u64>),
}

/// The caller's request.
pub struct Outbound {
    pub method: Method,
    pub path: ProxyPath,
    pub headers: HeaderMap,
    pub body: OutBody,
}

/// The platform's answer (or the sandbox's), ready to stream back.
pub struct Proxied {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub account_id: String,
    /// The platform answered (`platform`), or the sandbox did.
    pub via: &'static str,
    /// Whether the call was sent again after the platform refused the token and it was renewed.
    pub retried: bool,
    pub length: Option<u64>,
    pub body: BodyStream,
}

thread_local! {
    // awc's client is per thread (actix runs one executor per worker thread); each keeps its
    // own connection pool to the platforms.
    static CLIENT: awc::Client = awc::Client::builder()
        .disable_redirects()
        .no_default_headers()
        .timeout(Duration::from_secs(3600))
        .finish();
}

/// Forwards `out` with the account's token and returns the platform's answer.
pub async fn forward(
    app: &App,
    ws: WorkspaceId,
    profile_id: &str,
    which: AccountRef,
    out: Outbound,
) -> domain::Result<Proxied> {
    let account = fresh(app, ws, profile_id, which, chrono::Duration::seconds(FRESH_FOR)).await?;
    // A platform limits each user token; one account's flood must not take every connection.
    let permit = app.proxy_slots.try_acquire(account.id).ok_or(Error::RateLimited { retry_after: 1 })?;
    let started = Instant::now();
    let answer = if account.sandbox { echo::answer(&account, out).await } else { upstream(app, &account, out).await };
    let seconds = started.elapsed().as_secs_f64();
    let status = answer.as_ref().map(|a| a.status.as_u16()).unwrap_or(0);
    app.db.metrics().proxied(account.platform.as_str(), status, seconds);
    let mut answer = answer?;
    answer.via = if account.sandbox { "sandbox" } else { account.platform.as_str() };
    // The slot is held until the answer's body has been streamed out.
    answer.body = Box::pin(answer.body.map(move |chunk| {
        let _held = &permit;
        chunk
    }));
    Ok(answer)
}

/// The real platform: one send, and after a 401 one refresh and one more send where the body
/// was kept.
async fn upstream(app: &App, account: &Fresh, out: Outbound) -> domain::Result<Proxied> {
    let (hosts, user_agent) = app
        .providers
        .api_hosts(account.platform, account.pds_url.as_deref())
        .map_err(|why| Error::Upstream(format!("{} cannot be proxied: {why}", account.platform.label())))?;
    let url = hosts.url_for(&out.path.path, &out.path.query);
    check_url(app, account.platform, &hosts, &url, &out.path)?;
    let mut up = headers::up(&out.headers);
    if let Some(ua) = user_agent {
        up.retain(|(k, _)| k.as_str() != "user-agent");
        up.push((awc::http::header::USER_AGENT, header_value(&ua)?));
    } else if !up.iter().any(|(k, _)| k.as_str() == "user-agent") {
        up.push((
            awc::http::header::USER_AGENT,
            HeaderValue::from_static(concat!("hitchpost/", env!("CARGO_PKG_VERSION"))),
        ));
    }
    let timeout = app.settings.proxy.timeout;
    match out.body {
        OutBody::Kept(body) => {
            let res =
                send(&out.method, &url, &up, &account.access_token, timeout, SendBody::Bytes(body.clone())).await?;
            if !account.refreshable {
                return Ok(answer_of(res, account));
            }
            if let Refusal::No(answer) = refused_token(account, res).await {
                return Ok(answer);
            }
            log::debug!(
                "proxy {} {}: the platform refused the token; refreshing once",
                account.platform,
                account.account_id
            );
            let renewed = refresh_after_refusal(app, account).await?;
            let res = send(&out.method, &url, &up, &renewed.access_token, timeout, SendBody::Bytes(body)).await?;
            Ok(Proxied { retried: true, ..answer_of(res, &renewed) })
        }
        OutBody::Streamed(body, length) => {
            let res =
                send(&out.method, &url, &up, &account.access_token, timeout, SendBody::Stream(body, length)).await?;
            Ok(answer_of(res, account))
        }
    }
}

enum Refusal {
    /// The platform took the token: its answer.
    No(Proxied),
    /// The platform refused the token.
    Yes,
}

/// Whether the platform refused the token itself: a 401, or a PDS's 400 `ExpiredToken` (an
/// atproto server answers an expired access JWT so). That 400's body is read to tell (a PDS's
/// error bodies are small) and passed on unchanged when it is some other error.
async fn refused_token(account: &Fresh, mut res: awc::ClientResponse) -> Refusal {
    if res.status() == StatusCode::UNAUTHORIZED {
        return Refusal::Yes;
    }
    if account.platform != Platform::Bluesky || res.status() != StatusCode::BAD_REQUEST {
        return Refusal::No(answer_of(res, account));
    }
    let Ok(bytes) = res.body().limit(64 * 1024).await else {
        return Refusal::No(bytes_answer(res.status(), res.headers(), Bytes::new(), account));
    };
    let error =
        serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|v| v["error"].as_str().map(str::to_owned));
    if error.as_deref() == Some("ExpiredToken") {
        return Refusal::Yes;
    }
    Refusal::No(bytes_answer(res.status(), res.headers(), bytes, account))
}

/// The platform's answer whose body was read whole (to look into it).
fn bytes_answer(status: StatusCode, headers: &HeaderMap, bytes: Bytes, account: &Fresh) -> Proxied {
    let length = Some(bytes.len() as u64);
    let body: BodyStream = Box::pin(futures_util::stream::once(async move { Ok(bytes) }));
    proxied(status, headers::down(headers), length, body, account)
}

fn header_value(s: &str) -> domain::Result<HeaderValue> {
    HeaderValue::from_str(s).map_err(|_| Error::Internal(format!("`{s}` is not a header value")))
}

/// The last check before anything leaves: the URL as the client will send it is on one of the
/// platform's hosts and its path is the checked one (no normalisation moved it), and a PDS (the
/// one host an end-user chose) is not a private address unless the operator allows those (its
/// name was checked when the account was linked).
fn check_url(
    app: &App,
    platform: Platform,
    hosts: &crate::providers::upstream::ApiHosts,
    url: &str,
    path: &ProxyPath,
) -> domain::Result<()> {
    let escaped = || Error::invalid("path", "does not stay on the platform's host");
    let parsed = url::Url::parse(url).map_err(|_| escaped())?;
    if !hosts.owns(&parsed) || !parsed.path().ends_with(&path.path) {
        return Err(escaped());
    }
    if platform == Platform::Bluesky && !app.providers.allow_private_outbound {
        let private = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => crate::providers::net::is_private(ip.into()),
            Some(url::Host::Ipv6(ip)) => crate::providers::net::is_private(ip.into()),
            _ => false,
        };
        if private {
            return Err(Error::Upstream(
                "the account's PDS is at a private address, which this server does not call".into(),
            ));
        }
    }
    Ok(())
}

enum SendBody {
    Bytes(Bytes),
    Stream(BodyStream, Option<u64>),
}

async fn send(
    method: &Method,
    url: &str,
    headers: &[(HeaderName, HeaderValue)],
    token: &str,
    timeout: Duration,
    body: SendBody,
) -> domain::Result<awc::ClientResponse> {
    let mut req = CLIENT.with(|c| c.request(method.clone(), url)).timeout(timeout);
    for (k, v) in headers {
        req = req.append_header((k.clone(), v.clone()));
    }
    let bearer = header_value(&format!("Bearer {token}"))?;
    req = req.insert_header((awc::http::header::AUTHORIZATION, bearer));
    let sent = match body {
        SendBody::Bytes(b) if b.is_empty() && matches!(*method, Method::GET | Method::HEAD | Method::DELETE) => {
            req.send().await
        }
        SendBody::Bytes(b) => req.send_body(b).await,
        SendBody::Stream(s, Some(n)) => req.send_body(awc::body::SizedStream::new(n, s)).await,
        SendBody::Stream(s, None) => req.send_stream(s).await,
    };
    sent.map_err(|e| {
        log::warn!("proxy: {method} to the platform failed: {e}");
        match e {
            awc::error::SendRequestError::Timeout => Error::Upstream("the platform did not answer in time".into()),
            _ => Error::Upstream("the platform could not be reached".into()),
        }
    })
}

/// The platform's answer, its body streamed on as it arrives.
fn answer_of(res: awc::ClientResponse, account: &Fresh) -> Proxied {
    let length = res.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let (status, headers) = (res.status(), headers::down(res.headers()));
    proxied(status, headers, length, Box::pin(res), account)
}

fn proxied(
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    length: Option<u64>,
    body: BodyStream,
    account: &Fresh,
) -> Proxied {
    Proxied { status, headers, account_id: account.account_id.clone(), via: "platform", retried: false, length, body }
}
