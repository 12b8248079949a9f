//! The console's webhooks: subscriptions (create, enable or disable, rotate the secret, ping),
//! their recent deliveries, and redelivery. The same service as `/v1/webhooks`.

use super::{Error, Session};
use crate::api::body;
use crate::api::native::{DeliveryBody, WebhookBody};
use crate::app::App;
use crate::domain::webhooks;
use crate::service::{self, webhooks::RawPatch};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    enabled: Option<bool>,
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
}

/// `GET /console/api/webhooks`.
pub async fn list(state: web::Data<App>, s: Session) -> Result<HttpResponse, Error> {
    let ws = s.workspace;
    let list = state.db.read(move |c| webhooks::list(c, ws)).await?;
    let data: Vec<WebhookBody> = list.into_iter().map(|w| WebhookBody::new(w, None)).collect();
    let events: Vec<&str> = webhooks::EventType::SUBSCRIBABLE.iter().map(|e| e.as_str()).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data, "events": events })))
}

/// `POST /console/api/webhooks {url, events, description?}` -> 201 with the secret, once.
pub async fn create(
    state: web::Data<App>,
    s: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: CreateBody = body::json(&req, payload).await?;
    let url = b.url.unwrap_or_default();
    let (w, secret) =
        service::webhooks::create(&state, s.workspace, &url, &b.events.unwrap_or_default(), b.description).await?;
    Ok(HttpResponse::Created().json(WebhookBody::new(w, Some(secret))))
}

/// `PATCH /console/api/webhooks/{id} {enabled?, url?, events?, description?}`.
pub async fn update(
    state: web::Data<App>,
    s: Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: UpdateBody = body::json(&req, payload).await?;
    let raw = RawPatch { url: b.url, events: b.events, description: b.description, enabled: b.enabled };
    let w = service::webhooks::update(&state, s.workspace, id.into_inner(), raw).await?;
    Ok(HttpResponse::Ok().json(WebhookBody::new(w, None)))
}

/// `POST /console/api/webhooks/{id}/rotate-secret`.
pub async fn rotate(state: web::Data<App>, s: Session, id: web::Path<String>) -> Result<HttpResponse, Error> {
    let (secret, until) = service::webhooks::rotate_secret(&state, s.workspace, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "secret": secret, "previousSecretExpiresAt": until })))
}

/// `POST /console/api/webhooks/{id}/ping`.
pub async fn ping(state: web::Data<App>, s: Session, id: web::Path<String>) -> Result<HttpResponse, Error> {
    let (ws, id) = (s.workspace, id.into_inner());
    let delivery = state.db.write(move |c| webhooks::ping(c, ws, &id)).await?;
    Ok(HttpResponse::Accepted().json(json!({ "deliveryId": delivery })))
}

/// `GET /console/api/webhooks/{id}/deliveries`: the recent ones, newest first.
pub async fn deliveries(state: web::Data<App>, s: Session, id: web::Path<String>) -> Result<HttpResponse, Error> {
    let (ws, id) = (s.workspace, id.into_inner());
    let rows = state.db.read(move |c| webhooks::deliveries(c, ws, &id)).await?;
    let data: Vec<DeliveryBody> = rows.into_iter().map(DeliveryBody::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}

/// `POST /console/api/webhooks/{id}/deliveries/{delivery}/redeliver`.
pub async fn redeliver(
    state: web::Data<App>,
    s: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (ws, (id, delivery)) = (s.workspace, path.into_inner());
    let new = state.db.write(move |c| webhooks::redeliver(c, ws, &id, &delivery)).await?;
    Ok(HttpResponse::Accepted().json(json!({ "deliveryId": new })))
}
