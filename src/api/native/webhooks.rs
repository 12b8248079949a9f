//! `/v1/webhooks`: native subscriptions, signed the Standard Webhooks way.

use super::{Auth, Error, Problem, need};
use crate::api::body;
use crate::app::App;
use crate::domain::webhooks::{self, Webhook};
use crate::service::{self, webhooks::RawPatch};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A subscription. `secret` appears once, when it is made or rotated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookBody {
    id: String,
    url: String,
    events: Vec<String>,
    description: Option<String>,
    enabled: bool,
    /// Why the subscription was switched off, if it was.
    disabled_reason: Option<String>,
    consecutive_failures: i64,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl WebhookBody {
    pub(crate) fn new(w: Webhook, secret: Option<String>) -> Self {
        WebhookBody {
            id: w.id,
            url: w.url,
            events: w.events,
            description: w.description,
            enabled: w.enabled,
            disabled_reason: w.disabled_reason,
            consecutive_failures: w.consecutive_failures,
            created_at: w.created_at,
            updated_at: w.updated_at,
            secret,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    data: Vec<WebhookBody>,
}

/// The body of `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where events are sent: an absolute http(s) URL.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$"
    )]
    url: String,
    #[schema(value_type = Vec<super::schemas::EventName>, min_items = 1)]
    events: Vec<String>,
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    description: Option<String>,
}

/// The body of `PATCH /v1/webhooks/{id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$"
    )]
    url: Option<String>,
    #[schema(value_type = Option<Vec<super::schemas::EventName>>, min_items = 1)]
    events: Option<Vec<String>>,
    #[schema(
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$"
    )]
    description: Option<String>,
    enabled: Option<bool>,
}

/// A delivery attempt record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryBody {
    id: String,
    event_id: String,
    event_type: String,
    /// `pending`, `succeeded` or `failed` (retries exhausted).
    status: String,
    attempts: i64,
    response_code: Option<i64>,
    latency_ms: Option<i64>,
    last_error: Option<String>,
    next_attempt_at: Option<String>,
    created_at: String,
    updated_at: String,
}

impl From<webhooks::Delivery> for DeliveryBody {
    fn from(d: webhooks::Delivery) -> Self {
        DeliveryBody {
            next_attempt_at: (d.status == "pending").then_some(d.next_attempt_at),
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            response_code: d.last_status,
            latency_ms: d.last_latency_ms,
            last_error: d.last_error,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    data: Vec<DeliveryBody>,
}

#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", request_body = CreateWebhook,
    responses(
        (status = 201, description = "The subscription, with its signing secret (shown once). A host name is not looked up here: each delivery resolves it and refuses a private address then", body = WebhookBody),
        (status = 400, description = "A bad URL (or a literal private address) or an unknown event", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The workspace has 20 subscriptions, the most it may have", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: CreateWebhook = body::json(&req, payload).await?;
    let (w, secret) = service::webhooks::create(&state, caller.workspace, &b.url, &b.events, b.description).await?;
    Ok(HttpResponse::Created().json(WebhookBody::new(w, Some(secret))))
}

#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "The workspace's subscriptions, with why any is switched off", body = WebhookList),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
) -> Result<HttpResponse, Error> {
    let list = state.db.read(move |c| webhooks::list(c, caller.workspace)).await?;
    Ok(HttpResponse::Ok().json(WebhookList { data: list.into_iter().map(|w| WebhookBody::new(w, None)).collect() }))
}

#[utoipa::path(patch, path = "/v1/webhooks/{id}", tag = "webhooks", request_body = UpdateWebhook,
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "The subscription", body = WebhookBody),
        (status = 400, description = "A field failed validation", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: UpdateWebhook = body::json(&req, payload).await?;
    let raw = RawPatch { url: b.url, events: b.events, description: b.description, enabled: b.enabled };
    let w = service::webhooks::update(&state, caller.workspace, id.into_inner(), raw).await?;
    Ok(HttpResponse::Ok().json(WebhookBody::new(w, None)))
}

#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 204, description = "Deleted, with its pending deliveries"),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    state.db.write(move |c| webhooks::delete(c, caller.workspace, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "The new secret (shown once); the old one signs alongside it until previousSecretExpiresAt", body = Object),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (secret, until) = service::webhooks::rotate_secret(&state, caller.workspace, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "secret": secret, "previousSecretExpiresAt": until })))
}

#[utoipa::path(post, path = "/v1/webhooks/{id}/ping", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 202, description = "A `webhook.ping` event is queued for this subscription", body = Object),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[post("/webhooks/{id}/ping")]
pub async fn ping(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let delivery = state.db.write(move |c| webhooks::ping(c, caller.workspace, &id)).await?;
    Ok(HttpResponse::Accepted().json(json!({ "deliveryId": delivery })))
}

#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "Recent deliveries, newest first", body = DeliveryList),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let rows = state.db.read(move |c| webhooks::deliveries(c, caller.workspace, &id)).await?;
    Ok(HttpResponse::Ok().json(DeliveryList { data: rows.into_iter().map(DeliveryBody::from).collect() }))
}

#[utoipa::path(post, path = "/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id"), ("deliveryId" = String, Path, description = "A delivery of it")),
    responses((status = 202, description = "The same event is queued again", body = Object),
        (status = 401, description = "Missing, invalid or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The API key lacks the `webhooks` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription or delivery", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = ["webhooks"]), ("apiKey" = ["webhooks"])))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<App>,
    Auth { caller, .. }: Auth<need::Webhooks>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (id, delivery_id) = path.into_inner();
    let new = state.db.write(move |c| webhooks::redeliver(c, caller.workspace, &id, &delivery_id)).await?;
    Ok(HttpResponse::Accepted().json(json!({ "deliveryId": new })))
}
