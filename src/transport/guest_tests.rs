//! Tests of [`GenlIpvs`] against a real kernel with ip_vs, run inside the
//! lab guest (they do nothing unless `IPVSADM_RS_GUEST=1`, and they change
//! the kernel's IPVS state, so never run them on a host that matters).
//!
//! They replay, request by request, the session captured from the real
//! ipvsadm in tests/fixtures/genl and check that the kernel answers us
//! what it answered ipvsadm; compare what we created with the real
//! `/usr/sbin/ipvsadm -S -n` / `-L --daemon`; read back what the real
//! ipvsadm created; and exercise pipelined batches and big dumps.
//! Expected setup (as in the capture): `lo` up, a multicast dummy `d0`
//! with 10.0.0.254/24 and 2001:db8::fe/64.

use std::net::IpAddr;
use std::process::Command;

use super::*;
use crate::kernel::codec::tests::{dest, fixture, fwm, ip, request_cases, sched, svc};
use crate::model::*;

fn guest() -> bool {
    std::env::var_os("IPVSADM_RS_GUEST").is_some()
}

/// Run the real ipvsadm; (rc, stdout, stderr).
fn real(args: &[&str]) -> (i32, String, String) {
    let o = Command::new("/usr/sbin/ipvsadm")
        .args(args)
        .output()
        .expect("run /usr/sbin/ipvsadm");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn real_ok(args: &[&str]) -> String {
    let (rc, out, err) = real(args);
    assert_eq!(rc, 0, "ipvsadm {args:?}: {err}");
    out
}

/// Errno the kernel gave the real ipvsadm for a fixture's last request.
fn captured_errno(name: &str) -> i32 {
    let f = fixture(name);
    let (_, last) = f.iter().rev().find(|(d, _)| *d == '<').expect("reply");
    let m = split_messages(last).next().expect("msg").expect("valid");
    assert_eq!(m.hdr.ty, NLMSG_ERROR, "{name}");
    m.error_code().expect("code")
}

fn err_name(r: &Result<(), Errno>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => format!("{} ({})", e, crate::kernel::errors::strerror(*e)),
    }
}

/// The `-S -n` output the real ipvsadm printed at this point of the
/// captured session (tests/fixtures/genl, command `save`).
const SAVED: &str = "\
-A -t 10.0.0.1:80 -s wlc -p 600
-a -t 10.0.0.1:80 -r 10.0.0.3:8080 -m -w 7
-a -t 10.0.0.1:80 -r 10.0.0.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
-a -t 10.0.0.1:80 -r 10.0.0.5:80 -i -w 1 --tun-type gre --tun-csum
-a -t 10.0.0.1:80 -r 10.0.0.8:80 -i -w 1 --tun-type gue --tun-port 7 --tun-remcsum
-A -u 10.0.0.1:53 -s wlc -o
-a -u 10.0.0.1:53 -r 10.0.0.3:53 -m -w 1
-A -u 10.0.0.2:5060 -s wlc -p 100 --pe sip -o
-A --sctp-service 10.0.0.1:9 -s sh -b sh-fallback,sh-port
-A -t [2001:db8::1]:443 -s mh -p 360 -M 64 -b mh-fallback,mh-port
-a -t [2001:db8::1]:443 -r 10.0.0.6:443 -i -w 1 --tun-type ipip
-A -f 7 -s wrr
-a -f 7 -r 10.0.0.7:0 -g -w 0
-A -f 8 -6 -s lc
";

#[test]
fn guest_session_replay() {
    if !guest() {
        return;
    }
    let mut k = connect().expect("connect");
    let info = k.info().expect("info");
    eprintln!("OBSERVED info: {info:?}");
    assert_eq!(info.version, 0x010201);
    k.execute(&Request::Flush).expect("flush");

    let cases = request_cases();
    let by_name = |n: &str| -> Request {
        cases
            .iter()
            .find(|(c, _)| *c == n)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("case {n}"))
    };
    let nodev = Request::NewDaemon(Daemon {
        state: DAEMON_MASTER,
        mcast_ifn: "nosuch0".into(),
        ..Daemon::default()
    });
    // (fixture name, request) in the order of the captured session.
    let mut seq: Vec<(&str, Request)> = [
        "add_tcp_full",
        "add_udp_ops",
        "add_sctp_shflags",
        "add_fwmark",
        "add_fwmark6",
        "add_tcp6_mh",
        "add_udp_pe_sip_ops",
        "add_unknown_sched",
        "add_exists",
        "edit_tcp",
        "edit_missing",
        "adddest_masq",
        "adddest_gue",
        "adddest_gre",
        "adddest_ipip_remcsum",
        "adddest_mixed",
        "adddest_fwmark",
        "adddest_udp",
        "adddest_exists",
        "adddest_nosvc",
        "adddest_thresh",
        "adddest_mcast",
        "editdest",
        "editdest_missing",
    ]
    .iter()
    .map(|n| (*n, by_name(n)))
    .collect();
    for (name, req) in &seq {
        let r = k.execute(req);
        eprintln!("OBSERVED {name}: {}", err_name(&r));
        assert_eq!(r.err().unwrap_or(0), captured_errno(name), "{name}");
    }
    assert_eq!(real_ok(&["-S", "-n"]), SAVED, "real ipvsadm reads ours");

    seq = vec![
        ("timeout_set", by_name("timeout_set")),
        ("timeout_set_partial", by_name("timeout_set_partial")),
        ("daemon_start_master", by_name("daemon_start_master")),
        ("daemon_start_backup", by_name("daemon_start_backup")),
        ("daemon_start_again", by_name("daemon_start_defaults")),
        ("daemon_stop_master", by_name("daemon_stop_master")),
        ("daemon_stop_backup", by_name("daemon_stop_backup")),
        ("daemon_stop_none", by_name("daemon_stop_backup")),
        ("daemon_start_defaults", by_name("daemon_start_defaults")),
        ("daemon_stop_master2", by_name("daemon_stop_master")),
        ("daemon_start_nodev", nodev),
        ("zero_one", by_name("zero_one")),
        ("zero_all", by_name("zero_all")),
        ("zero_missing", by_name("zero_missing")),
        ("deldest", by_name("deldest")),
        ("deldest_missing", by_name("deldest")),
        ("delsvc", by_name("delsvc")),
        ("delsvc_missing", by_name("delsvc")),
        ("add_bad_pe", by_name("add_bad_pe")),
    ];
    // The same requests pipelined: one result per request, in order.
    let reqs: Vec<Request> = seq.iter().map(|(_, r)| r.clone()).collect();
    let results = k.execute_many(&reqs);
    assert_eq!(results.len(), seq.len());
    for ((name, _), r) in seq.iter().zip(&results) {
        eprintln!("OBSERVED {name}: {}", err_name(r));
        assert_eq!(r.err().unwrap_or(0), captured_errno(name), "{name}");
    }
    assert_eq!(
        k.timeouts().expect("timeouts"),
        Timeouts {
            tcp: 10,
            tcp_fin: 5,
            udp: 30
        }
    );
    let (rc, out, _) = real(&["-L", "--timeout"]);
    assert_eq!(
        (rc, out.as_str()),
        (0, "Timeout (tcp tcpfin udp): 10 5 30\n")
    );
    k.execute(&Request::Flush).expect("flush");
    assert_eq!(
        k.execute(&Request::Flush),
        Ok(()),
        "flush of an empty table"
    );
}

#[test]
fn guest_daemons() {
    if !guest() {
        return;
    }
    let mut k = connect().expect("connect");
    k.execute(&Request::Flush).expect("flush");
    let _ = k.execute_many(&[
        Request::DelDaemon(Daemon {
            state: DAEMON_MASTER,
            ..Daemon::default()
        }),
        Request::DelDaemon(Daemon {
            state: DAEMON_BACKUP,
            ..Daemon::default()
        }),
    ]);
    assert_eq!(k.daemons().expect("daemons"), vec![]);
    let master = Daemon {
        state: DAEMON_MASTER,
        mcast_ifn: "d0".into(),
        syncid: 3,
        sync_maxlen: 1400,
        mcast_group: Some(ip("239.1.1.1")),
        mcast_port: 9000,
        mcast_ttl: 2,
    };
    let backup = Daemon {
        state: DAEMON_BACKUP,
        mcast_ifn: "d0".into(),
        syncid: 4,
        mcast_group: Some(ip("ff02::5")),
        ..Daemon::default()
    };
    assert_eq!(k.execute(&Request::NewDaemon(master.clone())), Ok(()));
    let r = k.execute(&Request::NewDaemon(backup.clone()));
    eprintln!("OBSERVED start backup ff02::5 on d0: {}", err_name(&r));
    assert_eq!(r, Ok(()));
    let got = k.daemons().expect("daemons");
    eprintln!("OBSERVED daemons: {got:?}");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], master);
    assert_eq!(got[1].state, DAEMON_BACKUP);
    assert_eq!(got[1].mcast_group, backup.mcast_group);
    assert_eq!(got[1].syncid, 4);
    let listing = real_ok(&["-L", "--daemon"]);
    eprintln!("OBSERVED real -L --daemon:\n{listing}");
    assert!(listing.starts_with(
        "master sync daemon (mcast=d0, syncid=3, maxlen=1400, group=239.1.1.1, port=9000, ttl=2)\n"
    ));
    let again = k.execute(&Request::NewDaemon(master.clone()));
    eprintln!("OBSERVED start master twice: {}", err_name(&again));
    assert_eq!(again, Err(libc::EEXIST));
    let stop = |state| {
        Request::DelDaemon(Daemon {
            state,
            ..Daemon::default()
        })
    };
    assert_eq!(
        k.execute_many(&[
            stop(DAEMON_MASTER),
            stop(DAEMON_BACKUP),
            stop(DAEMON_BACKUP)
        ]),
        vec![Ok(()), Ok(()), Err(libc::ESRCH)]
    );
    let nodev = k.execute(&Request::NewDaemon(Daemon {
        state: DAEMON_MASTER,
        mcast_ifn: "nosuch0".into(),
        ..Daemon::default()
    }));
    eprintln!(
        "OBSERVED start on a missing interface: {}",
        err_name(&nodev)
    );
    assert_eq!(nodev, Err(libc::ENODEV));
    // defaults chosen by the kernel
    let defaults = Daemon {
        state: DAEMON_MASTER,
        mcast_ifn: "d0".into(),
        ..Daemon::default()
    };
    assert_eq!(k.execute(&Request::NewDaemon(defaults)), Ok(()));
    let b = Daemon {
        state: DAEMON_BACKUP,
        mcast_ifn: "d0".into(),
        ..Daemon::default()
    };
    assert_eq!(k.execute(&Request::NewDaemon(b)), Ok(()));
    let got = k.daemons().expect("daemons");
    eprintln!("OBSERVED default daemons: {got:?}");
    eprintln!("OBSERVED real:\n{}", real_ok(&["-L", "--daemon"]));
    assert_eq!(got[0].mcast_group, Some(ip("224.0.0.81")));
    assert_eq!((got[0].mcast_port, got[0].mcast_ttl), (8848, 1));
    assert_eq!(
        k.execute_many(&[stop(DAEMON_MASTER), stop(DAEMON_BACKUP)]),
        vec![Ok(()), Ok(())]
    );
    // a mixed-family destination blocks the sync daemon
    let s6 = sched(svc(IPPROTO_TCP, "2001:db8::1", 443), "rr");
    let mut d = dest("10.0.0.6", 443, Forward::Tunnel);
    d.addr[4..].copy_from_slice(&s6.addr[4..]);
    assert_eq!(
        k.execute_many(&[
            Request::NewService(s6.clone()),
            Request::NewDest(s6.clone(), d),
            Request::NewDaemon(master.clone()),
        ]),
        vec![Ok(()), Ok(()), Err(libc::EINVAL)]
    );
    k.execute(&Request::Flush).expect("flush");
}

#[test]
fn guest_reads_what_real_ipvsadm_made() {
    if !guest() {
        return;
    }
    let mut k = connect().expect("connect");
    k.execute(&Request::Flush).expect("flush");
    for args in [
        "-A -t 10.0.0.1:80 -s rr -p 600 -M 255.255.255.0 --pe sip",
        "-A -u 10.0.0.2:53 -s sh -b sh-port -o",
        "-A --sctp-service [2001:db8::2]:9 -s nq",
        "-A -f 11 -6 -s mh -b mh-fallback -p 30 -M 96",
        "-a -t 10.0.0.1:80 -r 10.0.0.3:8080 -m -w 9 -x 50 -y 5",
        "-a -t 10.0.0.1:80 -r 10.0.0.4 -i --tun-type gue --tun-port 6080 --tun-csum",
        "-a -f 11 -6 -r 2001:db8::9 -i --tun-type gre --tun-csum -w 2147483647",
    ] {
        let v: Vec<&str> = args.split(' ').collect();
        let (rc, _, err) = real(&v);
        eprintln!("OBSERVED real ipvsadm {args}: rc={rc} {err}");
    }
    let services = k.services().expect("services");
    eprintln!("OBSERVED services: {services:#?}");
    let t = services.iter().find(|s| s.port == 80).expect("tcp 80");
    assert_eq!(t.sched_name, "rr");
    assert_eq!(t.pe_name, "sip");
    assert_eq!(t.netmask, 0xffff_ff00);
    assert_eq!(t.timeout, 600);
    assert_eq!(t.flags & !SVC_F_HASHED, SVC_F_PERSISTENT);
    let u = services.iter().find(|s| s.port == 53).expect("udp 53");
    assert_eq!(u.flags & !SVC_F_HASHED, SVC_F_SCHED2 | SVC_F_ONEPACKET);
    let f = services.iter().find(|s| s.fwmark == 11).expect("fwm 11");
    assert_eq!((f.af, f.netmask, f.timeout), (AF_INET6, 96, 30));
    let sctp = services
        .iter()
        .find(|s| s.protocol == IPPROTO_SCTP)
        .expect("sctp");
    assert_eq!(
        (sctp.af, sctp.port, sctp.sched_name.as_str()),
        (AF_INET6, 9, "nq")
    );
    let one = k.service(t).expect("one service");
    assert_eq!(one.sched_name, "rr");
    let dests = k.dests(t).expect("dests");
    assert_eq!(dests.len(), 2);
    let m = dests.iter().find(|d| d.port == 8080).expect("masq");
    assert_eq!(
        (m.fwd, m.weight, m.u_threshold, m.l_threshold),
        (Forward::Masq, 9, 50, 5)
    );
    let g = dests
        .iter()
        .find(|d| d.fwd == Forward::Tunnel)
        .expect("gue");
    assert_eq!(
        (g.tun_type, g.tun_port, g.tun_flags),
        (TUN_GUE, 6080, TUN_F_CSUM)
    );
    let fd = k.dests(f).expect("fwm dests");
    assert_eq!(fd.len(), 1);
    assert_eq!(fd[0].ip(), ip("2001:db8::9"));
    assert_eq!(fd[0].weight, 2147483647);
    assert_eq!((fd[0].tun_type, fd[0].tun_flags), (TUN_GRE, TUN_F_CSUM));
    let missing = svc(IPPROTO_TCP, "10.0.0.99", 80);
    let r = k.service(&missing);
    eprintln!("OBSERVED get missing service: {r:?}");
    assert_eq!(r, Err(libc::ESRCH));
    let r = k.dests(&missing);
    eprintln!("OBSERVED dest dump of a missing service: {r:?}");
    k.execute(&Request::Flush).expect("flush");
}

#[test]
fn guest_pipelined_batches_and_big_dumps() {
    if !guest() {
        return;
    }
    let mut k = connect().expect("connect");
    k.execute(&Request::Flush).expect("flush");
    let n = 3000usize;
    let mk = |i: usize| {
        let a = IpAddr::V4(std::net::Ipv4Addr::new(
            10,
            1,
            (i / 250) as u8,
            (i % 250) as u8 + 1,
        ));
        sched(
            Service {
                af: AF_INET,
                protocol: IPPROTO_TCP,
                addr: raw_from_ip(a),
                port: 80,
                ..Service::default()
            },
            "wlc",
        )
    };
    let mut reqs: Vec<Request> = (0..n).map(|i| Request::NewService(mk(i))).collect();
    // duplicates at known positions
    for pos in [5usize, 300, 2999] {
        reqs.insert(pos + 1, Request::NewService(mk(pos)));
    }
    let t0 = std::time::Instant::now();
    let res = k.execute_many(&reqs);
    eprintln!(
        "OBSERVED {} pipelined requests in {:?}",
        reqs.len(),
        t0.elapsed()
    );
    let errs: Vec<usize> = res
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(errs, vec![6, 302, 3002]);
    assert!(errs.iter().all(|&i| res[i] == Err(libc::EEXIST)));
    let t0 = std::time::Instant::now();
    let all = k.services().expect("dump");
    eprintln!(
        "OBSERVED dump of {} services in {:?}",
        all.len(),
        t0.elapsed()
    );
    assert_eq!(all.len(), n);
    // many destinations on one service
    let s = mk(0);
    let dreqs: Vec<Request> = (0..2000usize)
        .map(|i| {
            let a = IpAddr::V4(std::net::Ipv4Addr::new(
                10,
                2,
                (i / 250) as u8,
                (i % 250) as u8 + 1,
            ));
            let mut d = dest(&a.to_string(), 80, Forward::Route);
            d.weight = i as u32;
            Request::NewDest(s.clone(), d)
        })
        .collect();
    assert!(k.execute_many(&dreqs).iter().all(|r| r.is_ok()));
    let ds = k.dests(&s).expect("dest dump");
    assert_eq!(ds.len(), 2000);
    // the real binary agrees
    let saved = real_ok(&["-S", "-n"]);
    assert_eq!(saved.lines().count(), n + 2000);
    let del: Vec<Request> = (0..n).map(|i| Request::DelService(mk(i))).collect();
    assert!(k.execute_many(&del).iter().all(|r| r.is_ok()));
    assert_eq!(k.services().expect("dump"), vec![]);
    // a fwmark probe of the zero service: ipvsadm's "-Z" without a service
    assert_eq!(k.execute(&Request::Zero(Some(Service::default()))), Ok(()));
    k.execute(&Request::SetTimeout(Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    }))
    .expect("timeouts");
    let _ = fwm(1, AF_INET);
}

/// As a non-root user: the family resolves, GET_INFO is refused.
#[test]
fn guest_nonroot_child() {
    if std::env::var_os("IPVSADM_RS_GUEST_NONROOT").is_none() {
        return;
    }
    let r = connect().map(|_| ());
    eprintln!("OBSERVED non-root connect: {r:?}");
    assert_eq!(r, Err(libc::EPERM));
}

#[test]
fn guest_nonroot() {
    if !guest() {
        return;
    }
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().expect("exe");
    let out = Command::new(exe)
        .args([
            "--exact",
            "transport::guest_tests::guest_nonroot_child",
            "--nocapture",
        ])
        .env_remove("IPVSADM_RS_GUEST")
        .env("IPVSADM_RS_GUEST_NONROOT", "1")
        .uid(65534)
        .gid(65534)
        .output()
        .expect("child");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    eprintln!("{text}");
    assert!(out.status.success());
    let (rc, _, err) = {
        let o = Command::new("/usr/sbin/ipvsadm")
            .arg("-L")
            .uid(65534)
            .gid(65534)
            .output()
            .expect("real");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    eprintln!("OBSERVED real ipvsadm -L as nobody: rc={rc} stderr={err}");
}
