//! `-R`: read rules from stdin with ipvsadm's tokenising and run them.
//!
//! ipvsadm's rules, kept exactly: tokens are runs of anything but space,
//! TAB, CR and LF (at most 4096 bytes each; no quoting, no comments); every
//! token equal to `ipvsadm` is dropped; lines left empty are skipped. A
//! line that fails to parse stops the run with its own message and status;
//! a kernel error is printed and the run carries on; the status is the
//! last executed line's.
//!
//! Unlike ipvsadm, consecutive changes are sent to the kernel together
//! (pipelined) and their results reported in line order, so output and
//! status are the same but a large restore costs a fraction of the time.

use std::io::BufRead;

use crate::exec::{self, Session};
use crate::grammar::{self, Cmd};
use crate::kernel::{Ipvs, Request};

/// Longest token ipvsadm's line reader keeps in one piece.
const MAX_TOKEN: usize = 4096;
/// Changes queued before they are sent.
const BATCH: usize = 4096;

/// Split one input line into ipvsadm's argument words.
pub fn tokenize(line: &[u8]) -> Vec<String> {
    line.split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .filter(|t| !t.is_empty())
        .flat_map(|t| t.chunks(MAX_TOKEN))
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .filter(|t| t != "ipvsadm")
        .collect()
}

/// Send the queued changes and report each result in order; returns the
/// status of the last one (or `rc` when nothing was queued).
fn flush(pending: &mut Vec<Request>, k: &mut dyn Ipvs, s: &mut Session<'_>, mut rc: i32) -> i32 {
    if pending.is_empty() {
        return rc;
    }
    let results = k.execute_many(pending);
    for (req, res) in pending.iter().zip(results) {
        s.begin(req);
        rc = s.finish(res);
    }
    pending.clear();
    rc
}

/// Run `-R` over `input`; returns the exit status.
pub fn run(input: &mut dyn BufRead, k: &mut dyn Ipvs, s: &mut Session<'_>) -> i32 {
    let mut rc = 0;
    let mut pending: Vec<Request> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
        let words = tokenize(&line);
        if words.is_empty() {
            continue;
        }
        let cmd = match grammar::parse(&s.argv0, &words) {
            Ok(cmd) if cmd.cmd == Cmd::Restore => Err(try_help(&s.argv0)),
            other => other,
        };
        let cmd = match cmd {
            Ok(cmd) => cmd,
            Err(e) => {
                flush(&mut pending, k, s, rc);
                let _ = writeln!(s.err, "{}", e.message);
                return e.code;
            }
        };
        match exec::request_of(&cmd) {
            Some(req) => {
                pending.push(req);
                if pending.len() >= BATCH {
                    rc = flush(&mut pending, k, s, rc);
                }
            }
            None => {
                flush(&mut pending, k, s, rc);
                rc = exec::run(&cmd, k, s, &mut std::io::empty());
            }
        }
    }
    flush(&mut pending, k, s, rc)
}

/// ipvsadm's answer to a line it cannot start parsing (and to `-R` inside `-R`).
fn try_help(argv0: &str) -> grammar::ParseError {
    grammar::ParseError {
        message: format!("Try `{argv0} -h' or '{argv0} --help' for more information."),
        code: 255,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_blanks_and_drop_program_name() {
        assert_eq!(
            tokenize(b"ipvsadm -A\t-t 1.2.3.4:80\r\n"),
            vec!["-A", "-t", "1.2.3.4:80"]
        );
        assert_eq!(tokenize(b"-A ipvsadm -t x"), vec!["-A", "-t", "x"]);
        assert!(tokenize(b"  \t\r\n").is_empty());
        assert!(tokenize(b"ipvsadm").is_empty());
    }

    #[test]
    fn no_quoting_and_long_tokens_are_cut() {
        assert_eq!(tokenize(b"-s \"rr\""), vec!["-s", "\"rr\""]);
        let long = vec![b'a'; MAX_TOKEN + 5];
        let t = tokenize(&long);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].len(), MAX_TOKEN);
        assert_eq!(t[1].len(), 5);
    }
}
