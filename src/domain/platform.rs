//! The social platforms an account can be linked on.

use super::{Error, Result};

/// A social platform (stored and serialized by its canonical name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Linkedin,
    X,
    Facebook,
    Instagram,
    Threads,
    Tiktok,
    Youtube,
    Pinterest,
    Reddit,
    Bluesky,
}

impl Platform {
    /// Every platform, in the order pages and lists show them.
    pub const ALL: [Platform; 10] = [
        Platform::Linkedin,
        Platform::X,
        Platform::Facebook,
        Platform::Instagram,
        Platform::Threads,
        Platform::Tiktok,
        Platform::Youtube,
        Platform::Pinterest,
        Platform::Reddit,
        Platform::Bluesky,
    ];

    /// Parses a platform name, accepting the names other services use (`twitter`, `google`).
    pub fn parse(s: &str) -> Result<Self> {
        Self::from_name(s).ok_or_else(|| {
            Error::invalid(
                "platform",
                format!("must be one of {}", Self::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")),
            )
        })
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "linkedin" => Platform::Linkedin,
            "x" | "twitter" => Platform::X,
            "facebook" => Platform::Facebook,
            "instagram" => Platform::Instagram,
            "threads" => Platform::Threads,
            "tiktok" => Platform::Tiktok,
            "youtube" | "google" => Platform::Youtube,
            "pinterest" => Platform::Pinterest,
            "reddit" => Platform::Reddit,
            "bluesky" => Platform::Bluesky,
            _ => return None,
        })
    }

    /// The canonical lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Linkedin => "linkedin",
            Platform::X => "x",
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
            Platform::Threads => "threads",
            Platform::Tiktok => "tiktok",
            Platform::Youtube => "youtube",
            Platform::Pinterest => "pinterest",
            Platform::Reddit => "reddit",
            Platform::Bluesky => "bluesky",
        }
    }

    /// Whether accounts there have a public handle (`@name`). LinkedIn and Facebook have none
    /// (an email or a name is not one), nor does a YouTube account read through Google's
    /// userinfo.
    pub fn has_handles(self) -> bool {
        !matches!(self, Platform::Linkedin | Platform::Facebook | Platform::Youtube)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Linkedin => "LinkedIn",
            Platform::X => "X",
            Platform::Facebook => "Facebook",
            Platform::Instagram => "Instagram",
            Platform::Threads => "Threads",
            Platform::Tiktok => "TikTok",
            Platform::Youtube => "YouTube",
            Platform::Pinterest => "Pinterest",
            Platform::Reddit => "Reddit",
            Platform::Bluesky => "Bluesky",
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
