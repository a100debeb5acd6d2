//! The option table: every command and option ipvsadm 1.31 accepts, with
//! its names, argument kind, matrix bit, help lines and a one-line
//! summary, plus the command × option and tunnel-type × option matrices.
//!
//! This table is the single source of truth: the popt-compatible tokenizer
//! looks options up here, the checks walk the matrices and `-h` is printed
//! from it. The man page and the shell completions are written by hand and
//! checked against it by tests/docs.rs (every option documented and
//! offered, nothing extra). It holds data only; it does no parsing.

use super::Cmd;

/// Whether an option takes an argument (popt's `POPT_ARG_NONE`,
/// `POPT_ARG_STRING`, `POPT_ARG_STRING|POPT_ARGFLAG_OPTIONAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    None,
    Required,
    /// Taken from `--opt=v`, `-ov`/`-o=v`, or the next word unless that
    /// word starts with `-` (only `-p`/`--persistent`).
    Optional,
}

/// The `-h` section an option is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Commands,
    VirtualService,
    Options,
    DaemonOptions,
}

/// Identifies an entry of [`OPTIONS`]; the parser dispatches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptId {
    AddService,
    EditService,
    DelService,
    Clear,
    Restore,
    Save,
    AddServer,
    EditServer,
    DelServer,
    List,
    Zero,
    Set,
    StartDaemon,
    StopDaemon,
    Help,
    Version,
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Ipv6,
    Scheduler,
    Pe,
    Persistent,
    Netmask,
    RealServer,
    Gatewaying,
    Ipip,
    Masquerading,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
    Weight,
    UThreshold,
    LThreshold,
    Connection,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Exact,
    Thresholds,
    PersistentConn,
    TunInfo,
    NoSort,
    Sort,
    Ops,
    Numeric,
    SchedFlags,
    SyncId,
    SyncMaxlen,
    McastInterface,
    McastGroup,
    McastPort,
    McastTtl,
}

/// One command or option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptSpec {
    pub id: OptId,
    /// Long name without the leading `--`.
    pub long: &'static str,
    /// Short names (`-L` and `-l` share the `--list` entry).
    pub short: &'static [char],
    pub arg: ArgKind,
    /// Placeholder for the argument in docs (`None` for flags).
    pub value_name: Option<&'static str>,
    /// Column in the command × option matrix; `None` for commands and for
    /// the two options that set no bit (`-6`, `--sort`).
    pub bit: Option<u8>,
    /// `Some` for the command options (the first option on the line).
    pub cmd: Option<Cmd>,
    pub section: Section,
    /// The exact lines `-h` prints for this entry (empty: not listed).
    pub help: &'static [&'static str],
    /// A plain one-line description for man pages and completions.
    pub summary: &'static str,
    /// Fixed set of accepted values, for completions (empty: free-form).
    pub values: &'static [&'static str],
}

impl OptSpec {
    /// The name used in ipvsadm's messages: the optname of the option's bit,
    /// or the command name for commands (`None` for `-6`, `--sort`,
    /// `-h`, `-v`).
    pub fn optname(&self) -> Option<&'static str> {
        if let Some(bit) = self.bit {
            return OPTNAMES.get(usize::from(bit)).copied();
        }
        self.cmd.and_then(cmd_name)
    }

    /// Commands with which this option may be given (matrix cell not `x`).
    /// Options without a bit (`-6`, `--sort`) are allowed with every
    /// command; commands themselves return an empty list.
    pub fn allowed_with(&self) -> Vec<Cmd> {
        if self.cmd.is_some() {
            return Vec::new();
        }
        COMMANDS
            .iter()
            .filter(|c| match self.bit {
                None => true,
                Some(bit) => c.cell(bit) != Cell::Illegal,
            })
            .map(|c| c.cmd)
            .collect()
    }
}

/// Number of matrix columns.
pub const NUMBER_OF_OPT: usize = 34;

/// The matrix bits (`OPTC_*`), in check order.
pub mod bit {
    pub const NUMERIC: u8 = 0;
    pub const CONNECTION: u8 = 1;
    pub const SERVICE: u8 = 2;
    pub const SCHEDULER: u8 = 3;
    pub const PERSISTENT: u8 = 4;
    pub const NETMASK: u8 = 5;
    pub const SERVER: u8 = 6;
    pub const FORWARD: u8 = 7;
    pub const WEIGHT: u8 = 8;
    pub const UTHRESHOLD: u8 = 9;
    pub const LTHRESHOLD: u8 = 10;
    pub const MCAST: u8 = 11;
    pub const TIMEOUT: u8 = 12;
    pub const DAEMON: u8 = 13;
    pub const STATS: u8 = 14;
    pub const RATE: u8 = 15;
    pub const THRESHOLDS: u8 = 16;
    pub const PERSISTENTCONN: u8 = 17;
    pub const NOSORT: u8 = 18;
    pub const SYNCID: u8 = 19;
    pub const EXACT: u8 = 20;
    pub const ONEPACKET: u8 = 21;
    pub const PE: u8 = 22;
    pub const SCHED_FLAGS: u8 = 23;
    pub const MCAST_GROUP: u8 = 24;
    pub const MCAST_PORT: u8 = 25;
    pub const MCAST_TTL: u8 = 26;
    pub const SYNC_MAXLEN: u8 = 27;
    pub const TUN_INFO: u8 = 28;
    pub const TUN_TYPE: u8 = 29;
    pub const TUN_PORT: u8 = 30;
    pub const TUN_NOCSUM: u8 = 31;
    pub const TUN_CSUM: u8 = 32;
    pub const TUN_REMCSUM: u8 = 33;
}

/// Option names used in messages, indexed by bit.
pub const OPTNAMES: [&str; NUMBER_OF_OPT] = [
    "numeric",
    "connection",
    "service-address",
    "scheduler",
    "persistent",
    "netmask",
    "real-server",
    "forwarding-method",
    "weight",
    "u-threshold",
    "l-threshold",
    "mcast-interface",
    "timeout",
    "daemon",
    "stats",
    "rate",
    "thresholds",
    "persistent-conn",
    "nosort",
    "syncid",
    "exact",
    "ops",
    "pe",
    "sched-flags",
    "mcast-group",
    "mcast-port",
    "mcast-ttl",
    "sync-maxlen",
    "tun-info",
    "tun-type",
    "tun-port",
    "tun-nocsum",
    "tun-csum",
    "tun-remcsum",
];

/// A matrix cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// `+`: the option must be given.
    Compulsory,
    /// `x`: the option must not be given.
    Illegal,
    /// `1`: at most one of the row's `1` options.
    OneOf,
    /// ` `: optional.
    Optional,
}

impl Cell {
    fn from_byte(b: u8) -> Cell {
        match b {
            b'+' => Cell::Compulsory,
            b'x' => Cell::Illegal,
            b'1' => Cell::OneOf,
            _ => Cell::Optional,
        }
    }
}

/// A matrix row: a command, its name in messages, and its 34 cells
/// (`+`, `x`, `1`, space) in bit order.
#[derive(Debug, Clone, Copy)]
pub struct CmdSpec {
    pub cmd: Cmd,
    pub name: &'static str,
    pub row: &'static [u8; NUMBER_OF_OPT],
}

impl CmdSpec {
    pub fn cell(&self, bit: u8) -> Cell {
        self.row
            .get(usize::from(bit))
            .map_or(Cell::Optional, |b| Cell::from_byte(*b))
    }
}

//                               0         1         2         3
//                               0123456789012345678901234567890123
const ROW_SERVICE: &[u8; 34] = b"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx";
const ROW_DEL: &[u8; 34] = b"xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const ROW_NONE: &[u8; 34] = b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const ROW_LIST: &[u8; 34] = b" 11xxxxxxxxx11       xxxxxxx xxxxx";
const ROW_DEST: &[u8; 34] = b"xx+xxx+    xxxxxxxxxxxxxxxxxx     ";
const ROW_DELDEST: &[u8; 34] = b"xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx";
const ROW_START: &[u8; 34] = b"xxxxxxxxxxx xxxxxxx xxxx    xxxxxx";
const ROW_STOP: &[u8; 34] = b"xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx";
const ROW_SAVE: &[u8; 34] = b" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const ROW_ZERO: &[u8; 34] = b"xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// The command × option matrix, in ipvsadm's command order.
pub const COMMANDS: [CmdSpec; 14] = [
    CmdSpec {
        cmd: Cmd::AddService,
        name: "add-service",
        row: ROW_SERVICE,
    },
    CmdSpec {
        cmd: Cmd::EditService,
        name: "edit-service",
        row: ROW_SERVICE,
    },
    CmdSpec {
        cmd: Cmd::DelService,
        name: "delete-service",
        row: ROW_DEL,
    },
    CmdSpec {
        cmd: Cmd::Flush,
        name: "flush",
        row: ROW_NONE,
    },
    CmdSpec {
        cmd: Cmd::List,
        name: "list",
        row: ROW_LIST,
    },
    CmdSpec {
        cmd: Cmd::AddDest,
        name: "add-server",
        row: ROW_DEST,
    },
    CmdSpec {
        cmd: Cmd::DelDest,
        name: "delete-server",
        row: ROW_DELDEST,
    },
    CmdSpec {
        cmd: Cmd::EditDest,
        name: "edit-server",
        row: ROW_DEST,
    },
    CmdSpec {
        cmd: Cmd::SetTimeout,
        name: "set",
        row: ROW_NONE,
    },
    CmdSpec {
        cmd: Cmd::StartDaemon,
        name: "start-daemon",
        row: ROW_START,
    },
    CmdSpec {
        cmd: Cmd::StopDaemon,
        name: "stop-daemon",
        row: ROW_STOP,
    },
    CmdSpec {
        cmd: Cmd::Restore,
        name: "restore",
        row: ROW_NONE,
    },
    CmdSpec {
        cmd: Cmd::Save,
        name: "save",
        row: ROW_SAVE,
    },
    CmdSpec {
        cmd: Cmd::Zero,
        name: "zero",
        row: ROW_ZERO,
    },
];

/// The matrix row of a command (`None` for `Help`/`Version`).
pub fn cmd_spec(cmd: Cmd) -> Option<&'static CmdSpec> {
    COMMANDS.iter().find(|c| c.cmd == cmd)
}

/// A command's name in messages (`add-service`, `flush`, …).
pub fn cmd_name(cmd: Cmd) -> Option<&'static str> {
    cmd_spec(cmd).map(|c| c.name)
}

/// Tunnel type names, indexed by the type number.
pub const TUN_NAMES: [&str; 3] = ["ipip", "gue", "gre"];

/// The columns of the tunnel matrix (matrix bits, in check order).
pub const TUN_OPTS: [u8; 4] = [
    bit::TUN_PORT,
    bit::TUN_NOCSUM,
    bit::TUN_CSUM,
    bit::TUN_REMCSUM,
];

/// Tunnel type × option matrix (rows: ipip, gue, gre).
pub const TUN_MATRIX: [&[u8; 4]; 3] = [b"xxxx", b"+111", b"x11x"];

const NO_HELP: &[&str] = &[];

macro_rules! opt {
    ($id:ident, $long:expr, [$($s:expr),*], $arg:ident, $vn:expr, $bit:expr, $cmd:expr, $sec:ident,
     [$($h:expr),*], $sum:expr) => {
        opt!($id, $long, [$($s),*], $arg, $vn, $bit, $cmd, $sec, [$($h),*], $sum, [])
    };
    ($id:ident, $long:expr, [$($s:expr),*], $arg:ident, $vn:expr, $bit:expr, $cmd:expr, $sec:ident,
     [$($h:expr),*], $sum:expr, [$($v:expr),*]) => {
        OptSpec {
            id: OptId::$id,
            long: $long,
            short: &[$($s),*],
            arg: ArgKind::$arg,
            value_name: $vn,
            bit: $bit,
            cmd: $cmd,
            section: Section::$sec,
            help: &[$($h),*],
            summary: $sum,
            values: &[$($v),*],
        }
    };
}

use bit as b;

/// Every command and option, in the order `-h` lists them (`--version`,
/// which `-h` does not list, last).
#[rustfmt::skip]
pub const OPTIONS: &[OptSpec] = &[
    // Commands
    opt!(AddService, "add-service", ['A'], None, None, None, Some(Cmd::AddService), Commands,
         ["  --add-service     -A        add virtual service with options"],
         "add a virtual service"),
    opt!(EditService, "edit-service", ['E'], None, None, None, Some(Cmd::EditService), Commands,
         ["  --edit-service    -E        edit virtual service with options"],
         "edit a virtual service"),
    opt!(DelService, "delete-service", ['D'], None, None, None, Some(Cmd::DelService), Commands,
         ["  --delete-service  -D        delete virtual service"],
         "delete a virtual service"),
    opt!(Clear, "clear", ['C'], None, None, None, Some(Cmd::Flush), Commands,
         ["  --clear           -C        clear the whole table"],
         "clear the whole table"),
    opt!(Restore, "restore", ['R'], None, None, None, Some(Cmd::Restore), Commands,
         ["  --restore         -R        restore rules from stdin"],
         "restore rules from stdin"),
    opt!(Save, "save", ['S'], None, None, None, Some(Cmd::Save), Commands,
         ["  --save            -S        save rules to stdout"],
         "save rules to stdout"),
    opt!(AddServer, "add-server", ['a'], None, None, None, Some(Cmd::AddDest), Commands,
         ["  --add-server      -a        add real server with options"],
         "add a real server"),
    opt!(EditServer, "edit-server", ['e'], None, None, None, Some(Cmd::EditDest), Commands,
         ["  --edit-server     -e        edit real server with options"],
         "edit a real server"),
    opt!(DelServer, "delete-server", ['d'], None, None, None, Some(Cmd::DelDest), Commands,
         ["  --delete-server   -d        delete real server"],
         "delete a real server"),
    opt!(List, "list", ['L', 'l'], None, None, None, Some(Cmd::List), Commands,
         ["  --list            -L|-l     list the table"],
         "list the table"),
    opt!(Zero, "zero", ['Z'], None, None, None, Some(Cmd::Zero), Commands,
         ["  --zero            -Z        zero counters in a service or all services"],
         "zero counters in a service or all services"),
    opt!(Set, "set", [], None, None, None, Some(Cmd::SetTimeout), Commands,
         ["  --set tcp tcpfin udp        set connection timeout values"],
         "set connection timeout values (three words follow)"),
    opt!(StartDaemon, "start-daemon", [], Required, Some("state"), None, Some(Cmd::StartDaemon), Commands,
         ["  --start-daemon              start connection sync daemon"],
         "start connection sync daemon", ["master", "backup"]),
    opt!(StopDaemon, "stop-daemon", [], Required, Some("state"), None, Some(Cmd::StopDaemon), Commands,
         ["  --stop-daemon               stop connection sync daemon"],
         "stop connection sync daemon", ["master", "backup"]),
    opt!(Help, "help", ['h'], None, None, None, Some(Cmd::Help), Commands,
         ["  --help            -h        display this help message"],
         "display the help message"),
    // virtual-service
    opt!(TcpService, "tcp-service", ['t'], Required, Some("service-address"), Some(b::SERVICE), None, VirtualService,
         ["  --tcp-service|-t  service-address   service-address is host[:port]"],
         "TCP virtual service host[:port]"),
    opt!(UdpService, "udp-service", ['u'], Required, Some("service-address"), Some(b::SERVICE), None, VirtualService,
         ["  --udp-service|-u  service-address   service-address is host[:port]"],
         "UDP virtual service host[:port]"),
    opt!(SctpService, "sctp-service", [], Required, Some("service-address"), Some(b::SERVICE), None, VirtualService,
         ["  --sctp-service    service-address   service-address is host[:port]"],
         "SCTP virtual service host[:port]"),
    opt!(FwmarkService, "fwmark-service", ['f'], Required, Some("fwmark"), Some(b::SERVICE), None, VirtualService,
         ["  --fwmark-service|-f fwmark          fwmark is an integer greater than zero"],
         "firewall-mark virtual service (integer greater than zero)"),
    // Options
    opt!(Ipv6, "ipv6", ['6'], None, None, None, None, Options,
         ["  --ipv6         -6                   fwmark entry uses IPv6"],
         "the fwmark service uses IPv6 (after -f)"),
    opt!(Scheduler, "scheduler", ['s'], Required, Some("scheduler"), Some(b::SCHEDULER), None, Options,
         ["  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,",
          "                                      the default scheduler is wlc."],
         "scheduling algorithm (default wlc)",
         ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"]),
    opt!(Pe, "pe", [], Required, Some("engine"), Some(b::PE), None, Options,
         ["  --pe            engine              alternate persistence engine may be sip,",
          "                                      not set by default."],
         "alternate persistence engine", ["sip"]),
    opt!(Persistent, "persistent", ['p'], Optional, Some("timeout"), Some(b::PERSISTENT), None, Options,
         ["  --persistent   -p [timeout]         persistent service"],
         "persistent service, optional timeout in seconds (default 360)"),
    opt!(Netmask, "netmask", ['M'], Required, Some("netmask"), Some(b::NETMASK), None, Options,
         ["  --netmask      -M netmask           persistent granularity mask"],
         "persistent granularity mask"),
    opt!(RealServer, "real-server", ['r'], Required, Some("server-address"), Some(b::SERVER), None, Options,
         ["  --real-server  -r server-address    server-address is host (and port)"],
         "real server host[:port]"),
    opt!(Gatewaying, "gatewaying", ['g'], None, None, Some(b::FORWARD), None, Options,
         ["  --gatewaying   -g                   gatewaying (direct routing) (default)"],
         "direct routing (default)"),
    opt!(Ipip, "ipip", ['i'], None, None, Some(b::FORWARD), None, Options,
         ["  --ipip         -i                   ipip encapsulation (tunneling)"],
         "tunneling"),
    opt!(Masquerading, "masquerading", ['m'], None, None, Some(b::FORWARD), None, Options,
         ["  --masquerading -m                   masquerading (NAT)"],
         "masquerading (NAT)"),
    opt!(TunType, "tun-type", [], Required, Some("type"), Some(b::TUN_TYPE), None, Options,
         ["  --tun-type      type                one of ipip|gue|gre,",
          "                                      the default tunnel type is ipip."],
         "tunnel type (default ipip)", ["ipip", "gue", "gre"]),
    opt!(TunPort, "tun-port", [], Required, Some("port"), Some(b::TUN_PORT), None, Options,
         ["  --tun-port      port                tunnel destination port"],
         "tunnel destination port"),
    opt!(TunNocsum, "tun-nocsum", [], None, None, Some(b::TUN_NOCSUM), None, Options,
         ["  --tun-nocsum                        tunnel encapsulation without checksum"],
         "tunnel encapsulation without checksum"),
    opt!(TunCsum, "tun-csum", [], None, None, Some(b::TUN_CSUM), None, Options,
         ["  --tun-csum                          tunnel encapsulation with checksum"],
         "tunnel encapsulation with checksum"),
    opt!(TunRemcsum, "tun-remcsum", [], None, None, Some(b::TUN_REMCSUM), None, Options,
         ["  --tun-remcsum                       tunnel encapsulation with remote checksum"],
         "tunnel encapsulation with remote checksum"),
    opt!(Weight, "weight", ['w'], Required, Some("weight"), Some(b::WEIGHT), None, Options,
         ["  --weight       -w weight            capacity of real server"],
         "capacity of the real server (0..2147483647)"),
    opt!(UThreshold, "u-threshold", ['x'], Required, Some("uthreshold"), Some(b::UTHRESHOLD), None, Options,
         ["  --u-threshold  -x uthreshold        upper threshold of connections"],
         "upper threshold of connections"),
    opt!(LThreshold, "l-threshold", ['y'], Required, Some("lthreshold"), Some(b::LTHRESHOLD), None, Options,
         ["  --l-threshold  -y lthreshold        lower threshold of connections"],
         "lower threshold of connections"),
    opt!(Connection, "connection", ['c'], None, None, Some(b::CONNECTION), None, Options,
         ["  --connection   -c                   output of current IPVS connections"],
         "list current IPVS connections"),
    opt!(Timeout, "timeout", [], None, None, Some(b::TIMEOUT), None, Options,
         ["  --timeout                           output of timeout (tcp tcpfin udp)"],
         "list timeouts (tcp tcpfin udp)"),
    opt!(Daemon, "daemon", [], None, None, Some(b::DAEMON), None, Options,
         ["  --daemon                            output of daemon information"],
         "list sync daemons"),
    opt!(Stats, "stats", [], None, None, Some(b::STATS), None, Options,
         ["  --stats                             output of statistics information"],
         "list statistics"),
    opt!(Rate, "rate", [], None, None, Some(b::RATE), None, Options,
         ["  --rate                              output of rate information"],
         "list rates"),
    opt!(Exact, "exact", ['X'], None, None, Some(b::EXACT), None, Options,
         ["  --exact                             expand numbers (display exact values)"],
         "display exact numbers"),
    opt!(Thresholds, "thresholds", [], None, None, Some(b::THRESHOLDS), None, Options,
         ["  --thresholds                        output of thresholds information"],
         "list thresholds"),
    opt!(PersistentConn, "persistent-conn", [], None, None, Some(b::PERSISTENTCONN), None, Options,
         ["  --persistent-conn                   output of persistent connection info"],
         "list persistent connection counts"),
    opt!(TunInfo, "tun-info", [], None, None, Some(b::TUN_INFO), None, Options,
         ["  --tun-info                          output of tunnel information"],
         "list tunnel information"),
    opt!(NoSort, "nosort", [], None, None, Some(b::NOSORT), None, Options,
         ["  --nosort                            disable sorting output of service/server entries"],
         "keep the kernel's order"),
    opt!(Sort, "sort", [], None, None, None, None, Options,
         ["  --sort                              does nothing, for backwards compatibility"],
         "does nothing (backwards compatibility)"),
    opt!(Ops, "ops", ['o'], None, None, Some(b::ONEPACKET), None, Options,
         ["  --ops          -o                   one-packet scheduling"],
         "one-packet scheduling (UDP)"),
    opt!(Numeric, "numeric", ['n'], None, None, Some(b::NUMERIC), None, Options,
         ["  --numeric      -n                   numeric output of addresses and ports"],
         "numeric addresses and ports"),
    opt!(SchedFlags, "sched-flags", ['b'], Required, Some("flags"), Some(b::SCHED_FLAGS), None, Options,
         ["  --sched-flags  -b flags             scheduler flags (comma-separated)"],
         "scheduler flags (comma-separated)",
         ["flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port"]),
    // Daemon Options
    opt!(SyncId, "syncid", [], Required, Some("sid"), Some(b::SYNCID), None, DaemonOptions,
         ["  --syncid sid                        syncid for connection sync (default=255)"],
         "sync id (0..255, default 0)"),
    opt!(SyncMaxlen, "sync-maxlen", [], Required, Some("length"), Some(b::SYNC_MAXLEN), None, DaemonOptions,
         ["  --sync-maxlen length                Max sync message length (default=1472)"],
         "maximum sync message length"),
    opt!(McastInterface, "mcast-interface", [], Required, Some("interface"), Some(b::MCAST), None, DaemonOptions,
         ["  --mcast-interface interface         multicast interface for connection sync"],
         "multicast interface for connection sync (default eth0)"),
    opt!(McastGroup, "mcast-group", [], Required, Some("address"), Some(b::MCAST_GROUP), None, DaemonOptions,
         ["  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)"],
         "IPv4/IPv6 multicast group"),
    opt!(McastPort, "mcast-port", [], Required, Some("port"), Some(b::MCAST_PORT), None, DaemonOptions,
         ["  --mcast-port port                   UDP port (default=8848)"],
         "multicast UDP port"),
    opt!(McastTtl, "mcast-ttl", [], Required, Some("ttl"), Some(b::MCAST_TTL), None, DaemonOptions,
         ["  --mcast-ttl ttl                     Multicast TTL (default=1)"],
         "multicast TTL"),
    // Not listed by -h.
    OptSpec {
        id: OptId::Version,
        long: "version",
        short: &['v'],
        arg: ArgKind::None,
        value_name: None,
        bit: None,
        cmd: Some(Cmd::Version),
        section: Section::Commands,
        help: NO_HELP,
        summary: "display the version",
        values: &[],
    },
];

/// Find an option by its exact long name (popt does not abbreviate).
pub fn find_long(name: &str) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| o.long == name)
}

/// Find an option by a short-name byte.
pub fn find_short(c: u8) -> Option<&'static OptSpec> {
    OPTIONS
        .iter()
        .find(|o| o.short.iter().any(|s| u32::from(*s) == u32::from(c)))
}

/// The option table entry for an id.
pub fn spec(id: OptId) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| o.id == id)
}

/// The `-h` text for program name `argv0`.
pub fn help_text(argv0: &str) -> String {
    let mut s = String::with_capacity(4800);
    s.push_str(super::VERSION_LINE);
    s.push_str("Usage:\n");
    for usage in [
        "-A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]",
        "-D virtual-service",
        "-C",
        "-R",
        "-S [-n]",
        "-a|e virtual-service -r server-address [options]",
        "-d virtual-service -r server-address",
        "-L|l [virtual-service] [options]",
        "-Z [virtual-service]",
        "--set tcp tcpfin udp",
        "--start-daemon {master|backup} [daemon-options]",
        "--stop-daemon {master|backup}",
        "-h",
    ] {
        s.push_str("  ");
        s.push_str(argv0);
        s.push(' ');
        s.push_str(usage);
        s.push('\n');
    }
    for (section, header) in [
        (
            Section::Commands,
            "\nCommands:\nEither long or short options are allowed.\n",
        ),
        (Section::VirtualService, "\nvirtual-service:\n"),
        (Section::Options, "\nOptions:\n"),
        (Section::DaemonOptions, "Daemon Options:\n"),
    ] {
        s.push_str(header);
        for o in OPTIONS.iter().filter(|o| o.section == section) {
            for line in o.help {
                s.push_str(line);
                s.push('\n');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_duplicate_names() {
        let mut longs = HashSet::new();
        let mut shorts = HashSet::new();
        let mut ids = HashSet::new();
        for o in OPTIONS {
            assert!(longs.insert(o.long), "duplicate long --{}", o.long);
            assert!(ids.insert(o.id), "duplicate id {:?}", o.id);
            for s in o.short {
                assert!(shorts.insert(*s), "duplicate short -{s}");
                assert!(s.is_ascii_alphanumeric());
            }
            assert!(!o.long.is_empty() && !o.long.contains('='));
        }
        assert_eq!(OPTIONS.len(), 57);
    }

    #[test]
    fn every_option_documented() {
        for o in OPTIONS {
            assert!(!o.summary.is_empty(), "{:?} has no summary", o.id);
            if o.id != OptId::Version {
                assert!(!o.help.is_empty(), "{:?} has no help line", o.id);
            }
            let no_name = matches!(
                o.id,
                OptId::Ipv6 | OptId::Sort | OptId::Help | OptId::Version
            );
            assert_eq!(o.optname().is_none(), no_name, "{:?} optname", o.id);
            assert_eq!(o.value_name.is_some(), o.arg != ArgKind::None, "{:?}", o.id);
            assert_eq!(o.cmd.is_some(), o.section == Section::Commands);
        }
    }

    #[test]
    fn every_bit_has_an_option() {
        for bit in 0..NUMBER_OF_OPT as u8 {
            assert!(OPTIONS.iter().any(|o| o.bit == Some(bit)), "bit {bit}");
        }
        let svc: Vec<_> = OPTIONS
            .iter()
            .filter(|o| o.bit == Some(bit::SERVICE))
            .map(|o| o.long)
            .collect();
        assert_eq!(
            svc,
            [
                "tcp-service",
                "udp-service",
                "sctp-service",
                "fwmark-service"
            ]
        );
    }

    #[test]
    fn matrix_cells() {
        let list = cmd_spec(Cmd::List).unwrap();
        assert_eq!(list.cell(bit::CONNECTION), Cell::OneOf);
        assert_eq!(list.cell(bit::SERVICE), Cell::OneOf);
        assert_eq!(list.cell(bit::TIMEOUT), Cell::OneOf);
        assert_eq!(list.cell(bit::DAEMON), Cell::OneOf);
        assert_eq!(list.cell(bit::TUN_INFO), Cell::Optional);
        assert_eq!(list.cell(bit::SYNCID), Cell::Optional);
        assert_eq!(list.cell(bit::ONEPACKET), Cell::Illegal);
        let add = cmd_spec(Cmd::AddService).unwrap();
        for (b, c) in [
            (2, Cell::Compulsory),
            (3, Cell::Optional),
            (21, Cell::Optional),
            (23, Cell::Optional),
            (24, Cell::Illegal),
            (6, Cell::Illegal),
        ] {
            assert_eq!(add.cell(b), c, "bit {b}");
        }
        let a = cmd_spec(Cmd::AddDest).unwrap();
        assert_eq!(a.cell(bit::SERVER), Cell::Compulsory);
        for b in 7..=10 {
            assert_eq!(a.cell(b), Cell::Optional);
        }
        for b in 29..=33 {
            assert_eq!(a.cell(b), Cell::Optional);
        }
        assert_eq!(a.cell(bit::TUN_INFO), Cell::Illegal);
        let start = cmd_spec(Cmd::StartDaemon).unwrap();
        let allowed: Vec<u8> = (0..34)
            .filter(|b| start.cell(*b) != Cell::Illegal)
            .collect();
        assert_eq!(allowed, [11, 19, 24, 25, 26, 27]);
        let stop = cmd_spec(Cmd::StopDaemon).unwrap();
        let allowed: Vec<u8> = (0..34).filter(|b| stop.cell(*b) != Cell::Illegal).collect();
        assert_eq!(allowed, [19]);
        let save = cmd_spec(Cmd::Save).unwrap();
        let allowed: Vec<u8> = (0..34).filter(|b| save.cell(*b) != Cell::Illegal).collect();
        assert_eq!(allowed, [0]);
        let zero = cmd_spec(Cmd::Zero).unwrap();
        let allowed: Vec<u8> = (0..34).filter(|b| zero.cell(*b) != Cell::Illegal).collect();
        assert_eq!(allowed, [2]);
        let l: Vec<u8> = (0..34).filter(|b| list.cell(*b) != Cell::Illegal).collect();
        assert_eq!(l, [0, 1, 2, 12, 13, 14, 15, 16, 17, 18, 19, 20, 28]);
        for c in [Cmd::Flush, Cmd::SetTimeout, Cmd::Restore] {
            let s = cmd_spec(c).unwrap();
            assert!((0..34).all(|b| s.cell(b) == Cell::Illegal));
        }
    }

    #[test]
    fn allowed_with() {
        let w = spec(OptId::Weight).unwrap();
        assert_eq!(w.allowed_with(), [Cmd::AddDest, Cmd::EditDest]);
        assert_eq!(spec(OptId::Sort).unwrap().allowed_with().len(), 14);
        assert!(spec(OptId::List).unwrap().allowed_with().is_empty());
    }

    #[test]
    fn help_matches_reference() {
        let expected = include_str!("testdata/help-ipvsadm.txt");
        assert_eq!(help_text("ipvsadm"), expected);
        assert_eq!(expected.len(), 4645);
        assert_eq!(expected.lines().count(), 82);
        let other = help_text("/sbin/ipvsadm");
        assert!(other.contains("  /sbin/ipvsadm -Z [virtual-service]\n"));
        assert_eq!(other.len(), 4645 + 13 * 6);
    }

    #[test]
    fn lookups() {
        assert_eq!(find_short(b'l').unwrap().id, OptId::List);
        assert_eq!(find_short(b'L').unwrap().id, OptId::List);
        assert!(find_short(b'V').is_none());
        assert!(find_short(b'I').is_none());
        assert_eq!(find_long("list").unwrap().id, OptId::List);
        assert!(find_long("sched").is_none());
        assert_eq!(find_short(b'X').unwrap().id, OptId::Exact);
    }
}
