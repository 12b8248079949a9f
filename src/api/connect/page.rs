//! Opening a link: the single-use exchange of a token for a session.

use super::{COOKIE, assets, session};
use crate::app::App;
use crate::auth::jwt::{ConnectClaims, LINK_AUDIENCE, SESSION_AUDIENCE};
use crate::domain::{self, connect};
use actix_web::cookie::{Cookie, SameSite, time::OffsetDateTime};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct OpenQuery {
    token: Option<String>,
}

const USED_TITLE: &str = "This link can no longer be used";

fn refused(refusal: connect::Refusal) -> HttpResponse {
    let (status, text) = match refusal {
        connect::Refusal::Invalid => (StatusCode::BAD_REQUEST, "This link is not valid. Ask for a new one."),
        // A deleted profile reads like a used link: whoever holds the link learns no more.
        _ => (StatusCode::GONE, "This link was already used or has expired. Ask for a new link."),
    };
    log::info!("connect link refused: {}", refusal.reason());
    assets::message(status, USED_TITLE, text)
}

fn server_error(e: domain::Error) -> HttpResponse {
    log::error!("connect: {e}");
    assets::message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Please try again in a moment.")
}

/// `GET /connect?token=…`: checks the link (using nothing up) and shows the button that
/// opens it. A plain GET must not burn a single-use link: mail scanners and chat previews
/// fetch every link they see, and the first fetch would have had the session.
pub async fn open_link(state: web::Data<App>, req: HttpRequest, q: web::Query<OpenQuery>) -> HttpResponse {
    let Some(token) = q.into_inner().token.filter(|t| !t.is_empty()) else {
        // Coming back without a token (a bookmark, a reload): fine while the session lives.
        return match session::current(&state, &req).await {
            Ok(Some(_)) => see_other("/connect/app"),
            _ => assets::message(
                StatusCode::BAD_REQUEST,
                USED_TITLE,
                "Open the link you were given to connect your accounts.",
            ),
        };
    };
    let checked = match unused_link(&state, token.clone()).await {
        Ok(l) => l,
        Err(page) => return page,
    };
    let lang = checked.options.language_for(super::accept_language(&req));
    let title = checked.options.title.clone().unwrap_or_else(|| words(lang).0.to_string());
    assets::open(lang.code(), checked.options.theme.as_str(), &title, words(lang).1, &token)
}

/// The link of `token` if it may still be opened, else the page that says why not.
async fn unused_link(state: &App, token: String) -> Result<connect::CheckedLink, HttpResponse> {
    let jwt = state.jwt.clone();
    match state.db.read(move |c| connect::check(c, &jwt, &token, LINK_AUDIENCE)).await {
        Ok(Ok(l)) if l.used => Err(refused(connect::Refusal::Used)),
        Ok(Ok(l)) => Ok(l),
        Ok(Err(refusal)) => Err(refused(refusal)),
        Err(e) => Err(server_error(e)),
    }
}

/// The button page's default title and its button, per language.
fn words(lang: connect::Language) -> (&'static str, &'static str) {
    use connect::Language as L;
    match lang {
        L::En => ("Connect your accounts", "Continue"),
        L::Es => ("Conecta tus cuentas", "Continuar"),
        L::De => ("Verbinde deine Konten", "Weiter"),
        L::Fr => ("Connectez vos comptes", "Continuer"),
        L::Pt => ("Conecte suas contas", "Continuar"),
        L::Pl => ("Połącz swoje konta", "Dalej"),
        L::Tr => ("Hesaplarını bağla", "Devam et"),
    }
}

/// `POST /connect?token=…` (the button): uses the link up and starts a session.
pub async fn claim_link(state: web::Data<App>, req: HttpRequest, q: web::Query<OpenQuery>) -> HttpResponse {
    // A form another site submits would hand this browser a session of someone else's link.
    let cross_site =
        req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site");
    if cross_site {
        return assets::message(
            StatusCode::FORBIDDEN,
            USED_TITLE,
            "Open the link you were given to connect your accounts.",
        );
    }
    let Some(token) = q.into_inner().token.filter(|t| !t.is_empty()) else {
        return refused(connect::Refusal::Invalid);
    };
    let checked = match unused_link(&state, token).await {
        Ok(l) => l,
        Err(page) => return page,
    };
    let jti = checked.claims.jti.clone();
    match state.db.write(move |c| connect::claim(c, &jti)).await {
        Ok(true) => {}
        // Another browser opened it first, or it lapsed in between.
        Ok(false) => return refused(connect::Refusal::Used),
        Err(e) => return server_error(e),
    }
    let claims = &checked.claims;
    let session = ConnectClaims::new(SESSION_AUDIENCE, &claims.sub, claims.ws, &claims.jti, claims.exp);
    let cookie = Cookie::build(COOKIE, state.jwt.sign(&session))
        .path("/connect")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.public_url.starts_with("https://"))
        .expires(OffsetDateTime::from_unix_timestamp(claims.exp).unwrap_or(OffsetDateTime::UNIX_EPOCH))
        .finish();
    HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, "/connect/app")).finish()
}

/// `GET /connect/app`: the page (it asks `/connect/api/session` what to show).
pub async fn app() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(assets::page())
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}
