//! OAuth 2.0 authorization code with PKCE and state, one preset per platform. Every URL and
//! the scopes can be overridden in configuration (a provider moves an endpoint, or a test
//! points them at a fake provider on loopback).

use super::{Http, Identity, Linked, Provider, ProviderError, Tokens, classify_failure};
use crate::domain::platform::Platform;
use serde_json::Value;

/// How the client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form body.
    Body,
    /// HTTP Basic.
    Basic,
}

/// A platform's OAuth endpoints and how to read its identity response.
#[derive(Debug, Clone)]
pub struct Preset {
    pub authorize_url: &'static str,
    pub token_url: &'static str,
    pub identity_url: &'static str,
    pub scopes: &'static str,
    /// Scope separator the provider expects.
    pub scope_sep: &'static str,
    /// Name of the client id parameter (`client_key` at TikTok).
    pub client_id_param: &'static str,
    pub client_auth: ClientAuth,
    /// Extra authorize parameters (offline access and the like).
    pub extra: &'static [(&'static str, &'static str)],
    /// JSON pointers into the identity response.
    pub id: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub avatar: &'static str,
    /// `{username}` or `{id}` is replaced; empty when the platform has no public profile URL.
    pub profile_url: &'static str,
    /// A list read at link time and kept in the account's details (Pinterest boards).
    pub boards_url: Option<&'static str>,
    /// Where tokens are revoked when an account is unlinked (RFC 7009), if the platform has one.
    pub revoke_url: &'static str,
}

/// The preset of a platform (Bluesky has none: it does not use OAuth here).
pub fn preset(p: Platform) -> Option<Preset> {
    let base = Preset {
        authorize_url: "",
        token_url: "",
        identity_url: "",
        scopes: "",
        scope_sep: " ",
        client_id_param: "client_id",
        client_auth: ClientAuth::Body,
        extra: &[],
        id: "/id",
        username: "/username",
        display_name: "/name",
        avatar: "",
        profile_url: "",
        boards_url: None,
        revoke_url: "",
    };
    Some(match p {
        Platform::Linkedin => Preset {
            authorize_url: "https://www.linkedin.com/oauth/v2/authorization",
            token_url: "https://www.linkedin.com/oauth/v2/accessToken",
            identity_url: "https://api.linkedin.com/v2/userinfo",
            scopes: "openid profile email w_member_social",
            revoke_url: "https://www.linkedin.com/oauth/v2/revoke",
            id: "/sub",
            username: "/email",
            avatar: "/picture",
            ..base
        },
        Platform::X => Preset {
            authorize_url: "https://x.com/i/oauth2/authorize",
            token_url: "https://api.x.com/2/oauth2/token",
            identity_url: "https://api.x.com/2/users/me?user.fields=profile_image_url",
            scopes: "tweet.read tweet.write users.read offline.access",
            revoke_url: "https://api.x.com/2/oauth2/revoke",
            client_auth: ClientAuth::Basic,
            id: "/data/id",
            username: "/data/username",
            display_name: "/data/name",
            avatar: "/data/profile_image_url",
            profile_url: "https://x.com/{username}",
            ..base
        },
        Platform::Facebook => Preset {
            authorize_url: "https://www.facebook.com/v19.0/dialog/oauth",
            token_url: "https://graph.facebook.com/v19.0/oauth/access_token",
            identity_url: "https://graph.facebook.com/me?fields=id,name,picture",
            scopes: "public_profile,pages_show_list,pages_manage_posts",
            scope_sep: ",",
            username: "/name",
            avatar: "/picture/data/url",
            profile_url: "https://www.facebook.com/{id}",
            ..base
        },
        Platform::Instagram => Preset {
            authorize_url: "https://www.instagram.com/oauth/authorize",
            token_url: "https://api.instagram.com/oauth/access_token",
            identity_url: "https://graph.instagram.com/me?fields=user_id,username,name,profile_picture_url",
            scopes: "instagram_business_basic,instagram_business_content_publish",
            scope_sep: ",",
            id: "/user_id",
            avatar: "/profile_picture_url",
            profile_url: "https://www.instagram.com/{username}",
            ..base
        },
        Platform::Threads => Preset {
            authorize_url: "https://threads.net/oauth/authorize",
            token_url: "https://graph.threads.net/oauth/access_token",
            identity_url: "https://graph.threads.net/v1.0/me?fields=id,username,name,threads_profile_picture_url",
            scopes: "threads_basic,threads_content_publish",
            scope_sep: ",",
            avatar: "/threads_profile_picture_url",
            profile_url: "https://www.threads.net/@{username}",
            ..base
        },
        Platform::Tiktok => Preset {
            authorize_url: "https://www.tiktok.com/v2/auth/authorize/",
            token_url: "https://open.tiktokapis.com/v2/oauth/token/",
            identity_url: "https://open.tiktokapis.com/v2/user/info/?fields=open_id,avatar_url,display_name,username",
            scopes: "user.info.basic,video.publish",
            scope_sep: ",",
            client_id_param: "client_key",
            revoke_url: "https://open.tiktokapis.com/v2/oauth/revoke/",
            id: "/data/user/open_id",
            username: "/data/user/username",
            display_name: "/data/user/display_name",
            avatar: "/data/user/avatar_url",
            profile_url: "https://www.tiktok.com/@{username}",
            ..base
        },
        Platform::Youtube => Preset {
            authorize_url: "https://accounts.google.com/o/oauth2/v2/auth",
            token_url: "https://oauth2.googleapis.com/token",
            identity_url: "https://www.googleapis.com/oauth2/v3/userinfo",
            scopes: "openid profile email https://www.googleapis.com/auth/youtube.upload",
            extra: &[("access_type", "offline"), ("prompt", "consent")],
            revoke_url: "https://oauth2.googleapis.com/revoke",
            id: "/sub",
            username: "/email",
            avatar: "/picture",
            ..base
        },
        Platform::Pinterest => Preset {
            authorize_url: "https://www.pinterest.com/oauth/",
            token_url: "https://api.pinterest.com/v5/oauth/token",
            identity_url: "https://api.pinterest.com/v5/user_account",
            scopes: "boards:read,pins:read,pins:write,user_accounts:read",
            scope_sep: ",",
            client_auth: ClientAuth::Basic,
            display_name: "/business_name",
            avatar: "/profile_image",
            profile_url: "https://www.pinterest.com/{username}",
            boards_url: Some("https://api.pinterest.com/v5/boards"),
            ..base
        },
        Platform::Reddit => Preset {
            authorize_url: "https://www.reddit.com/api/v1/authorize",
            token_url: "https://www.reddit.com/api/v1/access_token",
            identity_url: "https://oauth.reddit.com/api/v1/me",
            scopes: "identity submit",
            client_auth: ClientAuth::Basic,
            extra: &[("duration", "permanent")],
            revoke_url: "https://www.reddit.com/api/v1/revoke_token",
            username: "/name",
            avatar: "/icon_img",
            profile_url: "https://www.reddit.com/user/{username}",
            ..base
        },
        Platform::Bluesky => return None,
    })
}

/// A platform's credentials and overrides, from configuration.
#[derive(Debug, Clone, Default)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: String,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub identity_url: Option<String>,
    pub scopes: Option<String>,
    pub revoke_url: Option<String>,
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
    http: Http,
}

impl OAuthProvider {
    pub fn new(platform: Platform, c: &OAuthConfig, http: Http) -> Option<Self> {
        let preset = preset(platform)?;
        Some(OAuthProvider {
            platform,
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.clone(),
            authorize_url: c.authorize_url.clone().unwrap_or_else(|| preset.authorize_url.into()),
            token_url: c.token_url.clone().unwrap_or_else(|| preset.token_url.into()),
            identity_url: c.identity_url.clone().unwrap_or_else(|| preset.identity_url.into()),
            scopes: c.scopes.clone().unwrap_or_else(|| preset.scopes.into()),
            revoke_url: c
                .revoke_url
                .clone()
                .or_else(|| (!preset.revoke_url.is_empty()).then(|| preset.revoke_url.into())),
            preset,
            http,
        })
    }

    /// POSTs a form to one of the provider's endpoints, authenticating the client its way.
    fn client_post<'a>(
        &'a self,
        url: &str,
        mut form: Vec<(&'a str, &'a str)>,
    ) -> Result<super::HttpAnswer, ProviderError> {
        let basic = match self.preset.client_auth {
            ClientAuth::Basic => Some((self.client_id.as_str(), self.client_secret.as_str())),
            ClientAuth::Body => {
                form.push((self.preset.client_id_param, &self.client_id));
                form.push(("client_secret", &self.client_secret));
                None
            }
        };
        self.http.post_form(url, &form, basic)
    }

    fn token_request<'a>(&'a self, form: Vec<(&'a str, &'a str)>) -> Result<Tokens, ProviderError> {
        let answer = self.client_post(&self.token_url, form)?;
        if !(200..300).contains(&answer.status) {
            return Err(classify_failure("the token request", &answer));
        }
        // TikTok wraps the answer in `data`.
        let body = answer.body.get("data").filter(|d| d.get("access_token").is_some()).unwrap_or(&answer.body);
        let access_token = body
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Refused("the provider's token answer has no access_token".into()))?
            .to_string();
        let expires_at = body
            .get("expires_in")
            .and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .map(|secs| chrono::Utc::now() + chrono::Duration::seconds(secs));
        Ok(Tokens {
            access_token,
            refresh_token: body.get("refresh_token").and_then(Value::as_str).map(str::to_owned),
            expires_at,
        })
    }

    fn identity(&self, access_token: &str) -> Result<Identity, ProviderError> {
        let answer = self.http.get_json(&self.identity_url, access_token)?;
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
            Some(url) => self.boards(url, access_token),
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

    /// Pinterest boards, read once at link time; a failure here does not fail the link.
    fn boards(&self, url: &str, access_token: &str) -> Option<Value> {
        let answer = self.http.get_json(url, access_token).ok()?;
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
                .append_pair("scope", &self.scopes.split_whitespace().collect::<Vec<_>>().join(self.preset.scope_sep))
                .append_pair("state", state)
                .append_pair("code_challenge", code_challenge)
                .append_pair("code_challenge_method", "S256");
            for (k, v) in self.preset.extra {
                q.append_pair(k, v);
            }
        }
        Some(url.into())
    }

    fn exchange_code(&self, code: &str, verifier: &str, redirect_uri: &str) -> Result<Linked, ProviderError> {
        let tokens = self.token_request(vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])?;
        let identity = self.identity(&tokens.access_token)?;
        Ok(Linked { identity, tokens, provider_url: None, sandbox: false })
    }

    fn refresh(&self, refresh_token: &str, _provider_url: Option<&str>) -> Result<Tokens, ProviderError> {
        self.token_request(vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
    }

    fn revoke(&self, tokens: &Tokens, _provider_url: Option<&str>) {
        let Some(url) = &self.revoke_url else { return };
        // The refresh token outlives the access token, so it is the one worth revoking.
        let (token, hint) = match &tokens.refresh_token {
            Some(r) => (r.as_str(), "refresh_token"),
            None => (tokens.access_token.as_str(), "access_token"),
        };
        match self.client_post(url, vec![("token", token), ("token_type_hint", hint)]) {
            Ok(a) if (200..300).contains(&a.status) => {
                log::info!("revoked the {} tokens at the provider", self.platform)
            }
            Ok(a) => log::warn!("revoking {} tokens: {}", self.platform, classify_failure("the revocation", &a)),
            Err(e) => log::warn!("revoking {} tokens: {e}", self.platform),
        }
    }
}
