//! The command lines of `ipvsadm realserver` and `ipvsadm director`:
//! `--vip VIP [--dev DEV] [--undo]`, or `-h`/`--help`.

use std::net::IpAddr;

use lexopt::Arg::{Long, Short};

use super::{Role, Setup};
use crate::cli::{self, Parsed};
use crate::error::Error;

impl Role {
    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::RealServer => "realserver",
            Role::Director => "director",
        }
    }
}

/// The usage line (also the first line of `--help`).
pub fn usage(role: Role) -> &'static str {
    match role {
        Role::RealServer => "Usage: ipvsadm realserver --vip VIP [--dev DEV] [--undo]",
        Role::Director => "Usage: ipvsadm director --vip VIP --dev DEV [--undo]",
    }
}

/// The `--help` text.
pub fn help(role: Role) -> String {
    let what = match role {
        Role::RealServer => {
            "Prepare this host as an LVS-DR real server: arp_ignore=1 and\n\
             arp_announce=2 (IPv4 VIPs) and VIP/32 (or /128) on DEV (default lo).\n"
        }
        Role::Director => {
            "Prepare this host as an LVS-DR director: VIP/32 (or /128) on DEV,\n\
             labelled DEV:0.\n"
        }
    };
    format!(
        "{}\n\n{what}\n\
         Options:\n  \
         --vip VIP   the virtual IP address (IPv4 or IPv6)\n  \
         --dev DEV   the network device\n  \
         --undo      restore what was there before the first run\n  \
         -h, --help  show this help\n",
        usage(role)
    )
}

/// Read the words after `realserver` / `director`.
pub fn parse(role: Role, args: &[String]) -> Result<Parsed<Setup>, Error> {
    let name = role.name();
    let fail = |reason: &str| cli::usage_error(name, reason, usage(role));
    let mut vip = None;
    let mut dev = None;
    let mut undo = false;
    let mut p = lexopt::Parser::from_args(args.iter().cloned());
    while let Some(arg) = p.next().map_err(|e| fail(&cli::reason(&e)))? {
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Long("vip") => {
                let v = p.value().map_err(|_| fail("--vip needs a value"))?;
                let v = cli::text(v);
                let ip = v.parse::<IpAddr>();
                vip = Some(ip.map_err(|_| Error::usage(format!("{name}: invalid VIP `{v}'")))?);
            }
            Long("dev") => {
                let v = p.value().map_err(|_| fail("--dev needs a value"))?;
                dev = Some(cli::text(v));
            }
            Long("undo") => undo = true,
            other => {
                let word = cli::word(&other);
                let word = cli::unexpected(&mut p, word);
                return Err(fail(&format!("unexpected argument {word}")));
            }
        }
    }
    let vip = vip.ok_or_else(|| fail("--vip is required"))?;
    let dev = match (role, dev) {
        (_, Some(d)) => d,
        (Role::RealServer, None) => "lo".to_string(),
        (Role::Director, None) => return Err(fail("--dev is required")),
    };
    if dev.is_empty() || dev.len() > 15 || dev.contains('/') || dev == "." || dev == ".." {
        return Err(Error::usage(format!("{name}: invalid device name `{dev}'")));
    }
    Ok(Parsed::Run(Setup {
        role,
        vip,
        dev,
        undo,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, words: &[&str]) -> Result<Parsed<Setup>, Error> {
        let v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        parse(role, &v)
    }

    #[test]
    fn help_for_both_roles() {
        for role in [Role::RealServer, Role::Director] {
            assert_eq!(p(role, &["--help"]).unwrap(), Parsed::Help);
            assert_eq!(p(role, &["-h"]).unwrap(), Parsed::Help);
            assert_eq!(
                p(role, &["--vip", "1.2.3.4", "--help"]).unwrap(),
                Parsed::Help
            );
            let h = help(role);
            assert!(h.starts_with(&format!("{}\n\n", usage(role))), "{h}");
            assert!(h.ends_with("-h, --help  show this help\n"));
        }
    }

    #[test]
    fn error_texts() {
        let rs = "Usage: ipvsadm realserver --vip VIP [--dev DEV] [--undo]";
        let dr = "Usage: ipvsadm director --vip VIP --dev DEV [--undo]";
        for (role, words, text) in [
            (
                Role::RealServer,
                &["--vip"][..],
                format!("realserver: --vip needs a value\n{rs}\n"),
            ),
            (
                Role::RealServer,
                &["--dev"][..],
                format!("realserver: --dev needs a value\n{rs}\n"),
            ),
            (
                Role::RealServer,
                &[][..],
                format!("realserver: --vip is required\n{rs}\n"),
            ),
            (
                Role::Director,
                &["--vip", "1.2.3.4"][..],
                format!("director: --dev is required\n{dr}\n"),
            ),
            (
                Role::RealServer,
                &["--vip", "x"][..],
                "realserver: invalid VIP `x'\n".into(),
            ),
            (
                Role::RealServer,
                &["--vip", "1.2.3.4", "x"][..],
                format!("realserver: unexpected argument x\n{rs}\n"),
            ),
            (
                Role::RealServer,
                &["--undo=1"][..],
                format!("realserver: unexpected argument --undo=1\n{rs}\n"),
            ),
            (
                Role::RealServer,
                &["--vip=1.2.3.4", "--bogus=1"][..],
                format!("realserver: unexpected argument --bogus=1\n{rs}\n"),
            ),
            (
                Role::Director,
                &["--vip", "::1", "--dev", "."][..],
                "director: invalid device name `.'\n".into(),
            ),
        ] {
            let e = p(role, words).unwrap_err();
            assert_eq!((e.text.as_str(), e.code), (text.as_str(), 2), "{words:?}");
        }
    }
}
