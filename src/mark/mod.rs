//! `ipvsadm mark …`: iptables-compatible mangle MARK rules over nf_tables
//! netlink, encoded exactly as iptables-nft 1.8.9 encodes them.
//!
//! Layers: [`grammar`] (argv → [`grammar::Command`]), [`rule`] and [`expr`]
//! (rule ↔ nf_tables expressions), [`plan`] (what to change and the batch
//! bytes), [`print`] (`-S`/`-L` text), [`sock`] (the NETLINK_NETFILTER socket).
//! Everything but `sock` and `names` is pure and unit-tested against batches
//! captured from iptables itself. Nothing here panics on kernel input.

pub mod expr;
pub mod grammar;
pub mod names;
pub mod plan;
pub mod print;
pub mod rule;
pub mod sock;

use std::io::Write;

use crate::error;
use crate::kernel::errors::strerror;

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

/// Runs a parsed command against the kernel; returns what goes to stdout.
pub fn execute(c: &grammar::Command) -> Result<String, MarkError> {
    let prog = plan::prog_name(c.family);
    let mut s =
        sock::Nfnl::open().map_err(|e| netlink_error(prog, "Could not open netlink socket", e))?;
    for _attempt in 0..64 {
        let genid = s
            .genid()
            .map_err(|e| netlink_error(prog, "Could not fetch rule set generation id", e))?;
        let state = s
            .load(c.family)
            .map_err(|e| netlink_error(prog, "Could not fetch rule set", e))?;
        let ops = plan::plan(&c.cmd, &state, c.family)?;
        let out = match &c.cmd {
            plan::Cmd::ListRules { chain, num } => {
                print::list_rules(&state, c.family, chain.as_deref(), *num, c.opts.verbose)
            }
            plan::Cmd::List { chain, num } => {
                print::list(&state, c.family, chain.as_deref(), *num, &c.opts)
            }
            plan::Cmd::Append { rules, .. }
            | plan::Cmd::Insert { rules, .. }
            | plan::Cmd::Delete { rules, .. }
            | plan::Cmd::Check { rules, .. }
                if c.opts.verbose =>
            {
                rules.iter().map(print::notable).collect()
            }
            plan::Cmd::Flush { verbose: true, .. } => ops
                .iter()
                .filter_map(|o| match o {
                    plan::Op::Flush(Some(n)) => Some(format!("Flushing chain `{n}'\n")),
                    _ => None,
                })
                .collect(),
            _ => String::new(),
        };
        let seq = s.batch_seq(ops.len() as u32 + 2);
        let batch = plan::encode_batch(&ops, c.family, genid, seq)
            .map_err(|_| kernel_error(prog, libc::EMSGSIZE))?;
        match s.send_batch(&batch) {
            Ok(()) => return Ok(out),
            Err(sock::ERESTART) => continue,
            Err(e) => {
                let op = s
                    .failed_seq
                    .and_then(|f| f.checked_sub(seq.wrapping_add(1)))
                    .and_then(|i| ops.get(i as usize));
                return Err(match op {
                    Some(op) => op_error(prog, op, e),
                    None => kernel_error(prog, e),
                });
            }
        }
    }
    Err(kernel_error(prog, sock::ERESTART))
}

/// Entry point for `ipvsadm mark ARGS…`: the listing or changes' text on
/// stdout, or iptables' error.
pub fn main(_argv0: &str, args: &[String]) -> Result<(), MarkError> {
    if args.iter().any(|a| a == "-V" || a == "--version") {
        let prog = plan::prog_name(grammar::family_of(args));
        println!("{prog} v1.8.9 (nf_tables)");
        return Ok(());
    }
    let result = grammar::parse(args).and_then(|c| execute(&c));
    let mut o = std::io::stdout().lock();
    if let Ok(out) = &result {
        let _ = o.write_all(out.as_bytes());
    }
    let _ = o.flush();
    result.map(|_| ())
}
