//! A linked account's access token, fresh: for the credentials endpoint (handed to the caller)
//! and the proxy (used on the caller's behalf). A token that would lapse within the validity
//! asked for is refreshed first, through the one-refresh-per-account path, so twenty callers
//! asking at once cause one token request. The refresh token never leaves this module's caller.

use super::refresh::{Unless, lasts, refresh_unless};
use crate::app::App;
use crate::domain::accounts::{self, AccountRef, RefreshOutcome};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, profiles};
use crate::store::accounts::AccountRow;

/// The longest validity a caller may ask for, in seconds. Every platform's access tokens last
/// longer than this once refreshed (Google's: an hour), so what is asked can be given.
pub const MAX_MIN_VALIDITY: i64 = 1800;

/// An account's usable access token and what a caller needs to use it.
#[derive(Clone)]
pub struct Fresh {
    /// The internal id (for the refresh path).
    pub id: i64,
    pub account_id: String,
    pub profile_id: String,
    pub platform: Platform,
    pub access_token: String,
    pub expires_at: Option<String>,
    pub scopes: Vec<String>,
    /// The account's PDS (Bluesky).
    pub pds_url: Option<String>,
    /// The platform's id for the account (a DID for Bluesky).
    pub platform_user_id: String,
    pub sandbox: bool,
    /// The tokens' generation: a retry after a refusal refreshes only if it is still current.
    pub generation: i64,
    /// Whether hitchpost can renew the token (it holds a refresh token).
    pub refreshable: bool,
}

impl std::fmt::Debug for Fresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fresh").field("account_id", &self.account_id).finish_non_exhaustive()
    }
}

/// The account's access token, valid for at least `min` where it can be refreshed.
pub async fn fresh(
    app: &App,
    ws: WorkspaceId,
    profile_id: &str,
    which: AccountRef,
    min: chrono::Duration,
) -> domain::Result<Fresh> {
    // Two indexed point reads: on the worker, as the profile reads are (the hop to the
    // blocking pool cost more than the reads, and every proxied call makes them).
    let (profile_id, wanted) = (profile_id.to_string(), which.clone());
    let (profile_id, mut row) = app
        .db
        .read_now(move |c| {
            let profile = profiles::get(c, ws, &profile_id)?;
            Ok::<_, Error>((profile.id.clone(), accounts::find_row(c, &profile, &wanted)?))
        })
        .await?;
    refuse_if_unlinked(&row)?;
    if row.refresh_token.is_none() && !lasts(row.token_expires_at.as_deref(), chrono::Duration::zero()) {
        // Nothing can renew it (Facebook's page tokens, an old link): only its owner can.
        let at = row.token_expires_at.clone().unwrap_or_default();
        return Err(needs_reconnect(
            &row,
            format!("the access token lapsed at {at} and the platform gave no way to renew it"),
        ));
    }
    if row.refresh_token.is_some() && !lasts(row.token_expires_at.as_deref(), min) {
        match refresh_unless(app, row.id, Unless::Lasts(min)).await? {
            RefreshOutcome::Refreshed => {
                let id = row.id;
                row = app.db.read(move |c| accounts::row_by_id(c, id)).await?;
                refuse_if_unlinked(&row)?;
            }
            RefreshOutcome::NeedsReconnect(reason) => return Err(needs_reconnect(&row, reason)),
            RefreshOutcome::Postponed(why) => return Err(Error::Upstream(why)),
        }
    }
    opened(app, profile_id, row)
}

/// Refreshes the account once more (the platform refused its token with a 401 although it was
/// fresh: revoked early, or rotated elsewhere) unless another caller already has.
pub async fn refresh_after_refusal(app: &App, spent: &Fresh) -> domain::Result<Fresh> {
    let id = spent.id;
    let outcome = refresh_unless(app, id, Unless::Replaced(spent.generation)).await?;
    let row = app.db.read(move |c| accounts::row_by_id(c, id)).await?;
    match outcome {
        RefreshOutcome::Refreshed => {
            refuse_if_unlinked(&row)?;
            opened(app, spent.profile_id.clone(), row)
        }
        RefreshOutcome::NeedsReconnect(reason) => Err(needs_reconnect(&row, reason)),
        RefreshOutcome::Postponed(why) => Err(Error::Upstream(why)),
    }
}

fn refuse_if_unlinked(row: &AccountRow) -> domain::Result<()> {
    if row.needs_reconnect {
        return Err(needs_reconnect(
            row,
            row.reconnect_reason.clone().unwrap_or_else(|| "refused by the platform".into()),
        ));
    }
    Ok(())
}

fn needs_reconnect(row: &AccountRow, reason: String) -> Error {
    let platform = Platform::parse(&row.platform).map(Platform::as_str).unwrap_or("linked");
    Error::NeedsReconnect { account: row.public_id.clone(), platform, reason }
}

fn opened(app: &App, profile_id: String, row: AccountRow) -> domain::Result<Fresh> {
    let platform = Platform::parse(&row.platform)?;
    let access_token = row
        .access_token
        .as_deref()
        .and_then(|t| app.sealer.open(t))
        .ok_or_else(|| Error::Internal(format!("the tokens of account {} do not open", row.public_id)))?;
    Ok(Fresh {
        id: row.id,
        account_id: row.public_id,
        profile_id,
        platform,
        access_token,
        expires_at: row.token_expires_at,
        scopes: row.granted_scopes.as_deref().unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
        pds_url: row.provider_url,
        platform_user_id: row.platform_user_id,
        sandbox: row.sandbox,
        generation: row.token_generation,
        refreshable: row.refresh_token.is_some(),
    })
}

/// The credentials endpoint: a fresh token for the caller, each read in the audit log.
pub async fn read_credentials(
    app: &App,
    ws: WorkspaceId,
    profile_id: &str,
    which: AccountRef,
    min_validity: i64,
) -> domain::Result<Fresh> {
    if !(0..=MAX_MIN_VALIDITY).contains(&min_validity) {
        return Err(Error::invalid("minValidity", format!("must be between 0 and {MAX_MIN_VALIDITY} seconds")));
    }
    let fresh = fresh(app, ws, profile_id, which, chrono::Duration::seconds(min_validity)).await?;
    let (profile_id, account_id) = (fresh.profile_id.clone(), fresh.account_id.clone());
    app.db.write(move |c| accounts::record_credentials_read(c, ws, &profile_id, &account_id)).await?;
    Ok(fresh)
}
