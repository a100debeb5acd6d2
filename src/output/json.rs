//! `--json`: the listing views as JSON, in a stable schema documented in
//! the man page (JSON OUTPUT). Unlike the text views, counters are the
//! kernel's full 64-bit values and names are never resolved.
//!
//! Schema (every key always present; `null` where a value does not apply):
//! - whole table: `{"version": "1.2.1", "conn_tab_size": N, "services": [SERVICE…]}`
//! - one service (`-L -t …`): `{"services": [SERVICE]}`
//! - SERVICE: `{"protocol": "tcp"|"udp"|"sctp"|"fwmark"|N, "family": "inet"|"inet6",
//!   "address": STR|null, "port": N|null, "fwmark": N|null, "scheduler": STR,
//!   "sched_flags": [STR…], "persistent": BOOL, "timeout": N|null, "netmask": STR|N|null,
//!   "pe": STR|null, "ops": BOOL, "flags": N, "stats": STATS, "rate": RATE, "servers": [SERVER…]}`
//! - SERVER: `{"family", "address", "port", "forward": "masq"|"local"|"tunnel"|"route"|N,
//!   "weight", "u_threshold", "l_threshold", "active_conns", "inactive_conns",
//!   "persistent_conns", "tunnel": {"type": "ipip"|"gue"|"gre"|N, "port": N|null,
//!   "csum": "nocsum"|"csum"|"remcsum"|N}|null, "stats", "rate"}`
//! - STATS: `{"conns", "inpkts", "outpkts", "inbytes", "outbytes"}`; RATE: `{"cps", "inpps",
//!   "outpps", "inbps", "outbps"}`
//! - `--timeout`: `{"timeouts": {"tcp": N, "tcp_fin": N, "udp": N}}`
//! - `-c`: `{"connections": [{"protocol": STR, "client": ENDPOINT, "virtual": ENDPOINT,
//!   "destination": ENDPOINT, "state": STR, "expire": N (seconds), "pe_name": STR|null,
//!   "pe_data": STR|null}…]}` with ENDPOINT `{"address": STR, "port": N}`
//! - `--daemon`: `{"daemons": [{"state": "master"|"backup", "mcast_interface": STR,
//!   "syncid": N, "sync_maxlen": N|null, "mcast_group": STR|null, "mcast_port": N|null,
//!   "mcast_ttl": N|null}…]}`
//!
//! Addresses are written as `-L -n` writes them (glibc's `inet_ntop`
//! text, [`super::names::ntop`]). The objects are view types derived with
//! serde, in the schema's key order; serde_json writes them compactly.

use std::net::IpAddr;

use serde::Serialize;

use super::names::ntop;
use crate::model::{
    raw_from_ip, Daemon, Dest, Forward, Info, RawAddr, Service, Stats, Timeouts, AF_INET, AF_INET6,
    DAEMON_MASTER, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, TUN_GRE, TUN_GUE,
    TUN_IPIP,
};

/// Compact JSON with control characters other than `\n`, `\r`, `\t`
/// written as `\u00xx` (serde_json would write `\b` and `\f`).
struct Compact;

impl serde_json::ser::Formatter for Compact {
    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape::*;
        let s: &[u8] = match escape {
            Quote => b"\\\"",
            ReverseSolidus => b"\\\\",
            LineFeed => b"\\n",
            CarriageReturn => b"\\r",
            Tab => b"\\t",
            Backspace => b"\\u0008",
            FormFeed => b"\\u000c",
            Solidus => b"/",
            AsciiControl(c) => return write!(w, "\\u{c:04x}"),
        };
        w.write_all(s)
    }
}

/// A value as JSON text.
fn to_json<T: Serialize>(v: &T) -> String {
    let mut buf = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, Compact);
    // Serializing these views into memory cannot fail: every key is a
    // string and every value a string, number, bool, null or container.
    if v.serialize(&mut ser).is_err() {
        return "null".into();
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// [`to_json`] with the newline that ends each document.
fn document<T: Serialize>(v: &T) -> String {
    let mut s = to_json(v);
    s.push('\n');
    s
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    to_json(&s)
}

/// A name when the value has one, else the number.
#[derive(Serialize)]
#[serde(untagged)]
enum Named {
    Name(&'static str),
    Number(u64),
}

/// The family's name in JSON ("inet" or "inet6"); `top --json` uses it too.
pub(crate) fn family(af: u16) -> &'static str {
    if af == AF_INET6 {
        "inet6"
    } else {
        "inet"
    }
}

/// An address as `-L -n` prints it, in the family the JSON names.
pub(crate) fn address(af: u16, raw: &RawAddr) -> String {
    let af = if af == AF_INET6 { AF_INET6 } else { AF_INET };
    ntop(af, raw).unwrap_or_default()
}

/// An `IpAddr` as `-L -n` prints it.
fn ip_text(ip: IpAddr) -> String {
    let af = if ip.is_ipv6() { AF_INET6 } else { AF_INET };
    address(af, &raw_from_ip(ip))
}

#[derive(Serialize)]
struct StatsView {
    conns: u64,
    inpkts: u64,
    outpkts: u64,
    inbytes: u64,
    outbytes: u64,
}

#[derive(Serialize)]
struct RateView {
    cps: u64,
    inpps: u64,
    outpps: u64,
    inbps: u64,
    outbps: u64,
}

fn stats(s: &Stats) -> StatsView {
    StatsView {
        conns: s.conns,
        inpkts: s.inpkts,
        outpkts: s.outpkts,
        inbytes: s.inbytes,
        outbytes: s.outbytes,
    }
}

fn rate(s: &Stats) -> RateView {
    RateView {
        cps: s.cps,
        inpps: s.inpps,
        outpps: s.outpps,
        inbps: s.inbps,
        outbps: s.outbps,
    }
}

#[derive(Serialize)]
struct TunnelView {
    #[serde(rename = "type")]
    kind: Named,
    port: Option<u16>,
    csum: Named,
}

#[derive(Serialize)]
struct ServerView {
    family: &'static str,
    address: String,
    port: u16,
    forward: Named,
    weight: i32,
    u_threshold: u32,
    l_threshold: u32,
    active_conns: u32,
    inactive_conns: u32,
    persistent_conns: u32,
    tunnel: Option<TunnelView>,
    stats: StatsView,
    rate: RateView,
}

fn tunnel(d: &Dest) -> Option<TunnelView> {
    if d.fwd != Forward::Tunnel {
        return None;
    }
    Some(TunnelView {
        kind: match d.tun_type {
            TUN_IPIP => Named::Name("ipip"),
            TUN_GUE => Named::Name("gue"),
            TUN_GRE => Named::Name("gre"),
            n => Named::Number(n.into()),
        },
        port: (d.tun_type == TUN_GUE).then_some(d.tun_port),
        csum: match d.tun_flags {
            0 => Named::Name("nocsum"),
            1 => Named::Name("csum"),
            2 => Named::Name("remcsum"),
            n => Named::Number(n.into()),
        },
    })
}

fn server_view(d: &Dest) -> ServerView {
    ServerView {
        family: family(d.af),
        address: address(d.af, &d.addr),
        port: d.port,
        forward: match d.fwd {
            Forward::Masq => Named::Name("masq"),
            Forward::Local => Named::Name("local"),
            Forward::Tunnel => Named::Name("tunnel"),
            Forward::Route => Named::Name("route"),
            Forward::Other(n) => Named::Number(n.into()),
        },
        // Printed signed, as ipvsadm's `%d`.
        weight: d.weight as i32,
        u_threshold: d.u_threshold,
        l_threshold: d.l_threshold,
        active_conns: d.active_conns,
        inactive_conns: d.inact_conns,
        persistent_conns: d.persist_conns,
        tunnel: tunnel(d),
        stats: stats(&d.stats),
        rate: rate(&d.stats),
    }
}

/// One SERVER object.
pub fn server(d: &Dest) -> String {
    to_json(&server_view(d))
}

/// A persistent service's netmask: dotted for IPv4, a prefix for IPv6.
#[derive(Serialize)]
#[serde(untagged)]
enum Netmask {
    Dotted(String),
    Prefix(u32),
}

#[derive(Serialize)]
struct ServiceView {
    protocol: Named,
    family: &'static str,
    address: Option<String>,
    port: Option<u16>,
    fwmark: Option<u32>,
    scheduler: String,
    sched_flags: Vec<String>,
    persistent: bool,
    timeout: Option<u32>,
    netmask: Option<Netmask>,
    pe: Option<String>,
    ops: bool,
    flags: u32,
    stats: StatsView,
    rate: RateView,
    servers: Vec<ServerView>,
}

fn service_view(s: &Service, dests: &[Dest]) -> ServiceView {
    let fw = s.fwmark != 0;
    let protocol = match s.protocol {
        _ if fw => Named::Name("fwmark"),
        IPPROTO_TCP => Named::Name("tcp"),
        IPPROTO_UDP => Named::Name("udp"),
        IPPROTO_SCTP => Named::Name("sctp"),
        n => Named::Number(n.into()),
    };
    let persistent = s.is_persistent();
    let netmask = match s.af {
        AF_INET6 => Netmask::Prefix(s.netmask),
        _ => Netmask::Dotted(std::net::Ipv4Addr::from(s.netmask).to_string()),
    };
    ServiceView {
        protocol,
        family: family(s.af),
        address: (!fw).then(|| address(s.af, &s.addr)),
        port: (!fw).then_some(s.port),
        fwmark: fw.then_some(s.fwmark),
        scheduler: s.sched_name.to_string(),
        sched_flags: super::format::sched_flags(s)
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect(),
        persistent,
        timeout: persistent.then_some(s.timeout),
        netmask: persistent.then_some(netmask),
        pe: (!s.pe_name.is_empty()).then(|| s.pe_name.clone()),
        ops: s.flags & SVC_F_ONEPACKET != 0,
        flags: s.flags,
        stats: stats(&s.stats),
        rate: rate(&s.stats),
        servers: dests.iter().map(server_view).collect(),
    }
}

/// One SERVICE object with its servers.
pub fn service(s: &Service, dests: &[Dest]) -> String {
    to_json(&service_view(s, dests))
}

/// The whole table (with `version` and `conn_tab_size`) or one service.
#[derive(Serialize)]
struct TableView {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conn_tab_size: Option<u32>,
    services: Vec<ServiceView>,
}

/// The whole table (`info` given) or one service (`info` None).
pub fn table(info: Option<&Info>, services: &[(Service, Vec<Dest>)]) -> String {
    let version = |i: &Info| {
        format!(
            "{}.{}.{}",
            (i.version >> 16) & 0xff,
            (i.version >> 8) & 0xff,
            i.version & 0xff
        )
    };
    document(&TableView {
        version: info.map(version),
        conn_tab_size: info.map(|i| i.conn_tab_size),
        services: services.iter().map(|(s, d)| service_view(s, d)).collect(),
    })
}

#[derive(Serialize)]
struct TimeoutsView {
    timeouts: TimeoutValues,
}

#[derive(Serialize)]
struct TimeoutValues {
    tcp: u32,
    tcp_fin: u32,
    udp: u32,
}

pub fn timeouts(t: &Timeouts) -> String {
    document(&TimeoutsView {
        timeouts: TimeoutValues {
            tcp: t.tcp,
            tcp_fin: t.tcp_fin,
            udp: t.udp,
        },
    })
}

#[derive(Serialize)]
struct DaemonsView {
    daemons: Vec<DaemonView>,
}

#[derive(Serialize)]
struct DaemonView {
    state: &'static str,
    mcast_interface: String,
    syncid: u32,
    sync_maxlen: Option<u16>,
    mcast_group: Option<String>,
    mcast_port: Option<u16>,
    mcast_ttl: Option<u8>,
}

fn daemon_view(d: &Daemon) -> DaemonView {
    let set = |v: u16| (v != 0).then_some(v);
    DaemonView {
        state: if d.state & DAEMON_MASTER != 0 {
            "master"
        } else {
            "backup"
        },
        mcast_interface: d.mcast_ifn.clone(),
        syncid: d.syncid,
        sync_maxlen: set(d.sync_maxlen),
        mcast_group: d.mcast_group.map(ip_text),
        mcast_port: set(d.mcast_port),
        mcast_ttl: (d.mcast_ttl != 0).then_some(d.mcast_ttl),
    }
}

pub fn daemons(ds: &[Daemon]) -> String {
    document(&DaemonsView {
        daemons: ds.iter().map(daemon_view).collect(),
    })
}

#[derive(Serialize)]
struct ConnectionsView {
    connections: Vec<ConnView>,
}

#[derive(Serialize)]
struct Endpoint {
    address: String,
    port: u16,
}

#[derive(Serialize)]
struct ConnView {
    protocol: String,
    client: Endpoint,
    #[serde(rename = "virtual")]
    virtual_: Endpoint,
    destination: Endpoint,
    state: String,
    expire: i32,
    pe_name: Option<String>,
    pe_data: Option<String>,
}

/// `-c` from the text of `/proc/net/ip_vs_conn` (header line first).
pub fn connections(data: &[u8]) -> String {
    use super::conn::{chunks, client_virtual, dest_addr, scan_line};
    let endpoint = |af: u16, raw: &RawAddr, port: u16| Endpoint {
        address: address(af, raw),
        port,
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let opt = |b: &[u8]| (!b.is_empty()).then(|| text(b));
    let mut rows = Vec::new();
    for line in chunks(data).into_iter().skip(1) {
        let f = scan_line(line);
        if f.count < 9 {
            continue;
        }
        let (af, c, v) = client_virtual(&f.caddr, &f.vaddr);
        let (daf, d) = dest_addr(&f.daddr);
        rows.push(ConnView {
            protocol: text(&f.protocol),
            client: endpoint(af, &c, f.cport),
            virtual_: endpoint(af, &v, f.vport),
            destination: endpoint(daf, &d, f.dport),
            state: text(&f.state),
            expire: f.expires,
            pe_name: opt(&f.pe_name),
            pe_data: opt(&f.pe_data),
        });
    }
    document(&ConnectionsView { connections: rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SVC_F_PERSISTENT;

    #[test]
    fn connections_from_the_proc_file() {
        let data = b"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n\
TCP 0A000064 D431 0A000001 0050 C0A80101 1F90 ESTABLISHED     899\n\
UDP 2001:0db8:0000:0000:0000:0000:0000:0064 0035 2001:0db8:0000:0000:0000:0000:0000:0001 0035 2001:0db8:0000:0000:0000:0000:0000:000a 0035 UDP             299 sip abc\n";
        assert_eq!(
            connections(data),
            "{\"connections\":[{\"protocol\":\"TCP\",\"client\":{\"address\":\"10.0.0.100\",\"port\":54321},\"virtual\":{\"address\":\"10.0.0.1\",\"port\":80},\"destination\":{\"address\":\"192.168.1.1\",\"port\":8080},\"state\":\"ESTABLISHED\",\"expire\":899,\"pe_name\":null,\"pe_data\":null},\
{\"protocol\":\"UDP\",\"client\":{\"address\":\"2001:db8::64\",\"port\":53},\"virtual\":{\"address\":\"2001:db8::1\",\"port\":53},\"destination\":{\"address\":\"2001:db8::a\",\"port\":53},\"state\":\"UDP\",\"expire\":299,\"pe_name\":\"sip\",\"pe_data\":\"abc\"}]}\n"
        );
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }

    #[test]
    fn service_with_server() {
        let s = Service {
            protocol: IPPROTO_TCP,
            addr: raw_from_ip("10.0.0.1".parse().unwrap()),
            port: 80,
            sched_name: "sh".into(),
            flags: SVC_F_PERSISTENT | 0x08 | 0x02,
            timeout: 300,
            netmask: 0xffff_ff00,
            ..Service::default()
        };
        let d = Dest {
            addr: raw_from_ip("192.168.1.1".parse().unwrap()),
            port: 80,
            fwd: Forward::Tunnel,
            tun_type: TUN_GUE,
            tun_port: 6080,
            tun_flags: 1,
            stats: Stats {
                inbytes: 1 << 40,
                ..Stats::default()
            },
            ..Dest::default()
        };
        let j = service(&s, &[d]);
        assert!(j.starts_with("{\"protocol\":\"tcp\",\"family\":\"inet\",\"address\":\"10.0.0.1\",\"port\":80,\"fwmark\":null,\"scheduler\":\"sh\",\"sched_flags\":[\"sh-fallback\"],\"persistent\":true,\"timeout\":300,\"netmask\":\"255.255.255.0\",\"pe\":null,\"ops\":false,\"flags\":11,"), "{j}");
        assert!(j.contains("\"forward\":\"tunnel\""));
        assert!(j.contains("\"tunnel\":{\"type\":\"gue\",\"port\":6080,\"csum\":\"csum\"}"));
        assert!(j.contains("\"inbytes\":1099511627776"));
    }

    /// Addresses are glibc's text, as `-L -n` prints them, also where
    /// Rust's own formatting differs (IPv4-compatible IPv6 addresses).
    #[test]
    fn ipv6_addresses_as_the_listing_prints_them() {
        let v6 = |t: &str| raw_from_ip(t.parse().unwrap());
        let s = Service {
            af: AF_INET6,
            protocol: IPPROTO_TCP,
            addr: v6("::1.2.3.4"),
            port: 80,
            sched_name: "wlc".into(),
            ..Service::default()
        };
        let d = Dest {
            af: AF_INET6,
            addr: v6("::ffff:10.0.0.1"),
            port: 80,
            ..Dest::default()
        };
        let j = service(&s, std::slice::from_ref(&d));
        assert!(j.contains("\"address\":\"::1.2.3.4\""), "{j}");
        assert!(j.contains("\"address\":\"::ffff:10.0.0.1\""), "{j}");
        // The same text as the listing's `[addr]:port`.
        let listed = super::super::names::host_port(
            AF_INET6,
            &s.addr,
            80,
            IPPROTO_TCP,
            true,
            &super::super::names::NoNames,
        );
        assert_eq!(listed, b"[::1.2.3.4]:80");
        let data = b"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n\
UDP 0000:0000:0000:0000:0000:0000:0102:0304 0035 0000:0000:0000:0000:0000:0000:0000:0001 0035 0000:0000:0000:0000:0000:0000:0a00:0001 0035 UDP             299\n";
        let c = connections(data);
        assert!(
            c.contains("\"client\":{\"address\":\"::1.2.3.4\",\"port\":53}"),
            "{c}"
        );
        assert!(
            c.contains("\"virtual\":{\"address\":\"::1\",\"port\":53}"),
            "{c}"
        );
        assert!(
            c.contains("\"destination\":{\"address\":\"::10.0.0.1\",\"port\":53}"),
            "{c}"
        );
    }

    #[test]
    fn control_characters_keep_their_escapes() {
        assert_eq!(
            string("\u{8}\u{c}\u{1f}/\u{7f}é"),
            "\"\\u0008\\u000c\\u001f/\u{7f}é\""
        );
    }

    #[test]
    fn timeouts_and_daemons() {
        assert_eq!(
            timeouts(&Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300
            }),
            "{\"timeouts\":{\"tcp\":900,\"tcp_fin\":120,\"udp\":300}}\n"
        );
        let d = Daemon {
            state: DAEMON_MASTER,
            mcast_ifn: "eth0".into(),
            ..Daemon::default()
        };
        assert_eq!(daemons(&[d]), "{\"daemons\":[{\"state\":\"master\",\"mcast_interface\":\"eth0\",\"syncid\":0,\"sync_maxlen\":null,\"mcast_group\":null,\"mcast_port\":null,\"mcast_ttl\":null}]}\n");
    }
}
