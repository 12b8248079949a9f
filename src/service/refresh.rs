//! Keeping tokens alive: refresh one account now, or every account about to lapse.
//!
//! One refresh per account at a time, whoever asks (the endpoint, the background refresher,
//! two workers): with rotating refresh tokens (OAuth 2.0 Security BCP; X, oidc-provider, a
//! Bluesky PDS) a second request with the same token is a reuse, and the provider answers it
//! by revoking the whole grant. Callers that arrive while a refresh runs wait for it and share
//! its outcome. Each outcome is written only if the account still has the tokens the refresh
//! started from (`token_generation`), so a stale refusal can never undo a newer success.

use super::blocking;
use crate::app::App;
use crate::domain::accounts::{self, AccountRef, RefreshOutcome, RefreshedTokens, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, profiles};
use crate::providers::{self, ProviderError, Tokens};
use crate::store::{self, accounts::AccountRow};

/// After a transient refresh failure, when to try again.
const REFRESH_RETRY_MINUTES: i64 = 5;

/// How long an instance may hold an account's refresh lease (a database shared by several
/// instances): the provider call's 10 s timeout and the recording of its outcome, with room
/// to spare. An instance that dies holding it delays that account's refresh this long.
const REFRESH_LEASE: chrono::Duration = chrono::Duration::seconds(30);

/// How often a caller waiting on another instance's refresh looks at the account again.
const LEASE_POLL: std::time::Duration = std::time::Duration::from_millis(100);

pub(super) fn open_tokens(state: &App, row: &AccountRow) -> Option<Tokens> {
    Some(Tokens {
        access_token: state.sealer.open(row.access_token.as_deref()?)?,
        refresh_token: row.refresh_token.as_deref().and_then(|t| state.sealer.open(t)),
        expires_at: None,
        refresh_expires_at: None,
        scopes: None,
    })
}

/// Refreshes one account's tokens (the background refresher and the refresh endpoint); a
/// caller that comes while the account is being refreshed gets that refresh's outcome.
pub async fn refresh(state: &App, account_id: i64) -> domain::Result<RefreshOutcome> {
    state.refreshes.run(account_id, || refresh_once(state, account_id, None)).await
}

/// When a refresh a caller asks for turns out not to be needed, judged on the row read inside
/// the flight: a caller that read the row just before another caller's refresh landed would
/// otherwise refresh a second time.
#[derive(Debug, Clone, Copy)]
pub(super) enum Unless {
    /// The access token already lasts this long.
    Lasts(chrono::Duration),
    /// The tokens are no longer those of this generation (someone refreshed or relinked).
    Replaced(i64),
}

/// `refresh`, unless `unless` holds by the time the flight reads the account.
pub(super) async fn refresh_unless(state: &App, account_id: i64, unless: Unless) -> domain::Result<RefreshOutcome> {
    state.refreshes.run(account_id, || refresh_once(state, account_id, Some(unless))).await
}

/// Whether `expires_at` is at least `min` away (a token with no stated expiry does not lapse).
pub(super) fn lasts(expires_at: Option<&str>, min: chrono::Duration) -> bool {
    match expires_at.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) {
        Some(at) => at.with_timezone(&chrono::Utc) > chrono::Utc::now() + min,
        None => true,
    }
}

/// One refresh, from the account's current row (read inside the flight: a caller that read
/// the row before a refresh finished would otherwise send the spent refresh token).
async fn refresh_once(state: &App, id: i64, unless: Option<Unless>) -> domain::Result<RefreshOutcome> {
    let row = state.db.read(move |c| accounts::row_by_id(c, id)).await?;
    let needless = match unless {
        Some(Unless::Lasts(min)) => lasts(row.token_expires_at.as_deref(), min),
        Some(Unless::Replaced(generation)) => row.token_generation != generation,
        None => false,
    };
    if needless && !row.needs_reconnect {
        return Ok(RefreshOutcome::Refreshed);
    }
    let platform = Platform::parse(&row.platform)?;
    let Some(refresh_token) = row.refresh_token.as_deref().and_then(|t| state.sealer.open(t)) else {
        return Err(Error::invalid("platform", format!("this {} account has no refresh token", platform.label())));
    };
    // The lease is taken last, once nothing but the provider's answer can end the refresh, and
    // given back on every way out: a lease left behind holds every other instance's refresh of
    // the account until it lapses.
    if !state.db.shared() {
        return send_refresh(state, &row, platform, refresh_token).await;
    }
    if let Some(outcome) = claim_or_wait(state, &row).await? {
        return Ok(outcome);
    }
    let outcome = send_refresh(state, &row, platform, refresh_token).await;
    if outcome.is_err() {
        // The outcome's write gives the lease back; when it did not happen, this does.
        let released = state.db.write(move |c| Ok::<_, Error>(store::accounts::release_refresh(c, id)?)).await;
        if let Err(e) = released {
            log::warn!("the refresh lease of account {id} is left to lapse: {e}");
        }
    }
    outcome
}

/// The token request and the recording of its outcome (which gives back any lease).
async fn send_refresh(
    state: &App,
    row: &AccountRow,
    platform: Platform,
    refresh_token: String,
) -> domain::Result<RefreshOutcome> {
    let (id, generation) = (row.id, row.token_generation);
    let providers = state.providers.clone();
    let provider_url = row.provider_url.clone();
    let result = blocking(move || match providers.for_platform(platform) {
        Some(p) => p.refresh(&refresh_token, provider_url.as_deref()),
        None => Err(ProviderError::Transient(providers::Providers::missing_credentials(platform))),
    })
    .await?;
    match result {
        Ok(tokens) => {
            store_refreshed(state, id, generation, platform, tokens).await?;
            Ok(RefreshOutcome::Refreshed)
        }
        Err(ProviderError::Refused(why)) | Err(ProviderError::Denied(_, why)) => {
            log::warn!("the {platform} account {id} must reconnect: {why}");
            let reason = why.clone();
            state.db.write(move |c| accounts::mark_needs_reconnect(c, id, generation, &reason)).await?;
            Ok(RefreshOutcome::NeedsReconnect(why))
        }
        Err(ProviderError::Transient(why)) | Err(ProviderError::NotConfigured(why)) => {
            log::warn!("refreshing the {platform} account {id} failed for now: {why}");
            let at = (chrono::Utc::now() + chrono::Duration::minutes(REFRESH_RETRY_MINUTES))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            state.db.write(move |c| accounts::postpone_refresh(c, id, generation, &at)).await?;
            Ok(RefreshOutcome::Postponed(why))
        }
    }
}

/// Takes the account's refresh lease against the other instances on the database, or waits
/// while another instance refreshes it and returns what came of that (`Some`); `None`: the
/// lease is this caller's, and `row` holds the tokens to refresh from. A lease whose holder
/// died lapses after `REFRESH_LEASE`, and is then taken over.
async fn claim_or_wait(state: &App, row: &AccountRow) -> domain::Result<Option<RefreshOutcome>> {
    let (id, generation, was_flagged) = (row.id, row.token_generation, row.needs_reconnect);
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    loop {
        let now = chrono::Utc::now();
        let (at, until) = (stamp(now), stamp(now + REFRESH_LEASE));
        let claimed = state
            .db
            .write(move |c| Ok::<_, Error>(store::accounts::claim_refresh(c, id, generation, &at, &until)?))
            .await?;
        if claimed {
            return Ok(None);
        }
        actix_web::rt::time::sleep(LEASE_POLL).await;
        let now = state.db.read(move |c| accounts::row_by_id(c, id)).await?;
        if now.token_generation != generation {
            // Another instance refreshed (or the account was linked again): its tokens stand.
            return Ok(Some(RefreshOutcome::Refreshed));
        }
        if now.needs_reconnect && !was_flagged {
            let why = now.reconnect_reason.unwrap_or_default();
            return Ok(Some(RefreshOutcome::NeedsReconnect(why)));
        }
    }
}

/// Stores a refresh's tokens (sealed), unless the account was relinked meanwhile.
async fn store_refreshed(
    state: &App,
    id: i64,
    generation: i64,
    platform: Platform,
    tokens: Tokens,
) -> domain::Result<()> {
    let access = state.sealer.seal(&tokens.access_token);
    let refresh = tokens.refresh_token.as_deref().map(|t| state.sealer.seal(t));
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let expires = tokens.expires_at.map(stamp);
    let refresh_expires = tokens.refresh_expires_at.map(stamp);
    let scopes = tokens.scopes;
    let stored = state
        .db
        .write(move |c| {
            let t = RefreshedTokens {
                access_token: &access,
                refresh_token: refresh.as_deref(),
                expires_at: expires.as_deref(),
                refresh_expires_at: refresh_expires.as_deref(),
                scopes: scopes.as_deref(),
            };
            accounts::record_refresh(c, id, generation, &t)
        })
        .await?;
    if stored {
        log::info!("refreshed the {platform} account {id}");
    } else {
        log::info!("refreshed the {platform} account {id}, but it was relinked meanwhile: kept the new link");
    }
    Ok(())
}

/// Refreshes one of the workspace's accounts now.
pub async fn refresh_now(
    state: &App,
    ws: WorkspaceId,
    profile_id: &str,
    which: AccountRef,
) -> domain::Result<(RefreshOutcome, SocialAccount)> {
    let id = profile_id.to_string();
    let row = state
        .db
        .read(move |c| {
            let profile = profiles::get(c, ws, &id)?;
            accounts::find_row(c, &profile, &which)
        })
        .await?;
    let account_id = row.id;
    let outcome = refresh(state, account_id).await?;
    let account = state.db.read(move |c| accounts::get_by_id(c, account_id)).await?;
    Ok((outcome, account))
}

/// Refreshes every account whose tokens lapse within `window`; returns how many it tried.
pub async fn refresh_due(state: &App, window: chrono::Duration) -> domain::Result<usize> {
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
        if let Err(e) = refresh(state, row.id).await {
            log::warn!("refresh: {e}");
        }
    }
    Ok(n)
}
