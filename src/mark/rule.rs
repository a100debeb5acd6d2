//! The iptables rule model of `ipvsadm mark`, and its translation to and from
//! nf_tables expressions exactly as iptables-nft 1.8.9 does it (pure).
//!
//! Interface, protocol and address matches and tcp/udp ports are native
//! `meta`/`payload`/`bitwise`/`cmp`/`range` expressions; multiport, comment,
//! sctp and the all-ports tcp/udp matches are xt-compat `match` expressions;
//! MARK is the xt-compat `target` revision 2 (`struct xt_mark_tginfo2`).

use super::expr::*;
use crate::netlink::attr;

/// Address family of the table: `ip` (iptables) or `ip6` (ip6tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    #[default]
    V4,
    V6,
}

impl Family {
    /// NFPROTO_IPV4 / NFPROTO_IPV6.
    pub fn nfproto(self) -> u8 {
        match self {
            Family::V4 => 2,
            Family::V6 => 10,
        }
    }
    pub fn addr_len(self) -> usize {
        match self {
            Family::V4 => 4,
            Family::V6 => 16,
        }
    }
    fn src_offset(self) -> u32 {
        match self {
            Family::V4 => 12,
            Family::V6 => 8,
        }
    }
    fn dst_offset(self) -> u32 {
        match self {
            Family::V4 => 16,
            Family::V6 => 24,
        }
    }
}

/// `-i`/`-o`: a name, possibly a `+` wildcard prefix (`name` without the `+`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iface {
    pub name: String,
    pub wildcard: bool,
    pub inv: bool,
}

impl Iface {
    /// The name as iptables prints it (`eth+`).
    pub fn display(&self) -> String {
        if self.wildcard {
            format!("{}+", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// `-s`/`-d`: address (already masked) and mask, both family-sized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    pub addr: Vec<u8>,
    pub mask: Vec<u8>,
    pub inv: bool,
}

/// A port range `lo:hi` (a single port has lo == hi); any is 0:65535.
pub type Ports = (u16, u16);
pub const ANY_PORTS: Ports = (0, 0xffff);

/// Which ports a multiport match looks at (`XT_MULTIPORT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MpWhich {
    Source = 0,
    Destination = 1,
    Either = 2,
}

/// tcp's `--tcp-option` and `--tcp-flags`: `struct xt_tcp`'s option,
/// flg_mask and flg_cmp, and their bits of its invflags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpExtra {
    pub option: u8,
    pub mask: u8,
    pub cmp: u8,
    pub inv: u8,
}

/// The matches iptables loads with `-m` (or implicitly by `-p`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// tcp or udp ports (`udp` selects the xt name and flags layout).
    Ports {
        udp: bool,
        sport: Ports,
        dport: Ports,
        sinv: bool,
        dinv: bool,
        /// tcp only: `--tcp-option`, `--tcp-flags`/`--syn`.
        tcp: TcpExtra,
    },
    /// `-m sctp` ports (xt match).
    Sctp {
        sport: Option<Ports>,
        dport: Option<Ports>,
        sinv: bool,
        dinv: bool,
        /// `--chunk-types`.
        chunks: Option<super::matches::sctp::Chunks>,
    },
    Multiport {
        which: MpWhich,
        ports: Vec<Ports>,
        inv: bool,
    },
    Comment(String),
    /// `-m mark [!] --mark V/M` (native `meta mark`).
    Mark {
        mark: u32,
        mask: u32,
        inv: bool,
    },
    /// An xt match we do not model (kept for printing and comparison).
    Xt {
        name: String,
        rev: u32,
        info: Vec<u8>,
    },
}

/// The rule's target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    #[default]
    None,
    /// MARK revision 2: new = (old & ~mask) ^ mark.
    Mark { mark: u32, mask: u32 },
    /// A verdict such as ACCEPT, DROP, RETURN or a chain jump.
    Verdict { code: i32, chain: Option<String> },
    /// CONNMARK revision 2 (`struct xt_connmark_tginfo2`).
    Connmark(Connmark),
    Xt {
        name: String,
        rev: u32,
        info: Vec<u8>,
    },
}

/// NF_ACCEPT, the verdict of `-j ACCEPT`.
pub const VERDICT_ACCEPT: i32 = 1;
/// NFT_RETURN, the verdict of `-j RETURN`.
pub const VERDICT_RETURN: i32 = -5;
/// NFT_JUMP, the verdict of `-j CHAIN`.
pub const VERDICT_JUMP: i32 = -3;
/// NFT_GOTO, the verdict of `-g CHAIN`.
pub const VERDICT_GOTO: i32 = -4;

/// What CONNMARK does (`XT_CONNMARK_SET`, `_SAVE`, `_RESTORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnmarkMode {
    Set = 0,
    Save = 1,
    Restore = 2,
}

/// `struct xt_connmark_tginfo2`: the conntrack mark and its masks, and
/// the shift applied on save/restore (direction 0 left, 1 right).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connmark {
    pub ctmark: u32,
    pub ctmask: u32,
    pub nfmask: u32,
    pub shift_dir: u8,
    pub shift_bits: u8,
    pub mode: ConnmarkMode,
}

impl Connmark {
    /// The 16 bytes of the xt target's info (15 padded to XT_ALIGN).
    pub fn info(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(16);
        for x in [self.ctmark, self.ctmask, self.nfmask] {
            v.extend_from_slice(&x.to_ne_bytes());
        }
        v.extend_from_slice(&[self.shift_dir, self.shift_bits, self.mode as u8, 0]);
        v
    }

    fn decode(info: &[u8]) -> Option<Connmark> {
        let mode = match info.get(14)? {
            0 => ConnmarkMode::Set,
            1 => ConnmarkMode::Save,
            2 => ConnmarkMode::Restore,
            _ => return None,
        };
        Some(Connmark {
            ctmark: ne_u32(info, 0)?,
            ctmask: ne_u32(info, 4)?,
            nfmask: ne_u32(info, 8)?,
            shift_dir: *info.get(12)?,
            shift_bits: *info.get(13)?,
            mode,
        })
    }
}

/// One iptables rule, as parsed from the command line or from a dump.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    pub family: Family,
    pub iif: Option<Iface>,
    pub oif: Option<Iface>,
    /// (protocol number, inverted); None is `all`.
    pub proto: Option<(u8, bool)>,
    pub src: Option<Addr>,
    pub dst: Option<Addr>,
    pub matches: Vec<Match>,
    pub target: Target,
}

pub const XT_TCP_INV_SRCPT: u8 = 0x01;
pub const XT_TCP_INV_DSTPT: u8 = 0x02;
pub const XT_TCP_INV_FLAGS: u8 = 0x04;
pub const XT_TCP_INV_OPTION: u8 = 0x08;
const XT_SCTP_SRC_PORTS: u32 = 0x01;
const XT_SCTP_DEST_PORTS: u32 = 0x02;
const XT_MULTI_PORTS: usize = 15;

fn cmp(op: u32, data: Vec<u8>) -> Expr {
    Expr::Cmp {
        sreg: REG1,
        op,
        data,
    }
}

fn payload(base: u32, offset: u32, len: u32) -> Expr {
    Expr::Payload {
        dreg: REG1,
        base,
        offset,
        len,
    }
}

fn iface_exprs(out: &mut Vec<Expr>, key: u32, i: &Iface) {
    out.push(Expr::Meta { key, dreg: REG1 });
    if i.wildcard && i.name.is_empty() {
        return;
    }
    let mut data = i.name.as_bytes().to_vec();
    if !i.wildcard {
        data.push(0);
    }
    out.push(cmp(if i.inv { CMP_NEQ } else { CMP_EQ }, data));
}

fn addr_exprs(out: &mut Vec<Expr>, offset: u32, a: &Addr) {
    let full = a.mask.len();
    // Leading all-ones bytes; a bitwise is needed when any later byte is set.
    let ones = a.mask.iter().take_while(|&&b| b == 0xff).count();
    let bitwise = a.mask.iter().skip(ones).any(|&b| b != 0);
    let len = if bitwise { full } else { ones };
    out.push(payload(BASE_NETWORK, offset, len as u32));
    if bitwise {
        out.push(Expr::Bitwise {
            sreg: REG1,
            dreg: REG1,
            op: None,
            len: len as u32,
            mask: a.mask.clone(),
            xor: vec![0; full],
        });
    }
    let data = a.addr.get(..len).unwrap_or(&a.addr).to_vec();
    out.push(cmp(if a.inv { CMP_NEQ } else { CMP_EQ }, data));
}

fn port_cmp(out: &mut Vec<Expr>, p: Ports, inv: bool) {
    if p.0 == p.1 {
        out.push(cmp(
            if inv { CMP_NEQ } else { CMP_EQ },
            p.0.to_be_bytes().to_vec(),
        ));
    } else if p.0 == 0 {
        out.push(cmp(
            if inv { CMP_GT } else { CMP_LTE },
            p.1.to_be_bytes().to_vec(),
        ));
    } else {
        out.push(Expr::Range {
            sreg: REG1,
            op: if inv { RANGE_NEQ } else { RANGE_EQ },
            from: p.0.to_be_bytes().to_vec(),
            to: p.1.to_be_bytes().to_vec(),
        });
    }
}

/// `struct xt_tcp` / `struct xt_udp` padded to XT_ALIGN (16 bytes).
pub fn tcpudp_info(sport: Ports, dport: Ports, invflags: u8, udp: bool, t: &TcpExtra) -> Vec<u8> {
    let mut v = Vec::with_capacity(16);
    for p in [sport.0, sport.1, dport.0, dport.1] {
        v.extend_from_slice(&p.to_ne_bytes());
    }
    if udp {
        v.push(invflags);
    } else {
        v.extend_from_slice(&[t.option, t.mask, t.cmp, invflags | t.inv]);
    }
    v.resize(16, 0);
    v
}

/// `struct xt_sctp_info` (296 bytes with alignment) for port matching only.
pub fn sctp_info(
    sport: Option<Ports>,
    dport: Option<Ports>,
    sinv: bool,
    dinv: bool,
    chunks: Option<&super::matches::sctp::Chunks>,
) -> Vec<u8> {
    let mut v = vec![0u8; 296];
    let d = dport.unwrap_or((0, 0));
    let s = sport.unwrap_or((0, 0));
    for (i, p) in [d.0, d.1, s.0, s.1].iter().enumerate() {
        v[i * 2..i * 2 + 2].copy_from_slice(&p.to_ne_bytes());
    }
    for i in 0..4 {
        v[268 + i * 3] = 0xff;
    }
    let mut flags = 0u32;
    let mut inv = 0u32;
    if sport.is_some() {
        flags |= XT_SCTP_SRC_PORTS;
        if sinv {
            inv |= XT_SCTP_SRC_PORTS;
        }
    }
    if dport.is_some() {
        flags |= XT_SCTP_DEST_PORTS;
        if dinv {
            inv |= XT_SCTP_DEST_PORTS;
        }
    }
    if let Some(c) = chunks {
        super::matches::sctp::write(&mut v, c);
        flags |= super::matches::sctp::CHUNK_TYPES;
        if c.inv {
            inv |= super::matches::sctp::CHUNK_TYPES;
        }
    }
    v[284..288].copy_from_slice(&flags.to_ne_bytes());
    v[288..292].copy_from_slice(&inv.to_ne_bytes());
    v
}

/// `struct xt_multiport_v1` (48 bytes).
pub fn multiport_info(which: MpWhich, ports: &[Ports], inv: bool) -> Vec<u8> {
    let mut v = vec![0u8; 48];
    v[0] = which as u8;
    let mut n = 0usize;
    for p in ports {
        if n >= XT_MULTI_PORTS {
            break;
        }
        v[2 + n * 2..4 + n * 2].copy_from_slice(&p.0.to_ne_bytes());
        if p.0 != p.1 && n + 1 < XT_MULTI_PORTS {
            v[32 + n] = 1;
            n += 1;
            v[2 + n * 2..4 + n * 2].copy_from_slice(&p.1.to_ne_bytes());
        }
        n += 1;
    }
    v[1] = n as u8;
    v[47] = inv as u8;
    v
}

/// Number of port slots a multiport list needs (a range takes two).
pub fn multiport_slots(ports: &[Ports]) -> usize {
    ports.iter().map(|p| if p.0 == p.1 { 1 } else { 2 }).sum()
}

fn comment_info(c: &str) -> Vec<u8> {
    let mut v = vec![0u8; 256];
    let b = c.as_bytes();
    let n = b.len().min(255);
    v[..n].copy_from_slice(&b[..n]);
    v
}

fn ne_u16(b: &[u8], off: usize) -> Option<u16> {
    attr::ne_u16(b.get(off..)?).ok()
}

fn ne_u32(b: &[u8], off: usize) -> Option<u32> {
    attr::ne_u32(b.get(off..)?).ok()
}

/// tcp/udp ports (and tcp flags) natively, or the xt match where
/// iptables-nft keeps it (no ports, or a tcp option).
fn ports_exprs(
    out: &mut Vec<Expr>,
    udp: bool,
    (sport, dport): (Ports, Ports),
    (sinv, dinv): (bool, bool),
    tcp: &TcpExtra,
) {
    let inv = ((sinv as u8) * XT_TCP_INV_SRCPT) | ((dinv as u8) * XT_TCP_INV_DSTPT);
    // Nothing to match at all: the xt match, so that `-m tcp` stays (a
    // comparison without a mask is nothing, natively).
    let plain = sport == ANY_PORTS && dport == ANY_PORTS && inv == 0 && *tcp == TcpExtra::default();
    if plain || !(udp || super::matches::tcp::native(tcp)) {
        out.push(Expr::Match {
            name: if udp { "udp" } else { "tcp" }.into(),
            rev: 0,
            info: tcpudp_info(sport, dport, inv, udp, tcp),
        });
        return;
    }
    if tcp.mask != 0 {
        super::matches::tcp::exprs(out, tcp);
    }
    if sport.0 != 0 && sport.0 == sport.1 && dport.0 != 0 && dport.0 == dport.1 && sinv == dinv {
        out.push(payload(BASE_TRANSPORT, 0, 4));
        let mut data = sport.0.to_be_bytes().to_vec();
        data.extend_from_slice(&dport.0.to_be_bytes());
        out.push(cmp(if sinv { CMP_NEQ } else { CMP_EQ }, data));
        return;
    }
    if sport != ANY_PORTS {
        out.push(payload(BASE_TRANSPORT, 0, 2));
        port_cmp(out, sport, sinv);
    }
    if dport != ANY_PORTS {
        out.push(payload(BASE_TRANSPORT, 2, 2));
        port_cmp(out, dport, dinv);
    }
}

fn match_exprs(out: &mut Vec<Expr>, m: &Match) {
    match m {
        Match::Ports {
            udp,
            sport,
            dport,
            sinv,
            dinv,
            tcp,
        } => ports_exprs(out, *udp, (*sport, *dport), (*sinv, *dinv), tcp),
        Match::Sctp {
            sport,
            dport,
            sinv,
            dinv,
            chunks,
        } => out.push(Expr::Match {
            name: "sctp".into(),
            rev: 0,
            info: sctp_info(*sport, *dport, *sinv, *dinv, chunks.as_ref()),
        }),
        Match::Multiport { which, ports, inv } => out.push(Expr::Match {
            name: "multiport".into(),
            rev: 1,
            info: multiport_info(*which, ports, *inv),
        }),
        Match::Comment(c) => out.push(Expr::Match {
            name: "comment".into(),
            rev: 0,
            info: comment_info(c),
        }),
        Match::Mark { mark, mask, inv } => super::matches::mark::exprs(out, *mark, *mask, *inv),
        Match::Xt { name, rev, info } => out.push(Expr::Match {
            name: name.clone(),
            rev: *rev,
            info: info.clone(),
        }),
    }
}

impl Rule {
    /// The expressions iptables-nft 1.8.9 generates for this rule, with a
    /// zero counter.
    pub fn to_exprs(&self) -> Vec<Expr> {
        let mut out = Vec::new();
        if let Some(i) = &self.iif {
            iface_exprs(&mut out, META_IIFNAME, i);
        }
        if let Some(i) = &self.oif {
            iface_exprs(&mut out, META_OIFNAME, i);
        }
        if let Some((p, inv)) = self.proto {
            out.push(Expr::Meta {
                key: META_L4PROTO,
                dreg: REG1,
            });
            out.push(cmp(if inv { CMP_NEQ } else { CMP_EQ }, vec![p]));
        }
        if let Some(a) = &self.src {
            addr_exprs(&mut out, self.family.src_offset(), a);
        }
        if let Some(a) = &self.dst {
            addr_exprs(&mut out, self.family.dst_offset(), a);
        }
        for m in &self.matches {
            match_exprs(&mut out, m);
        }
        out.push(Expr::Counter {
            bytes: 0,
            packets: 0,
        });
        match &self.target {
            Target::None => {}
            Target::Mark { mark, mask } => {
                let mut info = mark.to_ne_bytes().to_vec();
                info.extend_from_slice(&mask.to_ne_bytes());
                out.push(Expr::Target {
                    name: "MARK".into(),
                    rev: 2,
                    info,
                });
            }
            Target::Verdict { code, chain } => out.push(Expr::Verdict {
                code: *code,
                chain: chain.clone(),
            }),
            Target::Connmark(c) => out.push(Expr::Target {
                name: "CONNMARK".into(),
                rev: 2,
                info: c.info(),
            }),
            Target::Xt { name, rev, info } => out.push(Expr::Target {
                name: name.clone(),
                rev: *rev,
                info: info.clone(),
            }),
        }
        out
    }

    /// NFTA_RULE_COMPAT: (protocol, flags) with NFT_RULE_COMPAT_F_INV = 2.
    pub fn compat(&self) -> (u32, u32) {
        match self.proto {
            Some((p, inv)) => (p as u32, if inv { 2 } else { 0 }),
            None => (0, 0),
        }
    }

    /// Rebuilds the rule from dumped expressions as iptables' rule parser
    /// does. Returns the rule and its (packets, bytes) counters, or None when
    /// the rule uses expressions iptables-nft would not have written.
    pub fn from_exprs(family: Family, exprs: &[Expr]) -> Option<(Rule, (u64, u64))> {
        let mut r = Rule {
            family,
            ..Default::default()
        };
        let mut counters = (0u64, 0u64);
        let mut rd = Reader { exprs, i: 0 };
        while let Some(e) = rd.next() {
            match e {
                Expr::Meta {
                    key: super::matches::mark::META_MARK,
                    dreg: REG1,
                } => {
                    let (m, used) = super::matches::mark::decode(rd.exprs.get(rd.i..)?)?;
                    rd.i += used;
                    r.matches.push(m);
                }
                Expr::Payload {
                    dreg: REG1,
                    base: BASE_TRANSPORT,
                    offset: 13,
                    len: 1,
                } if matches!(r.proto, Some((6, _))) => {
                    let (mask, cmp, inv) = super::matches::tcp::decode(rd.exprs.get(rd.i..)?)?;
                    rd.i += 2;
                    add_flags(&mut r, mask, cmp, inv);
                }
                Expr::Meta { key, dreg: REG1 } => meta_match(&mut r, *key, &mut rd)?,
                Expr::Payload {
                    dreg: REG1,
                    base: BASE_NETWORK,
                    offset,
                    len,
                } => address_match(&mut r, *offset, *len as usize, &mut rd)?,
                Expr::Payload {
                    dreg: REG1,
                    base: BASE_TRANSPORT,
                    offset,
                    len,
                } => {
                    let udp = match r.proto {
                        Some((6, _)) => false,
                        Some((17, _)) => true,
                        _ => return None,
                    };
                    let (ports, inv) = port_values(*offset, *len, rd.next()?)?;
                    add_ports(&mut r, udp, *offset, &ports, inv);
                }
                Expr::Counter { bytes, packets } => counters = (*packets, *bytes),
                Expr::Match { name, rev, info } => r.matches.push(decode_match(name, *rev, info)),
                Expr::Target { name, rev, info } => r.target = decode_target(name, *rev, info)?,
                Expr::Verdict { code, chain } => {
                    r.target = Target::Verdict {
                        code: *code,
                        chain: chain.clone(),
                    }
                }
                _ => return None,
            }
        }
        Some((r, counters))
    }
}

/// The expressions of one dumped rule, read in order.
struct Reader<'a> {
    exprs: &'a [Expr],
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<&'a Expr> {
        self.exprs.get(self.i)
    }
    fn next(&mut self) -> Option<&'a Expr> {
        let e = self.peek()?;
        self.i += 1;
        Some(e)
    }
}

/// Whether a `cmp` of equality is inverted (`!=`); None for other ops.
fn cmp_inverted(op: u32) -> Option<bool> {
    match op {
        CMP_EQ => Some(false),
        CMP_NEQ => Some(true),
        _ => None,
    }
}

/// `meta iifname/oifname/l4proto` and the `cmp` after it.
fn meta_match(r: &mut Rule, key: u32, rd: &mut Reader) -> Option<()> {
    let cmp = match rd.peek() {
        Some(Expr::Cmp {
            sreg: REG1,
            op,
            data,
        }) => Some((*op, data)),
        _ => None,
    };
    match (key, cmp) {
        (META_IIFNAME | META_OIFNAME, cmp) => {
            let ifc = match cmp {
                Some((op, data)) => {
                    rd.next();
                    let inv = cmp_inverted(op)?;
                    let (name, wildcard) = match data.split_last() {
                        Some((0, rest)) => (rest, false),
                        _ => (data.as_slice(), true),
                    };
                    Iface {
                        name: String::from_utf8_lossy(name).into_owned(),
                        wildcard,
                        inv,
                    }
                }
                // `-i +`: any name, no comparison.
                None => Iface {
                    name: String::new(),
                    wildcard: true,
                    inv: false,
                },
            };
            if key == META_IIFNAME {
                r.iif = Some(ifc);
            } else {
                r.oif = Some(ifc);
            }
        }
        (META_L4PROTO, Some((op, data))) if data.len() == 1 => {
            rd.next();
            let inv = cmp_inverted(op)?;
            r.proto = Some((*data.first()?, inv));
        }
        _ => return None,
    }
    Some(())
}

/// `-s`/`-d`: network-header payload, optional `bitwise` mask, `cmp`.
fn address_match(r: &mut Rule, offset: u32, len: usize, rd: &mut Reader) -> Option<()> {
    let family = r.family;
    let alen = family.addr_len();
    if len > alen {
        return None;
    }
    let mut mask = vec![0u8; alen];
    if let Some(Expr::Bitwise {
        sreg: REG1,
        dreg: REG1,
        mask: m,
        xor,
        len: bl,
        ..
    }) = rd.peek()
    {
        if *bl as usize != len || m.len() != len || xor.iter().any(|&b| b != 0) {
            return None;
        }
        mask.get_mut(..len)?.copy_from_slice(m);
        rd.next();
    } else {
        mask.get_mut(..len)?.iter_mut().for_each(|b| *b = 0xff);
    }
    let Some(Expr::Cmp {
        sreg: REG1,
        op,
        data,
    }) = rd.next()
    else {
        return None;
    };
    if data.len() != len {
        return None;
    }
    let inv = cmp_inverted(*op)?;
    let mut addr = vec![0u8; alen];
    addr.get_mut(..len)?.copy_from_slice(data);
    let a = Addr { addr, mask, inv };
    if offset == family.src_offset() {
        r.src = Some(a);
    } else if offset == family.dst_offset() {
        r.dst = Some(a);
    } else {
        return None;
    }
    Some(())
}

fn be16(b: &[u8], off: usize) -> Option<u16> {
    attr::be_u16(b.get(off..)?).ok()
}

/// The ports a transport-header payload is compared with: both ports at
/// once (`--sport X --dport Y`, one 4-byte `cmp`), one port, `:hi`/`hi+1:`
/// (`cmp` <= or >), or a `range`.
fn port_values(offset: u32, len: u32, next: &Expr) -> Option<(Vec<Ports>, bool)> {
    Some(match (offset, len, next) {
        (
            0,
            4,
            Expr::Cmp {
                sreg: REG1,
                op,
                data,
            },
        ) if data.len() == 4 => {
            let (s, d) = (be16(data, 0)?, be16(data, 2)?);
            (vec![(s, s), (d, d)], cmp_inverted(*op)?)
        }
        (
            0 | 2,
            2,
            Expr::Cmp {
                sreg: REG1,
                op,
                data,
            },
        ) if data.len() == 2 => {
            let p = be16(data, 0)?;
            match *op {
                CMP_EQ => (vec![(p, p)], false),
                CMP_NEQ => (vec![(p, p)], true),
                CMP_LTE => (vec![(0, p)], false),
                CMP_GT => (vec![(0, p)], true),
                _ => return None,
            }
        }
        (
            0 | 2,
            2,
            Expr::Range {
                sreg: REG1,
                op,
                from,
                to,
            },
        ) if from.len() == 2 && to.len() == 2 => {
            let inv = match *op {
                RANGE_EQ => false,
                RANGE_NEQ => true,
                _ => return None,
            };
            (vec![(be16(from, 0)?, be16(to, 0)?)], inv)
        }
        _ => return None,
    })
}

/// Puts native tcp flags into the last tcp match (making one when there is
/// none), as iptables does.
fn add_flags(r: &mut Rule, mask: u8, cmp: u8, inv: bool) {
    let idx = port_match(r, false);
    if let Some(Match::Ports { tcp, .. }) = r.matches.get_mut(idx) {
        tcp.mask = mask;
        tcp.cmp = cmp;
        tcp.inv = if inv { XT_TCP_INV_FLAGS } else { 0 };
    }
}

/// The last tcp/udp port match, made when there is none.
fn port_match(r: &mut Rule, udp: bool) -> usize {
    match r
        .matches
        .iter()
        .rposition(|m| matches!(m, Match::Ports { udp: u, .. } if *u == udp))
    {
        Some(idx) => idx,
        None => {
            r.matches.push(Match::Ports {
                udp,
                sport: ANY_PORTS,
                dport: ANY_PORTS,
                sinv: false,
                dinv: false,
                tcp: TcpExtra::default(),
            });
            r.matches.len() - 1
        }
    }
}

/// Puts ports into the last tcp/udp port match, as iptables does (making
/// one when there is none).
fn add_ports(r: &mut Rule, udp: bool, offset: u32, ports: &[Ports], inv: bool) {
    let idx = port_match(r, udp);
    let Some(Match::Ports {
        sport,
        dport,
        sinv,
        dinv,
        ..
    }) = r.matches.get_mut(idx)
    else {
        return;
    };
    match ports {
        [s, d] => {
            (*sport, *dport) = (*s, *d);
            (*sinv, *dinv) = (inv, inv);
        }
        [p, ..] if offset == 0 => (*sport, *sinv) = (*p, inv),
        [p, ..] => (*dport, *dinv) = (*p, inv),
        [] => {}
    }
}

/// An xt-compat target: MARK revision 2, or one we keep as bytes.
fn decode_target(name: &str, rev: u32, info: &[u8]) -> Option<Target> {
    Some(match (name, rev) {
        ("MARK", 2) => Target::Mark {
            mark: ne_u32(info, 0)?,
            mask: ne_u32(info, 4)?,
        },
        ("CONNMARK", 2) if info.len() == 16 => match Connmark::decode(info) {
            Some(c) => Target::Connmark(c),
            None => Target::Xt {
                name: name.to_string(),
                rev,
                info: info.to_vec(),
            },
        },
        _ => Target::Xt {
            name: name.to_string(),
            rev,
            info: info.to_vec(),
        },
    })
}

fn decode_match(name: &str, rev: u32, info: &[u8]) -> Match {
    let xt = || Match::Xt {
        name: name.to_string(),
        rev,
        info: info.to_vec(),
    };
    let parsed = match (name, rev) {
        ("tcp" | "udp", 0) => (|| {
            let udp = name == "udp";
            let inv = *info.get(if udp { 8 } else { 11 })?;
            let tcp = if udp {
                TcpExtra::default()
            } else {
                TcpExtra {
                    option: *info.get(8)?,
                    mask: *info.get(9)?,
                    cmp: *info.get(10)?,
                    inv: inv & (XT_TCP_INV_FLAGS | XT_TCP_INV_OPTION),
                }
            };
            Some(Match::Ports {
                udp,
                sport: (ne_u16(info, 0)?, ne_u16(info, 2)?),
                dport: (ne_u16(info, 4)?, ne_u16(info, 6)?),
                sinv: inv & XT_TCP_INV_SRCPT != 0,
                dinv: inv & XT_TCP_INV_DSTPT != 0,
                tcp,
            })
        })(),
        ("sctp", 0) => (|| {
            let flags = ne_u32(info, 284)?;
            let inv = ne_u32(info, 288)?;
            let d = (ne_u16(info, 0)?, ne_u16(info, 2)?);
            let s = (ne_u16(info, 4)?, ne_u16(info, 6)?);
            Some(Match::Sctp {
                sport: (flags & XT_SCTP_SRC_PORTS != 0).then_some(s),
                dport: (flags & XT_SCTP_DEST_PORTS != 0).then_some(d),
                sinv: inv & XT_SCTP_SRC_PORTS != 0,
                dinv: inv & XT_SCTP_DEST_PORTS != 0,
                chunks: (flags & super::matches::sctp::CHUNK_TYPES != 0).then(|| {
                    super::matches::sctp::read(info, inv & super::matches::sctp::CHUNK_TYPES != 0)
                }),
            })
        })(),
        ("multiport", 1) => (|| {
            let which = match info.first()? {
                0 => MpWhich::Source,
                1 => MpWhich::Destination,
                2 => MpWhich::Either,
                _ => return None,
            };
            let count = (*info.get(1)? as usize).min(XT_MULTI_PORTS);
            let mut ports = Vec::new();
            let mut k = 0;
            while k < count {
                let p = ne_u16(info, 2 + k * 2)?;
                if *info.get(32 + k)? != 0 && k + 1 < count {
                    ports.push((p, ne_u16(info, 2 + (k + 1) * 2)?));
                    k += 2;
                } else {
                    ports.push((p, p));
                    k += 1;
                }
            }
            Some(Match::Multiport {
                which,
                ports,
                inv: *info.get(47)? != 0,
            })
        })(),
        ("comment", 0) => {
            let end = info
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(info.len())
                .min(255);
            Some(Match::Comment(
                String::from_utf8_lossy(info.get(..end).unwrap_or(&[])).into_owned(),
            ))
        }
        _ => None,
    };
    parsed.unwrap_or_else(xt)
}
