//! Pure tests of `ipvsadm mark`: listings against iptables' golden output
//! (no kernel: rules go through our planner into a simulated table), and
//! randomized no-panic tests of the parsers of untrusted input.

use super::shell_words;
use crate::mark::expr::{decode_list, Expr};
use crate::mark::grammar::parse;
use crate::mark::mem::apply;
use crate::mark::plan::{encode_batch, plan, ChainState, Cmd, StoredRule, TableState};
use crate::mark::print;
use crate::mark::rule::{Family, Rule};
use crate::netlink::split;
use crate::nftables::attrs::rule::EXPRESSIONS;
use crate::nftables::{body_attrs, find};

/// -S and -L (numeric) of the rules in listing-golden.txt equal iptables'.
#[test]
fn listings_match_iptables_golden() {
    let path = format!(
        "{}/tests/fixtures/nft/listing-golden.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("golden file");
    let mut v4 = (TableState::default(), 1u64);
    let mut v6 = (TableState::default(), 1u64);
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("+ ") {
            let c = parse(&shell_words(r)).expect("rule parses");
            let (st, h) = if c.family == Family::V6 {
                &mut v6
            } else {
                &mut v4
            };
            let ops = plan(&c.cmd, st, c.family).expect("plan");
            apply(st, &ops, h);
        } else if let Some(v) = line.strip_prefix("=== ") {
            blocks.push((v.to_string(), String::new()));
        } else if let Some(b) = blocks.last_mut() {
            b.1.push_str(line);
            b.1.push('\n');
        }
    }
    assert_eq!(blocks.len(), 8);
    for (view, want) in &blocks {
        let c = parse(&shell_words(view)).expect("view parses");
        let st = if c.family == Family::V6 { &v6.0 } else { &v4.0 };
        let got = match &c.cmd {
            Cmd::ListRules { chain, num } => {
                print::list_rules(st, c.family, chain.as_deref(), *num, c.opts.verbose)
            }
            Cmd::List { chain, num } => print::list(st, c.family, chain.as_deref(), *num, &c.opts),
            _ => panic!("not a listing"),
        };
        assert_eq!(&got, want, "view `{view}`");
    }
}

use crate::testkit::Rng;

/// Mutated real batches and random bytes never panic the decoders, the rule
/// parser or the printers, and re-encoding never panics either.
#[test]
fn decoders_never_panic() {
    let path = format!(
        "{}/tests/fixtures/nft/captured.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixtures");
    let seeds: Vec<Vec<u8>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(3))
        .filter_map(|h| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .collect();
    assert!(!seeds.is_empty());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..3000 {
        let mut b = if round % 10 == 0 {
            (0..rng.below(600))
                .map(|_| rng.next() as u8)
                .collect::<Vec<u8>>()
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        for _ in 0..rng.below(8) {
            if b.is_empty() {
                break;
            }
            let i = rng.below(b.len());
            match rng.below(3) {
                0 => b[i] = rng.next() as u8,
                1 => b.truncate(i),
                _ => b.insert(i, rng.next() as u8),
            }
        }
        for m in split(&b).map_while(Result::ok) {
            let attrs = body_attrs(m.body).unwrap_or(&[]);
            let exprs: Vec<Expr> = find(attrs, EXPRESSIONS)
                .map(decode_list)
                .unwrap_or_default();
            for fam in [Family::V4, Family::V6] {
                if let Some((r, _)) = Rule::from_exprs(fam, &exprs) {
                    let _ = r.to_exprs();
                    let _ = print::save_rule("X", &r, Some((1, 2)));
                }
                let st = TableState {
                    exists: true,
                    chains: vec![ChainState {
                        name: "PREROUTING".into(),
                        base: None,
                        policy: Some(1),
                        counters: (0, 0),
                        rules: vec![StoredRule {
                            handle: 1,
                            exprs: exprs.clone(),
                            userdata: None,
                        }],
                        ..Default::default()
                    }],
                };
                let _ = print::list_rules(&st, fam, None, None, true);
                let opts = crate::mark::grammar::ListOpts {
                    numeric: true,
                    verbose: true,
                    exact: false,
                    line_numbers: true,
                };
                let _ = print::list(&st, fam, None, None, &opts);
                let ops = plan(
                    &Cmd::DeleteNum {
                        chain: "PREROUTING".into(),
                        num: 1,
                    },
                    &st,
                    fam,
                )
                .expect("rule 1 exists");
                let _ = encode_batch(&ops, fam, 1, 1);
            }
        }
    }
}

/// Random command lines from iptables' vocabulary never panic the parser.
#[test]
fn grammar_never_panics() {
    const WORDS: &[&str] = &[
        "-A",
        "-I",
        "-D",
        "-C",
        "-F",
        "-S",
        "-L",
        "-P",
        "-t",
        "mangle",
        "nat",
        "-4",
        "-6",
        "--ipv6",
        "PREROUTING",
        "OUTPUT",
        "FOO",
        "1",
        "0",
        "99999",
        // -s/-d only with numeric values: host names would mean DNS queries.
        "-s1.2.3.4",
        "--destination=10.0.0.0/8",
        "-d1.2.3.4/255.0.255.0",
        "--src=2001:db8::/64",
        "-d::1,::2",
        "::1",
        "-p",
        "tcp",
        "udp",
        "sctp",
        "all",
        "47",
        "!",
        "-i",
        "-o",
        "eth+",
        "+",
        "--sport",
        "--dport",
        "80",
        "1:2",
        ":3",
        "4:",
        "-m",
        "multiport",
        "comment",
        "tcp",
        "--dports",
        "--sports",
        "--ports",
        "80,443:445",
        "--comment",
        "x y",
        "-j",
        "MARK",
        "ACCEPT",
        "--set-mark",
        "--set-xmark",
        "--and-mark",
        "--or-mark",
        "--xor-mark",
        "0x6/0xff",
        "-1",
        "-n",
        "-v",
        "-x",
        "--line-numbers",
        "-nvL",
        "--list=PREROUTING",
        "--",
        "",
        "-Z",
        "--bogus",
        "DROP",
        "-",
        "--set-mark=1",
    ];
    let mut rng = Rng(42);
    for _ in 0..20000 {
        let n = rng.below(12);
        let args: Vec<String> = (0..n)
            .map(|_| WORDS[rng.below(WORDS.len())].to_string())
            .collect();
        if let Ok(c) = parse(&args) {
            let st = TableState::default();
            if let Ok(ops) = plan(&c.cmd, &st, c.family) {
                let _ = encode_batch(&ops, c.family, 1, 1);
            }
        }
    }
}
