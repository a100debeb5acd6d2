//! Name lookups the grammar needs, done as ipvsadm does them: host names
//! through glibc's IPv4-only `gethostbyname` (first address), service
//! names through `getservbyname` with protocol `tcp`/`udp`/`sctp`.
//!
//! The [`Resolver`] trait lets unit tests substitute a fixed table; the
//! [`SystemResolver`] calls the reentrant glibc variants (`crate::sys`) so
//! that parallel tests are safe. Numeric forms are handled by the caller (see
//! `addr.rs`) before any lookup, as ipvsadm does.

/// Host and service name lookups.
pub trait Resolver {
    /// The first IPv4 address of `name` (network byte order), or `None`.
    fn host_v4(&self, name: &str) -> Option<[u8; 4]>;
    /// The port of service `name` for protocol `proto` ("tcp", "udp",
    /// "sctp"), host byte order, or `None`.
    fn service_port(&self, name: &str, proto: &str) -> Option<u16>;
}

/// The C library's resolver (`/etc/hosts`, DNS, `/etc/services` per NSS).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn host_v4(&self, name: &str) -> Option<[u8; 4]> {
        crate::sys::host_v4(name)
    }

    fn service_port(&self, name: &str, proto: &str) -> Option<u16> {
        crate::sys::service_port(name, proto)
    }
}

/// A fixed table, for tests.
#[derive(Debug, Clone, Default)]
pub struct FixedResolver {
    pub hosts: Vec<(String, [u8; 4])>,
    pub services: Vec<(String, String, u16)>,
}

impl Resolver for FixedResolver {
    fn host_v4(&self, name: &str) -> Option<[u8; 4]> {
        self.hosts.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
    }
    fn service_port(&self, name: &str, proto: &str) -> Option<u16> {
        self.services
            .iter()
            .find(|(n, p, _)| n == name && p == proto)
            .map(|(_, _, port)| *port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_lookups() {
        let r = SystemResolver;
        assert_eq!(r.host_v4("localhost"), Some([127, 0, 0, 1]));
        assert_eq!(r.service_port("http", "tcp"), Some(80));
        assert_eq!(r.service_port("domain", "udp"), Some(53));
        assert_eq!(r.service_port("no-such-service-x", "tcp"), None);
        assert_eq!(r.service_port("http", "bogus"), None);
        assert_eq!(r.host_v4("a\0b"), None);
    }
}
