//! In-guest fault tests (issue 10): each shows how ours behaves when something goes wrong and
//! that no rule was lost or half-applied, compared with Debian's ipvsadm where it has an answer.
//!
//! - Not root: every kind of command run as user nobody answers like ipvsadm; table unchanged.
//! - Kernel errors in the middle of `-R` (small and 2000+ line inputs, errors at known lines)
//!   and a grammar error (which stops -R) late in a big input: same output, exit status and
//!   resulting table.
//! - The output pipe closed early (`-L -n | head -1` on 1500 services): same shell status,
//!   no stderr, with SIGPIPE at its default and ignored.
//! - Another process churning the table while we list: no crash, every line well-formed.
//! - Two `-R` at once, on disjoint and on overlapping rule sets: nothing lost, each service once.
//!
//! Every test works in its own network namespace; the table read-backs use the real binary.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, text, Exit, Output};

/// `-S -n` read with the real binary.
fn saved() -> String {
    let o = support::real_ipvsadm(&["-S", "-n"]);
    assert_eq!(o.exit, Exit::Code(0), "real -S -n: {o:?}");
    text(&o.stdout)
}

fn timeouts_and_daemons() -> String {
    let t = support::real_ipvsadm(&["-L", "-n", "--timeout"]);
    let d = support::real_ipvsadm(&["-L", "-n", "--daemon"]);
    format!("{}{}", text(&t.stdout), text(&d.stdout))
}

fn restore(program: &str, input: &str) -> Output {
    support::run(
        Path::new(program),
        "ipvsadm",
        &["-R".to_string()],
        Some(input.as_bytes()),
    )
}

fn sh_ok(script: &str) -> String {
    let o = support::sh(script);
    assert_eq!(o.exit, Exit::Code(0), "{script}: {o:?}");
    text(&o.stdout)
}

/// A private scratch directory under /tmp (tmpfs in the guest).
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

// ---------------------------------------------------------------------------------------------
// 1. Not root
// ---------------------------------------------------------------------------------------------

/// Runs `program args` as user nobody (uid/gid 65534, no supplementary groups), argv[0]
/// "ipvsadm", with `stdin`.
fn as_nobody(program: &str, args: &[&str], stdin: Option<&str>) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(program);
    cmd.arg0("ipvsadm")
        .args(args)
        .uid(65534)
        .gid(65534)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn as nobody");
    if let (Some(mut pipe), Some(data)) = (child.stdin.take(), stdin) {
        use std::io::Write as _;
        let _ = pipe.write_all(data.as_bytes());
    }
    let o = child.wait_with_output().expect("wait");
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

#[test]
#[ignore = "guest lab"]
fn not_root_every_command_like_ipvsadm() {
    support::require_guest();
    let t0 = Instant::now();
    support::in_netns(move || {
        sh_ok("ip link add d0 type dummy && ip link set d0 multicast on up");
        let setup =
            "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 3\n-A -f 7 -s wlc\n";
        assert_eq!(restore(support::REAL_IPVSADM, setup).exit, Exit::Code(0));
        sh_ok(&format!("{} --set 11 22 33", support::REAL_IPVSADM));
        let table = saved();
        let state = timeouts_and_daemons();
        let cmds: &[(&[&str], Option<&str>)] = &[
            (&["-A", "-t", "10.0.0.9:80"], None),
            (&["-D", "-t", "10.0.0.1:80"], None),
            (&["-a", "-t", "10.0.0.1:80", "-r", "10.1.0.9:80"], None),
            (&["-l", "-n", "--stats"], None),
            (&["-S", "-n"], None),
            (&["-C"], None),
            (&["-Z"], None),
            (&["--set", "1", "2", "3"], None),
            (&["-L", "--daemon"], None),
            (
                &["--start-daemon", "master", "--mcast-interface", "d0"],
                None,
            ),
            (&["-R"], Some("-C\n-A -t 10.0.0.5:80\n")),
        ];
        let mut n = 0;
        for (args, stdin) in cmds {
            let real = as_nobody(support::REAL_IPVSADM, args, *stdin);
            let ours = as_nobody(support::ours_for_nobody(), args, *stdin);
            assert_eq!(
                ours, real,
                "as nobody: ipvsadm {args:?} (left ours, right real)"
            );
            n += 1;
        }
        // the common answer: the permission message, exit 2
        let real = as_nobody(support::REAL_IPVSADM, &["-C"], None);
        assert_eq!(real.0, Some(2), "{real:?}");
        assert!(
            real.2.contains("Permission denied (you must be root)"),
            "{real:?}"
        );
        assert_eq!(saved(), table, "table changed by unprivileged commands");
        assert_eq!(timeouts_and_daemons(), state, "timeouts/daemons changed");
        eprintln!(
            "faults: not root: {n} commands, ours == real, table unchanged [{:?}]",
            t0.elapsed()
        );
    });
}

// ---------------------------------------------------------------------------------------------
// 2. Kernel errors in the middle of -R
// ---------------------------------------------------------------------------------------------

/// Runs `input` through `-R` of `program` in a fresh namespace; (output, resulting table).
fn restore_in_netns(program: &'static str, input: String) -> (Output, String) {
    support::in_netns(move || {
        sh_ok("ip addr add 10.200.0.1/16 dev lo");
        let o = restore(program, &input);
        (o, saved())
    })
}

fn restore_real_vs_ours(what: &str, input: &str) -> (Output, String) {
    let real = restore_in_netns(support::REAL_IPVSADM, input.to_string());
    let ours = restore_in_netns(support::ours(), input.to_string());
    assert_eq!(ours.0.exit, real.0.exit, "{what}: exit (ours, real)");
    assert_eq!(
        text(&ours.0.stderr),
        text(&real.0.stderr),
        "{what}: stderr (ours, real)"
    );
    assert_eq!(
        text(&ours.0.stdout),
        text(&real.0.stdout),
        "{what}: stdout (ours, real)"
    );
    assert_eq!(ours.1, real.1, "{what}: resulting table (ours, real)");
    real
}

fn svc(i: usize) -> String {
    format!("10.{}.{}.{}:80", 100 + i / 65536, (i / 256) % 256, i % 256)
}

#[test]
#[ignore = "guest lab"]
fn restore_kernel_errors_midway_like_ipvsadm() {
    support::require_guest();
    let t0 = Instant::now();
    let small = "\
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m
-A -t 10.0.0.1:80 -s wrr
-a -t 10.0.0.2:80 -r 10.1.0.1:80 -m
-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m
-d -t 10.0.0.1:80 -r 10.1.0.7:80
-e -t 10.0.0.3:80 -r 10.1.0.1:80
-D -t 10.0.0.4:80
-A -t 10.0.0.5:80 -s nosuchsched
-A -u 10.0.0.1:53 -s wlc
-a -u 10.0.0.1:53 -r 10.1.0.2:53 -i -w 2
-A -t 10.0.0.1:80
";
    let (r, table) = restore_real_vs_ours("small -R", small);
    assert!(
        !r.stderr.is_empty() && table.contains("10.1.0.2:53"),
        "{r:?}\n{table}"
    );
    // Ending on a good line: exit 0 like ipvsadm, errors still reported.
    let ok_end = format!("{small}-A -t 10.0.0.6:80\n");
    restore_real_vs_ours("small -R ending well", &ok_end);

    // 2000+ lines: services with a dest each; errors at known lines.
    let mut big = String::new();
    let mut errors = 0;
    for i in 0..1000 {
        big.push_str(&format!("-A -t {} -s rr\n", svc(i)));
        big.push_str(&format!("-a -t {} -r 10.200.0.2:80 -m -w 1\n", svc(i)));
        if i % 97 == 50 {
            big.push_str(&format!("-A -t {} -s wlc\n", svc(i / 2))); // exists
            big.push_str(&format!("-a -t {} -r 10.200.0.3:80 -m\n", svc(5000 + i))); // no service
            big.push_str(&format!("-d -t {} -r 10.200.0.9:80\n", svc(i))); // no dest
            errors += 3;
        }
    }
    let (r, table) = restore_real_vs_ours("big -R with kernel errors", &big);
    assert_eq!(
        text(&r.stderr).lines().count(),
        errors,
        "one message per failing line: {}",
        text(&r.stderr)
    );
    assert_eq!(table.lines().filter(|l| l.starts_with("-A ")).count(), 1000);
    assert_eq!(table.lines().filter(|l| l.starts_with("-a ")).count(), 1000);

    // A grammar error at line 1501 (of 2000+) stops the run: lines before it applied (less
    // their kernel errors), none after it.
    let mut lines: Vec<String> = big.lines().map(str::to_string).collect();
    lines[1500] = "-A -t 10.0.0.1:80 -s rr -w 5".to_string();
    let mut with_syntax = lines.join("\n");
    with_syntax.push('\n');
    let (r, table) = restore_real_vs_ours("big -R with a grammar error", &with_syntax);
    assert_ne!(r.exit, Exit::Code(0), "{r:?}");
    let applied = table.lines().count();
    assert!(
        (1400..1500).contains(&applied),
        "{applied} rules after a grammar error at line 1501"
    );

    // Lines that are not changes amid full batches: a listing (it must see every change
    // before it), a zeroing, an option error that fails only its line, then -v (ends all).
    let mut lines: Vec<String> = big.lines().map(str::to_string).collect();
    lines.insert(1700, "-L -n -t 10.100.0.5:80".to_string());
    lines.insert(1300, "-S -n".to_string());
    lines.insert(900, "-Z".to_string());
    lines.insert(600, "-L -n --nosuchoption".to_string());
    lines.push("-v".to_string());
    lines.push("-A -t 10.0.0.99:80".to_string());
    let mut mixed = lines.join("\n");
    mixed.push('\n');
    let (r, table) = restore_real_vs_ours("big -R with listings, -Z, a line error, -v", &mixed);
    assert!(text(&r.stdout).contains("10.200.0.2:80"), "{r:?}");
    assert!(!table.contains("10.0.0.99:80"), "nothing after -v");
    eprintln!(
        "faults: -R midway errors: small, {}-line ({errors} kernel errors), grammar error at \
         line 1501, listings and -v amid batches: ours == real (output, exit, table) [{:?}]",
        big.lines().count(),
        t0.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Output pipe closed early
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "guest lab"]
fn output_pipe_closed_early_like_ipvsadm() {
    support::require_guest();
    // 3000 services: 140 KB of -L -n, far beyond one 4 KB stdio buffer and
    // beyond what the pipe (64 KiB) and head's first read can hold together:
    // with 70 KB, a writer could finish before head closed its end (seen
    // once, on a loaded host).
    const SERVICES: usize = 3000;
    let t0 = Instant::now();
    support::in_netns(move || {
        let mut rules = String::new();
        for i in 0..SERVICES {
            rules.push_str(&format!("-A -t {} -s rr\n", svc(i)));
        }
        let o = restore(support::ours(), &rules);
        assert_eq!(o.exit, Exit::Code(0), "{o:?}");
        for (trap, list) in [
            ("", "-L -n"),
            ("", "-S -n"),
            ("trap '' PIPE;", "-L -n"),
            ("trap '' PIPE;", "-S -n"),
        ] {
            let script = |prog: &str| {
                format!(
                    "{trap} {prog} {list} 2>/tmp/faults-pipe-err | head -1; \
                     echo \"status ${{PIPESTATUS[0]}}\"; cat /tmp/faults-pipe-err"
                )
            };
            let run = |prog: &str| {
                let mut cmd = Command::new("/bin/bash");
                cmd.arg("-c").arg(script(prog));
                let o = cmd.output().expect("bash");
                text(&o.stdout)
            };
            let real = run(support::REAL_IPVSADM);
            let ours = run(support::ours());
            assert_eq!(ours, real, "`{trap} ipvsadm {list} | head -1` (ours, real)");
            assert_eq!(
                real.lines().count(),
                2,
                "one line, the status, no stderr: {real}"
            );
            eprintln!(
                "faults: `{trap} ipvsadm {list} | head -1` on {SERVICES} services: {}",
                real.lines().nth(1).unwrap_or("")
            );
        }
        assert_eq!(saved().lines().count(), SERVICES);
        eprintln!("faults: closed pipe [{:?}]", t0.elapsed());
    });
}

// ---------------------------------------------------------------------------------------------
// 4. A second process changing the table while we list
// ---------------------------------------------------------------------------------------------

fn is_uint(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `addr:port` as printed with -n: IPv4 `a.b.c.d:p` or IPv6 `[..]:p`.
fn is_addr_port(s: &str) -> bool {
    match s.rsplit_once(':') {
        Some((a, p)) if is_uint(p) => {
            a.parse::<std::net::Ipv4Addr>().is_ok()
                || a.strip_prefix('[')
                    .and_then(|a| a.strip_suffix(']'))
                    .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok())
        }
        _ => false,
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.,:".contains(&b))
}

/// One line of `-L -n`: its kind or None when it matches no line grammar.
fn list_line_kind(line: &str) -> Option<&'static str> {
    let t: Vec<&str> = line.split_whitespace().collect();
    if line.starts_with("IP Virtual Server version ") && line.ends_with(')') {
        return Some("version");
    }
    if line == "Prot LocalAddress:Port Scheduler Flags" {
        return Some("header1");
    }
    if line.starts_with("  -> RemoteAddress:Port") && t.len() == 6 {
        return Some("header2");
    }
    if line.starts_with("  -> ") {
        let ok = t.len() == 6
            && is_addr_port(t[1])
            && ["Masq", "Local", "Tunnel", "Route"].contains(&t[2])
            && t[3..].iter().all(|x| is_uint(x));
        return ok.then_some("dest");
    }
    let ok = t.len() >= 3
        && ["TCP", "UDP", "SCTP"].contains(&t[0])
        && is_addr_port(t[1])
        && t[2..].iter().all(|x| is_word(x));
    ok.then_some("service")
}

/// One line of `-S -n`.
fn save_line_ok(line: &str) -> bool {
    let t: Vec<&str> = line.split_whitespace().collect();
    match t.as_slice() {
        ["-A", "-t", a, "-s", s, rest @ ..] => {
            is_addr_port(a) && is_word(s) && rest.iter().all(|x| is_word(x))
        }
        ["-a", "-t", a, "-r", d, fwd, "-w", w] => {
            is_addr_port(a) && is_addr_port(d) && ["-m", "-g", "-i"].contains(fwd) && is_uint(w)
        }
        _ => false,
    }
}

#[test]
#[ignore = "guest lab"]
fn listing_while_another_process_changes_the_table() {
    support::require_guest();
    const CHURNED: usize = 500;
    let t0 = Instant::now();
    support::in_netns(move || {
        sh_ok("ip addr add 10.200.0.1/16 dev lo");
        let mut rules = String::new();
        for i in 0..CHURNED {
            rules.push_str(&format!("-A -t {} -s rr\n", svc(i)));
            if i % 5 == 0 {
                rules.push_str(&format!("-a -t {} -r 10.200.0.2:80 -m -w 1\n", svc(i)));
            }
        }
        assert_eq!(restore(support::ours(), &rules).exit, Exit::Code(0));
        let quiet = Instant::now();
        assert_eq!(support::our_ipvsadm(&["-L", "-n"]).exit, Exit::Code(0));
        let quiet = quiet.elapsed();
        // The churn: real ipvsadm -R fed an endless stream that deletes and re-adds services
        // (with dests) all over the table, plus edits.
        let churn = format!(
            "awk 'BEGIN {{ for (n = 0; ; n++) {{ i = (n * 7919) % {CHURNED}; \
               s = sprintf(\"10.100.%d.%d:80\", int(i / 256), i % 256); \
               print \"-D -t \" s; print \"-A -t \" s \" -s wlc\"; \
               print \"-a -t \" s \" -r 10.200.0.2:80 -m -w 1\"; \
               print \"-a -t \" s \" -r 10.200.1.\" (n % 200) \":80 -m -w 2\"; \
               print \"-E -t 10.100.0.1:80 -s \" (n % 2 ? \"rr\" : \"wrr\") }} }}' \
               | {} -R >/dev/null 2>&1",
            support::REAL_IPVSADM
        );
        let mut churner = Command::new("/bin/sh")
            .arg("-c")
            .arg(&churn)
            .process_group(0)
            .spawn()
            .expect("churn");
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        let (mut lists, mut saves, mut errors, mut lines) = (0, 0, 0, 0usize);
        let mut error_texts: Vec<String> = Vec::new();
        let mut failure: Option<String> = None;
        'outer: while started.elapsed() < Duration::from_secs(15) && lists < 3 {
            for save in [false, true] {
                let args: &[&str] = if save { &["-S", "-n"] } else { &["-L", "-n"] };
                let o = support::our_ipvsadm(args);
                match o.exit {
                    Exit::Code(0) if o.stderr.is_empty() => {}
                    Exit::Code(1) => {
                        errors += 1;
                        let e = text(&o.stderr);
                        if e.lines().count() != 1 || e.contains("panic") {
                            failure = Some(format!("unclean error: {e:?}"));
                            break 'outer;
                        }
                        if !error_texts.contains(&e) {
                            error_texts.push(e);
                        }
                    }
                    _ => {
                        failure = Some(format!(
                            "ipvsadm {args:?}: {} {:?}",
                            o.exit,
                            text(&o.stderr)
                        ));
                        break 'outer;
                    }
                }
                let out = text(&o.stdout);
                for (no, l) in out.lines().enumerate() {
                    lines += 1;
                    let ok = if save {
                        save_line_ok(l)
                    } else {
                        match (no, list_line_kind(l)) {
                            (0, Some("version")) | (1, Some("header1")) | (2, Some("header2")) => {
                                true
                            }
                            (n, Some("service" | "dest")) => n > 2,
                            _ => false,
                        }
                    };
                    if !ok {
                        failure = Some(format!("garbled line {} of {args:?}: {l:?}", no + 1));
                        break 'outer;
                    }
                }
                if save {
                    saves += 1;
                } else {
                    lists += 1;
                }
            }
        }
        // SAFETY: kill(2) on the churner's own process group, which this test created.
        unsafe {
            libc::kill(-(churner.id() as i32), libc::SIGKILL);
        }
        let _ = churner.wait();
        if let Some(f) = failure {
            panic!("{f}");
        }
        assert!(lists >= 2 && saves >= 2, "{lists} lists, {saves} saves");
        let n = saved().lines().filter(|l| l.starts_with("-A ")).count();
        assert!(
            (CHURNED - 1..=CHURNED).contains(&n),
            "{n} services after the churn"
        );
        eprintln!(
            "faults: {lists} `-L -n` + {saves} `-S -n` during churn, {lines} lines well-formed, \
             {errors} clean kernel errors {error_texts:?} (one quiet -L -n: {quiet:?}, \
             listing under churn: {:?}) [{:?}]",
            started.elapsed(),
            t0.elapsed()
        );
    });
}

// ---------------------------------------------------------------------------------------------
// 5. Two restores at once
// ---------------------------------------------------------------------------------------------

fn rules(range: std::ops::Range<usize>, dest: &str) -> String {
    let mut s = String::new();
    for i in range {
        s.push_str(&format!("-A -t {} -s rr\n", svc(i)));
        s.push_str(&format!("-a -t {} -r {dest}:80 -m -w 1\n", svc(i)));
    }
    s
}

/// Runs two `ours -R` at once on `a` and `b`; their (exit status, stderr).
fn two_restores(a: &str, b: &str) -> [(String, String); 2] {
    let dir = scratch("two");
    std::fs::write(dir.join("a"), a).expect("write a");
    std::fs::write(dir.join("b"), b).expect("write b");
    let script = format!(
        "cd {d} && {o} -R <a >ao 2>ae & p1=$!; cd {d} && {o} -R <b >bo 2>be & p2=$!; \
         wait $p1; echo $? >{d}/ac; wait $p2; echo $? >{d}/bc",
        d = dir.display(),
        o = support::ours()
    );
    sh_ok(&script);
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap_or_default();
    for f in ["ao", "bo"] {
        assert_eq!(read(f), "", "stdout of {f}");
    }
    let r = [(read("ac"), read("ae")), (read("bc"), read("be"))];
    let _ = std::fs::remove_dir_all(&dir);
    r
}

#[test]
#[ignore = "guest lab"]
fn two_restores_at_once() {
    support::require_guest();
    let t0 = Instant::now();
    support::in_netns(move || {
        sh_ok("ip addr add 10.200.0.1/16 dev lo");
        // disjoint: the union
        let a = rules(0..600, "10.200.0.2");
        let b = rules(600..1200, "10.200.0.3");
        let r = two_restores(&a, &b);
        for (code, err) in &r {
            assert_eq!(
                (code.as_str(), err.as_str()),
                ("0\n", ""),
                "disjoint: {r:?}"
            );
        }
        let mut union: Vec<String> = a.lines().chain(b.lines()).map(str::to_string).collect();
        union.sort();
        let mut got: Vec<String> = saved().lines().map(str::to_string).collect();
        got.sort();
        assert!(got == union, "disjoint concurrent restores != their union");

        // overlapping: services 300..599 in both, with different dests
        sh_ok(&format!("{} -C", support::REAL_IPVSADM));
        let a = rules(0..600, "10.200.0.2");
        let b = rules(300..900, "10.200.0.3");
        let r = two_restores(&a, &b);
        let mut already = 0;
        for (code, err) in &r {
            assert_eq!(code, "0\n", "overlapping: {r:?}");
            for l in err.lines() {
                assert_eq!(l, "Service already exists", "overlapping: {r:?}");
                already += 1;
            }
        }
        assert_eq!(already, 300, "each shared service added once, refused once");
        let table = saved();
        let services: Vec<&str> = table.lines().filter(|l| l.starts_with("-A ")).collect();
        let mut unique = services.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((services.len(), unique.len()), (900, 900));
        for i in 0..900 {
            let s = svc(i);
            for (range, d) in [(0..600, "10.200.0.2"), (300..900, "10.200.0.3")] {
                let line = format!("-a -t {s} -r {d}:80 -m -w 1");
                assert_eq!(
                    table.lines().any(|l| l == line),
                    range.contains(&i),
                    "{line}"
                );
            }
        }
        assert_eq!(table.lines().count(), 900 + 1200);
        eprintln!(
            "faults: two concurrent -R: disjoint (2x600 services) = union; overlapping \
             (300 shared): 900 services once each, 300 'Service already exists', all dests \
             [{:?}]",
            t0.elapsed()
        );
    });
}
