//! Running the two binaries: one timed process, the generated tables, the
//! in-process floors, progress lines.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use ipvsadm_rs::kernel::{Ipvs, Request};

/// One finished process.
pub struct Run {
    pub secs: f64,
    /// Peak RSS in KiB, or -1 when not measured.
    pub rss_kib: i64,
    pub stdout: Vec<u8>,
    pub status: i32,
}

/// Run `bin args`, stdin from the file `input`, stdout captured.
///
/// `wrapped`: through static busybox's `time -v`, for the child's peak
/// RSS. A process's peak-RSS record starts from its parent's size at
/// fork (and survives exec), so the rusage of a child spawned straight
/// from this benchmark would report ours; busybox is small and forks the
/// program itself. It adds its own start (a few ms under TCG, the same
/// for both binaries), so the timed samples of a size with several
/// repeats are direct runs and the wrapped one only gives the RSS.
pub fn run(bin: &str, args: &[&str], input: Option<&str>, wrapped: bool) -> Run {
    let report = std::env::temp_dir().join(format!("bench-time-{}", std::process::id()));
    let mut cmd = if wrapped {
        let mut c = Command::new("/bin/busybox");
        c.args(["time", "-v", "-o"]).arg(&report).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    match input {
        Some(path) => cmd.stdin(std::fs::File::open(path).expect("open input")),
        None => cmd.stdin(Stdio::null()),
    };
    let start = Instant::now();
    let out = cmd.output().expect("spawn");
    let secs = start.elapsed().as_secs_f64();
    let rss_kib = if wrapped { read_rss(&report) } else { -1 };
    Run {
        secs,
        rss_kib,
        stdout: out.stdout,
        status: out.status.code().unwrap_or(-1),
    }
}

/// The peak RSS in KiB from busybox's report. Busybox (1.35, Debian 12)
/// takes the kernel's `ru_maxrss` for a count of pages and multiplies it
/// by the page size in KiB, but Linux gives it in KiB already: its figure
/// is 4 times too large on x86_64 (checked against GNU time on a process
/// that holds a known 100 MiB). Divided back here.
fn read_rss(report: &std::path::Path) -> i64 {
    // SAFETY: sysconf has no preconditions.
    let page_kib = (unsafe { libc::sysconf(libc::_SC_PAGESIZE) } / 1024).max(1);
    std::fs::read_to_string(report)
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
                    .and_then(|v| v.trim().parse::<i64>().ok())
            })
        })
        .map_or(-1, |kib| kib / page_kib)
}

/// The service address of service `i`.
fn service_addr(i: usize) -> String {
    format!("10.{}.{}.{}:80", 1 + i / 65536, (i / 256) % 256, i % 256)
}

/// A table of `n` TCP services (wlc) with 2–4 masqueraded real servers
/// each (2 + i mod 3: 3 on average), written exactly as `-S -n` prints
/// it, in its order. `bump`: every 100th server (counted over the whole
/// table) gets its weight raised by 10 — the "1 % changed" table.
pub fn table(n: usize, bump: bool) -> String {
    let mut t = String::with_capacity(n * 180);
    let mut k = 0usize;
    for i in 0..n {
        let svc = service_addr(i);
        t += &format!("-A -t {svc} -s wlc\n");
        for j in 0..(2 + i % 3) {
            let w = if bump && k.is_multiple_of(100) {
                j + 11
            } else {
                j + 1
            };
            k += 1;
            t += &format!(
                "-a -t {svc} -r 192.168.{}.{}:8080 -m -w {w}\n",
                (i / 250) % 250 + 1,
                (i % 250) + 1 + j,
            );
        }
    }
    t
}

/// The requests of a rules text, parsed with this crate's grammar.
pub fn requests(rules: &str) -> Vec<Request> {
    rules
        .lines()
        .filter_map(|l| {
            let words = ipvsadm_rs::restore::tokenize(l.as_bytes());
            let cmd = ipvsadm_rs::grammar::parse("ipvsadm", &words).ok()?;
            ipvsadm_rs::exec::request_of(&cmd)
        })
        .collect()
}

/// The kernel's own cost of a restore: the same changes, parsed
/// beforehand (not timed), made through this crate's transport on one
/// socket, 256 per `sendmsg` — no process start, no reading or parsing.
/// What no `-R` can go below on this kernel.
pub fn restore_floor(reqs: &[Request]) -> f64 {
    let start = Instant::now();
    let mut k = ipvsadm_rs::transport::connect().expect("connect");
    let res = k.execute_many(reqs);
    let secs = start.elapsed().as_secs_f64();
    assert!(
        res.iter().all(|r| r.is_ok()),
        "restore floor: a change failed"
    );
    secs
}

/// The kernel's own cost of a listing: the services, then each service's
/// servers, through this crate's transport; nothing formatted or printed.
pub fn dump_floor() -> (f64, usize) {
    let start = Instant::now();
    let mut k = ipvsadm_rs::transport::connect().expect("connect");
    let services = k.services().expect("dump services");
    let mut dests = 0;
    for s in &services {
        dests += k.dests(s).expect("dump servers").len();
    }
    (start.elapsed().as_secs_f64(), services.len() + dests)
}

/// Empty the table of this namespace (in-process, untimed setup).
pub fn flush_here() {
    let mut k = ipvsadm_rs::transport::connect().expect("connect");
    k.execute(&Request::Flush).expect("flush");
}

/// The network namespace the benchmark started in (where the connection
/// table's network is): opened by [`remember_home`].
static HOME: std::sync::OnceLock<std::fs::File> = std::sync::OnceLock::new();

/// Note the namespace the benchmark starts in; call once, first.
pub fn remember_home() {
    let f = std::fs::File::open("/proc/self/ns/net").expect("open own netns");
    let _ = HOME.set(f);
}

/// Move this process back into the namespace it started in.
pub fn go_home() {
    use std::os::fd::AsRawFd;
    let fd = HOME.get().expect("remember_home first").as_raw_fd();
    // SAFETY: setns on an open namespace descriptor; the benchmark is
    // single-threaded, so every later child starts in that namespace.
    let rc = unsafe { libc::setns(fd, libc::CLONE_NEWNET) };
    assert!(rc == 0, "setns home: {}", std::io::Error::last_os_error());
}

/// An empty table for the next timed step (untimed setup): the current
/// table is flushed and this process (with every child it starts from now
/// on) moves into a new network namespace with an IPVS table of its own
/// and `lo` up.
///
/// Why not only flush: the kernel keeps every deleted real server on a
/// per-namespace trash list for a minute or two, and each new server is
/// first looked for on that list, one by one. A restore right after a
/// flush of 150,000 servers therefore costs the square of the table (at
/// 50,000 services it took 13 times the restore into a fresh namespace).
/// The flushed namespace is left behind and freed by the kernel; a short
/// pause lets that work finish before anything is timed.
pub fn fresh_table(services: usize) {
    flush_here();
    // SAFETY: unshare has no memory-safety preconditions.
    let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
    assert!(rc == 0, "unshare: {}", std::io::Error::last_os_error());
    // Without a local address the kernel has no local routing table and
    // calls every real-server address "not unicast".
    let st = std::process::Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .expect("ip");
    assert!(st.success(), "ip link set lo up failed");
    let pause_ms = 200 + u64::try_from(services / 25).unwrap_or(2000);
    std::thread::sleep(std::time::Duration::from_millis(pause_ms));
}

/// Load a table into a fresh namespace (in-process, untimed setup).
pub fn load(reqs: &[Request]) {
    fresh_table(0);
    restore_floor(reqs);
}

/// Median (upper median for an even count); NaN when empty.
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A progress line per step: rewritten in place on a terminal, one line
/// each otherwise (a log file then shows where a run is). Written to a
/// file when asked (lab/bench shows that file live: the guest's own
/// stderr reaches the host only when it powers off), else to stderr.
pub struct Progress {
    tty: bool,
    start: Instant,
    file: Option<std::fs::File>,
}

impl Progress {
    pub fn new(tty: bool, file: Option<&std::path::Path>) -> Progress {
        Progress {
            tty,
            start: Instant::now(),
            file: file.map(|p| std::fs::File::create(p).expect("progress file")),
        }
    }

    fn put(&self, text: &str) {
        match &self.file {
            Some(f) => {
                let mut w: &std::fs::File = f;
                let _ = w.write_all(text.as_bytes());
            }
            None => {
                let mut e = std::io::stderr().lock();
                let _ = e.write_all(text.as_bytes());
                let _ = e.flush();
            }
        }
    }

    pub fn step(&self, what: &str) {
        let t = self.start.elapsed().as_secs();
        let line = format!("[{:>2}:{:02}] {what}", t / 60, t % 60);
        if self.tty {
            self.put(&format!("\r\x1b[K{line}"));
        } else {
            self.put(&format!("{line}\n"));
        }
    }

    pub fn done(&self) {
        if self.tty {
            self.put("\r\x1b[K");
        }
    }
}
