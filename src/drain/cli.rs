//! `ipvsadm drain`'s command line:
//! `[-t|-u|--sctp-service SERVICE | -f FWMARK [-6]] -r SERVER[:PORT]
//! [--timeout SECS] [--interval SECS] [--keep] [--dry-run] [-n]`,
//! or `-h`/`--help`. Service and server addresses are read with ipvsadm's
//! own `parse_service` (host names, `[v6]:port`, named ports).

use std::time::Duration;

use lexopt::Arg::{Long, Short};

use crate::cli::{self, Parsed};
use crate::error::Error;
use crate::grammar::addr::{self, AddrFields, SvcParse};
use crate::grammar::resolve::{Resolver, SystemResolver};
use crate::model::{ServiceKey, AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};

/// The poll interval when `--interval` is not given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);
/// The shortest poll interval accepted.
const MIN_INTERVAL: Duration = Duration::from_millis(50);

/// The real server to drain: an address, and a port or every port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    pub af: u16,
    /// Only the family's bytes are set.
    pub addr: [u8; 16],
    /// `None`: that address on every port.
    pub port: Option<u16>,
}

/// The arguments of `drain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The one service, or `None`: every service that has the server.
    pub service: Option<ServiceKey>,
    pub server: Server,
    pub timeout: Option<Duration>,
    pub interval: Duration,
    pub keep: bool,
    pub dry_run: bool,
    pub numeric: bool,
}

/// The usage line (also the first line of `--help`).
pub fn usage(argv0: &str) -> String {
    format!(
        "Usage: {argv0} drain [-t|-u|--sctp-service SERVICE | -f FWMARK [-6]] -r SERVER[:PORT]\n\
         \x20      [--timeout SECS] [--interval SECS] [--keep] [--dry-run] [-n]"
    )
}

/// The `--help` text.
pub fn help(argv0: &str) -> String {
    format!(
        "{}\n\n\
         Take a real server out gently: set its weight to 0 at once (no new\n\
         connections; persistence templates are honoured as the kernel does),\n\
         wait until its ActiveConn, InActConn and persistence templates reach\n\
         zero, then delete it. Without a service, the server is drained from\n\
         every service that has it; without a port, on every port.\n\n\
         Options:\n  \
         -t, --tcp-service ADDR[:PORT]   the TCP service (no port: port 0)\n  \
         -u, --udp-service ADDR[:PORT]   the UDP service\n  \
         --sctp-service ADDR[:PORT]      the SCTP service\n  \
         -f, --fwmark-service MARK       the firewall-mark service\n  \
         -6, --ipv6                      with -f: the fwmark service is IPv6\n  \
         -r, --real-server ADDR[:PORT]   the real server (required)\n  \
         --timeout SECS                  give up after SECS: weight stays 0, status 4\n  \
         --interval SECS                 poll every SECS (default 1)\n  \
         --keep                          stop at weight 0 once drained, don't delete\n  \
         --dry-run                       say what would be done, change nothing\n  \
         -n, --numeric                   numeric addresses and ports\n  \
         -h, --help                      show this help\n\n\
         When drain stops before deleting (--timeout, --keep, Ctrl-C, SIGTERM), it\n\
         prints on stdout the command that puts each server's weight back.\n\
         Exit status: 0 done, 1 a kernel request failed, 2 usage, 3 no such service\n\
         or server, 4 timed out, 5 someone else changed or removed a server,\n\
         130 interrupted (SIGINT), 143 terminated (SIGTERM).\n",
        usage(argv0)
    )
}

/// Seconds as a duration: a positive decimal number.
fn seconds(v: &str) -> Option<Duration> {
    let s: f64 = v.trim().parse().ok()?;
    if !(s.is_finite() && s > 0.0 && s < 1e9) {
        return None;
    }
    Some(Duration::from_secs_f64(s))
}

/// A service address (`-t`/`-u`/`--sctp-service`); no port means port 0
/// (a persistent service of every port), as in ipvsadm.
fn service_addr(v: &str, protocol: u16, r: &dyn Resolver) -> Option<ServiceKey> {
    let mut t = AddrFields {
        af: AF_INET,
        addr: [0; 16],
        port: 0,
        netmask: 0,
    };
    match addr::parse_service(v, protocol, &mut t, r) {
        SvcParse::Failed => None,
        _ => Some(ServiceKey::Addr {
            af: t.af,
            protocol,
            addr: only_family(t.af, t.addr),
            port: t.port,
        }),
    }
}

/// A real server address; `protocol` names the port table for a named
/// port (TCP when no service is given).
fn server_addr(v: &str, protocol: u16, r: &dyn Resolver) -> Option<Server> {
    let mut t = AddrFields {
        af: AF_INET,
        addr: [0; 16],
        port: 0,
        netmask: 0,
    };
    let port = match addr::parse_service(v, protocol, &mut t, r) {
        SvcParse::Failed => return None,
        SvcParse::Addr => None,
        SvcParse::AddrPort => Some(t.port),
    };
    Some(Server {
        af: t.af,
        addr: only_family(t.af, t.addr),
        port,
    })
}

fn only_family(af: u16, mut addr: [u8; 16]) -> [u8; 16] {
    if af != AF_INET6 {
        addr[4..].fill(0);
    }
    addr
}

/// The service options as given, before the address is read.
enum SvcArg {
    Addr(u16, String),
    Mark(String),
}

/// Read the words after `drain`.
pub fn parse(argv0: &str, args: &[String]) -> Result<Parsed<Args>, Error> {
    parse_with(argv0, args, &SystemResolver)
}

/// [`parse`] with a given resolver (tests use a fixed one).
pub fn parse_with(argv0: &str, args: &[String], r: &dyn Resolver) -> Result<Parsed<Args>, Error> {
    let prefix = format!("{argv0} drain");
    let fail = |reason: &str| cli::usage_error(&prefix, reason, &usage(argv0));
    let mut svc: Option<SvcArg> = None;
    let mut server: Option<String> = None;
    let (mut timeout, mut interval) = (None, DEFAULT_INTERVAL);
    let (mut keep, mut dry_run, mut numeric, mut v6) = (false, false, false, false);
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    while let Some(arg) = p.next().map_err(|e| fail(&cli::reason(&e)))? {
        let value =
            |p: &mut lexopt::Parser| p.value().map(cli::text).map_err(|e| fail(&cli::reason(&e)));
        let given = match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Short('t') | Long("tcp-service") => Some(SvcArg::Addr(IPPROTO_TCP, value(&mut p)?)),
            Short('u') | Long("udp-service") => Some(SvcArg::Addr(IPPROTO_UDP, value(&mut p)?)),
            Long("sctp-service") => Some(SvcArg::Addr(IPPROTO_SCTP, value(&mut p)?)),
            Short('f') | Long("fwmark-service") => Some(SvcArg::Mark(value(&mut p)?)),
            Short('r') | Long("real-server") => {
                server = Some(value(&mut p)?);
                None
            }
            Long(o @ ("timeout" | "interval")) => {
                let o = o.to_string();
                let v = value(&mut p)?;
                let d = seconds(&v)
                    .ok_or_else(|| fail(&format!("--{o} takes a number of seconds, not {v}")))?;
                if o == "timeout" {
                    timeout = Some(d);
                } else {
                    interval = d.max(MIN_INTERVAL);
                }
                None
            }
            Long("keep") => (keep = true, None).1,
            Long("dry-run") => (dry_run = true, None).1,
            Short('n') | Long("numeric") => (numeric = true, None).1,
            Short('6') | Long("ipv6") => (v6 = true, None).1,
            other => {
                let w = cli::word(&other);
                let w = cli::unexpected(&mut p, w);
                return Err(fail(&format!("unexpected argument {w}")));
            }
        };
        if given.is_some() && svc.is_some() {
            return Err(fail("one service at most (-t, -u, --sctp-service or -f)"));
        }
        svc = svc.or(given);
    }
    let (service, protocol) = match svc {
        None if v6 => return Err(fail("-6 goes with -f")),
        None => (None, IPPROTO_TCP),
        Some(SvcArg::Addr(_, _)) if v6 => return Err(fail("-6 goes with -f")),
        Some(SvcArg::Addr(proto, a)) => {
            let k = service_addr(&a, proto, r)
                .ok_or_else(|| fail(&format!("illegal virtual server address {a}")))?;
            (Some(k), proto)
        }
        Some(SvcArg::Mark(m)) => {
            let fwmark = addr::parse_fwmark(&m)
                .ok_or_else(|| fail(&format!("illegal virtual server firewall mark {m}")))?;
            let af = if v6 { AF_INET6 } else { AF_INET };
            (Some(ServiceKey::Fwmark { af, fwmark }), IPPROTO_TCP)
        }
    };
    let server = server.ok_or_else(|| fail("-r SERVER is required"))?;
    let server = server_addr(&server, protocol, r)
        .ok_or_else(|| fail(&format!("illegal real server address {server}")))?;
    Ok(Parsed::Run(Args {
        service,
        server,
        timeout,
        interval,
        keep,
        dry_run,
        numeric,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::resolve::FixedResolver;

    fn p(words: &[&str]) -> Result<Parsed<Args>, Error> {
        let v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let r = FixedResolver {
            hosts: vec![("rs1".into(), [10, 0, 0, 11])],
            services: vec![("http".into(), "tcp".into(), 80)],
        };
        parse_with("ipvsadm", &v, &r)
    }

    fn run(words: &[&str]) -> Args {
        match p(words) {
            Ok(Parsed::Run(a)) => a,
            other => panic!("{words:?}: {other:?}"),
        }
    }

    fn v4(a: [u8; 4]) -> [u8; 16] {
        let mut r = [0; 16];
        r[..4].copy_from_slice(&a);
        r
    }

    #[test]
    fn one_service_and_a_server() {
        let a = run(&["-t", "10.0.0.1:http", "-r", "rs1:8080", "--keep"]);
        assert_eq!(
            a.service,
            Some(ServiceKey::Addr {
                af: AF_INET,
                protocol: IPPROTO_TCP,
                addr: v4([10, 0, 0, 1]),
                port: 80
            })
        );
        assert_eq!(
            a.server,
            Server {
                af: AF_INET,
                addr: v4([10, 0, 0, 11]),
                port: Some(8080)
            }
        );
        assert!(a.keep && !a.dry_run && !a.numeric);
        assert_eq!((a.timeout, a.interval), (None, DEFAULT_INTERVAL));
        let a = run(&["-f", "7", "-6", "-r", "[2001:db8::2]:80", "--dry-run", "-n"]);
        assert_eq!(
            a.service,
            Some(ServiceKey::Fwmark {
                af: AF_INET6,
                fwmark: 7
            })
        );
        assert_eq!(a.server.af, AF_INET6);
        assert!(a.dry_run && a.numeric);
        let a = run(&["--udp-service", "10.0.0.1", "-r", "10.0.0.2"]);
        assert!(matches!(
            a.service,
            Some(ServiceKey::Addr {
                protocol: IPPROTO_UDP,
                port: 0,
                ..
            })
        ));
        assert_eq!(a.server.port, None);
    }

    #[test]
    fn server_alone_and_durations() {
        let a = run(&["-r", "10.0.0.2", "--timeout", "2.5", "--interval=0.01"]);
        assert_eq!(a.service, None);
        assert_eq!(a.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(a.interval, MIN_INTERVAL);
        assert_eq!(p(&["-r", "x", "-h"]).unwrap(), Parsed::Help);
    }

    #[test]
    fn errors_say_what_and_show_the_usage() {
        let u = usage("ipvsadm");
        for (words, reason) in [
            (&["-t", "10.0.0.1:80"][..], "-r SERVER is required"),
            (&["-r", "nohost"][..], "illegal real server address nohost"),
            (
                &["-t", "1:2:3", "-r", "10.0.0.2"][..],
                "illegal virtual server address 1:2:3",
            ),
            (
                &["-f", "0", "-r", "10.0.0.2"][..],
                "illegal virtual server firewall mark 0",
            ),
            (
                &["-t", "10.0.0.1:80", "-f", "1", "-r", "10.0.0.2"][..],
                "one service at most (-t, -u, --sctp-service or -f)",
            ),
            (&["-6", "-r", "10.0.0.2"][..], "-6 goes with -f"),
            (
                &["-r", "10.0.0.2", "--timeout", "0"][..],
                "--timeout takes a number of seconds, not 0",
            ),
            (
                &["-r", "10.0.0.2", "--interval", "x"][..],
                "--interval takes a number of seconds, not x",
            ),
            (
                &["-r", "10.0.0.2", "--keep=1"][..],
                "unexpected argument --keep=1",
            ),
            (
                &["-r", "10.0.0.2", "extra"][..],
                "unexpected argument extra",
            ),
            (&["-r"][..], "-r needs a value"),
        ] {
            let e = p(words).unwrap_err();
            assert_eq!(e.code, 2, "{words:?}");
            assert_eq!(
                e.text,
                format!("ipvsadm drain: {reason}\n{u}\n"),
                "{words:?}"
            );
        }
        assert!(help("ipvsadm").starts_with(&format!("{u}\n\n")));
    }
}
