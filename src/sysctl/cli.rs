//! `ipvsadm sysctl`'s command line: `[--json] [NAME[=VALUE]]`, or
//! `-h`/`--help`.

use lexopt::Arg::{Long, Short, Value};

use super::Request;
use crate::cli::{self, Parsed};
use crate::error::Error;

/// The arguments of `sysctl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub request: Request,
    /// JSON instead of columns.
    pub json: bool,
}

/// The usage line (also the first line of `--help`).
pub fn usage(argv0: &str) -> String {
    format!("Usage: {argv0} sysctl [--json] [NAME[=VALUE]]")
}

/// The `--help` text.
pub fn help(argv0: &str) -> String {
    format!(
        "{}\n\n\
         Show or change the IPVS kernel settings (net.ipv4.vs.*) of this network\n\
         namespace (or of --netns NAME).\n\n\
         \x20 (none)       every setting this kernel has: name, value, what it does\n\
         \x20 NAME         one setting (with or without the net.ipv4.vs. prefix)\n\
         \x20 NAME=VALUE   check the name and the value, set it, print it as read back\n\n\
         Options:\n  \
         --json      print JSON (an array for the list, an object for one setting)\n  \
         -h, --help  show this help\n\n\
         The connection timeouts stay with `{argv0} --set TCP TCPFIN UDP'.\n",
        usage(argv0)
    )
}

/// Read the words after `sysctl`.
pub fn parse(argv0: &str, args: &[String]) -> Result<Parsed<Args>, Error> {
    let prefix = format!("{argv0} sysctl");
    let fail = |reason: &str| cli::usage_error(&prefix, reason, &usage(argv0));
    let mut json = false;
    let mut word: Option<String> = None;
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    while let Some(arg) = p.next().map_err(|e| fail(&cli::reason(&e)))? {
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Long("json") => json = true,
            Value(v) if word.is_none() => word = Some(cli::text(v)),
            other => {
                let w = cli::word(&other);
                let w = cli::unexpected(&mut p, w);
                return Err(fail(&format!("unexpected argument {w}")));
            }
        }
    }
    let request = match word {
        None => Request::List,
        Some(w) => match w.split_once('=') {
            Some((name, value)) => Request::Set(name.trim().to_string(), value.to_string()),
            None => Request::Get(w),
        },
    };
    Ok(Parsed::Run(Args { request, json }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(words: &[&str]) -> Result<Parsed<Args>, Error> {
        let v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        parse("ipvsadm", &v)
    }

    fn run(request: Request, json: bool) -> Parsed<Args> {
        Parsed::Run(Args { request, json })
    }

    #[test]
    fn words_and_options() {
        assert_eq!(p(&[]).unwrap(), run(Request::List, false));
        assert_eq!(p(&["--json"]).unwrap(), run(Request::List, true));
        assert_eq!(
            p(&["net.ipv4.vs.sync_version"]).unwrap(),
            run(Request::Get("net.ipv4.vs.sync_version".into()), false)
        );
        assert_eq!(
            p(&["sync_threshold=3 50", "--json"]).unwrap(),
            run(Request::Set("sync_threshold".into(), "3 50".into()), true)
        );
        assert_eq!(
            p(&["est_cpulist="]).unwrap(),
            run(Request::Set("est_cpulist".into(), String::new()), false)
        );
        assert_eq!(p(&["-h"]).unwrap(), Parsed::Help);
        assert_eq!(p(&["x", "--help"]).unwrap(), Parsed::Help);
    }

    #[test]
    fn errors() {
        let u = "Usage: ipvsadm sysctl [--json] [NAME[=VALUE]]";
        for (words, text) in [
            (
                &["a", "b"][..],
                format!("ipvsadm sysctl: unexpected argument b\n{u}\n"),
            ),
            (
                &["--bogus"][..],
                format!("ipvsadm sysctl: unexpected argument --bogus\n{u}\n"),
            ),
            (
                &["--json=1"][..],
                format!("ipvsadm sysctl: unexpected argument --json=1\n{u}\n"),
            ),
        ] {
            let e = p(words).unwrap_err();
            assert_eq!((e.text.as_str(), e.code), (text.as_str(), 2), "{words:?}");
        }
        assert!(help("ipvsadm").starts_with(&format!("{u}\n\n")));
    }
}
