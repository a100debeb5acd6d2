//! The `ipvsadm` binary: argv in, exit status out. All the work is in the
//! library; this file only wires process-level things (stdio, signals).

#![no_main]

use std::io::{self, BufWriter, Write};

use ipvsadm_rs::exec::{self, Session};
use ipvsadm_rs::grammar;
use ipvsadm_rs::kernel::errors::{error_text, Op};
use ipvsadm_rs::{apply, hostsetup, mark, netns, transport};

/// The C entry point. Rust's usual runtime start-up is left out on purpose:
/// under emulation and on busy directors every process start counts
/// (`ipvsadm -A` in a loop), and what it would do is either unneeded here
/// (the stack-overflow handler and its alternate stack, which cost a read
/// of /proc/self/maps) or wrong for a drop-in for a C program (setting
/// SIGPIPE to "ignored"). So, like ipvsadm, we keep the SIGPIPE disposition
/// we inherited: by default die quietly of SIGPIPE when the reader of our
/// output goes away (`ipvsadm -L -n | head -1`, shell status 141); when it
/// was ignored, write errors end the listing quietly with status 0.
///
/// # Safety
/// Called by the C runtime only, with its `argc` and `argv`.
#[no_mangle]
pub unsafe extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    guard_std_fds();
    // SAFETY: the C runtime passes argc and an argv of argc strings.
    let args = unsafe { args_of(argc, argv) };
    let rc = real_main(args);
    let _ = io::stdout().flush();
    rc & 0xff
}

/// The words of `argv`, converted lossily from bytes (as before, with
/// `std::env::args_os`, which without Rust's start-up is only filled in
/// on glibc).
///
/// # Safety
/// `argv` must be null or point to `argc` pointers, each null or to a
/// NUL-terminated string, as `main` receives them.
unsafe fn args_of(argc: libc::c_int, argv: *const *const libc::c_char) -> Vec<String> {
    let n = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() {
        return Vec::new();
    }
    (0..n)
        // SAFETY: i < argc, within the array (caller's contract).
        .map(|i| unsafe { *argv.add(i) })
        .take_while(|p| !p.is_null())
        // SAFETY: a non-null argv entry is a NUL-terminated string.
        .map(|p| {
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// Standard descriptors that are closed get /dev/null, as Rust's runtime
/// would have done: otherwise our netlink socket could become fd 1 and a
/// listing be written into it.
fn guard_std_fds() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd for the call's length.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
        return;
    }
    for p in fds {
        if p.revents & libc::POLLNVAL != 0 {
            // SAFETY: a NUL-terminated path; the lowest free descriptor is
            // the closed one we are filling.
            unsafe {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
    }
}

fn real_main(args: Vec<String>) -> i32 {
    let mut args = args.into_iter();
    let argv0 = args.next().unwrap_or_else(|| "ipvsadm".into());
    let mut rest: Vec<String> = args.collect();
    match netns::take_netns_arg(&mut rest) {
        Ok(None) => {}
        Ok(Some(ns)) => {
            if let Err(m) = netns::enter(&ns) {
                eprintln!("{m}");
                return 2;
            }
        }
        Err(m) => {
            eprintln!("{m}");
            return 2;
        }
    }
    let sub = rest.get(1..).unwrap_or(&[]);
    match rest.first().map(String::as_str) {
        Some("mark") => mark::main(&argv0, sub),
        Some("apply") => apply_main(&argv0, sub),
        Some("realserver") => hostsetup::main(hostsetup::Role::RealServer, sub),
        Some("director") => hostsetup::main(hostsetup::Role::Director, sub),
        _ => run(&argv0, &rest),
    }
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
