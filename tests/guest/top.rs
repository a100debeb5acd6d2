//! In-guest tests of `ipvsadm top` with real traffic: TCP connections
//! through two masquerading services to listeners of the test itself
//! (small answers through one, 100 KB answers through the other), while
//! `top --json` runs; its counters and deltas are checked against
//! Debian's `ipvsadm -L -n --stats --exact`, its rates against its
//! deltas and intervals, its order against its rates; services added,
//! zeroed and deleted while it runs. The live view runs under tmux as a
//! person would see it: keys typed with `send-keys`, the screen read
//! with `capture-pane`, the terminal's settings checked after each way
//! out (q, Ctrl-C, SIGTERM).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{self, ok, Exit};

/// The small service and the large one.
const SMALL: &str = "10.0.0.1:80";
const LARGE: &str = "10.0.0.2:80";
/// Bytes each connection through [`SMALL`] and [`LARGE`] receives.
const SMALL_ANSWER: usize = 1_000;
const LARGE_ANSWER: usize = 100_000;

/// Two NAT services to listeners on 127.0.0.1:8080 and 127.0.0.2:8080,
/// and an idle fwmark service.
fn build_table() {
    ok(
        &support::sh("ip addr add 10.0.0.1/32 dev lo && ip addr add 10.0.0.2/32 dev lo"),
        "ip addr",
    );
    for args in [
        &["-A", "-t", SMALL, "-s", "rr"][..],
        &["-a", "-t", SMALL, "-r", "127.0.0.1:8080", "-m"],
        &["-A", "-t", LARGE, "-s", "rr"],
        &["-a", "-t", LARGE, "-r", "127.0.0.2:8080", "-m"],
        &["-A", "-f", "6", "-s", "rr"],
    ] {
        ok(&support::our_ipvsadm(args), &format!("{args:?}"));
    }
}

/// Listeners answering every connection (`size` bytes) until `stop`.
fn serve(addr: &'static str, size: usize, stop: Arc<AtomicBool>) {
    let l = TcpListener::bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    l.set_nonblocking(true).expect("nonblocking listener");
    std::thread::spawn(move || {
        let answer = vec![b'x'; size];
        while !stop.load(Ordering::SeqCst) {
            match l.accept() {
                Ok((mut s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let _ = s.write_all(&answer);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
}

/// One connection through the service `to`: the whole answer's length.
fn fetch(to: &str) -> usize {
    let mut c = TcpStream::connect_timeout(&to.parse().unwrap(), Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("connection through {to}: {e}"));
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut v = Vec::new();
    c.read_to_end(&mut v).expect("the answer");
    v.len()
}

/// The numbers of the listing line whose name is `name`.
fn listed(text: &str, name: &str) -> Vec<u64> {
    let line = text
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == name))
        .unwrap_or_else(|| panic!("no line {name} in\n{text}"));
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

/// The `-L -n --stats --exact` listing once it shows `small` and `large`
/// connections and stands still (the kernel folds its per-CPU counters
/// into the reported ones every two seconds).
fn settled(small: u64, large: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let a = stats_listing();
        if listed(&a, SMALL)[0] == small && listed(&a, LARGE)[0] == large {
            std::thread::sleep(Duration::from_millis(2500));
            if stats_listing() == a {
                return a;
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("the counters never showed {small} + {large} connections and stood still");
}

/// A running `top`, its stdout lines on a channel; killed when dropped.
struct Top {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Top {
    fn start(args: &[&str]) -> Top {
        let mut child = Command::new(support::ours())
            .arg("top")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start top");
        let out = child.stdout.take().expect("top's stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Top { child, lines }
    }

    /// The next snapshot (a JSON line), waiting at most 20 s.
    fn next(&self) -> Value {
        let l = self
            .lines
            .recv_timeout(Duration::from_secs(20))
            .expect("top printed no snapshot for 20 s");
        serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
    }

    /// Snapshots up to the first one `until` accepts (all of them).
    fn until(&self, what: &str, until: impl Fn(&Value) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            let v = self.next();
            let done = until(&v);
            seen.push(v);
            if done {
                return seen;
            }
        }
        panic!(
            "no snapshot {what} within 30 s; the last: {:?}",
            seen.last()
        );
    }
}

impl Drop for Top {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The service object of `snap` for `addr:port`, if listed.
fn service<'a>(snap: &'a Value, addr_port: &str) -> Option<&'a Value> {
    let (a, p) = addr_port.split_once(':')?;
    snap["services"]
        .as_array()?
        .iter()
        .find(|s| s["address"].as_str() == Some(a) && s["port"].as_u64() == p.parse().ok())
}

const FIELDS: [&str; 5] = ["conns", "inpkts", "outpkts", "inbytes", "outbytes"];
const RATES: [&str; 5] = ["cps", "inpps", "outpps", "inbps", "outbps"];

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// A service's (or server's) counters as `-L --stats --exact` lists them.
fn counters(obj: &Value) -> Vec<u64> {
    FIELDS.iter().map(|f| num(&obj["stats"][f])).collect()
}

/// In every snapshot and every row: the counters grew by exactly the
/// delta since the previous snapshot (from zero before the first), the
/// rates are the deltas over the interval, none is negative.
fn check_deltas_and_rates(snaps: &[Value], name: &str) {
    let mut before: Option<Vec<u64>> = Some(vec![0; 5]);
    for s in snaps {
        let row = service(s, name).unwrap_or_else(|| panic!("{name} missing in {s}"));
        let rows = std::iter::once(row).chain(row["servers"].as_array().into_iter().flatten());
        let interval = s["interval"].as_f64().expect("interval");
        assert!(interval > 0.0, "{s}");
        for r in rows {
            for (f, rate) in FIELDS.iter().zip(RATES) {
                let d = num(&r["delta"][f]) as f64;
                let got = r["rate"][rate].as_f64().expect("a rate");
                assert!(got >= 0.0);
                assert!(
                    (got - d / interval).abs() <= 1e-6 * (1.0 + got),
                    "{rate}: {r}"
                );
            }
        }
        let now = counters(row);
        let delta: Vec<u64> = FIELDS.iter().map(|f| num(&row["delta"][f])).collect();
        if let Some(b) = &before {
            let grown: Vec<u64> = now.iter().zip(b).map(|(n, b)| n - b).collect();
            assert_eq!(grown, delta, "{name}: counters and delta disagree in {s}");
        }
        before = Some(now);
    }
}

/// The rate a row is sorted by (-1 without a rate).
fn sort_value(r: &Value, key: &str) -> f64 {
    let g = |k: &str| r["rate"][k].as_f64().unwrap_or(-1.0);
    match key {
        "conns" => g("cps"),
        "packets" => g("inpps") + g("outpps"),
        _ => g("inbps") + g("outbps"),
    }
}

/// Services (and each one's servers) come largest first by `key`.
fn check_order(snap: &Value, key: &str) {
    let value = |r: &Value| sort_value(r, key);
    let in_order = |rows: &[Value]| rows.windows(2).all(|w| value(&w[0]) >= value(&w[1]));
    let svcs = snap["services"].as_array().expect("services");
    assert!(in_order(svcs), "not sorted by {key}: {snap}");
    for s in svcs {
        assert!(in_order(s["servers"].as_array().expect("servers")), "{s}");
    }
}

/// `top --json` of each sort, running while real traffic passes.
fn run_traffic(tops: &[(&str, Top)]) -> String {
    for (_, t) in tops {
        t.next(); // each has read its baseline before the traffic starts
    }
    for _ in 0..6 {
        assert_eq!(fetch(SMALL), SMALL_ANSWER);
    }
    for _ in 0..2 {
        assert_eq!(fetch(LARGE), LARGE_ANSWER);
    }
    settled(6, 2)
}

#[test]
#[ignore = "guest lab"]
fn top_json_agrees_with_the_counters_under_real_traffic() {
    support::require_guest();
    support::in_netns(|| {
        build_table();
        let stop = Arc::new(AtomicBool::new(false));
        serve("127.0.0.1:8080", SMALL_ANSWER, stop.clone());
        serve("127.0.0.2:8080", LARGE_ANSWER, stop.clone());
        let tops: Vec<(&str, Top)> = ["conns", "bytes", "packets"]
            .into_iter()
            .map(|k| (k, Top::start(&["-n", "-d", "0.5", "--json", "--sort", k])))
            .collect();
        let stats = run_traffic(&tops);
        let want = |name: &str| listed(&stats, name);
        for (key, top) in &tops {
            let snaps = top.until("with the settled counters", |s| {
                [SMALL, LARGE]
                    .iter()
                    .all(|n| service(s, n).is_some_and(|r| counters(r) == want(n)))
            });
            for name in [SMALL, LARGE] {
                check_deltas_and_rates(&snaps, name);
                let last = service(snaps.last().unwrap(), name).unwrap();
                let server = &last["servers"][0];
                let dest = if name == SMALL {
                    "127.0.0.1:8080"
                } else {
                    "127.0.0.2:8080"
                };
                assert_eq!(counters(server), listed(&stats, dest), "{key}: {last}");
            }
            for s in &snaps {
                check_order(s, key);
                assert_eq!(s["sort"], *key);
                let t = &s["totals"];
                let svcs = s["services"].as_array().unwrap();
                assert_eq!(num(&t["services"]), svcs.len() as u64);
                let sum: u64 = svcs.iter().map(|v| num(&v["stats"]["conns"])).sum();
                assert_eq!(num(&t["stats"]["conns"]), sum);
            }
            // Traffic was seen: in some interval, the first row had a rate.
            let moving = snaps
                .iter()
                .any(|s| sort_value(&s["services"][0], key) > 0.0);
            assert!(moving, "{key}: no interval showed traffic");
        }
        let conns = &tops[0].1;
        check_changes_while_running(conns);
        check_connection_counts(conns);
        stop.store(true, Ordering::SeqCst);
    });
}

/// Services added, zeroed and deleted while `top` runs: a new one has
/// no rate until its second snapshot, zeroed counters give no rate (never
/// a negative one), a deleted one disappears.
fn check_changes_while_running(top: &Top) {
    ok(&support::our_ipvsadm(&["-A", "-t", "10.0.0.3:80"]), "-A");
    let snaps = top.until("with the new service", |s| {
        service(s, "10.0.0.3:80").is_some()
    });
    let new = service(snaps.last().unwrap(), "10.0.0.3:80").unwrap();
    assert_eq!((&new["delta"], &new["rate"]), (&Value::Null, &Value::Null));
    let next = top.next();
    assert_eq!(service(&next, "10.0.0.3:80").unwrap()["rate"]["cps"], 0.0);
    ok(&support::real_ipvsadm(&["-Z"]), "-Z");
    let snaps = top.until("after -Z", |s| {
        service(s, SMALL).is_some_and(|r| num(&r["stats"]["conns"]) == 0)
    });
    let zeroed = service(snaps.last().unwrap(), SMALL).unwrap();
    assert_eq!(
        (&zeroed["delta"], &zeroed["rate"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(zeroed["servers"][0]["rate"], Value::Null);
    ok(&support::our_ipvsadm(&["-D", "-t", "10.0.0.3:80"]), "-D");
    top.until("without the deleted service", |s| {
        service(s, "10.0.0.3:80").is_none()
    });
    let after = top.next();
    assert_eq!(service(&after, SMALL).unwrap()["rate"]["cps"], 0.0);
}

/// ActiveConn and InActConn as `-L -n` shows them, read between two
/// identical listings.
fn check_connection_counts(top: &Top) {
    for _ in 0..10 {
        let a = ok(&support::real_ipvsadm(&["-L", "-n"]), "-L -n");
        let snap = top.next();
        let b = ok(&support::real_ipvsadm(&["-L", "-n"]), "-L -n");
        if a != b {
            continue;
        }
        for (svc, dest) in [(SMALL, "127.0.0.1:8080"), (LARGE, "127.0.0.2:8080")] {
            let l = listed(&a, dest);
            let r = &service(&snap, svc).unwrap()["servers"][0];
            let got = [num(&r["active_conns"]), num(&r["inactive_conns"])];
            assert_eq!(got, [l[l.len() - 2], l[l.len() - 1]], "{a}\n{r}");
        }
        return;
    }
    panic!("the connection counts never stood still");
}

/// The names of a listing's service and server lines: `TCP  a:b` and
/// `-> c:d` as words.
fn names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                ["->", n, ..] if n.contains(':') && *n != "RemoteAddress:Port" => {
                    Some(format!("-> {n}"))
                }
                [p @ ("TCP" | "UDP" | "SCTP"), n, ..] => Some(format!("{p} {n}")),
                ["FWM", m, ..] => Some(format!("FWM {m}")),
                _ => None,
            }
        })
        .collect()
}

#[test]
#[ignore = "guest lab"]
fn top_text_names_rows_as_list_does() {
    support::require_guest();
    support::in_netns(|| {
        build_table();
        for (numeric, list) in [(true, &["-L", "-n"][..]), (false, &["-L"][..])] {
            let mut args = vec!["top", "--once", "-d", "0.2"];
            if numeric {
                args.push("-n");
            }
            let text = ok(&support::our_ipvsadm(&args), "top --once");
            let l = ok(&support::real_ipvsadm(list), "-L");
            // No traffic: every rate is 0, so the rows keep -L's order.
            let got = names(&text);
            assert_eq!(got.len(), 5, "{text}");
            assert_eq!(got, names(&l), "{text}\n{l}");
            assert!(text.starts_with("ipvsadm top at "), "{text}");
            assert!(text.contains("\nTotal: 3 services, 2 servers "), "{text}");
            assert!(text.ends_with("\n\n"));
        }
        // --count: that many snapshots.
        let o = ok(
            &support::our_ipvsadm(&["top", "--count", "2", "-d", "0.2", "-n"]),
            "--count 2",
        );
        assert_eq!(o.matches("ipvsadm top at ").count(), 2, "{o}");
        // --netns from another namespace: the same rows.
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() };
        let ns = format!("/proc/{}/task/{tid}/ns/net", std::process::id());
        let o = std::thread::spawn(move || {
            support::enter_fresh_netns().expect("another namespace");
            support::our_ipvsadm(&["--netns", &ns, "top", "--once", "-d", "0.2", "-n"])
        })
        .join()
        .expect("the other namespace's thread");
        assert_eq!(names(&ok(&o, "--netns")).len(), 5);
    });
}

#[test]
#[ignore = "guest lab"]
fn top_command_line() {
    support::require_guest();
    let o = support::our_ipvsadm(&["top", "-h"]);
    assert!(ok(&o, "-h").starts_with("Usage: ipvsadm top "));
    for bad in [
        &["-d", "0"][..],
        &["--sort", "x"],
        &["--count", "0"],
        &["x"],
    ] {
        let mut args = vec!["top"];
        args.extend_from_slice(bad);
        let o = support::our_ipvsadm(&args);
        assert_eq!(o.exit, Exit::Code(2), "{bad:?}");
        assert!(o.stdout.is_empty());
        assert!(support::text(&o.stderr).starts_with("ipvsadm top: "));
    }
}

/// A tmux server of its own (socket under /run) running one window;
/// killed when dropped.
struct Tmux {
    sock: String,
}

impl Tmux {
    /// `tmux -S SOCKET args…`, with a terminal type for the client.
    fn run(&self, args: &[&str]) -> support::Output {
        let mut all = ["TERM=xterm", "/usr/bin/tmux", "-S", &self.sock]
            .map(str::to_string)
            .to_vec();
        all.extend(args.iter().map(|a| a.to_string()));
        support::run(std::path::Path::new("/usr/bin/env"), "env", &all, None)
    }

    /// A 110 × 24 window running `sh -c script`.
    fn start(script: &str) -> Tmux {
        let t = Tmux {
            sock: format!("/run/ipvsadm-top-tmux-{}", std::process::id()),
        };
        let o = t.run(&["new-session", "-d", "-x", "110", "-y", "24", script]);
        ok(&o, "tmux new-session");
        t
    }

    fn screen(&self) -> String {
        ok(&self.run(&["capture-pane", "-p"]), "capture-pane")
    }

    fn keys(&self, keys: &str) {
        ok(&self.run(&["send-keys", keys]), "send-keys");
    }

    /// The screen once `cond` holds for it (polled; at most 30 s).
    fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if cond(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "never {what}; the screen:\n{s}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn display(&self, format: &str) -> String {
        ok(&self.run(&["display-message", "-p", format]), "display")
            .trim()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The row of the screen that starts with `start` (after blanks): its
/// position and its CPS (`None`: `-`).
fn row(screen: &str, start: &str) -> Option<(usize, Option<f64>)> {
    screen.lines().enumerate().find_map(|(i, l)| {
        let l = l.trim_start();
        l.starts_with(start).then(|| {
            let cps = l.split_whitespace().nth(2).and_then(|w| w.parse().ok());
            (i, cps)
        })
    })
}

/// Whether the service row starting `first` is above the one starting
/// `second`, the lower one having some CPS (so not merely `-L` order).
fn above(screen: &str, first: &str, second: &str) -> bool {
    match (row(screen, first), row(screen, second)) {
        (Some((a, _)), Some((b, Some(cps)))) => a < b && cps > 0.0,
        _ => false,
    }
}

/// Connections through both services while `moving`: three small ones
/// for each large one, a few rounds a second (the guest is emulated:
/// more would slow everything else down).
fn steady_traffic(moving: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while moving.load(Ordering::SeqCst) {
            for _ in 0..3 {
                fetch(SMALL);
            }
            fetch(LARGE);
            std::thread::sleep(Duration::from_millis(200));
        }
    })
}

/// After run `n` of the window's loop ended with `status`: the shell's
/// line and the terminal's settings back (canonical input, echo,
/// signal keys), the normal screen and cursor back.
fn check_restored(t: &Tmux, n: u32, status: i32) {
    let line = format!("run {n} exit {status}");
    // The local modes among the words `stty -a` printed after the line.
    let modes = |s: &str| -> Vec<String> {
        let after = s.split(&line).nth(1).unwrap_or("");
        after
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|w| ["isig", "icanon", "echo"].contains(&w.trim_start_matches('-')))
            .map(str::to_string)
            .collect()
    };
    let s = t.wait_for(&line, |s| modes(s).len() == 3);
    assert_eq!(modes(&s), ["isig", "icanon", "echo"], "{s}");
    assert!(!s.contains("keys: c p b"), "the view is still shown:\n{s}");
    assert_eq!(t.display("#{alternate_on} #{cursor_flag}"), "0 1");
}

#[test]
#[ignore = "guest lab"]
fn top_live_view_under_tmux() {
    support::require_guest();
    support::in_netns(|| {
        build_table();
        let stop = Arc::new(AtomicBool::new(false));
        serve("127.0.0.1:8080", SMALL_ANSWER, stop.clone());
        serve("127.0.0.2:8080", LARGE_ANSWER, stop.clone());
        let moving = Arc::new(AtomicBool::new(true));
        let traffic = steady_traffic(moving.clone());
        // Three runs of the live view (the later ones numeric: no name
        // lookups again); after each, the shell prints the exit status and
        // the terminal's settings, then waits for Enter.
        let script = format!(
            "i=0; n=; while [ $i -lt 3 ]; do i=$((i+1)); {} top -d 1 $n; \
             echo \"run $i exit $?\"; stty -a; n=-n; read x; done; sleep 600",
            support::ours()
        );
        let t = Tmux::start(&script);
        let s = t.wait_for("the live view", |s| {
            s.contains("sorted by CPS   (keys: c p b")
        });
        // Names as -L shows them, then numeric after `n`.
        assert!(s.contains("\nTCP  10.0.0.1:http "), "{s}");
        t.keys("b");
        t.wait_for("sorted by bytes, the large service first", |s| {
            s.contains("sorted by InBPS+OutBPS") && above(s, "TCP  10.0.0.2:", "TCP  10.0.0.1:")
        });
        t.keys("c");
        t.wait_for("sorted by CPS, the small service first", |s| {
            s.contains("sorted by CPS ") && above(s, "TCP  10.0.0.1:", "TCP  10.0.0.2:")
        });
        // The rest needs no traffic.
        moving.store(false, Ordering::SeqCst);
        traffic.join().expect("traffic thread");
        t.keys("n");
        t.wait_for("numeric names", |s| {
            s.contains("\nTCP  10.0.0.1:80 ") && s.contains("\n  -> 127.0.0.1:8080 ")
        });
        t.keys("p");
        t.wait_for("sorted by packets", |s| {
            s.contains("sorted by InPPS+OutPPS")
        });
        t.keys("q");
        check_restored(&t, 1, 0);
        t.keys("Enter");
        t.wait_for("the second run", |s| s.contains("(keys: c p b"));
        t.keys("C-c");
        check_restored(&t, 2, 0);
        t.keys("Enter");
        t.wait_for("the third run", |s| s.contains("(keys: c p b"));
        let sh = t.display("#{pane_pid}");
        let children = std::fs::read_to_string(format!("/proc/{sh}/task/{sh}/children"))
            .expect("the window shell's children");
        let pid: libc::pid_t = children.trim().parse().expect("one child: top");
        // SAFETY: signalling the process just read from /proc.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        check_restored(&t, 3, 128 + libc::SIGTERM);
        stop.store(true, Ordering::SeqCst);
    });
}
