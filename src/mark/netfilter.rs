//! The nf_tables side of `ipvsadm mark`, as a trait (like `kernel::Ipvs` for
//! IPVS): read the generation id and our table, and commit a plan's ops as
//! one batch. [`super::live`] implements it on the netlink socket; the
//! in-memory ruleset of the unit tests (`super::mem`, test builds only)
//! replays the ops the way the kernel would.

use super::plan::{Op, TableState};
use super::rule::Family;

/// Why a batch was not committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitError {
    /// The errno the kernel answered (`sock::ERESTART`: stale generation id).
    pub errno: i32,
    /// Index in the ops of the message the kernel refused, when known.
    pub op: Option<usize>,
}

/// What `ipvsadm mark` needs from nf_tables. Errors are errnos.
pub trait Netfilter {
    /// The ruleset's current generation id.
    fn genid(&mut self) -> Result<u32, i32>;
    /// A snapshot of the mangle table of `family` (empty when absent).
    fn load(&mut self, family: Family) -> Result<TableState, i32>;
    /// Sends `ops` as one batch guarded by `genid`; all or nothing.
    fn commit(&mut self, ops: &[Op], family: Family, genid: u32) -> Result<(), CommitError>;
}
