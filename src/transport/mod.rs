//! The live kernel: one generic-netlink socket to the `IPVS` family,
//! resolved once, with module loading (`modprobe -- ip_vs`) when the
//! family is missing. Implements [`crate::kernel::Ipvs`].
//!
//! Message bytes come from the IPVS codec ([`crate::kernel::codec`]);
//! sockets, sequence matching, multipart dumps and pipelined batches are
//! the shared [`crate::netlink::socket`]. This module picks the socket
//! (a second, page-sized one for the per-service destination dumps),
//! restarts a dump the kernel dropped replies of, and turns every failure
//! into an errno the way ipvsadm does: a netlink error message gives its
//! code, a request sent whose answer was lost gives
//! [`OUTCOME_UNKNOWN`], anything else (send failure, malformed reply)
//! EINVAL. It never prints anything.
//!
//! neli parts used: the socket is neli's `NlSocket` (under
//! [`Socket`]); the nlctrl family lookup is built with neli's
//! `Nlmsghdr`/`Genlmsghdr`/`Nlattr` builders. The IPVS messages
//! themselves are bytes from our codec, because a batch of many messages
//! must go out in one `send` (neli's `NlSocketHandle::send` sends one
//! message per call) and replies are matched to requests by sequence
//! number in our layer (neli's `NlRouter` runs a background thread and
//! owns the matching).

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

use neli::consts::genl::{CtrlAttr, CtrlCmd};
use neli::consts::nl::{GenlId, NlmF};
use neli::consts::socket::NlFamily;
use neli::genl::{AttrTypeBuilder, GenlmsghdrBuilder, NlattrBuilder};
use neli::nl::{NlPayload, NlmsghdrBuilder};
use neli::types::GenlBuffer;
use neli::{Size, ToBytes};

use crate::kernel::attrs::raw_attrs;
use crate::kernel::codec::{
    self, decode_daemon, decode_dest, decode_info, decode_service, decode_timeouts, encode_query,
    encode_request, encode_request_with, Query, NLM_F_ACK, NLM_F_REQUEST,
};
use crate::kernel::errors::OUTCOME_UNKNOWN;
use crate::kernel::{
    dests_each_in_turn, execute_stream_in_turn, BatchSink, BatchSource, DestsSink, Errno, Ipvs,
    Request,
};
use crate::model::{Daemon, Dest, Info, Service, Timeouts};
use crate::netlink::socket::{Answer, Failure, Sequence, Socket};

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

/// A generic-netlink socket with a receive buffer of `rbuf` bytes.
///
/// The kernel sizes each chunk of a dump by the largest receive this
/// socket ever asked for (up to 32 KiB), and every chunk's pages are
/// zeroed (`init_on_alloc`, on by default in Debian's kernels): a socket
/// that once received into a big buffer pays for 32 KiB per chunk even
/// when a service has one destination. So the listing's many small dumps
/// (one per service) go through a second socket that only ever receives
/// into a page-sized buffer; see [`GenlIpvs::dests`].
fn open_socket(rbuf: usize) -> Result<Socket, Errno> {
    Socket::open(NlFamily::Generic, rbuf).map_err(|_| libc::ENOPROTOOPT)
}

/// The socket for per-service destination dumps.
enum Small {
    /// Not opened yet (opened on first use).
    Untried,
    /// Open.
    Open(Socket),
    /// Failed to open, or given up after a reply did not fit: the main
    /// socket serves.
    Unusable,
}

/// A generic-netlink connection to the IPVS family.
pub struct GenlIpvs {
    conn: Socket,
    small: Small,
    family: u16,
    seq: Sequence,
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

/// [`connect`] without loading the module: fails when the family is not
/// there yet (for work that may only load it once it knows it goes on).
pub fn connect_loaded() -> Result<GenlIpvs, Errno> {
    GenlIpvs::open()
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

/// The kernel's `NLMSG_GOODSIZE` for this page size: the chunk size of a
/// dump on a socket that never received into a larger buffer.
fn goodsize() -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = usize::try_from(page).unwrap_or(4096).clamp(4096, 8192);
    page - SKB_OVERHEAD
}

/// The errno of an exchange that did not complete, as ipvsadm reports
/// it: the kernel's code, anything else EINVAL.
fn failure_errno(f: Failure) -> Errno {
    match f {
        Failure::Reply(e) => e,
        _ => EINVAL,
    }
}

/// The result of one request of a pipelined batch.
fn answer_result(a: Answer) -> Result<(), Errno> {
    match a {
        Answer::Ok => Ok(()),
        Answer::Refused(e) => Err(e),
        Answer::NotSent(_) => Err(EINVAL),
        Answer::Unknown => Err(OUTCOME_UNKNOWN),
    }
}

/// How a query on one socket ended.
enum Asked<T> {
    Done(Result<Vec<T>, Errno>),
    /// The kernel dropped replies: worth asking again.
    Overrun,
    /// A reply did not fit the socket's buffer.
    Truncated,
}

/// Send query `q` on `sock` and collect its data messages decoded.
fn ask<T>(
    sock: &mut Socket,
    q: &Query,
    family: u16,
    seq: u32,
    decode: &impl Fn(&[u8]) -> Result<T, Errno>,
) -> Asked<T> {
    let bytes = match encode_query(q, family, seq, sock.pid()) {
        Ok(b) => b,
        Err(_) => return Asked::Done(Err(EINVAL)),
    };
    if sock.send_all(&bytes).is_err() {
        return Asked::Done(Err(EINVAL));
    }
    let mut out = Vec::new();
    match sock.read_until_done(seq, q.is_dump(), |m| {
        out.push(decode(m.body)?);
        Ok(())
    }) {
        Ok(()) => Asked::Done(Ok(out)),
        Err(Failure::Overrun) => Asked::Overrun,
        Err(Failure::Truncated) => Asked::Truncated,
        Err(f) => Asked::Done(Err(failure_errno(f))),
    }
}

impl GenlIpvs {
    fn open() -> Result<GenlIpvs, Errno> {
        GenlIpvs::open_with(RECV_BUF)
    }

    /// [`GenlIpvs::open`] with a main socket receiving into `rbuf` bytes.
    fn open_with(rbuf: usize) -> Result<GenlIpvs, Errno> {
        let conn = open_socket(rbuf)?;
        conn.grow_rcvbuf(SOCK_RCVBUF);
        let mut c = GenlIpvs {
            conn,
            small: Small::Untried,
            family: 0,
            seq: Sequence::from_clock(),
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
        self.conn.pid()
    }

    fn next_seq(&mut self) -> u32 {
        self.seq.take()
    }

    /// CTRL_CMD_GETFAMILY "IPVS".
    fn resolve_family(&mut self) -> Option<u16> {
        let seq = self.next_seq();
        let bytes = ctrl_getfamily(seq, self.conn.pid())?;
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
        r.ok().and(id)
    }

    /// Send a query and collect its data messages, decoded by `decode`,
    /// on the small-buffer socket when `small` (falling back to the main
    /// one for good when a reply does not fit) or on the main socket. A
    /// dump the kernel dropped replies of is asked again; a reply cut on
    /// the main socket could not fit a second time and fails at once.
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
            let sock = match (use_small, &mut self.small) {
                (true, Small::Open(s)) => s,
                _ => &mut self.conn,
            };
            match ask(sock, q, family, seq, &decode) {
                Asked::Done(r) => return r,
                Asked::Truncated if use_small => {
                    // The rest of this dump is abandoned with the socket.
                    self.small = Small::Unusable;
                    use_small = false;
                }
                Asked::Truncated => {
                    sock.drain();
                    return Err(EINVAL);
                }
                Asked::Overrun => {
                    sock.drain();
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
        self.small = match open_socket(len) {
            Ok(s) => Small::Open(s),
            Err(_) => Small::Unusable,
        };
    }

    /// Whether the small-buffer socket is open (opening it on first use).
    fn small_conn(&mut self) -> bool {
        if let Small::Untried = self.small {
            self.set_dump_buffer(goodsize());
        }
        matches!(self.small, Small::Open(_))
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
    /// request (see [`crate::netlink::socket::BatchAnswers`]: only the
    /// last request asks for an ACK). Requests whose answer never came
    /// because the receive failed report [`OUTCOME_UNKNOWN`]: the kernel
    /// may have applied them.
    fn execute_batch(&mut self, reqs: &[Request]) -> Vec<Result<(), Errno>> {
        let first = self.seq.peek();
        let mut buf = Vec::with_capacity(reqs.len() * 128);
        let last = reqs.len().saturating_sub(1);
        for (i, r) in reqs.iter().enumerate() {
            let seq = self.next_seq();
            let flags = if i == last {
                NLM_F_REQUEST | NLM_F_ACK
            } else {
                NLM_F_REQUEST
            };
            match encode_request_with(r, self.family, flags, seq, self.conn.pid()) {
                Ok(b) => buf.extend(b),
                Err(_) => return vec![Err(EINVAL); reqs.len()],
            }
        }
        self.conn
            .batch(&buf, first, reqs.len())
            .into_iter()
            .map(answer_result)
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
        let bytes = encode_request(req, self.family, seq, self.conn.pid()).map_err(|_| EINVAL)?;
        self.conn.send_all(&bytes).map_err(|_| EINVAL)?;
        match self.conn.read_until_done(seq, false, |_| Ok(())) {
            Ok(()) => Ok(()),
            Err(Failure::Reply(e)) => Err(e),
            Err(Failure::Malformed) => Err(EINVAL),
            // Sent, but the answer was lost: it may have been applied.
            Err(Failure::Overrun | Failure::Truncated | Failure::Os(_)) => Err(OUTCOME_UNKNOWN),
        }
    }

    fn execute_many(&mut self, reqs: &[Request]) -> Vec<Result<(), Errno>> {
        let mut out = Vec::with_capacity(reqs.len());
        for chunk in reqs.chunks(BATCH) {
            out.extend(self.execute_batch(chunk));
        }
        out
    }

    /// Fetches ahead: threads of this process ask the kernel for the
    /// services' destinations, one dump after another on their
    /// connection, while the caller's thread runs `each` on those already
    /// in (a listing formats and writes them): the work overlaps instead
    /// of adding up. At most [`AHEAD`] groups of services per thread wait
    /// in between, so memory stays that of a few services, not of the
    /// table. A short list, or a thread that cannot be started, is done
    /// in turn on this thread.
    fn dests_each(&mut self, svcs: &[Service], each: &mut DestsSink<'_>) {
        if svcs.len() < AHEAD_MIN || !self.dests_ahead(svcs, each) {
            dests_each_in_turn(self, svcs, each);
        }
    }

    /// A first batch that is full starts a thread of this process that
    /// sends the batches while the caller's thread prepares the next (a
    /// restore reads and parses its following lines) and reports the
    /// last: the kernel's work and ours overlap. A short first batch (a
    /// few lines), or a thread that cannot be started, goes in turn.
    fn execute_stream(&mut self, next: &mut BatchSource<'_>, done: &mut BatchSink<'_>) {
        let Some(first) = next() else {
            return;
        };
        let first = if first.len() < BATCH {
            Some(first)
        } else {
            self.stream_ahead(first, next, done)
        };
        if let Some(batch) = first {
            let results = self.execute_many(&batch);
            done(batch, results);
            execute_stream_in_turn(self, next, done);
        }
    }
}

/// Services whose destinations are handed over together: one wake-up of
/// the other thread per group, not per service.
const AHEAD_GROUP: usize = 32;
/// Groups that may wait for `each`, per fetching thread.
const AHEAD: usize = 2;
/// Below this many services, fetching ahead is not worth its threads:
/// starting them and a second connection costs about what they save
/// (measured under TCG at 1,000 services), and their stacks and
/// allocator arenas add a few hundred KiB to a small listing's memory.
const AHEAD_MIN: usize = 2000;
/// The second fetching connection's main receive buffer (its replies are
/// the family's description and GET_INFO's, a few hundred bytes).
const SECOND_RECV_BUF: usize = 16 << 10;

impl GenlIpvs {
    /// [`Ipvs::execute_stream`] with a sending thread, `first` the first
    /// batch; gives `first` back (nothing done) when the thread could not
    /// be started. One batch is sent while the next is prepared; at most
    /// two wait to be reported.
    fn stream_ahead(
        &mut self,
        first: Vec<Request>,
        next: &mut BatchSource<'_>,
        done: &mut BatchSink<'_>,
    ) -> Option<Vec<Request>> {
        let (to_send, sending) = std::sync::mpsc::sync_channel::<Vec<Request>>(1);
        let (sent, results) = std::sync::mpsc::sync_channel(2);
        std::thread::scope(|scope| {
            let me = &mut *self;
            let sender = std::thread::Builder::new()
                .name("ipvs-changes".into())
                .spawn_scoped(scope, move || {
                    for batch in sending {
                        let r = me.execute_many(&batch);
                        if sent.send((batch, r)).is_err() {
                            break;
                        }
                    }
                });
            if sender.is_err() {
                return Some(first);
            }
            let mut queued = 0usize;
            let mut batch = Some(first);
            while let Some(b) = batch.take().or_else(&mut *next) {
                if to_send.send(b).is_err() {
                    break;
                }
                queued += 1;
                // Wait for the one before: the kernel works on this one
                // while `next` prepares the following.
                while queued > 1 {
                    let Ok((b, r)) = results.recv() else { break };
                    done(b, r);
                    queued -= 1;
                }
            }
            drop(to_send);
            for (b, r) in results.iter() {
                done(b, r);
            }
            None
        })
    }

    /// [`Ipvs::dests_each`] with fetching threads: this connection's and,
    /// when a second one opens, that one's, taking groups of services in
    /// turn (the kernel serves two dumps at once in part). False (nothing
    /// done) when a thread could not be started.
    fn dests_ahead(&mut self, svcs: &[Service], each: &mut DestsSink<'_>) -> bool {
        // Its main socket only resolves the family and asks GET_INFO.
        let mut second = GenlIpvs::open_with(SECOND_RECV_BUF).ok();
        let mut conns = vec![&mut *self];
        conns.extend(second.as_mut());
        let n = conns.len();
        std::thread::scope(|scope| {
            let mut rxs = Vec::with_capacity(n);
            for (j, conn) in conns.into_iter().enumerate() {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<_>>(AHEAD);
                let mine = svcs.chunks(AHEAD_GROUP).skip(j).step_by(n);
                let fetcher = std::thread::Builder::new()
                    .name("ipvs-dests".into())
                    .spawn_scoped(scope, move || {
                        for group in mine {
                            let got = group.iter().map(|s| conn.dests(s)).collect();
                            // The receiver gone: the caller stopped.
                            if tx.send(got).is_err() {
                                break;
                            }
                        }
                    });
                if fetcher.is_err() {
                    // Those started stop at their first hand-over.
                    return false;
                }
                rxs.push(rx);
            }
            'groups: for (g, group) in svcs.chunks(AHEAD_GROUP).enumerate() {
                let Some(Ok(got)) = rxs.get(g % n).map(|rx| rx.recv()) else {
                    break;
                };
                for (s, r) in group.iter().zip(got) {
                    if !each(s, r) {
                        break 'groups;
                    }
                }
            }
            // Unblocks fetchers waiting to hand over their next group.
            drop(rxs);
            true
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::errors::{error_text, Op};
    use crate::netlink::socket::BatchAnswers;

    #[test]
    fn lost_answers_are_outcome_unknown() {
        // A batch of three whose receive failed before any answer came.
        let answers = BatchAnswers::new(100, 3, 7).finish();
        let results: Vec<_> = answers.into_iter().map(answer_result).collect();
        assert_eq!(results, vec![Err(OUTCOME_UNKNOWN); 3]);
        let text = error_text(Op::AddService, OUTCOME_UNKNOWN);
        assert_eq!(
            text,
            "Outcome unknown: no answer from the kernel (the change may have been applied)"
        );
        assert_eq!(
            answer_result(Answer::Refused(libc::EEXIST)),
            Err(libc::EEXIST)
        );
        assert_eq!(answer_result(Answer::NotSent(libc::EPERM)), Err(EINVAL));
        assert_eq!(answer_result(Answer::Ok), Ok(()));
    }

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
