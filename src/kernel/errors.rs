//! Kernel errno → ipvsadm's message text.
//!
//! ipvsadm looks a failure up by (operation, errno), operation-specific
//! entries first, then generic ones, then the C library's `strerror`.
//! The "operation" is a marker that some requests set and others (flush,
//! info, the all-services dump) leave alone, so within one process (and
//! across the lines of `-R`) the previous operation's table can apply.
//! Pure: no I/O here.

use std::ffi::CStr;

/// The operation marker ipvsadm keeps for error texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Op {
    /// Set by initialisation: only generic entries.
    #[default]
    Init,
    AddService,
    EditService,
    DelService,
    Zero,
    AddDest,
    EditDest,
    DelDest,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    GetDests,
    GetService,
    GetTimeout,
    GetDaemon,
}

/// Not an errno: a request was sent but its answer never arrived (the
/// receive failed part-way), so the kernel may or may not have applied
/// it. Negative, so no kernel errno can be mistaken for it.
pub const OUTCOME_UNKNOWN: i32 = -1;

/// The text ipvsadm prints for `errno` after operation `op`.
pub fn error_text(op: Op, errno: i32) -> String {
    use Op::*;
    if errno == OUTCOME_UNKNOWN {
        return "Outcome unknown: no answer from the kernel (the change may have been applied)"
            .to_string();
    }
    let specific = match (op, errno) {
        (AddService, libc::EEXIST) => Some("Service already exists"),
        (AddService, libc::ENOENT) => Some("Scheduler or persistence engine not found"),
        (EditService, libc::ESRCH) => Some("No such service"),
        (EditService, libc::ENOENT) => Some("Scheduler or persistence engine not found"),
        (DelService, libc::ESRCH) => Some("No such service"),
        (Zero, libc::ESRCH) => Some("No such service"),
        (AddDest, libc::ESRCH) => Some("Service not defined"),
        (AddDest, libc::EEXIST) => Some("Destination already exists"),
        (EditDest, libc::ESRCH) => Some("Service not defined"),
        (EditDest, libc::ENOENT) => Some("No such destination"),
        (DelDest, libc::ESRCH) => Some("Service not defined"),
        (DelDest, libc::ENOENT) => Some("No such destination"),
        (StartDaemon, libc::EEXIST) => Some("Daemon has already run"),
        (StopDaemon, libc::ESRCH) => Some("No daemon is running"),
        (GetDests, libc::ESRCH) => Some("No such service"),
        (GetService, libc::ESRCH) => Some("No such service"),
        _ => None,
    };
    if let Some(t) = specific {
        return t.to_string();
    }
    let generic = match errno {
        libc::EPERM => Some("Permission denied (you must be root)"),
        libc::EINVAL => {
            Some("Invalid operation.  Possibly wrong module version, address not unicast, ...")
        }
        libc::ENOPROTOOPT => Some("Protocol not available"),
        libc::ENOMEM => Some("Memory allocation problem"),
        libc::EOPNOTSUPP => Some("Operation not supported with IPv6"),
        libc::EAFNOSUPPORT => Some("Operation not supported with specified address family"),
        libc::EMSGSIZE => Some("Module is wrong version"),
        _ => None,
    };
    match generic {
        Some(t) => t.to_string(),
        None => strerror(errno),
    }
}

/// The C library's text for an I/O error (see [`strerror`]); an error
/// that carries no errno reads as EIO.
pub fn io_strerror(e: &std::io::Error) -> String {
    strerror(e.raw_os_error().unwrap_or(libc::EIO))
}

/// glibc's English text for an errno, without Rust's "(os error N)".
pub fn strerror(errno: i32) -> String {
    let mut buf = [0 as libc::c_char; 256];
    // SAFETY: buf is valid for buf.len() bytes; the XSI strerror_r writes a
    // NUL-terminated string into it (truncated if needed) or fails.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {errno}");
    }
    // SAFETY: strerror_r succeeded, so buf holds a NUL-terminated string.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specific_before_generic() {
        assert_eq!(
            error_text(Op::AddService, libc::EEXIST),
            "Service already exists"
        );
        assert_eq!(error_text(Op::DelService, libc::ESRCH), "No such service");
        assert_eq!(error_text(Op::AddDest, libc::ESRCH), "Service not defined");
    }

    #[test]
    fn generic_and_strerror() {
        assert_eq!(
            error_text(Op::Init, libc::EINVAL),
            "Invalid operation.  Possibly wrong module version, address not unicast, ..."
        );
        assert_eq!(error_text(Op::Init, libc::EEXIST), "File exists");
        assert_eq!(
            error_text(Op::AddDest, libc::ERANGE),
            "Numerical result out of range"
        );
        assert_eq!(error_text(Op::Init, libc::ESRCH), "No such process");
    }

    #[test]
    fn lost_answer_is_not_einval() {
        let t = error_text(Op::AddDest, OUTCOME_UNKNOWN);
        assert!(t.starts_with("Outcome unknown"), "{t}");
        assert_ne!(t, error_text(Op::AddDest, libc::EINVAL));
    }
}
