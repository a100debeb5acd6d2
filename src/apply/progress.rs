//! The progress line of a long `apply`: shown on stderr only when stderr
//! is a terminal and the work has run for more than a second, redrawn in
//! place (`\r`), cleared before any other message, and ended with a
//! newline so that the last count stays on the screen.

use std::io::Write;
use std::time::{Duration, Instant};

/// How long `apply` runs before it starts showing progress.
pub const AFTER: Duration = Duration::from_secs(1);

/// A progress line on one writer.
pub struct Progress {
    prog: String,
    start: Instant,
    after: Duration,
    shown: bool,
    enabled: bool,
}

/// Whether standard error is a terminal.
pub fn stderr_is_tty() -> bool {
    // SAFETY: isatty has no preconditions.
    unsafe { libc::isatty(libc::STDERR_FILENO) == 1 }
}

impl Progress {
    /// A progress line for `prog` (e.g. `ipvsadm apply`), drawn only when
    /// `enabled`, once `after` has passed.
    pub fn new(prog: &str, enabled: bool, after: Duration) -> Progress {
        Progress {
            prog: prog.to_string(),
            start: Instant::now(),
            after,
            shown: false,
            enabled,
        }
    }

    /// Whether an update would be shown now (callers with many small
    /// steps ask first, so as not to build texts for nothing).
    pub fn due(&self) -> bool {
        self.enabled && self.start.elapsed() >= self.after
    }

    /// Show `what` (e.g. `1200/5000 changes`) if it is time to.
    pub fn update(&mut self, err: &mut dyn Write, what: &str) {
        if self.due() {
            let _ = write!(err, "\r{}: {what}\x1b[K", self.prog);
            let _ = err.flush();
            self.shown = true;
        }
    }

    /// Clear the line (before another message goes to the same terminal).
    pub fn clear(&mut self, err: &mut dyn Write) {
        if self.shown {
            let _ = write!(err, "\r\x1b[K");
            self.shown = false;
        }
    }

    /// End the line, leaving the last state on the screen.
    pub fn finish(&mut self, err: &mut dyn Write, what: &str) {
        if self.shown {
            let _ = writeln!(err, "\r{}: {what}\x1b[K", self.prog);
            self.shown = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_when_disabled_or_early() {
        let mut err = Vec::new();
        let mut p = Progress::new("ipvsadm apply", false, Duration::ZERO);
        p.update(&mut err, "1/2 changes");
        p.finish(&mut err, "2/2 changes");
        let mut q = Progress::new("ipvsadm apply", true, Duration::from_secs(3600));
        q.update(&mut err, "1/2 changes");
        q.finish(&mut err, "2/2 changes");
        assert!(err.is_empty());
    }

    #[test]
    fn redrawn_in_place_cleared_and_ended() {
        let mut err = Vec::new();
        let mut p = Progress::new("ipvsadm apply", true, Duration::ZERO);
        p.update(&mut err, "1/3 changes");
        p.clear(&mut err);
        p.update(&mut err, "2/3 changes");
        p.finish(&mut err, "3/3 changes");
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "\ripvsadm apply: 1/3 changes\x1b[K\r\x1b[K\ripvsadm apply: 2/3 changes\x1b[K\ripvsadm apply: 3/3 changes\x1b[K\n"
        );
    }
}
