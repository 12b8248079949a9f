//! Profiles: one end-user of the workspace's platform, the same row in every dialect.

use super::webhooks;
use super::workspaces::WorkspaceId;
use super::{Error, Result, check_text};
use crate::db::Tx;
use crate::store::{self, Conn, profiles::ProfileFilter, profiles::ProfileRow};
use rand::RngExt;
use serde_json::{Map, Value};

/// A profile's display label: 1-100 characters, trimmed, in NFC, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileName(String);

impl ProfileName {
    pub fn parse(s: &str) -> Result<Self> {
        let s = super::nfc(s.trim());
        check_text("name", &s, 1, 100)?;
        Ok(Self(s))
    }
}

/// The caller's own id for a profile: 1-200 characters, unique in the workspace (in NFC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalId(String);

impl ExternalId {
    /// Stored in NFC, and looked up so: the forms of one text are one id.
    pub fn parse(s: &str) -> Result<Self> {
        let s = super::nfc(s);
        check_text("externalId", &s, 1, 200)?;
        Ok(Self(s))
    }
}

/// A profile's handle, unique in the workspace; it appears in Upload-Post's URLs, so it is
/// restricted to characters that need no escaping there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self> {
        check_text("username", s, 1, 100)?;
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c)) {
            return Err(Error::invalid("username", "may hold only letters, digits and the characters . _ @ + -"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The most metadata a profile may carry, as serialized JSON.
pub const METADATA_MAX_BYTES: usize = 16 * 1024;

/// The caller's JSON object, stored as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata(Map<String, Value>);

impl Metadata {
    pub fn parse(v: Value) -> Result<Self> {
        let Value::Object(map) = v else {
            return Err(Error::invalid("metadata", "must be a JSON object"));
        };
        let size = serde_json::to_vec(&map).map(|b| b.len()).unwrap_or(usize::MAX);
        if size > METADATA_MAX_BYTES {
            return Err(Error::invalid(
                "metadata",
                format!("must be at most {METADATA_MAX_BYTES} bytes as JSON (it is {size})"),
            ));
        }
        Ok(Self(map))
    }

    fn to_text(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }
}

/// A page size: 1-100, 50 when not given.
#[derive(Debug, Clone, Copy)]
pub struct PageLimit(u32);

impl PageLimit {
    pub fn parse(v: Option<i64>) -> Result<Self> {
        match v {
            None => Ok(Self(50)),
            Some(n @ 1..=100) => Ok(Self(n as u32)),
            Some(_) => Err(Error::invalid("limit", "must be between 1 and 100")),
        }
    }
}

/// Where a page starts: an opaque token handed out as `nextCursor`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor(i64);

impl Cursor {
    pub fn parse(s: &str) -> Result<Self> {
        s.strip_prefix("p")
            .and_then(|n| i64::from_str_radix(n, 36).ok())
            .filter(|n| *n > 0)
            .map(Self)
            .ok_or_else(|| Error::invalid("cursor", "is not a cursor this server handed out"))
    }

    fn encode(seq: i64) -> String {
        let mut n = seq as u64;
        let mut digits = Vec::new();
        while n > 0 {
            digits.push(std::char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
            n /= 36;
        }
        digits.reverse();
        format!("p{}", digits.into_iter().collect::<String>())
    }
}

/// A profile, as every dialect sees it.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Internal order key; never shown.
    pub seq: i64,
    /// The workspace it belongs to; never shown.
    pub workspace_id: i64,
    pub id: String,
    pub profile_key: String,
    /// `None` for a profile made without one (postcore's `profileName` is optional).
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub metadata: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ProfileRow> for Profile {
    fn from(r: ProfileRow) -> Self {
        Profile {
            seq: r.seq,
            workspace_id: r.workspace_id,
            id: r.id,
            profile_key: r.profile_key,
            // Stored as "" when absent: the column predates optional names and stays NOT NULL.
            name: Some(r.name).filter(|n| !n.is_empty()),
            external_id: r.external_id,
            username: r.username,
            // Only valid JSON objects are ever written, so a parse failure means a hand-edited
            // row: show it as absent rather than fail every read of the profile.
            metadata: r.metadata.and_then(|m| serde_json::from_str(&m).ok()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// What a new profile is made of. Dialects that set only some fields start from `named`
/// (or `Default`), so a new field touches only the dialects that take it.
#[derive(Debug, Clone, Default)]
pub struct NewProfile {
    pub name: Option<ProfileName>,
    pub external_id: Option<ExternalId>,
    pub username: Option<Username>,
    pub metadata: Option<Metadata>,
}

impl NewProfile {
    /// A profile with a name (or none) and nothing else.
    pub fn named(name: Option<ProfileName>) -> Self {
        NewProfile { name, ..Default::default() }
    }
}

/// A change to a profile: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    pub name: Option<ProfileName>,
    pub external_id: Option<Option<ExternalId>>,
    pub username: Option<Option<Username>>,
    pub metadata: Option<Option<Metadata>>,
}

/// Which profiles to list.
#[derive(Debug, Clone)]
pub struct ProfileQuery {
    pub limit: PageLimit,
    pub cursor: Option<Cursor>,
    pub external_id: Option<ExternalId>,
    pub username: Option<Username>,
}

/// One page of profiles.
#[derive(Debug, Clone)]
pub struct ProfilePage {
    pub data: Vec<Profile>,
    pub next_cursor: Option<String>,
}

fn conflict(e: store::Error) -> Error {
    match e {
        store::Error::Unique(col) if col == "external_id" => {
            Error::Conflict { resource: "profile", field: "externalId" }
        }
        store::Error::Unique(col) if col == "username" => Error::Conflict { resource: "profile", field: "username" },
        other => other.into(),
    }
}

/// `prof_` and 24 characters: 7 of creation time (milliseconds, base 62, so keys sort by age and
/// a new one lands at the end of the unique index, as with the ids) and 17 random (~101 bits).
fn new_profile_key() -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    let mut time = [b'0'; 7];
    for slot in time.iter_mut().rev() {
        *slot = BASE62[(ms % 62) as usize];
        ms /= 62;
    }
    let mut rng = rand::rng();
    let tail: String = (0..17).map(|_| rng.sample(rand::distr::Alphanumeric) as char).collect();
    format!("prof_{}{tail}", String::from_utf8_lossy(&time))
}

/// Creates a profile, unless the workspace's plan is full. Runs in the writer's transaction:
/// the insert goes first, so a taken externalId is a conflict whatever the plan says, and a
/// create past the limit is refused and rolled back with its savepoint.
pub fn create(conn: &Tx, ws: WorkspaceId, new: NewProfile) -> Result<Profile> {
    let workspace = store::workspaces::find_workspace(conn, ws.0)?.ok_or(Error::NotFound("workspace"))?;
    let now = store::now();
    if let Some(ended) = workspace.trial_ends_at.filter(|t| *t <= now) {
        return Err(Error::TrialExpired { ended });
    }
    let mut row = ProfileRow {
        seq: 0,
        // Time-ordered (v7): a new id lands at the end of the id index instead of on a random
        // page, so a group commit of N creates writes a few index pages, not N.
        id: uuid::Uuid::now_v7().to_string(),
        workspace_id: ws.0,
        profile_key: new_profile_key(),
        name: new.name.map(|n| n.0).unwrap_or_default(),
        external_id: new.external_id.map(|e| e.0),
        username: new.username.map(|u| u.0),
        metadata: new.metadata.map(|m| m.to_text()),
        created_at: now.clone(),
        updated_at: now,
    };
    if workspace.profile_limit.is_some() {
        // Two creations at once (two instances) must not both count below the limit.
        store::workspaces::lock_workspace(conn, ws.0)?;
    }
    row.seq = store::profiles::insert_profile(conn, &row).map_err(conflict)?;
    if let Some(limit) = workspace.profile_limit
        && store::profiles::count_profiles(conn, ws.0)? > limit
    {
        return Err(Error::PlanLimit { limit });
    }
    let profile: Profile = row.into();
    let data = event_data(&profile);
    webhooks::emit(conn, ws, webhooks::EventType::ProfileCreated, &profile.id, data)?;
    super::audit::record(conn, ws, "profile.created", Some(&profile.id), None)?;
    Ok(profile)
}

/// Reads one of the workspace's profiles.
pub fn get(conn: &Conn, ws: WorkspaceId, id: &str) -> Result<Profile> {
    Ok(store::profiles::find_profile(conn, ws.0, id)?.ok_or(Error::NotFound("profile"))?.into())
}

/// Lists a page of the workspace's profiles, oldest first.
pub fn list(conn: &Conn, ws: WorkspaceId, q: &ProfileQuery) -> Result<ProfilePage> {
    let limit = q.limit.0;
    let filter = ProfileFilter {
        after_seq: q.cursor.unwrap_or_default().0,
        // One more than asked tells whether another page exists.
        limit: limit + 1,
        external_id: q.external_id.as_ref().map(|e| e.0.as_str()),
        username: q.username.as_ref().map(|u| u.0.as_str()),
    };
    let mut rows = store::profiles::list_profiles(conn, ws.0, &filter)?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| Cursor::encode(r.seq))
    } else {
        None
    };
    Ok(ProfilePage { data: rows.into_iter().map(Profile::from).collect(), next_cursor })
}

/// Applies a patch to one of the workspace's profiles.
pub fn update(conn: &Tx, ws: WorkspaceId, id: &str, patch: ProfilePatch) -> Result<Profile> {
    store::profiles::lock_profile(conn, ws.0, id)?;
    let mut row = store::profiles::find_profile(conn, ws.0, id)?.ok_or(Error::NotFound("profile"))?;
    if let Some(name) = patch.name {
        row.name = name.0;
    }
    if let Some(e) = patch.external_id {
        row.external_id = e.map(|e| e.0);
    }
    if let Some(u) = patch.username {
        row.username = u.map(|u| u.0);
    }
    if let Some(m) = patch.metadata {
        row.metadata = m.map(|m| m.to_text());
    }
    row.updated_at = store::now();
    store::profiles::update_profile(conn, &row).map_err(conflict)?;
    super::audit::record(conn, ws, "profile.updated", Some(&row.id), None)?;
    Ok(row.into())
}

/// Finds one of the workspace's profiles by its profile key.
pub fn get_by_key(conn: &Conn, ws: WorkspaceId, key: &str) -> Result<Profile> {
    Ok(store::profiles::find_profile_by_key(conn, ws.0, key)?.ok_or(Error::NotFound("profile"))?.into())
}

/// Finds one of the workspace's profiles by the handle Upload-Post addresses it by: its
/// username, or, for a profile made without one through another dialect, its profile key.
pub fn get_by_handle(conn: &Conn, ws: WorkspaceId, handle: &str) -> Result<Profile> {
    if let Some(p) = store::profiles::find_profile_by_username(conn, ws.0, handle)? {
        return Ok(p.into());
    }
    match store::profiles::find_profile_by_key(conn, ws.0, handle)? {
        Some(p) if p.username.is_none() => Ok(p.into()),
        _ => Err(Error::NotFound("profile")),
    }
}

/// The workspace's primary profile: its oldest. Ayrshare calls describe it when no
/// Profile-Key is given.
pub fn primary(conn: &Conn, ws: WorkspaceId) -> Result<Option<Profile>> {
    let first = store::profiles::list_profiles(conn, ws.0, &ProfileFilter { limit: 1, ..Default::default() })?;
    Ok(first.into_iter().next().map(Profile::from))
}

/// How many profiles the workspace has.
pub fn count(conn: &Conn, ws: WorkspaceId) -> Result<i64> {
    Ok(store::profiles::count_profiles(conn, ws.0)?)
}

/// Deletes one of the workspace's profiles by its profile key.
pub fn delete_by_key(conn: &Tx, ws: WorkspaceId, key: &str) -> Result<Profile> {
    let p = get_by_key(conn, ws, key)?;
    delete(conn, ws, &p.id)?;
    Ok(p)
}

/// Deletes one of the workspace's profiles.
pub fn delete(conn: &Tx, ws: WorkspaceId, id: &str) -> Result<()> {
    let profile = get(conn, ws, id)?;
    store::profiles::delete_profile(conn, ws.0, id)?;
    let data = event_data(&profile);
    webhooks::emit(conn, ws, webhooks::EventType::ProfileDeleted, &profile.id, data)?;
    super::audit::record(conn, ws, "profile.deleted", Some(&profile.id), None)?;
    Ok(())
}

/// One page (100) of every profile of the workspace, oldest first, and where the next page
/// begins: for answers that hold every profile, built a page at a time.
pub fn page_of_all(conn: &Conn, ws: WorkspaceId, after: Option<Cursor>) -> Result<(Vec<Profile>, Option<Cursor>)> {
    let query = ProfileQuery { limit: PageLimit(100), cursor: after, external_id: None, username: None };
    let page = list(conn, ws, &query)?;
    let next = page.next_cursor.as_deref().map(Cursor::parse).transpose()?;
    Ok((page.data, next))
}

/// An event's data about a profile: who, never a token.
pub fn event_data(profile: &Profile) -> serde_json::Value {
    serde_json::json!({
        "profileId": profile.id, "profileKey": profile.profile_key, "externalId": profile.external_id,
        "username": profile.username, "name": profile.name,
    })
}
