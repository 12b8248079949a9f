//! Bluesky: a handle and an app password against a PDS (`com.atproto.server.createSession`),
//! then the profile. No consent screen, so it links by API too.
//!
//! Checked against the official PDS (`@atproto/pds`): `refreshSession` and `deleteSession`
//! take the refresh JWT as bearer and no body at all (a JSON `null` body is a 400), the
//! refresh JWT rotates on every refresh, and `app.bsky.*` reads are proxied to an AppView that
//! may be down, while the profile record is always on the account's own PDS.

use super::{Http, HttpAnswer, Identity, Linked, Provider, ProviderError, Tokens, classify_failure, net};
use crate::domain::platform::Platform;
use base64::Engine;
use serde_json::{Value, json};

/// Where Bluesky accounts live unless told otherwise.
pub const DEFAULT_PDS: &str = "https://bsky.social";

/// How long an access JWT lives when its `exp` cannot be read (the PDS issues two hours).
const ACCESS_JWT_HOURS: i64 = 2;

/// The Bluesky provider.
pub struct Bluesky {
    default_pds: String,
    /// For the default PDS, which the operator chose.
    http: Http,
    /// For a PDS a person named: refuses private addresses at each connection.
    callers_http: Http,
    /// Whether a PDS named by a person may be on a private address.
    allow_private: bool,
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The PDS's `error`/`message`, for the reason an account must reconnect and for the log.
fn pds_reason(what: &str, answer: &HttpAnswer) -> String {
    let error = text(&answer.body, "error").unwrap_or_else(|| format!("HTTP {}", answer.status));
    match text(&answer.body, "message") {
        Some(m) => format!("{what}: {error} ({m})"),
        None => format!("{what}: {error}"),
    }
}

/// When a JWT lapses, from its `exp` claim (read, not verified: it is the PDS's own token and
/// only tells us when to refresh).
fn jwt_expiry(jwt: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(jwt_claim(jwt, "exp")?.as_i64()?, 0)
}

/// One claim of a JWT's payload (read, not verified).
fn jwt_claim(jwt: &str, name: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?.get(name).cloned()
}

/// A session answer (createSession, refreshSession) as tokens.
fn session_tokens(body: &Value) -> Result<Tokens, ProviderError> {
    let access =
        text(body, "accessJwt").ok_or_else(|| ProviderError::Refused("the PDS answered without a session".into()))?;
    let expires_at =
        jwt_expiry(&access).unwrap_or_else(|| chrono::Utc::now() + chrono::Duration::hours(ACCESS_JWT_HOURS));
    // The refresh JWT (90 days) is replaced at every refresh, so the link does not lapse
    // while hitchpost keeps refreshing it: no refresh expiry to show.
    // An app-password session's scope is `com.atproto.appPass` (or `…appPassPrivileged`).
    let scopes = jwt_claim(&access, "scope").and_then(|s| s.as_str().map(str::to_owned));
    Ok(Tokens {
        access_token: access,
        refresh_token: text(body, "refreshJwt"),
        expires_at: Some(expires_at),
        refresh_expires_at: None,
        scopes,
    })
}

impl Bluesky {
    pub fn new(default_pds: String, http: Http, allow_private: bool) -> Self {
        let callers_http = Http::for_callers(std::time::Duration::from_secs(10), allow_private);
        Bluesky { default_pds, http, callers_http, allow_private }
    }

    /// The client for calls to `pds`.
    fn http(&self, pds: &str) -> &Http {
        if pds == self.default_pds.trim_end_matches('/') { &self.http } else { &self.callers_http }
    }

    /// A stored PDS URL is checked again at each use, not only when it was given (it may have
    /// been stored under looser rules); its name is checked at each connection by the agent
    /// (`net::public_agent`). The operator's default is trusted.
    fn checked<'a>(&'a self, pds: Option<&'a str>) -> Result<&'a str, ProviderError> {
        let pds = self.pds(pds);
        if pds == self.default_pds.trim_end_matches('/') {
            return Ok(pds);
        }
        match net::check_outbound(pds, self.allow_private) {
            Ok(_) => Ok(pds),
            Err(why) => Err(ProviderError::Refused(format!("the PDS address is not allowed: {why}"))),
        }
    }

    /// The PDS used when the person names none.
    pub fn default_pds(&self) -> &str {
        &self.default_pds
    }

    fn pds<'a>(&'a self, pds: Option<&'a str>) -> &'a str {
        pds.unwrap_or(&self.default_pds).trim_end_matches('/')
    }

    /// Signs in with an app password; a wrong password is a `Refused` and stores nothing.
    pub fn login(&self, pds: Option<&str>, handle: &str, app_password: &str) -> Result<Linked, ProviderError> {
        let pds = self.pds(pds).to_string();
        let answer = self.http(&pds).post_json(
            &format!("{pds}/xrpc/com.atproto.server.createSession"),
            &json!({"identifier": handle, "password": app_password}),
            None,
        )?;
        if answer.status == 401 || answer.status == 400 {
            let why = text(&answer.body, "message").unwrap_or_else(|| "wrong handle or app password".into());
            return Err(ProviderError::Refused(format!("Bluesky refused the sign-in: {why}")));
        }
        if !(200..300).contains(&answer.status) {
            return Err(classify_failure("the Bluesky sign-in", &answer));
        }
        let did =
            text(&answer.body, "did").ok_or_else(|| ProviderError::Refused("the PDS answered without a DID".into()))?;
        let handle = text(&answer.body, "handle").unwrap_or_else(|| handle.to_string());
        let tokens = session_tokens(&answer.body)?;
        // The profile adds a display name and an avatar; without it the account still links.
        let (display_name, avatar) = self.profile(&pds, &did, &tokens.access_token);
        Ok(Linked {
            identity: Identity {
                platform_user_id: did,
                display_name: display_name.or_else(|| Some(handle.clone())),
                profile_url: Some(format!("https://bsky.app/profile/{handle}")),
                image_url: avatar,
                username: Some(handle),
                account_type: "personal".into(),
                details: None,
            },
            tokens,
            provider_url: Some(pds),
            sandbox: false,
        })
    }

    /// Display name and avatar URL: from the AppView (`app.bsky.actor.getProfile`, through the
    /// PDS), else from the profile record on the PDS itself, with the avatar blob's URL there.
    fn profile(&self, pds: &str, did: &str, access: &str) -> (Option<String>, Option<String>) {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        if let Ok(a) =
            self.http(pds).get_json(&format!("{pds}/xrpc/app.bsky.actor.getProfile?actor={}", enc(did)), access)
            && a.status == 200
        {
            return (text(&a.body, "displayName"), text(&a.body, "avatar"));
        }
        let url = format!(
            "{pds}/xrpc/com.atproto.repo.getRecord?repo={}&collection=app.bsky.actor.profile&rkey=self",
            enc(did)
        );
        let Some(record) = self.http(pds).get_json(&url, access).ok().filter(|a| a.status == 200).map(|a| a.body)
        else {
            return (None, None);
        };
        let value = &record["value"];
        let avatar = value["avatar"]["ref"]["$link"]
            .as_str()
            .map(|cid| format!("{pds}/xrpc/com.atproto.sync.getBlob?did={}&cid={}", enc(did), enc(cid)));
        (text(value, "displayName"), avatar)
    }

    /// Ends the app-password session at the PDS (`com.atproto.server.deleteSession`), so the
    /// refresh token hitchpost held no longer works there.
    pub fn end_session(&self, refresh_token: &str, pds: Option<&str>) {
        let pds = match self.checked(pds) {
            Ok(p) => p,
            Err(e) => return log::warn!("ending a Bluesky session: {e}"),
        };
        let url = format!("{pds}/xrpc/com.atproto.server.deleteSession");
        match self.http(pds).post_empty(&url, refresh_token) {
            Ok(a) if (200..300).contains(&a.status) => log::info!("ended the Bluesky session at {pds}"),
            Ok(a) => log::warn!("{}", pds_reason(&format!("ending a Bluesky session at {pds}"), &a)),
            Err(e) => log::warn!("ending a Bluesky session at {pds}: {e}"),
        }
    }
}

impl Provider for Bluesky {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    fn refresh(&self, refresh_token: &str, provider_url: Option<&str>) -> Result<Tokens, ProviderError> {
        let pds = self.checked(provider_url)?;
        let answer =
            self.http(pds).post_empty(&format!("{pds}/xrpc/com.atproto.server.refreshSession"), refresh_token)?;
        if answer.status >= 500 || answer.status == 429 || answer.status == 408 {
            return Err(ProviderError::Transient(pds_reason("the Bluesky session refresh", &answer)));
        }
        if !(200..300).contains(&answer.status) {
            // ExpiredToken, InvalidToken ("Token has been revoked"), AccountTakedown: the person
            // must sign in again.
            return Err(ProviderError::Refused(pds_reason("the Bluesky session refresh", &answer)));
        }
        session_tokens(&answer.body)
    }

    fn revoke(&self, tokens: &Tokens, provider_url: Option<&str>) {
        if let Some(refresh) = &tokens.refresh_token {
            self.end_session(refresh, provider_url);
        }
    }
}
