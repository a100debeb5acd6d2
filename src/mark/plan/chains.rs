//! The chain commands of `ipvsadm mark` (issue 20): `-N`, `-X`, `-E`,
//! `-Z` (alone or after `-L`/`-S`) and `-R`, planned against a snapshot as
//! iptables-nft 1.8.9 plans them, and the messages they add to a batch.
//!
//! iptables checks in user space what it can (a chain that exists already,
//! a missing chain, a rule number too big) and leaves the rest to the
//! kernel: deleting a chain that still has rules or is jumped to is
//! refused there (EBUSY), as is a jump to a base chain.

use super::{
    bad_rule, builtin, no_chain, Builtin, ChainState, Cmd, Op, TableState, BUILTINS, PRIO_MANGLE,
    TABLE,
};
use crate::error::XT_OTHER;
use crate::mark::expr::Expr;
use crate::mark::grammar::param;
use crate::mark::rule::{Family, Rule, Target, VERDICT_GOTO, VERDICT_JUMP};
use crate::mark::MarkError;
use crate::netlink::msg::{NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST};
use crate::netlink::Writer;
use crate::nftables::attrs::{chain as nchain, counter, hook, rule as nrule, rule_compat};
use crate::nftables::expr::encode_list;
use crate::nftables::{begin_msg, nest_begin, nft_type, NftMsg};

/// NLM_F_REPLACE (new rule) and NLM_F_NONREC (delete chain) share a bit.
const NLM_F_REPLACE: u16 = 0x100;
/// NFTA_CHAIN_FLAGS.
const CHAIN_FLAGS: u16 = 10;
/// NFT_CHAIN_BASE, the flags the kernel dumps for a base chain.
pub const CHAIN_BASE: u32 = 1;

fn text_error(prog: &str, text: &str) -> MarkError {
    MarkError::new(format!("{prog}: {text}\n"), XT_OTHER)
}

/// `-j NAME` of a chain that does not exist: refused while parsing, before
/// anything else is looked at (builtin names count as existing).
pub(super) fn check_jumps(cmd: &Cmd, state: &TableState, family: Family) -> Result<(), MarkError> {
    let rules: &[Rule] = match cmd {
        Cmd::Append { rules, .. }
        | Cmd::Insert { rules, .. }
        | Cmd::Delete { rules, .. }
        | Cmd::Check { rules, .. } => rules,
        Cmd::Replace { rule, .. } => std::slice::from_ref(rule),
        _ => return Ok(()),
    };
    for r in rules {
        if let Target::Verdict {
            code: VERDICT_JUMP | VERDICT_GOTO,
            chain: Some(c),
        } = &r.target
        {
            if state.chain(c).is_none() && builtin(c).is_none() {
                return Err(param(family, &format!("Chain '{c}' does not exist")));
            }
        }
    }
    Ok(())
}

/// The ops of a chain command (`cmd` is one of [`Cmd::NewChain`],
/// [`Cmd::DelChain`], [`Cmd::Rename`], [`Cmd::Zero`], [`Cmd::Replace`]).
pub(super) fn plan(
    cmd: &Cmd,
    state: &TableState,
    family: Family,
    prog: &str,
    ops: &mut Vec<Op>,
) -> Result<(), MarkError> {
    match cmd {
        Cmd::NewChain { name } => {
            if state.chain(name).is_some() || builtin(name).is_some() {
                return Err(text_error(prog, "Chain already exists."));
            }
            if !state.exists {
                ops.push(Op::NewTable);
            }
            ops.push(Op::NewUserChain(name.clone()));
        }
        Cmd::DelChain { chain: Some(c), .. } => {
            let found = state.chain(c).ok_or_else(|| no_chain(prog))?;
            ops.push(Op::DelChain(without_rules(found)));
        }
        Cmd::DelChain {
            chain: None,
            verbose,
        } => {
            // In the kernel's order; iptables sorts its cache for `-v`.
            let mut user: Vec<&ChainState> =
                state.chains.iter().filter(|c| c.base.is_none()).collect();
            if *verbose {
                user.sort_by(|a, b| a.name.cmp(&b.name));
            }
            for c in user {
                ops.push(Op::DelChain(without_rules(c)));
            }
        }
        Cmd::Rename { old, new } => {
            if state.chain(new).is_some() || builtin(new).is_some() {
                return Err(text_error(prog, "File exists."));
            }
            let c = state.chain(old).ok_or_else(|| no_chain(prog))?;
            ops.push(Op::RenameChain {
                handle: c.handle,
                name: new.clone(),
            });
        }
        Cmd::Zero { .. } => plan_zero(cmd, state, family, prog, ops)?,
        Cmd::Replace { chain, num, rule } => {
            let c = state.chain(chain).ok_or_else(|| no_chain(prog))?;
            let old = c
                .rules
                .get((*num as usize).saturating_sub(1))
                .ok_or_else(|| text_error(prog, "Index of replacement too big."))?;
            ops.push(Op::ReplaceRule {
                chain: chain.clone(),
                handle: old.handle,
                exprs: rule.to_exprs(),
                compat: Some(rule.compat()),
            });
        }
        _ => {}
    }
    Ok(())
}

/// `-Z [chain [num]]`, after checking the listing it follows.
fn plan_zero(
    cmd: &Cmd,
    state: &TableState,
    family: Family,
    prog: &str,
    ops: &mut Vec<Op>,
) -> Result<(), MarkError> {
    let Cmd::Zero {
        chain,
        num,
        list,
        verbose,
    } = cmd
    else {
        return Ok(());
    };
    if let Some(l) = list {
        super::plan(l, state, family)?;
    }
    if let Some(n) = num {
        return zero_rule(state, family, chain.as_deref(), *n, prog, ops);
    }
    let (listing, sorted) = (list.is_some(), *verbose || list.is_some());
    for c in zeroed_chains(state, chain.as_deref(), listing, sorted, prog)? {
        zero_chain(&c, ops);
    }
    Ok(())
}

fn without_rules(c: &ChainState) -> ChainState {
    ChainState {
        rules: Vec::new(),
        ..c.clone()
    }
}

/// User-defined chains, sorted by name as iptables' cache keeps them for
/// `-Z` and the listings.
fn user_chains(state: &TableState) -> Vec<&ChainState> {
    let mut v: Vec<&ChainState> = state.chains.iter().filter(|c| c.base.is_none()).collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// A builtin chain as iptables' cache pretends it exists when listing.
fn fake_builtin(b: &Builtin) -> ChainState {
    ChainState {
        name: b.name.to_string(),
        base: Some((b.hook, PRIO_MANGLE, b.kind.to_string())),
        policy: Some(1),
        ..Default::default()
    }
}

/// The chains `-Z [chain]` zeroes, in iptables' order: builtins by hook
/// (those not created yet only when a listing made them up), then user
/// chains in the kernel's order, or by name when iptables sorted its cache
/// (`-v`, a listing).
pub(super) fn zeroed_chains(
    state: &TableState,
    chain: Option<&str>,
    listing: bool,
    sorted: bool,
    prog: &str,
) -> Result<Vec<ChainState>, MarkError> {
    let mut all: Vec<ChainState> = Vec::new();
    for b in BUILTINS.iter() {
        match state.chain(b.name) {
            Some(c) => all.push(c.clone()),
            None if listing => all.push(fake_builtin(b)),
            None => {}
        }
    }
    let base_named = |c: &&ChainState| c.base.is_some() && builtin(&c.name).is_none();
    all.extend(state.chains.iter().filter(base_named).cloned());
    if sorted {
        all.extend(user_chains(state).into_iter().cloned());
    } else {
        all.extend(state.chains.iter().filter(|c| c.base.is_none()).cloned());
    }
    match chain {
        None => Ok(all),
        Some(n) => match all.into_iter().find(|c| c.name == n) {
            Some(c) => Ok(vec![c]),
            None => Err(no_chain(prog)),
        },
    }
}

/// A base chain's counters, and every rule that counted something.
fn zero_chain(c: &ChainState, ops: &mut Vec<Op>) {
    if c.base.is_some() {
        ops.push(Op::ZeroChain(without_rules(c)));
    }
    for r in &c.rules {
        let counted = r
            .exprs
            .iter()
            .any(|e| matches!(e, Expr::Counter { bytes, packets } if *bytes != 0 || *packets != 0));
        if !counted {
            continue;
        }
        ops.push(Op::ReplaceRule {
            chain: c.name.clone(),
            handle: r.handle,
            exprs: zeroed(&r.exprs),
            compat: None,
        });
    }
}

/// Dumped expressions with their counters zeroed.
fn zeroed(exprs: &[Expr]) -> Vec<Expr> {
    exprs
        .iter()
        .map(|e| match e {
            Expr::Counter { .. } => Expr::Counter {
                bytes: 0,
                packets: 0,
            },
            e => e.clone(),
        })
        .collect()
}

/// `-Z chain num`: the rule rebuilt with zero counters; a rule number past
/// the end changes nothing (iptables reports success).
fn zero_rule(
    state: &TableState,
    family: Family,
    chain: Option<&str>,
    num: u32,
    prog: &str,
    ops: &mut Vec<Op>,
) -> Result<(), MarkError> {
    let bad = || bad_rule(prog);
    let c = chain.and_then(|n| state.chain(n)).ok_or_else(bad)?;
    let Some(r) = c.rules.get((num as usize).saturating_sub(1)) else {
        return Ok(());
    };
    let (exprs, compat) = match Rule::from_exprs(family, &r.exprs) {
        Some((rule, _)) => (rule.to_exprs(), Some(rule.compat())),
        None => (zeroed(&r.exprs), None),
    };
    ops.push(Op::ReplaceRule {
        chain: c.name.clone(),
        handle: r.handle,
        exprs,
        compat,
    });
    Ok(())
}

/// What `-X -v` and `-Z -v` print: a line per chain.
pub fn verbose_lines(cmd: &Cmd, state: &TableState, ops: &[Op]) -> String {
    match cmd {
        Cmd::DelChain { verbose: true, .. } => ops
            .iter()
            .filter_map(|o| match o {
                Op::DelChain(c) => Some(format!("Deleting chain `{}'\n", c.name)),
                _ => None,
            })
            .collect(),
        Cmd::Zero {
            chain,
            num: None,
            list,
            verbose: true,
        } => zeroed_chains(state, chain.as_deref(), list.is_some(), true, "")
            .unwrap_or_default()
            .iter()
            .map(|c| format!("Zeroing chain `{}'\n", c.name))
            .collect(),
        _ => String::new(),
    }
}

/// The batch message of a chain command's op; false for other ops.
pub(super) fn encode(w: &mut Writer, op: &Op, seq: u32, fam: u8) -> bool {
    match op {
        Op::NewUserChain(name) => {
            let flags = NLM_F_REQUEST | NLM_F_EXCL;
            let m = begin_msg(w, nft_type(NftMsg::NewChain), flags, seq, fam, 0);
            w.put_str(nchain::TABLE, TABLE);
            w.put_str(nchain::NAME, name);
            w.end_msg(m);
        }
        Op::DelChain(c) => {
            let flags = NLM_F_REQUEST | NLM_F_REPLACE;
            let m = begin_msg(w, nft_type(NftMsg::DelChain), flags, seq, fam, 0);
            chain_attrs(w, c, false);
            w.end_msg(m);
        }
        Op::RenameChain { handle, name } => {
            let m = begin_msg(w, nft_type(NftMsg::NewChain), NLM_F_REQUEST, seq, fam, 0);
            w.put_str(nchain::TABLE, TABLE);
            w.put_str(nchain::NAME, name);
            w.put_be64(nchain::HANDLE, *handle);
            w.end_msg(m);
        }
        Op::ZeroChain(c) => {
            let flags = NLM_F_REQUEST | NLM_F_CREATE;
            let m = begin_msg(w, nft_type(NftMsg::NewChain), flags, seq, fam, 0);
            chain_attrs(w, c, true);
            w.end_msg(m);
        }
        Op::ReplaceRule {
            chain,
            handle,
            exprs,
            compat,
        } => {
            let flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
            let m = begin_msg(w, nft_type(NftMsg::NewRule), flags, seq, fam, 0);
            w.put_str(nrule::TABLE, TABLE);
            w.put_str(nrule::CHAIN, chain);
            w.put_be64(nrule::HANDLE, *handle);
            encode_list(w, exprs);
            if let Some((proto, flags)) = compat {
                let c = nest_begin(w, nrule::COMPAT);
                w.put_be32(rule_compat::PROTO, *proto);
                w.put_be32(rule_compat::FLAGS, *flags);
                w.nest_end(c);
            }
            w.end_msg(m);
        }
        _ => return false,
    }
    true
}

/// A dumped chain's attributes as libnftnl re-sends them (no handle);
/// `zero` adds zero counters.
fn chain_attrs(w: &mut Writer, c: &ChainState, zero: bool) {
    w.put_str(nchain::TABLE, TABLE);
    w.put_str(nchain::NAME, &c.name);
    if let Some((num, prio, _)) = &c.base {
        let h = nest_begin(w, nchain::HOOK);
        w.put_be32(hook::HOOKNUM, *num);
        w.put_be32(hook::PRIORITY, *prio as u32);
        w.nest_end(h);
        w.put_be32(nchain::POLICY, c.policy.unwrap_or(1));
    }
    if let Some(u) = c.use_count {
        w.put_be32(nchain::USE, u);
    }
    if zero {
        let n = nest_begin(w, nchain::COUNTERS);
        w.put_be64(counter::PACKETS, 0);
        w.put_be64(counter::BYTES, 0);
        w.nest_end(n);
    }
    if let Some((_, _, kind)) = &c.base {
        w.put_str(nchain::TYPE, kind);
    }
    if let Some(f) = c.flags {
        w.put_be32(CHAIN_FLAGS, f);
    }
}
