//! Reading JSON request bodies the same way for every dialect: the Content-Type is checked,
//! the size is capped while reading, and a parse error names the field it is about.

use super::ApiError;
use crate::domain;
use actix_web::{HttpRequest, web};
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
pub async fn read(req: &HttpRequest, mut payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(ApiError::PayloadTooLarge(MAX_BODY));
    }
    let mut buf = web::BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| domain::Error::invalid("body", format!("could not be read: {e}")))?;
        if buf.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::PayloadTooLarge(MAX_BODY));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Reads and parses a JSON body into `T`.
pub async fn json<T: DeserializeOwned>(req: &HttpRequest, payload: web::Payload) -> Result<T, ApiError> {
    if !is_json(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = read(req, payload).await?;
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
