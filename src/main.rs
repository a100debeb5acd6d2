//! The `ipvsadm` binary: argv in, exit status out. All the work is in the
//! library; this file only wires process-level things (stdio, signals),
//! picks the command (ipvsadm's grammar, `-R`, or a subcommand) and turns
//! its outcome into stderr and the exit status, in one place.

#![no_main]

use std::io::{self, BufWriter, Write};

use ipvsadm_rs::error::{self, Error};
use ipvsadm_rs::grammar::{self, Cmd};
use ipvsadm_rs::kernel::errors::Op;
use ipvsadm_rs::session::{self, Session};
use ipvsadm_rs::{apply, exec, hostsetup, mark, metrics, netns, restore, sysctl};

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
    let rest: Vec<String> = args.collect();
    let stdout = io::stdout();
    // stdio's buffer size for pipes: a reader that goes away early sees
    // the same SIGPIPE timing as with ipvsadm.
    let mut out = BufWriter::with_capacity(4096, stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let result = dispatch(&argv0, rest, &mut out, &mut err);
    // The one place where an outcome becomes stderr and a status (before
    // stdout's last block, as ipvsadm's stdio would have it).
    let rc = error::report(result, &mut err);
    let _ = out.flush();
    rc
}

/// Enter `--netns`, then run the subcommand or ipvsadm's command line.
fn dispatch(
    argv0: &str,
    mut rest: Vec<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    if let Some(ns) = netns::take_netns_arg(&mut rest)? {
        netns::enter(&ns)?;
    }
    let sub = rest.get(1..).unwrap_or(&[]);
    match rest.first().map(String::as_str) {
        Some("mark") => mark::main(argv0, sub),
        Some("apply") => apply::main(argv0, sub, out, err),
        Some("metrics") => metrics::main(argv0, sub, out, err),
        Some("realserver") => hostsetup::main(hostsetup::Role::RealServer, sub, out),
        Some("director") => hostsetup::main(hostsetup::Role::Director, sub, out),
        Some("sysctl") => sysctl::main(argv0, sub, out),
        _ => run(argv0, rest, out, err),
    }
}

/// ipvsadm's own command line: one command, or `-R` reading stdin.
fn run(
    argv0: &str,
    mut args: Vec<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    // `--json` (our extension) switches a listing to JSON.
    let json = take_flag(&mut args, "--json");
    let cmd = grammar::parse(argv0, &args)?;
    if json && cmd.cmd != Cmd::List {
        return Err(Error::usage("--json is only for the list command"));
    }
    let mut s = Session {
        argv0: argv0.to_string(),
        op: Op::Init,
        out,
        err,
    };
    // Help and version need no kernel.
    if let Some(r) = exec::run_local(&cmd, &mut s) {
        return r;
    }
    let mut k = session::connect()?;
    if json {
        exec::list_json(&cmd, &mut k, &mut s)
    } else if cmd.cmd == Cmd::Restore {
        restore::run(&mut io::stdin().lock(), &mut k, &mut s)
    } else {
        exec::run(&cmd, &mut k, &mut s)
    }
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
