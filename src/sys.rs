//! The C library's name lookups, wrapped once for the whole program: the
//! reentrant `get*_r` functions (hosts, services, protocols), each with a
//! caller-supplied scratch buffer that [`with_buffer`] grows while the
//! call answers ERANGE, and `getnameinfo` for reverse host names. Used by
//! the ipvsadm grammar and listings and by `mark` (`crate::mark::names`),
//! so that all follow /etc/nsswitch.conf, /etc/hosts, DNS, /etc/services
//! and /etc/protocols exactly as ipvsadm and iptables do. No caller uses
//! the non-reentrant variants (their static result is not thread-safe).

use std::ffi::{c_char, c_int, c_void, CStr, CString};

use libc::{hostent, protoent, servent, size_t, socklen_t};

extern "C" {
    fn gethostbyname_r(
        name: *const c_char,
        ret: *mut hostent,
        buf: *mut c_char,
        buflen: size_t,
        result: *mut *mut hostent,
        h_errnop: *mut c_int,
    ) -> c_int;
    fn gethostbyaddr_r(
        addr: *const c_void,
        len: socklen_t,
        af: c_int,
        ret: *mut hostent,
        buf: *mut c_char,
        buflen: size_t,
        result: *mut *mut hostent,
        h_errnop: *mut c_int,
    ) -> c_int;
    fn getservbyname_r(
        name: *const c_char,
        proto: *const c_char,
        ret: *mut servent,
        buf: *mut c_char,
        buflen: size_t,
        result: *mut *mut servent,
    ) -> c_int;
    fn getservbyport_r(
        port: c_int,
        proto: *const c_char,
        ret: *mut servent,
        buf: *mut c_char,
        buflen: size_t,
        result: *mut *mut servent,
    ) -> c_int;
    fn getprotobyname_r(
        name: *const c_char,
        ret: *mut protoent,
        buf: *mut c_char,
        buflen: size_t,
        result: *mut *mut protoent,
    ) -> c_int;
    fn getprotobynumber_r(
        proto: c_int,
        ret: *mut protoent,
        buf: *mut c_char,
        buflen: size_t,
        result: *mut *mut protoent,
    ) -> c_int;
}

/// Largest scratch buffer tried for one lookup.
const MAX_BUF: usize = 1 << 20;

/// Run `call` with a zeroed scratch buffer of 1 KiB, then 4 KiB, … up to
/// 1 MiB while it returns ERANGE. `call` returns the C function's status
/// and, on success, what it read out of the buffer (copied: the buffer is
/// gone afterwards).
fn with_buffer<T>(mut call: impl FnMut(&mut [c_char]) -> (c_int, Option<T>)) -> Option<T> {
    let mut size = 1024usize;
    loop {
        let mut buf = vec![0 as c_char; size];
        match call(&mut buf) {
            (libc::ERANGE, _) if size < MAX_BUF => size *= 4,
            (0, found) => return found,
            _ => return None,
        }
    }
}

/// The C library's lookup entries: plain-old-data structs for which
/// all-zero bytes are a valid value.
trait CEntry {}
impl CEntry for hostent {}
impl CEntry for servent {}
impl CEntry for protoent {}

/// One `get*_r` lookup: `call` runs the C function with a zeroed entry
/// `E`, the scratch buffer and the result pointer, and returns its status;
/// on success `read` copies what is wanted out of the entry (whose
/// pointers lead into the buffer, alive only during the call).
fn lookup<E: CEntry, T>(
    call: impl Fn(*mut E, &mut [c_char], *mut *mut E) -> c_int,
    read: impl Fn(&E) -> Option<T>,
) -> Option<T> {
    with_buffer(|buf| {
        // SAFETY: E is a CEntry: all-zero is a valid value.
        let mut ent: E = unsafe { std::mem::zeroed() };
        let mut result: *mut E = std::ptr::null_mut();
        let rc = call(&mut ent, buf, &mut result);
        if rc != 0 || result.is_null() {
            return (rc, None);
        }
        (0, read(&ent))
    })
}

/// A copy of the C string at `p` (None for a null pointer).
///
/// # Safety
/// `p` is null or points to a NUL-terminated string.
unsafe fn c_bytes(p: *const c_char) -> Option<Vec<u8>> {
    // SAFETY: the caller's promise; checked non-null.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
}

/// The first IPv4 address of host `name` (`gethostbyname`), network order.
pub fn host_v4(name: &str) -> Option<[u8; 4]> {
    let cname = CString::new(name).ok()?;
    let call = |ent, buf: &mut [c_char], result| {
        let mut herr: c_int = 0;
        // SAFETY: cname is NUL-terminated; ent, result and herr are valid
        // for writing; buf has buf.len() bytes.
        unsafe {
            gethostbyname_r(
                cname.as_ptr(),
                ent,
                buf.as_mut_ptr(),
                buf.len(),
                result,
                &mut herr,
            )
        }
    };
    lookup(call, |he: &hostent| {
        if he.h_addrtype != libc::AF_INET || he.h_length != 4 || he.h_addr_list.is_null() {
            return None;
        }
        // SAFETY: h_addr_list is a NULL-terminated array of pointers to
        // h_length-byte addresses inside the buffer, which is alive here.
        unsafe {
            let first = *he.h_addr_list;
            (!first.is_null()).then(|| {
                let mut out = [0u8; 4];
                std::ptr::copy_nonoverlapping(first as *const u8, out.as_mut_ptr(), 4);
                out
            })
        }
    })
}

/// The port (host order) of service `name` for `proto` (`getservbyname`).
pub fn service_port(name: &str, proto: &str) -> Option<u16> {
    let cname = CString::new(name).ok()?;
    let cproto = CString::new(proto).ok()?;
    let call = |ent, buf: &mut [c_char], result| {
        // SAFETY: both strings are NUL-terminated; ent and result are valid
        // for writing; buf has buf.len() bytes.
        unsafe {
            getservbyname_r(
                cname.as_ptr(),
                cproto.as_ptr(),
                ent,
                buf.as_mut_ptr(),
                buf.len(),
                result,
            )
        }
    };
    // s_port holds the port in network byte order in an int.
    lookup(call, |se: &servent| Some(u16::from_be(se.s_port as u16)))
}

/// The `h_name` of `gethostbyaddr` for the first `len` bytes of `addr`
/// (4 for IPv4, 16 for IPv6) in family `af`.
pub fn host_name(af: c_int, addr: &[u8; 16], len: socklen_t) -> Option<Vec<u8>> {
    let len = len.min(16);
    let call = |ent, buf: &mut [c_char], result| {
        let mut herr: c_int = 0;
        // SAFETY: addr has 16 readable bytes (len ≤ 16); ent, result and
        // herr are valid for writing; buf has buf.len() bytes.
        unsafe {
            gethostbyaddr_r(
                addr.as_ptr().cast(),
                len,
                af,
                ent,
                buf.as_mut_ptr(),
                buf.len(),
                result,
                &mut herr,
            )
        }
    };
    // SAFETY: on success h_name is null or a NUL-terminated string in the buffer.
    lookup(call, |he: &hostent| unsafe { c_bytes(he.h_name) })
}

/// The `s_name` of `getservbyport` for `port` (host order) and `proto`.
pub fn service_name(port: u16, proto: &str) -> Option<Vec<u8>> {
    let proto = CString::new(proto).ok()?;
    let call = |ent, buf: &mut [c_char], result| {
        // SAFETY: proto is NUL-terminated; ent and result are valid for
        // writing; buf has buf.len() bytes. The port goes in network order.
        unsafe {
            getservbyport_r(
                c_int::from(port.to_be()),
                proto.as_ptr(),
                ent,
                buf.as_mut_ptr(),
                buf.len(),
                result,
            )
        }
    };
    // SAFETY: on success s_name is null or a NUL-terminated string in the buffer.
    lookup(call, |se: &servent| unsafe { c_bytes(se.s_name) })
}

/// The number of protocol `name` in /etc/protocols (`getprotobyname`).
pub fn protocol_number(name: &str) -> Option<c_int> {
    let cname = CString::new(name).ok()?;
    let call = |ent, buf: &mut [c_char], result| {
        // SAFETY: cname is NUL-terminated; ent and result are valid for
        // writing; buf has buf.len() bytes.
        unsafe { getprotobyname_r(cname.as_ptr(), ent, buf.as_mut_ptr(), buf.len(), result) }
    };
    lookup(call, |pe: &protoent| Some(pe.p_proto))
}

/// The name of protocol `num` in /etc/protocols (`getprotobynumber`).
pub fn protocol_name(num: c_int) -> Option<Vec<u8>> {
    let call = |ent, buf: &mut [c_char], result| {
        // SAFETY: ent and result are valid for writing; buf has buf.len()
        // bytes.
        unsafe { getprotobynumber_r(num, ent, buf.as_mut_ptr(), buf.len(), result) }
    };
    // SAFETY: on success p_name is null or a NUL-terminated string in the buffer.
    lookup(call, |pe: &protoent| unsafe { c_bytes(pe.p_name) })
}

/// The host name of an IPv4 (4 bytes) or IPv6 (16 bytes) address by
/// `getnameinfo` with `NI_NAMEREQD` (None when there is none, or for any
/// other length), as iptables' listings look names up.
pub fn reverse_name(addr: &[u8]) -> Option<Vec<u8>> {
    match addr.len() {
        4 => {
            // SAFETY: sockaddr_in is plain old data; all-zero is valid.
            let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sa.sin_family = libc::AF_INET as libc::sa_family_t;
            sa.sin_addr.s_addr = u32::from_ne_bytes(addr.try_into().ok()?);
            name_info(&sa)
        }
        16 => {
            // SAFETY: sockaddr_in6 is plain old data; all-zero is valid.
            let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sa.sin6_addr.s6_addr = addr.try_into().ok()?;
            name_info(&sa)
        }
        _ => None,
    }
}

/// `getnameinfo(NI_NAMEREQD)` on a `sockaddr_in` or `sockaddr_in6`.
fn name_info<T>(sa: &T) -> Option<Vec<u8>> {
    let mut host = [0 as c_char; libc::NI_MAXHOST as usize];
    // SAFETY: sa is a whole socket address of size_of::<T>() bytes; host
    // has host.len() bytes; no service buffer is asked for.
    let rc = unsafe {
        libc::getnameinfo(
            (sa as *const T).cast(),
            std::mem::size_of::<T>() as socklen_t,
            host.as_mut_ptr(),
            host.len() as socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: on success getnameinfo wrote a NUL-terminated name into host.
    unsafe { c_bytes(host.as_ptr()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_against_the_system_files() {
        assert_eq!(host_v4("localhost"), Some([127, 0, 0, 1]));
        assert_eq!(host_v4("a\0b"), None);
        assert_eq!(service_port("http", "tcp"), Some(80));
        assert_eq!(service_port("domain", "udp"), Some(53));
        assert_eq!(service_port("no-such-service-x", "tcp"), None);
        assert_eq!(service_name(80, "tcp").as_deref(), Some(&b"http"[..]));
        assert_eq!(service_name(1, "bogus"), None);
        let mut lo = [0u8; 16];
        lo[..4].copy_from_slice(&[127, 0, 0, 1]);
        assert!(host_name(libc::AF_INET, &lo, 4).is_some());
    }

    #[test]
    fn protocols_and_reverse_names() {
        assert_eq!(protocol_number("tcp"), Some(6));
        assert_eq!(protocol_number("udp"), Some(17));
        assert_eq!(protocol_number("no-such-proto"), None);
        assert_eq!(protocol_number("t\0cp"), None);
        assert_eq!(protocol_name(6).as_deref(), Some(&b"tcp"[..]));
        assert_eq!(protocol_name(-1), None);
        assert!(reverse_name(&[127, 0, 0, 1]).is_some());
        assert_eq!(reverse_name(&[1, 2, 3]), None);
    }

    #[test]
    fn a_small_buffer_is_grown() {
        let mut sizes = Vec::new();
        let r = with_buffer(|buf| {
            sizes.push(buf.len());
            if buf.len() < 16 * 1024 {
                (libc::ERANGE, None)
            } else {
                (0, Some(buf.len()))
            }
        });
        assert_eq!(r, Some(16 * 1024));
        assert_eq!(sizes, [1024, 4096, 16384]);
        let mut calls = 0;
        let r: Option<()> = with_buffer(|_| {
            calls += 1;
            (libc::ERANGE, None)
        });
        assert_eq!(r, None);
        assert_eq!(calls, 6, "1 KiB to 1 MiB, then give up");
    }
}
