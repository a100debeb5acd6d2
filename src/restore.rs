//! `-R`: read rules from stdin with ipvsadm's tokenising and run them.
//!
//! ipvsadm's rules, kept exactly: lines are split into words by
//! [`tokenize`] (no quoting, no comments); lines left empty are skipped. A
//! line that fails to parse stops the run with its own message and status
//! (except option-parser errors after the command, `-L -Q`, which fail only
//! their line); a kernel error is printed and the run carries on; the
//! status is the last executed line's.
//!
//! Unlike ipvsadm, consecutive changes are sent to the kernel together
//! (pipelined) and their results reported in line order, so output and
//! status are the same but a large restore costs a fraction of the time.

use std::io::BufRead;

use crate::error::{Error, OK};
use crate::exec;
use crate::grammar::{self, Cmd, Command};
use crate::kernel::{Ipvs, Request};
use crate::session::Session;

/// `-R`'s line → words (also here for callers that read `-R` input).
pub use crate::grammar::tokens::tokenize;

/// Changes sent together: one transport batch, so the queue's memory is
/// small and reused.
const BATCH: usize = crate::transport::BATCH;

/// Run `-R` over `input`. Kernel errors are written as they happen and
/// the run goes on; the outcome is the last executed line's (a failure
/// already written comes back as its status alone), or the error that
/// stopped the run.
pub fn run(input: &mut dyn BufRead, k: &mut dyn Ipvs, s: &mut Session<'_>) -> Result<(), Error> {
    let rc = run_lines(input, k, s)?;
    if rc == OK {
        Ok(())
    } else {
        Err(Error::status(rc))
    }
}

/// What ends a stream of changes.
enum Stop {
    /// The end of the input.
    End,
    /// A line that did not parse.
    Bad(Error),
    /// `-h` or `-v`: printed, then the whole process ends.
    Local(Box<Command>),
    /// A command that is not one change (a listing, `-Z` …): run alone.
    Other(Box<Command>),
}

/// [`run`]'s loop; returns the last line's status. Consecutive changes
/// stream to the kernel in batches (see [`Ipvs::execute_stream`]); every
/// other line waits for the changes before it and runs alone.
fn run_lines(input: &mut dyn BufRead, k: &mut dyn Ipvs, s: &mut Session<'_>) -> Result<i32, Error> {
    let mut rc = OK;
    let argv0 = s.argv0.clone();
    loop {
        let mut stop = None;
        k.execute_stream(
            &mut || next_batch(input, &argv0, &mut stop),
            &mut |reqs, results| {
                for (req, res) in reqs.iter().zip(results) {
                    s.begin(req);
                    let r = s.finish(res);
                    rc = s.report(r);
                }
            },
        );
        match stop.unwrap_or(Stop::End) {
            Stop::End => return Ok(rc),
            // popt errors after the command fail only their line.
            Stop::Bad(e) if e.continues_restore() => rc = s.report(Err(e)),
            Stop::Bad(e) => return Err(e),
            Stop::Local(cmd) => {
                // ipvsadm exits from its option loop.
                exec::run_local(&cmd, s).unwrap_or(Ok(()))?;
                return Ok(OK);
            }
            Stop::Other(cmd) => {
                let r = exec::run(&cmd, k, s);
                rc = s.report(r);
            }
        }
    }
}

/// The next changes (up to [`BATCH`]) from `input`; None once `stop` is
/// set (and, having set it, what came before it, if anything).
fn next_batch(
    input: &mut dyn BufRead,
    argv0: &str,
    stop: &mut Option<Stop>,
) -> Option<Vec<Request>> {
    if stop.is_some() {
        return None;
    }
    let mut batch = Vec::with_capacity(BATCH);
    while batch.len() < BATCH {
        match next_line(input, argv0) {
            Ok(req) => batch.push(req),
            Err(st) => {
                *stop = Some(st);
                break;
            }
        }
    }
    (!batch.is_empty()).then_some(batch)
}

/// The next line that is one change, or what stops the stream.
fn next_line(input: &mut dyn BufRead, argv0: &str) -> Result<Request, Stop> {
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return Err(Stop::End),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(Stop::End),
        }
        let words = tokenize(&line);
        if words.is_empty() {
            continue;
        }
        let cmd = match grammar::parse(argv0, &words) {
            Ok(cmd) if cmd.cmd == Cmd::Restore => return Err(Stop::Bad(Error::try_help(argv0))),
            Ok(cmd) => cmd,
            Err(e) => return Err(Stop::Bad(e)),
        };
        if matches!(cmd.cmd, Cmd::Help | Cmd::Version) {
            return Err(Stop::Local(Box::new(cmd)));
        }
        return exec::into_request(cmd).map_err(Stop::Other);
    }
}

#[cfg(test)]
mod replay_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::report;
    use crate::kernel::errors::Op;
    use crate::kernel::mem::MemIpvs;

    /// Run `-R` over `input` against `k`: (status, stdout, stderr).
    fn restore(k: &mut MemIpvs, input: &str) -> (i32, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let rc = {
            let mut s = Session {
                argv0: "ipvsadm".into(),
                op: Op::Init,
                out: &mut out,
                err: &mut err,
            };
            let r = run(&mut input.as_bytes(), k, &mut s);
            report(r, s.err)
        };
        (
            rc,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    #[test]
    fn long_input_reports_in_line_order_across_batches() {
        // Several batches: duplicates (kernel errors) spread over them, a
        // listing in the middle, a syntax error at the end; everything up
        // to it is made and reported in order, nothing after it.
        let mut input = String::new();
        let mut want_err = String::new();
        for i in 0..1500 {
            input += &format!("-A -t 10.0.{}.{}:80\n", i / 250, i % 250 + 1);
            if i % 97 == 0 {
                input += &format!("-A -t 10.0.{}.{}:80\n", i / 250, i % 250 + 1);
                want_err += "Service already exists\n";
            }
            if i == 700 {
                input += "-a -t 10.9.9.9:80 -r 10.0.0.1\n-L -n -t 10.0.2.201:80\n";
                want_err += "Service not defined\n";
            }
        }
        input += "-A -t 10.1.0.1:80 -w 1\n-A -t 10.1.0.2:80\n";
        want_err += "Illegal 'weight' option with the 'add-service' command\n";
        let mut k = MemIpvs::default();
        let (rc, out, err) = restore(&mut k, &input);
        assert_eq!(err, want_err);
        // The listing in the middle sees the change made just before it.
        assert!(out.ends_with("TCP  10.0.2.201:80 wlc\n"), "{out}");
        assert_eq!(rc, 2);
        assert_eq!(k.services.len(), 1500);
        assert_eq!(k.log.len(), 1500 + 1500usize.div_ceil(97) + 1);
    }

    #[test]
    fn kernel_error_is_printed_and_the_run_goes_on() {
        let mut k = MemIpvs::default();
        let (rc, _, err) = restore(
            &mut k,
            "-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80\n",
        );
        assert_eq!(err, "Service already exists\n");
        assert_eq!(rc, 0, "status of the last line");
        assert_eq!(k.services.len(), 2);
    }

    #[test]
    fn last_line_failing_gives_255() {
        let mut k = MemIpvs::default();
        let (rc, _, err) = restore(&mut k, "-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n\n  \n");
        assert_eq!(err, "Service already exists\n");
        assert_eq!(rc, 255);
    }

    #[test]
    fn syntax_error_stops_after_applying_what_came_before() {
        let mut k = MemIpvs::default();
        let (rc, _, err) = restore(
            &mut k,
            "-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80 -w 1\n-A -t 10.0.0.3:80\n",
        );
        assert_eq!(
            err,
            "Service already exists\nIllegal 'weight' option with the 'add-service' command\n"
        );
        assert_eq!(rc, 2);
        assert_eq!(k.services.len(), 1, "nothing after the bad line ran");
    }

    #[test]
    fn comments_and_nested_restore_abort_with_try() {
        let mut k = MemIpvs::default();
        let (rc, _, err) = restore(
            &mut k,
            "-A -t 10.0.0.1:80\n# a comment\n-A -t 10.0.0.2:80\n",
        );
        assert_eq!(
            err,
            "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"
        );
        assert_eq!(rc, 255);
        assert_eq!(k.services.len(), 1);
        let (rc, _, err) = restore(&mut k, "-R\n");
        assert_eq!(rc, 255);
        assert!(err.starts_with("Try `ipvsadm -h'"));
    }

    #[test]
    fn listing_inside_restore_sees_earlier_lines() {
        let mut k = MemIpvs::default();
        let (rc, out, _) = restore(&mut k, "ipvsadm -A -t 10.0.0.1:80 -s rr\n-S -n\n");
        assert_eq!(rc, 0);
        assert_eq!(out, "-A -t 10.0.0.1:80 -s rr\n");
    }

    #[test]
    fn popt_errors_after_the_command_fail_only_their_line() {
        let mut k = MemIpvs::default();
        let (rc, _, err) = restore(&mut k, "-A -t 10.0.0.1:80 -Q\n-A -t 10.0.0.2:80\n");
        assert_eq!(err, "-Q: unknown option\n");
        assert_eq!(rc, 0);
        assert_eq!(k.services.len(), 1);
        let (rc, _, _) = restore(&mut k, "-A -t 10.0.0.3:80\n-L -t\n");
        assert_eq!(rc, 255);
    }

    #[test]
    fn help_and_version_end_the_run() {
        let mut k = MemIpvs::default();
        let (rc, out, _) = restore(&mut k, "-A -t 10.0.0.1:80\n-v\n-A -t 10.0.0.2:80\n");
        assert_eq!(rc, 0);
        assert!(out.starts_with("ipvsadm v1.31"));
        assert_eq!(k.services.len(), 1);
    }

    #[test]
    fn empty_input_is_success() {
        let mut k = MemIpvs::default();
        assert_eq!(restore(&mut k, "").0, 0);
        assert_eq!(restore(&mut k, "\n ipvsadm \n").0, 0);
    }

    /// Random bytes and near-valid rule lines never panic the reader.
    #[test]
    fn random_input_never_panics() {
        let words: &[&[u8]] = &[
            b"-A",
            b"-a",
            b"-E",
            b"-e",
            b"-d",
            b"-D",
            b"-C",
            b"-Z",
            b"-L",
            b"-S",
            b"-R",
            b"-t",
            b"-u",
            b"-f",
            b"-r",
            b"-s",
            b"-p",
            b"-w",
            b"-x",
            b"-y",
            b"-m",
            b"-i",
            b"-g",
            b"-n",
            b"10.0.0.1:80",
            b"[::1]:80",
            b"1",
            b"0",
            b"rr",
            b"sh",
            b"-b",
            b"sh-port",
            b"#",
            b"ipvsadm",
            b"\t",
            b" ",
            b"\r",
            b"\n",
            b"\xff\xfe",
            b"--set",
            b"-6",
            b"--",
        ];
        let mut rng = crate::testkit::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut next = || rng.next();
        for _ in 0..2000 {
            let mut input = Vec::new();
            for _ in 0..(next() % 40) {
                let r = next();
                if r % 5 == 0 {
                    input.push((r >> 8) as u8);
                } else {
                    input.extend_from_slice(words[(r >> 8) as usize % words.len()]);
                    input.push(if r % 7 == 0 { b'\n' } else { b' ' });
                }
            }
            let mut k = MemIpvs::default();
            let mut out = Vec::new();
            let mut err = Vec::new();
            let mut s = Session {
                argv0: "ipvsadm".into(),
                op: Op::Init,
                out: &mut out,
                err: &mut err,
            };
            let r = run(&mut input.as_slice(), &mut k, &mut s);
            let rc = report(r, s.err);
            assert!(matches!(rc, 0 | 1 | 2 | 255), "status {rc}");
        }
    }
}
