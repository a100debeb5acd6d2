//! `-p icmp [-m icmp] [!] --icmp-type {type[/code]|name}` (IPv4 only): the
//! xt-compat `icmp` revision 0 match over `struct ipt_icmp` (type, code
//! range, invflags), with iptables' type names.

use super::{get8, no_init, owns_all, put8, strtoul_prefix, Codec, Given, Xt};
use crate::mark::grammar::options::Module;
use crate::mark::rule::{Family, Match};

const INV: u8 = 1;

/// iptables' ICMP names: (name, type, lowest code, highest code), in its
/// order (aliases after the name they stand for).
const NAMES: [(&str, u8, u8, u8); 40] = [
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
fn lookup(v: &str) -> Result<(u8, u8, u8), String> {
    let mut found: Option<&(&str, u8, u8, u8)> = None;
    for n in NAMES.iter() {
        let hit =
            n.0.get(..v.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(v));
        if hit {
            if let Some(prev) = found {
                return Err(format!(
                    "Ambiguous ICMP type `{v}': `{}' or `{}'?",
                    prev.0, n.0
                ));
            }
            found = Some(n);
        }
    }
    if let Some(&(_, t, lo, hi)) = found {
        return Ok((t, lo, hi));
    }
    let (ty, code) = match v.split_once('/') {
        Some((t, c)) => (t, Some(c)),
        None => (v, None),
    };
    let t = match strtoul_prefix(ty, 0xff) {
        Some((n, "")) => n as u8,
        _ => return Err(format!("Unknown ICMP type `{v}'")),
    };
    match code {
        None => Ok((t, 0, 0xff)),
        Some(c) => match strtoul_prefix(c, 0xff) {
            Some((n, "")) => Ok((t, n as u8, n as u8)),
            _ => Err(format!("Unknown ICMP code `{v}'")),
        },
    }
}

fn parse(xt: &mut Xt, g: &Given) -> Result<(), String> {
    let (t, lo, hi) = lookup(g.value())?;
    put8(&mut xt.info, 0, t);
    put8(&mut xt.info, 1, lo);
    put8(&mut xt.info, 2, hi);
    put8(&mut xt.info, 3, if g.inv { INV } else { 0 });
    Ok(())
}

fn finish(xt: &Xt, _f: Family) -> Result<Match, String> {
    if xt.seen == 0 {
        return Err("icmp: option \"--icmp-type\" must be specified\n".into());
    }
    Ok(super::xt_match(&ICMP, xt))
}

fn fields(info: &[u8]) -> (u8, u8, u8, bool) {
    (
        get8(info, 0),
        get8(info, 1),
        get8(info, 2),
        get8(info, 3) & INV != 0,
    )
}

fn save(info: &[u8], _f: Family) -> Option<String> {
    let (t, lo, hi, inv) = fields(info);
    let mut out = String::from(if inv { " !" } else { "" });
    if t == 0xff {
        out.push_str(" --icmp-type any");
    } else {
        out.push_str(&format!(" --icmp-type {t}"));
        if lo != 0 || hi != 0xff {
            out.push_str(&format!("/{lo}"));
        }
    }
    Some(out)
}

fn print(info: &[u8], _f: Family, numeric: bool) -> Option<String> {
    let (t, lo, hi, inv) = fields(info);
    let bang = if inv { "!" } else { "" };
    if !numeric {
        if let Some(n) = NAMES.iter().find(|n| (n.1, n.2, n.3) == (t, lo, hi)) {
            return Some(format!(" icmp {bang}{}", n.0));
        }
    }
    let mut out = format!(" icmp{}type {t}", if inv { " !" } else { "" });
    if lo == hi {
        out.push_str(&format!(" code {lo}"));
    } else if lo != 0 || hi != 0xff {
        out.push_str(&format!(" codes {lo}-{hi}"));
    }
    Some(out)
}

pub const ICMP: Codec = Codec {
    module: Module::Icmp,
    xt_name: "icmp",
    rev: 0,
    size: 8,
    init: no_init,
    parse,
    finish,
    owns: owns_all,
    save,
    print,
};
