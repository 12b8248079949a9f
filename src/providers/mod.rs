//! How a social account gets linked: one trait, with implementations for OAuth 2.0
//! (authorization code + PKCE, per-platform presets), Bluesky (app password against a PDS) and
//! the sandbox (dev mode: a fake account at once).
//!
//! Providers make blocking HTTP calls; callers run them off the async executor and never
//! inside a database transaction, so a slow provider holds neither.

pub mod bluesky;
pub mod net;
pub mod oauth;
pub mod sandbox;
pub mod upstream;

use crate::domain::platform::Platform;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Who the linked account is, as the provider describes it.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub profile_url: Option<String>,
    pub image_url: Option<String>,
    pub account_type: String,
    /// Extra facts read at link time (Pinterest boards, ...).
    pub details: Option<Value>,
}

impl Identity {
    /// The identity as hitchpost stores and shows it: what a provider (or whoever answers on
    /// its address) sent is not trusted to be safe to put in a page or pass on. URLs only if
    /// absolute http(s); a handle only of the characters handles are made of; names without
    /// control, zero-width or bidi characters, and every field bounded.
    pub fn cleaned(self) -> Identity {
        fn text(s: Option<String>, max: usize) -> Option<String> {
            let t: String = s?
                .chars()
                .filter(|c| !c.is_control() && !is_invisible(*c))
                .take(max)
                .collect::<String>()
                .trim()
                .to_string();
            (!t.is_empty()).then_some(t)
        }
        fn web_url(s: Option<String>) -> Option<String> {
            let u = url::Url::parse(&s?).ok()?;
            // Stored as parsed (percent-encoded), so what is shown is what was checked.
            (matches!(u.scheme(), "http" | "https") && u.has_host() && u.as_str().len() <= net::MAX_URL_CHARS)
                .then(|| u.to_string())
        }
        let is_handle = |h: &String| {
            (1..=253).contains(&h.len()) && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        let refused = self.username.as_ref().is_some_and(|h| !is_handle(h));
        let handle = self.username.filter(is_handle);
        // A profile URL made from a refused handle goes with it.
        let profile_url = if refused { None } else { web_url(self.profile_url) };
        Identity {
            platform_user_id: text(Some(self.platform_user_id), 256).unwrap_or_default(),
            username: handle,
            display_name: text(self.display_name, 200),
            profile_url,
            image_url: web_url(self.image_url),
            account_type: text(Some(self.account_type), 32).unwrap_or_else(|| "personal".into()),
            details: self.details,
        }
    }
}

/// Zero-width and bidirectional formatting characters: invisible, and able to make a name read
/// as another.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// The credentials a provider issued. Secret: never logged, never returned, sealed at rest.
#[derive(Clone, Default)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the refresh token itself lapses, where the provider says (`refresh_token_expires_in`).
    pub refresh_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The scopes granted, space-separated, where known (the token answer's `scope`; the ones
    /// asked for when it names none, as RFC 6749 §5.1 says).
    pub scopes: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A freshly linked account.
#[derive(Debug, Clone)]
pub struct Linked {
    pub identity: Identity,
    pub tokens: Tokens,
    /// Where the tokens are refreshed, when that is per account (a Bluesky PDS).
    pub provider_url: Option<String>,
    pub sandbox: bool,
}

/// Why linking or refreshing did not work.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    /// The person declined at the provider's consent screen.
    #[error("access was denied at {0}: {1}")]
    Denied(String, String),
    /// The provider definitely refused (wrong password, invalid_grant, revoked).
    #[error("{0}")]
    Refused(String),
    /// It may work later (network, timeout, 5xx, 429).
    #[error("{0}")]
    Transient(String),
    /// The server is not set up for this platform.
    #[error("{0}")]
    NotConfigured(String),
}

/// One way of linking accounts of one platform.
pub trait Provider: Send + Sync {
    /// The platform this provider links.
    fn platform(&self) -> Platform;

    /// Where to send the person to consent (redirect-based providers only).
    fn authorize_url(&self, _state: &str, _code_challenge: &str, _redirect_uri: &str) -> Option<String> {
        None
    }

    /// Turns an authorization code into tokens and an identity.
    fn exchange_code(&self, _code: &str, _verifier: &str, _redirect_uri: &str) -> Result<Linked, ProviderError> {
        Err(ProviderError::NotConfigured(format!("{} does not link by redirect", self.platform())))
    }

    /// Gets new tokens with a refresh token.
    fn refresh(&self, _refresh_token: &str, _provider_url: Option<&str>) -> Result<Tokens, ProviderError> {
        Err(ProviderError::Refused("this account cannot be refreshed".into()))
    }

    /// Best-effort revocation at the provider when an account is unlinked.
    fn revoke(&self, _tokens: &Tokens, _provider_url: Option<&str>) {}
}

/// Blocking HTTP for providers: short timeouts, no redirects (a redirect could lead a call
/// made on a caller's word to an address it may not reach), statuses as values.
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
}

/// A provider's answer: status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: Value,
}

impl Http {
    /// For the operator's own endpoints (OAuth providers, the default PDS).
    pub fn new(timeout: Duration) -> Self {
        Http { agent: ureq::Agent::new_with_config(Self::config(timeout)) }
    }

    /// For addresses a caller gave (their own PDS): a name that resolves to a private address
    /// is refused at connection time (`net::public_agent`).
    pub fn for_callers(timeout: Duration, allow_private: bool) -> Self {
        Http { agent: net::public_agent(Self::config(timeout), allow_private) }
    }

    fn config(timeout: Duration) -> ureq::config::Config {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent("hitchpost")
            .build()
    }

    fn finish(res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<HttpAnswer, ProviderError> {
        let mut res = res.map_err(|e| match e {
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                ProviderError::Refused(format!("the address is not allowed: {}", net::PRIVATE_REFUSED))
            }
            e => ProviderError::Transient(format!("could not reach the provider: {e}")),
        })?;
        let status = res.status().as_u16();
        let text = res
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_string()
            .map_err(|e| ProviderError::Transient(format!("could not read the provider's answer: {e}")))?;
        Ok(HttpAnswer { status, body: serde_json::from_str(&text).unwrap_or(Value::Null) })
    }

    /// Sends one request: `headers` as given (authorization, user agent, ...), then the body.
    pub fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<HttpAnswer, ProviderError> {
        let mut req = ureq::http::Request::builder()
            .method(match method {
                Method::Get => "GET",
                Method::Post => "POST",
            })
            .uri(url)
            .header("accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let built = match body {
            // No body and no content type: a Bluesky PDS refuses a body on refreshSession and
            // deleteSession ("A request body was provided when none was expected").
            Body::None => req.body(Vec::new()),
            Body::Form(form) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter()).finish();
                req.header("content-type", "application/x-www-form-urlencoded").body(encoded.into_bytes())
            }
            Body::Json(v) => req.header("content-type", "application/json").body(v.to_string().into_bytes()),
        }
        .map_err(|e| ProviderError::NotConfigured(format!("not a valid request to {url}: {e}")))?;
        Self::finish(self.agent.run(built))
    }

    /// POSTs a form, optionally with HTTP Basic client authentication.
    pub fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<HttpAnswer, ProviderError> {
        let auth = basic.map(|(user, pass)| basic_auth(user, pass));
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
        self.send(Method::Post, url, &headers, Body::Form(form))
    }

    /// POSTs JSON, optionally with a bearer token.
    pub fn post_json(&self, url: &str, body: &Value, bearer: Option<&str>) -> Result<HttpAnswer, ProviderError> {
        let auth = bearer.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
        self.send(Method::Post, url, &headers, Body::Json(body))
    }

    /// POSTs nothing at all (no body, no content type) with a bearer token.
    pub fn post_empty(&self, url: &str, bearer: &str) -> Result<HttpAnswer, ProviderError> {
        self.send(Method::Post, url, &[("authorization", &format!("Bearer {bearer}"))], Body::None)
    }

    /// GETs JSON with a bearer token.
    pub fn get_json(&self, url: &str, bearer: &str) -> Result<HttpAnswer, ProviderError> {
        self.send(Method::Get, url, &[("authorization", &format!("Bearer {bearer}"))], Body::None)
    }
}

/// The methods providers are called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// What a request to a provider carries.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a Value),
}

/// An HTTP Basic `authorization` value. Not form-urlencoded first as RFC 6749 §2.3.1 asks:
/// X, Reddit and Pinterest document (and decode) plain `id:secret`, and for the letters, digits,
/// `-` and `_` that client credentials are made of the two are the same.
pub fn basic_auth(user: &str, pass: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

/// Classifies a provider's non-2xx answer: 5xx and 429 may pass, anything else is a refusal.
pub fn classify_failure(what: &str, answer: &HttpAnswer) -> ProviderError {
    let code = answer.body.get("error").and_then(Value::as_str).unwrap_or("");
    let desc = answer
        .body
        .get("error_description")
        .or_else(|| answer.body.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let reason = format!(
        "{what} failed with HTTP {}{}{}",
        answer.status,
        if code.is_empty() { String::new() } else { format!(": {code}") },
        if desc.is_empty() { String::new() } else { format!(" ({desc})") }
    );
    if answer.status >= 500 || answer.status == 429 || answer.status == 408 {
        ProviderError::Transient(reason)
    } else {
        ProviderError::Refused(reason)
    }
}

/// Every configured provider.
#[derive(Clone)]
pub struct Providers {
    oauth: Arc<HashMap<Platform, oauth::OAuthProvider>>,
    pub bluesky: Arc<bluesky::Bluesky>,
    /// Whether sandbox accounts may be linked (dev mode or configuration).
    pub sandbox: bool,
    /// Whether calls on a caller's word may reach private addresses.
    pub allow_private_outbound: bool,
}

impl Providers {
    pub fn new(config: &ProvidersConfig) -> Self {
        let http = Http::new(Duration::from_secs(10));
        let oauth = config
            .oauth
            .iter()
            .filter_map(|(p, c)| oauth::OAuthProvider::new(*p, c, http.clone()).map(|o| (*p, o)))
            .collect();
        Providers {
            oauth: Arc::new(oauth),
            bluesky: Arc::new(bluesky::Bluesky::new(config.bluesky_pds.clone(), http, config.allow_private_outbound)),
            sandbox: config.sandbox,
            allow_private_outbound: config.allow_private_outbound,
        }
    }

    /// The OAuth provider for a platform, if it has credentials.
    pub fn oauth(&self, platform: Platform) -> Option<&oauth::OAuthProvider> {
        self.oauth.get(&platform)
    }

    /// The provider that refreshes and revokes a platform's accounts.
    /// Where an account's API calls go, and the User-Agent the platform wants if any: the
    /// platform's configured hosts, or a Bluesky account's own PDS.
    pub fn api_hosts(
        &self,
        platform: Platform,
        pds: Option<&str>,
    ) -> Result<(upstream::ApiHosts, Option<String>), String> {
        if platform == Platform::Bluesky {
            let pds = pds.ok_or("the account has no PDS")?;
            return Ok((upstream::ApiHosts::single(pds)?, None));
        }
        let p = self.oauth(platform).ok_or_else(|| Self::missing_credentials(platform))?;
        let hosts = p.api_hosts().cloned().ok_or_else(|| format!("no API URL is set for {}", platform.label()))?;
        Ok((hosts, p.user_agent().map(str::to_owned)))
    }

    pub fn for_platform(&self, platform: Platform) -> Option<&dyn Provider> {
        if platform == Platform::Bluesky {
            return Some(self.bluesky.as_ref());
        }
        self.oauth(platform).map(|p| p as &dyn Provider)
    }

    /// How an account on `platform` can be linked here.
    pub fn method(&self, platform: Platform) -> LinkMethod {
        if platform == Platform::Bluesky {
            LinkMethod::Credentials
        } else if self.oauth.contains_key(&platform) {
            LinkMethod::OAuth
        } else if self.sandbox {
            LinkMethod::Sandbox
        } else {
            LinkMethod::Unavailable
        }
    }

    /// Why a platform cannot be linked by OAuth, naming what is missing.
    pub fn missing_credentials(platform: Platform) -> String {
        let p = platform.as_str().to_ascii_uppercase();
        format!(
            "{} is not set up on this server: set HITCHPOST_OAUTH_{p}_CLIENT_ID and HITCHPOST_OAUTH_{p}_CLIENT_SECRET",
            platform.label()
        )
    }
}

/// How an account can be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMethod {
    /// Redirect to the provider's consent screen.
    OAuth,
    /// A handle and an app password (Bluesky).
    Credentials,
    /// A fake account at once (dev mode).
    Sandbox,
    /// No credentials are configured and the sandbox is off.
    Unavailable,
}

/// Provider configuration, from the environment.
#[derive(Debug, Clone, Default)]
pub struct ProvidersConfig {
    pub oauth: HashMap<Platform, oauth::OAuthConfig>,
    pub bluesky_pds: String,
    pub sandbox: bool,
    pub allow_private_outbound: bool,
}

impl ProvidersConfig {
    /// Reads `HITCHPOST_OAUTH_<PLATFORM>_{CLIENT_ID,CLIENT_SECRET,AUTHORIZE_URL,TOKEN_URL,IDENTITY_URL,SCOPES,REVOKE_URL,PKCE,ISSUER,USER_AGENT}`
    /// and `HITCHPOST_BLUESKY_PDS`.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut oauth = HashMap::new();
        for p in Platform::ALL {
            if p == Platform::Bluesky {
                continue;
            }
            let var = |name: &str| {
                get(&format!("HITCHPOST_OAUTH_{}_{name}", p.as_str().to_ascii_uppercase())).filter(|v| !v.is_empty())
            };
            if let (Some(id), Some(secret)) = (var("CLIENT_ID"), var("CLIENT_SECRET")) {
                let mut c = oauth::OAuthConfig {
                    client_id: id,
                    client_secret: secret,
                    authorize_url: var("AUTHORIZE_URL"),
                    token_url: var("TOKEN_URL"),
                    identity_url: var("IDENTITY_URL"),
                    scopes: var("SCOPES"),
                    revoke_url: var("REVOKE_URL"),
                    pkce: var("PKCE").map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")),
                    issuer: var("ISSUER"),
                    user_agent: var("USER_AGENT"),
                    ..Default::default()
                };
                let prefix = format!("HITCHPOST_OAUTH_{}", p.as_str().to_ascii_uppercase());
                if let Some(v) = var("API_URL") {
                    c.api_hosts = Some(upstream::ApiHosts::parse(&v).map_err(|e| format!("{prefix}_API_URL: {e}"))?);
                }
                c.set_behaviour(&prefix, var("CLIENT_AUTH"), var("SCOPE_SEPARATOR"), var("AUTHORIZE_PARAMS"))?;
                oauth.insert(p, c);
            }
        }
        Ok(ProvidersConfig {
            oauth,
            bluesky_pds: get("HITCHPOST_BLUESKY_PDS").unwrap_or_else(|| bluesky::DEFAULT_PDS.into()),
            sandbox: false,
            allow_private_outbound: false,
        })
    }
}
