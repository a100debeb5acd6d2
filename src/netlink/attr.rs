//! Netlink attributes (TLVs): a walker over received bytes that never
//! panics, typed readers for payloads, and a [`Writer`] that appends
//! attributes (and, with [`super::msg`], whole messages) to one buffer.
//!
//! The writer checks every length: an attribute whose length does not fit
//! its 16-bit field, or a message whose length does not fit 32 bits, makes
//! the writer fail ([`Writer::finish`] returns [`TooLong`]) instead of
//! writing a truncated length. The failure is sticky, so the attribute
//! spaces' emitters stay plain sequences of `put`s and the check happens
//! once where the bytes are taken.

use super::{Malformed, TooLong};

/// `NLA_F_NESTED`.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`.
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// Mask selecting the attribute type out of `nla_type`.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
/// Length of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;

/// Round up to the 4-byte netlink alignment (saturating: never panics).
pub fn align4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

/// One raw attribute: its type (flags stripped), whether it was marked
/// nested, and its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawAttr<'a> {
    pub kind: u16,
    pub nested: bool,
    pub payload: &'a [u8],
}

/// Iterate over the attributes in `buf`. Yields `Err(Malformed)` once for
/// a header that claims more bytes than there are (or fewer than a
/// header), after which iteration ends; trailing bytes shorter than a
/// header are ignored, as the kernel and libnl do.
pub fn raw_attrs(buf: &[u8]) -> RawAttrs<'_> {
    RawAttrs {
        rest: buf,
        failed: false,
    }
}

/// Iterator returned by [`raw_attrs`].
pub struct RawAttrs<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Iterator for RawAttrs<'a> {
    type Item = Result<RawAttr<'a>, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.len() < NLA_HDRLEN {
            return None;
        }
        let len = usize::from(u16::from_ne_bytes([
            *self.rest.first()?,
            *self.rest.get(1)?,
        ]));
        let ty = u16::from_ne_bytes([*self.rest.get(2)?, *self.rest.get(3)?]);
        let payload = if len < NLA_HDRLEN {
            None
        } else {
            self.rest.get(NLA_HDRLEN..len)
        };
        let Some(payload) = payload else {
            self.failed = true;
            return Some(Err(Malformed));
        };
        self.rest = self.rest.get(align4(len)..).unwrap_or(&[]);
        Some(Ok(RawAttr {
            kind: ty & NLA_TYPE_MASK,
            nested: ty & NLA_F_NESTED != 0,
            payload,
        }))
    }
}

/// The well-formed attributes of `buf` as (type, payload), stopping
/// quietly at the first malformed one.
pub fn attrs(buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    raw_attrs(buf)
        .map_while(Result::ok)
        .map(|a| (a.kind, a.payload))
}

/// The payload of the first attribute of type `kind` in `buf`.
pub fn find(buf: &[u8], kind: u16) -> Option<&[u8]> {
    attrs(buf).find(|(t, _)| *t == kind).map(|(_, p)| p)
}

fn array<const N: usize>(p: &[u8]) -> Result<[u8; N], Malformed> {
    p.get(..N).and_then(|b| b.try_into().ok()).ok_or(Malformed)
}

/// Payload readers. `ne_*` read host-order fields, `be_*` network-order
/// ones; each needs at least its width and ignores what follows.
pub fn u8_of(p: &[u8]) -> Result<u8, Malformed> {
    p.first().copied().ok_or(Malformed)
}
pub fn ne_u16(p: &[u8]) -> Result<u16, Malformed> {
    array(p).map(u16::from_ne_bytes)
}
pub fn ne_u32(p: &[u8]) -> Result<u32, Malformed> {
    array(p).map(u32::from_ne_bytes)
}
pub fn ne_u64(p: &[u8]) -> Result<u64, Malformed> {
    array(p).map(u64::from_ne_bytes)
}
pub fn be_u16(p: &[u8]) -> Result<u16, Malformed> {
    array(p).map(u16::from_be_bytes)
}
pub fn be_u32(p: &[u8]) -> Result<u32, Malformed> {
    array(p).map(u32::from_be_bytes)
}
pub fn be_u64(p: &[u8]) -> Result<u64, Malformed> {
    array(p).map(u64::from_be_bytes)
}

/// A string payload up to its first NUL (or its end); invalid UTF-8 is
/// replaced.
pub fn str_of(p: &[u8]) -> String {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    String::from_utf8_lossy(p.get(..end).unwrap_or(&[])).into_owned()
}

/// Appends attributes and messages to one buffer, checking every length.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    failed: bool,
}

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    /// A writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(n),
            failed: false,
        }
    }

    /// The bytes written so far (meaningless after a failure).
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Number of bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes, or [`TooLong`] when a length did not fit its field.
    pub fn finish(self) -> Result<Vec<u8>, TooLong> {
        if self.failed {
            Err(TooLong)
        } else {
            Ok(self.buf)
        }
    }

    /// Marks the writer failed (used by [`super::msg`] for message lengths).
    pub(super) fn fail(&mut self) {
        self.failed = true;
    }

    /// Appends raw bytes (fixed headers, attributes kept as received).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Overwrites bytes at `at` (a length field reserved earlier).
    pub(super) fn patch(&mut self, at: usize, bytes: &[u8]) {
        let end = at.saturating_add(bytes.len());
        match self.buf.get_mut(at..end) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => self.failed = true,
        }
    }

    fn pad(&mut self) {
        let n = align4(self.buf.len()) - self.buf.len();
        self.buf.extend(std::iter::repeat_n(0, n));
    }

    /// One attribute with a raw payload, padded to 4 bytes. `kind` is
    /// written as given (flags included).
    pub fn put(&mut self, kind: u16, payload: &[u8]) {
        let Ok(len) = u16::try_from(NLA_HDRLEN + payload.len()) else {
            self.failed = true;
            return;
        };
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.pad();
    }

    pub fn put_u8(&mut self, kind: u16, v: u8) {
        self.put(kind, &[v]);
    }
    /// Host-order integers.
    pub fn put_u16(&mut self, kind: u16, v: u16) {
        self.put(kind, &v.to_ne_bytes());
    }
    pub fn put_u32(&mut self, kind: u16, v: u32) {
        self.put(kind, &v.to_ne_bytes());
    }
    pub fn put_u64(&mut self, kind: u16, v: u64) {
        self.put(kind, &v.to_ne_bytes());
    }
    /// Network-order integers.
    pub fn put_be16(&mut self, kind: u16, v: u16) {
        self.put(kind, &v.to_be_bytes());
    }
    pub fn put_be32(&mut self, kind: u16, v: u32) {
        self.put(kind, &v.to_be_bytes());
    }
    pub fn put_be64(&mut self, kind: u16, v: u64) {
        self.put(kind, &v.to_be_bytes());
    }
    /// A string with its terminating NUL, as `nla_put_string`.
    pub fn put_str(&mut self, kind: u16, s: &str) {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.put(kind, &v);
    }

    /// Opens a nest; `flagged` sets `NLA_F_NESTED` (what a protocol's
    /// requests carry may differ from its replies). Close with
    /// [`Writer::nest_end`].
    pub fn nest_begin(&mut self, kind: u16, flagged: bool) -> usize {
        let start = self.buf.len();
        let ty = if flagged { kind | NLA_F_NESTED } else { kind };
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        start
    }

    /// Closes the nest opened at `start`, writing its length.
    pub fn nest_end(&mut self, start: usize) {
        match u16::try_from(self.buf.len().saturating_sub(start)) {
            Ok(len) => self.patch(start, &len.to_ne_bytes()),
            Err(_) => self.failed = true,
        }
    }

    /// A nest whose members `body` writes.
    pub fn nest(&mut self, kind: u16, flagged: bool, body: impl FnOnce(&mut Writer)) {
        let start = self.nest_begin(kind, flagged);
        body(self);
        self.nest_end(start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ne16(v: u16) -> [u8; 2] {
        v.to_ne_bytes()
    }

    #[test]
    fn attribute_is_padded_and_host_order() {
        let mut w = Writer::new();
        w.put_str(6, "rr");
        w.put_u16(1, 2);
        let mut want = Vec::new();
        want.extend(ne16(7));
        want.extend(ne16(6));
        want.extend(*b"rr\0\0");
        want.extend(ne16(6));
        want.extend(ne16(1));
        want.extend(ne16(2));
        want.extend([0, 0]);
        assert_eq!(w.finish(), Ok(want));
    }

    #[test]
    fn big_endian_only_when_asked() {
        let mut w = Writer::new();
        w.put_be32(1, 0x0102_0304);
        w.put_u32(2, 0x0102_0304);
        w.put_be64(3, 5);
        let b = w.finish().unwrap();
        assert_eq!(b[4..8], [1, 2, 3, 4]);
        assert_eq!(b[12..16], 0x0102_0304u32.to_ne_bytes());
        assert_eq!(b[20..28], [0, 0, 0, 0, 0, 0, 0, 5]);
        let got: Vec<_> = attrs(&b).collect();
        assert_eq!(be_u32(got[0].1), Ok(0x0102_0304));
        assert_eq!(ne_u32(got[1].1), Ok(0x0102_0304));
        assert_eq!(be_u64(got[2].1), Ok(5));
    }

    #[test]
    fn nesting_with_and_without_flag() {
        let mut w = Writer::new();
        w.nest(1, true, |w| w.put_u16(1, 10));
        w.nest(2, false, |w| w.put_u8(3, 1));
        let b = w.finish().unwrap();
        let top: Vec<_> = raw_attrs(&b).map(Result::unwrap).collect();
        assert_eq!(top.len(), 2);
        assert!(top[0].nested && !top[1].nested);
        assert_eq!((top[0].kind, top[1].kind), (1, 2));
        assert_eq!(ne_u16(find(top[0].payload, 1).unwrap()), Ok(10));
        assert_eq!(u8_of(find(top[1].payload, 3).unwrap()), Ok(1));
        assert_eq!(b[..2], ne16(12));
        assert_eq!(b[2..4], ne16(1 | NLA_F_NESTED));
    }

    #[test]
    fn too_long_attribute_is_an_error() {
        let mut w = Writer::new();
        w.put(1, &[0; 65531]);
        assert!(w.clone().finish().is_ok());
        w.put(1, &[0; 65532]);
        assert_eq!(w.finish(), Err(TooLong));
    }

    #[test]
    fn too_long_nest_is_an_error() {
        let mut w = Writer::new();
        w.nest(1, true, |w| {
            w.put(2, &[0; 40000]);
            w.put(2, &[0; 40000]);
        });
        assert_eq!(w.finish(), Err(TooLong));
    }

    #[test]
    fn truncated_input_never_panics() {
        let mut w = Writer::new();
        w.nest(1, true, |w| {
            w.put_str(2, "hello");
            w.put_u64(3, 7);
        });
        let b = w.finish().unwrap();
        for cut in 0..=b.len() {
            let part = &b[..cut];
            let _ = raw_attrs(part).count();
            for (_, p) in attrs(part) {
                let _ = attrs(p).count();
                let _ = find(p, 3).map(ne_u64);
                let _ = find(p, 2).map(str_of);
            }
        }
        assert_eq!(raw_attrs(&b[..b.len() - 1]).next(), Some(Err(Malformed)));
        let short = [ne16(2), ne16(1)].concat();
        assert_eq!(raw_attrs(&short).next(), Some(Err(Malformed)));
        assert!(raw_attrs(&[1, 2]).next().is_none());
        assert_eq!(be_u32(&[1, 2, 3]), Err(Malformed));
        assert_eq!(u8_of(&[]), Err(Malformed));
    }
}
