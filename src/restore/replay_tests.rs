//! Replays the guest captures in `src/output/testdata/guest-listings.txt`
//! (Debian's ipvsadm 1.31 on the real 6.1 kernel, generated from
//! `tests/cases/output-*.case`) on the host: each command goes through
//! our grammar, changes go to the in-memory kernel, listings through
//! [`crate::output`], `-R` through this module, and stdout, stderr and
//! exit status must match the real ones byte for byte.
//!
//! Names: the guest's /etc/hosts only names 127.0.0.1 (`localhost`), and
//! it shares this machine's /etc/services; the test injects the former and
//! reads the latter, and is skipped when /etc/services is not Debian's.

use std::net::IpAddr;
use std::path::Path;

use crate::error::report;
use crate::exec;
use crate::grammar::{self, Cmd};
use crate::kernel::errors::{error_text, Op};
use crate::kernel::mem::MemIpvs;
use crate::model::{ip_from_raw, RawAddr};
use crate::output::names::{Names, SystemNames};
use crate::output::{list_in, save_in, Env, ListError};
use crate::session::Session;

const CAPTURE: &str = include_str!("../output/testdata/guest-listings.txt");

/// The guest's resolver: /etc/hosts names 127.0.0.1 only; services from
/// this machine's /etc/services (the guest's, too).
struct GuestNames;

impl Names for GuestNames {
    fn host(&self, af: u16, addr: &RawAddr) -> Option<Vec<u8>> {
        let lo: IpAddr = [127, 0, 0, 1].into();
        (ip_from_raw(af, addr) == lo).then(|| b"localhost".to_vec())
    }
    fn service(&self, port: u16, proto: &str) -> Option<Vec<u8>> {
        SystemNames.service(port, proto)
    }
}

fn debian_services() -> bool {
    let s = SystemNames;
    let is = |port, proto, name: &str| s.service(port, proto).as_deref() == Some(name.as_bytes());
    is(80, "tcp", "http")
        && is(443, "tcp", "https")
        && is(8080, "tcp", "http-alt")
        && is(53, "udp", "domain")
        && is(5353, "udp", "mdns")
        && is(123, "udp", "ntp")
        && is(22, "tcp", "ssh")
        && is(5060, "udp", "sip")
        && s.service(80, "sctp").is_none()
        && s.service(5060, "sctp").is_none()
}

struct Command {
    args: Vec<String>,
    stdin: String,
    rc: i32,
    out: String,
    err: String,
}

struct Case {
    name: String,
    commands: Vec<Command>,
}

fn take_lines<'a>(lines: &mut impl Iterator<Item = &'a str>, header: &str, tag: &str) -> String {
    let n: usize = header
        .strip_prefix(tag)
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("expected `{tag} N`, got {header:?}"));
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(lines.next().expect("truncated capture"));
        s.push('\n');
    }
    s
}

fn parse_capture() -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    let mut lines = CAPTURE.lines().filter(|l| !l.starts_with('#'));
    while let Some(l) = lines.next() {
        if let Some(name) = l.strip_prefix("case ") {
            cases.push(Case {
                name: name.to_string(),
                commands: Vec::new(),
            });
            continue;
        }
        let args = l.strip_prefix("cmd").expect("expected `cmd`");
        let mut next = lines.next().expect("truncated capture");
        let mut stdin = String::new();
        if next.starts_with("stdin ") {
            stdin = take_lines(&mut lines, next, "stdin ");
            next = lines.next().expect("truncated capture");
        }
        let rc = next
            .strip_prefix("rc ")
            .and_then(|r| r.parse().ok())
            .expect("expected `rc N`");
        let h = lines.next().expect("truncated capture");
        let out = take_lines(&mut lines, h, "out ");
        let h = lines.next().expect("truncated capture");
        let err = take_lines(&mut lines, h, "err ");
        cases
            .last_mut()
            .expect("cmd before case")
            .commands
            .push(Command {
                args: args.split_whitespace().map(String::from).collect(),
                stdin,
                rc,
                out,
                err,
            });
    }
    cases
}

/// Run one command like the binary would, with listings in the guest's
/// name environment.
fn run(c: &Command, k: &mut MemIpvs, op: &mut Op) -> (String, String, i32) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let rc = match grammar::parse("ipvsadm", &c.args) {
        Err(e) => {
            err.extend_from_slice(e.text.as_bytes());
            e.code
        }
        Ok(cmd) if cmd.cmd == Cmd::List || cmd.cmd == Cmd::Save => {
            let env = Env {
                names: &GuestNames,
                conn_path: Path::new("/nonexistent/ip_vs_conn"),
                info: None,
            };
            let r = if cmd.cmd == Cmd::List {
                list_in(&env, &mut out, k, cmd.service.as_ref(), &cmd.list, op)
            } else {
                save_in(&env, &mut out, k, cmd.list.numeric, op)
            };
            match r {
                Ok(()) => 0,
                Err(ListError::Kernel { op: o, errno }) => {
                    let text = error_text(o.unwrap_or(*op), errno);
                    err.extend_from_slice(format!("{text}\n").as_bytes());
                    1
                }
                Err(e) => {
                    if let Some(m) = e.message() {
                        err.extend_from_slice(format!("{m}\n").as_bytes());
                    }
                    e.code()
                }
            }
        }
        Ok(cmd) => {
            let mut s = Session {
                argv0: "ipvsadm".into(),
                op: *op,
                out: &mut out,
                err: &mut err,
            };
            let mut stdin = std::io::Cursor::new(c.stdin.clone().into_bytes());
            // As `main` dispatches: `-R` reads its lines, the rest run.
            let r = if cmd.cmd == Cmd::Restore {
                super::run(&mut stdin, k, &mut s)
            } else {
                exec::run(&cmd, k, &mut s)
            };
            let rc = report(r, s.err);
            *op = s.op;
            rc
        }
    };
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
        rc,
    )
}

#[test]
fn guest_captures_replay() {
    if !debian_services() {
        eprintln!("skipped: /etc/services is not Debian's");
        return;
    }
    let cases = parse_capture();
    assert!(cases.len() >= 10, "capture not parsed");
    let mut failures = Vec::new();
    let mut count = 0;
    for case in &cases {
        let mut k = MemIpvs::default();
        for (n, c) in case.commands.iter().enumerate() {
            // each command is its own process: a fresh marker
            let mut op = Op::Init;
            let (out, err, rc) = run(c, &mut k, &mut op);
            count += 1;
            if (out.as_str(), err.as_str(), rc) != (c.out.as_str(), c.err.as_str(), c.rc) {
                failures.push(format!(
                    "{} #{n} `ipvsadm {}`\n--- real (rc {})\n{}{}--- ours (rc {rc})\n{out}{err}",
                    case.name,
                    c.args.join(" "),
                    c.rc,
                    c.out,
                    c.err
                ));
            }
        }
    }
    assert!(count >= 150, "only {count} commands replayed");
    assert!(
        failures.is_empty(),
        "{} of {count} commands differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
