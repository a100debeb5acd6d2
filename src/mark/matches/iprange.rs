//! `-m iprange [!] --src-range A-B [!] --dst-range A-B`: the xt-compat
//! `iprange` revision 1 match over `struct xt_iprange_mtinfo` (four
//! 16-byte addresses and a flags byte; 72 bytes).

use super::{get8, no_init, owns_all, put8, put_bytes, Codec, Given, Xt};
use crate::mark::grammar::options::Module;
use crate::mark::rule::{Family, Match};
use std::net::Ipv6Addr;

const FLAGS: usize = 64;
const SRC: u8 = 1;
const DST: u8 = 2;
const SRC_INV: u8 = 0x10;
const DST_INV: u8 = 0x20;

/// Option ids.
pub mod id {
    pub const SRC: u8 = 0;
    pub const DST: u8 = 1;
}

fn numeric(family: Family, s: &str) -> Option<Vec<u8>> {
    let mut v = match family {
        Family::V4 => super::dotted4(s)?,
        Family::V6 => s.parse::<Ipv6Addr>().ok()?.octets().to_vec(),
    };
    v.resize(16, 0);
    Some(v)
}

fn parse(xt: &mut Xt, g: &Given) -> Result<(), String> {
    let v = g.value();
    let bad = |s: &str| format!("iprange: Bad value for \"{}\" option: \"{s}\"", g.dash());
    let (a, b) = v.split_once('-').unwrap_or((v, v));
    let lo = numeric(g.family, a).ok_or_else(|| bad(a))?;
    let hi = numeric(g.family, b).ok_or_else(|| bad(b))?;
    let (off, flag, inv) = if g.id == id::SRC {
        (0, SRC, SRC_INV)
    } else {
        (32, DST, DST_INV)
    };
    if lo > hi {
        let alen = g.family.addr_len();
        let text = |a: &[u8]| crate::mark::print::addr_text(g.family, a.get(..alen).unwrap_or(&[]));
        xt.warnings.push(format!(
            "xt_iprange: range {}-{} is reversed and will never match\n",
            text(&lo),
            text(&hi)
        ));
    }
    put_bytes(&mut xt.info, off, &lo);
    put_bytes(&mut xt.info, off + 16, &hi);
    let mut f = get8(&xt.info, FLAGS) | flag;
    if g.inv {
        f |= inv;
    }
    put8(&mut xt.info, FLAGS, f);
    Ok(())
}

fn finish(xt: &Xt, _f: Family) -> Result<Match, String> {
    if xt.seen == 0 {
        return Err("iprange match: You must specify `--src-range' or `--dst-range'".into());
    }
    Ok(super::xt_match(&IPRANGE, xt))
}

fn range_text(info: &[u8], off: usize, family: Family) -> String {
    let alen = family.addr_len();
    let a = |o: usize| crate::mark::print::addr_text(family, info.get(o..o + alen).unwrap_or(&[]));
    format!("{}-{}", a(off), a(off + 16))
}

fn text(info: &[u8], family: Family, save: bool) -> String {
    let f = get8(info, FLAGS);
    let mut out = String::new();
    for (flag, inv, off, opt, label) in [
        (SRC, SRC_INV, 0, "--src-range", "source IP range"),
        (DST, DST_INV, 32, "--dst-range", "destination IP range"),
    ] {
        if f & flag == 0 {
            continue;
        }
        let bang = if f & inv != 0 { " !" } else { "" };
        let r = range_text(info, off, family);
        if save {
            out.push_str(&format!("{bang} {opt} {r}"));
        } else {
            out.push_str(&format!(" {label}{bang} {r}"));
        }
    }
    out
}

fn save(info: &[u8], family: Family) -> Option<String> {
    Some(text(info, family, true))
}

fn print(info: &[u8], family: Family, _numeric: bool) -> Option<String> {
    Some(text(info, family, false))
}

pub const IPRANGE: Codec = Codec {
    module: Module::Iprange,
    xt_name: "iprange",
    rev: 1,
    size: 72,
    init: no_init,
    parse,
    finish,
    owns: owns_all,
    save,
    print,
};
