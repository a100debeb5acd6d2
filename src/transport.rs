//! The live kernel: one generic-netlink socket (neli) to the `IPVS`
//! family, resolved once, with module loading (`modprobe -- ip_vs`) when
//! the family is missing. Implements [`crate::kernel::Ipvs`].
