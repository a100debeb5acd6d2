//! ipvsadm-rs: a drop-in replacement for ipvsadm 1.31.
//!
//! Layers, each in its own module:
//! - [`grammar`]: argv → typed command (pure)
//! - [`model`]: services, destinations, daemons, timeouts, their identity
//! - [`inet`]: address text and masks with glibc's rules (pure)
//! - [`netlink`]: netlink framing, attributes and the socket (one layer for both protocols)
//! - [`kernel`]: the IPVS codec: requests, replies and error texts (pure)
//! - [`nftables`]: the nf_tables codec: messages, attribute spaces, expressions (pure)
//! - [`transport`]: the netlink socket to the live kernel
//! - [`output`]: listing and save formats (pure, over `io::Write`)
//! - [`session`]: what one process carries from command to command
//! - [`exec`] / [`restore`]: run commands, read `-R` input
//! - [`error`]: the one error type (stderr text + exit status)
//! - [`cli`]: argv of the extension subcommands (`apply`, `director`, …)
//! - [`mark`]: the `ipvsadm mark` subcommand (nf_tables)
//! - [`metrics`]: the `ipvsadm metrics` subcommand (Prometheus text format)
//! - [`sysctl`]: the `ipvsadm sysctl` subcommand (net.ipv4.vs.* settings)
//! - [`drain`]: the `ipvsadm drain` subcommand (take real servers out gently)
//! - [`top`]: the `ipvsadm top` subcommand (live traffic per service and server)

pub mod apply;
pub mod cli;
pub mod drain;
pub mod error;
pub mod exec;
pub mod grammar;
pub mod hostsetup;
pub mod inet;
pub mod kernel;
pub mod mark;
pub mod metrics;
pub mod model;
pub mod netlink;
pub mod netns;
pub mod nftables;
pub mod output;
pub mod restore;
pub mod session;
pub mod sys;
pub mod sysctl;
#[cfg(test)]
mod testkit;
pub mod top;
pub mod transport;

/// The test helpers' own test (here rather than in `testkit.rs`, which the
/// integration tests include too: it runs once).
#[cfg(test)]
mod tests {
    use crate::testkit::Rng;

    #[test]
    fn deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next(), b.next());
            assert!(a.below(10) < 10);
            b.next();
        }
        assert_eq!(Rng::new(0).below(0), 0);
    }
}
