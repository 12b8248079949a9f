//! The Upload-Post dialect (seed 000) under `/api/uploadposts`: `Authorization: ApiKey KEY`
//! (the scheme in any case), snake_case fields, `{success: false, message}` errors. Profiles
//! are addressed by username; a profile made without one elsewhere answers to its profile key.

mod hooks;
mod jwt;
mod settings;
mod users;

use crate::api::ApiError;
use crate::api::dialect::{ApiKey, Dialect, Failure, need};
use crate::app::App;
use crate::domain::accounts::SocialAccount;
use crate::domain::platform::Platform;
use crate::domain::{self, profiles::Profile};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

/// Mounts `/api/uploadposts`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/uploadposts")
            .route("/me", web::get().to(settings::me))
            .route("/users", web::post().to(users::create))
            .route("/users", web::get().to(users::list))
            .route("/users", web::delete().to(users::delete))
            .route("/users/generate-jwt", web::post().to(jwt::generate))
            .route("/users/validate-jwt", web::post().to(jwt::validate))
            .route("/users/validate-jwt", web::get().to(jwt::validate))
            .route("/users/preferences", web::get().to(settings::preferences))
            .route("/users/preferences", web::post().to(settings::update_preferences))
            .route("/users/notifications", web::get().to(settings::notifications))
            .route("/users/notifications", web::post().to(settings::update_notifications))
            .route("/users/notifications/test", web::post().to(settings::test_notifications))
            .route("/notification-config", web::get().to(settings::notifications))
            .route("/notification-config", web::post().to(settings::update_notifications))
            .route("/notification-config/test", web::post().to(settings::test_notifications))
            .route("/pinterest/boards", web::get().to(users::pinterest_boards))
            .route("/users/{username}", web::get().to(users::get))
            .wrap(actix_web::middleware::from_fn(crate::api::dialect::limit::<UploadPost, _>))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(Error::new(ApiError::RouteNotFound)) })),
    );
}

/// The Upload-Post dialect: `Authorization: ApiKey KEY`, non-2xx `{success: false, message}`.
pub struct UploadPost;

impl Dialect for UploadPost {
    const SCHEME: &'static str = "ApiKey";
    const MISSING_KEY: &'static str = "send your API key as `Authorization: ApiKey YOUR_API_KEY`";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        use domain::Error as D;
        let message = match e {
            ApiError::Domain(D::Invalid { field, reason }) => format!("{} {reason}", snake(field)),
            ApiError::Domain(D::Conflict { field, .. }) if *field == "username" => {
                "A profile with this username already exists".to_string()
            }
            ApiError::Domain(D::Conflict { field, .. }) => format!("{} is already used", snake(field)),
            ApiError::Domain(D::NotFound(what)) => format!("{} not found", capitalize(what)),
            ApiError::Domain(D::PlanLimit { limit }) => {
                format!("Profile limit reached: your plan allows {limit} profiles")
            }
            ApiError::Domain(D::Unauthorized(why)) | ApiError::MissingKey(why) => format!("Unauthorized: {why}"),
            ApiError::Domain(D::Internal(_)) => "Internal server error".to_string(),
            other => other.to_string(),
        };
        HttpResponse::build(status).json(json!({ "success": false, "message": message }))
    }
}

pub use hooks::UploadPostHooks;

/// An Upload-Post error.
pub type Error = Failure<UploadPost>;

/// An authenticated Upload-Post caller.
/// An authenticated Upload-Post caller; its routes need `profiles` unless they say more.
pub type Auth<S = need::Profiles> = ApiKey<UploadPost, S>;

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Upload-Post's name for a native field name (`logoUrl` -> `logo_image`, else snake_case).
fn snake(field: &str) -> String {
    let renamed = match field {
        "logoUrl" => "logo_image",
        "buttonText" => "redirect_button_text",
        "title" => "connect_title",
        "description" => "connect_description",
        "labels" => "ui_labels",
        other => other,
    };
    let field = renamed;
    let mut out = String::new();
    for ch in field.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Upload-Post's date format: `Fri, 02 May 2025 21:43:14 GMT`.
fn http_date(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&chrono::Utc).format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// The name Upload-Post knows a profile by.
pub fn handle(p: &Profile) -> String {
    p.username.clone().unwrap_or_else(|| p.profile_key.clone())
}

/// A profile as Upload-Post shows it: every platform, linked ones with their details.
fn profile_json(p: &Profile, accounts: &[SocialAccount]) -> Map<String, Value> {
    let mut social = Map::new();
    for platform in Platform::ALL {
        let v = match accounts.iter().find(|a| a.platform == platform) {
            Some(a) => json!({
                "display_name": a.display_name, "social_images": a.image_url, "username": a.username,
                "reauth_required": a.needs_reconnect,
            }),
            None => json!(""),
        };
        social.insert(platform.as_str().into(), v);
    }
    let mut m = Map::new();
    m.insert("username".into(), json!(handle(p)));
    m.insert("created_at".into(), json!(http_date(&p.created_at)));
    m.insert("social_accounts".into(), Value::Object(social));
    m
}

fn ok(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// Shared by the handlers: the state, as `Data`.
type State = web::Data<App>;

/// Parses `bytes` as each request body this dialect reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<jwt::GenerateBody>(bytes);
    let _ = parse::<jwt::ValidateBody>(bytes);
    let _ = parse::<users::UsernameBody>(bytes);
    let _ = parse::<serde_json::Map<String, serde_json::Value>>(bytes);
}
