//! ipvsadm-rs: a drop-in replacement for ipvsadm 1.31.
//!
//! Layers, each in its own module:
//! - [`grammar`]: argv → typed command (pure)
//! - [`model`]: services, destinations, daemons, timeouts
//! - [`netlink`]: netlink framing, attributes and the socket (one layer for both protocols)
//! - [`kernel`]: the IPVS codec: requests, replies and error texts (pure)
//! - [`nftables`]: the nf_tables codec: messages, attribute spaces, expressions (pure)
//! - [`transport`]: the netlink socket to the live kernel
//! - [`output`]: listing and save formats (pure, over `io::Write`)
//! - [`exec`] / [`restore`]: run commands, read `-R` input
//! - [`mark`]: the `ipvsadm mark` subcommand (nf_tables)

pub mod apply;
pub mod exec;
pub mod grammar;
pub mod hostsetup;
pub mod kernel;
pub mod mark;
pub mod model;
pub mod netlink;
pub mod netns;
pub mod nftables;
pub mod output;
pub mod restore;
pub mod sys;
#[doc(hidden)]
pub mod testkit;
pub mod transport;
