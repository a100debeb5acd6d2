//! What the live `mark` tests (mark_live, mark_chains, mark_matches) share: a shell script
//! run in a fresh network namespace (`unshare -n`, so the host's ruleset is never touched)
//! with our binary as `$BIN`, and the check that this host can run them at all, which never
//! skips silently.
// Each test target includes this file and uses part of it.
#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_ipvsadm");

/// `unshare -n sh ARGS` with `$BIN` set and the C locale.
fn sh_in_netns(args: &[&str]) -> Command {
    let mut cmd = Command::new("unshare");
    cmd.arg("-n")
        .arg("sh")
        .args(args)
        .env("BIN", BIN)
        .env("LC_ALL", "C");
    cmd
}

/// (stdout, stderr, exit status; -1 when killed by a signal).
fn parts(out: Output) -> (String, String, i32) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Runs `script` as `sh -c SCRIPT` in a new network namespace.
pub fn ns(script: &str) -> (String, String, i32) {
    parts(sh_in_netns(&["-c", script]).output().expect("unshare runs"))
}

/// Runs `script` fed to `sh -s` on stdin in a new network namespace (for scripts longer
/// than one argument may be).
pub fn ns_stdin(script: &str) -> (String, String, i32) {
    let mut child = sh_in_netns(&["-s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unshare runs");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes()).expect("script written");
    }
    parts(child.wait_with_output().expect("unshare ends"))
}

/// Whether `probe` (run by [`ns`]) prints `ok`. When it does not, the tests are skipped
/// only on the explicit opt-out `IPVSADM_RS_SKIP_LIVE=1` (saying "`{tests}` SKIPPED");
/// otherwise this panics with `needs`, what the tests need.
pub fn available(probe: &str, tests: &str, needs: &str) -> bool {
    let (o, _, rc) = ns(probe);
    if rc == 0 && o.trim() == "ok" {
        return true;
    }
    if std::env::var("IPVSADM_RS_SKIP_LIVE").is_ok_and(|v| v == "1") {
        eprintln!("!!! IPVSADM_RS_SKIP_LIVE=1: {tests} SKIPPED");
        return false;
    }
    panic!("{needs}; set IPVSADM_RS_SKIP_LIVE=1 to skip them locally");
}
