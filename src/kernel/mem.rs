//! An in-memory stand-in for the kernel's IPVS tables, used by tests of
//! the layers above the transport (exec, restore, listings, apply).
//!
//! It follows the kernel's rules for the answers that matter to ipvsadm's
//! messages (EEXIST, ESRCH, ENOENT on missing services/destinations,
//! ERANGE for inverted thresholds) but is not a model of every kernel
//! check. Destinations are kept newest-first, as the kernel lists them.
//! Queries can be made to fail (`fail_*`), for the listings' error paths.
//!
//! Test code only: compiled for the crate's unit tests, never into the
//! library or the binary.
#![cfg(test)]

use super::{Errno, Ipvs, Request};
use crate::model::{
    same_dest, same_service, Daemon, Dest, Info, Service, Timeouts, DAEMON_BACKUP, DAEMON_MASTER,
};

/// In-memory IPVS tables, with failures that tests can inject into the
/// queries.
#[derive(Debug, Clone)]
pub struct MemIpvs {
    /// (service, its destinations) in dump order.
    pub services: Vec<(Service, Vec<Dest>)>,
    pub timeouts: Timeouts,
    pub daemons: Vec<Daemon>,
    /// The GET_INFO answer.
    pub info: Info,
    /// Scheduler names the fake kernel knows.
    pub schedulers: Vec<String>,
    /// Every request executed, in order.
    pub log: Vec<Request>,
    pub fail_info: Option<Errno>,
    pub fail_services: Option<Errno>,
    /// Fail the destination dump of the n-th call (0-based).
    pub fail_dests_at: Option<(usize, Errno)>,
    pub fail_timeouts: Option<Errno>,
    pub fail_daemons: Option<Errno>,
    /// Destination dumps asked for so far.
    pub dests_calls: usize,
}

impl Default for MemIpvs {
    fn default() -> Self {
        MemIpvs {
            services: Vec::new(),
            timeouts: Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            },
            daemons: Vec::new(),
            info: Info {
                version: 0x010201,
                conn_tab_size: 4096,
            },
            schedulers: [
                "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf",
                "mh", "twos",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            log: Vec::new(),
            fail_info: None,
            fail_services: None,
            fail_dests_at: None,
            fail_timeouts: None,
            fail_daemons: None,
            dests_calls: 0,
        }
    }
}

impl MemIpvs {
    fn find(&self, svc: &Service) -> Option<usize> {
        self.services.iter().position(|(s, _)| same_service(s, svc))
    }

    fn stored_service(svc: &Service) -> Service {
        let mut s = svc.clone();
        if s.fwmark != 0 {
            s.protocol = 0;
            s.addr = [0; 16];
            s.port = 0;
        }
        s
    }

    fn check_sched(&self, svc: &Service) -> Result<(), Errno> {
        if !self.schedulers.iter().any(|s| *s == *svc.sched_name) {
            return Err(libc::ENOENT);
        }
        if !svc.pe_name.is_empty() && svc.pe_name != "sip" {
            return Err(libc::ENOENT);
        }
        Ok(())
    }

    fn check_dest(d: &Dest) -> Result<(), Errno> {
        if d.weight > i32::MAX as u32 {
            return Err(libc::ERANGE);
        }
        if d.u_threshold != 0 && d.l_threshold > d.u_threshold {
            return Err(libc::ERANGE);
        }
        Ok(())
    }
}

impl Ipvs for MemIpvs {
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
        Ok(self.services.iter().map(|(s, _)| s.clone()).collect())
    }

    fn service(&mut self, svc: &Service) -> Result<Service, Errno> {
        self.find(svc)
            .and_then(|i| self.services.get(i))
            .map(|(s, _)| s.clone())
            .ok_or(libc::ESRCH)
    }

    /// A missing service has an empty dump, as the kernel answers.
    fn dests(&mut self, svc: &Service) -> Result<Vec<Dest>, Errno> {
        let n = self.dests_calls;
        self.dests_calls += 1;
        if let Some((at, e)) = self.fail_dests_at {
            if at == n {
                return Err(e);
            }
        }
        Ok(self
            .find(svc)
            .and_then(|i| self.services.get(i))
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
        if let Some(e) = self.fail_daemons {
            return Err(e);
        }
        let mut v = self.daemons.clone();
        v.sort_by_key(|d| d.state);
        Ok(v)
    }

    fn execute(&mut self, req: &Request) -> Result<(), Errno> {
        self.log.push(req.clone());
        match req {
            Request::NewService(s) => {
                if self.find(s).is_some() {
                    return Err(libc::EEXIST);
                }
                self.check_sched(s)?;
                self.services.push((Self::stored_service(s), Vec::new()));
            }
            Request::SetService(s) => {
                let i = self.find(s).ok_or(libc::ESRCH)?;
                self.check_sched(s)?;
                let stats = self.services[i].0.stats;
                self.services[i].0 = Self::stored_service(s);
                self.services[i].0.stats = stats;
            }
            Request::DelService(s) => {
                let i = self.find(s).ok_or(libc::ESRCH)?;
                self.services.remove(i);
            }
            Request::NewDest(s, d) => {
                let i = self.find(s).ok_or(libc::ESRCH)?;
                Self::check_dest(d)?;
                if self.services[i].1.iter().any(|x| same_dest(x, d)) {
                    return Err(libc::EEXIST);
                }
                self.services[i].1.insert(0, d.clone());
            }
            Request::SetDest(s, d) => {
                let i = self.find(s).ok_or(libc::ESRCH)?;
                Self::check_dest(d)?;
                let j = self.services[i]
                    .1
                    .iter()
                    .position(|x| same_dest(x, d))
                    .ok_or(libc::ENOENT)?;
                let old = &self.services[i].1[j];
                let mut n = d.clone();
                n.stats = old.stats;
                n.active_conns = old.active_conns;
                n.inact_conns = old.inact_conns;
                n.persist_conns = old.persist_conns;
                self.services[i].1[j] = n;
            }
            Request::DelDest(s, d) => {
                let i = self.find(s).ok_or(libc::ESRCH)?;
                let j = self.services[i]
                    .1
                    .iter()
                    .position(|x| same_dest(x, d))
                    .ok_or(libc::ENOENT)?;
                self.services[i].1.remove(j);
            }
            Request::Zero(None) => {
                for (s, ds) in &mut self.services {
                    s.stats = Default::default();
                    for d in ds {
                        d.stats = Default::default();
                    }
                }
            }
            Request::Zero(Some(s)) => {
                let i = self.find(s).ok_or(libc::ESRCH)?;
                self.services[i].0.stats = Default::default();
                for d in &mut self.services[i].1 {
                    d.stats = Default::default();
                }
            }
            Request::Flush => self.services.clear(),
            Request::SetTimeout(t) => {
                if t.tcp != 0 {
                    self.timeouts.tcp = t.tcp;
                }
                if t.tcp_fin != 0 {
                    self.timeouts.tcp_fin = t.tcp_fin;
                }
                if t.udp != 0 {
                    self.timeouts.udp = t.udp;
                }
            }
            Request::NewDaemon(d) => {
                if d.state != DAEMON_MASTER && d.state != DAEMON_BACKUP {
                    return Err(libc::EINVAL);
                }
                if self.daemons.iter().any(|x| x.state == d.state) {
                    return Err(libc::EEXIST);
                }
                self.daemons.push(d.clone());
            }
            Request::DelDaemon(d) => {
                let i = self
                    .daemons
                    .iter()
                    .position(|x| x.state == d.state)
                    .ok_or(libc::ESRCH)?;
                self.daemons.remove(i);
            }
        }
        Ok(())
    }
}
