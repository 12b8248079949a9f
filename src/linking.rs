//! The use-cases that cross the network: link, refresh and unlink accounts. Each calls its
//! provider off the async executor and outside any transaction (a slow provider must hold
//! neither a worker nor the one writer), then commits through the domain. Every dialect that
//! links accounts calls these, so the rules live in one place.

use crate::api::AppState;
use crate::domain::accounts::{self, NewAccount, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, connect, profiles};
use crate::providers::{self, LinkMethod, Linked, Provider, ProviderError, Tokens, net};
use crate::store::{self, accounts::AccountRow, connect_links::OAuthStateRow};
use base64::Engine;
use rand::RngExt;
use sha2::Digest;

/// How long a person has to finish an OAuth consent.
const OAUTH_STATE_MINUTES: i64 = 15;
/// After a transient refresh failure, when to try again.
const REFRESH_RETRY_MINUTES: i64 = 5;

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> domain::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(format!("provider task: {e}")))
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
fn sealed(state: &AppState, linked: Linked) -> NewAccount {
    let id = linked.identity;
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
        provider_url: linked.provider_url,
        sandbox: linked.sandbox,
    }
}

async fn store_linked(
    state: &AppState,
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

/// The profile an account is linked to: an existing one, or one made in the same transaction
/// (postcore's auto-create), so a refused sign-in leaves no empty profile behind.
#[derive(Debug, Clone)]
pub enum Target {
    Id(String),
    Key(String),
    New(profiles::NewProfile),
}

impl Target {
    fn resolve(self, c: &store::Conn, ws: WorkspaceId) -> domain::Result<profiles::Profile> {
        match self {
            Target::Id(id) => profiles::get(c, ws, &id),
            Target::Key(key) => profiles::get_by_key(c, ws, &key),
            Target::New(new) => profiles::create(c, ws, new),
        }
    }
}

/// Links a Bluesky account with an app password. Wrong credentials store nothing.
pub async fn link_bluesky(
    state: &AppState,
    ws: WorkspaceId,
    profile_id: &str,
    login: BlueskyLogin,
) -> domain::Result<SocialAccount> {
    Ok(link_bluesky_to(state, ws, Target::Id(profile_id.to_string()), login).await?.1)
}

/// `link_bluesky` for any target; returns the profile too.
pub async fn link_bluesky_to(
    state: &AppState,
    ws: WorkspaceId,
    target: Target,
    login: BlueskyLogin,
) -> domain::Result<(profiles::Profile, SocialAccount)> {
    // An unknown profile is a 404 before any call leaves the server.
    let check = target.clone();
    state
        .db
        .read(move |c| match check {
            Target::New(_) => Ok(()),
            t => t.resolve(c, ws).map(|_| ()),
        })
        .await?;
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
        e => provider_error(Platform::Bluesky, e),
    })?;
    let account = sealed(state, linked);
    state
        .db
        .write(move |c| {
            let profile = target.resolve(c, ws)?;
            let a = accounts::link(c, &profile, Platform::Bluesky, account)?;
            Ok((profile, a))
        })
        .await
}

/// Checks that every platform can be linked on this server; a 400 names what is missing.
pub fn check_offerable(state: &AppState, platforms: &[Platform]) -> domain::Result<()> {
    match platforms.iter().find(|p| state.providers.method(**p) == LinkMethod::Unavailable) {
        Some(p) => Err(Error::invalid("platforms", providers::Providers::missing_credentials(*p))),
        None => Ok(()),
    }
}

/// Links a sandbox account, where the sandbox is enabled.
pub async fn link_sandbox(
    state: &AppState,
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

fn random_string(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| rng.sample(rand::distr::Alphanumeric) as char).collect()
}

/// The OAuth redirect URI of a platform on this server.
pub fn redirect_uri(state: &AppState, platform: Platform) -> String {
    format!("{}/connect/callback/{}", state.public_url, platform.as_str())
}

/// Starts an OAuth authorization for a profile: records state and PKCE verifier, returns the
/// provider URL to send the person to.
pub async fn start_oauth(
    state: &AppState,
    profile: &profiles::Profile,
    platform: Platform,
    link_jti: Option<String>,
    return_url: Option<String>,
) -> domain::Result<String> {
    let provider = state.providers.oauth(platform).ok_or_else(|| match state.providers.method(platform) {
        LinkMethod::Credentials => Error::invalid(
            "platform",
            format!("{} links with a handle and an app password, not by redirect", platform.label()),
        ),
        _ => Error::invalid("platform", providers::Providers::missing_credentials(platform)),
    })?;
    let verifier = random_string(64);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let oauth_state = random_string(32);
    let url = provider
        .authorize_url(&oauth_state, &challenge, &redirect_uri(state, platform))
        .ok_or_else(|| Error::Internal(format!("the authorize URL of {platform} is not a URL")))?;
    let now = chrono::Utc::now();
    let row = OAuthStateRow {
        state: oauth_state,
        profile_seq: profile.seq,
        platform: platform.as_str().into(),
        pkce_verifier: verifier,
        link_jti,
        return_url,
        created_at: store::now(),
        expires_at: (now + chrono::Duration::minutes(OAUTH_STATE_MINUTES))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    state.db.write(move |c| store::connect_links::insert_oauth_state(c, &row).map_err(Error::from)).await?;
    Ok(url)
}

/// Where to send a person to link an account of `platform` by redirect.
pub enum Consent {
    /// The provider's consent screen (credentials are configured).
    Provider(String),
    /// A connect link's token for this platform alone (the sandbox).
    ConnectLink(String),
}

/// Starts linking by redirect for a profile: with credentials, straight to the provider; in the
/// sandbox, a connect link for this platform alone. Either way no API key goes into the URL.
pub async fn consent_url(
    state: &AppState,
    ws: WorkspaceId,
    profile: &profiles::Profile,
    platform: Platform,
    return_url: Option<String>,
) -> domain::Result<Consent> {
    if state.providers.method(platform) == LinkMethod::OAuth {
        return Ok(Consent::Provider(start_oauth(state, profile, platform, None, return_url).await?));
    }
    check_offerable(state, &[platform])?;
    let new = connect::NewLink::parse(connect::RawLinkOptions {
        redirect_url: return_url,
        platforms: Some(vec![platform.as_str().into()]),
        ..Default::default()
    })?;
    let (jwt, prof) = (state.jwt.clone(), profile.clone());
    let link = state.db.write(move |c| connect::create(c, &jwt, ws, &prof, new)).await?;
    Ok(Consent::ConnectLink(link.token))
}

/// Why an OAuth callback did not link an account, in words for the person.
#[derive(Debug, Clone)]
pub struct CallbackFailure {
    /// The authorization it belonged to, when the state was good (to know where to go back).
    pub started: Option<OAuthStateRow>,
    pub message: String,
}

/// Finishes an OAuth authorization: checks state (single use), exchanges the code (PKCE),
/// reads the identity, stores the account.
pub async fn finish_oauth(
    state: &AppState,
    platform: Platform,
    oauth_state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
) -> Result<(OAuthStateRow, SocialAccount), CallbackFailure> {
    let fail = |started: Option<OAuthStateRow>, message: String| CallbackFailure { started, message };
    let Some(oauth_state) = oauth_state.filter(|s| !s.is_empty()) else {
        log::warn!("oauth callback for {platform} without state");
        return Err(fail(None, "The sign-in answer had no state; start again from your link.".into()));
    };
    let taken = state
        .db
        .write(move |c| store::connect_links::take_oauth_state(c, &oauth_state).map_err(Error::from))
        .await
        .map_err(|e| fail(None, format!("Something failed on the server: {e}")))?;
    let Some(started) = taken else {
        log::warn!("oauth callback for {platform} with an unknown or used state");
        return Err(fail(None, "This sign-in was already used or does not match; start again from your link.".into()));
    };
    if started.platform != platform.as_str() || started.expires_at < store::now() {
        log::warn!("oauth callback for {platform}: state for {} or expired", started.platform);
        return Err(fail(Some(started), "This sign-in expired or does not match; try connecting again.".into()));
    }
    if let Some(err) = error {
        let desc = error_description.unwrap_or_default();
        log::warn!("oauth callback for {platform}: the provider answered {err} ({desc})");
        let message = if err == "access_denied" {
            format!("You declined access at {}. Nothing was linked.", platform.label())
        } else {
            format!("{} answered with an error ({err}). Nothing was linked.", platform.label())
        };
        return Err(fail(Some(started), message));
    }
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Err(fail(Some(started), format!("{} did not send an authorization code.", platform.label())));
    };
    let providers = state.providers.clone();
    let verifier = started.pkce_verifier.clone();
    let redirect = redirect_uri(state, platform);
    let exchanged = blocking(move || match providers.oauth(platform) {
        Some(p) => p.exchange_code(&code, &verifier, &redirect),
        None => Err(ProviderError::NotConfigured(providers::Providers::missing_credentials(platform))),
    })
    .await;
    let linked = match exchanged {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => {
            log::warn!("oauth callback for {platform}: {e}");
            return Err(fail(Some(started), format!("{} did not accept the sign-in: {e}", platform.label())));
        }
        Err(e) => return Err(fail(Some(started), e.to_string())),
    };
    let account = sealed(state, linked);
    let seq = started.profile_seq;
    let stored = state
        .db
        .write(move |c| {
            let profile = store::profiles::find_profile_by_seq(c, seq)?.ok_or(Error::NotFound("profile"))?;
            accounts::link(c, &profile.into(), platform, account)
        })
        .await;
    match stored {
        Ok(a) => Ok((started, a)),
        Err(e) => Err(fail(Some(started), format!("The account could not be saved: {e}"))),
    }
}

/// Unlinks an account and, best effort, revokes its tokens at the provider.
pub async fn unlink(state: &AppState, ws: WorkspaceId, profile_id: &str, platform: Platform) -> domain::Result<()> {
    let id = profile_id.to_string();
    let row = state
        .db
        .write(move |c| {
            let profile = profiles::get(c, ws, &id)?;
            accounts::unlink(c, &profile, platform)
        })
        .await?;
    if let Some(tokens) = open_tokens(state, &row)
        && !row.sandbox
    {
        let providers = state.providers.clone();
        let provider_url = row.provider_url.clone();
        // Not awaited: the account is unlinked here whatever the provider says.
        tokio::task::spawn_blocking(move || {
            if let Some(p) = providers.for_platform(platform) {
                p.revoke(&tokens, provider_url.as_deref());
            }
        });
    }
    Ok(())
}

fn open_tokens(state: &AppState, row: &AccountRow) -> Option<Tokens> {
    Some(Tokens {
        access_token: state.sealer.open(row.access_token.as_deref()?)?,
        refresh_token: row.refresh_token.as_deref().and_then(|t| state.sealer.open(t)),
        expires_at: None,
    })
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    Refreshed,
    /// A transient failure: still linked, tried again later.
    Postponed(String),
    /// A definite refusal: the person must reconnect.
    NeedsReconnect(String),
}

/// Refreshes one account's tokens (the background refresher and the refresh endpoint).
pub async fn refresh(state: &AppState, row: AccountRow) -> domain::Result<RefreshOutcome> {
    let platform = Platform::parse(&row.platform)?;
    let Some(refresh_token) = row.refresh_token.as_deref().and_then(|t| state.sealer.open(t)) else {
        return Err(Error::invalid("platform", format!("this {} account has no refresh token", platform.label())));
    };
    let providers = state.providers.clone();
    let provider_url = row.provider_url.clone();
    let result = blocking(move || match providers.for_platform(platform) {
        Some(p) => p.refresh(&refresh_token, provider_url.as_deref()),
        None => Err(ProviderError::Transient(providers::Providers::missing_credentials(platform))),
    })
    .await?;
    let id = row.id;
    match result {
        Ok(tokens) => {
            let access = state.sealer.seal(&tokens.access_token);
            let refresh = tokens.refresh_token.as_deref().map(|t| state.sealer.seal(t));
            let expires = tokens.expires_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            state
                .db
                .write(move |c| accounts::record_refresh(c, id, &access, refresh.as_deref(), expires.as_deref()))
                .await?;
            log::info!("refreshed the {platform} account {id}");
            Ok(RefreshOutcome::Refreshed)
        }
        Err(ProviderError::Refused(why)) | Err(ProviderError::Denied(_, why)) => {
            log::warn!("the {platform} account {id} must reconnect: {why}");
            let reason = why.clone();
            state.db.write(move |c| accounts::mark_needs_reconnect(c, id, &reason)).await?;
            Ok(RefreshOutcome::NeedsReconnect(why))
        }
        Err(ProviderError::Transient(why)) | Err(ProviderError::NotConfigured(why)) => {
            log::warn!("refreshing the {platform} account {id} failed for now: {why}");
            let at = (chrono::Utc::now() + chrono::Duration::minutes(REFRESH_RETRY_MINUTES))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            state
                .db
                .write(move |c| store::accounts::update_account_next_refresh(c, id, &at).map_err(Error::from))
                .await?;
            Ok(RefreshOutcome::Postponed(why))
        }
    }
}

/// Refreshes one of the workspace's accounts now.
pub async fn refresh_now(
    state: &AppState,
    ws: WorkspaceId,
    profile_id: &str,
    platform: Platform,
) -> domain::Result<(RefreshOutcome, SocialAccount)> {
    let id = profile_id.to_string();
    let row = state
        .db
        .read(move |c| {
            let profile = profiles::get(c, ws, &id)?;
            accounts::find_row(c, &profile, platform)
        })
        .await?;
    let account_id = row.id;
    let outcome = refresh(state, row).await?;
    let account = state.db.read(move |c| accounts::get_by_id(c, account_id)).await?;
    Ok((outcome, account))
}

/// Refreshes every account whose tokens lapse within `window`; returns how many it tried.
pub async fn refresh_due(state: &AppState, window: chrono::Duration) -> domain::Result<usize> {
    let now = chrono::Utc::now();
    let before = (now + window).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let now_s = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let expired_before = now_s.clone();
    state
        .db
        .write(move |c| store::connect_links::delete_expired_oauth_states(c, &expired_before).map_err(Error::from))
        .await?;
    let due = state
        .db
        .read(move |c| store::accounts::list_accounts_due_for_refresh(c, &before, &now_s, 100).map_err(Error::from))
        .await?;
    let n = due.len();
    for row in due {
        if let Err(e) = refresh(state, row).await {
            log::warn!("refresh: {e}");
        }
    }
    Ok(n)
}
