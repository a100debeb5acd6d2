//! ipvsadm-rs: a drop-in replacement for ipvsadm 1.31.
//!
//! Layers, each in its own module:
//! - [`grammar`]: argv → typed command (pure)
//! - [`model`]: services, destinations, daemons, timeouts
//! - [`kernel`]: IPVS generic-netlink requests, codec and error texts (pure)
//! - [`transport`]: the netlink socket to the live kernel
//! - [`output`]: listing and save formats (pure, over `io::Write`)
//! - [`session`]: what one process carries from command to command
//! - [`exec`] / [`restore`]: run commands, read `-R` input
//! - [`error`]: the one error type (stderr text + exit status)
//! - [`cli`]: argv of the extension subcommands (`apply`, `director`, …)
//! - [`mark`]: the `ipvsadm mark` subcommand (nf_tables)

pub mod apply;
pub mod cli;
pub mod error;
pub mod exec;
pub mod grammar;
pub mod hostsetup;
pub mod kernel;
pub mod mark;
pub mod model;
pub mod netns;
pub mod output;
pub mod restore;
pub mod session;
pub mod sys;
#[doc(hidden)]
pub mod testkit;
pub mod transport;
