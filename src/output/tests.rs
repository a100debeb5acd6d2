//! Listing tests on captured values: every example of the reference's §3
//! (banner, titles, views, `-S`, scaling, sorting, names, failures),
//! through the whole control flow with an in-memory kernel.

use std::net::IpAddr;
use std::path::Path;

use super::format::{self, View};
use super::names::{MapNames, NoNames, SystemNames};
use super::*;
use crate::kernel::mem::MemIpvs;
use crate::model::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn fam(a: IpAddr) -> u16 {
    if a.is_ipv4() {
        AF_INET
    } else {
        AF_INET6
    }
}

fn svc(proto: u16, addr: &str, port: u16, sched: &str) -> Service {
    let a = ip(addr);
    Service {
        af: fam(a),
        protocol: proto,
        addr: raw_from_ip(a),
        port,
        sched_name: sched.into(),
        netmask: if a.is_ipv4() { 0xffff_ffff } else { 128 },
        flags: SVC_F_HASHED,
        ..Service::default()
    }
}

fn fwm(mark: u32, v6: bool, sched: &str) -> Service {
    Service {
        af: if v6 { AF_INET6 } else { AF_INET },
        fwmark: mark,
        sched_name: sched.into(),
        netmask: if v6 { 128 } else { 0xffff_ffff },
        flags: SVC_F_HASHED,
        ..Service::default()
    }
}

fn persistent(mut s: Service, timeout: u32) -> Service {
    s.flags |= SVC_F_PERSISTENT;
    s.timeout = timeout;
    s
}

fn dest(addr: &str, port: u16, fwd: Forward, weight: u32) -> Dest {
    let a = ip(addr);
    Dest {
        af: fam(a),
        addr: raw_from_ip(a),
        port,
        fwd,
        weight,
        ..Dest::default()
    }
}

fn tun(mut d: Dest, ty: u8, port: u16, flags: u16) -> Dest {
    d.fwd = Forward::Tunnel;
    d.tun_type = ty;
    d.tun_port = port;
    d.tun_flags = flags;
    d
}

fn env<'a>(names: &'a dyn names::Names) -> Env<'a> {
    Env {
        names,
        conn_path: Path::new("/nonexistent/ip_vs_conn"),
        info: None,
    }
}

fn run_list(
    k: &mut MemIpvs,
    names: &dyn names::Names,
    svc: Option<&Service>,
    o: ListOpts,
) -> (String, Option<ListError>, Op) {
    let mut out = Vec::new();
    let mut op = Op::Init;
    let r = list_in(&env(names), &mut out, k, svc, &o, &mut op);
    (String::from_utf8(out).unwrap(), r.err(), op)
}

fn run_save(k: &mut MemIpvs, numeric: bool) -> String {
    let mut out = Vec::new();
    let mut op = Op::Init;
    save_in(&env(&MapNames::debian()), &mut out, k, numeric, &mut op).unwrap();
    String::from_utf8(out).unwrap()
}

fn numeric() -> ListOpts {
    ListOpts {
        numeric: true,
        ..ListOpts::default()
    }
}

/// The table behind the reference's `-S -n` excerpt (§3.9), in that
/// order.
fn save_table() -> MemIpvs {
    let mut s0 = persistent(svc(IPPROTO_TCP, "10.0.0.1", 0, "sh"), 600);
    s0.netmask = 0xffff_ff00;
    s0.flags |= SVC_F_SCHED1 | SVC_F_SCHED2;
    let mut udp = svc(IPPROTO_UDP, "10.0.0.2", 53, "mh");
    udp.flags |= SVC_F_ONEPACKET | SVC_F_SCHED2;
    let mut sctp = persistent(svc(IPPROTO_SCTP, "10.0.0.3", 9999, "nq"), 30);
    sctp.pe_name = "sip".into();
    let mut f2 = persistent(fwm(2, true, "lc"), 100);
    f2.netmask = 64;
    MemIpvs {
        services: vec![
            (s0, vec![]),
            (
                svc(IPPROTO_TCP, "10.0.0.1", 80, "wlc"),
                vec![
                    dest("192.168.1.1", 8080, Forward::Masq, 5),
                    dest("192.168.1.2", 80, Forward::Route, 0),
                    tun(dest("192.168.1.3", 80, Forward::Tunnel, 1), TUN_IPIP, 0, 0),
                    tun(
                        dest("192.168.1.4", 80, Forward::Tunnel, 1),
                        TUN_GUE,
                        6080,
                        TUN_F_CSUM,
                    ),
                    tun(
                        dest("192.168.1.5", 80, Forward::Tunnel, 1),
                        TUN_GRE,
                        0,
                        TUN_F_NOCSUM,
                    ),
                    tun(dest("2001:db8::9", 80, Forward::Tunnel, 1), TUN_IPIP, 0, 0),
                ],
            ),
            (
                persistent(svc(IPPROTO_TCP, "10.0.0.1", 443, "rr"), 360),
                vec![],
            ),
            (udp, vec![]),
            (sctp, vec![]),
            (
                svc(IPPROTO_TCP, "2001:db8::1", 80, "rr"),
                vec![dest("2001:db8::a", 8080, Forward::Masq, 1)],
            ),
            (
                fwm(1, false, "wrr"),
                vec![dest("192.168.2.1", 0, Forward::Route, 3)],
            ),
            (f2, vec![dest("2001:db8::b", 0, Forward::Masq, 1)]),
        ],
        ..MemIpvs::default()
    }
}

const SAVE_EXCERPT: &str = "\
-A -t 10.0.0.1:0 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port
-A -t 10.0.0.1:80 -s wlc
-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 5
-a -t 10.0.0.1:80 -r 192.168.1.2:80 -g -w 0
-a -t 10.0.0.1:80 -r 192.168.1.3:80 -i -w 1 --tun-type ipip
-a -t 10.0.0.1:80 -r 192.168.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-a -t 10.0.0.1:80 -r 192.168.1.5:80 -i -w 1 --tun-type gre --tun-nocsum
-a -t 10.0.0.1:80 -r [2001:db8::9]:80 -i -w 1 --tun-type ipip
-A -t 10.0.0.1:443 -s rr -p 360
-A -u 10.0.0.2:53 -s mh -o -b mh-port
-A --sctp-service 10.0.0.3:9999 -s nq -p 30 --pe sip
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r [2001:db8::a]:8080 -m -w 1
-A -f 1 -s wrr
-a -f 1 -r 192.168.2.1:0 -g -w 3
-A -f 2 -6 -s lc -p 100 -M 64
-a -f 2 -6 -r [2001:db8::b]:0 -m -w 1
";

#[test]
fn save_excerpt() {
    assert_eq!(run_save(&mut save_table(), true), SAVE_EXCERPT);
}

#[test]
fn save_sorts_reversed_input() {
    let mut k = save_table();
    k.services.reverse();
    for (_, d) in k.services.iter_mut() {
        d.reverse();
    }
    assert_eq!(run_save(&mut k, true), SAVE_EXCERPT);
}

#[test]
fn save_with_names() {
    let mut k = MemIpvs {
        services: vec![(
            svc(IPPROTO_TCP, "127.0.0.1", 80, "dh"),
            vec![dest("127.0.0.1", 80, Forward::Masq, 1)],
        )],
        ..MemIpvs::default()
    };
    assert_eq!(
        run_save(&mut k, false),
        "-A -t localhost:http -s dh\n-a -t localhost:http -r localhost:http -m -w 1\n"
    );
}

/// The table behind the reference's plain listing without `-n` (§3.10).
fn plain_table() -> MemIpvs {
    let mut k = save_table();
    // 10.0.0.1:80 has four destinations in that example
    if let Some((_, d)) = k.services.get_mut(1) {
        d.retain(|d| d.port != 80 || d.tun_type == TUN_IPIP || d.fwd != Forward::Tunnel);
    }
    k.services.push((
        svc(IPPROTO_TCP, "127.0.0.1", 80, "dh"),
        vec![dest("127.0.0.1", 80, Forward::Masq, 1)],
    ));
    if let Some((_, d)) = k.services.get_mut(3) {
        d.push(dest("192.168.3.1", 5353, Forward::Masq, 1));
    }
    k
}

const PLAIN_NAMED: &str = "\
IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:0 sh (sh-fallback,sh-port) persistent 600 mask 255.255.255.0
TCP  10.0.0.1:http wlc
  -> 192.168.1.1:http-alt         Masq    5      0          0         
  -> 192.168.1.2:http             Route   0      0          0         
  -> 192.168.1.3:http             Tunnel  1      0          0         
  -> [2001:db8::9]:http           Tunnel  1      0          0         
TCP  10.0.0.1:https rr persistent 360
TCP  localhost:http dh
  -> localhost:http               Masq    1      0          0         
UDP  10.0.0.2:domain mh (mh-port) ops
  -> 192.168.3.1:mdns             Masq    1      0          0         
SCTP 10.0.0.3:9999 nq persistent 30 pe sip
TCP  [2001:db8::1]:http rr
  -> [2001:db8::a]:http-alt       Masq    1      0          0         
FWM  1 wrr
  -> 192.168.2.1:0                Route   3      0          0         
FWM  2 IPv6 lc persistent 100 mask 64
  -> [2001:db8::b]:0              Masq    1      0          0         
";

#[test]
fn plain_listing_with_names() {
    let mut k = plain_table();
    let (out, err, op) = run_list(&mut k, &MapNames::debian(), None, ListOpts::default());
    assert!(err.is_none());
    assert_eq!(out, PLAIN_NAMED);
    assert_eq!(op, Op::GetDests);
}

#[test]
fn nosort_keeps_kernel_order() {
    let mut k = plain_table();
    let o = ListOpts {
        nosort: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut k, &NoNames, None, o);
    let svcs: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with(' '))
        .skip(2)
        .collect();
    assert_eq!(svcs.last(), Some(&"TCP  127.0.0.1:80 dh"));
    assert!(out.contains(
        "  -> 192.168.1.3:80               Tunnel  1      0          0         \n  -> [2001:db8::9]:80             Tunnel  1      0          0         \n"
    ));
}

fn stats_table() -> MemIpvs {
    let mut s = svc(IPPROTO_TCP, "10.0.0.1", 80, "wlc");
    s.stats = Stats {
        conns: 99_999_999,
        inpkts: 100_000_000,
        outpkts: 999_999_999,
        inbytes: 1_000_000_000,
        outbytes: 99_999_999_999,
        cps: 100_000_000_000,
        inpps: 99_999_999_999_999,
        outpps: 100_000_000_000_000,
        inbps: u64::MAX,
        outbps: 12345,
    };
    let mut d1 = dest("192.168.1.1", 8080, Forward::Masq, 1);
    d1.stats = Stats {
        conns: 1,
        inpkts: 22,
        outpkts: 333,
        inbytes: 4444,
        outbytes: 55555,
        cps: 666_666,
        inpps: 7_777_777,
        outpps: 88_888_888,
        inbps: 999_999_999,
        outbps: 1_234_567_890_123,
    };
    let mut d2 = dest("192.168.1.2", 80, Forward::Route, 1);
    d2.stats = Stats {
        conns: 123_456_789,
        cps: 4_294_967_295,
        inpps: 4_294_967_296,
        ..Stats::default()
    };
    MemIpvs {
        services: vec![(s, vec![d1, d2])],
        ..MemIpvs::default()
    }
}

#[test]
fn stats_view() {
    let o = ListOpts {
        stats: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, err, _) = run_list(&mut stats_table(), &NoNames, None, o);
    assert!(err.is_none());
    assert_eq!(
        out,
        "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.0.0.1:80                  99999999  100000K  999999K    1000M   99999M
  -> 192.168.1.1:8080                    1       22      333     4444    55555
  -> 192.168.1.2:80                123456K        0        0        0        0
"
    );
}

#[test]
fn stats_exact_row() {
    let o = ListOpts {
        stats: true,
        exact: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut stats_table(), &NoNames, None, o);
    assert!(out.contains(
        "\nTCP  10.0.0.1:80                  99999999 100000000 999999999 1000000000 99999999999\n"
    ));
}

#[test]
fn rate_view() {
    let o = ListOpts {
        rate: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut stats_table(), &NoNames, None, o);
    assert_eq!(
        out,
        "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
  -> RemoteAddress:Port
TCP  10.0.0.1:80                      100G   99999G     100T18446744T    12345
  -> 192.168.1.1:8080               666666  7777777 88888888  999999K    1912M
  -> 192.168.1.2:80               4294967295        0        0        0        0
"
    );
    let o = ListOpts {
        rate: true,
        exact: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut stats_table(), &NoNames, None, o);
    assert!(out.contains(
        "  -> 192.168.1.1:8080               666666  7777777 88888888 999999999 1912276171\n"
    ));
}

#[test]
fn title_precedence() {
    let all = ListOpts {
        stats: true,
        rate: true,
        thresholds: true,
        persistent_conn: true,
        tun_info: true,
        ..ListOpts::default()
    };
    assert_eq!(View::from_opts(&all), View::Stats);
    let o = ListOpts {
        thresholds: true,
        persistent_conn: true,
        tun_info: true,
        ..ListOpts::default()
    };
    assert_eq!(View::from_opts(&o), View::Thresholds);
    assert_eq!(
        format::title(View::Thresholds),
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n"
    );
    assert_eq!(
        format::title(View::PersistentConn),
        "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n"
    );
    assert_eq!(
        format::title(View::TunInfo),
        "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
    );
}

#[test]
fn thresholds_persistent_tuninfo_rows() {
    let mut d = dest("192.168.1.1", 80, Forward::Masq, 7);
    d.u_threshold = 100;
    d.l_threshold = 10;
    d.active_conns = 3;
    d.inact_conns = 4;
    d.persist_conns = 5;
    let n = b"192.168.1.1:80";
    assert_eq!(
        format::dest_line(b"", n, &d, View::Thresholds, false),
        b"  -> 192.168.1.1:80               100        10         3          4         \n".to_vec()
    );
    assert_eq!(
        format::dest_line(b"", n, &d, View::PersistentConn, false),
        b"  -> 192.168.1.1:80               7         5           3          4         \n".to_vec()
    );
    assert_eq!(
        format::dest_line(b"", n, &d, View::TunInfo, false),
        b"  -> 192.168.1.1:80               Masq    n/a           7      3          4         \n"
            .to_vec()
    );
    let g = tun(d.clone(), TUN_GUE, 6080, TUN_F_CSUM);
    assert_eq!(
        format::dest_line(b"", n, &g, View::TunInfo, false),
        b"  -> 192.168.1.1:80               Tunnel  gue:6080:+c   7      3          4         \n"
            .to_vec()
    );
    let g = tun(d.clone(), TUN_GRE, 0, TUN_F_NOCSUM);
    assert_eq!(format::tun_info(&g), "gre:-c");
    let g = tun(d.clone(), TUN_GRE, 0, TUN_F_REMCSUM);
    assert_eq!(format::tun_info(&g), "gre:r+c");
    let g = tun(d.clone(), TUN_IPIP, 0, 0);
    assert_eq!(format::tun_info(&g), "ipip");
    let g = tun(d, 7, 0, 0);
    assert_eq!(format::tun_info(&g), "n/a");
}

#[test]
fn weight_overflows_column() {
    let d = dest("192.168.1.1", 80, Forward::Route, 2147483647);
    let l = format::dest_line(b"", b"192.168.1.1:80", &d, View::Plain, false);
    assert!(l.ends_with(b"Route   2147483647 0          0         \n"));
    let d = dest("192.168.1.1", 80, Forward::Route, u32::MAX);
    let l = format::dest_line(b"", b"192.168.1.1:80", &d, View::Plain, false);
    assert!(l.ends_with(b"Route   -1     0          0         \n"));
    assert!(format::dest_line(b"-f 1", b"x:0", &d, View::Rule, false).ends_with(b"-g -w -1\n"));
}

#[test]
fn unknown_forwarding_prints_null() {
    let d = dest("192.168.1.1", 80, Forward::Other(4), 1);
    assert_eq!(
        format::dest_line(b"", b"192.168.1.1:80", &d, View::Plain, false),
        b"  -> 192.168.1.1:80               (null)  1      0          0         \n".to_vec()
    );
    assert_eq!(
        format::dest_line(b"-t 10.0.0.1:80", b"192.168.1.1:80", &d, View::Rule, false),
        b"-a -t 10.0.0.1:80 -r 192.168.1.1:80 (null) -w 1\n".to_vec()
    );
    let local = dest("127.0.0.1", 80, Forward::Local, 1);
    assert_eq!(format::fwd_name(&local), "Local");
    assert_eq!(format::fwd_switch(&local), "-g");
}

#[test]
fn empty_flag_list_edge_case() {
    let mut s = svc(IPPROTO_TCP, "10.0.0.1", 80, "sh");
    s.flags |= SVC_F_SCHED3;
    let name = format::service_name(&s, b"10.0.0.1:80", false);
    assert_eq!(
        format::service_line(&s, &name, View::Plain, false),
        b"TCP  10.0.0.1:80 sh ()\n".to_vec()
    );
    let rname = format::service_name(&s, b"10.0.0.1:80", true);
    assert_eq!(
        format::service_line(&s, &rname, View::Rule, false),
        b"-A -t 10.0.0.1:80 -s sh -b \n".to_vec()
    );
    let mut s = svc(IPPROTO_TCP, "10.0.0.1", 80, "wrr");
    s.flags |= SVC_F_SCHED_MASK;
    assert_eq!(format::sched_flags(&s), "flag-1,flag-2,flag-3");
}

#[test]
fn pe_only_when_persistent_in_listings() {
    let mut s = svc(IPPROTO_UDP, "10.0.0.1", 5060, "rr");
    s.pe_name = "sip".into();
    let name = format::service_name(&s, b"10.0.0.1:5060", false);
    assert_eq!(
        format::service_line(&s, &name, View::Plain, false),
        b"UDP  10.0.0.1:5060 rr\n".to_vec()
    );
    let rname = format::service_name(&s, b"10.0.0.1:5060", true);
    assert_eq!(
        format::service_line(&s, &rname, View::Rule, false),
        b"-A -u 10.0.0.1:5060 -s rr --pe sip\n".to_vec()
    );
}

#[test]
fn name_cuts() {
    // IPv4: 33 bytes for the service, 28 for destinations
    let s = svc(IPPROTO_TCP, "10.0.0.1", 80, "rr");
    let long = b"a-rather-long-host-name.example.org:http";
    let n = format::service_name(&s, long, false);
    assert_eq!(n, b"TCP  a-rather-long-host-name.exam".to_vec());
    assert_eq!(n.len(), 33);
    assert_eq!(format::service_name(&s, long, true).len(), 3 + long.len());
    let d = dest("10.0.0.2", 80, Forward::Masq, 1);
    assert_eq!(format::dest_name(&d, long, View::Plain).len(), 28);
    assert_eq!(format::dest_name(&d, long, View::Rule).len(), long.len());
    // IPv6 names overflow the 33 column
    let s6 = svc(
        IPPROTO_TCP,
        "2001:db8:1234:5678:9abc:def0:1234:5678",
        65535,
        "rr",
    );
    let mut k = MemIpvs {
        services: vec![(
            s6,
            vec![dest(
                "2001:db8:1234:5678:9abc:def0:1234:9999",
                65535,
                Forward::Masq,
                1,
            )],
        )],
        ..MemIpvs::default()
    };
    let o = ListOpts {
        stats: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut k, &NoNames, None, o);
    assert!(out.contains(
        "\nTCP  [2001:db8:1234:5678:9abc:def0:1234:5678]:65535        0        0        0        0        0\n  -> [2001:db8:1234:5678:9abc:def0:1234:9999]:65535        0        0        0        0        0\n"
    ));
}

#[test]
fn fwmark_names_and_signedness() {
    let s = fwm(4294967295, false, "rr");
    assert_eq!(format::service_name(&s, b"", false), b"FWM  -1".to_vec());
    assert_eq!(format::service_name(&s, b"", true), b"-f -1".to_vec());
    let s = fwm(7, true, "rr");
    assert_eq!(
        format::service_name(&s, b"", false),
        b"FWM  7 IPv6".to_vec()
    );
    assert_eq!(format::service_name(&s, b"", true), b"-f 7 -6".to_vec());
    let mut s = svc(132, "10.0.0.3", 1, "rr");
    assert_eq!(
        format::service_name(&s, b"10.0.0.3:1", false),
        b"SCTP 10.0.0.3:1".to_vec()
    );
    s.protocol = 99;
    assert_eq!(
        format::service_name(&s, b"10.0.0.3:1", false),
        b"?    10.0.0.3:1".to_vec()
    );
    assert_eq!(
        format::service_name(&s, b"10.0.0.3:1", true),
        b"--xxx-service 10.0.0.3:1".to_vec()
    );
}

#[test]
fn fwmark_destination_ports_never_named() {
    let mut k = MemIpvs {
        services: vec![(
            fwm(1, false, "wrr"),
            vec![dest("127.0.0.1", 80, Forward::Route, 1)],
        )],
        ..MemIpvs::default()
    };
    let (out, _, _) = run_list(&mut k, &MapNames::debian(), None, ListOpts::default());
    assert!(out.contains(
        "FWM  1 wrr\n  -> localhost:80                 Route   1      0          0         \n"
    ));
}

#[test]
fn scaling() {
    assert_eq!(format::scale(0, false), "        0");
    assert_eq!(format::scale(99_999_999, false), " 99999999");
    assert_eq!(format::scale(100_000_000, false), "  100000K");
    assert_eq!(format::scale(999_999_999, false), "  999999K");
    assert_eq!(format::scale(1_000_000_000, false), "    1000M");
    assert_eq!(format::scale(1_912_276_171, false), "    1912M");
    assert_eq!(format::scale(99_999_999_999, false), "   99999M");
    assert_eq!(format::scale(100_000_000_000, false), "     100G");
    assert_eq!(format::scale(99_999_999_999_999, false), "   99999G");
    assert_eq!(format::scale(100_000_000_000_000, false), "     100T");
    assert_eq!(format::scale(u64::MAX, false), "18446744T");
    assert_eq!(format::scale(5, true), "        5");
    assert_eq!(format::scale(12_345_678, true), " 12345678");
    assert_eq!(format::scale(123_456_789, true), " 123456789");
    assert_eq!(format::scale(u64::MAX, true), " 18446744073709551615");
}

#[test]
fn destination_counters_truncated() {
    let s = Stats {
        conns: (1 << 32) + 5,
        inpkts: 1 << 32,
        outpkts: u64::MAX,
        inbytes: 1 << 40,
        outbytes: (1 << 40) + 1,
        cps: 1 << 33,
        inpps: 4_294_967_296,
        outpps: 1,
        inbps: 1_234_567_890_123,
        outbps: 7,
    };
    let t = format::dest_stats(&s);
    assert_eq!(
        (t.conns, t.inpkts, t.outpkts, t.inbytes, t.outbytes),
        (5, 0, 4_294_967_295, 1 << 40, (1 << 40) + 1)
    );
    assert_eq!(
        (t.cps, t.inpps, t.outpps, t.inbps, t.outbps),
        (0, 0, 1, 1_912_276_171, 7)
    );
}

#[test]
fn banner_and_lines() {
    assert_eq!(
        format::banner(&Info {
            version: 0x010201,
            conn_tab_size: 4096
        }),
        "IP Virtual Server version 1.2.1 (size=4096)\n"
    );
    assert_eq!(
        format::timeout_line(&Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        }),
        "Timeout (tcp tcpfin udp): 900 120 300\n"
    );
    let ds = vec![
        Daemon {
            state: DAEMON_MASTER,
            mcast_ifn: "eth0".into(),
            syncid: 0,
            sync_maxlen: 1472,
            mcast_group: Some(ip("224.0.0.81")),
            mcast_port: 8848,
            mcast_ttl: 1,
        },
        Daemon {
            state: DAEMON_BACKUP,
            mcast_ifn: "eth1".into(),
            syncid: 5,
            sync_maxlen: 1400,
            mcast_group: Some(ip("ff02::1")),
            mcast_port: 9999,
            mcast_ttl: 3,
        },
    ];
    assert_eq!(
        format::daemon_lines(&ds),
        "master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\nbackup sync daemon (mcast=eth1, syncid=5, maxlen=1400, group=ff02::1, port=9999, ttl=3)\n"
    );
    let bare = vec![
        Daemon::default(),
        Daemon {
            state: DAEMON_BACKUP,
            mcast_ifn: "d0".into(),
            ..Daemon::default()
        },
    ];
    assert_eq!(
        format::daemon_lines(&bare),
        "backup sync daemon (mcast=d0, syncid=0)\n"
    );
}

#[test]
fn timeout_and_daemon_views() {
    let mut k = MemIpvs::default();
    let o = ListOpts {
        timeout: true,
        ..ListOpts::default()
    };
    let (out, err, op) = run_list(&mut k, &NoNames, None, o);
    assert_eq!(out, "Timeout (tcp tcpfin udp): 900 120 300\n");
    assert!(err.is_none());
    assert_eq!(op, Op::GetTimeout);
    k.fail_timeouts = Some(libc::EINVAL);
    let (out, err, _) = run_list(&mut k, &NoNames, None, o);
    assert_eq!(out, "");
    let err = err.unwrap();
    assert_eq!((err.code(), err.message()), (1, None));

    let o = ListOpts {
        daemon: true,
        numeric: true,
        ..ListOpts::default()
    };
    let (out, err, op) = run_list(&mut k, &NoNames, None, o);
    assert_eq!((out.as_str(), err.is_none(), op), ("", true, Op::GetDaemon));
    k.fail_daemons = Some(libc::EPERM);
    let (_, err, _) = run_list(&mut k, &NoNames, None, o);
    let err = err.unwrap();
    assert_eq!((err.code(), err.message()), (1, None));
}

#[test]
fn one_service() {
    let mut k = plain_table();
    let want = svc(IPPROTO_UDP, "10.0.0.2", 53, "");
    let (out, err, op) = run_list(&mut k, &NoNames, Some(&want), numeric());
    assert!(err.is_none());
    assert_eq!(op, Op::GetDests);
    assert_eq!(
        out,
        "Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
UDP  10.0.0.2:53 mh (mh-port) ops
  -> 192.168.3.1:5353             Masq    1      0          0         
"
    );
    let missing = svc(IPPROTO_UDP, "10.0.0.9", 53, "");
    let (out, err, op) = run_list(&mut k, &NoNames, Some(&missing), numeric());
    assert_eq!(out, "");
    assert_eq!(op, Op::GetService);
    let err = err.unwrap();
    assert_eq!(
        (err.code(), err.message().unwrap().as_str()),
        (1, "No such service")
    );
}

#[test]
fn services_dump_failure_after_banner() {
    let mut k = plain_table();
    k.fail_services = Some(libc::ESRCH);
    let (out, err, op) = run_list(&mut k, &NoNames, None, numeric());
    assert_eq!(out, "IP Virtual Server version 1.2.1 (size=4096)\n");
    // the dump leaves the marker alone: generic text / strerror
    assert_eq!(op, Op::Init);
    let err = err.unwrap();
    assert_eq!(
        (err.code(), err.message().unwrap().as_str()),
        (1, "No such process")
    );
}

#[test]
fn dests_failure_stops_before_that_service() {
    let mut k = plain_table();
    k.fail_dests_at = Some((2, libc::ESRCH));
    let (out, err, op) = run_list(&mut k, &NoNames, None, numeric());
    assert_eq!(
        out,
        "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:0 sh (sh-fallback,sh-port) persistent 600 mask 255.255.255.0
TCP  10.0.0.1:80 wlc
  -> 192.168.1.1:8080             Masq    5      0          0         
  -> 192.168.1.2:80               Route   0      0          0         
  -> 192.168.1.3:80               Tunnel  1      0          0         
  -> [2001:db8::9]:80             Tunnel  1      0          0         
"
    );
    assert_eq!(op, Op::GetDests);
    let err = err.unwrap();
    assert_eq!(
        (err.code(), err.message().unwrap().as_str()),
        (1, "No such service")
    );
}

#[test]
fn cached_info_is_used() {
    let mut k = MemIpvs {
        fail_info: Some(libc::EINVAL),
        ..MemIpvs::default()
    };
    let names = NoNames;
    let e = Env {
        names: &names,
        conn_path: Path::new("/nonexistent"),
        info: Some(Info {
            version: 0x010201,
            conn_tab_size: 1024,
        }),
    };
    let mut out = Vec::new();
    let mut op = Op::Init;
    list_in(&e, &mut out, &mut k, None, &numeric(), &mut op).unwrap();
    assert!(out.starts_with(b"IP Virtual Server version 1.2.1 (size=1024)\n"));
    // without a cached answer the failing query is reported
    let (_, err, _) = run_list(&mut k, &NoNames, None, numeric());
    assert_eq!(err.unwrap().code(), 1);
}

#[test]
fn connection_option_wins() {
    let mut k = MemIpvs::default();
    let o = ListOpts {
        connection: true,
        timeout: true,
        ..ListOpts::default()
    };
    let s = svc(IPPROTO_TCP, "10.0.0.1", 80, "");
    let (out, err, op) = run_list(&mut k, &NoNames, Some(&s), o);
    assert_eq!(out, "");
    assert_eq!(op, Op::Init);
    let err = err.unwrap();
    assert_eq!(
        (err.code(), err.message().unwrap().as_str()),
        (1, "cannot open file /nonexistent/ip_vs_conn")
    );
}

#[test]
fn empty_table() {
    let mut k = MemIpvs::default();
    let (out, err, _) = run_list(&mut k, &NoNames, None, numeric());
    assert!(err.is_none());
    assert_eq!(
        out,
        "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
    );
    assert_eq!(run_save(&mut k, true), "");
}

/// A writer that fails after `left` bytes.
struct Closed {
    left: usize,
}

impl std::io::Write for Closed {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        }
        let n = b.len().min(self.left);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn broken_pipe_is_quiet() {
    let mut k = plain_table();
    let mut w = Closed { left: 50 };
    let mut op = Op::Init;
    let err = list_in(&env(&NoNames), &mut w, &mut k, None, &numeric(), &mut op).unwrap_err();
    assert!(err.is_broken_pipe());
    assert_eq!((err.code(), err.message()), (0, None));
}

/// Random tables never make the formatters panic.
#[test]
fn random_tables_no_panic() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..300 {
        let mut table = Vec::new();
        for _ in 0..(rnd() % 6) {
            let mut s = Service {
                af: [AF_INET, AF_INET6, 0, 7][(rnd() % 4) as usize],
                protocol: (rnd() % 140) as u16,
                fwmark: if rnd() % 3 == 0 { rnd() as u32 } else { 0 },
                port: rnd() as u16,
                flags: rnd() as u32,
                netmask: rnd() as u32,
                timeout: rnd() as u32,
                sched_name: ["sh", "mh", "rr", ""][(rnd() % 4) as usize].into(),
                pe_name: if rnd() % 2 == 0 {
                    "sip".into()
                } else {
                    String::new()
                },
                ..Service::default()
            };
            for b in s.addr.iter_mut() {
                *b = rnd() as u8;
            }
            s.stats.conns = rnd();
            s.stats.outbps = rnd();
            let mut ds = Vec::new();
            for _ in 0..(rnd() % 5) {
                let mut d = Dest {
                    af: [AF_INET, AF_INET6, 3][(rnd() % 3) as usize],
                    port: rnd() as u16,
                    fwd: Forward::from_u32((rnd() % 9) as u32),
                    weight: rnd() as u32,
                    tun_type: (rnd() % 5) as u8,
                    tun_port: rnd() as u16,
                    tun_flags: (rnd() % 5) as u16,
                    ..Dest::default()
                };
                for b in d.addr.iter_mut() {
                    *b = rnd() as u8;
                }
                d.stats.inbps = rnd();
                ds.push(d);
            }
            table.push((s, ds));
        }
        let mut k = MemIpvs {
            services: table,
            ..MemIpvs::default()
        };
        for o in [
            ListOpts::default(),
            ListOpts {
                stats: true,
                ..ListOpts::default()
            },
            ListOpts {
                rate: true,
                exact: true,
                ..ListOpts::default()
            },
            ListOpts {
                thresholds: true,
                numeric: true,
                ..ListOpts::default()
            },
            ListOpts {
                persistent_conn: true,
                ..ListOpts::default()
            },
            ListOpts {
                tun_info: true,
                nosort: true,
                ..ListOpts::default()
            },
        ] {
            let _ = run_list(&mut k, &MapNames::debian(), None, o);
        }
        let _ = run_save(&mut k, rnd() % 2 == 0);
    }
}

/// The table of the first guest observation (real kernel, real ipvsadm),
/// in the kernel's `--nosort` order.
fn guest_table() -> MemIpvs {
    let mut sh = persistent(svc(IPPROTO_TCP, "127.0.0.1", 443, "sh"), 360);
    sh.flags |= SVC_F_SCHED2;
    let mut mh = persistent(svc(IPPROTO_UDP, "10.0.0.2", 53, "mh"), 100);
    mh.flags |= SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_ONEPACKET;
    mh.netmask = 0xffff_0000;
    mh.pe_name = "sip".into();
    let mut f2 = persistent(fwm(2, true, "lc"), 100);
    f2.netmask = 64;
    let mut d2 = dest("127.0.0.2", 80, Forward::Route, 1);
    d2.u_threshold = 10;
    d2.l_threshold = 5;
    MemIpvs {
        services: vec![
            (
                svc(IPPROTO_TCP, "10.0.0.1", 80, "rr"),
                vec![
                    tun(dest("127.0.0.4", 80, Forward::Tunnel, 1), TUN_GRE, 0, 0),
                    tun(dest("127.0.0.3", 80, Forward::Tunnel, 1), TUN_GUE, 6080, 1),
                    d2,
                    dest("127.0.0.1", 80, Forward::Masq, 1),
                ],
            ),
            (mh, vec![]),
            (
                svc(IPPROTO_TCP, "2001:db8::1", 80, "rr"),
                vec![dest("::1", 8080, Forward::Masq, 1)],
            ),
            (svc(IPPROTO_SCTP, "10.0.0.3", 9999, "nq"), vec![]),
            (sh, vec![]),
            (
                fwm(1, false, "wrr"),
                vec![dest("127.0.0.1", 80, Forward::Route, 1)],
            ),
            (f2, vec![dest("::1", 0, Forward::Masq, 1)]),
        ],
        ..MemIpvs::default()
    }
}

/// Captured from Debian's ipvsadm on the guest kernel (`-L` without `-n`,
/// the host's /etc/hosts has no `::1` entry; MapNames stands in for it).
#[test]
fn guest_plain_named() {
    let names = MapNames {
        hosts: vec![(ip("127.0.0.1"), "localhost")],
        services: MapNames::debian().services,
    };
    let (out, err, _) = run_list(&mut guest_table(), &names, None, ListOpts::default());
    assert!(err.is_none());
    assert_eq!(
        out,
        "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:http rr
  -> localhost:http               Masq    1      0          0         
  -> 127.0.0.2:http               Route   1      0          0         
  -> 127.0.0.3:http               Tunnel  1      0          0         
  -> 127.0.0.4:http               Tunnel  1      0          0         
TCP  localhost:https sh (sh-port) persistent 360
UDP  10.0.0.2:domain mh (mh-fallback,mh-port) persistent 100 mask 255.255.0.0 pe sip ops
SCTP 10.0.0.3:9999 nq
TCP  [2001:db8::1]:http rr
  -> [::1]:http-alt               Masq    1      0          0         
FWM  1 wrr
  -> localhost:80                 Route   1      0          0         
FWM  2 IPv6 lc persistent 100 mask 64
  -> [::1]:0                      Masq    1      0          0         
"
    );
}

#[test]
fn guest_nosort_and_views() {
    let o = ListOpts {
        numeric: true,
        nosort: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut guest_table(), &NoNames, None, o);
    assert_eq!(
        out,
        "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:80 rr
  -> 127.0.0.4:80                 Tunnel  1      0          0         
  -> 127.0.0.3:80                 Tunnel  1      0          0         
  -> 127.0.0.2:80                 Route   1      0          0         
  -> 127.0.0.1:80                 Masq    1      0          0         
UDP  10.0.0.2:53 mh (mh-fallback,mh-port) persistent 100 mask 255.255.0.0 pe sip ops
TCP  [2001:db8::1]:80 rr
  -> [::1]:8080                   Masq    1      0          0         
SCTP 10.0.0.3:9999 nq
TCP  127.0.0.1:443 sh (sh-port) persistent 360
FWM  1 wrr
  -> 127.0.0.1:80                 Route   1      0          0         
FWM  2 IPv6 lc persistent 100 mask 64
  -> [::1]:0                      Masq    1      0          0         
"
    );
    let o = ListOpts {
        numeric: true,
        tun_info: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut guest_table(), &NoNames, None, o);
    assert!(out.contains(
        "TCP  10.0.0.1:80 rr
  -> 127.0.0.1:80                 Masq    n/a           1      0          0         
  -> 127.0.0.2:80                 Route   n/a           1      0          0         
  -> 127.0.0.3:80                 Tunnel  gue:6080:+c   1      0          0         
  -> 127.0.0.4:80                 Tunnel  gre:-c        1      0          0         
"
    ));
    let o = ListOpts {
        numeric: true,
        thresholds: true,
        ..ListOpts::default()
    };
    let (out, _, _) = run_list(&mut guest_table(), &NoNames, None, o);
    assert!(out.contains(
        "  -> 127.0.0.2:80                 10         5          0          0         \n"
    ));
    let mut names_out = Vec::new();
    let mut op = Op::Init;
    let names = MapNames {
        hosts: vec![(ip("127.0.0.1"), "localhost")],
        services: MapNames::debian().services,
    };
    save_in(
        &env(&names),
        &mut names_out,
        &mut guest_table(),
        false,
        &mut op,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(names_out).unwrap(),
        "-A -t 10.0.0.1:http -s rr
-a -t 10.0.0.1:http -r localhost:http -m -w 1
-a -t 10.0.0.1:http -r 127.0.0.2:http -g -w 1
-a -t 10.0.0.1:http -r 127.0.0.3:http -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-a -t 10.0.0.1:http -r 127.0.0.4:http -i -w 1 --tun-type gre --tun-nocsum
-A -t localhost:https -s sh -p 360 -b sh-port
-A -u 10.0.0.2:domain -s mh -p 100 -M 255.255.0.0 --pe sip -o -b mh-fallback,mh-port
-A --sctp-service 10.0.0.3:9999 -s nq
-A -t [2001:db8::1]:http -s rr
-a -t [2001:db8::1]:http -r [::1]:http-alt -m -w 1
-A -f 1 -s wrr
-a -f 1 -r localhost:80 -g -w 1
-A -f 2 -6 -s lc -p 100 -M 64
-a -f 2 -6 -r [::1]:0 -m -w 1
"
    );
}

/// The same table through the C library's resolver must give what the
/// real binary printed on this machine's files (the guest shares them).
#[test]
fn guest_plain_system_names() {
    let sys = SystemNames;
    if sys.service(80, "tcp").as_deref() != Some(&b"http"[..])
        || sys.host(AF_INET, &raw_from_ip(ip("127.0.0.1"))).as_deref() != Some(&b"localhost"[..])
    {
        return; // not a Debian-like host
    }
    let names = MapNames {
        hosts: vec![(ip("127.0.0.1"), "localhost")],
        services: MapNames::debian().services,
    };
    let (want, _, _) = run_list(&mut guest_table(), &names, None, ListOpts::default());
    let (got, _, _) = run_list(&mut guest_table(), &sys, None, ListOpts::default());
    if sys.host(AF_INET6, &raw_from_ip(ip("::1"))).is_none() {
        assert_eq!(got, want);
    }
}
