//! Pure row formatters: banner, title lines, service and destination
//! lines in every view, `-S` rules, number scaling, timeout and daemon
//! lines. Each returns the bytes of one or more whole lines (with their
//! `\n`); nothing here does I/O or lookups (callers render `<host:port>`
//! with [`super::names`] first).
//!
//! Widths follow ipvsadm's printf formats and count bytes; values wider
//! than their field push the rest of the line right, as printf does.

use std::net::{IpAddr, Ipv4Addr};

use crate::grammar::ListOpts;
use crate::model::{
    Daemon, Dest, Info, Service, Stats, Timeouts, AF_INET, AF_INET6, DAEMON_BACKUP, DAEMON_MASTER,
    IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED1,
    SVC_F_SCHED2, SVC_F_SCHED3, SVC_F_SCHED_MASK, TUN_GRE, TUN_GUE, TUN_IPIP,
};

/// Which layout the lines take. The precedence among the listing options
/// is ipvsadm's: stats, rate, thresholds, persistent-conn, tun-info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `-S`: rules.
    Rule,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
    Plain,
}

impl View {
    /// The listing view chosen by `-L` options.
    pub fn from_opts(o: &ListOpts) -> View {
        if o.stats {
            View::Stats
        } else if o.rate {
            View::Rate
        } else if o.thresholds {
            View::Thresholds
        } else if o.persistent_conn {
            View::PersistentConn
        } else if o.tun_info {
            View::TunInfo
        } else {
            View::Plain
        }
    }
}

/// Service names are cut to this many bytes in listings (non-IPv6).
pub const SVC_NAME_CUT: usize = 33;
/// Destination names are cut to this many bytes in listings (non-IPv6).
pub const DEST_NAME_CUT: usize = 28;

/// `%-Ns`: the bytes left-aligned in `width` columns.
pub fn pad_right(out: &mut Vec<u8>, s: &[u8], width: usize) {
    out.extend_from_slice(s);
    for _ in s.len()..width {
        out.push(b' ');
    }
}

/// `%Ns`: the bytes right-aligned in `width` columns.
pub fn pad_left(out: &mut Vec<u8>, s: &[u8], width: usize) {
    for _ in s.len()..width {
        out.push(b' ');
    }
    out.extend_from_slice(s);
}

/// The banner line of a whole-table listing.
pub fn banner(info: &Info) -> String {
    let v = info.version;
    format!(
        "IP Virtual Server version {}.{}.{} (size={})\n",
        (v >> 16) & 0xff,
        (v >> 8) & 0xff,
        v & 0xff,
        info.conn_tab_size as i32
    )
}

/// The two title lines of a view (`""` for `-S`).
pub fn title(view: View) -> &'static str {
    match view {
        View::Rule => "",
        View::Stats => {
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n"
        }
        View::Rate => {
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n"
        }
        View::Thresholds => {
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n"
        }
        View::PersistentConn => {
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n"
        }
        View::TunInfo => {
            "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
        }
        View::Plain => {
            "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        }
    }
}

/// One `--stats`/`--rate` number (`print_largenum`): with `exact` the
/// decimal value right-aligned in max(9, digits + 1) columns; otherwise
/// plain below 10^8 (9 columns), else K/M/G/T of the truncated quotient
/// in 8 columns plus the letter.
pub fn scale(v: u64, exact: bool) -> String {
    if exact {
        let s = v.to_string();
        let w = if s.len() <= 8 { 9 } else { s.len() + 1 };
        return format!("{s:>w$}");
    }
    if v < 100_000_000 {
        format!("{v:>9}")
    } else if v < 1_000_000_000 {
        format!("{:>8}K", v / 1_000)
    } else if v < 100_000_000_000 {
        format!("{:>8}M", v / 1_000_000)
    } else if v < 100_000_000_000_000 {
        format!("{:>8}G", v / 1_000_000_000)
    } else {
        format!("{:>8}T", v / 1_000_000_000_000)
    }
}

/// Protocol word of listings (`%-4s` is applied by the caller).
pub fn protocol_name(proto: u16) -> &'static str {
    match proto {
        IPPROTO_TCP => "TCP",
        IPPROTO_UDP => "UDP",
        IPPROTO_SCTP => "SCTP",
        _ => "?",
    }
}

/// Service-type option of `-S` rules.
pub fn protocol_option(proto: u16) -> &'static str {
    match proto {
        IPPROTO_TCP => "-t",
        IPPROTO_UDP => "-u",
        IPPROTO_SCTP => "--sctp-service",
        _ => "--xxx-service",
    }
}

/// The service's name: `FWM  <mark>[ IPv6]` / `-f <mark>[ -6]` for
/// fwmark services, else `%-4s <host:port>` (cut to 33 bytes unless
/// IPv6) / `<type> <host:port>` for rules. `vname` is the rendered
/// `<host:port>` (unused for fwmark services).
pub fn service_name(svc: &Service, vname: &[u8], rule: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    if svc.fwmark != 0 {
        let mark = svc.fwmark as i32;
        let v6 = svc.af == AF_INET6;
        let s = match (rule, v6) {
            (true, true) => format!("-f {mark} -6"),
            (true, false) => format!("-f {mark}"),
            (false, true) => format!("FWM  {mark} IPv6"),
            (false, false) => format!("FWM  {mark}"),
        };
        out.extend_from_slice(s.as_bytes());
    } else if rule {
        out.extend_from_slice(protocol_option(svc.protocol).as_bytes());
        out.push(b' ');
        out.extend_from_slice(vname);
    } else {
        pad_right(&mut out, protocol_name(svc.protocol).as_bytes(), 4);
        out.push(b' ');
        out.extend_from_slice(vname);
        if svc.af != AF_INET6 {
            out.truncate(SVC_NAME_CUT);
        }
    }
    out
}

/// The scheduler-flag names of the set 0x38 bits, joined by commas
/// (possibly empty: `sh` with only 0x20 has no name for it).
pub fn sched_flags(svc: &Service) -> String {
    let names: [(u32, &str); 3] = match svc.sched_name.as_str() {
        "sh" => [
            (SVC_F_SCHED1, "sh-fallback"),
            (SVC_F_SCHED2, "sh-port"),
            (0, ""),
        ],
        "mh" => [
            (SVC_F_SCHED1, "mh-fallback"),
            (SVC_F_SCHED2, "mh-port"),
            (0, ""),
        ],
        _ => [
            (SVC_F_SCHED1, "flag-1"),
            (SVC_F_SCHED2, "flag-2"),
            (SVC_F_SCHED3, "flag-3"),
        ],
    };
    names
        .iter()
        .filter(|(bit, _)| *bit != 0 && svc.flags & bit != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

/// The mask text when it is not the default, else `None`: IPv4 dotted
/// quad unless 255.255.255.255, IPv6 prefix length unless 128.
fn mask_text(svc: &Service) -> Option<String> {
    if svc.af == AF_INET {
        if svc.netmask != 0xffff_ffff {
            return Some(Ipv4Addr::from(svc.netmask).to_string());
        }
    } else if svc.af == AF_INET6 && svc.netmask != 128 {
        return Some((svc.netmask as i32).to_string());
    }
    None
}

fn push_stats(out: &mut Vec<u8>, vals: [u64; 5], exact: bool) {
    for v in vals {
        out.extend_from_slice(scale(v, exact).as_bytes());
    }
}

/// The service line in `view` (with its `\n`); `name` from
/// [`service_name`].
pub fn service_line(svc: &Service, name: &[u8], view: View, exact: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    let s = &svc.stats;
    match view {
        View::Rule => {
            out.extend_from_slice(b"-A ");
            out.extend_from_slice(name);
            out.extend_from_slice(b" -s ");
            out.extend_from_slice(svc.sched_name.as_bytes());
            if svc.flags & SVC_F_PERSISTENT != 0 {
                out.extend_from_slice(format!(" -p {}", svc.timeout).as_bytes());
                if let Some(m) = mask_text(svc) {
                    out.extend_from_slice(format!(" -M {m}").as_bytes());
                }
            }
            if !svc.pe_name.is_empty() {
                out.extend_from_slice(b" --pe ");
                out.extend_from_slice(svc.pe_name.as_bytes());
            }
            if svc.flags & SVC_F_ONEPACKET != 0 {
                out.extend_from_slice(b" -o");
            }
            if svc.flags & SVC_F_SCHED_MASK != 0 {
                out.extend_from_slice(b" -b ");
                out.extend_from_slice(sched_flags(svc).as_bytes());
            }
        }
        View::Stats => {
            pad_right(&mut out, name, SVC_NAME_CUT);
            push_stats(
                &mut out,
                [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes],
                exact,
            );
        }
        View::Rate => {
            pad_right(&mut out, name, SVC_NAME_CUT);
            push_stats(
                &mut out,
                [s.cps, s.inpps, s.outpps, s.inbps, s.outbps],
                exact,
            );
        }
        _ => {
            out.extend_from_slice(name);
            out.push(b' ');
            out.extend_from_slice(svc.sched_name.as_bytes());
            if svc.flags & SVC_F_SCHED_MASK != 0 {
                out.extend_from_slice(format!(" ({})", sched_flags(svc)).as_bytes());
            }
            if svc.flags & SVC_F_PERSISTENT != 0 {
                out.extend_from_slice(format!(" persistent {}", svc.timeout).as_bytes());
                if let Some(m) = mask_text(svc) {
                    out.extend_from_slice(format!(" mask {m}").as_bytes());
                }
                if !svc.pe_name.is_empty() {
                    out.extend_from_slice(b" pe ");
                    out.extend_from_slice(svc.pe_name.as_bytes());
                }
            }
            if svc.flags & SVC_F_ONEPACKET != 0 {
                out.extend_from_slice(b" ops");
            }
        }
    }
    out.push(b'\n');
    out
}

/// Forwarding method bits (`IP_VS_CONN_F_FWD_MASK`).
fn fwd_bits(d: &Dest) -> u32 {
    d.fwd.to_u32() & 7
}

/// Listing name of the forwarding method; `(null)` is what glibc's printf
/// makes of ipvsadm's NULL for anything unknown.
pub fn fwd_name(d: &Dest) -> &'static str {
    match fwd_bits(d) {
        0 => "Masq",
        1 => "Local",
        2 => "Tunnel",
        3 => "Route",
        _ => "(null)",
    }
}

/// Rule switch of the forwarding method.
pub fn fwd_switch(d: &Dest) -> &'static str {
    match fwd_bits(d) {
        0 => "-m",
        2 => "-i",
        1 | 3 => "-g",
        _ => "(null)",
    }
}

fn tun_flag_short(flags: u16) -> &'static str {
    match flags {
        0 => "-c",
        1 => "+c",
        2 => "r+c",
        _ => "(null)",
    }
}

fn tun_flag_option(flags: u16) -> &'static str {
    match flags {
        0 => "--tun-nocsum",
        1 => "--tun-csum",
        2 => "--tun-remcsum",
        _ => "(null)",
    }
}

/// `--tun-info` column: tunnel details for tunnel destinations, `n/a`
/// otherwise (and for unknown tunnel types). At most 15 bytes.
pub fn tun_info(d: &Dest) -> String {
    if fwd_bits(d) != 2 {
        return "n/a".into();
    }
    let mut s = match d.tun_type {
        TUN_IPIP => "ipip".to_string(),
        TUN_GUE => format!("gue:{}:{}", d.tun_port, tun_flag_short(d.tun_flags)),
        TUN_GRE => format!("gre:{}", tun_flag_short(d.tun_flags)),
        _ => return "n/a".into(),
    };
    s.truncate(15);
    s
}

/// The destination's name in a view: `<host:port>` cut to 28 bytes in
/// listings when the destination is not IPv6.
pub fn dest_name(d: &Dest, hostport: &[u8], view: View) -> Vec<u8> {
    let mut n = hostport.to_vec();
    if view != View::Rule && d.af != AF_INET6 {
        n.truncate(DEST_NAME_CUT);
    }
    n
}

/// Destination counters as ipvsadm 1.31 reads them: every counter except
/// the byte counts keeps only its low 32 bits.
pub fn dest_stats(s: &Stats) -> Stats {
    let t = |v: u64| u64::from(v as u32);
    Stats {
        conns: t(s.conns),
        inpkts: t(s.inpkts),
        outpkts: t(s.outpkts),
        inbytes: s.inbytes,
        outbytes: s.outbytes,
        cps: t(s.cps),
        inpps: t(s.inpps),
        outpps: t(s.outpps),
        inbps: t(s.inbps),
        outbps: t(s.outbps),
    }
}

/// One destination line (with its `\n`). `svc_name` is the service name
/// (used by rules), `dname` from [`dest_name`].
pub fn dest_line(svc_name: &[u8], dname: &[u8], d: &Dest, view: View, exact: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    let weight = d.weight as i32;
    if view != View::Rule {
        // Every listing view starts with the arrow and the name in 28 columns.
        out.extend_from_slice(b"  -> ");
        pad_right(&mut out, dname, DEST_NAME_CUT);
    }
    match view {
        View::Rule => {
            out.extend_from_slice(b"-a ");
            out.extend_from_slice(svc_name);
            out.extend_from_slice(b" -r ");
            out.extend_from_slice(dname);
            out.extend_from_slice(format!(" {} -w {}", fwd_switch(d), weight).as_bytes());
            if fwd_bits(d) == 2 {
                let tail = match d.tun_type {
                    TUN_GRE => format!(" --tun-type gre {}", tun_flag_option(d.tun_flags)),
                    TUN_GUE => format!(
                        " --tun-type gue --tun-port {} {}",
                        d.tun_port,
                        tun_flag_option(d.tun_flags)
                    ),
                    TUN_IPIP => " --tun-type ipip".to_string(),
                    _ => String::new(),
                };
                out.extend_from_slice(tail.as_bytes());
            }
        }
        View::Stats => {
            let s = dest_stats(&d.stats);
            push_stats(
                &mut out,
                [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes],
                exact,
            );
        }
        View::Rate => {
            let s = dest_stats(&d.stats);
            out.extend_from_slice(
                format!(" {:>8} {:>8} {:>8}", s.cps, s.inpps, s.outpps).as_bytes(),
            );
            out.extend_from_slice(scale(s.inbps, exact).as_bytes());
            out.extend_from_slice(scale(s.outbps, exact).as_bytes());
        }
        View::Thresholds => {
            out.extend_from_slice(
                format!(
                    " {:<10} {:<10} {:<10} {:<10}",
                    d.u_threshold, d.l_threshold, d.active_conns, d.inact_conns
                )
                .as_bytes(),
            );
        }
        View::PersistentConn => {
            out.extend_from_slice(
                format!(
                    " {:<9} {:<11} {:<10} {:<10}",
                    d.weight, d.persist_conns, d.active_conns, d.inact_conns
                )
                .as_bytes(),
            );
        }
        View::TunInfo => {
            out.extend_from_slice(
                format!(
                    " {:<7} {:<13} {:<6} {:<10} {:<10}",
                    fwd_name(d),
                    tun_info(d),
                    weight,
                    d.active_conns,
                    d.inact_conns
                )
                .as_bytes(),
            );
        }
        View::Plain => {
            out.extend_from_slice(
                format!(
                    " {:<7} {:<6} {:<10} {:<10}",
                    fwd_name(d),
                    weight,
                    d.active_conns,
                    d.inact_conns
                )
                .as_bytes(),
            );
        }
    }
    out.push(b'\n');
    out
}

/// The `--timeout` line.
pub fn timeout_line(t: &Timeouts) -> String {
    format!(
        "Timeout (tcp tcpfin udp): {} {} {}\n",
        t.tcp as i32, t.tcp_fin as i32, t.udp as i32
    )
}

/// The `--daemon` lines: the first two slots, each printed when its state
/// has the master or the backup bit.
pub fn daemon_lines(ds: &[Daemon]) -> String {
    let mut out = String::new();
    for d in ds.iter().take(2) {
        let kind = if d.state & DAEMON_MASTER != 0 {
            "master"
        } else if d.state & DAEMON_BACKUP != 0 {
            "backup"
        } else {
            continue;
        };
        out.push_str(&format!(
            "{kind} sync daemon (mcast={}, syncid={}",
            d.mcast_ifn, d.syncid as i32
        ));
        if d.sync_maxlen != 0 {
            out.push_str(&format!(", maxlen={}", d.sync_maxlen));
        }
        if let Some(g) = d.mcast_group {
            let (af, raw) = match g {
                IpAddr::V4(_) => (AF_INET, crate::model::raw_from_ip(g)),
                IpAddr::V6(_) => (AF_INET6, crate::model::raw_from_ip(g)),
            };
            if let Some(t) = super::names::ntop(af, &raw) {
                out.push_str(&format!(", group={t}"));
            }
        }
        if d.mcast_port != 0 {
            out.push_str(&format!(", port={}", d.mcast_port));
        }
        if d.mcast_ttl != 0 {
            out.push_str(&format!(", ttl={}", d.mcast_ttl));
        }
        out.push_str(")\n");
    }
    out
}
