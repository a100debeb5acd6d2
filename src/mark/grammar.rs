//! `ipvsadm mark` argument grammar: iptables' own options for mangle MARK
//! rules, parsed the way iptables 1.8.9 parses them (pure apart from the
//! libc name lookups for protocols, services and host names).
//!
//! Options may be clustered (`-nvL`), long options may use `--opt=value`,
//! and `!` inverts the option that follows it. Errors carry iptables' texts.

use super::plan::{builtin, prog_name, Cmd};
use super::rule::*;
use super::MarkError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

/// Listing options: `-n`, `-v`, `-x`, `--line-numbers`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListOpts {
    pub numeric: bool,
    pub verbose: bool,
    pub exact: bool,
    pub line_numbers: bool,
}

/// A fully parsed `ipvsadm mark` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub family: Family,
    pub cmd: Cmd,
    pub opts: ListOpts,
}

/// The family asked for by `-6`/`--ipv6` (last of `-4`/`-6` wins), used to
/// choose iptables' or ip6tables' texts even for early errors.
pub fn family_of(args: &[String]) -> Family {
    let mut f = Family::V4;
    for a in args {
        match a.as_str() {
            "-6" | "--ipv6" => f = Family::V6,
            "-4" | "--ipv4" => f = Family::V4,
            _ => {}
        }
    }
    f
}

/// iptables' PARAMETER_PROBLEM report (exit code 2).
pub fn param(family: Family, msg: &str) -> MarkError {
    let p = prog_name(family);
    MarkError::new(
        format!(
            "{p} v1.8.9 (nf_tables): {msg}\nTry `{p} -h' or '{p} --help' for more information.\n"
        ),
        2,
    )
}

fn bad_argument(family: Family, arg: &str) -> MarkError {
    let p = prog_name(family);
    MarkError::new(
        format!("Bad argument `{arg}'\nTry `{p} -h' or '{p} --help' for more information.\n"),
        2,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmdKind {
    A,
    I,
    D,
    C,
    F,
    S,
    L,
    P,
}

impl CmdKind {
    fn letter(self) -> char {
        match self {
            CmdKind::A => 'A',
            CmdKind::I => 'I',
            CmdKind::D => 'D',
            CmdKind::C => 'C',
            CmdKind::F => 'F',
            CmdKind::S => 'S',
            CmdKind::L => 'L',
            CmdKind::P => 'P',
        }
    }
}

/// A match being built while its options are parsed.
#[derive(Debug, Clone)]
enum MatchB {
    Ports {
        udp: bool,
        sport: Option<(Ports, bool)>,
        dport: Option<(Ports, bool)>,
    },
    Sctp {
        sport: Option<(Ports, bool)>,
        dport: Option<(Ports, bool)>,
    },
    Multiport {
        set: Vec<(MpWhich, Vec<Ports>, bool)>,
    },
    Comment(Option<String>),
}

impl MatchB {
    fn name(&self) -> &'static str {
        match self {
            MatchB::Ports { udp: false, .. } => "tcp",
            MatchB::Ports { udp: true, .. } => "udp",
            MatchB::Sctp { .. } => "sctp",
            MatchB::Multiport { .. } => "multiport",
            MatchB::Comment(_) => "comment",
        }
    }

    fn knows(&self, opt: &str) -> bool {
        match self {
            MatchB::Ports { .. } | MatchB::Sctp { .. } => {
                matches!(opt, "sport" | "source-port" | "dport" | "destination-port")
            }
            MatchB::Multiport { .. } => {
                matches!(
                    opt,
                    "sports" | "source-ports" | "dports" | "destination-ports" | "ports"
                )
            }
            MatchB::Comment(_) => opt == "comment",
        }
    }
}

/// Command-line word source with support for clustered short options.
struct Words<'a> {
    args: &'a [String],
    i: usize,
}

impl<'a> Words<'a> {
    fn next_plain(&mut self) -> Option<&'a str> {
        let a = self.args.get(self.i)?;
        self.i += 1;
        Some(a)
    }
    /// The next word if it does not look like an option or `!`.
    fn optional(&mut self) -> Option<&'a str> {
        let a = self.args.get(self.i)?;
        if a.starts_with('-') || a.starts_with('!') {
            return None;
        }
        self.i += 1;
        Some(a)
    }
}

fn proto_by_name(name: &str) -> Option<u8> {
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
    super::names::proto_number(&lower)
}

fn parse_port(s: &str, proto: &str) -> Option<u16> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u16>().ok();
    }
    super::names::service_port(s, proto)
}

fn parse_port_range(family: Family, s: &str, proto: &str) -> Result<Ports, MarkError> {
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

fn parse_multiport(family: Family, s: &str, proto: &str) -> Result<Vec<Ports>, MarkError> {
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

fn mask_from_prefix(bits: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let start = (i * 8) as u32;
            if bits >= start + 8 {
                0xff
            } else if bits <= start {
                0
            } else {
                0xffu8 << (8 - (bits - start))
            }
        })
        .collect()
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

/// Parses `-s`/`-d` values: comma-separated `host[/mask]`.
fn parse_addrs(family: Family, s: &str, inv: bool) -> Result<Vec<Addr>, MarkError> {
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
                        Ok(b) if b <= max => mask_from_prefix(b, alen),
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

fn parse_iface(family: Family, s: &str, inv: bool) -> Result<Iface, MarkError> {
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

fn parse_u32(s: &str) -> Option<u32> {
    let s = s.trim_start();
    if s.starts_with('-') {
        return None;
    }
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse::<u64>().ok()?
    };
    u32::try_from(v).ok()
}

const MARK_OPTS: [&str; 5] = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

/// Parses the words after `mark`.
pub fn parse(args: &[String]) -> Result<Command, MarkError> {
    let mut family = family_of(args);
    let fam0 = family;
    let mut w = Words { args, i: 0 };
    let mut cmd: Option<CmdKind> = None;
    let mut chain: Option<String> = None;
    let mut rulenum: Option<u32> = None;
    let mut policy: Option<String> = None;
    let mut opts = ListOpts::default();
    let mut invert = false;
    let mut srcs: Option<Vec<Addr>> = None;
    let mut dsts: Option<Vec<Addr>> = None;
    let mut iif: Option<Iface> = None;
    let mut oif: Option<Iface> = None;
    let mut proto: Option<(u8, bool)> = None;
    let mut proto_seen = false;
    let mut matches: Vec<MatchB> = Vec::new();
    let mut target: Option<String> = None;
    let mut mark_set: Vec<(usize, u32, u32)> = Vec::new();
    let mut leftovers: Vec<String> = Vec::new();

    let rulenumber = |s: &str, fam: Family| -> Result<u32, MarkError> {
        match s.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(param(fam, &format!("Invalid rule number `{s}'"))),
        }
    };

    // Expand into (option name, inline value) items.
    while let Some(word) = w.next_plain() {
        let mut items: Vec<(String, Option<String>, bool)> = Vec::new(); // (name, inline value, is_long)
        if word == "!" {
            if invert {
                return Err(param(family, "multiple consecutive ! not allowed"));
            }
            invert = true;
            continue;
        } else if let Some(long) = word.strip_prefix("--") {
            if long.is_empty() {
                leftovers.extend(args[w.i..].iter().cloned());
                break;
            }
            match long.split_once('=') {
                Some((n, v)) => items.push((n.to_string(), Some(v.to_string()), true)),
                None => items.push((long.to_string(), None, true)),
            }
        } else if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = short.chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                let takes_arg = "ACDIPtsdpijmoN".contains(c);
                if takes_arg && k + 1 < chars.len() {
                    items.push((c.to_string(), Some(chars[k + 1..].iter().collect()), false));
                    break;
                }
                items.push((c.to_string(), None, false));
                k += 1;
            }
        } else {
            leftovers.push(word.to_string());
            continue;
        }

        for (name, inline, is_long) in items {
            let dash = if is_long {
                format!("--{name}")
            } else {
                format!("-{name}")
            };
            let inv = std::mem::take(&mut invert);
            let value = |w: &mut Words| -> Result<String, MarkError> {
                if let Some(v) = &inline {
                    return Ok(v.clone());
                }
                w.next_plain().map(|s| s.to_string()).ok_or_else(|| {
                    param(family, &format!("option \"{dash}\" requires an argument"))
                })
            };
            let short_or_long = if is_long {
                match name.as_str() {
                    "append" => "A",
                    "insert" => "I",
                    "delete" => "D",
                    "check" => "C",
                    "flush" => "F",
                    "list" => "L",
                    "list-rules" => "S",
                    "policy" => "P",
                    "table" => "t",
                    "source" | "src" => "s",
                    "destination" | "dst" => "d",
                    "protocol" => "p",
                    "in-interface" => "i",
                    "out-interface" => "o",
                    "jump" => "j",
                    "match" => "m",
                    "numeric" => "n",
                    "line-numbers" => "line-numbers",
                    "verbose" => "v",
                    "exact" => "x",
                    "ipv4" => "4",
                    "ipv6" => "6",
                    _ => "",
                }
            } else {
                name.as_str()
            };
            let is_cmd = matches!(short_or_long, "A" | "I" | "D" | "C" | "F" | "L" | "S" | "P");
            if inv
                && (is_cmd
                    || matches!(short_or_long, "j" | "t" | "m" | "n" | "v" | "x" | "4" | "6"))
            {
                let what = if short_or_long == "j" {
                    "-j".to_string()
                } else {
                    format!("-{short_or_long}")
                };
                return Err(param(family, &format!("cannot have ! before {what}")));
            }
            if is_cmd {
                let k = match short_or_long {
                    "A" => CmdKind::A,
                    "I" => CmdKind::I,
                    "D" => CmdKind::D,
                    "C" => CmdKind::C,
                    "F" => CmdKind::F,
                    "L" => CmdKind::L,
                    "S" => CmdKind::S,
                    _ => CmdKind::P,
                };
                if let Some(prev) = cmd {
                    return Err(param(
                        family,
                        &format!("Cannot use -{} with -{}", k.letter(), prev.letter()),
                    ));
                }
                cmd = Some(k);
                match k {
                    CmdKind::A | CmdKind::C => chain = Some(value(&mut w)?),
                    CmdKind::I => {
                        chain = Some(value(&mut w)?);
                        if let Some(n) = w.optional() {
                            rulenum = Some(rulenumber(n, family)?);
                        }
                    }
                    CmdKind::D => {
                        chain = Some(value(&mut w)?);
                        if let Some(n) = w.optional() {
                            rulenum = Some(rulenumber(n, family)?);
                        }
                    }
                    CmdKind::F => {
                        chain = inline.clone().or_else(|| w.optional().map(str::to_string));
                    }
                    CmdKind::L | CmdKind::S => {
                        chain = inline.clone().or_else(|| w.optional().map(str::to_string));
                        if chain.is_some() {
                            if let Some(n) = w.optional() {
                                rulenum = Some(rulenumber(n, family)?);
                            }
                        }
                    }
                    CmdKind::P => {
                        chain = Some(value(&mut w)?);
                        match w.optional() {
                            Some(p) => policy = Some(p.to_string()),
                            None => return Err(param(family, "-P requires a chain and a policy")),
                        }
                    }
                }
                continue;
            }
            match short_or_long {
                "t" => {
                    let t = value(&mut w)?;
                    if t != "mangle" {
                        let p = prog_name(family);
                        return Err(MarkError::new(
                            format!(
                                "{p} v1.8.9 (nf_tables): table '{t}' does not exist\nPerhaps {p} or your kernel needs to be upgraded.\n"
                            ),
                            3,
                        ));
                    }
                }
                "4" => family = Family::V4,
                "6" => family = Family::V6,
                "n" => opts.numeric = true,
                "v" => opts.verbose = true,
                "x" => opts.exact = true,
                "s" | "d" => {
                    let v = value(&mut w)?;
                    let slot = if short_or_long == "s" {
                        &mut srcs
                    } else {
                        &mut dsts
                    };
                    if slot.is_some() {
                        return Err(param(
                            family,
                            &format!("multiple -{short_or_long} flags not allowed"),
                        ));
                    }
                    *slot = Some(parse_addrs(family, &v, inv)?);
                }
                "i" | "o" => {
                    let v = value(&mut w)?;
                    let slot = if short_or_long == "i" {
                        &mut iif
                    } else {
                        &mut oif
                    };
                    if slot.is_some() {
                        return Err(param(
                            family,
                            &format!("multiple -{short_or_long} flags not allowed"),
                        ));
                    }
                    *slot = Some(parse_iface(family, &v, inv)?);
                }
                "p" => {
                    let v = value(&mut w)?;
                    if proto_seen {
                        return Err(param(family, "multiple -p flags not allowed"));
                    }
                    proto_seen = true;
                    let n = proto_by_name(&v).ok_or_else(|| {
                        param(family, &format!("unknown protocol \"{v}\" specified"))
                    })?;
                    if n == 0 && inv {
                        return Err(param(family, "rule would never match protocol"));
                    }
                    proto = (n != 0).then_some((n, inv));
                }
                "j" => {
                    let v = value(&mut w)?;
                    if target.is_some() {
                        return Err(param(family, "multiple -j flags not allowed"));
                    }
                    if v != "MARK" {
                        return Err(param(
                            family,
                            &format!("Couldn't load target `{v}':No such file or directory\n"),
                        ));
                    }
                    target = Some(v);
                }
                "m" => {
                    let v = value(&mut w)?;
                    let m = match v.as_str() {
                        "tcp" => MatchB::Ports {
                            udp: false,
                            sport: None,
                            dport: None,
                        },
                        "udp" => MatchB::Ports {
                            udp: true,
                            sport: None,
                            dport: None,
                        },
                        "sctp" => MatchB::Sctp {
                            sport: None,
                            dport: None,
                        },
                        "multiport" => MatchB::Multiport { set: Vec::new() },
                        "comment" => MatchB::Comment(None),
                        _ => {
                            return Err(param(
                                family,
                                &format!("Couldn't load match `{v}':No such file or directory\n"),
                            ))
                        }
                    };
                    matches.push(m);
                }
                "line-numbers" if is_long => opts.line_numbers = true,
                _ if is_long && MARK_OPTS.contains(&name.as_str()) => {
                    if target.is_none() {
                        return Err(param(family, &format!("unknown option \"{dash}\"")));
                    }
                    if inv {
                        return Err(param(
                            family,
                            &format!("MARK: option \"{dash}\" cannot be inverted.\n"),
                        ));
                    }
                    let idx = MARK_OPTS.iter().position(|o| *o == name).unwrap_or(0);
                    if mark_set.iter().any(|(i, _, _)| *i == idx) {
                        return Err(param(
                            family,
                            &format!("MARK: option \"{dash}\" can only be used once.\n"),
                        ));
                    }
                    let v = value(&mut w)?;
                    let bad = || {
                        let m = if idx <= 1 {
                            format!(
                                "MARK: bad integer value for option \"{dash}\", or out of range.\n"
                            )
                        } else {
                            format!("MARK: bad value for option \"{dash}\", or out of range (0-4294967295).\n")
                        };
                        param(family, &m)
                    };
                    let (a, b) = match v.split_once('/') {
                        Some((a, b)) if idx <= 1 => {
                            let a = parse_u32(a).ok_or_else(bad)?;
                            if b.contains('/') {
                                let (m, _) = b.split_once('/').unwrap_or((b, ""));
                                parse_u32(m).ok_or_else(bad)?;
                                return Err(param(
                                    family,
                                    &format!("MARK: trailing garbage after value for option \"{dash}\".\n"),
                                ));
                            }
                            (a, Some(parse_u32(b).ok_or_else(bad)?))
                        }
                        Some(_) => return Err(bad()),
                        None => (parse_u32(&v).ok_or_else(bad)?, None),
                    };
                    let (mark, mask) = match idx {
                        0 => (a, b.unwrap_or(u32::MAX)),
                        1 => (a, a | b.unwrap_or(u32::MAX)),
                        2 => (0, !a),
                        3 => (a, a),
                        _ => (a, 0),
                    };
                    mark_set.push((idx, mark, mask));
                }
                _ if is_long => {
                    // A match option: the latest loaded match that knows it,
                    // else the implicit match of -p tcp/udp/sctp.
                    let pname = match proto {
                        Some((6, _)) => Some("tcp"),
                        Some((17, _)) => Some("udp"),
                        Some((132, _)) => Some("sctp"),
                        _ => None,
                    };
                    let idx = match matches.iter().rposition(|m| m.knows(&name)) {
                        Some(i) => i,
                        None => {
                            let implicit = match pname {
                                Some("tcp") => Some(MatchB::Ports {
                                    udp: false,
                                    sport: None,
                                    dport: None,
                                }),
                                Some("udp") => Some(MatchB::Ports {
                                    udp: true,
                                    sport: None,
                                    dport: None,
                                }),
                                Some(_) => Some(MatchB::Sctp {
                                    sport: None,
                                    dport: None,
                                }),
                                None => None,
                            };
                            match implicit.filter(|m| m.knows(&name)) {
                                Some(m) => {
                                    matches.push(m);
                                    matches.len() - 1
                                }
                                None => {
                                    return Err(param(
                                        family,
                                        &format!("unknown option \"{dash}\""),
                                    ))
                                }
                            }
                        }
                    };
                    let v = value(&mut w)?;
                    let svc_proto = pname.unwrap_or("tcp");
                    let Some(m) = matches.get_mut(idx) else {
                        continue;
                    };
                    let mname = m.name();
                    match m {
                        MatchB::Ports { sport, dport, .. } | MatchB::Sctp { sport, dport } => {
                            let src = matches!(name.as_str(), "sport" | "source-port");
                            let slot = if src { sport } else { dport };
                            if slot.is_some() {
                                let canon = if src {
                                    "--source-port"
                                } else {
                                    "--destination-port"
                                };
                                // libxt_tcp still parses the old way.
                                let msg = if mname == "tcp" {
                                    format!("Only one `{canon}' allowed")
                                } else {
                                    format!("{mname}: option \"{canon}\" can only be used once.\n")
                                };
                                return Err(param(family, &msg));
                            }
                            *slot = Some((parse_port_range(family, &v, mname)?, inv));
                        }
                        MatchB::Multiport { set } => {
                            if !matches!(proto, Some((6 | 17 | 132 | 136 | 33, false))) {
                                return Err(param(
                                    family,
                                    "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
                                ));
                            }
                            let which = match name.as_str() {
                                "sports" | "source-ports" => MpWhich::Source,
                                "dports" | "destination-ports" => MpWhich::Destination,
                                _ => MpWhich::Either,
                            };
                            set.push((which, parse_multiport(family, &v, svc_proto)?, inv));
                        }
                        MatchB::Comment(c) => {
                            if inv {
                                return Err(param(
                                    family,
                                    "comment: option \"--comment\" cannot be inverted.\n",
                                ));
                            }
                            // xt_comment keeps at most 255 bytes.
                            let mut v = v;
                            let mut cut = v.len().min(255);
                            while !v.is_char_boundary(cut) {
                                cut -= 1;
                            }
                            v.truncate(cut);
                            *c = Some(v);
                        }
                    }
                }
                _ => return Err(param(family, &format!("unknown option \"{dash}\""))),
            }
        }
    }
    if invert {
        return Err(param(family, "unexpected ! flag"));
    }
    if family != fam0 {
        // -4/-6 only select texts and table; nothing else to do.
    }
    if let Some(extra) = leftovers.first() {
        return Err(bad_argument(family, extra));
    }
    let Some(kind) = cmd else {
        return Err(param(family, "no command specified"));
    };

    // Final checks of matches and target, as iptables' final_check hooks.
    let mut built: Vec<Match> = Vec::new();
    for m in &matches {
        match m {
            MatchB::Ports { udp, .. } if proto.map(|p| p.0) != Some(if *udp { 17 } else { 6 }) => {
                let m = if *udp {
                    "UDP match requires '-p udp'"
                } else {
                    "TCP match requires '-p tcp'"
                };
                return Err(param(family, m));
            }
            MatchB::Ports { udp, sport, dport } => built.push(Match::Ports {
                udp: *udp,
                sport: sport.map_or(ANY_PORTS, |p| p.0),
                dport: dport.map_or(ANY_PORTS, |p| p.0),
                sinv: sport.is_some_and(|p| p.1),
                dinv: dport.is_some_and(|p| p.1),
            }),
            MatchB::Sctp { sport, dport } => built.push(Match::Sctp {
                sport: sport.map(|p| p.0),
                dport: dport.map(|p| p.0),
                sinv: sport.is_some_and(|p| p.1),
                dinv: dport.is_some_and(|p| p.1),
            }),
            MatchB::Multiport { set } => {
                const CANON: [&str; 3] = ["source-ports", "destination-ports", "ports"];
                let mut kinds: Vec<usize> = set.iter().map(|(w, _, _)| *w as usize).collect();
                kinds.sort_unstable();
                kinds.dedup();
                if kinds.len() > 1 {
                    return Err(param(
                        family,
                        &format!(
                            "multiport: option \"--{}\" cannot be used together with \"--{}\".\n",
                            CANON[kinds[0]], CANON[kinds[1]]
                        ),
                    ));
                }
                if set.len() > 1 {
                    return Err(param(
                        family,
                        &format!(
                            "multiport: option \"--{}\" can only be used once.\n",
                            CANON[kinds[0]]
                        ),
                    ));
                }
                let Some((which, ports, inv)) = set.first() else {
                    return Err(param(family, "multiport expection an option"));
                };
                if !matches!(proto, Some((6 | 17 | 132 | 136 | 33, false))) {
                    return Err(param(
                        family,
                        "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
                    ));
                }
                built.push(Match::Multiport {
                    which: *which,
                    ports: ports.clone(),
                    inv: *inv,
                });
            }
            MatchB::Comment(c) => match c {
                Some(c) => built.push(Match::Comment(c.clone())),
                None => {
                    return Err(param(
                        family,
                        "comment: option \"--comment\" must be specified\n",
                    ))
                }
            },
        }
    }
    let target_v = match (&target, mark_set.first()) {
        (None, _) => Target::None,
        (Some(_), None) => {
            return Err(param(
                family,
                "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
            ))
        }
        (Some(_), Some(_)) if mark_set.len() > 1 => {
            let mut idx: Vec<usize> = mark_set.iter().map(|m| m.0).collect();
            idx.sort_unstable();
            return Err(param(
                family,
                &format!(
                    "MARK: option \"--{}\" cannot be used together with \"--{}\".\n",
                    MARK_OPTS[idx[0]], MARK_OPTS[idx[1]]
                ),
            ));
        }
        (Some(_), Some(&(_, mark, mask))) => Target::Mark { mark, mask },
    };

    let chain_s = chain.clone().unwrap_or_default();
    let rule_cmd = matches!(kind, CmdKind::A | CmdKind::I | CmdKind::C)
        || (kind == CmdKind::D && rulenum.is_none());
    // iptables' commands_v_options table: which options each command refuses.
    let present = [
        ("-n", opts.numeric),
        ("-s", srcs.is_some()),
        ("-d", dsts.is_some()),
        ("-p", proto_seen),
        ("-j", target.is_some()),
        ("-v", opts.verbose),
        ("-x", opts.exact),
        ("-i", iif.is_some()),
        ("-o", oif.is_some()),
        // iptables names --line-numbers by its option character, `0`.
        ("-0", opts.line_numbers),
    ];
    let illegal: &[&str] = if rule_cmd {
        &["-n", "-x", "-0"]
    } else if kind == CmdKind::L {
        &["-s", "-d", "-p", "-j", "-i", "-o"]
    } else {
        &["-n", "-s", "-d", "-p", "-j", "-x", "-i", "-o", "-0"]
    };
    if let Some((opt, _)) = present.iter().find(|(o, set)| *set && illegal.contains(o)) {
        return Err(param(
            family,
            &format!("Illegal option `{opt}' with this command"),
        ));
    }
    if rule_cmd {
        if let Some(b) = builtin(&chain_s) {
            if iif.is_some() && matches!(b.name, "OUTPUT" | "POSTROUTING") {
                return Err(param(family, &format!("Can't use -i with {}\n", b.name)));
            }
            if oif.is_some() && matches!(b.name, "PREROUTING" | "INPUT") {
                return Err(param(family, &format!("Can't use -o with {}\n", b.name)));
            }
        }
    }
    let mut rules = Vec::new();
    if rule_cmd {
        let s_list: Vec<Option<Addr>> = match &srcs {
            Some(v) => v.iter().cloned().map(Some).collect(),
            None => vec![None],
        };
        let d_list: Vec<Option<Addr>> = match &dsts {
            Some(v) => v.iter().cloned().map(Some).collect(),
            None => vec![None],
        };
        for s in &s_list {
            for d in &d_list {
                let norm = |a: &Option<Addr>| a.clone().filter(|a| a.mask.iter().any(|&b| b != 0));
                rules.push(Rule {
                    family,
                    iif: iif.clone(),
                    oif: oif.clone(),
                    proto,
                    src: norm(s),
                    dst: norm(d),
                    matches: built.clone(),
                    target: target_v.clone(),
                });
            }
        }
    }
    let cmd = match kind {
        CmdKind::A => Cmd::Append {
            chain: chain_s,
            rules,
        },
        CmdKind::I => Cmd::Insert {
            chain: chain_s,
            num: rulenum.unwrap_or(1),
            rules,
        },
        CmdKind::D => match rulenum {
            Some(num) => Cmd::DeleteNum {
                chain: chain_s,
                num,
            },
            None => Cmd::Delete {
                chain: chain_s,
                rules,
            },
        },
        CmdKind::C => Cmd::Check {
            chain: chain_s,
            rules,
        },
        CmdKind::F => Cmd::Flush {
            chain,
            verbose: opts.verbose,
        },
        CmdKind::S => Cmd::ListRules {
            chain,
            num: rulenum,
        },
        CmdKind::L => Cmd::List {
            chain,
            num: rulenum,
        },
        CmdKind::P => {
            let accept = match policy.as_deref() {
                Some("ACCEPT") => true,
                Some("DROP") => false,
                _ => {
                    return Err(MarkError::new(
                        format!(
                            "{}: Bad policy name. Run `dmesg' for more information.\n",
                            prog_name(family)
                        ),
                        1,
                    ))
                }
            };
            Cmd::Policy {
                chain: chain_s,
                accept,
            }
        }
    };
    Ok(Command { family, cmd, opts })
}
