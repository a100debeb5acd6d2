//! The watch as a state machine over readings, with no I/O: each server
//! starts [`Phase::Waiting`]; every poll gives a [`Seen`] per waiting
//! server and [`Watch::observe`] says whether to delete it now; the
//! driver reports the deletion's outcome, or stops the watch (timeout,
//! signal). What the phases mean for the exit status and for the undo
//! commands is decided here too, so that it can be tested against fake
//! readings.

use std::time::Duration;

use crate::kernel::Errno;

/// Exit status: done (every server drained and deleted, or kept).
pub const DONE: i32 = 0;
/// Exit status: a kernel request failed.
pub const FAILED: i32 = 1;
/// Exit status: no such service or server (nothing changed).
pub const NOT_FOUND: i32 = 3;
/// Exit status: `--timeout` ran out (weights stay 0).
pub const TIMED_OUT: i32 = 4;
/// Exit status: someone else changed or removed a server meanwhile.
pub const INTERFERED: i32 = 5;
/// Exit status after SIGINT (as a shell reports a process it killed).
pub const INTERRUPTED: i32 = 130;
/// Exit status after SIGTERM.
pub const TERMINATED: i32 = 143;

/// A server's numbers in one reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub weight: u32,
    pub active: u32,
    pub inact: u32,
    /// Persistence templates still pointing at the server.
    pub templates: u32,
}

impl Counts {
    /// What is left before the server can go.
    pub fn left(&self) -> u64 {
        u64::from(self.active) + u64::from(self.inact) + u64::from(self.templates)
    }
}

/// What one poll saw of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Its service is no longer in the table.
    ServiceGone,
    /// The service is there, the server is not.
    ServerGone,
    Here(Counts),
}

/// Why the watch stopped before every server was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Timeout,
    /// A signal: SIGINT or SIGTERM.
    Signal(i32),
}

/// Where a server stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// At weight 0, connections left (as last seen).
    Waiting(Counts),
    Deleted,
    /// Drained and left at weight 0 (`--keep`).
    Kept,
    /// Removed by someone else (`true`: with its service).
    Removed(bool),
    /// Someone else gave it this weight: left alone.
    Reweighted(u32),
    /// A request about it failed (the message); its weight is 0.
    Failed(String),
    /// Stopped while waiting, with what was left.
    Stopped(Stop, Counts),
}

/// What the driver must do after an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Nothing,
    Delete,
}

/// Every server's phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub phases: Vec<Phase>,
    keep: bool,
    stop: Option<Stop>,
}

impl Watch {
    /// Servers just set to weight 0, with their counts at that moment.
    pub fn new(counts: &[Counts], keep: bool) -> Watch {
        Watch {
            phases: counts.iter().map(|c| Phase::Waiting(*c)).collect(),
            keep,
            stop: None,
        }
    }

    /// Whether server `i` is still being watched.
    pub fn waiting(&self, i: usize) -> bool {
        matches!(self.phases.get(i), Some(Phase::Waiting(_)))
    }

    /// A poll's reading of server `i` (ignored unless it is waiting).
    pub fn observe(&mut self, i: usize, seen: Seen) -> Action {
        if !self.waiting(i) {
            return Action::Nothing;
        }
        let (next, action) = match seen {
            Seen::ServiceGone => (Phase::Removed(true), Action::Nothing),
            Seen::ServerGone => (Phase::Removed(false), Action::Nothing),
            Seen::Here(c) if c.weight != 0 => (Phase::Reweighted(c.weight), Action::Nothing),
            Seen::Here(c) if c.left() > 0 => (Phase::Waiting(c), Action::Nothing),
            Seen::Here(_) if self.keep => (Phase::Kept, Action::Nothing),
            Seen::Here(c) => (Phase::Waiting(c), Action::Delete),
        };
        if let Some(p) = self.phases.get_mut(i) {
            *p = next;
        }
        action
    }

    /// The outcome of deleting server `i`: gone already (ENOENT, ESRCH)
    /// means someone else removed it; another failure is kept with
    /// `message`.
    pub fn deleted(
        &mut self,
        i: usize,
        result: Result<(), Errno>,
        message: impl FnOnce(Errno) -> String,
    ) {
        let next = match result {
            Ok(()) => Phase::Deleted,
            Err(libc::ENOENT | libc::ESRCH) => Phase::Removed(false),
            Err(e) => Phase::Failed(message(e)),
        };
        if let Some(p) = self.phases.get_mut(i) {
            *p = next;
        }
    }

    /// A failure that ends the watch for every waiting server.
    pub fn fail_all(&mut self, message: &str) {
        for p in &mut self.phases {
            if let Phase::Waiting(_) = p {
                *p = Phase::Failed(message.to_string());
            }
        }
    }

    /// Stop watching: every waiting server keeps weight 0.
    pub fn stop(&mut self, why: Stop) {
        self.stop = Some(why);
        for p in &mut self.phases {
            if let Phase::Waiting(c) = p {
                *p = Phase::Stopped(why, *c);
            }
        }
    }

    /// Whether no server is waiting any more.
    pub fn done(&self) -> bool {
        !self.phases.iter().any(|p| matches!(p, Phase::Waiting(_)))
    }

    /// The servers whose weight drain set to 0 and that are still there:
    /// the ones an undo command is printed for.
    pub fn undo(&self) -> Vec<usize> {
        let ours = |p: &Phase| {
            matches!(
                p,
                Phase::Waiting(_) | Phase::Kept | Phase::Failed(_) | Phase::Stopped(..)
            )
        };
        (0..self.phases.len())
            .filter(|&i| self.phases.get(i).is_some_and(ours))
            .collect()
    }

    /// The exit status: a signal's, else timeout, else a failure, else
    /// someone else's change, else 0.
    pub fn status(&self) -> i32 {
        let any = |f: &dyn Fn(&Phase) -> bool| self.phases.iter().any(f);
        match self.stop {
            Some(Stop::Signal(libc::SIGTERM)) => return TERMINATED,
            Some(Stop::Signal(_)) => return INTERRUPTED,
            Some(Stop::Timeout) => return TIMED_OUT,
            None => {}
        }
        if any(&|p| matches!(p, Phase::Failed(_))) {
            FAILED
        } else if any(&|p| matches!(p, Phase::Removed(_) | Phase::Reweighted(_))) {
            INTERFERED
        } else {
            DONE
        }
    }
}

/// A duration as `7s`, `2m05s`, `1h02m03s`.
pub fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

fn left_text(c: &Counts) -> String {
    format!(
        "{} left ({} active, {} inactive, {} templates)",
        c.left(),
        c.active,
        c.inact,
        c.templates
    )
}

/// What a phase says in a progress line.
pub fn describe(p: &Phase) -> String {
    match p {
        Phase::Waiting(c) => format!("draining, {}", left_text(c)),
        Phase::Deleted => "drained, deleted".into(),
        Phase::Kept => "drained, kept at weight 0".into(),
        Phase::Removed(true) => "its service was removed by someone else; left alone".into(),
        Phase::Removed(false) => "removed by someone else; left alone".into(),
        Phase::Reweighted(w) => format!("weight set to {w} by someone else; left alone"),
        Phase::Failed(m) => format!("{m}; weight stays 0"),
        Phase::Stopped(Stop::Timeout, c) => format!("timed out, {}; weight stays 0", left_text(c)),
        Phase::Stopped(Stop::Signal(_), c) => {
            format!("interrupted, {}; weight stays 0", left_text(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(weight: u32, active: u32, inact: u32, templates: u32) -> Counts {
        Counts {
            weight,
            active,
            inact,
            templates,
        }
    }

    #[test]
    fn a_server_is_deleted_once_everything_is_gone() {
        let mut w = Watch::new(&[c(0, 2, 1, 0)], false);
        assert_eq!(w.observe(0, Seen::Here(c(0, 1, 1, 0))), Action::Nothing);
        // Connections gone, a template left: still waiting.
        assert_eq!(w.observe(0, Seen::Here(c(0, 0, 0, 1))), Action::Nothing);
        assert_eq!(w.phases[0], Phase::Waiting(c(0, 0, 0, 1)));
        assert_eq!(w.observe(0, Seen::Here(c(0, 0, 0, 0))), Action::Delete);
        w.deleted(0, Ok(()), |_| unreachable!());
        assert_eq!(w.phases[0], Phase::Deleted);
        assert!(w.done());
        assert_eq!((w.status(), w.undo()), (DONE, vec![]));
        // Later readings of a finished server change nothing.
        assert_eq!(w.observe(0, Seen::ServerGone), Action::Nothing);
        assert_eq!(w.phases[0], Phase::Deleted);
    }

    #[test]
    fn keep_stops_at_weight_zero() {
        let mut w = Watch::new(&[c(0, 1, 0, 0)], true);
        assert_eq!(w.observe(0, Seen::Here(c(0, 0, 0, 0))), Action::Nothing);
        assert_eq!(w.phases[0], Phase::Kept);
        assert_eq!((w.status(), w.undo()), (DONE, vec![0]));
        assert_eq!(describe(&w.phases[0]), "drained, kept at weight 0");
    }

    #[test]
    fn someone_elses_changes_are_left_alone() {
        let mut w = Watch::new(
            &[c(0, 1, 0, 0), c(0, 1, 0, 0), c(0, 1, 0, 0), c(0, 1, 0, 0)],
            false,
        );
        w.observe(0, Seen::Here(c(5, 1, 0, 0)));
        w.observe(1, Seen::ServerGone);
        w.observe(2, Seen::ServiceGone);
        assert_eq!(w.observe(3, Seen::Here(c(0, 0, 0, 0))), Action::Delete);
        // Gone between the reading and the delete: someone else's doing.
        w.deleted(3, Err(libc::ENOENT), |_| unreachable!());
        assert_eq!(
            w.phases,
            [
                Phase::Reweighted(5),
                Phase::Removed(false),
                Phase::Removed(true),
                Phase::Removed(false)
            ]
        );
        assert!(w.done());
        assert_eq!((w.status(), w.undo()), (INTERFERED, vec![]));
        assert_eq!(
            describe(&w.phases[0]),
            "weight set to 5 by someone else; left alone"
        );
    }

    #[test]
    fn timeout_and_signals_keep_weight_zero() {
        let mut w = Watch::new(&[c(0, 3, 0, 0), c(0, 1, 0, 0)], false);
        assert_eq!(w.observe(1, Seen::Here(c(0, 0, 0, 0))), Action::Delete);
        w.deleted(1, Ok(()), |_| unreachable!());
        w.stop(Stop::Timeout);
        assert_eq!(w.phases[0], Phase::Stopped(Stop::Timeout, c(0, 3, 0, 0)));
        assert_eq!((w.status(), w.undo()), (TIMED_OUT, vec![0]));
        assert_eq!(
            describe(&w.phases[0]),
            "timed out, 3 left (3 active, 0 inactive, 0 templates); weight stays 0"
        );
        let mut w = Watch::new(&[c(0, 3, 0, 0)], false);
        w.stop(Stop::Signal(libc::SIGINT));
        assert_eq!((w.status(), w.undo()), (INTERRUPTED, vec![0]));
        let mut w = Watch::new(&[c(0, 3, 0, 0)], false);
        w.stop(Stop::Signal(libc::SIGTERM));
        assert_eq!(w.status(), TERMINATED);
    }

    #[test]
    fn failures() {
        let mut w = Watch::new(&[c(0, 0, 0, 0), c(0, 1, 0, 0), c(0, 1, 0, 0)], false);
        assert_eq!(w.observe(0, Seen::Here(c(0, 0, 0, 0))), Action::Delete);
        w.deleted(0, Err(libc::EPERM), |e| format!("errno {e}"));
        w.observe(1, Seen::ServerGone);
        w.fail_all("cannot read");
        assert_eq!(w.phases[2], Phase::Failed("cannot read".into()));
        assert_eq!((w.status(), w.undo()), (FAILED, vec![0, 2]));
        assert_eq!(describe(&w.phases[0]), "errno 1; weight stays 0");
    }

    #[test]
    fn elapsed_times() {
        assert_eq!(elapsed(Duration::from_millis(7900)), "7s");
        assert_eq!(elapsed(Duration::from_secs(125)), "2m05s");
        assert_eq!(elapsed(Duration::from_secs(3723)), "1h02m03s");
    }
}
