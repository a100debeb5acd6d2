//! Netlink message and attribute framing for nf_tables (pure, no I/O).
//!
//! A [`Writer`] appends netlink messages with an nfgenmsg header and
//! 4-byte-aligned attributes (nested ones marked with `NLA_F_NESTED`), and
//! [`attrs`] walks the attributes of a received payload without ever
//! panicking on truncated or malformed input.

/// `NLA_F_NESTED`: set on the type of every nested attribute we write.
pub const NLA_F_NESTED: u16 = 0x8000;
/// Mask selecting the attribute type out of `nla_type`.
pub const NLA_TYPE_MASK: u16 = 0x3fff;

/// Netlink message flags.
pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_DUMP: u16 = 0x300;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Appends netlink messages and attributes to one buffer (a batch).
#[derive(Debug, Default, Clone)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a message: nlmsghdr (length patched by [`Writer::end_msg`]) and
    /// nfgenmsg {family, version 0, res_id big-endian}. Returns its offset.
    pub fn begin_msg(&mut self, ty: u16, flags: u16, seq: u32, family: u8, res_id: u16) -> usize {
        let start = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        self.buf.extend_from_slice(&ty.to_le_bytes());
        self.buf.extend_from_slice(&flags.to_le_bytes());
        self.buf.extend_from_slice(&seq.to_le_bytes());
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        self.buf.push(family);
        self.buf.push(0);
        self.buf.extend_from_slice(&res_id.to_be_bytes());
        start
    }

    /// Patches the length of the message started at `start`.
    pub fn end_msg(&mut self, start: usize) {
        let len = (self.buf.len() - start) as u32;
        self.buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// Appends one attribute with its payload, padded to 4 bytes.
    pub fn attr(&mut self, ty: u16, data: &[u8]) {
        let len = (4 + data.len()) as u16;
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(&ty.to_le_bytes());
        self.buf.extend_from_slice(data);
        let pad = align4(data.len()) - data.len();
        self.buf.extend(std::iter::repeat_n(0, pad));
    }

    pub fn attr_u32(&mut self, ty: u16, v: u32) {
        self.attr(ty, &v.to_be_bytes());
    }

    pub fn attr_u64(&mut self, ty: u16, v: u64) {
        self.attr(ty, &v.to_be_bytes());
    }

    /// A NUL-terminated string attribute.
    pub fn attr_str(&mut self, ty: u16, s: &str) {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.attr(ty, &v);
    }

    /// Opens a nested attribute; close it with [`Writer::nest_end`].
    pub fn nest_begin(&mut self, ty: u16) -> usize {
        let start = self.buf.len();
        self.buf.extend_from_slice(&0u16.to_le_bytes());
        self.buf
            .extend_from_slice(&(ty | NLA_F_NESTED).to_le_bytes());
        start
    }

    pub fn nest_end(&mut self, start: usize) {
        let len = (self.buf.len() - start) as u16;
        self.buf[start..start + 2].copy_from_slice(&len.to_le_bytes());
    }
}

/// Iterates over the attributes in `buf` as (type without flags, payload).
/// Stops quietly at the first malformed attribute.
pub fn attrs(buf: &[u8]) -> Attrs<'_> {
    Attrs { buf, off: 0 }
}

pub struct Attrs<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let hdr = self.buf.get(self.off..self.off.checked_add(4)?)?;
        let len = u16::from_le_bytes([hdr[0], hdr[1]]) as usize;
        let ty = u16::from_le_bytes([hdr[2], hdr[3]]) & NLA_TYPE_MASK;
        if len < 4 {
            return None;
        }
        let payload = self.buf.get(self.off + 4..self.off.checked_add(len)?)?;
        self.off = self.off.checked_add(align4(len))?;
        Some((ty, payload))
    }
}

/// The first attribute of type `ty` in `buf`.
pub fn find(buf: &[u8], ty: u16) -> Option<&[u8]> {
    attrs(buf).find(|(t, _)| *t == ty).map(|(_, p)| p)
}

pub fn be_u32(p: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(p.get(..4)?.try_into().ok()?))
}

pub fn be_u64(p: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(p.get(..8)?.try_into().ok()?))
}

/// A string attribute without its NUL terminator.
pub fn str_of(p: &[u8]) -> String {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    String::from_utf8_lossy(p.get(..end).unwrap_or(&[])).into_owned()
}

/// One received netlink message: header fields and payload after nlmsghdr.
#[derive(Debug, Clone)]
pub struct Msg<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub payload: &'a [u8],
}

/// Splits a buffer into netlink messages (stops at the first malformed one).
pub fn messages(buf: &[u8]) -> Vec<Msg<'_>> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while let Some(hdr) = buf.get(off..off + 16) {
        let len = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
        if len < 16 {
            break;
        }
        let Some(payload) = buf.get(off + 16..off + len) else {
            break;
        };
        out.push(Msg {
            ty: u16::from_le_bytes([hdr[4], hdr[5]]),
            flags: u16::from_le_bytes([hdr[6], hdr[7]]),
            seq: u32::from_le_bytes([hdr[8], hdr[9], hdr[10], hdr[11]]),
            payload,
        });
        off += align4(len);
    }
    out
}
