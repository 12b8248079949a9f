//! The sandbox: in dev mode, a fake account on any platform at once, with an identity derived
//! from the profile and the platform, so the same profile gets the same account every time.

use super::{Identity, Linked, Tokens};
use crate::domain::platform::Platform;
use serde_json::json;

/// A sandbox account for `profile_id` on `platform`; `avatar_url` is served by this server.
pub fn link(platform: Platform, profile_id: &str, avatar_url: &str) -> Linked {
    let tag: String = profile_id.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    let username = format!("sandbox_{}_{tag}", platform.as_str());
    let details = (platform == Platform::Pinterest).then(|| {
        json!({"boards": [
            {"id": format!("sandbox-board-1-{tag}"), "name": "Sandbox Recipes", "description": "A sample board"},
            {"id": format!("sandbox-board-2-{tag}"), "name": "Sandbox Travel", "description": "Another sample board"}
        ]})
    });
    Linked {
        identity: Identity {
            platform_user_id: format!("sandbox-{}-{tag}", platform.as_str()),
            display_name: Some(format!("Sandbox {} User", platform.label())),
            profile_url: Some(format!("https://sandbox.invalid/{}/{username}", platform.as_str())),
            image_url: Some(avatar_url.to_string()),
            username: platform.has_handles().then_some(username),
            account_type: "personal".into(),
            details,
        },
        tokens: Tokens {
            access_token: format!("sandbox-access-{tag}"),
            refresh_token: None,
            expires_at: Some(chrono::Utc::now() + chrono::Duration::days(60)),
            refresh_expires_at: None,
            scopes: Some("sandbox".into()),
        },
        provider_url: None,
        sandbox: true,
    }
}
