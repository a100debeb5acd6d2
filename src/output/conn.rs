//! `-L -c`: the connection table, read from `/proc/net/ip_vs_conn` (not
//! netlink), exactly as ipvsadm 1.31 reads and prints it.
//!
//! The file is read in 255-byte `fgets` chunks (a longer line is split
//! into several "lines"), the first chunk is the header and is skipped,
//! and each further chunk is scanned like ipvsadm's
//! `sscanf("%s %s %hX %s %hX %s %hX %s %d %s %s")`. A chunk with no field
//! at all stops the listing with status 1 and no message.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use super::names::{host_port, Names};
use super::ListError;
use crate::error::LIST_FAILED;
use crate::inet::{pton4, pton6};
use crate::model::{RawAddr, AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};

/// The file ipvsadm reads.
pub const CONN_PROC_FILE: &str = "/proc/net/ip_vs_conn";

/// `fgets` with a 256-byte buffer: up to 255 bytes, ending after `\n`.
pub(crate) fn chunks(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let limit = rest.len().min(255);
        let head = rest.get(..limit).unwrap_or(rest);
        let end = match head.iter().position(|&c| c == b'\n') {
            Some(p) => p + 1,
            None => limit,
        };
        let (line, tail) = rest.split_at(end.min(rest.len()));
        out.push(line);
        rest = tail;
    }
    out
}

/// C `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A cursor emulating glibc `sscanf` conversions on a C string.
struct Scan<'a> {
    s: &'a [u8],
    pos: usize,
}

/// Outcome of one conversion.
enum Conv<T> {
    Ok(T),
    /// Input ended before the conversion (EOF if nothing converted yet).
    Eof,
    /// The input did not match.
    Mismatch,
}

impl<'a> Scan<'a> {
    fn new(s: &'a [u8]) -> Scan<'a> {
        // sscanf sees the string up to its first NUL.
        let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
        Scan {
            s: s.get(..end).unwrap_or(s),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// `%s`
    fn word(&mut self) -> Conv<&'a [u8]> {
        self.skip_ws();
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_space(c)) {
            self.pos += 1;
        }
        match self.s.get(start..self.pos) {
            Some(w) if !w.is_empty() => Conv::Ok(w),
            _ => Conv::Eof,
        }
    }

    /// The text of an integer conversion in `base` (sign, `0x` prefix for
    /// base 16, digits), as glibc's scanf collects it, then converted
    /// with `strtoul`/`strtol` semantics. Returns (negative, magnitude,
    /// overflowed).
    fn integer(&mut self, base: u32) -> Conv<(bool, u64, bool)> {
        self.skip_ws();
        if self.peek().is_none() {
            return Conv::Eof;
        }
        let mut neg = false;
        if let Some(c @ (b'+' | b'-')) = self.peek() {
            neg = c == b'-';
            self.pos += 1;
        }
        let mut digits = 0usize;
        let mut val: u64 = 0;
        let mut over = false;
        if base == 16 && self.peek() == Some(b'0') {
            self.pos += 1;
            digits += 1;
            if matches!(self.peek(), Some(b'x' | b'X')) {
                self.pos += 1;
            }
        }
        while let Some(d) = self.peek().and_then(|c| (c as char).to_digit(base)) {
            self.pos += 1;
            digits += 1;
            match val
                .checked_mul(u64::from(base))
                .and_then(|v| v.checked_add(u64::from(d)))
            {
                Some(v) => val = v,
                None => over = true,
            }
        }
        if digits == 0 {
            return Conv::Mismatch;
        }
        Conv::Ok((neg, val, over))
    }

    /// `%hX`: strtoul, then truncated to 16 bits.
    fn hex_u16(&mut self) -> Conv<u16> {
        match self.integer(16) {
            Conv::Ok((neg, v, over)) => {
                let v = if over {
                    u64::MAX
                } else if neg {
                    v.wrapping_neg()
                } else {
                    v
                };
                Conv::Ok(v as u16)
            }
            Conv::Eof => Conv::Eof,
            Conv::Mismatch => Conv::Mismatch,
        }
    }

    /// `%d`: strtol (saturating at the 64-bit limits), then truncated.
    fn dec_i32(&mut self) -> Conv<i32> {
        match self.integer(10) {
            Conv::Ok((neg, v, over)) => {
                let v: i64 = if neg {
                    if over || v > 1u64 << 63 {
                        i64::MIN
                    } else {
                        (v as i64).wrapping_neg()
                    }
                } else if over || v > i64::MAX as u64 {
                    i64::MAX
                } else {
                    v as i64
                };
                Conv::Ok(v as i32)
            }
            Conv::Eof => Conv::Eof,
            Conv::Mismatch => Conv::Mismatch,
        }
    }
}

/// The fields of one connection line; `count` is sscanf's result.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ConnFields {
    pub count: i32,
    pub protocol: Vec<u8>,
    pub caddr: Vec<u8>,
    pub cport: u16,
    pub vaddr: Vec<u8>,
    pub vport: u16,
    pub daddr: Vec<u8>,
    pub dport: u16,
    pub state: Vec<u8>,
    pub expires: i32,
    pub pe_name: Vec<u8>,
    pub pe_data: Vec<u8>,
}

/// Scan one chunk; `count` is -1 when it holds no field at all.
pub fn scan_line(line: &[u8]) -> ConnFields {
    let mut f = ConnFields::default();
    let mut sc = Scan::new(line);
    let mut n = 0i32;
    // Each step either stores a field or ends the scan.
    macro_rules! step {
        ($conv:expr, $slot:expr) => {
            match $conv {
                Conv::Ok(v) => {
                    $slot = v.into();
                    n += 1;
                }
                Conv::Eof => {
                    f.count = if n == 0 { -1 } else { n };
                    return f;
                }
                Conv::Mismatch => {
                    f.count = n;
                    return f;
                }
            }
        };
    }
    step!(sc.word(), f.protocol);
    step!(sc.word(), f.caddr);
    step!(sc.hex_u16(), f.cport);
    step!(sc.word(), f.vaddr);
    step!(sc.hex_u16(), f.vport);
    step!(sc.word(), f.daddr);
    step!(sc.hex_u16(), f.dport);
    step!(sc.word(), f.state);
    step!(sc.dec_i32(), f.expires);
    step!(sc.word(), f.pe_name);
    step!(sc.word(), f.pe_data);
    f.count = n;
    f
}

/// `strtoul(s, NULL, 16)` truncated to 32 bits, as ipvsadm turns the
/// kernel's hex address into an IPv4 address (network order bytes).
fn hex_addr(s: &[u8]) -> [u8; 4] {
    let mut sc = Scan::new(s);
    let v = match sc.integer(16) {
        Conv::Ok((neg, v, over)) => {
            if over {
                u64::MAX
            } else if neg {
                v.wrapping_neg()
            } else {
                v
            }
        }
        _ => 0,
    };
    (v as u32).to_be_bytes()
}

fn raw4(b: [u8; 4]) -> RawAddr {
    let mut r = [0u8; 16];
    r[..4].copy_from_slice(&b);
    r
}

/// The client/virtual family and addresses, decided by the client field.
pub(crate) fn client_virtual(c: &[u8], v: &[u8]) -> (u16, RawAddr, RawAddr) {
    if let Some(ca) = pton6(c) {
        (AF_INET6, ca, pton6(v).unwrap_or([0; 16]))
    } else if let Some(ca) = pton4(c) {
        (AF_INET, raw4(ca), pton4(v).map(raw4).unwrap_or([0; 16]))
    } else {
        (AF_INET, raw4(hex_addr(c)), raw4(hex_addr(v)))
    }
}

pub(crate) fn dest_addr(d: &[u8]) -> (u16, RawAddr) {
    if let Some(a) = pton6(d) {
        (AF_INET6, a)
    } else if let Some(a) = pton4(d) {
        (AF_INET, raw4(a))
    } else {
        (AF_INET, raw4(hex_addr(d)))
    }
}

fn pad(out: &mut Vec<u8>, s: &[u8], w: usize) {
    super::format::pad_right(out, s, w);
    out.push(b' ');
}

/// One output row for a scanned line (with `\n`), or `None` when the line
/// had no field (ipvsadm exits 1 silently).
pub fn conn_row(
    line: &[u8],
    persistent: bool,
    numeric: bool,
    names: &dyn Names,
) -> Option<Vec<u8>> {
    let f = scan_line(line);
    if f.count == -1 {
        return None;
    }
    let proto = match f.protocol.as_slice() {
        b"TCP" => IPPROTO_TCP,
        b"UDP" => IPPROTO_UDP,
        b"SCTP" => IPPROTO_SCTP,
        _ => 0,
    };
    let (af, ca, va) = client_virtual(&f.caddr, &f.vaddr);
    let (daf, da) = dest_addr(&f.daddr);
    let cname = host_port(af, &ca, f.cport, proto, numeric, names);
    let vname = host_port(af, &va, f.vport, proto, numeric, names);
    let dname = host_port(daf, &da, f.dport, proto, numeric, names);
    let e = f.expires as u32;
    let expire = format!("{:02}:{:02}", e / 60, e % 60);
    let mut out = Vec::with_capacity(128);
    pad(&mut out, &f.protocol, 3);
    pad(&mut out, expire.as_bytes(), 6);
    pad(&mut out, &f.state, 11);
    pad(&mut out, &cname, 18);
    pad(&mut out, &vname, 18);
    if persistent && f.count == 11 {
        pad(&mut out, &dname, 16);
        pad(&mut out, &f.pe_name, 18);
        out.extend_from_slice(&f.pe_data);
    } else {
        out.extend_from_slice(&dname);
    }
    out.push(b'\n');
    Some(out)
}

/// `fgets` over a reader, one 255-byte-or-line chunk at a time (what
/// [`chunks`] does to a whole buffer), so the listing streams: only a
/// window of the file is ever held. A read error ends the input where it
/// happened (ipvsadm's `fgets` loop would stop seeing lines there).
pub(crate) struct Fgets<R> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

/// Bytes asked of the file per `read`.
const READ_SIZE: usize = 64 << 10;

impl<R: Read> Fgets<R> {
    pub(crate) fn new(r: R) -> Fgets<R> {
        Fgets {
            r,
            buf: Vec::with_capacity(READ_SIZE + 256),
            pos: 0,
            eof: false,
        }
    }

    /// The next chunk, or `None` at the end of the input.
    pub(crate) fn next_chunk(&mut self) -> Option<&[u8]> {
        let end = loop {
            let avail = self.buf.get(self.pos..).unwrap_or(&[]);
            let limit = avail.len().min(255);
            let head = avail.get(..limit).unwrap_or(&[]);
            if let Some(p) = head.iter().position(|&c| c == b'\n') {
                break p + 1;
            }
            if limit == 255 || self.eof {
                break limit;
            }
            self.refill();
        };
        if end == 0 {
            return None;
        }
        let start = self.pos;
        self.pos += end;
        self.buf.get(start..start + end)
    }

    /// Drop what was consumed and read more (at the end, or after an
    /// error, mark the input finished).
    fn refill(&mut self) {
        self.buf.drain(..self.pos.min(self.buf.len()));
        self.pos = 0;
        let have = self.buf.len();
        self.buf.resize(have + READ_SIZE, 0);
        let got = loop {
            match self.r.read(self.buf.get_mut(have..).unwrap_or(&mut [])) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(n) => break n,
                Err(_) => break 0,
            }
        };
        self.buf.truncate(have + got);
        if got == 0 {
            self.eof = true;
        }
    }
}

/// Remembers a listing's name lookups: the same virtual and real server
/// addresses and ports come back on every row, and each lookup costs a
/// resolver round (files, DNS). Kept small: cleared when full, so memory
/// stays flat however many distinct clients the table holds.
struct CachedNames<'a> {
    names: &'a dyn Names,
    hosts: RefCell<NameMap<(u16, RawAddr)>>,
    services: RefCell<NameMap<(u16, &'static str)>>,
}

/// Lookups remembered: key → the name found (or that none was).
type NameMap<K> = HashMap<K, Option<Vec<u8>>>;

/// Entries a [`CachedNames`] map holds before it starts over.
const NAME_CACHE_MAX: usize = 4096;

fn remember<K: std::hash::Hash + Eq, V: Clone>(
    map: &RefCell<HashMap<K, V>>,
    key: K,
    look: impl FnOnce() -> V,
) -> V {
    if let Some(v) = map.borrow().get(&key) {
        return v.clone();
    }
    let v = look();
    let mut m = map.borrow_mut();
    if m.len() >= NAME_CACHE_MAX {
        m.clear();
    }
    m.insert(key, v.clone());
    v
}

impl Names for CachedNames<'_> {
    fn host(&self, af: u16, addr: &RawAddr) -> Option<Vec<u8>> {
        remember(&self.hosts, (af, *addr), || self.names.host(af, addr))
    }

    fn service(&self, port: u16, proto: &str) -> Option<Vec<u8>> {
        let key = match proto {
            "tcp" => "tcp",
            "udp" => "udp",
            "sctp" => "sctp",
            _ => return self.names.service(port, proto),
        };
        remember(&self.services, (port, key), || {
            self.names.service(port, proto)
        })
    }
}

/// The whole `-c` listing from the file at `path`, streamed: each chunk
/// is printed as it is read.
pub fn list_conn<W: Write + ?Sized>(
    w: &mut W,
    path: &Path,
    persistent: bool,
    numeric: bool,
    names: &dyn Names,
) -> Result<(), ListError> {
    let shown = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => {
            return Err(ListError::Message(
                format!("cannot open file {shown}"),
                LIST_FAILED,
            ))
        }
    };
    let mut lines = Fgets::new(file);
    if lines.next_chunk().is_none() {
        return Err(ListError::Message(
            format!("unexpected input from {shown}"),
            LIST_FAILED,
        ));
    }
    w.write_all(b"IPVS connection entries\n")?;
    if persistent {
        w.write_all(b"pro expire state       source             virtual            destination        pe name          pe_data\n")?;
    } else {
        w.write_all(b"pro expire state       source             virtual            destination\n")?;
    }
    let cached = CachedNames {
        names,
        hosts: RefCell::default(),
        services: RefCell::default(),
    };
    while let Some(line) = lines.next_chunk() {
        match conn_row(line, persistent, numeric, &cached) {
            Some(row) => w.write_all(&row)?,
            None => return Err(ListError::Silent(1)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::names::{MapNames, NoNames};

    fn row(line: &str, persistent: bool, numeric: bool) -> String {
        let r = conn_row(line.as_bytes(), persistent, numeric, &MapNames::debian()).unwrap();
        String::from_utf8(r).unwrap()
    }

    #[test]
    fn kernel_ipv4_rows() {
        assert_eq!(
            row(
                "TCP 0A000064 D431 0A000001 0050 C0A80101 1F90 ESTABLISHED     899\n",
                false,
                true
            ),
            "TCP 14:59  ESTABLISHED 10.0.0.100:54321   10.0.0.1:80        192.168.1.1:8080\n"
        );
        assert_eq!(
            row(
                "UDP 0A000065 0035 0A000002 0035 C0A80301 14E9 UDP             299\n",
                false,
                true
            ),
            "UDP 04:59  UDP         10.0.0.101:53      10.0.0.2:53        192.168.3.1:5353\n"
        );
        assert_eq!(
            row(
                "UDP 0A000066 13C4 0A000003 13C4 C0A80401 13C4 NONE           3599\n",
                false,
                true
            ),
            "UDP 59:59  NONE        10.0.0.102:5060    10.0.0.3:5060      192.168.4.1:5060\n"
        );
    }

    /// Lines captured from the guest kernel's /proc/net/ip_vs_conn and the
    /// rows Debian's ipvsadm printed for them.
    #[test]
    fn real_kernel_lines() {
        let v4 = "TCP 0A000001 96FC 0A000001 0050 7F000001 1F90 CLOSE             8\n";
        let v6 = "TCP 2001:0db8:0000:0000:0000:0000:0000:0001 E7DA 2001:0db8:0000:0000:0000:0000:0000:0001 0050 0000:0000:0000:0000:0000:0000:0000:0001 1F90 CLOSE             9\n";
        assert_eq!(
            row(v4, false, true),
            "TCP 00:08  CLOSE       10.0.0.1:38652     10.0.0.1:80        127.0.0.1:8080\n"
        );
        assert_eq!(
            row(v6, false, true),
            "TCP 00:09  CLOSE       [2001:db8::1]:59354 [2001:db8::1]:80   [::1]:8080\n"
        );
        // --persistent-conn without PE fields: the plain row
        assert_eq!(
            row(v4, true, true),
            "TCP 00:08  CLOSE       10.0.0.1:38652     10.0.0.1:80        127.0.0.1:8080\n"
        );
        let names = MapNames {
            hosts: vec![("127.0.0.1".parse().unwrap(), "localhost")],
            services: MapNames::debian().services,
        };
        let named = |l: &str| {
            String::from_utf8(conn_row(l.as_bytes(), false, false, &names).unwrap()).unwrap()
        };
        assert_eq!(
            named(v4),
            "TCP 00:08  CLOSE       10.0.0.1:38652     10.0.0.1:http      localhost:http-alt\n"
        );
        assert_eq!(
            named(v6),
            "TCP 00:09  CLOSE       [2001:db8::1]:59354 [2001:db8::1]:http [::1]:http-alt\n"
        );
    }

    /// Persistence templates and a SIP persistence-engine entry, captured
    /// from the guest kernel, with the rows Debian's ipvsadm printed.
    #[test]
    fn real_kernel_templates_and_pe() {
        let tpl = "TCP 0A000001 0000 0A000001 0050 7F000001 1F90 ASSURED          23\n";
        let sip = "UDP 0A000001 0000 0A000001 13C4 7F000001 13C4 NONE             57 sip a84b4c76e66710@pc33.example.com\n";
        assert_eq!(
            row(tpl, true, true),
            "TCP 00:23  ASSURED     10.0.0.1:0         10.0.0.1:80        127.0.0.1:8080\n"
        );
        assert_eq!(
            row(sip, true, true),
            "UDP 00:57  NONE        10.0.0.1:0         10.0.0.1:5060      127.0.0.1:5060   sip                a84b4c76e66710@pc33.example.com\n"
        );
        assert_eq!(
            row(sip, false, true),
            "UDP 00:57  NONE        10.0.0.1:0         10.0.0.1:5060      127.0.0.1:5060\n"
        );
        let names = MapNames {
            hosts: vec![("127.0.0.1".parse().unwrap(), "localhost")],
            services: MapNames::debian().services,
        };
        let r = conn_row(sip.as_bytes(), false, false, &names).unwrap();
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "UDP 00:57  NONE        10.0.0.1:0         10.0.0.1:sip       localhost:sip\n"
        );
    }

    #[test]
    fn kernel_ipv6_row() {
        assert_eq!(
            row(
                "TCP 2001:0db8:0000:0000:0000:0000:0000:0064 D431 2001:0db8:0000:0000:0000:0000:0000:0001 0050 2001:0db8:0000:0000:0000:0000:0000:000a 1F90 SYN_RECV         59\n",
                false,
                true
            ),
            "TCP 00:59  SYN_RECV    [2001:db8::64]:54321 [2001:db8::1]:80   [2001:db8::a]:8080\n"
        );
    }

    #[test]
    fn names_without_n() {
        assert_eq!(
            row(
                "TCP 7F000001 D431 7F000001 0050 7F000001 0050 ESTABLISHED     899\n",
                false,
                false
            ),
            "TCP 14:59  ESTABLISHED localhost:54321    localhost:http     localhost:http\n"
        );
        // unknown protocol: ports stay numeric
        assert_eq!(
            row(
                "ICMP 7F000001 0000 7F000001 0050 7F000001 0050 NONE 5\n",
                false,
                false
            ),
            "ICMP 00:05  NONE        localhost:0        localhost:80       localhost:80\n"
        );
    }

    #[test]
    fn persistent_rows() {
        let l =
            "UDP 0A000066 13C4 0A000003 13C4 C0A80401 13C4 UDP            179 sip abc@example\n";
        assert_eq!(
            row(l, true, true),
            "UDP 02:59  UDP         10.0.0.102:5060    10.0.0.3:5060      192.168.4.1:5060 sip                abc@example\n"
        );
        // without --persistent-conn the pe fields are dropped
        assert_eq!(
            row(l, false, true),
            "UDP 02:59  UDP         10.0.0.102:5060    10.0.0.3:5060      192.168.4.1:5060\n"
        );
        // fewer than 11 fields: the plain row even with --persistent-conn
        assert_eq!(
            row(
                "TCP 0A000064 D431 0A000001 0050 C0A80101 1F90 NONE 60\n",
                true,
                true
            ),
            "TCP 01:00  NONE        10.0.0.100:54321   10.0.0.1:80        192.168.1.1:8080\n"
        );
    }

    #[test]
    fn dotted_and_mixed_addresses() {
        assert_eq!(
            row(
                "TCP 10.0.0.100 D431 10.0.0.1 50 2001:db8::a 1F90 X 61\n",
                false,
                true
            ),
            "TCP 01:01  X           10.0.0.100:54321   10.0.0.1:80        [2001:db8::a]:8080\n"
        );
    }

    #[test]
    fn odd_expiry_values() {
        // negative expiry is read into an unsigned
        assert!(row("TCP 0 0 0 0 0 0 S -1\n", false, true).starts_with("TCP 71582788:15 S "));
    }

    /// Random lines (biased to the characters the parser cares about)
    /// never make it panic.
    #[test]
    fn random_lines_no_panic() {
        let alphabet = b" \t\n:.0123456789abcdefxX+-ABCDEF[]TCPUDPSCTP\0\xff";
        let mut x: u64 = 0xDEAD_BEEF_CAFE_F00D;
        for _ in 0..20000 {
            let mut line = Vec::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 120) as usize;
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                line.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let _ = conn_row(&line, x.is_multiple_of(2), x.is_multiple_of(3), &NoNames);
            let _ = pton6(&line);
            let _ = pton4(&line);
            let _ = chunks(&line);
        }
    }

    #[cfg(target_env = "gnu")]
    extern "C" {
        fn inet_pton(
            af: libc::c_int,
            src: *const libc::c_char,
            dst: *mut libc::c_void,
        ) -> libc::c_int;
    }

    /// Our inet_pton agrees with the C library's on random address-like
    /// strings.
    #[cfg(target_env = "gnu")]
    #[test]
    fn pton_matches_libc() {
        let alphabet = b"::::....0123456789abcdefABCDEFg";
        let mut x: u64 = 0x1234_5678_9ABC_DEF1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..50000 {
            let len = (next() % 24) as usize;
            let s: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let c = std::ffi::CString::new(s.clone()).unwrap();
            let mut b6 = [0u8; 16];
            let mut b4 = [0u8; 4];
            // SAFETY: c is NUL-terminated; the buffers have the sizes
            // inet_pton writes for each family.
            let r6 = unsafe { inet_pton(libc::AF_INET6, c.as_ptr(), b6.as_mut_ptr().cast()) };
            // SAFETY: as above.
            let r4 = unsafe { inet_pton(libc::AF_INET, c.as_ptr(), b4.as_mut_ptr().cast()) };
            assert_eq!(
                pton6(&s),
                (r6 == 1).then_some(b6),
                "{:?}",
                String::from_utf8_lossy(&s)
            );
            assert_eq!(
                pton4(&s),
                (r4 == 1).then_some(b4),
                "{:?}",
                String::from_utf8_lossy(&s)
            );
        }
    }

    #[test]
    fn blank_line_is_none() {
        assert!(conn_row(b"   \n", false, true, &NoNames).is_none());
        assert!(conn_row(b"\n", false, true, &NoNames).is_none());
        assert!(conn_row(b"", false, true, &NoNames).is_none());
    }

    #[test]
    fn scan_partial() {
        let f = scan_line(b"TCP 0A000001 zz");
        assert_eq!(f.count, 2);
        let f = scan_line(b"TCP 0A000001 0x1F");
        assert_eq!(f.count, 3);
        assert_eq!(f.cport, 0x1f);
        let f = scan_line(b"TCP a 12345 b");
        assert_eq!(f.cport, 0x2345);
    }

    #[test]
    fn chunking_255() {
        let long = vec![b'a'; 300];
        let c = chunks(&long);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].len(), 255);
        let c = chunks(b"ab\ncd");
        assert_eq!(c, vec![&b"ab\n"[..], &b"cd"[..]]);
    }

    /// A reader that hands out a few bytes per `read`, and fails once.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            self.step = self.step % 7 + 1;
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn streamed_chunks_are_fgets_chunks() {
        // Lines of every length around 255, a line-less tail, across
        // reads of 1..7 bytes and of 64 KiB.
        let mut data = Vec::new();
        for len in (0..600).step_by(13) {
            data.extend(std::iter::repeat_n(b'x', len));
            data.push(b'\n');
        }
        data.extend_from_slice(&[b'y'; 700]);
        for step in [0, 3] {
            let mut r = Fgets::new(Trickle {
                data: &data,
                step,
                interrupted: false,
            });
            let mut got = Vec::new();
            while let Some(c) = r.next_chunk() {
                got.push(c.to_vec());
            }
            assert_eq!(got, chunks(&data), "step {step}");
        }
        let mut r = Fgets::new(&data[..]);
        let mut n = 0;
        while r.next_chunk().is_some() {
            n += 1;
        }
        assert_eq!(n, chunks(&data).len());
    }

    #[test]
    fn pton_matches_glibc_rules() {
        assert_eq!(pton4(b"1.2.3.4"), Some([1, 2, 3, 4]));
        assert_eq!(pton4(b"01.2.3.4"), None);
        assert_eq!(pton4(b"1.2.3"), None);
        assert_eq!(pton4(b"256.2.3.4"), None);
        assert_eq!(pton4(b"0A000001"), None);
        assert!(pton6(b"::").is_some());
        assert!(pton6(b"::1").is_some());
        assert!(pton6(b"1::").is_some());
        assert!(pton6(b":1").is_none());
        assert!(pton6(b"1:").is_none());
        assert!(pton6(b"0A000001").is_none());
        assert!(pton6(b"1:2:3:4:5:6:7:8:9").is_none());
        assert!(pton6(b"1::2::3").is_none());
        assert_eq!(
            pton6(b"::ffff:1.2.3.4").unwrap(),
            raw_from("::ffff:1.2.3.4")
        );
        assert_eq!(
            pton6(b"2001:0db8:0000:0000:0000:0000:0000:000a").unwrap(),
            raw_from("2001:db8::a")
        );
    }

    fn raw_from(s: &str) -> [u8; 16] {
        crate::model::raw_from_ip(s.parse().unwrap())
    }

    fn listing(content: Option<&[u8]>, persistent: bool) -> (Result<(), ListError>, String) {
        let dir = std::env::temp_dir().join(format!(
            "ipvsadm-rs-conn-{}-{}",
            std::process::id(),
            content.map(|c| c.len()).unwrap_or(0) + usize::from(persistent)
        ));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("ip_vs_conn");
        let _ = std::fs::remove_file(&path);
        if let Some(c) = content {
            std::fs::write(&path, c).unwrap();
        }
        let mut out = Vec::new();
        let r = list_conn(&mut out, &path, persistent, true, &NoNames);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir(&dir);
        (r, String::from_utf8(out).unwrap())
    }

    const HEADER: &str =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";

    #[test]
    fn missing_file() {
        let (r, out) = listing(None, false);
        match r {
            Err(ListError::Message(m, 1)) => assert!(m.starts_with("cannot open file ")),
            other => panic!("{other:?}"),
        }
        assert_eq!(out, "");
    }

    #[test]
    fn empty_file() {
        let (r, out) = listing(Some(b""), false);
        match r {
            Err(ListError::Message(m, 1)) => assert!(m.starts_with("unexpected input from ")),
            other => panic!("{other:?}"),
        }
        assert_eq!(out, "");
    }

    #[test]
    fn header_only() {
        let (r, out) = listing(Some(HEADER.as_bytes()), false);
        assert!(r.is_ok());
        assert_eq!(
            out,
            "IPVS connection entries\npro expire state       source             virtual            destination\n"
        );
        let (r, out) = listing(Some(HEADER.as_bytes()), true);
        assert!(r.is_ok());
        assert_eq!(
            out,
            "IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n"
        );
    }

    #[test]
    fn blank_line_stops_silently() {
        let c = format!(
            "{HEADER}TCP 0A000064 D431 0A000001 0050 C0A80101 1F90 ESTABLISHED     899\n\nTCP 0A000064 D431 0A000001 0050 C0A80101 1F90 ESTABLISHED     899\n"
        );
        let (r, out) = listing(Some(c.as_bytes()), false);
        assert!(matches!(r, Err(ListError::Silent(1))));
        assert_eq!(out.lines().count(), 3);
    }
}
