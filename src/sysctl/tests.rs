//! `sysctl` on a temporary directory that mimics /proc/sys/net/ipv4/vs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::*;

/// A fresh directory with the given files (name, content, mode).
struct Fake(PathBuf);

impl Fake {
    fn new(tag: &str, files: &[(&str, &str, u32)]) -> Fake {
        let d = std::env::temp_dir().join(format!("ipvsadm-sysctl-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        for (n, v, mode) in files {
            let p = d.join(n);
            fs::write(&p, v).unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(*mode)).unwrap();
        }
        Fake(d)
    }
    fn read(&self, n: &str) -> String {
        fs::read_to_string(self.0.join(n)).unwrap()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn lab(tag: &str) -> Fake {
    Fake::new(
        tag,
        &[
            ("conn_reuse_mode", "1\n", 0o644),
            ("sync_threshold", "3\t50\n", 0o644),
            ("sync_ports", "1\n", 0o644),
            ("amemthresh", "1024\n", 0o444),
            ("brand_new", "7\n", 0o644),
        ],
    )
}

fn out_of(dir: &Path, req: Request, json: bool) -> Result<String, Error> {
    let mut out = Vec::new();
    run(dir, &req, json, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn table_is_sorted_unique_and_one_line() {
    for w in SETTINGS.windows(2) {
        assert!(w[0].name < w[1].name, "{} / {}", w[0].name, w[1].name);
    }
    for s in SETTINGS {
        assert!(
            !s.about.contains('\n') && s.about.len() <= 100,
            "{}",
            s.name
        );
        assert!(short_name(s.name).is_ok());
    }
    for name in [
        "conn_reuse_mode",
        "expire_nodest_conn",
        "expire_quiescent_template",
        "sync_threshold",
        "est_cpulist",
    ] {
        assert!(known(name).is_some(), "{name}");
    }
}

#[test]
fn lists_what_the_directory_has() {
    let f = lab("list");
    let t = out_of(&f.0, Request::List, false).unwrap();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 6, "{t}");
    assert!(lines[0].starts_with("SETTING ") && lines[0].ends_with("DESCRIPTION"));
    assert!(
        lines[1].starts_with("amemthresh       1024   [read-only] free memory"),
        "{t}"
    );
    assert!(
        lines[2].starts_with("brand_new        7      (no description)"),
        "{t}"
    );
    assert!(
        lines[5].starts_with("sync_threshold   3 50   \"T P\""),
        "{t}"
    );
    // Settings the kernel lacks are not listed.
    assert!(!t.contains("est_nice"));
    let j = out_of(&f.0, Request::List, true).unwrap();
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v[1]["name"], "net.ipv4.vs.brand_new");
    assert_eq!(v[1]["description"], serde_json::Value::Null);
    assert_eq!(v[0]["writable"], false);
    assert_eq!(v[4]["value"], "3 50");
}

#[test]
fn gets_one_by_either_name() {
    let f = lab("get");
    for name in ["conn_reuse_mode", "net.ipv4.vs.conn_reuse_mode"] {
        let t = out_of(&f.0, Request::Get(name.into()), false).unwrap();
        assert!(
            t.starts_with("conn_reuse_mode  1  reused client port"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 1);
    }
    let j = out_of(&f.0, Request::Get("sync_ports".into()), true).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&j).unwrap()["value"],
        "1"
    );
    let e = out_of(&f.0, Request::Get("nope".into()), false).unwrap_err();
    assert_eq!(e.code, error::USAGE);
    assert!(e.text.contains("unknown setting `nope'") && e.text.contains("`ipvsadm sysctl' lists"));
    // Known to us, absent from this kernel: said so, not guessed.
    let e = out_of(&f.0, Request::Get("est_nice".into()), false).unwrap_err();
    assert_eq!(
        e.text,
        "sysctl: this kernel has no net.ipv4.vs.est_nice (it needs Linux 6.2 or later)\n"
    );
    for bad in ["../../../etc/passwd", "", "net.ipv4.vs.", "A", "x/y"] {
        let e = out_of(&f.0, Request::Get(bad.into()), false).unwrap_err();
        assert_eq!(e.code, error::USAGE, "{bad}");
    }
}

#[test]
fn sets_after_checking_and_reads_back() {
    let f = lab("set");
    let t = out_of(
        &f.0,
        Request::Set("net.ipv4.vs.conn_reuse_mode".into(), "0".into()),
        false,
    )
    .unwrap();
    assert!(t.starts_with("conn_reuse_mode  0  "), "{t}");
    assert_eq!(f.read("conn_reuse_mode"), "0\n");
    out_of(
        &f.0,
        Request::Set("sync_threshold".into(), " 5,100 ".into()),
        false,
    )
    .unwrap();
    assert_eq!(f.read("sync_threshold"), "5 100\n");
    // Unknown to us but in the kernel: written as given (tidied).
    out_of(&f.0, Request::Set("brand_new".into(), "1  2".into()), false).unwrap();
    assert_eq!(f.read("brand_new"), "1 2\n");
}

#[test]
fn refuses_bad_input_and_writes_nothing() {
    let f = lab("refuse");
    for (name, value, code, text) in [
        ("conn_reuse_mode", "4", 2, "sysctl: invalid value `4' for net.ipv4.vs.conn_reuse_mode: expected an integer from 0 to 3\n"),
        ("conn_reuse_mode", "one", 2, "sysctl: invalid value `one' for net.ipv4.vs.conn_reuse_mode: expected an integer from 0 to 3\n"),
        ("sync_ports", "3", 2, "sysctl: invalid value `3' for net.ipv4.vs.sync_ports: expected a power of two (1, 2, 4, 8, ...)\n"),
        ("sync_threshold", "50 3", 2, "sysctl: invalid value `50 3' for net.ipv4.vs.sync_threshold: expected two integers \"T P\" with 0 <= T < P, or P = 0\n"),
        ("amemthresh", "2048", 1, "sysctl: cannot set net.ipv4.vs.amemthresh: it is read-only\n"),
        ("amemthresh", "-1", 2, "sysctl: invalid value `-1' for net.ipv4.vs.amemthresh: expected an integer of at least 0\n"),
        ("nope", "1", 2, "sysctl: unknown setting `nope'; `ipvsadm sysctl' lists the settings this kernel has\n"),
        ("est_nice", "1", 2, "sysctl: this kernel has no net.ipv4.vs.est_nice (it needs Linux 6.2 or later)\n"),
    ] {
        let e = out_of(&f.0, Request::Set(name.into(), value.into()), false).unwrap_err();
        assert_eq!((e.text.as_str(), e.code), (text, code), "{name}={value}");
    }
    assert_eq!(f.read("conn_reuse_mode"), "1\n");
    assert_eq!(f.read("sync_ports"), "1\n");
    assert_eq!(f.read("sync_threshold"), "3\t50\n");
    assert_eq!(f.read("amemthresh"), "1024\n");
    assert!(!f.0.join("est_nice").exists() && !f.0.join("nope").exists());
}

#[test]
fn kinds_check_values() {
    let ok = |k: Kind, v: &str| k.check(v);
    assert_eq!(ok(Kind::Bool, " 1\n"), Ok("1".into()));
    assert!(ok(Kind::Bool, "2").is_err() && ok(Kind::Bool, "").is_err());
    assert_eq!(ok(Kind::Int(-20, 19), "-20"), Ok("-20".into()));
    assert!(ok(Kind::Int(-20, 19), "20").is_err());
    assert!(ok(Kind::Int(0, i64::MAX), "99999999999999999999").is_err());
    assert_eq!(ok(Kind::PowerOfTwo, "8"), Ok("8".into()));
    assert!(ok(Kind::PowerOfTwo, "0").is_err() && ok(Kind::PowerOfTwo, "6").is_err());
    assert_eq!(ok(Kind::Threshold, "0 0"), Ok("0 0".into()));
    assert_eq!(ok(Kind::Threshold, "7\t0"), Ok("7 0".into()));
    for bad in ["3", "3 3", "-1 5", "1 2 3", "a b"] {
        assert!(ok(Kind::Threshold, bad).is_err(), "{bad}");
    }
    for good in ["", "0", "0-3,8", "all", "0,1-N:1/2", "2-5:1/2"] {
        assert_eq!(ok(Kind::CpuList, good), Ok(good.to_string()), "{good}");
    }
    for bad in ["x", "0-", "1,,2", "0:1/2", "1-3:1", "-1"] {
        assert!(ok(Kind::CpuList, bad).is_err(), "{bad}");
    }
}

#[test]
fn missing_directory_is_an_error() {
    let e = read_all(Path::new("/nonexistent/ipvs")).unwrap_err();
    assert_eq!(e.code, error::SETTING_FAILED);
    assert!(e
        .text
        .starts_with("sysctl: cannot list /nonexistent/ipvs: "));
}
