//! `ipvsadm mark …`: iptables-compatible mangle MARK rules over nf_tables
//! netlink, encoded exactly as iptables-nft 1.8.9 encodes them.
