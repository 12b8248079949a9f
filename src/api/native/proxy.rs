//! `/v1/profiles/{id}/accounts/{account}/proxy/{path}`, any method: a call to the platform's
//! API with the account's token (`service::proxy`).

use super::accounts::account_ref;
use super::{Auth, Error, Problem, need};
use crate::api::body;
use crate::app::App;
use crate::domain;
use crate::service::proxy::{self, ACCOUNT_HEADER, KEPT_BODY_MAX, OutBody, Outbound, ProxyPath};
use actix_web::body::SizedStream;
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

/// The profile id, the account and the raw path after `/proxy/`, read from the request's raw
/// path (never a decoded one: what is checked is what is sent).
fn split(raw: &str) -> Result<(&str, &str, &str), Error> {
    let mut parts = raw.splitn(8, '/');
    let mut next = || parts.next().unwrap_or_default();
    let (_, v1, profiles, id, accounts, account, proxy) = (next(), next(), next(), next(), next(), next(), next());
    let tail = parts.next().unwrap_or_default();
    if (v1, profiles, accounts, proxy) != ("v1", "profiles", "accounts", "proxy") {
        return Err(domain::Error::NotFound("route").into());
    }
    Ok((id, account, tail))
}

/// The body to send: read whole when small enough to be sent again after a refresh, else
/// streamed as it arrives.
async fn out_body(req: &HttpRequest, payload: web::Payload) -> Result<OutBody, Error> {
    let h = req.headers();
    let length = h.get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    let chunked = h.contains_key("transfer-encoding");
    match length {
        Some(n) if n <= KEPT_BODY_MAX as u64 => {
            Ok(OutBody::Kept(body::read_limited(req, payload, KEPT_BODY_MAX).await?))
        }
        None if !chunked => Ok(OutBody::Kept(web::Bytes::new())),
        n => Ok(OutBody::Streamed(Box::pin(payload), n)),
    }
}

async fn send(
    state: &App,
    ws: crate::domain::workspaces::WorkspaceId,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<proxy::Proxied, Error> {
    let (profile_id, account, tail) = split(req.uri().path())?;
    let which = account_ref(account)?;
    let path = ProxyPath::parse(tail, req.query_string())?;
    let body = out_body(req, payload).await?;
    let out = Outbound { method: req.method().clone(), path, headers: req.headers().clone(), body };
    Ok(proxy::forward(state, ws, profile_id, which, out).await?)
}

/// The one log line of a proxied call, in place of the access log's (which skips these
/// paths): who, what (the path, never the query: it may carry a token), through which
/// account and platform, the status (the platform's, or ours when it never got there), and
/// the time to the answer's head.
fn log_line(state: &App, req: &HttpRequest, answer: &Result<proxy::Proxied, Error>, started: std::time::Instant) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, account, via, retried) = match answer {
        Ok(a) => (a.status.as_u16(), a.account_id.as_str(), a.via, if a.retried { " after a refresh" } else { "" }),
        Err(e) => (actix_web::ResponseError::status_code(e).as_u16(), "-", "-", ""),
    };
    log::info!(
        "{} \"{} {}\" {status} via {via} {account}{retried} {ms:.1}ms",
        crate::api::client_ip(state, req),
        req.method(),
        req.uri().path()
    );
}

#[utoipa::path(method(get, post, put, patch, delete), path = "/v1/profiles/{id}/accounts/{account}/proxy/{path}", tag = "accounts",
    params(("id" = String, Path, description = "The profile's UUID"),
        ("account" = super::schemas::AccountRefName, Path, description = "The account's id (`acc_…`) or its platform's name"),
        ("path" = String, Path, description = "The platform API path (with any query string), e.g. `v2/userinfo` or `xrpc/com.atproto.repo.createRecord`")),
    responses(
        (status = 200, description = "The platform's answer, unchanged (any status the platform gives), with `Hitchpost-Account`"),
        (status = 400, description = "A path that could leave the platform's host, or a bad account", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `proxy` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile or account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The platform refused the account's refresh: its owner must link it again", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account has as many calls in flight as allowed", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The platform could not be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["proxy"]), ("apiKey" = ["proxy"])))]
pub async fn forward(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Proxy>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    // A TRACE would come back with the request as the platform received it, the account's
    // token included: a key allowed to proxy is not allowed to read tokens. CONNECT opens a
    // tunnel. Neither is an API call.
    if !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::POST | Method::PUT | Method::PATCH | Method::DELETE | Method::OPTIONS
    ) {
        return Ok(super::error::method_not_allowed(&req, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));
    }
    let started = std::time::Instant::now();
    let answer = send(&state, caller.workspace, &req, payload).await;
    log_line(&state, &req, &answer, started);
    let answer = answer?;
    let mut res = HttpResponse::build(answer.status);
    for (k, v) in answer.headers {
        res.append_header((k, v));
    }
    res.insert_header((ACCOUNT_HEADER, answer.account_id));
    Ok(match answer.length {
        Some(n) => res.body(SizedStream::new(n, answer.body)),
        None => res.streaming(answer.body),
    })
}
