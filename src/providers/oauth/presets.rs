//! One preset per platform: the facts of its OAuth 2.0 flow, as its current public
//! documentation states them (checked against Nango's providers.yaml where that has them).
//! Every URL, the scopes, PKCE, the issuer and the user agent can be overridden by env.

use crate::domain::platform::Platform;

/// How the client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` (or `client_key`) and `client_secret` in the form body (`client_secret_post`).
    Body,
    /// HTTP Basic (`client_secret_basic`), with `client_id` also in the body where the platform
    /// documents it (X).
    Basic { client_id_in_body: bool },
}

/// What follows the code exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// The code's tokens are the ones kept.
    None,
    /// Meta: the code gives a short-lived token (an hour), swapped at once for a long-lived one
    /// (60 days) by GET `url?grant_type=<grant>&client_secret=..&access_token=..` (Instagram,
    /// Threads) or `...&client_id=..&fb_exchange_token=..` (Facebook, `facebook: true`).
    LongLived { url: &'static str, grant_type: &'static str, facebook: bool },
}

/// How tokens are renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// RFC 6749 §6: POST the token endpoint with `grant_type=refresh_token`.
    RefreshToken,
    /// Meta's long-lived tokens renew themselves: GET `url?grant_type=<grant>&access_token=..`
    /// with the current (unexpired, at least a day old) token; no refresh token exists.
    LongLivedToken { url: &'static str, grant_type: &'static str },
    /// Nothing renews them (Facebook user tokens): the person links again when they lapse.
    None,
}

/// A platform's OAuth endpoints and how to read its identity response.
#[derive(Debug, Clone)]
pub struct Preset {
    pub authorize_url: &'static str,
    pub token_url: &'static str,
    pub identity_url: &'static str,
    /// Where the proxy sends an account's API calls (`upstream::ApiHosts`'s written form).
    pub api_url: &'static str,
    pub scopes: &'static str,
    /// Scope separator the provider expects.
    pub scope_sep: &'static str,
    /// Name of the client id parameter (`client_key` at TikTok).
    pub client_id_param: &'static str,
    pub client_auth: ClientAuth,
    /// Whether PKCE (S256) is sent. X requires it; LinkedIn's and Meta's web flows refuse or
    /// mishandle it.
    pub pkce: bool,
    /// Extra authorize parameters (offline access and the like).
    pub extra: &'static [(&'static str, &'static str)],
    /// The authorization server's issuer identifier, compared with the `iss` of the callback
    /// (RFC 9207) when the provider sends one; empty: the authorize URL's origin.
    pub issuer: &'static str,
    /// A User-Agent of the platform's required shape (Reddit), else hitchpost's own.
    pub user_agent: &'static str,
    pub exchange: Exchange,
    pub refresh: Refresh,
    /// JSON pointers into the identity response. `username` only where the platform has
    /// handles (an email is not a handle).
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
    /// Which token the revocation endpoint takes (TikTok revokes by access token).
    pub revoke_access_token: bool,
    /// Whether the revocation takes the token alone, with no client credentials (Google).
    pub revoke_token_only: bool,
}

const BASE: Preset = Preset {
    authorize_url: "",
    token_url: "",
    identity_url: "",
    api_url: "",
    scopes: "",
    scope_sep: " ",
    client_id_param: "client_id",
    client_auth: ClientAuth::Body,
    pkce: true,
    extra: &[],
    issuer: "",
    user_agent: "",
    exchange: Exchange::None,
    refresh: Refresh::RefreshToken,
    id: "/id",
    username: "",
    display_name: "/name",
    avatar: "",
    profile_url: "",
    boards_url: None,
    revoke_url: "",
    revoke_access_token: false,
    revoke_token_only: false,
};

/// The preset of a platform (Bluesky has none: it does not use OAuth here).
pub fn preset(p: Platform) -> Option<Preset> {
    Some(match p {
        Platform::Linkedin => LINKEDIN,
        Platform::X => X,
        Platform::Facebook => FACEBOOK,
        Platform::Instagram => INSTAGRAM,
        Platform::Threads => THREADS,
        Platform::Tiktok => TIKTOK,
        Platform::Youtube => YOUTUBE,
        Platform::Pinterest => PINTEREST,
        Platform::Reddit => REDDIT,
        Platform::Bluesky => return None,
    })
}

// https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow
const LINKEDIN: Preset = Preset {
    authorize_url: "https://www.linkedin.com/oauth/v2/authorization",
    token_url: "https://www.linkedin.com/oauth/v2/accessToken",
    identity_url: "https://api.linkedin.com/v2/userinfo",
    api_url: "https://api.linkedin.com",
    scopes: "openid profile email w_member_social",
    pkce: false,
    issuer: "https://www.linkedin.com/oauth",
    revoke_url: "https://www.linkedin.com/oauth/v2/revoke",
    id: "/sub",
    avatar: "/picture",
    ..BASE
};

// https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
const X: Preset = Preset {
    authorize_url: "https://x.com/i/oauth2/authorize",
    token_url: "https://api.x.com/2/oauth2/token",
    identity_url: "https://api.x.com/2/users/me?user.fields=profile_image_url",
    api_url: "https://api.x.com,/1.1/media/=https://upload.twitter.com",
    scopes: "tweet.read tweet.write users.read offline.access",
    client_auth: ClientAuth::Basic { client_id_in_body: true },
    revoke_url: "https://api.x.com/2/oauth2/revoke",
    id: "/data/id",
    username: "/data/username",
    display_name: "/data/name",
    avatar: "/data/profile_image_url",
    profile_url: "https://x.com/{username}",
    ..BASE
};

// https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
// https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
const FACEBOOK: Preset = Preset {
    authorize_url: "https://www.facebook.com/v22.0/dialog/oauth",
    token_url: "https://graph.facebook.com/v22.0/oauth/access_token",
    identity_url: "https://graph.facebook.com/v22.0/me?fields=id,name,picture",
    api_url: "https://graph.facebook.com",
    scopes: "public_profile,pages_show_list,pages_manage_posts",
    scope_sep: ",",
    pkce: false,
    exchange: Exchange::LongLived {
        url: "https://graph.facebook.com/v22.0/oauth/access_token",
        grant_type: "fb_exchange_token",
        facebook: true,
    },
    refresh: Refresh::None,
    avatar: "/picture/data/url",
    profile_url: "https://www.facebook.com/{id}",
    ..BASE
};

// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
const INSTAGRAM: Preset = Preset {
    authorize_url: "https://www.instagram.com/oauth/authorize",
    token_url: "https://api.instagram.com/oauth/access_token",
    identity_url: "https://graph.instagram.com/me?fields=user_id,username,name,profile_picture_url",
    api_url: "https://graph.instagram.com,/ig-api-upload/=https://rupload.facebook.com",
    scopes: "instagram_business_basic,instagram_business_content_publish",
    scope_sep: ",",
    pkce: false,
    exchange: Exchange::LongLived {
        url: "https://graph.instagram.com/access_token",
        grant_type: "ig_exchange_token",
        facebook: false,
    },
    refresh: Refresh::LongLivedToken {
        url: "https://graph.instagram.com/refresh_access_token",
        grant_type: "ig_refresh_token",
    },
    id: "/user_id",
    username: "/username",
    avatar: "/profile_picture_url",
    profile_url: "https://www.instagram.com/{username}",
    ..BASE
};

// https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
const THREADS: Preset = Preset {
    authorize_url: "https://threads.net/oauth/authorize",
    token_url: "https://graph.threads.net/oauth/access_token",
    identity_url: "https://graph.threads.net/v1.0/me?fields=id,username,name,threads_profile_picture_url",
    api_url: "https://graph.threads.net",
    scopes: "threads_basic,threads_content_publish",
    scope_sep: ",",
    pkce: false,
    exchange: Exchange::LongLived {
        url: "https://graph.threads.net/access_token",
        grant_type: "th_exchange_token",
        facebook: false,
    },
    refresh: Refresh::LongLivedToken {
        url: "https://graph.threads.net/refresh_access_token",
        grant_type: "th_refresh_token",
    },
    username: "/username",
    avatar: "/threads_profile_picture_url",
    profile_url: "https://www.threads.net/@{username}",
    ..BASE
};

// https://developers.tiktok.com/doc/oauth-user-access-token-management
const TIKTOK: Preset = Preset {
    authorize_url: "https://www.tiktok.com/v2/auth/authorize/",
    token_url: "https://open.tiktokapis.com/v2/oauth/token/",
    identity_url: "https://open.tiktokapis.com/v2/user/info/?fields=open_id,avatar_url,display_name,username",
    api_url: "https://open.tiktokapis.com",
    scopes: "user.info.basic,user.info.profile,video.publish",
    scope_sep: ",",
    client_id_param: "client_key",
    // PKCE is for TikTok's desktop and mobile kits; the web kit takes the secret.
    pkce: false,
    revoke_url: "https://open.tiktokapis.com/v2/oauth/revoke/",
    revoke_access_token: true,
    id: "/data/user/open_id",
    username: "/data/user/username",
    display_name: "/data/user/display_name",
    avatar: "/data/user/avatar_url",
    profile_url: "https://www.tiktok.com/@{username}",
    ..BASE
};

// https://developers.google.com/identity/protocols/oauth2/web-server
const YOUTUBE: Preset = Preset {
    authorize_url: "https://accounts.google.com/o/oauth2/v2/auth",
    token_url: "https://oauth2.googleapis.com/token",
    identity_url: "https://www.googleapis.com/oauth2/v3/userinfo",
    api_url: "https://www.googleapis.com",
    scopes: "openid profile email https://www.googleapis.com/auth/youtube.upload",
    extra: &[("access_type", "offline"), ("prompt", "consent")],
    issuer: "https://accounts.google.com",
    revoke_url: "https://oauth2.googleapis.com/revoke",
    revoke_token_only: true,
    id: "/sub",
    avatar: "/picture",
    ..BASE
};

// https://developers.pinterest.com/docs/getting-started/authentication-and-scopes/
const PINTEREST: Preset = Preset {
    authorize_url: "https://www.pinterest.com/oauth/",
    token_url: "https://api.pinterest.com/v5/oauth/token",
    identity_url: "https://api.pinterest.com/v5/user_account",
    api_url: "https://api.pinterest.com",
    scopes: "boards:read,pins:read,pins:write,user_accounts:read",
    scope_sep: ",",
    client_auth: ClientAuth::Basic { client_id_in_body: false },
    pkce: false,
    id: "/id",
    username: "/username",
    display_name: "/business_name",
    avatar: "/profile_image",
    profile_url: "https://www.pinterest.com/{username}",
    boards_url: Some("https://api.pinterest.com/v5/boards"),
    ..BASE
};

// https://github.com/reddit-archive/reddit/wiki/OAuth2
const REDDIT: Preset = Preset {
    authorize_url: "https://www.reddit.com/api/v1/authorize",
    token_url: "https://www.reddit.com/api/v1/access_token",
    identity_url: "https://oauth.reddit.com/api/v1/me",
    api_url: "https://oauth.reddit.com",
    scopes: "identity submit",
    client_auth: ClientAuth::Basic { client_id_in_body: false },
    pkce: false,
    extra: &[("duration", "permanent")],
    // Reddit throttles or blocks generic agents: `<platform>:<app id>:<version> (by /u/<user>)`.
    user_agent: "web:hitchpost:0.1 (self-hosted; set HITCHPOST_OAUTH_REDDIT_USER_AGENT)",
    revoke_url: "https://www.reddit.com/api/v1/revoke_token",
    username: "/name",
    avatar: "/icon_img",
    profile_url: "https://www.reddit.com/user/{username}",
    ..BASE
};
