//! `/me`, preferences and notification configuration.

use super::hooks::{self, KIND, NOTIFICATION_EVENTS};
use super::{Auth, Error, State, need, ok};
use crate::api::body;
use crate::domain::settings::{self, WeekStartDay};
use crate::domain::webhooks::formats;
use crate::domain::{self, workspaces};
use crate::providers::net;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

/// `GET /me` -> `{success, message: "Token is valid", email, plan, preferences}`.
pub async fn me(state: State, Auth { caller, .. }: Auth) -> Result<HttpResponse, Error> {
    let ws = caller.workspace;
    let (info, day, email) = state
        .db
        .read(move |c| {
            Ok::<_, domain::Error>((
                workspaces::get(c, ws)?,
                settings::week_start_day(c, ws)?,
                workspaces::owner_email(c, ws)?,
            ))
        })
        .await?;
    Ok(ok(json!({
        "success": true, "message": "Token is valid", "email": email, "plan": info.plan,
        "preferences": { "week_start_day": day },
    })))
}

/// `GET /users/preferences`.
pub async fn preferences(state: State, Auth { caller, .. }: Auth) -> Result<HttpResponse, Error> {
    let day = state.db.read(move |c| settings::week_start_day(c, caller.workspace)).await?;
    Ok(ok(json!({ "success": true, "preferences": { "week_start_day": day } })))
}

/// `POST /users/preferences {week_start_day | weekStartDay}`; an empty body changes nothing.
pub async fn update_preferences(
    state: State,
    Auth { caller, .. }: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: Map<String, Value> = body::json_or_empty(&req, payload).await?;
    let day = b.get("week_start_day").or_else(|| b.get("weekStartDay")).map(WeekStartDay::parse).transpose()?;
    let ws = caller.workspace;
    let day = state
        .db
        .write(move |c| match day {
            Some(d) => settings::set_week_start_day(c, ws, d),
            None => settings::week_start_day(c, ws),
        })
        .await?;
    Ok(ok(json!({ "success": true, "preferences": { "week_start_day": day } })))
}

fn config_body(config: Map<String, Value>) -> HttpResponse {
    let mut body = Map::new();
    body.insert("success".into(), json!(true));
    body.extend(config);
    ok(Value::Object(body))
}

/// `GET /notification-config` (also `/users/notifications`).
pub async fn notifications(
    state: State,
    Auth { caller, .. }: Auth<need::ProfilesWebhooks>,
) -> Result<HttpResponse, Error> {
    let config = state.db.read(move |c| settings::notification_config(c, caller.workspace)).await?;
    Ok(config_body(config))
}

fn string_list(field: &str, v: &Value) -> domain::Result<Vec<String>> {
    let list = v.as_array().ok_or_else(|| domain::Error::invalid(field, "must be a list of strings"))?;
    list.iter()
        .map(|e| {
            e.as_str().map(str::to_owned).ok_or_else(|| domain::Error::invalid(field, "must be a list of strings"))
        })
        .collect()
}

/// Validates the fields Upload-Post clients send; unknown ones are ignored.
fn parse_config(b: Map<String, Value>, allow_private: bool) -> domain::Result<Map<String, Value>> {
    let mut out = Map::new();
    for (k, v) in b {
        match k.as_str() {
            "webhook_url" | "slack_webhook_url" => {
                let url = match &v {
                    Value::Null => Value::Null,
                    Value::String(s) if s.is_empty() => Value::Null,
                    Value::String(s) => json!(
                        net::check_outbound(s, allow_private)
                            .map_err(|why| domain::Error::invalid(&k, why))?
                            .to_string()
                    ),
                    _ => return Err(domain::Error::invalid(&k, "must be a URL")),
                };
                out.insert(k, url);
            }
            "webhook_events" => {
                let events = string_list(&k, &v)?;
                if let Some(bad) = events.iter().find(|e| !NOTIFICATION_EVENTS.contains(&e.as_str())) {
                    return Err(domain::Error::invalid(
                        &k,
                        format!("`{bad}` is not one of {}", NOTIFICATION_EVENTS.join(", ")),
                    ));
                }
                out.insert(k, json!(events));
            }
            "channels" => {
                out.insert(k.clone(), json!(string_list(&k, &v)?));
            }
            "telegram_chat_id" | "whatsapp_to_phone" => {
                if !(v.is_string() || v.is_number() || v.is_null()) {
                    return Err(domain::Error::invalid(&k, "must be a string"));
                }
                out.insert(k, v);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `POST /notification-config` (also `/users/notifications`).
pub async fn update_notifications(
    state: State,
    Auth { caller, .. }: Auth<need::ProfilesWebhooks>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let b: Map<String, Value> = body::json_or_empty(&req, payload).await?;
    let changes = parse_config(b, state.providers.allow_private_outbound)?;
    let ws = caller.workspace;
    let config = state
        .db
        .write(move |c| {
            let config = settings::update_notification_config(c, ws, changes)?;
            // The webhook URL and events become the workspace's Upload-Post subscription.
            let parts = hooks::subscription(&config);
            formats::replace_all(c, ws, KIND, parts.as_ref().map(hooks::as_subscription).as_ref())?;
            Ok::<_, domain::Error>(config)
        })
        .await?;
    Ok(config_body(config))
}

/// `POST /users/notifications/test`: refuses when nothing is configured to receive it.
pub async fn test_notifications(
    state: State,
    Auth { caller, .. }: Auth<need::ProfilesWebhooks>,
) -> Result<HttpResponse, Error> {
    let id = state.db.write(move |c| formats::ping_first(c, caller.workspace, KIND)).await?;
    let id =
        id.ok_or_else(|| domain::Error::invalid("webhook_url", "is not configured: set it before sending a test"))?;
    Ok(ok(json!({ "success": true, "message": "Test notification queued", "delivery_id": id })))
}
