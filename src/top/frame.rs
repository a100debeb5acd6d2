//! The pure arithmetic of `ipvsadm top`: two readings of the table and
//! the seconds between them in, a [`Frame`] out (every service and real
//! server with its counters, the counters' growth over the interval and
//! that growth per second), and the frame's rows in the chosen order.
//!
//! A service or real server missing from the earlier reading (just
//! added) has no growth yet; one whose counters went down (zeroed with
//! `-Z`, or deleted and added again) has none for this interval either:
//! rates are never negative and never guessed, they start again at the
//! next interval.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::apply::Table;
use crate::model::{Dest, DestKey, Service, ServiceKey, Stats};
use crate::output::sort;

/// What the rows are sorted by (the largest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// New connections per second.
    Conns,
    /// Packets per second, in and out.
    Packets,
    /// Bytes per second, in and out.
    Bytes,
}

impl SortKey {
    /// The word of `--sort` and of the JSON.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Conns => "conns",
            SortKey::Packets => "packets",
            SortKey::Bytes => "bytes",
        }
    }

    /// The column heading the rows are sorted by.
    pub fn column(self) -> &'static str {
        match self {
            SortKey::Conns => "CPS",
            SortKey::Packets => "InPPS+OutPPS",
            SortKey::Bytes => "InBPS+OutBPS",
        }
    }
}

/// The five counters of a service or real server (the kernel's 64-bit
/// values); serialised as they are in `top --json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
}

impl Counts {
    pub fn of(s: &Stats) -> Counts {
        Counts {
            conns: s.conns,
            inpkts: s.inpkts,
            outpkts: s.outpkts,
            inbytes: s.inbytes,
            outbytes: s.outbytes,
        }
    }

    /// `self - earlier`, or `None` when any counter went down.
    pub fn since(&self, earlier: &Counts) -> Option<Counts> {
        Some(Counts {
            conns: self.conns.checked_sub(earlier.conns)?,
            inpkts: self.inpkts.checked_sub(earlier.inpkts)?,
            outpkts: self.outpkts.checked_sub(earlier.outpkts)?,
            inbytes: self.inbytes.checked_sub(earlier.inbytes)?,
            outbytes: self.outbytes.checked_sub(earlier.outbytes)?,
        })
    }

    fn add(&mut self, o: &Counts) {
        self.conns = self.conns.saturating_add(o.conns);
        self.inpkts = self.inpkts.saturating_add(o.inpkts);
        self.outpkts = self.outpkts.saturating_add(o.outpkts);
        self.inbytes = self.inbytes.saturating_add(o.inbytes);
        self.outbytes = self.outbytes.saturating_add(o.outbytes);
    }
}

/// Growth per second of the five counters (serialised as they are).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Rates {
    pub cps: f64,
    pub inpps: f64,
    pub outpps: f64,
    pub inbps: f64,
    pub outbps: f64,
}

impl Rates {
    /// `delta` over `secs` seconds (`None` unless `secs` is positive).
    pub fn over(delta: &Counts, secs: f64) -> Option<Rates> {
        if !(secs > 0.0 && secs.is_finite()) {
            return None;
        }
        let r = |v: u64| v as f64 / secs;
        Some(Rates {
            cps: r(delta.conns),
            inpps: r(delta.inpkts),
            outpps: r(delta.outpkts),
            inbps: r(delta.inbytes),
            outbps: r(delta.outbytes),
        })
    }

    /// The value the rows are sorted by.
    pub fn key(&self, k: SortKey) -> f64 {
        match k {
            SortKey::Conns => self.cps,
            SortKey::Packets => self.inpps + self.outpps,
            SortKey::Bytes => self.inbps + self.outbps,
        }
    }

    fn add(&mut self, o: &Rates) {
        self.cps += o.cps;
        self.inpps += o.inpps;
        self.outpps += o.outpps;
        self.inbps += o.inbps;
        self.outbps += o.outbps;
    }
}

/// One line of the view: counters now, their growth and rate over the
/// interval (`None`: not known for this interval), connection counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub stats: Counts,
    pub delta: Option<Counts>,
    pub rate: Option<Rates>,
    /// ActiveConn (a service's: its real servers' sum).
    pub active: u64,
    /// InActConn (likewise).
    pub inactive: u64,
}

impl Row {
    fn new(now: &Stats, before: Option<&Stats>, secs: f64, active: u64, inactive: u64) -> Row {
        let stats = Counts::of(now);
        let delta = before.and_then(|b| stats.since(&Counts::of(b)));
        let rate = delta.as_ref().and_then(|d| Rates::over(d, secs));
        Row {
            stats,
            delta,
            rate,
            active,
            inactive,
        }
    }

    /// The sort value; rows without a rate go last.
    fn sort_value(&self, k: SortKey) -> f64 {
        self.rate.map_or(-1.0, |r| r.key(k))
    }
}

/// A real server and its row.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRow {
    pub dest: Dest,
    pub row: Row,
}

/// A service, its row and its real servers' rows (in `-L` order).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub service: Service,
    pub row: Row,
    pub servers: Vec<ServerRow>,
}

/// Everything one refresh shows, in `-L` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Seconds between the two readings.
    pub interval: f64,
    pub services: Vec<ServiceRow>,
}

/// The sums over every service of a frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub services: usize,
    pub servers: usize,
    pub stats: Counts,
    /// Over the services whose rate is known.
    pub rate: Rates,
    pub active: u64,
    pub inactive: u64,
}

type Earlier<'a> = HashMap<ServiceKey, (&'a Service, HashMap<DestKey, &'a Dest>)>;

fn index(t: &Table) -> Earlier<'_> {
    t.iter()
        .map(|(s, ds)| (s.key(), (s, ds.iter().map(|d| (d.key(), d)).collect())))
        .collect()
}

fn service_row(s: &Service, dests: &[Dest], before: &Earlier, secs: f64) -> ServiceRow {
    let earlier = before.get(&s.key());
    let order = sort::merge_order(dests, &sort::cmp_dests);
    let servers: Vec<ServerRow> = order
        .iter()
        .filter_map(|&i| dests.get(i))
        .map(|d| {
            let was = earlier.and_then(|(_, m)| m.get(&d.key())).map(|d| &d.stats);
            let (a, i) = (u64::from(d.active_conns), u64::from(d.inact_conns));
            ServerRow {
                dest: d.clone(),
                row: Row::new(&d.stats, was, secs, a, i),
            }
        })
        .collect();
    let active = servers.iter().map(|r| r.row.active).sum();
    let inactive = servers.iter().map(|r| r.row.inactive).sum();
    let was = earlier.map(|(s, _)| &s.stats);
    ServiceRow {
        service: s.clone(),
        row: Row::new(&s.stats, was, secs, active, inactive),
        servers,
    }
}

/// The frame between the reading `before` and the reading `now`, taken
/// `secs` seconds later.
pub fn compute(before: &Table, now: &Table, secs: f64) -> Frame {
    let earlier = index(before);
    let services: Vec<&Service> = now.iter().map(|(s, _)| s).collect();
    let order = sort::merge_order(&services, &|a: &&Service, b: &&Service| {
        sort::cmp_services(a, b)
    });
    let services = order
        .iter()
        .filter_map(|&i| now.get(i))
        .map(|(s, ds)| service_row(s, ds, &earlier, secs))
        .collect();
    Frame {
        interval: secs,
        services,
    }
}

/// The frame of a first reading: counters, no rates yet.
pub fn first(now: &Table) -> Frame {
    compute(&Vec::new(), now, 0.0)
}

/// The sums over the frame's services.
pub fn totals(f: &Frame) -> Totals {
    let mut t = Totals {
        services: f.services.len(),
        ..Totals::default()
    };
    for s in &f.services {
        t.servers += s.servers.len();
        t.stats.add(&s.row.stats);
        if let Some(r) = &s.row.rate {
            t.rate.add(r);
        }
        t.active = t.active.saturating_add(s.row.active);
        t.inactive = t.inactive.saturating_add(s.row.inactive);
    }
    t
}

/// Largest first; equal values (and rows without a rate) keep their
/// order (`sort_by` is stable).
fn by_rate(a: &Row, b: &Row, k: SortKey) -> Ordering {
    b.sort_value(k)
        .partial_cmp(&a.sort_value(k))
        .unwrap_or(Ordering::Equal)
}

/// The services, and each one's real servers, in the order shown: by
/// `k`, the largest first; ties in `-L` order.
pub fn sorted(f: &Frame, k: SortKey) -> Vec<(&ServiceRow, Vec<&ServerRow>)> {
    let mut svcs: Vec<&ServiceRow> = f.services.iter().collect();
    svcs.sort_by(|a, b| by_rate(&a.row, &b.row, k));
    svcs.into_iter()
        .map(|s| {
            let mut ds: Vec<&ServerRow> = s.servers.iter().collect();
            ds.sort_by(|a, b| by_rate(&a.row, &b.row, k));
            (s, ds)
        })
        .collect()
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
