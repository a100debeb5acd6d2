//! The nf_tables rule expressions `ipvsadm mark` builds and reads. The
//! codec lives in [`crate::nftables::expr`]; this path stays for the rest
//! of `mark`.

pub use crate::nftables::expr::*;
