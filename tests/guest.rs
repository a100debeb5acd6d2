//! The guest lab test target.
//!
//! On the host, `guest_lab` (the only non-ignored kernel test here) boots the lab VM once via
//! `lab/run-guest` and runs this very test binary inside it with `--ignored`: every
//! `#[ignore = "guest lab"]` test of this binary is an in-guest test. They include the
//! differential corpus (`tests/cases/*.case`, runner in `guest/diff.rs`), the runner's own
//! self-tests, and kernel tests added by other areas (modules under `tests/guest/`, see
//! CONTRIBUTING.md). In-guest tests call `support::require_guest()` first so that
//! `cargo test -- --ignored` on the host refuses to run them.

#[path = "guest/diff.rs"]
mod diff;
#[path = "guest/drain.rs"]
mod drain;
#[path = "guest/ext.rs"]
mod ext;
#[path = "guest/faults.rs"]
mod faults;
#[path = "guest/fuzz.rs"]
mod fuzz;
#[path = "guest/kernel.rs"]
mod kernel;
#[path = "guest/metrics.rs"]
mod metrics;
#[path = "guest/support.rs"]
mod support;
#[path = "guest/sysctl.rs"]
mod sysctl;
#[path = "guest/top.rs"]
mod top;

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

/// Environment variable a developer may set to `1` to skip the guest lab locally.
const SKIP_VAR: &str = "IPVSADM_RS_SKIP_GUEST";

/// Writes to the real stderr, bypassing libtest's output capture, so the counts show up in
/// `cargo test` output even when the test passes.
fn announce(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[test]
fn guest_lab() {
    if support::in_guest() {
        return; // never boot a guest from inside the guest
    }
    if std::env::var(SKIP_VAR).is_ok_and(|v| v == "1") {
        announce(&format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! {SKIP_VAR}=1: the guest lab was SKIPPED — no kernel test ran.\n\
             !!! Unset it to run the differential corpus and the in-guest tests.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n"
        ));
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => panic!("cannot find the test binary's path: {e}"),
    };
    let run_guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("lab/run-guest");
    // A safety net against hangs, not a budget: a loaded machine can be several times slower.
    let timeout = std::env::var("LAB_TIMEOUT").unwrap_or_else(|_| "1500".into());
    let mut cmd = Command::new(&run_guest);
    // In the guest: this binary, ignored tests only, stderr merged into stdout so that the
    // uncaptured summary lines stay in order with libtest's own lines.
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "--timeout",
            &timeout,
            "--",
            "/bin/bash",
            "-c",
            r#"exec "$0" "$@" 2>&1"#,
        ])
        .arg(&exe)
        .args(["--ignored", "--test-threads=1"]);
    // Optional libtest filter for the in-guest run, e.g. IPVSADM_GUEST_FILTER=corpus.
    if let Ok(filter) = std::env::var("IPVSADM_GUEST_FILTER") {
        cmd.args(filter.split_whitespace());
    }
    announce("guest lab: booting the lab kernel and running the in-guest tests (one boot)...\n");
    let started = std::time::Instant::now();
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!(
            "guest lab: cannot run {}: {e}\n(set {SKIP_VAR}=1 to skip the kernel tests locally)",
            run_guest.display()
        ),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The guest merges its stderr into stdout; run-guest's own stderr is lab diagnostics.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    if code == Some(125) || stderr.contains("run-guest: error:") {
        // An in-guest test that started but never reported a result was running at the end.
        let unfinished = stdout
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("test "))
            .and_then(|rest| rest.trim_end().strip_suffix(" ..."));
        if let Some(name) = unfinished {
            announce(&format!(
                "guest lab: the guest stopped while in-guest test `{name}` was running (hang?)\n"
            ));
            panic!(
                "guest lab: the guest stopped while in-guest test `{name}` was running \
                 (it hung or the guest timed out; LAB_TIMEOUT={timeout}s).\n{stderr}\n{stdout}"
            );
        }
        panic!(
            "guest lab: the guest could not run the tests — the kernel tests did NOT run.\n\
             {stderr}\n{stdout}\n\
             Run lab/setup, then `lab/run-guest --console true` to investigate \
             (set {SKIP_VAR}=1 to skip the kernel tests locally; CI never does)."
        );
    }
    // Always visible: which in-guest tests ran, and the corpus counts.
    let mut highlights = String::new();
    let mut failed_tests: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut in_failures = false;
    for line in stdout.lines() {
        let t = line.trim();
        // libtest's failure section repeats captured output; only its final line matters.
        in_failures |= t == "failures:";
        if in_failures && !t.starts_with("test result:") {
            continue;
        }
        let is_count = t
            .split_once(" passed, ")
            .is_some_and(|(n, rest)| n.parse::<u64>().is_ok() && rest.ends_with(" failed"));
        // "test NAME ... RESULT", where RESULT may come on a later line after the
        // in-guest test's own (uncaptured) summary lines.
        let mut result_line = None;
        if let Some(rest) = t.strip_prefix("test ") {
            if let Some((name, result)) = rest.split_once(" ...") {
                current = Some(name.to_string());
                if !result.trim().is_empty() {
                    result_line = Some(result.trim().to_string());
                }
            }
        } else if matches!(t, "ok" | "FAILED") {
            result_line = Some(t.to_string());
        }
        if let Some(result) = result_line {
            let name = current.take().unwrap_or_default();
            if result.starts_with("FAILED") {
                failed_tests.push(name.clone());
            }
            highlights.push_str(&format!("guest lab: test {name} ... {result}\n"));
        } else if t.starts_with("differential:")
            || t.starts_with("fuzz:")
            || t.starts_with("== ")
            || is_count
            || t.starts_with("test result:")
            || t.starts_with("running ")
        {
            highlights.push_str(&format!("guest lab: {t}\n"));
        }
    }
    highlights.push_str(&format!(
        "guest lab: finished in {:.1}s, in-guest exit status {}\n",
        started.elapsed().as_secs_f64(),
        code.map_or("none".into(), |c| c.to_string())
    ));
    announce(&highlights);
    // Captured by libtest and shown when the test fails.
    // Indented, so it cannot be mistaken for the host's own libtest lines.
    println!("===== output of the in-guest test run (indented) =====");
    for line in stdout.lines() {
        println!("  {line}");
    }
    if !stderr.trim().is_empty() {
        println!("===== lab/run-guest diagnostics =====\n{stderr}");
    }
    assert!(
        out.status.success(),
        "guest lab: in-guest tests failed (exit status {}): {}\n\
         Their full output is above; rerun one with \
         IPVSADM_GUEST_FILTER=NAME cargo test --test guest",
        code.map_or("none".into(), |c| c.to_string()),
        failed_tests.join(", ")
    );
    assert!(
        stdout.contains("test result: ok."),
        "guest lab: no libtest summary from the guest; output above"
    );
}

// ---------------------------------------------------------------------------------------------
// In-guest tests: the differential corpus and the runner's self-tests.
// ---------------------------------------------------------------------------------------------

/// The corpus, filtered by `IPVSADM_CASES` (comma-separated substrings of case names).
fn corpus() -> Vec<diff::Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let cases = match diff::load_corpus(&dir) {
        Ok(c) => c,
        Err(e) => panic!("bad corpus: {e}"),
    };
    match std::env::var("IPVSADM_CASES") {
        Ok(f) if !f.trim().is_empty() => {
            let pats: Vec<&str> = f.split(',').map(str::trim).collect();
            cases
                .into_iter()
                .filter(|c| pats.iter().any(|p| c.name.contains(p)))
                .collect()
        }
        _ => cases,
    }
}

/// One pass over the corpus, shared by the corpus tests: every case runs on the real ipvsadm
/// (the reference), then on ours, then on the real one again, all in one namespace per case.
/// Returns the summaries for [ours, real again].
fn corpus_pass() -> &'static [diff::Summary] {
    static PASS: std::sync::OnceLock<Vec<diff::Summary>> = std::sync::OnceLock::new();
    PASS.get_or_init(|| {
        let cases = corpus();
        let cfg = diff::Config::with_candidates(
            support::REAL_IPVSADM,
            vec![support::ours().into(), support::REAL_IPVSADM.into()],
        );
        announce(&format!(
            "\n== differential corpus: {} cases, each through {} (reference), {} (ours) and {} again\n",
            cases.len(),
            support::REAL_IPVSADM,
            support::ours(),
            support::REAL_IPVSADM
        ));
        let started = std::time::Instant::now();
        let summaries = diff::run_cases_multi(&cases, &cfg, &mut |_, _| {});
        announce(&format!(
            "differential: took {:.1}s with {} workers\n",
            started.elapsed().as_secs_f64(),
            cfg.jobs
        ));
        summaries
    })
}

/// Prints one candidate's result: counts always (uncaptured), mismatching cases in the
/// test's captured output (shown when it fails).
fn report(label: &str, s: &diff::Summary) {
    let header = format!("== {label}\n");
    announce(&format!("\n{header}"));
    announce(&s.summary_lines());
    print!("{header}");
    for line in s.report.lines() {
        if !(line.starts_with("case ") && line.ends_with("... ok")) {
            println!("{line}");
        }
    }
}

#[test]
#[ignore = "guest lab"]
fn corpus_real_vs_ours() {
    support::require_guest();
    let Some(s) = corpus_pass().first() else {
        panic!("no result for ours")
    };
    report("corpus: Debian's ipvsadm vs ours", s);
    assert!(s.cases > 0, "empty corpus");
    assert_eq!(
        s.failed,
        0,
        "{} of {} cases differ between Debian's ipvsadm and ours: {}",
        s.failed,
        s.cases,
        s.failed_cases.join(" ")
    );
}

#[test]
#[ignore = "guest lab"]
fn corpus_real_vs_real() {
    support::require_guest();
    let Some(s) = corpus_pass().get(1) else {
        panic!("no result for the second real run")
    };
    report(
        "corpus: Debian's ipvsadm vs itself (checks the runner and the corpus)",
        s,
    );
    assert!(s.cases > 0, "empty corpus");
    assert_eq!(
        (s.failed, s.mismatches),
        (0, 0),
        "the real ipvsadm differs from itself (a flaky case or a runner bug): {}",
        s.failed_cases.join(" ")
    );
}

/// A deliberately wrong "ours": wraps the real ipvsadm and changes stdout, exit status,
/// stderr or the resulting kernel state, depending on the command.
const WRONG_IPVSADM: &str = r#"#!/bin/sh
case "$1" in
    --version) /usr/sbin/ipvsadm "$@"; rc=$?; echo "an extra line"; exit $rc ;;
    -Z) /usr/sbin/ipvsadm "$@"; exit 7 ;;
    -A) exec /usr/sbin/ipvsadm "$@" -p 60 ;;
    --bogus) exec /usr/sbin/ipvsadm "$@" 2>&1 ;;
    *) exec /usr/sbin/ipvsadm "$@" ;;
esac
"#;

const RUNNER_SELF_TEST: &str = "
case self-same
-L -n
case self-stdout
--version
case self-exit
-Z
case self-state
-A -t 10.1.1.1:80 -s rr
-L -n
case self-stderr
--bogus
";

#[test]
#[ignore = "guest lab"]
fn runner_reports_differences() {
    use std::os::unix::fs::PermissionsExt;
    support::require_guest();
    let wrong = std::env::temp_dir().join("wrong-ipvsadm");
    std::fs::write(&wrong, WRONG_IPVSADM).expect("write the wrapper in the guest's /tmp");
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let cases = diff::parse_cases(RUNNER_SELF_TEST, "runner-self-test").expect("parse");
    let cfg = diff::Config::new(support::REAL_IPVSADM, &wrong);
    let s = &diff::run_cases(&cases, &cfg, &mut |_| {});
    announce("\n== runner self-test: a deliberately wrong ipvsadm must be reported\n");
    announce(&s.summary_lines());
    println!("== runner self-test report:\n{}", s.report);
    // The deliberately wrong expectations, one per kind of difference.
    assert_eq!(
        s.failed_cases,
        ["self-stdout", "self-exit", "self-state", "self-stderr"]
    );
    assert_eq!((s.passed, s.failed), (1, 4));
    assert_eq!(s.commands, 6);
    let r = &s.report;
    assert!(r.contains("case self-same ... ok"), "{r}");
    assert!(r.contains("+an extra line"), "stdout diff missing:\n{r}");
    assert!(
        r.contains("exit status: reference exit 0, ours exit 7"),
        "{r}"
    );
    assert!(
        r.contains("final state (real ipvsadm -S -n)"),
        "state diff missing:\n{r}"
    );
    assert!(
        r.contains("persistent 60"),
        "state diff lacks the change:\n{r}"
    );
    assert!(r.contains("stderr differs"), "{r}");
    assert!(
        r.contains("differential: 5 cases, 6 commands compared,"),
        "{r}"
    );
    assert!(r.contains("1 passed, 4 failed"), "{r}");
}

#[test]
#[ignore = "guest lab"]
fn lab_kernel_has_ip_vs() {
    support::require_guest();
    let out = support::in_netns(|| support::real_ipvsadm(&["-L", "-n"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.exit, support::Exit::Code(0), "{out:?}");
    assert!(text.starts_with("IP Virtual Server version"), "{text}");
}

/// Host-side check (no guest): every case file parses and case names are unique.
#[test]
fn corpus_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    match diff::load_corpus(&dir) {
        Ok(cases) => assert!(!cases.is_empty(), "no cases in {}", dir.display()),
        Err(e) => panic!("bad corpus: {e}"),
    }
}
