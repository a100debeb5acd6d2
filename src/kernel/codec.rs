//! The IPVS codec: building the exact generic-netlink requests ipvsadm
//! sends and decoding the kernel's replies into the model.
//!
//! Pure byte work: emit a request, parse a reply; never panics on input.
//! Framing (netlink header, attribute TLVs, splitting receive buffers,
//! the `NLM_F_*`/`NLMSG_*` constants) is the shared [`crate::netlink`]
//! layer; the IPVS attribute spaces are [`super::attrs`]. This module adds
//! the generic-netlink header, the command numbers, the per-request
//! attribute order of ipvsadm 1.31 and the reply requirements (a reply
//! missing a required attribute is `EINVAL`, as in ipvsadm).

use std::net::IpAddr;

use super::attrs::{
    cmd_attr, parse_all, raw_attrs, AttrSpace, CmdAttr, Counter, DaemonAttr, DestAttr, InfoAttr,
    Malformed, Nest, StatsAttr, SvcAttr, Writer,
};
use super::{Errno, Request};
use crate::model::{Daemon, Dest, Forward, Info, Service, Stats, Timeouts, AF_INET, AF_INET6};
use crate::netlink::TooLong;

pub use crate::netlink::msg::{
    split as split_messages, Header as NlHeader, Messages, RawMsg, NLMSG_DONE, NLMSG_ERROR,
    NLMSG_HDRLEN, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST,
};

/// The generic-netlink family name.
pub const IPVS_GENL_NAME: &str = "IPVS";
/// `IPVS_GENL_VERSION`.
pub const IPVS_GENL_VERSION: u8 = 1;

/// Length of `struct genlmsghdr`.
pub const GENL_HDRLEN: usize = 4;

/// IPVS commands (`IPVS_CMD_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cmd {
    NewService = 1,
    SetService = 2,
    DelService = 3,
    GetService = 4,
    NewDest = 5,
    SetDest = 6,
    DelDest = 7,
    GetDest = 8,
    NewDaemon = 9,
    DelDaemon = 10,
    GetDaemon = 11,
    SetConfig = 12,
    GetConfig = 13,
    SetInfo = 14,
    GetInfo = 15,
    Zero = 16,
    Flush = 17,
}

/// A whole generic-netlink message with typed attributes of space `A`
/// (used by the byte-level tests and for debugging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenlMsg<A> {
    pub nl: NlHeader,
    pub cmd: u8,
    pub version: u8,
    pub attrs: Vec<A>,
}

impl<A: AttrSpace> GenlMsg<A> {
    /// Parse one message (the header's length must cover `b` exactly,
    /// give or take alignment padding).
    pub fn parse(b: &[u8]) -> Result<GenlMsg<A>, Malformed> {
        let nl = NlHeader::parse(b)?;
        let len = usize::try_from(nl.len).map_err(|_| Malformed)?;
        let body = b.get(NLMSG_HDRLEN..len).ok_or(Malformed)?;
        let (cmd, version, attrs) = genl_split(body)?;
        Ok(GenlMsg {
            nl,
            cmd,
            version,
            attrs: parse_all(attrs)?,
        })
    }

    /// Emit the message; the header length is recomputed.
    pub fn emit(&self) -> Result<Vec<u8>, TooLong> {
        genl_message(self.nl, self.cmd, self.version, |w| {
            for a in &self.attrs {
                a.emit(w);
            }
        })
    }
}

/// One generic-netlink message: `nl` (its length recomputed), the genl
/// header, then the attributes `body` writes.
fn genl_message(
    nl: NlHeader,
    cmd: u8,
    version: u8,
    body: impl FnOnce(&mut Writer),
) -> Result<Vec<u8>, TooLong> {
    let mut w = Writer::with_capacity(128);
    let m = w.begin_msg(nl.ty, nl.flags, nl.seq, nl.pid);
    w.raw(&[cmd, version, 0, 0]);
    body(&mut w);
    w.end_msg(m);
    w.finish()
}

/// Split a generic-netlink body into command, version and attribute bytes.
pub fn genl_split(body: &[u8]) -> Result<(u8, u8, &[u8]), Malformed> {
    let cmd = *body.first().ok_or(Malformed)?;
    let version = *body.get(1).ok_or(Malformed)?;
    let attrs = body.get(GENL_HDRLEN..).ok_or(Malformed)?;
    Ok((cmd, version, attrs))
}

/// A read-only request (listings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// GET_INFO.
    Info,
    /// GET_SERVICE dump.
    Services,
    /// GET_SERVICE for one service (only its identity is used).
    Service(Service),
    /// GET_DEST dump of a service (only its identity is used).
    Dests(Service),
    /// GET_CONFIG.
    Timeouts,
    /// GET_DAEMON dump.
    Daemons,
}

impl Query {
    /// True when the request is a dump (`NLM_F_DUMP`).
    pub fn is_dump(&self) -> bool {
        matches!(self, Query::Services | Query::Dests(_) | Query::Daemons)
    }
}

/// The service nest ipvsadm sends with a full service (every request but
/// GET_DEST): identity, scheduler, pe, flags, timeout, netmask.
pub fn service_attrs(svc: &Service) -> Vec<SvcAttr> {
    let mut v = service_identity(svc);
    v.push(SvcAttr::SchedName(svc.sched_name.to_string()));
    if !svc.pe_name.is_empty() {
        v.push(SvcAttr::PeName(svc.pe_name.clone()));
    }
    v.push(SvcAttr::Flags(svc.flags, 0xffff_ffff));
    v.push(SvcAttr::Timeout(svc.timeout));
    v.push(SvcAttr::Netmask(netmask_raw(svc.af, svc.netmask)));
    v
}

/// AF then FWMARK, or PROTOCOL, ADDR, PORT.
pub fn service_identity(svc: &Service) -> Vec<SvcAttr> {
    let mut v = vec![SvcAttr::Af(svc.af)];
    if svc.fwmark != 0 {
        v.push(SvcAttr::Fwmark(svc.fwmark));
    } else {
        v.push(SvcAttr::Protocol(svc.protocol));
        v.push(SvcAttr::Addr(svc.addr));
        v.push(SvcAttr::Port(svc.port));
    }
    v
}

/// The model's netmask as the kernel's u32 in memory: IPv4 masks are in
/// network order, IPv6 prefix lengths a plain integer.
fn netmask_raw(af: u16, netmask: u32) -> [u8; 4] {
    if af == AF_INET6 {
        netmask.to_ne_bytes()
    } else {
        netmask.to_be_bytes()
    }
}

fn netmask_from_raw(af: u16, raw: [u8; 4]) -> u32 {
    if af == AF_INET6 {
        u32::from_ne_bytes(raw)
    } else {
        u32::from_be_bytes(raw)
    }
}

/// The destination nest, every attribute, in ipvsadm's order.
pub fn dest_attrs(d: &Dest) -> Vec<DestAttr> {
    vec![
        DestAttr::AddrFamily(d.af),
        DestAttr::Addr(d.addr),
        DestAttr::Port(d.port),
        DestAttr::FwdMethod(d.fwd.to_u32()),
        DestAttr::Weight(d.weight),
        DestAttr::TunType(d.tun_type),
        DestAttr::TunPort(d.tun_port),
        DestAttr::TunFlags(d.tun_flags),
        DestAttr::UThresh(d.u_threshold),
        DestAttr::LThresh(d.l_threshold),
    ]
}

/// The daemon nest of `--start-daemon`.
pub fn daemon_start_attrs(d: &Daemon) -> Vec<DaemonAttr> {
    let mut v = vec![
        DaemonAttr::State(d.state),
        DaemonAttr::McastIfn(d.mcast_ifn.clone()),
        DaemonAttr::SyncId(d.syncid),
    ];
    if d.sync_maxlen != 0 {
        v.push(DaemonAttr::SyncMaxlen(d.sync_maxlen));
    }
    if d.mcast_port != 0 {
        v.push(DaemonAttr::McastPort(d.mcast_port));
    }
    if d.mcast_ttl != 0 {
        v.push(DaemonAttr::McastTtl(d.mcast_ttl));
    }
    match d.mcast_group {
        Some(IpAddr::V6(a)) => v.push(DaemonAttr::McastGroup6(a.octets())),
        Some(IpAddr::V4(a)) => v.push(DaemonAttr::McastGroup(a)),
        None => {}
    }
    v
}

/// The daemon nest of `--stop-daemon`.
pub fn daemon_stop_attrs(d: &Daemon) -> Vec<DaemonAttr> {
    vec![
        DaemonAttr::State(d.state),
        DaemonAttr::McastIfn(d.mcast_ifn.clone()),
        DaemonAttr::SyncId(d.syncid),
    ]
}

/// True when `-Z` names no service (ipvsadm then sends no service nest).
fn zero_all(svc: &Service) -> bool {
    svc.fwmark == 0 && svc.addr == [0; 16] && svc.port == 0
}

/// Command and top-level attributes of a modifying request.
pub fn request_parts(req: &Request) -> (Cmd, Vec<CmdAttr>) {
    let svc = |s: &Service| CmdAttr::Service(Nest::new(service_attrs(s)));
    let dest = |d: &Dest| CmdAttr::Dest(Nest::new(dest_attrs(d)));
    match req {
        Request::NewService(s) => (Cmd::NewService, vec![svc(s)]),
        Request::SetService(s) => (Cmd::SetService, vec![svc(s)]),
        Request::DelService(s) => (Cmd::DelService, vec![svc(s)]),
        Request::NewDest(s, d) => (Cmd::NewDest, vec![svc(s), dest(d)]),
        Request::SetDest(s, d) => (Cmd::SetDest, vec![svc(s), dest(d)]),
        Request::DelDest(s, d) => (Cmd::DelDest, vec![svc(s), dest(d)]),
        Request::Zero(Some(s)) if !zero_all(s) => (Cmd::Zero, vec![svc(s)]),
        Request::Zero(_) => (Cmd::Zero, vec![]),
        Request::Flush => (Cmd::Flush, vec![]),
        // All three, zeros included (0 = leave unchanged, kernel side).
        Request::SetTimeout(t) => (
            Cmd::SetConfig,
            vec![
                CmdAttr::TimeoutTcp(t.tcp),
                CmdAttr::TimeoutTcpFin(t.tcp_fin),
                CmdAttr::TimeoutUdp(t.udp),
            ],
        ),
        Request::NewDaemon(d) => (
            Cmd::NewDaemon,
            vec![CmdAttr::Daemon(Nest::new(daemon_start_attrs(d)))],
        ),
        Request::DelDaemon(d) => (
            Cmd::DelDaemon,
            vec![CmdAttr::Daemon(Nest::new(daemon_stop_attrs(d)))],
        ),
    }
}

/// Command and top-level attributes of a query.
pub fn query_parts(q: &Query) -> (Cmd, Vec<CmdAttr>) {
    match q {
        Query::Info => (Cmd::GetInfo, vec![]),
        Query::Services => (Cmd::GetService, vec![]),
        Query::Service(s) => {
            // ipvsadm looks one service up with only its identity filled in.
            let probe = Service {
                af: s.af,
                protocol: s.protocol,
                addr: s.addr,
                port: s.port,
                fwmark: s.fwmark,
                flags: 0,
                timeout: 0,
                netmask: 0,
                sched_name: Default::default(),
                pe_name: String::new(),
                stats: Stats::default(),
            };
            (
                Cmd::GetService,
                vec![CmdAttr::Service(Nest::new(service_attrs(&probe)))],
            )
        }
        Query::Dests(s) => (
            Cmd::GetDest,
            vec![CmdAttr::Service(Nest::new(service_identity(s)))],
        ),
        Query::Timeouts => (Cmd::GetConfig, vec![]),
        Query::Daemons => (Cmd::GetDaemon, vec![]),
    }
}

fn encode(
    cmd: Cmd,
    attrs: &[CmdAttr],
    family_id: u16,
    flags: u16,
    seq: u32,
    port_id: u32,
) -> Result<Vec<u8>, TooLong> {
    let nl = NlHeader {
        len: 0,
        ty: family_id,
        flags,
        seq,
        pid: port_id,
    };
    genl_message(nl, cmd as u8, IPVS_GENL_VERSION, |w| {
        for a in attrs {
            a.emit(w);
        }
    })
}

/// The bytes ipvsadm sends for a modifying request (`NLM_F_REQUEST |
/// NLM_F_ACK`).
pub fn encode_request(
    req: &Request,
    family_id: u16,
    seq: u32,
    port_id: u32,
) -> Result<Vec<u8>, TooLong> {
    encode_request_with(req, family_id, NLM_F_REQUEST | NLM_F_ACK, seq, port_id)
}

/// [`encode_request`] with other netlink flags (a pipelined batch asks
/// for an ACK only on its last request).
pub fn encode_request_with(
    req: &Request,
    family_id: u16,
    flags: u16,
    seq: u32,
    port_id: u32,
) -> Result<Vec<u8>, TooLong> {
    let (cmd, attrs) = request_parts(req);
    encode(cmd, &attrs, family_id, flags, seq, port_id)
}

/// The bytes ipvsadm sends for a query (dumps add `NLM_F_DUMP`).
pub fn encode_query(q: &Query, family_id: u16, seq: u32, port_id: u32) -> Result<Vec<u8>, TooLong> {
    let (cmd, attrs) = query_parts(q);
    let mut flags = NLM_F_REQUEST | NLM_F_ACK;
    if q.is_dump() {
        flags |= NLM_F_DUMP;
    }
    encode(cmd, &attrs, family_id, flags, seq, port_id)
}

const EINVAL: Errno = libc::EINVAL;

fn bad<T>(_: Malformed) -> Result<T, Errno> {
    Err(EINVAL)
}

/// Top-level attributes of a reply body (genl header stripped).
fn reply_attrs(body: &[u8]) -> Result<&[u8], Errno> {
    match genl_split(body) {
        Ok((_, _, a)) => Ok(a),
        Err(e) => bad(e),
    }
}

/// The last nest of kind `kind` at top level (libnl keeps the last
/// occurrence), with the top level validated.
fn top_nest(body: &[u8], kind: u16) -> Result<Option<&[u8]>, Errno> {
    let attrs = reply_attrs(body)?;
    let mut found = None;
    for r in raw_attrs(attrs) {
        let raw = r.map_err(|_| EINVAL)?;
        if raw.kind == kind {
            found = Some(raw.payload);
        }
    }
    Ok(found)
}

/// Stats from a parsed nest: all ten counters are required.
fn stats_from(attrs: &[StatsAttr]) -> Result<Stats, Errno> {
    let mut vals: [Option<u64>; 10] = [None; 10];
    for a in attrs {
        let (c, v) = match a {
            StatsAttr::U32(c, v) => (*c, u64::from(*v)),
            StatsAttr::U64(c, v) => (*c, *v),
            _ => continue,
        };
        if let Some(slot) = vals.get_mut((c as usize).wrapping_sub(1)) {
            *slot = Some(v);
        }
    }
    let get = |c: Counter| -> Result<u64, Errno> {
        vals.get((c as usize).wrapping_sub(1))
            .copied()
            .flatten()
            .ok_or(EINVAL)
    };
    Ok(Stats {
        conns: get(Counter::Conns)?,
        inpkts: get(Counter::InPkts)?,
        outpkts: get(Counter::OutPkts)?,
        inbytes: get(Counter::InBytes)?,
        outbytes: get(Counter::OutBytes)?,
        cps: get(Counter::Cps)?,
        inpps: get(Counter::InPps)?,
        outpps: get(Counter::OutPps)?,
        inbps: get(Counter::InBps)?,
        outbps: get(Counter::OutBps)?,
    })
}

/// Decode a GET_SERVICE reply body (genl header + attributes).
pub fn decode_service(body: &[u8]) -> Result<Service, Errno> {
    let nest = top_nest(body, cmd_attr::SERVICE)?.ok_or(EINVAL)?;
    let attrs: Vec<SvcAttr> = parse_all(nest).or_else(bad)?;
    service_from_attrs(&attrs)
}

/// Build a service from its attributes (reply requirements of ipvsadm).
pub fn service_from_attrs(attrs: &[SvcAttr]) -> Result<Service, Errno> {
    let (mut af, mut proto, mut addr, mut port, mut fwmark) = (None, None, None, None, None);
    let (mut sched, mut pe, mut flags, mut timeout, mut netmask) = (None, None, None, None, None);
    let (mut stats, mut stats64) = (None, None);
    for a in attrs {
        match a {
            SvcAttr::Af(v) => af = Some(*v),
            SvcAttr::Protocol(v) => proto = Some(*v),
            SvcAttr::Addr(v) => addr = Some(*v),
            SvcAttr::Port(v) => port = Some(*v),
            SvcAttr::Fwmark(v) => fwmark = Some(*v),
            SvcAttr::SchedName(v) => sched = Some(v.clone()),
            SvcAttr::PeName(v) => pe = Some(v.clone()),
            SvcAttr::Flags(f, m) => flags = Some(f & m),
            SvcAttr::Timeout(v) => timeout = Some(*v),
            SvcAttr::Netmask(v) => netmask = Some(*v),
            SvcAttr::Stats(v) => stats = Some(v),
            SvcAttr::Stats64(v) => stats64 = Some(v),
            SvcAttr::Unknown(_) => {}
        }
    }
    let af = af.ok_or(EINVAL)?;
    let mut svc = Service {
        af,
        ..Service::default()
    };
    match (fwmark, proto, addr, port) {
        (Some(f), ..) => {
            svc.fwmark = f;
        }
        (None, Some(p), Some(a), Some(po)) => {
            svc.protocol = p;
            svc.addr = a;
            svc.port = po;
        }
        _ => return Err(EINVAL),
    }
    svc.sched_name = sched.ok_or(EINVAL)?.into();
    svc.netmask = netmask_from_raw(af, netmask.ok_or(EINVAL)?);
    svc.timeout = timeout.ok_or(EINVAL)?;
    svc.flags = flags.ok_or(EINVAL)?;
    svc.pe_name = pe.unwrap_or_default();
    svc.stats = match (stats64, stats) {
        (Some(s), _) | (None, Some(s)) => stats_from(&s.attrs)?,
        (None, None) => Stats::default(),
    };
    Ok(svc)
}

/// Decode a GET_DEST reply body. `svc_af` is the family of the service
/// that was asked about (the default for a missing ADDR_FAMILY).
pub fn decode_dest(body: &[u8], svc_af: u16) -> Result<Dest, Errno> {
    let nest = top_nest(body, cmd_attr::DEST)?.ok_or(EINVAL)?;
    let attrs: Vec<DestAttr> = parse_all(nest).or_else(bad)?;
    dest_from_attrs(&attrs, svc_af)
}

/// Build a destination from its attributes.
pub fn dest_from_attrs(attrs: &[DestAttr], svc_af: u16) -> Result<Dest, Errno> {
    let mut d = Dest::default();
    let (mut addr, mut port, mut fwd, mut weight) = (None, None, None, None);
    let (mut ut, mut lt, mut act, mut inact, mut pers) = (None, None, None, None, None);
    let (mut af, mut stats, mut stats64) = (None, None, None);
    for a in attrs {
        match a {
            DestAttr::Addr(v) => addr = Some(*v),
            DestAttr::Port(v) => port = Some(*v),
            DestAttr::FwdMethod(v) => fwd = Some(*v),
            DestAttr::Weight(v) => weight = Some(*v),
            DestAttr::UThresh(v) => ut = Some(*v),
            DestAttr::LThresh(v) => lt = Some(*v),
            DestAttr::ActiveConns(v) => act = Some(*v),
            DestAttr::InactConns(v) => inact = Some(*v),
            DestAttr::PersistConns(v) => pers = Some(*v),
            DestAttr::Stats(v) => stats = Some(v),
            DestAttr::AddrFamily(v) => af = Some(*v),
            DestAttr::Stats64(v) => stats64 = Some(v),
            DestAttr::TunType(v) => d.tun_type = *v,
            DestAttr::TunPort(v) => d.tun_port = *v,
            DestAttr::TunFlags(v) => d.tun_flags = *v,
            DestAttr::Unknown(_) => {}
        }
    }
    d.addr = addr.ok_or(EINVAL)?;
    d.port = port.ok_or(EINVAL)?;
    d.fwd = Forward::from_u32(fwd.ok_or(EINVAL)? & 0x7);
    d.weight = weight.ok_or(EINVAL)?;
    d.u_threshold = ut.ok_or(EINVAL)?;
    d.l_threshold = lt.ok_or(EINVAL)?;
    d.active_conns = act.ok_or(EINVAL)?;
    d.inact_conns = inact.ok_or(EINVAL)?;
    d.persist_conns = pers.ok_or(EINVAL)?;
    d.af = af.unwrap_or(svc_af);
    d.stats = match (stats64, stats) {
        (Some(s), _) | (None, Some(s)) => stats_from(&s.attrs)?,
        (None, None) => Stats::default(),
    };
    Ok(d)
}

/// Decode a GET_DAEMON reply body.
pub fn decode_daemon(body: &[u8]) -> Result<Daemon, Errno> {
    let nest = top_nest(body, cmd_attr::DAEMON)?.ok_or(EINVAL)?;
    let attrs: Vec<DaemonAttr> = parse_all(nest).or_else(bad)?;
    daemon_from_attrs(&attrs)
}

/// Build a daemon from its attributes.
pub fn daemon_from_attrs(attrs: &[DaemonAttr]) -> Result<Daemon, Errno> {
    let mut d = Daemon::default();
    let (mut state, mut ifn, mut syncid) = (None, None, None);
    for a in attrs {
        match a {
            DaemonAttr::State(v) => state = Some(*v),
            DaemonAttr::McastIfn(v) => ifn = Some(v.clone()),
            DaemonAttr::SyncId(v) => syncid = Some(*v),
            DaemonAttr::SyncMaxlen(v) => d.sync_maxlen = *v,
            DaemonAttr::McastGroup(v) => d.mcast_group = Some(IpAddr::V4(*v)),
            DaemonAttr::McastGroup6(v) => d.mcast_group = Some(IpAddr::V6((*v).into())),
            DaemonAttr::McastPort(v) => d.mcast_port = *v,
            DaemonAttr::McastTtl(v) => d.mcast_ttl = *v,
            DaemonAttr::Unknown(_) => {}
        }
    }
    d.state = state.ok_or(EINVAL)?;
    d.mcast_ifn = ifn.ok_or(EINVAL)?;
    d.syncid = syncid.ok_or(EINVAL)?;
    Ok(d)
}

/// Decode a GET_CONFIG reply body (missing values stay 0).
pub fn decode_timeouts(body: &[u8]) -> Result<Timeouts, Errno> {
    let attrs: Vec<CmdAttr> = parse_top_lenient(reply_attrs(body)?)?;
    let mut t = Timeouts::default();
    for a in attrs {
        match a {
            CmdAttr::TimeoutTcp(v) => t.tcp = v,
            CmdAttr::TimeoutTcpFin(v) => t.tcp_fin = v,
            CmdAttr::TimeoutUdp(v) => t.udp = v,
            _ => {}
        }
    }
    Ok(t)
}

/// Parse top-level attributes, typing only the timeout ones (a GET_CONFIG
/// reply has no nests to validate).
fn parse_top_lenient(attrs: &[u8]) -> Result<Vec<CmdAttr>, Errno> {
    let mut out = Vec::new();
    for r in raw_attrs(attrs) {
        let raw = r.map_err(|_| EINVAL)?;
        if (cmd_attr::TIMEOUT_TCP..=cmd_attr::TIMEOUT_UDP).contains(&raw.kind) {
            out.push(CmdAttr::parse(raw).map_err(|_| EINVAL)?);
        }
    }
    Ok(out)
}

/// Decode a GET_INFO reply body (both attributes required).
pub fn decode_info(body: &[u8]) -> Result<Info, Errno> {
    let attrs: Vec<InfoAttr> = parse_all(reply_attrs(body)?).or_else(bad)?;
    let (mut version, mut size) = (None, None);
    for a in attrs {
        match a {
            InfoAttr::Version(v) => version = Some(v),
            InfoAttr::ConnTabSize(v) => size = Some(v),
            InfoAttr::Unknown(_) => {}
        }
    }
    Ok(Info {
        version: version.ok_or(EINVAL)?,
        conn_tab_size: size.ok_or(EINVAL)?,
    })
}

/// Parse a request message (as ipvsadm or [`encode_request`] builds it)
/// back into a [`Request`]. Used by tests and fixture tooling; a fwmark
/// service comes back with protocol 0 (ipvsadm does not send it).
pub fn decode_request(msg: &[u8]) -> Result<Request, Errno> {
    let m: GenlMsg<CmdAttr> = GenlMsg::parse(msg).or_else(bad)?;
    let (mut svc, mut dest, mut daemon) = (None, None, None);
    let mut t = Timeouts::default();
    for a in &m.attrs {
        match a {
            CmdAttr::Service(n) => svc = Some(service_from_attrs(&n.attrs)?),
            CmdAttr::Dest(n) => dest = Some(&n.attrs),
            CmdAttr::Daemon(n) => daemon = Some(daemon_from_attrs(&n.attrs)?),
            CmdAttr::TimeoutTcp(v) => t.tcp = *v,
            CmdAttr::TimeoutTcpFin(v) => t.tcp_fin = *v,
            CmdAttr::TimeoutUdp(v) => t.udp = *v,
            CmdAttr::Unknown(_) => {}
        }
    }
    let with_dest = |svc: Option<Service>| -> Result<(Service, Dest), Errno> {
        let svc = svc.ok_or(EINVAL)?;
        // A request's destination has no connection counters: fill them.
        let mut attrs = dest.ok_or(EINVAL)?.clone();
        attrs.extend([
            DestAttr::ActiveConns(0),
            DestAttr::InactConns(0),
            DestAttr::PersistConns(0),
        ]);
        let d = dest_from_attrs(&attrs, svc.af)?;
        Ok((svc, d))
    };
    const NEW_SERVICE: u8 = Cmd::NewService as u8;
    const SET_SERVICE: u8 = Cmd::SetService as u8;
    const DEL_SERVICE: u8 = Cmd::DelService as u8;
    const NEW_DEST: u8 = Cmd::NewDest as u8;
    const SET_DEST: u8 = Cmd::SetDest as u8;
    const DEL_DEST: u8 = Cmd::DelDest as u8;
    const NEW_DAEMON: u8 = Cmd::NewDaemon as u8;
    const DEL_DAEMON: u8 = Cmd::DelDaemon as u8;
    const SET_CONFIG: u8 = Cmd::SetConfig as u8;
    const ZERO: u8 = Cmd::Zero as u8;
    const FLUSH: u8 = Cmd::Flush as u8;
    Ok(match m.cmd {
        NEW_SERVICE => Request::NewService(svc.ok_or(EINVAL)?),
        SET_SERVICE => Request::SetService(svc.ok_or(EINVAL)?),
        DEL_SERVICE => Request::DelService(svc.ok_or(EINVAL)?),
        NEW_DEST => {
            let (s, d) = with_dest(svc)?;
            Request::NewDest(s, d)
        }
        SET_DEST => {
            let (s, d) = with_dest(svc)?;
            Request::SetDest(s, d)
        }
        DEL_DEST => {
            let (s, d) = with_dest(svc)?;
            Request::DelDest(s, d)
        }
        NEW_DAEMON => Request::NewDaemon(daemon.ok_or(EINVAL)?),
        DEL_DAEMON => Request::DelDaemon(daemon.ok_or(EINVAL)?),
        SET_CONFIG => Request::SetTimeout(t),
        ZERO => Request::Zero(svc),
        FLUSH => Request::Flush,
        _ => return Err(EINVAL),
    })
}

/// The address family a service identity implies (for tests and callers
/// building services by hand).
pub fn af_of(ip: IpAddr) -> u16 {
    match ip {
        IpAddr::V4(_) => AF_INET,
        IpAddr::V6(_) => AF_INET6,
    }
}

#[cfg(test)]
mod tests;
