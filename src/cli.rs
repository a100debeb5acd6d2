//! Command lines of the subcommands that are not ipvsadm 1.31's grammar
//! (`apply`, `director`, `realserver`, and the ones to come: `drain`,
//! `top`, `metrics`, `sysctl`). Each has a `cli` submodule of its own
//! (e.g. `apply::cli`) with its usage text and a [`lexopt`] loop that
//! returns its typed arguments or [`Parsed::Help`]; this module holds
//! what they share. Every such subcommand answers `-h`/`--help` with its
//! usage on stdout and status 0, and a bad command line with a one-line
//! reason plus the usage on stderr and status 2.

use std::io::Write;

use crate::error::Error;

/// What a subcommand's command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<T> {
    /// Do the work with these arguments.
    Run(T),
    /// `-h` / `--help`: print the usage and succeed.
    Help,
}

/// A usage error: `prefix: reason`, then the usage line(s).
pub fn usage_error(prefix: &str, reason: &str, usage: &str) -> Error {
    Error::usage(format!("{prefix}: {reason}\n{usage}"))
}

/// An argument as the user typed it, without an attached value.
pub fn word(arg: &lexopt::Arg<'_>) -> String {
    match arg {
        lexopt::Arg::Short(c) => format!("-{c}"),
        lexopt::Arg::Long(l) => format!("--{l}"),
        lexopt::Arg::Value(v) => v.to_string_lossy().into_owned(),
    }
}

/// A word (see [`word`]) the subcommand does not take, with the value
/// attached to it when it is a long option (`--foo=bar`).
pub fn unexpected(p: &mut lexopt::Parser, word: String) -> String {
    if !word.starts_with("--") {
        return word;
    }
    match p.optional_value() {
        Some(v) => format!("{word}={}", v.to_string_lossy()),
        None => word,
    }
}

/// The reason for a lexopt failure, in the same words as [`unexpected`].
pub fn reason(e: &lexopt::Error) -> String {
    match e {
        lexopt::Error::UnexpectedValue { option, value } => {
            format!("unexpected argument {option}={}", value.to_string_lossy())
        }
        lexopt::Error::MissingValue { option: Some(o) } => format!("{o} needs a value"),
        other => other.to_string(),
    }
}

/// A value as text (the words reach us as UTF-8 already, lossily
/// converted, so this does not fail in practice).
pub fn text(v: std::ffi::OsString) -> String {
    v.to_string_lossy().into_owned()
}

/// Print a usage text for `-h`/`--help` on `out`.
pub fn print_help(out: &mut dyn Write, usage: &str) -> Result<(), Error> {
    let _ = out.write_all(usage.as_bytes());
    let _ = out.flush();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser(words: &[&str]) -> lexopt::Parser {
        lexopt::Parser::from_args(words.iter().map(|s| s.to_string()))
    }

    #[test]
    fn unexpected_words_read_as_typed() {
        let mut p = parser(&["--foo=bar", "-x", "file", "--baz"]);
        let next = |p: &mut lexopt::Parser| {
            let w = word(&p.next().unwrap().unwrap());
            unexpected(p, w)
        };
        assert_eq!(next(&mut p), "--foo=bar");
        assert_eq!(next(&mut p), "-x");
        assert_eq!(next(&mut p), "file");
        assert_eq!(next(&mut p), "--baz");
    }

    #[test]
    fn lexopt_failures_are_one_liners() {
        let mut p = parser(&["--undo=1"]);
        let _ = p.next().unwrap();
        let e = p.next().unwrap_err();
        assert_eq!(reason(&e), "unexpected argument --undo=1");
        let mut p = parser(&["--vip"]);
        let _ = p.next().unwrap();
        let e = p.value().unwrap_err();
        assert_eq!(reason(&e), "--vip needs a value");
        let e = usage_error("apply", "missing FILE", "Usage: x");
        assert_eq!(
            (e.text.as_str(), e.code),
            ("apply: missing FILE\nUsage: x\n", 2)
        );
    }
}
