//! What an API key may do. A key carries a set of scopes; each route needs one or two. A key
//! made without naming any gets every scope except `credentials`, which hands the platforms'
//! access tokens out of hitchpost and so is only ever granted by name.

use std::fmt;

/// One permission a key may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Profiles: create, read, update, delete (and every hosted-service dialect route).
    Profiles,
    /// Connect links (and the dialects' JWT and link routes).
    Connect,
    /// Linked accounts: read, link, unlink, refresh.
    Accounts,
    /// Calls to a platform's API through hitchpost with a linked account.
    Proxy,
    /// A linked account's access token itself.
    Credentials,
    /// Webhook subscriptions and their deliveries.
    Webhooks,
    /// The audit log.
    Audit,
}

impl Scope {
    /// Every scope, in the order they are listed.
    pub const ALL: [Scope; 7] = [
        Scope::Profiles,
        Scope::Connect,
        Scope::Accounts,
        Scope::Proxy,
        Scope::Credentials,
        Scope::Webhooks,
        Scope::Audit,
    ];

    /// The scope's name on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Profiles => "profiles",
            Scope::Connect => "connect",
            Scope::Accounts => "accounts",
            Scope::Proxy => "proxy",
            Scope::Credentials => "credentials",
            Scope::Webhooks => "webhooks",
            Scope::Audit => "audit",
        }
    }

    /// The scope named `s` (exactly, lower case).
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|c| c.as_str() == s)
    }

    fn bit(self) -> u8 {
        1 << Scope::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scopes(u8);

impl Scopes {
    /// What a key gets when its maker names no scope: everything but `credentials`.
    pub fn default_grant() -> Scopes {
        Scope::ALL.into_iter().filter(|s| *s != Scope::Credentials).collect()
    }

    /// Parses a list a person or client wrote (`proxy,accounts`; commas and/or spaces). Names
    /// are case-insensitive; an unknown name or an empty list is refused with the reason.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Scopes, String> {
        let mut out = Scopes(0);
        for name in names.into_iter().flat_map(|n| n.split([',', ' '])).map(str::trim).filter(|n| !n.is_empty()) {
            let Some(s) = Scope::parse(&name.to_ascii_lowercase()) else {
                let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                return Err(format!("`{name}` is not a scope (the scopes are {})", known.join(", ")));
            };
            out.0 |= s.bit();
        }
        if out.0 == 0 {
            return Err("must name at least one scope".into());
        }
        Ok(out)
    }

    /// Reads the stored form (`to_stored`); names this binary does not know are ignored, so a
    /// key never gains a scope by a typo in the database.
    pub fn from_stored(s: &str) -> Scopes {
        s.split(',').filter_map(|n| Scope::parse(n.trim())).collect()
    }

    /// The stored form: the names, comma-separated, in `Scope::ALL` order.
    pub fn to_stored(self) -> String {
        self.names().join(",")
    }

    /// Whether the set holds `s`.
    pub fn contains(self, s: Scope) -> bool {
        self.0 & s.bit() != 0
    }

    /// The names in the set, in `Scope::ALL` order.
    pub fn names(self) -> Vec<&'static str> {
        Scope::ALL.into_iter().filter(|s| self.contains(*s)).map(Scope::as_str).collect()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Scopes(iter.into_iter().fold(0, |acc, s| acc | s.bit()))
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_grant_has_every_scope_but_credentials() {
        let d = Scopes::default_grant();
        assert!(Scope::ALL.iter().all(|s| d.contains(*s) == (*s != Scope::Credentials)));
    }

    #[test]
    fn parse_reads_commas_and_spaces_and_refuses_unknown_names() {
        let s = Scopes::parse(["proxy, Accounts", "audit"]).unwrap();
        assert_eq!(s.names(), ["accounts", "proxy", "audit"]);
        assert_eq!(Scopes::from_stored(&s.to_stored()), s);
        assert!(Scopes::parse(["proxy,admin"]).unwrap_err().contains("`admin`"));
        assert!(Scopes::parse([" , "]).is_err());
    }
}
