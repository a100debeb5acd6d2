//! argv → typed [`Command`], exactly as ipvsadm 1.31 (popt 1.19) reads it.
//!
//! Pure: no kernel, no output beyond the returned values. Name lookups
//! (hosts, /etc/services) go through the resolver, which is the one
//! outside dependency parsing has, as in ipvsadm.

use crate::model::{Daemon, Dest, Service, Timeouts};

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

/// A failure with ipvsadm's exact text (printed to stderr followed by a
/// newline; may itself contain newlines) and exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub code: i32,
}

/// Parse one command line. `argv0` is the program name as invoked (it
/// appears in the `Try …` message and the help text); `args` excludes it.
pub fn parse(argv0: &str, args: &[String]) -> Result<Command, ParseError> {
    let _ = (argv0, args);
    Err(ParseError {
        message: "not implemented".into(),
        code: 2,
    })
}

/// The `-h` text for this program name (stdout, exit 0).
pub fn help_text(argv0: &str) -> String {
    let _ = argv0;
    String::new()
}

/// The `-v` line, with its newline.
pub const VERSION_LINE: &str = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n";
