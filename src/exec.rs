//! Runs a parsed [`crate::grammar::Command`] against an [`crate::kernel::Ipvs`]
//! and returns the exit status, writing what ipvsadm writes.
