//! `ipvsadm drain`: take real servers out without cutting connections.
//! The servers asked for (one service's, or every service's that has the
//! address) are set to weight 0 together (all or nothing), then watched:
//! once a server's ActiveConn, InActConn and persistence templates are
//! all zero it is deleted (or, with `--keep`, left at weight 0). A server
//! that someone else re-weights or removes meanwhile is left alone and
//! said so; `--timeout`, SIGINT and SIGTERM stop the watch with the
//! weights at 0. Whenever drain stops before deleting, it prints on
//! stdout the command that puts each remaining server's weight back.
//!
//! - [`cli`]: the command line;
//! - [`plan`]: choosing the servers, their names, undo commands, and
//!   templates in the connection table (pure);
//! - [`watch`]: the state machine over readings, exit statuses (pure);
//! - here: the kernel and the clock (readings, requests, signals,
//!   progress lines: rewritten in place when stderr is a terminal, plain
//!   lines otherwise).

pub mod cli;
pub mod plan;
pub mod watch;

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::cli::Parsed;
use crate::error::Error;
use crate::kernel::errors::{error_text, strerror, Op};
use crate::kernel::{read_table, Errno, Ipvs, Request};
use crate::model::{Dest, ServiceKey};
use crate::output::conn::CONN_PROC_FILE;
use crate::output::names::{Names, SystemNames};
use crate::session;
use plan::{Miss, Target};
use watch::{Action, Counts, Phase, Seen, Stop, Watch};

/// How often a plain progress line repeats when nothing changed.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// The longest sleep between two looks at the signal flag.
const SLICE: Duration = Duration::from_millis(50);

/// The signal that asked us to stop (0: none yet).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SIGNAL.store(sig, Ordering::SeqCst);
}

/// Catch SIGINT and SIGTERM (a flag, read between polls).
fn catch_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction with a handler that only stores an
        // atomic (async-signal-safe); no SA_RESTART, so sleeps end early.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// A failure of the subcommand: `ARGV0 drain: reason`.
fn failed(argv0: &str, reason: &str, code: i32) -> Error {
    Error::line(format!("{argv0} drain: {reason}"), code)
}

/// What drain says when nothing matched.
fn not_found(argv0: &str, miss: Miss, a: &cli::Args, names: &dyn Names) -> Error {
    let s = a.server;
    let host = crate::output::names::ntop(s.af, &s.addr).unwrap_or_default();
    let server = match (s.port, s.af == crate::model::AF_INET6) {
        (None, _) => host,
        (Some(p), true) => format!("[{host}]:{p}"),
        (Some(p), false) => format!("{host}:{p}"),
    };
    let svc = a
        .service
        .map(|k| service_of(&k))
        .map(|svc| plan::service_name(&svc, a.numeric, names));
    let reason = match (miss, svc) {
        (Miss::NoService, Some(svc)) => format!("no such service {svc}"),
        (Miss::NoServerInService, Some(svc)) => {
            format!("service {svc} has no real server {server}")
        }
        _ => format!("no service has real server {server}"),
    };
    failed(argv0, &reason, watch::NOT_FOUND)
}

/// A service with the identity of `k` (for naming it).
fn service_of(k: &ServiceKey) -> crate::model::Service {
    match *k {
        ServiceKey::Fwmark { af, fwmark } => crate::model::Service {
            af,
            fwmark,
            ..Default::default()
        },
        ServiceKey::Addr {
            af,
            protocol,
            addr,
            port,
        } => crate::model::Service {
            af,
            protocol,
            addr,
            port,
            ..Default::default()
        },
    }
}

/// Set every target's weight to 0; on a failure put back the ones done
/// and fail (nothing changed).
fn zero_weights(job: &Job, k: &mut dyn Ipvs) -> Result<(), Error> {
    let (argv0, targets, names) = (job.argv0, &job.targets, &job.names);
    for (i, t) in targets.iter().enumerate() {
        if t.dest.weight == 0 {
            continue;
        }
        let zero = Dest {
            weight: 0,
            ..t.dest.clone()
        };
        let Err(e) = k.execute(&Request::SetDest(t.svc.clone(), zero)) else {
            continue;
        };
        let mut reason = format!(
            "cannot set the weight of {} to 0: {}",
            names.get(i).map(String::as_str).unwrap_or(""),
            error_text(Op::EditDest, e)
        );
        let back: Vec<Request> = targets
            .iter()
            .take(i)
            .filter(|t| t.dest.weight != 0)
            .map(|t| Request::SetDest(t.svc.clone(), t.dest.clone()))
            .collect();
        let undone = k.execute_many(&back);
        if undone.iter().any(Result::is_err) {
            reason += "; putting the other weights back failed too";
        } else {
            reason += "; nothing changed";
        }
        return Err(failed(argv0, &reason, watch::FAILED));
    }
    Ok(())
}

/// The counts of a server as the table shows it (templates filled in later).
fn counts_of(d: &Dest) -> Counts {
    Counts {
        weight: d.weight,
        active: d.active_conns,
        inact: d.inact_conns,
        templates: d.persist_conns,
    }
}

/// One look at the kernel for every waiting server; deletes the ones that
/// are drained. A failed reading ends the watch.
fn poll(k: &mut dyn Ipvs, targets: &[Target], w: &mut Watch) {
    let mut conns: Option<Vec<u8>> = None;
    let mut cache: Vec<(ServiceKey, Result<Vec<Dest>, Errno>)> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        if !w.waiting(i) {
            continue;
        }
        let key = t.svc.key();
        if !cache.iter().any(|(k2, _)| *k2 == key) {
            cache.push((key, k.dests(&t.svc)));
        }
        let seen = match cache.iter().find(|(k2, _)| *k2 == key).map(|(_, r)| r) {
            Some(Ok(ds)) => match ds.iter().find(|d| d.key() == t.dest.key()) {
                None => gone(k, t),
                Some(d) => {
                    let mut c = counts_of(d);
                    if t.svc.is_persistent() || c.templates > 0 {
                        let data = conns.get_or_insert_with(|| {
                            std::fs::read(CONN_PROC_FILE).unwrap_or_default()
                        });
                        c.templates = c.templates.max(plan::templates(data, t));
                    }
                    Seen::Here(c)
                }
            },
            Some(Err(libc::ESRCH | libc::ENOENT)) => Seen::ServiceGone,
            Some(Err(e)) => {
                w.fail_all(&format!("cannot read the IPVS table: {}", strerror(*e)));
                return;
            }
            None => continue,
        };
        if w.observe(i, seen) == Action::Delete {
            let r = k.execute(&Request::DelDest(t.svc.clone(), t.dest.clone()));
            w.deleted(i, r, |e| {
                format!("cannot delete it: {}", error_text(Op::DelDest, e))
            });
        }
    }
}

/// A server missing from its service's dump: the kernel dumps no server
/// at all for a service that is gone, so ask for the service itself.
fn gone(k: &mut dyn Ipvs, t: &Target) -> Seen {
    match k.service(&t.svc) {
        Err(libc::ESRCH | libc::ENOENT) => Seen::ServiceGone,
        _ => Seen::ServerGone,
    }
}

/// Progress on stderr: one line per server, rewritten in place on a
/// terminal; otherwise a line when a server's state changes, and every
/// [`HEARTBEAT`] while it waits.
struct Progress {
    tty: bool,
    /// The terminal's columns less one.
    width: usize,
    drawn: usize,
    last: Vec<(String, Instant)>,
}

impl Progress {
    fn new(tty: bool, n: usize) -> Progress {
        let long_ago = Instant::now()
            .checked_sub(HEARTBEAT * 2)
            .unwrap_or_else(Instant::now);
        Progress {
            tty,
            width: stderr_columns().saturating_sub(1).max(20),
            drawn: 0,
            last: vec![(String::new(), long_ago); n],
        }
    }

    fn show(
        &mut self,
        err: &mut dyn Write,
        argv0: &str,
        names: &[String],
        w: &Watch,
        since: Instant,
    ) {
        let now = Instant::now();
        let time = watch::elapsed(now.duration_since(since));
        let mut text = String::new();
        if self.tty && self.drawn > 0 {
            text += &format!("\x1b[{}A", self.drawn);
        }
        for (i, (name, p)) in names.iter().zip(&w.phases).enumerate() {
            let what = watch::describe(p);
            let line = format!("{argv0} drain: {name}: {what}");
            if self.tty {
                // Cut to the terminal's width: a wrapped line would break the redraw.
                let live = format!("{name}: {what}  [{time}]");
                let live: String = live.chars().take(self.width).collect();
                text += &format!("\r\x1b[K{live}\n");
                continue;
            }
            let Some((prev, at)) = self.last.get_mut(i) else {
                continue;
            };
            let waiting = matches!(p, Phase::Waiting(_));
            if *prev != what || (waiting && now.duration_since(*at) >= HEARTBEAT) {
                text += &format!("{line} [{time}]\n");
                *prev = what;
                *at = now;
            }
        }
        self.drawn = names.len();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

/// The width of the terminal on fd 2 (80 when it cannot be had).
fn stderr_columns() -> usize {
    // SAFETY: TIOCGWINSZ fills a winsize we own; a failure leaves it zeroed.
    let cols = unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        libc::ioctl(2, libc::TIOCGWINSZ, &mut ws);
        ws.ws_col
    };
    match cols {
        0 => 80,
        c => usize::from(c),
    }
}

/// Whether fd 2 is a terminal.
fn stderr_is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(2) == 1 }
}

/// Sleep for `d`, in slices, returning early when a signal arrived.
fn nap(d: Duration) {
    let end = Instant::now() + d;
    while SIGNAL.load(Ordering::SeqCst) == 0 {
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(SLICE));
    }
}

/// What `--dry-run` prints for the targets.
fn dry_run_text(job: &Job) -> String {
    let (argv0, a, targets, names) = (job.argv0, &job.args, &job.targets, &job.names);
    let end = if a.keep {
        "keep it at weight 0"
    } else {
        "delete it"
    };
    let mut s = String::new();
    for (t, name) in targets.iter().zip(names) {
        let c = counts_of(&t.dest);
        s += &format!(
            "{argv0} drain: {name}: would set weight {} to 0, wait for {} connections ({} active, {} inactive, {} templates now), then {end}\n",
            t.dest.weight,
            c.left(),
            c.active,
            c.inact,
            c.templates
        );
    }
    s
}

/// What one run works on: the command line, the servers found and their
/// names for messages.
/// `argv0`, followed by `--netns NS` (single-quoted for the shell when it
/// holds anything but plain name characters) when a namespace was given.
fn undo_prefix(argv0: &str, netns: Option<&str>) -> String {
    let Some(ns) = netns else {
        return argv0.to_string();
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/-:@%+=,".contains(c);
    if !ns.is_empty() && ns.chars().all(plain) {
        format!("{argv0} --netns {ns}")
    } else {
        format!("{argv0} --netns '{}'", ns.replace('\'', "'\\''"))
    }
}

struct Job<'a> {
    argv0: &'a str,
    /// What the undo commands start with: the program, and `--netns NS`
    /// when drain ran in another namespace (so they act where drain did).
    undo_prefix: String,
    args: cli::Args,
    targets: Vec<Target>,
    names: Vec<String>,
}

/// Watch until every server is done, the timeout runs out or a signal
/// comes; then the undo commands and the status. `tty`: progress lines
/// are rewritten in place.
fn watch_all(
    job: &Job,
    tty: bool,
    k: &mut dyn Ipvs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let (argv0, a, targets, names) = (job.argv0, &job.args, &job.targets, &job.names);
    let start = Instant::now();
    let zeroed: Vec<Counts> = targets
        .iter()
        .map(|t| Counts {
            weight: 0,
            ..counts_of(&t.dest)
        })
        .collect();
    let mut w = Watch::new(&zeroed, a.keep);
    let mut progress = Progress::new(tty, targets.len());
    loop {
        poll(k, targets, &mut w);
        let sig = SIGNAL.load(Ordering::SeqCst);
        if w.done() {
        } else if sig != 0 {
            w.stop(Stop::Signal(sig));
        } else if a.timeout.is_some_and(|t| start.elapsed() >= t) {
            w.stop(Stop::Timeout);
        }
        progress.show(err, argv0, names, &w, start);
        if w.done() {
            break;
        }
        let next = match a.timeout {
            Some(t) => a.interval.min(t.saturating_sub(start.elapsed())),
            None => a.interval,
        };
        nap(next);
    }
    let undo = w.undo();
    if !undo.is_empty() {
        let _ = writeln!(err, "{argv0} drain: to put the weights back, run:");
        let _ = err.flush();
        for i in undo {
            if let Some(t) = targets.get(i) {
                let _ = writeln!(out, "{}", plan::undo_line(&job.undo_prefix, t));
            }
        }
        let _ = out.flush();
    }
    w.status()
}

/// Run `ipvsadm drain` with the words after `drain`.
pub fn main(
    argv0: &str,
    netns: Option<&str>,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let a = match cli::parse(argv0, args)? {
        Parsed::Help => return crate::cli::print_help(out, &cli::help(argv0)),
        Parsed::Run(a) => a,
    };
    let mut k = session::connect()?;
    let names = SystemNames;
    let table = read_table(&mut k).map_err(|e| {
        failed(
            argv0,
            &format!("cannot read the IPVS table: {}", strerror(e)),
            watch::FAILED,
        )
    })?;
    let targets = plan::select(&table, a.service.as_ref(), &a.server)
        .map_err(|m| not_found(argv0, m, &a, &names))?;
    let names: Vec<String> = targets
        .iter()
        .map(|t| plan::target_name(t, a.numeric, &names))
        .collect();
    let job = Job {
        argv0,
        undo_prefix: undo_prefix(argv0, netns),
        args: a,
        targets,
        names,
    };
    if job.args.dry_run {
        let _ = out.write_all(dry_run_text(&job).as_bytes());
        return Ok(());
    }
    catch_signals();
    zero_weights(&job, &mut k)?;
    match watch_all(&job, stderr_is_tty(), &mut k, out, err) {
        watch::DONE => Ok(()),
        code => Err(Error::status(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::mem::MemIpvs;
    use crate::model::{Service, IPPROTO_TCP};

    fn svc() -> Service {
        let mut s = Service {
            protocol: IPPROTO_TCP,
            port: 80,
            sched_name: "rr".into(),
            ..Service::default()
        };
        s.addr[..4].copy_from_slice(&[10, 0, 0, 1]);
        s
    }

    fn dest(last: u8, weight: u32, active: u32) -> Dest {
        let mut d = Dest {
            port: 80,
            weight,
            active_conns: active,
            ..Dest::default()
        };
        d.addr[..4].copy_from_slice(&[10, 0, 0, last]);
        d
    }

    fn job(targets: Vec<Target>, args: &[&str]) -> Job<'static> {
        let words: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let Ok(Parsed::Run(args)) = cli::parse("ipvsadm", &words) else {
            panic!("{words:?}")
        };
        let names = targets
            .iter()
            .map(|t| plan::target_name(t, true, &crate::output::names::NoNames))
            .collect();
        Job {
            argv0: "ipvsadm",
            undo_prefix: "ipvsadm".to_string(),
            args,
            targets,
            names,
        }
    }

    #[test]
    fn undo_commands_name_the_namespace_drain_ran_in() {
        assert_eq!(undo_prefix("ipvsadm", None), "ipvsadm");
        assert_eq!(
            undo_prefix("ipvsadm", Some("lvs-a")),
            "ipvsadm --netns lvs-a"
        );
        assert_eq!(
            undo_prefix("/sbin/ipvsadm", Some("/proc/1/ns/net")),
            "/sbin/ipvsadm --netns /proc/1/ns/net"
        );
        assert_eq!(
            undo_prefix("ipvsadm", Some("it's here")),
            "ipvsadm --netns 'it'\\''s here'"
        );
    }

    fn kernel(dests: Vec<Dest>) -> MemIpvs {
        let mut k = MemIpvs::default();
        k.execute(&Request::NewService(svc())).unwrap();
        for d in dests {
            k.execute(&Request::NewDest(svc(), d)).unwrap();
        }
        k
    }

    /// The weights by server address.
    fn weights(k: &mut MemIpvs) -> Vec<u32> {
        let mut ds = k.dests(&svc()).unwrap();
        ds.sort_by_key(|d| d.addr);
        ds.iter().map(|d| d.weight).collect()
    }

    #[test]
    fn weights_go_to_zero_all_or_nothing() {
        let mut k = kernel(vec![dest(2, 2, 0), dest(3, 1, 0)]);
        let t = |d: Dest| Target {
            svc: svc(),
            dest: d,
        };
        // The second server vanished since it was read: the first is put back.
        let j = job(
            vec![t(dest(2, 2, 0)), t(dest(9, 1, 0))],
            &["-r", "10.0.0.2"],
        );
        let e = zero_weights(&j, &mut k).unwrap_err();
        assert_eq!(e.code, watch::FAILED);
        assert!(
            e.text.starts_with(
                "ipvsadm drain: cannot set the weight of -t 10.0.0.1:80 -r 10.0.0.9:80 to 0: "
            ),
            "{}",
            e.text
        );
        assert!(e.text.ends_with("; nothing changed\n"), "{}", e.text);
        assert_eq!(weights(&mut k), [2, 1]);
        let j = job(
            vec![t(dest(2, 2, 0)), t(dest(3, 1, 0))],
            &["-r", "10.0.0.2"],
        );
        zero_weights(&j, &mut k).unwrap();
        assert_eq!(weights(&mut k), [0, 0]);
    }

    #[test]
    fn the_watch_deletes_the_drained_and_times_out_on_the_rest() {
        let mut k = kernel(vec![dest(2, 0, 0), dest(3, 0, 1)]);
        let t = |d: Dest| Target {
            svc: svc(),
            dest: d,
        };
        let args = ["-r", "10.0.0.2", "--timeout", "0.1", "--interval", "0.05"];
        let j = job(vec![t(dest(2, 4, 0)), t(dest(3, 5, 1))], &args);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            watch_all(&j, false, &mut k, &mut out, &mut err),
            watch::TIMED_OUT
        );
        let err = String::from_utf8_lossy(&err);
        assert!(
            err.contains("ipvsadm drain: -t 10.0.0.1:80 -r 10.0.0.2:80: drained, deleted [0s]\n"),
            "{err}"
        );
        assert!(err.contains("-r 10.0.0.3:80: timed out, 1 left (1 active, 0 inactive, 0 templates); weight stays 0 [0s]\n"), "{err}");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 5\n"
        );
        assert_eq!(weights(&mut k), [0]);
    }

    #[test]
    fn a_service_removed_meanwhile_is_said_so() {
        let mut k = kernel(vec![dest(3, 0, 1)]);
        let j = job(
            vec![Target {
                svc: svc(),
                dest: dest(3, 1, 1),
            }],
            &["-r", "10.0.0.3"],
        );
        k.execute(&Request::DelService(svc())).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            watch_all(&j, false, &mut k, &mut out, &mut err),
            watch::INTERFERED
        );
        let err = String::from_utf8_lossy(&err);
        assert!(
            err.contains(": its service was removed by someone else; left alone"),
            "{err}"
        );
        assert!(out.is_empty());
        assert!(k.services().unwrap().is_empty(), "nothing re-created");
    }

    #[test]
    fn terminal_lines_are_redrawn_in_place() {
        let mut k = kernel(vec![dest(3, 0, 1)]);
        let args = ["-r", "10.0.0.3", "--timeout", "0.12", "--interval", "0.05"];
        let j = job(
            vec![Target {
                svc: svc(),
                dest: dest(3, 1, 1),
            }],
            &args,
        );
        let (mut out, mut err) = (Vec::new(), Vec::new());
        watch_all(&j, true, &mut k, &mut out, &mut err);
        let err = String::from_utf8_lossy(&err);
        // Each draw clears its line; every draw but the first first moves up over the last.
        let draws = err.matches("\r\x1b[K").count();
        assert!(draws >= 2, "{err:?}");
        assert!(err.starts_with("\r\x1b[K"), "{err:?}");
        assert_eq!(err.matches("\x1b[1A").count(), draws - 1, "{err:?}");
        assert!(err.contains("timed out, 1 left"), "{err:?}");
    }

    #[test]
    fn nothing_found_is_said_in_ipvsadms_words() {
        let no = &crate::output::names::NoNames;
        let msg = |words: &[&str], miss| {
            let j = job(vec![], words);
            not_found("ipvsadm", miss, &j.args, no).text
        };
        assert_eq!(
            msg(
                &["-f", "7", "-6", "-r", "[2001:db8::2]:80"],
                Miss::NoService
            ),
            "ipvsadm drain: no such service -f 7 -6\n"
        );
        assert_eq!(
            msg(
                &["-u", "10.0.0.1:53", "-r", "2001:db8::2"],
                Miss::NoServerInService
            ),
            "ipvsadm drain: service -u 10.0.0.1:53 has no real server 2001:db8::2\n"
        );
        assert_eq!(
            msg(&["-r", "10.0.0.2:8080", "-n"], Miss::NoServer),
            "ipvsadm drain: no service has real server 10.0.0.2:8080\n"
        );
        let j = job(vec![], &["-r", "10.0.0.2"]);
        assert_eq!(not_found("ipvsadm", Miss::NoServer, &j.args, no).code, 3);
    }

    #[test]
    fn dry_run_says_what_it_would_do() {
        let j = job(
            vec![Target {
                svc: svc(),
                dest: dest(3, 2, 1),
            }],
            &["-r", "10.0.0.3", "--keep"],
        );
        assert_eq!(
            dry_run_text(&j),
            "ipvsadm drain: -t 10.0.0.1:80 -r 10.0.0.3:80: would set weight 2 to 0, wait for 1 connections (1 active, 0 inactive, 0 templates now), then keep it at weight 0\n"
        );
    }
}
