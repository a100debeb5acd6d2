//! `ipvsadm mark …`: iptables-compatible mangle MARK rules over nf_tables
//! netlink, encoded exactly as iptables-nft 1.8.9 encodes them.
//!
//! Layers: [`grammar`] (argv → [`grammar::Command`]), [`rule`] and [`expr`]
//! (rule ↔ nf_tables expressions), [`plan`] (what to change and the batch
//! bytes), [`print`] (`-S`/`-L` text), [`netfilter`] (what commands need from
//! nf_tables, as a trait), [`sock`] and `live` (the NETLINK_NETFILTER socket
//! behind that trait). Everything but `sock` and `names` is pure and
//! unit-tested (`tests`, against an in-memory ruleset, `mem`) with batches
//! captured from iptables itself. Nothing here panics on kernel input.

pub mod expr;
pub mod grammar;
mod live;
pub mod matches;
#[cfg(test)]
pub mod mem;
pub mod names;
pub mod netfilter;
pub mod plan;
pub mod print;
pub mod rule;
pub mod sock;

use std::io::Write;

use crate::error;
use crate::kernel::errors::strerror;
use grammar::Command;

/// An error with the exact stderr text (carrying its own newline, as
/// iptables prints it) and the exit code iptables would give: the crate's
/// one error type, built with `MarkError::new(text, code)`.
pub type MarkError = crate::error::Error;

/// iptables' texts for kernel errors (nft_strerror), for the batch.
fn kernel_error(prog: &str, errno: i32) -> MarkError {
    let text = match errno {
        libc::ENOENT => "No chain/target/match by that name.".to_string(),
        libc::EEXIST => "File exists.".to_string(),
        libc::EPERM | libc::EACCES => "Permission denied (you must be root).".to_string(),
        libc::EBUSY => "Device or resource busy.".to_string(),
        libc::ENOMEM => "Memory allocation problem.".to_string(),
        libc::EINVAL => "Invalid argument.".to_string(),
        _ => format!("{}.", strerror(errno)),
    };
    MarkError::new(format!("{prog}: {text}\n"), error::XT_OTHER)
}

/// iptables' report of a batch message the kernel refused.
fn op_error(prog: &str, op: &plan::Op, errno: i32) -> MarkError {
    let err = strerror(errno);
    let what = match op {
        plan::Op::NewRule {
            chain,
            pos: plan::Pos::Append,
            ..
        } => format!("RULE_APPEND failed ({err}): rule in chain {chain}"),
        plan::Op::NewRule { chain, .. } => {
            format!("RULE_INSERT failed ({err}): rule in chain {chain}")
        }
        plan::Op::DelRule { chain, .. } => {
            format!("RULE_DELETE failed ({err}): rule in chain {chain}")
        }
        plan::Op::Flush(Some(chain)) => format!("RULE_FLUSH failed ({err}): chain {chain}"),
        plan::Op::Flush(None) => format!("RULE_FLUSH failed ({err}): table {}", plan::TABLE),
        plan::Op::NewChain(b) | plan::Op::Policy { chain: b, .. } => {
            format!("CHAIN_USER_ADD failed ({err}): chain {}", b.name)
        }
        plan::Op::NewTable => format!("TABLE_ADD failed ({err}): table {}", plan::TABLE),
        // Chain commands (issue 20).
        plan::Op::NewUserChain(name) => format!("CHAIN_USER_ADD failed ({err}): chain {name}"),
        plan::Op::DelChain(c) => format!("CHAIN_DEL failed ({err}): chain {}", c.name),
        plan::Op::RenameChain { name, .. } => {
            format!("CHAIN_RENAME failed ({err}): chain {name}")
        }
        plan::Op::ZeroChain(c) => format!("CHAIN_ZERO failed ({err}): chain {}", c.name),
        plan::Op::ReplaceRule { chain, .. } => {
            format!("RULE_REPLACE failed ({err}): rule in chain {chain}")
        }
    };
    MarkError::new(
        format!("{prog} v1.8.9 (nf_tables):  {what}\n"),
        error::XT_RESOURCE,
    )
}

/// iptables' report of a netlink failure outside the batch.
fn netlink_error(prog: &str, what: &str, errno: i32) -> MarkError {
    let msg = if errno == libc::EPERM {
        "Permission denied (you must be root)".to_string()
    } else {
        strerror(errno)
    };
    MarkError::new(
        format!("{prog} v1.8.9 (nf_tables): {what}: {msg}\n"),
        error::XT_RESOURCE,
    )
}

/// What a command prints on success, given the table it ran against and
/// the ops it sent.
fn output(c: &Command, state: &plan::TableState, ops: &[plan::Op]) -> String {
    match &c.cmd {
        plan::Cmd::ListRules { chain, num } => {
            print::list_rules(state, c.family, chain.as_deref(), *num, c.opts.verbose)
        }
        plan::Cmd::List { chain, num } => {
            print::list(state, c.family, chain.as_deref(), *num, &c.opts)
        }
        plan::Cmd::Append { rules, .. }
        | plan::Cmd::Insert { rules, .. }
        | plan::Cmd::Delete { rules, .. }
        | plan::Cmd::Check { rules, .. }
            if c.opts.verbose =>
        {
            rules.iter().map(print::notable).collect()
        }
        // Chain commands (issue 20).
        plan::Cmd::Replace { rule, .. } if c.opts.verbose => print::notable(rule),
        plan::Cmd::Zero { list: Some(l), .. } => {
            let listed = Command {
                cmd: (**l).clone(),
                ..c.clone()
            };
            output(&listed, state, ops) + &plan::verbose_lines(&c.cmd, state, ops)
        }
        plan::Cmd::DelChain { .. } | plan::Cmd::Zero { .. } => {
            plan::verbose_lines(&c.cmd, state, ops)
        }
        plan::Cmd::Flush { verbose: true, .. } => ops
            .iter()
            .filter_map(|o| match o {
                plan::Op::Flush(Some(n)) => Some(format!("Flushing chain `{n}'\n")),
                _ => None,
            })
            .collect(),
        _ => String::new(),
    }
}

/// Runs a parsed command against nf_tables; returns what goes to stdout.
/// A batch refused for a stale generation id is planned again (up to 64
/// times), as iptables does.
pub fn execute(
    c: &grammar::Command,
    nf: &mut dyn netfilter::Netfilter,
) -> Result<String, MarkError> {
    let (out, result) = execute_printing(c, nf);
    result.map(|()| out)
}

/// [`execute`], with what iptables prints on stdout even when the kernel
/// then refuses the batch (`-v`'s rule lines, `-X -v`'s chain names, the
/// listing of `-L -Z`).
pub fn execute_printing(
    c: &grammar::Command,
    nf: &mut dyn netfilter::Netfilter,
) -> (String, Result<(), MarkError>) {
    let prog = plan::prog_name(c.family);
    let mut out = String::new();
    for _attempt in 0..64 {
        let genid = match nf.genid() {
            Ok(g) => g,
            Err(e) => {
                let what = "Could not fetch rule set generation id";
                return (out, Err(netlink_error(prog, what, e)));
            }
        };
        let state = match nf.load(c.family) {
            Ok(s) => s,
            Err(e) => return (out, Err(netlink_error(prog, "Could not fetch rule set", e))),
        };
        let ops = match plan::plan(&c.cmd, &state, c.family) {
            Ok(ops) => ops,
            Err(e) => {
                // `-A -v` prints its rules before finding the chain missing.
                if matches!(c.cmd, plan::Cmd::Append { .. }) && e.code == error::XT_OTHER {
                    out = output(c, &state, &[]);
                }
                return (out, Err(e));
            }
        };
        out = output(c, &state, &ops);
        match nf.commit(&ops, c.family, genid) {
            Ok(()) => return (out, Ok(())),
            Err(e) if e.errno == sock::ERESTART => continue,
            Err(e) => {
                let err = match e.op.and_then(|i| ops.get(i)) {
                    Some(op) => op_error(prog, op, e.errno),
                    None => kernel_error(prog, e.errno),
                };
                return (out, Err(err));
            }
        }
    }
    (out, Err(kernel_error(prog, sock::ERESTART)))
}

/// Parses and runs `args` on the live socket: stdout's text, and the
/// outcome.
fn run(args: &[String]) -> (String, Result<(), MarkError>) {
    let c = match grammar::parse_args(args) {
        Ok(grammar::Parsed::Run(c)) => c,
        Ok(grammar::Parsed::Print(text)) => return (text, Ok(())),
        Err(e) => return (String::new(), Err(e)),
    };
    // Parse warnings (iptables goes on after them).
    eprint!("{}", c.warnings);
    let prog = plan::prog_name(c.family);
    match sock::Nfnl::open() {
        Ok(mut s) => execute_printing(&c, &mut s),
        Err(e) => {
            let what = "Could not open netlink socket";
            (String::new(), Err(netlink_error(prog, what, e)))
        }
    }
}

/// Entry point for `ipvsadm mark ARGS…`: the listing's or the changes'
/// text on stdout, and iptables' error if any.
pub fn main(_argv0: &str, args: &[String]) -> Result<(), MarkError> {
    let (out, result) = run(args);
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(out.as_bytes());
    let _ = o.flush();
    result
}

#[cfg(test)]
mod tests;
