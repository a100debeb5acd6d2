//! Netlink messages: `struct nlmsghdr`, the flag and control-type
//! constants (once, for every protocol), building messages one after the
//! other in a [`Writer`] (a batch is several messages in one buffer), and
//! splitting a receive buffer back into messages.

use super::attr::{align4, Writer};
use super::Malformed;

/// Netlink header flags (`NLM_F_*`).
pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
/// Flags of "new" requests.
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;

/// Netlink control message types (`NLMSG_*`).
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLMSG_OVERRUN: u16 = 4;
/// Types below this are control messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

/// Length of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;

/// `struct nlmsghdr` (host order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Header {
    pub len: u32,
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
}

fn ne_u32_at(b: &[u8], o: usize) -> Result<u32, Malformed> {
    super::attr::ne_u32(b.get(o..).ok_or(Malformed)?)
}

fn ne_u16_at(b: &[u8], o: usize) -> Result<u16, Malformed> {
    super::attr::ne_u16(b.get(o..).ok_or(Malformed)?)
}

impl Header {
    /// The header at the start of `b`.
    pub fn parse(b: &[u8]) -> Result<Header, Malformed> {
        Ok(Header {
            len: ne_u32_at(b, 0)?,
            ty: ne_u16_at(b, 4)?,
            flags: ne_u16_at(b, 6)?,
            seq: ne_u32_at(b, 8)?,
            pid: ne_u32_at(b, 12)?,
        })
    }

    /// Appends the header as it is (length included).
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.len.to_ne_bytes());
        out.extend_from_slice(&self.ty.to_ne_bytes());
        out.extend_from_slice(&self.flags.to_ne_bytes());
        out.extend_from_slice(&self.seq.to_ne_bytes());
        out.extend_from_slice(&self.pid.to_ne_bytes());
    }
}

impl Writer {
    /// Starts a message (at a 4-byte boundary): its header with the
    /// length left for [`Writer::end_msg`]. Returns the message's offset.
    pub fn begin_msg(&mut self, ty: u16, flags: u16, seq: u32, pid: u32) -> usize {
        let n = align4(self.len()) - self.len();
        self.raw(&[0; 3][..n.min(3)]);
        let start = self.len();
        let mut h = Vec::with_capacity(NLMSG_HDRLEN);
        Header {
            len: 0,
            ty,
            flags,
            seq,
            pid,
        }
        .emit(&mut h);
        self.raw(&h);
        start
    }

    /// Ends the message started at `start`, writing its length (a length
    /// beyond 32 bits fails the writer).
    pub fn end_msg(&mut self, start: usize) {
        match u32::try_from(self.len().saturating_sub(start)) {
            Ok(len) => self.patch(start, &len.to_ne_bytes()),
            Err(_) => self.fail(),
        }
    }
}

/// One message of a receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMsg<'a> {
    pub hdr: Header,
    /// Everything after the netlink header, up to the header's length.
    pub body: &'a [u8],
}

impl RawMsg<'_> {
    /// For `NLMSG_ERROR` (and `NLMSG_DONE`): the errno, positive; 0 is an
    /// ACK.
    pub fn error_code(&self) -> Result<i32, Malformed> {
        let code = super::attr::ne_u32(self.body)? as i32;
        Ok(code.checked_neg().ok_or(Malformed)?.max(0))
    }

    /// For `NLMSG_ERROR`: the sequence number of the request it answers,
    /// from the copy of that request's header after the code.
    pub fn error_seq(&self) -> Result<u32, Malformed> {
        ne_u32_at(self.body, 4 + 8)
    }
}

/// Split a receive buffer into netlink messages. A header whose length
/// is too small or overruns the buffer yields `Err` and ends iteration.
pub fn split(buf: &[u8]) -> Messages<'_> {
    Messages {
        rest: buf,
        failed: false,
    }
}

/// Iterator returned by [`split`].
pub struct Messages<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Messages<'a> {
    fn take(&mut self) -> Result<RawMsg<'a>, Malformed> {
        let hdr = Header::parse(self.rest)?;
        let len = usize::try_from(hdr.len).map_err(|_| Malformed)?;
        if len < NLMSG_HDRLEN {
            return Err(Malformed);
        }
        let body = self.rest.get(NLMSG_HDRLEN..len).ok_or(Malformed)?;
        self.rest = self.rest.get(align4(len)..).unwrap_or(&[]);
        Ok(RawMsg { hdr, body })
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<RawMsg<'a>, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let m = self.take();
        self.failed = m.is_err();
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_messages() -> Vec<u8> {
        let mut w = Writer::new();
        let m = w.begin_msg(0x10, NLM_F_REQUEST, 7, 0);
        w.put_u8(1, 9);
        w.end_msg(m);
        let m = w.begin_msg(NLMSG_ERROR, 0, 8, 42);
        w.raw(&(-22i32).to_ne_bytes());
        let mut echoed = Vec::new();
        Header {
            len: 16,
            ty: 0x10,
            flags: 1,
            seq: 8,
            pid: 42,
        }
        .emit(&mut echoed);
        w.raw(&echoed);
        w.end_msg(m);
        w.finish().unwrap()
    }

    #[test]
    fn begin_end_and_split() {
        let b = two_messages();
        let msgs: Vec<RawMsg<'_>> = split(&b).map(Result::unwrap).collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].hdr.len, 24);
        assert_eq!(msgs[0].hdr.ty, 0x10);
        assert_eq!(msgs[0].hdr.seq, 7);
        assert_eq!(b[..4], 24u32.to_ne_bytes());
        assert_eq!(msgs[0].body.len(), 8);
        assert_eq!(msgs[1].hdr.pid, 42);
        assert_eq!(msgs[1].error_code(), Ok(22));
        assert_eq!(msgs[1].error_seq(), Ok(8));
    }

    #[test]
    fn ack_is_code_zero() {
        let mut w = Writer::new();
        let m = w.begin_msg(NLMSG_ERROR, 0, 1, 0);
        w.raw(&0i32.to_ne_bytes());
        w.end_msg(m);
        let b = w.finish().unwrap();
        let m = split(&b).next().unwrap().unwrap();
        assert_eq!(m.error_code(), Ok(0));
        assert_eq!(m.error_seq(), Err(Malformed));
    }

    #[test]
    fn split_never_panics_on_cut_or_bad_lengths() {
        let b = two_messages();
        for cut in 0..=b.len() {
            for m in split(&b[..cut]).flatten() {
                let _ = m.error_code();
                let _ = m.error_seq();
            }
        }
        let mut bad = b.clone();
        bad[..4].copy_from_slice(&8u32.to_ne_bytes());
        assert_eq!(split(&bad).next(), Some(Err(Malformed)));
        assert_eq!(split(&bad).count(), 1);
        bad[..4].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert_eq!(split(&bad).next(), Some(Err(Malformed)));
        assert_eq!(split(&b[..20]).count(), 1);
    }
}
