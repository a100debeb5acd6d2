//! `--netns NAME|PATH`: run any command inside another network namespace
//! without `ip netns exec`. A NAME is looked up under `/run/netns` (where
//! `ip netns add` puts them); anything with a `/` is a path (e.g.
//! `/proc/1234/ns/net`).

use std::fs::File;

use nix::sched::{setns, CloneFlags};

use crate::error::Error;
use crate::kernel::errors::strerror;

/// Remove every `--netns X` / `--netns=X` from `args`; returns the last
/// value given, or a usage error when `--netns` has no value.
pub fn take_netns_arg(args: &mut Vec<String>) -> Result<Option<String>, Error> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--" {
            break;
        }
        if let Some(v) = args[i].strip_prefix("--netns=") {
            found = Some(v.to_string());
            args.remove(i);
        } else if args[i] == "--netns" {
            if i + 1 >= args.len() {
                return Err(Error::usage("--netns: missing argument"));
            }
            found = Some(args.remove(i + 1));
            args.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(found)
}

/// The file of a namespace given by name or path.
pub fn ns_path(spec: &str) -> String {
    if spec.contains('/') {
        spec.to_string()
    } else {
        format!("/run/netns/{spec}")
    }
}

/// Enter the network namespace `spec` (this thread; call before any
/// socket is opened). Failures are usage errors (status 2).
pub fn enter(spec: &str) -> Result<(), Error> {
    let path = ns_path(spec);
    let f = File::open(&path).map_err(|e| {
        Error::usage(format!(
            "Cannot open network namespace \"{spec}\": {}",
            strerror(e.raw_os_error().unwrap_or(libc::EINVAL))
        ))
    })?;
    setns(&f, CloneFlags::CLONE_NEWNET).map_err(|e| {
        Error::usage(format!(
            "setting the network namespace \"{spec}\" failed: {}",
            strerror(e as i32)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn strips_netns_anywhere() {
        let mut a = v(&["-L", "--netns", "lb1", "-n"]);
        assert_eq!(take_netns_arg(&mut a).unwrap(), Some("lb1".into()));
        assert_eq!(a, v(&["-L", "-n"]));
        let mut a = v(&["--netns=/proc/1/ns/net", "mark", "-S"]);
        assert_eq!(
            take_netns_arg(&mut a).unwrap(),
            Some("/proc/1/ns/net".into())
        );
        assert_eq!(a, v(&["mark", "-S"]));
        let mut a = v(&["-L", "--netns"]);
        assert!(take_netns_arg(&mut a).is_err());
        let mut a = v(&["-A", "--", "--netns", "x"]);
        assert_eq!(take_netns_arg(&mut a).unwrap(), None);
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(ns_path("lb1"), "/run/netns/lb1");
        assert_eq!(ns_path("/proc/1/ns/net"), "/proc/1/ns/net");
    }
}
