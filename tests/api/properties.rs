//! Property tests of every validated type: for any input, `parse` never panics, accepts
//! exactly what its rule says, and names its own field when it refuses.

use hitchpost::api::body;
use hitchpost::auth::{ServerSecret, api_key, jwt};
use hitchpost::domain::{self, connect, holders, platform, profiles, settings, webhooks, workspaces};
use proptest::prelude::*;
use serde_json::Value;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() }
}

/// Any text, weighted towards the characters validators care about.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9._@+\\-]{0,110}",
        "[\\x00-\\x1f\\x7f a-z]{0,10}",
        "\\PC{95,105}",
        "\\PC{195,205}",
    ]
}

fn field_of<T>(r: &domain::Result<T>) -> Option<&str> {
    match r {
        Err(domain::Error::Invalid { field, .. }) => Some(field),
        _ => None,
    }
}

/// Any JSON value whose strings (values and keys) come from `text`, nested up to `depth`.
pub fn json_with(text: BoxedStrategy<String>, depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![any::<i64>(), -5i64..3000].prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text.clone(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    json_with(text().boxed(), 6)
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn nfc(s: &str) -> String {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(s).into_owned()
}

fn plain(s: &str, min: usize, max: usize) -> bool {
    let invisible = |c: char| {
        matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    (min..=max).contains(&s.chars().count()) && !s.chars().any(|c| c.is_control() || invisible(c))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn profile_name_accepts_exactly_trimmed_text_of_1_to_100_characters(s in text()) {
        let r = profiles::ProfileName::parse(&s);
        prop_assert_eq!(r.is_ok(), plain(&nfc(s.trim()), 1, 100), "{:?}", s);
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("name")); }
    }

    #[test]
    fn external_id_accepts_exactly_text_of_1_to_200_characters(s in text()) {
        let r = profiles::ExternalId::parse(&s);
        prop_assert_eq!(r.is_ok(), plain(&nfc(&s), 1, 200));
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("externalId")); }
    }

    #[test]
    fn username_accepts_exactly_1_to_100_url_safe_characters(s in text()) {
        let r = profiles::Username::parse(&s);
        let ok = plain(&s, 1, 100) && s.chars().all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c));
        prop_assert_eq!(r.is_ok(), ok);
        if let Ok(u) = &r { prop_assert_eq!(u.as_str(), s.as_str()); }
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("username")); }
    }

    #[test]
    fn workspace_name_accepts_exactly_1_to_64_letters_digits_and_dashes(s in text()) {
        let r = workspaces::WorkspaceName::parse(&s);
        let ok = plain(&s, 1, 64) && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        prop_assert_eq!(r.is_ok(), ok);
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("workspace")); }
    }

    #[test]
    fn metadata_accepts_exactly_objects_of_at_most_16_kib(v in json_value()) {
        let size = serde_json::to_vec(&v).unwrap().len();
        let r = profiles::Metadata::parse(v.clone());
        prop_assert_eq!(r.is_ok(), v.is_object() && size <= profiles::METADATA_MAX_BYTES);
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("metadata")); }
    }

    #[test]
    fn page_limit_accepts_exactly_1_to_100(n in proptest::option::of(any::<i64>())) {
        let r = profiles::PageLimit::parse(n);
        prop_assert_eq!(r.is_ok(), n.is_none_or(|n| (1..=100).contains(&n)));
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("limit")); }
    }

    #[test]
    fn cursor_never_panics_and_accepts_only_positive_base36_positions(s in prop_oneof![text(), "p[0-9a-z]{0,14}", "p-[0-9]{1,5}"]) {
        let r = profiles::Cursor::parse(&s);
        let ok = s.strip_prefix('p').and_then(|n| i64::from_str_radix(n, 36).ok()).is_some_and(|n| n > 0);
        prop_assert_eq!(r.is_ok(), ok, "{:?}", s);
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("cursor")); }
    }

    #[test]
    fn email_accepts_ordinary_addresses_and_refuses_any_without_one_at_sign(
        local in "[a-z0-9._+]{1,30}",
        domain in "[a-z0-9]{1,20}(\\.[a-z0-9]{1,10}){1,3}",
        s in text(),
    ) {
        let address = format!("{local}@{domain}");
        prop_assert!(holders::Email::parse(&address).is_ok(), "{}", address);
        let r = holders::Email::parse(&s);
        if s.trim().matches('@').count() != 1 || s.trim().chars().count() > 254 {
            prop_assert!(r.is_err(), "{:?}", s);
        }
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("email")); }
    }

    #[test]
    fn new_password_accepts_exactly_8_to_256_characters_with_upper_lower_and_digit(s in text()) {
        let n = s.chars().count();
        let ok = (8..=256).contains(&n)
            && s.chars().any(char::is_uppercase)
            && s.chars().any(char::is_lowercase)
            && s.chars().any(|c| c.is_ascii_digit());
        let r = holders::NewPassword::parse("newPassword", &s);
        prop_assert_eq!(r.is_ok(), ok);
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("newPassword")); }
    }

    #[test]
    fn http_urls_are_absolute_http_or_https_and_at_most_2048_characters(s in prop_oneof![
        text(),
        "(https?|javascript|data|ftp|HTTP)://[a-z0-9.:@\\[\\]]{0,30}(/[ -~]{0,40})?",
        "https://x\\.example/[a-z]{2040,2050}",
    ]) {
        let r = connect::parse_http_url("redirectUrl", &s);
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("redirectUrl")); }
        if let Ok(url) = r {
            {
                prop_assert_eq!(url.as_str(), s.trim());
                let lower = url.to_ascii_lowercase();
                prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"), "{}", url);
                prop_assert!(s.len() <= 2048);
            }
        }
    }

    #[test]
    fn names_of_languages_platforms_and_events_parse_or_name_their_field(s in text()) {
        prop_assert!(connect::Language::parse(&s).is_ok() || field_of(&connect::Language::parse(&s)) == Some("language"));
        let p = platform::Platform::parse(&s);
        match &p {
            Ok(p) => prop_assert_eq!(platform::Platform::parse(p.as_str()).ok(), Some(*p)),
            Err(_) => prop_assert_eq!(field_of(&p), Some("platform")),
        }
        let e = webhooks::EventType::parse(&s);
        match &e {
            Ok(t) => prop_assert_eq!(t.as_str(), s.as_str()),
            Err(_) => prop_assert_eq!(field_of(&e), Some("events")),
        }
    }

    #[test]
    fn week_start_day_accepts_exactly_0_and_1(v in json_value()) {
        let r = settings::WeekStartDay::parse(&v);
        prop_assert_eq!(r.is_ok(), v.as_i64() == Some(0) || v.as_i64() == Some(1));
        if r.is_err() { prop_assert_eq!(field_of(&r), Some("week_start_day")); }
    }

    #[test]
    fn api_keys_parse_only_in_their_own_shape(s in prop_oneof![text(), "hp_[a-z0-9]{12}[A-Za-z0-9]{32}", "hp_[ -~]{40,48}"]) {
        if let Some(parts) = api_key::parse(&s) {
            prop_assert_eq!(parts.to_key(), s.clone());
            prop_assert_eq!(parts.key_id.len(), 12);
            prop_assert_eq!(parts.secret.len(), 32);
        }
    }

    #[test]
    fn a_generated_key_always_parses_back_to_itself(_n in 0..50u8) {
        let parts = api_key::generate();
        prop_assert_eq!(api_key::parse(&parts.to_key()), Some(parts));
    }

    #[test]
    fn json_depth_is_refused_exactly_past_32_levels(v in json_value(), extra in 0usize..40) {
        // Wrap the value in `extra` more arrays: depths on both sides of the limit.
        let text = format!("{}{}{}", "[".repeat(extra), v, "]".repeat(extra));
        let ok = body::check_depth(text.as_bytes()).is_ok();
        prop_assert_eq!(ok, depth(&v) + extra <= body::MAX_DEPTH, "{}", text);
        // Parsing a body never panics, whatever the bytes.
        let _ = body::parse::<Value>(text.as_bytes());
    }

    #[test]
    fn json_bodies_of_any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = body::parse::<Value>(&bytes);
        let _ = body::check_depth(&bytes);
    }

    #[test]
    fn tokens_of_any_shape_are_refused_without_panicking(
        s in prop_oneof![text(), "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,80}\\.[A-Za-z0-9_-]{0,50}"],
    ) {
        let jwt = jwt::Jwt::new(&ServerSecret::from_passphrase("properties"));
        for aud in [jwt::LINK_AUDIENCE, jwt::SESSION_AUDIENCE, jwt::HOLDER_AUDIENCE] {
            prop_assert!(jwt.verify::<Value>(&s, aud).is_err());
        }
    }
}
