//! tcp's `[!] --syn`, `[!] --tcp-flags MASK COMP` and `[!] --tcp-option N`
//! (libxt_tcp's parser and texts). iptables-nft encodes the flags natively
//! (`payload` byte 13, `bitwise`, `cmp`) unless an option is matched, when
//! the whole tcp match goes to the xt-compat `tcp` match.

use super::strtoul_prefix;
use crate::mark::expr::{Expr, BASE_TRANSPORT, CMP_EQ, CMP_NEQ, REG1};
use crate::mark::rule::{TcpExtra, XT_TCP_INV_FLAGS, XT_TCP_INV_OPTION};

/// TCP flag names, in the order iptables prints them.
const FLAGS: [(u8, &str); 6] = [
    (0x01, "FIN"),
    (0x02, "SYN"),
    (0x04, "RST"),
    (0x08, "PSH"),
    (0x10, "ACK"),
    (0x20, "URG"),
];

/// Option ids (the `Act::Xt` of the table entries).
pub mod id {
    pub const SYN: u8 = 0;
    pub const FLAGS: u8 = 1;
    pub const OPTION: u8 = 2;
}

fn flag_list(v: &str) -> Result<u8, String> {
    let mut bits = 0u8;
    for w in v.split(',').filter(|w| !w.is_empty()) {
        bits |= if w.eq_ignore_ascii_case("ALL") {
            0x3f
        } else if w.eq_ignore_ascii_case("NONE") {
            0
        } else {
            match FLAGS.iter().find(|(_, n)| n.eq_ignore_ascii_case(w)) {
                Some((b, _)) => *b,
                None => return Err(format!("Unknown TCP flag `{w}'")),
            }
        };
    }
    Ok(bits)
}

/// Applies `--syn`, `--tcp-flags` (with its second word `comp`) or
/// `--tcp-option`; `seen` tracks `--syn`/`--tcp-flags` and `--tcp-option`.
pub fn option(
    t: &mut TcpExtra,
    seen: &mut u32,
    id: u8,
    value: &str,
    comp: Option<&str>,
    inv: bool,
) -> Result<(), String> {
    if id == id::OPTION {
        if *seen & (1 << id::OPTION) != 0 {
            return Err("Only one `--tcp-option' allowed".into());
        }
        let n = match strtoul_prefix(value, 0xff) {
            Some((n, "")) if n > 0 => n as u8,
            _ => return Err(format!("Bad TCP option \"{value}\"")),
        };
        *seen |= 1 << id::OPTION;
        t.option = n;
        if inv {
            t.inv |= XT_TCP_INV_OPTION;
        }
        return Ok(());
    }
    if *seen & (1 << id::FLAGS) != 0 {
        return Err("Only one of `--syn' or `--tcp-flags'  allowed".into());
    }
    let (mask, cmp) = if id == id::SYN {
        (0x17, 0x02)
    } else {
        let comp = comp.ok_or_else(|| "--tcp-flags requires two args.".to_string())?;
        (flag_list(value)?, flag_list(comp)?)
    };
    *seen |= 1 << id::FLAGS;
    t.mask = mask;
    t.cmp = cmp;
    if inv {
        t.inv |= XT_TCP_INV_FLAGS;
    }
    Ok(())
}

fn names(bits: u8) -> String {
    if bits == 0 {
        return "NONE".into();
    }
    let v: Vec<&str> = FLAGS
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect();
    v.join(",")
}

/// `-S` text after the ports.
pub fn save(t: &TcpExtra) -> String {
    let mut out = String::new();
    if t.option != 0 || t.inv & XT_TCP_INV_OPTION != 0 {
        let bang = if t.inv & XT_TCP_INV_OPTION != 0 {
            " !"
        } else {
            ""
        };
        out.push_str(&format!("{bang} --tcp-option {}", t.option));
    }
    if t.mask != 0 || t.inv & XT_TCP_INV_FLAGS != 0 {
        let bang = if t.inv & XT_TCP_INV_FLAGS != 0 {
            " !"
        } else {
            ""
        };
        out.push_str(&format!(
            "{bang} --tcp-flags {} {}",
            names(t.mask),
            names(t.cmp)
        ));
    }
    out
}

/// `-L` text after the ports.
pub fn print(t: &TcpExtra, numeric: bool) -> String {
    let mut out = String::new();
    if t.option != 0 || t.inv & XT_TCP_INV_OPTION != 0 {
        let bang = if t.inv & XT_TCP_INV_OPTION != 0 {
            "!"
        } else {
            ""
        };
        out.push_str(&format!(" option={bang}{}", t.option));
    }
    if t.mask != 0 || t.inv & XT_TCP_INV_FLAGS != 0 {
        let bang = if t.inv & XT_TCP_INV_FLAGS != 0 {
            "!"
        } else {
            ""
        };
        if numeric {
            out.push_str(&format!(" flags:{bang}0x{:02X}/0x{:02X}", t.mask, t.cmp));
        } else {
            out.push_str(&format!(" flags:{bang}{}/{}", names(t.mask), names(t.cmp)));
        }
    }
    out
}

/// Whether iptables-nft encodes this tcp match natively.
pub fn native(t: &TcpExtra) -> bool {
    t.option == 0 && t.inv & XT_TCP_INV_OPTION == 0
}

/// The native flags expressions.
pub fn exprs(out: &mut Vec<Expr>, t: &TcpExtra) {
    out.push(Expr::Payload {
        dreg: REG1,
        base: BASE_TRANSPORT,
        offset: 13,
        len: 1,
    });
    out.push(Expr::Bitwise {
        sreg: REG1,
        dreg: REG1,
        op: None,
        len: 1,
        mask: vec![t.mask],
        xor: vec![0],
    });
    let inv = t.inv & XT_TCP_INV_FLAGS != 0;
    out.push(Expr::Cmp {
        sreg: REG1,
        op: if inv { CMP_NEQ } else { CMP_EQ },
        data: vec![t.cmp],
    });
}

/// Reads `bitwise` `cmp` after the flags byte's `payload`: (mask, cmp,
/// inverted) and the expressions used.
pub fn decode(rest: &[Expr]) -> Option<(u8, u8, bool)> {
    let Some(Expr::Bitwise {
        sreg: REG1,
        dreg: REG1,
        len: 1,
        mask,
        xor,
        ..
    }) = rest.first()
    else {
        return None;
    };
    let Some(Expr::Cmp {
        sreg: REG1,
        op,
        data,
    }) = rest.get(1)
    else {
        return None;
    };
    if mask.len() != 1 || data.len() != 1 || xor.iter().any(|&b| b != 0) {
        return None;
    }
    let inv = match *op {
        CMP_EQ => false,
        CMP_NEQ => true,
        _ => return None,
    };
    Some((*mask.first()?, *data.first()?, inv))
}
