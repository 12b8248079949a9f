//! Outbound calls made on a caller's word (a Bluesky PDS URL, later webhook URLs) must not
//! reach the server's own network: loopback, private, link-local and metadata addresses are
//! refused unless the operator allows them (`HITCHPOST_ALLOW_PRIVATE_OUTBOUND`, on in `--dev`).

use std::net::IpAddr;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Whether an address belongs to this machine or a private network.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // carrier-grade NAT
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // Forms that carry an IPv4 address and reach it: NAT64 (64:ff9b::/96 and the local
            // 64:ff9b:1::/48), 6to4 (2002::/16), IPv4-compatible (::a.b.c.d). Judged by the IPv4
            // address inside.
            let embedded = |hi: u16, lo: u16| IpAddr::V4(std::net::Ipv4Addr::from(((hi as u32) << 16) | lo as u32));
            if (s[0], s[1], s[2], s[3], s[4], s[5]) == (0x64, 0xff9b, 0, 0, 0, 0) {
                return is_private(embedded(s[6], s[7]));
            }
            if (s[0], s[1], s[2]) == (0x64, 0xff9b, 1) {
                return true;
            }
            if s[0] == 0x2002 {
                return is_private(embedded(s[1], s[2]));
            }
            if s[..6].iter().all(|x| *x == 0) && !(s[6] == 0 && s[7] <= 1) {
                return is_private(embedded(s[6], s[7]));
            }
            v6.is_loopback()
                || s[0] == 0x2001 && s[1] == 0 // Teredo: tunnels to an address we cannot judge
                || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated, still routed on some networks)
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
        }
    }
}

/// The longest URL this server will call (webhooks, a PDS); as long as a browser will follow.
pub const MAX_URL_CHARS: usize = 2048;

/// Checks that `url` is an absolute http(s) URL this server may call: its host is a name, or a
/// public address (anything, when `allow_private`). Names are not looked up here: the lookup
/// that counts is the one the connection uses, in `public_agent`'s resolver, at every call (a
/// name that resolves now may resolve elsewhere later). The error says what is wrong in plain
/// words.
pub fn check_outbound(url: &str, allow_private: bool) -> Result<url::Url, String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let parsed = url::Url::parse(url).map_err(|_| "must be an absolute http(s) URL".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    let host = parsed.host().ok_or("must name a host")?;
    if allow_private {
        return Ok(parsed);
    }
    let private = match host {
        url::Host::Ipv4(ip) => is_private(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_private(IpAddr::V6(ip)),
        url::Host::Domain(_) => false,
    };
    if private {
        return Err(format!(
            "host {} is a loopback, private or link-local address, which this server does not call",
            parsed.host_str().unwrap_or_default()
        ));
    }
    Ok(parsed)
}

/// An agent for calls made on a caller's word: its resolver refuses a name that resolves to a
/// private address, and the connection goes to exactly the addresses it checked. A check
/// before the call and a second lookup to connect could be told apart by a DNS server that
/// answers differently each time (rebinding: audit M1); here there is one lookup.
pub fn public_agent(config: ureq::config::Config, allow_private: bool) -> ureq::Agent {
    if allow_private {
        return ureq::Agent::new_with_config(config);
    }
    ureq::Agent::with_parts(config, DefaultConnector::default(), PublicOnly(DefaultResolver::default()))
}

/// `DefaultResolver`, refusing any answer that holds a private address.
#[derive(Debug)]
struct PublicOnly(DefaultResolver);

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.0.resolve(uri, config, timeout)?;
        if addrs.iter().any(|a| is_private(a.ip())) {
            return Err(ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::PermissionDenied, PRIVATE_REFUSED)));
        }
        Ok(addrs)
    }
}

/// What a call refused by `PublicOnly` reports.
pub const PRIVATE_REFUSED: &str =
    "the host resolves to a loopback, private or link-local address, which this server does not call";
