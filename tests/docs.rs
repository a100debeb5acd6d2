//! Documentation, shell completions and installation, checked on the host
//! (no kernel needed).
//!
//! - The man page lints clean with groff and documents every option of
//!   the grammar's option table, the extensions and the `mark` options.
//! - Each completion script (bash, zsh, fish) names every option, loads
//!   without error, and offers the expected candidates when driven the way
//!   the shell drives it: bash through `COMP_WORDS` and in an interactive
//!   bash on a pseudo-terminal, zsh on a pseudo-terminal (`zpty`) with
//!   `compadd` recorded, fish through `complete -C`. After each command
//!   each shell offers exactly the options the grammar's command × option
//!   matrix allows (plus our extensions).
//! - `make install DESTDIR=…` puts every file where `man`, bash-completion,
//!   zsh and fish look for it, and `make uninstall` removes them.
//! - `ipvsadm-save` and `ipvsadm-restore` behave as ipvsadm 1.31's do,
//!   driven against a stand-in `ipvsadm` placed next to them.
//!
//! Needs groff (groff-base), man-db, bash-completion, zsh, fish and make.
//! A missing tool fails the test with the package to install; nothing is
//! skipped silently.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ipvsadm_rs::grammar::options::OPTIONS;

// ---------------------------------------------------------------------------
// The option table

/// One option as the docs must know it.
#[derive(Debug, Clone)]
struct Opt {
    long: String,
    short: Vec<char>,
    /// A command (must be the first option on the line).
    is_cmd: bool,
    /// Fixed set of values, for completions.
    values: Vec<String>,
    /// Long names of the commands this option may be given with (the
    /// grammar's command × option matrix).
    allowed_with: Vec<String>,
}

/// Every option of ipvsadm's grammar, from the grammar's own option table
/// (the one the parser and `-h` use), so that an option cannot be added
/// without its documentation and completions.
fn table() -> Vec<Opt> {
    OPTIONS
        .iter()
        .map(|o| Opt {
            long: o.long.to_string(),
            short: o.short.to_vec(),
            is_cmd: o.cmd.is_some(),
            values: o.values.iter().map(|v| v.to_string()).collect(),
            allowed_with: o
                .allowed_with()
                .into_iter()
                .filter_map(|c| OPTIONS.iter().find(|x| x.cmd == Some(c)))
                .map(|x| x.long.to_string())
                .collect(),
        })
        .collect()
}

/// The option words (long and short) the matrix allows after a command.
fn allowed_after(cmd_long: &str) -> BTreeSet<String> {
    let mut w = BTreeSet::new();
    for o in table()
        .iter()
        .filter(|o| o.allowed_with.iter().any(|c| c == cmd_long))
    {
        w.insert(format!("--{}", o.long));
        w.extend(o.short.iter().map(|c| format!("-{c}")));
    }
    w
}

/// Compare what a shell offers after each command with the matrix: every
/// allowed option is offered (`-6` and `--sort`, allowed everywhere by the
/// matrix, only where they mean something), and nothing else but our
/// extensions.
fn check_against_matrix(shell: &str, offered: &[(String, BTreeSet<String>)]) {
    for (cmd, got) in offered {
        let allowed = allowed_after(cmd);
        let optional = set(&["-6", "--ipv6", "--sort"]);
        let missing: Vec<&String> = allowed
            .iter()
            .filter(|w| !optional.contains(*w) && !got.contains(*w))
            .collect();
        assert!(
            missing.is_empty(),
            "{shell}: after --{cmd}, {missing:?} not offered"
        );
        let extra: Vec<&String> = got
            .iter()
            .filter(|w| w.starts_with('-') && !allowed.contains(*w))
            .filter(|w| !(*w == "--netns" || (*w == "--json" && cmd == "list")))
            .collect();
        assert!(
            extra.is_empty(),
            "{shell}: after --{cmd}, {extra:?} offered but illegal"
        );
    }
}

/// Every option word of the table: `--long` and `-x`.
fn option_words() -> Vec<String> {
    let mut w = Vec::new();
    for o in table() {
        w.push(format!("--{}", o.long));
        for c in &o.short {
            w.push(format!("-{c}"));
        }
    }
    w
}

/// Our extensions to ipvsadm's grammar: options and subcommands.
const EXT_OPTIONS: &[&str] = &["--json", "--netns"];
const EXT_SUBCOMMANDS: &[&str] = &[
    "mark",
    "apply",
    "realserver",
    "director",
    "metrics",
    "sysctl",
    "drain",
    "top",
];

/// Every spelling of every option `ipvsadm mark` takes (iptables' own, for
/// mangle MARK rules), from its option table (`src/mark/grammar/options.rs`).
fn mark_options() -> Vec<String> {
    ipvsadm_rs::mark::grammar::options::OPTIONS
        .iter()
        .flat_map(|o| o.spellings())
        .collect()
}
const MARK_CHAINS: &[&str] = &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/// Every scheduler the kernel may offer (ipvsadm's list plus `twos`).
const SCHEDULERS: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
];

// ---------------------------------------------------------------------------
// Helpers

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let p = root().join(rel);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// The path of a tool the tests need, or a failure naming its package.
fn require(tool: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join(tool);
        if p.is_file() {
            return p;
        }
    }
    panic!("`{tool}` is not installed; these tests need it: apt-get install {package}");
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ipvsadm-docs-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).expect("create scratch dir");
    d
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write_exe(path: &Path, body: &str) {
    fs::write(path, body).expect("write script");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A stand-in `ipvsadm` that answers `-S -n` with a small table.
fn fake_ipvsadm(dir: &Path) -> PathBuf {
    let p = dir.join("ipvsadm");
    write_exe(
        &p,
        "#!/bin/sh\n\
         case $1 in\n\
         --netns) echo \"-A -t 7.7.7.7:$2 -s rr\"; exit 0 ;;\n\
         --netns=*) echo \"-A -t 7.7.7.7:${1#--netns=} -s rr\"; exit 0 ;;\n\
         esac\n\
         [ \"$1\" = -S ] || exit 1\n\
         cat <<'EOF'\n\
         -A -t 10.0.0.1:80 -s wlc\n\
         -a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 5\n\
         -A -t [2001:db8::1]:443 -s rr\n\
         -A -u 10.0.0.2:53 -s mh -o -b mh-port\n\
         -A --sctp-service 10.0.0.3:9999 -s nq\n\
         -A -f 6 -s wrr\n\
         -a -f 6 -r 192.168.2.1:0 -g -w 3\n\
         -A -f 7 -6 -s lc\n\
         EOF\n",
    );
    p
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn lines(s: &str) -> BTreeSet<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Split text into option-like words: runs of letters, digits and `-`.
fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

// ---------------------------------------------------------------------------
// Man page

/// The man source with font changes and escapes reduced to plain text.
fn man_plain(src: &str) -> String {
    let mut s = src.replace("\\-", "-").replace("\\(dq", "\"");
    for f in [
        "\\fB", "\\fI", "\\fR", "\\fP", "\\f(CW", "\\|", "\\~", "\\c", "\\&",
    ] {
        s = s.replace(f, "");
    }
    s
}

/// The words of every `.TP` heading (the line after `.TP`), i.e. what the
/// page documents as an item.
fn man_items(src: &str) -> BTreeSet<String> {
    let plain = man_plain(src);
    let ls: Vec<&str> = plain.lines().collect();
    let mut items = BTreeSet::new();
    for (i, l) in ls.iter().enumerate() {
        if l.trim() == ".TP" {
            if let Some(next) = ls.get(i + 1) {
                items.extend(words(next));
            }
        }
    }
    items
}

/// The manual pages we ship.
const MAN_PAGES: &[&str] = &[
    "man/ipvsadm.8",
    "man/ipvsadm-save.8",
    "man/ipvsadm-restore.8",
];

#[test]
fn man_pages_lint_clean() {
    let groff = require("groff", "groff-base");
    for page in MAN_PAGES {
        let out = run(Command::new(&groff)
            .args(["-man", "-ww", "-z", page])
            .current_dir(root()));
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "groff -man -ww -z {page} is not clean (status {}):\n{}{}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

#[test]
fn man_page_renders() {
    let groff = require("groff", "groff-base");
    let out = run(Command::new(groff)
        .args(["-man", "-Tutf8", "-P-c", "man/ipvsadm.8"])
        .current_dir(root()));
    assert!(out.status.success(), "groff failed: {}", text(&out.stderr));
    // Drop the overstrike used for bold and underline ("N\bN", "_\bx").
    let mut page = String::new();
    for c in text(&out.stdout).chars() {
        if c == '\u{8}' {
            page.pop();
        } else {
            page.push(c);
        }
    }
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "COMMANDS",
        "EXIT STATUS",
        "FILES",
        "DIFFERENCES",
        "EXTENSIONS",
        "THE MARK SUBCOMMAND",
        "SAVE AND RESTORE",
        "JSON OUTPUT",
    ] {
        assert!(
            page.lines().any(|l| l.trim() == section),
            "man page has no {section} section"
        );
    }
}

#[test]
fn man_page_documents_every_option() {
    let src = read("man/ipvsadm.8");
    let items = man_items(&src);
    let missing: Vec<String> = option_words()
        .into_iter()
        .chain(EXT_OPTIONS.iter().map(|s| s.to_string()))
        .chain(EXT_SUBCOMMANDS.iter().map(|s| s.to_string()))
        .chain(mark_options())
        .filter(|w| !items.contains(w))
        .collect();
    assert!(
        missing.is_empty(),
        "options not documented as an item (.TP heading) in man/ipvsadm.8: {missing:?}"
    );
    // Fixed values: schedulers, flags, tunnel types, roles, engines, chains.
    let all = words(&man_plain(&src));
    let values: Vec<String> = table()
        .into_iter()
        .flat_map(|o| o.values)
        .chain(SCHEDULERS.iter().map(|s| s.to_string()))
        .chain(MARK_CHAINS.iter().map(|s| s.to_string()))
        .filter(|v| !all.contains(v))
        .collect();
    assert!(
        values.is_empty(),
        "values missing from the man page: {values:?}"
    );
}

#[test]
fn man_page_states_exit_codes_and_differences() {
    let plain = man_plain(&read("man/ipvsadm.8"));
    let exit = plain
        .split(".SH EXIT STATUS")
        .nth(1)
        .and_then(|s| s.split(".SH ").next())
        .expect("EXIT STATUS section");
    for code in ["0", "1", "2", "255"] {
        assert!(
            exit.lines().any(|l| l.trim() == format!(".B {code}")),
            "exit status {code} not described"
        );
    }
    let diff = plain
        .split(".SH DIFFERENCES")
        .nth(1)
        .expect("DIFFERENCES section");
    for needle in [
        "Can't initialize ipvs",
        "-b ,",
        "invalid scheduler flag \\(ga,\\(aq",
        "pipelin",
        ".SS EXTENSIONS",
    ] {
        assert!(diff.contains(needle), "DIFFERENCES lacks {needle:?}");
    }
}

// ---------------------------------------------------------------------------
// Completion scripts: every option named

#[test]
fn completions_name_every_option() {
    let expected: Vec<String> = option_words()
        .into_iter()
        .chain(EXT_OPTIONS.iter().map(|s| s.to_string()))
        .chain(EXT_SUBCOMMANDS.iter().map(|s| s.to_string()))
        .chain(mark_options())
        .collect();
    for file in ["completions/ipvsadm.bash", "completions/_ipvsadm"] {
        let w = words(&read(file));
        let missing: Vec<&String> = expected.iter().filter(|o| !w.contains(*o)).collect();
        assert!(missing.is_empty(), "{file} lacks {missing:?}");
    }
    // fish spells options as `-s X` / `-l NAME` (or `-a word`).
    let fish = read("completions/ipvsadm.fish");
    let toks: Vec<&str> = fish.split_whitespace().collect();
    let mut named = BTreeSet::new();
    for pair in toks.windows(2) {
        let v = pair[1].trim_matches('\'');
        match pair[0] {
            "-s" | "--short-option" => {
                named.insert(format!("-{v}"));
            }
            "-l" | "--long-option" => {
                named.insert(format!("--{v}"));
            }
            "-a" | "--arguments" => {
                named.insert(v.to_string());
            }
            _ => {}
        }
    }
    let missing: Vec<&String> = expected.iter().filter(|o| !named.contains(*o)).collect();
    assert!(
        missing.is_empty(),
        "completions/ipvsadm.fish lacks {missing:?}"
    );
}

// ---------------------------------------------------------------------------
// bash

/// Run the bash completion function for `words` (the last one is being
/// completed) and return the candidates. With `full`, bash-completion is
/// loaded first and COMP_LINE/COMP_POINT are set, as in a real shell.
fn bash_complete(words: &[&str], full: bool, path_prefix: Option<&Path>) -> BTreeSet<String> {
    let bash = require("bash", "bash");
    let script = format!(
        "{load}source completions/ipvsadm.bash\n\
         COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n\
         {line}\
         _ipvsadm\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        load = if full {
            "source /usr/share/bash-completion/bash_completion\n"
        } else {
            ""
        },
        line = if full {
            "COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}\n"
        } else {
            ""
        },
    );
    if full {
        assert!(
            Path::new("/usr/share/bash-completion/bash_completion").is_file(),
            "bash-completion is not installed; apt-get install bash-completion"
        );
    }
    let mut cmd = Command::new(bash);
    cmd.arg("-c").arg(script).arg("bash").args(words);
    // Ask the stand-in ipvsadm although this host has no ip_vs loaded.
    cmd.env("IPVSADM_COMPLETION_QUERY", "1");
    cmd.current_dir(root());
    if let Some(p) = path_prefix {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![p.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).expect("PATH"));
    }
    let out = run(&mut cmd);
    assert!(
        out.status.success(),
        "bash completion failed for {words:?}: {}",
        text(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "bash completion wrote to stderr for {words:?}: {}",
        text(&out.stderr)
    );
    lines(&text(&out.stdout))
}

#[test]
fn bash_completion_loads() {
    let bash = require("bash", "bash");
    let out = run(Command::new(bash)
        .args(["-n", "completions/ipvsadm.bash"])
        .current_dir(root()));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(Command::new(require("bash", "bash"))
        .args([
            "-c",
            "source completions/ipvsadm.bash && complete -p ipvsadm",
        ])
        .current_dir(root()));
    assert_eq!(text(&out.stdout).trim(), "complete -F _ipvsadm ipvsadm");
}

#[test]
fn bash_completes_commands_first() {
    let got = bash_complete(&["ipvsadm", ""], false, None);
    for o in table().iter().filter(|o| o.is_cmd) {
        assert!(
            got.contains(&format!("--{}", o.long)),
            "--{} not offered",
            o.long
        );
        for c in &o.short {
            assert!(got.contains(&format!("-{c}")), "-{c} not offered");
        }
    }
    for s in EXT_SUBCOMMANDS {
        assert!(got.contains(*s), "{s} not offered");
    }
    // Non-command options are not offered where a command must come.
    assert!(!got.contains("--scheduler") && !got.contains("-t"));
}

/// The option words of the commands themselves (`-A`, `--add-service`, …).
fn command_words() -> BTreeSet<String> {
    table()
        .iter()
        .filter(|o| o.is_cmd)
        .flat_map(|o| {
            std::iter::once(format!("--{}", o.long)).chain(o.short.iter().map(|c| format!("-{c}")))
        })
        .collect()
}

/// What must follow a command before its options: the daemon role.
fn role(o: &Opt) -> Option<String> {
    o.values.first().filter(|_| o.is_cmd).cloned()
}

/// The non-command options that `offered` lacks.
fn never_offered(offered: &BTreeSet<String>) -> Vec<String> {
    let cmds = command_words();
    option_words()
        .into_iter()
        .filter(|w| !cmds.contains(w) && !offered.contains(w))
        .collect()
}

#[test]
fn bash_offers_every_option_after_some_command() {
    let mut offered = BTreeSet::new();
    let mut per_cmd = Vec::new();
    for o in table().iter().filter(|o| o.is_cmd) {
        let mut w = vec!["ipvsadm".to_string(), format!("--{}", o.long)];
        w.extend(role(o));
        w.push("-".into());
        let w: Vec<&str> = w.iter().map(String::as_str).collect();
        let got = bash_complete(&w, false, None);
        offered.extend(got.iter().cloned());
        per_cmd.push((o.long.clone(), got));
    }
    let missing = never_offered(&offered);
    assert!(missing.is_empty(), "bash never offers {missing:?}");
    check_against_matrix("bash", &per_cmd);
}

#[test]
fn bash_completes_values() {
    let c = |w: &[&str]| bash_complete(w, false, None);
    assert_eq!(
        c(&["ipvsadm", "-A", "-t", "1.2.3.4:80", "-s", ""]),
        set(SCHEDULERS)
    );
    assert_eq!(
        c(&["ipvsadm", "-E", "--scheduler", "w"]),
        set(&["wrr", "wlc"])
    );
    assert_eq!(
        c(&["ipvsadm", "-a", "--tun-type", ""]),
        set(&["ipip", "gue", "gre"])
    );
    assert_eq!(
        c(&["ipvsadm", "--start-daemon", ""]),
        set(&["master", "backup"])
    );
    assert_eq!(c(&["ipvsadm", "--stop-daemon", "b"]), set(&["backup"]));
    assert_eq!(c(&["ipvsadm", "-A", "--pe", ""]), set(&["sip"]));
    assert_eq!(
        c(&["ipvsadm", "-a", "--tun-"]),
        set(&[
            "--tun-type",
            "--tun-port",
            "--tun-nocsum",
            "--tun-csum",
            "--tun-remcsum"
        ])
    );
    assert_eq!(
        c(&["ipvsadm", "-A", "-b", "sh-port,mh"]),
        set(&["sh-port,mh-fallback", "sh-port,mh-port"])
    );
    // Options already given, and the rest of their group, are left out.
    let got = c(&["ipvsadm", "-A", "-t", "1.2.3.4:80", "-"]);
    assert!(
        got.contains("-s") && got.contains("--persistent"),
        "{got:?}"
    );
    for gone in [
        "-t",
        "--tcp-service",
        "-u",
        "--udp-service",
        "--sctp-service",
        "-f",
    ] {
        assert!(!got.contains(gone), "{gone} offered again: {got:?}");
    }
    let got = c(&[
        "ipvsadm",
        "-a",
        "-t",
        "1:80",
        "-r",
        "10.0.0.2",
        "--masquerading",
        "-",
    ]);
    assert!(got.contains("-w"), "{got:?}");
    for gone in [
        "-g",
        "--gatewaying",
        "-i",
        "--ipip",
        "-m",
        "-r",
        "--real-server",
    ] {
        assert!(!got.contains(gone), "{gone} offered again: {got:?}");
    }
    // A command opening a cluster of short options.
    assert_eq!(c(&["ipvsadm", "-Ln", "--ra"]), set(&["--rate"]));
    // Every fixed value in the table is offered after its option.
    for o in table().iter().filter(|o| !o.values.is_empty()) {
        let cmd = match o.long.as_str() {
            "tun-type" => "-a",
            "start-daemon" | "stop-daemon" => "",
            _ => "-A",
        };
        let mut w = vec!["ipvsadm"];
        if !cmd.is_empty() {
            w.push(cmd);
        }
        let opt = format!("--{}", o.long);
        w.push(&opt);
        w.push("");
        let got = c(&w);
        for v in &o.values {
            assert!(got.contains(v), "{v} not offered after {opt}");
        }
    }
    // With bash-completion loaded, COMP_LINE set, and `--opt=value`.
    assert_eq!(
        bash_complete(&["ipvsadm", "-A", "--scheduler", "=", "w"], true, None),
        set(&["wrr", "wlc"])
    );
    assert_eq!(
        bash_complete(&["ipvsadm", "-L", "--ra"], true, None),
        set(&["--rate"])
    );
}

#[test]
fn bash_completes_kernel_services() {
    let dir = scratch("bash-services");
    let fake = fake_ipvsadm(&dir);
    let f = fake.to_str().expect("utf-8 path");
    let c = |w: &[&str]| bash_complete(w, false, None);
    assert_eq!(
        c(&[f, "-L", "-t", ""]),
        set(&["10.0.0.1:80", "[2001:db8::1]:443"])
    );
    assert_eq!(c(&[f, "-a", "--udp-service", ""]), set(&["10.0.0.2:53"]));
    assert_eq!(c(&[f, "-D", "--sctp-service", ""]), set(&["10.0.0.3:9999"]));
    assert_eq!(c(&[f, "-a", "-f", ""]), set(&["6", "7"]));
    // Without ip_vs loaded, completion does not run ipvsadm (which would
    // load the module).
    if !Path::new("/proc/net/ip_vs").exists() {
        let out = run(Command::new(require("bash", "bash"))
            .arg("-c")
            .arg("source completions/ipvsadm.bash; COMP_WORDS=(\"$1\" -L -t ''); COMP_CWORD=3; _ipvsadm; echo \"${#COMPREPLY[@]}\"")
            .arg("bash")
            .arg(f)
            .env_remove("IPVSADM_COMPLETION_QUERY")
            .current_dir(root()));
        assert_eq!(text(&out.stdout).trim(), "0", "{}", text(&out.stderr));
    }
    // The services of the namespace given with --netns.
    assert_eq!(
        c(&[f, "--netns", "42", "-L", "-t", ""]),
        set(&["7.7.7.7:42"])
    );
    assert_eq!(c(&[f, "-L", "--netns=43", "-t", ""]), set(&["7.7.7.7:43"]));
    // Found through PATH when invoked by name.
    assert_eq!(
        bash_complete(&["ipvsadm", "-Z", "-t", "10"], false, Some(&dir)),
        set(&["10.0.0.1:80"])
    );
    let _ = fs::remove_dir_all(&dir);
}

/// `ipvsadm mark -m`/`-j` complete to the matches and targets of the
/// option table, in bash and fish.
#[test]
fn mark_completions_follow_the_table() {
    use ipvsadm_rs::mark::grammar::options::{MODULES, TARGETS};
    let modules: BTreeSet<String> = MODULES.iter().map(|m| m.name().to_string()).collect();
    let targets: BTreeSet<String> = TARGETS.iter().map(|t| t.to_string()).collect();
    let c = |w: &[&str]| bash_complete(w, false, None);
    assert_eq!(
        c(&["ipvsadm", "mark", "-A", "PREROUTING", "-m", ""]),
        modules
    );
    assert_eq!(
        c(&["ipvsadm", "mark", "-A", "PREROUTING", "-j", ""]),
        targets
    );
    assert_eq!(
        fish_complete("ipvsadm mark -A PREROUTING -m ", None),
        modules
    );
    assert_eq!(
        fish_complete("ipvsadm mark -A PREROUTING -j ", None),
        targets
    );
}

#[test]
fn bash_completes_extensions() {
    let c = |w: &[&str]| bash_complete(w, false, None);
    assert_eq!(c(&["ipvsadm", "mark", "-A", ""]), set(MARK_CHAINS));
    assert_eq!(c(&["ipvsadm", "mark", "-t", ""]), set(&["mangle"]));
    assert_eq!(
        c(&["ipvsadm", "mark", "-A", "PREROUTING", "-j", ""]),
        set(&["MARK", "CONNMARK", "ACCEPT", "RETURN"])
    );
    assert_eq!(
        c(&["ipvsadm", "mark", "-A", "PREROUTING", "-m", ""]),
        set(&[
            "tcp",
            "udp",
            "sctp",
            "multiport",
            "comment",
            "mark",
            "connmark",
            "state",
            "conntrack",
            "iprange",
            "addrtype",
            "icmp",
            "icmp6"
        ])
    );
    let got = c(&["ipvsadm", "mark", "-A", "PREROUTING", "-"]);
    for o in mark_options() {
        assert!(got.contains(&o), "mark option {o} not offered");
    }
    assert_eq!(c(&["ipvsadm", "-L", "--js"]), set(&["--json"]));
    assert_eq!(
        c(&["ipvsadm", "--netns", "x", "-A", "-s", "wr"]),
        set(&["wrr"])
    );
    assert_eq!(c(&["ipvsadm", "apply", "--d"]), set(&["--dry-run"]));
    assert_eq!(
        c(&["ipvsadm", "metrics", "--"]),
        set(&[
            "--by",
            "--textfile",
            "--listen",
            "--numeric",
            "--netns",
            "--help"
        ])
    );
    assert_eq!(
        c(&["ipvsadm", "metrics", "--by", ""]),
        set(&["server", "service"])
    );
    assert_eq!(
        c(&["ipvsadm", "realserver", "--"]),
        set(&["--vip", "--dev", "--undo", "--netns"])
    );
}

/// `ipvsadm sysctl`: its options in each shell (the setting names come
/// from /proc/sys/net/ipv4/vs, checked in the guest), and its `-h`.
#[test]
fn sysctl_completes_and_answers_help() {
    let opts = set(&["--json", "--netns", "--help"]);
    assert_eq!(
        bash_complete(&["ipvsadm", "sysctl", "--"], false, None),
        opts
    );
    assert_eq!(
        bash_complete(&["ipvsadm", "--netns", "x", "sysctl", "--j"], false, None),
        set(&["--json"])
    );
    let got = fish_complete("ipvsadm sysctl --", None);
    assert!(got.contains("--json") && got.contains("--help"), "{got:?}");
    assert!(!got.contains("--sort"), "{got:?}");
    let got = zsh_complete(&["ipvsadm sysctl --"], None);
    assert!(
        got[0].contains("--json") && got[0].contains("--help"),
        "{got:?}"
    );
    let out = run(Command::new(env!("CARGO_BIN_EXE_ipvsadm")).args(["sysctl", "-h"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!(
        "Usage: {} sysctl [--json] [NAME[=VALUE]]\n",
        env!("CARGO_BIN_EXE_ipvsadm")
    )));
    let out = run(Command::new(env!("CARGO_BIN_EXE_ipvsadm")).args(["sysctl", "a", "b"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// `ipvsadm drain`: every option in the man page and in each shell, and
/// its `-h`.
#[test]
fn drain_is_documented_completed_and_answers_help() {
    let opts = [
        "--tcp-service",
        "--udp-service",
        "--sctp-service",
        "--fwmark-service",
        "--ipv6",
        "--real-server",
        "--timeout",
        "--interval",
        "--keep",
        "--dry-run",
        "--numeric",
        "--help",
    ];
    let man = read("man/ipvsadm.8");
    let section = man
        .split(".SH THE DRAIN SUBCOMMAND")
        .nth(1)
        .and_then(|s| s.split("\n.SH ").next())
        .expect("a DRAIN section in the man page");
    for o in [
        "\\-\\-timeout",
        "\\-\\-interval",
        "\\-\\-keep",
        "\\-\\-dry\\-run",
        "\\-\\-real\\-server",
        "\\-\\-numeric",
        "\\-\\-ipv6",
    ] {
        assert!(section.contains(o), "{o} not in THE DRAIN SUBCOMMAND");
    }
    let bash = bash_complete(&["ipvsadm", "drain", "--"], false, None);
    let fish = fish_complete("ipvsadm drain --", None);
    let zsh = zsh_complete(&["ipvsadm drain --"], None);
    for o in opts {
        assert!(bash.contains(o), "bash: {o} not offered: {bash:?}");
        assert!(fish.contains(o), "fish: {o} not offered: {fish:?}");
        assert!(zsh[0].contains(o), "zsh: {o} not offered: {zsh:?}");
    }
    assert!(!fish.contains("--sort"), "{fish:?}");
    assert_eq!(
        bash_complete(&["ipvsadm", "--netns", "x", "drain", "--k"], false, None),
        set(&["--keep"])
    );
    let out = run(Command::new(env!("CARGO_BIN_EXE_ipvsadm")).args(["drain", "-h"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    assert!(
        help.contains(" drain [-t|-u|--sctp-service SERVICE"),
        "{help}"
    );
    for o in opts {
        assert!(help.contains(o), "-h: {o} missing:\n{help}");
    }
    let out = run(Command::new(env!("CARGO_BIN_EXE_ipvsadm")).args(["drain", "-t", "10.0.0.1:80"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(" drain: -r SERVER is required\n"));
}

/// `ipvsadm top`: its options and sort keys in each shell, its `-h`.
#[test]
fn top_completes_and_answers_help() {
    let opts = set(&[
        "--delay",
        "--numeric",
        "--sort",
        "--once",
        "--count",
        "--json",
        "--netns",
        "--help",
    ]);
    assert_eq!(bash_complete(&["ipvsadm", "top", "--"], false, None), opts);
    let keys = set(&["conns", "packets", "bytes"]);
    assert_eq!(
        bash_complete(&["ipvsadm", "top", "--sort", ""], false, None),
        keys
    );
    assert!(bash_complete(&["ipvsadm", "top", "-d", ""], false, None).is_empty());
    let got = fish_complete("ipvsadm top --", None);
    for o in ["--delay", "--sort", "--once", "--count", "--json", "--help"] {
        assert!(got.contains(o), "fish: {o} not offered: {got:?}");
    }
    assert_eq!(fish_complete("ipvsadm top --sort ", None), keys);
    let got = zsh_complete(&["ipvsadm top --", "ipvsadm top --sort="], None);
    for o in ["--delay", "--sort", "--once", "--count", "--json", "--help"] {
        assert!(got[0].contains(o), "zsh: {o} not offered: {got:?}");
    }
    assert_eq!(got[1], keys);
    let out = run(Command::new(env!("CARGO_BIN_EXE_ipvsadm")).args(["top", "-h"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!(
        "Usage: {} top [-d SECS] [-n] [--sort conns|packets|bytes] [--once | --count N] [--json]\n",
        env!("CARGO_BIN_EXE_ipvsadm")
    )));
    let out = run(Command::new(env!("CARGO_BIN_EXE_ipvsadm")).args(["top", "-d", "0"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// Every setting `ipvsadm sysctl` knows is described in the man page.
#[test]
fn man_page_describes_every_sysctl_setting() {
    // Each one is a `.TP` item headed `.BR name " (values)"`.
    let src = read("man/ipvsadm.8");
    let missing: Vec<&str> = ipvsadm_rs::sysctl::SETTINGS
        .iter()
        .map(|s| s.name)
        .filter(|n| !src.contains(&format!(".TP\n.BR {n} \"")))
        .collect();
    assert!(
        missing.is_empty(),
        "settings not described in THE SYSCTL SUBCOMMAND: {missing:?}"
    );
}

/// Drives an interactive bash (with bash-completion) in a pseudo-terminal,
/// through zsh's zpty: types each query and TAB, then prints the edited
/// line as readline holds it. This is how a user sees completion, including
/// the word splitting at `:` and `=` that COMP_WORDS alone does not show.
const BASH_DRIVER: &str = r#"
zmodload zsh/zpty || exit 3
local script=$1; shift
zpty b bash --norc --noprofile -i
zpty -w b "PS1=''; source /usr/share/bash-completion/bash_completion; source ${(q)script}; bind -x '\"\\C-xp\": printf \"<L<%s>L>\\n\" \"\$READLINE_LINE\"'; echo '<''READY>'"
local line out q
while zpty -r b line; do [[ $line == *'<READY>'* ]] && break; done
for q in "$@"; do
  zpty -w -n b "$q"$'\t'$'\C-xp'
  out=
  while zpty -r b line; do out+=$line; [[ $line == *'>L>'* ]] && break; done
  zpty -w -n b $'\C-e\C-u'
  print -r -- "<Q>$q"
  print -r -- ${${out##*<L<}%%>L>*}
done
zpty -d b
"#;

#[test]
fn bash_completes_in_a_real_shell() {
    let zsh = require("zsh", "zsh");
    assert!(
        Path::new("/usr/share/bash-completion/bash_completion").is_file(),
        "bash-completion is not installed; apt-get install bash-completion"
    );
    let dir = scratch("bash-pty");
    fake_ipvsadm(&dir);
    let driver = dir.join("driver.zsh");
    fs::write(&driver, BASH_DRIVER).expect("write driver");
    let cases: &[(&str, &str)] = &[
        (
            "ipvsadm -L -t [2001:db8::1]:",
            "ipvsadm -L -t [2001:db8::1]:443 ",
        ),
        ("ipvsadm -L -t 10.0.0.1:", "ipvsadm -L -t 10.0.0.1:80 "),
        ("ipvsadm -A --scheduler=wl", "ipvsadm -A --scheduler=wlc "),
        (
            "ipvsadm -A -t 10.0.0.1:80 -b sh-port,mh-f",
            "ipvsadm -A -t 10.0.0.1:80 -b sh-port,mh-fallback",
        ),
        ("ipvsadm -L --sct", "ipvsadm -L --sctp-service "),
        (
            "ipvsadm --start-daemon ma",
            "ipvsadm --start-daemon master ",
        ),
        ("ipvsadm mark -A PRE", "ipvsadm mark -A PREROUTING "),
    ];
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir.clone()];
    paths.extend(std::env::split_paths(&old));
    let out = run(Command::new(require("timeout", "coreutils"))
        .arg("120")
        .arg(zsh)
        .arg("-f")
        .arg(&driver)
        .arg(root().join("completions/ipvsadm.bash"))
        .args(cases.iter().map(|c| c.0))
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env("IPVSADM_COMPLETION_QUERY", "1")
        .current_dir(&dir));
    let _ = fs::remove_dir_all(&dir);
    let stdout = text(&out.stdout);
    let got: Vec<&str> = stdout
        .split("<Q>")
        .skip(1)
        .map(|block| {
            block
                .split_once('\n')
                .map(|x| x.1)
                .unwrap_or("")
                .trim_end_matches('\n')
        })
        .collect();
    assert_eq!(
        got.len(),
        cases.len(),
        "driver output:\n{stdout}\n{}",
        text(&out.stderr)
    );
    for ((typed, want), got) in cases.iter().zip(got) {
        assert_eq!(got, *want, "bash completion of {typed:?}");
    }
}

// ---------------------------------------------------------------------------
// zsh

/// Drives zsh's completion in a pseudo-terminal: for each query line, types
/// it followed by TAB, and prints every match handed to `compadd`.
const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty || exit 3
local dir=$1; shift
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT=''; unsetopt AUTO_LIST AUTO_MENU; fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __m; builtin compadd -O __m "$@"; (( $#__m )) && print -rl -- "<M<"${^__m}">M>"; builtin compadd "$@"; }'
zpty -w z '_t_complete() { zle complete-word; print -r -- "<""DONE>"; }; zle -N _t_complete'
zpty -w z "bindkey '^I' _t_complete; print -r -- '<''READY>'"
local line q out
while zpty -r z line; do [[ $line == *'<READY>'* ]] && break; done
for q in "$@"; do
  # TAB runs the completion, then prints the marker; then clear the line.
  zpty -w -n z "$q"$'\t'
  out=
  while zpty -r z line; do
    out+=$line
    [[ $line == *'<DONE>'* ]] && break
  done
  zpty -w -n z $'\C-e\C-u'
  print -r -- "<Q>$q"
  print -r -- $out | grep -o '<M<[^>]*>M>' | sed 's/^<M<//; s/>M>$//'
done
zpty -d z
"#;

/// Completion candidates zsh offers for each query.
fn zsh_complete(queries: &[&str], path_prefix: Option<&Path>) -> Vec<BTreeSet<String>> {
    let zsh = require("zsh", "zsh");
    let dir = scratch(&format!("zsh-{}", queries.len()));
    let driver = dir.join("driver.zsh");
    fs::write(&driver, ZSH_DRIVER).expect("write driver");
    // A driver that waits forever would hang the test run: bound it.
    let mut cmd = Command::new(require("timeout", "coreutils"));
    cmd.arg("120")
        .arg(zsh)
        .arg("-f")
        .arg(&driver)
        .arg(root().join("completions"))
        .args(queries)
        .env("IPVSADM_COMPLETION_QUERY", "1")
        .current_dir(root());
    if let Some(p) = path_prefix {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![p.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).expect("PATH"));
    }
    let out = run(&mut cmd);
    let _ = fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "zsh driver failed: {}",
        text(&out.stderr)
    );
    let mut res: Vec<BTreeSet<String>> = Vec::new();
    for l in text(&out.stdout).lines() {
        if l.starts_with("<Q>") {
            res.push(BTreeSet::new());
        } else if let Some(last) = res.last_mut() {
            if !l.trim().is_empty() {
                last.insert(l.trim().to_string());
            }
        }
    }
    assert_eq!(
        res.len(),
        queries.len(),
        "zsh driver output:\n{}",
        text(&out.stdout)
    );
    res
}

#[test]
fn zsh_completion_loads() {
    let zsh = require("zsh", "zsh");
    let out = run(Command::new(&zsh)
        .args(["-n", "completions/_ipvsadm"])
        .current_dir(root()));
    assert!(out.status.success(), "zsh -n: {}", text(&out.stderr));
    let out = run(Command::new(&zsh)
        .args([
            "-fc",
            "fpath=(completions $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[ipvsadm]",
        ])
        .current_dir(root()));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "compinit: {}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout).trim(), "_ipvsadm");
    // Sourced by hand after compinit, it registers itself.
    let out = run(Command::new(&zsh)
        .args([
            "-fc",
            "autoload -U compinit; compinit -u -D; source completions/_ipvsadm; print -r -- $_comps[ipvsadm]",
        ])
        .current_dir(root()));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "source: {}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout).trim(), "_ipvsadm");
}

#[test]
fn zsh_completes() {
    let dir = scratch("zsh-services");
    fake_ipvsadm(&dir);
    let mut queries: Vec<String> = vec![
        "ipvsadm ".into(),
        "ipvsadm -A -t 1.2.3.4:80 -s ".into(),
        "ipvsadm -a -t 1.2.3.4:80 --tun-type ".into(),
        "ipvsadm --start-daemon ".into(),
        "ipvsadm -A -t 1:80 --pe ".into(),
        "ipvsadm -A -t 1:80 -b sh-port,".into(),
        "ipvsadm -L -t ".into(),
        "ipvsadm -a -f ".into(),
        "ipvsadm mark -A ".into(),
        "ipvsadm -L --js".into(),
        "ipvsadm --netns x -A -s wr".into(),
        "ipvsadm -Ln --ra".into(),
        "ipvsadm --netns 42 -L -t ".into(),
    ];
    let cmds: Vec<String> = table()
        .iter()
        .filter(|o| o.is_cmd)
        .map(|o| match role(o) {
            Some(r) => format!("ipvsadm --{} {r} -", o.long),
            None => format!("ipvsadm --{} -", o.long),
        })
        .collect();
    queries.extend(cmds.iter().cloned());
    queries.push("ipvsadm mark -".into());
    queries.push("ipvsadm mark -A PREROUTING -".into());
    let q: Vec<&str> = queries.iter().map(String::as_str).collect();
    let got = zsh_complete(&q, Some(&dir));
    let _ = fs::remove_dir_all(&dir);

    let first = &got[0];
    for o in table().iter().filter(|o| o.is_cmd) {
        assert!(
            first.contains(&format!("--{}", o.long)),
            "zsh: --{} not offered first",
            o.long
        );
    }
    for s in EXT_SUBCOMMANDS {
        assert!(first.contains(*s), "zsh: {s} not offered first");
    }
    assert_eq!(got[1], set(SCHEDULERS));
    assert_eq!(got[2], set(&["ipip", "gue", "gre"]));
    assert_eq!(got[3], set(&["master", "backup"]));
    assert_eq!(got[4], set(&["sip"]));
    for f in [
        "flag-1",
        "flag-2",
        "flag-3",
        "sh-fallback",
        "mh-fallback",
        "mh-port",
    ] {
        assert!(got[5].contains(f), "zsh: -b {f} not offered: {:?}", got[5]);
    }
    assert_eq!(got[6], set(&["10.0.0.1:80", "[2001:db8::1]:443"]));
    assert_eq!(got[7], set(&["6", "7"]));
    assert_eq!(got[8], set(MARK_CHAINS));
    assert!(got[9].contains("--json"), "zsh: --json: {:?}", got[9]);
    assert!(got[10].contains("wrr"), "zsh: --netns: {:?}", got[10]);
    assert_eq!(got[11], set(&["--rate"]));
    assert_eq!(got[12], set(&["7.7.7.7:42"]));

    // Every option is offered after some command.
    let mut offered = BTreeSet::new();
    for g in &got[13..13 + cmds.len()] {
        offered.extend(g.iter().cloned());
    }
    let per_cmd: Vec<(String, BTreeSet<String>)> = table()
        .iter()
        .filter(|o| o.is_cmd)
        .map(|o| o.long.clone())
        .zip(got[13..13 + cmds.len()].iter().cloned())
        .collect();
    check_against_matrix("zsh", &per_cmd);
    let missing = never_offered(&offered);
    assert!(missing.is_empty(), "zsh never offers {missing:?}");
    // The rule commands first, the rest after them.
    let mark: BTreeSet<String> = got[got.len() - 2..].iter().flatten().cloned().collect();
    let missing: Vec<String> = mark_options()
        .into_iter()
        .filter(|o| !mark.contains(o))
        .collect();
    assert!(missing.is_empty(), "zsh mark lacks {missing:?}");
}

// ---------------------------------------------------------------------------
// fish

fn fish_complete(line: &str, path_prefix: Option<&Path>) -> BTreeSet<String> {
    let fish = require("fish", "fish");
    let mut cmd = fish_cmd(&fish);
    cmd.env("IPVSADM_COMPLETION_QUERY", "1");
    cmd.arg("-c")
        .arg(format!(
            "source completions/ipvsadm.fish; complete -C{}",
            shell_quote(line)
        ))
        .current_dir(root());
    if let Some(p) = path_prefix {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![p.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).expect("PATH"));
    }
    let out = run(&mut cmd);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "fish completion failed for {line:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split('\t').next())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// fish with its per-user config, data and cache in a scratch directory,
/// so that neither the user's setup nor an unwritable HOME gets in.
fn fish_cmd(fish: &Path) -> Command {
    let home = std::env::temp_dir().join(format!("ipvsadm-docs-{}-fish-home", std::process::id()));
    fs::create_dir_all(&home).expect("fish home");
    let mut cmd = Command::new(fish);
    cmd.env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    cmd
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[test]
fn fish_completion_loads() {
    let fish = require("fish", "fish");
    let out = run(fish_cmd(&fish)
        .args(["-n", "completions/ipvsadm.fish"])
        .current_dir(root()));
    assert!(out.status.success(), "fish -n: {}", text(&out.stderr));
    let out = run(fish_cmd(&fish)
        .args(["-c", "source completions/ipvsadm.fish"])
        .current_dir(root()));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "fish source: {}",
        text(&out.stderr)
    );
}

#[test]
fn fish_completes() {
    let first = fish_complete("ipvsadm -", None);
    for o in table().iter().filter(|o| o.is_cmd) {
        assert!(
            first.contains(&format!("--{}", o.long)),
            "fish: --{} not offered",
            o.long
        );
    }
    let first = fish_complete("ipvsadm ", None);
    for s in EXT_SUBCOMMANDS {
        assert!(first.contains(*s), "fish: {s} not offered");
    }
    assert_eq!(
        fish_complete("ipvsadm -A --sch", None),
        set(&["--scheduler", "--sched-flags"])
    );
    assert_eq!(
        fish_complete("ipvsadm -A -t 1:80 -s ", None),
        set(SCHEDULERS)
    );
    assert_eq!(
        fish_complete("ipvsadm -A --scheduler=w", None),
        set(&["--scheduler=wlc", "--scheduler=wrr"])
    );
    assert_eq!(
        fish_complete("ipvsadm -a --tun-type ", None),
        set(&["ipip", "gue", "gre"])
    );
    assert_eq!(
        fish_complete("ipvsadm --start-daemon ", None),
        set(&["master", "backup"])
    );
    assert_eq!(fish_complete("ipvsadm -A --pe ", None), set(&["sip"]));
    assert!(fish_complete("ipvsadm -A -b sh-port,", None).contains("sh-port,mh-port"));
    assert_eq!(fish_complete("ipvsadm mark -A ", None), set(MARK_CHAINS));
    assert_eq!(fish_complete("ipvsadm -L --js", None), set(&["--json"]));
    assert_eq!(fish_complete("ipvsadm -Ln --ra", None), set(&["--rate"]));
    // Options already given, and the rest of their group, are left out.
    let got = fish_complete("ipvsadm -A -t 1.2.3.4:80 -s rr -", None);
    assert!(
        got.contains("-p") && got.contains("--sched-flags"),
        "{got:?}"
    );
    for gone in ["-t", "--udp-service", "-f", "-s", "--scheduler"] {
        assert!(!got.contains(gone), "fish offers {gone} again: {got:?}");
    }
    assert_eq!(
        fish_complete("ipvsadm --netns x -A -s wr", None),
        set(&["wrr"])
    );

    let dir = scratch("fish-services");
    fake_ipvsadm(&dir);
    assert_eq!(
        fish_complete("ipvsadm -L -t ", Some(&dir)),
        set(&["10.0.0.1:80", "[2001:db8::1]:443"])
    );
    assert_eq!(
        fish_complete("ipvsadm -e -f ", Some(&dir)),
        set(&["6", "7"])
    );
    assert_eq!(
        fish_complete("ipvsadm --netns 42 -L -t ", Some(&dir)),
        set(&["7.7.7.7:42"])
    );
    let _ = fs::remove_dir_all(&dir);

    let mut offered = BTreeSet::new();
    let mut per_cmd = Vec::new();
    for o in table().iter().filter(|o| o.is_cmd) {
        let head = match role(o) {
            Some(r) => format!("ipvsadm --{} {r}", o.long),
            None => format!("ipvsadm --{}", o.long),
        };
        let mut got = fish_complete(&format!("{head} -"), None);
        got.extend(fish_complete(&format!("{head} --"), None));
        offered.extend(got.iter().cloned());
        per_cmd.push((o.long.clone(), got));
    }
    check_against_matrix("fish", &per_cmd);
    let missing = never_offered(&offered);
    assert!(missing.is_empty(), "fish never offers {missing:?}");
    let mark = fish_complete("ipvsadm mark -A PREROUTING -", None);
    let mark2 = fish_complete("ipvsadm mark -A PREROUTING --", None);
    let missing: Vec<String> = mark_options()
        .into_iter()
        .filter(|o| !mark.contains(o) && !mark2.contains(o))
        .collect();
    assert!(missing.is_empty(), "fish mark lacks {missing:?}");
}

// ---------------------------------------------------------------------------
// make install

fn make_install(destdir: &Path, prefix: Option<&str>, target: &str) -> Output {
    let make = require("make", "make");
    let mut cmd = Command::new(make);
    cmd.arg("-s")
        .arg(target)
        .arg(format!("DESTDIR={}", destdir.display()))
        .arg(format!("BIN={}", env!("CARGO_BIN_EXE_ipvsadm")))
        .current_dir(root());
    if let Some(p) = prefix {
        cmd.arg(format!("PREFIX={p}"));
    }
    let out = run(&mut cmd);
    assert!(
        out.status.success(),
        "make {target} failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(rel) = p.strip_prefix(dir) {
                    out.insert(rel.display().to_string());
                }
            }
        }
    }
    out
}

#[test]
fn make_install_puts_files_where_tools_find_them() {
    let dest = scratch("install");
    make_install(&dest, None, "install");
    let expected = set(&[
        "usr/local/sbin/ipvsadm",
        "usr/local/sbin/ipvsadm-save",
        "usr/local/sbin/ipvsadm-restore",
        "usr/local/share/man/man8/ipvsadm.8",
        "usr/local/share/man/man8/ipvsadm-save.8",
        "usr/local/share/man/man8/ipvsadm-restore.8",
        "usr/local/share/bash-completion/completions/ipvsadm",
        "usr/local/share/zsh/site-functions/_ipvsadm",
        "usr/local/share/fish/vendor_completions.d/ipvsadm.fish",
        "usr/local/lib/systemd/system/ipvsadm.service",
    ]);
    assert_eq!(files_under(&dest), expected);
    for exe in ["ipvsadm", "ipvsadm-save", "ipvsadm-restore"] {
        let m = fs::metadata(dest.join("usr/local/sbin").join(exe)).expect("installed");
        assert_eq!(m.permissions().mode() & 0o777, 0o755, "{exe} mode");
    }
    assert_eq!(
        fs::read(dest.join("usr/local/sbin/ipvsadm")).expect("binary"),
        fs::read(env!("CARGO_BIN_EXE_ipvsadm")).expect("built binary"),
        "installed binary is not BIN"
    );

    // man finds the page.
    let man = require("man", "man-db");
    let manroot = dest.join("usr/local/share/man");
    let out = run(Command::new(&man)
        .arg("-M")
        .arg(&manroot)
        .args(["-w", "ipvsadm"]));
    assert_eq!(
        PathBuf::from(text(&out.stdout).trim()),
        manroot.join("man8/ipvsadm.8"),
        "man -M: {}",
        text(&out.stderr)
    );
    let out = run(Command::new(&man)
        .env("MANPATH", &manroot)
        .args(["-w", "ipvsadm"]));
    assert_eq!(
        PathBuf::from(text(&out.stdout).trim()),
        manroot.join("man8/ipvsadm.8"),
        "MANPATH: {}",
        text(&out.stderr)
    );

    for name in ["ipvsadm-save", "ipvsadm-restore"] {
        let out = run(Command::new(&man)
            .arg("-M")
            .arg(&manroot)
            .args(["-w", name]));
        assert_eq!(
            PathBuf::from(text(&out.stdout).trim()),
            manroot.join(format!("man8/{name}.8")),
            "man -M {name}: {}",
            text(&out.stderr)
        );
    }

    // bash-completion loads ours on demand from $XDG_DATA_DIRS.
    assert!(
        Path::new("/usr/share/bash-completion/bash_completion").is_file(),
        "bash-completion is not installed; apt-get install bash-completion"
    );
    let out = run(Command::new(require("bash", "bash"))
        .env("XDG_DATA_DIRS", dest.join("usr/local/share"))
        .env("BASH_COMPLETION_USER_DIR", dest.join("nonexistent"))
        .args([
            "-c",
            "source /usr/share/bash-completion/bash_completion; __load_completion ipvsadm; complete -p ipvsadm",
        ]));
    assert_eq!(
        text(&out.stdout).trim(),
        "complete -F _ipvsadm ipvsadm",
        "bash-completion did not load it: {}",
        text(&out.stderr)
    );
    // ... and /usr/local/share is in its default search path.
    let bc = fs::read_to_string("/usr/share/bash-completion/bash_completion").unwrap_or_default();
    assert!(bc.contains("/usr/local/share:/usr/share"));

    // zsh: the directory is in Debian zsh's default fpath, and compinit
    // picks the file up from there.
    let zsh = require("zsh", "zsh");
    let out = run(Command::new(&zsh).args(["-fc", "print -rl -- $fpath"]));
    assert!(
        lines(&text(&out.stdout)).contains("/usr/local/share/zsh/site-functions"),
        "zsh's fpath lacks /usr/local/share/zsh/site-functions"
    );
    let zdir = dest.join("usr/local/share/zsh/site-functions");
    let out = run(Command::new(&zsh).arg("-fc").arg(format!(
        "fpath=({} $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[ipvsadm]",
        zdir.display()
    )));
    assert_eq!(
        text(&out.stdout).trim(),
        "_ipvsadm",
        "{}",
        text(&out.stderr)
    );

    // fish: vendor completions under $XDG_DATA_DIRS are autoloaded.
    let fish = require("fish", "fish");
    let out = run(fish_cmd(&fish)
        .env("XDG_DATA_DIRS", dest.join("usr/local/share"))
        .args(["-c", "complete -C'ipvsadm -A --sch'"]));
    let got: BTreeSet<String> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.split('\t').next())
        .map(String::from)
        .collect();
    assert_eq!(
        got,
        set(&["--scheduler", "--sched-flags"]),
        "{}",
        text(&out.stderr)
    );

    // The unit runs the installed helpers.
    let unit = fs::read_to_string(dest.join("usr/local/lib/systemd/system/ipvsadm.service"))
        .expect("unit");
    for needle in [
        "Type=oneshot",
        "RemainAfterExit=yes",
        "/usr/local/sbin/ipvsadm-restore < /etc/ipvsadm.rules",
        "/usr/local/sbin/ipvsadm-save -n",
        "[ -f /etc/ipvsadm.rules ]",
        "WantedBy=multi-user.target",
    ] {
        assert!(unit.contains(needle), "unit lacks {needle:?}:\n{unit}");
    }
    assert!(!unit.contains("@SBINDIR@"));
    let analyze = Path::new("/usr/bin/systemd-analyze");
    if analyze.is_file() {
        let out = run(Command::new(analyze)
            .arg("verify")
            .arg(dest.join("usr/local/lib/systemd/system/ipvsadm.service")));
        assert!(
            out.status.success(),
            "systemd-analyze verify: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    } else {
        eprintln!("note: systemd-analyze not installed; unit checked by content only");
    }

    make_install(&dest, None, "uninstall");
    assert_eq!(files_under(&dest), BTreeSet::new(), "uninstall left files");
    let _ = fs::remove_dir_all(&dest);
}

#[test]
fn make_install_prefix_usr_uses_vendor_dirs() {
    let dest = scratch("install-usr");
    make_install(&dest, Some("/usr"), "install");
    let files = files_under(&dest);
    for f in [
        "usr/sbin/ipvsadm",
        "usr/share/zsh/vendor-completions/_ipvsadm",
        "usr/share/fish/vendor_completions.d/ipvsadm.fish",
        "usr/share/bash-completion/completions/ipvsadm",
        "usr/share/man/man8/ipvsadm.8",
        "usr/lib/systemd/system/ipvsadm.service",
    ] {
        assert!(files.contains(f), "{f} not installed: {files:?}");
    }
    let out = run(Command::new(require("zsh", "zsh")).args(["-fc", "print -rl -- $fpath"]));
    assert!(lines(&text(&out.stdout)).contains("/usr/share/zsh/vendor-completions"));
    let out = run(fish_cmd(&require("fish", "fish"))
        .env_remove("XDG_DATA_DIRS")
        .args(["-c", "string join \\n -- $fish_complete_path"]));
    assert!(lines(&text(&out.stdout)).contains("/usr/share/fish/vendor_completions.d"));
    let unit =
        fs::read_to_string(dest.join("usr/lib/systemd/system/ipvsadm.service")).expect("unit");
    assert!(unit.contains("/usr/sbin/ipvsadm-restore"));
    make_install(&dest, Some("/usr"), "uninstall");
    assert_eq!(files_under(&dest), BTreeSet::new());
    let _ = fs::remove_dir_all(&dest);
}

// ---------------------------------------------------------------------------
// ipvsadm-save / ipvsadm-restore

/// The helper scripts copied into a scratch dir next to a stand-in
/// `ipvsadm` that logs its arguments (and, for -R, its input) and exits
/// with $FAKE_RC.
fn helper_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    for s in ["ipvsadm-save", "ipvsadm-restore"] {
        let body = read(&format!("packaging/{s}"));
        write_exe(&dir.join(s), &body);
    }
    write_exe(
        &dir.join("ipvsadm"),
        "#!/bin/sh\n\
         log=${0%/*}/log\n\
         echo \"args: $*\" >> \"$log\"\n\
         if [ \"$1\" = -R ]; then cat >> \"$log\"; echo '<end>' >> \"$log\"; fi\n\
         if [ \"$1\" = -S ]; then echo '-A -t 10.0.0.1:80 -s wlc'; fi\n\
         exit ${FAKE_RC:-0}\n",
    );
    dir
}

fn run_helper(dir: &Path, script: &str, args: &[&str], stdin: &str, rc: i32) -> Output {
    use std::io::Write;
    let mut child = Command::new(dir.join(script))
        .args(args)
        .env("FAKE_RC", rc.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn helper");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("helper output")
}

fn take_log(dir: &Path) -> String {
    let p = dir.join("log");
    let s = fs::read_to_string(&p).unwrap_or_default();
    let _ = fs::remove_file(&p);
    s
}

#[test]
fn ipvsadm_save_behaves_like_ipvsadm_131() {
    let dir = helper_dir("save");
    let out = run_helper(&dir, "ipvsadm-save", &[], "", 0);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "-A -t 10.0.0.1:80 -s wlc\n");
    assert_eq!(take_log(&dir), "args: -S\n");

    let out = run_helper(&dir, "ipvsadm-save", &["-n"], "", 0);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(take_log(&dir), "args: -S -n\n");

    // Words not starting with '-' are ignored; the status is ipvsadm's.
    let out = run_helper(&dir, "ipvsadm-save", &["foo", "-n", "bar"], "", 3);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(take_log(&dir), "args: -S -n\n");

    let usage = "ipvsadm-save: Script to save the IPVS table to stdout.\n   With the -n option, prints out the table in numeric format.\n";
    for bad in [&["-x"][..], &["-n", "--numeric"], &["-"], &["-h"]] {
        let out = run_helper(&dir, "ipvsadm-save", bad, "", 0);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert_eq!(text(&out.stderr), usage, "{bad:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(take_log(&dir), "", "ipvsadm ran for {bad:?}");
    }
    // Same answers as Debian's own script (package ipvsadm) for bad options.
    let theirs = Path::new("/usr/sbin/ipvsadm-save");
    assert!(
        theirs.is_file(),
        "{} is missing; apt-get install ipvsadm (the reference)",
        theirs.display()
    );
    for bad in [
        &["-x"][..],
        &["-n", "-h"],
        &["--numeric"],
        &["-"],
        &["foo", "-q"],
    ] {
        let want = run(Command::new(theirs).args(bad));
        let got = run_helper(&dir, "ipvsadm-save", bad, "", 0);
        assert_eq!(got.status.code(), want.status.code(), "{bad:?}");
        assert_eq!(text(&got.stderr), text(&want.stderr), "{bad:?}");
        assert_eq!(text(&got.stdout), text(&want.stdout), "{bad:?}");
    }
    // The usage names the script as it was invoked.
    std::os::unix::fs::symlink(dir.join("ipvsadm-save"), dir.join("my-save")).expect("symlink");
    let out = run_helper(&dir, "my-save", &["-q"], "", 0);
    assert!(text(&out.stderr).starts_with("my-save: Script to save"));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn ipvsadm_restore_behaves_like_ipvsadm_131() {
    let dir = helper_dir("restore");
    let input = "# saved rules\n-A -t 10.0.0.1:80 -s rr\n  # indented: kept\n\n-a -t 10.0.0.1:80 -r 10.0.0.2 -m\n#last";
    let out = run_helper(&dir, "ipvsadm-restore", &["--ignored"], input, 0);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        take_log(&dir),
        "args: -C\nargs: -R\n-A -t 10.0.0.1:80 -s rr\n  # indented: kept\n\n-a -t 10.0.0.1:80 -r 10.0.0.2 -m\n<end>\n"
    );
    // The exit status is that of ipvsadm -R.
    let out = run_helper(&dir, "ipvsadm-restore", &[], "-C\n", 255);
    assert_eq!(out.status.code(), Some(255));
    let _ = take_log(&dir);
    let _ = fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------
// What DIFFERENCES says, checked against the built binary (no kernel used).

#[test]
fn documented_differences_hold() {
    let bin = env!("CARGO_BIN_EXE_ipvsadm");
    // (1) Help and version are answered without the kernel.
    let out = run(Command::new(bin).arg("-h"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ipvsadm v1.31 2019/12/24"));
    let out = run(Command::new(bin).arg("--version"));
    assert_eq!(out.status.code(), Some(0));
    // (2) `-b ,` is an ordinary usage error.
    let out = run(Command::new(bin).args(["-A", "-t", "10.0.0.1:80", "-b", ","]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "invalid scheduler flag `,'\n");
    assert!(out.stdout.is_empty());
    // --json is only for -L.
    let out = run(Command::new(bin).args(["-A", "-t", "10.0.0.1:80", "--json"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// Lower-case words of a man source, with requests and escapes dropped.
fn prose_words(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in src.lines() {
        if line.starts_with(".\\\"") {
            continue;
        }
        let body = if line.starts_with('.') {
            line.split_once(' ').map(|x| x.1).unwrap_or("")
        } else {
            line
        };
        let plain = man_plain(body);
        out.extend(
            plain
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| w.to_ascii_lowercase()),
        );
    }
    out
}

#[test]
fn man_page_is_our_own_text() {
    // Debian's ipvsadm(8), from the ipvsadm package the lab installs.
    let theirs = Path::new("/usr/share/man/man8/ipvsadm.8.gz");
    assert!(
        theirs.is_file(),
        "{} is missing; apt-get install ipvsadm (the reference binary)",
        theirs.display()
    );
    let out = run(Command::new(require("gzip", "gzip")).arg("-dc").arg(theirs));
    let theirs = prose_words(&text(&out.stdout));
    let ours = read("man/ipvsadm.8");
    // The synopsis necessarily repeats the command grammar; check the prose.
    let ours = prose_words(ours.split(".SH DESCRIPTION").nth(1).unwrap_or(""));
    const N: usize = 10;
    let seen: BTreeSet<&[String]> = theirs.windows(N).collect();
    let copied: Vec<String> = ours
        .windows(N)
        .filter(|w| seen.contains(w))
        .map(|w| w.join(" "))
        .collect();
    assert!(
        copied.is_empty(),
        "man/ipvsadm.8 repeats ipvsadm's own man page: {copied:?}"
    );
}
