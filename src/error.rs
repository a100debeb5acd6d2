//! The one error type of every command (ipvsadm's own, `-R`, `mark`,
//! `apply`, `director`, `realserver`, `sysctl`, `--netns`): the exact text for
//! stderr and the exit status. Commands return it; the binary's `main`
//! turns it into stderr and the exit code in one place ([`report`]).
//!
//! Exit statuses come in two families, because we answer like two
//! different programs:
//! - ipvsadm's (ipvsadm 1.31, and our extensions `apply`, `director`,
//!   `realserver`, `sysctl`, `--netns`, `--json`): [`OK`], [`LIST_FAILED`],
//!   [`USAGE`], [`KERNEL_FAILED`] (also popt's option errors and the
//!   `Try …` answer);
//! - iptables' (`ipvsadm mark`, xtables' exit types): [`XT_OTHER`],
//!   [`XT_PARAMETER`], [`XT_VERSION`], [`XT_RESOURCE`].

use std::io::Write;

/// Success.
pub const OK: i32 = 0;
/// ipvsadm: a listing (`-L`, `-S`, `-c`, `--timeout`, `--daemon`) failed
/// (also `apply` when it cannot read the kernel's table).
pub const LIST_FAILED: i32 = 1;
/// `director` / `realserver`: the host refused a change.
pub const SETUP_FAILED: i32 = 1;
/// `sysctl`: a setting could not be read or written (read-only, or
/// refused by the kernel).
pub const SETTING_FAILED: i32 = 1;
/// ipvsadm: a grammar or usage error (its `fail(2, …)`); also any
/// usage error of our extensions.
pub const USAGE: i32 = 2;
/// ipvsadm's `exit(-1)`: a kernel change failed, popt rejected an option,
/// or the line could not start (`Try …`).
pub const KERNEL_FAILED: i32 = 255;

/// iptables' OTHER_PROBLEM (e.g. "No chain/target/match by that name.").
pub const XT_OTHER: i32 = 1;
/// iptables' PARAMETER_PROBLEM: a bad command line.
pub const XT_PARAMETER: i32 = 2;
/// iptables' VERSION_PROBLEM.
pub const XT_VERSION: i32 = 3;
/// iptables' RESOURCE_PROBLEM: the kernel refused a batch message.
pub const XT_RESOURCE: i32 = 4;

/// A failure: exactly what goes to stderr (possibly nothing, when the
/// text was already written as it happened) and the exit status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", message_of(.text))]
pub struct Error {
    /// The bytes for stderr, verbatim (normally ending in `\n`).
    pub text: String,
    /// The exit status.
    pub code: i32,
}

/// A text without the one trailing newline that ends it.
fn message_of(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

impl Error {
    /// An error whose stderr text is `text` exactly (iptables' style: the
    /// text carries its own newline).
    pub fn new(text: String, code: i32) -> Error {
        Error { text, code }
    }

    /// An error printed as one message followed by a newline (ipvsadm's
    /// style; the message may itself contain newlines).
    pub fn line(message: impl Into<String>, code: i32) -> Error {
        let mut text = message.into();
        text.push('\n');
        Error { text, code }
    }

    /// A usage error: `message` and a newline, status [`USAGE`].
    pub fn usage(message: impl Into<String>) -> Error {
        Error::line(message, USAGE)
    }

    /// Only an exit status: the messages were already written.
    pub fn status(code: i32) -> Error {
        Error {
            text: String::new(),
            code,
        }
    }

    /// ipvsadm's answer to a line it cannot start parsing (and to `-R`
    /// inside `-R`).
    pub fn try_help(argv0: &str) -> Error {
        Error::line(try_help_line(argv0), KERNEL_FAILED)
    }

    /// The text without its final newline (what ipvsadm passes to
    /// `fprintf(stderr, "%s\n", …)`).
    pub fn message(&self) -> &str {
        message_of(&self.text)
    }
}

/// The `Try …` sentence (no newline) that ipvsadm, popt and iptables all
/// end a bad command line with; `prog` as the program names itself.
pub fn try_help_line(prog: &str) -> String {
    format!("Try `{prog} -h' or '{prog} --help' for more information.")
}

/// Write a command's outcome: nothing for success, the error's text on
/// `err`; returns the exit status.
pub fn report(result: Result<(), Error>, err: &mut dyn Write) -> i32 {
    match result {
        Ok(()) => OK,
        Err(e) => {
            let _ = err.write_all(e.text.as_bytes());
            let _ = err.flush();
            e.code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reported(r: Result<(), Error>) -> (i32, String) {
        let mut err = Vec::new();
        let rc = report(r, &mut err);
        (rc, String::from_utf8_lossy(&err).into_owned())
    }

    #[test]
    fn success_writes_nothing() {
        assert_eq!(reported(Ok(())), (OK, String::new()));
    }

    #[test]
    fn texts_reach_stderr_byte_for_byte() {
        // ipvsadm style: one newline added.
        assert_eq!(
            reported(Err(Error::usage("unexpected argument x"))),
            (USAGE, "unexpected argument x\n".into())
        );
        // A message with its own newline keeps both (ipvsadm prints
        // "-6 used before -f\n" with "%s\n").
        assert_eq!(
            reported(Err(Error::usage("-6 used before -f\n"))),
            (USAGE, "-6 used before -f\n\n".into())
        );
        // iptables style: the text is verbatim.
        assert_eq!(
            reported(Err(Error::new("iptables: Bad rule.\n".into(), XT_OTHER))),
            (XT_OTHER, "iptables: Bad rule.\n".into())
        );
        assert_eq!(
            reported(Err(Error::new("x".into(), XT_RESOURCE))),
            (XT_RESOURCE, "x".into())
        );
        // Status only.
        assert_eq!(
            reported(Err(Error::status(KERNEL_FAILED))),
            (255, String::new())
        );
    }

    #[test]
    fn try_help_and_message() {
        let e = Error::try_help("ipvsadm");
        assert_eq!(e.code, KERNEL_FAILED);
        assert_eq!(
            e.text,
            "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"
        );
        assert_eq!(
            e.message(),
            "Try `ipvsadm -h' or 'ipvsadm --help' for more information."
        );
        assert_eq!(e.to_string(), e.message());
        assert_eq!(Error::line("a\n", 2).message(), "a\n");
    }

    #[test]
    fn statuses_are_the_programs_own() {
        assert_eq!((OK, LIST_FAILED, USAGE, KERNEL_FAILED), (0, 1, 2, 255));
        assert_eq!(
            (XT_OTHER, XT_PARAMETER, XT_VERSION, XT_RESOURCE),
            (1, 2, 3, 4)
        );
    }
}
