//! The IPVS codec: the kernel side of ipvsadm as pure data — the requests
//! a command makes, the IPVS generic-netlink attribute spaces (`attrs`)
//! and their messages (`codec`), on the shared [`crate::netlink`] layer,
//! and the errno → message table (`errors`).
//!
//! Nothing here opens a socket: `crate::transport` does the I/O and
//! implements [`Ipvs`] for the live kernel; tests implement it in memory.

pub mod attrs;
pub mod codec;
pub mod errors;
pub mod mem;

use crate::model::{Daemon, Dest, Info, Service, Timeouts};

/// A positive errno value as the kernel (or the transport) reported it.
pub type Errno = i32;

/// One modifying request to the IPVS family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    NewService(Service),
    SetService(Service),
    DelService(Service),
    NewDest(Service, Dest),
    SetDest(Service, Dest),
    DelDest(Service, Dest),
    /// `None` zeroes every service.
    Zero(Option<Service>),
    Flush,
    SetTimeout(Timeouts),
    NewDaemon(Daemon),
    DelDaemon(Daemon),
}

impl Request {
    /// The error-text marker this request sets (None: leaves it alone).
    pub fn op(&self) -> Option<errors::Op> {
        use errors::Op;
        Some(match self {
            Request::NewService(_) => Op::AddService,
            Request::SetService(_) => Op::EditService,
            Request::DelService(_) => Op::DelService,
            Request::NewDest(..) => Op::AddDest,
            Request::SetDest(..) => Op::EditDest,
            Request::DelDest(..) => Op::DelDest,
            Request::Zero(_) => Op::Zero,
            Request::Flush => return None,
            Request::SetTimeout(_) => Op::SetTimeout,
            Request::NewDaemon(_) => Op::StartDaemon,
            Request::DelDaemon(_) => Op::StopDaemon,
        })
    }
}

/// What ipvsadm needs from the kernel. The live implementation is
/// `transport::GenlIpvs`; every method maps a failure to an errno.
pub trait Ipvs {
    fn info(&mut self) -> Result<Info, Errno>;
    /// All services, in the kernel's dump order.
    fn services(&mut self) -> Result<Vec<Service>, Errno>;
    /// One service looked up by identity (`-L -t …`).
    fn service(&mut self, svc: &Service) -> Result<Service, Errno>;
    /// A service's destinations, in the kernel's dump order.
    fn dests(&mut self, svc: &Service) -> Result<Vec<Dest>, Errno>;
    fn timeouts(&mut self) -> Result<Timeouts, Errno>;
    fn daemons(&mut self) -> Result<Vec<Daemon>, Errno>;
    /// Perform one change.
    fn execute(&mut self, req: &Request) -> Result<(), Errno>;
    /// Perform several changes in order, each independently (a failure
    /// does not stop the others); one result per request. Implementations
    /// may pipeline.
    fn execute_many(&mut self, reqs: &[Request]) -> Vec<Result<(), Errno>> {
        reqs.iter().map(|r| self.execute(r)).collect()
    }
    /// The destinations of each of `svcs` in turn, handed to `each` with
    /// their service; `each` returns false to stop (the rest is not
    /// asked, or no longer waited for). A failure for one service does not
    /// stop the others: `each` decides. Implementations may fetch ahead
    /// while `each` works (the live kernel does, on a thread of its own).
    fn dests_each(&mut self, svcs: &[Service], each: &mut DestsSink<'_>) {
        dests_each_in_turn(self, svcs, each);
    }
    /// Changes in batches as `next` makes them (None: no more), each
    /// batch made as by [`Ipvs::execute_many`] and handed to `done` with
    /// its results, in order. Implementations may make one batch while
    /// `next` prepares the following (the live kernel does, on a thread
    /// of its own).
    fn execute_stream(&mut self, next: &mut BatchSource<'_>, done: &mut BatchSink<'_>) {
        execute_stream_in_turn(self, next, done);
    }
}

/// What [`Ipvs::execute_stream`] takes its batches from.
pub type BatchSource<'a> = dyn FnMut() -> Option<Vec<Request>> + 'a;
/// What [`Ipvs::execute_stream`] hands each batch and its results to.
pub type BatchSink<'a> = dyn FnMut(Vec<Request>, Vec<Result<(), Errno>>) + 'a;

/// [`Ipvs::execute_stream`] one batch after another on this thread.
pub fn execute_stream_in_turn<K: Ipvs + ?Sized>(
    k: &mut K,
    next: &mut BatchSource<'_>,
    done: &mut BatchSink<'_>,
) {
    while let Some(batch) = next() {
        let results = k.execute_many(&batch);
        done(batch, results);
    }
}

/// What [`Ipvs::dests_each`] hands each service's destinations to.
pub type DestsSink<'a> = dyn FnMut(&Service, Result<Vec<Dest>, Errno>) -> bool + 'a;

/// [`Ipvs::dests_each`] without fetching ahead: one service, then `each`.
pub fn dests_each_in_turn<K: Ipvs + ?Sized>(k: &mut K, svcs: &[Service], each: &mut DestsSink<'_>) {
    for s in svcs {
        let r = k.dests(s);
        if !each(s, r) {
            break;
        }
    }
}

/// The whole table: the services, each with its real servers. A service
/// removed between the two dumps is left out rather than failing the read
/// (what `metrics`, `top` and `drain` want from a live table).
pub fn read_table(k: &mut dyn Ipvs) -> Result<Vec<(Service, Vec<Dest>)>, Errno> {
    let services = k.services()?;
    with_dests(k, &services, true, &mut |_| {})
}

/// Each of `services` with its destinations (through
/// [`Ipvs::dests_each`]), in order; `done(n)` after the n-th. The first
/// failure ends the read, except that with `gone_ok` a service removed
/// meanwhile (ESRCH, ENOENT) is left out.
pub fn with_dests(
    k: &mut dyn Ipvs,
    services: &[Service],
    gone_ok: bool,
    done: &mut dyn FnMut(usize),
) -> Result<Vec<(Service, Vec<Dest>)>, Errno> {
    let mut t = Vec::with_capacity(services.len());
    let (mut failed, mut n) = (None, 0);
    k.dests_each(services, &mut |s, r| {
        n += 1;
        match r {
            Ok(ds) => t.push((s.clone(), ds)),
            Err(libc::ESRCH | libc::ENOENT) if gone_ok => {}
            Err(e) => {
                failed = Some(e);
                return false;
            }
        }
        done(n);
        true
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(t),
    }
}
