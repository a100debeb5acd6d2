//! The live kernel: one generic-netlink socket (neli) to the `IPVS`
//! family, resolved once, with module loading (`modprobe -- ip_vs`) when
//! the family is missing. Implements [`crate::kernel::Ipvs`].
//!
//! Message bytes come from the pure codec ([`crate::kernel::codec`]);
//! this module only sends them, matches replies to requests by sequence
//! number, follows multipart dumps to `NLMSG_DONE`, and turns every
//! failure into an errno the way ipvsadm does: a netlink error message
//! gives its code, anything else (send failure, malformed reply) EINVAL.
//! It never prints anything.
//!
//! neli parts used: the socket is neli's [`NlSocket`] (`socket()`/`bind`,
//! port id, `SO_RCVBUF`, raw `send`/`recv`); the nlctrl family lookup is
//! built with neli's `Nlmsghdr`/`Genlmsghdr`/`Nlattr` builders. The IPVS
//! messages themselves are bytes from our codec, because a batch of many
//! messages must go out in one `send` (neli's `NlSocketHandle::send`
//! sends one message per call) and replies are matched to requests by
//! sequence number here (neli's `NlRouter` runs a background thread and
//! owns the matching).

use std::io;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

use neli::consts::genl::{CtrlAttr, CtrlCmd};
use neli::consts::nl::{GenlId, NlmF};
use neli::consts::socket::{Msg, NlFamily};
use neli::genl::{AttrTypeBuilder, GenlmsghdrBuilder, NlattrBuilder};
use neli::nl::{NlPayload, NlmsghdrBuilder};
use neli::socket::NlSocket;
use neli::types::GenlBuffer;
use neli::utils::Groups;
use neli::{Size, ToBytes};

use crate::kernel::attrs::raw_attrs;
use crate::kernel::codec::{
    self, decode_daemon, decode_dest, decode_info, decode_service, decode_timeouts, encode_query,
    encode_request, encode_request_with, split_messages, Query, RawMsg, NLMSG_DONE, NLMSG_ERROR,
    NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_REQUEST,
};
use crate::kernel::{Errno, Ipvs, Request};
use crate::model::{Daemon, Dest, Info, Service, Timeouts};

/// Requests sent per `sendmsg` by [`Ipvs::execute_many`].
pub const BATCH: usize = 256;
/// Receive buffer asked of the kernel (`SO_RCVBUFFORCE`, else `SO_RCVBUF`).
const SOCK_RCVBUF: usize = 4 << 20;
/// User-space receive buffer of the main socket; the kernel's datagrams
/// are far smaller (at most 32 KiB).
const RECV_BUF: usize = 256 << 10;
/// The kernel's `skb_shared_info` overhead that `NLMSG_GOODSIZE` leaves
/// out of a page (320 bytes on x86_64 since 4.x).
const SKB_OVERHEAD: usize = 320;
/// How often a dump is restarted after the kernel dropped replies (ENOBUFS).
const DUMP_RETRIES: usize = 3;

const EINVAL: Errno = libc::EINVAL;

/// One netlink socket with its receive buffer.
///
/// The kernel sizes each chunk of a dump by the largest receive this
/// socket ever asked for (up to 32 KiB), and every chunk's pages are
/// zeroed (`init_on_alloc`, on by default in Debian's kernels): a socket
/// that once received into a big buffer pays for 32 KiB per chunk even
/// when a service has one destination. So the listing's many small dumps
/// (one per service) go through a second socket that only ever receives
/// into a page-sized buffer; see [`GenlIpvs::dests`].
struct Conn {
    sock: NlSocket,
    pid: u32,
    rbuf: Vec<u8>,
}

/// What one receive gave.
enum Recv {
    /// This many bytes.
    Data(usize),
    /// The kernel dropped replies (ENOBUFS).
    Overrun,
    /// A datagram was larger than the buffer and was cut (now lost).
    Truncated,
}

/// Why an exchange must be started again.
enum Flow {
    /// The kernel dropped replies (ENOBUFS): a dump may be restarted.
    Overrun,
    /// A reply did not fit this socket's buffer: ask on the main socket.
    Truncated,
}

impl Conn {
    fn open(rbuf: usize) -> Result<Conn, Errno> {
        let sock = NlSocket::connect(NlFamily::Generic, None, Groups::empty())
            .map_err(|_| libc::ENOPROTOOPT)?;
        let pid = sock.pid().map_err(|_| libc::ENOPROTOOPT)?;
        Ok(Conn {
            sock,
            pid,
            rbuf: vec![0; rbuf],
        })
    }

    /// Send a buffer in one `send`, retrying on EINTR/EAGAIN/ENOBUFS.
    fn send_all(&self, buf: &[u8]) -> Result<(), Errno> {
        let mut tries = 0;
        loop {
            match self.sock.send(buf, Msg::empty()) {
                Ok(n) if n == buf.len() => return Ok(()),
                Ok(_) => return Err(EINVAL),
                Err(e) => {
                    let errno = os_errno(&e);
                    tries += 1;
                    let transient = matches!(errno, libc::EINTR | libc::EAGAIN | libc::ENOBUFS);
                    if !transient || tries > 100 {
                        return Err(EINVAL);
                    }
                    if errno != libc::EINTR {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                }
            }
        }
    }

    /// One receive.
    fn recv_once(&mut self) -> Result<Recv, Errno> {
        loop {
            match self.sock.recv(&mut self.rbuf[..], Msg::TRUNC) {
                Ok((n, _)) if n > self.rbuf.len() => return Ok(Recv::Truncated),
                Ok((n, _)) => return Ok(Recv::Data(n)),
                Err(e) => match os_errno(&e) {
                    libc::EINTR | libc::EAGAIN => continue,
                    libc::ENOBUFS => return Ok(Recv::Overrun),
                    _ => return Err(EINVAL),
                },
            }
        }
    }

    /// Read the replies to request `seq` until its ACK (or, for a dump,
    /// `NLMSG_DONE`), handing each data message to `on_data`. The outer
    /// result is the transport outcome, the inner one the kernel's.
    fn read_until_done(
        &mut self,
        seq: u32,
        dump: bool,
        mut on_data: impl FnMut(&RawMsg<'_>) -> Result<(), Errno>,
    ) -> Result<Result<(), Errno>, Flow> {
        let mut data_err: Option<Errno> = None;
        loop {
            let n = match self.recv_once() {
                Ok(Recv::Data(n)) => n,
                Ok(Recv::Overrun) => return Err(Flow::Overrun),
                Ok(Recv::Truncated) => return Err(Flow::Truncated),
                Err(e) => return Ok(Err(e)),
            };
            let buf = self.rbuf.get(..n).unwrap_or(&[]);
            for m in split_messages(buf) {
                let Ok(m) = m else {
                    return Ok(Err(EINVAL));
                };
                if m.hdr.seq != seq || (m.hdr.pid != self.pid && m.hdr.pid != 0) {
                    continue; // a late reply to an earlier request
                }
                match m.hdr.ty {
                    NLMSG_NOOP => {}
                    NLMSG_ERROR => {
                        let code = match m.error_code() {
                            Ok(c) => c,
                            Err(_) => return Ok(Err(EINVAL)),
                        };
                        if code != 0 {
                            return Ok(Err(code));
                        }
                        if !dump {
                            return Ok(data_err.map_or(Ok(()), Err));
                        }
                    }
                    NLMSG_DONE => {
                        let code = m.error_code().unwrap_or(0);
                        if code != 0 {
                            return Ok(Err(code));
                        }
                        return Ok(data_err.map_or(Ok(()), Err));
                    }
                    NLMSG_OVERRUN => return Ok(Err(EINVAL)),
                    _ => {
                        if data_err.is_none() {
                            if let Err(e) = on_data(&m) {
                                data_err = Some(e);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Discard whatever is queued (after an overrun or a cut datagram).
    fn drain(&mut self) {
        while let Ok((n, _)) = self.sock.recv(&mut self.rbuf[..], Msg::DONTWAIT) {
            if n == 0 {
                break;
            }
        }
    }
}

/// A generic-netlink connection to the IPVS family.
pub struct GenlIpvs {
    conn: Conn,
    /// The socket for per-service destination dumps, opened on first use
    /// (`None` also after it failed to open: the main socket serves).
    small: Option<Conn>,
    small_tried: bool,
    family: u16,
    seq: u32,
    /// The GET_INFO answer of initialisation, reused for the banner as
    /// ipvsadm does (no second request).
    info: Option<Info>,
}

/// Open the connection as ipvsadm initialises: resolve the family and ask
/// GET_INFO; on failure run `/sbin/modprobe -- ip_vs` and try once more.
/// The error is the errno of the *first* attempt (ENOPROTOOPT when the
/// family does not exist).
pub fn connect() -> Result<GenlIpvs, Errno> {
    match GenlIpvs::open() {
        Ok(c) => Ok(c),
        Err(first) => {
            if modprobe_ip_vs() {
                if let Ok(c) = GenlIpvs::open() {
                    return Ok(c);
                }
            }
            Err(first)
        }
    }
}

/// Run `/sbin/modprobe -- ip_vs` with inherited stdio; true on exit 0.
fn modprobe_ip_vs() -> bool {
    Command::new("/sbin/modprobe")
        .arg0("/sbin/modprobe")
        .args(["--", "ip_vs"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn os_errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(EINVAL)
}

/// The kernel's `NLMSG_GOODSIZE` for this page size: the chunk size of a
/// dump on a socket that never received into a larger buffer.
fn goodsize() -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = usize::try_from(page).unwrap_or(4096).clamp(4096, 8192);
    page - SKB_OVERHEAD
}

impl GenlIpvs {
    fn open() -> Result<GenlIpvs, Errno> {
        let conn = Conn::open(RECV_BUF)?;
        grow_rcvbuf(&conn.sock);
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        let mut c = GenlIpvs {
            conn,
            small: None,
            small_tried: false,
            family: 0,
            seq: seed,
            info: None,
        };
        c.family = c.resolve_family().ok_or(libc::ENOPROTOOPT)?;
        c.info = Some(c.one(&Query::Info, decode_info)?);
        Ok(c)
    }

    /// The resolved family id.
    pub fn family_id(&self) -> u16 {
        self.family
    }

    /// The main socket's netlink port id.
    pub fn port_id(&self) -> u32 {
        self.conn.pid
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// CTRL_CMD_GETFAMILY "IPVS".
    fn resolve_family(&mut self) -> Option<u16> {
        let seq = self.next_seq();
        let bytes = ctrl_getfamily(seq, self.conn.pid)?;
        self.conn.send_all(&bytes).ok()?;
        let mut id = None;
        let r = self.conn.read_until_done(seq, false, |m| {
            let (_, _, attrs) = codec::genl_split(m.body).map_err(|_| EINVAL)?;
            for a in raw_attrs(attrs) {
                let a = a.map_err(|_| EINVAL)?;
                if a.kind == u16::from(CtrlAttr::FamilyId) {
                    let b: [u8; 2] = a
                        .payload
                        .get(..2)
                        .and_then(|b| b.try_into().ok())
                        .ok_or(EINVAL)?;
                    id = Some(u16::from_ne_bytes(b));
                }
            }
            Ok(())
        });
        match r {
            Ok(Ok(())) => id,
            _ => None,
        }
    }

    /// Send a query and collect its data messages, decoded by `decode`,
    /// on the small-buffer socket when `small` (falling back to the main
    /// one when a reply does not fit) or on the main socket.
    fn query<T>(
        &mut self,
        q: &Query,
        small: bool,
        decode: impl Fn(&[u8]) -> Result<T, Errno>,
    ) -> Result<Vec<T>, Errno> {
        let mut use_small = small && self.small_conn();
        let mut tries = 0;
        loop {
            tries += 1;
            let seq = self.next_seq();
            let family = self.family;
            let conn = match (use_small, self.small.as_mut()) {
                (true, Some(c)) => c,
                _ => &mut self.conn,
            };
            let bytes = encode_query(q, family, seq, conn.pid);
            conn.send_all(&bytes)?;
            let mut out = Vec::new();
            match conn.read_until_done(seq, q.is_dump(), |m| {
                out.push(decode(m.body)?);
                Ok(())
            }) {
                Ok(Ok(())) => return Ok(out),
                Ok(Err(e)) => return Err(e),
                Err(Flow::Truncated) if use_small => {
                    // The rest of this dump is abandoned with the socket.
                    self.small = None;
                    use_small = false;
                }
                Err(_) => {
                    conn.drain();
                    if tries >= DUMP_RETRIES {
                        return Err(EINVAL);
                    }
                }
            }
        }
    }

    /// Receive destination dumps into `len` bytes from now on. For tests:
    /// a length below the kernel's chunk size makes every dump fall back
    /// to the main socket.
    #[doc(hidden)]
    pub fn set_dump_buffer(&mut self, len: usize) {
        self.small_tried = true;
        self.small = Conn::open(len).ok();
    }

    /// Whether the small-buffer socket is open (opening it on first use).
    fn small_conn(&mut self) -> bool {
        if !self.small_tried {
            self.small_tried = true;
            self.small = Conn::open(goodsize()).ok();
        }
        self.small.is_some()
    }

    fn one<T>(
        &mut self,
        q: &Query,
        decode: impl Fn(&[u8]) -> Result<T, Errno>,
    ) -> Result<T, Errno> {
        self.query(q, false, decode)?
            .into_iter()
            .next()
            .ok_or(EINVAL)
    }

    /// Send a batch of requests in one `send` and collect one result per
    /// request, matched by sequence number.
    ///
    /// Only the last request asks for an ACK: the kernel answers a request
    /// without `NLM_F_ACK` only when it fails, and handles the messages of
    /// one `send` in order, so by the time the last one's answer arrives
    /// every earlier failure has been queued ahead of it; a request with
    /// no answer succeeded. This saves the kernel an ACK message and us a
    /// receive per request. (Should the socket overflow all the same, the
    /// requests whose fate is unknown report EINVAL, as a lost ACK did.)
    fn execute_batch(&mut self, reqs: &[Request]) -> Vec<Result<(), Errno>> {
        let first = self.seq.wrapping_add(1);
        let mut buf = Vec::with_capacity(reqs.len() * 128);
        let last = reqs.len().saturating_sub(1);
        for (i, r) in reqs.iter().enumerate() {
            let seq = self.next_seq();
            let flags = if i == last {
                NLM_F_REQUEST | NLM_F_ACK
            } else {
                NLM_F_REQUEST
            };
            buf.extend(encode_request_with(
                r,
                self.family,
                flags,
                seq,
                self.conn.pid,
            ));
        }
        let mut results: Vec<Option<Result<(), Errno>>> = vec![None; reqs.len()];
        if let Err(e) = self.conn.send_all(&buf) {
            return vec![Err(e); reqs.len()];
        }
        let pid = self.conn.pid;
        let mut done = reqs.is_empty();
        while !done {
            let n = match self.conn.recv_once() {
                Ok(Recv::Data(n)) => n,
                _ => break,
            };
            let buf = self.conn.rbuf.get(..n).unwrap_or(&[]);
            for m in split_messages(buf) {
                let Ok(m) = m else { break };
                if m.hdr.ty != NLMSG_ERROR || (m.hdr.pid != pid && m.hdr.pid != 0) {
                    continue;
                }
                let idx = m.hdr.seq.wrapping_sub(first) as usize;
                let Some(slot) = results.get_mut(idx) else {
                    continue;
                };
                if slot.is_none() {
                    *slot = Some(match m.error_code() {
                        Ok(0) => Ok(()),
                        Ok(c) => Err(c),
                        Err(_) => Err(EINVAL),
                    });
                }
                if idx == last {
                    done = true;
                }
            }
        }
        results
            .into_iter()
            .map(|r| match r {
                Some(r) => r,
                None if done => Ok(()),
                None => Err(EINVAL),
            })
            .collect()
    }
}

/// The nlctrl request resolving the IPVS family, built with neli's
/// message types (the same bytes libnl sends for ipvsadm).
fn ctrl_getfamily(seq: u32, pid: u32) -> Option<Vec<u8>> {
    let name = NlattrBuilder::default()
        .nla_type(
            AttrTypeBuilder::default()
                .nla_type(CtrlAttr::FamilyName)
                .build()
                .ok()?,
        )
        .nla_payload(codec::IPVS_GENL_NAME)
        .build()
        .ok()?;
    let genl = GenlmsghdrBuilder::default()
        .cmd(CtrlCmd::Getfamily)
        .version(1)
        .attrs(std::iter::once(name).collect::<GenlBuffer<_, _>>())
        .build()
        .ok()?;
    let msg = NlmsghdrBuilder::default()
        .nl_type(GenlId::Ctrl)
        .nl_flags(NlmF::REQUEST | NlmF::ACK)
        .nl_seq(seq)
        .nl_pid(pid)
        .nl_payload(NlPayload::Payload(genl))
        .build()
        .ok()?;
    let mut bytes = io::Cursor::new(vec![0u8; msg.padded_size()]);
    msg.to_bytes(&mut bytes).ok()?;
    Some(bytes.into_inner())
}

/// Ask for a large socket receive buffer so that fast dumps and batches
/// of ACKs are not dropped: `SO_RCVBUFFORCE` (needs CAP_NET_ADMIN, which
/// every IPVS operation needs anyway), else neli's `SO_RCVBUF`.
fn grow_rcvbuf(sock: &NlSocket) {
    let size = SOCK_RCVBUF as libc::c_int;
    // SAFETY: valid fd, pointer to a c_int with its correct length.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            &size as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        let _ = sock.set_recv_buffer_size(SOCK_RCVBUF);
    }
}

impl Ipvs for GenlIpvs {
    fn info(&mut self) -> Result<Info, Errno> {
        match self.info {
            Some(i) => Ok(i),
            None => self.one(&Query::Info, decode_info),
        }
    }

    fn services(&mut self) -> Result<Vec<Service>, Errno> {
        self.query(&Query::Services, false, decode_service)
    }

    fn service(&mut self, svc: &Service) -> Result<Service, Errno> {
        self.one(&Query::Service(svc.clone()), decode_service)
    }

    fn dests(&mut self, svc: &Service) -> Result<Vec<Dest>, Errno> {
        let af = svc.af;
        self.query(&Query::Dests(svc.clone()), true, |b| decode_dest(b, af))
    }

    fn timeouts(&mut self) -> Result<Timeouts, Errno> {
        self.one(&Query::Timeouts, decode_timeouts)
    }

    fn daemons(&mut self) -> Result<Vec<Daemon>, Errno> {
        self.query(&Query::Daemons, false, decode_daemon)
    }

    fn execute(&mut self, req: &Request) -> Result<(), Errno> {
        let seq = self.next_seq();
        let bytes = encode_request(req, self.family, seq, self.conn.pid);
        self.conn.send_all(&bytes)?;
        match self.conn.read_until_done(seq, false, |_| Ok(())) {
            Ok(r) => r,
            Err(_) => Err(EINVAL),
        }
    }

    fn execute_many(&mut self, reqs: &[Request]) -> Vec<Result<(), Errno>> {
        let mut out = Vec::with_capacity(reqs.len());
        for chunk in reqs.chunks(BATCH) {
            out.extend(self.execute_batch(chunk));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_request_is_libnls() {
        // ipvsadm (libnl) in the guest, strace: nlmsg_len=32, nlctrl,
        // REQUEST|ACK, then "\x03\x01\x00\x00\x09\x00\x02\x00IPVS\0\0\0\0".
        let mut want = vec![32, 0, 0, 0, 0x10, 0, 5, 0];
        want.extend(0x6b07_03c6u32.to_ne_bytes());
        want.extend(0x3e00_0079u32.to_ne_bytes());
        want.extend([3, 1, 0, 0, 9, 0, 2, 0, b'I', b'P', b'V', b'S', 0, 0, 0, 0]);
        assert_eq!(ctrl_getfamily(0x6b07_03c6, 0x3e00_0079), Some(want));
    }
}
