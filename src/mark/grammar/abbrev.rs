//! getopt_long's abbreviations, as iptables gets them: a long option may be
//! shortened to any prefix that names one option of the table merged so
//! far (iptables' own options, the target's once `-j` is given, the loaded
//! matches'); when that fails, once more with the match `-p` implies
//! (`-p tcp --dp 80`). Aliases (`--src`, `--source`) are one option.

use super::build::MatchB;
use super::options::{self, Module, Owner};

/// iptables 1.8.9's own long options (its getopt table), aliases sharing
/// a key; those `mark` does not take still make prefixes ambiguous.
const CORE: [(&str, char); 37] = [
    ("append", 'A'),
    ("delete", 'D'),
    ("check", 'C'),
    ("insert", 'I'),
    ("replace", 'R'),
    ("list", 'L'),
    ("list-rules", 'S'),
    ("flush", 'F'),
    ("zero", 'Z'),
    ("new-chain", 'N'),
    ("delete-chain", 'X'),
    ("rename-chain", 'E'),
    ("policy", 'P'),
    ("source", 's'),
    ("src", 's'),
    ("destination", 'd'),
    ("dst", 'd'),
    ("protocol", 'p'),
    ("in-interface", 'i'),
    ("jump", 'j'),
    ("table", 't'),
    ("match", 'm'),
    ("numeric", 'n'),
    ("out-interface", 'o'),
    ("verbose", 'v'),
    ("wait", 'w'),
    ("wait-interval", 'W'),
    ("exact", 'x'),
    ("fragment", 'f'),
    ("version", 'V'),
    ("help", 'h'),
    ("line-numbers", '0'),
    ("modprobe", 'M'),
    ("set-counters", 'c'),
    ("goto", 'g'),
    ("ipv4", '4'),
    ("ipv6", '6'),
];

/// One getopt entry: its name and what it stands for.
type Entry = (&'static str, String);

fn owned_entries(out: &mut Vec<Entry>, owner: Owner, key: &str) {
    for o in options::OPTIONS.iter().filter(|o| o.owner == owner) {
        for l in o.long {
            out.push((l, format!("{key}/{}", o.name())));
        }
    }
}

/// The merged table: core, target, loaded matches (and `extra`).
fn table(target: bool, matches: &[MatchB], extra: Option<Module>) -> Vec<Entry> {
    let mut out: Vec<Entry> = CORE.iter().map(|(n, k)| (*n, k.to_string())).collect();
    if target {
        owned_entries(&mut out, Owner::Target("MARK"), "MARK");
    }
    for (i, m) in matches.iter().enumerate() {
        owned_entries(&mut out, Owner::Match(m.module), &format!("m{i}"));
    }
    if let Some(m) = extra {
        owned_entries(&mut out, Owner::Match(m), "implicit");
    }
    out
}

/// The one option `name` abbreviates in `t`, if exactly one.
fn unique(t: &[Entry], name: &str) -> Option<&'static str> {
    if name.is_empty() || t.iter().any(|(n, _)| *n == name) {
        return None;
    }
    let hits: Vec<&Entry> = t.iter().filter(|(n, _)| n.starts_with(name)).collect();
    let first = hits.first()?;
    hits.iter().all(|h| h.1 == first.1).then_some(first.0)
}

/// The full name `--name` abbreviates, or None when it is a whole name,
/// ambiguous or unknown.
pub fn expand(
    name: &str,
    target: bool,
    matches: &[MatchB],
    implicit: Option<Module>,
) -> Option<&'static str> {
    let t0 = table(target, matches, None);
    if t0.iter().any(|(n, _)| *n == name) {
        return None;
    }
    unique(&t0, name).or_else(|| {
        let t1 = table(target, matches, implicit);
        unique(&t1, name)
    })
}
