//! A link's options: what the connect page shows, how it looks, and where it returns to.

use super::super::platform::Platform;
use super::super::{Error, Result, check_text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a link lives when not told: an hour.
pub const DEFAULT_EXPIRY_MINUTES: i64 = 60;
/// The longest a link may live: 48 hours.
pub const MAX_EXPIRY_MINUTES: i64 = 2880;

/// The languages the connect page speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
    De,
    Fr,
    Pt,
    Pl,
    Tr,
}

impl Language {
    /// Its BCP 47 code, as `parse` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Pt => "pt",
            Language::Pl => "pl",
            Language::Tr => "tr",
        }
    }

    /// The supported language a browser's `Accept-Language` prefers most (RFC 9110 §12.5.4:
    /// highest weight first, the earlier of equals), or `None` when it names none of them.
    pub fn negotiate(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Language)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)));
            let (Some(q), Ok(lang)) = (q, Language::parse(tag)) else { continue };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().split(['-', '_']).next().unwrap_or_default() {
            "en" => Ok(Language::En),
            "es" => Ok(Language::Es),
            "de" => Ok(Language::De),
            "fr" => Ok(Language::Fr),
            "pt" => Ok(Language::Pt),
            "pl" => Ok(Language::Pl),
            "tr" => Ok(Language::Tr),
            _ => Err(Error::invalid("language", "must be one of en, es, de, fr, pt, pl, tr")),
        }
    }
}

/// An absolute http(s) URL: never `javascript:`, `data:` or relative.
pub fn parse_http_url(field: &str, s: &str) -> Result<String> {
    let url = url::Url::parse(s.trim()).map_err(|_| Error::invalid(field, "must be an absolute http(s) URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::invalid(field, "must be an absolute http(s) URL"));
    }
    if s.len() > 2048 {
        return Err(Error::invalid(field, "must be at most 2048 characters"));
    }
    // Returned as the caller wrote it: it is echoed back, and a parser's normal form
    // (an added trailing slash) would surprise them.
    Ok(s.trim().to_string())
}

/// The connect page's colours: `auto` follows the browser's `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
}

impl Theme {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "light" => Ok(Theme::Light),
            "dark" => Ok(Theme::Dark),
            "auto" => Ok(Theme::Auto),
            _ => Err(Error::invalid("theme", "must be one of light, dark, auto")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

/// How the page is opened: as a page of its own (`page`), or by the platform's web app with
/// `window.open` (`popup`), in which case it reports back by `postMessage` and closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Page,
    Popup,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "page" => Ok(Mode::Page),
            "popup" => Ok(Mode::Popup),
            _ => Err(Error::invalid("mode", "must be one of page, popup")),
        }
    }
}

/// A brand colour for the page's buttons, `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccentColor([u8; 3]);

impl AccentColor {
    pub fn parse(s: &str) -> Result<Self> {
        let hex = s.trim().strip_prefix('#').filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(Error::invalid("accentColor", "must be a colour written #rrggbb"));
        };
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or_default();
        Ok(AccentColor([byte(0), byte(2), byte(4)]))
    }

    /// WCAG 2's relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(self.0[0]) + 0.7152 * channel(self.0[1]) + 0.0722 * channel(self.0[2])
    }

    /// The text colour for a button filled with this colour: white or near-black, whichever
    /// contrasts more, so that any brand colour a platform picks keeps its label readable.
    pub fn on_accent(self) -> &'static str {
        let l = self.luminance();
        // Contrast ratios against white (luminance 1) and against #111111 (about 0.0056).
        if (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.0556) { "#ffffff" } else { "#111111" }
    }
}

impl std::fmt::Display for AccentColor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }
}

impl Serialize for AccentColor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AccentColor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AccentColor::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What the connect page shows and where it returns to; validated. Stored as JSON with the
/// link, so every field added later has a default (older rows lack it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct LinkOptions {
    pub redirect_url: Option<String>,
    /// Where Done returns to instead when linking failed or the end-user declined.
    pub error_redirect_url: Option<String>,
    pub logo_url: Option<String>,
    /// Only these platforms are offered; all when `None`.
    pub platforms: Option<Vec<Platform>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub button_text: Option<String>,
    /// The page's language; `None` follows the browser's `Accept-Language`.
    pub language: Option<Language>,
    pub labels: BTreeMap<String, String>,
    pub theme: Theme,
    pub accent_color: Option<AccentColor>,
    pub mode: Mode,
}

impl LinkOptions {
    /// The page's language: the link's, else the browser's preference among those supported,
    /// else English.
    pub fn language_for(&self, accept_language: Option<&str>) -> Language {
        self.language.or_else(|| accept_language.and_then(Language::negotiate)).unwrap_or_default()
    }

    /// The origin (`scheme://host[:port]`) a popup posts its result to: redirectUrl's.
    pub fn popup_origin(&self) -> Option<String> {
        if self.mode != Mode::Popup {
            return None;
        }
        let url = url::Url::parse(self.redirect_url.as_deref()?).ok()?;
        Some(url.origin().ascii_serialization())
    }
}

/// The raw options as a dialect received them, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawLinkOptions {
    pub redirect_url: Option<String>,
    pub error_redirect_url: Option<String>,
    pub logo_url: Option<String>,
    pub platforms: Option<Vec<String>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub button_text: Option<String>,
    pub language: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
    pub theme: Option<String>,
    pub accent_color: Option<String>,
    pub mode: Option<String>,
    pub expires_in_minutes: Option<i64>,
}

/// An optional field: absent and blank are the same.
fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}

/// Validated options and lifetime of a new link.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub options: LinkOptions,
    pub expires_in_minutes: i64,
}

fn optional_text(field: &str, v: Option<String>, max: usize) -> Result<Option<String>> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) => {
            check_text(field, &s, 1, max)?;
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

fn parse_platforms(list: Option<Vec<String>>) -> Result<Option<Vec<Platform>>> {
    let Some(list) = list else { return Ok(None) };
    if list.is_empty() {
        return Err(Error::invalid("platforms", "must name at least one platform"));
    }
    let mut out = Vec::new();
    for p in list {
        let p = Platform::parse(&p)
            .map_err(|_| Error::invalid("platforms", format!("`{p}` is not a platform hitchpost links")))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(Some(out))
}

fn parse_labels(labels: Option<BTreeMap<String, String>>) -> Result<BTreeMap<String, String>> {
    let labels = labels.unwrap_or_default();
    if labels.len() > 100 {
        return Err(Error::invalid("labels", "may hold at most 100 keys"));
    }
    for (k, v) in &labels {
        check_text("labels", k, 1, 100)?;
        check_text("labels", v, 0, 500)?;
    }
    Ok(labels)
}

impl NewLink {
    /// Validates what a caller asked for; field names are the native API's.
    pub fn parse(raw: RawLinkOptions) -> Result<Self> {
        let expires_in_minutes = match raw.expires_in_minutes {
            None => DEFAULT_EXPIRY_MINUTES,
            Some(m @ 1..=MAX_EXPIRY_MINUTES) => m,
            Some(_) => {
                return Err(Error::invalid("expiresIn", format!("must be between 1 and {MAX_EXPIRY_MINUTES} minutes")));
            }
        };
        let platforms = parse_platforms(raw.platforms)?;
        let labels = parse_labels(raw.labels)?;
        let redirect_url = given(raw.redirect_url.as_deref()).map(|s| parse_http_url("redirectUrl", s)).transpose()?;
        let mode = given(raw.mode.as_deref()).map(Mode::parse).transpose()?.unwrap_or_default();
        // The popup posts its result to the opener at redirectUrl's origin, and to no other.
        if mode == Mode::Popup && redirect_url.is_none() {
            return Err(Error::invalid(
                "redirectUrl",
                "is required with mode `popup`: the page posts its result only to that URL's origin",
            ));
        }
        Ok(NewLink {
            options: LinkOptions {
                redirect_url,
                error_redirect_url: given(raw.error_redirect_url.as_deref())
                    .map(|s| parse_http_url("errorRedirectUrl", s))
                    .transpose()?,
                logo_url: raw
                    .logo_url
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| parse_http_url("logoUrl", &s))
                    .transpose()?,
                platforms,
                title: optional_text("title", raw.title, 200)?,
                description: optional_text("description", raw.description, 1000)?,
                button_text: optional_text("buttonText", raw.button_text, 100)?,
                language: given(raw.language.as_deref()).map(Language::parse).transpose()?,
                labels,
                theme: given(raw.theme.as_deref()).map(Theme::parse).transpose()?.unwrap_or_default(),
                accent_color: given(raw.accent_color.as_deref()).map(AccentColor::parse).transpose()?,
                mode,
            },
            expires_in_minutes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_picks_the_supported_language_of_highest_weight() {
        let cases = [
            ("de", Some(Language::De)),
            ("de-CH,de;q=0.9,en;q=0.8", Some(Language::De)),
            ("ja,fr;q=0.5,en;q=0.4", Some(Language::Fr)),
            ("en;q=0.2, pt-BR;q=0.7", Some(Language::Pt)),
            ("ja, zh-CN", None),
            ("*", None),
            ("de;q=0, es", Some(Language::Es)),
            ("fr;q=abc, tr", Some(Language::Tr)),
            ("", None),
        ];
        for (header, want) in cases {
            assert_eq!(Language::negotiate(header), want, "{header}");
        }
    }

    #[test]
    fn on_accent_keeps_button_text_readable() {
        for (colour, text) in
            [("#3346d3", "#ffffff"), ("#000000", "#ffffff"), ("#ffff00", "#111111"), ("#ffffff", "#111111")]
        {
            assert_eq!(AccentColor::parse(colour).unwrap().on_accent(), text, "{colour}");
        }
    }

    #[test]
    fn accent_color_refuses_what_is_not_rrggbb() {
        for bad in ["red", "#fff", "#12345g", "123456", "#1234567", "javascript:x"] {
            assert!(AccentColor::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(AccentColor::parse(" #A0B1C2 ").unwrap().to_string(), "#a0b1c2");
    }
}
