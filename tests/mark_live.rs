//! Live interoperability tests of `ipvsadm mark` with iptables 1.8.9 and nft,
//! each run in a fresh network namespace (`unshare -n`) so the host's
//! ruleset is never touched and no traffic is sent. Skipped (with a note)
//! when namespaces, iptables or nf_tables are unavailable.

use std::process::Command;

#[path = "live/netns.rs"]
mod netns;
use netns::ns;

fn available() -> bool {
    netns::available(
        "iptables -t mangle -S >/dev/null && nft list ruleset >/dev/null && echo ok",
        "live mark tests",
        "live mark tests need root, unshare -n, iptables-nft and nft (run lab/setup)",
    )
}

/// Everything iptables, iptables-save and nft show about the ruleset.
const SHOW: &str = "echo '== S'; iptables -t mangle -S; echo '== S6'; ip6tables -t mangle -S; \
echo '== L'; iptables -t mangle -L -n -v -x --line-numbers; echo '== L6'; ip6tables -t mangle -L -n -v; \
echo '== Lnames'; iptables -t mangle -L; ip6tables -t mangle -L; \
echo '== save'; iptables-save | grep -v '^#'; ip6tables-save | grep -v '^#'; echo '== nft'; nft list ruleset";

/// Rules (iptables arguments after `-t mangle`), IPv4 then IPv6 (`-6`).
const RULES: &[&str] = &[
    "-A PREROUTING -d 172.16.2.100 -p tcp --dport 80 -j MARK --set-mark 6",
    "-A PREROUTING -d 172.16.2.101 -p tcp -m tcp --dport 443 -j MARK --set-mark 7",
    "-A PREROUTING -s 10.0.0.0/8 -p udp --sport 1024:65535 ! --dport 53 -j MARK --set-mark 6/0xff",
    "-A PREROUTING ! -s 10.0.16.0/20 ! -p tcp -j MARK --or-mark 0x10",
    "-A PREROUTING -s 10.0.0.1/255.0.255.0 -i eth+ -j MARK --and-mark 0xff",
    "-A PREROUTING ! -i veth0 -p tcp --dport :1023 -j MARK --xor-mark 3",
    "-A PREROUTING -p tcp ! --sport 1000:2000 --dport 22 -m comment --comment \"hello world\" -j MARK --set-xmark 1/3",
    "-A PREROUTING -p tcp -m multiport --dports 80,443:445 -j MARK --set-mark 0",
    "-A PREROUTING -p udp -m multiport ! --sports 53,123 -j MARK --set-mark 1",
    "-A PREROUTING -p tcp -m multiport --ports 1,2 -m comment --comment c -j MARK --set-mark 2",
    "-A PREROUTING -p sctp --dport 80 -j MARK --set-mark 3",
    "-A PREROUTING -p 47 -j MARK --set-mark 4",
    "-A PREROUTING -p tcp --sport 1 --dport 2 -j MARK --set-mark 4",
    "-A PREROUTING -p tcp --dport 1024: -j MARK --set-mark 4",
    "-A PREROUTING -i + -j MARK --set-mark 4",
    "-I PREROUTING 2 -d 1.2.3.4,5.6.7.8 -j MARK --set-mark 9",
    "-I PREROUTING -d 9.9.9.9 -j MARK --set-mark 10",
    "-A POSTROUTING -o eth1 -j MARK --set-mark 5",
    "-A FORWARD -i eth0 ! -o eth1 -p udp -j MARK --set-mark 5",
    "-A OUTPUT -d 1.2.3.4 -p tcp --dport 8000:8080 -j MARK --set-mark 7",
    "-A INPUT -p tcp ! --dport 1024: -j MARK --set-mark 8",
    "-A INPUT ! -p tcp --dport 80 -j MARK --set-mark 8",
    "-A INPUT -s 1.2.3 -d 1.1.1.1,1.1.1.1 -j MARK --set-mark 8",
    "-A INPUT -m comment --comment aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa -j MARK --set-mark 8",
    "-A INPUT -p udp -m udp -j MARK --set-mark 8",
    "-A INPUT -p tcp --dport 0:65535 -j MARK --set-mark 8",
    "-A INPUT -p sctp --sport 1000:2000 ! --dport 5 -j MARK --set-mark 8",
    "-A INPUT -p tcp ! --sport 7 ! --dport 8 -j MARK --set-mark 8",
    "-A INPUT -p udp --sport 7 ! --dport 8 -j MARK --set-mark 8",
    "-A INPUT -p udp -m multiport --ports 1:100,200 -j MARK --set-mark 8",
    "-6 -A PREROUTING -d 2001:db8::100 -p tcp --dport 80 -j MARK --set-mark 6",
    "-6 -A PREROUTING -s 2001:db8:1::/64 -d 2001:db8::100 -p udp --dport 53 -j MARK --set-mark 6",
    "-6 -A PREROUTING -i eth0 -d 2001:db8::/60 -p tcp -m multiport --dports 80,443 -j MARK --set-mark 0x6/0xff",
    "-6 -A PREROUTING ! -s 2001:db8::/ffff:0:ffff:: ! -p udp -m comment --comment v6 -j MARK --or-mark 0x10",
    "-6 -A OUTPUT -d ::1 -p tcp --sport 1:100 -j MARK --xor-mark 1",
    "-6 -I OUTPUT -d 2001:db8::1 -j MARK --set-mark 2",
    "-6 -A POSTROUTING -o eth+ -j MARK --and-mark 0xf0",
];

fn iptables_line(r: &str) -> String {
    match r.strip_prefix("-6 ") {
        Some(rest) => format!("ip6tables -t mangle {rest}"),
        None => format!("iptables -t mangle {r}"),
    }
}

fn ours_line(r: &str) -> String {
    format!("\"$BIN\" mark -t mangle {r}")
}

fn script(lines: &[String], tail: &str) -> String {
    let mut s = String::from("set -e\n");
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s.push_str(tail);
    s
}

#[test]
fn ours_add_is_what_iptables_add_is() {
    if !available() {
        return;
    }
    let ours: Vec<String> = RULES.iter().map(|r| ours_line(r)).collect();
    let theirs: Vec<String> = RULES.iter().map(|r| iptables_line(r)).collect();
    let a = ns(&script(&ours, SHOW));
    let b = ns(&script(&theirs, SHOW));
    assert_eq!(a.2, 0, "ours failed: {}", a.1);
    assert_eq!(b.2, 0, "iptables failed: {}", b.1);
    assert_eq!(a.0, b.0);
}

/// Our listings of rules iptables added, against iptables' own.
#[test]
fn ours_lists_what_iptables_lists() {
    if !available() {
        return;
    }
    let theirs: Vec<String> = RULES.iter().map(|r| iptables_line(r)).collect();
    let views = [
        "-S",
        "-S PREROUTING",
        "-S OUTPUT 1",
        "-L",
        "-L -n",
        "-L -n -v",
        "-L -v -x",
        "-L -n -v -x --line-numbers",
        "-nvL PREROUTING",
        "-L PREROUTING 2",
        "-L INPUT --line-numbers",
    ];
    let mut tail = String::new();
    for v in views {
        for fam in ["", "-6 "] {
            let prog = if fam.is_empty() {
                "iptables"
            } else {
                "ip6tables"
            };
            tail.push_str(&format!(
                "echo '== {v} {fam}'; {prog} -t mangle {v} > /tmp/.mark_theirs.$$; \"$BIN\" mark {fam}-t mangle {v} > /tmp/.mark_ours.$$; \
                 if cmp -s /tmp/.mark_theirs.$$ /tmp/.mark_ours.$$; then echo same; else echo DIFF; diff /tmp/.mark_theirs.$$ /tmp/.mark_ours.$$ || true; fi\n"
            ));
        }
    }
    tail.push_str("rm -f /tmp/.mark_theirs.$$ /tmp/.mark_ours.$$\n");
    let (out, err, rc) = ns(&script(&theirs, &tail));
    assert_eq!(rc, 0, "{out}\n{err}");
    assert!(!out.contains("DIFF"), "{out}");
    assert_eq!(out.matches("same").count(), views.len() * 2, "{out}");
}

/// -C and -D across tools, and deleting by number.
#[test]
fn check_and_delete_across_tools() {
    if !available() {
        return;
    }
    let mut s = String::new();
    for r in RULES.iter().filter(|r| r.contains("-A ")) {
        let add_ours = ours_line(r);
        let add_theirs = iptables_line(r);
        let chk = r.replacen("-A ", "-C ", 1);
        let del = r.replacen("-A ", "-D ", 1);
        // ours added → iptables checks and deletes it
        s.push_str(&format!(
            "{add_ours}\n{} || echo FAIL-C1 {r}\n{} || echo FAIL-D1 {r}\n",
            iptables_line(&chk),
            iptables_line(&del)
        ));
        s.push_str(&format!(
            "{} 2>/dev/null && echo FAIL-gone1 {r}\n",
            iptables_line(&chk)
        ));
        // iptables added → ours checks and deletes it
        s.push_str(&format!(
            "{add_theirs}\n{} || echo FAIL-C2 {r}\n{} || echo FAIL-D2 {r}\n",
            ours_line(&chk),
            ours_line(&del)
        ));
        s.push_str(&format!(
            "{} 2>/dev/null && echo FAIL-gone2 {r}\n",
            ours_line(&chk)
        ));
    }
    // by number: three rules, delete the middle one with ours, then the first with iptables
    s.push_str("iptables -t mangle -A OUTPUT -d 1.1.1.1 -j MARK --set-mark 1\n");
    s.push_str("\"$BIN\" mark -t mangle -A OUTPUT -d 2.2.2.2 -j MARK --set-mark 2\n");
    s.push_str("iptables -t mangle -A OUTPUT -d 3.3.3.3 -j MARK --set-mark 3\n");
    s.push_str("\"$BIN\" mark -D OUTPUT 2 || echo FAIL-Dnum\n");
    s.push_str("iptables -t mangle -D OUTPUT 1 || echo FAIL-Dnum2\n");
    s.push_str("iptables -t mangle -S OUTPUT\n");
    let (out, err, rc) = ns(&s);
    assert_eq!(rc, 0, "{err}");
    assert!(!out.contains("FAIL"), "{out}\n{err}");
    assert_eq!(
        out,
        "-P OUTPUT ACCEPT\n-A OUTPUT -d 3.3.3.3/32 -j MARK --set-xmark 0x3/0xffffffff\n"
    );
}

/// A DROP policy, other rules (MARK and non-MARK) and the other family's
/// table survive our changes; flush empties only what it names.
#[test]
fn other_rules_and_policies_untouched() {
    if !available() {
        return;
    }
    let setup = "iptables -t mangle -P PREROUTING DROP\n\
        iptables -t mangle -A PREROUTING -s 192.168.0.0/16 -j ACCEPT\n\
        iptables -t mangle -A PREROUTING -d 10.9.9.9 -j MARK --set-mark 99\n\
        iptables -t mangle -P FORWARD DROP\n\
        ip6tables -t mangle -A PREROUTING -d ::1 -j MARK --set-mark 1\n\
        iptables -t filter -A INPUT -p tcp --dport 22 -j ACCEPT\n";
    let ours = format!(
        "{setup}{}\n{}\n{}\n{}\n",
        ours_line("-A PREROUTING -d 172.16.2.100 -p tcp --dport 80 -j MARK --set-mark 6"),
        ours_line("-A OUTPUT -d 172.16.2.100 -j MARK --set-mark 6"),
        ours_line("-I PREROUTING 2 -d 172.16.2.101 -j MARK --set-mark 7"),
        ours_line("-D PREROUTING -d 172.16.2.101 -j MARK --set-mark 7"),
    );
    let theirs = format!(
        "{setup}{}\n{}\n{}\n{}\n",
        iptables_line("-A PREROUTING -d 172.16.2.100 -p tcp --dport 80 -j MARK --set-mark 6"),
        iptables_line("-A OUTPUT -d 172.16.2.100 -j MARK --set-mark 6"),
        iptables_line("-I PREROUTING 2 -d 172.16.2.101 -j MARK --set-mark 7"),
        iptables_line("-D PREROUTING -d 172.16.2.101 -j MARK --set-mark 7"),
    );
    let a = ns(&script(
        &[ours],
        &format!("{SHOW}\n\"$BIN\" mark -F OUTPUT\n{SHOW}\n\"$BIN\" mark -F\n{SHOW}"),
    ));
    let b = ns(&script(
        &[theirs],
        &format!("{SHOW}\niptables -t mangle -F OUTPUT\n{SHOW}\niptables -t mangle -F\n{SHOW}"),
    ));
    assert_eq!(a.2, 0, "{}", a.1);
    assert_eq!(a.0, b.0);
    assert!(a.0.contains(":PREROUTING DROP"), "{}", a.0);
    assert!(
        a.0.contains("-A PREROUTING -s 192.168.0.0/16 -j ACCEPT"),
        "{}",
        a.0
    );
}

/// Bad input: iptables' text and exit code, and the ruleset stays as it was.
#[test]
fn errors_match_iptables_and_change_nothing() {
    if !available() {
        return;
    }
    let bad = [
        "-A PREROUTING -j MARK",
        "-A PREROUTING -j MARK --set-mark",
        "-A PREROUTING -j MARK --set-mark foo",
        "-A PREROUTING -j MARK --set-mark 0x100000000",
        "-A PREROUTING -j MARK --set-mark 1 --or-mark 2",
        "-A PREROUTING -j MARK ! --set-mark 1",
        "-A PREROUTING -d 1.2.3.4/33 -j MARK --set-mark 1",
        "-A PREROUTING --dport 80 -j MARK --set-mark 1",
        "-A PREROUTING -p tcp --dport 99999 -j MARK --set-mark 1",
        "-A PREROUTING -p foo -j MARK --set-mark 1",
        "-A PREROUTING -p tcp -m multiport --dports 80 --sports 1 -j MARK --set-mark 1",
        "-A PREROUTING -m multiport --dports 80 -j MARK --set-mark 1",
        "-A PREROUTING -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j MARK --set-mark 1",
        "-A PREROUTING -p tcp -m foo -j MARK --set-mark 1",
        "-A PREROUTING -i abcdefghijklmnopq -j MARK --set-mark 1",
        "-A PREROUTING -s 1.1.1.1 -s 2.2.2.2 -j MARK --set-mark 1",
        "-A PREROUTING -o eth0 -j MARK --set-mark 1",
        "-A OUTPUT -i eth0 -j MARK --set-mark 1",
        "-A PREROUTING -m comment -j MARK --set-mark 1",
        "-A PREROUTING ! -d 1.1.1.1 ! -j MARK --set-mark 1",
        "-A",
        "-A PREROUTING -A OUTPUT",
        "--bogus",
        "-A PREROUTING -j MARK --set-mark 1 extra",
        "-D PREROUTING 0",
        "-D PREROUTING x",
        "-D PREROUTING 9",
        "-D PREROUTING -d 7.7.7.7 -j MARK --set-mark 1",
        "-C PREROUTING -d 7.7.7.7 -j MARK --set-mark 1",
        "-I PREROUTING 0 -j MARK --set-mark 1",
        "-I PREROUTING 5 -j MARK --set-mark 1",
        "-A prerouting -j MARK --set-mark 1",
        "-S FOO",
        "-L -n PREROUTING",
        "-C PREROUTING -j MARK --set-mark 1 --line-numbers",
        "-C FOO -j MARK --set-mark 1",
        "-D FOO -j MARK --set-mark 1",
        "-D OUTPUT 1",
        "-S -n",
        "-L -s 1.1.1.1",
        "-A PREROUTING -n -j MARK --set-mark 1",
        "-D PREROUTING 1 -s 1.1.1.1",
        "-A PREROUTING -p tcp -m multiport -j MARK --set-mark 1",
        "-A PREROUTING -p tcp --dport 5:3 -j MARK --set-mark 1",
        "-A PREROUTING -j MARK --set-mark 1 --set-mark 2",
        "-P FOO DROP",
        "-P PREROUTING FOO",
        "-V",
        "-A PREROUTING -j MARK --set-mark 0x1/0x1/0x1",
        "-A PREROUTING -j MARK --and-mark 1/2",
        "-A PREROUTING -m tcp --dport 80 -j MARK --set-mark 1",
        "-A PREROUTING -p udp -m tcp --dport 80 -j MARK --set-mark 1",
        "-A PREROUTING -m multiport --dports 80 -p tcp -j MARK --set-mark 1",
        "-A PREROUTING -p tcp --dport 80 --dport 81 -j MARK --set-mark 1",
        "-A PREROUTING -p udp --sport 1 --sport 2 -j MARK --set-mark 1",
        "-A PREROUTING -m sctp --dport 80 -j MARK --set-mark 1",
        "",
    ];
    let setup = "iptables -t mangle -P PREROUTING DROP\niptables -t mangle -A PREROUTING -d 10.9.9.9 -j MARK --set-mark 99\n";
    let mut s = format!("{setup}nft list ruleset > /tmp/.mark_before.$$\n");
    for b in bad {
        s.push_str(&format!(
            "echo '== {b}'; iptables -t mangle {b} 2>&1; echo rc=$?; echo '-- ours'; \"$BIN\" mark -t mangle {b} 2>&1; echo rc=$?\n\
             nft list ruleset | cmp -s - /tmp/.mark_before.$$ || echo CHANGED\n"
        ));
    }
    s.push_str("rm -f /tmp/.mark_before.$$\n");
    let (out, err, _) = ns(&s);
    assert!(!out.contains("CHANGED"), "{out}\n{err}");
    for block in out.split("== ").skip(1) {
        let (theirs, ours) = block.split_once("-- ours\n").expect("both ran");
        let theirs = theirs.split_once('\n').map_or("", |x| x.1);
        assert_eq!(ours, theirs, "for `{}`", block.lines().next().unwrap_or(""));
    }
}

/// A table other than mangle is refused with iptables' text for a missing table.
#[test]
fn other_tables_refused() {
    if !available() {
        return;
    }
    let (out, err, rc) =
        ns("\"$BIN\" mark -t nat -A PREROUTING -j MARK --set-mark 1; echo rc=$?; nft list ruleset");
    assert!(err.contains("table 'nat' does not exist"), "{err}");
    assert_eq!(rc, 0);
    assert_eq!(out, "rc=3\n");
}

/// Counters from real traffic inside the namespace (UDP to lo): listings
/// with -v/-x/-S -v agree, and deleting a rule with counters works.
#[test]
fn counters_after_traffic() {
    if !available() {
        return;
    }
    let traffic = "ip link set lo up\np=$(head -c 1400 /dev/zero | tr '\\0' a)\n\
        for i in $(seq 1 150); do bash -c \"echo $p > /dev/udp/127.0.0.1/9\" 2>/dev/null || true; done\n";
    let setup = format!(
        "{}\n{}\n{}\n{traffic}",
        ours_line(
            "-A OUTPUT -d 127.0.0.1 -p udp --dport 9 -m comment --comment x -j MARK --set-mark 1"
        ),
        iptables_line("-A OUTPUT -p udp -j MARK --or-mark 2"),
        iptables_line("-A OUTPUT -d 10.0.0.0/8 -j MARK --set-mark 3"),
    );
    let mut tail = String::new();
    for v in [
        "-L -v",
        "-L -v -x",
        "-L OUTPUT -v -n --line-numbers",
        "-S -v",
        "-S OUTPUT -v",
    ] {
        tail.push_str(&format!(
            "echo '== {v}'; iptables -t mangle {v}; echo '-- ours'; \"$BIN\" mark {v}\n"
        ));
    }
    tail.push_str(&ours_line("-D OUTPUT -p udp -j MARK --or-mark 2"));
    tail.push_str("\necho '== after'; iptables -t mangle -S OUTPUT\n");
    let (out, err, rc) = ns(&format!("{setup}{tail}"));
    assert_eq!(rc, 0, "{out}\n{err}");
    let (blocks, after) = out.split_once("== after\n").expect("ran to the end");
    for block in blocks.split("== ").skip(1) {
        let (theirs, ours) = block.split_once("-- ours\n").expect("both ran");
        let theirs = theirs.split_once('\n').map_or("", |x| x.1);
        assert_eq!(ours, theirs, "for `{}`", block.lines().next().unwrap_or(""));
    }
    assert!(out.contains(" 150 "), "no traffic counted?\n{out}");
    assert_eq!(
        after,
        "-P OUTPUT ACCEPT\n-A OUTPUT -d 127.0.0.1/32 -p udp -m udp --dport 9 -m comment --comment x -j MARK --set-xmark 0x1/0xffffffff\n-A OUTPUT -d 10.0.0.0/8 -j MARK --set-xmark 0x3/0xffffffff\n"
    );
}

/// Concurrent writers (ours and iptables) all land: a stale generation id
/// (ERESTART) makes us re-read the table and retry the batch.
#[test]
fn concurrent_writers_all_land() {
    if !available() {
        return;
    }
    let script = "for i in $(seq 1 25); do \"$BIN\" mark -A PREROUTING -d 10.0.0.$i -j MARK --set-mark $i & \
        iptables -t mangle -A PREROUTING -d 10.1.0.$i -j MARK --set-mark $i & done; wait\n\
        iptables -t mangle -S PREROUTING | grep -c -- '-A'";
    let (out, err, _) = ns(&format!("bash -c '{}'", script.replace('\'', "'\\''")));
    assert_eq!(out.trim(), "50", "{err}");
    assert_eq!(err, "");
}

/// Rules iptables wrote with other targets and user-defined chains are
/// listed as iptables lists them.
#[test]
fn user_chains_and_verdicts_listed() {
    if !available() {
        return;
    }
    let s = "iptables -t mangle -N FOO; iptables -t mangle -A FOO -d 1.1.1.1 -j MARK --set-mark 1\n\
        iptables -t mangle -A PREROUTING -j FOO; iptables -t mangle -A PREROUTING -j RETURN\n\
        iptables -t mangle -A PREROUTING -g FOO; iptables -t mangle -A PREROUTING -p tcp -j DROP\n\
        iptables -t mangle -N BAR; iptables -t mangle -P INPUT DROP\n\
        for v in -S '-L -n' '-L -v -n --line-numbers' '-S FOO' '-L FOO' -L; do \
        iptables -t mangle $v > /tmp/.mark_a.$$; \"$BIN\" mark $v > /tmp/.mark_b.$$; \
        cmp -s /tmp/.mark_a.$$ /tmp/.mark_b.$$ && echo same || { echo DIFF $v; diff /tmp/.mark_a.$$ /tmp/.mark_b.$$; }; done\n\
        rm -f /tmp/.mark_a.$$ /tmp/.mark_b.$$\n";
    let (out, err, _) = ns(s);
    assert_eq!(out, "same\n".repeat(6), "{err}");
}

/// Batches the kernel refuses change nothing: this test thread moves into a
/// new network namespace and sends batches through the library directly.
#[test]
fn kernel_refused_batch_is_atomic_and_stale_genid_is_erestart() {
    use ipvsadm_rs::mark::grammar::parse;
    use ipvsadm_rs::mark::plan::{encode_batch, plan, Cmd, Op, Pos};
    use ipvsadm_rs::mark::sock::{Nfnl, ERESTART};
    if !available() {
        return;
    }
    // Namespaces are per thread: run on a fresh thread that we discard.
    let h = std::thread::spawn(|| {
        if nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).is_err() {
            panic!("cannot unshare the network namespace (root needed)");
        }
        let sh = |s: &str| {
            let o = Command::new("sh")
                .args(["-c", s])
                .output()
                .expect("sh runs");
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        sh("iptables -t mangle -A PREROUTING -d 9.9.9.9 -j MARK --set-mark 9");
        let before = sh("nft list ruleset");
        assert!(before.contains("9.9.9.9"));
        let c = parse(
            &[
                "-A",
                "OUTPUT",
                "-d",
                "1.2.3.4",
                "-j",
                "MARK",
                "--set-mark",
                "1",
            ]
            .map(String::from),
        )
        .expect("parses");
        let Cmd::Append { rules, .. } = &c.cmd else {
            panic!("append")
        };
        let mut s = Nfnl::open().expect("socket");
        let genid = s.genid().expect("genid");
        let state = s.load(c.family).expect("dump");
        // A valid chain creation and rule, then a rule for a missing chain.
        let mut ops = plan(&c.cmd, &state, c.family).expect("plan");
        ops.push(Op::NewRule {
            chain: "NOPE".into(),
            rule: rules[0].clone(),
            pos: Pos::Append,
            id: None,
        });
        let seq = s.batch_seq(ops.len() as u32 + 2);
        assert_eq!(
            s.send_batch(&encode_batch(&ops, c.family, genid, seq).expect("encodes")),
            Err(libc::ENOENT)
        );
        assert_eq!(sh("nft list ruleset"), before);
        // The same valid batch with a stale generation id is refused too.
        let ok_ops = plan(&c.cmd, &state, c.family).expect("plan");
        let seq = s.batch_seq(ok_ops.len() as u32 + 2);
        assert_eq!(
            s.send_batch(
                &encode_batch(&ok_ops, c.family, genid.wrapping_add(7), seq).expect("encodes")
            ),
            Err(ERESTART)
        );
        assert_eq!(sh("nft list ruleset"), before);
        // And with the right one it lands.
        let genid = s.genid().expect("genid");
        let seq = s.batch_seq(ok_ops.len() as u32 + 2);
        assert_eq!(
            s.send_batch(&encode_batch(&ok_ops, c.family, genid, seq).expect("encodes")),
            Ok(())
        );
        assert!(sh("iptables -t mangle -S OUTPUT").contains("-A OUTPUT -d 1.2.3.4/32 -j MARK"));
    });
    h.join().expect("namespace thread");
}

/// `-v` on -A/-I/-D/-C echoes each rule the way iptables does.
#[test]
fn verbose_echo_matches_iptables() {
    if !available() {
        return;
    }
    let cmds = [
        "-A PREROUTING ! -s 10.0.0.0/8 -i eth+ ! -p tcp -m comment --comment x -j MARK --or-mark 2 -v",
        "-I PREROUTING -d 1.1.1.1,2.2.2.2 -p tcp --dport 80 -j MARK --set-mark 1 -v",
        "-C PREROUTING -d 1.1.1.1 -p tcp --dport 80 -j MARK --set-mark 1 -v",
        "-D PREROUTING -d 1.1.1.1 -p tcp --dport 80 -j MARK --set-mark 1 -v",
        "-D PREROUTING 1 -v",
        "-C PREROUTING -d 7.7.7.7 -j MARK --set-mark 1 -v",
        "-A PREROUTING -p udp -m multiport --dports 53,80:90 -j MARK --set-mark 1 -v",
        "-A OUTPUT -o lo -d 127.0.0.1 -p tcp --sport 1:2 -j MARK --set-xmark 1/3 -v",
        "-6 -A OUTPUT -d ::1 -o lo -j MARK --set-mark 1 -v",
    ];
    let ours: Vec<String> = cmds
        .iter()
        .map(|c| format!("{} 2>&1; echo rc=$?", ours_line(c)))
        .collect();
    let theirs: Vec<String> = cmds
        .iter()
        .map(|c| format!("{} 2>&1; echo rc=$?", iptables_line(c)))
        .collect();
    let a = ns(&ours.join("\n"));
    let b = ns(&theirs.join("\n"));
    assert_eq!(a.0, b.0);
}
