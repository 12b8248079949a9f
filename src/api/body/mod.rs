//! Reading JSON request bodies the same way for every dialect: the Content-Type is checked,
//! the size is capped while reading, and a parse error names the field it is about.

use super::{ApiError, client_ip};
use crate::app::App;
use crate::domain;
use crate::ratelimit::bodies::{Admission, Refusal};
use actix_web::{HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use serde::{Deserialize, Deserializer, de::DeserializeOwned};

/// The largest body any JSON route accepts.
pub const MAX_BODY: usize = 1024 * 1024;

/// The deepest nesting of arrays and objects a body may have. Our own bodies need three or
/// four levels and `metadata` a few more; the limit is ours, not serde_json's recursion guard
/// (128), so that the answer is a clear 400 and no parser ever recurses far on hostile input.
pub const MAX_DEPTH: usize = 32;

/// Whether the request says its body is JSON (`application/json` or `application/*+json`).
pub fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(actix_web::http::header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(ct) = ct.to_str() else { return false };
    let essence = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads the whole body, refusing more than `MAX_BODY` bytes.
pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    read_limited(req, payload, MAX_BODY).await
}

/// Reads the whole body, refusing more than `limit` bytes, within the gate's limits: its
/// deadline, the budget of bytes all bodies share, and the bodies one address may send at once.
/// The buffer grows with what arrives, never with what `Content-Length` claims.
pub async fn read_limited<S>(req: &HttpRequest, mut payload: S, limit: usize) -> Result<web::Bytes, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let unread = |e: ApiError| {
        req.extensions_mut().insert(Unread);
        e
    };
    let mut admission = admit(req, limit).map_err(unread)?;
    // Grown by hand so that the budget pays for what is allocated (capacity), not only for
    // what arrived: doubling growth held up to twice the bytes the budget knew of.
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let next = match admission.as_ref().map(|a| a.deadline) {
            Some(deadline) => tokio::time::timeout_at(deadline, payload.next())
                .await
                .map_err(|_| unread(refused(Refusal::TooSlow)))?,
            None => payload.next().await,
        };
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| domain::Error::invalid("body", format!("could not be read: {e}")))?;
        let total = buf.len() + chunk.len();
        if total > limit {
            return Err(unread(ApiError::PayloadTooLarge(limit)));
        }
        if total > buf.capacity() {
            let cap = total.max(buf.capacity().saturating_mul(2)).min(limit.max(total));
            if let Some(a) = admission.as_mut() {
                a.reserve(cap).await.map_err(|r| unread(refused(r)))?;
            }
            buf.reserve_exact(cap - buf.len());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(web::Bytes::from(buf))
}

/// Lets a body in, or says why not: larger than `limit` by its `Content-Length`, or over the
/// gate's limits for its address.
fn admit(req: &HttpRequest, limit: usize) -> Result<Option<Admission>, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let Some(state) = req.app_data::<web::Data<App>>() else { return Ok(None) };
    let address = crate::ratelimit::address_bucket(&client_ip(state, req));
    state.bodies.admit(&address).map(Some).map_err(refused)
}

/// Marks a request whose body was refused before it was all read: its connection is closed
/// after the answer (`close_unread`) instead of actix reading the rest only to discard it.
#[derive(Debug, Clone, Copy)]
struct Unread;

/// Middleware: closes the connection of a request marked `Unread`.
pub async fn close_unread(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    if res.request().extensions().get::<Unread>().is_some() {
        res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}

fn refused(r: Refusal) -> ApiError {
    match r {
        Refusal::TooSlow => domain::Error::invalid("body", "did not arrive in time; send it whole, promptly").into(),
        // Busy is the server's state, not the request's fault: try again in a moment.
        Refusal::Busy => domain::Error::RateLimited { retry_after: 1 }.into(),
    }
}

/// Reads and parses a JSON body into `T`.
pub async fn json<T: DeserializeOwned>(req: &HttpRequest, payload: web::Payload) -> Result<T, ApiError> {
    json_limited(req, payload, MAX_BODY).await
}

/// The most a sign-in or sign-up body needs: a few short strings.
pub const SMALL_BODY: usize = 16 * 1024;

/// `json` for routes whose bodies are small, refusing more than `limit` bytes.
pub async fn json_limited<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    if !is_json(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = read_limited(req, payload, limit).await?;
    Ok(parse(&bytes)?)
}

/// Parses JSON into `T`, naming the field that failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, domain::Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(domain::Error::invalid("body", "a JSON body is required"));
    }
    check_depth(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        field_error(&path, &inner)
    })?;
    de.end().map_err(|e| domain::Error::invalid("body", format!("is not valid JSON: {e}")))?;
    Ok(value)
}

/// Refuses nesting deeper than `MAX_DEPTH` in one pass over the bytes, before any parsing.
pub fn check_depth(bytes: &[u8]) -> Result<(), domain::Error> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(domain::Error::invalid("body", format!("nests deeper than {MAX_DEPTH} levels")));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn field_error(path: &str, e: &serde_json::Error) -> domain::Error {
    let msg = e.to_string();
    // serde reports a missing or unknown field at its parent; name the field itself.
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| msg.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    let field = match (named, path) {
        (Some(name), "." | "") => name.to_string(),
        // serde_path_to_error already ends the path of an unknown field with its name.
        (Some(name), p) if p == name || p.ends_with(&format!(".{name}")) => p.to_string(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, "." | "") => "body".to_string(),
        (None, p) => p.to_string(),
    };
    let reason = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("is not valid JSON: {msg}")
        }
        _ => strip_position(&msg).to_string(),
    };
    domain::Error::Invalid { field, reason }
}

fn strip_position(msg: &str) -> &str {
    msg.rsplit_once(" at line ").map_or(msg, |(m, _)| m)
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// For integer fields: JSON Schema's `integer` takes `60.0` as well as `60`, so a whole number
/// written with a fraction part is taken; `60.5` is refused.
pub fn whole_number<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(de)? else { return Ok(None) };
    if let Some(i) = n.as_i64() {
        return Ok(Some(i));
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        _ => Err(serde::de::Error::custom(format!("must be a whole number, not {n}"))),
    }
}

/// Like `json`, but an empty body (with or without a Content-Type) or a JSON `null` reads as
/// `T::default()`: for routes whose every field is optional.
pub async fn json_or_empty<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let bytes = read(req, payload).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    if !is_json(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if bytes.trim_ascii() == b"null" {
        return Ok(T::default());
    }
    Ok(parse(&bytes)?)
}
