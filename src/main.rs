//! The `ipvsadm` binary: argv in, exit status out. All the work is in the
//! library; this file only wires process-level things (stdio, signals).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use ipvsadm_rs::exec::{self, Session};
use ipvsadm_rs::grammar;
use ipvsadm_rs::kernel::errors::{error_text, Op};
use ipvsadm_rs::{mark, transport};

fn main() -> ExitCode {
    // Like ipvsadm (a C program), die quietly of SIGPIPE when the reader
    // of our output goes away (`ipvsadm -L -n | head -1`).
    // SAFETY: setting a signal disposition to the default has no
    // preconditions; no other threads exist yet.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| "ipvsadm".into());
    let rest = args.get(1..).unwrap_or(&[]);
    if rest.first().map(String::as_str) == Some("mark") {
        return code(mark::main(&argv0, rest.get(1..).unwrap_or(&[])));
    }
    code(run(&argv0, rest))
}

fn code(rc: i32) -> ExitCode {
    ExitCode::from((rc & 0xff) as u8)
}

fn run(argv0: &str, args: &[String]) -> i32 {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();

    let cmd = match grammar::parse(argv0, args) {
        Ok(cmd) => cmd,
        Err(e) => {
            let _ = writeln!(err, "{}", e.message);
            return e.code;
        }
    };
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
        Err(errno) => {
            let _ = writeln!(
                session.err,
                "Can't initialize ipvs: {}\nAre you sure that IP Virtual Server is built in the kernel or as module?",
                error_text(Op::Init, errno)
            );
            return 2;
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let rc = exec::run(&cmd, &mut k, &mut session, &mut input);
    drop(session);
    let _ = out.flush();
    rc
}
