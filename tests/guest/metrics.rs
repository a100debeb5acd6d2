//! In-guest tests of `ipvsadm metrics` with real traffic: TCP connections
//! through a masquerading service to a listener of the test itself, then
//! the exposition text checked against Debian's `ipvsadm -L -n --stats
//! --exact` and `-L -n` of the same moment, the `--textfile` file and the
//! `--listen` endpoint scraped over TCP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{self, ok, Exit};

/// The table: a TCP service with traffic, an idle fwmark and IPv6 one.
fn build_table() {
    let o = support::sh("ip addr add 10.0.0.1/32 dev lo");
    ok(&o, "ip addr");
    for args in [
        &["-A", "-t", "10.0.0.1:80", "-s", "rr"][..],
        &[
            "-a",
            "-t",
            "10.0.0.1:80",
            "-r",
            "127.0.0.1:8080",
            "-m",
            "-w",
            "2",
        ],
        &["-A", "-f", "10", "-s", "rr"],
        &["-a", "-f", "10", "-r", "10.1.0.6:0", "-g", "-w", "3"],
        &["-A", "-t", "[2001:db8::1]:443", "-s", "wlc"],
        &[
            "-a",
            "-t",
            "[2001:db8::1]:443",
            "-r",
            "[2001:db8::a]:443",
            "-m",
        ],
    ] {
        ok(&support::our_ipvsadm(args), &format!("{args:?}"));
    }
}

/// `n` request/answer exchanges through the service: a listener of ours
/// on 127.0.0.1:8080 answers each connection and closes it.
fn traffic(n: usize) {
    let l = TcpListener::bind("127.0.0.1:8080").expect("bind 127.0.0.1:8080");
    let server = std::thread::spawn(move || {
        for _ in 0..n {
            let (mut s, _) = l.accept().expect("accept");
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf);
            s.write_all(b"hello from the real server\n")
                .expect("answer");
        }
    });
    for i in 0..n {
        let mut c =
            TcpStream::connect_timeout(&"10.0.0.1:80".parse().unwrap(), Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("connection {i} through the service: {e}"));
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(b"ping\n").unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        assert_eq!(answer, "hello from the real server\n");
    }
    server.join().expect("server thread");
}

/// The value of the sample whose line starts with `start` (name and the
/// beginning of its labels) and contains every one of `has`.
fn value(text: &str, start: &str, has: &[&str]) -> u64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(start) && has.iter().all(|h| l.contains(h)))
        .unwrap_or_else(|| panic!("no sample {start} {has:?} in\n{text}"));
    let v = line.rsplit(' ').next().unwrap_or("");
    v.parse()
        .unwrap_or_else(|_| panic!("bad value in {line:?}"))
}

/// The numbers of the `-L -n --stats --exact` (or `-L -n`) line that
/// starts with `start` (after leading blanks).
fn listed(text: &str, start: &str) -> Vec<u64> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line {start} in\n{text}"));
    line.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

fn stats_listing() -> String {
    ok(
        &support::real_ipvsadm(&["-L", "-n", "--stats", "--exact"]),
        "stats",
    )
}

/// Wait until the kernel's counters show the `conns` connections and stand
/// still: the kernel folds its per-CPU counters into the ones it reports
/// every two seconds (its rate estimator's period).
fn settle(conns: u64) {
    for _ in 0..30 {
        let a = stats_listing();
        if listed(&a, "TCP  10.0.0.1:80").first() == Some(&conns) {
            std::thread::sleep(Duration::from_millis(2500));
            if stats_listing() == a {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("the counters never showed {conns} connections and stood still");
}

/// Our text and Debian's two listings, taken when the counters stand
/// still (the same before and after ours).
fn snapshot() -> (String, String, String) {
    for _ in 0..10 {
        let before = ok(
            &support::real_ipvsadm(&["-L", "-n", "--stats", "--exact"]),
            "stats",
        );
        let ours = ok(&support::our_ipvsadm(&["metrics"]), "metrics");
        let list = ok(&support::real_ipvsadm(&["-L", "-n"]), "-L -n");
        let after = ok(
            &support::real_ipvsadm(&["-L", "-n", "--stats", "--exact"]),
            "stats",
        );
        if before == after {
            return (ours, before, list);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("the counters never stood still");
}

fn check_against_listings(text: &str, stats: &str, list: &str) {
    // [conns, inpkts, outpkts, inbytes, outbytes] after the address:port.
    let svc = listed(stats, "TCP  10.0.0.1:80");
    assert_eq!(svc[0], 3, "{stats}");
    for (i, name) in [
        "node_ipvs_connections_total ",
        "node_ipvs_incoming_packets_total ",
        "node_ipvs_outgoing_packets_total ",
        "node_ipvs_incoming_bytes_total ",
        "node_ipvs_outgoing_bytes_total ",
    ]
    .iter()
    .enumerate()
    {
        // The only service with traffic: the kernel's totals are its counters.
        assert_eq!(value(text, name, &[]), svc[i], "{name}\n{text}\n{stats}");
    }
    // -> 127.0.0.1:8080 Masq weight active inactive
    let d = listed(list, "-> 127.0.0.1:8080");
    let web = [
        "local_address=\"10.0.0.1\"",
        "local_port=\"80\"",
        "remote_address=\"127.0.0.1\"",
        "remote_port=\"8080\"",
        "proto=\"TCP\"",
        "local_mark=\"\"",
    ];
    let n = |name: &str| value(text, name, &web);
    assert_eq!(n("node_ipvs_backend_weight{"), d[d.len() - 3]);
    assert_eq!(n("node_ipvs_backend_connections_active{"), d[d.len() - 2]);
    assert_eq!(n("node_ipvs_backend_connections_inactive{"), d[d.len() - 1]);
    assert_eq!(d[d.len() - 2] + d[d.len() - 1], 3, "{list}");
    let mark = [
        "local_address=\"\"",
        "local_port=\"0\"",
        "remote_address=\"10.1.0.6\"",
        "proto=\"FWM\"",
        "local_mark=\"0000000A\"",
    ];
    assert_eq!(value(text, "node_ipvs_backend_weight{", &mark), 3);
    let v6 = [
        "local_address=\"2001:db8::1\"",
        "local_port=\"443\"",
        "remote_address=\"2001:db8::a\"",
    ];
    assert_eq!(value(text, "node_ipvs_backend_weight{", &v6), 1);
}

fn check_by_service(stats: &str) {
    let text = ok(
        &support::our_ipvsadm(&["metrics", "--by", "service", "-n"]),
        "by service",
    );
    check_promtool(&text);
    assert!(!text.contains("remote_address"), "{text}");
    let svc = listed(stats, "TCP  10.0.0.1:80");
    let web = [
        "local_address=\"10.0.0.1\"",
        "local_port=\"80\"",
        "proto=\"TCP\"",
    ];
    for (i, name) in [
        "ipvsadm_service_connections_total{",
        "ipvsadm_service_incoming_packets_total{",
        "ipvsadm_service_outgoing_packets_total{",
        "ipvsadm_service_incoming_bytes_total{",
        "ipvsadm_service_outgoing_bytes_total{",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(value(&text, name, &web), svc[i], "{name}\n{text}\n{stats}");
    }
    assert_eq!(value(&text, "ipvsadm_service_weight{", &web), 2);
    let mark = ["proto=\"FWM\"", "local_mark=\"0000000A\""];
    assert_eq!(value(&text, "ipvsadm_service_backends{", &mark), 1);
}

fn check_textfile(expected: &str) {
    let dir = format!("/run/ipvsadm-metrics-{}", std::process::id());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = format!("{dir}/ipvs.prom");
    std::fs::write(&file, "old\n").unwrap();
    ok(
        &support::our_ipvsadm(&["metrics", "--textfile", &file]),
        "textfile",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "a temporary file is left"
    );
    let bad = format!("{dir}/missing/ipvs.prom");
    let o = support::our_ipvsadm(&["metrics", "--textfile", &bad]);
    assert_eq!(o.exit, Exit::Code(1));
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(e.starts_with(&format!("ipvsadm metrics: {bad}: ")), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One HTTP exchange with the listener: the whole answer.
fn http(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).expect("connect to the listener");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    r
}

/// A child process killed (and reaped) when dropped, even when a check
/// fails halfway.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `metrics --listen`, wait until it accepts.
fn listener(addr: &str) -> Server {
    let child = Command::new(support::ours())
        .args(["metrics", "--listen", addr])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start metrics --listen");
    let server = Server(child);
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("metrics --listen {addr} never accepted");
}

fn check_listen(expected: &str) {
    let addr = "127.0.0.1:9101";
    let mut server = listener(addr);
    let r = http(addr, b"GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n");
    let (head, body) = r.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    assert_eq!(body, expected);
    assert!(http(addr, b"GET /other HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
    assert!(http(addr, b"DELETE /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405 "));
    assert!(http(addr, b"\x00\xff garbage\r\n\r\n").starts_with("HTTP/1.1 400 "));
    // A client that goes away without a word does not stop the server.
    drop(TcpStream::connect(addr).unwrap());
    let again = http(addr, b"GET /metrics HTTP/1.0\r\n\r\n");
    assert!(again.ends_with(expected), "{again}");
    assert_eq!(server.0.try_wait().unwrap(), None, "the listener exited");
}

/// `--netns` pointing at this thread's namespace, from another one: the
/// same text (the totals file included, which follows the namespace).
fn check_netns(expected: &str) {
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let ns = format!("/proc/{}/task/{tid}/ns/net", std::process::id());
    let o = std::thread::spawn(move || {
        support::enter_fresh_netns().expect("another namespace");
        support::our_ipvsadm(&["metrics", "--netns", &ns])
    })
    .join()
    .expect("the other namespace's thread");
    assert_eq!(ok(&o, "--netns"), expected);
}

/// Prometheus' own checker (Debian package `prometheus`, installed by
/// lab/setup): a missing promtool fails the test rather than skipping it.
fn check_promtool(text: &str) {
    let promtool = Path::new("/usr/bin/promtool");
    assert!(
        promtool.exists(),
        "no /usr/bin/promtool: install Debian's prometheus package (lab/setup does)"
    );
    let o = support::run(
        promtool,
        "promtool",
        &["check".to_string(), "metrics".to_string()],
        Some(text.as_bytes()),
    );
    assert_eq!(
        o.exit,
        Exit::Code(0),
        "promtool check metrics:\n{}{}\n{text}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
#[ignore = "guest lab"]
fn metrics_agree_with_the_listings_after_real_traffic() {
    support::require_guest();
    support::in_netns(|| {
        build_table();
        traffic(3);
        settle(3);
        let (text, stats, list) = snapshot();
        check_against_listings(&text, &stats, &list);
        check_promtool(&text);
        check_by_service(&stats);
        check_textfile(&text);
        check_listen(&text);
        check_netns(&text);
    });
}

#[test]
#[ignore = "guest lab"]
fn metrics_command_line() {
    support::require_guest();
    let o = support::our_ipvsadm(&["metrics", "-h"]);
    assert!(ok(&o, "-h").starts_with("Usage: ipvsadm metrics "));
    let o = support::our_ipvsadm(&["metrics", "--by", "dest"]);
    assert_eq!(o.exit, Exit::Code(2));
    assert!(o.stdout.is_empty());
    support::in_netns(|| {
        // An empty table: the totals, and the families without samples.
        let text = ok(&support::our_ipvsadm(&["metrics"]), "empty");
        assert_eq!(value(&text, "node_ipvs_connections_total ", &[]), 0);
        assert!(!text.contains("{"), "{text}");
        // An address in use: a clear error, status 1.
        let _held = TcpListener::bind("127.0.0.1:9102").unwrap();
        let o = support::our_ipvsadm(&["metrics", "--listen", "127.0.0.1:9102"]);
        assert_eq!(o.exit, Exit::Code(1));
        let e = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(e.starts_with("ipvsadm metrics: 127.0.0.1:9102: "), "{e}");
    });
}
