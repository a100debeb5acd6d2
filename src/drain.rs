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
use crate::kernel::{Errno, Ipvs, Request};
use crate::model::{Dest, ServiceKey};
use crate::output::conn::CONN_PROC_FILE;
use crate::output::names::{Names, SystemNames};
use crate::session;
use plan::{Miss, Table, Target};
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

/// The kernel's table; a service removed between the two dumps is left out.
fn read_table(k: &mut dyn Ipvs) -> Result<Table, Errno> {
    let mut t = Vec::new();
    for s in k.services()? {
        match k.dests(&s) {
            Ok(ds) => t.push((s, ds)),
            Err(libc::ESRCH | libc::ENOENT) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(t)
}

/// What drain says when nothing matched.
fn not_found(argv0: &str, miss: Miss, a: &cli::Args, names: &dyn Names) -> Error {
    let s = a.server;
    let d = Dest {
        af: s.af,
        addr: s.addr,
        port: s.port.unwrap_or(0),
        ..Dest::default()
    };
    let host = crate::output::names::ntop(d.af, &d.addr).unwrap_or_default();
    let server = match (s.port, d.af == crate::model::AF_INET6) {
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
fn zero_weights(
    argv0: &str,
    k: &mut dyn Ipvs,
    targets: &[Target],
    names: &[String],
) -> Result<(), Error> {
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
                None => Seen::ServerGone,
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

/// Progress on stderr: one line per server, rewritten in place on a
/// terminal; otherwise a line when a server's state changes, and every
/// [`HEARTBEAT`] while it waits.
struct Progress {
    tty: bool,
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
                text += &format!("\r\x1b[K{line}  [{time}]\n");
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
fn dry_run_text(argv0: &str, a: &cli::Args, targets: &[Target], names: &[String]) -> String {
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

/// Watch until every server is done, the timeout runs out or a signal
/// comes; then the undo commands and the status.
fn watch_all(
    argv0: &str,
    a: &cli::Args,
    k: &mut dyn Ipvs,
    targets: &[Target],
    names: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let start = Instant::now();
    let zeroed: Vec<Counts> = targets
        .iter()
        .map(|t| Counts {
            weight: 0,
            ..counts_of(&t.dest)
        })
        .collect();
    let mut w = Watch::new(&zeroed, a.keep);
    let mut progress = Progress::new(stderr_is_tty(), targets.len());
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
                let _ = writeln!(out, "{}", plan::undo_line(argv0, t));
            }
        }
        let _ = out.flush();
    }
    w.status()
}

/// Run `ipvsadm drain` with the words after `drain`.
pub fn main(
    argv0: &str,
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
    let shown: Vec<String> = targets
        .iter()
        .map(|t| plan::target_name(t, a.numeric, &names))
        .collect();
    if a.dry_run {
        let _ = out.write_all(dry_run_text(argv0, &a, &targets, &shown).as_bytes());
        return Ok(());
    }
    catch_signals();
    zero_weights(argv0, &mut k, &targets, &shown)?;
    match watch_all(argv0, &a, &mut k, &targets, &shown, out, err) {
        watch::DONE => Ok(()),
        code => Err(Error::status(code)),
    }
}
