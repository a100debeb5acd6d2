//! Runs a parsed [`Command`] against an [`Ipvs`] and returns the exit
//! status, writing what ipvsadm writes (listings on `out`, messages on
//! `err`). The error-text operation marker lives in [`Session`], because
//! ipvsadm carries it from one `-R` line to the next.

use std::io::{BufRead, Write};

use crate::grammar::{self, Cmd, Command};
use crate::kernel::errors::{error_text, Op};
use crate::kernel::{Errno, Ipvs, Request};
use crate::model::Service;
use crate::output::{self, ListError};

/// Exit status of a failed change (ipvsadm's `exit(-1)`).
pub const RC_KERNEL: i32 = 255;

/// State kept across the commands of one process.
pub struct Session<'a> {
    pub argv0: String,
    /// The error-text marker (see [`crate::kernel::errors`]).
    pub op: Op,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl Session<'_> {
    /// Print a kernel failure of `op` with ipvsadm's text.
    pub fn kernel_error(&mut self, errno: Errno) {
        let _ = writeln!(self.err, "{}", error_text(self.op, errno));
    }

    /// Note that `req` is about to run (sets the error-text marker).
    pub fn begin(&mut self, req: &Request) {
        if let Some(op) = req.op() {
            self.op = op;
        }
    }

    /// Report the outcome of one change: 0 or 255 with the message.
    pub fn finish(&mut self, res: Result<(), Errno>) -> i32 {
        match res {
            Ok(()) => 0,
            Err(e) => {
                self.kernel_error(e);
                RC_KERNEL
            }
        }
    }

    /// Report a listing failure; returns its exit status.
    pub fn list_failed(&mut self, e: ListError) -> i32 {
        match e {
            ListError::Kernel { op, errno } => {
                if let Some(op) = op {
                    self.op = op;
                }
                self.kernel_error(errno);
                1
            }
            ListError::Silent(rc) => rc,
            ListError::Message(m, rc) => {
                let _ = writeln!(self.err, "{m}");
                rc
            }
            // A closed or failing stdout: ipvsadm ignores write errors.
            ListError::Io(_) => 0,
        }
    }
}

/// The kernel request a modifying command makes, or None for commands that
/// are not a single change (listings, save, restore, help).
pub fn request_of(cmd: &Command) -> Option<Request> {
    into_request(cmd.clone()).ok()
}

/// [`request_of`] taking the command (its service and destination move
/// into the request); a command that changes nothing comes back.
pub fn into_request(cmd: Command) -> Result<Request, Box<Command>> {
    Ok(match cmd.cmd {
        Cmd::AddService => Request::NewService(cmd.service.unwrap_or_default()),
        Cmd::EditService => Request::SetService(cmd.service.unwrap_or_default()),
        Cmd::DelService => Request::DelService(cmd.service.unwrap_or_default()),
        Cmd::AddDest => Request::NewDest(
            cmd.service.unwrap_or_default(),
            cmd.dest.unwrap_or_default(),
        ),
        Cmd::EditDest => Request::SetDest(
            cmd.service.unwrap_or_default(),
            cmd.dest.unwrap_or_default(),
        ),
        Cmd::DelDest => Request::DelDest(
            cmd.service.unwrap_or_default(),
            cmd.dest.unwrap_or_default(),
        ),
        Cmd::Flush => Request::Flush,
        Cmd::Zero => Request::Zero(cmd.service.filter(|s| !is_null_service(s))),
        Cmd::SetTimeout => Request::SetTimeout(cmd.timeouts),
        Cmd::StartDaemon => Request::NewDaemon(cmd.daemon),
        Cmd::StopDaemon => Request::DelDaemon(cmd.daemon),
        Cmd::List | Cmd::Save | Cmd::Restore | Cmd::Help | Cmd::Version => {
            return Err(Box::new(cmd))
        }
    })
}

/// `-Z` sends no service when fwmark, address and port are all zero.
fn is_null_service(s: &Service) -> bool {
    s.fwmark == 0 && s.addr == [0; 16] && s.port == 0
}

/// Run a command that needs no kernel (help, version); None for the rest.
pub fn run_local(cmd: &Command, s: &mut Session<'_>) -> Option<i32> {
    let text = match cmd.cmd {
        Cmd::Help => grammar::help_text(&s.argv0),
        Cmd::Version => grammar::VERSION_LINE.to_string(),
        _ => return None,
    };
    let _ = s.out.write_all(text.as_bytes());
    Some(0)
}

/// Run one parsed command. `stdin` is only read by `-R`.
pub fn run(cmd: &Command, k: &mut dyn Ipvs, s: &mut Session<'_>, stdin: &mut dyn BufRead) -> i32 {
    if let Some(rc) = run_local(cmd, s) {
        return rc;
    }
    match cmd.cmd {
        Cmd::List => {
            let env = output::Env::system();
            let r = output::list_in(
                &env,
                &mut s.out,
                k,
                cmd.service.as_ref(),
                &cmd.list,
                &mut s.op,
            );
            match r {
                Ok(()) => 0,
                Err(e) => s.list_failed(e),
            }
        }
        Cmd::Save => {
            let env = output::Env::system();
            match output::save_in(&env, &mut s.out, k, cmd.list.numeric, &mut s.op) {
                Ok(()) => 0,
                Err(e) => s.list_failed(e),
            }
        }
        Cmd::Restore => crate::restore::run(stdin, k, s),
        _ => match request_of(cmd) {
            Some(req) => {
                s.begin(&req);
                let res = k.execute(&req);
                s.finish(res)
            }
            None => 0,
        },
    }
}

/// `-L … --json`: the listing views as JSON (see [`output::json`]).
pub fn list_json(cmd: &Command, k: &mut dyn Ipvs, s: &mut Session<'_>) -> i32 {
    use output::json;
    let opts = &cmd.list;
    let sorted = |v: Vec<crate::model::Dest>| {
        if opts.nosort {
            v
        } else {
            output::sort::sort_dests(v)
        }
    };
    if opts.connection {
        return match std::fs::read(output::conn::CONN_PROC_FILE) {
            Ok(data) => {
                let _ = s.out.write_all(json::connections(&data).as_bytes());
                0
            }
            Err(_) => {
                let _ = writeln!(s.err, "cannot open file {}", output::conn::CONN_PROC_FILE);
                1
            }
        };
    }
    let text = if opts.timeout {
        s.op = Op::GetTimeout;
        k.timeouts().map(|t| json::timeouts(&t))
    } else if opts.daemon {
        s.op = Op::GetDaemon;
        k.daemons().map(|d| json::daemons(&d))
    } else if let Some(svc) = &cmd.service {
        s.op = Op::GetService;
        k.service(svc).and_then(|svc| {
            s.op = Op::GetDests;
            let d = sorted(k.dests(&svc)?);
            Ok(json::table(None, &[(svc, d)]))
        })
    } else {
        (|| {
            let info = k.info()?;
            let mut services = k.services()?;
            if !opts.nosort {
                services = output::sort::sort_services(services);
            }
            let mut t = Vec::new();
            for svc in services {
                s.op = Op::GetDests;
                let d = sorted(k.dests(&svc)?);
                t.push((svc, d));
            }
            Ok(json::table(Some(&info), &t))
        })()
    };
    match text {
        Ok(t) => {
            let _ = s.out.write_all(t.as_bytes());
            0
        }
        Err(e) => {
            s.kernel_error(e);
            1
        }
    }
}
