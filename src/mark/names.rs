//! Name lookups iptables does through libc: /etc/protocols, /etc/services
//! and reverse host names for `-L` without `-n`. Thin, text-typed faces of
//! the program's one set of C-library lookups in `crate::sys` (reentrant).

use crate::sys;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

/// getprotobyname(3).
pub fn proto_number(name: &str) -> Option<u8> {
    u8::try_from(sys::protocol_number(name)?).ok()
}

/// getprotobynumber(3).
pub fn proto_name(num: u8) -> Option<String> {
    sys::protocol_name(libc::c_int::from(num)).map(text)
}

/// getservbyname(3) for `proto`, port in host order.
pub fn service_port(name: &str, proto: &str) -> Option<u16> {
    sys::service_port(name, proto)
}

/// getservbyport(3) for `proto`.
pub fn service_name(port: u16, proto: &str) -> Option<String> {
    sys::service_name(port, proto).map(text)
}

/// Reverse lookup of an address (NI_NAMEREQD), as iptables' `-L` does.
pub fn host_name(addr: &[u8]) -> Option<String> {
    sys::reverse_name(addr).map(text)
}
