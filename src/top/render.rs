//! `ipvsadm top`'s text (pure): a [`Frame`] as the lines of a snapshot,
//! the same lines fitted to a terminal of a given size, and one JSON
//! object per snapshot.
//!
//! Rows name services and real servers as `-L` does (the same
//! `<host:port>` text, cut to the same widths, names looked up unless
//! numeric), followed by the five rates in the columns of `-L --rate`
//! and the ActiveConn / InActConn counts. A rate not known for this
//! interval (a row just added, or counters zeroed) reads `-` (JSON `null`).

use serde::Serialize;

use super::frame::{self, Counts, Frame, Rates, Row, SortKey, Totals};
use crate::model::{Dest, Service, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};
use crate::output::format::{self, View};
use crate::output::json::{address, family};
use crate::output::names::{self, Names};

/// How the rows are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub sort: SortKey,
    pub numeric: bool,
}

/// The name column's width (`-L`'s service names).
const NAME_WIDTH: usize = 33;

/// The keys, as the first line of the live view lists them.
pub const KEYS_HINT: &str = "keys: c p b sort, n numeric, q quit";

/// A rate in at most 8 characters: one decimal below 1000, whole numbers
/// below ten million, then M, G, T with one decimal; `-` when unknown.
pub fn rate_text(v: Option<f64>) -> String {
    let Some(v) = v else {
        return "-".into();
    };
    if v < 1_000.0 {
        format!("{v:.1}")
    } else if v < 10_000_000.0 {
        format!("{v:.0}")
    } else if v < 10_000_000_000.0 {
        format!("{:.1}M", v / 1e6)
    } else if v < 10_000_000_000_000.0 {
        format!("{:.1}G", v / 1e9)
    } else {
        format!("{:.1}T", v / 1e12)
    }
}

/// The two heading lines.
pub fn headings() -> [String; 2] {
    [
        format!(
            "{:<NAME_WIDTH$}{:>9}{:>9}{:>9}{:>9}{:>9}{:>11}{:>10}",
            "Prot LocalAddress:Port",
            "CPS",
            "InPPS",
            "OutPPS",
            "InBPS",
            "OutBPS",
            "ActiveConn",
            "InActConn"
        ),
        "  -> RemoteAddress:Port".into(),
    ]
}

/// A name (bytes, as `-L` builds it) and the numbers after it.
fn line(name: &[u8], rate: Option<&Rates>, active: u64, inactive: u64) -> String {
    let mut s = String::from_utf8_lossy(name).into_owned();
    let width = s.chars().count();
    s.extend(std::iter::repeat_n(' ', NAME_WIDTH.saturating_sub(width)));
    let r = |f: fn(&Rates) -> f64| rate_text(rate.map(f));
    s.push_str(&format!(
        "{:>9}{:>9}{:>9}{:>9}{:>9}{active:>11}{inactive:>10}",
        r(|r| r.cps),
        r(|r| r.inpps),
        r(|r| r.outpps),
        r(|r| r.inbps),
        r(|r| r.outbps),
    ));
    s
}

fn row_line(name: &[u8], row: &Row) -> String {
    line(name, row.rate.as_ref(), row.active, row.inactive)
}

/// A service's name as `-L` writes it.
pub fn service_name(s: &Service, numeric: bool, names: &dyn Names) -> Vec<u8> {
    let vname = if s.fwmark != 0 {
        Vec::new()
    } else {
        names::host_port(s.af, &s.addr, s.port, s.protocol, numeric, names)
    };
    format::service_name(s, &vname, false)
}

/// A real server's name as `-L` writes it (after the arrow).
pub fn server_name(s: &Service, d: &Dest, numeric: bool, names: &dyn Names) -> Vec<u8> {
    let hp = names::host_port(d.af, &d.addr, d.port, s.protocol, numeric, names);
    let mut out = b"  -> ".to_vec();
    out.extend_from_slice(&format::dest_name(d, &hp, View::Rate));
    out
}

/// The first line: when, over how long, sorted by what.
fn title(f: &Frame, look: Look, clock: &str) -> String {
    let over = if f.interval > 0.0 {
        format!("{:.2}s interval", f.interval)
    } else {
        "first reading".into()
    };
    let n = if look.numeric { ", numeric" } else { "" };
    format!(
        "ipvsadm top at {clock}: {over}, sorted by {}{n}",
        look.sort.column()
    )
}

/// `n` and the word, plural unless `n` is 1.
fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn totals_line(t: &Totals, known: bool) -> String {
    let what = format!(
        "Total: {}, {}",
        count(t.services, "service"),
        count(t.servers, "server")
    );
    line(
        what.as_bytes(),
        known.then_some(&t.rate),
        t.active,
        t.inactive,
    )
}

/// A snapshot's lines (without line ends): the title, the headings, the
/// totals, then each service followed by its real servers, sorted.
pub fn lines(f: &Frame, look: Look, names: &dyn Names, clock: &str) -> Vec<String> {
    let [h1, h2] = headings();
    let t = frame::totals(f);
    let mut out = vec![
        title(f, look, clock),
        h1,
        h2,
        totals_line(&t, f.interval > 0.0),
    ];
    for (s, ds) in frame::sorted(f, look.sort) {
        out.push(row_line(
            &service_name(&s.service, look.numeric, names),
            &s.row,
        ));
        for d in ds {
            let name = server_name(&s.service, &d.dest, look.numeric, names);
            out.push(row_line(&name, &d.row));
        }
    }
    out
}

/// A snapshot as plain text: its lines and a blank line after them.
pub fn text(f: &Frame, look: Look, names: &dyn Names, clock: &str) -> String {
    let mut s = lines(f, look, names, clock).join("\n");
    s.push_str("\n\n");
    s
}

/// At most `width` characters of `s`.
fn cut(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}

/// The live view on a `width` × `height` terminal: the keys after the
/// title, every line cut to the width, and when the rows do not fit,
/// a last line saying how many more there are.
pub fn screen(
    f: &Frame,
    look: Look,
    names: &dyn Names,
    clock: &str,
    (width, height): (usize, usize),
) -> Vec<String> {
    let mut ls = lines(f, look, names, clock);
    if let Some(t) = ls.first_mut() {
        t.push_str(&format!("   ({KEYS_HINT})"));
    }
    let height = height.max(1);
    if ls.len() > height {
        let more = ls.len() - (height - 1);
        ls.truncate(height - 1);
        ls.push(format!(
            "... {more} more lines (a larger window shows them)"
        ));
    }
    ls.iter().map(|l| cut(l, width)).collect()
}

/// A name when the value has one, else the number (as `--json` writes
/// protocols).
#[derive(Serialize)]
#[serde(untagged)]
enum Named {
    Name(&'static str),
    Number(u16),
}

#[derive(Serialize)]
struct ServerView {
    family: &'static str,
    address: String,
    port: u16,
    stats: Counts,
    delta: Option<Counts>,
    rate: Option<Rates>,
    active_conns: u64,
    inactive_conns: u64,
}

#[derive(Serialize)]
struct ServiceView {
    protocol: Named,
    family: &'static str,
    address: Option<String>,
    port: Option<u16>,
    fwmark: Option<u32>,
    stats: Counts,
    delta: Option<Counts>,
    rate: Option<Rates>,
    active_conns: u64,
    inactive_conns: u64,
    servers: Vec<ServerView>,
}

#[derive(Serialize)]
struct TotalsView {
    services: usize,
    servers: usize,
    stats: Counts,
    rate: Option<Rates>,
    active_conns: u64,
    inactive_conns: u64,
}

#[derive(Serialize)]
struct SnapshotView {
    time: f64,
    interval: f64,
    sort: &'static str,
    totals: TotalsView,
    services: Vec<ServiceView>,
}

fn server_view(d: &Dest, row: &Row) -> ServerView {
    ServerView {
        family: family(d.af),
        address: address(d.af, &d.addr),
        port: d.port,
        stats: row.stats,
        delta: row.delta,
        rate: row.rate,
        active_conns: row.active,
        inactive_conns: row.inactive,
    }
}

fn service_view(s: &Service, row: &Row, servers: Vec<ServerView>) -> ServiceView {
    let fw = s.fwmark != 0;
    let protocol = match s.protocol {
        _ if fw => Named::Name("fwmark"),
        IPPROTO_TCP => Named::Name("tcp"),
        IPPROTO_UDP => Named::Name("udp"),
        IPPROTO_SCTP => Named::Name("sctp"),
        n => Named::Number(n),
    };
    ServiceView {
        protocol,
        family: family(s.af),
        address: (!fw).then(|| address(s.af, &s.addr)),
        port: (!fw).then_some(s.port),
        fwmark: fw.then_some(s.fwmark),
        stats: row.stats,
        delta: row.delta,
        rate: row.rate,
        active_conns: row.active,
        inactive_conns: row.inactive,
        servers,
    }
}

/// One snapshot as one line of JSON (with its `\n`); `time` is the
/// reading's wall-clock time in seconds since the epoch. Services and
/// servers come in the sorted order.
pub fn json(f: &Frame, sort: SortKey, time: f64) -> String {
    let t = frame::totals(f);
    let services = frame::sorted(f, sort)
        .into_iter()
        .map(|(s, ds)| {
            let servers = ds.iter().map(|d| server_view(&d.dest, &d.row)).collect();
            service_view(&s.service, &s.row, servers)
        })
        .collect();
    let v = SnapshotView {
        time,
        interval: f.interval,
        sort: sort.name(),
        totals: TotalsView {
            services: t.services,
            servers: t.servers,
            stats: t.stats,
            rate: (f.interval > 0.0).then_some(t.rate),
            active_conns: t.active,
            inactive_conns: t.inactive,
        },
        services,
    };
    // Serializing these views cannot fail: string keys, plain values.
    let mut s = serde_json::to_string(&v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
