//! `ipvsadm mark -h`: the commands, options, matches and target it
//! supports, laid out after iptables' own `-h`, printed from the option
//! table.

use super::options::{Act, MarkOpt, Owner, MODULES, OPTIONS, TARGETS};
use crate::mark::plan::prog_name;
use crate::mark::rule::Family;

/// Where descriptions start.
const COLUMN: usize = 34;

fn line(out: &mut String, left: String, help: &str) {
    out.push_str(&left);
    if left.len() + 1 >= COLUMN {
        out.push('\n');
        out.push_str(&" ".repeat(COLUMN));
    } else {
        out.push_str(&" ".repeat(COLUMN - left.len()));
    }
    out.push_str(help);
    out.push('\n');
}

/// `--long -s value`, with `[!] ` in front of the options `!` may precede.
fn left(o: &MarkOpt) -> String {
    let bang = if o.invert && !matches!(o.act, Act::Version | Act::Help | Act::Goto) {
        "[!] "
    } else {
        "    "
    };
    let mut s = format!("{bang}--{}", o.name());
    if let Some(c) = o.short {
        s.push_str(&format!(" -{c}"));
    }
    for alias in o.long.iter().skip(1) {
        s.push_str(&format!(" --{alias}"));
    }
    if !o.value_name.is_empty() {
        s.push(' ');
        s.push_str(o.value_name);
    }
    s
}

fn section<'a>(out: &mut String, title: &str, opts: impl Iterator<Item = &'a MarkOpt>) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
    for o in opts {
        line(out, left(o), o.help);
    }
}

/// The whole help text.
pub fn text(family: Family) -> String {
    let p = prog_name(family);
    let mut out = format!(
        "{p} v1.8.9 (nf_tables)

Usage: ipvsadm mark -[ACD] chain rule-specification [options]
       ipvsadm mark -I chain [rulenum] rule-specification [options]
       ipvsadm mark -D chain rulenum [options]
       ipvsadm mark -[LS] [chain [rulenum]] [options]
       ipvsadm mark -F [chain] [options]
       ipvsadm mark -P chain target [options]
       ipvsadm mark -R chain rulenum rule-specification [options]
       ipvsadm mark -Z [chain [rulenum]] [options]
       ipvsadm mark -[NX] chain
       ipvsadm mark -E old-chain-name new-chain-name
       ipvsadm mark -h (print this help)

Rules live in the mangle table of {p}; a rule-specification is made of
the options below, the matches' options and a target: `-j MARK' or
`-j CONNMARK' with one of their options, `-j ACCEPT', `-j RETURN', or
`-j CHAIN' to jump to a user-defined chain. ipvsadm mark never filters:
DROP, REJECT and QUEUE are refused.
"
    );
    let is_cmd = |o: &&MarkOpt| matches!(o.act, Act::Command(_));
    section(
        &mut out,
        "Commands (long or short):",
        OPTIONS.iter().filter(is_cmd),
    );
    let core = |o: &&MarkOpt| o.owner == Owner::Core && !matches!(o.act, Act::Command(_));
    section(&mut out, "Options:", OPTIONS.iter().filter(core));
    for t in TARGETS {
        let title = format!("{t} target options:");
        let owned = move |o: &&MarkOpt| o.owner == Owner::Target(t);
        if OPTIONS.iter().any(|o| owned(&o)) {
            section(&mut out, &title, OPTIONS.iter().filter(owned));
        }
    }
    for m in MODULES {
        let title = format!("{} match options (-m {}):", m.name(), m.name());
        let owned = move |o: &&MarkOpt| o.owner == Owner::Match(m);
        section(&mut out, &title, OPTIONS.iter().filter(owned));
    }
    out
}
