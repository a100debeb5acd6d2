//! `-p icmp [-m icmp] [!] --icmp-type {type[/code]|name}` (IPv4) and
//! `-6 -p icmpv6 [-m icmp6] [!] --icmpv6-type …` (IPv6): the xt-compat
//! `icmp` / `icmp6` revision 0 matches over `struct ipt_icmp` /
//! `ip6t_icmp` (type, code range, invflags), with iptables' and
//! ip6tables' type names.

use super::{get8, no_init, owns_all, put8, strtoul_prefix, Codec, Given, Xt};
use crate::mark::grammar::options::Module;
use crate::mark::rule::{Family, Match};

const INV: u8 = 1;

/// A name: (name, type, lowest code, highest code).
type Name = (&'static str, u8, u8, u8);

/// What differs between icmp and icmp6.
struct Flavor {
    names: &'static [Name],
    /// In messages: `ICMP`, `ICMPv6`.
    what: &'static str,
    /// Module and option: `icmp`/`icmp-type`, `icmp6`/`icmpv6-type`.
    module: &'static str,
    option: &'static str,
    /// `-L`'s word: `icmp`, `ipv6-icmp`.
    label: &'static str,
    /// Whether type 255 saves as `any` (icmp only).
    any: bool,
}

const V4: Flavor = Flavor {
    names: &NAMES,
    what: "ICMP",
    module: "icmp",
    option: "icmp-type",
    label: "icmp",
    any: true,
};

const V6: Flavor = Flavor {
    names: &NAMES6,
    what: "ICMPv6",
    module: "icmp6",
    option: "icmpv6-type",
    label: "ipv6-icmp",
    any: false,
};

/// ip6tables' ICMPv6 names, in its order (aliases after the name).
const NAMES6: [Name; 28] = [
    ("destination-unreachable", 1, 0, 0xff),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 0xff),
    ("time-exceeded", 3, 0, 0xff),
    ("ttl-exceeded", 3, 0, 0xff),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 0xff),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 0xff),
    ("ping", 128, 0, 0xff),
    ("echo-reply", 129, 0, 0xff),
    ("pong", 129, 0, 0xff),
    ("router-solicitation", 133, 0, 0xff),
    ("router-advertisement", 134, 0, 0xff),
    ("neighbour-solicitation", 135, 0, 0xff),
    ("neighbor-solicitation", 135, 0, 0xff),
    ("neighbour-advertisement", 136, 0, 0xff),
    ("neighbor-advertisement", 136, 0, 0xff),
    ("redirect", 137, 0, 0xff),
];

/// iptables' ICMP names, in its order (aliases after the name they stand
/// for).
const NAMES: [Name; 40] = [
    ("any", 0xff, 0, 0xff),
    ("echo-reply", 0, 0, 0xff),
    ("pong", 0, 0, 0xff),
    ("destination-unreachable", 3, 0, 0xff),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 0xff),
    ("redirect", 5, 0, 0xff),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 0xff),
    ("ping", 8, 0, 0xff),
    ("router-advertisement", 9, 0, 0xff),
    ("router-solicitation", 10, 0, 0xff),
    ("time-exceeded", 11, 0, 0xff),
    ("ttl-exceeded", 11, 0, 0xff),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 0xff),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 0xff),
    ("timestamp-reply", 14, 0, 0xff),
    ("address-mask-request", 17, 0, 0xff),
    ("address-mask-reply", 18, 0, 0xff),
];

/// A name (any unambiguous prefix, any case) or `type[/code]`.
fn lookup(f: &Flavor, v: &str) -> Result<(u8, u8, u8), String> {
    let what = f.what;
    let mut found: Option<&Name> = None;
    for n in f.names.iter() {
        let hit =
            n.0.get(..v.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(v));
        if hit {
            if let Some(prev) = found {
                return Err(format!(
                    "Ambiguous {what} type `{v}': `{}' or `{}'?",
                    prev.0, n.0
                ));
            }
            found = Some(n);
        }
    }
    if let Some(&(_, t, lo, hi)) = found {
        return Ok((t, lo, hi));
    }
    numeric(f, v)
}

/// `type[/code]` by number, with libxt_icmp's texts.
fn numeric(f: &Flavor, v: &str) -> Result<(u8, u8, u8), String> {
    let what = f.what;
    let unknown = |c: &str| c.chars().next().map(|c| format!("unknown character {c}"));
    let Some((t, rest)) = strtoul_prefix(v, 0xff) else {
        return Err(format!("Unknown {what} type `{v}'"));
    };
    let Some(code) = rest.strip_prefix('/') else {
        return match unknown(rest) {
            Some(e) => Err(e),
            None => Ok((t as u8, 0, 0xff)),
        };
    };
    let Some((c, rest)) = strtoul_prefix(code, 0xff) else {
        return Err(format!("Unknown {what} code `{v}'"));
    };
    match unknown(rest) {
        Some(e) => Err(e),
        None => Ok((t as u8, c as u8, c as u8)),
    }
}

fn parse(f: &Flavor, xt: &mut Xt, g: &Given) -> Result<(), String> {
    let (t, lo, hi) = lookup(f, g.value())?;
    put8(&mut xt.info, 0, t);
    put8(&mut xt.info, 1, lo);
    put8(&mut xt.info, 2, hi);
    put8(&mut xt.info, 3, if g.inv { INV } else { 0 });
    Ok(())
}

fn finish(f: &Flavor, c: &Codec, xt: &Xt) -> Result<Match, String> {
    if xt.seen == 0 {
        return Err(format!(
            "{}: option \"--{}\" must be specified\n",
            f.module, f.option
        ));
    }
    Ok(super::xt_match(c, xt))
}

fn fields(info: &[u8]) -> (u8, u8, u8, bool) {
    (
        get8(info, 0),
        get8(info, 1),
        get8(info, 2),
        get8(info, 3) & INV != 0,
    )
}

fn save(f: &Flavor, info: &[u8]) -> Option<String> {
    let (t, lo, hi, inv) = fields(info);
    let mut out = String::from(if inv { " !" } else { "" });
    if t == 0xff && f.any {
        out.push_str(&format!(" --{} any", f.option));
    } else {
        out.push_str(&format!(" --{} {t}", f.option));
        if lo != 0 || hi != 0xff {
            out.push_str(&format!("/{lo}"));
        }
    }
    Some(out)
}

fn print(f: &Flavor, info: &[u8], numeric: bool) -> Option<String> {
    let (t, lo, hi, inv) = fields(info);
    let bang = if inv { "!" } else { "" };
    let label = f.label;
    if !numeric {
        if let Some(n) = f.names.iter().find(|n| (n.1, n.2, n.3) == (t, lo, hi)) {
            return Some(format!(" {label} {bang}{}", n.0));
        }
    }
    let mut out = format!(" {label}{}type {t}", if inv { " !" } else { "" });
    if lo == hi {
        out.push_str(&format!(" code {lo}"));
    } else if lo != 0 || hi != 0xff {
        out.push_str(&format!(" codes {lo}-{hi}"));
    }
    Some(out)
}

fn parse4(xt: &mut Xt, g: &Given) -> Result<(), String> {
    parse(&V4, xt, g)
}
fn finish4(xt: &Xt, _f: Family) -> Result<Match, String> {
    finish(&V4, &ICMP, xt)
}
fn save4(info: &[u8], _f: Family) -> Option<String> {
    save(&V4, info)
}
fn print4(info: &[u8], _f: Family, numeric: bool) -> Option<String> {
    print(&V4, info, numeric)
}
fn parse6(xt: &mut Xt, g: &Given) -> Result<(), String> {
    parse(&V6, xt, g)
}
fn finish6(xt: &Xt, _f: Family) -> Result<Match, String> {
    finish(&V6, &ICMP6, xt)
}
fn save6(info: &[u8], _f: Family) -> Option<String> {
    save(&V6, info)
}
fn print6(info: &[u8], _f: Family, numeric: bool) -> Option<String> {
    print(&V6, info, numeric)
}

pub const ICMP: Codec = Codec {
    module: Module::Icmp,
    xt_name: "icmp",
    rev: 0,
    size: 8,
    init: no_init,
    parse: parse4,
    finish: finish4,
    owns: owns_all,
    save: save4,
    print: print4,
};

pub const ICMP6: Codec = Codec {
    module: Module::Icmp6,
    xt_name: "icmp6",
    rev: 0,
    size: 8,
    init: no_init,
    parse: parse6,
    finish: finish6,
    owns: owns_all,
    save: save6,
    print: print6,
};
