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
use crate::grammar::{self, Cmd};
use crate::kernel::{Ipvs, Request};
use crate::session::Session;

/// `-R`'s line → words (also here for callers that read `-R` input).
pub use crate::grammar::tokens::tokenize;

/// Changes queued before they are sent: one transport batch, so the
/// queue's memory is small and reused.
const BATCH: usize = crate::transport::BATCH;

/// Send the queued changes and report each result in order; returns the
/// status of the last one (or `rc` when nothing was queued).
fn flush(pending: &mut Vec<Request>, k: &mut dyn Ipvs, s: &mut Session<'_>, mut rc: i32) -> i32 {
    if pending.is_empty() {
        return rc;
    }
    let results = k.execute_many(pending);
    for (req, res) in pending.iter().zip(results) {
        s.begin(req);
        let r = s.finish(res);
        rc = s.report(r);
    }
    pending.clear();
    rc
}

/// One `-R` line, read and parsed: what the run does with it.
// Changes are nearly every item: boxing them would allocate once a line.
#[allow(clippy::large_enum_variant)]
pub enum Item {
    /// A change, queued and sent with the next batch.
    Change(Request),
    /// Any other command (a listing): run in place, after the queue.
    Other(Box<grammar::Command>),
    /// `-h` / `-v`: printed, and the whole process ends.
    Local(Box<grammar::Command>),
    /// A line that did not parse.
    Fail(Error),
}

/// Reads `-R` input and parses it line by line; pure (no kernel, no
/// output), so it may run ahead of the kernel on its own thread.
pub struct Parser<R> {
    input: R,
    argv0: String,
    line: Vec<u8>,
}

impl<R: BufRead> Parser<R> {
    pub fn new(input: R, argv0: &str) -> Parser<R> {
        Parser {
            input,
            argv0: argv0.to_string(),
            line: Vec::new(),
        }
    }
}

impl<R: BufRead> Iterator for Parser<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            self.line.clear();
            match self.input.read_until(b'\n', &mut self.line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            }
            let words = tokenize(&self.line);
            if words.is_empty() {
                continue;
            }
            return Some(match grammar::parse(&self.argv0, &words) {
                Ok(cmd) if cmd.cmd == Cmd::Restore => Item::Fail(Error::try_help(&self.argv0)),
                Ok(cmd) if matches!(cmd.cmd, Cmd::Help | Cmd::Version) => {
                    Item::Local(Box::new(cmd))
                }
                Ok(cmd) => match exec::into_request(cmd) {
                    Ok(req) => Item::Change(req),
                    Err(cmd) => Item::Other(cmd),
                },
                Err(e) => Item::Fail(e),
            });
        }
    }
}

/// Items handed from the reading thread to the running one per message.
const HANDOFF: usize = BATCH;

/// Read and parse `input` on a thread of its own, so that the next lines
/// are parsed while the kernel makes the changes already sent. Items come
/// back in line order, in groups: a group ends after [`HANDOFF`] changes
/// or at any other item, so a listing or an error line is run as soon as
/// it is read, as without the thread. When no thread can be started the
/// input comes back unread (the caller then parses inline, [`run`]).
pub fn spawn_parser<R: BufRead + Send + 'static>(
    input: R,
    argv0: &str,
) -> Result<impl Iterator<Item = Item>, R> {
    use std::sync::mpsc::{channel, sync_channel};
    // The input goes to the thread through a channel, so a failed spawn
    // leaves it with us.
    let (give, take) = channel::<R>();
    let (tx, rx) = sync_channel::<Vec<Item>>(4);
    let argv0 = argv0.to_string();
    let spawned = std::thread::Builder::new().spawn(move || {
        let Ok(input) = take.recv() else { return };
        let mut group = Vec::with_capacity(HANDOFF);
        for item in Parser::new(input, &argv0) {
            let change = matches!(item, Item::Change(_));
            group.push(item);
            if !change || group.len() >= HANDOFF {
                let full = std::mem::replace(&mut group, Vec::with_capacity(HANDOFF));
                if tx.send(full).is_err() {
                    return; // the run ended early
                }
            }
        }
        let _ = tx.send(group);
    });
    if spawned.is_err() {
        return Err(input);
    }
    match give.send(input) {
        Ok(()) => Ok(rx.into_iter().flatten()),
        Err(back) => Err(back.0),
    }
}

/// Run `-R` over `input`. Kernel errors are written as they happen and
/// the run goes on; the outcome is the last executed line's (a failure
/// already written comes back as its status alone), or the error that
/// stopped the run.
pub fn run(input: &mut dyn BufRead, k: &mut dyn Ipvs, s: &mut Session<'_>) -> Result<(), Error> {
    let items = Parser::new(input, &s.argv0.clone());
    run_items(items, k, s)
}

/// [`run`] over lines already parsed (e.g. by [`spawn_parser`]).
pub fn run_items(
    items: impl Iterator<Item = Item>,
    k: &mut dyn Ipvs,
    s: &mut Session<'_>,
) -> Result<(), Error> {
    let rc = run_lines(items, k, s)?;
    if rc == OK {
        Ok(())
    } else {
        Err(Error::status(rc))
    }
}

/// [`run`]'s loop; returns the last line's status.
fn run_lines(
    items: impl Iterator<Item = Item>,
    k: &mut dyn Ipvs,
    s: &mut Session<'_>,
) -> Result<i32, Error> {
    let mut rc = OK;
    let mut pending: Vec<Request> = Vec::with_capacity(BATCH);
    for item in items {
        match item {
            Item::Change(req) => {
                pending.push(req);
                if pending.len() >= BATCH {
                    rc = flush(&mut pending, k, s, rc);
                }
            }
            Item::Fail(e) => {
                flush(&mut pending, k, s, rc);
                if e.continues_restore() {
                    // popt errors after the command fail only their line.
                    rc = s.report(Err(e));
                    continue;
                }
                return Err(e);
            }
            Item::Local(cmd) => {
                // -h / -v inside -R print and end the whole process
                // (ipvsadm exits from its option loop).
                flush(&mut pending, k, s, rc);
                exec::run_local(&cmd, s).unwrap_or(Ok(()))?;
                return Ok(OK);
            }
            Item::Other(cmd) => {
                flush(&mut pending, k, s, rc);
                let r = exec::run(&cmd, k, s);
                rc = s.report(r);
            }
        }
    }
    Ok(flush(&mut pending, k, s, rc))
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

    /// [`restore`] with the lines parsed on their own thread, as `-R`
    /// runs: (status, stdout, stderr, kernel log).
    fn restore_piped(input: &[u8]) -> (i32, String, String, String) {
        let mut k = MemIpvs::default();
        let mut out = Vec::new();
        let mut err = Vec::new();
        let rc = {
            let mut s = Session {
                argv0: "ipvsadm".into(),
                op: Op::Init,
                out: &mut out,
                err: &mut err,
            };
            let items = spawn_parser(std::io::Cursor::new(input.to_vec()), "ipvsadm")
                .unwrap_or_else(|_| panic!("no thread"));
            let r = run_items(items, &mut k, &mut s);
            report(r, s.err)
        };
        let txt = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (rc, txt(&out), txt(&err), format!("{:?}", k.log))
    }

    #[test]
    fn parsing_on_a_thread_changes_nothing() {
        // Random lines (changes, listings, errors of both kinds, -h/-v)
        // and a long input: same status, output, errors and kernel calls
        // whether the lines are parsed inline or ahead on a thread.
        let words = [
            "-A -t 10.0.0.1:80",
            "-a -t 10.0.0.1:80 -r 10.1.1.1",
            "-L -n",
            "-S",
            "-D -t 10.0.0.1:80",
            "-A -t 10.0.0.2:80 -w 1",
            "-L -Q",
            "-E -t 10.0.0.1:80 -s sh",
            "",
            "-v",
            "-R",
            "-Z",
            "-C",
            "-e -t 10.0.0.1:80 -r 10.1.1.1 -w 3",
            "-x",
        ];
        let mut rng = crate::testkit::Rng::new(7);
        for round in 0..300 {
            let mut input = String::new();
            let lines = if round == 0 { 3000 } else { rng.next() % 30 };
            for _ in 0..lines {
                input += words[rng.next() as usize % if round == 0 { 2 } else { words.len() }];
                input.push('\n');
            }
            let mut k = MemIpvs::default();
            let (rc, out, err) = restore(&mut k, &input);
            let want = (rc, out, err, format!("{:?}", k.log));
            assert_eq!(restore_piped(input.as_bytes()), want, "{input}");
        }
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
