//! Rates from counter deltas, and the sort orders.

use super::*;
use crate::model::{IPPROTO_TCP, IPPROTO_UDP};

fn stats(conns: u64, inpkts: u64, outpkts: u64, inbytes: u64, outbytes: u64) -> Stats {
    Stats {
        conns,
        inpkts,
        outpkts,
        inbytes,
        outbytes,
        // The kernel's own rates are never used.
        cps: 999,
        inbps: 999,
        ..Stats::default()
    }
}

fn svc(last: u8, port: u16, s: Stats) -> Service {
    Service {
        protocol: IPPROTO_TCP,
        addr: [10, 0, 0, last, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        port,
        sched_name: "rr".into(),
        stats: s,
        ..Service::default()
    }
}

fn dest(last: u8, s: Stats, active: u32, inact: u32) -> Dest {
    Dest {
        addr: [10, 1, 0, last, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        port: 80,
        weight: 1,
        active_conns: active,
        inact_conns: inact,
        stats: s,
        ..Dest::default()
    }
}

fn rates(r: &Row) -> Rates {
    r.rate.expect("a rate")
}

#[test]
fn rates_are_deltas_over_the_interval() {
    let before = vec![(
        svc(1, 80, stats(10, 100, 50, 10_000, 5_000)),
        vec![dest(1, stats(4, 40, 20, 4_000, 2_000), 1, 2)],
    )];
    let now = vec![(
        svc(1, 80, stats(16, 130, 80, 13_000, 5_600)),
        vec![dest(1, stats(10, 70, 50, 7_000, 2_600), 3, 4)],
    )];
    let f = compute(&before, &now, 2.0);
    assert_eq!(f.interval, 2.0);
    let s = &f.services[0];
    assert_eq!(s.row.stats, Counts::of(&now[0].0.stats));
    assert_eq!(
        s.row.delta,
        Some(Counts {
            conns: 6,
            inpkts: 30,
            outpkts: 30,
            inbytes: 3_000,
            outbytes: 600
        })
    );
    assert_eq!(
        rates(&s.row),
        Rates {
            cps: 3.0,
            inpps: 15.0,
            outpps: 15.0,
            inbps: 1_500.0,
            outbps: 300.0
        }
    );
    // A service's connection counts are its servers' sums.
    assert_eq!((s.row.active, s.row.inactive), (3, 4));
    let d = &s.servers[0].row;
    assert_eq!(rates(d).cps, 3.0);
    assert_eq!(rates(d).outbps, 300.0);
    // A fractional interval.
    let f = compute(&before, &now, 0.5);
    assert_eq!(rates(&f.services[0].row).cps, 12.0);
}

#[test]
fn new_rows_and_counters_gone_down_have_no_rate() {
    let before = vec![(
        svc(1, 80, stats(10, 10, 10, 10, 10)),
        vec![dest(1, stats(10, 10, 10, 10, 10), 0, 0)],
    )];
    let now = vec![
        // Zeroed (-Z), then a little traffic: not a negative rate.
        (
            svc(1, 80, stats(2, 20, 2, 20, 2)),
            vec![
                dest(1, stats(2, 20, 2, 20, 2), 0, 0),
                // A server added meanwhile.
                dest(2, stats(5, 5, 5, 5, 5), 0, 0),
            ],
        ),
        // A service added meanwhile.
        (svc(2, 80, stats(5, 5, 5, 5, 5)), vec![]),
    ];
    let f = compute(&before, &now, 1.0);
    for s in &f.services {
        assert_eq!((s.row.delta, s.row.rate), (None, None), "{:?}", s.service);
        for d in &s.servers {
            assert_eq!((d.row.delta, d.row.rate), (None, None));
        }
    }
    // The next interval has rates again.
    let g = compute(&now, &now, 1.0);
    assert!(g
        .services
        .iter()
        .all(|s| s.row.rate == Some(Rates::default())));
    // A first reading has none, and no interval at all none either.
    assert!(first(&now).services.iter().all(|s| s.row.rate.is_none()));
    let h = compute(&now, &now, 0.0);
    assert!(h.services.iter().all(|s| s.row.rate.is_none()));
    // Removed services are simply gone.
    assert!(compute(&now, &Vec::new(), 1.0).services.is_empty());
}

#[test]
fn services_keep_their_identity_across_readings() {
    // Same address and port, other protocol: another service.
    let mut udp = svc(1, 80, stats(1, 1, 1, 1, 1));
    udp.protocol = IPPROTO_UDP;
    let before = vec![(svc(1, 80, stats(1, 1, 1, 1, 1)), vec![])];
    let now = vec![(udp, vec![]), (svc(1, 80, stats(3, 1, 1, 1, 1)), vec![])];
    let f = compute(&before, &now, 1.0);
    // -L order: TCP before UDP.
    assert_eq!(f.services[0].service.protocol, IPPROTO_TCP);
    assert_eq!(rates(&f.services[0].row).cps, 2.0);
    assert_eq!(f.services[1].row.rate, None);
}

#[test]
fn totals_sum_the_services() {
    let before = vec![
        (svc(1, 80, stats(0, 0, 0, 0, 0)), vec![]),
        (svc(2, 80, stats(0, 0, 0, 0, 0)), vec![]),
    ];
    let now = vec![
        (
            svc(1, 80, stats(4, 8, 0, 800, 0)),
            vec![dest(1, stats(4, 8, 0, 800, 0), 1, 2)],
        ),
        (
            svc(2, 80, stats(2, 4, 4, 400, 400)),
            vec![
                dest(1, stats(1, 2, 2, 200, 200), 3, 0),
                dest(2, stats(1, 2, 2, 200, 200), 0, 5),
            ],
        ),
        (svc(3, 80, stats(9, 9, 9, 9, 9)), vec![]),
    ];
    let t = totals(&compute(&before, &now, 2.0));
    assert_eq!((t.services, t.servers), (3, 3));
    assert_eq!(t.stats.conns, 15);
    assert_eq!(t.stats.outbytes, 409);
    // The new service has no rate yet: it adds nothing.
    assert_eq!(t.rate.cps, 3.0);
    assert_eq!(t.rate.inbps, 600.0);
    assert_eq!((t.active, t.inactive), (4, 7));
}

fn names(v: &[(&ServiceRow, Vec<&ServerRow>)]) -> Vec<(u8, Vec<u8>)> {
    v.iter()
        .map(|(s, ds)| {
            (
                s.service.addr[3],
                ds.iter().map(|d| d.dest.addr[3]).collect(),
            )
        })
        .collect()
}

#[test]
fn sorted_by_each_key_largest_first_ties_in_list_order() {
    let zero = || stats(0, 0, 0, 0, 0);
    let before = vec![
        (
            svc(1, 80, zero()),
            vec![dest(1, zero(), 0, 0), dest(2, zero(), 0, 0)],
        ),
        (
            svc(2, 80, zero()),
            vec![dest(1, zero(), 0, 0), dest(2, zero(), 0, 0)],
        ),
        (svc(3, 80, zero()), vec![]),
    ];
    // .1: few connections, many bytes; .2: many connections, few bytes,
    // most packets; .3: idle; .4: new (no rate: last).
    let now = vec![
        (svc(4, 80, stats(100, 100, 100, 100, 100)), vec![]),
        (svc(3, 80, zero()), vec![]),
        (
            svc(2, 80, stats(10, 60, 50, 600, 500)),
            vec![
                dest(1, stats(3, 20, 20, 200, 200), 0, 0),
                dest(2, stats(7, 40, 30, 400, 300), 0, 0),
            ],
        ),
        (
            svc(1, 80, stats(2, 30, 20, 90_000, 1_000)),
            vec![
                dest(1, stats(1, 10, 10, 60_000, 500), 0, 0),
                dest(2, stats(1, 20, 10, 30_000, 500), 0, 0),
            ],
        ),
    ];
    let f = compute(&before, &now, 1.0);
    assert_eq!(
        names(&sorted(&f, SortKey::Conns)),
        [(2, vec![2, 1]), (1, vec![1, 2]), (3, vec![]), (4, vec![])]
    );
    assert_eq!(
        names(&sorted(&f, SortKey::Packets)),
        [(2, vec![2, 1]), (1, vec![2, 1]), (3, vec![]), (4, vec![])]
    );
    assert_eq!(
        names(&sorted(&f, SortKey::Bytes)),
        [(1, vec![1, 2]), (2, vec![2, 1]), (3, vec![]), (4, vec![])]
    );
    // The frame itself stays in -L order.
    let order: Vec<u8> = f.services.iter().map(|s| s.service.addr[3]).collect();
    assert_eq!(order, [1, 2, 3, 4]);
}

#[test]
fn counters_near_the_top_of_u64() {
    let big = u64::MAX - 5;
    let before = vec![(svc(1, 80, stats(big, big, big, big, big)), vec![])];
    let now = vec![(svc(1, 80, stats(big + 4, big, big, big + 5, big)), vec![])];
    let f = compute(&before, &now, 1.0);
    assert_eq!(rates(&f.services[0].row).cps, 4.0);
    assert_eq!(totals(&f).stats.inbytes, u64::MAX);
}
