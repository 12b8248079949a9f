//! Keeping tokens alive: refresh one account now, or every account about to lapse.

use super::blocking;
use crate::api::AppState;
use crate::domain::accounts::{self, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, profiles};
use crate::providers::{self, ProviderError, Tokens};
use crate::store::{self, accounts::AccountRow};

/// After a transient refresh failure, when to try again.
const REFRESH_RETRY_MINUTES: i64 = 5;

pub(super) fn open_tokens(state: &AppState, row: &AccountRow) -> Option<Tokens> {
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
