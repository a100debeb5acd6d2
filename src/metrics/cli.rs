//! `ipvsadm metrics`'s command line:
//! `[--by server|service] [-n] [--textfile PATH | --listen ADDR:PORT]`,
//! or `-h`/`--help`.

use std::net::SocketAddr;

use lexopt::Arg::{Long, Short};

use super::expo::By;
use crate::cli::{self, Parsed};
use crate::error::Error;

/// Where the text goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    Stdout,
    /// Written atomically to this file.
    Textfile(String),
    /// Served over HTTP at `/metrics` on this address.
    Listen(SocketAddr),
}

/// The arguments of `metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub by: By,
    pub sink: Sink,
}

/// The usage line (also the first line of `--help`).
pub fn usage(argv0: &str) -> String {
    format!(
        "Usage: {argv0} metrics [--by server|service] [-n] [--textfile PATH | --listen ADDR:PORT]"
    )
}

/// The `--help` text.
pub fn help(argv0: &str) -> String {
    format!(
        "{}\n\n\
         Print the IPVS counters in Prometheus' text format, with the metric\n\
         names and labels of node_exporter's ipvs collector (node_ipvs_*).\n\
         Addresses are always numeric.\n\n\
         Options:\n  \
         --by server          one series per real server (the default)\n  \
         --by service         one series per service (ipvsadm_service_*)\n  \
         --textfile PATH      write PATH atomically instead of stdout\n  \
         --listen ADDR:PORT   serve GET /metrics over HTTP until killed\n  \
         -n, --numeric        accepted; addresses are numeric anyway\n  \
         -h, --help           show this help\n",
        usage(argv0)
    )
}

/// Read the words after `metrics`.
pub fn parse(argv0: &str, args: &[String]) -> Result<Parsed<Args>, Error> {
    let prefix = format!("{argv0} metrics");
    let fail = |reason: &str| cli::usage_error(&prefix, reason, &usage(argv0));
    let mut by = By::Server;
    let mut sink = Sink::Stdout;
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    while let Some(arg) = p.next().map_err(|e| fail(&cli::reason(&e)))? {
        let value =
            |p: &mut lexopt::Parser| p.value().map(cli::text).map_err(|e| fail(&cli::reason(&e)));
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Short('n') | Long("numeric") => {}
            Long("by") => {
                by = match value(&mut p)?.as_str() {
                    "server" => By::Server,
                    "service" => By::Service,
                    v => return Err(fail(&format!("--by takes server or service, not {v}"))),
                }
            }
            Long(o @ ("textfile" | "listen")) => {
                let o = o.to_string();
                if sink != Sink::Stdout {
                    return Err(fail("--textfile and --listen: only one, once"));
                }
                let v = value(&mut p)?;
                sink = if o == "textfile" {
                    if v.is_empty() {
                        return Err(fail("--textfile needs a path"));
                    }
                    Sink::Textfile(v)
                } else {
                    let a = v
                        .parse()
                        .map_err(|_| fail(&format!("--listen takes ADDR:PORT, not {v}")))?;
                    Sink::Listen(a)
                };
            }
            other => {
                let word = cli::word(&other);
                let word = cli::unexpected(&mut p, word);
                return Err(fail(&format!("unexpected argument {word}")));
            }
        }
    }
    Ok(Parsed::Run(Args { by, sink }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(words: &[&str]) -> Result<Parsed<Args>, Error> {
        let v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        parse("ipvsadm", &v)
    }

    fn run(by: By, sink: Sink) -> Parsed<Args> {
        Parsed::Run(Args { by, sink })
    }

    #[test]
    fn defaults_and_options() {
        assert_eq!(p(&[]).unwrap(), run(By::Server, Sink::Stdout));
        assert_eq!(p(&["-n"]).unwrap(), run(By::Server, Sink::Stdout));
        assert_eq!(
            p(&["--by", "service", "--textfile", "/x/m.prom"]).unwrap(),
            run(By::Service, Sink::Textfile("/x/m.prom".into()))
        );
        assert_eq!(
            p(&["--listen=127.0.0.1:9101", "--by=server"]).unwrap(),
            run(By::Server, Sink::Listen("127.0.0.1:9101".parse().unwrap()))
        );
        assert_eq!(
            p(&["--listen", "[::1]:9101"]).unwrap(),
            run(By::Server, Sink::Listen("[::1]:9101".parse().unwrap()))
        );
    }

    #[test]
    fn help_anywhere() {
        assert_eq!(p(&["--by", "service", "-h"]).unwrap(), Parsed::Help);
        assert_eq!(p(&["--help"]).unwrap(), Parsed::Help);
        let h = help("ipvsadm");
        assert!(h.starts_with(&format!("{}\n\n", usage("ipvsadm"))));
        assert!(h.ends_with("show this help\n"));
    }

    #[test]
    fn errors_name_the_word_and_give_the_usage() {
        for (words, reason) in [
            (
                &["--by", "dest"][..],
                "--by takes server or service, not dest",
            ),
            (&["--by"][..], "--by needs a value"),
            (
                &["--listen", "9100"][..],
                "--listen takes ADDR:PORT, not 9100",
            ),
            (
                &["--listen", "x:1"][..],
                "--listen takes ADDR:PORT, not x:1",
            ),
            (&["--textfile", ""][..], "--textfile needs a path"),
            (
                &["--textfile", "a", "--listen", "127.0.0.1:1"][..],
                "--textfile and --listen: only one, once",
            ),
            (&["-x"][..], "unexpected argument -x"),
            (&["extra"][..], "unexpected argument extra"),
            (&["--json"][..], "unexpected argument --json"),
        ] {
            let e = p(words).unwrap_err();
            assert_eq!(
                e.text,
                format!("ipvsadm metrics: {reason}\n{}\n", usage("ipvsadm")),
                "{words:?}"
            );
            assert_eq!(e.code, crate::error::USAGE);
        }
    }
}
