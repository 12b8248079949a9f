//! Bluesky: a handle and an app password against a PDS (`com.atproto.server.createSession`),
//! then the profile (`app.bsky.actor.getProfile`). No consent screen, so it links by API too.

use super::{Http, Identity, Linked, Provider, ProviderError, Tokens, classify_failure};
use crate::domain::platform::Platform;
use serde_json::{Value, json};

/// Where Bluesky accounts live unless told otherwise.
pub const DEFAULT_PDS: &str = "https://bsky.social";

/// The Bluesky provider.
pub struct Bluesky {
    default_pds: String,
    http: Http,
}

impl Bluesky {
    pub fn new(default_pds: String, http: Http) -> Self {
        Bluesky { default_pds, http }
    }

    /// The PDS used when the person names none.
    pub fn default_pds(&self) -> &str {
        &self.default_pds
    }

    /// Signs in with an app password; a wrong password is a `Refused` and stores nothing.
    pub fn login(&self, pds: Option<&str>, handle: &str, app_password: &str) -> Result<Linked, ProviderError> {
        let pds = pds.unwrap_or(&self.default_pds).trim_end_matches('/').to_string();
        let answer = self.http.post_json(
            &format!("{pds}/xrpc/com.atproto.server.createSession"),
            &json!({"identifier": handle, "password": app_password}),
            None,
        )?;
        if answer.status == 401 || answer.status == 400 {
            let why = answer.body.get("message").and_then(Value::as_str).unwrap_or("wrong handle or app password");
            return Err(ProviderError::Refused(format!("Bluesky refused the sign-in: {why}")));
        }
        if !(200..300).contains(&answer.status) {
            return Err(classify_failure("the Bluesky sign-in", &answer));
        }
        let s = |k: &str| answer.body.get(k).and_then(Value::as_str).map(str::to_owned);
        let did = s("did").ok_or_else(|| ProviderError::Refused("the PDS answered without a DID".into()))?;
        let handle = s("handle").unwrap_or_else(|| handle.to_string());
        let access =
            s("accessJwt").ok_or_else(|| ProviderError::Refused("the PDS answered without a session".into()))?;
        // The profile adds a display name and an avatar; without it the account still links.
        let profile = self
            .http
            .get_json(&format!("{pds}/xrpc/app.bsky.actor.getProfile?actor={did}"), &access)
            .ok()
            .filter(|a| a.status == 200)
            .map(|a| a.body)
            .unwrap_or(Value::Null);
        let p = |k: &str| profile.get(k).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
        Ok(Linked {
            identity: Identity {
                platform_user_id: did,
                display_name: p("displayName").or_else(|| Some(handle.clone())),
                profile_url: Some(format!("https://bsky.app/profile/{handle}")),
                image_url: p("avatar"),
                username: Some(handle),
                account_type: "personal".into(),
                details: None,
            },
            tokens: Tokens {
                access_token: access,
                refresh_token: s("refreshJwt"),
                // Access JWTs live about two hours; refreshing ahead keeps the session alive.
                expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(2)),
            },
            provider_url: Some(pds),
            sandbox: false,
        })
    }
}

impl Provider for Bluesky {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    fn refresh(&self, refresh_token: &str, provider_url: Option<&str>) -> Result<Tokens, ProviderError> {
        let pds = provider_url.unwrap_or(&self.default_pds).trim_end_matches('/');
        let answer = self.http.post_json(
            &format!("{pds}/xrpc/com.atproto.server.refreshSession"),
            &Value::Null,
            Some(refresh_token),
        )?;
        if !(200..300).contains(&answer.status) {
            return Err(classify_failure("the Bluesky session refresh", &answer));
        }
        let s = |k: &str| answer.body.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(Tokens {
            access_token: s("accessJwt").ok_or_else(|| ProviderError::Refused("no accessJwt".into()))?,
            refresh_token: s("refreshJwt"),
            expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(2)),
        })
    }

    fn revoke(&self, tokens: &Tokens, provider_url: Option<&str>) {
        if let Some(refresh) = &tokens.refresh_token {
            self.end_session(refresh, provider_url);
        }
    }
}

impl Bluesky {
    /// Ends the app-password session at the PDS (`com.atproto.server.deleteSession`).
    fn end_session(&self, refresh_token: &str, pds: Option<&str>) {
        let pds = pds.unwrap_or(&self.default_pds).trim_end_matches('/');
        let url = format!("{pds}/xrpc/com.atproto.server.deleteSession");
        match self.http.post_json(&url, &Value::Null, Some(refresh_token)) {
            Ok(a) if (200..300).contains(&a.status) => log::info!("ended the Bluesky session at {pds}"),
            Ok(a) => log::warn!("ending a Bluesky session: HTTP {}", a.status),
            Err(e) => log::warn!("ending a Bluesky session: {e}"),
        }
    }
}
