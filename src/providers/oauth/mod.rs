//! OAuth 2.0 authorization code with state (and PKCE where the platform takes it), one preset
//! per platform (presets.rs). Every URL and behaviour can be overridden in configuration (a
//! provider moves an endpoint, or a test points them at a provider on loopback).

mod presets;

use super::upstream::ApiHosts;
use super::{
    Body, Http, HttpAnswer, Identity, Linked, Method, Provider, ProviderError, Tokens, basic_auth, classify_failure,
};
use crate::domain::platform::Platform;
pub use presets::{ClientAuth, Exchange, Preset, Refresh, preset};
use serde_json::Value;

/// A platform's credentials and overrides, from configuration
/// (`HITCHPOST_OAUTH_<PLATFORM>_<NAME>`). Its `Debug` leaves the client secret out.
#[derive(Clone, Default)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: String,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub identity_url: Option<String>,
    pub scopes: Option<String>,
    pub revoke_url: Option<String>,
    /// Whether to send PKCE (`_PKCE`, true/false), else the preset's choice.
    pub pkce: Option<bool>,
    /// The issuer `iss` must equal (`_ISSUER`), else the preset's, else the authorize URL's origin.
    pub issuer: Option<String>,
    /// The User-Agent sent to this platform (`_USER_AGENT`; Reddit wants one naming the app).
    pub user_agent: Option<String>,
    /// How the client authenticates at the token endpoint (`_CLIENT_AUTH`: `basic` or `body`).
    pub client_auth: Option<ClientAuth>,
    /// What joins the scopes in the authorize URL (`_SCOPE_SEPARATOR`: `space` or `comma`).
    pub scope_sep: Option<String>,
    /// Extra authorize parameters, replacing the preset's (`_AUTHORIZE_PARAMS`: `k=v&k2=v2`).
    pub authorize_params: Option<Vec<(String, String)>>,
    /// Where the proxy sends API calls (`_API_URL`, `upstream::ApiHosts`'s form), else the preset's.
    pub api_hosts: Option<ApiHosts>,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("identity_url", &self.identity_url)
            .field("scopes", &self.scopes)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl OAuthConfig {
    /// Reads `_CLIENT_AUTH`, `_SCOPE_SEPARATOR` and `_AUTHORIZE_PARAMS`; a value that is not
    /// one of the documented ones is an error naming the variable.
    pub fn set_behaviour(
        &mut self,
        var: &str,
        client_auth: Option<String>,
        scope_sep: Option<String>,
        params: Option<String>,
    ) -> Result<(), String> {
        self.client_auth = match client_auth.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("basic") => Some(ClientAuth::Basic { client_id_in_body: false }),
            Some("body") | Some("post") => Some(ClientAuth::Body),
            Some(other) => return Err(format!("{var}_CLIENT_AUTH must be basic or body, not {other:?}")),
        };
        self.scope_sep = match scope_sep.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("space") | Some(" ") => Some(" ".into()),
            Some("comma") | Some(",") => Some(",".into()),
            Some(other) => return Err(format!("{var}_SCOPE_SEPARATOR must be space or comma, not {other:?}")),
        };
        self.authorize_params = params.map(|p| url::form_urlencoded::parse(p.as_bytes()).into_owned().collect());
        Ok(())
    }
}

/// An OAuth 2.0 provider: a preset with credentials and overrides applied.
pub struct OAuthProvider {
    platform: Platform,
    preset: Preset,
    client_id: String,
    client_secret: String,
    authorize_url: String,
    token_url: String,
    identity_url: String,
    scopes: String,
    revoke_url: Option<String>,
    pkce: bool,
    issuer: String,
    user_agent: Option<String>,
    client_auth: ClientAuth,
    scope_sep: String,
    authorize_params: Vec<(String, String)>,
    api_hosts: Option<ApiHosts>,
    http: Http,
}

/// The origin (`scheme://host[:port]`) of a URL, or the URL itself when it has none.
fn origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.has_host() => u.origin().ascii_serialization(),
        _ => url.to_string(),
    }
}

fn seconds(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

impl OAuthProvider {
    /// Where the proxy sends this platform's API calls.
    pub fn api_hosts(&self) -> Option<&ApiHosts> {
        self.api_hosts.as_ref()
    }

    /// The User-Agent this platform gets, where it wants a particular one (Reddit).
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    pub fn new(platform: Platform, c: &OAuthConfig, http: Http) -> Option<Self> {
        let preset = preset(platform)?;
        let authorize_url = c.authorize_url.clone().unwrap_or_else(|| preset.authorize_url.into());
        // An overridden authorize URL is another server (a test's, a proxy's): its issuer is
        // its own unless named.
        let issuer = c.issuer.clone().unwrap_or_else(|| {
            if c.authorize_url.is_none() && !preset.issuer.is_empty() {
                preset.issuer.into()
            } else {
                origin(&authorize_url)
            }
        });
        Some(OAuthProvider {
            platform,
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.clone(),
            authorize_url,
            token_url: c.token_url.clone().unwrap_or_else(|| preset.token_url.into()),
            identity_url: c.identity_url.clone().unwrap_or_else(|| preset.identity_url.into()),
            scopes: c.scopes.clone().unwrap_or_else(|| preset.scopes.into()),
            revoke_url: c
                .revoke_url
                .clone()
                .or_else(|| (!preset.revoke_url.is_empty()).then(|| preset.revoke_url.into())),
            pkce: c.pkce.unwrap_or(preset.pkce),
            issuer,
            user_agent: c
                .user_agent
                .clone()
                .or_else(|| (!preset.user_agent.is_empty()).then(|| preset.user_agent.into())),
            client_auth: c.client_auth.unwrap_or(preset.client_auth),
            scope_sep: c.scope_sep.clone().unwrap_or_else(|| preset.scope_sep.into()),
            authorize_params: c
                .authorize_params
                .clone()
                .unwrap_or_else(|| preset.extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
            api_hosts: c.api_hosts.clone().or_else(|| ApiHosts::parse(preset.api_url).ok()),
            preset,
            http,
        })
    }

    /// Whether this platform is sent PKCE.
    pub fn pkce(&self) -> bool {
        self.pkce
    }

    /// Checks the `iss` of an authorization answer (RFC 9207): absent is fine (most platforms
    /// send none), present must be this provider's issuer, else the answer may come from
    /// another server the person was sent to (a mix-up attack).
    pub fn check_issuer(&self, iss: Option<&str>) -> Result<(), ProviderError> {
        match iss {
            Some(iss) if iss != self.issuer => Err(ProviderError::Refused(format!(
                "the authorization answer came from issuer {iss}, not {}",
                self.issuer
            ))),
            _ => Ok(()),
        }
    }

    fn send<'a>(
        &'a self,
        method: Method,
        url: &str,
        mut headers: Vec<(&'a str, &'a str)>,
        body: Body<'_>,
    ) -> Result<HttpAnswer, ProviderError> {
        if let Some(ua) = &self.user_agent {
            headers.push(("user-agent", ua));
        }
        self.http.send(method, url, &headers, body)
    }

    /// POSTs a form to one of the provider's endpoints, authenticating the client its way.
    fn client_post<'a>(&'a self, url: &str, mut form: Vec<(&'a str, &'a str)>) -> Result<HttpAnswer, ProviderError> {
        let auth;
        let mut headers = Vec::new();
        match self.client_auth {
            ClientAuth::Basic { client_id_in_body } => {
                auth = basic_auth(&self.client_id, &self.client_secret);
                headers.push(("authorization", auth.as_str()));
                if client_id_in_body {
                    form.push((self.preset.client_id_param, &self.client_id));
                }
            }
            ClientAuth::Body => {
                form.push((self.preset.client_id_param, &self.client_id));
                form.push(("client_secret", &self.client_secret));
            }
        }
        self.send(Method::Post, url, headers, Body::Form(&form))
    }

    /// GETs a URL with query parameters (Meta's token exchanges and renewals).
    fn get_with(&self, url: &str, query: &[(&str, &str)]) -> Result<HttpAnswer, ProviderError> {
        let mut u = url::Url::parse(url).map_err(|_| ProviderError::NotConfigured(format!("{url} is not a URL")))?;
        u.query_pairs_mut().extend_pairs(query.iter());
        self.send(Method::Get, u.as_str(), Vec::new(), Body::None)
    }

    /// Reads a token answer: the RFC 6749 shape, TikTok's and Instagram's wrappers around it.
    fn tokens(what: &str, answer: HttpAnswer) -> Result<Tokens, ProviderError> {
        if !(200..300).contains(&answer.status) {
            return Err(classify_failure(what, &answer));
        }
        let body = answer
            .body
            .get("data")
            .map(|d| d.get(0).unwrap_or(d))
            .filter(|d| d.get("access_token").is_some())
            .unwrap_or(&answer.body);
        let access_token = body
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Refused(format!("{what}: the answer has no access_token")))?
            .to_string();
        let now = chrono::Utc::now();
        let at = |k: &str| body.get(k).and_then(seconds).map(|secs| now + chrono::Duration::seconds(secs));
        Ok(Tokens {
            access_token,
            refresh_token: body.get("refresh_token").and_then(Value::as_str).map(str::to_owned),
            expires_at: at("expires_in"),
            // LinkedIn and Pinterest say `refresh_token_expires_in`, TikTok `refresh_expires_in`.
            refresh_expires_at: at("refresh_token_expires_in").or_else(|| at("refresh_expires_in")),
            // TikTok joins them with commas, everyone else with spaces.
            scopes: body
                .get("scope")
                .and_then(Value::as_str)
                .map(|s| s.split([' ', ',']).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")),
        })
    }

    /// `t` with the scopes asked for where the answer named none.
    fn with_scopes(&self, mut t: Tokens) -> Tokens {
        if t.scopes.is_none() {
            t.scopes = Some(self.scopes.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        t
    }

    /// Meta's swap of a short-lived token for a long-lived one.
    fn long_lived(&self, short: Tokens) -> Result<Tokens, ProviderError> {
        let Exchange::LongLived { url, grant_type, facebook } = self.preset.exchange else { return Ok(short) };
        let url = self.derived_url(url);
        let answer = if facebook {
            self.get_with(
                &url,
                &[
                    ("grant_type", grant_type),
                    ("client_id", &self.client_id),
                    ("client_secret", &self.client_secret),
                    ("fb_exchange_token", &short.access_token),
                ],
            )?
        } else {
            self.get_with(
                &url,
                &[
                    ("grant_type", grant_type),
                    ("client_secret", &self.client_secret),
                    ("access_token", &short.access_token),
                ],
            )?
        };
        let mut long = Self::tokens("the long-lived token exchange", answer)?;
        if matches!(self.preset.refresh, Refresh::LongLivedToken { .. }) {
            // The long-lived token is what renews itself: kept as the refresh credential too.
            long.refresh_token = Some(long.access_token.clone());
        }
        Ok(long)
    }

    /// A preset URL on the same host as the configured token URL: when the token URL is
    /// overridden (a test, a proxy), Meta's exchange and renewal URLs move with it.
    fn derived_url(&self, preset_url: &str) -> String {
        if self.token_url == self.preset.token_url {
            return preset_url.into();
        }
        match (url::Url::parse(preset_url), url::Url::parse(&self.token_url)) {
            (Ok(p), Ok(t)) => format!("{}{}", t.origin().ascii_serialization(), p.path()),
            _ => preset_url.into(),
        }
    }

    fn identity(&self, access_token: &str) -> Result<Identity, ProviderError> {
        let bearer = format!("Bearer {access_token}");
        let answer = self.send(Method::Get, &self.identity_url, vec![("authorization", &bearer)], Body::None)?;
        if !(200..300).contains(&answer.status) {
            return Err(classify_failure("the identity request", &answer));
        }
        let text = |ptr: &str| -> Option<String> {
            if ptr.is_empty() {
                return None;
            }
            match answer.body.pointer(ptr)? {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let id = text(self.preset.id)
            .ok_or_else(|| ProviderError::Refused("the provider's identity answer has no account id".into()))?;
        let username = text(self.preset.username);
        let profile_url = (!self.preset.profile_url.is_empty())
            .then(|| {
                let url = self.preset.profile_url.replace("{id}", &id);
                match &username {
                    Some(u) => Some(url.replace("{username}", u)),
                    None if !url.contains("{username}") => Some(url),
                    None => None,
                }
            })
            .flatten();
        let details = match self.preset.boards_url {
            Some(url) => self.boards(&self.derived_identity_url(url), access_token),
            None => None,
        };
        Ok(Identity {
            platform_user_id: id,
            display_name: text(self.preset.display_name).or_else(|| username.clone()),
            username,
            profile_url,
            image_url: text(self.preset.avatar),
            account_type: "personal".into(),
            details,
        })
    }

    /// A preset URL on the identity URL's host, when that is overridden.
    fn derived_identity_url(&self, preset_url: &str) -> String {
        if self.identity_url == self.preset.identity_url {
            return preset_url.into();
        }
        match (url::Url::parse(preset_url), url::Url::parse(&self.identity_url)) {
            (Ok(p), Ok(i)) => format!("{}{}", i.origin().ascii_serialization(), p.path()),
            _ => preset_url.into(),
        }
    }

    /// Pinterest boards, read once at link time; a failure here does not fail the link.
    fn boards(&self, url: &str, access_token: &str) -> Option<Value> {
        let bearer = format!("Bearer {access_token}");
        let answer = self.send(Method::Get, url, vec![("authorization", &bearer)], Body::None).ok()?;
        let items = answer.body.get("items")?.as_array()?;
        let boards: Vec<Value> = items
            .iter()
            .map(|b| serde_json::json!({"id": b.get("id"), "name": b.get("name"), "description": b.get("description")}))
            .collect();
        Some(serde_json::json!({ "boards": boards }))
    }
}

impl Provider for OAuthProvider {
    fn platform(&self) -> Platform {
        self.platform
    }

    fn authorize_url(&self, state: &str, code_challenge: &str, redirect_uri: &str) -> Option<String> {
        let mut url = url::Url::parse(&self.authorize_url).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair(self.preset.client_id_param, &self.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", &self.scopes.split_whitespace().collect::<Vec<_>>().join(&self.scope_sep))
                .append_pair("state", state);
            if self.pkce {
                q.append_pair("code_challenge", code_challenge).append_pair("code_challenge_method", "S256");
            }
            for (k, v) in &self.authorize_params {
                q.append_pair(k, v);
            }
        }
        Some(url.into())
    }

    fn exchange_code(&self, code: &str, verifier: &str, redirect_uri: &str) -> Result<Linked, ProviderError> {
        let mut form = vec![("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri)];
        if self.pkce {
            form.push(("code_verifier", verifier));
        }
        let tokens = Self::tokens("the token request", self.client_post(&self.token_url, form)?)?;
        let tokens = self.with_scopes(self.long_lived(tokens)?);
        let identity = self.identity(&tokens.access_token)?;
        Ok(Linked { identity, tokens, provider_url: None, sandbox: false })
    }

    fn refresh(&self, refresh_token: &str, _provider_url: Option<&str>) -> Result<Tokens, ProviderError> {
        match self.preset.refresh {
            // No `scope` in a refresh answer means the grant's scopes are unchanged: kept.
            Refresh::RefreshToken => Self::tokens(
                "the token refresh",
                self.client_post(
                    &self.token_url,
                    vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token)],
                )?,
            ),
            Refresh::LongLivedToken { url, grant_type } => {
                let answer = self
                    .get_with(&self.derived_url(url), &[("grant_type", grant_type), ("access_token", refresh_token)])?;
                let mut t = Self::tokens("the token refresh", answer)?;
                t.refresh_token = Some(t.access_token.clone());
                Ok(t)
            }
            Refresh::None => Err(ProviderError::Refused(format!(
                "{} tokens cannot be renewed; the account must be linked again",
                self.platform.label()
            ))),
        }
    }

    fn revoke(&self, tokens: &Tokens, _provider_url: Option<&str>) {
        let Some(url) = &self.revoke_url else { return };
        // The refresh token outlives the access token, so it is the one worth revoking.
        let (token, hint) = match &tokens.refresh_token {
            Some(r) if !self.preset.revoke_access_token => (r.as_str(), "refresh_token"),
            _ => (tokens.access_token.as_str(), "access_token"),
        };
        let mut form = vec![("token", token)];
        if !self.preset.revoke_access_token && !self.preset.revoke_token_only {
            form.push(("token_type_hint", hint));
        }
        let sent = if self.preset.revoke_token_only {
            self.send(Method::Post, url, Vec::new(), Body::Form(&form))
        } else {
            self.client_post(url, form)
        };
        match sent {
            Ok(a) if (200..300).contains(&a.status) => {
                log::info!("revoked the {} tokens at the provider", self.platform)
            }
            Ok(a) => log::warn!("revoking {} tokens: {}", self.platform, classify_failure("the revocation", &a)),
            Err(e) => log::warn!("revoking {} tokens: {e}", self.platform),
        }
    }
}
