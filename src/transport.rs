//! The live kernel: one generic-netlink socket (neli) to the `IPVS`
//! family, resolved once, with module loading (`modprobe -- ip_vs`) when
//! the family is missing. Implements [`crate::kernel::Ipvs`].

use crate::kernel::mem::MemIpvs;
use crate::kernel::Errno;

/// Placeholder until the netlink transport lands.
pub type GenlIpvs = MemIpvs;

/// Open the kernel interface (placeholder).
pub fn connect() -> Result<GenlIpvs, Errno> {
    Err(libc::ENOPROTOOPT)
}
