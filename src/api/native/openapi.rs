//! `GET /openapi.json`: the native API described from the code itself.

use super::error::{FieldProblem, Problem};
use super::{accounts, audit, authorize, connect_links, credentials, profiles, proxy, schemas, webhooks};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get};
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The OpenAPI document of the native API.
#[derive(OpenApi)]
#[openapi(
    info(title = "hitchpost", description = "Profiles, linked social accounts and connect links, self-hosted."),
    paths(
        crate::api::health::healthz,
        profiles::create_profile,
        profiles::list_profiles,
        profiles::get_profile,
        profiles::update_profile,
        profiles::delete_profile,
        connect_links::create_connect_link,
        connect_links::list_connect_links,
        connect_links::revoke_connect_link,
        connect_links::validate_connect_link,
        accounts::list_accounts,
        accounts::link_account,
        accounts::get_account,
        accounts::unlink_account,
        accounts::refresh_account,
        authorize::authorize,
        credentials::get_credentials,
        proxy::forward,
        webhooks::create_webhook,
        webhooks::list_webhooks,
        webhooks::update_webhook,
        webhooks::delete_webhook,
        webhooks::rotate_secret,
        webhooks::ping,
        webhooks::list_deliveries,
        webhooks::redeliver,
        audit::audit_log,
    ),
    components(schemas(Problem, FieldProblem, profiles::ProfileBody, profiles::CreateProfile,
        profiles::UpdateProfile, profiles::ProfileList,
        connect_links::CreateConnectLink, connect_links::ConnectLinkBody, connect_links::ConnectLinkInfo,
        connect_links::ConnectLinkList, connect_links::ValidateConnectLink, connect_links::ValidationBody,
        accounts::AccountBody, accounts::AccountList, accounts::LinkAccount, accounts::RefreshBody, credentials::CredentialsBody,
        authorize::Authorize, authorize::AuthorizationBody,
        webhooks::WebhookBody, webhooks::WebhookList, webhooks::CreateWebhook, webhooks::UpdateWebhook,
        webhooks::DeliveryBody, webhooks::DeliveryList, audit::AuditEntry, audit::AuditPage,
        schemas::PlatformName, schemas::ConsentPlatformName, schemas::AccountRefName, schemas::EventName, schemas::AuditAction, schemas::Labels)),
    modifiers(&Security),
    tags((name = "profiles", description = "End-users of your platform"),
         (name = "connect", description = "Single-use links through which end-users link accounts"),
         (name = "accounts", description = "The social accounts a profile has linked"),
         (name = "webhooks", description = "Signed, durable notifications of profile and account events"),
         (name = "operations", description = "Health of the server")),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme("apiKey", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))));
    }
}

/// The methods the document declares at the route `path` falls on (`GET, POST`), or `None`
/// when no documented route matches it.
fn allowed_methods(path: &str) -> Option<&'static str> {
    static ROUTES: OnceLock<Vec<(actix_web::dev::ResourceDef, String)>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let declared = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let methods: Vec<&str> = declared.iter().filter(|(_, on)| *on).map(|(m, _)| *m).collect();
                (actix_web::dev::ResourceDef::new(template.as_str()), methods.join(", "))
            })
            .collect()
    });
    routes.iter().find(|(def, _)| def.is_match(path)).map(|(_, methods)| methods.as_str())
}

/// What a request no native route took gets: 405 with `Allow` when the path is a documented
/// route and only the method is wrong, else 404; both as problem documents.
pub async fn unmatched(req: HttpRequest) -> HttpResponse {
    let Some(allow) = allowed_methods(req.path()) else {
        return super::Error::from(crate::api::ApiError::RouteNotFound).error_response();
    };
    super::error::method_not_allowed(&req, allow)
}

#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    // Generated once: the document only changes with the binary.
    static DOC: OnceLock<String> = OnceLock::new();
    let doc = DOC.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into()));
    HttpResponse::Ok().content_type("application/json").body(doc.as_str())
}
