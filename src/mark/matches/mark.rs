//! `-m mark [!] --mark V[/M]` (native in iptables-nft: `meta mark`,
//! `bitwise` unless the mask is all ones, `cmp`) and `-m connmark [!]
//! --mark V[/M]` (xt-compat `connmark` revision 1). Both parse into
//! `struct xt_mark_mtinfo1` / `xt_connmark_mtinfo1` (mark, mask, invert).

use super::{get32, get8, no_init, owns_all, put32, put8, strtoul_prefix, Codec, Given, Xt};
use crate::mark::expr::{Expr, CMP_EQ, CMP_NEQ, REG1};
use crate::mark::grammar::options::Module;
use crate::mark::rule::{Family, Match};

/// NFT_META_MARK.
pub const META_MARK: u32 = 3;

/// xtables' `value[/mask]` of a 32-bit mark; the mask defaults to all ones.
pub fn mark_mask(module: &str, dash: &str, v: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{module}: bad integer value for option \"{dash}\", or out of range.\n");
    let garbage = || format!("{module}: trailing garbage after value for option \"{dash}\".\n");
    let (mark, rest) = strtoul_prefix(v, u32::MAX as u64).ok_or_else(bad)?;
    let (mask, rest) = match rest.strip_prefix('/') {
        Some(m) => strtoul_prefix(m, u32::MAX as u64).ok_or_else(bad)?,
        None => (u32::MAX as u64, rest),
    };
    if !rest.is_empty() {
        return Err(garbage());
    }
    Ok((mark as u32, mask as u32))
}

fn parse_mark(xt: &mut Xt, g: &Given) -> Result<(), String> {
    parse(xt, g, "mark")
}

fn parse_connmark(xt: &mut Xt, g: &Given) -> Result<(), String> {
    parse(xt, g, "connmark")
}

fn parse(xt: &mut Xt, g: &Given, module: &str) -> Result<(), String> {
    let (mark, mask) = mark_mask(module, &g.dash(), g.value())?;
    put32(&mut xt.info, 0, mark);
    put32(&mut xt.info, 4, mask);
    put8(&mut xt.info, 8, g.inv as u8);
    Ok(())
}

fn required(xt: &Xt, module: &str) -> Result<(), String> {
    if xt.seen == 0 {
        return Err(format!("{module}: option \"--mark\" must be specified\n"));
    }
    Ok(())
}

fn finish_mark(xt: &Xt, _f: Family) -> Result<Match, String> {
    required(xt, "mark")?;
    Ok(Match::Mark {
        mark: get32(&xt.info, 0),
        mask: get32(&xt.info, 4),
        inv: get8(&xt.info, 8) != 0,
    })
}

fn finish_connmark(xt: &Xt, _f: Family) -> Result<Match, String> {
    required(xt, "connmark")?;
    Ok(super::xt_match(&CONNMARK, xt))
}

/// ` 0x5` or ` 0x5/0xff`.
fn value_text(mark: u32, mask: u32) -> String {
    if mask == u32::MAX {
        format!("0x{mark:x}")
    } else {
        format!("0x{mark:x}/0x{mask:x}")
    }
}

/// `--mark` as iptables saves it (after `-m mark`/`-m connmark`).
pub fn save_text(mark: u32, mask: u32, inv: bool) -> String {
    let bang = if inv { " !" } else { "" };
    format!("{bang} --mark {}", value_text(mark, mask))
}

/// `-L` text of the mark match.
pub fn print_mark(mark: u32, mask: u32, inv: bool) -> String {
    let bang = if inv { "! " } else { "" };
    format!(" mark match {bang}{}", value_text(mark, mask))
}

fn save_connmark(info: &[u8], _f: Family) -> Option<String> {
    Some(save_text(
        get32(info, 0),
        get32(info, 4),
        get8(info, 8) != 0,
    ))
}

fn print_connmark(info: &[u8], _f: Family, _n: bool) -> Option<String> {
    let bang = if get8(info, 8) != 0 { "!" } else { "" };
    Some(format!(
        " connmark match {bang} {}",
        value_text(get32(info, 0), get32(info, 4))
    ))
}

fn save_mark(info: &[u8], _f: Family) -> Option<String> {
    save_connmark(info, _f)
}

fn print_mark_info(info: &[u8], _f: Family, _n: bool) -> Option<String> {
    Some(print_mark(
        get32(info, 0),
        get32(info, 4),
        get8(info, 8) != 0,
    ))
}

pub const MARK: Codec = Codec {
    module: Module::Mark,
    xt_name: "mark",
    rev: 1,
    size: 16,
    init: no_init,
    parse: parse_mark,
    finish: finish_mark,
    owns: owns_all,
    save: save_mark,
    print: print_mark_info,
};

pub const CONNMARK: Codec = Codec {
    module: Module::Connmark,
    xt_name: "connmark",
    rev: 1,
    size: 16,
    init: no_init,
    parse: parse_connmark,
    finish: finish_connmark,
    owns: owns_all,
    save: save_connmark,
    print: print_connmark,
};

/// The native expressions of `-m mark`.
pub fn exprs(out: &mut Vec<Expr>, mark: u32, mask: u32, inv: bool) {
    out.push(Expr::Meta {
        key: META_MARK,
        dreg: REG1,
    });
    if mask != u32::MAX {
        out.push(Expr::Bitwise {
            sreg: REG1,
            dreg: REG1,
            op: None,
            len: 4,
            mask: mask.to_ne_bytes().to_vec(),
            xor: vec![0; 4],
        });
    }
    out.push(Expr::Cmp {
        sreg: REG1,
        op: if inv { CMP_NEQ } else { CMP_EQ },
        data: mark.to_ne_bytes().to_vec(),
    });
}

/// Reads `meta mark` [`bitwise`] `cmp` back (the `meta` already taken).
pub fn decode(rest: &[Expr]) -> Option<(Match, usize)> {
    let (mask, used) = match rest.first() {
        Some(Expr::Bitwise {
            sreg: REG1,
            dreg: REG1,
            len: 4,
            mask,
            xor,
            ..
        }) if xor.iter().all(|&b| b == 0) => (get32(mask, 0), 1),
        _ => (u32::MAX, 0),
    };
    let Some(Expr::Cmp {
        sreg: REG1,
        op,
        data,
    }) = rest.get(used)
    else {
        return None;
    };
    if data.len() != 4 {
        return None;
    }
    let inv = match *op {
        CMP_EQ => false,
        CMP_NEQ => true,
        _ => return None,
    };
    let m = Match::Mark {
        mark: get32(data, 0),
        mask,
        inv,
    };
    Some((m, used + 1))
}
