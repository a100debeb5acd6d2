//! The command being built while the options are parsed: what each table
//! entry's [`Act`] does to it, the match and target builders (tcp/udp/sctp
//! ports, multiport, comment, MARK), and iptables' final checks.

use super::options::{
    self, cmds, Act, Arg, CmdKind, MarkOpt, Module, Owner, PortSide, MARK_OPTS, OPTIONS,
};
use super::values::*;

mod abbrev;
mod chains;
use super::{bad_argument, help, param, Command, Item, ListOpts, Words};
use crate::error::{XT_OTHER, XT_VERSION};
use crate::mark::matches::{self, Given, Xt};
use crate::mark::plan::{builtin, prog_name, Cmd};
use crate::mark::rule::*;
use crate::mark::MarkError;

/// A match being built while its options are parsed.
#[derive(Debug, Clone)]
pub(super) struct MatchB {
    pub module: Module,
    pub sport: Option<(Ports, bool)>,
    pub dport: Option<(Ports, bool)>,
    /// multiport: every port option given (only one may be).
    pub set: Vec<(MpWhich, Vec<Ports>, bool)>,
    pub comment: Option<String>,
    /// Issue 20: the info bytes of a src/mark/matches/ codec's match.
    pub xt: Option<Xt>,
    /// Issue 20: tcp's `--tcp-option`/`--tcp-flags` and which were given.
    pub tcp: TcpExtra,
    pub tcp_seen: u32,
    /// Issue 20: sctp's `--chunk-types`.
    pub chunks: Option<matches::sctp::Chunks>,
}

impl MatchB {
    fn new(module: Module) -> Self {
        MatchB {
            module,
            sport: None,
            dport: None,
            set: Vec::new(),
            comment: None,
            xt: matches::start(module),
            tcp: TcpExtra::default(),
            tcp_seen: 0,
            chunks: None,
        }
    }
    fn knows(&self, name: &str) -> bool {
        options::owned(Owner::Match(self.module), name).is_some()
    }
}

/// Everything parsed so far.
pub(super) struct State {
    pub family: Family,
    /// The family asked for anywhere on the line (for `-V`).
    fam0: Family,
    cmd: Option<CmdKind>,
    chain: Option<String>,
    rulenum: Option<u32>,
    policy: Option<String>,
    opts: ListOpts,
    srcs: Option<Vec<Addr>>,
    dsts: Option<Vec<Addr>>,
    iif: Option<Iface>,
    oif: Option<Iface>,
    proto: Option<(u8, bool)>,
    proto_seen: bool,
    pub matches: Vec<MatchB>,
    pub target: Option<String>,
    mark_set: Vec<(usize, u32, u32)>,
    /// Chain commands (issue 20): a second command (`-L`/`-S` with `-Z`),
    /// `-Z` with a rule number, `-E`'s new name, CONNMARK's state.
    cmd2: Option<CmdKind>,
    zero_num: bool,
    new_name: Option<String>,
    connmark: chains::ConnmarkB,
    goto: bool,
    /// The option being read as written, when it was abbreviated.
    typed: Option<String>,
    pub leftovers: Vec<String>,
    /// Warnings printed while parsing (issue 20: iprange's reversed range).
    pub warnings: String,
    /// The last `-t` named a table other than mangle: reported after the
    /// other checks, as iptables looks the table up only then.
    bad_table: Option<String>,
}

fn rulenumber(s: &str, fam: Family) -> Result<u32, MarkError> {
    match s.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(param(fam, &format!("Invalid rule number `{s}'"))),
    }
}

fn unknown(family: Family, item: &Item) -> MarkError {
    param(family, &format!("unknown option \"{}\"", item.dash()))
}

/// The match `-p` implies for port options (`-p tcp --dport 80`).
pub(super) fn implicit_module(proto: Option<(u8, bool)>) -> Option<Module> {
    match proto {
        Some((6, _)) => Some(Module::Tcp),
        Some((17, _)) => Some(Module::Udp),
        Some((132, _)) => Some(Module::Sctp),
        _ => None,
    }
}

/// The match `-p` implies for its options, icmp included (IPv4 only).
fn implicit_match(proto: Option<(u8, bool)>, family: Family) -> Option<Module> {
    match proto {
        Some((1, _)) if family == Family::V4 => Some(Module::Icmp),
        Some((58, _)) if family == Family::V6 => Some(Module::Icmp6),
        _ => implicit_module(proto),
    }
}

const MULTIPORT_NEEDS: &str =
    "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'";

impl State {
    pub fn new(family: Family) -> Self {
        State {
            family,
            fam0: family,
            cmd: None,
            chain: None,
            rulenum: None,
            policy: None,
            opts: ListOpts::default(),
            srcs: None,
            dsts: None,
            iif: None,
            oif: None,
            proto: None,
            proto_seen: false,
            matches: Vec::new(),
            target: None,
            mark_set: Vec::new(),
            cmd2: None,
            zero_num: false,
            new_name: None,
            connmark: chains::ConnmarkB::default(),
            goto: false,
            typed: None,
            leftovers: Vec::new(),
            bad_table: None,
            warnings: String::new(),
        }
    }

    /// Moves the matches' parse warnings to the command's.
    pub fn take_warnings(&mut self) {
        for m in &mut self.matches {
            if let Some(xt) = m.xt.as_mut() {
                for w in xt.warnings.drain(..) {
                    self.warnings.push_str(&w);
                }
            }
        }
    }

    pub fn proto(&self) -> Option<u8> {
        self.proto.map(|p| p.0)
    }

    /// The option's value: inline, else the next word.
    fn value(&self, item: &Item, w: &mut Words) -> Result<String, MarkError> {
        if let Some(v) = &item.inline {
            return Ok(v.clone());
        }
        w.next_plain().map(str::to_string).ok_or_else(|| {
            let dash = self.typed.clone().unwrap_or_else(|| item.dash());
            param(
                self.family,
                &format!("option \"{dash}\" requires an argument"),
            )
        })
    }

    /// Applies one option; `Some(text)` when the line is answered by
    /// printing (`-h`, `-V`).
    pub fn option(
        &mut self,
        item: &Item,
        inv: bool,
        w: &mut Words,
    ) -> Result<Option<String>, MarkError> {
        // An abbreviation is read as its option; messages about its missing
        // value still name it as written.
        let full = self.unabbreviated(item);
        self.typed = full.as_ref().map(|_| item.dash());
        let item = full.as_ref().unwrap_or(item);
        let spec = if item.long {
            options::core_long(&item.name)
        } else {
            item.name.chars().next().and_then(options::core_short)
        };
        match spec {
            Some(spec) => self.core(spec, item, inv, w),
            None if item.long => self.extension(item, inv, w).map(|()| None),
            None => Err(unknown(self.family, item)),
        }
    }

    fn core(
        &mut self,
        spec: &MarkOpt,
        item: &Item,
        inv: bool,
        w: &mut Words,
    ) -> Result<Option<String>, MarkError> {
        if inv && spec.act == Act::Match {
            return Err(param(self.family, "unexpected ! flag before --match"));
        }
        if inv && !spec.invert {
            let s = spec.short.unwrap_or('?');
            return Err(param(self.family, &format!("cannot have ! before -{s}")));
        }
        let short = spec.short.unwrap_or('?');
        match spec.act {
            Act::Command(k) => self.command(k, spec, item, w)?,
            Act::Help => return Ok(Some(help::text(self.family))),
            // iptables' joke for `! -V` included.
            Act::Version if inv => return Ok(Some("Not 1.8.9 (nf_tables) ;-)\n".to_string())),
            Act::Version => {
                return Ok(Some(format!(
                    "{} v1.8.9 (nf_tables)\n",
                    prog_name(self.fam0)
                )))
            }
            Act::Table => {
                let t = self.value(item, w)?;
                self.bad_table = (t != "mangle").then_some(t);
            }
            Act::Ipv4 => self.family = Family::V4,
            Act::Ipv6 => self.family = Family::V6,
            Act::Numeric => self.opts.numeric = true,
            Act::Verbose => self.opts.verbose = true,
            Act::Exact => self.opts.exact = true,
            Act::LineNumbers => self.opts.line_numbers = true,
            Act::Source | Act::Destination => {
                let v = self.value(item, w)?;
                let addrs = parse_addrs_once(self.family, short, &v, inv, self.addr_slot(spec))?;
                *self.addr_slot_mut(spec) = Some(addrs);
            }
            Act::InInterface | Act::OutInterface => {
                let v = self.value(item, w)?;
                let slot = if spec.act == Act::InInterface {
                    &mut self.iif
                } else {
                    &mut self.oif
                };
                if slot.is_some() {
                    return Err(param(
                        self.family,
                        &format!("multiple -{short} flags not allowed"),
                    ));
                }
                *slot = Some(parse_iface(self.family, &v, inv)?);
            }
            Act::Protocol => self.protocol(item, inv, w)?,
            Act::Goto => self.goto_option(inv, item, w)?,
            Act::Jump => {
                let v = self.value(item, w)?;
                if self.target.is_some() {
                    return Err(param(self.family, "multiple -j flags not allowed"));
                }
                chains::check_target(self.family, &v)?;
                self.target = Some(v);
            }
            Act::Match => {
                let v = self.value(item, w)?;
                // icmp is IPv4's, icmp6 IPv6's.
                let v6_icmp = matches!(
                    (self.family, v.as_str()),
                    (Family::V6, "icmp") | (Family::V4, "icmp6")
                );
                let m = options::module(&v).filter(|_| !v6_icmp).ok_or_else(|| {
                    param(
                        self.family,
                        &format!("Couldn't load match `{v}':No such file or directory\n"),
                    )
                })?;
                self.matches.push(MatchB::new(m));
            }
            Act::Port(_)
            | Act::Ports(_)
            | Act::Comment
            | Act::Mark(_)
            | Act::Connmark(_)
            | Act::Xt(_) => return Err(unknown(self.family, item)),
        }
        Ok(None)
    }

    fn addr_slot(&self, spec: &MarkOpt) -> bool {
        match spec.act {
            Act::Source => self.srcs.is_some(),
            _ => self.dsts.is_some(),
        }
    }

    fn addr_slot_mut(&mut self, spec: &MarkOpt) -> &mut Option<Vec<Addr>> {
        match spec.act {
            Act::Source => &mut self.srcs,
            _ => &mut self.dsts,
        }
    }

    fn protocol(&mut self, item: &Item, inv: bool, w: &mut Words) -> Result<(), MarkError> {
        let v = self.value(item, w)?;
        if self.proto_seen {
            return Err(param(self.family, "multiple -p flags not allowed"));
        }
        self.proto_seen = true;
        let n = proto_by_name(&v)
            .ok_or_else(|| param(self.family, &format!("unknown protocol \"{v}\" specified")))?;
        if n == 0 && inv {
            return Err(param(self.family, "rule would never match protocol"));
        }
        self.proto = (n != 0).then_some((n, inv));
        Ok(())
    }

    /// A command option: its chain, rule number or policy words.
    fn command(
        &mut self,
        k: CmdKind,
        spec: &MarkOpt,
        item: &Item,
        w: &mut Words,
    ) -> Result<(), MarkError> {
        self.add_command(k)?;
        let chain = match spec.arg {
            Arg::OptionalWord => item
                .inline
                .clone()
                .or_else(|| w.optional().map(str::to_string)),
            _ => Some(self.value(item, w)?),
        };
        // A second command (`-L -Z`) keeps the first one's chain unless it
        // names one.
        if chain.is_some() || self.cmd2.is_none() {
            self.chain = chain;
        }
        let rulenum_follows = match k {
            CmdKind::I | CmdKind::D => true,
            CmdKind::L | CmdKind::S | CmdKind::Z => self.chain.is_some(),
            _ => false,
        };
        if rulenum_follows {
            if let Some(n) = w.optional() {
                self.rulenum = Some(rulenumber(n, self.family)?);
                self.zero_num |= k == CmdKind::Z;
            }
        }
        self.chain_command_words(k, w)?;
        if k == CmdKind::P {
            match w.optional() {
                Some(p) => self.policy = Some(p.to_string()),
                None => return Err(param(self.family, "-P requires a chain and a policy")),
            }
        }
        Ok(())
    }

    /// A long option owned by the target or by a match.
    fn extension(&mut self, item: &Item, inv: bool, w: &mut Words) -> Result<(), MarkError> {
        let loaded = self.target.as_deref().filter(|_| !self.goto);
        let owner = Owner::Target(options::target_name(loaded));
        if let Some(spec) = options::owned(owner, &item.name) {
            if let Act::Connmark(idx) = spec.act {
                return self.connmark_option(idx, inv, item, w);
            }
            return self.mark_option(spec, item, inv, w);
        }
        // The latest loaded match that knows it, else the implicit match
        // of -p tcp/udp/sctp.
        let idx = match self.matches.iter().rposition(|m| m.knows(&item.name)) {
            Some(i) => i,
            None => {
                let m = implicit_match(self.proto, self.family)
                    .map(MatchB::new)
                    .filter(|m| m.knows(&item.name))
                    .ok_or_else(|| unknown(self.family, item))?;
                self.matches.push(m);
                self.matches.len() - 1
            }
        };
        let (family, proto) = (self.family, self.proto);
        let module = self.matches.get(idx).map(|m| m.module);
        let Some(spec) = module.and_then(|m| options::owned(Owner::Match(m), &item.name)) else {
            return Err(unknown(family, item));
        };
        let v = match (spec.arg, &item.inline) {
            // getopt refuses a value for a flag; iptables names it whole.
            (Arg::None, Some(x)) => {
                let msg = format!("unknown option \"--{}={x}\"", item.name);
                return Err(param(family, &msg));
            }
            (Arg::None, None) => String::new(),
            _ => self.value(item, w)?,
        };
        let Some(m) = self.matches.get_mut(idx) else {
            return Ok(());
        };
        match spec.act {
            Act::Port(side) => port_option(family, m, side, &v, inv),
            Act::Ports(side) => multiport_option(family, proto, m, side, &v, inv),
            Act::Comment => comment_option(family, m, v, inv),
            Act::Xt(id) => xt_option(family, m, spec, id, &v, inv, w),
            _ => Err(unknown(family, item)),
        }
    }

    /// MARK's --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark.
    fn mark_option(
        &mut self,
        spec: &MarkOpt,
        item: &Item,
        inv: bool,
        w: &mut Words,
    ) -> Result<(), MarkError> {
        let family = self.family;
        let dash = item.dash();
        if self.target.is_none() {
            return Err(unknown(family, item));
        }
        if inv {
            return Err(param(
                family,
                &format!("MARK: option \"{dash}\" cannot be inverted.\n"),
            ));
        }
        let Act::Mark(idx) = spec.act else {
            return Err(unknown(family, item));
        };
        if self.mark_set.iter().any(|(i, _, _)| *i == idx) {
            return Err(param(
                family,
                &format!("MARK: option \"{dash}\" can only be used once.\n"),
            ));
        }
        let v = self.value(item, w)?;
        let (mark, mask) = mark_value(family, idx, &dash, &v)?;
        self.mark_set.push((idx, mark, mask));
        Ok(())
    }
}

/// `-s`/`-d` given once, parsed.
fn parse_addrs_once(
    family: Family,
    short: char,
    v: &str,
    inv: bool,
    seen: bool,
) -> Result<Vec<Addr>, MarkError> {
    if seen {
        return Err(param(
            family,
            &format!("multiple -{short} flags not allowed"),
        ));
    }
    parse_addrs(family, v, inv)
}

/// An option of a src/mark/matches/ codec (tcp's flags and option
/// included; `--tcp-flags` takes a second word).
fn xt_option(
    family: Family,
    m: &mut MatchB,
    spec: &MarkOpt,
    id: u8,
    v: &str,
    inv: bool,
    w: &mut Words,
) -> Result<(), MarkError> {
    if m.module == Module::Sctp {
        return matches::sctp::option(&mut m.chunks, v, w.optional(), inv)
            .map_err(|e| param(family, &e));
    }
    if m.module == Module::Tcp {
        let comp = if id == matches::tcp::id::FLAGS {
            w.optional()
        } else {
            None
        };
        return matches::tcp::option(&mut m.tcp, &mut m.tcp_seen, id, v, comp, inv)
            .map_err(|e| param(family, &e));
    }
    let Some(xt) = m.xt.as_mut() else {
        return Err(param(
            family,
            &format!("unknown option \"--{}\"", spec.name()),
        ));
    };
    let g = Given {
        spec,
        id,
        value: (spec.arg != Arg::None).then_some(v),
        inv,
        family,
    };
    matches::parse(m.module, xt, &g).map_err(|e| param(family, &e))
}

/// tcp/udp/sctp `--sport`/`--dport`.
fn port_option(
    family: Family,
    m: &mut MatchB,
    side: PortSide,
    v: &str,
    inv: bool,
) -> Result<(), MarkError> {
    let mname = m.module.name();
    let src = side == PortSide::Source;
    let slot = if src { &mut m.sport } else { &mut m.dport };
    if slot.is_some() {
        let canon = if src {
            "--source-port"
        } else {
            "--destination-port"
        };
        // libxt_tcp still parses the old way.
        let msg = if m.module == Module::Tcp {
            format!("Only one `{canon}' allowed")
        } else {
            format!("{mname}: option \"{canon}\" can only be used once.\n")
        };
        return Err(param(family, &msg));
    }
    // libxt_udp parses ports its own way and keeps an inverted range
    // (issue 20).
    let range = if m.module == Module::Udp {
        let canon = if src {
            "source-port"
        } else {
            "destination-port"
        };
        parse_udp_ports(family, v, canon)?
    } else {
        parse_port_range(family, v, mname)?
    };
    *slot = Some((range, inv));
    Ok(())
}

/// multiport `--sports`/`--dports`/`--ports`.
fn multiport_option(
    family: Family,
    proto: Option<(u8, bool)>,
    m: &mut MatchB,
    side: PortSide,
    v: &str,
    inv: bool,
) -> Result<(), MarkError> {
    if !matches!(proto, Some((6 | 17 | 132 | 136 | 33, false))) {
        return Err(param(family, MULTIPORT_NEEDS));
    }
    let which = match side {
        PortSide::Source => MpWhich::Source,
        PortSide::Destination => MpWhich::Destination,
        PortSide::Either => MpWhich::Either,
    };
    let svc_proto = implicit_module(proto).map_or("tcp", Module::name);
    m.set
        .push((which, parse_multiport(family, v, svc_proto)?, inv));
    Ok(())
}

/// comment `--comment`.
fn comment_option(family: Family, m: &mut MatchB, v: String, inv: bool) -> Result<(), MarkError> {
    if inv {
        return Err(param(
            family,
            "comment: option \"--comment\" cannot be inverted.\n",
        ));
    }
    // xt_comment keeps at most 255 bytes.
    let mut v = v;
    let mut cut = v.len().min(255);
    while !v.is_char_boundary(cut) {
        cut -= 1;
    }
    v.truncate(cut);
    m.comment = Some(v);
    Ok(())
}

/// A MARK option's value as (mark, mask) of `xt_mark_tginfo2`.
fn mark_value(family: Family, idx: usize, dash: &str, v: &str) -> Result<(u32, u32), MarkError> {
    mark_value_of("MARK", family, idx, dash, v)
}

/// A MARK or CONNMARK operation's value as (mark, mask) (`ext` names the
/// target in messages).
fn mark_value_of(
    ext: &str,
    family: Family,
    idx: usize,
    dash: &str,
    v: &str,
) -> Result<(u32, u32), MarkError> {
    let bad = || {
        let m = if idx <= 1 {
            format!("{ext}: bad integer value for option \"{dash}\", or out of range.\n")
        } else {
            format!("{ext}: bad value for option \"{dash}\", or out of range (0-4294967295).\n")
        };
        param(family, &m)
    };
    let (a, b) = match v.split_once('/') {
        Some((a, b)) if idx <= 1 => {
            let a = parse_u32(a).ok_or_else(bad)?;
            if b.contains('/') {
                let (m, _) = b.split_once('/').unwrap_or((b, ""));
                parse_u32(m).ok_or_else(bad)?;
                return Err(param(
                    family,
                    &format!("{ext}: trailing garbage after value for option \"{dash}\".\n"),
                ));
            }
            (a, Some(parse_u32(b).ok_or_else(bad)?))
        }
        Some(_) => return Err(bad()),
        None => (parse_u32(v).ok_or_else(bad)?, None),
    };
    Ok(match idx {
        0 => (a, b.unwrap_or(u32::MAX)),
        1 => (a, a | b.unwrap_or(u32::MAX)),
        2 => (0, !a),
        3 => (a, a),
        _ => (a, 0),
    })
}

/// The multiport match of its options, as libxt_multiport's checks do.
fn multiport_match(
    family: Family,
    proto: Option<(u8, bool)>,
    set: &[(MpWhich, Vec<Ports>, bool)],
) -> Result<Match, MarkError> {
    const CANON: [&str; 3] = ["source-ports", "destination-ports", "ports"];
    let canon = |w: usize| CANON.get(w).copied().unwrap_or("");
    let mut kinds: Vec<usize> = set.iter().map(|(w, _, _)| *w as usize).collect();
    kinds.sort_unstable();
    kinds.dedup();
    if let [a, b, ..] = kinds[..] {
        return Err(param(
            family,
            &format!(
                "multiport: option \"--{}\" cannot be used together with \"--{}\".\n",
                canon(a),
                canon(b)
            ),
        ));
    }
    if let (Some(&k), true) = (kinds.first(), set.len() > 1) {
        return Err(param(
            family,
            &format!(
                "multiport: option \"--{}\" can only be used once.\n",
                canon(k)
            ),
        ));
    }
    let Some((which, ports, inv)) = set.first() else {
        return Err(param(family, "multiport expection an option"));
    };
    if !matches!(proto, Some((6 | 17 | 132 | 136 | 33, false))) {
        return Err(param(family, MULTIPORT_NEEDS));
    }
    Ok(Match::Multiport {
        which: *which,
        ports: ports.clone(),
        inv: *inv,
    })
}

impl State {
    /// The matches' final checks (iptables' final_check hooks), in order.
    fn built_matches(&self) -> Result<Vec<Match>, MarkError> {
        let family = self.family;
        let mut built = Vec::new();
        for m in &self.matches {
            let b = match m.module {
                Module::Tcp | Module::Udp => {
                    let udp = m.module == Module::Udp;
                    Match::Ports {
                        udp,
                        sport: m.sport.map_or(ANY_PORTS, |p| p.0),
                        dport: m.dport.map_or(ANY_PORTS, |p| p.0),
                        sinv: m.sport.is_some_and(|p| p.1),
                        dinv: m.dport.is_some_and(|p| p.1),
                        tcp: m.tcp,
                    }
                }
                Module::Sctp => Match::Sctp {
                    sport: m.sport.map(|p| p.0),
                    dport: m.dport.map(|p| p.0),
                    sinv: m.sport.is_some_and(|p| p.1),
                    dinv: m.dport.is_some_and(|p| p.1),
                    chunks: m.chunks.clone(),
                },
                Module::Multiport => multiport_match(family, self.proto, &m.set)?,
                Module::Mark
                | Module::Connmark
                | Module::State
                | Module::Conntrack
                | Module::Iprange
                | Module::Addrtype
                | Module::Icmp
                | Module::Icmp6 => {
                    let xt =
                        m.xt.as_ref()
                            .ok_or_else(|| param(family, "no match data"))?;
                    matches::finish(m.module, xt, family).map_err(|e| param(family, &e))?
                }
                Module::Comment => match &m.comment {
                    Some(c) => Match::Comment(c.clone()),
                    None => {
                        return Err(param(
                            family,
                            "comment: option \"--comment\" must be specified\n",
                        ))
                    }
                },
            };
            built.push(b);
        }
        Ok(built)
    }

    /// The target's final check.
    fn built_target(&self) -> Result<Target, MarkError> {
        if let Some(t) = self.other_target()? {
            return Ok(t);
        }
        match (&self.target, self.mark_set.first()) {
            (None, _) => Ok(Target::None),
            (Some(_), None) => Err(param(
                self.family,
                "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
            )),
            (Some(_), Some(_)) if self.mark_set.len() > 1 => {
                let mut idx: Vec<usize> = self.mark_set.iter().map(|m| m.0).collect();
                idx.sort_unstable();
                let name = |i: usize| idx.get(i).and_then(|&k| MARK_OPTS.get(k)).copied();
                Err(param(
                    self.family,
                    &format!(
                        "MARK: option \"--{}\" cannot be used together with \"--{}\".\n",
                        name(0).unwrap_or(""),
                        name(1).unwrap_or("")
                    ),
                ))
            }
            (Some(_), Some(&(_, mark, mask))) => Ok(Target::Mark { mark, mask }),
        }
    }

    /// A table other than mangle, once the line is otherwise valid.
    fn check_table(&self) -> Result<(), MarkError> {
        let Some(t) = &self.bad_table else {
            return Ok(());
        };
        let p = prog_name(self.family);
        Err(MarkError::new(
            format!(
                "{p} v1.8.9 (nf_tables): table '{t}' does not exist\nPerhaps {p} or your kernel needs to be upgraded.\n"
            ),
            XT_VERSION,
        ))
    }

    /// tcp and udp matches need their protocol; iptables-nft finds out only
    /// when it builds the rule, after every other check.
    fn check_port_protocols(&self) -> Result<(), MarkError> {
        for m in &self.matches {
            let (want, text) = match m.module {
                Module::Tcp => (6, "TCP match requires '-p tcp'"),
                Module::Udp => (17, "UDP match requires '-p udp'"),
                _ => continue,
            };
            if self.proto() != Some(want) {
                return Err(param(self.family, text));
            }
        }
        Ok(())
    }

    /// Whether the option of `act` was given (for the command matrix).
    fn given(&self, act: Act) -> bool {
        match act {
            Act::Numeric => self.opts.numeric,
            Act::Source => self.srcs.is_some(),
            Act::Destination => self.dsts.is_some(),
            Act::Protocol => self.proto_seen,
            Act::Jump => self.target.is_some(),
            Act::Verbose => self.opts.verbose,
            Act::Exact => self.opts.exact,
            Act::InInterface => self.iif.is_some(),
            Act::OutInterface => self.oif.is_some(),
            Act::LineNumbers => self.opts.line_numbers,
            _ => false,
        }
    }

    /// iptables' commands_v_options: the first given option (in matrix
    /// order) that the command refuses.
    fn check_matrix(&self, kind: CmdKind) -> Result<(), MarkError> {
        let row = self.cmd2.map_or(0, chains::row)
            | match kind {
                CmdKind::N | CmdKind::X | CmdKind::E | CmdKind::Z | CmdKind::R => chains::row(kind),
                CmdKind::A => cmds::A,
                CmdKind::I => cmds::I,
                CmdKind::D if self.rulenum.is_some() => cmds::DN,
                CmdKind::D => cmds::D,
                CmdKind::C => cmds::C,
                CmdKind::F => cmds::F,
                CmdKind::S => cmds::S,
                CmdKind::L => cmds::L,
                CmdKind::P => cmds::P,
            };
        let mut given: Vec<(u8, &str, u16)> = OPTIONS
            .iter()
            .filter(|o| self.given(o.act))
            .filter_map(|o| o.column.map(|(c, n)| (c, n, o.refused_by)))
            .collect();
        given.sort_unstable();
        // With two commands (`-L -Z`), an option is illegal only when both
        // refuse it.
        match given.iter().find(|(_, _, refused)| refused & row == row) {
            Some((_, name, _)) => Err(param(
                self.family,
                &format!("Illegal option `{name}' with this command"),
            )),
            None => Ok(()),
        }
    }

    /// `-i`/`-o` on a builtin chain that never sees that interface.
    fn check_interfaces(&self, chain: &str) -> Result<(), MarkError> {
        if let Some(b) = builtin(chain) {
            if self.iif.is_some() && matches!(b.name, "OUTPUT" | "POSTROUTING") {
                return Err(param(
                    self.family,
                    &format!("Can't use -i with {}\n", b.name),
                ));
            }
            if self.oif.is_some() && matches!(b.name, "PREROUTING" | "INPUT") {
                return Err(param(
                    self.family,
                    &format!("Can't use -o with {}\n", b.name),
                ));
            }
        }
        Ok(())
    }

    /// One rule per source × destination address.
    fn rules(&self, matches: Vec<Match>, target: Target) -> Vec<Rule> {
        let list = |v: &Option<Vec<Addr>>| -> Vec<Option<Addr>> {
            match v {
                Some(v) => v.iter().cloned().map(Some).collect(),
                None => vec![None],
            }
        };
        let norm = |a: &Option<Addr>| a.clone().filter(|a| a.mask.iter().any(|&b| b != 0));
        let (s_list, d_list) = (list(&self.srcs), list(&self.dsts));
        let mut rules = Vec::new();
        for s in &s_list {
            for d in &d_list {
                rules.push(Rule {
                    family: self.family,
                    iif: self.iif.clone(),
                    oif: self.oif.clone(),
                    proto: self.proto,
                    src: norm(s),
                    dst: norm(d),
                    matches: matches.clone(),
                    target: target.clone(),
                });
            }
        }
        rules
    }

    /// The end of the line: iptables' final checks, then the command.
    pub fn finish(self) -> Result<Command, MarkError> {
        let family = self.family;
        if let Some(extra) = self.leftovers.first() {
            return Err(bad_argument(family, extra));
        }
        let Some(kind) = self.cmd else {
            return Err(param(family, "no command specified"));
        };
        let matches = self.built_matches()?;
        let target = self.built_target()?;
        self.check_matrix(kind)?;
        self.check_chain_words(kind)?;
        let chain_s = self.chain.clone().unwrap_or_default();
        let rule_cmd = matches!(kind, CmdKind::A | CmdKind::I | CmdKind::C | CmdKind::R)
            || (kind == CmdKind::D && self.rulenum.is_none());
        if rule_cmd {
            self.check_interfaces(&chain_s)?;
        }
        self.check_table()?;
        let rules = if rule_cmd {
            self.check_port_protocols()?;
            self.rules(matches, target)
        } else {
            Vec::new()
        };
        // `-L`/`-S` with `-Z` zeroes after listing.
        let kind = if self.cmd2.is_some() {
            CmdKind::Z
        } else {
            kind
        };
        let cmd = self.to_cmd(kind, chain_s, rules)?;
        Ok(Command {
            family,
            cmd,
            opts: self.opts,
            warnings: self.warnings.clone(),
        })
    }

    fn to_cmd(&self, kind: CmdKind, chain_s: String, rules: Vec<Rule>) -> Result<Cmd, MarkError> {
        let (chain, num) = (self.chain.clone(), self.rulenum);
        Ok(match kind {
            CmdKind::A => Cmd::Append {
                chain: chain_s,
                rules,
            },
            CmdKind::I => Cmd::Insert {
                chain: chain_s,
                num: num.unwrap_or(1),
                rules,
            },
            CmdKind::D => match num {
                Some(num) => Cmd::DeleteNum {
                    chain: chain_s,
                    num,
                },
                None => Cmd::Delete {
                    chain: chain_s,
                    rules,
                },
            },
            CmdKind::C => Cmd::Check {
                chain: chain_s,
                rules,
            },
            CmdKind::F => Cmd::Flush {
                chain,
                verbose: self.opts.verbose,
            },
            CmdKind::S => Cmd::ListRules { chain, num },
            CmdKind::L => Cmd::List { chain, num },
            CmdKind::P => {
                let accept = match self.policy.as_deref() {
                    Some("ACCEPT") => true,
                    Some("DROP") => false,
                    _ => {
                        return Err(MarkError::new(
                            format!(
                                "{}: Bad policy name. Run `dmesg' for more information.\n",
                                prog_name(self.family)
                            ),
                            XT_OTHER,
                        ))
                    }
                };
                Cmd::Policy {
                    chain: chain_s,
                    accept,
                }
            }
            CmdKind::N | CmdKind::X | CmdKind::E | CmdKind::Z | CmdKind::R => {
                self.chain_cmd(kind, chain_s, rules)
            }
        })
    }
}
