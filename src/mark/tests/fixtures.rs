//! Byte-for-byte comparison of our nf_tables batches with the ones
//! iptables-nft 1.8.9 sent for the same commands (captured with strace in
//! fresh network namespaces; see tests/fixtures/nft/README.md).

use super::{fixture, genid_of, hex, shell_words, unhex};
use crate::mark::expr::{decode_list, Expr};
use crate::mark::grammar::{parse, Command};
use crate::mark::mem::apply;
use crate::mark::plan::{encode_batch, plan, Cmd, TableState};
use crate::mark::rule::{Family, Rule};
use crate::netlink::split;
use crate::nftables::attrs::rule::EXPRESSIONS;
use crate::nftables::{body_attrs, find};

/// iptables/ip6tables command line → our parsed command.
fn ours(cmdline: &str) -> Result<Command, String> {
    let mut w = shell_words(cmdline);
    let prog = w.remove(0);
    if prog == "ip6tables" {
        w.insert(0, "-6".into());
    }
    parse(&w).map_err(|e| e.text)
}

struct Sim {
    v4: (TableState, u64),
    v6: (TableState, u64),
}

impl Sim {
    fn new() -> Self {
        Sim {
            v4: (TableState::default(), 1),
            v6: (TableState::default(), 1),
        }
    }
    fn get(&mut self, f: Family) -> &mut (TableState, u64) {
        match f {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        }
    }
    /// Plans a command; Ok(batch) or Err(no batch).
    fn run(&mut self, cmdline: &str, genid: u32) -> Result<Vec<u8>, String> {
        let c = ours(cmdline)?;
        let (state, next) = self.get(c.family);
        let ops = plan(&c.cmd, state, c.family).map_err(|e| e.text)?;
        let batch = encode_batch(&ops, c.family, genid, 1).map_err(|e| e.to_string())?;
        apply(state, &ops, next);
        Ok(batch)
    }
}

fn check_file(path: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("fixture file");
    let mut ok = 0;
    let mut bad = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (case, cmd, setup, want) = (cols[0], cols[1], cols[2], cols[3]);
        let mut sim = Sim::new();
        if setup != "-" {
            for s in setup.split("; ") {
                if let Err(e) = sim.run(s, 1) {
                    bad.push(format!("{case}: setup `{s}` failed: {e}"));
                }
            }
        }
        let want_bytes = unhex(want);
        let genid = want_bytes
            .as_deref()
            .map(|b| genid_of(b).unwrap_or(0))
            .unwrap_or(1);
        let got = sim.run(cmd, genid);
        match (got, want_bytes) {
            (Ok(g), Some(w)) if g == w => ok += 1,
            (Err(_), None) => ok += 1,
            (Ok(g), Some(w)) => {
                let at = g
                    .iter()
                    .zip(&w)
                    .position(|(a, b)| a != b)
                    .unwrap_or(g.len().min(w.len()));
                bad.push(format!(
                    "{case}: batch differs at byte {at}\n want {}\n got  {}",
                    hex(&w[at.saturating_sub(16)..]),
                    hex(&g[at.saturating_sub(16)..])
                ))
            }
            (Ok(g), None) => bad.push(format!(
                "{case}: we sent a batch, iptables did not: {}",
                hex(&g)
            )),
            (Err(e), Some(_)) => bad.push(format!("{case}: we refused: {e}")),
        }
    }
    (ok, bad)
}

#[test]
fn shared_fixtures_byte_identical() {
    let (ok, bad) = check_file(&fixture("iptables-nft-1.8.9-mark-batches.tsv"));
    assert!(
        bad.is_empty(),
        "{ok} ok, {} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert_eq!(ok, 48);
}

#[test]
fn captured_fixtures_byte_identical() {
    let (ok, bad) = check_file(&fixture("captured.tsv"));
    assert!(
        bad.is_empty(),
        "{ok} ok, {} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(ok >= 60, "only {ok} fixtures");
}

/// Every NEWRULE in every fixture parses back into a rule that encodes to the
/// very same expressions (dump → rule → expressions round trip).
#[test]
fn dumped_rules_round_trip() {
    let mut n = 0;
    for f in ["iptables-nft-1.8.9-mark-batches.tsv", "captured.tsv"] {
        let text = std::fs::read_to_string(fixture(f)).expect("fixture file");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            let Some(b) = unhex(cols[3]) else { continue };
            for m in split(&b).map_while(Result::ok) {
                if m.hdr.ty != (10 << 8) | 6 {
                    continue;
                }
                let fam = if m.body.first() == Some(&10) {
                    Family::V6
                } else {
                    Family::V4
                };
                let attrs = body_attrs(m.body).unwrap_or(&[]);
                let exprs: Vec<Expr> = decode_list(find(attrs, EXPRESSIONS).expect("expressions"));
                let (rule, _) = Rule::from_exprs(fam, &exprs)
                    .unwrap_or_else(|| panic!("{}: unparsed", cols[0]));
                assert_eq!(rule.to_exprs(), exprs, "{}", cols[0]);
                n += 1;
            }
        }
    }
    assert!(n > 80, "{n}");
}

#[test]
fn parsed_rule_equals_dumped_rule() {
    // What -C/-D compare: the command-line rule equals the dumped one.
    let text = std::fs::read_to_string(fixture("captured.tsv")).expect("fixture file");
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let Ok(c) = ours(cols[1]) else { continue };
        let Cmd::Append { rules, .. } = &c.cmd else {
            continue;
        };
        let Some(b) = unhex(cols[3]) else { continue };
        let dumped: Vec<Rule> = split(&b)
            .map_while(Result::ok)
            .filter(|m| m.hdr.ty == (10 << 8) | 6)
            .filter_map(|m| {
                let attrs = body_attrs(m.body)?;
                Rule::from_exprs(c.family, &decode_list(find(attrs, EXPRESSIONS)?)).map(|r| r.0)
            })
            .collect();
        assert_eq!(&dumped, rules, "{}", cols[0]);
    }
}
