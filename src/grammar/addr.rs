//! Value parsers with C library semantics, as ipvsadm applies them:
//! `strtol`-based integers, glibc's `inet_aton` (`inet_pton` is in
//! [`crate::inet`], shared with the output layer), the
//! `host[:port]` / `[v6]:port` service-address parser, IPv4 netmasks,
//! fwmarks and scheduler flags.
//!
//! Pure apart from the [`Resolver`] passed in for names. Never panics.

use super::resolve::Resolver;
use crate::inet::{pton4, pton6};
use crate::model::{
    AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_SCHED1, SVC_F_SCHED2,
    SVC_F_SCHED3,
};

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// What C `strtol(s, &end, 10)` computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strtol {
    /// The value, clamped to `i64::MIN`/`i64::MAX` on overflow.
    pub value: i64,
    /// At least one digit was converted (`end != s`).
    pub converted: bool,
    /// Nothing follows the number (`*end == '\0'`), only meaningful when
    /// `converted`.
    pub at_end: bool,
    /// `errno == ERANGE`.
    pub overflow: bool,
}

/// C `strtol(s, &end, 10)`: leading white space, an optional sign, decimal
/// digits.
pub fn strtol(s: &str) -> Strtol {
    let b = s.as_bytes();
    let mut i = 0;
    while b.get(i).is_some_and(|c| is_c_space(*c)) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = b.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    let start = i;
    // Accumulate as a negative number so i64::MIN is representable.
    let mut acc: i64 = 0;
    let mut overflow = false;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        let d = i64::from(c - b'0');
        if !overflow {
            match acc.checked_mul(10).and_then(|v| v.checked_sub(d)) {
                Some(v) => acc = v,
                None => overflow = true,
            }
        }
        i += 1;
    }
    let converted = i > start;
    if !converted {
        return Strtol {
            value: 0,
            converted: false,
            at_end: b.is_empty(),
            overflow: false,
        };
    }
    let value = if overflow {
        if neg {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if neg {
        acc
    } else {
        match acc.checked_neg() {
            Some(v) => v,
            None => {
                overflow = true;
                i64::MAX
            }
        }
    };
    Strtol {
        value,
        converted,
        at_end: i == b.len(),
        overflow,
    }
}

/// ipvsadm's `string_to_number`: the whole string is a decimal `long`
/// within `min..=max`.
pub fn string_to_number(s: &str, min: i64, max: i64) -> Option<i64> {
    let r = strtol(s);
    if r.converted && r.at_end && !r.overflow && min <= r.value && r.value <= max {
        Some(r.value)
    } else {
        None
    }
}

/// C `atoi`: `(int) strtol(s, NULL, 10)`, garbage ignored.
pub fn atoi(s: &str) -> i32 {
    strtol(s).value as i32
}

/// C `strtoul(s, &end, 0)` for a string starting with a digit: value
/// (`None` on overflow beyond u64) and the number of bytes consumed.
fn strtoul0(b: &[u8]) -> (Option<u64>, usize) {
    let (base, mut i) = if b.first() == Some(&b'0') {
        match b.get(1) {
            Some(b'x') | Some(b'X') if b.get(2).is_some_and(|c| c.is_ascii_hexdigit()) => (16, 2),
            _ => (8, 0),
        }
    } else {
        (10, 0)
    };
    let mut acc: Option<u64> = Some(0);
    let start = i;
    while let Some(&c) = b.get(i) {
        let d = match (c as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        acc = acc
            .and_then(|a| a.checked_mul(u64::from(base)))
            .and_then(|a| a.checked_add(u64::from(d)));
        i += 1;
    }
    if i == start {
        // "0x" without hex digits is handled above; base 8 always has the
        // leading '0'.
        return (Some(0), 1);
    }
    (acc, i)
}

/// glibc `inet_aton`: 1 to 4 parts (`a`, `a.b`, `a.b.c`, `a.b.c.d`), each
/// decimal, octal (leading `0`) or hex (`0x`); the last part fills the
/// remaining bytes. Trailing white space (and anything after it) is
/// ignored, as glibc does.
pub fn inet_aton(s: &str) -> Option<[u8; 4]> {
    let b = s.as_bytes();
    let mut parts: [u8; 4] = [0; 4];
    let mut nparts = 0usize;
    let mut i = 0usize;
    let val: u64;
    loop {
        if !b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let (v, used) = strtoul0(b.get(i..)?);
        let v = v?;
        if v > 0xffff_ffff {
            return None;
        }
        i += used;
        if b.get(i) == Some(&b'.') {
            if nparts > 2 || v > 0xff {
                return None;
            }
            *parts.get_mut(nparts)? = v as u8;
            nparts += 1;
            i += 1;
        } else {
            val = v;
            break;
        }
    }
    if let Some(&c) = b.get(i) {
        if !c.is_ascii() || !is_c_space(c) {
            return None;
        }
    }
    let max: [u64; 4] = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff];
    if val > *max.get(nparts)? {
        return None;
    }
    let word = u32::from_be_bytes(parts) | (val as u32);
    Some(word.to_be_bytes())
}

/// ipvsadm's `str_is_digit`: every byte a digit (true for "").
pub fn str_is_digit(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_digit())
}

/// The protocol name `getservbyname` is asked with, per ipvsadm.
pub fn proto_name(protocol: u16) -> Option<&'static str> {
    match protocol {
        IPPROTO_TCP => Some("tcp"),
        IPPROTO_UDP => Some("udp"),
        IPPROTO_SCTP => Some("sctp"),
        _ => None,
    }
}

/// The address fields `parse_service` writes (a service, or the copy of
/// the service a real server is parsed into).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddrFields {
    pub af: u16,
    pub addr: [u8; 16],
    /// Host byte order.
    pub port: u16,
    pub netmask: u32,
}

/// Result of [`parse_service`] (ipvsadm's `SERVICE_*` bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SvcParse {
    /// `SERVICE_NONE`: failure.
    Failed,
    /// `SERVICE_ADDR`: address, no port given.
    Addr,
    /// `SERVICE_ADDR | SERVICE_PORT`.
    AddrPort,
}

/// ipvsadm's `parse_service`: `host[:port]` or `[host]:port` into `t`.
/// `protocol` picks the `/etc/services` protocol for named ports.
pub fn parse_service(buf: &str, protocol: u16, t: &mut AddrFields, r: &dyn Resolver) -> SvcParse {
    if str_is_digit(buf) {
        return SvcParse::Failed;
    }
    let mut host = buf;
    let mut port: Option<&str> = None;
    if let Some(rest) = buf.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return SvcParse::Failed;
        };
        let after = rest.get(close + 1..).unwrap_or("");
        match after.strip_prefix(':') {
            Some(p) => port = Some(p),
            None => return SvcParse::Failed,
        }
        host = rest.get(..close).unwrap_or("");
    }
    if let Some(a6) = pton6(host) {
        t.addr = a6;
        t.af = AF_INET6;
        t.netmask = 128;
    } else {
        // The bracket port (if any) is forgotten here, as in ipvsadm.
        port = None;
        if let Some(i) = host.rfind(':') {
            port = host.get(i + 1..);
            host = host.get(..i).unwrap_or("");
        }
        let Some(a4) = inet_aton(host).or_else(|| r.host_v4(host)) else {
            return SvcParse::Failed;
        };
        if let Some(dst) = t.addr.get_mut(..4) {
            dst.copy_from_slice(&a4);
        }
        t.af = AF_INET;
    }
    let Some(p) = port else {
        return SvcParse::Addr;
    };
    if let Some(n) = string_to_number(p, 0, 65535) {
        t.port = n as u16;
    } else if let Some(n) = proto_name(protocol).and_then(|pn| r.service_port(p, pn)) {
        t.port = n;
    } else {
        return SvcParse::Failed;
    }
    SvcParse::AddrPort
}

/// ipvsadm's `parse_netmask` for IPv4 services: `inet_aton`, else a host
/// lookup. Returns the mask as a host-order u32 of the dotted quad.
pub fn parse_netmask(buf: &str, r: &dyn Resolver) -> Option<u32> {
    inet_aton(buf)
        .or_else(|| r.host_v4(buf))
        .map(u32::from_be_bytes)
}

/// ipvsadm's `parse_fwmark`: 1..=4294967295.
pub fn parse_fwmark(buf: &str) -> Option<u32> {
    string_to_number(buf, 1, i64::from(u32::MAX)).map(|v| v as u32)
}

/// ipvsadm's `parse_sched_flags`: the comma-separated `-b` value against
/// scheduler `sched` (empty → `wlc`). Returns the flag bits or the
/// message. A value without any token (`,`) crashes the real binary; here
/// it is ``invalid scheduler flag `<value>'``.
pub fn parse_sched_flags(sched: &str, arg: &str) -> Result<u32, String> {
    let sched = if sched.is_empty() { "wlc" } else { sched };
    let mut flags = 0u32;
    let mut any = false;
    for tok in arg.split(',').filter(|t| !t.is_empty()) {
        any = true;
        let (bit, need) = match tok {
            "flag-1" => (SVC_F_SCHED1, None),
            "flag-2" => (SVC_F_SCHED2, None),
            "flag-3" => (SVC_F_SCHED3, None),
            "sh-fallback" => (SVC_F_SCHED1, Some("sh")),
            "sh-port" => (SVC_F_SCHED2, Some("sh")),
            "mh-fallback" => (SVC_F_SCHED1, Some("mh")),
            "mh-port" => (SVC_F_SCHED2, Some("mh")),
            _ => return Err(format!("invalid scheduler flag `{tok}'")),
        };
        if need.is_some_and(|n| n != sched) {
            return Err(format!("incompatible scheduler flag `{tok}'"));
        }
        flags |= bit;
    }
    if !any {
        return Err(format!("invalid scheduler flag `{arg}'"));
    }
    Ok(flags)
}

/// `--tun-type`: ipip 0, gue 1, gre 2.
pub fn parse_tun_type(s: &str) -> Option<u8> {
    match s {
        "ipip" => Some(0),
        "gue" => Some(1),
        "gre" => Some(2),
        _ => None,
    }
}

/// `--mcast-group`: IPv6 multicast if the value has a `:`, else a dotted
/// quad IPv4 multicast address. Returns the message on failure.
pub fn parse_mcast_group(s: &str) -> Result<std::net::IpAddr, String> {
    if s.contains(':') {
        match pton6(s) {
            Some(a) if a[0] == 0xff => Ok(std::net::IpAddr::from(a)),
            _ => Err(format!("invalid IPv6 mcast-group `{s}'")),
        }
    } else {
        match pton4(s) {
            Some(a) if (224..=239).contains(&a[0]) => Ok(std::net::IpAddr::from(a)),
            _ => Err(format!("invalid IPv4 mcast-group `{s}'")),
        }
    }
}

/// Truncate to at most `n` bytes at a character boundary (C `strncpy`
/// into a fixed buffer, for ASCII).
pub fn truncate_bytes(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::super::resolve::FixedResolver;
    use super::*;
    use crate::inet::{pton4 as inet_pton4, pton6 as inet_pton6};

    #[test]
    fn strtol_rule() {
        assert_eq!(string_to_number("5", 0, 10), Some(5));
        assert_eq!(string_to_number(" 5", 0, 10), Some(5));
        assert_eq!(string_to_number("\t\n+5", 0, 10), Some(5));
        assert_eq!(string_to_number("-0", 0, 10), Some(0));
        assert_eq!(string_to_number("5 ", 0, 10), None);
        assert_eq!(string_to_number("", 0, 10), None);
        assert_eq!(string_to_number(" ", 0, 10), None);
        assert_eq!(string_to_number("+", 0, 10), None);
        assert_eq!(string_to_number("0x5", 0, 10), None);
        assert_eq!(string_to_number("11", 0, 10), None);
        assert_eq!(string_to_number("-1", 0, 10), None);
        assert_eq!(
            string_to_number("9223372036854775807", 0, i64::MAX),
            Some(i64::MAX)
        );
        assert_eq!(string_to_number("9223372036854775808", 0, i64::MAX), None);
        assert_eq!(
            string_to_number("-9223372036854775808", i64::MIN, 0),
            Some(i64::MIN)
        );
        assert_eq!(string_to_number("-9223372036854775809", i64::MIN, 0), None);
        assert_eq!(
            string_to_number("2147483647", 0, 2147483647),
            Some(2147483647)
        );
        assert_eq!(string_to_number("2147483648", 0, 2147483647), None);
        assert_eq!(string_to_number("00012", 0, 100), Some(12));
    }

    #[test]
    fn atoi_rule() {
        assert_eq!(atoi("64"), 64);
        assert_eq!(atoi("64abc"), 64);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi(" -3"), -3);
        assert_eq!(atoi("255.255.255.0"), 255);
        assert_eq!(atoi("4294967360"), 64);
        assert_eq!(atoi("99999999999999999999"), -1);
    }

    #[test]
    fn aton() {
        assert_eq!(inet_aton("1.2.3.4"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton("10.1"), Some([10, 0, 0, 1]));
        assert_eq!(inet_aton("1.2.3"), Some([1, 2, 0, 3]));
        assert_eq!(inet_aton("1.2.772"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton("16909060"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton("0x7f.1"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton("0177.0.0.01"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton("4294967295"), Some([255; 4]));
        assert_eq!(inet_aton("4294967296"), None);
        assert_eq!(inet_aton("1.2.3.4 trailing"), Some([1, 2, 3, 4]));
        assert_eq!(inet_aton("1.2.3.4x"), None);
        assert_eq!(inet_aton("1.2.3.4."), None);
        assert_eq!(inet_aton("1."), None);
        assert_eq!(inet_aton(""), None);
        assert_eq!(inet_aton(" 1.2.3.4"), None);
        assert_eq!(inet_aton("08"), None);
        assert_eq!(inet_aton("0x"), None);
        assert_eq!(inet_aton("0xg"), None);
        assert_eq!(inet_aton("256.1.1.1"), None);
        assert_eq!(inet_aton("1.256.1"), None);
        assert_eq!(inet_aton("1.65535"), Some([1, 0, 255, 255]));
        assert_eq!(inet_aton("1.2.65536"), None);
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("1.2.3.4.5"), None);
        assert_eq!(inet_aton("0"), Some([0; 4]));
        assert_eq!(inet_aton("99999999999999999999999"), None);
        assert_eq!(inet_aton("localhost"), None);
    }

    #[test]
    fn pton4() {
        assert_eq!(inet_pton4("224.0.0.81"), Some([224, 0, 0, 81]));
        assert_eq!(inet_pton4("0.0.0.0"), Some([0; 4]));
        assert_eq!(inet_pton4("01.2.3.4"), None);
        assert_eq!(inet_pton4("1.2.3"), None);
        assert_eq!(inet_pton4("1.2.3.4."), None);
        assert_eq!(inet_pton4("1..3.4"), None);
        assert_eq!(inet_pton4("256.2.3.4"), None);
        assert_eq!(inet_pton4("1.2.3.4 "), None);
        assert_eq!(inet_pton4(""), None);
    }

    #[test]
    fn pton6() {
        use std::net::Ipv6Addr;
        for s in [
            "::",
            "::1",
            "1::",
            "2001:db8::1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "FF02::1",
            "fe80::1:2",
        ] {
            let want: Ipv6Addr = s.parse().unwrap();
            assert_eq!(inet_pton6(s), Some(want.octets()), "{s}");
        }
        for s in [
            "",
            ":",
            ":1::",
            "1::2::3",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1:",
            "12345::",
            "1:2:3:4:5:6:7",
            "::1.2.3",
            "::01.2.3.4",
            "1.2.3.4",
            "::1%eth0",
            "[::1]",
            "::g",
            "1:2:3:4:5:6:7:1.2.3.4",
            ":::",
        ] {
            assert_eq!(inet_pton6(s), None, "{s}");
        }
    }

    fn res() -> FixedResolver {
        FixedResolver {
            hosts: vec![
                ("localhost".into(), [127, 0, 0, 1]),
                ("host".into(), [10, 9, 8, 7]),
            ],
            services: vec![
                ("http".into(), "tcp".into(), 80),
                ("domain".into(), "udp".into(), 53),
                ("sip".into(), "sctp".into(), 5060),
            ],
        }
    }

    fn ps(buf: &str, proto: u16) -> (SvcParse, AddrFields) {
        let mut t = AddrFields {
            af: 0,
            addr: [0; 16],
            port: 0,
            netmask: 0xffff_ffff,
        };
        let r = parse_service(buf, proto, &mut t, &res());
        (r, t)
    }

    #[test]
    fn service_addresses() {
        let (r, t) = ps("10.0.0.1:80", IPPROTO_TCP);
        assert_eq!(r, SvcParse::AddrPort);
        assert_eq!(
            (t.af, &t.addr[..4], t.port, t.netmask),
            (AF_INET, &[10, 0, 0, 1][..], 80, 0xffff_ffff)
        );
        assert_eq!(ps("10.0.0.1", IPPROTO_TCP).0, SvcParse::Addr);
        assert_eq!(ps("80", IPPROTO_TCP).0, SvcParse::Failed);
        assert_eq!(ps("", IPPROTO_TCP).0, SvcParse::Failed);
        assert_eq!(ps("10.1:http", IPPROTO_TCP).1.port, 80);
        assert_eq!(ps("10.1:http", IPPROTO_UDP).0, SvcParse::Failed);
        assert_eq!(ps("10.1:domain", IPPROTO_UDP).1.port, 53);
        assert_eq!(ps("10.1:sip", IPPROTO_SCTP).1.port, 5060);
        assert_eq!(ps("10.1:http", 0).0, SvcParse::Failed);
        assert_eq!(ps("10.1:65535", 0).1.port, 65535);
        assert_eq!(ps("10.1:65536", 0).0, SvcParse::Failed);
        assert_eq!(ps("10.1:", IPPROTO_TCP).0, SvcParse::Failed);
        assert_eq!(ps("10.1: 80", IPPROTO_TCP).1.port, 80);
        assert_eq!(ps("localhost:0", IPPROTO_TCP).1.addr[..4], [127, 0, 0, 1]);
        assert_eq!(ps("nohost:80", IPPROTO_TCP).0, SvcParse::Failed);
        let (r, t) = ps("[2001:db8::1]:443", IPPROTO_TCP);
        assert_eq!(
            (r, t.af, t.port, t.netmask),
            (SvcParse::AddrPort, AF_INET6, 443, 128)
        );
        assert_eq!(ps("[::1]", IPPROTO_TCP).0, SvcParse::Failed);
        assert_eq!(ps("[::1", IPPROTO_TCP).0, SvcParse::Failed);
        assert_eq!(ps("[::1]x80", IPPROTO_TCP).0, SvcParse::Failed);
        let (r, t) = ps("::1", IPPROTO_TCP);
        assert_eq!((r, t.af, t.port), (SvcParse::Addr, AF_INET6, 0));
        let (r, t) = ps("::1:80", IPPROTO_TCP);
        assert_eq!(
            (r, t.port, t.addr[15], t.addr[14]),
            (SvcParse::Addr, 0, 0x80, 0)
        );
        // Brackets around IPv4: the bracket port is lost.
        let (r, t) = ps("[1.2.3.4]:80", IPPROTO_TCP);
        assert_eq!((r, t.af, t.port), (SvcParse::Addr, AF_INET, 0));
        let (r, t) = ps("[1.2.3.4:81]:80", IPPROTO_TCP);
        assert_eq!((r, t.port), (SvcParse::AddrPort, 81));
        let (r, t) = ps("[::1]:", IPPROTO_TCP);
        assert_eq!((r, t.af), (SvcParse::Failed, AF_INET6));
    }

    #[test]
    fn ipv4_into_ipv6_field() {
        let mut t = AddrFields {
            af: AF_INET6,
            addr: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            port: 443,
            netmask: 128,
        };
        assert_eq!(
            parse_service("10.0.0.4", IPPROTO_TCP, &mut t, &res()),
            SvcParse::Addr
        );
        assert_eq!(t.addr, [10, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!((t.af, t.port, t.netmask), (AF_INET, 443, 128));
    }

    #[test]
    fn netmask_fwmark_flags() {
        assert_eq!(parse_netmask("255.255.255.0", &res()), Some(0xffff_ff00));
        assert_eq!(parse_netmask("1.2.3", &res()), Some(0x0102_0003));
        assert_eq!(parse_netmask("host", &res()), Some(0x0a09_0807));
        assert_eq!(parse_netmask("24", &res()), Some(24));
        assert_eq!(parse_netmask("bogus", &res()), None);
        assert_eq!(parse_fwmark("1"), Some(1));
        assert_eq!(parse_fwmark("4294967295"), Some(u32::MAX));
        for bad in ["0", "-1", "4294967296", "", "1x", "0x10", "-0"] {
            assert_eq!(parse_fwmark(bad), None, "{bad}");
        }
        assert_eq!(parse_fwmark(" +7"), Some(7));
        assert_eq!(parse_sched_flags("", "flag-1,flag-3"), Ok(0x28));
        assert_eq!(parse_sched_flags("sh", ",sh-fallback,,sh-port,"), Ok(0x18));
        assert_eq!(parse_sched_flags("mh", "mh-port"), Ok(0x10));
        assert_eq!(
            parse_sched_flags("rr", "sh-port"),
            Err("incompatible scheduler flag `sh-port'".into())
        );
        assert_eq!(
            parse_sched_flags("", "mh-port"),
            Err("incompatible scheduler flag `mh-port'".into())
        );
        assert_eq!(
            parse_sched_flags("sh", "flag-1,bogus"),
            Err("invalid scheduler flag `bogus'".into())
        );
        assert_eq!(
            parse_sched_flags("sh", ","),
            Err("invalid scheduler flag `,'".into())
        );
        assert_eq!(
            parse_sched_flags("sh", ",,"),
            Err("invalid scheduler flag `,,'".into())
        );
    }

    #[test]
    fn mcast_groups() {
        assert_eq!(
            parse_mcast_group("224.0.0.81").unwrap().to_string(),
            "224.0.0.81"
        );
        assert_eq!(
            parse_mcast_group("239.255.255.255").unwrap().to_string(),
            "239.255.255.255"
        );
        assert_eq!(parse_mcast_group("ff02::1").unwrap().to_string(), "ff02::1");
        assert_eq!(
            parse_mcast_group("240.0.0.1"),
            Err("invalid IPv4 mcast-group `240.0.0.1'".into())
        );
        assert_eq!(
            parse_mcast_group("224.1"),
            Err("invalid IPv4 mcast-group `224.1'".into())
        );
        assert_eq!(
            parse_mcast_group("fe80::1"),
            Err("invalid IPv6 mcast-group `fe80::1'".into())
        );
        assert_eq!(
            parse_mcast_group("x:y"),
            Err("invalid IPv6 mcast-group `x:y'".into())
        );
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_bytes("abcdefghijklmnopq", 15), "abcdefghijklmno");
        assert_eq!(truncate_bytes("abc", 15), "abc");
        assert_eq!(truncate_bytes("ééééééééé", 15), "ééééééé");
    }
}
