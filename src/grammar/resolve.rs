//! Name lookups the grammar needs, done as ipvsadm does them: host names
//! through glibc's IPv4-only `gethostbyname` (first address), service
//! names through `getservbyname` with protocol `tcp`/`udp`/`sctp`.
//!
//! The [`Resolver`] trait lets unit tests substitute a fixed table; the
//! [`SystemResolver`] calls the reentrant glibc variants so that parallel
//! tests are safe. Numeric forms are handled by the caller (see
//! `addr.rs`) before any lookup, as ipvsadm does.

use std::ffi::{c_char, c_int, CString};

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

extern "C" {
    fn gethostbyname_r(
        name: *const c_char,
        ret: *mut libc::hostent,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::hostent,
        h_errnop: *mut c_int,
    ) -> c_int;
    fn getservbyname_r(
        name: *const c_char,
        proto: *const c_char,
        result_buf: *mut libc::servent,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::servent,
    ) -> c_int;
}

const MAX_BUF: usize = 1 << 20;

impl Resolver for SystemResolver {
    fn host_v4(&self, name: &str) -> Option<[u8; 4]> {
        let cname = CString::new(name).ok()?;
        let mut size = 1024usize;
        loop {
            let mut buf = vec![0 as c_char; size];
            // SAFETY: hostent is plain old data; zeroed is a valid value.
            let mut he: libc::hostent = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::hostent = std::ptr::null_mut();
            let mut herr: c_int = 0;
            // SAFETY: all pointers are valid for the duration of the call;
            // buf has `size` bytes.
            let rc = unsafe {
                gethostbyname_r(
                    cname.as_ptr(),
                    &mut he,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                    &mut herr,
                )
            };
            if rc == libc::ERANGE && size < MAX_BUF {
                size *= 2;
                continue;
            }
            if rc != 0 || result.is_null() {
                return None;
            }
            if he.h_addrtype != libc::AF_INET || he.h_length != 4 || he.h_addr_list.is_null() {
                return None;
            }
            // SAFETY: h_addr_list is a NULL-terminated array of pointers to
            // h_length-byte addresses inside buf, which is still alive.
            unsafe {
                let first = *he.h_addr_list;
                if first.is_null() {
                    return None;
                }
                let mut out = [0u8; 4];
                std::ptr::copy_nonoverlapping(first as *const u8, out.as_mut_ptr(), 4);
                return Some(out);
            }
        }
    }

    fn service_port(&self, name: &str, proto: &str) -> Option<u16> {
        let cname = CString::new(name).ok()?;
        let cproto = CString::new(proto).ok()?;
        let mut size = 1024usize;
        loop {
            let mut buf = vec![0 as c_char; size];
            // SAFETY: servent is plain old data; zeroed is a valid value.
            let mut se: libc::servent = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::servent = std::ptr::null_mut();
            // SAFETY: all pointers are valid for the duration of the call.
            let rc = unsafe {
                getservbyname_r(
                    cname.as_ptr(),
                    cproto.as_ptr(),
                    &mut se,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                )
            };
            if rc == libc::ERANGE && size < MAX_BUF {
                size *= 2;
                continue;
            }
            if rc != 0 || result.is_null() {
                return None;
            }
            // s_port holds the port in network byte order in an int.
            return Some(u16::from_be(se.s_port as u16));
        }
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
