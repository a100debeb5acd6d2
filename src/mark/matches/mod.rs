//! The match modules of issue 20 (`mark`, `connmark`, `state`,
//! `conntrack`, `iprange`, `addrtype`, `icmp`, and tcp's flags and
//! option), one small codec per module, as iptables-nft 1.8.9 builds them.
//!
//! While a rule is parsed, each loaded module fills the bytes of its xt
//! info struct ([`Xt`]) option by option, as iptables' own parsers do;
//! the module's final check then turns them into a [`Match`]: a native one
//! where iptables-nft encodes the match natively (`mark`), else the
//! xt-compat match with those bytes. Listing (`-S`, `-L`) reads the bytes
//! back through the same codec. Pure.

pub mod addrtype;
pub mod conntrack;
pub mod icmp;
pub mod iprange;
pub mod mark;
pub mod sctp;
pub mod tcp;

use super::grammar::options::{MarkOpt, Module};
use super::rule::{Family, Match};

/// A match's info bytes while its options are parsed, and which of its
/// options (by [`Act::Xt`](super::grammar::options::Act::Xt) id) were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xt {
    pub info: Vec<u8>,
    pub seen: u32,
    /// Warnings iptables prints on stderr while parsing (and goes on).
    pub warnings: Vec<String>,
}

/// One option as handed to a codec: its table entry, its value (None for
/// options without one), whether `!` preceded it, the family.
pub struct Given<'a> {
    pub spec: &'a MarkOpt,
    pub id: u8,
    pub value: Option<&'a str>,
    pub inv: bool,
    pub family: Family,
}

impl Given<'_> {
    pub fn value(&self) -> &str {
        self.value.unwrap_or("")
    }
    /// `--name` as iptables' messages spell it.
    pub fn dash(&self) -> String {
        format!("--{}", self.spec.name())
    }
}

/// One module's codec: its xt name, revision and info size, its option
/// parser and final check (errors are iptables' message texts), and its
/// `-S`/`-L` texts of the info bytes (None: not ours to print).
pub struct Codec {
    pub module: Module,
    pub xt_name: &'static str,
    pub rev: u32,
    pub size: usize,
    /// Info bytes before any option (e.g. the `state` alias flag).
    pub init: fn(&mut [u8]),
    pub parse: fn(&mut Xt, &Given) -> Result<(), String>,
    pub finish: fn(&Xt, Family) -> Result<Match, String>,
    /// Whether dumped info bytes are this module's (state vs conntrack).
    pub owns: fn(&[u8]) -> bool,
    pub save: fn(&[u8], Family) -> Option<String>,
    pub print: fn(&[u8], Family, bool) -> Option<String>,
}

/// No defaults before the options.
pub fn no_init(_: &mut [u8]) {}
/// Every info of the codec's name and revision is its own.
pub fn owns_all(_: &[u8]) -> bool {
    true
}

/// The codecs of the xt-info modules, in the order `-h` lists them.
pub const CODECS: &[Codec] = &[
    mark::MARK,
    mark::CONNMARK,
    conntrack::STATE,
    conntrack::CONNTRACK,
    iprange::IPRANGE,
    addrtype::ADDRTYPE,
    icmp::ICMP,
    icmp::ICMP6,
];

/// The codec of a module loaded with `-m` (or implied by `-p icmp`).
pub fn codec(m: Module) -> Option<&'static Codec> {
    CODECS.iter().find(|c| c.module == m)
}

/// The codec that wrote these dumped info bytes.
pub fn codec_of(name: &str, rev: u32, info: &[u8]) -> Option<&'static Codec> {
    CODECS
        .iter()
        .find(|c| c.xt_name == name && c.rev == rev && info.len() == c.size && (c.owns)(info))
}

/// A fresh builder for module `m`.
pub fn start(m: Module) -> Option<Xt> {
    let c = codec(m)?;
    let mut info = vec![0u8; c.size];
    (c.init)(&mut info);
    Some(Xt {
        info,
        seen: 0,
        warnings: Vec::new(),
    })
}

/// Applies one option: xtables' generic checks (once only, `!` allowed),
/// then the codec's parser.
pub fn parse(m: Module, xt: &mut Xt, g: &Given) -> Result<(), String> {
    let Some(c) = codec(m) else {
        return Err(format!("unknown option \"{}\"", g.dash()));
    };
    let name = c.module.name();
    let bit = 1u32 << g.id;
    if xt.seen & bit != 0 {
        return Err(format!(
            "{name}: option \"{}\" can only be used once.\n",
            g.dash()
        ));
    }
    if g.inv && !g.spec.invert {
        return Err(format!(
            "{name}: option \"{}\" cannot be inverted.\n",
            g.dash()
        ));
    }
    xt.seen |= bit;
    (c.parse)(xt, g)
}

/// The module's final check and its match.
pub fn finish(m: Module, xt: &Xt, family: Family) -> Result<Match, String> {
    match codec(m) {
        Some(c) => (c.finish)(xt, family),
        None => Err(format!("{}: unknown match", m.name())),
    }
}

/// The xt-compat match of a codec's info bytes.
pub fn xt_match(c: &Codec, xt: &Xt) -> Match {
    Match::Xt {
        name: c.xt_name.to_string(),
        rev: c.rev,
        info: xt.info.clone(),
    }
}

/// `-S` text of a dumped xt match (` -m NAME …`), when a codec knows it.
pub fn save(name: &str, rev: u32, info: &[u8], family: Family) -> Option<String> {
    let c = codec_of(name, rev, info)?;
    Some(format!(
        " -m {}{}",
        c.module.name(),
        (c.save)(info, family)?
    ))
}

/// `-L` text of a dumped xt match, when a codec knows it.
pub fn print(name: &str, rev: u32, info: &[u8], family: Family, numeric: bool) -> Option<String> {
    let c = codec_of(name, rev, info)?;
    (c.print)(info, family, numeric)
}

/// Reads a native-endian u32 at `off`.
pub fn get32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_ne_bytes)
}

/// Writes a native-endian u32 at `off`.
pub fn put32(b: &mut [u8], off: usize, v: u32) {
    if let Some(s) = b.get_mut(off..off + 4) {
        s.copy_from_slice(&v.to_ne_bytes());
    }
}

/// Reads a native-endian u16 at `off`.
pub fn get16(b: &[u8], off: usize) -> u16 {
    b.get(off..off + 2)
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
        .map_or(0, u16::from_ne_bytes)
}

/// Writes a native-endian u16 at `off`.
pub fn put16(b: &mut [u8], off: usize, v: u16) {
    if let Some(s) = b.get_mut(off..off + 2) {
        s.copy_from_slice(&v.to_ne_bytes());
    }
}

/// The byte at `off` (0 past the end).
pub fn get8(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

/// Sets the byte at `off`.
pub fn put8(b: &mut [u8], off: usize, v: u8) {
    if let Some(x) = b.get_mut(off) {
        *x = v;
    }
}

/// Copies `v` to `off`.
pub fn put_bytes(b: &mut [u8], off: usize, v: &[u8]) {
    if let Some(s) = b.get_mut(off..off + v.len()) {
        s.copy_from_slice(v);
    }
}

/// The digits of a C unsigned with base 0: `0x`/`0X` hex, a leading `0`
/// octal, else decimal (the whole text, no sign rules: callers check).
pub fn c_radix(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(s.get(1..)?, 8).ok()
    } else {
        s.parse::<u64>().ok()
    }
}

/// xtables' strtoul-style unsigned (decimal, 0x hex, 0 octal) up to `max`.
pub fn parse_uint(s: &str, max: u64) -> Option<u64> {
    if s.is_empty() || s.starts_with('-') || s.starts_with('+') {
        return None;
    }
    let v = c_radix(s)?;
    (v <= max).then_some(v)
}

/// strtoul(3) with base 0 on a prefix of `s`: the value (None when no
/// digits or above `max`) and the unparsed rest, as xtables_strtoui.
pub fn strtoul_prefix(s: &str, max: u64) -> Option<(u64, &str)> {
    let t = s.trim_start();
    if t.starts_with('-') {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let (radix, body) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if !h.starts_with(|c: char| c.is_ascii_hexdigit()) {
            // strtoul reads the 0 and stops at the x.
            return Some((0, t.get(1..).unwrap_or("")));
        }
        (16, h)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let n = body.chars().take_while(|c| c.is_digit(radix)).count();
    if n == 0 {
        return None;
    }
    let (digits, rest) = body.split_at(n);
    let v = u64::from_str_radix(digits, radix).ok()?;
    (v <= max).then_some((v, rest))
}

/// iptables' dotted IPv4 (1 to 4 decimal parts, the missing ones 0).
pub fn dotted4(s: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut o = vec![0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o.get_mut(i)? = p.parse::<u8>().ok()?;
    }
    Some(o)
}

/// iptables' walk of a comma list: each item before a comma must be
/// non-empty and accepted by `item`, else `bad_mid` of the rest of the
/// list from it; then the last one, else `bad_last` of it.
pub fn comma_list(
    v: &str,
    mut item: impl FnMut(&str) -> bool,
    bad_mid: impl Fn(&str) -> String,
    bad_last: impl Fn(&str) -> String,
) -> Result<(), String> {
    let mut rest = v;
    while let Some((it, after)) = rest.split_once(',') {
        if it.is_empty() || !item(it) {
            return Err(bad_mid(rest));
        }
        rest = after;
    }
    if rest.is_empty() || !item(rest) {
        return Err(bad_last(rest));
    }
    Ok(())
}

/// inet_aton(3): 1 to 4 parts, each decimal, 0x hex or 0 octal, the last
/// one filling the remaining bytes (`1.2` is 1.0.0.2), as getaddrinfo
/// reads a numeric IPv4 host.
pub fn inet_aton(s: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::new();
    for p in &parts {
        match strtoul_prefix(p, u32::MAX as u64) {
            Some((v, "")) if !p.starts_with(char::is_whitespace) => vals.push(v),
            _ => return None,
        }
    }
    let (last, head) = vals.split_last()?;
    if head.iter().any(|&v| v > 0xff) {
        return None;
    }
    let tail_bytes = 4 - head.len();
    if *last >= 1u64 << (8 * tail_bytes) {
        return None;
    }
    let mut out = [0u8; 4];
    for (i, v) in head.iter().enumerate() {
        out[i] = *v as u8;
    }
    let lb = (*last as u32).to_be_bytes();
    out[head.len()..].copy_from_slice(&lb[4 - tail_bytes..]);
    Some(out)
}

/// Names of the bits set in `v`, from a (bit, name) table, comma-joined.
pub fn bit_names(v: u32, table: &[(u32, &str)]) -> String {
    let names: Vec<&str> = table
        .iter()
        .filter(|(b, _)| v & b != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(",")
}
