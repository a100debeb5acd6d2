//! `-m addrtype [!] --src-type T,… [!] --dst-type T,… [--limit-iface-in |
//! --limit-iface-out]`: the xt-compat `addrtype` revision 1 match over
//! `struct xt_addrtype_info_v1` (source and destination type bits, flags).

use super::{get16, get32, no_init, owns_all, put16, put32, Codec, Given, Xt};
use crate::mark::grammar::options::Module;
use crate::mark::rule::{Family, Match};

const INV_SRC: u32 = 1;
const INV_DST: u32 = 2;
const LIMIT_IN: u32 = 4;
const LIMIT_OUT: u32 = 8;

/// Option ids.
pub mod id {
    pub const SRC: u8 = 0;
    pub const DST: u8 = 1;
    pub const LIMIT_IN: u8 = 2;
    pub const LIMIT_OUT: u8 = 3;
}

/// Route types (bit = 1 << RTN_*), in the order iptables prints them.
const TYPES: [(u32, &str); 12] = [
    (1, "UNSPEC"),
    (1 << 1, "UNICAST"),
    (1 << 2, "LOCAL"),
    (1 << 3, "BROADCAST"),
    (1 << 4, "ANYCAST"),
    (1 << 5, "MULTICAST"),
    (1 << 6, "BLACKHOLE"),
    (1 << 7, "UNREACHABLE"),
    (1 << 8, "PROHIBIT"),
    (1 << 9, "THROW"),
    (1 << 10, "NAT"),
    (1 << 11, "XRESOLVE"),
];

fn types(v: &str) -> Result<u16, String> {
    let mut bits = 0u32;
    super::comma_list(
        v,
        |w| match TYPES.iter().find(|(_, n)| n.eq_ignore_ascii_case(w)) {
            Some((b, _)) => {
                bits |= b;
                true
            }
            None => false,
        },
        |rest| format!("addrtype: bad type `{rest}'"),
        |last| format!("addrtype: bad type \"{last}\""),
    )?;
    Ok(bits as u16)
}

fn parse(xt: &mut Xt, g: &Given) -> Result<(), String> {
    let mut flags = get32(&xt.info, 4);
    match g.id {
        id::SRC | id::DST => {
            let t = types(g.value())?;
            let (off, inv) = if g.id == id::SRC {
                (0, INV_SRC)
            } else {
                (2, INV_DST)
            };
            put16(&mut xt.info, off, t);
            if g.inv {
                flags |= inv;
            }
        }
        _ => {
            let mine = if g.id == id::LIMIT_IN {
                LIMIT_IN
            } else {
                LIMIT_OUT
            };
            // xtables names the pair in its table's order, whichever came first.
            if flags & (LIMIT_IN | LIMIT_OUT) != 0 {
                return Err("addrtype: option \"--limit-iface-in\" cannot be used together with \"--limit-iface-out\".\n".into());
            }
            flags |= mine;
        }
    }
    put32(&mut xt.info, 4, flags);
    Ok(())
}

fn finish(xt: &Xt, _f: Family) -> Result<Match, String> {
    let given = (1 << id::SRC) | (1 << id::DST);
    if xt.seen & given == 0 {
        return Err("addrtype: you must specify --src-type or --dst-type".into());
    }
    Ok(super::xt_match(&ADDRTYPE, xt))
}

fn text(info: &[u8], save: bool) -> String {
    let flags = get32(info, 4);
    let mut out = if save {
        String::new()
    } else {
        " ADDRTYPE match".to_string()
    };
    for (off, inv, opt) in [(0, INV_SRC, "src-type"), (2, INV_DST, "dst-type")] {
        let t = u32::from(get16(info, off));
        if t == 0 {
            continue;
        }
        let names = super::bit_names(t, &TYPES);
        let bang = flags & inv != 0;
        if save {
            let b = if bang { " !" } else { "" };
            out.push_str(&format!("{b} --{opt} {names}"));
        } else {
            let b = if bang { "!" } else { "" };
            out.push_str(&format!(" {opt} {b}{names}"));
        }
    }
    let (lin, lout) = if save {
        (" --limit-iface-in", " --limit-iface-out")
    } else {
        (" limit-in", " limit-out")
    };
    if flags & LIMIT_IN != 0 {
        out.push_str(lin);
    }
    if flags & LIMIT_OUT != 0 {
        out.push_str(lout);
    }
    out
}

fn save(info: &[u8], _f: Family) -> Option<String> {
    Some(text(info, true))
}

fn print(info: &[u8], _f: Family, _n: bool) -> Option<String> {
    Some(text(info, false))
}

pub const ADDRTYPE: Codec = Codec {
    module: Module::Addrtype,
    xt_name: "addrtype",
    rev: 1,
    size: 8,
    init: no_init,
    parse,
    finish,
    owns: owns_all,
    save,
    print,
};
