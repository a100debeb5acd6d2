//! The netlink socket shared by both protocols: neli's [`NlSocket`]
//! opened per protocol, with one receive buffer sized once when the
//! socket opens and reused for every receive (`MSG_TRUNC` tells a cut
//! datagram apart, it is never silently short).
//!
//! On top of plain send and receive: sending a whole batch in one
//! `send` (retrying EINTR/EAGAIN/ENOBUFS), reading the answers to one
//! request matched by sequence number and port id until its ACK or, for a
//! dump, `NLMSG_DONE` ([`Socket::read_until_done`]), and collecting one
//! answer per request of a pipelined batch ([`BatchAnswers`]).

use std::io;
use std::os::unix::io::AsRawFd;

use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

use super::msg::{split, RawMsg, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};

/// A positive errno value.
pub type Errno = i32;

/// What one receive gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recv {
    /// This many bytes, in [`Socket::data`].
    Data(usize),
    /// The kernel dropped messages for this socket (ENOBUFS).
    Overrun,
    /// A datagram was larger than the buffer and was cut (now lost).
    Truncated,
    /// Nothing queued (non-blocking receives only).
    Empty,
}

/// Why an exchange did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The exchange completed with this errno: the kernel's error code,
    /// or the first error `on_data` returned.
    Reply(Errno),
    /// The receive itself failed with this errno.
    Os(Errno),
    /// A reply did not have a netlink message's shape.
    Malformed,
    /// The kernel dropped replies (ENOBUFS): a dump may be restarted.
    Overrun,
    /// A reply did not fit this socket's receive buffer.
    Truncated,
}

/// One netlink socket with its receive buffer.
pub struct Socket {
    sock: NlSocket,
    pid: u32,
    rbuf: Vec<u8>,
}

fn os_errno(e: &io::Error) -> Errno {
    match e.kind() {
        io::ErrorKind::WouldBlock => libc::EAGAIN,
        _ => e.raw_os_error().unwrap_or(libc::EIO),
    }
}

impl Socket {
    /// A socket of `protocol`, bound, receiving into `rbuf` bytes.
    pub fn open(protocol: NlFamily, rbuf: usize) -> Result<Socket, Errno> {
        let sock = NlSocket::connect(protocol, None, Groups::empty()).map_err(|e| os_errno(&e))?;
        let pid = sock.pid().map_err(|e| os_errno(&e))?;
        Ok(Socket {
            sock,
            pid,
            rbuf: vec![0; rbuf],
        })
    }

    /// The socket's netlink port id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Ask for a large kernel receive buffer so that fast dumps and
    /// batches of answers are not dropped: `SO_RCVBUFFORCE` (needs
    /// CAP_NET_ADMIN), else neli's `SO_RCVBUF`. A hint: failure is
    /// harmless.
    pub fn grow_rcvbuf(&self, size: usize) {
        let size = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
        // SAFETY: valid fd, pointer to a c_int with its correct length.
        let rc = unsafe {
            libc::setsockopt(
                self.sock.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                &size as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            let _ = self.sock.set_recv_buffer_size(size as usize);
        }
    }

    /// Send a buffer (one message or a batch) in one `send`, retrying on
    /// EINTR, EAGAIN and ENOBUFS. A short send is EMSGSIZE.
    pub fn send_all(&self, buf: &[u8]) -> Result<(), Errno> {
        let mut tries = 0;
        loop {
            match self.sock.send(buf, Msg::empty()) {
                Ok(n) if n == buf.len() => return Ok(()),
                Ok(_) => return Err(libc::EMSGSIZE),
                Err(e) => {
                    let errno = e.raw_os_error().unwrap_or(libc::EIO);
                    tries += 1;
                    let transient = matches!(errno, libc::EINTR | libc::EAGAIN | libc::ENOBUFS);
                    if !transient || tries > 100 {
                        return Err(errno);
                    }
                    if errno != libc::EINTR {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                }
            }
        }
    }

    /// One receive into the socket's buffer, retrying on EINTR (and on
    /// EAGAIN unless `nonblock`).
    pub fn recv(&mut self, nonblock: bool) -> Result<Recv, Errno> {
        let flags = if nonblock {
            Msg::TRUNC | Msg::DONTWAIT
        } else {
            Msg::TRUNC
        };
        loop {
            match self.sock.recv(&mut self.rbuf[..], flags) {
                Ok((n, _)) if n > self.rbuf.len() => return Ok(Recv::Truncated),
                Ok((n, _)) => return Ok(Recv::Data(n)),
                Err(e) => match os_errno(&e) {
                    libc::EINTR => continue,
                    libc::EAGAIN if nonblock => return Ok(Recv::Empty),
                    libc::EAGAIN => continue,
                    libc::ENOBUFS => return Ok(Recv::Overrun),
                    errno => return Err(errno),
                },
            }
        }
    }

    /// The first `n` bytes of the last receive.
    pub fn data(&self, n: usize) -> &[u8] {
        self.rbuf.get(..n).unwrap_or(&[])
    }

    /// Read the answers to request `seq` until its ACK (or, for a dump,
    /// `NLMSG_DONE`), handing each data message to `on_data`; after the
    /// first error of `on_data` the rest is read but not handed on.
    pub fn read_until_done(
        &mut self,
        seq: u32,
        dump: bool,
        mut on_data: impl FnMut(&RawMsg<'_>) -> Result<(), Errno>,
    ) -> Result<(), Failure> {
        let mut exchange = Exchange {
            seq,
            pid: self.pid,
            dump,
            data_err: None,
        };
        loop {
            let n = match self.recv(false) {
                Ok(Recv::Data(n)) => n,
                Ok(Recv::Overrun) => return Err(Failure::Overrun),
                Ok(Recv::Truncated) => return Err(Failure::Truncated),
                Ok(Recv::Empty) => continue,
                Err(e) => return Err(Failure::Os(e)),
            };
            let buf = self.rbuf.get(..n).unwrap_or(&[]);
            if let Some(end) = exchange.feed(buf, &mut on_data) {
                return end;
            }
        }
    }

    /// Discard whatever is queued (after an overrun or a cut datagram).
    pub fn drain(&mut self) {
        while let Ok((n, _)) = self.sock.recv(&mut self.rbuf[..], Msg::DONTWAIT) {
            if n == 0 {
                break;
            }
        }
    }

    /// Send a pipelined batch built with sequence numbers `first..` (one
    /// per request, `count` requests, an ACK asked only of the last) and
    /// collect one answer per request.
    pub fn batch(&mut self, bytes: &[u8], first: u32, count: usize) -> Vec<Answer> {
        if let Err(e) = self.send_all(bytes) {
            return vec![Answer::NotSent(e); count];
        }
        let mut answers = BatchAnswers::new(first, count, self.pid);
        while !answers.done() {
            let n = match self.recv(false) {
                Ok(Recv::Data(n)) => n,
                _ => break,
            };
            answers.feed(self.rbuf.get(..n).unwrap_or(&[]));
        }
        answers.finish()
    }
}

/// The sequence numbers of one conversation: they start from the clock
/// (as libnl's do), so that a late answer meant for an earlier process on
/// a reused port is not taken for an answer to us.
#[derive(Debug, Clone, Copy)]
pub struct Sequence(u32);

impl Sequence {
    /// A sequence starting after the current time in seconds.
    pub fn from_clock() -> Sequence {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        Sequence(secs)
    }

    /// The next number, taken.
    pub fn take(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(1);
        self.0
    }

    /// The number [`Sequence::take`] will give, not taken.
    pub fn peek(&self) -> u32 {
        self.0.wrapping_add(1)
    }

    /// Take `n` numbers without using them.
    pub fn skip(&mut self, n: u32) {
        self.0 = self.0.wrapping_add(n);
    }
}

/// The state of reading one request's answers.
struct Exchange {
    seq: u32,
    pid: u32,
    dump: bool,
    data_err: Option<Errno>,
}

impl Exchange {
    /// Handle one received buffer; `Some` when the exchange is over.
    fn feed(
        &mut self,
        buf: &[u8],
        on_data: &mut impl FnMut(&RawMsg<'_>) -> Result<(), Errno>,
    ) -> Option<Result<(), Failure>> {
        for m in split(buf) {
            let Ok(m) = m else {
                return Some(Err(Failure::Malformed));
            };
            if m.hdr.seq != self.seq || (m.hdr.pid != self.pid && m.hdr.pid != 0) {
                continue; // a late answer to an earlier request
            }
            match m.hdr.ty {
                NLMSG_NOOP => {}
                NLMSG_ERROR => {
                    let Ok(code) = m.error_code() else {
                        return Some(Err(Failure::Malformed));
                    };
                    if code != 0 {
                        return Some(Err(Failure::Reply(code)));
                    }
                    if !self.dump {
                        return Some(self.outcome());
                    }
                }
                NLMSG_DONE => {
                    let code = m.error_code().unwrap_or(0);
                    if code != 0 {
                        return Some(Err(Failure::Reply(code)));
                    }
                    return Some(self.outcome());
                }
                NLMSG_OVERRUN => return Some(Err(Failure::Malformed)),
                _ => {
                    if self.data_err.is_none() {
                        self.data_err = on_data(&m).err();
                    }
                }
            }
        }
        None
    }

    fn outcome(&self) -> Result<(), Failure> {
        self.data_err.map_or(Ok(()), |e| Err(Failure::Reply(e)))
    }
}

/// The answer to one request of a pipelined batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Done (an ACK, or no error before the last request's ACK).
    Ok,
    /// The kernel refused it with this errno.
    Refused(Errno),
    /// The batch could not be sent (errno of `send`): nothing was applied.
    NotSent(Errno),
    /// No answer arrived before the receive failed: the kernel may or may
    /// not have applied it.
    Unknown,
}

/// One answer per request of a pipelined batch, from the buffers
/// received for it (pure, so that lost answers can be tested without a
/// socket).
///
/// Only the last request asks for an ACK: the kernel answers a request
/// without `NLM_F_ACK` only when it fails, and handles the messages of
/// one `send` in order, so once the last one's answer arrives every
/// earlier failure has been queued ahead of it and a request without an
/// answer succeeded. Should the receive fail before that, the requests
/// still without an answer are [`Answer::Unknown`].
pub struct BatchAnswers {
    first: u32,
    pid: u32,
    got: Vec<Option<Answer>>,
    done: bool,
}

impl BatchAnswers {
    /// For `count` requests with sequence numbers from `first`, sent from
    /// port `pid`.
    pub fn new(first: u32, count: usize, pid: u32) -> BatchAnswers {
        BatchAnswers {
            first,
            pid,
            got: vec![None; count],
            done: count == 0,
        }
    }

    /// Whether the last request's answer has arrived.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Take the answers in one received buffer.
    pub fn feed(&mut self, buf: &[u8]) {
        let last = self.got.len().saturating_sub(1);
        for m in split(buf) {
            let Ok(m) = m else { break };
            if m.hdr.ty != NLMSG_ERROR || (m.hdr.pid != self.pid && m.hdr.pid != 0) {
                continue;
            }
            let idx = m.hdr.seq.wrapping_sub(self.first) as usize;
            let Some(slot) = self.got.get_mut(idx) else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(match m.error_code() {
                    Ok(0) => Answer::Ok,
                    Ok(c) => Answer::Refused(c),
                    Err(_) => Answer::Refused(libc::EINVAL),
                });
            }
            if idx == last {
                self.done = true;
            }
        }
    }

    /// One answer per request.
    pub fn finish(self) -> Vec<Answer> {
        let done = self.done;
        self.got
            .into_iter()
            .map(|a| match a {
                Some(a) => a,
                None if done => Answer::Ok,
                None => Answer::Unknown,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::msg::Header;
    use super::super::Writer;
    use super::*;

    /// An `NLMSG_ERROR` answering `seq` with `-code`.
    fn answer(w: &mut Writer, seq: u32, pid: u32, code: i32) {
        let m = w.begin_msg(NLMSG_ERROR, 0, seq, pid);
        w.raw(&(-code).to_ne_bytes());
        let mut h = Vec::new();
        Header {
            len: 16,
            ty: 0x20,
            flags: 1,
            seq,
            pid,
        }
        .emit(&mut h);
        w.raw(&h);
        w.end_msg(m);
    }

    #[test]
    fn batch_answers_complete() {
        let mut w = Writer::new();
        answer(&mut w, 11, 5, libc::EEXIST);
        answer(&mut w, 13, 5, 0);
        let mut a = BatchAnswers::new(10, 4, 5);
        a.feed(&w.finish().unwrap());
        assert!(a.done());
        assert_eq!(
            a.finish(),
            [
                Answer::Ok,
                Answer::Refused(libc::EEXIST),
                Answer::Ok,
                Answer::Ok
            ]
        );
    }

    #[test]
    fn batch_cut_short_is_unknown_not_einval() {
        let mut w = Writer::new();
        answer(&mut w, 11, 5, libc::ESRCH);
        answer(&mut w, 12, 6, libc::EPERM); // another socket's: ignored
        let mut a = BatchAnswers::new(10, 4, 5);
        a.feed(&w.finish().unwrap());
        assert!(!a.done());
        assert_eq!(
            a.finish(),
            [
                Answer::Unknown,
                Answer::Refused(libc::ESRCH),
                Answer::Unknown,
                Answer::Unknown
            ]
        );
    }

    #[test]
    fn exchange_matches_seq_and_ends_at_ack_or_done() {
        let mut w = Writer::new();
        let m = w.begin_msg(0x30, 0, 3, 9); // an earlier request's data
        w.end_msg(m);
        let m = w.begin_msg(0x30, 2, 4, 9);
        w.put_u32(1, 1);
        w.end_msg(m);
        answer(&mut w, 4, 9, 0);
        let b = w.finish().unwrap();
        let mut seen = 0;
        let mut on = |_: &RawMsg<'_>| {
            seen += 1;
            Ok(())
        };
        let mut ex = Exchange {
            seq: 4,
            pid: 9,
            dump: false,
            data_err: None,
        };
        assert_eq!(ex.feed(&b, &mut on), Some(Ok(())));
        assert_eq!(seen, 1);
        let mut dump = Exchange {
            seq: 4,
            pid: 9,
            dump: true,
            data_err: None,
        };
        let mut fail = |_: &RawMsg<'_>| Err(libc::EINVAL);
        assert_eq!(dump.feed(&b, &mut fail), None);
        let mut w = Writer::new();
        let m = w.begin_msg(NLMSG_DONE, 2, 4, 9);
        w.raw(&0i32.to_ne_bytes());
        w.end_msg(m);
        let done = w.finish().unwrap();
        assert_eq!(
            dump.feed(&done, &mut fail),
            Some(Err(Failure::Reply(libc::EINVAL)))
        );
        assert_eq!(
            dump.feed(&b[..20], &mut fail),
            Some(Err(Failure::Malformed))
        );
    }
}
