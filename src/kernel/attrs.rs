//! The IPVS attribute spaces as types: one enum per space (top-level
//! command attributes, service, destination, daemon, stats, info), one
//! variant per attribute, and an `Unknown` catch-all so attributes added
//! by newer kernels never break parsing. Part of the IPVS codec.
//!
//! The TLV layer itself (walking, the checked [`Writer`], nesting) is the
//! shared [`crate::netlink::attr`]. Parsing here validates payloads the
//! way ipvsadm's attribute policies do and returns [`Malformed`] instead
//! of panicking; emitting writes exactly the bytes libnl writes (host
//! order, 4-byte aligned, zero padding, `NLA_F_NESTED` on the nests of
//! requests). Numbers are from `<linux/ip_vs.h>`.

use std::net::Ipv4Addr;

pub use crate::netlink::attr::{align4, raw_attrs, RawAttr, RawAttrs, Writer, NLA_F_NESTED};
use crate::netlink::attr::{be_u16, ne_u16, ne_u32, ne_u64, u8_of};
pub use crate::netlink::Malformed;

/// A 16-byte address field; shorter payloads fill the front (libnl's
/// `nla_memcpy`), longer ones violate the policy.
fn get_addr(p: &[u8]) -> Result<[u8; 16], Malformed> {
    if p.len() > 16 {
        return Err(Malformed);
    }
    let mut a = [0u8; 16];
    for (d, s) in a.iter_mut().zip(p) {
        *d = *s;
    }
    Ok(a)
}

/// A NUL-terminated string of at most `max` bytes including the NUL
/// (libnl's NLA_STRING policy with maxlen). The text stops at the first
/// NUL; invalid UTF-8 is replaced.
fn get_str(p: &[u8], max: usize) -> Result<String, Malformed> {
    if p.len() > max {
        return Err(Malformed);
    }
    Ok(crate::netlink::attr::str_of(p))
}

/// Types that are one IPVS attribute space.
pub trait AttrSpace: Sized {
    /// Type a raw attribute; `Err` when its payload violates the policy.
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed>;
    /// Append the attribute.
    fn emit(&self, w: &mut Writer);
}

/// Parse every attribute of a space from `buf`.
pub fn parse_all<A: AttrSpace>(buf: &[u8]) -> Result<Vec<A>, Malformed> {
    raw_attrs(buf).map(|r| r.and_then(A::parse)).collect()
}

/// Emit a list of attributes.
pub fn emit_all<A: AttrSpace>(attrs: &[A], w: &mut Writer) {
    for a in attrs {
        a.emit(w);
    }
}

/// A nested attribute's members and whether its header carried
/// `NLA_F_NESTED` (ipvsadm sets it; the kernel's replies do not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nest<A> {
    pub attrs: Vec<A>,
    pub flagged: bool,
}

impl<A: AttrSpace> Nest<A> {
    /// A nest as ipvsadm sends it (flagged).
    pub fn new(attrs: Vec<A>) -> Nest<A> {
        Nest {
            attrs,
            flagged: true,
        }
    }
    fn parse(raw: RawAttr<'_>) -> Result<Nest<A>, Malformed> {
        Ok(Nest {
            attrs: parse_all(raw.payload)?,
            flagged: raw.nested,
        })
    }
    fn emit(&self, kind: u16, w: &mut Writer) {
        w.nest(kind, self.flagged, |w| emit_all(&self.attrs, w));
    }
}

/// An attribute of a type the code does not know, kept as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub kind: u16,
    pub nested: bool,
    pub payload: Vec<u8>,
}

impl Unknown {
    fn from_raw(raw: RawAttr<'_>) -> Unknown {
        Unknown {
            kind: raw.kind,
            nested: raw.nested,
            payload: raw.payload.to_vec(),
        }
    }
    fn emit(&self, w: &mut Writer) {
        let kind = if self.nested {
            self.kind | NLA_F_NESTED
        } else {
            self.kind
        };
        w.put(kind, &self.payload);
    }
}

/// Numbers of the top-level attributes (`IPVS_CMD_ATTR_*`), for code
/// that looks at raw attributes before typing them.
pub mod cmd_attr {
    pub const SERVICE: u16 = 1;
    pub const DEST: u16 = 2;
    pub const DAEMON: u16 = 3;
    pub const TIMEOUT_TCP: u16 = 4;
    pub const TIMEOUT_TCP_FIN: u16 = 5;
    pub const TIMEOUT_UDP: u16 = 6;
}

/// Top-level attributes (`IPVS_CMD_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdAttr {
    Service(Nest<SvcAttr>),
    Dest(Nest<DestAttr>),
    Daemon(Nest<DaemonAttr>),
    TimeoutTcp(u32),
    TimeoutTcpFin(u32),
    TimeoutUdp(u32),
    Unknown(Unknown),
}

impl AttrSpace for CmdAttr {
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed> {
        use cmd_attr::*;
        let p = raw.payload;
        Ok(match raw.kind {
            SERVICE => CmdAttr::Service(Nest::parse(raw)?),
            DEST => CmdAttr::Dest(Nest::parse(raw)?),
            DAEMON => CmdAttr::Daemon(Nest::parse(raw)?),
            TIMEOUT_TCP => CmdAttr::TimeoutTcp(ne_u32(p)?),
            TIMEOUT_TCP_FIN => CmdAttr::TimeoutTcpFin(ne_u32(p)?),
            TIMEOUT_UDP => CmdAttr::TimeoutUdp(ne_u32(p)?),
            _ => CmdAttr::Unknown(Unknown::from_raw(raw)),
        })
    }
    fn emit(&self, w: &mut Writer) {
        use cmd_attr::*;
        match self {
            CmdAttr::Service(n) => n.emit(SERVICE, w),
            CmdAttr::Dest(n) => n.emit(DEST, w),
            CmdAttr::Daemon(n) => n.emit(DAEMON, w),
            CmdAttr::TimeoutTcp(v) => w.put_u32(TIMEOUT_TCP, *v),
            CmdAttr::TimeoutTcpFin(v) => w.put_u32(TIMEOUT_TCP_FIN, *v),
            CmdAttr::TimeoutUdp(v) => w.put_u32(TIMEOUT_UDP, *v),
            CmdAttr::Unknown(u) => u.emit(w),
        }
    }
}

/// Longest scheduler name including the NUL (`IP_VS_SCHEDNAME_MAXLEN`).
pub const SCHEDNAME_MAXLEN: usize = 16;
/// Longest persistence-engine name including the NUL (`IP_VS_PENAME_MAXLEN`).
pub const PENAME_MAXLEN: usize = 32;
/// Longest interface name including the NUL (`IP_VS_IFNAME_MAXLEN`).
pub const IFNAME_MAXLEN: usize = 16;

/// Service attributes (`IPVS_SVC_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvcAttr {
    Af(u16),
    Protocol(u16),
    Addr([u8; 16]),
    /// Host order here; network order on the wire.
    Port(u16),
    Fwmark(u32),
    SchedName(String),
    /// `(flags, mask)`.
    Flags(u32, u32),
    Timeout(u32),
    /// The raw u32 as it sits in memory: for IPv4 the mask in network
    /// order, for IPv6 the prefix length.
    Netmask([u8; 4]),
    Stats(Nest<StatsAttr>),
    PeName(String),
    Stats64(Nest<StatsAttr>),
    Unknown(Unknown),
}

impl AttrSpace for SvcAttr {
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed> {
        let p = raw.payload;
        Ok(match raw.kind {
            1 => SvcAttr::Af(ne_u16(p)?),
            2 => SvcAttr::Protocol(ne_u16(p)?),
            3 => SvcAttr::Addr(get_addr(p)?),
            4 => SvcAttr::Port(be_u16(p)?),
            5 => SvcAttr::Fwmark(ne_u32(p)?),
            6 => SvcAttr::SchedName(get_str(p, SCHEDNAME_MAXLEN)?),
            7 => {
                if p.len() != 8 {
                    return Err(Malformed);
                }
                SvcAttr::Flags(ne_u32(p)?, ne_u32(p.get(4..).unwrap_or(&[]))?)
            }
            8 => SvcAttr::Timeout(ne_u32(p)?),
            9 => SvcAttr::Netmask(
                p.get(..4)
                    .ok_or(Malformed)?
                    .try_into()
                    .map_err(|_| Malformed)?,
            ),
            10 => SvcAttr::Stats(StatsAttr::parse_nest(raw, false)?),
            11 => SvcAttr::PeName(get_str(p, PENAME_MAXLEN)?),
            12 => SvcAttr::Stats64(StatsAttr::parse_nest(raw, true)?),
            _ => SvcAttr::Unknown(Unknown::from_raw(raw)),
        })
    }
    fn emit(&self, w: &mut Writer) {
        match self {
            SvcAttr::Af(v) => w.put_u16(1, *v),
            SvcAttr::Protocol(v) => w.put_u16(2, *v),
            SvcAttr::Addr(a) => w.put(3, a),
            SvcAttr::Port(v) => w.put_be16(4, *v),
            SvcAttr::Fwmark(v) => w.put_u32(5, *v),
            SvcAttr::SchedName(s) => w.put_str(6, s),
            SvcAttr::Flags(f, m) => {
                let mut b = [0u8; 8];
                b[..4].copy_from_slice(&f.to_ne_bytes());
                b[4..].copy_from_slice(&m.to_ne_bytes());
                w.put(7, &b);
            }
            SvcAttr::Timeout(v) => w.put_u32(8, *v),
            SvcAttr::Netmask(b) => w.put(9, b),
            SvcAttr::Stats(s) => s.emit(10, w),
            SvcAttr::PeName(s) => w.put_str(11, s),
            SvcAttr::Stats64(s) => s.emit(12, w),
            SvcAttr::Unknown(u) => u.emit(w),
        }
    }
}

/// Destination attributes (`IPVS_DEST_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAttr {
    Addr([u8; 16]),
    /// Host order here; network order on the wire.
    Port(u16),
    FwdMethod(u32),
    Weight(u32),
    UThresh(u32),
    LThresh(u32),
    ActiveConns(u32),
    InactConns(u32),
    PersistConns(u32),
    Stats(Nest<StatsAttr>),
    AddrFamily(u16),
    Stats64(Nest<StatsAttr>),
    TunType(u8),
    /// Host order here; network order on the wire.
    TunPort(u16),
    TunFlags(u16),
    Unknown(Unknown),
}

impl AttrSpace for DestAttr {
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed> {
        let p = raw.payload;
        Ok(match raw.kind {
            1 => DestAttr::Addr(get_addr(p)?),
            2 => DestAttr::Port(be_u16(p)?),
            3 => DestAttr::FwdMethod(ne_u32(p)?),
            4 => DestAttr::Weight(ne_u32(p)?),
            5 => DestAttr::UThresh(ne_u32(p)?),
            6 => DestAttr::LThresh(ne_u32(p)?),
            7 => DestAttr::ActiveConns(ne_u32(p)?),
            8 => DestAttr::InactConns(ne_u32(p)?),
            9 => DestAttr::PersistConns(ne_u32(p)?),
            10 => DestAttr::Stats(StatsAttr::parse_nest(raw, false)?),
            11 => DestAttr::AddrFamily(ne_u16(p)?),
            12 => DestAttr::Stats64(StatsAttr::parse_nest(raw, true)?),
            13 => DestAttr::TunType(u8_of(p)?),
            14 => DestAttr::TunPort(be_u16(p)?),
            15 => DestAttr::TunFlags(ne_u16(p)?),
            _ => DestAttr::Unknown(Unknown::from_raw(raw)),
        })
    }
    fn emit(&self, w: &mut Writer) {
        match self {
            DestAttr::Addr(a) => w.put(1, a),
            DestAttr::Port(v) => w.put_be16(2, *v),
            DestAttr::FwdMethod(v) => w.put_u32(3, *v),
            DestAttr::Weight(v) => w.put_u32(4, *v),
            DestAttr::UThresh(v) => w.put_u32(5, *v),
            DestAttr::LThresh(v) => w.put_u32(6, *v),
            DestAttr::ActiveConns(v) => w.put_u32(7, *v),
            DestAttr::InactConns(v) => w.put_u32(8, *v),
            DestAttr::PersistConns(v) => w.put_u32(9, *v),
            DestAttr::Stats(s) => s.emit(10, w),
            DestAttr::AddrFamily(v) => w.put_u16(11, *v),
            DestAttr::Stats64(s) => s.emit(12, w),
            DestAttr::TunType(v) => w.put_u8(13, *v),
            DestAttr::TunPort(v) => w.put_be16(14, *v),
            DestAttr::TunFlags(v) => w.put_u16(15, *v),
            DestAttr::Unknown(u) => u.emit(w),
        }
    }
}

/// Sync-daemon attributes (`IPVS_DAEMON_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonAttr {
    State(u32),
    McastIfn(String),
    SyncId(u32),
    SyncMaxlen(u16),
    McastGroup(Ipv4Addr),
    McastGroup6([u8; 16]),
    /// Host order on the wire.
    McastPort(u16),
    McastTtl(u8),
    Unknown(Unknown),
}

impl AttrSpace for DaemonAttr {
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed> {
        let p = raw.payload;
        Ok(match raw.kind {
            1 => DaemonAttr::State(ne_u32(p)?),
            2 => DaemonAttr::McastIfn(get_str(p, IFNAME_MAXLEN)?),
            3 => DaemonAttr::SyncId(ne_u32(p)?),
            4 => DaemonAttr::SyncMaxlen(ne_u16(p)?),
            5 => {
                let b: [u8; 4] = p
                    .get(..4)
                    .ok_or(Malformed)?
                    .try_into()
                    .map_err(|_| Malformed)?;
                DaemonAttr::McastGroup(Ipv4Addr::from(b))
            }
            6 => {
                if p.len() < 16 {
                    return Err(Malformed);
                }
                DaemonAttr::McastGroup6(get_addr(p.get(..16).unwrap_or(&[]))?)
            }
            7 => DaemonAttr::McastPort(ne_u16(p)?),
            8 => DaemonAttr::McastTtl(u8_of(p)?),
            _ => DaemonAttr::Unknown(Unknown::from_raw(raw)),
        })
    }
    fn emit(&self, w: &mut Writer) {
        match self {
            DaemonAttr::State(v) => w.put_u32(1, *v),
            DaemonAttr::McastIfn(s) => w.put_str(2, s),
            DaemonAttr::SyncId(v) => w.put_u32(3, *v),
            DaemonAttr::SyncMaxlen(v) => w.put_u16(4, *v),
            DaemonAttr::McastGroup(a) => w.put(5, &a.octets()),
            DaemonAttr::McastGroup6(a) => w.put(6, a),
            DaemonAttr::McastPort(v) => w.put_u16(7, *v),
            DaemonAttr::McastTtl(v) => w.put_u8(8, *v),
            DaemonAttr::Unknown(u) => u.emit(w),
        }
    }
}

/// Which counter a stats attribute carries (`IPVS_STATS_ATTR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Conns = 1,
    InPkts = 2,
    OutPkts = 3,
    InBytes = 4,
    OutBytes = 5,
    Cps = 6,
    InPps = 7,
    OutPps = 8,
    InBps = 9,
    OutBps = 10,
}

impl Counter {
    fn from_kind(k: u16) -> Option<Counter> {
        use Counter::*;
        Some(match k {
            1 => Conns,
            2 => InPkts,
            3 => OutPkts,
            4 => InBytes,
            5 => OutBytes,
            6 => Cps,
            7 => InPps,
            8 => OutPps,
            9 => InBps,
            10 => OutBps,
            _ => return None,
        })
    }
}

/// Stats attributes. In `STATS` every counter is a u32 except the byte
/// counters (u64); in `STATS64` every counter is a u64. The width is kept
/// so that emitting reproduces the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsAttr {
    U32(Counter, u32),
    U64(Counter, u64),
    /// `IPVS_STATS_ATTR_PAD` (alignment filler the kernel may add).
    Pad(Vec<u8>),
    Unknown(Unknown),
}

impl StatsAttr {
    fn parse_nest(nest: RawAttr<'_>, all64: bool) -> Result<Nest<StatsAttr>, Malformed> {
        let attrs = raw_attrs(nest.payload)
            .map(|r| {
                let raw = r?;
                Ok(match Counter::from_kind(raw.kind) {
                    Some(c) => {
                        let wide = all64 || matches!(c, Counter::InBytes | Counter::OutBytes);
                        if wide {
                            StatsAttr::U64(c, ne_u64(raw.payload)?)
                        } else {
                            StatsAttr::U32(c, ne_u32(raw.payload)?)
                        }
                    }
                    None if raw.kind == 11 => StatsAttr::Pad(raw.payload.to_vec()),
                    None => StatsAttr::Unknown(Unknown::from_raw(raw)),
                })
            })
            .collect::<Result<Vec<_>, Malformed>>()?;
        Ok(Nest {
            attrs,
            flagged: nest.nested,
        })
    }
}

impl AttrSpace for StatsAttr {
    /// Parses as a `STATS64` member; nests use the width of their kind.
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed> {
        Ok(match Counter::from_kind(raw.kind) {
            Some(c) => StatsAttr::U64(c, ne_u64(raw.payload)?),
            None if raw.kind == 11 => StatsAttr::Pad(raw.payload.to_vec()),
            None => StatsAttr::Unknown(Unknown::from_raw(raw)),
        })
    }
    fn emit(&self, w: &mut Writer) {
        match self {
            StatsAttr::U32(c, v) => w.put_u32(*c as u16, *v),
            StatsAttr::U64(c, v) => w.put_u64(*c as u16, *v),
            StatsAttr::Pad(p) => w.put(11, p),
            StatsAttr::Unknown(u) => u.emit(w),
        }
    }
}

/// Info attributes (`IPVS_INFO_ATTR_*`), top level of a GET_INFO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoAttr {
    Version(u32),
    ConnTabSize(u32),
    Unknown(Unknown),
}

impl AttrSpace for InfoAttr {
    fn parse(raw: RawAttr<'_>) -> Result<Self, Malformed> {
        Ok(match raw.kind {
            1 => InfoAttr::Version(ne_u32(raw.payload)?),
            2 => InfoAttr::ConnTabSize(ne_u32(raw.payload)?),
            _ => InfoAttr::Unknown(Unknown::from_raw(raw)),
        })
    }
    fn emit(&self, w: &mut Writer) {
        match self {
            InfoAttr::Version(v) => w.put_u32(1, *v),
            InfoAttr::ConnTabSize(v) => w.put_u32(2, *v),
            InfoAttr::Unknown(u) => u.emit(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_roundtrip_and_padding() {
        let mut w = Writer::new();
        w.put_str(6, "rr");
        w.put_u16(1, 2);
        assert_eq!(
            w.bytes(),
            [7, 0, 6, 0, b'r', b'r', 0, 0, 6, 0, 1, 0, 2, 0, 0, 0]
        );
        let v: Vec<SvcAttr> = parse_all(w.bytes()).unwrap();
        assert_eq!(v, [SvcAttr::SchedName("rr".into()), SvcAttr::Af(2)]);
    }

    #[test]
    fn nest_flag_and_length() {
        let mut w = Writer::new();
        CmdAttr::Service(Nest::new(vec![SvcAttr::Af(10)])).emit(&mut w);
        assert_eq!(w.bytes(), [12, 0, 1, 0x80, 6, 0, 1, 0, 10, 0, 0, 0]);
    }

    #[test]
    fn unknown_kept() {
        let buf = [8, 0, 99, 0, 1, 2, 3, 4];
        let v: Vec<DestAttr> = parse_all(&buf).unwrap();
        assert_eq!(
            v,
            [DestAttr::Unknown(Unknown {
                kind: 99,
                nested: false,
                payload: vec![1, 2, 3, 4]
            })]
        );
        let mut w = Writer::new();
        emit_all(&v, &mut w);
        assert_eq!(w.bytes(), buf);
    }

    #[test]
    fn truncated_is_malformed() {
        assert_eq!(parse_all::<SvcAttr>(&[8, 0, 1, 0, 2]), Err(Malformed));
        assert_eq!(
            parse_all::<SvcAttr>(&[5, 0, 1, 0, 2, 0, 0, 0]),
            Err(Malformed)
        );
        assert_eq!(parse_all::<SvcAttr>(&[2, 0, 1, 0]), Err(Malformed));
        assert_eq!(parse_all::<SvcAttr>(&[4, 0, 7, 0]), Err(Malformed));
        assert!(parse_all::<SvcAttr>(&[1, 2]).unwrap().is_empty());
    }
}
