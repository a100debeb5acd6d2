//! `ipvsadm top`'s command line:
//! `[-d SECS] [-n] [--sort conns|packets|bytes] [--once | --count N] [--json]`,
//! or `-h`/`--help`.

use lexopt::Arg::{Long, Short};

use super::frame::SortKey;
use crate::cli::{self, Parsed};
use crate::error::Error;

/// The shortest interval accepted (seconds).
pub const MIN_DELAY: f64 = 0.1;
/// The longest interval accepted (seconds: one day).
pub const MAX_DELAY: f64 = 86_400.0;

/// The arguments of `top`.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    /// Seconds between readings.
    pub delay: f64,
    pub numeric: bool,
    pub sort: SortKey,
    /// How many snapshots to print (`--once` is 1); `None`: until stopped.
    pub count: Option<u64>,
    pub json: bool,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            delay: 1.0,
            numeric: false,
            sort: SortKey::Conns,
            count: None,
            json: false,
        }
    }
}

/// The usage line (also the first line of `--help`).
pub fn usage(argv0: &str) -> String {
    format!(
        "Usage: {argv0} top [-d SECS] [-n] [--sort conns|packets|bytes] [--once | --count N] [--json]"
    )
}

/// The `--help` text.
pub fn help(argv0: &str) -> String {
    format!(
        "{}\n\n\
         Show the services and real servers sorted by their traffic: new\n\
         connections, packets and bytes per second, from the growth of the\n\
         kernel's counters over each interval, with totals and the active\n\
         and inactive connection counts. On a terminal the view refreshes\n\
         in place; keys: c, p, b sort by connections, packets or bytes per\n\
         second, n toggles numeric addresses, q or Ctrl-C quits. Otherwise\n\
         (or with --once, --count, --json) it prints one snapshot per interval.\n\n\
         Options:\n  \
         -d, --delay SECS     seconds between readings (default 1; fractions allowed)\n  \
         -n, --numeric        numeric addresses and ports, as -L -n shows them\n  \
         --sort KEY           conns (the default), packets or bytes\n  \
         --once               print one snapshot (after one interval) and exit\n  \
         --count N            print N snapshots and exit\n  \
         --json               one JSON object per snapshot, one per line\n  \
         -h, --help           show this help\n",
        usage(argv0)
    )
}

/// Seconds as typed (`1`, `0.5`, `2.`), within [`MIN_DELAY`]..=[`MAX_DELAY`].
fn delay(v: &str) -> Option<f64> {
    let ok = !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.');
    let d: f64 = if ok { v.parse().ok()? } else { return None };
    (MIN_DELAY..=MAX_DELAY).contains(&d).then_some(d)
}

fn sort_key(v: &str) -> Option<SortKey> {
    match v {
        "conns" => Some(SortKey::Conns),
        "packets" => Some(SortKey::Packets),
        "bytes" => Some(SortKey::Bytes),
        _ => None,
    }
}

/// Read the words after `top`.
pub fn parse(argv0: &str, args: &[String]) -> Result<Parsed<Args>, Error> {
    let prefix = format!("{argv0} top");
    let fail = |reason: &str| cli::usage_error(&prefix, reason, &usage(argv0));
    let mut a = Args::default();
    let (mut once, mut count) = (false, false);
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    while let Some(arg) = p.next().map_err(|e| fail(&cli::reason(&e)))? {
        let value =
            |p: &mut lexopt::Parser| p.value().map(cli::text).map_err(|e| fail(&cli::reason(&e)));
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Short('n') | Long("numeric") => a.numeric = true,
            Long("json") => a.json = true,
            Short('d') | Long("delay") => {
                let v = value(&mut p)?;
                a.delay = delay(&v).ok_or_else(|| {
                    fail(&format!(
                        "-d takes seconds from {MIN_DELAY} to {MAX_DELAY}, not {v}"
                    ))
                })?;
            }
            Long("sort") => {
                let v = value(&mut p)?;
                a.sort = sort_key(&v).ok_or_else(|| {
                    fail(&format!("--sort takes conns, packets or bytes, not {v}"))
                })?;
            }
            Long("once") => {
                once = true;
                a.count = Some(1);
            }
            Long("count") => {
                let v = value(&mut p)?;
                let n = v.parse::<u64>().ok().filter(|n| *n > 0);
                a.count =
                    Some(n.ok_or_else(|| {
                        fail(&format!("--count takes a positive number, not {v}"))
                    })?);
                count = true;
            }
            other => {
                let word = cli::word(&other);
                let word = cli::unexpected(&mut p, word);
                return Err(fail(&format!("unexpected argument {word}")));
            }
        }
    }
    if once && count {
        return Err(fail("--once and --count: only one"));
    }
    Ok(Parsed::Run(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(words: &[&str]) -> Result<Parsed<Args>, Error> {
        let v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        parse("ipvsadm", &v)
    }

    fn run(a: Args) -> Parsed<Args> {
        Parsed::Run(a)
    }

    #[test]
    fn defaults_and_options() {
        assert_eq!(p(&[]).unwrap(), run(Args::default()));
        assert_eq!(
            p(&["-d", "0.5", "-n", "--sort", "bytes", "--count", "3", "--json"]).unwrap(),
            run(Args {
                delay: 0.5,
                numeric: true,
                sort: SortKey::Bytes,
                count: Some(3),
                json: true,
            })
        );
        assert_eq!(
            p(&["--delay=2", "--once", "--sort=packets", "--numeric"]).unwrap(),
            run(Args {
                delay: 2.0,
                numeric: true,
                sort: SortKey::Packets,
                count: Some(1),
                json: false,
            })
        );
        assert_eq!(
            p(&["-d2."]).unwrap(),
            run(Args {
                delay: 2.0,
                ..Args::default()
            })
        );
    }

    #[test]
    fn help_anywhere() {
        assert_eq!(p(&["-n", "-h"]).unwrap(), Parsed::Help);
        assert_eq!(p(&["--help"]).unwrap(), Parsed::Help);
        let h = help("ipvsadm");
        assert!(h.starts_with(&format!("{}\n\n", usage("ipvsadm"))));
        assert!(h.ends_with("show this help\n"));
    }

    #[test]
    fn errors_name_the_word_and_give_the_usage() {
        let bad_d = |v: &str| format!("-d takes seconds from 0.1 to 86400, not {v}");
        for (words, reason) in [
            (&["-d", "0"][..], bad_d("0")),
            (&["-d", "0.05"][..], bad_d("0.05")),
            (&["-d", "-1"][..], bad_d("-1")),
            (&["-d", "1e3"][..], bad_d("1e3")),
            (&["-d", "inf"][..], bad_d("inf")),
            (&["-d", "."][..], bad_d(".")),
            (&["-d", "90000"][..], bad_d("90000")),
            (&["-d"][..], "-d needs a value".into()),
            (
                &["--sort", "cps"][..],
                "--sort takes conns, packets or bytes, not cps".into(),
            ),
            (
                &["--count", "0"][..],
                "--count takes a positive number, not 0".into(),
            ),
            (
                &["--count", "x"][..],
                "--count takes a positive number, not x".into(),
            ),
            (
                &["--once", "--count", "2"][..],
                "--once and --count: only one".into(),
            ),
            (&["-x"][..], "unexpected argument -x".into()),
            (&["extra"][..], "unexpected argument extra".into()),
            (&["--once=1"][..], "unexpected argument --once=1".into()),
        ] {
            let e = p(words).unwrap_err();
            assert_eq!(
                e.text,
                format!("ipvsadm top: {reason}\n{}\n", usage("ipvsadm")),
                "{words:?}"
            );
            assert_eq!(e.code, crate::error::USAGE);
        }
    }
}
