//! `<host:port>` rendering exactly as ipvsadm builds it, and the name
//! lookups behind it.
//!
//! With `-n` an address is glibc's `inet_ntop` text (reimplemented here,
//! byte for byte: glibc prints `::1:2` as `::0.1.0.2`) and a port is
//! decimal. Without `-n` the address is the reverse-lookup name
//! (`gethostbyaddr`: /etc/hosts, then DNS, as nsswitch says) and the port
//! is the `getservbyport` name for the protocol's `tcp`/`udp`/`sctp`
//! entry; any other protocol (fwmark services report protocol 0) keeps
//! the number. Anything other than IPv4 is bracketed. The result is cut
//! to 59 bytes (ipvsadm formats into a 60-byte buffer).
//!
//! Lookups go through the [`Names`] trait so tests inject their own
//! answers; [`SystemNames`] asks the C library. Text is kept as bytes:
//! names come from the resolver and ipvsadm counts bytes when padding.

use crate::model::{RawAddr, AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};

/// The longest `<host:port>` ipvsadm prints (its buffer holds 60 bytes).
pub const HOSTPORT_MAX: usize = 59;

/// Reverse lookups used when listing without `-n`.
pub trait Names {
    /// The `h_name` of `gethostbyaddr(addr, len, af)` (len 4 for IPv4,
    /// 16 otherwise), or `None` when the lookup finds nothing.
    fn host(&self, af: u16, addr: &RawAddr) -> Option<Vec<u8>>;
    /// The `s_name` of `getservbyport(port, proto)` where `proto` is
    /// `"tcp"`, `"udp"` or `"sctp"`, or `None`.
    fn service(&self, port: u16, proto: &str) -> Option<Vec<u8>>;
}

/// Never finds a name (what `-n` amounts to, but still going through the
/// non-numeric code path).
pub struct NoNames;

impl Names for NoNames {
    fn host(&self, _af: u16, _addr: &RawAddr) -> Option<Vec<u8>> {
        None
    }
    fn service(&self, _port: u16, _proto: &str) -> Option<Vec<u8>> {
        None
    }
}

/// The C library's resolver (`gethostbyaddr_r`, `getservbyport_r`), so
/// results follow /etc/nsswitch.conf, /etc/hosts, DNS and /etc/services
/// exactly as they do for ipvsadm.
pub struct SystemNames;

impl Names for SystemNames {
    fn host(&self, af: u16, addr: &RawAddr) -> Option<Vec<u8>> {
        let len = if af == AF_INET { 4 } else { 16 };
        crate::sys::host_name(libc::c_int::from(af), addr, len)
    }

    fn service(&self, port: u16, proto: &str) -> Option<Vec<u8>> {
        crate::sys::service_name(port, proto)
    }
}

/// glibc `inet_ntop` text for IPv4 (first four bytes) or IPv6; `None`
/// for any other family (where `inet_ntop` fails).
pub fn ntop(af: u16, addr: &RawAddr) -> Option<String> {
    if af == AF_INET {
        Some(ntop4(&[addr[0], addr[1], addr[2], addr[3]]))
    } else if af == AF_INET6 {
        Some(ntop6(addr))
    } else {
        None
    }
}

fn ntop4(b: &[u8; 4]) -> String {
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// glibc's IPv6 text: lowercase hex words without leading zeros, the
/// first longest run of at least two zero words as `::`, and the last
/// 32 bits as a dotted quad when the address starts with six zero words,
/// or five zero words and `ffff`.
fn ntop6(a: &[u8; 16]) -> String {
    let mut words = [0u16; 8];
    for (i, w) in words.iter_mut().enumerate() {
        *w = u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
    }
    // Longest run of zero words (first wins on ties), length ≥ 2.
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            let len = i - start;
            if len >= 2 && len > best_len {
                best_base = Some(start);
                best_len = len;
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some(base) = best_base {
            if i == base {
                out.push(':');
                i += best_len;
                if i == 8 {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6
            && best_base == Some(0)
            && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))
        {
            out.push_str(&ntop4(&[a[12], a[13], a[14], a[15]]));
            return out;
        }
        out.push_str(&format!("{:x}", words[i]));
        i += 1;
    }
    out
}

/// The `getservbyport` protocol name ipvsadm uses for a protocol number.
pub fn proto_key(proto: u16) -> Option<&'static str> {
    match proto {
        IPPROTO_TCP => Some("tcp"),
        IPPROTO_UDP => Some("udp"),
        IPPROTO_SCTP => Some("sctp"),
        _ => None,
    }
}

/// `<host:port>` as ipvsadm prints it (at most [`HOSTPORT_MAX`] bytes).
/// `proto` picks the service-name table (0 or unknown: the port stays
/// numeric).
pub fn host_port(
    af: u16,
    addr: &RawAddr,
    port: u16,
    proto: u16,
    numeric: bool,
    names: &dyn Names,
) -> Vec<u8> {
    let bracket = af != AF_INET;
    let mut out = Vec::with_capacity(64);
    if bracket {
        out.push(b'[');
    }
    if numeric {
        match ntop(af, addr) {
            Some(t) => out.extend_from_slice(t.as_bytes()),
            None => out.extend_from_slice(b"(null)"),
        }
    } else {
        let host = if af == AF_INET || af == AF_INET6 {
            names.host(af, addr)
        } else {
            None
        };
        match host {
            Some(h) => out.extend_from_slice(&h),
            None => {
                if let Some(t) = ntop(af, addr) {
                    out.extend_from_slice(t.as_bytes());
                }
            }
        }
    }
    if bracket {
        out.push(b']');
    }
    out.push(b':');
    let named = if numeric {
        None
    } else {
        proto_key(proto).and_then(|p| names.service(port, p))
    };
    match named {
        Some(n) => out.extend_from_slice(&n),
        None => out.extend_from_slice(port.to_string().as_bytes()),
    }
    out.truncate(HOSTPORT_MAX);
    out
}

/// Test double: fixed host and service names.
#[cfg(test)]
pub struct MapNames {
    pub hosts: Vec<(std::net::IpAddr, &'static str)>,
    pub services: Vec<(u16, &'static str, &'static str)>,
}

#[cfg(test)]
impl MapNames {
    /// A few names like Debian's /etc/hosts and /etc/services.
    pub fn debian() -> MapNames {
        MapNames {
            hosts: vec![
                ("127.0.0.1".parse().unwrap(), "localhost"),
                ("::1".parse().unwrap(), "localhost"),
            ],
            services: vec![
                (80, "tcp", "http"),
                (80, "udp", "http"),
                (443, "tcp", "https"),
                (443, "udp", "https"),
                (8080, "tcp", "http-alt"),
                (53, "tcp", "domain"),
                (53, "udp", "domain"),
                (5353, "udp", "mdns"),
                (5060, "tcp", "sip"),
                (5060, "udp", "sip"),
            ],
        }
    }
}

#[cfg(test)]
impl Names for MapNames {
    fn host(&self, af: u16, addr: &RawAddr) -> Option<Vec<u8>> {
        let ip = crate::model::ip_from_raw(af, addr);
        self.hosts
            .iter()
            .find(|(a, _)| *a == ip)
            .map(|(_, n)| n.as_bytes().to_vec())
    }
    fn service(&self, port: u16, proto: &str) -> Option<Vec<u8>> {
        self.services
            .iter()
            .find(|(p, pr, _)| *p == port && *pr == proto)
            .map(|(_, _, n)| n.as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::raw_from_ip;

    fn raw(s: &str) -> RawAddr {
        raw_from_ip(s.parse().unwrap())
    }

    fn hp(af: u16, a: &str, port: u16, proto: u16, numeric: bool) -> String {
        let b = host_port(af, &raw(a), port, proto, numeric, &MapNames::debian());
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn numeric_rendering() {
        assert_eq!(
            hp(AF_INET, "10.0.0.1", 80, IPPROTO_TCP, true),
            "10.0.0.1:80"
        );
        assert_eq!(
            hp(AF_INET6, "2001:db8::a", 8080, IPPROTO_TCP, true),
            "[2001:db8::a]:8080"
        );
        assert_eq!(
            hp(AF_INET, "127.0.0.1", 0, IPPROTO_TCP, true),
            "127.0.0.1:0"
        );
    }

    #[test]
    fn named_rendering() {
        assert_eq!(
            hp(AF_INET, "127.0.0.1", 80, IPPROTO_TCP, false),
            "localhost:http"
        );
        assert_eq!(
            hp(AF_INET, "10.0.0.2", 53, IPPROTO_UDP, false),
            "10.0.0.2:domain"
        );
        assert_eq!(
            hp(AF_INET, "10.0.0.2", 5353, IPPROTO_TCP, false),
            "10.0.0.2:5353"
        );
        assert_eq!(
            hp(AF_INET, "10.0.0.3", 9999, IPPROTO_SCTP, false),
            "10.0.0.3:9999"
        );
        // fwmark services have protocol 0: ports never named
        assert_eq!(hp(AF_INET, "192.168.2.1", 80, 0, false), "192.168.2.1:80");
        assert_eq!(
            hp(AF_INET6, "::1", 443, IPPROTO_TCP, false),
            "[localhost]:https"
        );
        assert_eq!(
            hp(AF_INET6, "2001:db8::9", 80, IPPROTO_TCP, false),
            "[2001:db8::9]:http"
        );
    }

    #[test]
    fn cut_at_59() {
        let names = MapNames {
            hosts: vec![(
                "10.1.1.1".parse().unwrap(),
                "a-very-long-host-name.in.a.very.long.domain.example.org.invalid",
            )],
            services: vec![],
        };
        let b = host_port(AF_INET, &raw("10.1.1.1"), 80, IPPROTO_TCP, false, &names);
        assert_eq!(b.len(), 59);
        assert!(b.starts_with(b"a-very-long-host-name"));
        let v6 = host_port(
            AF_INET6,
            &raw("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            65535,
            IPPROTO_TCP,
            true,
            &NoNames,
        );
        assert_eq!(
            v6,
            b"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535".to_vec()
        );
    }

    #[test]
    fn unknown_family() {
        assert_eq!(
            host_port(0, &[0; 16], 1, IPPROTO_TCP, true, &NoNames),
            b"[(null)]:1".to_vec()
        );
    }

    #[test]
    fn ntop6_glibc_quirks() {
        let t = |s: &str| ntop(AF_INET6, &raw(s)).unwrap();
        assert_eq!(t("::"), "::");
        assert_eq!(t("::1"), "::1");
        assert_eq!(t("::1:2"), "::0.1.0.2");
        assert_eq!(t("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(t("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
        assert_eq!(t("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(t("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        assert_eq!(t("1::"), "1::");
        assert_eq!(t("2001:db8::a"), "2001:db8::a");
    }

    #[cfg(target_env = "gnu")]
    extern "C" {
        fn inet_ntop(
            af: libc::c_int,
            src: *const libc::c_void,
            dst: *mut libc::c_char,
            size: libc::socklen_t,
        ) -> *const libc::c_char;
    }

    /// Cross-check against the C library on pseudo-random addresses with
    /// many zero words.
    #[cfg(target_env = "gnu")]
    #[test]
    fn ntop6_matches_libc() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20000 {
            let mut a = [0u8; 16];
            for w in 0..8 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = match x % 4 {
                    0 | 1 => 0u16,
                    2 => 0xffff,
                    _ => (x >> 20) as u16,
                };
                a[2 * w..2 * w + 2].copy_from_slice(&v.to_be_bytes());
            }
            let mut buf = [0 as libc::c_char; 64];
            // SAFETY: a is 16 bytes, buf 64 bytes.
            let p = unsafe { inet_ntop(libc::AF_INET6, a.as_ptr().cast(), buf.as_mut_ptr(), 64) };
            assert!(!p.is_null());
            // SAFETY: inet_ntop succeeded and wrote a C string.
            let c = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
            assert_eq!(ntop(AF_INET6, &a).unwrap(), c.to_str().unwrap(), "{a:?}");
        }
    }

    #[test]
    fn system_names_localhost() {
        // Debian's /etc/hosts and /etc/services have these; skip quietly
        // where they do not.
        let n = SystemNames;
        if let Some(s) = n.service(80, "tcp") {
            assert_eq!(s, b"http".to_vec());
        }
        let _ = n.host(AF_INET, &raw("127.0.0.1"));
    }
}
