//! The option table of `ipvsadm mark`: every iptables option it accepts,
//! with its names, argument kind, owning module (match or target), whether
//! `!` may precede it, which commands refuse it (iptables'
//! commands_v_options) and what it does to the command being built.
//!
//! The parser looks options up here, the command × option check walks the
//! `refused_by` sets, `mark -h` is printed from it, and tests/docs.rs checks
//! the man page and the shell completions against it. Data only.

/// The commands of `ipvsadm mark` (iptables' CMD_*; `-D chain rulenum` is
/// its own row of the matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdKind {
    A,
    I,
    D,
    C,
    F,
    S,
    L,
    P,
    // Chain commands (issue 20).
    N,
    X,
    E,
    Z,
    R,
}

impl CmdKind {
    pub fn letter(self) -> char {
        match self {
            CmdKind::A => 'A',
            CmdKind::I => 'I',
            CmdKind::D => 'D',
            CmdKind::C => 'C',
            CmdKind::F => 'F',
            CmdKind::S => 'S',
            CmdKind::L => 'L',
            CmdKind::P => 'P',
            CmdKind::N => 'N',
            CmdKind::X => 'X',
            CmdKind::E => 'E',
            CmdKind::Z => 'Z',
            CmdKind::R => 'R',
        }
    }
}

/// What follows an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    None,
    /// The inline value (`-jMARK`, `--jump=MARK`) or else the next word.
    Required,
    /// The inline value, or the next word unless it starts with `-` or `!`.
    OptionalWord,
}

/// A match module (`-m NAME`, or implied by `-p tcp|udp|sctp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Tcp,
    Udp,
    Sctp,
    Multiport,
    Comment,
    // Issue 20's matches (src/mark/matches/).
    Mark,
    Connmark,
    State,
    Conntrack,
    Iprange,
    Addrtype,
    Icmp,
    Icmp6,
}

impl Module {
    pub fn name(self) -> &'static str {
        match self {
            Module::Tcp => "tcp",
            Module::Udp => "udp",
            Module::Sctp => "sctp",
            Module::Multiport => "multiport",
            Module::Comment => "comment",
            Module::Mark => "mark",
            Module::Connmark => "connmark",
            Module::State => "state",
            Module::Conntrack => "conntrack",
            Module::Iprange => "iprange",
            Module::Addrtype => "addrtype",
            Module::Icmp => "icmp",
            Module::Icmp6 => "icmp6",
        }
    }
}

/// The match modules `-m` loads, in the order `-h` lists them.
pub const MODULES: [Module; 13] = [
    Module::Tcp,
    Module::Udp,
    Module::Sctp,
    Module::Multiport,
    Module::Comment,
    // Issue 20's matches.
    Module::Mark,
    Module::Connmark,
    Module::State,
    Module::Conntrack,
    Module::Iprange,
    Module::Addrtype,
    Module::Icmp,
    Module::Icmp6,
];

/// The targets `-j` loads (besides a user chain's name).
pub const TARGETS: [&str; 4] = ["MARK", "CONNMARK", "ACCEPT", "RETURN"];

/// Targets that drop, reject or queue packets: `mark` never filters, so
/// they are refused with [`FILTERING_REFUSAL`].
pub const FILTERING_TARGETS: [&str; 5] = ["DROP", "REJECT", "QUEUE", "NFQUEUE", "TARPIT"];

/// Why a filtering target is refused.
pub const FILTERING_REFUSAL: &str =
    "ipvsadm mark never filters: use iptables for DROP, REJECT and QUEUE";

/// The names iptables 1.8.9 and ip6tables find as targets (the standard
/// verdicts and the xtables target extensions of both families): a user
/// chain may not take one of them.
pub const KNOWN_TARGETS: &[&str] = &[
    "",
    "ACCEPT",
    "DROP",
    "QUEUE",
    "RETURN",
    "standard",
    "AUDIT",
    "CHECKSUM",
    "CLASSIFY",
    "CONNMARK",
    "CONNSECMARK",
    "CT",
    "DNAT",
    "DSCP",
    "HMARK",
    "IDLETIMER",
    "LED",
    "LOG",
    "MARK",
    "MASQUERADE",
    "NETMAP",
    "NFLOG",
    "NFQUEUE",
    "NOTRACK",
    "RATEEST",
    "REDIRECT",
    "REJECT",
    "SECMARK",
    "SET",
    "SNAT",
    "SYNPROXY",
    "TCPMSS",
    "TCPOPTSTRIP",
    "TEE",
    "TOS",
    "TPROXY",
    "TRACE",
];

/// Targets of iptables only (libipt_*).
pub const KNOWN_TARGETS_V4: &[&str] = &["CLUSTERIP", "ECN", "TTL", "ULOG"];

/// Targets of ip6tables only (libip6t_*).
pub const KNOWN_TARGETS_V6: &[&str] = &["DNPT", "HL", "SNPT"];

/// Whether iptables (`v6` false) or ip6tables finds `name` as a target.
pub fn is_known_target(v6: bool, name: &str) -> bool {
    let own = if v6 {
        KNOWN_TARGETS_V6
    } else {
        KNOWN_TARGETS_V4
    };
    KNOWN_TARGETS.contains(&name) || own.contains(&name)
}

/// Who owns an option: the core grammar, a match module or a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Core,
    Match(Module),
    Target(&'static str),
}

/// Which ports a port option names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortSide {
    Source,
    Destination,
    /// multiport's `--ports`: either.
    Either,
}

/// What an option does to the command being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Command(CmdKind),
    Help,
    Version,
    Table,
    Ipv4,
    Ipv6,
    Numeric,
    Verbose,
    Exact,
    LineNumbers,
    Source,
    Destination,
    Protocol,
    InInterface,
    OutInterface,
    Jump,
    Match,
    /// tcp/udp/sctp `--sport`/`--dport`.
    Port(PortSide),
    /// multiport `--sports`/`--dports`/`--ports`.
    Ports(PortSide),
    Comment,
    /// MARK: index into [`MARK_OPTS`].
    Mark(usize),
    /// CONNMARK: index into [`CONNMARK_OPTS`].
    Connmark(usize),
    /// `-g CHAIN` (issue 20).
    Goto,
    /// An option of a match of src/mark/matches/ (its id there).
    Xt(u8),
}

/// The MARK target's options, in the order of iptables' messages.
pub const MARK_OPTS: [&str; 5] = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

/// The CONNMARK target's options, in the order of libxt_CONNMARK's table
/// (the order of its messages).
pub const CONNMARK_OPTS: [&str; 12] = [
    "set-xmark",
    "set-mark",
    "and-mark",
    "or-mark",
    "xor-mark",
    "save-mark",
    "restore-mark",
    "left-shift-mark",
    "right-shift-mark",
    "ctmask",
    "nfmask",
    "mask",
];

/// Command sets for `refused_by` (`DN`: `-D chain rulenum`).
pub mod cmds {
    pub const A: u16 = 1;
    pub const I: u16 = 1 << 1;
    pub const D: u16 = 1 << 2;
    pub const DN: u16 = 1 << 3;
    pub const C: u16 = 1 << 4;
    pub const F: u16 = 1 << 5;
    pub const S: u16 = 1 << 6;
    pub const L: u16 = 1 << 7;
    pub const P: u16 = 1 << 8;
    // Chain commands (issue 20): -R takes a rule; -N, -X, -E and -Z
    // refuse what -F refuses.
    pub const R: u16 = 1 << 9;
    pub const N: u16 = 1 << 10;
    pub const X: u16 = 1 << 11;
    pub const E: u16 = 1 << 12;
    pub const Z: u16 = 1 << 13;
    const CHAINS: u16 = N | X | E | Z;
    /// The commands that take a rule specification.
    pub const RULE: u16 = A | I | D | C | R;
    pub const NONE: u16 = 0;
    pub const ALL_BUT_L: u16 = RULE | DN | F | S | P | CHAINS;
    pub const ALL_BUT_RULE: u16 = DN | F | S | L | P | CHAINS;
}

/// One option of `ipvsadm mark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkOpt {
    /// Long names without `--` (the first is the canonical one).
    pub long: &'static [&'static str],
    pub short: Option<char>,
    pub arg: Arg,
    pub owner: Owner,
    /// Whether `!` may precede it.
    pub invert: bool,
    /// Commands that refuse it (iptables' commands_v_options).
    pub refused_by: u16,
    /// Its column in that matrix (the order in which refusals are
    /// reported) and the name the refusal gives it.
    pub column: Option<(u8, &'static str)>,
    pub act: Act,
    /// The argument's placeholder in `-h`.
    pub value_name: &'static str,
    /// The `-h` description.
    pub help: &'static str,
}

impl MarkOpt {
    /// The canonical long name.
    pub fn name(&self) -> &'static str {
        self.long.first().copied().unwrap_or("")
    }

    /// Every spelling: `-X` and `--long` for each long name.
    pub fn spellings(&self) -> Vec<String> {
        let short = self.short.map(|c| format!("-{c}"));
        short
            .into_iter()
            .chain(self.long.iter().map(|l| format!("--{l}")))
            .collect()
    }
}

const BASE: MarkOpt = MarkOpt {
    long: &[],
    short: None,
    arg: Arg::None,
    owner: Owner::Core,
    invert: false,
    refused_by: cmds::NONE,
    column: None,
    act: Act::Help,
    value_name: "",
    help: "",
};

const fn command(long: &'static [&'static str], short: char, kind: CmdKind) -> MarkOpt {
    MarkOpt {
        long,
        short: Some(short),
        arg: Arg::Required,
        act: Act::Command(kind),
        ..BASE
    }
}

/// A port option of tcp, udp or sctp.
const fn port(m: Module, long: &'static [&'static str], side: PortSide) -> MarkOpt {
    MarkOpt {
        long,
        arg: Arg::Required,
        owner: Owner::Match(m),
        invert: true,
        act: Act::Port(side),
        value_name: "port[:port]",
        help: match side {
            PortSide::Source => "match source port(s)",
            _ => "match destination port(s)",
        },
        ..BASE
    }
}

const fn mark(idx: usize, long: &'static [&'static str], value: &'static str) -> MarkOpt {
    MarkOpt {
        long,
        arg: Arg::Required,
        owner: Owner::Target("MARK"),
        act: Act::Mark(idx),
        value_name: value,
        help: match idx {
            0 => "clear the bits of mask, then toggle the bits of value",
            1 => "clear the bits of mask, then set the bits of value",
            2 => "keep only these bits of the mark",
            3 => "set these bits of the mark",
            _ => "toggle these bits of the mark",
        },
        ..BASE
    }
}

/// A CONNMARK option (issue 20).
const fn connmark(idx: usize, long: &'static [&'static str], value: &'static str) -> MarkOpt {
    let takes = idx != 5 && idx != 6;
    MarkOpt {
        long,
        arg: if takes { Arg::Required } else { Arg::None },
        owner: Owner::Target("CONNMARK"),
        act: Act::Connmark(idx),
        value_name: value,
        help: match idx {
            0 => "clear the ctmask bits of the connection mark, then toggle value's",
            1 => "clear the mask bits of the connection mark, then set value's",
            2 => "keep only these bits of the connection mark",
            3 => "set these bits of the connection mark",
            4 => "toggle these bits of the connection mark",
            5 => "copy the packet mark to the connection mark (masked)",
            6 => "copy the connection mark to the packet mark (masked)",
            7 => "shift the copied mark left by bits",
            8 => "shift the copied mark right by bits",
            9 => "the connection mark bits --save/--restore-mark touch",
            10 => "the packet mark bits --save/--restore-mark touch",
            _ => "both --ctmask and --nfmask",
        },
        ..BASE
    }
}

const SRC_PORT: &[&str] = &["source-port", "sport"];
const DST_PORT: &[&str] = &["destination-port", "dport"];

/// Every option `ipvsadm mark` accepts: commands, then the core options in
/// the order of iptables' `-h`, then the matches' and MARK's.
pub const OPTIONS: &[MarkOpt] = &[
    MarkOpt {
        help: "Append to chain",
        value_name: "chain",
        ..command(&["append"], 'A', CmdKind::A)
    },
    MarkOpt {
        help: "Check for the existence of a rule",
        value_name: "chain",
        ..command(&["check"], 'C', CmdKind::C)
    },
    MarkOpt {
        help: "Delete the matching rule, or rule number rulenum (1 = first), from chain",
        value_name: "chain [rulenum]",
        ..command(&["delete"], 'D', CmdKind::D)
    },
    MarkOpt {
        help: "Insert in chain as rulenum (default 1 = first)",
        value_name: "chain [rulenum]",
        ..command(&["insert"], 'I', CmdKind::I)
    },
    MarkOpt {
        arg: Arg::OptionalWord,
        help: "List the rules of a chain or of all chains",
        value_name: "[chain [rulenum]]",
        ..command(&["list"], 'L', CmdKind::L)
    },
    MarkOpt {
        arg: Arg::OptionalWord,
        help: "Print the rules of a chain or of all chains as commands",
        value_name: "[chain [rulenum]]",
        ..command(&["list-rules"], 'S', CmdKind::S)
    },
    MarkOpt {
        arg: Arg::OptionalWord,
        help: "Delete every rule of a chain or of all chains",
        value_name: "[chain]",
        ..command(&["flush"], 'F', CmdKind::F)
    },
    MarkOpt {
        help: "Set the policy of a builtin chain (ACCEPT or DROP)",
        value_name: "chain target",
        ..command(&["policy"], 'P', CmdKind::P)
    },
    // Chain commands (issue 20).
    MarkOpt {
        help: "Replace rule rulenum (1 = first) in chain",
        value_name: "chain rulenum",
        ..command(&["replace"], 'R', CmdKind::R)
    },
    MarkOpt {
        arg: Arg::OptionalWord,
        help: "Zero the counters of a chain, of all chains, or of one rule",
        value_name: "[chain [rulenum]]",
        ..command(&["zero"], 'Z', CmdKind::Z)
    },
    MarkOpt {
        help: "Create a new user-defined chain",
        value_name: "chain",
        ..command(&["new-chain"], 'N', CmdKind::N)
    },
    MarkOpt {
        arg: Arg::OptionalWord,
        help: "Delete a user-defined chain, or every user-defined chain",
        value_name: "[chain]",
        ..command(&["delete-chain"], 'X', CmdKind::X)
    },
    MarkOpt {
        help: "Rename a user-defined chain",
        value_name: "old-chain new-chain",
        ..command(&["rename-chain"], 'E', CmdKind::E)
    },
    MarkOpt {
        long: &["help"],
        short: Some('h'),
        // iptables prints its help for `! -h` too.
        invert: true,
        act: Act::Help,
        help: "Print this help",
        ..BASE
    },
    MarkOpt {
        long: &["ipv4"],
        short: Some('4'),
        act: Act::Ipv4,
        help: "Speak as iptables, for IPv4 (the default)",
        ..BASE
    },
    MarkOpt {
        long: &["ipv6"],
        short: Some('6'),
        act: Act::Ipv6,
        help: "Speak as ip6tables, for IPv6",
        ..BASE
    },
    MarkOpt {
        long: &["protocol"],
        short: Some('p'),
        arg: Arg::Required,
        invert: true,
        refused_by: cmds::ALL_BUT_RULE,
        column: Some((3, "-p")),
        act: Act::Protocol,
        value_name: "proto",
        help: "protocol, by number or by name (tcp, udp, sctp, ...)",
        ..BASE
    },
    MarkOpt {
        long: &["source", "src"],
        short: Some('s'),
        arg: Arg::Required,
        invert: true,
        refused_by: cmds::ALL_BUT_RULE,
        column: Some((1, "-s")),
        act: Act::Source,
        value_name: "address[/mask][,...]",
        help: "source address(es)",
        ..BASE
    },
    MarkOpt {
        long: &["destination", "dst"],
        short: Some('d'),
        arg: Arg::Required,
        invert: true,
        refused_by: cmds::ALL_BUT_RULE,
        column: Some((2, "-d")),
        act: Act::Destination,
        value_name: "address[/mask][,...]",
        help: "destination address(es)",
        ..BASE
    },
    MarkOpt {
        long: &["in-interface"],
        short: Some('i'),
        arg: Arg::Required,
        invert: true,
        refused_by: cmds::ALL_BUT_RULE,
        column: Some((7, "-i")),
        act: Act::InInterface,
        value_name: "name[+]",
        help: "input interface (a trailing + matches every name it starts)",
        ..BASE
    },
    MarkOpt {
        long: &["jump"],
        short: Some('j'),
        arg: Arg::Required,
        refused_by: cmds::ALL_BUT_RULE,
        column: Some((4, "-j")),
        act: Act::Jump,
        value_name: "target",
        help: "the rule's target (MARK, CONNMARK, ACCEPT, RETURN or a user chain)",
        ..BASE
    },
    // Goto (issue 20); counted as -j by the command matrix.
    MarkOpt {
        long: &["goto"],
        short: Some('g'),
        arg: Arg::Required,
        // `! -g` is refused as `! -j` is, by the builder.
        invert: true,
        refused_by: cmds::ALL_BUT_RULE,
        act: Act::Goto,
        value_name: "chain",
        help: "go to a user chain (its RETURN does not come back here)",
        ..BASE
    },
    MarkOpt {
        long: &["match"],
        short: Some('m'),
        arg: Arg::Required,
        act: Act::Match,
        value_name: "match",
        help: "load a match module (tcp, udp, sctp, multiport, comment, mark, connmark, state, conntrack, iprange, addrtype, icmp, icmp6)",
        ..BASE
    },
    MarkOpt {
        long: &["numeric"],
        short: Some('n'),
        refused_by: cmds::ALL_BUT_L,
        column: Some((0, "-n")),
        act: Act::Numeric,
        help: "print addresses and ports as numbers",
        ..BASE
    },
    MarkOpt {
        long: &["out-interface"],
        short: Some('o'),
        arg: Arg::Required,
        invert: true,
        refused_by: cmds::ALL_BUT_RULE,
        column: Some((8, "-o")),
        act: Act::OutInterface,
        value_name: "name[+]",
        help: "output interface (a trailing + matches every name it starts)",
        ..BASE
    },
    MarkOpt {
        long: &["table"],
        short: Some('t'),
        arg: Arg::Required,
        act: Act::Table,
        value_name: "table",
        help: "the table (only `mangle', the default here)",
        ..BASE
    },
    MarkOpt {
        long: &["verbose"],
        short: Some('v'),
        column: Some((5, "-v")),
        act: Act::Verbose,
        help: "verbose output",
        ..BASE
    },
    MarkOpt {
        long: &["line-numbers"],
        invert: true,
        refused_by: cmds::ALL_BUT_L,
        // iptables names --line-numbers by its option character, `0`.
        column: Some((9, "-0")),
        act: Act::LineNumbers,
        help: "number the rules when listing",
        ..BASE
    },
    MarkOpt {
        long: &["exact"],
        short: Some('x'),
        refused_by: cmds::ALL_BUT_L,
        column: Some((6, "-x")),
        act: Act::Exact,
        help: "print exact counters, not rounded ones",
        ..BASE
    },
    MarkOpt {
        long: &["version"],
        short: Some('V'),
        invert: true,
        act: Act::Version,
        help: "print the iptables version spoken",
        ..BASE
    },
    mark(0, &["set-xmark"], "value[/mask]"),
    mark(1, &["set-mark"], "value[/mask]"),
    mark(2, &["and-mark"], "bits"),
    mark(3, &["or-mark"], "bits"),
    mark(4, &["xor-mark"], "bits"),
    // CONNMARK (issue 20).
    connmark(0, &["set-xmark"], "value[/ctmask]"),
    connmark(1, &["set-mark"], "value[/mask]"),
    connmark(2, &["and-mark"], "bits"),
    connmark(3, &["or-mark"], "bits"),
    connmark(4, &["xor-mark"], "bits"),
    connmark(5, &["save-mark"], ""),
    connmark(6, &["restore-mark"], ""),
    connmark(7, &["left-shift-mark"], "bits"),
    connmark(8, &["right-shift-mark"], "bits"),
    connmark(9, &["ctmask"], "mask"),
    connmark(10, &["nfmask"], "mask"),
    connmark(11, &["mask"], "mask"),
    port(Module::Tcp, SRC_PORT, PortSide::Source),
    port(Module::Tcp, DST_PORT, PortSide::Destination),
    port(Module::Udp, SRC_PORT, PortSide::Source),
    port(Module::Udp, DST_PORT, PortSide::Destination),
    port(Module::Sctp, SRC_PORT, PortSide::Source),
    port(Module::Sctp, DST_PORT, PortSide::Destination),
    MarkOpt {
        long: &["source-ports", "sports"],
        arg: Arg::Required,
        owner: Owner::Match(Module::Multiport),
        invert: true,
        act: Act::Ports(PortSide::Source),
        value_name: "port[,port:port,...]",
        help: "match source port(s)",
        ..BASE
    },
    MarkOpt {
        long: &["destination-ports", "dports"],
        arg: Arg::Required,
        owner: Owner::Match(Module::Multiport),
        invert: true,
        act: Act::Ports(PortSide::Destination),
        value_name: "port[,port:port,...]",
        help: "match destination port(s)",
        ..BASE
    },
    MarkOpt {
        long: &["ports"],
        arg: Arg::Required,
        owner: Owner::Match(Module::Multiport),
        invert: true,
        act: Act::Ports(PortSide::Either),
        value_name: "port[,port:port,...]",
        help: "match source or destination port(s)",
        ..BASE
    },
    MarkOpt {
        long: &["comment"],
        arg: Arg::Required,
        owner: Owner::Match(Module::Comment),
        act: Act::Comment,
        value_name: "text",
        help: "attach a comment (at most 255 bytes) to the rule",
        ..BASE
    },
    // Issue 20's match options (src/mark/matches/; `Act::Xt` ids are the
    // codecs' `id`s).
    xt(
        Module::Tcp,
        &["syn"],
        0,
        true,
        "",
        "match SYN packets (flags FIN,SYN,RST,ACK are SYN)",
    ),
    xt(
        Module::Tcp,
        &["tcp-flags"],
        1,
        true,
        "mask comp",
        "of the flags in mask (FIN,SYN,RST,PSH,ACK,URG,ALL,NONE), those in comp set",
    ),
    xt(
        Module::Tcp,
        &["tcp-option"],
        2,
        true,
        "number",
        "match if this TCP option is present",
    ),
    xt(
        Module::Sctp,
        &["chunk-types"],
        0,
        true,
        "all|any|only chunk[:flags][,...]",
        "match the chunk types present (DATA, INIT, ..., ALL, NONE)",
    ),
    xt(
        Module::Mark,
        &["mark"],
        0,
        true,
        "value[/mask]",
        "match the packet's mark (masked)",
    ),
    xt(
        Module::Connmark,
        &["mark"],
        0,
        true,
        "value[/mask]",
        "match the connection's mark (masked)",
    ),
    xt(
        Module::State,
        &["state"],
        0,
        true,
        "state[,state...]",
        "INVALID, NEW, RELATED, ESTABLISHED or UNTRACKED",
    ),
    xt(
        Module::Conntrack,
        &["ctstate"],
        0,
        true,
        "state[,state...]",
        "INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED, SNAT, DNAT",
    ),
    xt(
        Module::Conntrack,
        &["ctproto"],
        1,
        true,
        "proto",
        "the connection's layer 4 protocol",
    ),
    xt(
        Module::Conntrack,
        &["ctorigsrc"],
        2,
        true,
        "address[/mask]",
        "original source address",
    ),
    xt(
        Module::Conntrack,
        &["ctorigdst"],
        3,
        true,
        "address[/mask]",
        "original destination address",
    ),
    xt(
        Module::Conntrack,
        &["ctreplsrc"],
        4,
        true,
        "address[/mask]",
        "reply source address",
    ),
    xt(
        Module::Conntrack,
        &["ctrepldst"],
        5,
        true,
        "address[/mask]",
        "reply destination address",
    ),
    xt(
        Module::Conntrack,
        &["ctstatus"],
        6,
        true,
        "status[,status...]",
        "NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED",
    ),
    xt(
        Module::Conntrack,
        &["ctexpire"],
        7,
        true,
        "time[:time]",
        "remaining lifetime in seconds (or a range)",
    ),
    xt(
        Module::Conntrack,
        &["ctorigsrcport"],
        8,
        true,
        "port[:port]",
        "original source port(s)",
    ),
    xt(
        Module::Conntrack,
        &["ctorigdstport"],
        9,
        true,
        "port[:port]",
        "original destination port(s)",
    ),
    xt(
        Module::Conntrack,
        &["ctreplsrcport"],
        10,
        true,
        "port[:port]",
        "reply source port(s)",
    ),
    xt(
        Module::Conntrack,
        &["ctrepldstport"],
        11,
        true,
        "port[:port]",
        "reply destination port(s)",
    ),
    xt(
        Module::Conntrack,
        &["ctdir"],
        12,
        false,
        "ORIGINAL|REPLY",
        "the packet's direction",
    ),
    xt(
        Module::Iprange,
        &["src-range"],
        0,
        true,
        "from[-to]",
        "source address range",
    ),
    xt(
        Module::Iprange,
        &["dst-range"],
        1,
        true,
        "from[-to]",
        "destination address range",
    ),
    xt(
        Module::Addrtype,
        &["src-type"],
        0,
        true,
        "type[,type...]",
        "source address type (UNICAST, LOCAL, BROADCAST, ...)",
    ),
    xt(
        Module::Addrtype,
        &["dst-type"],
        1,
        true,
        "type[,type...]",
        "destination address type",
    ),
    xt(
        Module::Addrtype,
        &["limit-iface-in"],
        2,
        false,
        "",
        "look the type up on the incoming interface only",
    ),
    xt(
        Module::Addrtype,
        &["limit-iface-out"],
        3,
        false,
        "",
        "look the type up on the outgoing interface only",
    ),
    xt(
        Module::Icmp,
        &["icmp-type"],
        0,
        true,
        "type[/code]|name",
        "match the ICMP type (and code); IPv4 only",
    ),
    xt(
        Module::Icmp6,
        &["icmpv6-type"],
        0,
        true,
        "type[/code]|name",
        "match the ICMPv6 type (and code); IPv6 only",
    ),
];

/// An option of a match codec (src/mark/matches/).
const fn xt(
    m: Module,
    long: &'static [&'static str],
    id: u8,
    invert: bool,
    value_name: &'static str,
    help: &'static str,
) -> MarkOpt {
    MarkOpt {
        long,
        arg: if value_name.is_empty() {
            Arg::None
        } else {
            Arg::Required
        },
        owner: Owner::Match(m),
        invert,
        act: Act::Xt(id),
        value_name,
        help,
        ..BASE
    }
}

/// Short letters of iptables options we refuse that still take an
/// argument, so that a cluster (`-gfoo`) splits as iptables splits it.
pub const REFUSED_WITH_ARG: &[char] = &[];

/// The core option (or command) spelled `--name`.
pub fn core_long(name: &str) -> Option<&'static MarkOpt> {
    OPTIONS
        .iter()
        .find(|o| o.owner == Owner::Core && o.long.contains(&name))
}

/// The core option (or command) spelled `-c`.
pub fn core_short(c: char) -> Option<&'static MarkOpt> {
    OPTIONS
        .iter()
        .find(|o| o.owner == Owner::Core && o.short == Some(c))
}

/// Whether `-c` takes an argument (and so ends a cluster of short options).
pub fn short_takes_arg(c: char) -> bool {
    REFUSED_WITH_ARG.contains(&c) || core_short(c).is_some_and(|o| o.arg == Arg::Required)
}

/// Whether `-c` takes an optional argument, attached (`-LPREROUTING`).
pub fn short_takes_optional(c: char) -> bool {
    core_short(c).is_some_and(|o| o.arg == Arg::OptionalWord)
}

/// The option `--name` of `owner`.
pub fn owned(owner: Owner, name: &str) -> Option<&'static MarkOpt> {
    OPTIONS
        .iter()
        .find(|o| o.owner == owner && o.long.contains(&name))
}

/// The key of `Owner::Target` for the target `-j` named: "MARK",
/// "CONNMARK", or "" for targets without options.
pub fn target_name(t: Option<&str>) -> &'static str {
    TARGETS
        .iter()
        .copied()
        .find(|n| Some(*n) == t)
        .unwrap_or("")
}

/// The match module `-m name` loads.
pub fn module(name: &str) -> Option<Module> {
    MODULES.iter().copied().find(|m| m.name() == name)
}
