//! Unit tests of the whole parser: tokenisation, error precedence, every
//! message parsing can produce, the matrices, semantic checks, defaults,
//! and a randomized no-panic run.

use super::options::{ArgKind, OptId, OPTIONS};
use super::resolve::FixedResolver;
use super::*;
use crate::model::{SVC_F_SCHED1, SVC_F_SCHED2, TUN_GRE, TUN_GUE, TUN_IPIP};

fn resolver() -> FixedResolver {
    FixedResolver {
        hosts: vec![
            ("localhost".into(), [127, 0, 0, 1]),
            ("web".into(), [10, 1, 2, 3]),
        ],
        services: vec![
            ("http".into(), "tcp".into(), 80),
            ("http".into(), "udp".into(), 80),
            ("domain".into(), "udp".into(), 53),
            ("domain".into(), "tcp".into(), 53),
        ],
    }
}

fn pv(args: &[&str]) -> Result<Command, ParseError> {
    let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    parse_with("ipvsadm", &v, &resolver(), false)
}

fn p(line: &str) -> Result<Command, ParseError> {
    let v: Vec<&str> = line.split_whitespace().collect();
    pv(&v)
}

fn ok(line: &str) -> Command {
    match p(line) {
        Ok(c) => c,
        Err(e) => panic!("{line}: unexpected error {e:?}"),
    }
}

#[track_caller]
fn err(line: &str, msg: &str, code: i32) {
    match p(line) {
        Ok(c) => panic!("{line}: expected error {msg:?}, got {c:?}"),
        Err(e) => assert_eq!((e.message(), e.code), (msg, code), "{line}"),
    }
}

#[track_caller]
fn err2(line: &str, msg: &str) {
    err(line, msg, 2)
}

const TRY: &str = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

fn svc(c: &Command) -> Service {
    c.service.clone().expect("service")
}

fn dst(c: &Command) -> Dest {
    c.dest.clone().expect("dest")
}

#[test]
fn no_arguments_is_list() {
    let c = pv(&[]).unwrap();
    assert_eq!(c, Command::bare(Cmd::List));
    assert!(!c.list.numeric);
}

#[test]
fn first_option_must_be_a_command() {
    for line in [
        "foo",
        "--bogus",
        "-V",
        "-t 1.2.3.4:80 -A",
        "--start-daemon",
        "--version=1",
        "-n=1",
        "-n",
        "-6",
        "-- -L",
        "-",
        "--help=1",
        "-L=",
        "--sort",
        "-I 5",
        "---",
    ] {
        err(line, TRY, 255);
    }
    assert_eq!(pv(&[""]).unwrap_err(), ParseError::try_help("ipvsadm"));
    let v = vec!["-V".to_string()];
    let e = parse_with("/usr/sbin/ipvsadm", &v, &resolver(), false).unwrap_err();
    assert_eq!(
        e.message(),
        "Try `/usr/sbin/ipvsadm -h' or '/usr/sbin/ipvsadm --help' for more information."
    );
    // Leftovers before the first option are allowed, reported later.
    err2("foo -L", "unexpected argument foo");
}

#[test]
fn help_and_version() {
    for line in ["-h", "-h foo", "--help --bogus -Q", "-hx", "-h -t"] {
        assert_eq!(ok(line).cmd, Cmd::Help, "{line}");
    }
    for line in ["-v", "--version", "-v -L", "-vq"] {
        assert_eq!(ok(line).cmd, Cmd::Version, "{line}");
    }
    assert!(VERSION_LINE.ends_with("IPVS v1.2.1)\n"));
    assert!(help_text("x").starts_with(VERSION_LINE));
    err2("-L -h", "invalid option `-h'");
    err2("-L -v", "invalid option `-v'");
}

#[test]
fn daemon_commands() {
    let c = ok("--start-daemon master");
    assert_eq!(
        (c.cmd, c.daemon.state, c.daemon.mcast_ifn.as_str()),
        (Cmd::StartDaemon, 1, "eth0")
    );
    assert_eq!(c.daemon.syncid, 0);
    let c = ok("--start-daemon=backup --mcast-interface lo --syncid 9");
    assert_eq!(
        (c.daemon.state, c.daemon.mcast_ifn.as_str(), c.daemon.syncid),
        (2, "lo", 9)
    );
    let c = ok("--stop-daemon backup");
    assert_eq!(
        (c.cmd, c.daemon.state, c.daemon.mcast_ifn.as_str()),
        (Cmd::StopDaemon, 2, "")
    );
    let c = ok("--stop-daemon master --syncid 3");
    assert_eq!(c.daemon.syncid, 3);
    err2(
        "--start-daemon foo",
        "illegal start-daemon parameter specified",
    );
    err2(
        "--start-daemon Master",
        "illegal start-daemon parameter specified",
    );
    err2("--stop-daemon foo", "illegal start_daemon specified");
    assert_eq!(
        pv(&["--stop-daemon", ""]).unwrap_err().message(),
        "illegal start_daemon specified"
    );
    err("--stop-daemon", TRY, 255);
    err2(
        "--stop-daemon master --mcast-interface eth1",
        "Illegal 'mcast-interface' option with the 'stop-daemon' command",
    );
    let c = ok("--start-daemon master --mcast-group 224.0.0.82 --mcast-port 9000 --mcast-ttl 2 --sync-maxlen 1400");
    assert_eq!(c.daemon.mcast_group, Some("224.0.0.82".parse().unwrap()));
    assert_eq!(
        (
            c.daemon.mcast_port,
            c.daemon.mcast_ttl,
            c.daemon.sync_maxlen
        ),
        (9000, 2, 1400)
    );
    let c = ok("--start-daemon backup --mcast-group ff02::1234");
    assert_eq!(c.daemon.mcast_group, Some("ff02::1234".parse().unwrap()));
    let c = ok("--start-daemon master --mcast-interface abcdefghijklmnopqrstu");
    assert_eq!(c.daemon.mcast_ifn, "abcdefghijklmno");
    err2(
        "--start-daemon master --mcast-group 10.0.0.1",
        "invalid IPv4 mcast-group `10.0.0.1'",
    );
    err2(
        "--start-daemon master --mcast-group 224.0.0",
        "invalid IPv4 mcast-group `224.0.0'",
    );
    err2(
        "--start-daemon master --mcast-group fe80::1",
        "invalid IPv6 mcast-group `fe80::1'",
    );
    err2(
        "--start-daemon master --mcast-group ::ffff:224.0.0.1",
        "invalid IPv6 mcast-group `::ffff:224.0.0.1'",
    );
    err2(
        "--start-daemon master --mcast-port 0",
        "illegal mcast-port specified",
    );
    err2(
        "--start-daemon master --mcast-port 65536",
        "illegal mcast-port specified",
    );
    err2(
        "--start-daemon master --mcast-ttl 0",
        "illegal mcast-ttl specified",
    );
    err2(
        "--start-daemon master --mcast-ttl 256",
        "illegal mcast-ttl specified",
    );
    err2(
        "--start-daemon master --sync-maxlen 65508",
        "illegal sync-maxlen specified",
    );
    err2(
        "--start-daemon master --sync-maxlen 0",
        "illegal sync-maxlen specified",
    );
    assert_eq!(
        ok("--start-daemon master --sync-maxlen 65507")
            .daemon
            .sync_maxlen,
        65507
    );
    err2(
        "--start-daemon master --syncid 256",
        "illegal syncid specified",
    );
    err2(
        "--start-daemon master --syncid -1",
        "illegal syncid specified",
    );
    err2(
        "--start-daemon master --syncid 1 --syncid 2",
        "multiple 'syncid' options specified",
    );
    err2(
        "--start-daemon master -n",
        "Illegal 'numeric' option with the 'start-daemon' command",
    );
}

#[test]
fn later_commands_are_invalid_options() {
    err2("-A -E", "invalid option `-E'");
    err2("-LZ", "invalid option `-LZ'");
    err2("-L -t 1.2.3.4:80 -A", "invalid option `-A'");
    err2("-L --stop-daemon master", "invalid option `master'");
    err2("-L --start-daemon=x", "invalid option `--start-daemon=x'");
    err2("-L --set", "invalid option `--set'");
    err2("-C -R", "invalid option `-R'");
    err2("-Ll", "invalid option `-Ll'");
}

#[test]
fn popt_errors_after_the_first_option() {
    err("-Lq", "-Lq: unknown option", 255);
    err("-L -q", "-q: unknown option", 255);
    err("-A -t", "-t: missing argument", 255);
    err("-L --tcp-service", "--tcp-service: missing argument", 255);
    err(
        "-L --numeric=yes",
        "--numeric=yes: option does not take an argument",
        255,
    );
    err("-L -n=1", "-n=1: option does not take an argument", 255);
    err("-Ln=", "-Ln=: option does not take an argument", 255);
    err("--set -1 2 3", "-1: unknown option", 255);
    err("-L --sched=rr", "--sched=rr: unknown option", 255);
    err("-L --num", "--num: unknown option", 255);
    err("-A -t 10.0.0.1:80 -p -5", "-5: unknown option", 255);
    err("-L -I 5", "-I: unknown option", 255);
    // Value errors come first when they appear first.
    err2("-A -w abc -Q", "illegal weight specified");
    assert!(p("-L -Q").unwrap_err().continues_restore());
    assert!(!p("-Q").unwrap_err().continues_restore());
    assert!(!p("-L foo").unwrap_err().continues_restore());
}

#[test]
fn multiple_options() {
    err2(
        "-a -t 1.1.1.1:80 -r 2.2.2.2 -m -g",
        "multiple 'forwarding-method' options specified",
    );
    err2(
        "-A -t 1.1.1.1:80 -f 1",
        "multiple 'service-address' options specified",
    );
    err2(
        "-A -f 1 -u 1.1.1.1:80",
        "multiple 'service-address' options specified",
    );
    err2("-L -n -n", "multiple 'numeric' options specified");
    err2("-Lnn", "multiple 'numeric' options specified");
    err2("-L -n --numeric", "multiple 'numeric' options specified");
    // Raised before the second value is looked at.
    err2(
        "-a -t 1.1.1.1:80 -r 2.2.2.2 -w 1 -w abc",
        "multiple 'weight' options specified",
    );
    err2(
        "-A -t 1.1.1.1:80 -s rr -s wrr",
        "multiple 'scheduler' options specified",
    );
    err2(
        "-A -t 1.1.1.1:80 -p -p",
        "multiple 'persistent' options specified",
    );
    err2("-L --stats --stats", "multiple 'stats' options specified");
    // --sort and -6 set no bit.
    assert_eq!(ok("-L --sort --sort").cmd, Cmd::List);
    assert_eq!(svc(&ok("-A -f 1 -6 -6")).af, AF_INET6);
}

#[test]
fn set_timeouts() {
    let c = ok("--set 10 20 30");
    assert_eq!(
        (c.timeouts.tcp, c.timeouts.tcp_fin, c.timeouts.udp),
        (10, 20, 30)
    );
    let c = ok("--set 0 0 2678400");
    assert_eq!((c.timeouts.tcp, c.timeouts.udp), (0, 2678400));
    err2("--set", "--set option requires 3 timeout values");
    err2("--set 1 2", "--set option requires 3 timeout values");
    err2("--set 1 2 3 4", "unexpected argument 4");
    err2("--set 1 x 3", "invalid timeout value `x' specified");
    err2(
        "--set 1 2 2678401",
        "invalid timeout value `2678401' specified",
    );
    err("--set -1 2 3 -n", "-1: unknown option", 255);
    err2(
        "--set 1 2 3 -n",
        "Illegal 'numeric' option with the 'set' command",
    );
    err2("--set 1 -- -2", "--set option requires 3 timeout values");
    assert_eq!(ok("--set 1 -- 2 +3").timeouts.udp, 3);
    err2("--set 1 2 -- -3", "invalid timeout value `-3' specified");
}

#[test]
fn unexpected_arguments() {
    err2("-L foo", "unexpected argument foo");
    err2("-A -t 1.2.3.4:80 -- -s rr", "unexpected argument -s");
    err2("-C x y", "unexpected argument x");
    err2("-R -", "unexpected argument -");
    assert_eq!(
        pv(&["-L", ""]).unwrap_err().message(),
        "unexpected argument "
    );
    // Before sched-flags and matrix errors.
    err2("-A -n -b bogus x", "unexpected argument x");
}

#[test]
fn matrix_precedence() {
    err2(
        "-A -n",
        "Illegal 'numeric' option with the 'add-service' command",
    );
    err2(
        "-A",
        "You need to supply the 'service-address' option for the 'add-service' command",
    );
    err2(
        "-a -t 1.2.3.4:80 -p -n",
        "Illegal 'numeric' option with the 'add-server' command",
    );
    err2(
        "-a -t 1.2.3.4:80",
        "You need to supply the 'real-server' option for the 'add-server' command",
    );
    err2(
        "-L -c -t 1.2.3.4:80",
        "The option 'service-address' conflicts with the 'connection' option in the 'list' command",
    );
    err2(
        "-L --timeout --daemon",
        "The option 'daemon' conflicts with the 'timeout' option in the 'list' command",
    );
    err2(
        "-L -t 1.2.3.4:80 --timeout",
        "The option 'timeout' conflicts with the 'service-address' option in the 'list' command",
    );
    err2("-A -t 1.2.3.4:80 -w abc", "illegal weight specified");
    err2(
        "-A -t 1.2.3.4:80 -w 5",
        "Illegal 'weight' option with the 'add-service' command",
    );
    err2("-C -n", "Illegal 'numeric' option with the 'flush' command");
    err2(
        "-R -n",
        "Illegal 'numeric' option with the 'restore' command",
    );
    err2(
        "-S -c",
        "Illegal 'connection' option with the 'save' command",
    );
    err2("-Z -n", "Illegal 'numeric' option with the 'zero' command");
    err2(
        "-D -t 1.2.3.4:80 -s rr",
        "Illegal 'scheduler' option with the 'delete-service' command",
    );
    err2(
        "-d -t 1.2.3.4:80 -r 1.1.1.1 -w 1",
        "Illegal 'weight' option with the 'delete-server' command",
    );
    err2(
        "-e -t 1.2.3.4:80 -r 1.1.1.1 --tun-info",
        "Illegal 'tun-info' option with the 'edit-server' command",
    );
    err2(
        "-E -t 1.2.3.4:80 -r 1.1.1.1",
        "Illegal 'real-server' option with the 'edit-service' command",
    );
    err2("-L -o", "Illegal 'ops' option with the 'list' command");
    err2(
        "-L -s rr",
        "Illegal 'scheduler' option with the 'list' command",
    );
    err2(
        "-L -c --timeout",
        "The option 'timeout' conflicts with the 'connection' option in the 'list' command",
    );
    err2(
        "-D",
        "You need to supply the 'service-address' option for the 'delete-service' command",
    );
    err2(
        "-d -t 1.2.3.4:80",
        "You need to supply the 'real-server' option for the 'delete-server' command",
    );
    err2(
        "-e -r 1.2.3.4",
        "You need to supply the 'service-address' option for the 'edit-server' command",
    );
    // -b errors before matrix errors; a valid -b then fails the matrix.
    err2("-L -b bogus", "invalid scheduler flag `bogus'");
    err2(
        "-L -b flag-1",
        "Illegal 'sched-flags' option with the 'list' command",
    );
    for line in [
        "-L -n -c",
        "-L --stats --rate --thresholds --persistent-conn --nosort --syncid 5 --exact --tun-info",
        "-L -t 1.2.3.4:80 -n",
        "-l --daemon",
        "-S -n",
        "-Z",
        "-Z -t 1.2.3.4:80",
        "-C",
        "-R",
    ] {
        ok(line);
    }
}

#[test]
fn list_options() {
    let c = ok("-L -n --stats --nosort --exact --tun-info");
    assert_eq!(c.cmd, Cmd::List);
    let l = c.list;
    assert!(l.numeric && l.stats && l.nosort && l.exact && l.tun_info);
    assert!(!l.rate && !l.connection && !l.timeout && !l.daemon && !l.persistent_conn);
    assert!(ok("-l -c").list.connection);
    assert!(ok("--list --timeout").list.timeout);
    assert!(ok("-L --rate").list.rate);
    assert!(ok("-L --thresholds").list.thresholds);
    assert!(ok("-L --persistent-conn").list.persistent_conn);
    assert!(ok("-Sn").list.numeric);
    assert!(ok("-L -X").list.exact);
    let c = ok("-L -t 1.2.3.4:80");
    assert_eq!(svc(&c).port, 80);
    assert_eq!(svc(&c).sched_name, "");
    err2("-L -c --stats", "options conflicts in the list command");
    err2(
        "-L --timeout --rate",
        "options conflicts in the list command",
    );
    err2(
        "-L --daemon --thresholds",
        "options conflicts in the list command",
    );
    err2(
        "-L --timeout --persistent-conn",
        "options conflicts in the list command",
    );
    err2(
        "-L --daemon --persistent-conn",
        "options conflicts in the list command",
    );
    ok("-L -c --persistent-conn");
    ok("-L -t 1.2.3.4:80 --stats --rate");
}

#[test]
fn add_service_defaults() {
    let c = ok("-A -t 10.0.0.1:80");
    let s = svc(&c);
    assert_eq!(c.cmd, Cmd::AddService);
    assert_eq!(
        (s.af, s.protocol, s.port, s.fwmark),
        (AF_INET, IPPROTO_TCP, 80, 0)
    );
    assert_eq!(&s.addr[..4], &[10, 0, 0, 1]);
    assert_eq!(
        (s.sched_name.as_str(), s.flags, s.timeout, s.netmask),
        ("wlc", 0, 0, 0xffff_ffff)
    );
    assert!(s.pe_name.is_empty());
    assert!(c.dest.is_none());
    let s = svc(&ok("-E -u 10.0.0.1:53 -s rr -p"));
    assert_eq!(
        (s.protocol, s.sched_name.as_str(), s.flags, s.timeout),
        (IPPROTO_UDP, "rr", 1, 360)
    );
    assert_eq!(
        svc(&pv(&["-A", "-t", "10.0.0.1:80", "-s", ""]).unwrap()).sched_name,
        "wlc"
    );
    let s = svc(&ok(
        "-A --sctp-service 10.0.0.1:80 -p 600 -M 255.255.255.0 --pe sip",
    ));
    assert_eq!(
        (s.protocol, s.timeout, s.netmask, s.pe_name.as_str()),
        (IPPROTO_SCTP, 600, 0xffff_ff00, "sip")
    );
    let s = svc(&ok("-A -t 10.0.0.1:80 -s abcdefghijklmnopqrst"));
    assert_eq!(s.sched_name, "abcdefghijklmno");
    let s = svc(&ok("-A -t 10.0.0.1:80 -p --pe abcdefghijklmnopqrst"));
    assert_eq!(s.pe_name, "abcdefghijklmnop");
    let s = svc(&ok("-A -t web:http"));
    assert_eq!((&s.addr[..4], s.port), (&[10, 1, 2, 3][..], 80));
    let s = svc(&ok("-A -u web:domain"));
    assert_eq!(s.port, 53);
    let s = svc(&ok("-A -t 10.1:80"));
    assert_eq!(&s.addr[..4], &[10, 0, 0, 1]);
    // -D, -Z keep the scheduler empty.
    assert_eq!(svc(&ok("-D -t 10.0.0.1:80")).sched_name, "");
    assert_eq!(svc(&ok("-Z -t 10.0.0.1:80")).sched_name, "");
    // persistent with port 0
    let s = svc(&ok("-A -t 10.0.0.1 -p"));
    assert_eq!((s.port, s.timeout), (0, 360));
    assert_eq!(svc(&ok("-A -t 10.0.0.1:0 -p 1")).timeout, 1);
    err2(
        "-A -t 10.0.0.1:80 -p 0",
        "invalid timeout value `0' specified",
    );
    err2(
        "-A -t 10.0.0.1:80 -p 2678401",
        "invalid timeout value `2678401' specified",
    );
    err2(
        "-A -t 10.0.0.1:80 -p rr",
        "invalid timeout value `rr' specified",
    );
    err2(
        "-A -t 10.0.0.1:80 -p=",
        "invalid timeout value `' specified",
    );
    assert_eq!(svc(&ok("-A -t 10.0.0.1:80 -p 2678400")).timeout, 2678400);
}

#[test]
fn service_address_errors() {
    let m = "illegal virtual server address[:port] specified";
    for line in [
        "-A -t 80",
        "-A -t 10.0.0.1:http:x",
        "-A -t nohost:80",
        "-A -t [::1]",
        "-A -t [::1",
        "-A -t 10.0.0.1:65536",
        "-A -t 10.0.0.1:-1",
        "-A -t 10.0.0.1:",
        "-A -t 10.0.0.1:nosuchservice",
        "-A -u 10.0.0.1:bogus",
        "-A --sctp-service 10.0.0.1:http",
        "-A -t 256.0.0.1:80",
        "-L -t 1.2.3.4.5",
    ] {
        err2(line, m);
    }
    assert_eq!(pv(&["-A", "-t", ""]).unwrap_err().message(), m);
    err2(
        "-A -t 10.0.0.1",
        "Zero port specified for non-persistent service",
    );
    err2(
        "-A -t 10.0.0.1:0",
        "Zero port specified for non-persistent service",
    );
    err2(
        "-A -t ::1",
        "Zero port specified for non-persistent service",
    );
    err2(
        "-E -t 10.0.0.1",
        "Zero port specified for non-persistent service",
    );
    let c = ok("-A -t ::1:80 -p");
    assert_eq!(
        (svc(&c).af, svc(&c).port, svc(&c).addr[15]),
        (AF_INET6, 0, 0x80)
    );
    let c = ok("-A -t [2001:db8::1]:443");
    let s = svc(&c);
    assert_eq!((s.af, s.port, s.netmask), (AF_INET6, 443, 128));
    assert_eq!(
        s.addr,
        "2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets()
    );
    let c = ok("-A -t [1.2.3.4]:80 -p");
    assert_eq!((svc(&c).port, svc(&c).af), (0, AF_INET));
    let c = ok("-A -t [::ffff:1.2.3.4]:80");
    assert_eq!(svc(&c).af, AF_INET6);
}

#[test]
fn fwmark_and_ipv6() {
    let c = ok("-A -f 1");
    let s = svc(&c);
    assert_eq!(
        (s.fwmark, s.af, s.protocol, s.netmask, s.port),
        (1, AF_INET, IPPROTO_TCP, 0xffff_ffff, 0)
    );
    let s = svc(&ok("-A -f 4294967295 -6"));
    assert_eq!((s.fwmark, s.af, s.netmask), (u32::MAX, AF_INET6, 128));
    let s = svc(&ok("--add-service --fwmark-service=7 --ipv6 -M 64 -p"));
    assert_eq!((s.fwmark, s.af, s.netmask), (7, AF_INET6, 64));
    for bad in ["0", "-1", "4294967296", "abc", "1x", "0x10"] {
        err2(
            &format!("-A -f {bad}"),
            &format!("invalid fwmark value `{bad}' specified"),
        );
    }
    assert_eq!(
        pv(&["-A", "-f", ""]).unwrap_err().message(),
        "invalid fwmark value `' specified"
    );
    err2("-A -6 -f 1", "-6 used before -f\n");
    err2("-A -t 1.2.3.4:80 -6", "-6 used before -f\n");
    err2("-L -6", "-6 used before -f\n");
    // -6 overrides an earlier -M
    assert_eq!(svc(&ok("-A -f 1 -M 255.0.0.0 -6")).netmask, 128);
    // fwmark services need no port
    ok("-E -f 3 -s rr");
    // OPS with fwmark is fine
    assert_eq!(svc(&ok("-A -f 3 -o")).flags, SVC_F_ONEPACKET);
}

#[test]
fn netmasks() {
    assert_eq!(
        svc(&ok("-A -t 1.2.3.4:80 -M 255.255.0.0")).netmask,
        0xffff_0000
    );
    assert_eq!(svc(&ok("-A -t 1.2.3.4:80 -M 1.2.3")).netmask, 0x0102_0003);
    assert_eq!(
        svc(&ok("-A -t 1.2.3.4:80 -M localhost")).netmask,
        0x7f00_0001
    );
    err2(
        "-A -t 1.2.3.4:80 -M bogus",
        "illegal virtual server persistent mask specified",
    );
    err2(
        "-A -t 1.2.3.4:80 -M 255.255.255.256",
        "illegal virtual server persistent mask specified",
    );
    assert_eq!(svc(&ok("-A -t [::1]:80 -M 64")).netmask, 64);
    assert_eq!(svc(&ok("-A -t [::1]:80 -M 64abc")).netmask, 64);
    assert_eq!(svc(&ok("-A -t [::1]:80 -M 128")).netmask, 128);
    assert_eq!(svc(&ok("-A -t [::1]:80 -M 4294967297")).netmask, 1);
    for bad in [
        "0",
        "129",
        "abc",
        "-1",
        "255.255.255.0",
        "99999999999999999999",
    ] {
        err2(
            &format!("-A -t [::1]:80 -M {bad}"),
            "illegal ipv6 netmask specified",
        );
    }
    // -M is read by the family known when it is parsed.
    assert_eq!(svc(&ok("-A -M 64 -t [::1]:80")).netmask, 128);
    err2(
        "-A -M bogus -t [::1]:80",
        "illegal virtual server persistent mask specified",
    );
    assert_eq!(svc(&ok("-A -M 129 -t [::1]:80")).netmask, 128);
    assert_eq!(
        svc(&ok("-A -M 129.0.0.0 -t 1.2.3.4:80")).netmask,
        0x8100_0000
    );
}

#[test]
fn ops_and_pe() {
    let s = svc(&ok("-A -u 1.2.3.4:53 -o"));
    assert_eq!(s.flags, SVC_F_ONEPACKET);
    err2(
        "-A -t 1.2.3.4:80 -o",
        "One-Packet Scheduling is only for UDP virtual services",
    );
    err2(
        "-E --sctp-service 1.2.3.4:80 --ops",
        "One-Packet Scheduling is only for UDP virtual services",
    );
    // Zero port wins over OPS
    err2(
        "-A -t 1.2.3.4 -o",
        "Zero port specified for non-persistent service",
    );
    let s = svc(&ok("-A -t 1.2.3.4:80 --pe sip"));
    assert_eq!((s.pe_name.as_str(), s.flags), ("sip", 0));
}

#[test]
fn sched_flags() {
    let s = svc(&ok("-A -t 1.2.3.4:80 -b flag-1,flag-2,flag-3"));
    assert_eq!(s.flags, 0x38);
    let s = svc(&ok("-A -t 1.2.3.4:80 -b sh-fallback,sh-port -s sh"));
    assert_eq!(
        (s.flags, s.sched_name.as_str()),
        (SVC_F_SCHED1 | SVC_F_SCHED2, "sh")
    );
    let s = svc(&ok("-A -t 1.2.3.4:80 -s mh -b mh-port -p"));
    assert_eq!(s.flags, SVC_F_SCHED2 | SVC_F_PERSISTENT);
    assert_eq!(
        svc(&pv(&["-A", "-t", "1.2.3.4:80", "-b", ""]).unwrap()).flags,
        0
    );
    err2(
        "-A -t 1.2.3.4:80 -b sh-port",
        "incompatible scheduler flag `sh-port'",
    );
    err2(
        "-A -t 1.2.3.4:80 -s rr -b mh-fallback",
        "incompatible scheduler flag `mh-fallback'",
    );
    err2(
        "-A -t 1.2.3.4:80 -b flag-4",
        "invalid scheduler flag `flag-4'",
    );
    err2("-A -t 1.2.3.4:80 -b ,", "invalid scheduler flag `,'");
    err2("-A -t 1.2.3.4:80 -b ,,,", "invalid scheduler flag `,,,'");
    // sched flags checked before Zero port
    err2("-A -t 1.2.3.4 -b x", "invalid scheduler flag `x'");
    // Stored value is cut to 127 bytes before it is split.
    let long = format!("flag-1,{}", "y".repeat(200));
    let e = pv(&["-A", "-t", "1.2.3.4:80", "-b", &long]).unwrap_err();
    assert_eq!(
        e.message(),
        format!("invalid scheduler flag `{}'", "y".repeat(120))
    );
}

#[test]
fn real_servers() {
    let c = ok("-a -t 10.0.0.1:80 -r 10.0.0.2");
    let d = dst(&c);
    assert_eq!(c.cmd, Cmd::AddDest);
    assert_eq!(
        (d.af, d.port, d.fwd, d.weight, d.u_threshold, d.l_threshold),
        (AF_INET, 80, Forward::Route, 1, 0, 0)
    );
    assert_eq!((d.tun_type, d.tun_port, d.tun_flags), (TUN_IPIP, 0, 0));
    assert_eq!(&d.addr[..4], &[10, 0, 0, 2]);
    assert_eq!(svc(&c).sched_name, "");
    // DR/TUN: port replaced by the service port.
    assert_eq!(dst(&ok("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -g")).port, 80);
    assert_eq!(dst(&ok("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -i")).port, 80);
    let c = ok("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 0 -x 100 -y 50");
    let d = dst(&c);
    assert_eq!(
        (d.port, d.fwd, d.weight, d.u_threshold, d.l_threshold),
        (8080, Forward::Masq, 0, 100, 50)
    );
    assert_eq!(dst(&ok("-a -t 10.0.0.1:80 -r 10.0.0.2 -m")).port, 80);
    // -r before -t: port known at that moment (0), kept with -m.
    assert_eq!(dst(&ok("-a -r 10.0.0.2 -t 10.0.0.1:80 -m")).port, 0);
    assert_eq!(dst(&ok("-a -r 10.0.0.2 -t 10.0.0.1:80")).port, 80);
    // named ports need the service protocol
    assert_eq!(dst(&ok("-a -t 10.0.0.1:80 -r 10.0.0.2:http -m")).port, 80);
    err2(
        "-a -r 10.0.0.2:http -t 10.0.0.1:80 -m",
        "illegal real server address[:port] specified",
    );
    // fwmark: port kept, default 0
    assert_eq!(dst(&ok("-a -f 5 -r 10.0.0.2")).port, 0);
    assert_eq!(dst(&ok("-a -f 5 -r 10.0.0.2:8080")).port, 8080);
    assert_eq!(dst(&ok("-a -f 5 -r 10.0.0.2:http")).port, 80);
    // -d sends the port as given
    let c = ok("-d -t 10.0.0.1:80 -r 10.0.0.2:8080");
    assert_eq!(
        (c.cmd, dst(&c).port, dst(&c).fwd),
        (Cmd::DelDest, 8080, Forward::Route)
    );
    assert_eq!(dst(&ok("-d -t 10.0.0.1:80 -r 10.0.0.2")).port, 80);
    // -e is a full replacement
    let c = ok("-e -t 10.0.0.1:80 -r 10.0.0.3");
    assert_eq!(
        (c.cmd, dst(&c).fwd, dst(&c).weight),
        (Cmd::EditDest, Forward::Route, 1)
    );
    for bad in ["-1", "2147483648", "x", "1.5", ""] {
        let e = pv(&["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-w", bad]).unwrap_err();
        assert_eq!(e.message(), "illegal weight specified", "{bad}");
        let e = pv(&["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-x", bad]).unwrap_err();
        assert_eq!(e.message(), "illegal u_threshold specified", "{bad}");
        let e = pv(&["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-y", bad]).unwrap_err();
        assert_eq!(e.message(), "illegal l_threshold specified", "{bad}");
    }
    assert_eq!(
        dst(&ok("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483647")).weight,
        2147483647
    );
    assert_eq!(
        dst(&ok("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 65536")).weight,
        65536
    );
    err2(
        "-a -t 10.0.0.1:80 -r 80",
        "illegal real server address[:port] specified",
    );
    err2(
        "-a -t 10.0.0.1:80 -r [::1]",
        "illegal real server address[:port] specified",
    );
}

#[test]
fn address_families() {
    // IPv4 real server of an IPv6 service overwrites only 4 bytes.
    let c = ok("-a -t [2001:db8::1]:443 -r 10.0.0.4 -i");
    let d = dst(&c);
    assert_eq!(d.af, AF_INET);
    assert_eq!(d.addr, [10, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(d.port, 443);
    assert_eq!(svc(&c).af, AF_INET6);
    err2(
        "-a -t [2001:db8::1]:443 -r 10.0.0.4",
        "Different address family is allowed only for tunneling servers",
    );
    err2(
        "-a -t 10.0.0.1:80 -r [2001:db8::4]:80 -m",
        "Different address family is allowed only for tunneling servers",
    );
    let c = ok("-a -t 10.0.0.1:80 -r [2001:db8::4]:80 -i");
    assert_eq!(dst(&c).af, AF_INET6);
    let c = ok("-a -f 1 -6 -r [2001:db8::4]:80 -m");
    assert_eq!((dst(&c).af, dst(&c).port), (AF_INET6, 80));
    let c = ok("-a -f 1 -r ::2 -6");
    assert_eq!((dst(&c).af, svc(&c).af), (AF_INET6, AF_INET6));
    err2(
        "-a -f 1 -r ::2",
        "Different address family is allowed only for tunneling servers",
    );
}

#[test]
fn tunnels() {
    let base = "-a -t 10.0.0.1:80 -r 10.0.0.2";
    let c = ok(&format!(
        "{base} -i --tun-type gue --tun-port 6080 --tun-csum"
    ));
    let d = dst(&c);
    assert_eq!(
        (d.fwd, d.tun_type, d.tun_port, d.tun_flags),
        (Forward::Tunnel, TUN_GUE, 6080, TUN_F_CSUM)
    );
    let d = dst(&ok(&format!(
        "{base} -i --tun-type gue --tun-port 1 --tun-remcsum"
    )));
    assert_eq!(d.tun_flags, TUN_F_REMCSUM);
    let d = dst(&ok(&format!("{base} -i --tun-type gre --tun-csum")));
    assert_eq!((d.tun_type, d.tun_flags), (TUN_GRE, TUN_F_CSUM));
    ok(&format!("{base} -i --tun-type gre --tun-nocsum"));
    ok(&format!("{base} -i --tun-type ipip"));
    ok(&format!("{base} -i --tun-type gre"));
    err2(
        &format!("{base} -i --tun-port 5"),
        "Illegal 'tun-port' option with the 'ipip' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-csum"),
        "Illegal 'tun-csum' option with the 'ipip' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type ipip --tun-nocsum"),
        "Illegal 'tun-nocsum' option with the 'ipip' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type gue"),
        "You need to supply the 'tun-port' option for the 'gue' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type gue --tun-port 1 --tun-csum --tun-nocsum"),
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type gue --tun-port 1 --tun-remcsum --tun-csum"),
        "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type gre --tun-port 1"),
        "Illegal 'tun-port' option with the 'gre' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type gre --tun-remcsum"),
        "Illegal 'tun-remcsum' option with the 'gre' tunnel type",
    );
    err2(
        &format!("{base} -i --tun-type gre --tun-csum --tun-nocsum"),
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type",
    );
    err2(
        &format!("{base} --tun-type gue"),
        "Tunnel options conflict with forward method",
    );
    err2(
        &format!("{base} -m --tun-nocsum"),
        "Tunnel options conflict with forward method",
    );
    err2(
        &format!("{base} -g --tun-port 1"),
        "Tunnel options conflict with forward method",
    );
    err2(
        &format!("{base} -i --tun-type vxlan"),
        "illegal tunnel type specified",
    );
    err2(
        &format!("{base} -i --tun-port 0"),
        "illegal tunnel port specified",
    );
    err2(
        &format!("{base} -i --tun-port 65536"),
        "illegal tunnel port specified",
    );
    err2(
        &format!("{base} -i --tun-type gue --tun-type gre"),
        "multiple 'tun-type' options specified",
    );
    // Different family error comes before the tunnel checks.
    err2(
        "-a -t [::1]:80 -r 10.0.0.2 -m --tun-type gue",
        "Different address family is allowed only for tunneling servers",
    );
    err2(
        "-d -t 10.0.0.1:80 -r 10.0.0.2 --tun-type gue",
        "Illegal 'tun-type' option with the 'delete-server' command",
    );
    assert_eq!(TUN_IPIP, 0);
}

/// A valid command line around one option, with a sample value.
fn context(id: OptId) -> Option<(Vec<&'static str>, &'static str)> {
    let svc = vec!["-A", "-t", "10.0.0.1:80"];
    let dest = vec!["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2"];
    let gue = vec![
        "-a",
        "-t",
        "10.0.0.1:80",
        "-r",
        "10.0.0.2",
        "-i",
        "--tun-type",
        "gue",
        "--tun-port",
        "9",
    ];
    let start = vec!["--start-daemon", "master"];
    Some(match id {
        OptId::TcpService | OptId::UdpService | OptId::SctpService => (vec!["-A"], "10.0.0.1:80"),
        OptId::FwmarkService => (vec!["-A"], "5"),
        OptId::Scheduler => (svc, "rr"),
        OptId::Pe => (svc, "sip"),
        OptId::Persistent => (svc, "100"),
        OptId::Netmask => (svc, "255.255.255.0"),
        OptId::Ops => (vec!["-A", "-u", "10.0.0.1:53"], ""),
        OptId::SchedFlags => (vec!["-A", "-t", "10.0.0.1:80", "-s", "sh"], "sh-port"),
        OptId::RealServer => (vec!["-a", "-t", "10.0.0.1:80"], "10.0.0.2"),
        OptId::Gatewaying | OptId::Ipip | OptId::Masquerading => (dest, ""),
        OptId::Weight | OptId::UThreshold | OptId::LThreshold => (dest, "5"),
        OptId::TunType => (
            vec!["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-i"],
            "gre",
        ),
        OptId::TunPort => (
            vec![
                "-a",
                "-t",
                "10.0.0.1:80",
                "-r",
                "10.0.0.2",
                "-i",
                "--tun-type",
                "gue",
            ],
            "6080",
        ),
        OptId::TunNocsum | OptId::TunCsum | OptId::TunRemcsum => (gue, ""),
        OptId::Connection
        | OptId::Timeout
        | OptId::Daemon
        | OptId::Stats
        | OptId::Rate
        | OptId::Exact
        | OptId::Thresholds
        | OptId::PersistentConn
        | OptId::TunInfo
        | OptId::NoSort
        | OptId::Sort
        | OptId::Numeric => (vec!["-L"], ""),
        OptId::SyncId => (start, "7"),
        OptId::SyncMaxlen => (start, "1000"),
        OptId::McastInterface => (start, "lo"),
        OptId::McastGroup => (start, "224.0.0.99"),
        OptId::McastPort => (start, "9999"),
        OptId::McastTtl => (start, "9"),
        OptId::Ipv6 => (vec!["-A", "-f", "1"], ""),
        _ => return None,
    })
}

/// Every option in every spelling: `--long v`, `--long=v`, `-S v`, `-Sv`,
/// `-S=v`, and clustered after a short command; all give the same result.
#[test]
fn every_option_every_spelling() {
    let mut tested = 0;
    for o in OPTIONS.iter().filter(|o| o.cmd.is_none()) {
        let Some((ctx, val)) = context(o.id) else {
            panic!("no context for {:?}", o.id)
        };
        let long = format!("--{}", o.long);
        let mut forms: Vec<Vec<String>> = Vec::new();
        let with = |extra: Vec<String>| -> Vec<String> {
            ctx.iter().map(|s| s.to_string()).chain(extra).collect()
        };
        if o.arg == ArgKind::None {
            forms.push(with(vec![long.clone()]));
            for s in o.short {
                forms.push(with(vec![format!("-{s}")]));
                if o.id != OptId::Ipv6 {
                    let mut v: Vec<String> = ctx.iter().map(|s| s.to_string()).collect();
                    v[0] = format!("{}{s}", v[0]);
                    if v[0].starts_with("--") {
                        continue;
                    }
                    forms.push(v);
                }
            }
        } else {
            forms.push(with(vec![long.clone(), val.to_string()]));
            forms.push(with(vec![format!("{long}={val}")]));
            for s in o.short {
                forms.push(with(vec![format!("-{s}"), val.to_string()]));
                forms.push(with(vec![format!("-{s}{val}")]));
                forms.push(with(vec![format!("-{s}={val}")]));
                let mut v: Vec<String> = ctx.iter().map(|s| s.to_string()).collect();
                v[0] = format!("{}{s}{val}", v[0]);
                if o.id != OptId::TcpService
                    && o.id != OptId::UdpService
                    && o.id != OptId::FwmarkService
                {
                    forms.push(v);
                } else {
                    forms.push(vec![format!("-A{s}{val}")]);
                }
            }
        }
        let first = parse_with("ipvsadm", &forms[0], &resolver(), false)
            .unwrap_or_else(|e| panic!("{:?}: {:?}", forms[0], e));
        for f in &forms[1..] {
            let c = parse_with("ipvsadm", f, &resolver(), false)
                .unwrap_or_else(|e| panic!("{f:?}: {e:?}"));
            assert_eq!(c, first, "{f:?} vs {:?}", forms[0]);
        }
        // The option changes something (except --sort) ...
        let plain: Vec<String> = ctx.iter().map(|s| s.to_string()).collect();
        if o.id != OptId::Sort
            && o.id != OptId::Gatewaying
            && o.id != OptId::TunNocsum
            && o.arg != ArgKind::Optional
        {
            if let Ok(base) = parse_with("ipvsadm", &plain, &resolver(), false) {
                assert_ne!(base, first, "{:?} has no effect", o.id);
            }
        }
        // ... and given twice is an error (except -6 and --sort).
        let mut twice = forms[0].clone();
        twice.extend(forms[0][ctx.len()..].iter().cloned());
        let r = parse_with("ipvsadm", &twice, &resolver(), false);
        match o.bit {
            Some(b) => assert_eq!(
                r.unwrap_err().message(),
                format!("multiple '{}' options specified", OPTNAMES[b as usize]),
                "{:?}",
                o.id
            ),
            None => assert!(r.is_ok(), "{:?}", o.id),
        }
        // Missing argument at the end of the line.
        if o.arg == ArgKind::Required {
            let mut v: Vec<String> = ctx.iter().map(|s| s.to_string()).collect();
            v.push(long.clone());
            let e = parse_with("ipvsadm", &v, &resolver(), false).unwrap_err();
            assert_eq!(
                (e.message().to_string(), e.code),
                (format!("{long}: missing argument"), 255)
            );
        } else {
            let mut v: Vec<String> = ctx.iter().map(|s| s.to_string()).collect();
            v.push(format!("{long}=1"));
            let e = parse_with("ipvsadm", &v, &resolver(), false);
            if o.arg == ArgKind::None {
                let e = e.unwrap_err();
                assert_eq!(
                    (e.message().to_string(), e.code),
                    (format!("{long}=1: option does not take an argument"), 255)
                );
            }
        }
        tested += 1;
    }
    assert_eq!(tested, 41);
}

#[test]
fn every_command_spelling() {
    for (short, long, cmd) in [
        (
            "-A -t 1.1.1.1:80",
            "--add-service -t 1.1.1.1:80",
            Cmd::AddService,
        ),
        (
            "-E -t 1.1.1.1:80",
            "--edit-service -t 1.1.1.1:80",
            Cmd::EditService,
        ),
        (
            "-D -t 1.1.1.1:80",
            "--delete-service -t 1.1.1.1:80",
            Cmd::DelService,
        ),
        ("-C", "--clear", Cmd::Flush),
        ("-L", "--list", Cmd::List),
        ("-l", "--list", Cmd::List),
        (
            "-a -t 1.1.1.1:80 -r 2.2.2.2",
            "--add-server -t 1.1.1.1:80 -r 2.2.2.2",
            Cmd::AddDest,
        ),
        (
            "-e -t 1.1.1.1:80 -r 2.2.2.2",
            "--edit-server -t 1.1.1.1:80 -r 2.2.2.2",
            Cmd::EditDest,
        ),
        (
            "-d -t 1.1.1.1:80 -r 2.2.2.2",
            "--delete-server -t 1.1.1.1:80 -r 2.2.2.2",
            Cmd::DelDest,
        ),
        ("--set 1 2 3", "--set 1 2 3", Cmd::SetTimeout),
        ("-R", "--restore", Cmd::Restore),
        ("-S", "--save", Cmd::Save),
        ("-Z", "--zero", Cmd::Zero),
        ("-h", "--help", Cmd::Help),
        ("-v", "--version", Cmd::Version),
    ] {
        let a = ok(short);
        assert_eq!(a.cmd, cmd);
        assert_eq!(a, ok(long), "{long}");
    }
}

use crate::testkit::Rng;

#[test]
fn random_argv_never_panics() {
    let mut words: Vec<String> = Vec::new();
    for o in OPTIONS {
        words.push(format!("--{}", o.long));
        words.push(format!("--{}=", o.long));
        for s in o.short {
            words.push(format!("-{s}"));
        }
    }
    let extra = [
        "master",
        "backup",
        "10.0.0.1:80",
        "[::1]:80",
        "::1",
        "1.2.3",
        "80",
        "",
        "-",
        "--",
        "=",
        "-=",
        "rr",
        "sh",
        "mh",
        "flag-1",
        "sh-port,mh-port",
        ",",
        "gue",
        "gre",
        "ipip",
        "0",
        "-1",
        "65536",
        "4294967295",
        "4294967296",
        "255.255.255.0",
        "224.0.0.81",
        "ff02::1",
        "fe80::1",
        "!#:+",
        "a!#:+b",
        "-Ln",
        "-Lnc",
        "-t1.2.3.4:80",
        "-w=5",
        "-p=",
        "-pL",
        "é",
        "-é",
        "x\0y",
        "[",
        "]",
        ":",
        "[]:",
        "[1.2.3.4]:80",
        "localhost:http",
        "0x10",
        " 5",
        "+5",
        "9999999999999999999999",
    ];
    let extra_refs: Vec<&str> = extra.to_vec();
    let word_refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut oks = 0;
    for _ in 0..20000 {
        let n = (rng.next() % 9) as usize;
        let mut argv: Vec<String> = Vec::with_capacity(n);
        for _ in 0..n {
            let w = match rng.next() % 10 {
                0..=4 => rng.pick(&word_refs).to_string(),
                5..=7 => rng.pick(&extra_refs).to_string(),
                8 => format!("{}{}", rng.pick(&word_refs), rng.pick(&extra_refs)),
                _ => {
                    let len = (rng.next() % 6) as usize;
                    (0..len)
                        .map(|_| char::from_u32((rng.next() % 0x80) as u32).unwrap_or('x'))
                        .collect()
                }
            };
            argv.push(w);
        }
        match parse_with("ipvsadm", &argv, &resolver(), rng.next().is_multiple_of(8)) {
            Ok(_) => oks += 1,
            Err(e) => {
                assert!(matches!(e.code, 2 | 255), "{argv:?}: {e:?}");
                assert!(!e.message().is_empty());
            }
        }
    }
    assert!(oks > 100, "only {oks} successful parses");
}

#[test]
fn posixly_correct_ends_options_at_first_leftover() {
    let v = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_string).collect() };
    let r = |s: &str| parse_with("ipvsadm", &v(s), &resolver(), true);
    assert_eq!(
        r("-L foo -Q").unwrap_err().message(),
        "unexpected argument foo"
    );
    assert_eq!(
        r("-L -n foo -n").unwrap_err().message(),
        "unexpected argument foo"
    );
    assert_eq!(r("x -L").unwrap_err(), ParseError::try_help("ipvsadm"));
    assert!(r("-L -n").unwrap().list.numeric);
    // Without it, the later option is still read.
    assert_eq!(
        parse_with("ipvsadm", &v("-L foo -Q"), &resolver(), false)
            .unwrap_err()
            .message(),
        "-Q: unknown option"
    );
}
