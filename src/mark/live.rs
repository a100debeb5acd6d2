//! [`Netfilter`] on the live NETLINK_NETFILTER socket ([`Nfnl`]): the batch
//! bytes come from [`encode_batch`], and a refusal is traced back to the op
//! whose message the kernel refused by its sequence number.

use super::netfilter::{CommitError, Netfilter};
use super::plan::{encode_batch, Op, TableState};
use super::rule::Family;
use super::sock::Nfnl;

impl Netfilter for Nfnl {
    fn genid(&mut self) -> Result<u32, i32> {
        Nfnl::genid(self)
    }

    fn load(&mut self, family: Family) -> Result<TableState, i32> {
        Nfnl::load(self, family)
    }

    fn commit(&mut self, ops: &[Op], family: Family, genid: u32) -> Result<(), CommitError> {
        // BATCH_BEGIN, one message per op, BATCH_END.
        let count = u32::try_from(ops.len()).unwrap_or(u32::MAX - 2);
        let seq = self.batch_seq(count.saturating_add(2));
        // A message too long for netlink's length fields is refused here,
        // as the kernel would refuse it.
        let batch = encode_batch(ops, family, genid, seq).map_err(|_| CommitError {
            errno: libc::EMSGSIZE,
            op: None,
        })?;
        self.send_batch(&batch).map_err(|errno| {
            let op = self
                .failed_seq
                .and_then(|f| f.checked_sub(seq.wrapping_add(1)))
                .map(|i| i as usize)
                .filter(|&i| i < ops.len());
            CommitError { errno, op }
        })
    }
}
