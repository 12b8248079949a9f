//! How an account of a platform is linked when a caller asks for it directly: the one place
//! that decides, for every dialect and the connect page.

use crate::domain::platform::Platform;

/// The way a platform's account gets linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A fake account at once (the sandbox).
    Sandbox,
    /// Bluesky: the handle and an app password, checked at the account's PDS.
    AppPassword,
    /// Every other platform: its owner consents at the platform (a redirect or a connect
    /// link), never by credentials handed to this server.
    Consent,
}

/// How `platform` links, when the caller asked for a sandbox account or not.
pub fn route(platform: Platform, sandbox: bool) -> Route {
    match platform {
        _ if sandbox => Route::Sandbox,
        Platform::Bluesky => Route::AppPassword,
        _ => Route::Consent,
    }
}

/// Starts a headless linking: the consent URL for a platform that draws its own UI, with
/// state and PKCE held here; the callback stores the account and returns to `return_url`.
pub async fn authorize(
    state: &crate::app::App,
    ws: crate::domain::workspaces::WorkspaceId,
    profile: &crate::domain::profiles::Profile,
    platform: Platform,
    return_url: Option<String>,
) -> crate::domain::Result<super::Authorization> {
    if route(platform, false) == Route::AppPassword {
        return Err(crate::domain::Error::invalid(
            "platform",
            format!(
                "{} links with a handle and an app password, not by redirect: send them to POST /v1/profiles/{{id}}/accounts",
                platform.label()
            ),
        ));
    }
    super::check_offerable(state, &[platform]).map_err(|e| match e {
        crate::domain::Error::Invalid { reason, .. } => {
            crate::domain::Error::Invalid { field: "platform".into(), reason }
        }
        other => other,
    })?;
    super::consent_url(state, ws, profile, platform, return_url).await
}
