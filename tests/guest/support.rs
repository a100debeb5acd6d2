//! Helpers for tests that run inside the guest lab: the guard that keeps them off the host,
//! fresh network namespaces (IPVS state is per namespace), and process running with captured
//! output, optional stdin, argv[0] and a timeout.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

/// Debian's ipvsadm 1.31, the reference.
pub const REAL_IPVSADM: &str = "/usr/sbin/ipvsadm";
/// Our binary under test: `$IPVSADM_UNDER_TEST` when set (lab/test-all sets the static
/// release build that `make install` ships), else the one cargo built for this test target.
pub fn ours() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        std::env::var("IPVSADM_UNDER_TEST")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_ipvsadm").to_string())
    })
}

/// [`ours`] copied to a fresh world-readable directory under `/run` (the guest's tmpfs), for
/// tests that run it as an unprivileged user: the checkout may sit in a directory that user
/// cannot enter (a `mktemp -d` folder, root's 0700 home), and then neither can the binary
/// built inside it. Copied once per test process.
pub fn ours_for_nobody() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::path::PathBuf::from(format!("/run/ipvsadm-rs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let copy = dir.join("ipvsadm");
        let made = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)))
            .and_then(|()| std::fs::copy(ours(), &copy))
            .and_then(|_| std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)));
        if let Err(e) = made {
            panic!("copy {} to {}: {e}", ours(), copy.display());
        }
        copy.to_string_lossy().into_owned()
    })
}

/// How long one process may run before it is killed and reported as timed out.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// True when running inside the guest lab (lab/run-guest sets `LAB_GUEST=1`).
pub fn in_guest() -> bool {
    std::env::var_os("LAB_GUEST").is_some_and(|v| v == "1")
}

/// First line of every in-guest test: panics with an explanation when run on the host
/// (e.g. by `cargo test -- --ignored`), where there is no ip_vs and nothing must be touched.
pub fn require_guest() {
    assert!(
        in_guest(),
        "this test runs inside the guest lab only: run `cargo test --test guest` \
         (the host test boots the guest and runs the ignored tests there)"
    );
}

/// Runs `f` on a new thread that has its own fresh network namespace with `lo` up.
/// Processes spawned from that thread inherit the namespace, so every IPVS table, sync
/// daemon and link created there vanishes with it. Panics in `f` propagate.
pub fn in_netns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::spawn(move || {
        if let Err(e) = enter_fresh_netns() {
            panic!("cannot create a network namespace: {e}");
        }
        f()
    });
    match handle.join() {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    }
}

/// Moves the calling thread into a new network namespace and brings `lo` up there.
pub fn enter_fresh_netns() -> std::io::Result<()> {
    // SAFETY: unshare only changes this thread's namespace membership.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    set_lo_up()
}

fn set_lo_up() -> std::io::Result<()> {
    // SAFETY: plain socket/ioctl calls on a zero-initialised ifreq naming "lo".
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *dst = *src as libc::c_char;
        }
        let mut rc = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req);
        if rc == 0 {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            rc = libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
        }
        let err = std::io::Error::last_os_error();
        libc::close(fd);
        if rc != 0 {
            return Err(err);
        }
    }
    Ok(())
}

/// How a process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
    SpawnFailed(String),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s}"),
            Exit::TimedOut => write!(f, "timed out after {}s", COMMAND_TIMEOUT.as_secs()),
            Exit::SpawnFailed(e) => write!(f, "could not start: {e}"),
        }
    }
}

impl From<ExitStatus> for Exit {
    fn from(s: ExitStatus) -> Self {
        match (s.code(), s.signal()) {
            (Some(c), _) => Exit::Code(c),
            (None, Some(sig)) => Exit::Signal(sig),
            (None, None) => Exit::Code(-1),
        }
    }
}

/// Captured result of one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit: Exit,
}

/// Runs `program` with `args`, argv[0] set to `argv0`, the given stdin (or /dev/null), and
/// captures everything. Never panics: failures to start or timeouts are reported in `exit`.
pub fn run(program: &Path, argv0: &str, args: &[String], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(program);
    cmd.arg0(argv0)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    run_command(cmd, stdin)
}

/// Runs `sh -c script`, captured.
pub fn sh(script: &str) -> Output {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    run_command(cmd, None)
}

/// Runs Debian's ipvsadm (argv[0] "ipvsadm") with the given arguments.
pub fn real_ipvsadm(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run(Path::new(REAL_IPVSADM), "ipvsadm", &args, None)
}

/// Runs our ipvsadm (argv[0] "ipvsadm") with the given arguments.
pub fn our_ipvsadm(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run(Path::new(ours()), "ipvsadm", &args, None)
}

fn run_command(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Output {
                stdout: Vec::new(),
                stderr: Vec::new(),
                exit: Exit::SpawnFailed(e.to_string()),
            }
        }
    };
    let writer = match (child.stdin.take(), stdin) {
        (Some(mut pipe), Some(data)) => {
            let data = data.to_vec();
            Some(std::thread::spawn(move || {
                // The child may exit without reading everything; that is not our error.
                let _ = pipe.write_all(&data);
            }))
        }
        _ => None,
    };
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_t = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_t = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    // A watchdog kills the child if it outlives COMMAND_TIMEOUT; no polling meanwhile.
    let pid = child.id() as libc::pid_t;
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        match done_rx.recv_timeout(COMMAND_TIMEOUT) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                // SAFETY: signalling our own child, which has not been reaped yet.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                true
            }
            _ => false,
        }
    });
    let waited = child.wait();
    let _ = done_tx.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    let exit = match waited {
        _ if timed_out => Exit::TimedOut,
        Ok(status) => Exit::from(status),
        Err(e) => Exit::SpawnFailed(format!("wait failed: {e}")),
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    Output {
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
        exit,
    }
}

/// Unloads every ip_vs module (retrying while namespaces of earlier tests
/// are torn down); false when they stay in use.
pub fn unload_ip_vs() -> bool {
    let script = "for i in 1 2 3 4 5 6 7 8 9 10; do \
                    for m in $(awk '/^ip_vs_/ {print $1}' /proc/modules); do rmmod $m 2>/dev/null; done; \
                    rmmod ip_vs 2>/dev/null; \
                    grep -q '^ip_vs ' /proc/modules || exit 0; sleep 1; \
                  done; exit 1";
    sh(script).exit == Exit::Code(0)
}

/// While alive, the kernel's own module autoload is off
/// (`/proc/sys/kernel/modprobe` is `/bin/false`), so only a program's own
/// `modprobe` can load ip_vs; the old helper path is put back on drop.
pub struct AutoloadOff(String);

impl AutoloadOff {
    pub fn new() -> AutoloadOff {
        let orig = std::fs::read_to_string("/proc/sys/kernel/modprobe").expect("modprobe path");
        std::fs::write("/proc/sys/kernel/modprobe", "/bin/false\n").expect("disable autoload");
        AutoloadOff(orig)
    }
}

impl Drop for AutoloadOff {
    fn drop(&mut self) {
        let _ = std::fs::write("/proc/sys/kernel/modprobe", &self.0);
    }
}

/// Bytes of a command's output as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A command's stdout, asserting it exited 0 (`what` names it on failure).
pub fn ok(o: &Output, what: &str) -> String {
    assert_eq!(o.exit, Exit::Code(0), "{what}: {}", text(&o.stderr));
    text(&o.stdout)
}
