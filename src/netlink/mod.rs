//! The one netlink layer under both protocols ipvsadm-rs speaks: IPVS
//! over generic netlink (`crate::kernel`, the IPVS codec) and nf_tables
//! over nfnetlink (`crate::nftables`, the nf_tables codec).
//!
//! - [`attr`]: attribute (TLV) walking that never panics on input, and a
//!   [`Writer`] whose lengths are checked: an attribute or message too
//!   long for its length field is [`TooLong`], never truncated;
//! - [`msg`]: `struct nlmsghdr`, the `NLM_F_*`/`NLMSG_*` constants,
//!   message begin/end in a buffer (for batches), splitting a receive
//!   buffer, the code of an `NLMSG_ERROR`;
//! - [`socket`]: the socket (neli's `NlSocket`) with one receive buffer
//!   sized once, EINTR/EAGAIN/ENOBUFS handling, sequence and ACK
//!   matching, multipart dumps and pipelined batches.
//!
//! Host-order fields are written and read native-endian; the codecs say
//! where a protocol wants big-endian.

pub mod attr;
pub mod msg;
pub mod socket;

pub use attr::{raw_attrs, RawAttr, Writer};
pub use msg::{split, Header, RawMsg};

/// Input (a reply, a fixture) that does not have the shape it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// An attribute or message too long for its length field (16 bits for
/// an attribute, 32 for a message): never written truncated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("netlink attribute or message too long")
    }
}

impl std::error::Error for TooLong {}
