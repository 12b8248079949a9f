//! Who is asking, for the audit log: the API key's id, the account holder, or the connect link
//! of the request, with its address. Set for the whole request; a write carries it to the writer.

use super::{client_ip, connect::COOKIE, presented_key};
use crate::app::App;
use crate::auth::api_key;
use crate::auth::jwt::{ConnectClaims, HOLDER_AUDIENCE, HolderClaims, LINK_AUDIENCE, SESSION_AUDIENCE};
use crate::db::{Actor, REQUEST_ACTOR};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

fn who(state: &App, req: &ServiceRequest) -> String {
    let r = req.request();
    for (scheme, header) in [("Bearer", Some("x-api-key")), ("ApiKey", None)] {
        if let Some(k) = presented_key(r, scheme, header) {
            if let Some(p) = api_key::parse(k) {
                return format!("key:{}", p.key_id);
            }
            if let Ok(c) = state.jwt.verify::<HolderClaims>(k, HOLDER_AUDIENCE) {
                return format!("holder:{}", c.sub);
            }
        }
    }
    if let Some(token) =
        url::form_urlencoded::parse(r.query_string().as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v)
        && let Ok(c) = state.jwt.verify::<ConnectClaims>(&token, LINK_AUDIENCE)
    {
        return format!("link:{}", c.jti);
    }
    if let Some(c) = super::console::cookie_holder(state, r) {
        return format!("holder:{}", c.sub);
    }
    if let Some(c) = r.cookie(COOKIE)
        && let Ok(c) = state.jwt.verify::<ConnectClaims>(c.value(), SESSION_AUDIENCE)
    {
        return format!("link:{}", c.jti);
    }
    "anonymous".into()
}

/// The middleware (wraps the whole app).
pub async fn actor(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<App>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let actor = Actor { who: who(&state, &req), ip: Some(client_ip(&state, req.request())) };
    REQUEST_ACTOR.scope(actor, async move { Ok(next.call(req).await?.map_into_boxed_body()) }).await
}
