//! Everything ipvsadm prints on stdout for listings: the banner, title
//! lines, service and destination rows in each view, the save (`-S`)
//! format, number scaling, sorting, name rendering, connections,
//! timeouts and daemons. Writes into any `io::Write`; no kernel I/O of
//! its own beyond what callers pass in.

pub mod json;

// Placeholder interface until the listing code lands.
use std::io::Write;

use crate::grammar::ListOpts;
use crate::kernel::errors::Op;
use crate::kernel::{Errno, Ipvs};
use crate::model::Service;

/// Why a listing failed, and what the caller prints.
#[derive(Debug)]
pub enum ListError {
    /// A kernel error: print its text (for `op`, else the current marker), rc 1.
    Kernel { op: Option<Op>, errno: Errno },
    /// Exit with this status, printing nothing.
    Silent(i32),
    /// Print this message, exit with this status.
    Message(String, i32),
    /// Writing the output failed.
    Io(std::io::Error),
}

pub fn list<W: Write + ?Sized>(
    _w: &mut W,
    _k: &mut dyn Ipvs,
    _svc: Option<&Service>,
    _opts: &ListOpts,
) -> Result<(), ListError> {
    Err(ListError::Silent(1))
}

pub fn save<W: Write + ?Sized>(
    _w: &mut W,
    _k: &mut dyn Ipvs,
    _numeric: bool,
) -> Result<(), ListError> {
    Err(ListError::Silent(1))
}
