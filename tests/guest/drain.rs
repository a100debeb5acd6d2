//! In-guest tests of `ipvsadm drain` with real traffic through a direct-routing (LVS-DR)
//! lab built in network namespaces: a director `dn-d` (VIP 10.9.0.100 on `lo`, a bridge
//! 10.9.0.1/24 that every node is plugged into), a client `dn-c` (10.9.0.2, with a permanent
//! neighbour entry for the VIP so that only the director receives it) and two real servers
//! `dn-r1`/`dn-r2` (10.9.0.11/.12, VIP on `lo`). The real servers are listeners of this test
//! process (a thread entered into each namespace) on ports 80-83: each connection is greeted
//! with the server's name and every line is echoed back prefixed with it, so the client
//! always knows who answers. DR, not NAT: the director sees only the client's half of each
//! connection, so a closed connection leaves FIN_WAIT after the `tcpfin` timeout (set to 1 s)
//! instead of NAT's unsettable two-minute TIME_WAIT.
//!
//! The lab is built once per test process (the guest runs these tests one at a time); every
//! test starts from an empty IPVS table in `dn-d`. Drain runs as `ipvsadm --netns dn-d
//! drain …` (so `--netns` is exercised too); the tests read the director's table through the
//! library over a netlink socket opened inside `dn-d`, and play "someone else" with Debian's
//! ipvsadm.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use ipvsadm_rs::kernel::Ipvs;
use ipvsadm_rs::model::{Dest, Service};
use ipvsadm_rs::transport::GenlIpvs;

use crate::support::{self, Exit};

const VIP: &str = "10.9.0.100";
const RS1: &str = "10.9.0.11";
const RS2: &str = "10.9.0.12";
/// How long any awaited condition may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(40);

/// The namespaces and links (a few `ip -batch` runs: process starts are slow under TCG).
const LAB: &str = r#"set -e
ip -batch - <<END
netns add dn-d
netns add dn-c
netns add dn-r1
netns add dn-r2
END
ip -n dn-d -batch - <<END
link set lo up
link add br0 address 02:00:00:00:09:01 type bridge
link set br0 up
addr add 10.9.0.1/24 dev br0
addr add 10.9.0.100/32 dev lo
link add vc type veth peer name eth0 netns dn-c
link set vc master br0 up
link add v1 type veth peer name eth0 netns dn-r1
link set v1 master br0 up
link add v2 type veth peer name eth0 netns dn-r2
link set v2 master br0 up
END
ip -n dn-c -batch - <<END
link set lo up
link set eth0 up
addr add 10.9.0.2/24 dev eth0
neigh replace 10.9.0.100 lladdr 02:00:00:00:09:01 dev eth0 nud permanent
END
for n in 1 2; do ip -n dn-r$n -batch - <<END
link set lo up
link set eth0 up
addr add 10.9.0.1$n/24 dev eth0
addr add 10.9.0.100/32 dev lo
END
done
"#;

/// Runs `f` on a thread inside namespace `ns` (sockets made there stay in it).
fn in_ns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let fd = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // SAFETY: setns on this thread only, with a valid namespace descriptor.
        let rc = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&fd), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
        f()
    })
    .join()
    .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// A real server's listener: greets with `name`, echoes lines prefixed with it.
fn serve(l: TcpListener, name: &'static str) {
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let Ok(mut w) = s.try_clone() else { return };
                if writeln!(w, "{name}").is_err() {
                    return;
                }
                for line in BufReader::new(s).lines() {
                    let Ok(line) = line else { return };
                    if writeln!(w, "{name} {line}").is_err() {
                        return;
                    }
                }
            });
        }
    });
}

/// The lab, built once; the guard serialises the tests that use it.
fn lab() -> MutexGuard<'static, ()> {
    static BUILT: OnceLock<Mutex<()>> = OnceLock::new();
    let m = BUILT.get_or_init(|| {
        support::ok(&support::sh(LAB), "build the DR lab");
        for (ns, name) in [("dn-r1", "r1"), ("dn-r2", "r2")] {
            for port in [80, 81, 82, 83] {
                let l = in_ns(ns, move || TcpListener::bind(("0.0.0.0", port)));
                serve(l.unwrap_or_else(|e| panic!("{ns} bind {port}: {e}")), name);
            }
        }
        Mutex::new(())
    });
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A netlink connection to the director's IPVS, both of its sockets opened in `dn-d` (the one
/// for server dumps would otherwise open on first use, in the caller's namespace; 3776 bytes
/// is the page-sized buffer the transport gives it).
fn director() -> GenlIpvs {
    in_ns("dn-d", || {
        let mut k = ipvsadm_rs::transport::connect().expect("IPVS in dn-d");
        k.set_dump_buffer(3776);
        k
    })
}

/// The director's connection table (its own, read by a thread inside `dn-d`).
fn director_conns() -> String {
    in_ns("dn-d", || {
        std::fs::read_to_string("/proc/thread-self/net/ip_vs_conn").unwrap_or_default()
    })
}

/// The virtual ports (`10.9.0.100:PORT`) that `rules` name, as the connection table writes
/// them (4 hex digits).
fn hex_ports(rules: &str) -> Vec<String> {
    rules
        .split("10.9.0.100:")
        .skip(1)
        .filter_map(|r| {
            let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u16>().ok().map(|p| format!("{p:04X}"))
        })
        .collect()
}

/// Replace the director's table: `-C`, a 1 s FIN timeout, then `rules` (`-R` lines) — once
/// the connections of earlier tests to the same virtual ports have expired: the kernel
/// re-uses a deleted server that is added again while connections still refer to it, with
/// their counts.
fn table(rules: &str) {
    let ports = hex_ports(rules);
    wait_for("no connections left on these ports", || {
        let conns = director_conns();
        !conns.lines().skip(1).any(|l| {
            l.split_whitespace()
                .nth(4)
                .is_some_and(|vport| ports.iter().any(|p| p == vport))
        })
    });
    let input = format!("-C\n--set 900 1 300\n{rules}");
    let args: Vec<String> = ["--netns", "dn-d", "-R"].map(String::from).to_vec();
    let ours = std::path::Path::new(support::ours());
    let o = support::run(ours, "ipvsadm", &args, Some(input.as_bytes()));
    support::ok(&o, &format!("-R {rules}"));
    // Connections left to a server that someone else removed (a test does that) would
    // otherwise hold on for the ESTABLISHED timeout: their packets are dropped.
    in_ns("dn-d", || {
        std::fs::write("/proc/sys/net/ipv4/vs/expire_nodest_conn", "1\n")
            .expect("expire_nodest_conn in dn-d")
    });
}

/// Debian's ipvsadm in the director's namespace (someone else).
fn real_in_director(args: &str) -> String {
    let o = support::sh(&format!("ip netns exec dn-d /usr/sbin/ipvsadm {args}"));
    support::ok(&o, args)
}

fn tcp(port: u16) -> Service {
    let mut s = Service {
        protocol: ipvsadm_rs::model::IPPROTO_TCP,
        port,
        ..Service::default()
    };
    s.addr[..4].copy_from_slice(&[10, 9, 0, 100]);
    s
}

/// The director's server `rip:port` of service VIP:`svc_port`, if there.
fn dest(k: &mut GenlIpvs, svc_port: u16, rip: &str, port: u16) -> Option<Dest> {
    let ip: std::net::Ipv4Addr = rip.parse().expect("address");
    let ds = match k.dests(&tcp(svc_port)) {
        Ok(ds) => ds,
        Err(e) => {
            eprintln!("dests of {VIP}:{svc_port} in dn-d: errno {e}");
            return None;
        }
    };
    ds.into_iter()
        .find(|d| d.addr[..4] == ip.octets() && d.port == port)
}

/// A client connection through the service, with the name of its server.
struct Conn {
    s: BufReader<TcpStream>,
    server: String,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let s = in_ns("dn-c", move || {
            let to = format!("{VIP}:{port}").parse().expect("address");
            TcpStream::connect_timeout(&to, Duration::from_secs(10))
        })
        .unwrap_or_else(|e| panic!("connect to {VIP}:{port}: {e}"));
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut c = Conn {
            s: BufReader::new(s),
            server: String::new(),
        };
        c.server = c.line();
        c
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.s.read_line(&mut l).expect("read from the server");
        l.trim_end().to_string()
    }

    /// One exchange; the server's answer.
    fn ping(&mut self, what: &str) -> String {
        writeln!(self.s.get_mut(), "{what}").expect("write to the server");
        self.line()
    }

    /// Connections until one lands on `server` (rr alternates).
    fn to(port: u16, server: &str) -> Conn {
        for _ in 0..4 {
            let c = Conn::open(port);
            if c.server == server {
                return c;
            }
        }
        panic!("no connection to {VIP}:{port} reached {server}");
    }
}

/// `ipvsadm --netns dn-d drain -n ARGS`, running.
fn drain(args: &[&str]) -> Child {
    Command::new(support::ours())
        .arg0("ipvsadm")
        .args(["--netns", "dn-d", "drain", "-n"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start drain")
}

/// Waits for `cond`, failing the test after [`PATIENCE`].
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + PATIENCE;
    while !cond() {
        assert!(Instant::now() < end, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The end of a drain: status, stdout, stderr.
fn finish(mut c: Child) -> (Exit, String, String) {
    let end = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(s) = c.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > end {
            let _ = c.kill();
            panic!("drain did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut out, mut err) = (String::new(), String::new());
    let _ = c.stdout.take().map(|mut p| p.read_to_string(&mut out));
    let _ = c.stderr.take().map(|mut p| p.read_to_string(&mut err));
    (Exit::from(status), out, err)
}

/// Whether the drain process is still running.
fn running(c: &mut Child) -> bool {
    matches!(c.try_wait(), Ok(None))
}

const TWO: &str = "-A -t 10.9.0.100:80 -s rr\n\
                   -a -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 1\n\
                   -a -t 10.9.0.100:80 -r 10.9.0.12:80 -g -w 1\n";

const NAME1: &str = "ipvsadm drain: -t 10.9.0.100:80 -r 10.9.0.11:80";

#[test]
#[ignore = "guest lab"]
fn drains_a_server_while_its_connections_live_then_deletes_it() {
    support::require_guest();
    let _lab = lab();
    table(TWO);
    let mut k = director();
    let mut held = Conn::to(80, "r1");
    assert_eq!(held.ping("hello"), "r1 hello");
    let mut d = drain(&[
        "-t",
        "10.9.0.100:80",
        "-r",
        "10.9.0.11:80",
        "--interval",
        "0.2",
    ]);
    wait_for("weight 0", || {
        dest(&mut k, 80, RS1, 80).is_some_and(|d| d.weight == 0)
    });
    // New connections go to the other server; the held one keeps working.
    for _ in 0..3 {
        assert_eq!(Conn::open(80).server, "r2");
    }
    assert_eq!(held.ping("still there"), "r1 still there");
    let r1 = dest(&mut k, 80, RS1, 80).expect("r1 is kept while a connection lives");
    assert_eq!((r1.weight, r1.active_conns), (0, 1));
    assert!(running(&mut d), "drain waits for the connection");
    drop(held);
    let (exit, out, err) = finish(d);
    assert_eq!(exit, Exit::Code(0), "{err}");
    assert_eq!(out, "", "nothing to undo");
    assert!(dest(&mut k, 80, RS1, 80).is_none(), "r1 deleted");
    assert_eq!(dest(&mut k, 80, RS2, 80).map(|d| d.weight), Some(1));
    for line in [
        ": draining, 1 left (1 active, 0 inactive, 0 templates) [",
        ": drained, deleted [",
    ] {
        assert!(err.contains(&format!("{NAME1}{line}")), "{line} in {err}");
    }
}

#[test]
#[ignore = "guest lab"]
fn timeout_keeps_weight_zero_and_the_undo_line_restores_it() {
    support::require_guest();
    let _lab = lab();
    table(
        "-A -t 10.9.0.100:80 -s rr\n\
         -a -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 3 -x 50 -y 5\n\
         -a -t 10.9.0.100:80 -r 10.9.0.12:80 -g -w 1\n",
    );
    let mut k = director();
    let held = Conn::to(80, "r1");
    let args = [
        "-t",
        "10.9.0.100:80",
        "-r",
        RS1,
        "--timeout",
        "1",
        "--interval",
        "0.2",
    ];
    let (exit, out, err) = finish(drain(&args));
    assert_eq!(exit, Exit::Code(4), "{err}");
    let why = "timed out, 1 left (1 active, 0 inactive, 0 templates); weight stays 0";
    assert!(err.contains(&format!("{NAME1}: {why}")), "{err}");
    assert_eq!(
        out,
        "ipvsadm --netns dn-d -e -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 3 -x 50 -y 5\n"
    );
    let r1 = dest(&mut k, 80, RS1, 80).expect("r1 kept");
    assert_eq!((r1.weight, r1.u_threshold, r1.l_threshold), (0, 50, 5));
    // The undo line as printed, less the `--netns dn-d` that only ours
    // knows, run by Debian's ipvsadm in that namespace.
    let undo = format!(
        "ip netns exec dn-d env PATH=/usr/sbin:/usr/bin:/sbin:/bin {}",
        out.trim().replacen(" --netns dn-d", "", 1)
    );
    support::ok(&support::sh(&undo), "undo line");
    let r1 = dest(&mut k, 80, RS1, 80).expect("r1");
    assert_eq!((r1.weight, r1.u_threshold, r1.l_threshold), (3, 50, 5));
    drop(held);
}

#[test]
#[ignore = "guest lab"]
fn dry_run_keep_and_unknown_names() {
    support::require_guest();
    let _lab = lab();
    table(TWO);
    let mut k = director();
    let (exit, out, err) = finish(drain(&["-t", "10.9.0.100:80", "-r", RS1, "--dry-run"]));
    assert_eq!(exit, Exit::Code(0), "{err}");
    assert_eq!(
        out,
        format!("{NAME1}: would set weight 1 to 0, wait for 0 connections (0 active, 0 inactive, 0 templates now), then delete it\n")
    );
    let weight = |k: &mut GenlIpvs| dest(k, 80, RS1, 80).map(|d| d.weight);
    assert_eq!(weight(&mut k), Some(1), "a dry run changes nothing");
    for (args, msg) in [
        (
            &["-t", "10.9.0.100:81", "-r", RS1][..],
            "ipvsadm drain: no such service -t 10.9.0.100:81\n",
        ),
        (
            &["-t", "10.9.0.100:80", "-r", "10.9.0.13"][..],
            "ipvsadm drain: service -t 10.9.0.100:80 has no real server 10.9.0.13\n",
        ),
        (
            &["-r", "10.9.0.11:81"][..],
            "ipvsadm drain: no service has real server 10.9.0.11:81\n",
        ),
    ] {
        let (exit, out, err) = finish(drain(args));
        let got = (exit, out.as_str(), err.as_str());
        assert_eq!(got, (Exit::Code(3), "", msg), "{args:?}");
    }
    let args = ["-t", "10.9.0.100:80", "-r", "10.9.0.11:80", "--keep", "-n"];
    let (exit, out, err) = finish(drain(&args));
    assert_eq!(exit, Exit::Code(0), "{err}");
    assert!(
        err.contains(&format!("{NAME1}: drained, kept at weight 0")),
        "{err}"
    );
    assert_eq!(
        out,
        "ipvsadm --netns dn-d -e -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 1\n"
    );
    assert_eq!(weight(&mut k), Some(0), "kept at weight 0");
    let saved = real_in_director("-S -n");
    assert!(
        saved.contains("-a -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 0\n"),
        "{saved}"
    );
}

#[test]
#[ignore = "guest lab"]
fn a_server_alone_is_drained_from_every_service_and_port() {
    support::require_guest();
    let _lab = lab();
    table(
        "-A -t 10.9.0.100:80 -s rr\n\
         -a -t 10.9.0.100:80 -r 10.9.0.11:80 -g\n\
         -a -t 10.9.0.100:80 -r 10.9.0.12:80 -g\n\
         -A -t 10.9.0.100:81 -s rr\n\
         -a -t 10.9.0.100:81 -r 10.9.0.11:81 -g\n\
         -a -t 10.9.0.100:81 -r 10.9.0.12:81 -g\n",
    );
    let mut k = director();
    let mut held = Conn::to(81, "r1");
    let mut d = drain(&["-r", RS1, "--interval", "0.2"]);
    wait_for("r1 of :80 deleted", || dest(&mut k, 80, RS1, 80).is_none());
    // The other port's r1 waits for its connection, at weight 0.
    assert_eq!(held.ping("x"), "r1 x");
    let r1 = dest(&mut k, 81, RS1, 81).map(|d| (d.weight, d.active_conns));
    assert_eq!(r1, Some((0, 1)));
    assert!(running(&mut d));
    drop(held);
    let (exit, out, err) = finish(d);
    assert_eq!((exit, out.as_str()), (Exit::Code(0), ""), "{err}");
    let saved = real_in_director("-S -n");
    let mut lines: Vec<&str> = saved.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "-A -t 10.9.0.100:80 -s rr",
            "-A -t 10.9.0.100:81 -s rr",
            "-a -t 10.9.0.100:80 -r 10.9.0.12:80 -g -w 1",
            "-a -t 10.9.0.100:81 -r 10.9.0.12:81 -g -w 1",
        ],
        "only r2 is left"
    );
}

#[test]
#[ignore = "guest lab"]
fn persistence_templates_are_waited_for() {
    support::require_guest();
    let _lab = lab();
    // Only r1, so the template points at it. The template's timer starts with the
    // connection, so it outlives the short connection by most of the 5 s.
    table(
        "-A -t 10.9.0.100:80 -s rr -p 5\n\
         -a -t 10.9.0.100:80 -r 10.9.0.11:80 -g\n",
    );
    let mut k = director();
    let mut c = Conn::open(80);
    assert_eq!(c.ping("p"), "r1 p");
    drop(c);
    let args = ["-t", "10.9.0.100:80", "-r", RS1, "--interval", "0.2"];
    let (exit, out, err) = finish(drain(&args));
    assert_eq!((exit, out.as_str()), (Exit::Code(0), ""), "{err}");
    let waiting = "draining, 1 left (0 active, 0 inactive, 1 templates)";
    assert!(
        err.contains(&format!("{NAME1}: {waiting}")),
        "the template is waited for once the connection is gone: {err}"
    );
    assert!(err.contains(&format!("{NAME1}: drained, deleted")), "{err}");
    assert!(dest(&mut k, 80, RS1, 80).is_none());
}

#[test]
#[ignore = "guest lab"]
fn persistence_is_honoured_at_weight_zero() {
    support::require_guest();
    let _lab = lab();
    // A template to r1, then r2 joins: at weight 0, the client's next connection still goes
    // to r1 (expire_quiescent_template is 0), and the template keeps r1 past the timeout.
    table(
        "-A -t 10.9.0.100:83 -s rr -p 20
         -a -t 10.9.0.100:83 -r 10.9.0.11:83 -g
",
    );
    let mut k = director();
    let mut first = Conn::open(83);
    assert_eq!(first.ping("p"), "r1 p");
    drop(first);
    real_in_director("-a -t 10.9.0.100:83 -r 10.9.0.12:83 -g");
    let args = [
        "-t",
        "10.9.0.100:83",
        "-r",
        RS1,
        "--timeout",
        "2",
        "--interval",
        "0.2",
    ];
    let d = drain(&args);
    wait_for("weight 0", || {
        dest(&mut k, 83, RS1, 83).is_some_and(|d| d.weight == 0)
    });
    let again = Conn::open(83);
    assert_eq!(again.server, "r1", "the template leads to r1 at weight 0");
    let (exit, out, err) = finish(d);
    assert_eq!(exit, Exit::Code(4), "{err}");
    assert!(err.contains("1 templates); weight stays 0"), "{err}");
    assert_eq!(
        out,
        "ipvsadm --netns dn-d -e -t 10.9.0.100:83 -r 10.9.0.11:83 -g -w 1\n"
    );
    drop(again);
}

#[test]
#[ignore = "guest lab"]
fn someone_elses_removal_or_weight_is_left_alone() {
    support::require_guest();
    let _lab = lab();
    let mut rules = String::new();
    for p in [80, 81, 82] {
        rules += &format!(
            "-A -t 10.9.0.100:{p} -s rr\n-a -t 10.9.0.100:{p} -r 10.9.0.11:{p} -g\n\
             -a -t 10.9.0.100:{p} -r 10.9.0.12:{p} -g\n"
        );
    }
    table(&rules);
    let mut k = director();
    let held: Vec<Conn> = [80, 81, 82].map(|p| Conn::to(p, "r1")).into();
    let d = drain(&["-r", RS1, "--interval", "0.2", "-n"]);
    wait_for("weights 0", || {
        [80, 81, 82]
            .iter()
            .all(|&p| dest(&mut k, p, RS1, p).is_some_and(|d| d.weight == 0))
    });
    real_in_director("-d -t 10.9.0.100:80 -r 10.9.0.11:80");
    real_in_director("-e -t 10.9.0.100:81 -r 10.9.0.11:81 -g -w 7");
    real_in_director("-D -t 10.9.0.100:82");
    let (exit, out, err) = finish(d);
    assert_eq!((exit, out.as_str()), (Exit::Code(5), ""), "{err}");
    for line in [
        "-t 10.9.0.100:80 -r 10.9.0.11:80: removed by someone else; left alone",
        "-t 10.9.0.100:81 -r 10.9.0.11:81: weight set to 7 by someone else; left alone",
        "-t 10.9.0.100:82 -r 10.9.0.11:82: its service was removed by someone else; left alone",
    ] {
        assert!(err.contains(line), "{line} in {err}");
    }
    assert!(!err.contains("cannot"), "no error storm: {err}");
    assert!(dest(&mut k, 80, RS1, 80).is_none(), "not re-created");
    let w = dest(&mut k, 81, RS1, 81).map(|d| d.weight);
    assert_eq!(w, Some(7), "their weight is kept");
    drop(held);
}

#[test]
#[ignore = "guest lab"]
fn sigint_and_sigterm_print_the_undo_line_and_keep_weight_zero() {
    support::require_guest();
    let _lab = lab();
    table(TWO);
    let mut k = director();
    let held = Conn::to(80, "r1");
    let d = drain(&["-t", "10.9.0.100:80", "-r", RS1, "--interval", "0.2"]);
    wait_for("weight 0", || {
        dest(&mut k, 80, RS1, 80).is_some_and(|d| d.weight == 0)
    });
    // SAFETY: signalling our own child, not reaped yet.
    unsafe { libc::kill(d.id() as libc::pid_t, libc::SIGINT) };
    let (exit, out, err) = finish(d);
    assert_eq!(exit, Exit::Code(130), "{err}");
    assert_eq!(
        out,
        "ipvsadm --netns dn-d -e -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 1\n"
    );
    let why = "interrupted, 1 left (1 active, 0 inactive, 0 templates); weight stays 0";
    assert!(err.contains(&format!("{NAME1}: {why}")), "{err}");
    assert_eq!(dest(&mut k, 80, RS1, 80).map(|d| d.weight), Some(0));
    // SIGTERM alike, once the first progress line shows the watch runs (the handlers are in
    // place by then). The server was at weight 0 already: its undo puts back 0.
    let mut d = drain(&["-t", "10.9.0.100:80", "-r", RS1, "--interval", "0.2"]);
    let mut progress = BufReader::new(d.stderr.take().expect("stderr"));
    let mut first = String::new();
    let _ = progress.read_line(&mut first);
    assert!(first.contains(": draining, 1 left"), "{first}");
    // SAFETY: as above.
    unsafe { libc::kill(d.id() as libc::pid_t, libc::SIGTERM) };
    let (exit, out, _) = finish(d);
    let mut err = String::new();
    let _ = progress.read_to_string(&mut err);
    assert_eq!(exit, Exit::Code(143), "{err}");
    assert!(err.contains(": interrupted, 1 left"), "{err}");
    assert_eq!(
        out,
        "ipvsadm --netns dn-d -e -t 10.9.0.100:80 -r 10.9.0.11:80 -g -w 0\n"
    );
    drop(held);
}

#[test]
#[ignore = "guest lab"]
fn live_lines_on_a_terminal_are_rewritten_in_place() {
    support::require_guest();
    let _lab = lab();
    table(TWO);
    let mut k = director();
    let held = Conn::to(80, "r1");
    let tmux = "TMUX_TMPDIR=/run/dn-tmux tmux";
    let cmd = format!(
        "{} --netns dn-d drain -n -t 10.9.0.100:80 -r 10.9.0.11:80 --interval 0.2; echo drain-exit=$?; sleep 60",
        support::ours()
    );
    let start =
        format!("mkdir -p /run/dn-tmux && {tmux} new-session -d -s drain -x 160 -y 12 '{cmd}'");
    support::ok(&support::sh(&start), "tmux");
    let screen = || support::text(&support::sh(&format!("{tmux} capture-pane -p -t drain")).stdout);
    let mut seen = String::new();
    wait_for("the live line", || {
        seen = screen();
        seen.contains("draining, 1 left (1 active")
    });
    // The elapsed time moves: the line is redrawn.
    wait_for("a redrawn live line", || {
        let s = screen();
        let changed = s != seen;
        seen = s;
        changed
    });
    let lines = |s: &str| s.lines().filter(|l| l.contains("-r 10.9.0.11:80")).count();
    assert_eq!(
        lines(&seen),
        1,
        "one line per server, rewritten in place:\n{seen}"
    );
    assert!(dest(&mut k, 80, RS1, 80).is_some());
    drop(held);
    wait_for("the end", || {
        seen = screen();
        seen.contains("drain-exit=")
    });
    let _ = support::sh(&format!("{tmux} kill-server"));
    assert!(seen.contains("drained, deleted"), "{seen}");
    assert!(seen.contains("drain-exit=0"), "{seen}");
    assert_eq!(lines(&seen), 1, "{seen}");
}
