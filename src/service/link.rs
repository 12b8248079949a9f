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
