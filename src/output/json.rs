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

use std::fmt::Write as _;

use crate::model::{
    Daemon, Dest, Forward, Info, Service, Stats, Timeouts, AF_INET6, DAEMON_MASTER, IPPROTO_SCTP,
    IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, TUN_GRE, TUN_GUE, TUN_IPIP,
};

/// A JSON string literal.
pub fn string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn family(af: u16) -> &'static str {
    if af == AF_INET6 {
        "inet6"
    } else {
        "inet"
    }
}

fn stats(s: &Stats) -> String {
    format!(
        "{{\"conns\":{},\"inpkts\":{},\"outpkts\":{},\"inbytes\":{},\"outbytes\":{}}}",
        s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes
    )
}

fn rate(s: &Stats) -> String {
    format!(
        "{{\"cps\":{},\"inpps\":{},\"outpps\":{},\"inbps\":{},\"outbps\":{}}}",
        s.cps, s.inpps, s.outpps, s.inbps, s.outbps
    )
}

fn sched_flags(s: &Service) -> String {
    let names = super::format::sched_flags(s);
    let v: Vec<String> = names
        .split(',')
        .filter(|n| !n.is_empty())
        .map(string)
        .collect();
    format!("[{}]", v.join(","))
}

/// One SERVER object.
pub fn server(d: &Dest) -> String {
    let forward = match d.fwd {
        Forward::Masq => string("masq"),
        Forward::Local => string("local"),
        Forward::Tunnel => string("tunnel"),
        Forward::Route => string("route"),
        Forward::Other(n) => n.to_string(),
    };
    let tunnel = if d.fwd == Forward::Tunnel {
        let t = match d.tun_type {
            TUN_IPIP => string("ipip"),
            TUN_GUE => string("gue"),
            TUN_GRE => string("gre"),
            n => n.to_string(),
        };
        let port = if d.tun_type == TUN_GUE {
            d.tun_port.to_string()
        } else {
            "null".into()
        };
        let csum = match d.tun_flags {
            0 => string("nocsum"),
            1 => string("csum"),
            2 => string("remcsum"),
            n => n.to_string(),
        };
        format!("{{\"type\":{t},\"port\":{port},\"csum\":{csum}}}")
    } else {
        "null".into()
    };
    format!(
        "{{\"family\":{},\"address\":{},\"port\":{},\"forward\":{forward},\"weight\":{},\
\"u_threshold\":{},\"l_threshold\":{},\"active_conns\":{},\"inactive_conns\":{},\
\"persistent_conns\":{},\"tunnel\":{tunnel},\"stats\":{},\"rate\":{}}}",
        string(family(d.af)),
        string(&d.ip().to_string()),
        d.port,
        d.weight as i32,
        d.u_threshold,
        d.l_threshold,
        d.active_conns,
        d.inact_conns,
        d.persist_conns,
        stats(&d.stats),
        rate(&d.stats)
    )
}

/// One SERVICE object with its servers.
pub fn service(s: &Service, dests: &[Dest]) -> String {
    let fw = s.fwmark != 0;
    let protocol = if fw {
        string("fwmark")
    } else {
        match s.protocol {
            IPPROTO_TCP => string("tcp"),
            IPPROTO_UDP => string("udp"),
            IPPROTO_SCTP => string("sctp"),
            n => n.to_string(),
        }
    };
    let (address, port, fwmark) = if fw {
        ("null".to_string(), "null".to_string(), s.fwmark.to_string())
    } else {
        (
            string(&s.ip().to_string()),
            s.port.to_string(),
            "null".into(),
        )
    };
    let persistent = s.is_persistent();
    let (timeout, netmask) = if persistent {
        let mask = if s.af == AF_INET6 {
            s.netmask.to_string()
        } else {
            string(&std::net::Ipv4Addr::from(s.netmask).to_string())
        };
        (s.timeout.to_string(), mask)
    } else {
        ("null".into(), "null".into())
    };
    let pe = if s.pe_name.is_empty() {
        "null".into()
    } else {
        string(&s.pe_name)
    };
    let servers: Vec<String> = dests.iter().map(server).collect();
    format!(
        "{{\"protocol\":{protocol},\"family\":{},\"address\":{address},\"port\":{port},\
\"fwmark\":{fwmark},\"scheduler\":{},\"sched_flags\":{},\"persistent\":{persistent},\
\"timeout\":{timeout},\"netmask\":{netmask},\"pe\":{pe},\"ops\":{},\"flags\":{},\
\"stats\":{},\"rate\":{},\"servers\":[{}]}}",
        string(family(s.af)),
        string(&s.sched_name),
        sched_flags(s),
        s.flags & SVC_F_ONEPACKET != 0,
        s.flags,
        stats(&s.stats),
        rate(&s.stats),
        servers.join(",")
    )
}

/// The whole table (`info` given) or one service (`info` None).
pub fn table(info: Option<&Info>, services: &[(Service, Vec<Dest>)]) -> String {
    let svcs: Vec<String> = services.iter().map(|(s, d)| service(s, d)).collect();
    match info {
        Some(i) => format!(
            "{{\"version\":{},\"conn_tab_size\":{},\"services\":[{}]}}\n",
            string(&format!(
                "{}.{}.{}",
                (i.version >> 16) & 0xff,
                (i.version >> 8) & 0xff,
                i.version & 0xff
            )),
            i.conn_tab_size,
            svcs.join(",")
        ),
        None => format!("{{\"services\":[{}]}}\n", svcs.join(",")),
    }
}

pub fn timeouts(t: &Timeouts) -> String {
    format!(
        "{{\"timeouts\":{{\"tcp\":{},\"tcp_fin\":{},\"udp\":{}}}}}\n",
        t.tcp, t.tcp_fin, t.udp
    )
}

pub fn daemons(ds: &[Daemon]) -> String {
    let opt = |v: u64| {
        if v == 0 {
            "null".to_string()
        } else {
            v.to_string()
        }
    };
    let v: Vec<String> = ds
        .iter()
        .map(|d| {
            format!(
                "{{\"state\":{},\"mcast_interface\":{},\"syncid\":{},\"sync_maxlen\":{},\
\"mcast_group\":{},\"mcast_port\":{},\"mcast_ttl\":{}}}",
                string(if d.state & DAEMON_MASTER != 0 {
                    "master"
                } else {
                    "backup"
                }),
                string(&d.mcast_ifn),
                d.syncid,
                opt(d.sync_maxlen.into()),
                d.mcast_group
                    .map(|g| string(&g.to_string()))
                    .unwrap_or_else(|| "null".into()),
                opt(d.mcast_port.into()),
                opt(d.mcast_ttl.into()),
            )
        })
        .collect();
    format!("{{\"daemons\":[{}]}}\n", v.join(","))
}

/// `-c` from the text of `/proc/net/ip_vs_conn` (header line first).
pub fn connections(data: &[u8]) -> String {
    use super::conn::{chunks, client_virtual, dest_addr, scan_line};
    use crate::model::ip_from_raw;
    let endpoint = |af: u16, raw: &crate::model::RawAddr, port: u16| {
        format!(
            "{{\"address\":{},\"port\":{port}}}",
            string(&ip_from_raw(af, raw).to_string())
        )
    };
    let text = |b: &[u8]| string(&String::from_utf8_lossy(b));
    let opt = |b: &[u8]| {
        if b.is_empty() {
            "null".to_string()
        } else {
            text(b)
        }
    };
    let mut rows = Vec::new();
    for line in chunks(data).into_iter().skip(1) {
        let f = scan_line(line);
        if f.count < 9 {
            continue;
        }
        let (af, c, v) = client_virtual(&f.caddr, &f.vaddr);
        let (daf, d) = dest_addr(&f.daddr);
        rows.push(format!(
            "{{\"protocol\":{},\"client\":{},\"virtual\":{},\"destination\":{},\"state\":{},\
\"expire\":{},\"pe_name\":{},\"pe_data\":{}}}",
            text(&f.protocol),
            endpoint(af, &c, f.cport),
            endpoint(af, &v, f.vport),
            endpoint(daf, &d, f.dport),
            text(&f.state),
            f.expires,
            opt(&f.pe_name),
            opt(&f.pe_data),
        ));
    }
    format!("{{\"connections\":[{}]}}\n", rows.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{raw_from_ip, SVC_F_PERSISTENT};

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
