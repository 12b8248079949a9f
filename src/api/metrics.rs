//! `GET /metrics`: Prometheus text, for loopback callers (unless behind a proxy), or anyone
//! presenting `Authorization: Bearer <HITCHPOST_METRICS_TOKEN>` when that is set. And the middleware that
//! counts every request.

use crate::app::App;
use crate::store;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};

pub async fn metrics(state: web::Data<App>, req: HttpRequest) -> HttpResponse {
    // Behind a proxy on this machine every client's connection comes from loopback: then only
    // the token opens the metrics.
    let loopback = !state.settings.trust_proxy && req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    let token_ok = state.settings.metrics_token.as_deref().is_some_and(|t| {
        let given = super::presented_key(&req, "Bearer", None).unwrap_or_default();
        // Compared in constant time: a scraper's token is a secret.
        given.len() == t.len() && given.bytes().zip(t.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    });
    if !loopback && !token_ok {
        return HttpResponse::NotFound().finish();
    }
    let queue = state
        .db
        .read(|c| store::webhooks::count_pending_deliveries(c).map_err(crate::domain::Error::from))
        .await
        .unwrap_or(-1);
    let body = state.db.metrics().render(state.auth.counts(), queue);
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body)
}

/// Counts each request under its route pattern (never the raw path, which holds ids).
pub async fn count(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let state = req.app_data::<web::Data<App>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    if let Some(state) = state {
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
        state.db.metrics().request(&route, res.status().as_u16(), started.elapsed().as_secs_f64());
    }
    Ok(res)
}
