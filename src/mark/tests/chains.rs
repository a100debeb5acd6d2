//! Chain commands and targets (issue 20) without a kernel: argv →
//! [`execute`] on the in-memory ruleset → batch bytes equal to the ones
//! iptables-nft 1.8.9 sent (tests/fixtures/nft/chains-captured.tsv,
//! chains-traffic.tsv) → `-S`/`-L` text equal to its output
//! (chains-listing-golden.txt).

use super::{argv, fixture, genid_of, hex, run, shell_words, unhex};
use crate::mark::execute;
use crate::mark::expr::Expr;
use crate::mark::grammar::parse;
use crate::mark::mem::MemNetfilter;
use crate::netlink::split;
use crate::nftables::{body_attrs, find};

/// Replays one fixture line's iptables setup; the shell lines (traffic)
/// are left to the caller.
fn setup(nf: &mut MemNetfilter, setup: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for s in setup.split("; ").filter(|s| *s != "-") {
        if !s.starts_with("iptables") && !s.starts_with("ip6tables") {
            continue;
        }
        if let Err(e) = run(nf, &argv(s)) {
            bad.push(format!("setup `{s}` failed: {e}"));
        }
    }
    bad
}

/// Runs `cmd` after `setup`; the batch we sent must be iptables' (a
/// refusal by the kernel, such as EBUSY, still sends it).
fn check_line(nf: &mut MemNetfilter, case: &str, cmd: &str, want: &str) -> Option<String> {
    let want = unhex(want);
    if let Some(g) = want.as_deref().and_then(genid_of) {
        nf.genid = g;
    }
    let before = nf.batches.len();
    let got = run(nf, &argv(cmd));
    match (nf.batches.get(before), want) {
        (Some(g), Some(w)) if *g == w => None,
        (None, None) => None,
        (Some(g), Some(w)) => Some(format!(
            "{case}: batch differs\n want {}\n got  {}",
            hex(&w),
            hex(g)
        )),
        (sent, want) => Some(format!(
            "{case}: result {got:?}, sent {}, iptables sent {}",
            sent.is_some(),
            want.is_some()
        )),
    }
}

#[test]
fn chain_batches_equal_iptables_capture() {
    let text = std::fs::read_to_string(fixture("chains-captured.tsv")).unwrap_or_default();
    let mut ok = 0;
    let mut bad = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let [case, cmd, set, want] = line.split('\t').collect::<Vec<_>>()[..] else {
            bad.push(format!("malformed line {line}"));
            continue;
        };
        let mut nf = MemNetfilter::default();
        bad.extend(setup(&mut nf, set));
        match check_line(&mut nf, case, cmd, want) {
            Some(e) => bad.push(e),
            None => ok += 1,
        }
    }
    assert!(bad.is_empty(), "{ok} ok:\n{}", bad.join("\n"));
    assert!(ok >= 50, "only {ok} fixtures");
}

/// `-Z` after traffic (chains-traffic.tsv): the rules that counted
/// packets — those iptables re-sent, found by their handles in its batch —
/// are re-sent with zero counters, in iptables' order; the others are not.
#[test]
fn zero_after_traffic_equals_iptables_capture() {
    let text = std::fs::read_to_string(fixture("chains-traffic.tsv")).unwrap_or_default();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let [case, cmd, set, want] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("malformed fixture {line}");
        };
        let counted = replaced_handles(want);
        let mut nf = MemNetfilter::default();
        assert_eq!(setup(&mut nf, set), Vec::<String>::new(), "{case}");
        let mut marked = 0;
        for c in nf.v4.state.chains.iter_mut() {
            c.counters = (1, 29);
            for r in c.rules.iter_mut().filter(|r| counted.contains(&r.handle)) {
                for e in r.exprs.iter_mut() {
                    if let Expr::Counter { bytes, packets } = e {
                        (*bytes, *packets) = (29, 1);
                        marked += 1;
                    }
                }
            }
        }
        assert_eq!(marked, counted.len(), "{case}");
        assert_eq!(check_line(&mut nf, case, cmd, want), None);
        let after = nf.v4.state.chains.iter().flat_map(|c| c.rules.iter());
        let nonzero = after
            .flat_map(|r| r.exprs.iter())
            .filter(|e| matches!(e, Expr::Counter { packets, .. } if *packets != 0))
            .count();
        assert_eq!(nonzero, 0, "{case}");
        n += 1;
    }
    assert_eq!(n, 2);
}

/// The handles of the rules a captured batch replaces.
fn replaced_handles(hexbatch: &str) -> Vec<u64> {
    use crate::nftables::attrs::rule::HANDLE;
    use crate::nftables::be_u64;
    let b = unhex(hexbatch).unwrap_or_default();
    split(&b)
        .map_while(Result::ok)
        .filter(|m| m.hdr.ty == (10 << 8) | 6)
        .filter_map(|m| be_u64(find(body_attrs(m.body)?, HANDLE)?))
        .collect()
}

/// The golden rules, added by `execute`, then listed (and zeroed) by
/// `execute`: the output is iptables' own.
#[test]
fn chain_listings_equal_iptables_output() {
    let text = std::fs::read_to_string(fixture("chains-listing-golden.txt")).unwrap_or_default();
    let mut nf = MemNetfilter::default();
    let mut views: Vec<(String, String)> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(r) = line.strip_prefix("+ ") {
            assert_eq!(run(&mut nf, &shell_words(r)), Ok(String::new()), "{r}");
        } else if let Some(v) = line.strip_prefix("=== ") {
            views.push((v.to_string(), String::new()));
        } else if let Some(b) = views.last_mut() {
            b.1.push_str(line);
            b.1.push('\n');
        }
    }
    assert!(views.len() >= 12, "{}", views.len());
    for (view, want) in &views {
        assert_eq!(
            run(&mut nf, &shell_words(view)).as_ref(),
            Ok(want),
            "{view}"
        );
    }
}

/// iptables' refusals of chain commands, from the in-memory ruleset:
/// texts and exit statuses, nothing changed.
#[test]
fn chain_refusals_as_iptables() {
    let mut nf = MemNetfilter::default();
    for s in [
        "-N LVS",
        "-A PREROUTING -j LVS",
        "-A LVS -j MARK --set-mark 1",
    ] {
        assert_eq!(run(&mut nf, &shell_words(s)), Ok(String::new()), "{s}");
    }
    let before = nf.v4.state.clone();
    let cases: &[(&str, &str, i32)] = &[
        ("-N LVS", "iptables: Chain already exists.\n", 1),
        ("-N PREROUTING", "iptables: Chain already exists.\n", 1),
        ("-X NOPE", "iptables: No chain/target/match by that name.\n", 1),
        ("-X LVS", "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain LVS\n", 4),
        ("-X", "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain LVS\n", 4),
        ("-E LVS PREROUTING", "iptables: File exists.\n", 1),
        ("-E NOPE X", "iptables: No chain/target/match by that name.\n", 1),
        ("-Z NOPE", "iptables: No chain/target/match by that name.\n", 1),
        ("-Z NOPE 1", "iptables: Bad rule (does a matching rule exist in that chain?).\n", 1),
        ("-R LVS 2 -j RETURN", "iptables: Index of replacement too big.\n", 1),
        ("-R NOPE 1 -j RETURN", "iptables: No chain/target/match by that name.\n", 1),
        ("-A PREROUTING -j NOPE", "iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist\nTry `iptables -h' or 'iptables --help' for more information.\n", 2),
        ("-N X -p tcp", "iptables v1.8.9 (nf_tables): Illegal option `-p' with this command\nTry `iptables -h' or 'iptables --help' for more information.\n", 2),
        ("-L -S", "iptables v1.8.9 (nf_tables): Cannot use -S with -L\nTry `iptables -h' or 'iptables --help' for more information.\n", 2),
        ("-Z -L LVS -Z", "iptables v1.8.9 (nf_tables): Cannot use -Z with -Z\nTry `iptables -h' or 'iptables --help' for more information.\n", 2),
        ("-A PREROUTING -j DROP", "iptables v1.8.9 (nf_tables): target `DROP': ipvsadm mark never filters: use iptables for DROP, REJECT and QUEUE\nTry `iptables -h' or 'iptables --help' for more information.\n", 2),
    ];
    for (cmd, text, code) in cases {
        let got = parse(&shell_words(cmd))
            .and_then(|c| execute(&c, &mut nf))
            .map_err(|e| (e.text, e.code));
        assert_eq!(got, Err((text.to_string(), *code)), "{cmd}");
        assert_eq!(nf.v4.state, before, "{cmd} changed the ruleset");
    }
}

/// Random command lines made of the chain commands' and targets' words
/// never panic the parser, the planner or the in-memory kernel, whatever
/// the table holds.
#[test]
fn random_chain_command_lines_never_panic() {
    const WORDS: &[&str] = &[
        "-N",
        "-X",
        "-E",
        "-Z",
        "-R",
        "-L",
        "-S",
        "-A",
        "-I",
        "-D",
        "-C",
        "-F",
        "-v",
        "-n",
        "-x",
        "-g",
        "-j",
        "LVS",
        "L2",
        "PREROUTING",
        "OUTPUT",
        "1",
        "2",
        "0",
        "CONNMARK",
        "MARK",
        "ACCEPT",
        "RETURN",
        "--save-mark",
        "--restore-mark",
        "--set-mark",
        "--and-mark",
        "--mask",
        "--nfmask",
        "--ctmask",
        "--left-shift-mark",
        "5/7",
        "0xff",
        "33",
        "-p",
        "udp",
        "--sport",
        "4:3",
        "!",
        "-6",
        "--line-numbers",
        "",
        "-XLVS",
        "-ZLVS",
        "-LZ",
    ];
    let mut rng = crate::testkit::Rng(0x5EED_C4A1_2026_0020);
    let mut nf = MemNetfilter::default();
    for s in [
        "-N LVS",
        "-A PREROUTING -j LVS",
        "-A LVS -j CONNMARK --save-mark",
    ] {
        assert_eq!(run(&mut nf, &shell_words(s)), Ok(String::new()), "{s}");
    }
    let mut ran = 0;
    for _ in 0..4000 {
        let n = 1 + rng.below(8);
        let argv: Vec<String> = (0..n)
            .map(|_| WORDS[rng.below(WORDS.len())].to_string())
            .collect();
        if run(&mut nf, &argv).is_ok() {
            ran += 1;
        }
    }
    assert!(ran > 50, "{ran}");
}

/// Mutated chain batches never panic the decoders and printers.
#[test]
fn mutated_chain_batches_never_panic() {
    use crate::mark::expr::decode_list;
    use crate::mark::plan::{ChainState, StoredRule, TableState};
    use crate::mark::print;
    use crate::mark::rule::{Family, Rule};
    use crate::nftables::attrs::rule::EXPRESSIONS;
    let text = std::fs::read_to_string(fixture("chains-captured.tsv")).unwrap_or_default();
    let seeds: Vec<Vec<u8>> = text
        .lines()
        .filter_map(|l| l.split('\t').nth(3))
        .filter_map(unhex)
        .collect();
    assert!(seeds.len() > 40);
    let mut rng = crate::testkit::Rng(0xC0FF_EE00_2026_0020);
    for _ in 0..3000 {
        let mut b = seeds[rng.below(seeds.len())].clone();
        for _ in 0..rng.below(8) {
            if b.is_empty() {
                break;
            }
            let i = rng.below(b.len());
            b[i] = rng.next() as u8;
        }
        for m in split(&b).map_while(Result::ok) {
            let Some(exprs) = body_attrs(m.body)
                .and_then(|a| find(a, EXPRESSIONS))
                .map(decode_list)
            else {
                continue;
            };
            for fam in [Family::V4, Family::V6] {
                if let Some((r, _)) = Rule::from_exprs(fam, &exprs) {
                    let _ = print::save_rule("LVS", &r, Some((1, 2)));
                    let _ = print::notable(&r);
                }
                let st = TableState {
                    exists: true,
                    chains: vec![ChainState {
                        name: "LVS".into(),
                        rules: vec![StoredRule {
                            handle: 1,
                            exprs: exprs.clone(),
                            userdata: None,
                        }],
                        ..Default::default()
                    }],
                };
                let opts = crate::mark::grammar::ListOpts {
                    verbose: true,
                    ..Default::default()
                };
                let _ = print::list(&st, fam, None, None, &opts);
            }
        }
    }
}
