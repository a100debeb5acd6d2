//! Everything ipvsadm prints on stdout for listings: the banner, title
//! lines, service and destination rows in each view, the save (`-S`)
//! format, number scaling, sorting, name rendering, connections,
//! timeouts and daemons. Writes into any `io::Write`; its only I/O of its
//! own is reading `/proc/net/ip_vs_conn` for `-c` and the resolver
//! lookups without `-n` (both injectable through [`Env`]).
//!
//! Layout:
//! - [`format`]: pure row formatters (one line → bytes), number scaling
//! - [`names`]: `<host:port>` rendering and the reverse lookups
//! - [`sort`]: ipvsadm's comparisons and glibc's merge sort
//! - [`conn`]: the `-c` listing
//!
//! Control flow is ipvsadm 1.31's: `-c` wins over a service, which wins
//! over `--timeout`, then `--daemon`, then the whole table. A failure
//! stops the listing where ipvsadm stops it; what was written before
//! stays written (ipvsadm flushes its stdout buffer when it exits).
//!
//! Error-text marker: ipvsadm keeps one "current operation" for its error
//! texts; fetching destinations, one service, the timeouts or the daemons
//! sets it (even on success), the all-services dump and the info query do
//! not. [`list_in`]/[`save_in`] take the caller's marker as `&mut Op` and
//! update it the same way (also on success, which matters inside `-R`);
//! [`ListError::Kernel`] names the marker in force at the failure, `None`
//! meaning "the caller's, unchanged" (a failed all-services dump).
//!
//! Broken pipes and write errors (observed with Debian's ipvsadm on the
//! guest kernel): ipvsadm writes through a 4096-byte stdio buffer and
//! ignores write errors. `ipvsadm -L -n | head -1` exits 0 when the whole
//! listing fits one buffer and is killed by SIGPIPE (shell status 141)
//! when it is longer (14 KB: 141); with SIGPIPE ignored it exits 0, and
//! `ipvsadm -L -n > /dev/full` exits 0. So the faithful `main` restores
//! SIGPIPE's default action and buffers stdout in 4096-byte blocks; if a
//! write still fails, [`ListError::Io`] asks for a quiet exit with
//! status 0.

pub mod conn;
pub mod format;
pub mod json;
pub mod names;
pub mod sort;

#[cfg(test)]
mod tests;

use std::io::{self, Write};
use std::path::Path;

use crate::grammar::ListOpts;
use crate::kernel::errors::{error_text, Op};
use crate::kernel::{Errno, Ipvs};
use crate::model::{Info, Service};

use format::View;
use names::{Names, SystemNames};

/// Why a listing stopped early.
#[derive(Debug)]
pub enum ListError {
    /// A kernel query failed: print `error_text(op, errno)` on stderr,
    /// exit 1. `op` is the marker in force (see the module docs); `None`:
    /// the caller's current marker.
    Kernel { op: Option<Op>, errno: Errno },
    /// Exit with this status, printing nothing (`--timeout`/`--daemon`
    /// failures, an empty `-c` line).
    Silent(i32),
    /// Print this text (plus `\n`) on stderr and exit with this status.
    Message(String, i32),
    /// Writing the output failed (EPIPE when SIGPIPE is ignored, ENOSPC,
    /// …): ipvsadm ignores write errors, so exit quietly with status 0.
    Io(io::Error),
}

impl ListError {
    /// The exit status.
    pub fn code(&self) -> i32 {
        match self {
            ListError::Kernel { .. } => crate::error::LIST_FAILED,
            ListError::Silent(c) | ListError::Message(_, c) => *c,
            ListError::Io(_) => crate::error::OK,
        }
    }

    /// The stderr text (without its `\n`), if any.
    pub fn message(&self) -> Option<String> {
        match self {
            ListError::Kernel { op, errno } => Some(error_text(op.unwrap_or_default(), *errno)),
            ListError::Message(m, _) => Some(m.clone()),
            ListError::Silent(_) | ListError::Io(_) => None,
        }
    }

    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, ListError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<io::Error> for ListError {
    fn from(e: io::Error) -> Self {
        ListError::Io(e)
    }
}

impl std::fmt::Display for ListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListError::Io(e) => write!(f, "{e}"),
            other => write!(f, "{}", other.message().unwrap_or_default()),
        }
    }
}

impl std::error::Error for ListError {}

static SYSTEM_NAMES: SystemNames = SystemNames;

/// What a listing needs besides the kernel: the resolver, the `-c` file
/// and (optionally) the GET_INFO answer ipvsadm got at start-up, which it
/// prints in the banner without asking again.
pub struct Env<'a> {
    pub names: &'a dyn Names,
    pub conn_path: &'a Path,
    /// `None`: ask the kernel when the banner needs it.
    pub info: Option<Info>,
}

impl Env<'static> {
    /// The C library's resolver and `/proc/net/ip_vs_conn`.
    pub fn system() -> Env<'static> {
        Env {
            names: &SYSTEM_NAMES,
            conn_path: Path::new(conn::CONN_PROC_FILE),
            info: None,
        }
    }
}

/// `-L`/`-l` (and ipvsadm with no arguments) with the system resolver.
/// `svc` is the service option of the command line, if any. The marker
/// changes made on success are not reported: prefer [`list_in`] where the
/// marker matters (`-R`).
pub fn list<W: Write + ?Sized>(
    w: &mut W,
    k: &mut dyn Ipvs,
    svc: Option<&Service>,
    opts: &ListOpts,
) -> Result<(), ListError> {
    let mut op = None;
    list_inner(&Env::system(), w, k, svc, opts, &mut op)
}

/// `-S`/`--save` with the system resolver (see [`list`] about the marker).
pub fn save<W: Write + ?Sized>(
    w: &mut W,
    k: &mut dyn Ipvs,
    numeric: bool,
) -> Result<(), ListError> {
    let mut op = None;
    save_inner(&Env::system(), w, k, numeric, &mut op)
}

/// [`list`] in a given environment, keeping the caller's error-text
/// marker `op` up to date.
pub fn list_in<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    k: &mut dyn Ipvs,
    svc: Option<&Service>,
    opts: &ListOpts,
    op: &mut Op,
) -> Result<(), ListError> {
    let mut set = None;
    let r = list_inner(env, w, k, svc, opts, &mut set);
    if let Some(o) = set {
        *op = o;
    }
    r
}

/// [`save`] in a given environment, keeping the caller's marker up to
/// date.
pub fn save_in<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    k: &mut dyn Ipvs,
    numeric: bool,
    op: &mut Op,
) -> Result<(), ListError> {
    let mut set = None;
    let r = save_inner(env, w, k, numeric, &mut set);
    if let Some(o) = set {
        *op = o;
    }
    r
}

/// The format bits that matter once the command is known.
struct Fmt {
    view: View,
    numeric: bool,
    nosort: bool,
    exact: bool,
}

/// `op`: the marker as this listing changed it (`None`: untouched).
fn list_inner<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    k: &mut dyn Ipvs,
    svc: Option<&Service>,
    opts: &ListOpts,
    op: &mut Option<Op>,
) -> Result<(), ListError> {
    let fmt = Fmt {
        view: View::from_opts(opts),
        numeric: opts.numeric,
        nosort: opts.nosort,
        exact: opts.exact,
    };
    if opts.connection {
        conn::list_conn(
            w,
            env.conn_path,
            opts.persistent_conn,
            opts.numeric,
            env.names,
        )
    } else if let Some(svc) = svc {
        *op = Some(Op::GetService);
        let entry = k.service(svc).map_err(|errno| ListError::Kernel {
            op: Some(Op::GetService),
            errno,
        })?;
        w.write_all(format::title(fmt.view).as_bytes())?;
        print_service(env, w, k, &entry, &fmt, op)
    } else if opts.timeout {
        *op = Some(Op::GetTimeout);
        let t = k
            .timeouts()
            .map_err(|_| ListError::Silent(crate::error::LIST_FAILED))?;
        w.write_all(format::timeout_line(&t).as_bytes())?;
        Ok(())
    } else if opts.daemon {
        *op = Some(Op::GetDaemon);
        let d = k
            .daemons()
            .map_err(|_| ListError::Silent(crate::error::LIST_FAILED))?;
        w.write_all(format::daemon_lines(&d).as_bytes())?;
        Ok(())
    } else {
        list_all(env, w, k, &fmt, op)
    }
}

fn save_inner<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    k: &mut dyn Ipvs,
    numeric: bool,
    op: &mut Option<Op>,
) -> Result<(), ListError> {
    let fmt = Fmt {
        view: View::Rule,
        numeric,
        nosort: false,
        exact: false,
    };
    list_all(env, w, k, &fmt, op)
}

fn list_all<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    k: &mut dyn Ipvs,
    fmt: &Fmt,
    op: &mut Option<Op>,
) -> Result<(), ListError> {
    if fmt.view != View::Rule {
        let info = match env.info {
            Some(i) => i,
            None => k
                .info()
                .map_err(|errno| ListError::Kernel { op: *op, errno })?,
        };
        w.write_all(format::banner(&info).as_bytes())?;
    }
    let services = k
        .services()
        .map_err(|errno| ListError::Kernel { op: *op, errno })?;
    let ordered = if fmt.nosort {
        services
    } else {
        sort::sort_services(services)
    };
    w.write_all(format::title(fmt.view).as_bytes())?;
    if ordered.is_empty() {
        return Ok(());
    }
    // Each service is printed once its destinations are in; the first
    // failure (kernel or output) ends the listing there, as in turn.
    *op = Some(Op::GetDests);
    let mut res = Ok(());
    k.dests_each(&ordered, &mut |s, dests| {
        res = dests
            .map_err(|errno| ListError::Kernel {
                op: Some(Op::GetDests),
                errno,
            })
            .and_then(|d| print_entry(env, w, s, d, fmt));
        res.is_ok()
    });
    res
}

/// One service: fetch its destinations (failing before anything of it is
/// printed), then its line and its destinations' lines.
fn print_service<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    k: &mut dyn Ipvs,
    s: &Service,
    fmt: &Fmt,
    op: &mut Option<Op>,
) -> Result<(), ListError> {
    *op = Some(Op::GetDests);
    let dests = k.dests(s).map_err(|errno| ListError::Kernel {
        op: Some(Op::GetDests),
        errno,
    })?;
    print_entry(env, w, s, dests, fmt)
}

/// A service's line and its destinations' lines.
fn print_entry<W: Write + ?Sized>(
    env: &Env,
    w: &mut W,
    s: &Service,
    dests: Vec<crate::model::Dest>,
    fmt: &Fmt,
) -> Result<(), ListError> {
    let rule = fmt.view == View::Rule;
    let vname = if s.fwmark != 0 {
        Vec::new()
    } else {
        names::host_port(s.af, &s.addr, s.port, s.protocol, fmt.numeric, env.names)
    };
    let name = format::service_name(s, &vname, rule);
    w.write_all(&format::service_line(s, &name, fmt.view, fmt.exact))?;
    let dests = if fmt.nosort {
        dests
    } else {
        sort::sort_dests(dests)
    };
    // fwmark services report protocol 0: their ports are never named.
    let proto = if s.fwmark != 0 { 0 } else { s.protocol };
    for d in &dests {
        let hp = names::host_port(d.af, &d.addr, d.port, proto, fmt.numeric, env.names);
        let dname = format::dest_name(d, &hp, fmt.view);
        w.write_all(&format::dest_line(&name, &dname, d, fmt.view, fmt.exact))?;
    }
    Ok(())
}
