//! `ipvsadm mark …`: iptables-compatible mangle MARK rules over nf_tables
//! netlink, encoded exactly as iptables-nft 1.8.9 encodes them.

/// Placeholder until the mark subcommand lands.
pub fn main(_argv0: &str, _args: &[String]) -> i32 {
    2
}
