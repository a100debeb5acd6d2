//! The performance benchmark: real ipvsadm 1.31 and ours, side by side on
//! the same kernel, in the guest lab. Run with `lab/bench` (which builds
//! this and boots the guest); not a test — it reports, it does not judge.
//!
//! `bench REAL OURS [SIZES [REPEATS]] [--sizes N[:R],…] [--repeats R]
//! [--ops OP,…] [--out DIR] [--tty] [--progress FILE]`; OP is one of restore, list, save,
//! apply, conn, single (default: all). For each table size (N services ×
//! 2–4 real servers) and repeat it times, alternating which binary goes
//! first: `-R` from a save file and its kernel floor (the same changes
//! made in-process, pre-parsed); `-L -n`, `-S -n` and their dump floor
//! (services, then each one's servers, in-process, nothing printed);
//! `apply` into an empty table, with nothing to change, with 1 % of the
//! servers changed, and `--dry-run` of that; `-L -c` and `-L -c -n` of a
//! connection table of 2 N entries made with real packets (see
//! `bench_conn`); single `-a` and `-e` commands. Figures are medians;
//! outputs are checked equal to ipvsadm's on the first run. Writes
//! bench.md (the table) and bench.svg (the plot) into DIR.

#[path = "bench_conn.rs"]
mod bench_conn;
#[path = "bench_report.rs"]
mod bench_report;
#[path = "bench_run.rs"]
mod bench_run;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use bench_report::Record;
use bench_run::{run, Progress};
use ipvsadm_rs::kernel::Request;

const OP_NAMES: &[&str] = &["restore", "list", "save", "apply", "conn", "single"];

struct Opts {
    real: String,
    ours: String,
    /// (services, repeats)
    sizes: Vec<(usize, usize)>,
    ops: Vec<String>,
    out: Option<PathBuf>,
    tty: bool,
    /// Where progress lines go (default stderr).
    progress: Option<PathBuf>,
}

fn parse_sizes(s: &str, reps: usize) -> Vec<(usize, usize)> {
    s.split(',')
        .map(|x| match x.split_once(':') {
            Some((n, r)) => (n.parse().expect("size"), r.parse().expect("repeats")),
            None => (x.parse().expect("size"), reps),
        })
        .collect()
}

fn opts() -> Opts {
    let mut args = std::env::args().skip(1);
    let mut pos = Vec::new();
    let (mut sizes, mut reps, mut ops, mut out, mut tty) = (None, None, None, None, false);
    let mut progress = None;
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--sizes" => sizes = Some(val()),
            "--repeats" => reps = Some(val().parse().expect("--repeats")),
            "--ops" => ops = Some(val()),
            "--out" => out = Some(PathBuf::from(val())),
            "--tty" => tty = true,
            "--progress" => progress = Some(PathBuf::from(val())),
            _ => pos.push(a),
        }
    }
    let reps = reps
        .or_else(|| pos.get(3).and_then(|r| r.parse().ok()))
        .unwrap_or(3);
    let sizes = sizes
        .or_else(|| pos.get(2).cloned())
        .unwrap_or("1000,10000".into());
    let ops: Vec<String> = match ops {
        Some(o) => o.split(',').map(str::to_string).collect(),
        None => OP_NAMES.iter().map(|s| s.to_string()).collect(),
    };
    for o in &ops {
        assert!(
            OP_NAMES.contains(&o.as_str()),
            "unknown op {o}; ops: {OP_NAMES:?}"
        );
    }
    Opts {
        real: pos
            .first()
            .cloned()
            .unwrap_or_else(|| "/usr/sbin/ipvsadm".into()),
        ours: pos
            .get(1)
            .cloned()
            .expect("usage: bench REAL OURS [SIZES [REPEATS]] [options]"),
        sizes: parse_sizes(&sizes, reps),
        ops,
        out,
        tty,
        progress,
    }
}

/// What one size's runs share.
struct Size<'a> {
    o: &'a Opts,
    n: usize,
    rules: PathBuf,
    changed: PathBuf,
    reqs: Vec<Request>,
    /// `-S -n` of the table and of the 1 % changed one (what apply must leave).
    want: Vec<u8>,
    want_changed: Vec<u8>,
    what: String,
    p: &'a Progress,
}

impl Size<'_> {
    fn has(&self, op: &str) -> bool {
        self.o.ops.iter().any(|o| o == op)
    }
    fn bins(&self, rep: usize) -> [(bool, &str); 2] {
        let (r, o) = ((true, self.o.real.as_str()), (false, self.o.ours.as_str()));
        if rep.is_multiple_of(2) {
            [r, o]
        } else {
            [o, r]
        }
    }
    fn name(real: bool) -> &'static str {
        if real {
            "ipvsadm 1.31"
        } else {
            "ipvsadm-rs"
        }
    }
}

/// Record one run of `bin args` as a sample of `key` (and its RSS).
/// `run_no` 0 is wrapped for the RSS; with more runs it is not a sample.
fn sample(
    rec: &mut Record,
    z: &Size,
    key: &'static str,
    (real, bin): (bool, &str),
    args: &[&str],
    input: Option<&std::path::Path>,
    run_no: usize,
) -> Vec<u8> {
    let reps = rec.reps[&z.n];
    let step = |w: bool| {
        z.p.step(&format!(
            "{} svc, run {run_no}: {} {}{}",
            z.n,
            Size::name(real),
            args.join(" "),
            if w { " (RSS)" } else { "" }
        ));
        run(bin, args, input.map(|p| p.to_str().unwrap_or_default()), w)
    };
    let mut r = step(run_no == 0);
    assert!(
        r.status == 0 || key.starts_with("apply"),
        "{bin} {args:?}: status {}",
        r.status
    );
    let c = rec.cell(key, z.n);
    c.rss(real, r.rss_kib);
    if c.what.is_empty() {
        c.what.clone_from(&z.what);
    }
    if run_no == 0 && reps > 1 && !key.starts_with("restore") && !key.starts_with("apply-empty") {
        // Cheap to repeat: a direct run as the sample.
        r = step(false);
    } else if run_no == 0 && reps > 1 && !real {
        // Ours is not repeated just for its RSS; ipvsadm's restore runs
        // once per size (see REAL_RESTORE_RUNS), so this is its sample.
        return r.stdout;
    }
    let c = rec.cell(key, z.n);
    if real {
        c.real.push(r.secs)
    } else {
        c.ours.push(r.secs)
    }
    r.stdout
}

/// ipvsadm's `-R` is the slow part of a run (its kernel calls one line at
/// a time): it runs only in a size's first run, and not at all above this
/// many services (into a fresh namespace, 50,000 take it a few minutes).
/// Its `-L -n`/`-S -n` run every time, on the table the floor or our `-R`
/// left.
const REAL_RESTORE_MAX: usize = 50_000;

/// `-R`, its floor, `-L -n`, `-S -n` and the dump floor. The floors run
/// next to ours in time: ipvsadm, floors, ours (every other run the other
/// way round); when ipvsadm does not restore, its listings come between.
fn restore_and_list(rec: &mut Record, z: &Size, run_no: usize) {
    let restore = z.has("restore");
    let real_restores = restore && run_no == 0 && z.n <= REAL_RESTORE_MAX;
    let [first, second] = z.bins(run_no);
    let (a, b);
    if !restore {
        floors(rec, z, run_no);
        a = tool_run(rec, z, first, run_no, false);
        b = tool_run(rec, z, second, run_no, false);
    } else if real_restores {
        a = tool_run(rec, z, first, run_no, true);
        floors(rec, z, run_no);
        b = tool_run(rec, z, second, run_no, true);
    } else {
        let real = (true, z.o.real.as_str());
        let ours = (false, z.o.ours.as_str());
        if run_no.is_multiple_of(2) {
            floors(rec, z, run_no);
            a = tool_run(rec, z, real, run_no, false);
            b = tool_run(rec, z, ours, run_no, true);
        } else {
            b = tool_run(rec, z, ours, run_no, true);
            a = tool_run(rec, z, real, run_no, false);
            floors(rec, z, run_no);
        }
    }
    if run_no == 0 {
        assert!(a.0 == b.0, "-L -n output differs");
        assert!(a.1 == b.1, "-S -n output (or the restored table) differs");
        if let Some(s) = &a.1 {
            assert!(*s == z.want, "-S -n is not the table restored");
        }
    }
}

/// One binary's `-R` (when `restore`; else the table is there already),
/// `-L -n`, `-S -n`: the outputs.
fn tool_run(
    rec: &mut Record,
    z: &Size,
    b: (bool, &str),
    run_no: usize,
    restore: bool,
) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    if restore {
        bench_run::fresh_table(z.n);
        sample(rec, z, "restore", b, &["-R"], Some(&z.rules), run_no);
    }
    let l = z
        .has("list")
        .then(|| sample(rec, z, "list", b, &["-L", "-n"], None, run_no));
    let s = z
        .has("save")
        .then(|| sample(rec, z, "save", b, &["-S", "-n"], None, run_no));
    (l, s)
}

/// The restore floor (into an empty table) and the dump floor.
fn floors(rec: &mut Record, z: &Size, run_no: usize) {
    let counted = run_no > 0 || rec.reps[&z.n] == 1;
    bench_run::fresh_table(z.n);
    if z.has("restore") {
        z.p.step(&format!("{} svc, run {run_no}: kernel floor of -R", z.n));
        let f = bench_run::restore_floor(&z.reqs);
        if counted {
            rec.cell("restore", z.n).refr.push(f);
        }
    } else {
        bench_run::load(&z.reqs);
    }
    if z.has("list") || z.has("save") {
        z.p.step(&format!("{} svc, run {run_no}: dump floor", z.n));
        let (f, objects) = bench_run::dump_floor();
        assert_eq!(objects, z.reqs.len(), "dump floor: objects");
        for key in ["list", "save"].into_iter().filter(|k| z.has(k) && counted) {
            rec.cell(key, z.n).refr.push(f);
        }
    }
}

/// Our `-S -n` now must be `want`.
fn check_table(z: &Size, want: &[u8], after: &str) {
    let r = run(&z.o.ours, &["-S", "-n"], None, false);
    assert!(r.stdout == want, "table after {after} is not the file's");
}

/// `apply` into an empty table, with nothing to do, 1 % changed (and
/// back), `--dry-run` of 1 %. References: our `-R` and `-S -n`.
fn apply(rec: &mut Record, z: &Size, run_no: usize) {
    let ours = (false, z.o.ours.as_str());
    let (rules, changed) = (
        z.rules.to_str().unwrap_or(""),
        z.changed.to_str().unwrap_or(""),
    );
    let first = run_no == 0 && rec.reps[&z.n] > 1;
    if !z.has("restore") && !first {
        bench_run::fresh_table(z.n);
        let r = run(&z.o.ours, &["-R"], Some(rules), false);
        rec.cell("apply-empty", z.n).refr.push(r.secs);
    }
    bench_run::fresh_table(z.n);
    sample(rec, z, "apply-empty", ours, &["apply", rules], None, run_no);
    check_table(z, &z.want, "apply into an empty table");
    sample(rec, z, "apply-noop", ours, &["apply", rules], None, run_no);
    let dry = sample(
        rec,
        z,
        "apply-dry",
        ours,
        &["apply", "--dry-run", changed],
        None,
        run_no,
    );
    let lines = dry.iter().filter(|&&c| c == b'\n').count();
    assert_eq!(
        lines,
        (z.reqs.len() - z.n).div_ceil(100),
        "--dry-run: one line per change"
    );
    sample(
        rec,
        z,
        "apply-1pct",
        ours,
        &["apply", changed],
        None,
        run_no,
    );
    check_table(z, &z.want_changed, "apply of 1 %");
    sample(
        rec,
        z,
        "apply-1pct",
        ours,
        &["apply", rules],
        None,
        run_no.max(1),
    );
    check_table(z, &z.want, "apply back");
    if !z.has("save") && !first {
        let r = run(&z.o.ours, &["-S", "-n"], None, false);
        for k in ["apply-noop", "apply-1pct", "apply-dry"] {
            rec.cell(k, z.n).refr.push(r.secs);
        }
    }
}

/// Single `-a` and `-e`: 40 of each per run, per-command time.
fn single(rec: &mut Record, z: &Size, run_no: usize) {
    const K: usize = 40;
    let svc = "10.250.0.1:80";
    for b in z.bins(run_no) {
        let ours = &z.o.ours;
        assert!(run(ours, &["-A", "-t", svc, "-s", "rr"], None, false).status == 0);
        for (key, extra) in [("single-a", &[][..]), ("single-e", &["-w", "2"][..])] {
            let flag = if key == "single-a" { "-a" } else { "-e" };
            z.p.step(&format!(
                "{} svc, run {run_no}: {} {K}× {flag}",
                z.n,
                Size::name(b.0)
            ));
            let start = Instant::now();
            for j in 0..K {
                let rs = format!("10.251.0.{}:80", j + 1);
                let mut args = vec![flag, "-t", svc, "-r", &rs, "-m"];
                args.extend_from_slice(extra);
                let st = Command::new(b.1).args(&args).status().expect("spawn");
                assert!(st.success(), "{} {args:?} failed", b.1);
            }
            let per = start.elapsed().as_secs_f64() / K as f64;
            let c = rec.cell(key, z.n);
            if b.0 {
                c.real.push(per)
            } else {
                c.ours.push(per)
            }
            c.what = "per command".into();
            if run_no == 0 {
                let mut args = vec![flag, "-t", svc, "-r", "10.251.1.1:80", "-m"];
                args.extend_from_slice(extra);
                if key == "single-e" {
                    args[4] = "10.251.0.1:80";
                }
                let r = run(b.1, &args, None, true);
                rec.cell(key, z.n).rss(b.0, r.rss_kib);
            }
        }
        assert!(run(ours, &["-D", "-t", svc], None, false).status == 0);
    }
}

/// `-L -c -n` and `-L -c` of 2 n connection entries.
fn conn(rec: &mut Record, z: &Size, run_no: usize, have: &mut usize) {
    // The connection table's network is in the namespace of the start.
    bench_run::go_home();
    if *have == 0 {
        bench_conn::setup_network();
    }
    if *have < z.n {
        z.p.step(&format!(
            "{} svc: connection table, clients {}..{}",
            z.n, *have, z.n
        ));
        bench_run::flush_here();
        bench_conn::add_service(&z.o.ours);
        bench_conn::fill(*have, z.n);
        *have = z.n;
    }
    let entries = bench_conn::entries();
    let what = format!("{entries} entries");
    for (key, args) in [
        ("conn-n", &["-L", "-c", "-n"][..]),
        ("conn", &["-L", "-c"][..]),
    ] {
        let named = key == "conn";
        if named && entries > NAMED_MAX {
            continue;
        }
        rec.cell(key, z.n).what.clone_from(&what);
        let mut outs = Vec::new();
        for b in z.bins(run_no) {
            let out = sample(rec, z, key, b, args, None, run_no);
            outs.push(bench_conn::mask_expiry(&out));
        }
        if run_no == 0 {
            assert!(outs[0] == outs[1], "{args:?} output differs");
        }
    }
}

/// `-L -c` without `-n` runs only up to this many entries: each row costs
/// ipvsadm three address and three port lookups (about 10 ms a row under
/// TCG, so some 17 minutes a run at 100,000 entries).
const NAMED_MAX: usize = 5_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--flood") {
        let num = |i: usize| {
            args.get(i)
                .and_then(|s| s.parse().ok())
                .expect("--flood FROM TO")
        };
        bench_conn::flood(num(2), num(3));
        return;
    }
    let o = opts();
    bench_run::remember_home();
    let p = Progress::new(o.tty, o.progress.as_deref());
    let mut rec = Record::default();
    let mut have_conns = 0;
    let mut sizes = o.sizes.clone();
    sizes.sort();
    let start = Instant::now();
    for &(n, reps) in &sizes {
        rec.reps.insert(n, reps);
        let z = prepare(&o, n, &p);
        let runs = if reps > 1 { reps + 1 } else { 1 };
        for run_no in 0..runs {
            if z.has("restore") || z.has("list") || z.has("save") {
                restore_and_list(&mut rec, &z, run_no);
            }
            if z.has("apply") {
                apply(&mut rec, &z, run_no);
            }
            if z.has("single") {
                single(&mut rec, &z, run_no);
            }
        }
        if z.has("conn") {
            for run_no in 0..runs {
                conn(&mut rec, &z, run_no, &mut have_conns);
            }
        }
        bench_run::flush_here();
        // After each size, so a run stopped during a big size keeps the rest.
        rec.fill_refs();
        report(&o, &rec, start.elapsed().as_secs(), false);
    }
    p.done();
    report(&o, &rec, start.elapsed().as_secs(), true);
}

/// The table files and the expected `-S -n` outputs of size `n`.
fn prepare<'a>(o: &'a Opts, n: usize, p: &'a Progress) -> Size<'a> {
    let dir = std::env::temp_dir();
    let (rules, changed) = (bench_run::table(n, false), bench_run::table(n, true));
    let (rp, cp) = (
        dir.join(format!("bench-{n}.rules")),
        dir.join(format!("bench-{n}-1pct.rules")),
    );
    std::fs::write(&rp, &rules).expect("write rules");
    std::fs::write(&cp, &changed).expect("write rules");
    let reqs = bench_run::requests(&rules);
    Size {
        o,
        n,
        what: format!("{n} svc / {} obj", reqs.len()),
        rules: rp,
        changed: cp,
        reqs,
        want: rules.into_bytes(),
        want_changed: changed.into_bytes(),
        p,
    }
}

/// Write bench.md and bench.svg (and, when `last`, print the table).
fn report(o: &Opts, rec: &Record, wall: u64, last: bool) {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let header = format!(
        "Kernel {}, qemu TCG guest (2 vCPUs) on a shared 2-core host; median wall seconds of \
         the runs (single commands: per command). A size with more than one run adds a first \
         run through busybox `time -v` for the peak RSS, not counted; ipvsadm's `-R` runs once \
         per size (that first run) and not above {REAL_RESTORE_MAX} services. Every `-R` and \
         `apply` into an empty table starts in a fresh network namespace. `-L -c`: a real \
         connection table (persistent UDP service, one datagram from each of N clients: a \
         template and an entry each); without `-n` only up to {NAMED_MAX} entries. Benchmark \
         wall time {} min.",
        kernel.trim(),
        wall.div_ceil(60)
    );
    let md = bench_report::markdown(rec, &header);
    if last {
        print!("{md}");
    }
    if let Some(dir) = &o.out {
        std::fs::write(dir.join("bench.md"), &md).expect("write bench.md");
        if let Err(e) = bench_report::svg(rec, &dir.join("bench.svg")) {
            eprintln!("bench: plot: {e}");
        }
    }
}
