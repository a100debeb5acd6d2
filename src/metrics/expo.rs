//! The pure part of `ipvsadm metrics`: a table read from the kernel (and
//! the totals of `/proc/net/ip_vs_stats`) in, Prometheus text exposition
//! format (version 0.0.4) out.
//!
//! Two shapes:
//! - [`By::Server`] (the default): node_exporter's ipvs collector — the
//!   five `node_ipvs_*_total` counters, and per real server
//!   `node_ipvs_backend_connections_active`, `…_inactive` and
//!   `node_ipvs_backend_weight`, labelled `local_address`, `local_port`,
//!   `remote_address`, `remote_port`, `proto`, `local_mark` with that
//!   collector's values: `proto` is `TCP`, `UDP`, `SCTP` or `FWM`; a
//!   fwmark service has `local_address=""`, `local_port="0"` and its mark
//!   as eight upper-case hex digits (the kernel's `/proc/net/ip_vs` text)
//!   in `local_mark`, which is empty for the others.
//! - [`By::Service`]: the same totals, then one series per service
//!   (`ipvsadm_service_*`, labels `local_address`, `local_port`, `proto`,
//!   `local_mark` as above): its counters, and its servers' active and
//!   inactive connections, weights and count summed.
//!
//! Series that would carry the same labels are summed (as node_exporter
//! does), so no series is ever written twice.

use std::fmt::Write as _;

use crate::model::{Dest, Service, Stats, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};
use crate::output::names::ntop;

/// The kernel's totals over every service since the module was loaded
/// (or last zeroed), as `/proc/net/ip_vs_stats` shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
}

/// Which series to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One series per real server (node_exporter's metrics).
    Server,
    /// One series per service.
    Service,
}

/// Read the totals from the text of `/proc/net/ip_vs_stats`: its third
/// line holds five hexadecimal numbers (connections, packets in and out,
/// bytes in and out). `None` when the text is not of that shape.
pub fn parse_stats(text: &str) -> Option<Totals> {
    let line = text.lines().nth(2)?;
    let v: Vec<u64> = line
        .split_whitespace()
        .map(|w| u64::from_str_radix(w, 16).ok())
        .collect::<Option<_>>()?;
    match v[..] {
        [conns, inpkts, outpkts, inbytes, outbytes] => Some(Totals {
            conns,
            inpkts,
            outpkts,
            inbytes,
            outbytes,
        }),
        _ => None,
    }
}

/// A label value escaped as the format asks: backslash, double quote and
/// newline.
pub fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// `name="value",…` for a sample's braces.
fn labels(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|(n, v)| format!("{n}=\"{}\"", escape(v)))
        .collect();
    parts.join(",")
}

/// The protocol as the kernel's `/proc/net/ip_vs` names it.
fn proto_label(svc: &Service) -> String {
    if svc.is_fwmark() {
        return "FWM".into();
    }
    match svc.protocol {
        IPPROTO_TCP => "TCP".into(),
        IPPROTO_UDP => "UDP".into(),
        IPPROTO_SCTP => "SCTP".into(),
        p => format!("PROTO{p}"),
    }
}

/// The service's labels: local_address, local_port, proto, local_mark.
fn service_labels(svc: &Service) -> Vec<(&'static str, String)> {
    let (addr, port, mark) = if svc.is_fwmark() {
        (String::new(), 0, format!("{:08X}", svc.fwmark))
    } else {
        let a = ntop(svc.af, &svc.addr).unwrap_or_default();
        (a, svc.port, String::new())
    };
    vec![
        ("local_address", addr),
        ("local_port", port.to_string()),
        ("proto", proto_label(svc)),
        ("local_mark", mark),
    ]
}

/// node_exporter's backend labels, in its order.
fn backend_labels(svc: &Service, d: &Dest) -> String {
    let s = service_labels(svc);
    let remote = ntop(d.af, &d.addr).unwrap_or_default();
    let pairs = [
        s[0].clone(),
        s[1].clone(),
        ("remote_address", remote),
        ("remote_port", d.port.to_string()),
        s[2].clone(),
        s[3].clone(),
    ];
    labels(&pairs)
}

/// One metric family: name, type, help, and its samples (label text,
/// value), in first-seen order with same-label samples summed.
struct Family {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
    samples: Vec<(String, u64)>,
}

impl Family {
    fn new(name: &'static str, kind: &'static str, help: &'static str) -> Family {
        Family {
            name,
            kind,
            help,
            samples: Vec::new(),
        }
    }

    fn add(&mut self, labels: &str, v: u64) {
        match self.samples.iter_mut().find(|(l, _)| l == labels) {
            Some((_, sum)) => *sum = sum.saturating_add(v),
            None => self.samples.push((labels.to_string(), v)),
        }
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} {}", self.name, self.kind);
        for (l, v) in &self.samples {
            if l.is_empty() {
                let _ = writeln!(out, "{} {v}", self.name);
            } else {
                let _ = writeln!(out, "{}{{{l}}} {v}", self.name);
            }
        }
    }
}

/// The five totals (node_exporter's names).
fn totals_families(t: &Totals) -> Vec<Family> {
    let one = |name, help, v| {
        let mut f = Family::new(name, "counter", help);
        f.add("", v);
        f
    };
    vec![
        one(
            "node_ipvs_connections_total",
            "Connections scheduled by IPVS, over all services.",
            t.conns,
        ),
        one(
            "node_ipvs_incoming_packets_total",
            "Packets received by IPVS, over all services.",
            t.inpkts,
        ),
        one(
            "node_ipvs_outgoing_packets_total",
            "Packets sent by IPVS, over all services.",
            t.outpkts,
        ),
        one(
            "node_ipvs_incoming_bytes_total",
            "Bytes received by IPVS, over all services.",
            t.inbytes,
        ),
        one(
            "node_ipvs_outgoing_bytes_total",
            "Bytes sent by IPVS, over all services.",
            t.outbytes,
        ),
    ]
}

/// Per real server (node_exporter's backend gauges).
fn server_families(table: &[(Service, Vec<Dest>)]) -> Vec<Family> {
    let mut active = Family::new(
        "node_ipvs_backend_connections_active",
        "gauge",
        "Active connections of a real server of a virtual service.",
    );
    let mut inactive = Family::new(
        "node_ipvs_backend_connections_inactive",
        "gauge",
        "Inactive connections of a real server of a virtual service.",
    );
    let mut weight = Family::new(
        "node_ipvs_backend_weight",
        "gauge",
        "Weight of a real server of a virtual service.",
    );
    for (svc, dests) in table {
        for d in dests {
            let l = backend_labels(svc, d);
            active.add(&l, u64::from(d.active_conns));
            inactive.add(&l, u64::from(d.inact_conns));
            weight.add(&l, u64::from(d.weight));
        }
    }
    vec![active, inactive, weight]
}

/// The per-service families: (name, type, help, value of a service).
type ServiceMetric = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Stats, &[Dest]) -> u64,
);

const SERVICE_METRICS: [ServiceMetric; 9] = [
    (
        "ipvsadm_service_connections_total",
        "counter",
        "Connections scheduled by a virtual service.",
        |s, _| s.conns,
    ),
    (
        "ipvsadm_service_incoming_packets_total",
        "counter",
        "Packets received by a virtual service.",
        |s, _| s.inpkts,
    ),
    (
        "ipvsadm_service_outgoing_packets_total",
        "counter",
        "Packets sent by a virtual service.",
        |s, _| s.outpkts,
    ),
    (
        "ipvsadm_service_incoming_bytes_total",
        "counter",
        "Bytes received by a virtual service.",
        |s, _| s.inbytes,
    ),
    (
        "ipvsadm_service_outgoing_bytes_total",
        "counter",
        "Bytes sent by a virtual service.",
        |s, _| s.outbytes,
    ),
    (
        "ipvsadm_service_connections_active",
        "gauge",
        "Active connections of a virtual service, over its real servers.",
        |_, ds| ds.iter().map(|d| u64::from(d.active_conns)).sum(),
    ),
    (
        "ipvsadm_service_connections_inactive",
        "gauge",
        "Inactive connections of a virtual service, over its real servers.",
        |_, ds| ds.iter().map(|d| u64::from(d.inact_conns)).sum(),
    ),
    (
        "ipvsadm_service_weight",
        "gauge",
        "Sum of the weights of a virtual service's real servers.",
        |_, ds| ds.iter().map(|d| u64::from(d.weight)).sum(),
    ),
    (
        "ipvsadm_service_backends",
        "gauge",
        "Real servers of a virtual service.",
        |_, ds| ds.len() as u64,
    ),
];

/// Per service (`--by service`).
fn service_families(table: &[(Service, Vec<Dest>)]) -> Vec<Family> {
    let mut fams: Vec<Family> = SERVICE_METRICS
        .iter()
        .map(|(n, k, h, _)| Family::new(n, k, h))
        .collect();
    for (svc, dests) in table {
        let l = labels(&service_labels(svc));
        for (f, (_, _, _, value)) in fams.iter_mut().zip(SERVICE_METRICS.iter()) {
            f.add(&l, value(&svc.stats, dests));
        }
    }
    fams
}

/// The whole exposition text.
pub fn render(totals: &Totals, table: &[(Service, Vec<Dest>)], by: By) -> String {
    let mut fams = totals_families(totals);
    fams.extend(match by {
        By::Server => server_families(table),
        By::Service => service_families(table),
    });
    let mut out = String::new();
    for f in &fams {
        f.write(&mut out);
    }
    out
}

#[cfg(test)]
mod tests;
