//! The table-driven grammar: `-V` and `-h` where they stand as options,
//! and `-h` printed from the option table.

use super::shell_words;
use crate::mark::grammar::options::OPTIONS;
use crate::mark::grammar::{parse_args, Parsed};
use crate::mark::plan::Cmd;
use crate::mark::rule::Match;

fn parsed(line: &str) -> Result<Parsed, (String, i32)> {
    parse_args(&shell_words(line)).map_err(|e| (e.text, e.code))
}

fn print(text: &str) -> Result<Parsed, (String, i32)> {
    Ok(Parsed::Print(text.to_string()))
}

#[test]
fn version_only_as_an_option() {
    let v4 = "iptables v1.8.9 (nf_tables)\n";
    for line in [
        "-V",
        "--version",
        "-nV",
        "-Vn",
        "-V5",
        "-A PREROUTING -V",
        // The table is looked up only at the end, as iptables does.
        "-t nat -V",
    ] {
        assert_eq!(parsed(line), print(v4), "{line}");
    }
    assert_eq!(parsed("! -V"), print("Not 1.8.9 (nf_tables) ;-)\n"));
    assert_eq!(parsed("-6 -V"), print("ip6tables v1.8.9 (nf_tables)\n"));
    // A value that looks like -V is a value.
    let Ok(Parsed::Run(c)) = parsed("-A PREROUTING -j MARK --set-mark 1 -m comment --comment -V")
    else {
        panic!("not a command");
    };
    let Cmd::Append { rules, .. } = &c.cmd else {
        panic!("not -A");
    };
    assert_eq!(rules[0].matches, vec![Match::Comment("-V".into())]);
    // Errors of the options before it come first, as in iptables.
    assert_eq!(
        parsed("-p bogus -V").map_err(|e| e.1),
        Err(2),
        "-p bogus -V"
    );
}

#[test]
fn help_anywhere_as_an_option() {
    let Ok(Parsed::Print(h)) = parsed("-h") else {
        panic!("-h");
    };
    assert!(h.starts_with("iptables v1.8.9 (nf_tables)\n\nUsage: ipvsadm mark"));
    for line in [
        "--help",
        "-A PREROUTING -p tcp -h",
        "-nh",
        "-j MARK -h",
        "! -h",
        "-t nat -h",
    ] {
        assert_eq!(parsed(line), print(&h), "{line}");
    }
    let Ok(Parsed::Print(h6)) = parsed("-6 -h") else {
        panic!("-6 -h");
    };
    assert!(h6.starts_with("ip6tables v1.8.9"));
    // As a value, -h is a value (here a chain name iptables does not know).
    assert!(matches!(
        parsed("-A -h -j MARK --set-mark 1"),
        Ok(Parsed::Run(_))
    ));
}

#[test]
fn help_names_every_option_of_the_table() {
    let Ok(Parsed::Print(h)) = parsed("-h") else {
        panic!("-h");
    };
    let words: Vec<&str> = h.split_whitespace().collect();
    for o in OPTIONS {
        for s in o.spellings() {
            assert!(words.contains(&s.as_str()), "-h lacks {s}");
        }
        assert!(h.contains(o.help), "-h lacks {:?}", o.help);
    }
}

/// iptables' PARAMETER_PROBLEM text.
fn problem(msg: &str) -> Result<Parsed, (String, i32)> {
    Err((
        format!(
            "iptables v1.8.9 (nf_tables): {msg}\nTry `iptables -h' or 'iptables --help' for more information.\n"
        ),
        2,
    ))
}

/// Which of several mistakes is reported: as iptables 1.8.9 reports it
/// (outputs taken from iptables in a fresh network namespace).
#[test]
fn first_error_as_iptables() {
    let no_table = Err((
        "iptables v1.8.9 (nf_tables): table 'bogus' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n".to_string(),
        3,
    ));
    assert_eq!(
        parsed("-t bogus -A PREROUTING -j MARK --set-mark 1"),
        no_table
    );
    assert_eq!(parsed("-t mangle -t bogus -L"), no_table);
    assert!(matches!(
        parsed("-t bogus -t mangle -L"),
        Ok(Parsed::Run(_))
    ));
    assert_eq!(
        parsed("-t bogus -p bogus -A PREROUTING"),
        problem("unknown protocol \"bogus\" specified")
    );
    assert_eq!(parsed("-t bogus"), problem("no command specified"));
    assert_eq!(
        parsed("-t bogus -L -s 1.2.3.4"),
        problem("Illegal option `-s' with this command")
    );
    assert_eq!(
        parsed("-t bogus -A OUTPUT -i eth0"),
        problem("Can't use -i with OUTPUT\n")
    );
    assert_eq!(
        parsed("-A OUTPUT -i eth0 -p tcp -m udp"),
        problem("Can't use -i with OUTPUT\n")
    );
    let no_comment = problem("comment: option \"--comment\" must be specified\n");
    assert_eq!(parsed("-t bogus -A PREROUTING -m comment"), no_comment);
    assert_eq!(parsed("-A OUTPUT -p tcp -m udp -m comment"), no_comment);
    assert_eq!(
        parsed("-t bogus -A OUTPUT -j MARK"),
        problem("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required")
    );
    // Listing builds no rule, so tcp's protocol is not asked for.
    assert!(matches!(parsed("-L -m tcp"), Ok(Parsed::Run(_))));
}
