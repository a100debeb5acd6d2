//! Parsers of option values, with iptables' texts for bad ones: protocols,
//! ports and port lists, addresses and masks, interface names, marks.

use super::param;
use crate::mark::rule::{multiport_slots, Addr, Family, Iface, Ports};
use crate::mark::MarkError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

pub fn proto_by_name(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    const BUILTIN: [(&str, u8); 11] = [
        ("tcp", 6),
        ("sctp", 132),
        ("udp", 17),
        ("udplite", 136),
        ("icmp", 1),
        ("icmpv6", 58),
        ("ipv6-icmp", 58),
        ("esp", 50),
        ("ah", 51),
        ("mh", 135),
        ("all", 0),
    ];
    if let Ok(n) = lower.parse::<u16>() {
        return u8::try_from(n).ok();
    }
    if let Some((_, n)) = BUILTIN.iter().find(|(s, _)| *s == lower) {
        return Some(*n);
    }
    crate::mark::names::proto_number(&lower)
}

fn parse_port(s: &str, proto: &str) -> Option<u16> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u16>().ok();
    }
    crate::mark::names::service_port(s, proto)
}

pub fn parse_port_range(family: Family, s: &str, proto: &str) -> Result<Ports, MarkError> {
    let bad = |p: &str| param(family, &format!("invalid port/service `{p}' specified"));
    match s.split_once(':') {
        None => {
            let p = parse_port(s, proto).ok_or_else(|| bad(s))?;
            Ok((p, p))
        }
        Some((a, b)) => {
            let lo = if a.is_empty() {
                0
            } else {
                parse_port(a, proto).ok_or_else(|| bad(a))?
            };
            let hi = if b.is_empty() {
                0xffff
            } else {
                parse_port(b, proto).ok_or_else(|| bad(b))?
            };
            if lo > hi {
                return Err(param(family, "invalid portrange (min > max)"));
            }
            Ok((lo, hi))
        }
    }
}

/// A port as libxtables' xtables_getportbyname reads it (getaddrinfo(3)
/// without hints): a decimal number cut to 16 bits as glibc does (one
/// whose int value is negative is looked up as a name), else a service
/// name of any protocol.
fn getportbyname(s: &str) -> Option<u16> {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // strtoul: overflow gives ULONG_MAX; '-' negates.
        let v = digits.parse::<u64>().unwrap_or(u64::MAX);
        let v = if neg { 0u64.wrapping_sub(v) } else { v };
        let n = v as u32 as i32;
        if n >= 0 {
            return Some(n as u16);
        }
    }
    ["tcp", "udp", "dccp", "udplite", "sctp"]
        .iter()
        .find_map(|p| crate::mark::names::service_port(s, p))
}

/// A port range as libxt_udp 1.8.9 takes it (XTTYPE_PORTRC, issue 20):
/// `lo:hi` with either side empty for its default, kept as written even
/// when `lo > hi` (an inverted range that matches nothing). `canon` names
/// the option in messages.
pub fn parse_udp_ports(family: Family, s: &str, canon: &str) -> Result<Ports, MarkError> {
    let mut range = [0u16, u16::MAX];
    let mut n = 0usize;
    for part in s.split(':') {
        if n == 2 {
            let m = format!("udp: Too many components for option \"--{canon}\" (max: 2)\n");
            return Err(param(family, &m));
        }
        if !part.is_empty() {
            let p = getportbyname(part).ok_or_else(|| {
                param(
                    family,
                    &format!("Port \"{part}\" does not resolve to anything.\n"),
                )
            })?;
            if let Some(slot) = range.get_mut(n) {
                *slot = p;
            }
        }
        n += 1;
    }
    if n == 1 {
        range[1] = range[0];
    }
    Ok((range[0], range[1]))
}

pub fn parse_multiport(family: Family, s: &str, proto: &str) -> Result<Vec<Ports>, MarkError> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let (lo, hi) = match part.split_once(':') {
            Some((a, b)) => {
                let lo = parse_port(a, proto).ok_or_else(|| {
                    param(family, &format!("invalid port/service `{a}' specified"))
                })?;
                let hi = parse_port(b, proto).ok_or_else(|| {
                    param(family, &format!("invalid port/service `{b}' specified"))
                })?;
                if lo >= hi {
                    return Err(param(family, "invalid portrange specified"));
                }
                (lo, hi)
            }
            None => {
                let p = parse_port(part, proto).ok_or_else(|| {
                    param(family, &format!("invalid port/service `{part}' specified"))
                })?;
                (p, p)
            }
        };
        out.push((lo, hi));
    }
    if multiport_slots(&out) > 15 {
        return Err(param(family, "too many ports specified"));
    }
    Ok(out)
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

fn resolve(family: Family, host: &str) -> Option<Vec<Vec<u8>>> {
    match family {
        Family::V4 => {
            // iptables' own parser: 1 to 4 dotted decimals, missing ones 0.
            let parts: Vec<&str> = host.split('.').collect();
            if (1..=4).contains(&parts.len())
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                let mut o = vec![0u8; 4];
                for (i, p) in parts.iter().enumerate() {
                    o[i] = p.parse::<u8>().ok()?;
                }
                return Some(vec![o]);
            }
        }
        Family::V6 => {
            if let Ok(a) = host.parse::<Ipv6Addr>() {
                return Some(vec![a.octets().to_vec()]);
            }
        }
    }
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return None;
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    for sa in (host, 0u16).to_socket_addrs().ok()? {
        let ip = sa.ip();
        let ok = matches!(
            (family, ip),
            (Family::V4, IpAddr::V4(_)) | (Family::V6, IpAddr::V6(_))
        );
        let b = ip_bytes(ip);
        if ok && !out.contains(&b) {
            out.push(b);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// One host (numeric, or the first address its name resolves to), for
/// the matches' address options; the error is getaddrinfo's.
pub fn one_host(family: Family, host: &str) -> Result<Vec<u8>, String> {
    if family == Family::V4 {
        if let Some(a) = crate::mark::matches::inet_aton(host) {
            let mut a = a.to_vec();
            a.resize(16, 0);
            return Ok(a);
        }
    }
    if let Some(a) = resolve(family, host).and_then(|v| v.into_iter().next()) {
        let mut a = a;
        a.resize(16, 0);
        return Ok(a);
    }
    let other_family = match family {
        Family::V4 => host.parse::<Ipv6Addr>().is_ok(),
        Family::V6 => crate::mark::matches::inet_aton(host).is_some(),
    };
    if other_family {
        return Err("getaddrinfo: Address family for hostname not supported\n".to_string());
    }
    // glibc answers a name made only of the characters of a numeric
    // address itself (digits and dots; with a colon, hex digits too).
    let numeric_chars = match family {
        Family::V4 => host.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
        Family::V6 => {
            host.contains(':')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
    };
    if !host.is_empty() && numeric_chars {
        return Err("getaddrinfo: Name or service not known\n".to_string());
    }
    let why = match (host, 0u16).to_socket_addrs() {
        Err(e) => e.to_string(),
        Ok(_) => "Address family for hostname not supported".to_string(),
    };
    let why = why
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&why)
        .to_string();
    Err(format!("getaddrinfo: {why}\n"))
}

/// Parses `-s`/`-d` values: comma-separated `host[/mask]`.
pub fn parse_addrs(family: Family, s: &str, inv: bool) -> Result<Vec<Addr>, MarkError> {
    let alen = family.addr_len();
    let mut out = Vec::new();
    for item in s.split(',') {
        let (host, mask) = match item.split_once('/') {
            Some((h, m)) => (h, Some(m)),
            None => (item, None),
        };
        let mask = match mask {
            None => vec![0xff; alen],
            Some(m) => {
                let max = (alen * 8) as u32;
                if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) {
                    match m.parse::<u32>() {
                        Ok(b) if b <= max => crate::inet::prefix_mask(b, alen),
                        _ => return Err(param(family, &format!("invalid mask `{m}' specified"))),
                    }
                } else {
                    let parsed = match family {
                        Family::V4 => m.parse::<Ipv4Addr>().ok().map(|a| a.octets().to_vec()),
                        Family::V6 => m.parse::<Ipv6Addr>().ok().map(|a| a.octets().to_vec()),
                    };
                    parsed.ok_or_else(|| param(family, &format!("invalid mask `{m}' specified")))?
                }
            }
        };
        let addrs = resolve(family, host)
            .ok_or_else(|| param(family, &format!("host/network `{host}' not found")))?;
        for a in addrs {
            let addr: Vec<u8> = a.iter().zip(&mask).map(|(x, m)| x & m).collect();
            let v = Addr {
                addr,
                mask: mask.clone(),
                inv,
            };
            out.push(v);
        }
    }
    Ok(out)
}

pub fn parse_iface(family: Family, s: &str, inv: bool) -> Result<Iface, MarkError> {
    if s.len() > 15 {
        return Err(param(
            family,
            &format!("interface name `{s}' must be shorter than IFNAMSIZ (15)"),
        ));
    }
    Ok(match s.strip_suffix('+') {
        Some(n) => Iface {
            name: n.to_string(),
            wildcard: true,
            inv,
        },
        None => Iface {
            name: s.to_string(),
            wildcard: false,
            inv,
        },
    })
}

pub fn parse_u32(s: &str) -> Option<u32> {
    let s = s.trim_start();
    if s.starts_with('-') {
        return None;
    }
    let v = crate::mark::matches::c_radix(s)?;
    u32::try_from(v).ok()
}
