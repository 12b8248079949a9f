//! Which address a request comes from when the server sits behind reverse proxies (audit M4).
//! A proxy appends the address it took the request from to `X-Forwarded-For`; everything to
//! the left of that was written by the client and proves nothing. So the client is the
//! right-most hop that is not one of the operator's proxies, and the header counts only when
//! the connection itself comes from one of them.

use std::net::IpAddr;

/// An address block: `10.0.0.0/8`, `::1/128`, or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    addr: IpAddr,
    prefix: u8,
}

impl Block {
    /// Parses `addr[/prefix]`; `None` when it is neither.
    pub fn parse(s: &str) -> Option<Block> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Block { addr, prefix })
    }

    /// Whether `ip` is in the block (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let bits = |a: IpAddr| -> u128 {
            match a {
                IpAddr::V4(v4) => u32::from(v4) as u128,
                IpAddr::V6(v6) => u128::from(v6),
            }
        };
        let width = if self.addr.is_ipv4() { 32 } else { 128 };
        if ip.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        if self.prefix == 0 {
            return true;
        }
        let shift = width - u32::from(self.prefix);
        bits(ip) >> shift == bits(self.addr) >> shift
    }
}

/// Parses a comma-separated list of blocks; the error names the entry that is not one.
pub fn parse_blocks(s: &str) -> Result<Vec<Block>, String> {
    s.split(',').filter(|e| !e.trim().is_empty()).map(|e| Block::parse(e).ok_or_else(|| e.trim().to_string())).collect()
}

/// The client's address: the peer, unless the peer is a trusted proxy, then the right-most
/// `X-Forwarded-For` hop that is not one (or the left-most, when every hop is a proxy).
pub fn client_address(peer: Option<IpAddr>, forwarded_for: Option<&str>, proxies: &[Block]) -> Option<IpAddr> {
    let peer = peer?;
    let trusted = |ip: IpAddr| proxies.iter().any(|b| b.contains(ip));
    if !trusted(peer) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else { return Some(peer) };
    let mut last = peer;
    for hop in header.rsplit(',') {
        let Ok(ip) = hop.trim().trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
            // A hop that is not an address was not written by a proxy we know: stop at what
            // the proxies vouched for.
            return Some(last);
        };
        if !trusted(ip) {
            return Some(ip);
        }
        last = ip;
    }
    Some(last)
}
