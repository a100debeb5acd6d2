//! What a command changes, decided against a snapshot of the table, and the
//! nf_tables batch that carries it (pure).
//!
//! [`plan`] mirrors iptables-nft 1.8.9's decisions: create the table and the
//! builtin chain only when absent (never resending an existing chain, so its
//! policy is untouched), append/insert positions by rule handle, delete by
//! re-sending the dumped rule. [`encode_batch`] frames the result between
//! NFNL_MSG_BATCH_BEGIN (with the generation id) and NFNL_MSG_BATCH_END.
//! The tests' in-memory ruleset (`super::mem`) replays a plan on a snapshot.

mod chains;

pub use chains::{verbose_lines, CHAIN_BASE};

use super::expr::Expr;
use super::rule::{Family, Rule};
use super::MarkError;
use crate::error::XT_OTHER;
use crate::netlink::msg::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_REQUEST};
use crate::netlink::{TooLong, Writer};
use crate::nftables::attrs::{
    batch, chain as nchain, counter, hook, rule as nrule, rule_compat, table,
};
use crate::nftables::expr::encode_list;
use crate::nftables::{
    begin_msg, nest_begin, nft_type, NftMsg, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END,
    NFNL_SUBSYS_NFTABLES,
};

pub const TABLE: &str = "mangle";

/// A builtin chain of the mangle table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    pub name: &'static str,
    pub hook: u32,
    pub kind: &'static str,
}

/// The mangle table's builtin chains in iptables' listing order.
pub const BUILTINS: [Builtin; 5] = [
    Builtin {
        name: "PREROUTING",
        hook: 0,
        kind: "filter",
    },
    Builtin {
        name: "INPUT",
        hook: 1,
        kind: "filter",
    },
    Builtin {
        name: "FORWARD",
        hook: 2,
        kind: "filter",
    },
    Builtin {
        name: "OUTPUT",
        hook: 3,
        kind: "route",
    },
    Builtin {
        name: "POSTROUTING",
        hook: 4,
        kind: "filter",
    },
];
/// NF_IP_PRI_MANGLE.
pub const PRIO_MANGLE: i32 = -150;

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// A rule as dumped from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub handle: u64,
    pub exprs: Vec<Expr>,
    pub userdata: Option<Vec<u8>>,
}

/// A chain as dumped from the kernel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainState {
    pub name: String,
    /// NFTA_CHAIN_HANDLE (0 for a builtin chain not created yet).
    pub handle: u64,
    /// NFTA_CHAIN_USE: its rules plus the jumps to it (None: not dumped).
    pub use_count: Option<u32>,
    /// NFTA_CHAIN_FLAGS (NFT_CHAIN_BASE for base chains).
    pub flags: Option<u32>,
    /// Base chain: (hook number, priority, type).
    pub base: Option<(u32, i32, String)>,
    /// NF_ACCEPT (1) or NF_DROP (0) for base chains.
    pub policy: Option<u32>,
    /// (packets, bytes) of the policy.
    pub counters: (u64, u64),
    pub rules: Vec<StoredRule>,
}

/// Snapshot of our table in one family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableState {
    pub exists: bool,
    pub chains: Vec<ChainState>,
}

impl TableState {
    pub fn chain(&self, name: &str) -> Option<&ChainState> {
        self.chains.iter().find(|c| c.name == name)
    }
}

/// Where a new rule goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pos {
    Append,
    Head,
    Before(u64),
    /// Before the rule carrying NFTA_RULE_ID `n` in the same batch.
    BeforeId(u32),
}

/// One change in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Op {
    NewTable,
    NewChain(&'static Builtin),
    /// `id`: NFTA_RULE_ID, set when a later rule of the batch refers to it.
    NewRule {
        chain: String,
        rule: Rule,
        pos: Pos,
        id: Option<u32>,
    },
    DelRule {
        chain: String,
        rule: StoredRule,
        position: Option<u64>,
    },
    Flush(Option<String>),
    Policy {
        chain: &'static Builtin,
        accept: bool,
    },
    // Chain commands (issue 20).
    /// `-N`: a user chain.
    NewUserChain(String),
    /// `-X`: the chain as dumped (its rules aside).
    DelChain(ChainState),
    /// `-E`: the chain of this handle takes a new name.
    RenameChain {
        handle: u64,
        name: String,
    },
    /// `-Z`: a base chain re-sent with zero counters (a builtin chain not
    /// created yet has handle 0 and no use count).
    ZeroChain(ChainState),
    /// `-R`, `-Z chain rulenum` and `-Z` of a rule that counted packets:
    /// the rule of `handle` replaced in place.
    ReplaceRule {
        chain: String,
        handle: u64,
        exprs: Vec<Expr>,
        compat: Option<(u32, u32)>,
    },
}

/// The commands of `ipvsadm mark`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Append {
        chain: String,
        rules: Vec<Rule>,
    },
    Insert {
        chain: String,
        num: u32,
        rules: Vec<Rule>,
    },
    Delete {
        chain: String,
        rules: Vec<Rule>,
    },
    DeleteNum {
        chain: String,
        num: u32,
    },
    Check {
        chain: String,
        rules: Vec<Rule>,
    },
    /// `verbose`: `-F -v` flushes (and creates) every builtin chain one by one.
    Flush {
        chain: Option<String>,
        verbose: bool,
    },
    ListRules {
        chain: Option<String>,
        num: Option<u32>,
    },
    List {
        chain: Option<String>,
        num: Option<u32>,
    },
    Policy {
        chain: String,
        accept: bool,
    },
    // Chain commands (issue 20).
    NewChain {
        name: String,
    },
    /// `-X [chain]`; `verbose` names each chain deleted.
    DelChain {
        chain: Option<String>,
        verbose: bool,
    },
    Rename {
        old: String,
        new: String,
    },
    /// `-Z [chain [num]]`, after listing with `-L`/`-S` when `list` is set.
    Zero {
        chain: Option<String>,
        num: Option<u32>,
        list: Option<Box<Cmd>>,
        verbose: bool,
    },
    Replace {
        chain: String,
        num: u32,
        rule: Box<Rule>,
    },
}

fn no_chain(prog: &str) -> MarkError {
    MarkError::new(
        format!("{prog}: No chain/target/match by that name.\n"),
        XT_OTHER,
    )
}

fn bad_rule(prog: &str) -> MarkError {
    MarkError::new(
        format!("{prog}: Bad rule (does a matching rule exist in that chain?).\n"),
        XT_OTHER,
    )
}

/// Ops that make `chain` exist (table and builtin chain when absent).
fn ensure_chain(
    state: &TableState,
    chain: &str,
    prog: &str,
    ops: &mut Vec<Op>,
) -> Result<(), MarkError> {
    if state.chain(chain).is_some() {
        return Ok(());
    }
    let b = builtin(chain).ok_or_else(|| no_chain(prog))?;
    if !state.exists {
        ops.push(Op::NewTable);
    }
    ops.push(Op::NewChain(b));
    Ok(())
}

/// Finds the first rule of `chain` equal to `rule` (counters aside).
pub fn find_rule(
    state: &TableState,
    family: Family,
    chain: &str,
    rule: &Rule,
) -> Option<(usize, StoredRule)> {
    let c = state.chain(chain)?;
    // The rule as it reads back once encoded (iptables compares what the
    // kernel would hold: `--tcp-flags NONE SYN` is no tcp match at all).
    let written = Rule::from_exprs(family, &rule.to_exprs()).map(|r| r.0);
    let rule = written.as_ref().unwrap_or(rule);
    c.rules
        .iter()
        .enumerate()
        .find_map(|(i, s)| match Rule::from_exprs(family, &s.exprs) {
            Some((r, _)) if &r == rule => Some((i, s.clone())),
            _ => None,
        })
}

fn prev_handle(state: &TableState, chain: &str, idx: usize) -> Option<u64> {
    let c = state.chain(chain)?;
    idx.checked_sub(1)
        .and_then(|p| c.rules.get(p))
        .map(|r| r.handle)
}

/// `-I chain [num]`: the position of the first rule, and each further rule
/// before the previous one.
fn plan_insert(
    state: &TableState,
    chain: &str,
    num: u32,
    rules: &[Rule],
    prog: &str,
    ops: &mut Vec<Op>,
) -> Result<(), MarkError> {
    let count = state.chain(chain).map_or(0, |c| c.rules.len());
    let n = num as usize;
    if n > count + 1 || (n > 1 && state.chain(chain).is_none()) {
        if state.chain(chain).is_none() && builtin(chain).is_none() {
            return Err(no_chain(prog));
        }
        return Err(MarkError::new(
            format!("{prog}: Index of insertion too big.\n"),
            XT_OTHER,
        ));
    }
    ensure_chain(state, chain, prog, ops)?;
    let pos = if n <= 1 {
        Pos::Head
    } else if n == count + 1 {
        Pos::Append
    } else {
        match state.chain(chain).and_then(|c| c.rules.get(n - 1)) {
            Some(r) => Pos::Before(r.handle),
            None => Pos::Append,
        }
    };
    for (i, r) in rules.iter().enumerate() {
        if i > 0 && !state.exists {
            ops.push(Op::NewTable);
        }
        // iptables inserts each further rule before the previous
        // one, naming it by rule ID when its handle is not known yet.
        let (p, id) = match &pos {
            Pos::Before(_) if rules.len() > 1 => {
                let p = if i == 0 {
                    pos.clone()
                } else {
                    Pos::BeforeId(i as u32)
                };
                (p, (i + 1 < rules.len()).then_some(i as u32 + 1))
            }
            _ => (pos.clone(), None),
        };
        ops.push(Op::NewRule {
            chain: chain.to_string(),
            rule: r.clone(),
            pos: p,
            id,
        });
    }
    Ok(())
}

/// Decides the batch for `cmd`. `Ok(ops)` is sent as one batch (possibly
/// empty, as iptables does for -S/-L/-C); `Err` means nothing is sent.
pub fn plan(cmd: &Cmd, state: &TableState, family: Family) -> Result<Vec<Op>, MarkError> {
    let prog = prog_name(family);
    let mut ops = Vec::new();
    chains::check_jumps(cmd, state, family)?;
    match cmd {
        Cmd::Append { chain, rules } => {
            ensure_chain(state, chain, prog, &mut ops)?;
            for (i, r) in rules.iter().enumerate() {
                // iptables re-sends the table before every further rule of a
                // batch that created it.
                if i > 0 && !state.exists {
                    ops.push(Op::NewTable);
                }
                ops.push(Op::NewRule {
                    chain: chain.clone(),
                    rule: r.clone(),
                    pos: Pos::Append,
                    id: None,
                });
            }
        }
        Cmd::Insert { chain, num, rules } => {
            plan_insert(state, chain, *num, rules, prog, &mut ops)?
        }
        Cmd::Delete { chain, rules } => plan_delete(state, family, chain, rules, &mut ops)?,
        Cmd::DeleteNum { chain, num } => {
            let Some(c) = state.chain(chain) else {
                return Err(no_chain(prog));
            };
            let idx = (*num as usize).saturating_sub(1);
            let stored = c.rules.get(idx).cloned().ok_or_else(|| {
                MarkError::new(format!("{prog}: Index of deletion too big.\n"), XT_OTHER)
            })?;
            let position = prev_handle(state, chain, idx);
            ops.push(Op::DelRule {
                chain: chain.clone(),
                rule: stored,
                position,
            });
        }
        Cmd::Check { chain, rules } => {
            for r in rules {
                find_rule(state, family, chain, r).ok_or_else(|| bad_rule(prog))?;
            }
        }
        Cmd::Flush {
            chain: Some(chain), ..
        } => {
            ensure_chain(state, chain, prog, &mut ops)?;
            ops.push(Op::Flush(Some(chain.clone())));
        }
        Cmd::Flush {
            chain: None,
            verbose,
        } => plan_flush_all(state, *verbose, &mut ops),
        Cmd::ListRules { chain, .. } | Cmd::List { chain, .. } => {
            check_listed_chain(state, chain.as_deref(), prog)?
        }
        Cmd::Policy { chain, accept } => {
            let b = builtin(chain).ok_or_else(|| {
                MarkError::new(format!("{prog}: Bad built-in chain name.\n"), XT_OTHER)
            })?;
            if !state.exists {
                ops.push(Op::NewTable);
            }
            ops.push(Op::Policy {
                chain: b,
                accept: *accept,
            });
        }
        Cmd::NewChain { .. }
        | Cmd::DelChain { .. }
        | Cmd::Rename { .. }
        | Cmd::Zero { .. }
        | Cmd::Replace { .. } => chains::plan(cmd, state, family, prog, &mut ops)?,
    }
    Ok(ops)
}

/// `-D` of whole rules: each found (in the table as the earlier deletions
/// of the same command leave it) and deleted by handle.
fn plan_delete(
    state: &TableState,
    family: Family,
    chain: &str,
    rules: &[Rule],
    ops: &mut Vec<Op>,
) -> Result<(), MarkError> {
    let prog = prog_name(family);
    let mut st = state.clone();
    for r in rules {
        let (idx, stored) = find_rule(&st, family, chain, r).ok_or_else(|| bad_rule(prog))?;
        let position = prev_handle(&st, chain, idx);
        ops.push(Op::DelRule {
            chain: chain.to_string(),
            rule: stored,
            position,
        });
        if let Some(c) = st.chains.iter_mut().find(|c| c.name == chain) {
            c.rules.remove(idx);
        }
    }
    Ok(())
}

/// `-F` of the whole table: iptables flushes the table in one message, or
/// with `-v` creates the missing built-in chains and flushes chain by chain.
fn plan_flush_all(state: &TableState, verbose: bool, ops: &mut Vec<Op>) {
    if !verbose {
        if state.exists {
            ops.push(Op::Flush(None));
        }
        return;
    }
    if !state.exists {
        ops.push(Op::NewTable);
    }
    for b in BUILTINS.iter() {
        if state.chain(b.name).is_none() {
            ops.push(Op::NewChain(b));
        }
    }
    for b in BUILTINS.iter() {
        ops.push(Op::Flush(Some(b.name.to_string())));
    }
    for c in state.chains.iter().filter(|c| builtin(&c.name).is_none()) {
        ops.push(Op::Flush(Some(c.name.clone())));
    }
}

/// `-L`/`-S CHAIN`: a chain that is neither there nor built in is refused.
fn check_listed_chain(
    state: &TableState,
    chain: Option<&str>,
    prog: &str,
) -> Result<(), MarkError> {
    match chain {
        Some(chain) if state.chain(chain).is_none() && builtin(chain).is_none() => {
            Err(MarkError::new(
                format!(
                    "{prog} v1.8.9 (nf_tables): chain `{chain}' in table `{TABLE}' is incompatible, use 'nft' tool.\n"
                ),
                XT_OTHER,
            ))
        }
        _ => Ok(()),
    }
}

/// "iptables" or "ip6tables", the program whose texts we speak.
pub fn prog_name(family: Family) -> &'static str {
    match family {
        Family::V4 => "iptables",
        Family::V6 => "ip6tables",
    }
}

fn encode_chain(
    w: &mut Writer,
    b: &Builtin,
    flags: u16,
    seq: u32,
    family: Family,
    policy: Option<bool>,
) {
    let m = begin_msg(
        w,
        nft_type(NftMsg::NewChain),
        flags,
        seq,
        family.nfproto(),
        0,
    );
    w.put_str(nchain::TABLE, TABLE);
    w.put_str(nchain::NAME, b.name);
    let h = nest_begin(w, nchain::HOOK);
    w.put_be32(hook::HOOKNUM, b.hook);
    w.put_be32(hook::PRIORITY, PRIO_MANGLE as u32);
    w.nest_end(h);
    w.put_be32(nchain::POLICY, policy.map_or(1, |a| a as u32));
    if policy.is_some() {
        let c = nest_begin(w, nchain::COUNTERS);
        w.put_be64(counter::PACKETS, 0);
        w.put_be64(counter::BYTES, 0);
        w.nest_end(c);
    }
    w.put_str(nchain::TYPE, b.kind);
    w.end_msg(m);
}

fn encode_new_rule(
    w: &mut Writer,
    seq: u32,
    fam: u8,
    chain: &str,
    rule: &Rule,
    pos: &Pos,
    id: Option<u32>,
) {
    let flags = match pos {
        Pos::Append => NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND,
        _ => NLM_F_REQUEST | NLM_F_CREATE,
    };
    let m = begin_msg(w, nft_type(NftMsg::NewRule), flags, seq, fam, 0);
    w.put_str(nrule::TABLE, TABLE);
    w.put_str(nrule::CHAIN, chain);
    if let Pos::Before(h) = pos {
        w.put_be64(nrule::POSITION, *h);
    }
    encode_list(w, &rule.to_exprs());
    let (proto, flags) = rule.compat();
    let c = nest_begin(w, nrule::COMPAT);
    w.put_be32(rule_compat::PROTO, proto);
    w.put_be32(rule_compat::FLAGS, flags);
    w.nest_end(c);
    if let Some(id) = id {
        w.put_be32(nrule::ID, id);
    }
    if let Pos::BeforeId(p) = pos {
        w.put_be32(nrule::POSITION_ID, *p);
    }
    w.end_msg(m);
}

fn encode_del_rule(
    w: &mut Writer,
    seq: u32,
    fam: u8,
    chain: &str,
    rule: &StoredRule,
    position: Option<u64>,
) {
    let m = begin_msg(w, nft_type(NftMsg::DelRule), NLM_F_REQUEST, seq, fam, 0);
    w.put_str(nrule::TABLE, TABLE);
    w.put_str(nrule::CHAIN, chain);
    w.put_be64(nrule::HANDLE, rule.handle);
    if let Some(p) = position {
        w.put_be64(nrule::POSITION, p);
    }
    if let Some(u) = &rule.userdata {
        w.put(nrule::USERDATA, u);
    }
    if !rule.exprs.is_empty() {
        encode_list(w, &rule.exprs);
    }
    w.end_msg(m);
}

fn encode_op(w: &mut Writer, op: &Op, seq: u32, family: Family) {
    let fam = family.nfproto();
    if chains::encode(w, op, seq, fam) {
        return;
    }
    match op {
        Op::NewTable => {
            let flags = NLM_F_REQUEST | NLM_F_CREATE;
            let m = begin_msg(w, nft_type(NftMsg::NewTable), flags, seq, fam, 0);
            w.put_str(table::NAME, TABLE);
            w.end_msg(m);
        }
        Op::NewChain(b) => encode_chain(w, b, NLM_F_REQUEST | NLM_F_CREATE, seq, family, None),
        Op::Policy { chain, accept } => {
            encode_chain(w, chain, NLM_F_REQUEST, seq, family, Some(*accept))
        }
        Op::NewRule {
            chain,
            rule,
            pos,
            id,
        } => encode_new_rule(w, seq, fam, chain, rule, pos, *id),
        Op::DelRule {
            chain,
            rule,
            position,
        } => encode_del_rule(w, seq, fam, chain, rule, *position),
        Op::Flush(chain) => {
            let m = begin_msg(w, nft_type(NftMsg::DelRule), NLM_F_REQUEST, seq, fam, 0);
            w.put_str(nrule::TABLE, TABLE);
            if let Some(c) = chain {
                w.put_str(nrule::CHAIN, c);
            }
            w.end_msg(m);
        }
        _ => {}
    }
}

/// Frames `ops` as one batch; the first message gets sequence `seq`.
/// [`TooLong`] when a message or attribute would not fit its length field.
pub fn encode_batch(ops: &[Op], family: Family, genid: u32, seq: u32) -> Result<Vec<u8>, TooLong> {
    let mut w = Writer::with_capacity(256 * (ops.len() + 2));
    let mut seq = seq;
    let batch_begin = |w: &mut Writer, ty: u16, seq: u32| {
        begin_msg(w, ty, NLM_F_REQUEST, seq, 0, NFNL_SUBSYS_NFTABLES)
    };
    let m = batch_begin(&mut w, NFNL_MSG_BATCH_BEGIN, seq);
    w.put_be32(batch::GENID, genid);
    w.end_msg(m);
    for op in ops {
        seq = seq.wrapping_add(1);
        encode_op(&mut w, op, seq, family);
    }
    seq = seq.wrapping_add(1);
    let m = batch_begin(&mut w, NFNL_MSG_BATCH_END, seq);
    w.end_msg(m);
    w.finish()
}
