//! Abbreviated long options (issue 20 follow-up): getopt_long takes any
//! unambiguous prefix of an option of the table it was given — iptables'
//! own options, then those of the target and matches loaded so far (and
//! the protocol's match, loaded when an option is not found). A prefix of
//! two different options is not taken (iptables then says "unknown
//! option").

use super::super::options::{self, Owner, OPTIONS};
use super::super::Item;
use super::{implicit_match, State};

/// iptables' long options that `mark` does not take; getopt still counts
/// them when it resolves a prefix.
const OTHER_CORE_LONG: [&str; 5] = [
    "wait",
    "wait-interval",
    "fragment",
    "modprobe",
    "set-counters",
];

/// What a prefix names among `names` (option identity, spelling).
enum Found {
    Exact,
    One(String),
    None,
    Ambiguous,
}

fn lookup<'a>(prefix: &str, names: impl Iterator<Item = (usize, &'a str)>) -> Found {
    let mut hit: Option<(usize, &str)> = None;
    for (id, n) in names {
        if n == prefix {
            return Found::Exact;
        }
        if !n.starts_with(prefix) {
            continue;
        }
        match hit {
            Some((other, _)) if other != id => return Found::Ambiguous,
            Some(_) => {}
            None => hit = Some((id, n)),
        }
    }
    match hit {
        Some((_, n)) => Found::One(n.to_string()),
        None => Found::None,
    }
}

impl State {
    /// The long options getopt knows now, as (identity, spelling); with
    /// `implicit`, the protocol's match too.
    fn known_long(&self, implicit: bool) -> Vec<(usize, &'static str)> {
        let loaded = self.target.as_deref().filter(|_| !self.goto);
        let target = Owner::Target(options::target_name(loaded));
        let mut owners: Vec<Owner> = vec![Owner::Core, target];
        owners.extend(self.matches.iter().map(|m| Owner::Match(m.module)));
        if implicit {
            owners.extend(implicit_match(self.proto, self.family).map(Owner::Match));
        }
        let mut out: Vec<(usize, &'static str)> = OPTIONS
            .iter()
            .enumerate()
            .filter(|(_, o)| owners.contains(&o.owner))
            .flat_map(|(i, o)| o.long.iter().map(move |l| (i, *l)))
            .collect();
        let base = OPTIONS.len();
        out.extend(
            OTHER_CORE_LONG
                .iter()
                .enumerate()
                .map(|(i, n)| (base + i, *n)),
        );
        out
    }

    /// `item` with its full name when it is an unambiguous prefix.
    pub(super) fn unabbreviated(&self, item: &Item) -> Option<Item> {
        if !item.long || item.name.is_empty() {
            return None;
        }
        let mut found = lookup(&item.name, self.known_long(false).into_iter());
        if matches!(found, Found::None) {
            found = lookup(&item.name, self.known_long(true).into_iter());
        }
        match found {
            Found::One(full) => Some(Item {
                name: full,
                inline: item.inline.clone(),
                long: true,
            }),
            _ => None,
        }
    }
}
