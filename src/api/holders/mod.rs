//! Account holders (seed 004): `/api/auth` (register, login, logout everywhere) and
//! `/api/users` (profile, password, documents, subscription, stats, API keys), authenticated by
//! a session JWT in `Authorization: Bearer`. Errors are `{message}`, or for field validation
//! `{errors: [{msg, param, location}]}`, as the seed shows.

mod documents;
pub(crate) mod keys;
mod profile;
pub(crate) mod sessions;

use crate::api::dialect::{Dialect, Failure};
use crate::api::{ApiError, presented_key, state_of};
use crate::app::App;
use crate::auth::jwt::{HOLDER_AUDIENCE, HolderClaims};
use crate::domain::{self, holders, holders::Holder};
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use serde_json::json;
use std::future::Future;
use std::pin::Pin;

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 7;

/// Mounts `/api/auth` and `/api/users`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/auth")
            .wrap(actix_web::middleware::from_fn(crate::api::dialect::limit::<Holders, _>))
            .route("/register", web::post().to(sessions::register))
            .route("/login", web::post().to(sessions::login))
            .route("/logout-all", web::post().to(sessions::logout_all)),
    )
    .service(
        web::scope("/api/users")
            .wrap(actix_web::middleware::from_fn(crate::api::dialect::limit::<Holders, _>))
            .route("/profile", web::get().to(profile::show))
            .route("/profile", web::put().to(profile::update))
            .route("/password", web::put().to(profile::change_password))
            .route("/subscription", web::get().to(profile::subscription))
            .route("/stats", web::get().to(profile::stats))
            .route("/documents", web::get().to(documents::list))
            .route("/documents", web::post().to(documents::create))
            .route("/documents/{id}", web::put().to(documents::update))
            .route("/documents/{id}", web::delete().to(documents::delete))
            .route("/api-keys", web::get().to(keys::list))
            .route("/api-keys", web::post().to(keys::create))
            .route("/api-keys/{id}", web::delete().to(keys::delete)),
    );
}

/// Fields whose errors the seed words as a plain message rather than a validation list.
const MESSAGE_FIELDS: &[&str] = &["password", "newPassword", "currentPassword"];

/// The account holders' dialect (seed 004): session bearer tokens, express-validator style
/// `{errors: [{msg, param, location}]}` for invalid fields, `{message}` otherwise.
pub struct Holders;

impl Dialect for Holders {
    const SCHEME: &'static str = "Bearer";
    const MISSING_KEY: &'static str = "Unauthorized: the session token is missing, invalid or expired";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        use domain::Error as D;
        let mut res = HttpResponse::build(status);
        let body = match e {
            ApiError::Domain(D::Invalid { field, reason }) if MESSAGE_FIELDS.contains(&field.as_str()) => {
                json!({ "message": reason })
            }
            ApiError::Domain(D::Invalid { field, reason }) => {
                json!({ "errors": [{ "msg": reason, "param": field, "location": "body" }] })
            }
            ApiError::Domain(D::Conflict { field, .. }) if *field == "email" => {
                json!({ "message": "Email already in use" })
            }
            ApiError::Domain(D::Conflict { field, .. }) => {
                json!({ "message": format!("{} already in use", capitalized(field)) })
            }
            ApiError::Domain(D::NotFound(what)) => json!({ "message": format!("{} not found", capitalized(what)) }),
            ApiError::Domain(D::RateLimited { retry_after }) => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
                json!({ "message": "Too many attempts; try again later", "retryAfter": retry_after })
            }
            ApiError::Domain(D::Unauthorized(why)) | ApiError::MissingKey(why) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
                json!({ "message": why })
            }
            ApiError::Domain(D::Internal(_)) => json!({ "message": "Internal server error" }),
            other => json!({ "message": other.to_string() }),
        };
        res.json(body)
    }
}

/// A users API error.
pub type Error = Failure<Holders>;

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Signs a session for a holder; returns the token and when it expires.
pub fn session_token(state: &App, h: &Holder) -> (String, String) {
    let exp = chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS);
    let token = state.jwt.sign(&HolderClaims::new(&h.id, h.session_epoch, exp.timestamp()));
    (token, exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The signed-in holder of a request: a valid, unexpired HS256 session whose epoch is current.
pub struct Session(pub Holder);

impl FromRequest for Session {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let token = presented_key(req, "Bearer", None).map(str::to_owned);
        Box::pin(async move {
            const REFUSED: domain::Error =
                domain::Error::Unauthorized("Unauthorized: the session token is missing, invalid or expired");
            let state = state?;
            let token = token.ok_or(REFUSED)?;
            let claims: HolderClaims = state.jwt.verify(&token, HOLDER_AUDIENCE).map_err(|_| REFUSED)?;
            let holder = state.db.read(move |c| holders::get(c, &claims.sub)).await.map_err(|_| REFUSED)?;
            if holder.session_epoch != claims.epoch {
                return Err(REFUSED.into());
            }
            Ok(Session(holder))
        })
    }
}

/// The seed's user object (camelCase, as `GET /profile` shows it).
fn user_json(h: &Holder) -> serde_json::Value {
    json!({
        "id": h.id, "username": h.username, "email": h.email, "firstName": h.first_name,
        "lastName": h.last_name, "createdAt": h.created_at, "lastLoginAt": h.last_login_at,
    })
}

/// Parses `bytes` as each request body this dialect reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<profile::ProfileBody>(bytes);
    let _ = parse::<profile::PasswordBody>(bytes);
    let _ = parse::<sessions::RegisterBody>(bytes);
    let _ = parse::<sessions::LoginBody>(bytes);
    let _ = parse::<keys::KeyBody>(bytes);
    let _ = parse::<documents::DocumentBody>(bytes);
}
