//! Account holders: the humans who own workspaces and sign in with a password.

use super::workspaces::WorkspaceId;
use super::{Error, Result, check_text};
use crate::store::{self, Conn, holders::HolderRow};
use rand::RngExt;

/// An email address: one `@`, a local part, a dotted domain, no spaces; at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let bad = || Error::invalid("email", "Invalid email address");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\\\"[]".contains(c)) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return Err(bad());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-')) {
            return Err(bad());
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 8 characters with an upper-case letter, a lower-case letter and a digit.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// The rule, in the users API's own words.
pub const PASSWORD_RULE: &str =
    "New password must be at least 8 characters and contain uppercase, lowercase, and numbers";
/// The same rule, worded for sign-up.
pub const SIGNUP_PASSWORD_RULE: &str =
    "Password must be at least 8 characters and contain uppercase, lowercase, and numbers";

impl NewPassword {
    pub fn parse(field: &str, s: &str) -> Result<Self> {
        let ok = s.chars().count() >= 8
            && s.chars().count() <= 256
            && s.chars().any(|c| c.is_uppercase())
            && s.chars().any(|c| c.is_lowercase())
            && s.chars().any(|c| c.is_ascii_digit());
        if !ok {
            return Err(Error::invalid(
                field,
                if field == "newPassword" { PASSWORD_RULE } else { SIGNUP_PASSWORD_RULE },
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// A person's first or last name: trimmed, at most 100 characters, no control characters and
/// no markup (`<`, `>`), so a name never becomes HTML anywhere it is shown.
pub fn person_name(field: &str, s: &str) -> Result<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    check_text(field, s, 1, 100).map_err(|_| {
        Error::invalid(field, format!("Invalid {field}: at most 100 characters, no control characters"))
    })?;
    if s.contains(['<', '>']) {
        return Err(Error::invalid(field, format!("Invalid {field}: markup is not allowed")));
    }
    Ok(Some(s.to_string()))
}

/// An account holder, as the users API shows them.
#[derive(Debug, Clone)]
pub struct Holder {
    pub id: String,
    pub email: String,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub session_epoch: i64,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: Option<String>,
}

impl From<HolderRow> for Holder {
    fn from(r: HolderRow) -> Self {
        Holder {
            id: r.id,
            email: r.email,
            username: r.username,
            first_name: r.first_name,
            last_name: r.last_name,
            session_epoch: r.session_epoch,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_login_at: r.last_login_at,
        }
    }
}

/// What a new holder is made of; the password is already hashed (off the writer).
#[derive(Debug, Clone)]
pub struct NewHolder {
    pub email: Email,
    pub username: Option<super::profiles::Username>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: String,
}

fn conflict(e: store::Error) -> Error {
    match e {
        store::Error::Unique(col) if col == "email" => Error::Conflict { resource: "account", field: "email" },
        store::Error::Unique(col) if col == "username" => Error::Conflict { resource: "account", field: "username" },
        other => other.into(),
    }
}

/// Creates a holder and a workspace they own, on a trial of `trial_days` (none when `None`).
pub fn register(conn: &Conn, new: NewHolder, trial_days: Option<i64>) -> Result<(Holder, WorkspaceId)> {
    let now = store::now();
    let row = HolderRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: new.email.0,
        username: new.username.map(|u| u.as_str().to_string()),
        password_hash: new.password_hash,
        first_name: new.first_name,
        last_name: new.last_name,
        session_epoch: 0,
        created_at: now.clone(),
        updated_at: now,
        last_login_at: None,
    };
    store::holders::insert_holder(conn, &row).map_err(conflict)?;
    // The workspace is named after the holder; a random tail keeps names unique and unguessable.
    let tail: String = {
        let mut rng = rand::rng();
        (0..8).map(|_| (b'a' + rng.random_range(0..26u8)) as char).collect()
    };
    let base: String =
        row.username.clone().unwrap_or_else(|| row.email.split('@').next().unwrap_or("holder").to_string());
    let base: String = base.chars().filter(|c| c.is_ascii_alphanumeric() || "-_".contains(*c)).take(40).collect();
    let ws_name = format!("{}-{tail}", if base.is_empty() { "holder" } else { &base });
    let ws = store::workspaces::insert_workspace(conn, &ws_name, None)?;
    if let Some(days) = trial_days {
        let ends =
            (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        store::workspaces::update_workspace_plan(
            conn,
            ws,
            &store::workspaces::PlanRow {
                plan: "trial".into(),
                profile_limit: None,
                trial_ends_at: Some(ends),
                subscription_id: None,
                next_billing_at: None,
            },
        )?;
    }
    store::holders::insert_membership(conn, &row.id, ws, "owner")?;
    Ok((row.into(), WorkspaceId(ws)))
}

/// A holder by id.
pub fn get(conn: &Conn, id: &str) -> Result<Holder> {
    Ok(store::holders::find_holder(conn, id)?.ok_or(Error::NotFound("account"))?.into())
}

/// A holder and their password hash, by email or username.
pub fn find_for_login(conn: &Conn, login: &str) -> Result<Option<(Holder, String)>> {
    Ok(store::holders::find_holder_by_login(conn, login.trim())?.map(|r| {
        let hash = r.password_hash.clone();
        (r.into(), hash)
    }))
}

/// The stored password hash of a holder.
pub fn password_hash(conn: &Conn, id: &str) -> Result<String> {
    Ok(store::holders::find_holder(conn, id)?.ok_or(Error::NotFound("account"))?.password_hash)
}

/// Records a successful sign-in, and the password's hash under the current argon2 parameters
/// when the stored one was made with others (`rehashed`).
pub fn record_login(conn: &Conn, id: &str, rehashed: Option<String>) -> Result<Holder> {
    store::holders::update_holder_last_login(conn, id, &store::now())?;
    if let Some(hash) = rehashed {
        store::holders::update_holder_password_hash(conn, id, &hash)?;
    }
    get(conn, id)
}

/// A change to a holder's profile: `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct HolderPatch {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub email: Option<Email>,
}

/// Applies a profile change; a used email is a conflict.
pub fn update_profile(conn: &Conn, id: &str, patch: HolderPatch) -> Result<Holder> {
    store::holders::lock_holder(conn, id)?;
    let mut row = store::holders::find_holder(conn, id)?.ok_or(Error::NotFound("account"))?;
    if let Some(f) = patch.first_name {
        row.first_name = f;
    }
    if let Some(l) = patch.last_name {
        row.last_name = l;
    }
    if let Some(e) = patch.email {
        row.email = e.0;
    }
    row.updated_at = store::now();
    store::holders::update_holder_profile(conn, &row).map_err(conflict)?;
    Ok(row.into())
}

/// Sets a new password hash, ending every older session.
pub fn set_password(conn: &Conn, id: &str, hash: &str) -> Result<Holder> {
    store::holders::update_holder_password(conn, id, hash)?;
    get(conn, id)
}

/// Ends every session of a holder.
pub fn logout_everywhere(conn: &Conn, id: &str) -> Result<()> {
    Ok(store::holders::bump_holder_session_epoch(conn, id)?)
}

/// How long a console sign-in link works.
pub const CONSOLE_LINK_MINUTES: i64 = 15;

/// Uses a one-time console sign-in link (`hitchpost console-link`) made while the holder's
/// session epoch was `epoch`: moves the epoch on, which ends every older session and every
/// other link made before, so the link works once. `None` when it was already used (or a
/// password change or "log out everywhere" came in between).
pub fn use_console_link(conn: &crate::db::Tx, id: &str, epoch: i64) -> Result<Option<Holder>> {
    store::holders::lock_holder(conn, id)?;
    let holder = get(conn, id)?;
    if holder.session_epoch != epoch {
        return Ok(None);
    }
    store::holders::bump_holder_session_epoch(conn, id)?;
    let ws = owned_workspace(conn, id)?;
    super::audit::record(conn, ws, "holder.console_link_used", None, Some(id))?;
    Ok(Some(get(conn, id)?))
}

/// The workspace a holder owns.
pub fn owned_workspace(conn: &Conn, id: &str) -> Result<WorkspaceId> {
    store::holders::find_owned_workspace(conn, id)?.map(WorkspaceId).ok_or(Error::NotFound("workspace"))
}
