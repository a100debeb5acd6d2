//! argv → rule → batch bytes → listing through [`execute`] on the in-memory
//! ruleset: the batches must equal the ones iptables-nft 1.8.9 sent
//! (../shared/fixtures), and the listings the ones it printed.

use super::{argv, genid_of, hex, run, shell_words, unhex};
use crate::mark::execute;
use crate::mark::grammar::parse;
use crate::mark::mem::MemNetfilter;
use crate::mark::netfilter::CommitError;
use crate::mark::sock::ERESTART;

/// The shared capture next to the checkout, else its copy in
/// tests/fixtures/nft (a clone elsewhere has no ../shared).
fn shared_fixtures() -> String {
    let shared = format!(
        "{}/../shared/fixtures/iptables-nft-1.8.9-mark-batches.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::path::Path::new(&shared).exists() {
        shared
    } else {
        super::fixture("iptables-nft-1.8.9-mark-batches.tsv")
    }
}

fn check_batches(path: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut ok = 0;
    let mut bad = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [case, cmd, setup, want] = cols[..] else {
            bad.push(format!("malformed line {line}"));
            continue;
        };
        let mut nf = MemNetfilter::default();
        for s in setup.split("; ").filter(|s| *s != "-") {
            if let Err(e) = run(&mut nf, &argv(s)) {
                bad.push(format!("{case}: setup `{s}` failed: {e}"));
            }
        }
        let want = unhex(want);
        // The capture's generation id is whatever the kernel had then.
        if let Some(g) = want.as_deref().and_then(genid_of) {
            nf.genid = g;
        }
        let before = nf.batches.len();
        let got = run(&mut nf, &argv(cmd));
        let sent = nf.batches.get(before);
        match (got, sent, want) {
            (Ok(_), Some(g), Some(w)) if *g == w => ok += 1,
            (Err(_), None, None) => ok += 1,
            (Ok(_), Some(g), Some(w)) => bad.push(format!(
                "{case}: batch differs\n want {}\n got  {}",
                hex(&w),
                hex(g)
            )),
            (got, sent, want) => bad.push(format!(
                "{case}: result {got:?}, sent {}, iptables sent {}",
                sent.is_some(),
                want.is_some()
            )),
        }
    }
    (ok, bad)
}

#[test]
fn argv_to_batch_equals_iptables_capture() {
    let (ok, bad) = check_batches(&shared_fixtures());
    assert!(bad.is_empty(), "{ok} ok:\n{}", bad.join("\n"));
    assert_eq!(ok, 48);
    let (ok, bad) = check_batches(&super::fixture("captured.tsv"));
    assert!(bad.is_empty(), "{ok} ok:\n{}", bad.join("\n"));
    assert!(ok >= 60, "only {ok} fixtures");
}

/// The golden rules, added by `execute`, then listed by `execute`: the
/// output is iptables' own.
#[test]
fn argv_to_listing_equals_iptables_output() {
    let text = std::fs::read_to_string(super::fixture("listing-golden.txt")).unwrap_or_default();
    let mut nf = MemNetfilter::default();
    let mut views: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("+ ") {
            assert_eq!(run(&mut nf, &shell_words(r)), Ok(String::new()), "{r}");
        } else if let Some(v) = line.strip_prefix("=== ") {
            views.push((v.to_string(), String::new()));
        } else if let Some(b) = views.last_mut() {
            b.1.push_str(line);
            b.1.push('\n');
        }
    }
    assert_eq!(views.len(), 8);
    for (view, want) in &views {
        assert_eq!(
            run(&mut nf, &shell_words(view)).as_ref(),
            Ok(want),
            "{view}"
        );
    }
}

/// `-v` echoes the rule, `-F -v` names each flushed chain.
#[test]
fn verbose_output() {
    let mut nf = MemNetfilter::default();
    let a = shell_words("-v -A PREROUTING -p tcp --dport 80 -j MARK --set-mark 1");
    let out = run(&mut nf, &a).unwrap_or_default();
    assert!(out.contains("MARK"), "{out}");
    let out = run(&mut nf, &shell_words("-F -v")).unwrap_or_default();
    assert!(out.starts_with("Flushing chain `PREROUTING'\n"), "{out}");
}

/// A refused op is reported as iptables does (exit 4, naming the op); a
/// stale generation id is retried; an unknown refusal is the plain text.
#[test]
fn refusals_as_iptables_reports_them() {
    let mut nf = MemNetfilter::default();
    let a = shell_words("-A PREROUTING -j MARK --set-mark 1");
    nf.refuse = Some(CommitError {
        errno: libc::ENOENT,
        op: Some(2),
    });
    let c = parse(&a).map_err(|e| (e.text, e.code));
    let e = c.and_then(|c| execute(&c, &mut nf).map_err(|e| (e.text, e.code)));
    assert_eq!(
        e,
        Err(("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain PREROUTING\n".into(), 4))
    );
    nf.refuse = Some(CommitError {
        errno: ERESTART,
        op: None,
    });
    assert_eq!(run(&mut nf, &a), Ok(String::new()));
    assert_eq!(
        nf.v4.state.chain("PREROUTING").map(|c| c.rules.len()),
        Some(1)
    );
    nf.refuse = Some(CommitError {
        errno: libc::EPERM,
        op: None,
    });
    assert_eq!(
        run(&mut nf, &a),
        Err("iptables: Permission denied (you must be root).\n".into())
    );
}
