//! `ipvsadm realserver` and `ipvsadm director`: the host preparation the
//! LVS-DR recipe does by hand with `sysctl` and `ip addr`, done over
//! rtnetlink (neli) and /proc/sys, idempotently, with `--undo` restoring
//! what was there before.
//!
//! - `realserver --vip VIP [--dev lo] [--undo]`: `arp_ignore=1` and
//!   `arp_announce=2` on `all` and the device (IPv4 VIPs), VIP/32 (or /128)
//!   on the device.
//! - `director --vip VIP --dev DEV [--undo]`: VIP/32 (or /128) on DEV with
//!   the alias label `DEV:0`.
//!
//! What was there before is kept in a state file under /run/ipvsadm-rs,
//! keyed by network namespace, device and VIP; a second run keeps the
//! first run's record, so `--undo` always returns to the original state.

use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::MetadataExt;

use neli::{
    consts::{
        nl::NlmF,
        rtnl::{Ifa, RtAddrFamily, RtScope, Rtm},
        socket::NlFamily,
    },
    err::RouterError,
    nl::NlPayload,
    router::synchronous::NlRouter,
    rtnl::{Ifaddrmsg, IfaddrmsgBuilder, RtattrBuilder},
    types::RtBuffer,
    utils::Groups,
};

use crate::cli::Parsed;
use crate::error::{self, Error};
use crate::kernel::errors::{io_strerror, strerror};

pub mod cli;

/// Which host role to prepare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    RealServer,
    Director,
}

/// A parsed `realserver`/`director` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub role: Role,
    pub vip: IpAddr,
    pub dev: String,
    pub undo: bool,
}

/// The sysctls a real server needs, as (path, wanted value).
pub fn realserver_sysctls(dev: &str) -> Vec<(String, &'static str)> {
    let mut v = Vec::new();
    for ifc in ["all", dev] {
        v.push((format!("/proc/sys/net/ipv4/conf/{ifc}/arp_ignore"), "1"));
        v.push((format!("/proc/sys/net/ipv4/conf/{ifc}/arp_announce"), "2"));
    }
    v.dedup();
    v
}

/// The alias label for the director's VIP (`eth1` → `eth1:0`), when it
/// fits the kernel's 15 characters.
pub fn alias_label(dev: &str) -> Option<String> {
    let l = format!("{dev}:0");
    (l.len() <= 15).then_some(l)
}

fn prefix_len(vip: &IpAddr) -> u8 {
    if vip.is_ipv4() {
        32
    } else {
        128
    }
}

fn state_path(s: &Setup) -> String {
    let ns = fs::metadata("/proc/self/ns/net")
        .map(|m| m.ino())
        .unwrap_or(0);
    let role = match s.role {
        Role::RealServer => "realserver",
        Role::Director => "director",
    };
    let dir = std::env::var("IPVSADM_RS_STATE_DIR").unwrap_or_else(|_| "/run/ipvsadm-rs".into());
    format!("{dir}/{role}-{ns}-{}-{}", s.dev, s.vip)
}

/// Serialised "before" state: `sysctl PATH VALUE` and `had-vip yes|no` lines.
fn encode_state(sysctls: &[(String, String)], had_vip: bool) -> String {
    let mut t = String::new();
    for (p, v) in sysctls {
        t += &format!("sysctl {p} {v}\n");
    }
    t += &format!("had-vip {}\n", if had_vip { "yes" } else { "no" });
    t
}

fn decode_state(text: &str) -> (Vec<(String, String)>, bool) {
    let mut sysctls = Vec::new();
    let mut had_vip = false;
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            ["sysctl", p, v] if p.starts_with("/proc/sys/net/") => {
                sysctls.push((p.to_string(), v.to_string()))
            }
            ["had-vip", v] => had_vip = *v == "yes",
            _ => {}
        }
    }
    (sysctls, had_vip)
}

fn ifindex(dev: &str) -> Result<u32, String> {
    let c = std::ffi::CString::new(dev).map_err(|_| format!("invalid device name `{dev}'"))?;
    // SAFETY: c is a valid NUL-terminated string.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if i == 0 {
        return Err(format!("Cannot find device \"{dev}\""));
    }
    Ok(i)
}

fn addr_msg(s: &Setup, index: u32) -> Result<Ifaddrmsg, String> {
    let bytes: Vec<u8> = match s.vip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    let mut attrs = RtBuffer::new();
    for kind in [Ifa::Local, Ifa::Address] {
        attrs.push(
            RtattrBuilder::default()
                .rta_type(kind)
                .rta_payload(bytes.clone())
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    if s.role == Role::Director && s.vip.is_ipv4() {
        if let Some(label) = alias_label(&s.dev) {
            attrs.push(
                RtattrBuilder::default()
                    .rta_type(Ifa::Label)
                    .rta_payload(format!("{label}\0").into_bytes())
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
    }
    IfaddrmsgBuilder::default()
        .ifa_family(if s.vip.is_ipv4() {
            RtAddrFamily::Inet
        } else {
            RtAddrFamily::Inet6
        })
        .ifa_prefixlen(prefix_len(&s.vip))
        .ifa_scope(RtScope::Universe)
        .ifa_index(index)
        .rtattrs(attrs)
        .build()
        .map_err(|e| e.to_string())
}

/// Send one address request and wait for its ACK; Err(errno) on failure.
fn addr_request(rtnl: &NlRouter, kind: Rtm, flags: NlmF, msg: Ifaddrmsg) -> Result<(), i32> {
    let recv = rtnl
        .send::<_, _, Rtm, Ifaddrmsg>(kind, flags | NlmF::ACK, NlPayload::Payload(msg))
        .map_err(|_| libc::EIO)?;
    for r in recv {
        match r {
            Ok(_) => {}
            Err(RouterError::Nlmsgerr(e)) => return Err(e.error().abs()),
            Err(_) => return Err(libc::EIO),
        }
    }
    Ok(())
}

/// Whether the VIP is already on the device (a dump of its addresses).
fn has_vip(rtnl: &NlRouter, s: &Setup, index: u32) -> Result<bool, String> {
    let msg = IfaddrmsgBuilder::default()
        .ifa_family(if s.vip.is_ipv4() {
            RtAddrFamily::Inet
        } else {
            RtAddrFamily::Inet6
        })
        .ifa_prefixlen(0)
        .ifa_scope(RtScope::Universe)
        .ifa_index(0)
        .build()
        .map_err(|e| e.to_string())?;
    let recv = rtnl
        .send::<_, _, Rtm, Ifaddrmsg>(Rtm::Getaddr, NlmF::DUMP, NlPayload::Payload(msg))
        .map_err(|e| e.to_string())?;
    let want: Vec<u8> = match s.vip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    let mut found = false;
    for r in recv {
        let h = r.map_err(|e| e.to_string())?;
        if let NlPayload::Payload(p) = h.nl_payload() {
            if *p.ifa_index() != index || *p.ifa_prefixlen() != prefix_len(&s.vip) {
                continue;
            }
            for a in p.rtattrs().iter() {
                if (*a.rta_type() == Ifa::Local || *a.rta_type() == Ifa::Address)
                    && a.rta_payload().as_ref() == want.as_slice()
                {
                    found = true;
                }
            }
        }
    }
    Ok(found)
}

fn read_sysctl(p: &str) -> Result<String, String> {
    fs::read_to_string(p)
        .map(|v| v.trim().to_string())
        .map_err(|e| format!("cannot read {p}: {}", io_strerror(&e)))
}

fn write_sysctl(p: &str, v: &str) -> Result<(), String> {
    fs::write(p, v).map_err(|e| format!("cannot write {p}: {}", io_strerror(&e)))
}

/// Carry out a setup (or its undo). Returns messages for stderr on failure.
pub fn run(s: &Setup) -> Result<(), String> {
    let index = ifindex(&s.dev)?;
    let (rtnl, _) = NlRouter::connect(NlFamily::Route, None, Groups::empty())
        .map_err(|e| format!("cannot open rtnetlink: {e}"))?;
    let state = state_path(s);
    let present = has_vip(&rtnl, s, index)?;
    let sysctls = if s.role == Role::RealServer && s.vip.is_ipv4() {
        realserver_sysctls(&s.dev)
    } else {
        Vec::new()
    };
    if s.undo {
        let (before, had_vip) = match fs::read_to_string(&state) {
            Ok(t) => decode_state(&t),
            // Nothing recorded: undo means "no VIP, sysctls as they are".
            Err(_) => (Vec::new(), false),
        };
        for (p, v) in &before {
            write_sysctl(p, v)?;
        }
        if present && !had_vip {
            addr_request(&rtnl, Rtm::Deladdr, NlmF::empty(), addr_msg(s, index)?)
                .map_err(|e| format!("cannot remove {} from {}: {}", s.vip, s.dev, strerror(e)))?;
        }
        let _ = fs::remove_file(&state);
        return Ok(());
    }
    if fs::metadata(&state).is_err() {
        let mut before = Vec::new();
        for (p, _) in &sysctls {
            before.push((p.clone(), read_sysctl(p)?));
        }
        if let Some(dir) = std::path::Path::new(&state).parent() {
            let _ = fs::create_dir_all(dir);
        }
        fs::write(&state, encode_state(&before, present))
            .map_err(|e| format!("cannot write {state}: {e}"))?;
    }
    for (p, v) in &sysctls {
        write_sysctl(p, v)?;
    }
    if !present {
        addr_request(
            &rtnl,
            Rtm::Newaddr,
            NlmF::CREATE | NlmF::EXCL,
            addr_msg(s, index)?,
        )
        .or_else(|e| if e == libc::EEXIST { Ok(()) } else { Err(e) })
        .map_err(|e| format!("cannot add {} to {}: {}", s.vip, s.dev, strerror(e)))?;
    }
    Ok(())
}

/// Entry point for `ipvsadm realserver|director …` (`-h`/`--help`: the
/// usage on `out`).
pub fn main(role: Role, args: &[String], out: &mut dyn std::io::Write) -> Result<(), Error> {
    let setup = match cli::parse(role, args)? {
        Parsed::Help => return crate::cli::print_help(out, &cli::help(role)),
        Parsed::Run(s) => s,
    };
    run(&setup).map_err(|m| Error::line(m, error::SETUP_FAILED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    /// The command line's setup (these tests never ask for help).
    fn parse(role: Role, args: &[String]) -> Result<Setup, Error> {
        match cli::parse(role, args)? {
            Parsed::Run(s) => Ok(s),
            Parsed::Help => Err(Error::status(crate::error::OK)),
        }
    }

    #[test]
    fn parses_both_roles() {
        let s = parse(Role::RealServer, &v(&["--vip", "172.16.2.100"])).unwrap();
        assert_eq!(s.dev, "lo");
        assert!(!s.undo);
        let s = parse(
            Role::Director,
            &v(&["--vip=172.16.2.100", "--dev", "eth1", "--undo"]),
        )
        .unwrap();
        assert_eq!(s.dev, "eth1");
        assert!(s.undo);
        assert!(parse(Role::Director, &v(&["--vip", "172.16.2.100"])).is_err());
        assert!(parse(Role::RealServer, &v(&["--vip", "nope"])).is_err());
        assert!(parse(Role::RealServer, &v(&["--vip"])).is_err());
        assert!(parse(Role::RealServer, &v(&["--vip", "1.2.3.4", "x"])).is_err());
        assert!(parse(Role::RealServer, &v(&["--vip", "1.2.3.4", "--dev", "../x"])).is_err());
    }

    #[test]
    fn help_goes_to_stdout_with_success() {
        for role in [Role::RealServer, Role::Director] {
            for word in ["--help", "-h"] {
                let mut out = Vec::new();
                assert_eq!(main(role, &v(&[word]), &mut out), Ok(()));
                assert_eq!(String::from_utf8_lossy(&out), cli::help(role));
            }
            let e = main(role, &v(&["--vip"]), &mut Vec::new()).unwrap_err();
            assert_eq!(e.code, error::USAGE);
        }
    }

    #[test]
    fn state_round_trips() {
        let before = vec![(
            "/proc/sys/net/ipv4/conf/all/arp_ignore".to_string(),
            "0".to_string(),
        )];
        let (s, had) = decode_state(&encode_state(&before, true));
        assert_eq!(s, before);
        assert!(had);
        // Only net sysctls are ever written back.
        let (s, _) = decode_state("sysctl /etc/passwd x\nhad-vip no\n");
        assert!(s.is_empty());
    }

    #[test]
    fn sysctls_and_labels() {
        assert_eq!(realserver_sysctls("lo").len(), 4);
        assert_eq!(alias_label("eth1").as_deref(), Some("eth1:0"));
        assert_eq!(alias_label("abcdefghijklmno"), None);
    }
}
