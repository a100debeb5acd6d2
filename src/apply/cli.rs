//! `ipvsadm apply`'s command line: `[--dry-run] FILE|-`, or `-h`/`--help`.

use lexopt::Arg::{Long, Short, Value};

use crate::cli::{self, Parsed};
use crate::error::Error;

/// The arguments of `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Print the changes instead of making them.
    pub dry_run: bool,
    /// The table file, `-` for stdin.
    pub file: String,
}

/// The usage line (also the first line of `--help`).
pub fn usage(argv0: &str) -> String {
    format!("Usage: {argv0} apply [--dry-run] FILE|-")
}

/// The `--help` text.
pub fn help(argv0: &str) -> String {
    format!(
        "{}\n\n\
         Make the kernel's IPVS table match FILE (`-' for stdin), a table in\n\
         the format of `ipvsadm -S -n' (only -A and -a rules), with the fewest\n\
         changes: add, edit, delete; never a flush.\n\n\
         Options:\n  \
         --dry-run   print the changes as ipvsadm command lines; change nothing\n  \
         -h, --help  show this help\n",
        usage(argv0)
    )
}

/// Read the words after `apply`.
pub fn parse(argv0: &str, args: &[String]) -> Result<Parsed<Args>, Error> {
    let prefix = format!("{argv0} apply");
    let fail = |reason: &str| cli::usage_error(&prefix, reason, &usage(argv0));
    let mut dry_run = false;
    let mut file = None;
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    while let Some(arg) = p.next().map_err(|e| fail(&cli::reason(&e)))? {
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Long("dry-run") => dry_run = true,
            Value(v) if file.is_none() => file = Some(cli::text(v)),
            other => {
                let word = cli::word(&other);
                let word = cli::unexpected(&mut p, word);
                return Err(fail(&format!("unexpected argument {word}")));
            }
        }
    }
    match file {
        Some(file) => Ok(Parsed::Run(Args { dry_run, file })),
        None => Err(fail("missing FILE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(words: &[&str]) -> Result<Parsed<Args>, Error> {
        let v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        parse("ipvsadm", &v)
    }

    fn run(dry_run: bool, file: &str) -> Parsed<Args> {
        Parsed::Run(Args {
            dry_run,
            file: file.into(),
        })
    }

    #[test]
    fn help_in_any_position() {
        assert_eq!(p(&["--help"]).unwrap(), Parsed::Help);
        assert_eq!(p(&["-h"]).unwrap(), Parsed::Help);
        assert_eq!(p(&["--dry-run", "-h"]).unwrap(), Parsed::Help);
        let h = help("ipvsadm");
        assert!(
            h.starts_with("Usage: ipvsadm apply [--dry-run] FILE|-\n\n"),
            "{h}"
        );
        assert!(h.contains("--dry-run") && h.ends_with("show this help\n"));
    }

    #[test]
    fn file_and_dry_run_in_either_order() {
        assert_eq!(p(&["t.txt"]).unwrap(), run(false, "t.txt"));
        assert_eq!(p(&["--dry-run", "-"]).unwrap(), run(true, "-"));
        assert_eq!(p(&["-", "--dry-run"]).unwrap(), run(true, "-"));
        assert_eq!(p(&["--", "--help"]).unwrap(), run(false, "--help"));
    }

    #[test]
    fn errors_name_the_word_and_give_the_usage() {
        let usage = "Usage: ipvsadm apply [--dry-run] FILE|-\n";
        for (words, reason) in [
            (&[][..], "missing FILE"),
            (&["--dry-run"][..], "missing FILE"),
            (&["a", "b"][..], "unexpected argument b"),
            (&["-x", "a"][..], "unexpected argument -x"),
            (
                &["--dry-run=yes", "a"][..],
                "unexpected argument --dry-run=yes",
            ),
            (&["--force", "a"][..], "unexpected argument --force"),
        ] {
            let e = p(words).unwrap_err();
            assert_eq!(
                e.text,
                format!("ipvsadm apply: {reason}\n{usage}"),
                "{words:?}"
            );
            assert_eq!(e.code, 2);
        }
    }
}
