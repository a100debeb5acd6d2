//! `-m conntrack` (every option) and `-m state --state`, both the xt-compat
//! `conntrack` revision 3 match over `struct xt_conntrack_mtinfo3` (168
//! bytes; `state` sets its alias flag, by which listings tell them apart).

use super::{get16, get32, no_init, put16, put32, put_bytes, strtoul_prefix, Codec, Given, Xt};
use crate::mark::grammar::options::Module;
use crate::mark::rule::{Family, Match};
use std::fmt::Write as _;

const SIZE: usize = 168;
const EXPIRES: usize = 128;
const L4PROTO: usize = 136;
const MATCH_FLAGS: usize = 146;
const INVERT_FLAGS: usize = 148;
const STATE_MASK: usize = 150;
const STATUS_MASK: usize = 152;

const F_STATE: u16 = 1;
const F_PROTO: u16 = 1 << 1;
const F_STATUS: u16 = 1 << 6;
const F_EXPIRES: u16 = 1 << 7;
const F_DIRECTION: u16 = 1 << 12;
const F_STATE_ALIAS: u16 = 1 << 13;

/// Conntrack states, in the order iptables prints them (`state` takes the
/// first five).
const STATES: [(u32, &str); 7] = [
    (1, "INVALID"),
    (1 << 3, "NEW"),
    (1 << 2, "RELATED"),
    (1 << 1, "ESTABLISHED"),
    (1 << 8, "UNTRACKED"),
    (1 << 6, "SNAT"),
    (1 << 7, "DNAT"),
];

/// Conntrack statuses (`NONE` adds no bit).
const STATUSES: [(u32, &str); 5] = [
    (0, "NONE"),
    (1, "EXPECTED"),
    (2, "SEEN_REPLY"),
    (4, "ASSURED"),
    (8, "CONFIRMED"),
];

/// Option ids (the `Act::Xt` of the table entries).
pub mod id {
    pub const STATE: u8 = 0;
    pub const PROTO: u8 = 1;
    pub const ORIGSRC: u8 = 2;
    pub const ORIGDST: u8 = 3;
    pub const REPLSRC: u8 = 4;
    pub const REPLDST: u8 = 5;
    pub const STATUS: u8 = 6;
    pub const EXPIRE: u8 = 7;
    pub const ORIGSRCPORT: u8 = 8;
    pub const ORIGDSTPORT: u8 = 9;
    pub const REPLSRCPORT: u8 = 10;
    pub const REPLDSTPORT: u8 = 11;
    pub const DIR: u8 = 12;
}

/// Address options: (flag, address offset, name).
const ADDRS: [(u16, usize, &str); 4] = [
    (1 << 2, 0, "ctorigsrc"),
    (1 << 3, 32, "ctorigdst"),
    (1 << 4, 64, "ctreplsrc"),
    (1 << 5, 96, "ctrepldst"),
];

/// Port options: (flag, low offset, high offset, name).
const PORTS: [(u16, usize, usize, &str); 4] = [
    (1 << 8, 138, 154, "ctorigsrcport"),
    (1 << 9, 140, 156, "ctorigdstport"),
    (1 << 10, 142, 158, "ctreplsrcport"),
    (1 << 11, 144, 160, "ctrepldstport"),
];

fn flags(info: &[u8], off: usize) -> u16 {
    get16(info, off)
}

fn set_flag(xt: &mut Xt, flag: u16, inv: bool) {
    let f = flags(&xt.info, MATCH_FLAGS) | flag;
    put16(&mut xt.info, MATCH_FLAGS, f);
    if inv {
        let i = flags(&xt.info, INVERT_FLAGS) | flag;
        put16(&mut xt.info, INVERT_FLAGS, i);
    }
}

/// A comma list of names (case-insensitive) to their bits; iptables'
/// texts for a bad one (`Bad ctstate "REST"`).
fn name_bits(v: &str, table: &[(u32, &str)], what: &str) -> Result<u32, String> {
    let mut bits = 0;
    super::comma_list(
        v,
        |word| match table.iter().find(|(_, n)| n.eq_ignore_ascii_case(word)) {
            Some((b, _)) => {
                bits |= b;
                true
            }
            None => false,
        },
        |rest| format!("Bad {what} \"{rest}\""),
        |last| {
            if what == "state" && last.is_empty() {
                "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED"
                    .to_string()
            } else {
                format!("Bad {what} \"{last}\"")
            }
        },
    )?;
    Ok(bits)
}

fn parse_state_alias(xt: &mut Xt, g: &Given) -> Result<(), String> {
    let bits = name_bits(g.value(), &STATES[..5], "state")?;
    put16(&mut xt.info, STATE_MASK, bits as u16);
    set_flag(xt, F_STATE, g.inv);
    Ok(())
}

/// A `lo[:hi]` range (`:hi` from 0, `lo:` to `max`), each side read by
/// `word`.
fn range(
    g: &Given,
    max: u64,
    word: impl Fn(&str) -> Result<u64, String>,
) -> Result<(u64, u64), String> {
    let v = g.value();
    // x6 reads an empty value as 0.
    if v.is_empty() {
        return Ok((0, 0));
    }
    if v.matches(':').count() > 1 {
        return Err(format!(
            "conntrack: Too many components for option \"{}\" (max: 2)\n",
            g.dash()
        ));
    }
    let one = |s: &str, dflt: u64| if s.is_empty() { Ok(dflt) } else { word(s) };
    match v.split_once(':') {
        Some((a, b)) => Ok((one(a, 0)?, one(b, max)?)),
        None => {
            let x = word(v)?;
            Ok((x, x))
        }
    }
}

/// A port number (modulo 2^16, as getaddrinfo reads it) or service name.
fn port_word(s: &str) -> Result<u64, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = s.parse::<u64>() {
            return Ok(n & 0xffff);
        }
    }
    crate::mark::names::service_port(s, "tcp")
        .or_else(|| crate::mark::names::service_port(s, "udp"))
        .map(u64::from)
        .ok_or_else(|| format!("Port \"{s}\" does not resolve to anything.\n"))
}

/// A `--ctexpire` bound.
fn expire_word(g: &Given, s: &str) -> Result<u64, String> {
    match strtoul_prefix(s, u32::MAX as u64) {
        Some((n, "")) => Ok(n),
        _ => Err(format!(
            "conntrack: bad value for option \"{}\" near \"{s}\", or out of range (0-4294967295).\n",
            g.dash()
        )),
    }
}

fn parse_conntrack(xt: &mut Xt, g: &Given) -> Result<(), String> {
    match g.id {
        id::STATE => {
            let bits = name_bits(g.value(), &STATES, "ctstate")?;
            put16(&mut xt.info, STATE_MASK, bits as u16);
            set_flag(xt, F_STATE, g.inv);
        }
        id::PROTO => {
            let p = crate::mark::grammar::values::proto_by_name(g.value())
                .ok_or_else(|| format!("unknown protocol \"{}\" specified", g.value()))?;
            put16(&mut xt.info, L4PROTO, u16::from(p));
            set_flag(xt, F_PROTO, g.inv);
        }
        id::ORIGSRC..=id::REPLDST => parse_addr(xt, g)?,
        id::STATUS => {
            let bits = name_bits(g.value(), &STATUSES, "ctstatus")?;
            put16(&mut xt.info, STATUS_MASK, bits as u16);
            set_flag(xt, F_STATUS, g.inv);
        }
        id::EXPIRE => {
            let (lo, hi) = range(g, u32::MAX as u64, |s| expire_word(g, s))?;
            put32(&mut xt.info, EXPIRES, lo as u32);
            put32(&mut xt.info, EXPIRES + 4, hi as u32);
            set_flag(xt, F_EXPIRES, g.inv);
        }
        id::ORIGSRCPORT..=id::REPLDSTPORT => {
            let k = usize::from(g.id - id::ORIGSRCPORT);
            let (flag, lo_off, hi_off, _) = PORTS.get(k).copied().unwrap_or(PORTS[0]);
            let (lo, hi) = range(g, 0xffff, port_word)?;
            put16(&mut xt.info, lo_off, lo as u16);
            put16(&mut xt.info, hi_off, hi as u16);
            set_flag(xt, flag, g.inv);
        }
        _ => parse_dir(xt, g)?,
    }
    Ok(())
}

fn parse_dir(xt: &mut Xt, g: &Given) -> Result<(), String> {
    let v = g.value();
    let reply = if v.eq_ignore_ascii_case("ORIGINAL") {
        false
    } else if v.eq_ignore_ascii_case("REPLY") {
        true
    } else {
        return Err(format!(
            "conntrack: Bad value for \"--ctdir\" option: \"{v}\""
        ));
    };
    set_flag(xt, F_DIRECTION, reply);
    Ok(())
}

/// A mask as a prefix length (None: the whole address): a length up to
/// the address size, else a mask address (not a prefix: the whole one).
fn mask_bits(g: &Given, ms: &str, maxbits: u64) -> Result<Option<u64>, String> {
    if let Some((n, "")) = strtoul_prefix(ms, maxbits) {
        return Ok(Some(n));
    }
    let dotted = match g.family {
        Family::V4 => super::dotted4(ms),
        Family::V6 => ms
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|a| a.octets().to_vec()),
    };
    match dotted {
        Some(d) => Ok(crate::inet::mask_prefix(&d).map(u64::from)),
        None => Err(format!(
            "conntrack: bad value for option \"{}\", neither a valid network mask nor valid CIDR (0-{maxbits}).\n",
            g.dash()
        )),
    }
}

/// `--ctorigsrc` and friends: one address, a prefix mask (a dotted mask
/// that is not a prefix, or no mask, matches the whole address).
fn parse_addr(xt: &mut Xt, g: &Given) -> Result<(), String> {
    let k = usize::from(g.id - id::ORIGSRC);
    let (flag, off, _) = ADDRS.get(k).copied().unwrap_or(ADDRS[0]);
    let alen = g.family.addr_len();
    let (host, mask) = match g.value().split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (g.value(), None),
    };
    let maxbits = (alen * 8) as u64;
    let mut m = vec![0xffu8; 16];
    if let Some(ms) = mask {
        let bits = mask_bits(g, ms, maxbits)?;
        if let Some(b) = bits {
            m = crate::inet::prefix_mask(b as u32, alen);
            m.resize(16, 0);
        }
    }
    let addr = crate::mark::grammar::values::one_host(g.family, host)?;
    put_bytes(&mut xt.info, off, &addr);
    put_bytes(&mut xt.info, off + 16, &m);
    set_flag(xt, flag, g.inv);
    Ok(())
}

fn finish_state(xt: &Xt, _f: Family) -> Result<Match, String> {
    if xt.seen == 0 {
        return Err("state: option \"--state\" must be specified\n".into());
    }
    Ok(super::xt_match(&STATE, xt))
}

fn finish_conntrack(xt: &Xt, _f: Family) -> Result<Match, String> {
    if xt.seen == 0 {
        return Err("conntrack: At least one option is required".into());
    }
    Ok(super::xt_match(&CONNTRACK, xt))
}

fn init_state(info: &mut [u8]) {
    put16(info, MATCH_FLAGS, F_STATE_ALIAS);
}

fn is_state(info: &[u8]) -> bool {
    flags(info, MATCH_FLAGS) & F_STATE_ALIAS != 0
}

fn is_conntrack(info: &[u8]) -> bool {
    !is_state(info)
}

fn addr_text(family: Family, a: &[u8], numeric: bool) -> String {
    let alen = family.addr_len();
    let bytes = a.get(..alen).unwrap_or(&[]);
    let num = crate::mark::print::addr_text(family, bytes);
    if numeric {
        return num;
    }
    crate::mark::names::host_name(bytes).unwrap_or(num)
}

/// The whole text; `pre` is `--` for `-S` and `` for `-L`.
fn dump(info: &[u8], family: Family, numeric: bool, save: bool) -> String {
    let mut out = String::new();
    let pre = if save { "--" } else { "" };
    let (mf, inv) = (flags(info, MATCH_FLAGS), flags(info, INVERT_FLAGS));
    let bang = |f: u16| if inv & f != 0 { " !" } else { "" };
    if mf & F_STATE != 0 {
        let names = super::bit_names(u32::from(get16(info, STATE_MASK)), &STATES);
        let kw = if mf & F_STATE_ALIAS != 0 {
            "state"
        } else {
            "ctstate"
        };
        let _ = write!(out, "{} {pre}{kw} {names}", bang(F_STATE));
    }
    if mf & F_PROTO != 0 {
        let _ = write!(
            out,
            "{} {pre}ctproto {}",
            bang(F_PROTO),
            get16(info, L4PROTO)
        );
    }
    for (flag, off, name) in ADDRS {
        if mf & flag == 0 {
            continue;
        }
        let a = addr_text(
            family,
            info.get(off..off + 16).unwrap_or(&[]),
            numeric || save,
        );
        let mask = info
            .get(off + 16..off + 16 + family.addr_len())
            .unwrap_or(&[]);
        let _ = write!(out, "{} {pre}{name} {a}", bang(flag));
        match crate::inet::mask_prefix(mask) {
            Some(b) if b as usize == family.addr_len() * 8 => {}
            Some(b) => {
                let _ = write!(out, "/{b}");
            }
            None => {}
        }
    }
    for (flag, lo, hi, name) in PORTS {
        if mf & flag == 0 {
            continue;
        }
        let (l, h) = (get16(info, lo), get16(info, hi));
        let _ = write!(out, "{} {pre}{name} {l}", bang(flag));
        if l != h {
            let _ = write!(out, ":{h}");
        }
    }
    dump_tail(&mut out, info, pre, mf, inv);
    out
}

/// `--ctstatus`, `--ctexpire`, `--ctdir`.
fn dump_tail(out: &mut String, info: &[u8], pre: &str, mf: u16, inv: u16) {
    let bang = |f: u16| if inv & f != 0 { " !" } else { "" };
    if mf & F_STATUS != 0 {
        let st = u32::from(get16(info, STATUS_MASK));
        let names = if st == 0 {
            "NONE".to_string()
        } else {
            super::bit_names(st, &STATUSES)
        };
        let _ = write!(out, "{} {pre}ctstatus {names}", bang(F_STATUS));
    }
    if mf & F_EXPIRES != 0 {
        let (lo, hi) = (get32(info, EXPIRES), get32(info, EXPIRES + 4));
        let _ = write!(out, "{} {pre}ctexpire {lo}", bang(F_EXPIRES));
        if lo != hi {
            let _ = write!(out, ":{hi}");
        }
    }
    if mf & F_DIRECTION != 0 {
        let d = if inv & F_DIRECTION != 0 {
            "REPLY"
        } else {
            "ORIGINAL"
        };
        let _ = write!(out, " {pre}ctdir {d}");
    }
}

fn save(info: &[u8], family: Family) -> Option<String> {
    Some(dump(info, family, true, true))
}

fn print(info: &[u8], family: Family, numeric: bool) -> Option<String> {
    Some(dump(info, family, numeric, false))
}

pub const STATE: Codec = Codec {
    module: Module::State,
    xt_name: "conntrack",
    rev: 3,
    size: SIZE,
    init: init_state,
    parse: parse_state_alias,
    finish: finish_state,
    owns: is_state,
    save,
    print,
};

pub const CONNTRACK: Codec = Codec {
    module: Module::Conntrack,
    xt_name: "conntrack",
    rev: 3,
    size: SIZE,
    init: no_init,
    parse: parse_conntrack,
    finish: finish_conntrack,
    owns: is_conntrack,
    save,
    print,
};
