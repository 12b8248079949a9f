//! Connect links: a signed, single-use, expiring invitation for one profile's end-user to link
//! accounts, and the session a used link becomes.

use super::profiles::{self, Profile};
use super::workspaces::WorkspaceId;
use super::{Error, Result};
use crate::auth::jwt::{ConnectClaims, Jwt, JwtError, LINK_AUDIENCE};
use crate::db::Tx;
use crate::store::{self, Conn, connect_links::LinkRow};

mod options;

pub use options::*;

/// A created link: the token is the secret part.
#[derive(Debug, Clone)]
pub struct CreatedLink {
    pub jti: String,
    pub token: String,
    pub expires_at: String,
    pub profile: Profile,
}

/// A link as listed.
#[derive(Debug, Clone)]
pub struct LinkInfo {
    pub jti: String,
    pub created_at: String,
    pub expires_at: String,
    pub options: LinkOptions,
}

fn to_rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Creates a link for one of the workspace's profiles.
pub fn create(conn: &Tx, jwt: &Jwt, ws: WorkspaceId, profile: &Profile, new: NewLink) -> Result<CreatedLink> {
    let jti = uuid::Uuid::new_v4().simple().to_string();
    let now = chrono::Utc::now();
    let exp = now.timestamp() + new.expires_in_minutes * 60;
    let expires_at = to_rfc3339(exp);
    store::connect_links::insert_link(
        conn,
        &LinkRow {
            jti: jti.clone(),
            workspace_id: ws.0,
            profile_seq: profile.seq,
            options: serde_json::to_string(&new.options).unwrap_or_else(|_| "{}".into()),
            created_at: store::now(),
            expires_at: expires_at.clone(),
            used_at: None,
            revoked_at: None,
        },
    )?;
    let token = jwt.sign(&ConnectClaims::new(LINK_AUDIENCE, &profile.id, ws.0, &jti, exp));
    super::audit::record(conn, ws, "connect_link.created", Some(&profile.id), Some(&jti))?;
    Ok(CreatedLink { jti, token, expires_at, profile: profile.clone() })
}

/// The live (unused, unrevoked, unexpired) links of one of the workspace's profiles.
pub fn list_live(conn: &Conn, ws: WorkspaceId, profile_id: &str) -> Result<Vec<LinkInfo>> {
    let profile = profiles::get(conn, ws, profile_id)?;
    Ok(store::connect_links::list_live_links(conn, profile.seq, &store::now())?
        .into_iter()
        .map(|r| LinkInfo {
            jti: r.jti,
            created_at: r.created_at,
            expires_at: r.expires_at,
            options: serde_json::from_str(&r.options).unwrap_or_default(),
        })
        .collect())
}

/// Revokes one of the workspace's links.
pub fn revoke(conn: &Tx, ws: WorkspaceId, jti: &str) -> Result<()> {
    if !store::connect_links::revoke_link(conn, ws.0, jti, &store::now())? {
        return Err(Error::NotFound("connect link"));
    }
    let profile = link_profile_id(conn, jti)?;
    super::audit::record(conn, ws, "connect_link.revoked", profile.as_deref(), Some(jti))
}

/// Ends a link's page session (the person pressed Done): the session token stops working on
/// the server too, not only in the browser that drops its cookie.
pub fn finish(conn: &Conn, ws: WorkspaceId, jti: &str) -> Result<()> {
    store::connect_links::revoke_link(conn, ws.0, jti, &store::now())?;
    Ok(())
}

/// The UUID of the profile a link is for.
fn link_profile_id(conn: &Conn, jti: &str) -> Result<Option<String>> {
    let Some(row) = store::connect_links::find_link(conn, jti)? else { return Ok(None) };
    Ok(store::profiles::find_profile_by_seq(conn, row.profile_seq)?.map(|p| p.id))
}

/// Why a link or session is refused; the words are for the person holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Expired,
    Invalid,
    Used,
    Revoked,
    OtherWorkspace,
    ProfileGone,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Expired => "Token expired",
            Refusal::Invalid => "Token is invalid or its signature does not match",
            Refusal::Used => "This link was already used",
            Refusal::Revoked => "This link was revoked",
            Refusal::OtherWorkspace => "This link belongs to another workspace",
            Refusal::ProfileGone => "The profile of this link no longer exists",
        }
    }
}

impl From<JwtError> for Refusal {
    fn from(e: JwtError) -> Self {
        match e {
            JwtError::Expired => Refusal::Expired,
            JwtError::Invalid => Refusal::Invalid,
        }
    }
}

/// A link whose token checked out, with its row and profile.
#[derive(Debug, Clone)]
pub struct CheckedLink {
    pub claims: ConnectClaims,
    pub options: LinkOptions,
    pub profile: Profile,
    pub used: bool,
}

/// Checks a link's token and row without using it up. `Err(Ok(refusal))` is a refusal,
/// `Err(Err(e))` a failure of the server.
pub fn check(conn: &Conn, jwt: &Jwt, token: &str, audience: &str) -> Result<std::result::Result<CheckedLink, Refusal>> {
    let claims: ConnectClaims = match jwt.verify(token, audience) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.into())),
    };
    // The token is ours (it verified), so its row existed: it went with its profile.
    let Some(row) = store::connect_links::find_link(conn, &claims.jti)? else {
        return Ok(Err(Refusal::ProfileGone));
    };
    if row.workspace_id != claims.ws {
        return Ok(Err(Refusal::Invalid));
    }
    if row.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    let Some(profile) = store::profiles::find_profile_by_seq(conn, row.profile_seq)? else {
        return Ok(Err(Refusal::ProfileGone));
    };
    Ok(Ok(CheckedLink {
        claims,
        options: serde_json::from_str(&row.options).unwrap_or_default(),
        profile: profile.into(),
        used: row.used_at.is_some(),
    }))
}

/// Whether a link's token is live for a caller of workspace `ws` (or for anyone, when the
/// token itself is the credential): checked, of that workspace, and not yet used. Every
/// dialect's "validate" asks this.
pub fn validate(
    conn: &Conn,
    jwt: &Jwt,
    token: &str,
    ws: Option<WorkspaceId>,
) -> Result<std::result::Result<CheckedLink, Refusal>> {
    let checked = match check(conn, jwt, token.trim(), LINK_AUDIENCE)? {
        Ok(l) => l,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if ws.is_some_and(|w| w.0 != checked.claims.ws) {
        return Ok(Err(Refusal::OtherWorkspace));
    }
    if checked.used {
        return Ok(Err(Refusal::Used));
    }
    Ok(Ok(checked))
}

/// Uses a link up; of racing callers exactly one gets `Ok(true)`.
pub fn claim(conn: &Tx, jti: &str) -> Result<bool> {
    if !store::connect_links::claim_link(conn, jti, &store::now())? {
        return Ok(false);
    }
    if let Some(row) = store::connect_links::find_link(conn, jti)? {
        let profile = link_profile_id(conn, jti)?;
        super::audit::record(conn, WorkspaceId(row.workspace_id), "connect_link.used", profile.as_deref(), Some(jti))?;
    }
    Ok(true)
}
