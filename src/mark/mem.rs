//! An in-memory nf_tables ruleset behind [`Netfilter`], for tests only (not
//! built into the product): both families' mangle tables, replaying each
//! committed batch the way the kernel would ([`apply`]), and keeping the
//! batch bytes it would have sent so tests can compare them with iptables'.

use super::expr::Expr;
use super::netfilter::{CommitError, Netfilter};
use super::plan::{
    encode_batch, ChainState, Op, Pos, StoredRule, TableState, CHAIN_BASE, PRIO_MANGLE,
};
use super::rule::Family;

/// One family's table and the next handle the kernel would give.
#[derive(Debug, Clone)]
pub struct MemTable {
    pub state: TableState,
    pub next_handle: u64,
}

impl Default for MemTable {
    fn default() -> Self {
        MemTable {
            state: TableState::default(),
            next_handle: 1,
        }
    }
}

/// The simulated ruleset.
#[derive(Debug, Clone, Default)]
pub struct MemNetfilter {
    pub v4: MemTable,
    pub v6: MemTable,
    pub genid: u32,
    /// The bytes of every committed batch (sequence numbers from 1).
    pub batches: Vec<Vec<u8>>,
    /// Refuse the next commit with this errno at this op index.
    pub refuse: Option<CommitError>,
}

impl MemNetfilter {
    pub fn table(&mut self, family: Family) -> &mut MemTable {
        match family {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        }
    }
}

impl Netfilter for MemNetfilter {
    fn genid(&mut self) -> Result<u32, i32> {
        Ok(self.genid)
    }

    fn load(&mut self, family: Family) -> Result<TableState, i32> {
        Ok(dumped(&self.table(family).state))
    }

    fn commit(&mut self, ops: &[Op], family: Family, genid: u32) -> Result<(), CommitError> {
        if let Some(e) = self.refuse.take() {
            return Err(e);
        }
        let batch = encode_batch(ops, family, genid, 1).map_err(|_| CommitError {
            errno: libc::EMSGSIZE,
            op: None,
        })?;
        self.batches.push(batch);
        let t = self.table(family);
        let (mut state, mut next) = (t.state.clone(), t.next_handle);
        try_apply(&mut state, ops, &mut next)?;
        (t.state, t.next_handle) = (state, next);
        self.genid = self.genid.wrapping_add(1);
        Ok(())
    }
}

/// The kernel reports the bitwise operation it defaulted.
fn as_dumped(e: Expr) -> Expr {
    match e {
        Expr::Bitwise {
            sreg,
            dreg,
            op: None,
            len,
            mask,
            xor,
        } => Expr::Bitwise {
            sreg,
            dreg,
            op: Some(0),
            len,
            mask,
            xor,
        },
        e => e,
    }
}

fn insert_at(rules: &mut Vec<StoredRule>, before: Option<u64>, stored: StoredRule) {
    let idx = rules
        .iter()
        .position(|r| Some(r.handle) == before)
        .unwrap_or(rules.len());
    rules.insert(idx, stored);
}

fn new_chain(state: &mut TableState, op: &Op, next_handle: &mut u64) {
    let (b, policy) = match op {
        Op::NewChain(b) => (b, None),
        Op::Policy { chain, accept } => (chain, Some(*accept as u32)),
        _ => return,
    };
    if let Some(c) = state.chains.iter_mut().find(|c| c.name == b.name) {
        if policy.is_some() {
            c.policy = policy;
        }
        return;
    }
    state.chains.push(ChainState {
        name: b.name.to_string(),
        handle: *next_handle,
        flags: Some(CHAIN_BASE),
        base: Some((b.hook, PRIO_MANGLE, b.kind.to_string())),
        policy: Some(policy.unwrap_or(1)),
        ..Default::default()
    });
    *next_handle += 1;
}

/// The table as the kernel dumps it: each chain's use count (its rules
/// and the jumps to it).
fn dumped(state: &TableState) -> TableState {
    let mut s = state.clone();
    for c in s.chains.iter_mut() {
        let refs = state
            .chains
            .iter()
            .flat_map(|o| o.rules.iter())
            .flat_map(|r| r.exprs.iter())
            .filter(|e| matches!(e, Expr::Verdict { chain: Some(n), .. } if *n == c.name))
            .count();
        c.use_count = u32::try_from(c.rules.len() + refs).ok();
    }
    s
}

/// Replays `ops` on a snapshot the way the kernel would (handles from a
/// per-table counter), ignoring what the kernel would refuse.
pub fn apply(state: &mut TableState, ops: &[Op], next_handle: &mut u64) {
    let _ = try_apply(state, ops, next_handle);
}

/// The chain commands' ops (issue 20), with the kernel's refusals: a
/// chain that has rules or is jumped to is not deleted (EBUSY).
fn chain_op(state: &mut TableState, op: &Op, next_handle: &mut u64) -> Result<(), i32> {
    match op {
        Op::NewUserChain(name) => {
            if state.chain(name).is_some() {
                return Err(libc::EEXIST);
            }
            state.chains.push(ChainState {
                name: name.clone(),
                handle: *next_handle,
                ..Default::default()
            });
            *next_handle += 1;
        }
        Op::DelChain(c) => {
            let used = dumped(state).chain(&c.name).and_then(|c| c.use_count);
            match used {
                None => return Err(libc::ENOENT),
                Some(n) if n > 0 => return Err(libc::EBUSY),
                Some(_) => state.chains.retain(|o| o.name != c.name),
            }
        }
        Op::RenameChain { handle, name } => {
            let c = state.chains.iter_mut().find(|c| c.handle == *handle);
            c.ok_or(libc::ENOENT)?.name = name.clone();
        }
        Op::NewRule { rule, .. } => jump_check(state, rule)?,
        Op::ZeroChain(z) => match state.chains.iter_mut().find(|c| c.name == z.name) {
            Some(c) => c.counters = (0, 0),
            None => new_chain_named(state, &z.name, next_handle),
        },
        Op::ReplaceRule {
            chain,
            handle,
            exprs,
            ..
        } => {
            let c = state.chains.iter_mut().find(|c| &c.name == chain);
            let r = c.and_then(|c| c.rules.iter_mut().find(|r| r.handle == *handle));
            r.ok_or(libc::ENOENT)?.exprs = exprs.iter().cloned().map(as_dumped).collect();
        }
        _ => {}
    }
    Ok(())
}

/// The kernel refuses a jump to a base chain (EOPNOTSUPP) or to a chain
/// that does not exist (ENOENT).
fn jump_check(state: &TableState, rule: &super::rule::Rule) -> Result<(), i32> {
    if let super::rule::Target::Verdict {
        chain: Some(name), ..
    } = &rule.target
    {
        match state.chain(name) {
            None => return Err(libc::ENOENT),
            Some(c) if c.base.is_some() => return Err(libc::EOPNOTSUPP),
            Some(_) => {}
        }
    }
    Ok(())
}

fn new_chain_named(state: &mut TableState, name: &str, next_handle: &mut u64) {
    if let Some(b) = super::plan::builtin(name) {
        new_chain(state, &Op::NewChain(b), next_handle);
    }
}

/// [`apply`], stopping at the first op the kernel would refuse (the
/// snapshot is then half changed: commit on a copy).
pub fn try_apply(
    state: &mut TableState,
    ops: &[Op],
    next_handle: &mut u64,
) -> Result<(), CommitError> {
    let mut ids: Vec<(u32, u64)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        chain_op(state, op, next_handle).map_err(|errno| CommitError { errno, op: Some(i) })?;
        match op {
            Op::NewTable => state.exists = true,
            Op::NewChain(_) | Op::Policy { .. } => new_chain(state, op, next_handle),
            Op::NewRule {
                chain,
                rule,
                pos,
                id,
            } => {
                if let Some(id) = id {
                    ids.push((*id, *next_handle));
                }
                let stored = StoredRule {
                    handle: *next_handle,
                    exprs: rule.to_exprs().into_iter().map(as_dumped).collect(),
                    userdata: None,
                };
                *next_handle += 1;
                let Some(c) = state.chains.iter_mut().find(|c| &c.name == chain) else {
                    continue;
                };
                match pos {
                    Pos::Append => c.rules.push(stored),
                    Pos::Head => c.rules.insert(0, stored),
                    Pos::Before(h) => insert_at(&mut c.rules, Some(*h), stored),
                    Pos::BeforeId(n) => {
                        let h = ids.iter().find(|(i, _)| i == n).map(|x| x.1);
                        insert_at(&mut c.rules, h, stored);
                    }
                }
            }
            Op::DelRule { chain, rule, .. } => {
                if let Some(c) = state.chains.iter_mut().find(|c| &c.name == chain) {
                    c.rules.retain(|r| r.handle != rule.handle);
                }
            }
            Op::Flush(chain) => {
                for c in state.chains.iter_mut() {
                    if chain.as_ref().is_none_or(|n| n == &c.name) {
                        c.rules.clear();
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
