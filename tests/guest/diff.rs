//! The differential runner: reads `tests/cases/*.case` (format: /work/notes/case-format.md,
//! summarised in CONTRIBUTING.md), runs every case once with a reference ipvsadm and once with
//! the binary under test, each side in its own fresh network namespace (so each starts from a
//! clean IPVS state and its setup links vanish afterwards), and compares stdout, stderr and exit
//! status of every command plus the final kernel state read with the real ipvsadm.

#![allow(dead_code)]

use crate::support::{self, Exit, Output};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

// ---------------------------------------------------------------------------------------------
// The case format
// ---------------------------------------------------------------------------------------------

/// One ipvsadm invocation of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub args: Vec<String>,
    pub stdin: Option<String>,
    pub line: usize,
}

/// A named case: setup shell commands, then ipvsadm invocations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub file: String,
    pub line: usize,
    pub setup: Vec<String>,
    pub commands: Vec<Invocation>,
}

/// Splits one command line into words: blanks separate words; '…' is literal; "…" is literal
/// except that \" \\ \$ \` are escapes; \x outside quotes is x. No expansions of any kind.
/// Returns each word with a flag telling whether any part of it was quoted or escaped.
pub fn split_words(line: &str) -> Result<Vec<(String, bool)>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push((std::mem::take(&mut cur), quoted));
                    in_word = false;
                    quoted = false;
                }
            }
            '\'' => {
                in_word = true;
                quoted = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                quoted = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => cur.push(e),
                            Some(e) => {
                                cur.push('\\');
                                cur.push(e);
                            }
                            None => return Err("unterminated \"".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("unterminated \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                quoted = true;
                match chars.next() {
                    Some(e) => cur.push(e),
                    None => return Err("trailing backslash".into()),
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push((cur, quoted));
    }
    Ok(words)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Parses the text of one case file. `file` names it in messages.
pub fn parse_cases(text: &str, file: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let err = |line: usize, msg: &str| format!("{file}:{line}: {msg}");
    while let Some((no, raw)) = lines.next() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("case") {
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                let name = rest.trim();
                if !valid_name(name) {
                    return Err(err(
                        no,
                        &format!("bad case name {name:?} (use [A-Za-z0-9_.-]+)"),
                    ));
                }
                cases.push(Case {
                    name: name.to_string(),
                    file: file.to_string(),
                    line: no,
                    setup: Vec::new(),
                    commands: Vec::new(),
                });
                continue;
            }
        }
        let Some(case) = cases.last_mut() else {
            return Err(err(no, "expected `case NAME` before anything else"));
        };
        if let Some(script) = trimmed.strip_prefix("setup:") {
            if !case.commands.is_empty() {
                return Err(err(
                    no,
                    "setup: must come before the case's ipvsadm commands",
                ));
            }
            case.setup.push(script.trim().to_string());
            continue;
        }
        if trimmed == "(none)" {
            case.commands.push(Invocation {
                args: Vec::new(),
                stdin: None,
                line: no,
            });
            continue;
        }
        let mut words = split_words(trimmed).map_err(|e| err(no, &e))?;
        let mut stdin = None;
        if let Some((last, false)) = words.last() {
            if let Some(word) = last.strip_prefix("<<") {
                if word.is_empty() {
                    return Err(err(no, "<< needs a terminator word, e.g. <<END"));
                }
                let word = word.to_string();
                words.pop();
                let mut body = String::new();
                let mut closed = false;
                for (_, l) in lines.by_ref() {
                    if l == word {
                        closed = true;
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                if !closed {
                    return Err(err(no, &format!("heredoc not closed by a line `{word}`")));
                }
                stdin = Some(body);
            }
        }
        let args = words.into_iter().map(|(w, _)| w).collect();
        case.commands.push(Invocation {
            args,
            stdin,
            line: no,
        });
    }
    Ok(cases)
}

/// Loads every `*.case` file under `dir` (sorted by name) and checks names are unique.
pub fn load_corpus(dir: &Path) -> Result<Vec<Case>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .collect();
    files.sort();
    let mut all: Vec<Case> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let shown = f
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&f)
            .display()
            .to_string();
        all.extend(parse_cases(&text, &shown)?);
    }
    let mut seen = std::collections::HashMap::new();
    for c in &all {
        if let Some(prev) = seen.insert(c.name.clone(), format!("{}:{}", c.file, c.line)) {
            return Err(format!(
                "{}:{}: case name {} already used at {prev}",
                c.file, c.line, c.name
            ));
        }
    }
    Ok(all)
}

/// Renders an argument list the way it could be typed back into a case file.
pub fn quote_args(args: &[String]) -> String {
    if args.is_empty() {
        return "(none)".into();
    }
    let mut s = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let plain = !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=@%+[]".contains(c));
        if plain {
            s.push_str(a);
        } else {
            s.push('\'');
            s.push_str(&a.replace('\'', r"'\''"));
            s.push('\'');
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/// The commands that read the final kernel state (always with the real ipvsadm).
pub const STATE_READS: [&[&str]; 3] = [
    &["-S", "-n"],
    &["-L", "-n", "--timeout"],
    &["-L", "-n", "--daemon"],
];

/// Which binaries to compare.
#[derive(Clone, Debug)]
pub struct Config {
    /// The reference ipvsadm (normally /usr/sbin/ipvsadm).
    pub reference: PathBuf,
    /// The binaries under test, each compared with the reference (one summary each).
    pub candidates: Vec<PathBuf>,
    /// The binary that reads the final state on every side (always the real one).
    pub state_reader: PathBuf,
    /// Worker threads, each running whole cases in namespaces of their own.
    pub jobs: usize,
}

impl Config {
    /// Compares one binary under test (`ours`) with the reference.
    pub fn new(reference: impl Into<PathBuf>, ours: impl Into<PathBuf>) -> Self {
        Self::with_candidates(reference, vec![ours.into()])
    }

    /// Compares each of several binaries with the reference, in one pass.
    pub fn with_candidates(reference: impl Into<PathBuf>, candidates: Vec<PathBuf>) -> Self {
        Config {
            reference: reference.into(),
            candidates,
            state_reader: PathBuf::from(support::REAL_IPVSADM),
            // IPVSADM_DIFF_JOBS overrides the number of workers (default: one per CPU).
            jobs: std::env::var("IPVSADM_DIFF_JOBS")
                .ok()
                .and_then(|j| j.parse().ok())
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
                .clamp(1, 16),
        }
    }
}

/// What one side produced for one case.
#[derive(Clone, Debug, Default)]
pub struct SideRun {
    /// Setup or reset commands that failed, with their output.
    pub setup_failures: Vec<String>,
    pub commands: Vec<Output>,
    pub state: Vec<Output>,
}

/// Runs one case on every side (reference first, then each candidate) in ONE fresh network
/// namespace, resetting the IPVS state between sides. Sharing the namespace matters: the
/// kernel's service hash mixes in the namespace's address, so listing order differs between
/// namespaces even for the real ipvsadm. The setup runs once; ipvsadm cannot change what it
/// made (links, addresses), so every side sees the same starting state.
fn run_case(case: &Case, programs: &[PathBuf], reader: &Path) -> Vec<SideRun> {
    let fail_all = |msg: String| {
        programs
            .iter()
            .map(|_| SideRun {
                setup_failures: vec![msg.clone()],
                ..SideRun::default()
            })
            .collect()
    };
    if let Err(e) = support::enter_fresh_netns() {
        return fail_all(format!("cannot create a network namespace: {e}"));
    }
    for script in &case.setup {
        let out = support::sh(script);
        if out.exit != Exit::Code(0) {
            return fail_all(format!(
                "setup `{script}` failed ({}): {}{}",
                out.exit,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let mut sides: Vec<SideRun> = Vec::new();
    for program in programs {
        let mut run = SideRun::default();
        if let Some(prev) = sides.last() {
            run.setup_failures = reset_ipvs(&prev.state, reader);
        }
        if run.setup_failures.is_empty() {
            for inv in &case.commands {
                run.commands.push(support::run(
                    program,
                    "ipvsadm",
                    &inv.args,
                    inv.stdin.as_deref().map(str::as_bytes),
                ));
            }
            for args in STATE_READS {
                let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
                run.state.push(support::run(reader, "ipvsadm", &args, None));
            }
        }
        sides.push(run);
    }
    // Stop what the last side left running (sync daemons above all) before the namespace
    // goes away: the kernel then never has to tear down a namespace with live sync threads.
    if let Some(last) = sides.last() {
        let _ = reset_ipvs(&last.state, reader);
    }
    sides
}

/// Brings the namespace's IPVS state back to a fresh one (empty table, timeouts 900 120 300,
/// no sync daemon), running only what the previous side's final state shows is needed.
/// Returns failures, if any.
fn reset_ipvs(prev_state: &[Output], reader: &Path) -> Vec<String> {
    let text = |i: usize| {
        prev_state
            .get(i)
            .filter(|o| o.exit == Exit::Code(0))
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let (save, timeouts, daemons) = (text(0), text(1), text(2));
    let mut todo: Vec<&[&str]> = Vec::new();
    if save.as_deref() != Some("") {
        todo.push(&["-C"]);
    }
    if timeouts.as_deref() != Some("Timeout (tcp tcpfin udp): 900 120 300\n") {
        todo.push(&["--set", "900", "120", "300"]);
    }
    let daemons = daemons.as_deref();
    if daemons.is_none_or(|d| d.contains("master")) {
        todo.push(&["--stop-daemon", "master"]);
    }
    if daemons.is_none_or(|d| d.contains("backup")) {
        todo.push(&["--stop-daemon", "backup"]);
    }
    let mut failures = Vec::new();
    for args in todo {
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = support::run(reader, "ipvsadm", &argv, None);
        // Stopping a daemon that is not running fails harmlessly (unknown previous state).
        if out.exit != Exit::Code(0) && args.first() != Some(&"--stop-daemon") {
            failures.push(format!(
                "reset between sides: ipvsadm {} failed ({}): {}",
                args.join(" "),
                out.exit,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    failures
}

/// Outcome of the whole run for one candidate.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub cases: usize,
    pub commands: usize,
    pub mismatches: usize,
    pub passed: usize,
    pub failed: usize,
    /// Names of the failed cases.
    pub failed_cases: Vec<String>,
    /// The full human-readable report (per-case lines, diffs, summary lines).
    pub report: String,
}

impl Summary {
    /// The two summary lines printed at the end of the report.
    pub fn summary_lines(&self) -> String {
        format!(
            "differential: {} cases, {} commands compared, {} mismatches\n{} passed, {} failed\n",
            self.cases, self.commands, self.mismatches, self.passed, self.failed
        )
    }
}

/// Runs every case on the reference and on the first candidate (`Config::new`'s `ours`) and
/// compares. `progress` sees each case's report in case order, as soon as it is known.
pub fn run_cases(cases: &[Case], cfg: &Config, progress: &mut dyn FnMut(&str)) -> Summary {
    let mut cfg = cfg.clone();
    cfg.candidates.truncate(1);
    run_cases_multi(cases, &cfg, &mut |_, text| progress(text))
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Runs every case on the reference and on every candidate and compares; returns one summary
/// per candidate. `progress(candidate index, case report)` sees each case's report in case
/// order.
///
/// Cases run `cfg.jobs` at a time, each in its own namespace. The 6.1 kernel keeps one
/// service table for all namespaces and a dump resumes by position in it, so a namespace
/// changing its services while another's `-L`/`-S` dump is between two chunks can make that
/// dump repeat or skip a service (seen with Debian's ipvsadm against itself). A case that
/// differs is therefore run once more, alone, and judged on that run; its report says so.
pub fn run_cases_multi(
    cases: &[Case],
    cfg: &Config,
    progress: &mut dyn FnMut(usize, &str),
) -> Vec<Summary> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Vec<SideRun>>>> = Mutex::new(vec![None; cases.len()]);
    let mut programs = vec![cfg.reference.clone()];
    programs.extend(cfg.candidates.iter().cloned());
    let mut summaries: Vec<Summary> = cfg
        .candidates
        .iter()
        .map(|_| Summary {
            cases: cases.len(),
            ..Summary::default()
        })
        .collect();
    let run_alone = |case: &Case| {
        // Each case runs on a thread of its own, so its namespace dies with it.
        let case_c = case.clone();
        let programs_c = programs.clone();
        let reader = cfg.state_reader.clone();
        std::thread::spawn(move || run_case(&case_c, &programs_c, &reader))
            .join()
            .unwrap_or_else(|_| {
                vec![
                    SideRun {
                        setup_failures: vec!["the runner thread panicked".into()],
                        ..SideRun::default()
                    };
                    programs.len()
                ]
            })
    };

    std::thread::scope(|scope| {
        for _ in 0..cfg.jobs.max(1) {
            scope.spawn(|| loop {
                let ci = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(ci) else { break };
                let r = run_alone(case);
                if let Ok(mut res) = results.lock() {
                    if let Some(slot) = res.get_mut(ci) {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let mut results = match results.into_inner() {
        Ok(r) => r,
        Err(p) => p.into_inner(),
    };

    for (ci, case) in cases.iter().enumerate() {
        let Some(mut sides) = results.get_mut(ci).and_then(Option::take) else {
            continue;
        };
        let differs = |sides: &[SideRun]| {
            let Some(reference) = sides.first() else {
                return false;
            };
            (0..summaries.len()).any(|k| {
                sides.get(k + 1).is_some_and(|candidate| {
                    let mut scratch = Summary::default();
                    compare_case(case, reference, candidate, &mut scratch);
                    scratch.mismatches != 0
                })
            })
        };
        let mut note = String::new();
        if cfg.jobs > 1 && differs(&sides) {
            sides = run_alone(case);
            note = format!(
                "case {} differed when run beside other cases; run again alone: {}\n",
                case.name,
                if differs(&sides) {
                    "differs again"
                } else {
                    "identical"
                }
            );
        }
        let Some(reference) = sides.first() else {
            continue;
        };
        for (k, sum) in summaries.iter_mut().enumerate() {
            let Some(candidate) = sides.get(k + 1) else {
                continue;
            };
            let text = note.clone() + &compare_case(case, reference, candidate, sum);
            progress(k, &text);
            sum.report.push_str(&text);
        }
    }
    for sum in &mut summaries {
        let lines = sum.summary_lines();
        sum.report.push_str(&lines);
    }
    summaries
}

/// Compares the two sides of one case; returns its report text and updates the counters.
fn compare_case(case: &Case, reference: &SideRun, ours: &SideRun, sum: &mut Summary) -> String {
    let mut out = String::new();
    let mut problems = String::new();
    let mut mismatches = 0;
    if !reference.setup_failures.is_empty() || !ours.setup_failures.is_empty() {
        for f in reference.setup_failures.iter().chain(&ours.setup_failures) {
            let _ = writeln!(problems, "  {f}");
        }
        mismatches += 1;
    } else {
        for (i, inv) in case.commands.iter().enumerate() {
            let (Some(r), Some(o)) = (reference.commands.get(i), ours.commands.get(i)) else {
                continue;
            };
            sum.commands += 1;
            let title = format!(
                "command {} (line {}): ipvsadm {}{}",
                i + 1,
                inv.line,
                quote_args(&inv.args),
                if inv.stdin.is_some() { " <<stdin" } else { "" }
            );
            mismatches += compare_output(&title, r, o, &mut problems);
        }
        for (i, args) in STATE_READS.iter().enumerate() {
            let (Some(r), Some(o)) = (reference.state.get(i), ours.state.get(i)) else {
                continue;
            };
            let title = format!("final state (real ipvsadm {})", args.join(" "));
            mismatches += compare_output(&title, r, o, &mut problems);
        }
    }
    sum.mismatches += mismatches;
    if mismatches == 0 {
        sum.passed += 1;
        let _ = writeln!(out, "case {} ... ok", case.name);
    } else {
        sum.failed += 1;
        sum.failed_cases.push(case.name.clone());
        let _ = writeln!(
            out,
            "case {} ... MISMATCH ({}:{})",
            case.name, case.file, case.line
        );
        out.push_str(&problems);
    }
    out
}

fn compare_output(title: &str, r: &Output, o: &Output, out: &mut String) -> usize {
    if r == o {
        return 0;
    }
    let _ = writeln!(out, "  {title}");
    if r.exit != o.exit {
        let _ = writeln!(
            out,
            "    exit status: reference {}, ours {}",
            r.exit, o.exit
        );
    }
    for (name, a, b) in [
        ("stdout", &r.stdout, &o.stdout),
        ("stderr", &r.stderr, &o.stderr),
    ] {
        if a != b {
            let _ = writeln!(out, "    {name} differs:");
            for l in unified_diff(a, b, "reference", "ours").lines() {
                let _ = writeln!(out, "      {l}");
            }
        }
    }
    1
}

// ---------------------------------------------------------------------------------------------
// A small line diff
// ---------------------------------------------------------------------------------------------

/// Splits into lines, keeping the information whether the last line ended with a newline.
fn split_lines(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut lines: Vec<String> = text.split_inclusive('\n').map(visible).collect();
    if let Some(last) = lines.last_mut() {
        if !last.ends_with('\n') {
            last.push_str("\n\\ No newline at end of output\n");
        }
    }
    lines
}

/// Makes control characters (other than tab and the final newline) visible.
fn visible(line: &str) -> String {
    let (body, nl) = match line.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (line, ""),
    };
    let mut s = String::new();
    for c in body.chars() {
        if c.is_control() && c != '\t' {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    s.push_str(nl);
    s
}

/// A unified diff (3 lines of context) of two texts; empty when equal.
pub fn unified_diff(a: &[u8], b: &[u8], name_a: &str, name_b: &str) -> String {
    let a = split_lines(a);
    let b = split_lines(b);
    if a == b {
        return String::new();
    }
    // Longest common subsequence table, from the end.
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // Edit script: (tag, line index in a, line index in b).
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i, j));
            i += 1;
        } else {
            ops.push(('+', i, j));
            j += 1;
        }
    }
    const CONTEXT: usize = 3;
    let mut out = format!("--- {name_a}\n+++ {name_b}\n");
    let mut k = 0;
    while k < ops.len() {
        // Find the next change.
        let Some(start) = ops[k..].iter().position(|o| o.0 != ' ').map(|p| p + k) else {
            break;
        };
        let hunk_start = start.saturating_sub(CONTEXT);
        // Extend while changes are within 2*CONTEXT of each other.
        let mut end = start;
        let mut last_change = start;
        while end < ops.len() {
            if ops[end].0 != ' ' {
                last_change = end;
            } else if end - last_change > 2 * CONTEXT {
                break;
            }
            end += 1;
        }
        let hunk_end = (last_change + CONTEXT + 1).min(ops.len());
        let hunk = &ops[hunk_start..hunk_end];
        let a_start = hunk.first().map_or(0, |o| o.1);
        let b_start = hunk.first().map_or(0, |o| o.2);
        let a_len = hunk.iter().filter(|o| o.0 != '+').count();
        let b_len = hunk.iter().filter(|o| o.0 != '-').count();
        let a_first = if a_len == 0 { a_start } else { a_start + 1 };
        let b_first = if b_len == 0 { b_start } else { b_start + 1 };
        let _ = writeln!(out, "@@ -{a_first},{a_len} +{b_first},{b_len} @@");
        for &(tag, ia, ib) in hunk {
            let line = if tag == '+' { &b[ib] } else { &a[ia] };
            out.push(tag);
            out.push_str(line);
        }
        k = hunk_end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let w: Vec<String> = split_words(r#"-A -t 10.0.0.1:80 -s '' "a b" c\ d "x\"y\n""#)
            .unwrap()
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(
            w,
            ["-A", "-t", "10.0.0.1:80", "-s", "", "a b", "c d", "x\"y\\n"]
        );
        assert!(split_words("'open").is_err());
    }

    #[test]
    fn parse_format() {
        let text = "# c\ncase a.b-1\nsetup: ip link add d0 type dummy\n-A -t 1.2.3.4:80\n(none)\n-R <<END\n-A -t 10.0.0.2:80\n\n# not a comment\nEND\n'<<X'\ncase b\n";
        let cases = parse_cases(text, "f").unwrap();
        assert_eq!(cases.len(), 2);
        let a = &cases[0];
        assert_eq!(a.setup, ["ip link add d0 type dummy"]);
        assert_eq!(a.commands.len(), 4);
        assert!(a.commands[1].args.is_empty());
        assert_eq!(a.commands[2].args, ["-R"]);
        assert_eq!(
            a.commands[2].stdin.as_deref(),
            Some("-A -t 10.0.0.2:80\n\n# not a comment\n")
        );
        assert_eq!(a.commands[3].args, ["<<X"]);
        assert!(parse_cases("-A\n", "f").is_err());
        assert!(parse_cases("case x\n-L <<E\n", "f").is_err());
        assert!(parse_cases("case bad/name\n", "f").is_err());
    }

    #[test]
    fn diff_shows_changes() {
        let d = unified_diff(b"a\nb\nc\n", b"a\nB\nc\nd", "reference", "ours");
        assert!(d.contains("-b\n+B\n"), "{d}");
        assert!(d.contains("+d\n\\ No newline"), "{d}");
        assert_eq!(unified_diff(b"x\n", b"x\n", "r", "o"), "");
        let d = unified_diff(b"", b"new\n", "r", "o");
        assert!(d.contains("@@ -0,0 +1,1 @@\n+new\n"), "{d}");
    }
}
