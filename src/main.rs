//! The `ipvsadm` binary: argv in, exit status out. All the work is in the
//! library; this file only wires process-level things (stdio, signals).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use ipvsadm_rs::exec::{self, Session};
use ipvsadm_rs::grammar;
use ipvsadm_rs::kernel::errors::{error_text, Op};
use ipvsadm_rs::{apply, hostsetup, mark, netns, transport};

/// Whether SIGPIPE was ignored when we were started, recorded by
/// [`record_sigpipe`] before Rust's runtime sets it to "ignore" for itself.
static SIGPIPE_WAS_IGNORED: AtomicBool = AtomicBool::new(false);

extern "C" fn record_sigpipe() {
    // SAFETY: querying (not changing) a disposition into a zeroed sigaction.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
        {
            SIGPIPE_WAS_IGNORED.store(true, Ordering::Relaxed);
        }
    }
}

/// Runs [`record_sigpipe`] from the C runtime's constructors, before `main`.
#[used]
#[link_section = ".init_array"]
static RECORD_SIGPIPE: extern "C" fn() = record_sigpipe;

fn main() -> ExitCode {
    // Like ipvsadm (a C program), keep the SIGPIPE disposition we inherited:
    // by default die quietly of SIGPIPE when the reader of our output goes
    // away (`ipvsadm -L -n | head -1`, shell status 141); when it was
    // ignored, write errors end the listing quietly with status 0.
    if !SIGPIPE_WAS_IGNORED.load(Ordering::Relaxed) {
        // SAFETY: setting a signal disposition to the default has no
        // preconditions; no other threads exist yet.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| "ipvsadm".into());
    let mut rest: Vec<String> = args.get(1..).unwrap_or(&[]).to_vec();
    match netns::take_netns_arg(&mut rest) {
        Ok(None) => {}
        Ok(Some(ns)) => {
            if let Err(m) = netns::enter(&ns) {
                eprintln!("{m}");
                return code(2);
            }
        }
        Err(m) => {
            eprintln!("{m}");
            return code(2);
        }
    }
    let sub = rest.get(1..).unwrap_or(&[]);
    code(match rest.first().map(String::as_str) {
        Some("mark") => mark::main(&argv0, sub),
        Some("apply") => apply_main(&argv0, sub),
        Some("realserver") => hostsetup::main(hostsetup::Role::RealServer, sub),
        Some("director") => hostsetup::main(hostsetup::Role::Director, sub),
        _ => run(&argv0, &rest),
    })
}

fn code(rc: i32) -> ExitCode {
    ExitCode::from((rc & 0xff) as u8)
}

fn run(argv0: &str, args: &[String]) -> i32 {
    // `--json` (our extension) switches a listing to JSON.
    let mut args = args.to_vec();
    let json = take_flag(&mut args, "--json");
    let stdout = io::stdout();
    // stdio's buffer size for pipes: a reader that goes away early sees
    // the same SIGPIPE timing as with ipvsadm.
    let mut out = BufWriter::with_capacity(4096, stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();

    let cmd = match grammar::parse(argv0, &args) {
        Ok(cmd) => cmd,
        Err(e) => {
            let _ = writeln!(err, "{}", e.message);
            return e.code;
        }
    };
    if json && cmd.cmd != grammar::Cmd::List {
        let _ = writeln!(err, "--json is only for the list command");
        return 2;
    }
    let mut session = Session {
        argv0: argv0.to_string(),
        op: Op::Init,
        out: &mut out,
        err: &mut err,
    };
    // Help and version need no kernel.
    if let Some(rc) = exec::run_local(&cmd, &mut session) {
        drop(session);
        let _ = out.flush();
        return rc;
    }
    let mut k = match transport::connect() {
        Ok(k) => k,
        Err(errno) => return init_failed(session.err, errno),
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let rc = if json {
        exec::list_json(&cmd, &mut k, &mut session)
    } else {
        exec::run(&cmd, &mut k, &mut session, &mut input)
    };
    drop(session);
    let _ = out.flush();
    rc
}

/// `ipvsadm apply [--dry-run] FILE|-`.
fn apply_main(argv0: &str, args: &[String]) -> i32 {
    let usage = || {
        eprintln!("Usage: {argv0} apply [--dry-run] FILE|-");
        2
    };
    let (dry_run, file) = match args {
        [f] if f != "--dry-run" => (false, f),
        [d, f] if d == "--dry-run" => (true, f),
        [f, d] if d == "--dry-run" => (true, f),
        _ => return usage(),
    };
    let read = if file == "-" {
        apply::read_table(argv0, &mut io::stdin().lock())
    } else {
        match std::fs::File::open(file) {
            Ok(f) => apply::read_table(argv0, &mut io::BufReader::new(f)),
            Err(e) => {
                eprintln!(
                    "{argv0} apply: cannot open {file}: {}",
                    ipvsadm_rs::kernel::errors::strerror(e.raw_os_error().unwrap_or(libc::EIO))
                );
                return 2;
            }
        }
    };
    let want = match read {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", e.message);
            return e.code;
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let mut k = match transport::connect() {
        Ok(k) => k,
        Err(errno) => return init_failed(&mut err, errno),
    };
    let mut session = Session {
        argv0: argv0.to_string(),
        op: Op::Init,
        out: &mut out,
        err: &mut err,
    };
    let rc = apply::run(&want, dry_run, &mut k, &mut session);
    drop(session);
    let _ = out.flush();
    rc
}

/// ipvsadm's message when the kernel interface cannot be opened.
fn init_failed(err: &mut dyn Write, errno: i32) -> i32 {
    let _ = writeln!(
        err,
        "Can't initialize ipvs: {}\nAre you sure that IP Virtual Server is built in the kernel or as module?",
        error_text(Op::Init, errno)
    );
    2
}

/// Remove every `flag` (before a `--`) from `args`; whether one was there.
fn take_flag(args: &mut Vec<String>, flag: &str) -> bool {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let before = args.len();
    let mut i = 0;
    args.retain(|a| {
        i += 1;
        i > end || a != flag
    });
    args.len() != before
}
