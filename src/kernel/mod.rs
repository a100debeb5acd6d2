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
}

/// The whole table: the services, each with its real servers. A service
/// removed between the two dumps is left out rather than failing the read
/// (what `metrics`, `top` and `drain` want from a live table).
pub fn read_table(k: &mut dyn Ipvs) -> Result<Vec<(Service, Vec<Dest>)>, Errno> {
    let mut t = Vec::new();
    for s in k.services()? {
        match k.dests(&s) {
            Ok(ds) => t.push((s, ds)),
            Err(libc::ESRCH | libc::ENOENT) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(t)
}
