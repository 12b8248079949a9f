//! Cross-origin requests: off unless the operator lists origins (`HITCHPOST_CORS_ORIGINS`).
//!
//! Written here rather than taken from actix-cors because that crate refuses a request whose
//! `Origin` is not listed, and browsers send `Origin` on the connect page's own same-origin
//! POSTs; the browser is what enforces CORS, so an unlisted origin simply gets no
//! `Access-Control-*` headers and the rest of the request is untouched.

use crate::app::App;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

/// Request headers a listed origin may send.
const ALLOW_HEADERS: &str = "authorization, content-type, x-api-key, idempotency-key, profile-key, accept";
/// Response headers a listed origin's scripts may read.
const EXPOSE_HEADERS: &str = "x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, \
     idempotent-replayed, location, x-ratelimit-max, x-ratelimit-count";
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

fn allowed(origins: &[String], origin: &str) -> bool {
    origins.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
}

/// The middleware: answers preflights from listed origins and marks their responses readable.
/// The connect page is same-origin by design and never gets CORS headers.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    let listed = match (&origin, req.app_data::<web::Data<App>>()) {
        (Some(o), Some(state)) => !req.path().starts_with("/connect") && allowed(&state.cors_origins, o),
        _ => false,
    };
    let Some(origin) = origin.filter(|_| listed) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let res = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"))
            .finish();
        return Ok(req.into_response(res));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let h = res.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, header::HeaderValue::from_static(EXPOSE_HEADERS));
    h.append(header::VARY, header::HeaderValue::from_static("Origin"));
    Ok(res)
}
