//! argv → typed [`Command`], exactly as ipvsadm 1.31 (popt 1.19) reads it.
//!
//! Pure: no kernel, no output beyond the returned values. Name lookups
//! (hosts, /etc/services) go through the resolver, which is the one
//! outside dependency parsing has, as in ipvsadm.
//!
//! Layout:
//! - [`options`]: the option table and the matrices (the single source of
//!   truth for the parser, `-h`, the man page and completions);
//! - [`popt`]: popt-compatible tokenisation;
//! - [`addr`]: value parsers with C library semantics;
//! - [`resolve`]: host and service name lookups;
//! - [`tokens`]: `-R`'s line → words.
//!
//! The order of checks follows ipvsadm: first option must be a command;
//! each later option is validated as it is read; then `--set` values,
//! leftover words, `-b` flags, the command × option matrix, and the
//! semantic checks.

pub mod addr;
pub mod options;
pub mod popt;
pub mod resolve;
pub mod tokens;

use crate::model::{
    Daemon, Dest, Forward, Service, Timeouts, AF_INET, AF_INET6, DAEMON_BACKUP, DAEMON_MASTER,
    DEFAULT_PERSISTENCE, DEFAULT_SCHEDULER, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
    SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED_MASK, TUN_F_CSUM, TUN_F_NOCSUM, TUN_F_REMCSUM,
};
use addr::{AddrFields, SvcParse};
use options::{bit, cmd_spec, Cell, OptId, OPTNAMES, TUN_MATRIX, TUN_NAMES, TUN_OPTS};
use popt::Popt;
use resolve::{Resolver, SystemResolver};

/// The command (the first option on the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    AddService,
    EditService,
    DelService,
    Flush,
    List,
    AddDest,
    EditDest,
    DelDest,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
    Help,
    Version,
}

/// The listing options (`-L` and `-S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListOpts {
    pub numeric: bool,
    pub connection: bool,
    pub timeout: bool,
    pub daemon: bool,
    pub stats: bool,
    pub rate: bool,
    pub thresholds: bool,
    pub persistent_conn: bool,
    pub nosort: bool,
    pub exact: bool,
    pub tun_info: bool,
}

/// A fully parsed and checked command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub cmd: Cmd,
    /// The service as parsed (defaults filled in as ipvsadm does);
    /// `None` when no service-address option was given.
    pub service: Option<Service>,
    /// The real server (`-r`) with forwarding, weight, thresholds, tunnel.
    pub dest: Option<Dest>,
    /// `--start-daemon` / `--stop-daemon` parameters.
    pub daemon: Daemon,
    /// `--set` values.
    pub timeouts: Timeouts,
    pub list: ListOpts,
}

impl Command {
    /// A command with nothing else given (what `ipvsadm` alone means with
    /// [`Cmd::List`]).
    pub fn bare(cmd: Cmd) -> Command {
        Command {
            cmd,
            service: None,
            dest: None,
            daemon: Daemon::default(),
            timeouts: Timeouts::default(),
            list: ListOpts::default(),
        }
    }
}

/// A failure with ipvsadm's exact text and exit status: the crate's one
/// error type ([`crate::error::Error`]). Grammar errors are printed as
/// ipvsadm prints them, the message followed by a newline (the message
/// may itself contain newlines).
pub type ParseError = crate::error::Error;

impl ParseError {
    /// A grammar error (ipvsadm's `fail(2, …)`).
    fn fail(message: impl Into<String>) -> ParseError {
        ParseError::usage(message)
    }

    /// True for a popt error after the first option (`<word>: <text>`):
    /// ipvsadm reports it by returning, not exiting, so inside `-R` the
    /// next line is still processed (the line's result is failure). Every
    /// other parse error ends the process, also inside `-R`.
    pub fn continues_restore(&self) -> bool {
        self.code == crate::error::KERNEL_FAILED && !self.text.starts_with("Try `")
    }
}

/// Parse one command line. `argv0` is the program name as invoked (it
/// appears in the `Try …` message and the help text); `args` excludes it.
///
/// Uses the C library resolver, and popt's `POSIXLY_CORRECT` /
/// `POSIX_ME_HARDER` environment switch (first leftover ends options).
pub fn parse(argv0: &str, args: &[String]) -> Result<Command, ParseError> {
    // Read once: `-R` parses every line.
    static POSIX: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let posix = *POSIX.get_or_init(|| {
        std::env::var_os("POSIXLY_CORRECT").is_some()
            || std::env::var_os("POSIX_ME_HARDER").is_some()
    });
    parse_with(argv0, args, &SystemResolver, posix)
}

/// [`parse`] with an explicit resolver and POSIX mode (for tests).
pub fn parse_with(
    argv0: &str,
    args: &[String],
    resolver: &dyn Resolver,
    posix_me_harder: bool,
) -> Result<Command, ParseError> {
    if args.is_empty() {
        return Ok(Command::bare(Cmd::List));
    }
    let mut p = Parser::new(resolver);
    let mut popt = Popt::new(argv0, args, posix_me_harder);

    // The first option must be a command.
    let first = match popt.next_opt() {
        Some(Ok(g)) => g,
        _ => return Err(ParseError::try_help(argv0)),
    };
    let Some(cmd) = first.spec.cmd else {
        return Err(ParseError::try_help(argv0));
    };
    match cmd {
        Cmd::Help | Cmd::Version => return Ok(Command::bare(cmd)),
        Cmd::StartDaemon | Cmd::StopDaemon => {
            p.daemon.state = match first.arg.as_deref() {
                Some("master") => DAEMON_MASTER,
                Some("backup") => DAEMON_BACKUP,
                _ if cmd == Cmd::StartDaemon => {
                    return Err(ParseError::fail("illegal start-daemon parameter specified"))
                }
                _ => return Err(ParseError::fail("illegal start_daemon specified")),
            };
        }
        _ => {}
    }
    p.cmd = cmd;

    // Every later option, in order.
    while let Some(r) = popt.next_opt() {
        match r {
            Err(e) => {
                return Err(ParseError::line(
                    format!("{}: {}", popt.bad_option(), e.text()),
                    crate::error::KERNEL_FAILED,
                ))
            }
            Ok(g) => {
                if g.spec.cmd.is_some() {
                    return Err(ParseError::fail(format!(
                        "invalid option `{}'",
                        popt.bad_option()
                    )));
                }
                p.option(g.spec.id, g.arg.as_deref())?;
            }
        }
    }

    if p.cmd == Cmd::SetTimeout {
        let (a, b, c) = (popt.get_arg(), popt.get_arg(), popt.get_arg());
        let (Some(a), Some(b), Some(c)) = (a, b, c) else {
            return Err(ParseError::fail("--set option requires 3 timeout values"));
        };
        p.timeouts.tcp = parse_timeout(&a, 0)?;
        p.timeouts.tcp_fin = parse_timeout(&b, 0)?;
        p.timeouts.udp = parse_timeout(&c, 0)?;
    }
    if let Some(extra) = popt.get_arg() {
        return Err(ParseError::fail(format!("unexpected argument {extra}")));
    }
    if !p.sched_flags.is_empty() {
        p.svc.flags &= !SVC_F_SCHED_MASK;
        p.svc.flags |=
            addr::parse_sched_flags(&p.svc.sched_name, &p.sched_flags).map_err(ParseError::fail)?;
    }
    p.finish()
}

/// The `-h` text for this program name (stdout, exit 0).
pub fn help_text(argv0: &str) -> String {
    options::help_text(argv0)
}

/// The `-v` line, with its newline.
pub const VERSION_LINE: &str = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n";

/// `MAX_TIMEOUT`: 31 days.
const MAX_TIMEOUT: i64 = 86400 * 31;

fn parse_timeout(s: &str, min: i64) -> Result<u32, ParseError> {
    addr::string_to_number(s, min, MAX_TIMEOUT)
        .map(|v| v as u32)
        .ok_or_else(|| ParseError::fail(format!("invalid timeout value `{s}' specified")))
}

fn number(s: &str, min: i64, max: i64, msg: &str) -> Result<i64, ParseError> {
    addr::string_to_number(s, min, max).ok_or_else(|| ParseError::fail(msg))
}

/// The state ipvsadm's `struct ipvs_command_entry` plus option bits hold
/// while the options are read.
struct Parser<'r> {
    resolver: &'r dyn Resolver,
    cmd: Cmd,
    bits: u64,
    svc: Service,
    dest: Dest,
    daemon: Daemon,
    timeouts: Timeouts,
    sched_flags: String,
}

/// The option bit of a flag that takes no value and sets nothing else.
fn flag_bit(id: OptId) -> Option<u8> {
    Some(match id {
        OptId::Connection => bit::CONNECTION,
        OptId::Numeric => bit::NUMERIC,
        OptId::Timeout => bit::TIMEOUT,
        OptId::Daemon => bit::DAEMON,
        OptId::Stats => bit::STATS,
        OptId::Rate => bit::RATE,
        OptId::Thresholds => bit::THRESHOLDS,
        OptId::PersistentConn => bit::PERSISTENTCONN,
        OptId::NoSort => bit::NOSORT,
        OptId::Exact => bit::EXACT,
        OptId::TunInfo => bit::TUN_INFO,
        _ => return None,
    })
}

impl<'r> Parser<'r> {
    fn new(resolver: &'r dyn Resolver) -> Parser<'r> {
        Parser {
            resolver,
            cmd: Cmd::List,
            bits: 0,
            svc: Service::default(),
            dest: Dest::default(),
            daemon: Daemon::default(),
            timeouts: Timeouts::default(),
            sched_flags: String::new(),
        }
    }

    fn has(&self, b: u8) -> bool {
        self.bits & (1u64 << b) != 0
    }

    fn set_option(&mut self, b: u8) -> Result<(), ParseError> {
        if self.has(b) {
            let name = OPTNAMES.get(usize::from(b)).copied().unwrap_or("");
            return Err(ParseError::fail(format!(
                "multiple '{name}' options specified"
            )));
        }
        self.bits |= 1u64 << b;
        Ok(())
    }

    fn svc_fields(&self) -> AddrFields {
        AddrFields {
            af: self.svc.af,
            addr: self.svc.addr,
            port: self.svc.port,
            netmask: self.svc.netmask,
        }
    }

    /// One option after the command (never a command option): a flag that
    /// only sets its bit, or a value for the service, the real server or
    /// the sync daemon.
    fn option(&mut self, id: OptId, arg: Option<&str>) -> Result<(), ParseError> {
        if let Some(b) = flag_bit(id) {
            return self.set_option(b);
        }
        match id {
            OptId::TcpService
            | OptId::UdpService
            | OptId::SctpService
            | OptId::FwmarkService
            | OptId::Scheduler
            | OptId::Persistent
            | OptId::Netmask
            | OptId::Ipv6
            | OptId::Ops
            | OptId::Pe
            | OptId::SchedFlags => self.service_option(id, arg),
            OptId::RealServer
            | OptId::Ipip
            | OptId::Gatewaying
            | OptId::Masquerading
            | OptId::Weight
            | OptId::UThreshold
            | OptId::LThreshold
            | OptId::TunType
            | OptId::TunPort
            | OptId::TunNocsum
            | OptId::TunCsum
            | OptId::TunRemcsum => self.dest_option(id, arg),
            OptId::McastInterface
            | OptId::SyncId
            | OptId::McastGroup
            | OptId::McastPort
            | OptId::McastTtl
            | OptId::SyncMaxlen => self.daemon_option(id, arg),
            // `--sort` is ipvsadm's default; commands are rejected by the
            // caller before getting here.
            _ => Ok(()),
        }
    }

    /// A value of the virtual service (`-t/-u/--sctp-service/-f`, `-s`,
    /// `-p`, `-M`, `-6`, `-o`, `--pe`, `-b`).
    fn service_option(&mut self, id: OptId, arg: Option<&str>) -> Result<(), ParseError> {
        let a = arg.unwrap_or("");
        match id {
            OptId::TcpService | OptId::UdpService | OptId::SctpService => {
                self.set_option(bit::SERVICE)?;
                self.svc.protocol = match id {
                    OptId::TcpService => IPPROTO_TCP,
                    OptId::UdpService => IPPROTO_UDP,
                    _ => IPPROTO_SCTP,
                };
                let mut t = self.svc_fields();
                let r = addr::parse_service(a, self.svc.protocol, &mut t, self.resolver);
                self.svc.af = t.af;
                self.svc.addr = t.addr;
                self.svc.port = t.port;
                self.svc.netmask = t.netmask;
                if r == SvcParse::Failed {
                    return Err(ParseError::fail(
                        "illegal virtual server address[:port] specified",
                    ));
                }
            }
            OptId::FwmarkService => {
                self.set_option(bit::SERVICE)?;
                self.svc.af = AF_INET;
                self.svc.protocol = IPPROTO_TCP;
                self.svc.fwmark = addr::parse_fwmark(a).ok_or_else(|| {
                    ParseError::fail(format!("invalid fwmark value `{a}' specified"))
                })?;
            }
            OptId::Scheduler => {
                self.set_option(bit::SCHEDULER)?;
                self.svc.sched_name = addr::truncate_bytes(a, 15).into();
            }
            OptId::Persistent => {
                self.set_option(bit::PERSISTENT)?;
                self.svc.flags |= SVC_F_PERSISTENT;
                self.svc.timeout = match arg {
                    None => DEFAULT_PERSISTENCE,
                    Some(v) => parse_timeout(v, 1)?,
                };
            }
            OptId::Netmask => {
                self.set_option(bit::NETMASK)?;
                if self.svc.af != AF_INET6 {
                    self.svc.netmask = addr::parse_netmask(a, self.resolver).ok_or_else(|| {
                        ParseError::fail("illegal virtual server persistent mask specified")
                    })?;
                } else {
                    let m = addr::atoi(a) as u32;
                    self.svc.netmask = m;
                    if !(1..=128).contains(&m) {
                        return Err(ParseError::fail("illegal ipv6 netmask specified"));
                    }
                }
            }
            OptId::Ipv6 => {
                if self.svc.fwmark != 0 {
                    self.svc.af = AF_INET6;
                    self.svc.netmask = 128;
                } else {
                    return Err(ParseError::fail("-6 used before -f\n"));
                }
            }
            OptId::Ops => {
                self.set_option(bit::ONEPACKET)?;
                self.svc.flags |= SVC_F_ONEPACKET;
            }
            OptId::Pe => {
                self.set_option(bit::PE)?;
                self.svc.pe_name = addr::truncate_bytes(a, 16);
            }
            OptId::SchedFlags => {
                self.set_option(bit::SCHED_FLAGS)?;
                self.sched_flags = addr::truncate_bytes(a, 127);
            }
            _ => {}
        }
        Ok(())
    }

    /// A value of the real server (`-r`, forwarding, `-w`, thresholds, tunnel options).
    fn dest_option(&mut self, id: OptId, arg: Option<&str>) -> Result<(), ParseError> {
        let a = arg.unwrap_or("");
        match id {
            OptId::RealServer => {
                self.set_option(bit::SERVER)?;
                let mut t = self.svc_fields();
                let r = addr::parse_service(a, self.svc.protocol, &mut t, self.resolver);
                self.dest.af = t.af;
                self.dest.addr = t.addr;
                self.dest.port = t.port;
                match r {
                    SvcParse::Failed => {
                        return Err(ParseError::fail(
                            "illegal real server address[:port] specified",
                        ))
                    }
                    SvcParse::Addr => self.dest.port = self.svc.port,
                    SvcParse::AddrPort => {}
                }
            }
            OptId::Ipip => {
                self.set_option(bit::FORWARD)?;
                self.dest.fwd = Forward::Tunnel;
            }
            OptId::Gatewaying => {
                self.set_option(bit::FORWARD)?;
                self.dest.fwd = Forward::Route;
            }
            OptId::Masquerading => {
                self.set_option(bit::FORWARD)?;
                self.dest.fwd = Forward::Masq;
            }
            OptId::Weight => {
                self.set_option(bit::WEIGHT)?;
                // Debian: 0..INT_MAX (upstream 0..65535).
                self.dest.weight =
                    number(a, 0, i64::from(i32::MAX), "illegal weight specified")? as u32;
            }
            OptId::UThreshold => {
                self.set_option(bit::UTHRESHOLD)?;
                self.dest.u_threshold =
                    number(a, 0, i64::from(i32::MAX), "illegal u_threshold specified")? as u32;
            }
            OptId::LThreshold => {
                self.set_option(bit::LTHRESHOLD)?;
                self.dest.l_threshold =
                    number(a, 0, i64::from(i32::MAX), "illegal l_threshold specified")? as u32;
            }
            OptId::TunType => {
                self.set_option(bit::TUN_TYPE)?;
                self.dest.tun_type = addr::parse_tun_type(a)
                    .ok_or_else(|| ParseError::fail("illegal tunnel type specified"))?;
            }
            OptId::TunPort => {
                self.set_option(bit::TUN_PORT)?;
                self.dest.tun_port = number(a, 1, 65535, "illegal tunnel port specified")? as u16;
            }
            OptId::TunNocsum => {
                self.set_option(bit::TUN_NOCSUM)?;
                self.dest.tun_flags |= TUN_F_NOCSUM;
            }
            OptId::TunCsum => {
                self.set_option(bit::TUN_CSUM)?;
                self.dest.tun_flags |= TUN_F_CSUM;
            }
            OptId::TunRemcsum => {
                self.set_option(bit::TUN_REMCSUM)?;
                self.dest.tun_flags |= TUN_F_REMCSUM;
            }
            _ => {}
        }
        Ok(())
    }

    /// A value of the sync daemon (`--mcast-*`, `--syncid`, `--sync-maxlen`).
    fn daemon_option(&mut self, id: OptId, arg: Option<&str>) -> Result<(), ParseError> {
        let a = arg.unwrap_or("");
        match id {
            OptId::McastInterface => {
                self.set_option(bit::MCAST)?;
                self.daemon.mcast_ifn = addr::truncate_bytes(a, 15);
            }
            OptId::SyncId => {
                self.set_option(bit::SYNCID)?;
                self.daemon.syncid = number(a, 0, 255, "illegal syncid specified")? as u32;
            }
            OptId::McastGroup => {
                self.set_option(bit::MCAST_GROUP)?;
                self.daemon.mcast_group =
                    Some(addr::parse_mcast_group(a).map_err(ParseError::fail)?);
            }
            OptId::McastPort => {
                self.set_option(bit::MCAST_PORT)?;
                self.daemon.mcast_port =
                    number(a, 1, 65535, "illegal mcast-port specified")? as u16;
            }
            OptId::McastTtl => {
                self.set_option(bit::MCAST_TTL)?;
                self.daemon.mcast_ttl = number(a, 1, 255, "illegal mcast-ttl specified")? as u8;
            }
            OptId::SyncMaxlen => {
                self.set_option(bit::SYNC_MAXLEN)?;
                self.daemon.sync_maxlen =
                    number(a, 1, 65535 - 20 - 8, "illegal sync-maxlen specified")? as u16;
            }
            _ => {}
        }
        Ok(())
    }

    /// ipvsadm's `generic_opt_check`: walk the bits 0..33, stop at the
    /// first violation.
    fn generic_opt_check(&self) -> Result<(), ParseError> {
        let Some(spec) = cmd_spec(self.cmd) else {
            return Ok(());
        };
        let mut first: Option<u8> = None;
        for b in 0..options::NUMBER_OF_OPT as u8 {
            let name = OPTNAMES.get(usize::from(b)).copied().unwrap_or("");
            match (self.has(b), spec.cell(b)) {
                (false, Cell::Compulsory) => {
                    return Err(ParseError::fail(format!(
                        "You need to supply the '{name}' option for the '{}' command",
                        spec.name
                    )))
                }
                (true, Cell::Illegal) => {
                    return Err(ParseError::fail(format!(
                        "Illegal '{name}' option with the '{}' command",
                        spec.name
                    )))
                }
                (true, Cell::OneOf) => match first {
                    None => first = Some(b),
                    Some(f) => {
                        let fname = OPTNAMES.get(usize::from(f)).copied().unwrap_or("");
                        return Err(ParseError::fail(format!(
                            "The option '{name}' conflicts with the '{fname}' option in the '{}' command",
                            spec.name
                        )));
                    }
                },
                _ => {}
            }
        }
        Ok(())
    }

    /// ipvsadm's `tunnel_opt_check`.
    fn tunnel_opt_check(&self) -> Result<(), ParseError> {
        let t = usize::from(self.dest.tun_type);
        let (Some(row), Some(tname)) = (TUN_MATRIX.get(t), TUN_NAMES.get(t)) else {
            return Ok(());
        };
        let mut first: Option<u8> = None;
        for (j, b) in TUN_OPTS.iter().enumerate() {
            let name = OPTNAMES.get(usize::from(*b)).copied().unwrap_or("");
            let cell = row.get(j).copied().unwrap_or(b' ');
            match (self.has(*b), cell) {
                (false, b'+') => {
                    return Err(ParseError::fail(format!(
                        "You need to supply the '{name}' option for the '{tname}' tunnel type"
                    )))
                }
                (true, b'x') => {
                    return Err(ParseError::fail(format!(
                        "Illegal '{name}' option with the '{tname}' tunnel type"
                    )))
                }
                (true, b'1') => match first {
                    None => first = Some(*b),
                    Some(f) => {
                        let fname = OPTNAMES.get(usize::from(f)).copied().unwrap_or("");
                        return Err(ParseError::fail(format!(
                            "The option '{name}' conflicts with the '{fname}' option in the '{tname}' tunnel type"
                        )));
                    }
                },
                _ => {}
            }
        }
        Ok(())
    }

    /// Matrix and semantic checks, defaults, and the resulting command.
    fn finish(mut self) -> Result<Command, ParseError> {
        self.generic_opt_check()?;

        if matches!(self.cmd, Cmd::AddService | Cmd::EditService) {
            if self.svc.fwmark == 0 && self.svc.port == 0 && self.svc.flags & SVC_F_PERSISTENT == 0
            {
                return Err(ParseError::fail(
                    "Zero port specified for non-persistent service",
                ));
            }
            if self.svc.flags & SVC_F_ONEPACKET != 0
                && self.svc.fwmark == 0
                && self.svc.protocol != IPPROTO_UDP
            {
                return Err(ParseError::fail(
                    "One-Packet Scheduling is only for UDP virtual services",
                ));
            }
            if self.svc.sched_name.is_empty() {
                self.svc.sched_name = DEFAULT_SCHEDULER.into();
            }
        }

        if self.cmd == Cmd::StartDaemon && self.daemon.mcast_ifn.is_empty() {
            self.daemon.mcast_ifn = "eth0".to_string();
        }

        if matches!(self.cmd, Cmd::AddDest | Cmd::EditDest) {
            let fwd = self.dest.fwd;
            if self.svc.fwmark == 0 && matches!(fwd, Forward::Tunnel | Forward::Route) {
                self.dest.port = self.svc.port;
            }
            if self.dest.af != self.svc.af && fwd != Forward::Tunnel {
                return Err(ParseError::fail(
                    "Different address family is allowed only for tunneling servers",
                ));
            }
            let tun_opts = [
                bit::TUN_TYPE,
                bit::TUN_PORT,
                bit::TUN_NOCSUM,
                bit::TUN_CSUM,
                bit::TUN_REMCSUM,
            ];
            if tun_opts.iter().any(|b| self.has(*b)) && fwd != Forward::Tunnel {
                return Err(ParseError::fail(
                    "Tunnel options conflict with forward method",
                ));
            }
            self.tunnel_opt_check()?;
        }

        let list = ListOpts {
            numeric: self.has(bit::NUMERIC),
            connection: self.has(bit::CONNECTION),
            timeout: self.has(bit::TIMEOUT),
            daemon: self.has(bit::DAEMON),
            stats: self.has(bit::STATS),
            rate: self.has(bit::RATE),
            thresholds: self.has(bit::THRESHOLDS),
            persistent_conn: self.has(bit::PERSISTENTCONN),
            nosort: self.has(bit::NOSORT),
            exact: self.has(bit::EXACT),
            tun_info: self.has(bit::TUN_INFO),
        };
        if self.cmd == Cmd::List
            && (((list.connection || list.timeout || list.daemon)
                && (list.stats || list.rate || list.thresholds))
                || ((list.timeout || list.daemon) && list.persistent_conn))
        {
            return Err(ParseError::fail("options conflicts in the list command"));
        }

        let has_service = self.has(bit::SERVICE);
        let has_dest = self.has(bit::SERVER);
        let service = has_service.then_some(self.svc);
        let dest = has_dest.then_some(self.dest);
        Ok(Command {
            cmd: self.cmd,
            service,
            dest,
            daemon: self.daemon,
            timeouts: self.timeouts,
            list,
        })
    }
}

#[cfg(test)]
mod tests;
