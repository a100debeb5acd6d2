//! `-S` and `-L` output, byte for byte as `iptables -t mangle -S/-L` 1.8.9
//! prints it (pure apart from libc name lookups when `-n` is absent).

use super::grammar::ListOpts;
use super::names;
use super::plan::{TableState, BUILTINS};
use super::rule::*;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A chain to print: name, builtin policy (None for user chains), counters,
/// and its parsed rules with counters.
struct View<'a> {
    name: &'a str,
    policy: Option<u32>,
    counters: (u64, u64),
    rules: Vec<Option<(Rule, (u64, u64))>>,
}

fn views<'a>(state: &'a TableState, family: Family) -> Vec<View<'a>> {
    let parse = |c: &super::plan::ChainState| {
        c.rules
            .iter()
            .map(|r| Rule::from_exprs(family, &r.exprs))
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for b in BUILTINS.iter() {
        match state.chain(b.name) {
            Some(c) => out.push(View {
                name: b.name,
                policy: Some(c.policy.unwrap_or(1)),
                counters: c.counters,
                rules: parse(c),
            }),
            None => out.push(View {
                name: b.name,
                policy: Some(1),
                counters: (0, 0),
                rules: Vec::new(),
            }),
        }
    }
    // User-defined chains follow, sorted by name as iptables lists them.
    let mut user: Vec<&super::plan::ChainState> = state
        .chains
        .iter()
        .filter(|c| BUILTINS.iter().all(|b| b.name != c.name))
        .collect();
    user.sort_by(|a, b| a.name.cmp(&b.name));
    for c in user {
        out.push(View {
            name: &c.name,
            policy: if c.base.is_some() {
                Some(c.policy.unwrap_or(1))
            } else {
                None
            },
            counters: c.counters,
            rules: parse(c),
        });
    }
    out
}

fn policy_name(p: u32) -> &'static str {
    if p == 1 {
        "ACCEPT"
    } else {
        "DROP"
    }
}

pub(crate) fn addr_text(family: Family, a: &[u8]) -> String {
    match family {
        Family::V4 => match <[u8; 4]>::try_from(a) {
            Ok(b) => Ipv4Addr::from(b).to_string(),
            Err(_) => String::new(),
        },
        Family::V6 => match <[u8; 16]>::try_from(a) {
            Ok(b) => Ipv6Addr::from(b).to_string(),
            Err(_) => String::new(),
        },
    }
}

fn save_addr(out: &mut String, family: Family, letter: char, a: &Addr) {
    let inv = if a.inv { "! " } else { "" };
    let m = match crate::inet::mask_prefix(&a.mask) {
        Some(n) => n.to_string(),
        None => addr_text(family, &a.mask),
    };
    let _ = write!(out, " {inv}-{letter} {}/{m}", addr_text(family, &a.addr));
}

fn save_iface(out: &mut String, letter: char, i: &Iface) {
    let inv = if i.inv { "! " } else { "" };
    let _ = write!(out, " {inv}-{letter} {}", i.display());
}

fn proto_save_name(p: u8) -> String {
    names::proto_name(p)
        .or_else(|| builtin_proto_name(p).map(str::to_string))
        .unwrap_or_else(|| p.to_string())
}

fn builtin_proto_name(p: u8) -> Option<&'static str> {
    Some(match p {
        6 => "tcp",
        132 => "sctp",
        17 => "udp",
        136 => "udplite",
        1 => "icmp",
        58 => "ipv6-icmp",
        50 => "esp",
        51 => "ah",
        135 => "ipv6-mh",
        0 => "all",
        _ => return None,
    })
}

fn proto_list_name(p: u8) -> Option<String> {
    builtin_proto_name(p).map(str::to_string).or_else(|| {
        if p != 0 {
            names::proto_name(p)
        } else {
            None
        }
    })
}

/// iptables' xtables_save_string.
fn save_string(out: &mut String, s: &str) {
    let plain = |c: char| c == '_' || c == '-' || c.is_ascii_alphanumeric();
    if !s.is_empty() && s.chars().all(plain) {
        let _ = write!(out, " {s}");
        return;
    }
    out.push_str(" \"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn save_ports(out: &mut String, opt: &str, p: Ports, inv: bool) {
    if inv {
        out.push_str(" !");
    }
    if p.0 != p.1 {
        let _ = write!(out, " --{opt} {}:{}", p.0, p.1);
    } else {
        let _ = write!(out, " --{opt} {}", p.0);
    }
}

fn mp_list(ports: &[Ports], mut f: impl FnMut(u16) -> String) -> String {
    let mut s = String::new();
    for (i, p) in ports.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&f(p.0));
        if p.0 != p.1 {
            s.push(':');
            s.push_str(&f(p.1));
        }
    }
    s
}

fn verdict_name(code: i32, chain: &Option<String>) -> String {
    match code {
        1 => "ACCEPT".into(),
        0 => "DROP".into(),
        -5 => "RETURN".into(),
        -3 | -4 => chain.clone().unwrap_or_default(),
        _ => format!("verdict {code}"),
    }
}

/// One `-A` line (without newline); `counters` (packets, bytes) for `-S -v`.
pub fn save_rule(chain: &str, r: &Rule, counters: Option<(u64, u64)>) -> String {
    let mut out = format!("-A {chain}");
    if let Some(a) = &r.src {
        save_addr(&mut out, r.family, 's', a);
    }
    if let Some(a) = &r.dst {
        save_addr(&mut out, r.family, 'd', a);
    }
    // A lone `+` matches every interface and is not shown.
    let shown = |i: &&Iface| !(i.wildcard && i.name.is_empty());
    if let Some(i) = r.iif.as_ref().filter(shown) {
        save_iface(&mut out, 'i', i);
    }
    if let Some(i) = r.oif.as_ref().filter(shown) {
        save_iface(&mut out, 'o', i);
    }
    if let Some((p, inv)) = r.proto {
        let _ = write!(
            out,
            " {}-p {}",
            if inv { "! " } else { "" },
            proto_save_name(p)
        );
    }
    for m in &r.matches {
        save_match(&mut out, m, r.family);
    }
    if let Some((p, b)) = counters {
        let _ = write!(out, " -c {p} {b}");
    }
    save_target(&mut out, &r.target);
    out
}

/// One match of a rule as `-S` writes it (appended to `out`).
fn save_match(out: &mut String, m: &Match, family: Family) {
    match m {
        Match::Ports {
            udp,
            sport,
            dport,
            sinv,
            dinv,
            tcp,
        } => {
            out.push_str(if *udp { " -m udp" } else { " -m tcp" });
            if *sport != ANY_PORTS || *sinv {
                save_ports(out, "sport", *sport, *sinv);
            }
            if *dport != ANY_PORTS || *dinv {
                save_ports(out, "dport", *dport, *dinv);
            }
            out.push_str(&super::matches::tcp::save(tcp));
        }
        Match::Sctp {
            sport,
            dport,
            sinv,
            dinv,
            chunks,
        } => {
            out.push_str(" -m sctp");
            if let Some(p) = sport {
                save_ports(out, "sport", *p, *sinv);
            }
            if let Some(p) = dport {
                save_ports(out, "dport", *p, *dinv);
            }
            if let Some(c) = chunks {
                out.push_str(&super::matches::sctp::save(c));
            }
        }
        Match::Multiport { which, ports, inv } => {
            out.push_str(" -m multiport");
            if *inv {
                out.push_str(" !");
            }
            out.push_str(match which {
                MpWhich::Source => " --sports ",
                MpWhich::Destination => " --dports ",
                MpWhich::Either => " --ports ",
            });
            out.push_str(&mp_list(ports, |p| p.to_string()));
        }
        Match::Comment(c) => {
            out.push_str(" -m comment --comment");
            save_string(out, c);
        }
        Match::Mark { mark, mask, inv } => {
            out.push_str(" -m mark");
            out.push_str(&super::matches::mark::save_text(*mark, *mask, *inv));
        }
        Match::Xt { name, rev, info } => match super::matches::save(name, *rev, info, family) {
            Some(t) => out.push_str(&t),
            None => {
                let _ = write!(out, " -m {name}");
            }
        },
    }
}

/// The rule's target as `-S` writes it (appended to `out`).
fn save_target(out: &mut String, target: &Target) {
    match target {
        Target::None => {}
        Target::Mark { mark, mask } => {
            let _ = write!(out, " -j MARK --set-xmark 0x{mark:x}/0x{mask:x}");
        }
        Target::Verdict { code, chain } => {
            let g = if *code == -4 { "-g" } else { "-j" };
            let _ = write!(out, " {g} {}", verdict_name(*code, chain));
        }
        Target::Connmark(c) => save_connmark(out, c),
        Target::Xt { name, .. } => {
            let _ = write!(out, " -j {name}");
        }
    }
}

// CONNMARK (issue 20): libxt_CONNMARK revision 2's save and print texts.

fn shift_name(dir: u8) -> &'static str {
    if dir == 0 {
        "left-shift-mark"
    } else {
        "right-shift-mark"
    }
}

/// ` -j CONNMARK …` as `-S` prints it.
fn save_connmark(out: &mut String, c: &Connmark) {
    out.push_str(" -j CONNMARK");
    let op = match c.mode {
        ConnmarkMode::Set => {
            let _ = write!(out, " --set-xmark 0x{:x}/0x{:x}", c.ctmark, c.ctmask);
            None
        }
        ConnmarkMode::Save => Some("save"),
        ConnmarkMode::Restore => Some("restore"),
    };
    if let Some(op) = op {
        let _ = write!(
            out,
            " --{op}-mark --nfmask 0x{:x} --ctmask 0x{:x}",
            c.nfmask, c.ctmask
        );
    }
    if c.shift_bits != 0 {
        let _ = write!(out, " --{} {}", shift_name(c.shift_dir), c.shift_bits);
    }
}

/// ` CONNMARK …` as `-L` prints it after the matches.
fn print_connmark(out: &mut String, c: &Connmark) {
    let (ct, nf) = (c.ctmask, c.nfmask);
    match c.mode {
        ConnmarkMode::Set => {
            let _ = match (c.ctmark, ct) {
                (0, _) => write!(out, " CONNMARK and 0x{:x}", !ct),
                (m, k) if m == k => write!(out, " CONNMARK or 0x{m:x}"),
                (m, 0) => write!(out, " CONNMARK xor 0x{m:x}"),
                (m, u32::MAX) => write!(out, " CONNMARK set 0x{m:x}"),
                (m, k) => write!(out, " CONNMARK xset 0x{m:x}/0x{k:x}"),
            };
        }
        ConnmarkMode::Save => {
            let _ = if nf == u32::MAX && ct == u32::MAX {
                write!(out, " CONNMARK save")
            } else if nf == ct {
                write!(out, " CONNMARK save mask 0x{nf:x}")
            } else {
                write!(out, " CONNMARK save nfmask 0x{nf:x} ctmask ~0x{ct:x}")
            };
        }
        ConnmarkMode::Restore => {
            let _ = if nf == u32::MAX && ct == u32::MAX {
                write!(out, " CONNMARK restore")
            } else if nf == ct {
                write!(out, " CONNMARK restore mask 0x{ct:x}")
            } else {
                write!(out, " CONNMARK restore ctmask 0x{ct:x} nfmask ~0x{nf:x}")
            };
        }
    }
    if c.shift_bits != 0 {
        let _ = write!(out, " {} {}", shift_name(c.shift_dir), c.shift_bits);
    }
}

/// `-S [chain [num]]`.
pub fn list_rules(
    state: &TableState,
    family: Family,
    chain: Option<&str>,
    num: Option<u32>,
    verbose: bool,
) -> String {
    let vs = views(state, family);
    let mut out = String::new();
    let selected: Vec<&View> = vs
        .iter()
        .filter(|v| chain.is_none_or(|c| c == v.name))
        .collect();
    if num.is_none() {
        for v in &selected {
            match v.policy {
                Some(p) => {
                    let _ = write!(out, "-P {} {}", v.name, policy_name(p));
                    if verbose {
                        let _ = write!(out, " -c {} {}", v.counters.0, v.counters.1);
                    }
                    out.push('\n');
                }
                None => {
                    let _ = writeln!(out, "-N {}", v.name);
                }
            }
        }
    }
    for v in &selected {
        for (i, r) in v.rules.iter().enumerate() {
            if num.is_some_and(|n| n as usize != i + 1) {
                continue;
            }
            match r {
                Some((r, c)) => {
                    let _ = writeln!(out, "{}", save_rule(v.name, r, verbose.then_some(*c)));
                }
                None => {
                    let _ = writeln!(out, "-A {} [unsupported rule]", v.name);
                }
            }
        }
    }
    out
}

/// xtables_print_num.
fn num(out: &mut String, n: u64, opts: &ListOpts, notable: bool) {
    if opts.exact {
        if notable {
            let _ = write!(out, "{n} ");
        } else {
            let _ = write!(out, "{n:8} ");
        }
        return;
    }
    if n <= 99999 {
        if notable {
            let _ = write!(out, "{n} ");
        } else {
            let _ = write!(out, "{n:5} ");
        }
        return;
    }
    let mut n = n;
    for unit in ['K', 'M', 'G'] {
        n = (n + 500) / 1000;
        if n <= 9999 {
            if notable {
                let _ = write!(out, "{n}{unit} ");
            } else {
                let _ = write!(out, "{n:4}{unit} ");
            }
            return;
        }
    }
    n = (n + 500) / 1000;
    if notable {
        let _ = write!(out, "{n}T ");
    } else {
        let _ = write!(out, "{n:4}T ");
    }
}

fn network_name(a: &[u8]) -> Option<String> {
    let v = u32::from_be_bytes(a.try_into().ok()?);
    let text = std::fs::read_to_string("/etc/networks").ok()?;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut it = line.split_whitespace();
        let (Some(name), Some(numtxt)) = (it.next(), it.next()) else {
            continue;
        };
        let mut parts: Vec<u32> = Vec::new();
        for p in numtxt.split('.') {
            match p.parse::<u32>() {
                Ok(x) if x <= 255 => parts.push(x),
                _ => break,
            }
        }
        if parts.is_empty() || parts.len() > 4 {
            continue;
        }
        // inet_network: "a.b" means a<<8|b.
        let n = parts.iter().fold(0u32, |acc, x| (acc << 8) | x);
        if n == v {
            return Some(name.to_string());
        }
    }
    None
}

fn list_addr(family: Family, a: &Option<Addr>, numeric: bool) -> (char, String) {
    let Some(a) = a else {
        let any = if numeric {
            match family {
                Family::V4 => "0.0.0.0/0",
                Family::V6 => "::/0",
            }
        } else {
            "anywhere"
        };
        return (' ', any.to_string());
    };
    let mut s = if numeric {
        addr_text(family, &a.addr)
    } else {
        names::host_name(&a.addr)
            .or_else(|| {
                if family == Family::V4 {
                    network_name(&a.addr)
                } else {
                    None
                }
            })
            .unwrap_or_else(|| addr_text(family, &a.addr))
    };
    let full = a.mask.iter().all(|&b| b == 0xff);
    if !full {
        match crate::inet::mask_prefix(&a.mask) {
            Some(n) => {
                let _ = write!(s, "/{n}");
            }
            None => {
                let _ = write!(s, "/{}", addr_text(family, &a.mask));
            }
        }
    }
    (if a.inv { '!' } else { ' ' }, s)
}

fn port_text(p: u16, proto: &str, numeric: bool) -> String {
    if numeric {
        return p.to_string();
    }
    names::service_name(p, proto).unwrap_or_else(|| p.to_string())
}

fn print_ports(out: &mut String, name: &str, p: Ports, inv: bool, proto: &str, numeric: bool) {
    if p == ANY_PORTS && !inv {
        return;
    }
    let i = if inv { "!" } else { "" };
    if p.0 == p.1 {
        let _ = write!(out, " {name}:{i}{}", port_text(p.0, proto, numeric));
    } else {
        let _ = write!(
            out,
            " {name}s:{i}{}:{}",
            port_text(p.0, proto, numeric),
            port_text(p.1, proto, numeric)
        );
    }
}

fn rule_line(out: &mut String, n: usize, r: &Rule, ctr: (u64, u64), opts: &ListOpts) {
    if opts.line_numbers {
        let _ = write!(out, "{n:<4} ");
    }
    if opts.verbose {
        num(out, ctr.0, opts, false);
        num(out, ctr.1, opts, false);
    }
    let tname = target_name(&r.target);
    let _ = write!(out, "{tname:<9} ");
    let (p, pinv) = r.proto.unwrap_or((0, false));
    out.push(if pinv { '!' } else { ' ' });
    match (opts.numeric, proto_list_name(p)) {
        (false, Some(name)) => {
            let _ = write!(out, "{name:<4} ");
        }
        _ => {
            let _ = write!(out, "{p:<4} ");
        }
    }
    out.push_str("-- ");
    if opts.verbose {
        let ifc = |i: &Option<Iface>| -> String {
            match i {
                Some(i) if !(i.wildcard && i.name.is_empty()) => {
                    format!("{}{}", if i.inv { "!" } else { "" }, i.display())
                }
                _ => if opts.numeric { "*" } else { "any" }.into(),
            }
        };
        let _ = write!(out, " {:<6} ", ifc(&r.iif));
        let _ = write!(out, "{:<6} ", ifc(&r.oif));
    }
    let (si, s) = list_addr(r.family, &r.src, opts.numeric);
    let _ = write!(out, "{si}{s:<19} ");
    let (di, d) = list_addr(r.family, &r.dst, opts.numeric);
    let _ = write!(out, "{di}{d:<19} ");
    if let Target::Verdict { code: -4, .. } = r.target {
        out.push_str("[goto] ");
    }
    tail(out, r, opts.numeric);
    out.push('\n');
}

/// Matches and the MARK target as `-L` prints them after the addresses.
fn tail(out: &mut String, r: &Rule, numeric: bool) {
    let p = r.proto.map_or(0, |p| p.0);
    let opts = ListOpts {
        numeric,
        ..Default::default()
    };
    let svc = match p {
        17 => "udp",
        132 => "sctp",
        _ => "tcp",
    };
    for m in &r.matches {
        match m {
            Match::Ports {
                udp,
                sport,
                dport,
                sinv,
                dinv,
                tcp,
            } => {
                let pn = if *udp { "udp" } else { "tcp" };
                let _ = write!(out, " {pn}");
                print_ports(out, "spt", *sport, *sinv, pn, opts.numeric);
                print_ports(out, "dpt", *dport, *dinv, pn, opts.numeric);
                out.push_str(&super::matches::tcp::print(tcp, opts.numeric));
            }
            Match::Sctp {
                sport,
                dport,
                sinv,
                dinv,
                chunks,
            } => {
                out.push_str(" sctp");
                if let Some(sp) = sport {
                    print_ports(out, "spt", *sp, *sinv, "sctp", opts.numeric);
                }
                if let Some(dp) = dport {
                    print_ports(out, "dpt", *dp, *dinv, "sctp", opts.numeric);
                }
                if let Some(c) = chunks {
                    out.push_str(&super::matches::sctp::print(c, opts.numeric));
                }
            }
            Match::Multiport { which, ports, inv } => {
                out.push_str(" multiport ");
                out.push_str(match which {
                    MpWhich::Source => "sports ",
                    MpWhich::Destination => "dports ",
                    MpWhich::Either => "ports ",
                });
                if *inv {
                    out.push_str(" !");
                }
                out.push_str(&mp_list(ports, |x| port_text(x, svc, opts.numeric)));
            }
            Match::Comment(c) => {
                let _ = write!(out, " /* {c} */");
            }
            Match::Mark { mark, mask, inv } => {
                out.push_str(&super::matches::mark::print_mark(*mark, *mask, *inv));
            }
            Match::Xt { name, rev, info } => {
                match super::matches::print(name, *rev, info, r.family, opts.numeric) {
                    Some(t) => out.push_str(&t),
                    None => {
                        let _ = write!(out, " {name}");
                    }
                }
            }
        }
    }
    if let Target::Connmark(c) = &r.target {
        print_connmark(out, c);
    }
    if let Target::Mark { mark, mask } = r.target {
        if mark == 0 {
            let _ = write!(out, " MARK and 0x{:x}", !mask);
        } else if mark == mask {
            let _ = write!(out, " MARK or 0x{mark:x}");
        } else if mask == 0 {
            let _ = write!(out, " MARK xor 0x{mark:x}");
        } else if mask == u32::MAX {
            let _ = write!(out, " MARK set 0x{mark:x}");
        } else {
            let _ = write!(out, " MARK xset 0x{mark:x}/0x{mask:x}");
        }
    }
}

/// The target column of `-L` and of the `-v` echo.
fn target_name(t: &Target) -> String {
    match t {
        Target::None => String::new(),
        Target::Mark { .. } => "MARK".into(),
        Target::Connmark(_) => "CONNMARK".into(),
        Target::Verdict { code, chain } => verdict_name(*code, chain),
        Target::Xt { name, .. } => name.clone(),
    }
}

/// The rule line iptables prints for `-A/-I/-D/-C … -v` (FMT_NOTABLE).
pub fn notable(r: &Rule) -> String {
    let mut out = String::new();
    let tname = target_name(&r.target);
    let _ = write!(out, "{tname} ");
    let (p, pinv) = r.proto.unwrap_or((0, false));
    out.push(if pinv { '!' } else { ' ' });
    match proto_list_name(p) {
        Some(name) => {
            let _ = write!(out, "{name} ");
        }
        None => {
            let _ = write!(out, "{p} ");
        }
    }
    out.push_str("opt -- ");
    let ifc = |i: &Option<Iface>| -> String {
        match i {
            Some(i) if !(i.wildcard && i.name.is_empty()) => {
                format!("{}{}", if i.inv { "!" } else { "" }, i.display())
            }
            _ => "*".into(),
        }
    };
    let _ = write!(out, "in {} out {} ", ifc(&r.iif), ifc(&r.oif));
    let (si, s) = list_addr(r.family, &r.src, true);
    let _ = write!(out, "{si}{s} ");
    let (di, d) = list_addr(r.family, &r.dst, true);
    let _ = write!(out, "{di}-> {d}");
    out.push_str("  ");
    if let Target::Verdict { code: -4, .. } = r.target {
        out.push_str("[goto] ");
    }
    tail(&mut out, r, true);
    out.push('\n');
    out
}

fn header(out: &mut String, opts: &ListOpts) {
    if opts.line_numbers {
        out.push_str("num  ");
    }
    if opts.verbose {
        if opts.exact {
            let _ = write!(out, "{:>8} {:>10} ", "pkts", "bytes");
        } else {
            let _ = write!(out, "{:>5} {:>5} ", "pkts", "bytes");
        }
    }
    let _ = write!(out, "{:<9} ", "target");
    out.push_str(" prot opt");
    if opts.verbose {
        let _ = write!(out, " {:<6} {:<6} ", "in", "out");
    }
    let _ = writeln!(out, " {:<20} {:<19} ", "source", "destination");
}

/// `-L [chain [num]]` with its listing options.
pub fn list(
    state: &TableState,
    family: Family,
    chain: Option<&str>,
    rnum: Option<u32>,
    opts: &ListOpts,
) -> String {
    let vs = views(state, family);
    let mut out = String::new();
    let mut first = true;
    for v in vs.iter().filter(|v| chain.is_none_or(|c| c == v.name)) {
        if let Some(n) = rnum {
            if let Some(Some((r, c))) = v.rules.get((n as usize).saturating_sub(1)) {
                rule_line(&mut out, n as usize, r, *c, opts);
            }
            continue;
        }
        if !first {
            out.push('\n');
        }
        first = false;
        let _ = write!(out, "Chain {} (", v.name);
        match v.policy {
            Some(p) => {
                let _ = write!(out, "policy {}", policy_name(p));
                if opts.verbose {
                    out.push(' ');
                    num(&mut out, v.counters.0, opts, true);
                    out.push_str("packets, ");
                    num(&mut out, v.counters.1, opts, true);
                    out.push_str("bytes");
                }
            }
            None => {
                // Jumps and gotos to this chain from any rule of the table.
                let refs = vs
                    .iter()
                    .flat_map(|w| w.rules.iter())
                    .filter(|r| {
                        matches!(r, Some((Rule { target: Target::Verdict { code: -3 | -4, chain: Some(c) }, .. }, _)) if c == v.name)
                    })
                    .count();
                let _ = write!(out, "{refs} references");
            }
        }
        out.push_str(")\n");
        header(&mut out, opts);
        for (i, r) in v.rules.iter().enumerate() {
            match r {
                Some((r, c)) => rule_line(&mut out, i + 1, r, *c, opts),
                None => out.push_str("[unsupported rule]\n"),
            }
        }
    }
    out
}
