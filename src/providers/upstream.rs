//! Where a platform's API lives, for the proxy: one base URL, or several where the platform
//! splits its API over hosts (X's media upload).
//!
//! The written form (a preset, or `HITCHPOST_OAUTH_<P>_API_URL`) is a comma list. The first
//! entry is a base URL and serves every path; each later entry is `PREFIX=URL` and serves the
//! paths that begin with `PREFIX` (the longest matching prefix wins). The path is sent
//! unchanged to whichever base serves it: `/1.1/media/upload.json` with
//! `https://api.x.com,/1.1/media/=https://upload.twitter.com` goes to
//! `https://upload.twitter.com/1.1/media/upload.json`.

use url::Url;

/// A platform's API bases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiHosts {
    default: Url,
    by_prefix: Vec<(String, Url)>,
}

fn base(s: &str) -> Result<Url, String> {
    let u = Url::parse(s.trim()).map_err(|_| format!("`{s}` is not a URL"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!("`{s}` is not an http(s) URL with a host"));
    }
    if u.query().is_some() || u.fragment().is_some() || !u.username().is_empty() || u.password().is_some() {
        return Err(format!("`{s}` must be a plain base URL (no query, fragment or user)"));
    }
    Ok(u)
}

impl ApiHosts {
    /// Reads the written form; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<ApiHosts, String> {
        let mut entries = s.split(',').map(str::trim).filter(|e| !e.is_empty());
        let default = base(entries.next().ok_or("names no URL")?)?;
        let mut by_prefix = Vec::new();
        for e in entries {
            let (prefix, url) =
                e.split_once('=').ok_or(format!("`{e}` must be PREFIX=URL (only the first entry is a bare URL)"))?;
            if !prefix.starts_with('/') {
                return Err(format!("the prefix `{prefix}` must begin with /"));
            }
            by_prefix.push((prefix.to_string(), base(url)?));
        }
        // Longest first, so the most specific prefix wins.
        by_prefix.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Ok(ApiHosts { default, by_prefix })
    }

    /// The base a PDS account's calls go to.
    pub fn single(url: &str) -> Result<ApiHosts, String> {
        Ok(ApiHosts { default: base(url)?, by_prefix: Vec::new() })
    }

    /// The full URL for a checked path (beginning with `/`) and raw query.
    pub fn url_for(&self, path: &str, query: &str) -> String {
        let base =
            self.by_prefix.iter().find(|(p, _)| path.starts_with(p.as_str())).map(|(_, u)| u).unwrap_or(&self.default);
        let mut out = base.as_str().trim_end_matches('/').to_string();
        out.push_str(path);
        if !query.is_empty() {
            out.push('?');
            out.push_str(query);
        }
        out
    }

    /// Whether `url` is on one of these bases' origins (the proxy's last check before sending).
    pub fn owns(&self, url: &Url) -> bool {
        let same = |b: &Url| {
            b.scheme() == url.scheme()
                && b.host() == url.host()
                && b.port_or_known_default() == url.port_or_known_default()
        };
        same(&self.default) || self.by_prefix.iter().any(|(_, b)| same(b))
    }
}

#[cfg(test)]
mod tests {
    use super::ApiHosts;

    #[test]
    fn the_longest_prefix_picks_the_base_and_the_path_is_kept() {
        let h = ApiHosts::parse("https://api.x.com, /1.1/media/=https://upload.twitter.com").unwrap();
        assert_eq!(h.url_for("/2/tweets", ""), "https://api.x.com/2/tweets");
        assert_eq!(h.url_for("/1.1/media/upload.json", "a=b"), "https://upload.twitter.com/1.1/media/upload.json?a=b");
        let h = ApiHosts::parse("http://127.0.0.1:9/base/").unwrap();
        assert_eq!(h.url_for("/v2/me", ""), "http://127.0.0.1:9/base/v2/me");
    }

    #[test]
    fn bad_forms_are_refused() {
        for bad in ["", "ftp://x", "https://a,https://b", "https://a,media=https://b", "https://u@a", "https://a?x=1"] {
            assert!(ApiHosts::parse(bad).is_err(), "{bad}");
        }
    }
}
