//! `Idempotency-Key` on native POSTs, with Stripe's semantics: the same key with the same
//! request within 24 hours replays the first response; with another request, 422; while the
//! first is still running, 409. A response is kept only if it is not a server error (a 5xx
//! leaves the key free to retry).
//!
//! The caller is authenticated before anything is looked up or kept: keys are scoped to the
//! verified caller (workspace and API key), a request without a valid key is answered 401 here
//! and leaves nothing behind, and kept responses are sealed (they can carry webhook secrets and
//! connect-link tokens), so a revoked key or a guessed key id replays nothing.

use super::{Error, Native};
use crate::api::ApiError;
use crate::api::body::MAX_BODY;
use crate::api::dialect::Dialect;
use crate::app::App;
use crate::domain;
use crate::store::{self, idempotency};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use sha2::Digest;

const HEADER: &str = "idempotency-key";
const KEEP_HOURS: i64 = 24;

fn problem(req: ServiceRequest, status: StatusCode, detail: &str) -> ServiceResponse<BoxBody> {
    let e = match status {
        StatusCode::CONFLICT => Error::from(domain::Error::Conflict { resource: "request", field: "Idempotency-Key" }),
        _ => Error::from(domain::Error::invalid("Idempotency-Key", detail)),
    };
    let mut res = e.error_response();
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        *res.status_mut() = status;
    }
    req.into_response(res)
}

/// The middleware (mounted on `/v1`).
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned));
    // A proxied call's key is the platform's to honour (LinkedIn, Stripe-like APIs); its body
    // streams and is never kept here.
    let proxied = req.path().split('/').nth(6) == Some("proxy");
    let (Method::POST, Some(key), false) = (req.method().clone(), key, proxied) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match key {
        Ok(k) if !k.is_empty() && k.len() <= 255 => k,
        _ => return Ok(problem(req, StatusCode::BAD_REQUEST, "must be 1-255 visible ASCII characters")),
    };
    let Some(state) = req.app_data::<web::Data<App>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let scope = match verified_scope(&state, &req).await {
        Ok(scope) => scope,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let hash = match hash_body(&mut req).await {
        Ok(hash) => hash,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let now = chrono::Utc::now();
    let (s, k, hsh, n, old) =
        (scope.clone(), key.clone(), hash.clone(), stamp(now), stamp(now - chrono::Duration::hours(KEEP_HOURS)));
    let claimed =
        state.db.write(move |c| idempotency::claim_key(c, &s, &k, &hsh, &n, &old).map_err(domain::Error::from)).await;
    match claimed {
        Ok(true) => {}
        Ok(false) => return Ok(replay(&state, req, scope, key, &hash).await),
        Err(e) => return Ok(req.into_response(Error::from(e).error_response())),
    }
    let res = next.call(req).await?;
    keep(&state, res, scope, key).await
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The scope a key is kept under: the verified caller's workspace and key. Without a valid
/// key the request is refused here, as the handler would refuse it, before its body is read
/// or anything is stored. (`auth.verify`, not `api::authenticate`: the handler counts the
/// call, once.)
async fn verified_scope(state: &App, req: &ServiceRequest) -> Result<String, Error> {
    let caller = match Native::presented(req.request())? {
        Some(key) => state.auth.verify(&key).await?,
        None => return Err(Error::new(ApiError::MissingKey(Native::MISSING_KEY))),
    };
    Ok(format!("{}:{}", caller.workspace.0, caller.key_id))
}

/// Reads the body (within the deadline and budget every body has) to hash it with the
/// method and URI, and hands it on unchanged.
async fn hash_body(req: &mut ServiceRequest) -> Result<String, Error> {
    let payload = req.take_payload();
    let body = crate::api::body::read_limited(req.request(), payload, MAX_BODY).await?;
    let mut h = sha2::Sha256::new();
    h.update(req.method().as_str());
    h.update(req.uri().to_string());
    h.update(&body);
    req.set_payload(Payload::from(body));
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The answer to a key already claimed: the kept response, or why it cannot be replayed.
async fn replay(state: &App, req: ServiceRequest, scope: String, key: String, hash: &str) -> ServiceResponse<BoxBody> {
    let kept = state.db.read(move |c| idempotency::find_kept(c, &scope, &key).map_err(domain::Error::from)).await;
    match kept {
        Ok(Some(kept)) if kept.request_hash != hash => {
            problem(req, StatusCode::UNPROCESSABLE_ENTITY, "was used with another request; use a new key")
        }
        Ok(Some(kept)) if kept.status == 0 => {
            problem(req, StatusCode::CONFLICT, "is in use by a request still running")
        }
        Ok(Some(kept)) => {
            let Some(body) = state.sealer.open(&kept.body) else {
                log::error!("idempotency: a kept response does not open");
                return problem(req, StatusCode::CONFLICT, "cannot be replayed; use a new key");
            };
            let mut res = HttpResponse::build(StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK));
            if let Some(ct) = kept.content_type {
                res.insert_header((header::CONTENT_TYPE, ct));
            }
            res.insert_header(("idempotent-replayed", "true"));
            req.into_response(res.body(body))
        }
        // Expired between the claim and the read: run it as new next time.
        Ok(None) => problem(req, StatusCode::CONFLICT, "is in use by a request still running"),
        Err(e) => req.into_response(Error::from(e).error_response()),
    }
}

/// Keeps the handler's answer for replay (a 5xx releases the key instead), and returns it.
async fn keep<B: MessageBody>(
    state: &App,
    res: ServiceResponse<B>,
    scope: String,
    key: String,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (http_req, res) = res.into_parts();
    let status = res.status();
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        builder.insert_header((name.clone(), value.clone()));
    }
    let bytes = actix_web::body::to_bytes(res.into_body())
        .await
        .map_err(|_| domain::Error::Internal("response body".into()))
        .map_err(Error::from)?;
    // Sealed at rest like provider tokens; a body that is not text (none of ours) is not kept.
    let sealed = std::str::from_utf8(&bytes).ok().map(|text| state.sealer.seal(text));
    let kept = state
        .db
        .write(move |c| match sealed {
            Some(b) if !status.is_server_error() => {
                idempotency::keep_response(c, &scope, &key, status.as_u16(), content_type.as_deref(), &b)
            }
            _ => idempotency::release_key(c, &scope, &key),
        })
        .await;
    if let Err(e) = kept as Result<(), store::Error> {
        log::error!("idempotency: {e}");
    }
    Ok(ServiceResponse::new(http_req, builder.body(bytes)))
}
