//! Linked social accounts: one per platform per profile.

use super::platform::Platform;
use super::profiles::{self, Profile};
use super::webhooks::{self, EventType};
use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::db::Tx;
pub use crate::store::accounts::RefreshedTokens;
use crate::store::{self, Conn, accounts::AccountRow};
use serde_json::Value;
use std::collections::HashMap;

/// A linked account as every dialect sees it: never a token.
#[derive(Debug, Clone)]
pub struct SocialAccount {
    /// The internal row id (refresh flights key on it); never shown.
    pub id: i64,
    /// `acc_…`: the account's public, stable id.
    pub account_id: String,
    pub platform: Platform,
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub profile_url: Option<String>,
    pub image_url: Option<String>,
    pub account_type: String,
    pub connected_at: String,
    pub expires_at: Option<String>,
    /// When the refresh token lapses, where the platform says.
    pub refresh_expires_at: Option<String>,
    /// Whether hitchpost can renew the tokens without the end-user.
    pub refreshable: bool,
    pub needs_reconnect: bool,
    pub reconnect_reason: Option<String>,
    pub sandbox: bool,
    pub details: Option<Value>,
    /// The scopes the platform granted, where known.
    pub scopes: Vec<String>,
}

impl SocialAccount {
    /// Whole days until the end-user must link the account again (0 when that day has come),
    /// or `None` when the link does not lapse. A refreshable account lapses when its refresh
    /// token does, where the platform states that (LinkedIn: a year after consent); its access
    /// token's hour is hitchpost's business, not the end-user's. An account that cannot be
    /// refreshed lapses with its access token.
    pub fn days_until_expiry(&self) -> Option<i64> {
        let at = chrono::DateTime::parse_from_rfc3339(self.link_lapses_at()?).ok()?;
        Some((at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days().max(0))
    }

    /// Whether the end-user must act soon: the account needs reconnecting, or its link lapses
    /// within `days` days. (Sandbox accounts never do: nothing real is at stake.)
    pub fn needs_attention(&self, days: i64) -> bool {
        !self.sandbox && (self.needs_reconnect || self.days_until_expiry().is_some_and(|d| d <= days))
    }

    /// When the end-user must link the account again (see `days_until_expiry`), if ever.
    pub fn link_lapses_at(&self) -> Option<&str> {
        if self.refreshable { self.refresh_expires_at.as_deref() } else { self.expires_at.as_deref() }
    }

    fn from_row(r: AccountRow) -> Option<Self> {
        Some(SocialAccount {
            id: r.id,
            account_id: r.public_id,
            platform: Platform::parse(&r.platform).ok()?,
            platform_user_id: r.platform_user_id,
            username: r.username,
            display_name: r.display_name,
            profile_url: r.profile_url,
            image_url: r.image_url,
            account_type: r.account_type,
            connected_at: r.linked_at,
            expires_at: r.token_expires_at,
            refresh_expires_at: r.refresh_expires_at,
            refreshable: r.refresh_token.is_some(),
            needs_reconnect: r.needs_reconnect,
            reconnect_reason: r.reconnect_reason,
            sandbox: r.sandbox,
            details: r.details.and_then(|d| serde_json::from_str(&d).ok()),
            scopes: r.granted_scopes.as_deref().unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
        })
    }
}

/// An account to store: the provider's identity with its tokens already sealed.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub profile_url: Option<String>,
    pub image_url: Option<String>,
    pub account_type: String,
    pub details: Option<Value>,
    pub access_token: Option<Vec<u8>>,
    pub refresh_token: Option<Vec<u8>>,
    pub expires_at: Option<String>,
    pub refresh_expires_at: Option<String>,
    pub provider_url: Option<String>,
    pub sandbox: bool,
    pub scopes: Option<String>,
}

/// The accounts of a profile.
pub fn list_for(conn: &Conn, profile: &Profile) -> Result<Vec<SocialAccount>> {
    Ok(store::accounts::list_accounts(conn, profile.seq)?.into_iter().filter_map(SocialAccount::from_row).collect())
}

/// The accounts of each profile of a page, in the page's order, read in one query rather
/// than one per profile.
pub fn list_for_each(conn: &Conn, profiles: &[Profile]) -> Result<Vec<Vec<SocialAccount>>> {
    let seqs: Vec<i64> = profiles.iter().map(|p| p.seq).collect();
    let mut by_profile: HashMap<i64, Vec<SocialAccount>> = HashMap::new();
    for row in store::accounts::list_accounts_of_profiles(conn, &seqs)? {
        let seq = row.profile_seq;
        if let Some(a) = SocialAccount::from_row(row) {
            by_profile.entry(seq).or_default().push(a);
        }
    }
    Ok(profiles.iter().map(|p| by_profile.remove(&p.seq).unwrap_or_default()).collect())
}

/// The accounts of one of the workspace's profiles.
pub fn list(conn: &Conn, ws: WorkspaceId, profile_id: &str) -> Result<Vec<SocialAccount>> {
    let profile = profiles::get(conn, ws, profile_id)?;
    list_for(conn, &profile)
}

/// The platforms each profile has linked, by profile seq.
pub fn linked_platforms(conn: &Conn, profiles: &[Profile]) -> Result<HashMap<i64, Vec<Platform>>> {
    let mut out: HashMap<i64, Vec<Platform>> = HashMap::new();
    if let [p] = profiles {
        let platforms = store::accounts::list_platforms_of_profile(conn, p.seq)?;
        out.insert(p.seq, platforms.iter().filter_map(|n| Platform::parse(n).ok()).collect());
        return Ok(out);
    }
    let seqs: Vec<i64> = profiles.iter().map(|p| p.seq).collect();
    for (seq, platform) in store::accounts::list_linked_platforms(conn, &seqs)? {
        if let Ok(p) = Platform::parse(&platform) {
            out.entry(seq).or_default().push(p);
        }
    }
    Ok(out)
}

/// Links (or relinks, keeping the account's id) an account to a profile.
pub fn link(conn: &Tx, profile: &Profile, platform: Platform, a: NewAccount) -> Result<SocialAccount> {
    let now = store::now();
    let row = AccountRow {
        profile_seq: profile.seq,
        platform: platform.as_str().into(),
        platform_user_id: a.platform_user_id,
        username: a.username,
        display_name: a.display_name,
        profile_url: a.profile_url,
        image_url: a.image_url,
        account_type: a.account_type,
        access_token: a.access_token,
        refresh_token: a.refresh_token,
        token_expires_at: a.expires_at,
        refresh_expires_at: a.refresh_expires_at,
        provider_url: a.provider_url,
        details: a.details.map(|d| d.to_string()),
        sandbox: a.sandbox,
        linked_at: now.clone(),
        updated_at: now,
        // Kept by a relink: the stored row's id wins over this one.
        public_id: format!("{ACCOUNT_ID_PREFIX}{}", uuid::Uuid::now_v7().simple()),
        granted_scopes: a.scopes,
        ..Default::default()
    };
    let id = store::accounts::upsert_account(conn, &row)?;
    let account = get_by_id(conn, id)?;
    let ws = WorkspaceId(profile.workspace_id);
    webhooks::emit(conn, ws, EventType::AccountLinked, &profile.id, event_data(profile, Some(&account)))?;
    super::audit::record(conn, ws, "account.linked", Some(&profile.id), Some(platform.as_str()))?;
    Ok(account)
}

/// Unlinks a profile's account; returns the row so the caller can revoke its tokens.
pub fn unlink(conn: &Tx, profile: &Profile, which: &AccountRef) -> Result<AccountRow> {
    let row = find_row(conn, profile, which)?;
    let platform = Platform::parse(&row.platform)?;
    let account = SocialAccount::from_row(row.clone());
    store::accounts::delete_account(conn, profile.seq, platform.as_str())?;
    let ws = WorkspaceId(profile.workspace_id);
    webhooks::emit(conn, ws, EventType::AccountUnlinked, &profile.id, event_data(profile, account.as_ref()))?;
    super::audit::record(conn, ws, "account.unlinked", Some(&profile.id), Some(platform.as_str()))?;
    Ok(row)
}

/// The stored row of a profile's account (with its sealed tokens), for refreshing.
pub fn find_row(conn: &Conn, profile: &Profile, which: &AccountRef) -> Result<AccountRow> {
    let row = match which {
        AccountRef::Platform(p) => store::accounts::find_account(conn, profile.seq, p.as_str())?,
        AccountRef::Id(id) => store::accounts::find_account_by_public_id(conn, profile.seq, id)?,
    };
    row.ok_or(Error::NotFound("account"))
}

/// One of a profile's accounts, as found by `which`.
pub fn get(conn: &Conn, profile: &Profile, which: &AccountRef) -> Result<SocialAccount> {
    SocialAccount::from_row(find_row(conn, profile, which)?).ok_or(Error::NotFound("account"))
}

const ACCOUNT_ID_PREFIX: &str = "acc_";

/// How a route names one of a profile's accounts: by its id, or by its platform (the profile's
/// account there; one per platform today, so a route written with ids keeps working when a
/// profile may link several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    Id(String),
    Platform(Platform),
}

impl AccountRef {
    /// An `acc_` id (32 hex digits) or a platform name; `field` names the path segment.
    pub fn parse(s: &str, field: &str) -> Result<AccountRef> {
        if let Some(hex) = s.strip_prefix(ACCOUNT_ID_PREFIX) {
            if hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
                return Ok(AccountRef::Id(s.to_string()));
            }
            return Err(Error::invalid(field, "an account id is `acc_` and 32 lower-case hex digits"));
        }
        Platform::parse(s).map(AccountRef::Platform).map_err(|_| {
            let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
            Error::invalid(field, format!("must be an account id (acc_…) or one of {}", names.join(", ")))
        })
    }
}

/// Records that an account's access token was handed to a caller: every read is audited.
pub fn record_credentials_read(conn: &Tx, ws: WorkspaceId, profile_id: &str, account_id: &str) -> Result<()> {
    super::audit::record(conn, ws, "account.credentials_read", Some(profile_id), Some(account_id))
}

/// An account's row by its internal id (the refresh and token paths hold the id).
pub fn row_by_id(conn: &Conn, id: i64) -> Result<AccountRow> {
    store::accounts::find_account_by_id(conn, id)?.ok_or(Error::NotFound("account"))
}

/// Reads one account by id.
pub fn get_by_id(conn: &Conn, id: i64) -> Result<SocialAccount> {
    store::accounts::find_account_by_id(conn, id)?.and_then(SocialAccount::from_row).ok_or(Error::NotFound("account"))
}

/// The profile an account belongs to.
fn owner(conn: &Conn, account: &SocialAccount) -> Result<Profile> {
    let row = row_by_id(conn, account.id)?;
    Ok(store::profiles::find_profile_by_seq(conn, row.profile_seq)?.ok_or(Error::NotFound("profile"))?.into())
}

fn emit_for(conn: &Conn, id: i64, kind: EventType) -> Result<()> {
    let account = get_by_id(conn, id)?;
    let profile = owner(conn, &account)?;
    webhooks::emit(conn, WorkspaceId(profile.workspace_id), kind, &profile.id, event_data(&profile, Some(&account)))?;
    Ok(())
}

/// Stores refreshed (sealed) tokens if the account still has the tokens of `generation`, and
/// clears any reconnect flag. Returns whether they were stored (false: a newer link or refresh
/// came first, and these tokens are dropped).
pub fn record_refresh(conn: &Conn, id: i64, generation: i64, tokens: &RefreshedTokens<'_>) -> Result<bool> {
    store::accounts::release_refresh(conn, id)?;
    if !store::accounts::update_account_tokens(conn, id, generation, tokens)? {
        return Ok(false);
    }
    emit_for(conn, id, EventType::AccountRefreshed)?;
    Ok(true)
}

/// Marks an account as needing its owner to link it again, if the refused tokens are still
/// those of `generation` (a refusal of tokens already replaced says nothing about the account).
pub fn mark_needs_reconnect(conn: &Tx, id: i64, generation: i64, reason: &str) -> Result<bool> {
    store::accounts::release_refresh(conn, id)?;
    if !store::accounts::update_account_needs_reconnect(conn, id, generation, reason)? {
        return Ok(false);
    }
    emit_for(conn, id, EventType::AccountNeedsReconnect)?;
    let account = get_by_id(conn, id)?;
    let profile = owner(conn, &account)?;
    let ws = WorkspaceId(profile.workspace_id);
    super::audit::record(conn, ws, "account.needs_reconnect", Some(&profile.id), Some(account.platform.as_str()))?;
    Ok(true)
}

/// After a transient refresh failure, when the refresher may try again (if the tokens are
/// still those of `generation`).
pub fn postpone_refresh(conn: &Conn, id: i64, generation: i64, at: &str) -> Result<()> {
    store::accounts::release_refresh(conn, id)?;
    store::accounts::update_account_next_refresh(conn, id, generation, at)?;
    Ok(())
}

/// Sends `account.expiring` once per expiry for accounts whose tokens lapse before `before`
/// and cannot be refreshed (a refreshable token is renewed before it lapses; these need their
/// owner to link again).
pub fn notify_expiring(conn: &Conn, before: &str) -> Result<usize> {
    let due = store::accounts::list_accounts_expiring(conn, before, 100)?;
    let mut sent = 0;
    for (id, expires) in &due {
        // Marked first, and sent only by whoever marked it: instances sharing the database
        // each run this job, and each expiry is announced once.
        if store::accounts::update_account_expiring_notified(conn, *id, expires)? {
            emit_for(conn, *id, EventType::AccountExpiring)?;
            sent += 1;
        }
    }
    Ok(sent)
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

/// An event's data about an account of a profile: who and what, never a token.
fn event_data(profile: &Profile, account: Option<&SocialAccount>) -> serde_json::Value {
    let mut data = profiles::event_data(profile);
    if let Some(a) = account {
        data["platform"] = serde_json::json!(a.platform.as_str());
        data["account"] = serde_json::json!({
            "id": a.account_id, "platformUserId": a.platform_user_id, "username": a.username, "displayName": a.display_name,
            "profileUrl": a.profile_url, "expiresAt": a.expires_at, "needsReconnect": a.needs_reconnect,
            "reconnectReason": a.reconnect_reason,
        });
    }
    data
}
