//! One-time console sign-in links (`hitchpost console-link`), for an operator to let a holder
//! in who lost their password: opening one shows a button, pressing it signs in once.

use super::session::recovery_cookie;
use crate::api::html::escape;
use crate::app::App;
use crate::auth::jwt::{CONSOLE_LINK_AUDIENCE, HolderClaims};
use crate::domain::holders;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
}

const PAGE: &str = include_str!("../../../static/console-link.html");

fn page(status: StatusCode, title: &str, message: &str, token: Option<&str>) -> HttpResponse {
    let form = token.map_or_else(String::new, |t| {
        format!(
            r#"<form method="post" action="/console/link?token={}"><button id="continue" type="submit" class="primary">Sign in</button></form>"#,
            escape(t)
        )
    });
    let html =
        PAGE.replace("{{title}}", &escape(title)).replace("{{message}}", &escape(message)).replace("{{form}}", &form);
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html)
}

fn unusable() -> HttpResponse {
    page(
        StatusCode::GONE,
        "This sign-in link can no longer be used",
        "It was already used, has expired, or a newer one was made. Ask the server's operator for a new one.",
        None,
    )
}

/// The holder and epoch a link's token names, if it verifies and is still unused.
async fn check(state: &App, token: &str) -> Option<HolderClaims> {
    let claims: HolderClaims = state.jwt.verify(token, CONSOLE_LINK_AUDIENCE).ok()?;
    let id = claims.sub.clone();
    let holder = state.db.read(move |c| holders::get(c, &id)).await.ok()?;
    (holder.session_epoch == claims.epoch).then_some(claims)
}

/// `GET /console/link?token=…`: the button, if the link can still be used.
pub async fn open(state: web::Data<App>, q: web::Query<LinkQuery>) -> HttpResponse {
    let Some(token) = q.into_inner().token.filter(|t| !t.is_empty()) else { return unusable() };
    match check(&state, &token).await {
        Some(_) => page(
            StatusCode::OK,
            "Sign in to the console",
            "This link signs you in once and ends your other sessions. Set a new password once you are in.",
            Some(&token),
        ),
        None => unusable(),
    }
}

/// `POST /console/link?token=…` (the button): signs in, once.
pub async fn claim(state: web::Data<App>, req: HttpRequest, q: web::Query<LinkQuery>) -> HttpResponse {
    let cross_site =
        req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site");
    let token = q.into_inner().token.unwrap_or_default();
    let Some(claims) = (!cross_site).then_some(()).and(check(&state, &token).await) else { return unusable() };
    let used = state.db.write(move |c| holders::use_console_link(c, &claims.sub, claims.epoch)).await;
    match used {
        Ok(Some(holder)) => HttpResponse::SeeOther()
            .cookie(recovery_cookie(&state, &holder))
            .insert_header((header::LOCATION, "/console"))
            .finish(),
        Ok(None) => unusable(),
        Err(e) => {
            log::error!("console link: {e}");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Please try again in a moment.", None)
        }
    }
}
