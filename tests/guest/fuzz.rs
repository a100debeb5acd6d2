//! The differential fuzz: random command lines built from ipvsadm's own
//! tokens (valid, near-valid and garbage), run through Debian's ipvsadm
//! and ours in the guest; stdout, stderr, exit status and the resulting
//! kernel state must match. A fixed seed keeps CI reproducible; set
//! `IPVSADM_FUZZ_CASES` (cases of 6 commands, default 30) and
//! `IPVSADM_FUZZ_SEED` to run more, or other inputs, on demand.

use crate::diff::{self, Case, Invocation};
use crate::support;

use testkit::Rng;

/// The library's test generator, the same source file (the library builds it
/// for its unit tests only).
#[allow(dead_code)]
#[path = "../../src/testkit.rs"]
mod testkit;

const COMMANDS: &[&str] = &[
    "-A",
    "-A",
    "-A",
    "-E",
    "-D",
    "-a",
    "-a",
    "-a",
    "-e",
    "-d",
    "-L",
    "-l",
    "-Z",
    "-S",
    "-C",
    "--set",
    "--add-service",
    "--edit-server",
    "--list",
    "--zero",
    "--save",
    "-Ln",
    "-Sn",
    "--start-daemon",
    "--stop-daemon",
    "-h",
    "-v",
    "-V",
    "-R",
];

/// Service addresses within a narrow range (sorting is well defined there).
const SERVICES: &[&str] = &[
    "-t 10.0.0.1:80",
    "-t 10.0.0.1:80",
    "-t 10.0.0.2:443",
    "-u 10.0.0.1:53",
    "-t 10.0.0.3",
    "--sctp-service 10.0.0.4:9999",
    "-f 1",
    "-f 6",
    "-f 6 -6",
    "-f 0",
    "-t [2001:db8::1]:80",
    "-t [2001:db8::1]",
    "-u [2001:db8::2]:53",
    "-t 10.0.0.1:http",
    "-t localhost:80",
    "-t 10.0.0.1:65536",
    "-t 10.0.0.1:",
    "-t :80",
    "-t 80",
    "-f 4294967295",
    "-f x",
    "--tcp-service=10.0.0.5:80",
    "-t10.0.0.6:80",
    "-f",
];

const REALS: &[&str] = &[
    "-r 127.0.0.2",
    "-r 127.0.0.2:8080",
    "-r 10.1.0.1:80",
    "-r 10.1.0.2",
    "-r [2001:db8::a]:80",
    "-r [2001:db8::b]",
    "-r 224.0.0.1",
    "-r 0.0.0.0",
    "-r 10.1.0.1:x",
    "-r",
    "--real-server=10.1.0.3:80",
];

const OPTIONS: &[&str] = &[
    "-s rr",
    "-s wrr",
    "-s sh",
    "-s mh",
    "-s nosuch",
    "-s ''",
    "-srr",
    "-p",
    "-p 60",
    "-p 0",
    "-p 2678401",
    "-p=30",
    "-M 255.255.255.0",
    "-M 64",
    "-M x",
    "-g",
    "-i",
    "-m",
    "-w 0",
    "-w 5",
    "-w -1",
    "-w 2147483648",
    "-w=3",
    "-x 10",
    "-y 20",
    "-x 5 -y 1",
    "-o",
    "--ops",
    "--pe sip",
    "--pe nope",
    "-b sh-port",
    "-b sh-fallback,sh-port",
    "-b flag-1",
    "-b mh-port",
    "-b bogus",
    "-b ''",
    "-n",
    "-c",
    "--stats",
    "--rate",
    "--thresholds",
    "--persistent-conn",
    "--exact",
    "--sort",
    "--tun-info",
    "--timeout",
    "--daemon",
    "--tun-type gue",
    "--tun-type gre",
    "--tun-type ipip",
    "--tun-type x",
    "--tun-port 6080",
    "--tun-port 0",
    "--tun-csum",
    "--tun-nocsum",
    "--tun-remcsum",
    "-6",
    "--syncid 5",
    "--syncid 256",
    "--mcast-interface lo",
    "--mcast-group 224.0.0.99",
    "--mcast-group ff02::1",
    "--mcast-group 1.2.3.4",
    "--mcast-port 9999",
    "--mcast-ttl 0",
    "--sync-maxlen 1400",
    "master",
    "backup",
    "foo",
    "--",
    "-Q",
    "--bogus",
    "--numeric=1",
    "-X",
    "--weight",
    "900",
    "120",
    "300",
];

fn command_line(r: &mut Rng) -> String {
    let mut words = vec![r.pick(COMMANDS).to_string()];
    if r.below(10) < 8 {
        words.push(r.pick(SERVICES).to_string());
    }
    if r.below(10) < 5 {
        words.push(r.pick(REALS).to_string());
    }
    for _ in 0..r.below(4) {
        words.push(r.pick(OPTIONS).to_string());
    }
    // Now and then, shuffle the order (the command must come first for ipvsadm).
    if r.below(8) == 0 {
        let i = r.below(words.len());
        let j = r.below(words.len());
        words.swap(i, j);
    }
    words.join(" ")
}

/// Generated cases; each starts with a small table so edits and deletes meet real objects.
pub fn cases(seed: u64, n: usize) -> Vec<Case> {
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let mut lines = vec![
                "-A -t 10.0.0.1:80 -s rr".to_string(),
                "-a -t 10.0.0.1:80 -r 127.0.0.2:80 -w 2".to_string(),
                "-A -f 6 -s wlc -p 60".to_string(),
            ];
            for _ in 0..6 {
                lines.push(command_line(&mut r));
            }
            lines.push("-L -n".to_string());
            let commands = lines
                .iter()
                .enumerate()
                .map(|(k, l)| Invocation {
                    args: diff::split_words(l)
                        .map(|w| w.into_iter().map(|(s, _)| s).collect())
                        .unwrap_or_default(),
                    stdin: None,
                    line: k + 1,
                })
                .collect();
            Case {
                name: format!("fuzz-{seed}-{i}"),
                file: "(generated)".into(),
                line: i + 1,
                setup: Vec::new(),
                commands,
            }
        })
        .collect()
}

#[test]
fn generated_lines_are_well_formed_words() {
    let c = cases(7, 20);
    assert_eq!(c.len(), 20);
    assert!(c.iter().all(|c| c.commands.len() == 10));
    assert!(c
        .iter()
        .all(|c| c.commands.iter().all(|i| !i.args.is_empty())));
}

#[test]
#[ignore = "guest lab"]
fn differential_fuzz() {
    support::require_guest();
    let n = std::env::var("IPVSADM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let seed = std::env::var("IPVSADM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1905_2026);
    let cases = cases(seed, n);
    let cfg = diff::Config::new(support::REAL_IPVSADM, support::ours());
    let s = diff::run_cases(&cases, &cfg, &mut |text| {
        if !text.ends_with("... ok\n") {
            print!("{text}");
        }
    });
    // Uncaptured, so the counts show in the suite's output even when all is well.
    crate::announce(&format!(
        "\nfuzz: seed {seed}, {} generated command lines tried, {} matched\n",
        s.commands,
        s.commands - s.mismatches
    ));
    assert_eq!(
        s.failed,
        0,
        "fuzz found differences in: {}",
        s.failed_cases.join(" ")
    );
}
