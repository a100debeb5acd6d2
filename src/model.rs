//! The data model shared by every layer: virtual services, real servers
//! (destinations), sync daemons, timeouts and the kernel's info block.
//!
//! These are plain values. They know nothing about argv, netlink or text
//! output; the grammar fills them, the kernel codec encodes/decodes them,
//! the output module prints them. Addresses are kept as the kernel keeps
//! them (a 16-byte field plus an address family) because ipvsadm's quirks
//! depend on that layout (an IPv4 real server of an IPv6 service only
//! overwrites the first four bytes).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub const AF_INET: u16 = libc::AF_INET as u16;
pub const AF_INET6: u16 = libc::AF_INET6 as u16;

pub const IPPROTO_TCP: u16 = libc::IPPROTO_TCP as u16;
pub const IPPROTO_UDP: u16 = libc::IPPROTO_UDP as u16;
pub const IPPROTO_SCTP: u16 = libc::IPPROTO_SCTP as u16;

/// Service flag bits (`IP_VS_SVC_F_*`).
pub const SVC_F_PERSISTENT: u32 = 0x0001;
pub const SVC_F_HASHED: u32 = 0x0002;
pub const SVC_F_ONEPACKET: u32 = 0x0004;
pub const SVC_F_SCHED1: u32 = 0x0008;
pub const SVC_F_SCHED2: u32 = 0x0010;
pub const SVC_F_SCHED3: u32 = 0x0020;
pub const SVC_F_SCHED_MASK: u32 = SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_SCHED3;

/// Default persistence timeout when `-p` has no value (the real binary's
/// value; its man page says 300).
pub const DEFAULT_PERSISTENCE: u32 = 360;
pub const DEFAULT_SCHEDULER: &str = "wlc";

/// Forwarding methods (`IP_VS_CONN_F_*` low bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forward {
    Masq,
    Local,
    Tunnel,
    Route,
    /// Anything else the kernel reports (bypass = 4, …): printed as `(null)`.
    Other(u32),
}

impl Forward {
    pub fn from_u32(v: u32) -> Forward {
        match v {
            0 => Forward::Masq,
            1 => Forward::Local,
            2 => Forward::Tunnel,
            3 => Forward::Route,
            o => Forward::Other(o),
        }
    }
    pub fn to_u32(self) -> u32 {
        match self {
            Forward::Masq => 0,
            Forward::Local => 1,
            Forward::Tunnel => 2,
            Forward::Route => 3,
            Forward::Other(o) => o,
        }
    }
}

/// Tunnel types (`IP_VS_CONN_F_TUNNEL_TYPE_*`).
pub const TUN_IPIP: u8 = 0;
pub const TUN_GUE: u8 = 1;
pub const TUN_GRE: u8 = 2;
/// Tunnel flags.
pub const TUN_F_NOCSUM: u16 = 0;
pub const TUN_F_CSUM: u16 = 1;
pub const TUN_F_REMCSUM: u16 = 2;

/// Traffic counters; the kernel's STATS64 (or STATS widened to 64 bits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    pub inbps: u64,
    pub outbps: u64,
}

/// A 16-byte address field as the kernel stores it.
pub type RawAddr = [u8; 16];

pub fn raw_from_ip(ip: IpAddr) -> RawAddr {
    let mut raw = [0u8; 16];
    match ip {
        IpAddr::V4(v4) => raw[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => raw = v6.octets(),
    }
    raw
}

/// Interpret a raw address under an address family (IPv6 for AF_INET6,
/// IPv4 from the first four bytes otherwise).
pub fn ip_from_raw(af: u16, raw: &RawAddr) -> IpAddr {
    if af == AF_INET6 {
        IpAddr::V6(Ipv6Addr::from(*raw))
    } else {
        IpAddr::V4(Ipv4Addr::new(raw[0], raw[1], raw[2], raw[3]))
    }
}

/// A scheduler name as the kernel holds it (`IP_VS_SCHEDNAME_MAXLEN`: at
/// most 15 bytes), kept inline: a listing of 50,000 services holds 50,000
/// of them, and a heap string would cost 40 bytes more each. Longer text
/// is cut at the last whole character within 15 bytes (ipvsadm cuts the
/// option's value to 15 bytes; the kernel never sends more).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SchedName {
    len: u8,
    bytes: [u8; SchedName::MAX],
}

impl SchedName {
    /// Longest name in bytes.
    pub const MAX: usize = 15;

    pub fn new(s: &str) -> SchedName {
        let mut end = s.len().min(SchedName::MAX);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; SchedName::MAX];
        if let (Some(dst), Some(src)) = (bytes.get_mut(..end), s.as_bytes().get(..end)) {
            dst.copy_from_slice(src);
        }
        SchedName {
            len: end as u8,
            bytes,
        }
    }

    pub fn as_str(&self) -> &str {
        let b = self.bytes.get(..usize::from(self.len)).unwrap_or(&[]);
        std::str::from_utf8(b).unwrap_or("")
    }
}

impl std::ops::Deref for SchedName {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SchedName {
    fn from(s: &str) -> SchedName {
        SchedName::new(s)
    }
}

impl From<String> for SchedName {
    fn from(s: String) -> SchedName {
        SchedName::new(&s)
    }
}

impl PartialEq<&str> for SchedName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for SchedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for SchedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A virtual service. Identity is (af, fwmark) or (af, protocol, addr, port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub af: u16,
    /// 0 for fwmark services as reported by the kernel; requests for
    /// fwmark services carry TCP as ipvsadm does.
    pub protocol: u16,
    pub addr: RawAddr,
    /// Host byte order here; the codec converts.
    pub port: u16,
    pub fwmark: u32,
    pub sched_name: SchedName,
    pub pe_name: String,
    pub flags: u32,
    /// Persistence timeout in seconds.
    pub timeout: u32,
    /// IPv4: the mask as a host-order u32 of the dotted quad
    /// (255.255.255.0 = 0xffffff00); IPv6: the prefix length.
    pub netmask: u32,
    pub stats: Stats,
}

impl Default for Service {
    fn default() -> Self {
        Service {
            af: AF_INET,
            protocol: 0,
            addr: [0; 16],
            port: 0,
            fwmark: 0,
            sched_name: SchedName::default(),
            pe_name: String::new(),
            flags: 0,
            timeout: 0,
            netmask: 0xffff_ffff,
            stats: Stats::default(),
        }
    }
}

/// What identifies a virtual service to the kernel: its firewall mark, or
/// its protocol, address and port — always within an address family. Two
/// services with the same key are the same kernel object, whatever their
/// other attributes. Cheap to copy, hash and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceKey {
    Fwmark {
        af: u16,
        fwmark: u32,
    },
    /// `addr` holds only the family's bytes (4 or 16); the rest is zero.
    Addr {
        af: u16,
        protocol: u16,
        addr: RawAddr,
        port: u16,
    },
}

/// What identifies a destination within its service: family, address and
/// port (`addr` holds only the family's bytes; the rest is zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DestKey {
    pub af: u16,
    pub addr: RawAddr,
    pub port: u16,
}

/// The bytes of `addr` that family `af` uses (16 for IPv6, else 4); the
/// others zeroed.
fn significant(af: u16, addr: &RawAddr) -> RawAddr {
    let n = if af == AF_INET6 { 16 } else { 4 };
    let mut out = [0u8; 16];
    for (o, a) in out.iter_mut().zip(addr).take(n) {
        *o = *a;
    }
    out
}

impl Service {
    /// The service's identity (see [`ServiceKey`]).
    pub fn key(&self) -> ServiceKey {
        if self.fwmark != 0 {
            ServiceKey::Fwmark {
                af: self.af,
                fwmark: self.fwmark,
            }
        } else {
            ServiceKey::Addr {
                af: self.af,
                protocol: self.protocol,
                addr: significant(self.af, &self.addr),
                port: self.port,
            }
        }
    }
    pub fn is_fwmark(&self) -> bool {
        self.fwmark != 0
    }
    pub fn ip(&self) -> IpAddr {
        ip_from_raw(self.af, &self.addr)
    }
    pub fn is_persistent(&self) -> bool {
        self.flags & SVC_F_PERSISTENT != 0
    }
}

/// Whether two services denote the same kernel object.
pub fn same_service(a: &Service, b: &Service) -> bool {
    a.key() == b.key()
}

/// A real server (destination) of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub af: u16,
    pub addr: RawAddr,
    /// Host byte order.
    pub port: u16,
    pub fwd: Forward,
    /// Sent and reported as u32; printed signed (`%d`) like ipvsadm.
    pub weight: u32,
    pub u_threshold: u32,
    pub l_threshold: u32,
    pub active_conns: u32,
    pub inact_conns: u32,
    pub persist_conns: u32,
    pub tun_type: u8,
    /// Host byte order.
    pub tun_port: u16,
    pub tun_flags: u16,
    pub stats: Stats,
}

impl Default for Dest {
    fn default() -> Self {
        Dest {
            af: AF_INET,
            addr: [0; 16],
            port: 0,
            fwd: Forward::Route,
            weight: 1,
            u_threshold: 0,
            l_threshold: 0,
            active_conns: 0,
            inact_conns: 0,
            persist_conns: 0,
            tun_type: TUN_IPIP,
            tun_port: 0,
            tun_flags: TUN_F_NOCSUM,
            stats: Stats::default(),
        }
    }
}

impl Dest {
    /// The destination's identity within its service (see [`DestKey`]).
    pub fn key(&self) -> DestKey {
        DestKey {
            af: self.af,
            addr: significant(self.af, &self.addr),
            port: self.port,
        }
    }
    pub fn ip(&self) -> IpAddr {
        ip_from_raw(self.af, &self.addr)
    }
}

/// Whether two destinations denote the same destination of a service.
pub fn same_dest(a: &Dest, b: &Dest) -> bool {
    a.key() == b.key()
}

/// Sync daemon state bits.
pub const DAEMON_MASTER: u32 = 1;
pub const DAEMON_BACKUP: u32 = 2;

/// A connection-synchronisation daemon.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Daemon {
    pub state: u32,
    pub mcast_ifn: String,
    pub syncid: u32,
    /// 0 = not set.
    pub sync_maxlen: u16,
    pub mcast_group: Option<IpAddr>,
    /// 0 = not set. Host byte order.
    pub mcast_port: u16,
    /// 0 = not set.
    pub mcast_ttl: u8,
}

/// Connection timeouts in seconds (0 = leave unchanged when setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeouts {
    pub tcp: u32,
    pub tcp_fin: u32,
    pub udp: u32,
}

/// The kernel's GET_INFO answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Info {
    /// 0x00MMmmpp, e.g. 0x010201 for 1.2.1.
    pub version: u32,
    pub conn_tab_size: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sched_names_are_inline_and_cut_like_ipvsadm() {
        let n = SchedName::from("wlc");
        assert_eq!(n.as_str(), "wlc");
        assert_eq!(format!("{n:?} {n}"), "\"wlc\" wlc");
        assert!(n == "wlc" && SchedName::default().is_empty());
        assert_eq!(
            SchedName::from("abcdefghijklmnopq").as_str(),
            "abcdefghijklmno"
        );
        // Cut at the last whole character within 15 bytes.
        assert_eq!(
            SchedName::from("abcdefghijklmné").as_str(),
            "abcdefghijklmn"
        );
        assert_eq!(std::mem::size_of::<SchedName>(), 16);
    }

    fn svc(af: u16, protocol: u16, addr: &[u8], port: u16, fwmark: u32) -> Service {
        let mut s = Service {
            af,
            protocol,
            port,
            fwmark,
            ..Service::default()
        };
        s.addr[..addr.len()].copy_from_slice(addr);
        s
    }

    #[test]
    fn service_identity() {
        let a = svc(AF_INET, IPPROTO_TCP, &[10, 0, 0, 1], 80, 0);
        let mut b = a.clone();
        b.sched_name = "rr".into();
        b.addr[4..].fill(0xee); // bytes an IPv4 service does not use
        assert!(same_service(&a, &b));
        assert_eq!(a.key(), b.key());
        assert!(!same_service(
            &a,
            &svc(AF_INET, IPPROTO_UDP, &[10, 0, 0, 1], 80, 0)
        ));
        assert!(!same_service(
            &a,
            &svc(AF_INET, IPPROTO_TCP, &[10, 0, 0, 1], 81, 0)
        ));
        assert!(!same_service(
            &a,
            &svc(AF_INET6, IPPROTO_TCP, &[10, 0, 0, 1], 80, 0)
        ));
        // fwmark services: the mark (and family) alone; protocol and address ignored
        let m = svc(AF_INET, IPPROTO_TCP, &[], 0, 7);
        assert!(same_service(&m, &svc(AF_INET, 0, &[1, 2, 3, 4], 9, 7)));
        assert!(!same_service(&m, &svc(AF_INET, IPPROTO_TCP, &[], 0, 8)));
        assert!(!same_service(&m, &svc(AF_INET6, IPPROTO_TCP, &[], 0, 7)));
        assert!(!same_service(&m, &svc(AF_INET, IPPROTO_TCP, &[], 0, 0)));
        let mut v6 = svc(AF_INET6, IPPROTO_TCP, &[0xfe, 0x80], 80, 0);
        let w6 = v6.clone();
        v6.addr[15] = 1;
        assert!(!same_service(&v6, &w6));
    }

    #[test]
    fn dest_identity() {
        let d = Dest {
            addr: [10, 1, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9],
            port: 80,
            ..Dest::default()
        };
        let mut e = Dest {
            weight: 5,
            ..d.clone()
        };
        e.addr[4..].fill(0);
        assert!(same_dest(&d, &e));
        assert!(!same_dest(
            &d,
            &Dest {
                port: 81,
                ..e.clone()
            }
        ));
        assert!(!same_dest(&d, &Dest { af: AF_INET6, ..e }));
        let set: std::collections::HashSet<DestKey> = [d.key(), d.key()].into_iter().collect();
        assert_eq!(set.len(), 1);
    }
}
