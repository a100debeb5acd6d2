//! In-guest tests of `ipvsadm sysctl`: the listing against the kernel's
//! own /proc/sys/net/ipv4/vs, a set read back through /proc, refusals
//! that write nothing, and `--netns` acting in the named namespace only.
//! Each test works in a fresh network namespace (IPVS settings are per
//! namespace), so nothing leaks into other tests.

use std::path::Path;

use crate::support::{self, text, Exit};

const DIR: &str = "/proc/sys/net/ipv4/vs";

/// Run ours; (exit, stdout, stderr).
fn ours(args: &[&str]) -> (Exit, String, String) {
    let o = support::our_ipvsadm(args);
    (o.exit, text(&o.stdout), text(&o.stderr))
}

/// A setting's value as /proc shows it.
fn proc_value(name: &str) -> String {
    std::fs::read_to_string(Path::new(DIR).join(name))
        .unwrap_or_else(|e| panic!("read {name}: {e}"))
        .trim_end()
        .to_string()
}

/// Make sure ip_vs is loaded (the settings exist in every namespace then).
fn load_ip_vs() {
    let o = support::real_ipvsadm(&["-L", "-n"]);
    assert_eq!(o.exit, Exit::Code(0), "{o:?}");
}

#[test]
#[ignore = "guest lab"]
fn sysctl_lists_the_kernels_settings() {
    support::require_guest();
    support::in_netns(|| {
        load_ip_vs();
        let (exit, out, err) = ours(&["sysctl"]);
        assert_eq!(exit, Exit::Code(0), "{err}");
        let mut names: Vec<String> = std::fs::read_dir(DIR)
            .expect("list the kernel's settings")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("SETTING") && lines[0].ends_with("DESCRIPTION"));
        assert_eq!(lines.len(), names.len() + 1, "{out}");
        for (line, name) in lines[1..].iter().zip(&names) {
            let w: Vec<&str> = line.split_whitespace().collect();
            let value = proc_value(name);
            let value: Vec<&str> = value.split_whitespace().collect();
            assert_eq!(w[0], name, "{out}");
            assert_eq!(&w[1..1 + value.len()], &value[..], "{line}");
            // Every setting of the 6.1 kernel is in our table.
            assert!(!line.contains("(no description)"), "{line}");
        }
        // Not guessed: the lab kernel has no est_nice (6.2+) and no
        // lblc_expiration (its scheduler module is not loaded).
        assert!(!out.contains("est_nice") && !out.contains("lblc_expiration"));
        let (exit, _, err) = ours(&["sysctl", "est_nice"]);
        assert_eq!(exit, Exit::Code(2));
        assert_eq!(
            err,
            "sysctl: this kernel has no net.ipv4.vs.est_nice (it needs Linux 6.2 or later)\n"
        );
        let (exit, json, _) = ours(&["sysctl", "--json"]);
        assert_eq!(exit, Exit::Code(0));
        assert!(json.starts_with("[{\"name\":\"net.ipv4.vs.am_droprate\",\"value\":\"10\","));
        assert_eq!(json.matches("\"name\":").count(), names.len());
    });
}

#[test]
#[ignore = "guest lab"]
fn sysctl_sets_and_reads_back() {
    support::require_guest();
    support::in_netns(|| {
        load_ip_vs();
        assert_eq!(proc_value("conn_reuse_mode"), "1");
        let (exit, out, err) = ours(&["sysctl", "conn_reuse_mode=0"]);
        assert_eq!(exit, Exit::Code(0), "{err}");
        assert!(
            out.starts_with("conn_reuse_mode  0  reused client port"),
            "{out}"
        );
        assert_eq!(proc_value("conn_reuse_mode"), "0");
        let (_, out, _) = ours(&["sysctl", "net.ipv4.vs.conn_reuse_mode"]);
        assert!(out.starts_with("conn_reuse_mode  0  "), "{out}");
        let (exit, out, err) = ours(&["sysctl", "net.ipv4.vs.sync_threshold=5 100"]);
        assert_eq!(exit, Exit::Code(0), "{err}");
        assert!(out.starts_with("sync_threshold  5 100  "), "{out}");
        assert_eq!(proc_value("sync_threshold"), "5\t100");
        let (exit, _, err) = ours(&["sysctl", "expire_nodest_conn=1"]);
        assert_eq!(exit, Exit::Code(0), "{err}");
        assert_eq!(proc_value("expire_nodest_conn"), "1");
    });
}

#[test]
#[ignore = "guest lab"]
fn sysctl_refusals_write_nothing() {
    support::require_guest();
    support::in_netns(|| {
        load_ip_vs();
        let before: Vec<(&str, String)> = [
            "conn_reuse_mode",
            "sync_ports",
            "sync_threshold",
            "backup_only",
        ]
        .into_iter()
        .map(|n| (n, proc_value(n)))
        .collect();
        for (arg, code, msg) in [
            ("conn_reuse_mode=4", 2, "expected an integer from 0 to 3"),
            ("sync_ports=3", 2, "expected a power of two"),
            ("sync_threshold=50 3", 2, "0 <= T < P"),
            ("backup_only=yes", 2, "expected 0 or 1"),
            ("no_such_thing=1", 2, "unknown setting `no_such_thing'"),
            ("../../kernel/hostname=x", 2, "unknown setting"),
        ] {
            let (exit, out, err) = ours(&["sysctl", arg]);
            assert_eq!(exit, Exit::Code(code), "{arg}: {err}");
            assert!(err.contains(msg), "{arg}: {err}");
            assert!(out.is_empty(), "{arg}: {out}");
        }
        // A read-only /proc/sys (as in many containers): refused before
        // writing, status 1.
        let script = format!(
            "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec {} sysctl backup_only=1",
            support::ours()
        );
        let o = support::run(
            Path::new("/usr/bin/unshare"),
            "unshare",
            &["-m".into(), "/bin/sh".into(), "-c".into(), script],
            None,
        );
        assert_eq!(o.exit, Exit::Code(1), "{o:?}");
        assert_eq!(
            text(&o.stderr),
            "sysctl: cannot set net.ipv4.vs.backup_only: it is not writable here (Read-only file system)\n"
        );
        // Not root: the kernel's permission check says no.
        let o = support::sh(&format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups {} sysctl sync_retries=2",
            support::ours_for_nobody()
        ));
        assert_eq!(o.exit, Exit::Code(1), "{o:?}");
        assert!(
            text(&o.stderr).contains("not writable here (Permission denied)"),
            "{o:?}"
        );
        for (n, v) in before {
            assert_eq!(proc_value(n), v, "{n} changed");
        }
        assert_eq!(proc_value("sync_retries"), "0");
    });
}

#[test]
#[ignore = "guest lab"]
fn sysctl_netns_acts_in_the_named_namespace_only() {
    support::require_guest();
    support::in_netns(|| {
        load_ip_vs();
        let o = support::sh("ip netns add sysns1");
        assert_eq!(o.exit, Exit::Code(0), "{o:?}");
        let (exit, out, err) = ours(&["--netns", "sysns1", "sysctl", "conn_reuse_mode=0"]);
        assert_eq!(exit, Exit::Code(0), "{err}");
        assert!(out.starts_with("conn_reuse_mode  0"), "{out}");
        let inside = support::sh("ip netns exec sysns1 cat /proc/sys/net/ipv4/vs/conn_reuse_mode");
        assert_eq!(text(&inside.stdout), "0\n");
        assert_eq!(proc_value("conn_reuse_mode"), "1", "changed outside sysns1");
        let (_, out, _) = ours(&["sysctl", "conn_reuse_mode", "--netns=sysns1"]);
        assert!(out.starts_with("conn_reuse_mode  0"), "{out}");
        let (_, out, _) = ours(&["sysctl", "conn_reuse_mode"]);
        assert!(out.starts_with("conn_reuse_mode  1"), "{out}");
        let _ = support::sh("ip netns del sysns1");
    });
}

/// The completions offer the setting names of the running kernel (the
/// host, where the docs tests run, usually has no ip_vs).
#[test]
#[ignore = "guest lab"]
fn sysctl_names_complete_from_the_kernel() {
    support::require_guest();
    support::in_netns(|| {
        load_ip_vs();
        let root = env!("CARGO_MANIFEST_DIR");
        // bash's process substitution needs /dev/fd, which the guest's
        // minimal /dev lacks.
        let _ = support::sh("[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd");
        let bash = support::sh(&format!(
            "cd {root} && bash -c 'source completions/ipvsadm.bash; \
             COMP_WORDS=(ipvsadm sysctl sync_t); COMP_CWORD=2; _ipvsadm; \
             printf \"%s\\n\" \"${{COMPREPLY[@]}}\"'"
        ));
        assert_eq!(text(&bash.stdout), "sync_threshold\n", "{bash:?}");
        let fish = support::sh(&format!(
            "cd {root} && h=$(mktemp -d) && XDG_CONFIG_HOME=$h/c XDG_DATA_HOME=$h/d \
             XDG_CACHE_HOME=$h/k fish -c \"source completions/ipvsadm.fish; \
             complete -C'ipvsadm sysctl conn_'\""
        ));
        let got = text(&fish.stdout);
        assert_eq!(
            got.lines().next().and_then(|l| l.split('\t').next()),
            Some("conn_reuse_mode"),
            "{fish:?}"
        );
    });
}

/// Without ip_vs the settings do not exist: `sysctl` loads it as every
/// command does, or says it cannot.
#[test]
#[ignore = "guest lab"]
fn sysctl_loads_ip_vs_or_says_it_cannot() {
    support::require_guest();
    if !support::unload_ip_vs() {
        eprintln!("sysctl_loads_ip_vs_or_says_it_cannot: ip_vs is in use, cannot unload: SKIPPED");
        return;
    }
    assert!(!Path::new(DIR).exists());
    // No module to be found, and the kernel's own autoload off: an error.
    let restore = support::AutoloadOff::new();
    let o = support::sh(&format!(
        "unshare -m sh -c 'mount -t tmpfs none /lib/modules && exec {} sysctl' 2>&1",
        support::ours()
    ));
    assert_eq!(o.exit, Exit::Code(2), "{o:?}");
    assert!(
        text(&o.stdout).contains("Can't initialize ipvs: Protocol not available\n"),
        "{o:?}"
    );
    drop(restore);
    assert!(!Path::new(DIR).exists());
    // With the modules there: loaded, then listed.
    let (exit, out, err) = ours(&["sysctl", "sync_version"]);
    assert_eq!(exit, Exit::Code(0), "{err}");
    assert!(out.starts_with("sync_version  1  "), "{out}");
    assert!(Path::new(DIR).is_dir());
}
