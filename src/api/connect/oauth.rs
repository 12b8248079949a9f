//! The OAuth round trip from the page: start (redirect to the provider) and callback.

use super::page::see_other;
use super::{assets, session};
use crate::app::App;
use crate::domain::platform::Platform;
use crate::service;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

fn back_to_page(key: &str, value: &str) -> HttpResponse {
    let q: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(key, value).finish();
    see_other(&format!("/connect/app?{q}"))
}

/// Back to the page with a failure category (`error=refused&platform=x`), which the page
/// explains in the person's language.
fn back_with_error(kind: service::FailureKind, platform: Platform) -> HttpResponse {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", kind.as_str())
        .append_pair("platform", platform.as_str())
        .finish();
    see_other(&format!("/connect/app?{q}"))
}

/// `GET /connect/start/{platform}`: from the page to the provider's consent screen.
pub async fn start(state: web::Data<App>, req: HttpRequest, name: web::Path<String>) -> HttpResponse {
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
    // Only a platform the link offers (its allow-list) can be started from its page.
    let platform = match Platform::parse(&name) {
        Ok(p) if session::offered(&state, &s).contains(&p) => p,
        _ => return back_to_page("error", service::FailureKind::Misconfigured.as_str()),
    };
    if session::attempt(&state, &req, &s).is_err() {
        return back_with_error(service::FailureKind::Limited, platform);
    }
    match service::start_oauth(&state, &s.profile, platform, Some(s.claims.jti.clone()), None).await {
        Ok(auth) => HttpResponse::Found().insert_header(("location", auth.url)).finish(),
        Err(e) => {
            log::warn!("starting the {platform} sign-in: {e}");
            let kind = service::FailureKind::of_error(&e).unwrap_or(service::FailureKind::Misconfigured);
            back_with_error(kind, platform)
        }
    }
}

/// What a provider sends back to the callback.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub iss: Option<String>,
}

impl CallbackQuery {
    /// Reads the callback's query string. A parameter given twice is refused rather than one
    /// copy picked: which `state` or `code` counts must never be a guess an attacker can steer.
    /// Unknown parameters (providers add their own, such as `scope`) are ignored.
    pub fn parse(query: &str) -> Result<Self, String> {
        let mut q = CallbackQuery::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut q.code,
                "state" => &mut q.state,
                "error" => &mut q.error,
                "error_description" => &mut q.error_description,
                "iss" => &mut q.iss,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(format!("the provider sent `{key}` more than once"));
            }
        }
        Ok(q)
    }
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

/// The sentence a person sees on the server's own message page (no language is known there).
fn plain_words(kind: service::FailureKind) -> &'static str {
    use service::FailureKind as K;
    match kind {
        K::Refused => "The platform did not accept the sign-in. Start again from your link.",
        K::Declined => "You declined access. Nothing was linked.",
        K::Expired => "This sign-in was already used, expired or does not match. Start again from your link.",
        K::Unreachable => "The platform could not be reached. Try again in a few minutes.",
        K::Misconfigured => "This server is not set up for this platform. Tell whoever sent you the link.",
        K::Limited => "Too many attempts. Wait a minute, then try again.",
    }
}

/// `GET /connect/callback/{platform}`: the provider sends the person back here.
pub async fn callback(state: web::Data<App>, name: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let Ok(platform) = Platform::parse(&name) else {
        return assets::message(
            StatusCode::NOT_FOUND,
            "Unknown platform",
            "This sign-in does not belong to a platform hitchpost links.",
        );
    };
    let q = match CallbackQuery::parse(req.query_string()) {
        Ok(q) => q,
        Err(why) => return assets::message(StatusCode::BAD_REQUEST, "The sign-in did not work", &why),
    };
    let session_jti = session::current(&state, &req).await.ok().flatten().map(|s| s.claims.jti);
    let cb = service::Callback {
        session_jti,
        state: q.state,
        code: q.code,
        error: q.error,
        error_description: q.error_description,
        iss: q.iss,
    };
    match service::finish_oauth(&state, platform, cb).await {
        Ok((started, account)) => match (started.link_jti, started.return_url) {
            (Some(_), _) => back_to_page("linked", platform.as_str()),
            (None, Some(ret)) => to_return_url(
                &ret,
                &[("status", "success"), ("platform", platform.as_str()), ("accountId", &account.account_id)],
            ),
            (None, None) => assets::message(
                StatusCode::OK,
                &format!("{} is connected", platform.label()),
                "You can close this window.",
            ),
        },
        Err(failure) => match failure.started {
            // The page explains the category in the person's language; the provider's words
            // are in the log.
            Some(s) if s.link_jti.is_some() => back_with_error(failure.kind, platform),
            Some(s) if s.return_url.is_some() => to_return_url(
                s.return_url.as_deref().unwrap_or_default(),
                &[
                    ("status", "error"),
                    ("platform", platform.as_str()),
                    ("error", failure.kind.as_str()),
                    ("message", &failure.message),
                ],
            ),
            _ => assets::message(StatusCode::BAD_REQUEST, "The sign-in did not work", plain_words(failure.kind)),
        },
    }
}
