//! Linking a Bluesky account with an app password, against the person's PDS.

use super::{Target, blocking, provider_error, revoke_in_background, sealed};
use crate::app::App;
use crate::domain::accounts::{self, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, profiles};
use crate::providers::{ProviderError, net};

/// What a person gives to link a Bluesky account.
#[derive(Debug, Clone)]
pub struct BlueskyLogin {
    pub handle: String,
    pub app_password: String,
    pub pds_url: Option<String>,
}

impl BlueskyLogin {
    /// Validates the fields (not the credentials: only the PDS can).
    pub fn parse(
        handle: Option<String>,
        app_password: Option<String>,
        pds_url: Option<String>,
        allow_private: bool,
    ) -> domain::Result<Self> {
        let handle = handle.map(|h| h.trim().trim_start_matches('@').to_string()).unwrap_or_default();
        if handle.is_empty() {
            return Err(Error::invalid("handle", "is required"));
        }
        domain::check_text("handle", &handle, 1, 253)?;
        let app_password = app_password.unwrap_or_default();
        if app_password.is_empty() {
            return Err(Error::invalid("appPassword", "is required"));
        }
        domain::check_text("appPassword", &app_password, 1, 256)?;
        let pds_url = match pds_url.filter(|u| !u.trim().is_empty()) {
            Some(u) => Some(
                net::check_outbound(u.trim(), allow_private).map_err(|why| Error::invalid("pdsUrl", why))?.to_string(),
            ),
            None => None,
        };
        Ok(BlueskyLogin { handle, app_password, pds_url })
    }
}

/// Links a Bluesky account with an app password. Wrong credentials store nothing.
pub async fn link_bluesky(
    state: &App,
    ws: WorkspaceId,
    profile_id: &str,
    login: BlueskyLogin,
) -> domain::Result<SocialAccount> {
    Ok(link_bluesky_to(state, ws, Target::Id(profile_id.to_string()), login).await?.1)
}

/// `link_bluesky` for any target; returns the profile too.
pub async fn link_bluesky_to(
    state: &App,
    ws: WorkspaceId,
    target: Target,
    login: BlueskyLogin,
) -> domain::Result<(profiles::Profile, SocialAccount)> {
    // An unknown profile is a 404 before any call leaves the server.
    let check = target.clone();
    state.db.read(move |c| check.check(c, ws)).await?;
    let bluesky = state.providers.bluesky.clone();
    let named_pds = login.pds_url.is_some();
    let linked = blocking(move || bluesky.login(login.pds_url.as_deref(), &login.handle, &login.app_password))
        .await?
        .map_err(|e| match e {
        // A server the caller named and that cannot be reached is their input's fault, not
        // ours: a 400 naming the field rather than a 502.
        ProviderError::Transient(why) if named_pds => {
            log::warn!("linking bluesky: {why}");
            Error::invalid("pdsUrl", format!("could not be reached: {why}"))
        }
        // Its name resolved to a private address when we connected.
        ProviderError::Refused(why) if named_pds && why.contains(net::PRIVATE_REFUSED) => {
            Error::invalid("pdsUrl", net::PRIVATE_REFUSED)
        }
        e => provider_error(Platform::Bluesky, e),
    })?;
    let account = sealed(state, linked);
    let (profile, account, replaced) = state
        .db
        .write(move |c| {
            let profile = target.resolve(c, ws)?;
            let replaced = accounts::find_row(c, &profile, &accounts::AccountRef::Platform(Platform::Bluesky)).ok();
            let a = accounts::link(c, &profile, Platform::Bluesky, account)?;
            Ok::<_, Error>((profile, a, replaced))
        })
        .await?;
    // Each sign-in is a session of its own at the PDS: the one this link replaces is ended,
    // or it would stay valid there with nobody holding it.
    if let Some(old) = replaced {
        revoke_in_background(state, &old);
    }
    Ok((profile, account))
}
