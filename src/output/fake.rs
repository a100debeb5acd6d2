//! An in-memory [`Ipvs`] for listing tests: services with their
//! destinations in a chosen "kernel" order, and injectable failures.

use crate::kernel::{Errno, Ipvs, Request};
use crate::model::{Daemon, Dest, Info, Service, Timeouts};

#[derive(Debug, Clone)]
pub struct FakeIpvs {
    pub info: Info,
    /// (service, its destinations) in dump order.
    pub table: Vec<(Service, Vec<Dest>)>,
    pub timeouts: Timeouts,
    pub daemons: Vec<Daemon>,
    pub fail_info: Option<Errno>,
    pub fail_services: Option<Errno>,
    /// Fail the destination dump of the n-th call (0-based).
    pub fail_dests_at: Option<(usize, Errno)>,
    pub fail_timeouts: Option<Errno>,
    pub fail_daemons: Option<Errno>,
    pub dests_calls: usize,
}

impl Default for FakeIpvs {
    fn default() -> Self {
        FakeIpvs {
            info: Info {
                version: 0x010201,
                conn_tab_size: 4096,
            },
            table: Vec::new(),
            timeouts: Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            },
            daemons: Vec::new(),
            fail_info: None,
            fail_services: None,
            fail_dests_at: None,
            fail_timeouts: None,
            fail_daemons: None,
            dests_calls: 0,
        }
    }
}

/// Same service identity as the kernel uses.
fn same(a: &Service, b: &Service) -> bool {
    if a.fwmark != 0 || b.fwmark != 0 {
        a.af == b.af && a.fwmark == b.fwmark
    } else {
        a.af == b.af && a.protocol == b.protocol && a.addr == b.addr && a.port == b.port
    }
}

impl Ipvs for FakeIpvs {
    fn info(&mut self) -> Result<Info, Errno> {
        match self.fail_info {
            Some(e) => Err(e),
            None => Ok(self.info),
        }
    }
    fn services(&mut self) -> Result<Vec<Service>, Errno> {
        if let Some(e) = self.fail_services {
            return Err(e);
        }
        Ok(self.table.iter().map(|(s, _)| s.clone()).collect())
    }
    fn service(&mut self, svc: &Service) -> Result<Service, Errno> {
        self.table
            .iter()
            .find(|(s, _)| same(s, svc))
            .map(|(s, _)| s.clone())
            .ok_or(libc::ESRCH)
    }
    fn dests(&mut self, svc: &Service) -> Result<Vec<Dest>, Errno> {
        let n = self.dests_calls;
        self.dests_calls += 1;
        if let Some((at, e)) = self.fail_dests_at {
            if at == n {
                return Err(e);
            }
        }
        Ok(self
            .table
            .iter()
            .find(|(s, _)| same(s, svc))
            .map(|(_, d)| d.clone())
            .unwrap_or_default())
    }
    fn timeouts(&mut self) -> Result<Timeouts, Errno> {
        match self.fail_timeouts {
            Some(e) => Err(e),
            None => Ok(self.timeouts),
        }
    }
    fn daemons(&mut self) -> Result<Vec<Daemon>, Errno> {
        match self.fail_daemons {
            Some(e) => Err(e),
            None => Ok(self.daemons.clone()),
        }
    }
    fn execute(&mut self, _req: &Request) -> Result<(), Errno> {
        Err(libc::EOPNOTSUPP)
    }
}
