//! In-guest tests of our extensions (`--json`, `apply`, `--netns`), each
//! in a fresh network namespace, checked against Debian's ipvsadm reading
//! the same kernel state.

use std::path::Path;

use crate::support::{self, ok, Exit};

/// A rule set with most kinds of services and real servers.
const TABLE: &str = "\
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 127.0.0.2:80 -g -w 2
-a -t 10.0.0.1:80 -r 10.1.0.3:8080 -m -w 0
-a -t 10.0.0.1:80 -r 10.1.0.4:80 -i -w 1
-A -t 10.0.0.2:0 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port
-A -u 10.0.0.3:53 -s rr -o
-a -u 10.0.0.3:53 -r 10.1.0.5:53 -m -w 4
-A --sctp-service 10.0.0.4:9999 -s nq -p 30
-A -t [2001:db8::1]:443 -s wlc
-a -t [2001:db8::1]:443 -r [2001:db8::a]:443 -m -w 1
-A -f 6 -s rr -p 300
-a -f 6 -r 10.1.0.6:0 -g -w 1
-A -f 7 -6 -s lc -p 100 -M 64
";

fn restore_real(rules: &str) {
    let o = support::run(
        Path::new(support::REAL_IPVSADM),
        "ipvsadm",
        &["-R".to_string()],
        Some(rules.as_bytes()),
    );
    ok(&o, "real ipvsadm -R");
}

// A small JSON reader, enough for our own output.
#[derive(Debug, Clone, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn get(&self, k: &str) -> &J {
        match self {
            J::Obj(v) => v
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v)
                .unwrap_or(&J::Null),
            _ => &J::Null,
        }
    }
    fn s(&self) -> String {
        match self {
            J::Str(s) => s.clone(),
            J::Num(n) => format!("{n}"),
            J::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    }
    fn arr(&self) -> &[J] {
        match self {
            J::Arr(v) => v,
            _ => &[],
        }
    }
}

fn parse_json(t: &str) -> J {
    fn ws(b: &[u8], i: &mut usize) {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    }
    fn val(b: &[u8], i: &mut usize) -> J {
        ws(b, i);
        match b[*i] {
            b'{' => {
                *i += 1;
                let mut v = Vec::new();
                loop {
                    ws(b, i);
                    if b[*i] == b'}' {
                        *i += 1;
                        return J::Obj(v);
                    }
                    let J::Str(k) = val(b, i) else { panic!("key") };
                    ws(b, i);
                    assert_eq!(b[*i], b':');
                    *i += 1;
                    v.push((k, val(b, i)));
                    ws(b, i);
                    if b[*i] == b',' {
                        *i += 1;
                    }
                }
            }
            b'[' => {
                *i += 1;
                let mut v = Vec::new();
                loop {
                    ws(b, i);
                    if b[*i] == b']' {
                        *i += 1;
                        return J::Arr(v);
                    }
                    v.push(val(b, i));
                    ws(b, i);
                    if b[*i] == b',' {
                        *i += 1;
                    }
                }
            }
            b'"' => {
                *i += 1;
                let mut s = String::new();
                while b[*i] != b'"' {
                    if b[*i] == b'\\' {
                        *i += 1;
                    }
                    s.push(b[*i] as char);
                    *i += 1;
                }
                *i += 1;
                J::Str(s)
            }
            b'n' => {
                *i += 4;
                J::Null
            }
            b't' => {
                *i += 4;
                J::Bool(true)
            }
            b'f' => {
                *i += 5;
                J::Bool(false)
            }
            _ => {
                let st = *i;
                while *i < b.len() && (b[*i] == b'-' || b[*i] == b'.' || b[*i].is_ascii_digit()) {
                    *i += 1;
                }
                J::Num(t_num(&b[st..*i]))
            }
        }
    }
    fn t_num(b: &[u8]) -> f64 {
        std::str::from_utf8(b).unwrap().parse().unwrap()
    }
    let b = t.as_bytes();
    let mut i = 0;
    val(b, &mut i)
}

/// The `-S -n` text that a JSON listing describes.
fn save_from_json(j: &J) -> String {
    let mut out = String::new();
    for s in j.get("services").arr() {
        let v6 = s.get("family").s() == "inet6";
        let name = if s.get("protocol").s() == "fwmark" {
            format!("-f {}{}", s.get("fwmark").s(), if v6 { " -6" } else { "" })
        } else {
            let kind = match s.get("protocol").s().as_str() {
                "tcp" => "-t",
                "udp" => "-u",
                _ => "--sctp-service",
            };
            let a = s.get("address").s();
            let a = if v6 { format!("[{a}]") } else { a };
            format!("{kind} {a}:{}", s.get("port").s())
        };
        out += &format!("-A {name} -s {}", s.get("scheduler").s());
        if s.get("persistent") == &J::Bool(true) {
            out += &format!(" -p {}", s.get("timeout").s());
            let m = s.get("netmask").s();
            if m != "255.255.255.255" && m != "128" {
                out += &format!(" -M {m}");
            }
        }
        if let J::Str(pe) = s.get("pe") {
            out += &format!(" --pe {pe}");
        }
        if s.get("ops") == &J::Bool(true) {
            out += " -o";
        }
        let flags: Vec<String> = s.get("sched_flags").arr().iter().map(J::s).collect();
        if !flags.is_empty() {
            out += &format!(" -b {}", flags.join(","));
        }
        out += "\n";
        for d in s.get("servers").arr() {
            let a = d.get("address").s();
            let a = if d.get("family").s() == "inet6" {
                format!("[{a}]")
            } else {
                a
            };
            let fwd = match d.get("forward").s().as_str() {
                "masq" => "-m",
                "tunnel" => "-i",
                _ => "-g",
            };
            out += &format!(
                "-a {name} -r {a}:{} {fwd} -w {}",
                d.get("port").s(),
                d.get("weight").s()
            );
            if let J::Obj(_) = d.get("tunnel") {
                out += &format!(" --tun-type {}", d.get("tunnel").get("type").s());
            }
            out += "\n";
        }
    }
    out
}

#[test]
#[ignore = "guest lab"]
fn json_describes_the_same_state_as_the_text_listing() {
    support::require_guest();
    support::in_netns(|| {
        restore_real(TABLE);
        let json = ok(
            &support::our_ipvsadm(&["-L", "-n", "--json"]),
            "ours --json",
        );
        let saved = ok(&support::real_ipvsadm(&["-S", "-n"]), "real -S -n");
        assert_eq!(save_from_json(&parse_json(&json)), saved, "JSON:\n{json}");
        let j = parse_json(&json);
        assert_eq!(j.get("version").s(), "1.2.1");
        let t = parse_json(&ok(
            &support::our_ipvsadm(&["-L", "--timeout", "--json"]),
            "timeouts",
        ));
        assert_eq!(t.get("timeouts").get("tcp").s(), "900");
        // One service.
        let one = parse_json(&ok(
            &support::our_ipvsadm(&["-L", "-n", "-t", "10.0.0.1:80", "--json"]),
            "one",
        ));
        assert_eq!(one.get("services").arr().len(), 1);
        assert_eq!(one.get("services").arr()[0].get("servers").arr().len(), 3);
        // Not a listing: refused, table untouched.
        let o = support::our_ipvsadm(&["-C", "--json"]);
        assert_eq!(o.exit, Exit::Code(2));
        assert_eq!(ok(&support::real_ipvsadm(&["-S", "-n"]), "after"), saved);
    });
}

#[test]
#[ignore = "guest lab"]
fn apply_converges_with_minimal_changes_and_no_flush() {
    support::require_guest();
    support::in_netns(|| {
        let dir = std::env::temp_dir().join(format!("apply-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rules");
        std::fs::write(&file, TABLE).unwrap();
        let f = file.to_string_lossy().to_string();
        ok(&support::our_ipvsadm(&["apply", &f]), "apply");
        let want = {
            // What real ipvsadm makes of the same file.
            let mine = ok(&support::real_ipvsadm(&["-S", "-n"]), "save");
            ok(&support::real_ipvsadm(&["-C"]), "clear");
            restore_real(TABLE);
            let theirs = ok(&support::real_ipvsadm(&["-S", "-n"]), "save");
            assert_eq!(mine, theirs);
            theirs
        };
        // A second apply changes nothing.
        let dry = ok(
            &support::our_ipvsadm(&["apply", "--dry-run", &f]),
            "dry run",
        );
        assert_eq!(dry, "", "second apply would change: {dry}");
        // A changed file: one weight, one server gone, one service gone, one new.
        let changed = TABLE
            .replace("-r 127.0.0.2:80 -g -w 2", "-r 127.0.0.2:80 -g -w 5")
            .replace("-a -t 10.0.0.1:80 -r 10.1.0.4:80 -i -w 1\n", "")
            .replace(
                "-A --sctp-service 10.0.0.4:9999 -s nq -p 30\n",
                "-A -t 10.0.0.9:25 -s rr\n",
            );
        std::fs::write(&file, &changed).unwrap();
        let dry = ok(
            &support::our_ipvsadm(&["apply", "--dry-run", &f]),
            "dry run 2",
        );
        assert_eq!(
            dry,
            "ipvsadm -A -t 10.0.0.9:25 -s rr\n\
             ipvsadm -e -t 10.0.0.1:80 -r 127.0.0.2:80 -g -w 5\n\
             ipvsadm -d -t 10.0.0.1:80 -r 10.1.0.4:80\n\
             ipvsadm -D --sctp-service 10.0.0.4:9999\n"
        );
        assert_eq!(
            ok(
                &support::real_ipvsadm(&["-S", "-n"]),
                "unchanged by dry run"
            ),
            want
        );
        ok(&support::our_ipvsadm(&["apply", &f]), "apply 2");
        let after = ok(&support::real_ipvsadm(&["-S", "-n"]), "after");
        ok(&support::real_ipvsadm(&["-C"]), "clear");
        restore_real(&changed);
        assert_eq!(after, ok(&support::real_ipvsadm(&["-S", "-n"]), "expected"));
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
#[ignore = "guest lab"]
fn netns_option_acts_in_the_named_namespace() {
    support::require_guest();
    support::in_netns(|| {
        let o = support::sh("ip netns add extns1 && ip -n extns1 link set lo up");
        assert_eq!(
            o.exit,
            Exit::Code(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        ok(
            &support::our_ipvsadm(&["-A", "--netns", "extns1", "-t", "10.0.0.1:80", "-s", "rr"]),
            "add in netns",
        );
        ok(
            &support::our_ipvsadm(&[
                "--netns=/run/netns/extns1",
                "-a",
                "-t",
                "10.0.0.1:80",
                "-r",
                "127.0.0.1",
            ]),
            "add dest by path",
        );
        let inside = support::sh("ip netns exec extns1 /usr/sbin/ipvsadm -S -n");
        assert_eq!(
            String::from_utf8_lossy(&inside.stdout),
            "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 127.0.0.1:80 -g -w 1\n"
        );
        assert_eq!(ok(&support::real_ipvsadm(&["-S", "-n"]), "here"), "");
        let listed = ok(
            &support::our_ipvsadm(&["-S", "-n", "--netns", "extns1"]),
            "list",
        );
        assert_eq!(listed, String::from_utf8_lossy(&inside.stdout));
        let o = support::our_ipvsadm(&["-L", "--netns", "nonexistent"]);
        assert_eq!(o.exit, Exit::Code(2));
        let _ = support::sh("ip netns del extns1");
    });
}
