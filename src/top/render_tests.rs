//! The snapshot text, the fitted screen and the JSON, on fixed frames.

use super::*;
use crate::model::{RawAddr, Stats, AF_INET6};
use crate::output::names::{MapNames, NoNames};
use crate::top::frame::compute;

fn stats(conns: u64, pkts: u64, bytes: u64) -> Stats {
    Stats {
        conns,
        inpkts: pkts,
        outpkts: pkts / 2,
        inbytes: bytes,
        outbytes: bytes / 2,
        ..Stats::default()
    }
}

fn v4(a: [u8; 4]) -> RawAddr {
    let mut r = [0u8; 16];
    r[..4].copy_from_slice(&a);
    r
}

/// Two services (TCP 127.0.0.1:80 with two servers, fwmark 6 with one),
/// two seconds apart.
fn frame() -> Frame {
    let web = |s| Service {
        protocol: IPPROTO_TCP,
        addr: v4([127, 0, 0, 1]),
        port: 80,
        stats: s,
        ..Service::default()
    };
    let mark = |s| Service {
        fwmark: 6,
        stats: s,
        ..Service::default()
    };
    let d = |last, port, s, a, i| Dest {
        addr: v4([10, 0, 0, last]),
        port,
        active_conns: a,
        inact_conns: i,
        stats: s,
        ..Dest::default()
    };
    let before = vec![
        (
            web(stats(0, 0, 0)),
            vec![
                d(1, 80, stats(0, 0, 0), 0, 0),
                d(2, 80, stats(0, 0, 0), 0, 0),
            ],
        ),
        (mark(stats(0, 0, 0)), vec![d(3, 0, stats(0, 0, 0), 0, 0)]),
    ];
    let now = vec![
        (
            web(stats(6, 40, 4_000)),
            vec![
                d(1, 80, stats(2, 10, 1_000), 1, 1),
                d(2, 80, stats(4, 30, 3_000), 2, 0),
            ],
        ),
        (
            mark(stats(1, 200, 50_000_000)),
            vec![d(3, 0, stats(1, 200, 50_000_000), 0, 7)],
        ),
    ];
    compute(&before, &now, 2.0)
}

const CONNS: Look = Look {
    sort: SortKey::Conns,
    numeric: true,
};

#[test]
fn rate_text_fits_eight_columns() {
    for (v, t) in [
        (None, "-"),
        (Some(0.0), "0.0"),
        (Some(0.25), "0.2"),
        (Some(2.5), "2.5"),
        (Some(999.94), "999.9"),
        (Some(1_000.0), "1000"),
        (Some(9_999_999.0), "9999999"),
        (Some(12_345_678.0), "12.3M"),
        (Some(9_999_000_000.0), "9999.0M"),
        (Some(25_000_000_000.0), "25.0G"),
        (Some(3.0e13), "30.0T"),
    ] {
        assert_eq!(rate_text(v), t, "{v:?}");
        assert!(t.len() <= 8);
    }
}

#[test]
fn a_snapshot_in_list_columns() {
    let got = text(&frame(), CONNS, &NoNames, "12:00:00");
    let want = "\
ipvsadm top at 12:00:00: 2.00s interval, sorted by CPS, numeric
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS ActiveConn InActConn
  -> RemoteAddress:Port
Total: 2 services, 3 servers           3.5    120.0     60.0    25.0M    12.5M          3         8
TCP  127.0.0.1:80                      3.0     20.0     10.0     2000     1000          3         1
  -> 10.0.0.2:80                       2.0     15.0      7.5     1500    750.0          2         0
  -> 10.0.0.1:80                       1.0      5.0      2.5    500.0    250.0          1         1
FWM  6                                 0.5    100.0     50.0    25.0M    12.5M          0         7
  -> 10.0.0.3:0                        0.5    100.0     50.0    25.0M    12.5M          0         7

";
    assert_eq!(got, want);
}

#[test]
fn sort_keys_and_names_change_the_rows() {
    let got = lines(
        &frame(),
        Look {
            sort: SortKey::Bytes,
            numeric: false,
        },
        &MapNames::debian(),
        "t",
    );
    assert_eq!(
        got[0],
        "ipvsadm top at t: 2.00s interval, sorted by InBPS+OutBPS"
    );
    assert!(got[4].starts_with("FWM  6 "), "{got:?}");
    assert!(got[6].starts_with("TCP  localhost:http "), "{got:?}");
    // Ports of real servers are named after the service's protocol.
    assert!(got[7].starts_with("  -> 10.0.0.2:http "), "{got:?}");
    let p = lines(
        &frame(),
        Look {
            sort: SortKey::Packets,
            numeric: true,
        },
        &MapNames::debian(),
        "t",
    );
    assert!(p[4].starts_with("FWM  6 "), "{p:?}");
    assert!(p[6].starts_with("TCP  127.0.0.1:80 "), "{p:?}");
}

#[test]
fn the_first_reading_has_counters_but_no_rates() {
    let f = crate::top::frame::first(&vec![(Service::default(), vec![Dest::default()])]);
    let l = lines(&f, CONNS, &NoNames, "t");
    assert_eq!(
        l[0],
        "ipvsadm top at t: first reading, sorted by CPS, numeric"
    );
    assert!(l[3].starts_with("Total: 1 service, 1 server "), "{l:?}");
    assert!(l[3].ends_with("        -        -        -        -        -          0         0"));
    let j: serde_json::Value = serde_json::from_str(&json(&f, SortKey::Conns, 1.5)).unwrap();
    assert_eq!(j["totals"]["rate"], serde_json::Value::Null);
    assert_eq!(j["services"][0]["rate"], serde_json::Value::Null);
    assert_eq!(j["services"][0]["delta"], serde_json::Value::Null);
}

#[test]
fn long_names_push_the_columns_like_list_does() {
    let s = Service {
        af: AF_INET6,
        protocol: IPPROTO_TCP,
        addr: [0xab; 16],
        port: 443,
        ..Service::default()
    };
    let l = lines(
        &crate::top::frame::first(&vec![(s, vec![])]),
        CONNS,
        &NoNames,
        "t",
    );
    let want = "TCP  [abab:abab:abab:abab:abab:abab:abab:abab]:443        -";
    assert!(l[4].starts_with(want), "{l:?}");
}

#[test]
fn the_screen_fits_the_terminal() {
    let f = frame();
    let s = screen(&f, CONNS, &NoNames, "t", (200, 50));
    assert_eq!(s.len(), 9);
    assert!(s[0].ends_with(&format!("   ({KEYS_HINT})")), "{s:?}");
    assert_eq!(s[1..], lines(&f, CONNS, &NoNames, "t")[1..]);
    let s = screen(&f, CONNS, &NoNames, "t", (40, 6));
    assert_eq!(s.len(), 6);
    assert!(s.iter().all(|l| l.chars().count() <= 40), "{s:?}");
    assert_eq!(s[4], "TCP  127.0.0.1:80                      3");
    assert_eq!(s[5], "... 4 more lines (a larger window shows ");
    assert_eq!(screen(&f, CONNS, &NoNames, "t", (10, 0)).len(), 1);
}

#[test]
fn json_snapshot() {
    let j: serde_json::Value =
        serde_json::from_str(&json(&frame(), SortKey::Bytes, 1_700_000_000.25)).unwrap();
    assert_eq!(j["time"], 1_700_000_000.25);
    assert_eq!(j["interval"], 2.0);
    assert_eq!(j["sort"], "bytes");
    let t = &j["totals"];
    assert_eq!(
        (t["services"].as_u64(), t["servers"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(t["stats"]["conns"], 7);
    assert_eq!(t["rate"]["cps"], 3.5);
    assert_eq!(
        (t["active_conns"].as_u64(), t["inactive_conns"].as_u64()),
        (Some(3), Some(8))
    );
    let fwm = &j["services"][0];
    assert_eq!(fwm["protocol"], "fwmark");
    assert_eq!(fwm["fwmark"], 6);
    assert_eq!(fwm["address"], serde_json::Value::Null);
    assert_eq!(fwm["delta"]["inbytes"], 50_000_000);
    assert_eq!(fwm["rate"]["inbps"], 25_000_000.0);
    let web = &j["services"][1];
    assert_eq!(web["protocol"], "tcp");
    assert_eq!(web["family"], "inet");
    assert_eq!(
        (web["address"].as_str(), web["port"].as_u64()),
        (Some("127.0.0.1"), Some(80))
    );
    assert_eq!(web["stats"]["outpkts"], 20);
    assert_eq!(web["servers"][0]["address"], "10.0.0.2");
    assert_eq!(web["servers"][0]["delta"]["conns"], 4);
    assert_eq!(web["servers"][0]["rate"]["cps"], 2.0);
    assert_eq!(web["servers"][1]["active_conns"], 1);
    let text = json(&frame(), SortKey::Bytes, 0.0);
    assert!(text.ends_with("}\n") && text.matches('\n').count() == 1);
}
