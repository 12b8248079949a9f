//! The native API (`/v1`): hitchpost's own, a superset of Synposter's (seed 003), with
//! RFC 9457 problem+json errors.

mod accounts;
mod audit;
mod authorize;
mod connect_links;
mod credentials;
mod error;
mod hooks;
mod idempotency;
mod openapi;
mod profiles;
mod proxy;
mod schemas;
mod webhooks;

pub use accounts::AccountBody;
pub use connect_links::CreateConnectLink;
pub use error::Problem;
pub use hooks::NativeHooks;
pub use openapi::{ApiDoc, unmatched};
pub use profiles::{ProfileBody, with_accounts};
pub use webhooks::{DeliveryBody, WebhookBody};

use super::dialect::{ApiKey, Dialect, Failure, need};
use super::{ApiError, presented_key};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

// The OpenAPI patterns below are written out at each field (utoipa takes only literals):
// no control characters (Unicode Cc) nor the invisible and direction-changing characters the
// validators refuse (`domain::check_text`): `^[^\x00-\x1f\x7f-\x9f\u00ad…\ufeff]*$`;
// a visible name, the same with one character that is not whitespace; and for URLs, http(s)
// with a host name, port and plain path — the part of "any absolute http(s) URL" a schema
// can say without a URL parser.

/// Mounts the native routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi::openapi_json).service(
        web::scope("/v1")
            .wrap(actix_web::middleware::from_fn(idempotency::idempotency))
            .wrap(actix_web::middleware::from_fn(super::dialect::limit::<Native, _>))
            // First: actix tries routes in order, each a regex over the path, and these two
            // serve the long paths that are called the most (a platform's every post).
            .route("/profiles/{id}/accounts/{account}/proxy/{path:.*}", web::route().to(proxy::forward))
            .service(credentials::get_credentials)
            .service(profiles::create_profile)
            .service(profiles::list_profiles)
            .service(profiles::get_profile)
            .service(profiles::update_profile)
            .service(profiles::delete_profile)
            .service(connect_links::validate_connect_link)
            .service(connect_links::create_connect_link)
            .service(connect_links::list_connect_links)
            .service(connect_links::revoke_connect_link)
            .service(accounts::list_accounts)
            .service(accounts::link_account)
            .service(accounts::get_account)
            .service(accounts::unlink_account)
            .service(accounts::refresh_account)
            .service(authorize::authorize)
            .service(webhooks::create_webhook)
            .service(webhooks::list_webhooks)
            .service(webhooks::update_webhook)
            .service(webhooks::delete_webhook)
            .service(webhooks::rotate_secret)
            .service(webhooks::ping)
            .service(webhooks::list_deliveries)
            .service(webhooks::redeliver)
            .service(audit::audit_log)
            .default_service(web::to(openapi::unmatched)),
    );
}

/// The native dialect: `Authorization: Bearer KEY` or `x-api-key: KEY`, problem+json errors.
pub struct Native;

impl Dialect for Native {
    const SCHEME: &'static str = "Bearer";
    const KEY_HEADER: Option<&'static str> = Some("x-api-key");
    const MISSING_KEY: &'static str = "an API key is required: send `Authorization: Bearer KEY` or `x-api-key: KEY`";

    fn render(e: &ApiError, status: StatusCode) -> HttpResponse {
        error::render(e, status)
    }

    /// Conflicting credentials are refused rather than one of them picked: an Authorization
    /// header that is not a bearer key, or a bearer and an x-api-key that differ.
    fn presented(req: &HttpRequest) -> Result<Option<String>, ApiError> {
        let bearer = presented_key(req, "Bearer", None);
        let header = presented_key(req, "", Some("x-api-key"));
        let conflict = (req.headers().contains_key(actix_web::http::header::AUTHORIZATION) && bearer.is_none())
            || bearer.zip(header).is_some_and(|(b, h)| b != h);
        if conflict {
            return Err(crate::domain::Error::Unauthorized(
                "the Authorization header is not `Bearer KEY`, or names another key than x-api-key",
            )
            .into());
        }
        Ok(bearer.or(header).map(str::to_owned))
    }
}

/// A native API error.
pub type Error = Failure<Native>;

/// An authenticated native caller.
pub type Auth<S> = ApiKey<Native, S>;

/// Parses `bytes` as each request body this dialect reads, the way its handlers do; the
/// entry point of the `json_bodies` fuzz target (fuzz/), which must never see a panic.
#[doc(hidden)]
pub fn parse_bodies(bytes: &[u8]) {
    use crate::api::body::parse;
    let _ = parse::<profiles::CreateProfile>(bytes).map(|b| b.into_domain());
    let _ = parse::<profiles::UpdateProfile>(bytes).map(|b| b.into_domain());
    let _ = parse::<connect_links::CreateConnectLink>(bytes).map(|b| b.into_domain());
    let _ = parse::<connect_links::ValidateConnectLink>(bytes);
    let _ = parse::<accounts::LinkAccount>(bytes);
    let _ = parse::<authorize::Authorize>(bytes);
    let _ = parse::<webhooks::CreateWebhook>(bytes);
    let _ = parse::<webhooks::UpdateWebhook>(bytes);
}
