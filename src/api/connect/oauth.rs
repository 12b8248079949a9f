//! The OAuth round trip from the page: start (redirect to the provider) and callback.

use super::page::see_other;
use super::{assets, session};
use crate::api::AppState;
use crate::domain::platform::Platform;
use crate::linking;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

fn back_to_page(key: &str, value: &str) -> HttpResponse {
    let q: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(key, value).finish();
    see_other(&format!("/connect/app?{q}"))
}

/// `GET /connect/start/{platform}`: from the page to the provider's consent screen.
pub async fn start(state: web::Data<AppState>, req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let s = match session::current(&state, &req).await {
        Ok(Some(s)) => s,
        _ => {
            return assets::message(
                StatusCode::UNAUTHORIZED,
                "Your session has ended",
                "Open your link again, or ask for a new one.",
            );
        }
    };
    let platform = match Platform::parse(&name) {
        Ok(p) => p,
        Err(e) => return back_to_page("error", &e.to_string()),
    };
    match linking::start_oauth(&state, &s.profile, platform, Some(s.claims.jti.clone()), None).await {
        Ok(url) => HttpResponse::Found().insert_header(("location", url)).finish(),
        Err(e) => back_to_page("error", &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Where a sign-in started by API (not from the page) returns: the caller's return URL.
fn to_return_url(return_url: &str, pairs: &[(&str, &str)]) -> HttpResponse {
    match url::Url::parse(return_url) {
        Ok(mut u) => {
            u.query_pairs_mut().extend_pairs(pairs);
            HttpResponse::SeeOther().insert_header(("location", u.to_string())).finish()
        }
        Err(_) => assets::message(StatusCode::OK, "Done", "You can close this window."),
    }
}

/// `GET /connect/callback/{platform}`: the provider sends the person back here.
pub async fn callback(
    state: web::Data<AppState>,
    name: web::Path<String>,
    q: web::Query<CallbackQuery>,
) -> HttpResponse {
    let Ok(platform) = Platform::parse(&name) else {
        return assets::message(
            StatusCode::NOT_FOUND,
            "Unknown platform",
            "This sign-in does not belong to a platform hitchpost links.",
        );
    };
    let q = q.into_inner();
    match linking::finish_oauth(&state, platform, q.state, q.code, q.error, q.error_description).await {
        Ok((started, _account)) => match (started.link_jti, started.return_url) {
            (Some(_), _) => back_to_page("linked", platform.as_str()),
            (None, Some(ret)) => to_return_url(&ret, &[("status", "success"), ("platform", platform.as_str())]),
            (None, None) => assets::message(
                StatusCode::OK,
                &format!("{} is connected", platform.label()),
                "You can close this window.",
            ),
        },
        Err(failure) => match failure.started {
            Some(s) if s.link_jti.is_some() => back_to_page("error", &failure.message),
            Some(s) if s.return_url.is_some() => to_return_url(
                s.return_url.as_deref().unwrap_or_default(),
                &[("status", "error"), ("platform", platform.as_str()), ("message", &failure.message)],
            ),
            _ => assets::message(StatusCode::BAD_REQUEST, "The sign-in did not work", &failure.message),
        },
    }
}
