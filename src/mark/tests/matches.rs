//! Issue 20's matches without a kernel: each captured iptables-nft 1.8.9
//! command (tests/fixtures/nft/matches-cases.tsv) goes argv → execute on
//! the in-memory ruleset; the batch must equal the one iptables sent
//! (matches-captured.tsv) and `-S` / `-L -n -v -x` the text it printed
//! (matches-listing.txt). Plus the codecs' round trips and refusals.

use super::{argv, fixture, genid_of, hex, unhex};
use crate::mark::expr::decode_list;
use crate::mark::grammar::parse;
use crate::mark::mem::MemNetfilter;
use crate::mark::rule::{Family, Rule};
use crate::netlink::split;
use crate::nftables::attrs::rule::EXPRESSIONS;
use crate::nftables::{body_attrs, find};

/// [`run`](super::run) on words given as `&str`.
fn run(nf: &mut MemNetfilter, args: &[&str]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    super::run(nf, &args)
}

/// The listing blocks of matches-listing.txt, by case.
fn listings() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixture("matches-listing.txt")).expect("listing file");
    text.split("== ")
        .skip(1)
        .filter_map(|b| {
            let (case, body) = b.split_once('\n')?;
            Some((case.to_string(), body.to_string()))
        })
        .collect()
}

#[test]
fn batches_and_listings_equal_iptables() {
    let cases = std::fs::read_to_string(fixture("matches-captured.tsv")).expect("captures");
    let lists = listings();
    let mut n = 0;
    for line in cases.lines().filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (case, cmd, want) = (cols[0], cols[1], cols[3]);
        let want = unhex(want).expect("hex batch");
        let mut nf = MemNetfilter {
            genid: genid_of(&want).expect("genid"),
            ..MemNetfilter::default()
        };
        let a = argv(cmd);
        let words: Vec<&str> = a.iter().map(String::as_str).collect();
        run(&mut nf, &words).unwrap_or_else(|e| panic!("{case}: {e}"));
        let got = nf.batches.last().expect("a batch");
        assert_eq!(hex(got), hex(&want), "{case}: batch");
        let six: &[&str] = if cmd.starts_with("ip6tables") {
            &["-6"]
        } else {
            &[]
        };
        let s = run(&mut nf, &[six, &["-S"]].concat()).expect("-S");
        let l = run(&mut nf, &[six, &["-L", "-n", "-v", "-x"]].concat()).expect("-L");
        let (_, text) = lists.iter().find(|(c, _)| c == case).expect("listing");
        assert_eq!(format!("{s}{l}"), *text, "{case}: listing");
        n += 1;
    }
    assert_eq!(n, 27);
}

/// Every captured rule parses back to a rule that encodes to the same
/// expressions, and equals the rule our grammar builds from its command.
#[test]
fn captured_rules_round_trip() {
    let cases = std::fs::read_to_string(fixture("matches-captured.tsv")).expect("captures");
    for line in cases.lines().filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let b = unhex(cols[3]).expect("hex");
        let fam = if cols[1].starts_with("ip6") {
            Family::V6
        } else {
            Family::V4
        };
        let c = parse(&argv(cols[1])).expect("parses");
        let crate::mark::plan::Cmd::Append { rules, .. } = &c.cmd else {
            panic!("{}: not -A", cols[0]);
        };
        for m in split(&b).map_while(Result::ok) {
            if m.hdr.ty != (10 << 8) | 6 {
                continue;
            }
            let attrs = body_attrs(m.body).expect("attrs");
            let exprs = decode_list(find(attrs, EXPRESSIONS).expect("exprs"));
            let (rule, _) = Rule::from_exprs(fam, &exprs).expect(cols[0]);
            assert_eq!(rule.to_exprs(), exprs, "{}", cols[0]);
            assert_eq!(Some(&rule), rules.first(), "{}", cols[0]);
        }
    }
}

/// Bad values: iptables' texts and PARAMETER_PROBLEM (2).
#[test]
fn refusals() {
    let cases: &[(&str, &str)] = &[
        ("-m mark", "mark: option \"--mark\" must be specified\n"),
        (
            "-m mark --mark 1/2/3",
            "mark: trailing garbage after value for option \"--mark\".\n",
        ),
        ("-m state --state SNAT", "Bad state \"SNAT\""),
        ("-m conntrack", "conntrack: At least one option is required"),
        (
            "-m conntrack ! --ctdir REPLY",
            "conntrack: option \"--ctdir\" cannot be inverted.\n",
        ),
        (
            "-m iprange --src-range 1.2.3.4-x",
            "iprange: Bad value for \"--src-range\" option: \"x\"",
        ),
        ("-m addrtype --src-type FOO", "addrtype: bad type \"FOO\""),
        (
            "-p icmp --icmp-type echo",
            "Ambiguous ICMP type `echo': `echo-reply' or `echo-request'?",
        ),
        ("-p tcp --tcp-flags SYN", "--tcp-flags requires two args."),
        (
            "-p sctp --chunk-types any INIT:T",
            "Invalid flags for chunk type 1",
        ),
        ("! -m mark --mark 1", "unexpected ! flag before --match"),
    ];
    for (rule, msg) in cases {
        let mut args = vec!["-A", "PREROUTING"];
        args.extend(rule.split(' '));
        args.extend(["-j", "MARK", "--set-mark", "1"]);
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let e = parse(&args).expect_err(rule);
        assert_eq!(e.code, 2, "{rule}");
        let want = format!(
            "iptables v1.8.9 (nf_tables): {msg}\nTry `iptables -h' or 'iptables --help' for more information.\n"
        );
        assert_eq!(e.text, want, "{rule}");
    }
}

/// `mark -h` lists every match module.
#[test]
fn help_lists_the_matches() {
    let c = parse(&["-h".to_string()]).expect_err("prints");
    for m in crate::mark::grammar::options::MODULES {
        let title = format!("{} match options (-m {}):", m.name(), m.name());
        assert!(c.text.contains(&title), "{title}");
    }
}

/// Any dumped info bytes (of the right size or not) list without panic,
/// and a match the codecs cannot read falls back to its name.
#[test]
fn codecs_never_panic_on_kernel_bytes() {
    use crate::mark::matches::{print, save, CODECS};
    let mut x: u32 = 0x1234_5678;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    };
    for c in CODECS {
        for len in [0, 1, c.size - 1, c.size, c.size + 8] {
            for _ in 0..100 {
                let info: Vec<u8> = (0..len).map(|_| next()).collect();
                for fam in [Family::V4, Family::V6] {
                    let _ = save(c.xt_name, c.rev, &info, fam);
                    let _ = print(c.xt_name, c.rev, &info, fam, true);
                    // (conntrack's names are reverse lookups: numeric only)
                    if c.xt_name != "conntrack" {
                        let _ = print(c.xt_name, c.rev, &info, fam, false);
                    }
                }
            }
        }
    }
    // sctp and tcp decode through the rule model.
    for _ in 0..500 {
        let info: Vec<u8> = (0..296).map(|_| next()).collect();
        let e = crate::mark::expr::Expr::Match {
            name: "sctp".into(),
            rev: 0,
            info,
        };
        if let Some((r, _)) = Rule::from_exprs(Family::V4, &[e]) {
            let _ = crate::mark::print::save_rule("X", &r, None);
        }
    }
}

/// getopt's abbreviations name the same rule as the whole option names;
/// ambiguous ones are unknown.
#[test]
fn abbreviations() {
    let p = |s: &str| {
        let a: Vec<String> = s.split(' ').map(str::to_string).collect();
        parse(&a).map(|c| c.cmd).map_err(|e| e.text)
    };
    let same = [
        (
            "-A X --des 1.2.3.4 -p tcp --dp 80 --sy",
            "-A X -d 1.2.3.4 -p tcp --dport 80 --syn",
        ),
        (
            "-A X -m conntrack --ctdi REPLY",
            "-A X -m conntrack --ctdir REPLY",
        ),
        (
            "-A X -m iprange --src-ra 1.1.1.1-1.1.1.2",
            "-A X -m iprange --src-range 1.1.1.1-1.1.1.2",
        ),
        ("-A X -j MARK --set-m 2", "-A X -j MARK --set-mark 2"),
    ];
    for (short, long) in same {
        assert_eq!(p(short), p(long), "{short}");
    }
    // --ctstate or --ctstatus?
    let e = p("-A X -m conntrack --ctsta NEW").expect_err("ambiguous");
    assert!(e.contains("unknown option \"--ctsta\""), "{e}");
}
