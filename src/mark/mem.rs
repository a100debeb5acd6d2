//! An in-memory nf_tables ruleset behind [`Netfilter`], for tests only (not
//! built into the product): both families' mangle tables, replaying each
//! committed batch the way the kernel would ([`apply`]), and keeping the
//! batch bytes it would have sent so tests can compare them with iptables'.

use super::expr::Expr;
use super::netfilter::{CommitError, Netfilter};
use super::plan::{encode_batch, ChainState, Op, Pos, StoredRule, TableState, PRIO_MANGLE};
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
        Ok(self.table(family).state.clone())
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
        apply(&mut t.state, ops, &mut t.next_handle);
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
        base: Some((b.hook, PRIO_MANGLE, b.kind.to_string())),
        policy: Some(policy.unwrap_or(1)),
        counters: (0, 0),
        rules: Vec::new(),
    });
    *next_handle += 1;
}

/// Replays `ops` on a snapshot the way the kernel would (handles from a
/// per-table counter).
pub fn apply(state: &mut TableState, ops: &[Op], next_handle: &mut u64) {
    let mut ids: Vec<(u32, u64)> = Vec::new();
    for op in ops {
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
        }
    }
}
