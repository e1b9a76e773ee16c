//! Requests that come through proxies: who the client is, and the scheme and host it used.
//! Only a trusted peer's headers count (any peer with `TRUST_PROXY`, else those of
//! `TRUSTED_PROXIES`); from any other peer they change nothing. The client is the right-most
//! address of the forwarded chain that is not a trusted proxy, the way a reverse-proxy setup
//! expects (each proxy appends the address it received from, so everything left of the first
//! untrusted hop may be the client's own invention).

use std::net::{IpAddr, Ipv6Addr};

use hyper::header::{HeaderMap, HeaderName};
use ipnet::IpNet;

use crate::config::{ProxyHeaders, Settings};

/// What a request says of its client, once its proxy headers are weighed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    /// The client's address: the peer's own, or the one trusted proxies forwarded.
    pub client: IpAddr,
    /// The scheme a trusted proxy received the request with, as forwarded (checked later).
    pub proto: Option<String>,
    /// The host a trusted proxy received the request for, as forwarded (checked later).
    pub host: Option<String>,
}

/// The proxies the server trusts.
#[derive(Debug)]
pub struct Proxies {
    any_peer: bool,
    trusted: Vec<IpNet>,
    headers: ProxyHeaders,
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const FORWARDED: HeaderName = HeaderName::from_static("forwarded");

impl Proxies {
    /// The proxies of `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self {
            any_peer: settings.trust_proxy,
            trusted: settings.trusted_proxies.clone(),
            headers: settings.proxy_headers,
        }
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&address))
    }

    /// What the request from `peer` with `headers` says of its client.
    pub fn forwarded(&self, headers: &HeaderMap, peer: IpAddr) -> Forwarded {
        let peer = peer.to_canonical();
        if !(self.any_peer || self.is_trusted(peer)) {
            return Forwarded {
                client: peer,
                proto: None,
                host: None,
            };
        }
        match self.headers {
            ProxyHeaders::XForwarded => {
                let hops: Vec<Option<IpAddr>> = list(headers, &X_FORWARDED_FOR)
                    .iter()
                    .map(|hop| parse_node(hop))
                    .collect();
                Forwarded {
                    client: self.client(&hops, peer).0,
                    proto: list(headers, &X_FORWARDED_PROTO).pop(),
                    host: list(headers, &X_FORWARDED_HOST).pop(),
                }
            }
            ProxyHeaders::Forwarded => {
                let elements = forwarded_elements(&joined(headers, &FORWARDED));
                let hops: Vec<Option<IpAddr>> = elements
                    .iter()
                    .map(|pairs| parse_node(param(pairs, "for")?))
                    .collect();
                let (client, at) = self.client(&hops, peer);
                let element = at.and_then(|i| elements.get(i));
                let value = |name| element.and_then(|pairs| param(pairs, name).map(str::to_owned));
                Forwarded {
                    client,
                    proto: value("proto"),
                    host: value("host"),
                }
            }
        }
    }

    /// The client among `hops` (oldest first), and the index of the hop the walk stopped at:
    /// from the right, past trusted proxies, to the first other hop. An unreadable hop (absent,
    /// `unknown`, obfuscated, malformed) stops the walk at the last address read, the peer's if
    /// none; a chain of trusted proxies only gives its left-most.
    fn client(&self, hops: &[Option<IpAddr>], peer: IpAddr) -> (IpAddr, Option<usize>) {
        let mut client = peer;
        let mut at = None;
        for (i, hop) in hops.iter().enumerate().rev() {
            at = Some(i);
            let Some(address) = hop else {
                break;
            };
            client = *address;
            if !self.is_trusted(client) {
                break;
            }
        }
        (client, at)
    }
}

/// Every line of header `name` joined by commas (as repeated fields combine), or "" when any
/// is not text.
fn joined(headers: &HeaderMap, name: &HeaderName) -> String {
    let mut text = String::new();
    for value in headers.get_all(name) {
        let Ok(value) = value.to_str() else {
            return String::new();
        };
        if !text.is_empty() {
            text.push(',');
        }
        text.push_str(value);
    }
    text
}

/// The comma-separated items of header `name`, trimmed, oldest first.
fn list(headers: &HeaderMap, name: &HeaderName) -> Vec<String> {
    joined(headers, name)
        .split(',')
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// An address as a proxy writes it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`, IPv4-mapped IPv6 taken as IPv4.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let address = if let Some(rest) = text.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        port_ok.then_some(())?;
        IpAddr::V6(inner.parse::<Ipv6Addr>().ok()?)
    } else if let Ok(address) = text.parse::<IpAddr>() {
        address
    } else {
        let (v4, port) = text.rsplit_once(':')?;
        is_port(port).then_some(())?;
        IpAddr::V4(v4.parse().ok()?)
    };
    Some(address.to_canonical())
}

fn is_port(text: &str) -> bool {
    (1..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// A parameter of a `Forwarded` element.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The elements of a `Forwarded` value (RFC 7239, 4), oldest first: each its `name=value`
/// pairs, names lowercased and quoted values unquoted. A pair without `=` is dropped.
fn forwarded_elements(value: &str) -> Vec<Vec<(String, String)>> {
    split_unquoted(value, ',')
        .into_iter()
        .map(|element| {
            split_unquoted(element, ';')
                .into_iter()
                .filter_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    Some((name.trim().to_ascii_lowercase(), unquote(value.trim())))
                })
                .collect()
        })
        .collect()
}

/// `text` split at each `separator` outside a quoted string.
fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A token as is, or a quoted string's content with its escapes resolved.
fn unquote(value: &str) -> String {
    match value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => {
            let mut text = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                text.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            text
        }
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn proxies(any_peer: bool, trusted: &[&str], headers: ProxyHeaders) -> Proxies {
        Proxies {
            any_peer,
            trusted: trusted.iter().map(|t| t.parse().unwrap()).collect(),
            headers,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn nodes_are_read_with_or_without_ports_and_brackets() {
        for (text, address) in [
            ("192.0.2.60", "192.0.2.60"),
            (" 192.0.2.60:4711", "192.0.2.60"),
            ("2001:db8::17", "2001:db8::17"),
            ("[2001:db8::17]", "2001:db8::17"),
            ("[2001:db8:cafe::17]:4711", "2001:db8:cafe::17"),
            ("::ffff:192.0.2.1", "192.0.2.1"),
        ] {
            assert_eq!(parse_node(text), Some(ip(address)), "{text}");
        }
        for text in [
            "",
            "unknown",
            "_hidden",
            "[::1",
            "[::1]:",
            "[::1]x",
            "1.2.3.4:x",
            "a:80",
        ] {
            assert_eq!(parse_node(text), None, "{text:?}");
        }
    }

    #[test]
    fn forwarded_elements_keep_quoted_separators_and_unquote_ipv6() {
        let elements = forwarded_elements(
            r#"for=192.0.2.43;Proto=https, for="[::1]:80";host="a,b;c", for=unknown;by=x"#,
        );
        assert_eq!(elements.len(), 3);
        assert_eq!(param(&elements[0], "proto"), Some("https"));
        assert_eq!(param(&elements[1], "for"), Some("[::1]:80"));
        assert_eq!(
            parse_node(param(&elements[1], "for").unwrap()),
            Some(ip("::1"))
        );
        assert_eq!(param(&elements[1], "host"), Some("a,b;c"));
        assert_eq!(param(&elements[2], "for"), Some("unknown"));
        assert_eq!(unquote(r#""a\"b""#), "a\"b");
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop_behind_a_trusted_peer() {
        let p = proxies(false, &["10.0.0.0/8"], ProxyHeaders::XForwarded);
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.2")]);
        let from_proxy = p.forwarded(&spoofed, ip("10.0.0.1"));
        assert_eq!(from_proxy.client, ip("203.0.113.9"));
        // A peer that is not a proxy is the client, whatever it says.
        let direct = p.forwarded(&spoofed, ip("198.51.100.7"));
        assert_eq!(direct.client, ip("198.51.100.7"));
        // Only proxies in the chain: the left-most; an unreadable hop stops at the last read.
        let inner = headers(&[("x-forwarded-for", "10.0.0.3,10.0.0.2")]);
        assert_eq!(p.forwarded(&inner, ip("10.0.0.1")).client, ip("10.0.0.3"));
        let garbage = headers(&[("x-forwarded-for", "1.2.3.4, nonsense, 10.0.0.2")]);
        assert_eq!(p.forwarded(&garbage, ip("10.0.0.1")).client, ip("10.0.0.2"));
        let empty = headers(&[]);
        assert_eq!(p.forwarded(&empty, ip("10.0.0.1")).client, ip("10.0.0.1"));
        // Repeated header lines form one chain.
        let repeated = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "10.0.0.5"),
        ]);
        assert_eq!(
            p.forwarded(&repeated, ip("10.0.0.1")).client,
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trust_proxy_trusts_the_peer_as_one_proxy() {
        let p = proxies(true, &[], ProxyHeaders::XForwarded);
        let sent = headers(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.9"),
            ("x-forwarded-proto", "http, https"),
            ("x-forwarded-host", "api.example.com"),
        ]);
        let seen = p.forwarded(&sent, ip("127.0.0.1"));
        assert_eq!(seen.client, ip("203.0.113.9"));
        assert_eq!(seen.proto.as_deref(), Some("https"));
        assert_eq!(seen.host.as_deref(), Some("api.example.com"));
        let untrusted = proxies(false, &[], ProxyHeaders::XForwarded).forwarded(&sent, ip("::1"));
        assert_eq!(
            (untrusted.client, untrusted.proto, untrusted.host),
            (ip("::1"), None, None)
        );
    }

    #[test]
    fn the_forwarded_header_gives_the_client_with_its_elements_scheme_and_host() {
        let p = proxies(false, &["10.0.0.0/8", "fd00::/8"], ProxyHeaders::Forwarded);
        let sent = headers(&[
            ("forwarded", "for=6.6.6.6;host=evil.example"),
            (
                "forwarded",
                r#"for="[2001:db8::17]:4711";proto=https;host=api.example.com, for="[fd00::2]";proto=http;host=internal"#,
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        let seen = p.forwarded(&sent, ip("::ffff:10.0.0.1"));
        assert_eq!(seen.client, ip("2001:db8::17"));
        assert_eq!(seen.proto.as_deref(), Some("https"));
        assert_eq!(seen.host.as_deref(), Some("api.example.com"));
        // An obfuscated client: the proxy's scheme and host still count, the client is the proxy.
        let hidden = headers(&[("forwarded", "for=_abc;proto=https;host=api.example.com")]);
        let seen = p.forwarded(&hidden, ip("10.0.0.1"));
        assert_eq!(seen.client, ip("10.0.0.1"));
        assert_eq!(seen.proto.as_deref(), Some("https"));
    }
}
