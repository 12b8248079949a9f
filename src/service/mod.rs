//! The use-cases that cross the network: link, refresh and unlink accounts. Each calls its
//! provider off the async executor and outside any transaction (a slow provider must hold
//! neither a worker nor the one writer), then commits through the domain. Every dialect that
//! links accounts calls these, so the rules live in one place.

use crate::app::App;
use crate::domain::accounts::{self, AccountRef, NewAccount, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, profiles};
use crate::providers::{self, LinkMethod, Linked, ProviderError};
use crate::store;

mod bluesky;
mod connect_links;
mod credentials;
pub mod link;
mod oauth;
pub mod proxy;
mod refresh;
pub mod webhooks;

pub use bluesky::{BlueskyLogin, link_bluesky, link_bluesky_to};
pub use connect_links::{Issued, issue, link_url};
pub use credentials::{Fresh, MAX_MIN_VALIDITY, fresh, read_credentials, refresh_after_refusal};
pub use link::{Route, authorize, route};
pub use oauth::{Authorization, Callback, CallbackFailure, consent_url, finish_oauth, redirect_uri, start_oauth};
use refresh::open_tokens;
pub use refresh::{refresh, refresh_due, refresh_now};

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> domain::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(format!("provider task: {e}")))
}

/// Why linking did not work, in the few categories the connect page explains to a person in
/// their language. The provider's own words stay in the API's answer, the log and the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The platform refused (wrong password, an invalid or reused code).
    Refused,
    /// The person said no at the platform's consent screen.
    Declined,
    /// The sign-in is too old, already used, or not this server's.
    Expired,
    /// The platform could not be reached or failed; later may work.
    Unreachable,
    /// This server is not set up right for the platform.
    Misconfigured,
    /// Too many attempts from this session or address.
    Limited,
}

impl FailureKind {
    /// The word the page translates.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Refused => "refused",
            FailureKind::Declined => "declined",
            FailureKind::Expired => "expired",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Misconfigured => "misconfigured",
            FailureKind::Limited => "limited",
        }
    }

    /// The category a stable code names (what `as_str` gives).
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Refused, Self::Declined, Self::Expired, Self::Unreachable, Self::Misconfigured, Self::Limited]
            .into_iter()
            .find(|k| k.as_str() == code)
    }

    /// The category of a provider's answer.
    pub fn of(e: &ProviderError) -> Self {
        match e {
            ProviderError::Refused(_) => FailureKind::Refused,
            ProviderError::Denied(..) => FailureKind::Declined,
            ProviderError::Transient(_) => FailureKind::Unreachable,
            ProviderError::NotConfigured(_) => FailureKind::Misconfigured,
        }
    }

    /// The category of a domain error from linking, if it is a linking failure at all.
    pub fn of_error(e: &Error) -> Option<Self> {
        match e {
            Error::Credentials(_) => Some(FailureKind::Refused),
            Error::Upstream(_) => Some(FailureKind::Unreachable),
            Error::Invalid { field, reason } if field == "pdsUrl" && reason.starts_with("could not be reached") => {
                Some(FailureKind::Unreachable)
            }
            Error::Internal(_) => Some(FailureKind::Misconfigured),
            _ => None,
        }
    }
}

fn provider_error(platform: Platform, e: ProviderError) -> Error {
    log::warn!("linking {platform}: {e}");
    match e {
        ProviderError::Refused(why) | ProviderError::Denied(_, why) => Error::Credentials(why),
        ProviderError::Transient(why) => Error::Upstream(why),
        ProviderError::NotConfigured(why) => Error::invalid("platform", why),
    }
}

/// Seals a provider's answer into an account to store.
fn sealed(state: &App, linked: Linked) -> NewAccount {
    let id = linked.identity.cleaned();
    NewAccount {
        platform_user_id: id.platform_user_id,
        username: id.username,
        display_name: id.display_name,
        profile_url: id.profile_url,
        image_url: id.image_url,
        account_type: id.account_type,
        details: id.details,
        access_token: Some(state.sealer.seal(&linked.tokens.access_token)),
        refresh_token: linked.tokens.refresh_token.as_deref().map(|t| state.sealer.seal(t)),
        expires_at: linked.tokens.expires_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        refresh_expires_at: linked
            .tokens
            .refresh_expires_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        provider_url: linked.provider_url,
        sandbox: linked.sandbox,
        scopes: linked.tokens.scopes,
    }
}

async fn store_linked(
    state: &App,
    ws: WorkspaceId,
    profile_id: &str,
    platform: Platform,
    account: NewAccount,
) -> domain::Result<SocialAccount> {
    let id = profile_id.to_string();
    state
        .db
        .write(move |c| {
            let profile = profiles::get(c, ws, &id)?;
            accounts::link(c, &profile, platform, account)
        })
        .await
}

/// The profile an account is linked to: an existing one, or one made in the same transaction
/// (postcore's auto-create), so a refused sign-in leaves no empty profile behind.
#[derive(Debug, Clone)]
pub enum Target {
    Id(String),
    Key(String),
    /// Upload-Post's name for a profile: its username, else its profile key.
    Handle(String),
    New(profiles::NewProfile),
}

impl Target {
    /// An unknown profile is a 404 before anything else happens (a new one may always be made).
    fn check(&self, c: &store::Conn, ws: WorkspaceId) -> domain::Result<()> {
        match self {
            Target::Id(id) => profiles::get(c, ws, id).map(drop),
            Target::Key(key) => profiles::get_by_key(c, ws, key).map(drop),
            Target::Handle(h) => profiles::get_by_handle(c, ws, h).map(drop),
            Target::New(_) => Ok(()),
        }
    }

    /// The stored profile, created first when it is new (in the writer's transaction).
    pub fn resolve(self, c: &crate::db::Tx, ws: WorkspaceId) -> domain::Result<profiles::Profile> {
        match self {
            Target::Id(id) => profiles::get(c, ws, &id),
            Target::Key(key) => profiles::get_by_key(c, ws, &key),
            Target::Handle(h) => profiles::get_by_handle(c, ws, &h),
            Target::New(new) => profiles::create(c, ws, new),
        }
    }
}

/// Checks that every platform can be linked on this server; a 400 names what is missing.
pub fn check_offerable(state: &App, platforms: &[Platform]) -> domain::Result<()> {
    match platforms.iter().find(|p| state.providers.method(**p) == LinkMethod::Unavailable) {
        Some(p) => Err(Error::invalid("platforms", providers::Providers::missing_credentials(*p))),
        None => Ok(()),
    }
}

/// Links a sandbox account, where the sandbox is enabled.
pub async fn link_sandbox(
    state: &App,
    ws: WorkspaceId,
    profile_id: &str,
    platform: Platform,
) -> domain::Result<SocialAccount> {
    if !state.providers.sandbox {
        return Err(Error::invalid(
            "sandbox",
            "sandbox accounts are not enabled on this server (start it with --dev or HITCHPOST_SANDBOX=true)",
        ));
    }
    let avatar = format!("{}/connect/assets/avatar.svg", state.public_url);
    let linked = providers::sandbox::link(platform, profile_id, &avatar);
    store_linked(state, ws, profile_id, platform, sealed(state, linked)).await
}

/// Deletes a profile (found by `find`) and, best effort, revokes the provider grants of the
/// accounts it had: deleting an end-user must not leave their tokens alive at the platforms.
pub async fn delete_profile(
    state: &App,
    ws: WorkspaceId,
    find: impl FnOnce(&store::Conn, WorkspaceId) -> domain::Result<profiles::Profile> + Send + 'static,
) -> domain::Result<profiles::Profile> {
    let (profile, rows) = state
        .db
        .write(move |c| {
            let profile = find(c, ws)?;
            let rows = store::accounts::list_accounts(c, profile.seq)?;
            profiles::delete(c, ws, &profile.id)?;
            Ok::<_, Error>((profile, rows))
        })
        .await?;
    for row in rows {
        revoke_in_background(state, &row);
    }
    Ok(profile)
}

/// Revokes an account's tokens at its provider after the answer has gone (the account is gone
/// here whatever the provider says).
fn revoke_in_background(state: &App, row: &store::accounts::AccountRow) {
    let (Some(tokens), Ok(platform)) = (open_tokens(state, row), Platform::parse(&row.platform)) else { return };
    if row.sandbox {
        return;
    }
    let providers = state.providers.clone();
    let provider_url = row.provider_url.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(p) = providers.for_platform(platform) {
            p.revoke(&tokens, provider_url.as_deref());
        }
    });
}

/// Unlinks an account and, best effort, revokes its tokens at the provider.
pub async fn unlink(state: &App, ws: WorkspaceId, profile_id: &str, which: AccountRef) -> domain::Result<()> {
    let id = profile_id.to_string();
    let row = state
        .db
        .write(move |c| {
            let profile = profiles::get(c, ws, &id)?;
            accounts::unlink(c, &profile, &which)
        })
        .await?;
    revoke_in_background(state, &row);
    Ok(())
}
