//! The state one process carries from command to command: the program
//! name, the error-text operation marker (ipvsadm carries it from one
//! `-R` line to the next) and the output streams. Commands take a
//! [`Session`]; they write listings on `out` and, for work that carries on
//! after a failure (`-R`, `apply`), the failure's message on `err` as it
//! happens.

use std::io::Write;

use crate::error::{self, Error};
use crate::kernel::errors::{error_text, Op};
use crate::kernel::{Errno, Request};
use crate::output::ListError;

/// State kept across the commands of one process.
pub struct Session<'a> {
    pub argv0: String,
    /// The error-text marker (see [`crate::kernel::errors`]).
    pub op: Op,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl Session<'_> {
    /// A kernel failure under the current marker, with ipvsadm's text.
    pub fn kernel_error(&self, errno: Errno, code: i32) -> Error {
        Error::line(error_text(self.op, errno), code)
    }

    /// Note that `req` is about to run (sets the error-text marker).
    pub fn begin(&mut self, req: &Request) {
        if let Some(op) = req.op() {
            self.op = op;
        }
    }

    /// The outcome of one change (a failure is status 255).
    pub fn finish(&self, res: Result<(), Errno>) -> Result<(), Error> {
        res.map_err(|e| self.kernel_error(e, error::KERNEL_FAILED))
    }

    /// The outcome of a listing.
    pub fn listed(&mut self, res: Result<(), ListError>) -> Result<(), Error> {
        match res {
            Ok(()) => Ok(()),
            Err(ListError::Kernel { op, errno }) => {
                if let Some(op) = op {
                    self.op = op;
                }
                Err(self.kernel_error(errno, error::LIST_FAILED))
            }
            Err(ListError::Silent(rc)) => Err(Error::status(rc)),
            Err(ListError::Message(m, rc)) => Err(Error::line(m, rc)),
            // A closed or failing stdout: ipvsadm ignores write errors.
            Err(ListError::Io(_)) => Ok(()),
        }
    }

    /// Write a failure now (for runs that carry on after it); returns its
    /// exit status.
    pub fn report(&mut self, res: Result<(), Error>) -> i32 {
        error::report(res, self.err)
    }
}

/// Open the kernel's IPVS interface, with ipvsadm's message when that
/// fails.
pub fn connect() -> Result<crate::transport::GenlIpvs, Error> {
    crate::transport::connect().map_err(|errno| {
        Error::usage(format!(
            "Can't initialize ipvs: {}\nAre you sure that IP Virtual Server is built in the kernel or as module?",
            error_text(Op::Init, errno)
        ))
    })
}
