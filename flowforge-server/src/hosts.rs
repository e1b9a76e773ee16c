//! Which hosts the server answers for (`ALLOWED_HOSTS`, as Django's) and the `scheme://host` its
//! links are built from. The host a request names (its `Host`, the authority of an absolute
//! target, or the host a trusted proxy forwards) must be well formed and allowed, else the
//! request is refused; so no link, and no cached answer, can point anywhere else.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use hyper::header::{self, HeaderMap};
use hyper::{Uri, Version};

use crate::proxy::Forwarded;

/// One entry of `ALLOWED_HOSTS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// `*`: any well-formed host.
    Any,
    /// `.example.com`: the domain and every name under it (kept without the dot).
    Domain(String),
    /// A host name or address, normalized as hosts are compared.
    Exact(String),
}

impl HostPattern {
    fn allows(&self, host: &str) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Exact(exact) => host == exact,
            HostPattern::Domain(domain) => {
                host == domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|sub| sub.ends_with('.'))
            }
        }
    }
}

/// Parses an `ALLOWED_HOSTS` entry: `*`, `.example.com`, a host name, an IPv4 address or an
/// IPv6 address (bracketed or not); without a port.
pub fn parse_host_pattern(text: &str) -> Result<HostPattern, String> {
    let text = text.trim();
    let invalid = || format!("invalid host {text:?}: expected a name or address without a port");
    if text == "*" {
        return Ok(HostPattern::Any);
    }
    if let Some(domain) = text.strip_prefix('.') {
        return match split_authority(domain) {
            Some((host, None)) if !host.starts_with('[') => Ok(HostPattern::Domain(host)),
            _ => Err(invalid()),
        };
    }
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        return Ok(HostPattern::Exact(format!("[{v6}]")));
    }
    match split_authority(text) {
        Some((host, None)) => Ok(HostPattern::Exact(host)),
        _ => Err(invalid()),
    }
}

/// Splits `host[:port]` into the host as compared (lowercased, without a trailing dot, an IPv6
/// address in its canonical bracketed form) and the port; `None` unless the host is a name of
/// letters, digits, `-`, `_` and `.`, or a bracketed IPv6 address, and the port is digits.
fn split_authority(authority: &str) -> Option<(String, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let v6: Ipv6Addr = inner.parse().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (format!("[{v6}]"), port)
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        let well_formed = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !well_formed {
            return None;
        }
        (name.to_ascii_lowercase(), port)
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((host, port))
}

/// Why a request's host was refused (the `400`'s detail).
pub const INVALID_HOST: &str = "Invalid Host header: the host is malformed or not allowed.";
const MISSING_HOST: &str = "A Host header is required.";
const DUPLICATE_HOST: &str = "A request must carry one Host header.";
const INVALID_FORWARDED_HOST: &str = "The forwarded host is malformed or not allowed.";
const INVALID_FORWARDED_PROTO: &str = "The forwarded protocol must be http or https.";

/// The hosts the server answers for.
#[derive(Debug)]
pub struct AllowedHosts {
    patterns: Vec<HostPattern>,
    bind: SocketAddr,
}

impl AllowedHosts {
    /// The configured patterns, or when none are, `127.0.0.1`, `localhost`, `[::1]` and the
    /// address of `bind` (unless it is the unspecified address).
    pub fn new(configured: &[HostPattern], bind: SocketAddr) -> Self {
        let patterns = if configured.is_empty() {
            let mut defaults: Vec<HostPattern> = ["127.0.0.1", "localhost", "[::1]"]
                .into_iter()
                .map(|h| HostPattern::Exact(h.to_owned()))
                .collect();
            if !bind.ip().is_unspecified() {
                let own = match bind.ip() {
                    IpAddr::V4(v4) => v4.to_string(),
                    IpAddr::V6(v6) => format!("[{v6}]"),
                };
                defaults.push(HostPattern::Exact(own));
            }
            defaults
        } else {
            configured.to_vec()
        };
        Self { patterns, bind }
    }

    /// Whether `authority` (`host[:port]`) is well formed and its host allowed.
    fn allows(&self, authority: &str) -> bool {
        split_authority(authority)
            .is_some_and(|(host, _)| self.patterns.iter().any(|p| p.allows(&host)))
    }

    /// `scheme://host` of a request as its client addressed the server: the host and scheme a
    /// trusted proxy forwarded, else the target's authority or the `Host` header (the bind
    /// address for an HTTP/1.0 request without one), once checked.
    ///
    /// # Errors
    /// The `400` detail: no, several, a malformed or a disallowed host, or a forwarded scheme
    /// other than `http` and `https`.
    pub fn base_url(
        &self,
        version: Version,
        uri: &Uri,
        headers: &HeaderMap,
        forwarded: &Forwarded,
    ) -> Result<String, &'static str> {
        let scheme = match forwarded.proto.as_deref() {
            None => "http",
            Some(proto) if proto.eq_ignore_ascii_case("http") => "http",
            Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
            Some(_) => return Err(INVALID_FORWARDED_PROTO),
        };
        if let Some(host) = &forwarded.host {
            return match self.allows(host) {
                true => Ok(origin(scheme, host)),
                false => Err(INVALID_FORWARDED_HOST),
            };
        }
        let mut values = headers.get_all(header::HOST).iter();
        let host_header = values.next();
        if values.next().is_some() {
            return Err(DUPLICATE_HOST);
        }
        // An absolute-form target's authority replaces the Host header (RFC 9112, 3.2.2).
        let host = match (uri.authority(), host_header) {
            (Some(authority), _) => authority.as_str(),
            (None, Some(value)) => value.to_str().map_err(|_| INVALID_HOST)?,
            (None, None) if version == Version::HTTP_10 || version == Version::HTTP_09 => {
                return Ok(format!("{scheme}://{}", self.bind));
            }
            (None, None) => return Err(MISSING_HOST),
        };
        match self.allows(host) {
            true => Ok(origin(scheme, host)),
            false => Err(INVALID_HOST),
        }
    }
}

/// `scheme://host`, joined by hand: every request builds one, and `format!` costs it about a
/// thousand instructions.
fn origin(scheme: &str, host: &str) -> String {
    let mut origin = String::with_capacity(scheme.len() + 3 + host.len());
    origin.push_str(scheme);
    origin.push_str("://");
    origin.push_str(host);
    origin
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> AllowedHosts {
        let patterns: Vec<HostPattern> = entries
            .iter()
            .map(|e| parse_host_pattern(e).unwrap())
            .collect();
        AllowedHosts::new(&patterns, "127.0.0.1:8000".parse().unwrap())
    }

    #[test]
    fn the_default_allows_loopback_names_and_the_bind_address_on_any_port() {
        let bind = "10.1.2.3:8000".parse().unwrap();
        let default = AllowedHosts::new(&[], bind);
        for allowed in [
            "127.0.0.1",
            "127.0.0.1:9999",
            "localhost:8000",
            "LOCALHOST.",
            "[::1]:80",
            "[0:0::1]",
            "10.1.2.3:8000",
        ] {
            assert!(default.allows(allowed), "{allowed}");
        }
        for refused in [
            "evil.example",
            "sub.localhost",
            "10.1.2.4",
            "",
            ":80",
            "localhost:",
            "localhost:80:80",
            "localhost:123456",
            "user@localhost",
            "localhost/x",
            "[::1",
            "[::1]x",
            "local host",
        ] {
            assert!(!default.allows(refused), "{refused:?}");
        }
        let any = AllowedHosts::new(&[], "0.0.0.0:8000".parse().unwrap());
        assert!(!any.allows("0.0.0.0"), "the unspecified address is no host");
    }

    #[test]
    fn configured_entries_match_as_djangos_do() {
        let allowed = hosts(&[".example.com", "api.test", "::1"]);
        for host in [
            "example.com",
            "a.example.com:8443",
            "a.b.example.com",
            "[::1]",
            "API.test",
        ] {
            assert!(allowed.allows(host), "{host}");
        }
        for host in [
            "badexample.com",
            "example.com.evil",
            "127.0.0.1",
            "x.api.test",
        ] {
            assert!(!allowed.allows(host), "{host}");
        }
        let any = hosts(&["*"]);
        assert!(any.allows("anything.example:1"));
        assert!(
            !any.allows("not a host"),
            "even * takes well-formed hosts only"
        );
        for bad in ["", "example.com:80", "a/b", ".", ".[::1]", "[::1]:80"] {
            assert!(parse_host_pattern(bad).is_err(), "{bad:?}");
        }
    }
}
