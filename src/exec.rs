//! Runs one parsed [`Command`] (every command but `-R`, which
//! [`crate::restore`] reads line by line) against an [`Ipvs`], writing
//! listings on the session's `out`; a failure comes back as the
//! [`Error`] with ipvsadm's text and status. The error-text operation
//! marker lives in the [`Session`], because ipvsadm carries it from one
//! `-R` line to the next.

use crate::error::{self, Error};
use crate::grammar::{self, Cmd, Command};
use crate::kernel::errors::Op;
use crate::kernel::{Ipvs, Request};
use crate::model::Service;
use crate::output;
use crate::session::Session;

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
pub fn run_local(cmd: &Command, s: &mut Session<'_>) -> Option<Result<(), Error>> {
    let text = match cmd.cmd {
        Cmd::Help => grammar::help_text(&s.argv0),
        Cmd::Version => grammar::VERSION_LINE.to_string(),
        _ => return None,
    };
    let _ = s.out.write_all(text.as_bytes());
    Some(Ok(()))
}

/// Run one parsed command (`-R` is [`crate::restore::run`]'s: here it is
/// refused as ipvsadm refuses `-R` inside `-R`).
pub fn run(cmd: &Command, k: &mut dyn Ipvs, s: &mut Session<'_>) -> Result<(), Error> {
    if let Some(r) = run_local(cmd, s) {
        return r;
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
            s.listed(r)
        }
        Cmd::Save => {
            let env = output::Env::system();
            let r = output::save_in(&env, &mut s.out, k, cmd.list.numeric, &mut s.op);
            s.listed(r)
        }
        Cmd::Restore => Err(Error::try_help(&s.argv0)),
        _ => match request_of(cmd) {
            Some(req) => {
                s.begin(&req);
                let res = k.execute(&req);
                s.finish(res)
            }
            None => Ok(()),
        },
    }
}

/// `-L … --json`: the listing views as JSON (see [`output::json`]).
pub fn list_json(cmd: &Command, k: &mut dyn Ipvs, s: &mut Session<'_>) -> Result<(), Error> {
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
        let data = std::fs::read(output::conn::CONN_PROC_FILE).map_err(|_| {
            Error::line(
                format!("cannot open file {}", output::conn::CONN_PROC_FILE),
                error::LIST_FAILED,
            )
        })?;
        let _ = s.out.write_all(json::connections(&data).as_bytes());
        return Ok(());
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
            if !services.is_empty() {
                s.op = Op::GetDests;
            }
            let mut t = crate::kernel::with_dests(k, &services, false, &mut |_| {})?;
            for (_, d) in &mut t {
                *d = sorted(std::mem::take(d));
            }
            Ok(json::table(Some(&info), &t))
        })()
    };
    let text = text.map_err(|e| s.kernel_error(e, error::LIST_FAILED))?;
    let _ = s.out.write_all(text.as_bytes());
    Ok(())
}
