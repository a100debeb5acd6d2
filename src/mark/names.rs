//! Name lookups iptables does through libc: /etc/protocols, /etc/services
//! and reverse host names for `-L` without `-n`.

use std::ffi::{CStr, CString};

fn cstr_owned(p: *const libc::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: libc returned a valid NUL-terminated string (checked non-null).
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// getprotobyname(3).
pub fn proto_number(name: &str) -> Option<u8> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is a valid C string; the result is read immediately.
    let p = unsafe { libc::getprotobyname(c.as_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null protoent from libc.
    u8::try_from(unsafe { (*p).p_proto }).ok()
}

/// getprotobynumber(3).
pub fn proto_name(num: u8) -> Option<String> {
    // SAFETY: plain libc lookup; the result is copied immediately.
    let p = unsafe { libc::getprotobynumber(num as libc::c_int) };
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null protoent from libc.
    cstr_owned(unsafe { (*p).p_name })
}

/// getservbyname(3) for `proto`, port in host order.
pub fn service_port(name: &str, proto: &str) -> Option<u16> {
    let n = CString::new(name).ok()?;
    let p = CString::new(proto).ok()?;
    // SAFETY: valid C strings; the result is read immediately.
    let s = unsafe { libc::getservbyname(n.as_ptr(), p.as_ptr()) };
    if s.is_null() {
        return None;
    }
    // SAFETY: non-null servent from libc.
    Some(u16::from_be(unsafe { (*s).s_port } as u16))
}

/// getservbyport(3) for `proto`.
pub fn service_name(port: u16, proto: &str) -> Option<String> {
    let p = CString::new(proto).ok()?;
    // SAFETY: valid C string; the result is copied immediately.
    let s = unsafe { libc::getservbyport(port.to_be() as libc::c_int, p.as_ptr()) };
    if s.is_null() {
        return None;
    }
    // SAFETY: non-null servent from libc.
    cstr_owned(unsafe { (*s).s_name })
}

/// Reverse lookup of an address (NI_NAMEREQD), as iptables' `-L` does.
pub fn host_name(addr: &[u8]) -> Option<String> {
    let mut host = [0 as libc::c_char; 1025];
    let rc = match addr.len() {
        4 => {
            // SAFETY: zeroed sockaddr_in is valid; fields set below.
            let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sa.sin_family = libc::AF_INET as libc::sa_family_t;
            sa.sin_addr.s_addr = u32::from_ne_bytes(addr.try_into().ok()?);
            // SAFETY: pointers and lengths describe valid buffers.
            unsafe {
                libc::getnameinfo(
                    &sa as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
        }
        16 => {
            // SAFETY: zeroed sockaddr_in6 is valid; fields set below.
            let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sa.sin6_addr.s6_addr = addr.try_into().ok()?;
            // SAFETY: pointers and lengths describe valid buffers.
            unsafe {
                libc::getnameinfo(
                    &sa as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
        }
        _ => return None,
    };
    if rc != 0 {
        return None;
    }
    cstr_owned(host.as_ptr())
}
