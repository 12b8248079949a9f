//! OpenAPI schemas of the names the native API accepts, built from the domain's own lists so
//! that the document cannot drift from what the server takes.

use crate::domain::{audit, platform::Platform, webhooks::EventType};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

fn names(description: &str, values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.into_iter().collect::<Vec<_>>()))
        .into()
}

/// A platform hitchpost links (`twitter` and `google` are also taken, for `x` and `youtube`).
pub struct PlatformName;

impl PartialSchema for PlatformName {
    fn schema() -> RefOr<Schema> {
        names("A platform hitchpost links", Platform::ALL.iter().map(|p| p.as_str()))
    }
}

impl ToSchema for PlatformName {}

/// A platform whose accounts link by consent at the platform (every one but Bluesky, which
/// links with an app password).
pub struct ConsentPlatformName;

impl PartialSchema for ConsentPlatformName {
    fn schema() -> RefOr<Schema> {
        let consent =
            Platform::ALL.iter().filter(|p| crate::service::route(**p, false) == crate::service::Route::Consent);
        names("A platform that links by consent at the platform", consent.map(|p| p.as_str()))
    }
}

impl ToSchema for ConsentPlatformName {}

/// How a route names an account: its id (`acc_` and 32 hex digits) or its platform's name.
pub struct AccountRefName;

impl PartialSchema for AccountRefName {
    fn schema() -> RefOr<Schema> {
        let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The account's id (`acc_…`) or its platform's name"))
            .pattern(Some(format!("^(acc_[0-9a-f]{{32}}|{})$", names.join("|"))))
            .into()
    }
}

impl ToSchema for AccountRefName {}

/// An event type a webhook can subscribe to.
pub struct EventName;

impl PartialSchema for EventName {
    fn schema() -> RefOr<Schema> {
        names("An event type a webhook can subscribe to", EventType::SUBSCRIBABLE.iter().map(|e| e.as_str()))
    }
}

impl ToSchema for EventName {}

/// An action the audit log records.
pub struct AuditAction;

impl PartialSchema for AuditAction {
    fn schema() -> RefOr<Schema> {
        names("An action the audit log records", audit::ACTIONS.iter().copied())
    }
}

impl ToSchema for AuditAction {}

/// The connect page's text replacements: at most 100 keys of 1-100 characters, values up to
/// 500, no control characters in either.
pub struct Labels;

impl PartialSchema for Labels {
    fn schema() -> RefOr<Schema> {
        let no_control =
            r"^[^\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$";
        let value = ObjectBuilder::new().schema_type(Type::String).max_length(Some(500)).pattern(Some(no_control));
        let names = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(100))
            .pattern(Some(no_control));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Replacements for the page's texts, by key"))
            .max_properties(Some(100))
            .property_names(Some(names))
            .additional_properties(Some(value))
            .into()
    }
}

impl ToSchema for Labels {}
