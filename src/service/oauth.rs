//! The OAuth round trip: start (state and PKCE verifier recorded) and finish (code exchanged,
//! account stored), for the page's links and for links started through an API.

use super::{FailureKind, blocking, sealed};
use crate::app::App;
use crate::domain::accounts::{self, SocialAccount};
use crate::domain::platform::Platform;
use crate::domain::workspaces::WorkspaceId;
use crate::domain::{self, Error, connect, profiles};
use crate::providers::{self, LinkMethod, Provider, ProviderError};
use crate::store::{self, connect_links::OAuthStateRow};
use base64::Engine;
use rand::RngExt;
use sha2::Digest;

/// How long a person has to finish an OAuth consent.
const OAUTH_STATE_MINUTES: i64 = 15;

fn random_string(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| rng.sample(rand::distr::Alphanumeric) as char).collect()
}

/// The OAuth redirect URI of a platform on this server.
pub fn redirect_uri(state: &App, platform: Platform) -> String {
    format!("{}/connect/callback/{}", state.public_url, platform.as_str())
}

/// Where to send a person to consent, and until when that works.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub url: String,
    /// RFC 3339: when the state (or, in the sandbox, the connect link) lapses.
    pub expires_at: String,
}

/// Starts an OAuth authorization for a profile: records state and PKCE verifier, returns the
/// provider URL to send the person to.
pub async fn start_oauth(
    state: &App,
    profile: &profiles::Profile,
    platform: Platform,
    link_jti: Option<String>,
    return_url: Option<String>,
) -> domain::Result<Authorization> {
    let provider = state.providers.oauth(platform).ok_or_else(|| match state.providers.method(platform) {
        LinkMethod::Credentials => Error::invalid(
            "platform",
            format!("{} links with a handle and an app password, not by redirect", platform.label()),
        ),
        _ => Error::invalid("platform", providers::Providers::missing_credentials(platform)),
    })?;
    let verifier = random_string(64);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let oauth_state = random_string(32);
    let url = provider
        .authorize_url(&oauth_state, &challenge, &redirect_uri(state, platform))
        .ok_or_else(|| Error::Internal(format!("the authorize URL of {platform} is not a URL")))?;
    let now = chrono::Utc::now();
    let expires_at =
        (now + chrono::Duration::minutes(OAUTH_STATE_MINUTES)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let row = OAuthStateRow {
        state: oauth_state,
        profile_seq: profile.seq,
        platform: platform.as_str().into(),
        pkce_verifier: verifier,
        link_jti,
        return_url,
        created_at: store::now(),
        expires_at: expires_at.clone(),
    };
    state.db.write(move |c| store::connect_links::insert_oauth_state(c, &row).map_err(Error::from)).await?;
    Ok(Authorization { url, expires_at })
}

/// Where to send a person to link an account of `platform` by redirect: with credentials,
/// straight to the provider's consent screen; in the sandbox, a connect link for this
/// platform alone. Either way no API key goes into the URL.
pub async fn consent_url(
    state: &App,
    ws: WorkspaceId,
    profile: &profiles::Profile,
    platform: Platform,
    return_url: Option<String>,
) -> domain::Result<Authorization> {
    if state.providers.method(platform) == LinkMethod::OAuth {
        return start_oauth(state, profile, platform, None, return_url).await;
    }
    let new = connect::NewLink::parse(connect::RawLinkOptions {
        redirect_url: return_url,
        platforms: Some(vec![platform.as_str().into()]),
        ..Default::default()
    })?;
    let issued = super::issue(state, ws, super::Target::Id(profile.id.clone()), new).await?;
    Ok(Authorization { url: issued.url, expires_at: issued.link.expires_at })
}

/// Why an OAuth callback did not link an account.
#[derive(Debug, Clone)]
pub struct CallbackFailure {
    /// The authorization it belonged to, when the state was good (to know where to go back).
    pub started: Option<OAuthStateRow>,
    /// The category the connect page explains in the person's language.
    pub kind: FailureKind,
    /// What happened, in words (for API callers' return URLs, the log and the audit).
    pub message: String,
}

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// RFC 9207's issuer of the answer, where the provider sends one.
    pub iss: Option<String>,
    /// The connect link whose session the browser that came back holds, if any.
    pub session_jti: Option<String>,
}

/// Finishes an OAuth authorization: checks state (single use) and issuer, exchanges the code
/// (PKCE), reads the identity, stores the account. A failure of an authorization this server
/// started is recorded in the workspace's audit log with the provider's own words.
pub async fn finish_oauth(
    state: &App,
    platform: Platform,
    cb: Callback,
) -> Result<(OAuthStateRow, SocialAccount), CallbackFailure> {
    let result = finish(state, platform, cb).await;
    if let Err(CallbackFailure { started: Some(started), message, .. }) = &result {
        let (seq, target) = (started.profile_seq, format!("{platform}: {message}"));
        let recorded = state
            .db
            .write(move |c| {
                let Some(profile) = store::profiles::find_profile_by_seq(c, seq)? else { return Ok(()) };
                let profile: profiles::Profile = profile.into();
                let ws = WorkspaceId(profile.workspace_id);
                domain::audit::record(c, ws, "account.link_failed", Some(&profile.id), Some(&target))
            })
            .await;
        if let Err(e) = recorded {
            log::error!("recording a failed {platform} link: {e}");
        }
    }
    result
}

async fn finish(
    state: &App,
    platform: Platform,
    cb: Callback,
) -> Result<(OAuthStateRow, SocialAccount), CallbackFailure> {
    let started = take_state(state, platform, &cb).await?;
    let code = match check_answer(state, platform, cb) {
        Ok(code) => code,
        Err((kind, message)) => return Err(CallbackFailure { started: Some(started), kind, message }),
    };
    match exchange_and_store(state, platform, &started, code).await {
        Ok(account) => Ok((started, account)),
        Err((kind, message)) => Err(CallbackFailure { started: Some(started), kind, message }),
    }
}

/// Takes the sign-in the callback's state names: once, for this platform, unexpired, and
/// from the browser that started it.
async fn take_state(state: &App, platform: Platform, cb: &Callback) -> Result<OAuthStateRow, CallbackFailure> {
    let fail = |started: Option<OAuthStateRow>, kind: FailureKind, message: &str| CallbackFailure {
        started,
        kind,
        message: message.into(),
    };
    let Some(oauth_state) = cb.state.clone().filter(|s| !s.is_empty()) else {
        log::warn!("oauth callback for {platform} without state");
        return Err(fail(None, FailureKind::Expired, "The sign-in answer had no state; start again from your link."));
    };
    let taken = state
        .db
        .write(move |c| store::connect_links::take_oauth_state(c, &oauth_state).map_err(Error::from))
        .await
        .map_err(|e| {
            log::error!("oauth callback for {platform}: {e}");
            fail(None, FailureKind::Misconfigured, "Something failed on the server.")
        })?;
    let Some(started) = taken else {
        log::warn!("oauth callback for {platform} with an unknown or used state");
        return Err(fail(
            None,
            FailureKind::Expired,
            "This sign-in was already used or does not match; start again from your link.",
        ));
    };
    if started.platform != platform.as_str() || started.expires_at < store::now() {
        log::warn!("oauth callback for {platform}: state for {} or expired", started.platform);
        return Err(fail(
            Some(started),
            FailureKind::Expired,
            "This sign-in expired or does not match; try connecting again.",
        ));
    }
    // A sign-in started from a connect page finishes only in the browser that started it:
    // else anyone could send a victim to consent with the attacker's state, and the victim's
    // account would land on the attacker's profile (login CSRF).
    if started.link_jti.is_some() && started.link_jti != cb.session_jti {
        log::warn!("oauth callback for {platform}: the state belongs to another browser's connect session");
        return Err(fail(
            Some(started),
            FailureKind::Expired,
            "This sign-in was started in another browser or session; start again from your link.",
        ));
    }
    Ok(started)
}

/// What the provider answered: its authorization code, or why there is none.
fn check_answer(state: &App, platform: Platform, cb: Callback) -> Result<String, (FailureKind, String)> {
    let Some(provider) = state.providers.oauth(platform) else {
        return Err((FailureKind::Misconfigured, providers::Providers::missing_credentials(platform)));
    };
    // The issuer is checked before anything else the answer says, errors included: an answer
    // from another server is not this provider's to report (RFC 9207 §2.4).
    if let Err(e) = provider.check_issuer(cb.iss.as_deref()) {
        log::warn!("oauth callback for {platform}: {e}");
        return Err((FailureKind::Refused, e.to_string()));
    }
    if let Some(err) = cb.error {
        let desc = cb.error_description.unwrap_or_default();
        log::warn!("oauth callback for {platform}: the provider answered {err} ({desc})");
        return Err(if err == "access_denied" {
            (FailureKind::Declined, format!("access was declined at {}: {err} ({desc})", platform.label()))
        } else {
            (FailureKind::Refused, format!("{} answered {err} ({desc})", platform.label()))
        });
    }
    cb.code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| (FailureKind::Refused, format!("{} sent no authorization code", platform.label())))
}

/// Exchanges the code (off the executor) and links the account to the sign-in's profile.
async fn exchange_and_store(
    state: &App,
    platform: Platform,
    started: &OAuthStateRow,
    code: String,
) -> Result<SocialAccount, (FailureKind, String)> {
    let providers = state.providers.clone();
    let verifier = started.pkce_verifier.clone();
    let redirect = redirect_uri(state, platform);
    let exchanged = blocking(move || match providers.oauth(platform) {
        Some(p) => p.exchange_code(&code, &verifier, &redirect),
        None => Err(ProviderError::NotConfigured(providers::Providers::missing_credentials(platform))),
    })
    .await;
    let linked = match exchanged {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => {
            log::warn!("oauth callback for {platform}: {e}");
            return Err((FailureKind::of(&e), e.to_string()));
        }
        Err(e) => return Err((FailureKind::Misconfigured, e.to_string())),
    };
    let account = sealed(state, linked);
    let seq = started.profile_seq;
    let stored = state
        .db
        .write(move |c| {
            let profile = store::profiles::find_profile_by_seq(c, seq)?.ok_or(Error::NotFound("profile"))?;
            accounts::link(c, &profile.into(), platform, account)
        })
        .await;
    stored.map_err(|e| {
        log::error!("oauth callback for {platform}: storing the account: {e}");
        (FailureKind::Misconfigured, "The account could not be saved.".to_string())
    })
}
