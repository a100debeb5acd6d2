//! The performance benchmark: real ipvsadm and ours, side by side on the
//! same kernel, in the guest lab. Run with `lab/bench` (which builds this
//! and boots the guest); not a test — it reports, it does not judge.
//!
//! For each table size (services × 1–4 real servers) it times, alternating
//! the two binaries and repeating: restore (`-R`) from a save file, `-L -n`,
//! `-S -n`, `-C` of the full table, and a loop of single `-A` commands.
//! Each figure is the median wall time of the repeats; peak RSS comes from
//! busybox `time -v`. Output is checked for equality first. For scale, a
//! row per size gives the restore's kernel floor: the same changes made
//! in-process on one socket, with nothing else timed.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

struct Run {
    secs: f64,
    rss_kib: i64,
    stdout: Vec<u8>,
    status: i32,
}

/// Run `bin args` with stdin from `input`, stdout captured; wall time and
/// the child's peak RSS.
///
/// Peak RSS comes from static busybox's `time -v`: a process's peak-RSS
/// record survives fork and exec, so the rusage of a child spawned straight
/// from this (large) benchmark would report our size, not its own; busybox
/// is small and forks the measured program itself. Its floor (busybox's own
/// size, a few MiB) is the same for both binaries.
fn run(bin: &str, args: &[&str], input: Option<&str>) -> Run {
    let report = std::env::temp_dir().join(format!("bench-time-{}", std::process::id()));
    let mut cmd = Command::new("/bin/busybox");
    cmd.args(["time", "-v", "-o"])
        .arg(&report)
        .arg(bin)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let start = Instant::now();
    #[allow(clippy::zombie_processes)] // reaped below with wait4, for its rusage
    let mut child = cmd.spawn().expect("spawn");
    let writer = input.map(|text| {
        let mut stdin = child.stdin.take().expect("stdin");
        let text = text.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(text.as_bytes());
        })
    });
    let mut out = Vec::new();
    if let Some(mut o) = child.stdout.take() {
        std::io::Read::read_to_end(&mut o, &mut out).expect("read stdout");
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be filled by wait4.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the child is ours and not yet reaped; pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut ru) };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as i32, "wait4");
    if let Some(w) = writer {
        let _ = w.join();
    }
    let rss_kib = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("Maximum resident set size (kbytes): ")
                })
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(-1);
    let _ = ru;
    Run {
        secs,
        rss_kib,
        stdout: out,
        status: libc::WEXITSTATUS(status),
    }
}

fn table(services: usize) -> String {
    let mut t = String::new();
    for i in 0..services {
        let svc = format!("10.{}.{}.{}:80", 1 + i / 65536, (i / 256) % 256, i % 256);
        t += &format!("-A -t {svc} -s wlc\n");
        for j in 0..(1 + i % 4) {
            t += &format!(
                "-a -t {svc} -r 192.168.{}.{}:8080 -m -w {}\n",
                (i / 250) % 250 + 1,
                (i % 250) + 1 + j,
                j + 1
            );
        }
    }
    t
}

/// The kernel's own cost of a restore: the same changes, parsed beforehand
/// (not timed), made through this crate's transport on one socket, 256 per
/// `sendmsg` — no process start, no reading or parsing. What no `-R` can
/// go below on this kernel.
fn kernel_floor(rules: &str) -> f64 {
    use ipvsadm_rs::kernel::Ipvs;
    let reqs: Vec<ipvsadm_rs::kernel::Request> = rules
        .lines()
        .filter_map(|l| {
            let words = ipvsadm_rs::restore::tokenize(l.as_bytes());
            let cmd = ipvsadm_rs::grammar::parse("ipvsadm", &words).ok()?;
            ipvsadm_rs::exec::request_of(&cmd)
        })
        .collect();
    let start = Instant::now();
    let mut k = ipvsadm_rs::transport::connect().expect("connect");
    let res = k.execute_many(&reqs);
    let secs = start.elapsed().as_secs_f64();
    assert!(
        res.iter().all(|r| r.is_ok()),
        "kernel floor: a change failed"
    );
    secs
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

struct Row {
    op: String,
    size: String,
    real: f64,
    ours: f64,
    real_rss: i64,
    ours_rss: i64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let real = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "/usr/sbin/ipvsadm".into());
    let ours = args
        .get(2)
        .cloned()
        .expect("usage: bench REAL OURS [SIZES] [REPEATS]");
    let sizes: Vec<usize> = args
        .get(3)
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 4000, 16000]);
    let reps: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3);
    let bins = [real.as_str(), ours.as_str()];
    let mut rows = Vec::new();

    for &n in &sizes {
        let rules = table(n);
        let objects = rules.lines().count();
        eprintln!("size {n} services, {objects} objects");
        // Same result from both restores, and identical listings.
        let mut saved = Vec::new();
        for b in bins {
            run(b, &["-C"], None);
            let r = run(b, &["-R"], Some(&rules));
            assert_eq!(r.status, 0, "{b} -R failed");
            saved.push(run(real.as_str(), &["-S", "-n"], None).stdout);
        }
        assert!(saved[0] == saved[1], "tables differ after restore");
        let l0 = run(bins[0], &["-L", "-n"], None).stdout;
        let l1 = run(bins[1], &["-L", "-n"], None).stdout;
        assert!(l0 == l1, "-L -n output differs");
        let s0 = run(bins[0], &["-S", "-n"], None).stdout;
        let s1 = run(bins[1], &["-S", "-n"], None).stdout;
        assert!(s0 == s1, "-S -n output differs");

        let mut times = [
            [Vec::new(), Vec::new()],
            [Vec::new(), Vec::new()],
            [Vec::new(), Vec::new()],
            [Vec::new(), Vec::new()],
        ];
        let mut rss = [[0i64; 2]; 4];
        let mut floor = Vec::new();
        for _ in 0..reps {
            run(bins[0], &["-C"], None);
            floor.push(kernel_floor(&rules));
            for (i, b) in bins.iter().enumerate() {
                run(b, &["-C"], None);
                let r = run(b, &["-R"], Some(&rules));
                times[0][i].push(r.secs);
                rss[0][i] = rss[0][i].max(r.rss_kib);
                let r = run(b, &["-L", "-n"], None);
                times[1][i].push(r.secs);
                rss[1][i] = rss[1][i].max(r.rss_kib);
                let r = run(b, &["-S", "-n"], None);
                times[2][i].push(r.secs);
                rss[2][i] = rss[2][i].max(r.rss_kib);
                let r = run(b, &["-C"], None);
                times[3][i].push(r.secs);
                rss[3][i] = rss[3][i].max(r.rss_kib);
            }
        }
        let restore_real = median(&mut times[0][0].clone());
        for (k, op) in ["-R (restore)", "-L -n", "-S -n", "-C"].iter().enumerate() {
            let [a, b] = &mut times[k];
            rows.push(Row {
                op: op.to_string(),
                size: format!("{n} svc / {objects} obj"),
                real: median(a),
                ours: median(b),
                real_rss: rss[k][0],
                ours_rss: rss[k][1],
            });
            if k == 0 {
                rows.push(Row {
                    op: "-R kernel floor (pre-parsed, in-process)".into(),
                    size: format!("{n} svc / {objects} obj"),
                    real: restore_real,
                    ours: median(&mut floor),
                    real_rss: -1,
                    ours_rss: -1,
                });
            }
        }
    }

    // A loop of single -A commands (process start-up dominated). Spawned
    // directly: busybox's own start-up would add the same constant to both
    // and hide the difference; one wrapped run more gives the peak RSS.
    let loops = 100;
    let mut per = [Vec::new(), Vec::new()];
    let mut rss = [0i64; 2];
    for _ in 0..reps {
        for (i, b) in bins.iter().enumerate() {
            run(b, &["-C"], None);
            let start = Instant::now();
            for j in 0..loops {
                let svc = format!("10.200.{}.{}:80", j / 256, j % 256);
                let st = Command::new(b)
                    .args(["-A", "-t", &svc, "-s", "rr"])
                    .status()
                    .expect("spawn");
                assert!(st.success(), "{b} -A failed");
            }
            per[i].push(start.elapsed().as_secs_f64() / loops as f64);
            let r = run(b, &["-A", "-t", "10.201.0.1:80", "-s", "rr"], None);
            assert_eq!(r.status, 0);
            rss[i] = rss[i].max(r.rss_kib);
        }
    }
    let [a, b] = &mut per;
    rows.push(Row {
        op: "single -A".into(),
        size: format!("{loops} commands"),
        real: median(a),
        ours: median(b),
        real_rss: rss[0],
        ours_rss: rss[1],
    });
    run(bins[0], &["-C"], None);

    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    println!(
        "kernel {}, {} repeats, median wall seconds (single -A: per command)",
        kernel.trim(),
        reps
    );
    println!(
        "| operation | table | ipvsadm 1.31 | ipvsadm-rs | ratio | peak RSS KiB (1.31 / rs) |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for r in rows {
        let rss = if r.real_rss < 0 {
            "—".to_string()
        } else {
            format!("{} / {}", r.real_rss, r.ours_rss)
        };
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.2} | {} |",
            r.op,
            r.size,
            r.real,
            r.ours,
            r.ours / r.real,
            rss
        );
    }
}
