//! The NETLINK_NETFILTER socket: generation id, table/chain/rule dumps into a
//! [`TableState`], and sending one batch. The socket is neli's raw
//! [`NlSocket`]; messages are our own bytes (see [`super::nl`]) because the
//! batches must match iptables-nft's byte for byte.

use super::expr;
use super::nl::{self, Writer, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use super::plan::*;
use super::rule::Family;
use neli::consts::socket::{Msg, NlFamily};
use neli::socket::NlSocket;
use neli::utils::Groups;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// Linux ERESTART: the batch's generation id is stale.
pub const ERESTART: i32 = 85;

/// An open nfnetlink socket.
pub struct Nfnl {
    sock: NlSocket,
    seq: u32,
    /// Sequence number of the batch message the kernel last refused.
    pub failed_seq: Option<u32>,
}

fn os_error(e: std::io::Error) -> i32 {
    match e.kind() {
        std::io::ErrorKind::WouldBlock => libc::EAGAIN,
        _ => e.raw_os_error().unwrap_or(libc::EIO),
    }
}

impl Nfnl {
    pub fn open() -> Result<Nfnl, i32> {
        let sock =
            NlSocket::connect(NlFamily::Netfilter, None, Groups::empty()).map_err(os_error)?;
        // Large dumps: a roomy receive buffer (a hint; failure is harmless).
        let _ = sock.set_recv_buffer_size(4 << 20);
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        Ok(Nfnl {
            sock,
            seq: seed,
            failed_seq: None,
        })
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn send(&self, buf: &[u8]) -> Result<(), i32> {
        self.sock
            .send(buf, Msg::empty())
            .map(|_| ())
            .map_err(os_error)
    }

    fn recv(&self, dontwait: bool) -> Result<Vec<u8>, i32> {
        let mut buf = vec![0u8; 1 << 20];
        let flags = if dontwait {
            Msg::DONTWAIT
        } else {
            Msg::empty()
        };
        loop {
            match self.sock.recv(&mut buf[..], flags) {
                Ok((n, _)) => {
                    buf.truncate(n);
                    return Ok(buf);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(os_error(e)),
            }
        }
    }

    /// Sends one request and collects reply payloads (nfgenmsg onward) of
    /// messages of type `want` until the ack, NLMSG_DONE or an error.
    fn transact(
        &mut self,
        ty: u16,
        flags: u16,
        family: u8,
        attrs: &[(u16, &str)],
        want: u16,
    ) -> Result<Vec<Vec<u8>>, i32> {
        let seq = self.next_seq();
        let mut w = Writer::new();
        let m = w.begin_msg(ty, flags, seq, family, 0);
        for (t, s) in attrs {
            w.attr_str(*t, s);
        }
        w.end_msg(m);
        self.send(&w.buf)?;
        let mut out = Vec::new();
        loop {
            let buf = self.recv(false)?;
            for msg in nl::messages(&buf) {
                if msg.seq != seq {
                    continue;
                }
                match msg.ty {
                    NLMSG_ERROR => {
                        let code = msg
                            .payload
                            .get(..4)
                            .map_or(0, |b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                        if code != 0 {
                            return Err(-code);
                        }
                        return Ok(out);
                    }
                    NLMSG_DONE => return Ok(out),
                    t if t == want => out.push(msg.payload.to_vec()),
                    _ => {}
                }
            }
            if flags & NLM_F_DUMP == 0 && flags & NLM_F_ACK == 0 && !out.is_empty() {
                return Ok(out);
            }
        }
    }

    /// NFT_MSG_GETGEN: the ruleset generation id.
    pub fn genid(&mut self) -> Result<u32, i32> {
        let r = self.transact(
            nft_type(NFT_MSG_GETGEN),
            NLM_F_REQUEST | NLM_F_ACK,
            0,
            &[],
            nft_type(NFT_MSG_NEWGEN),
        )?;
        r.first()
            .and_then(|p| p.get(4..))
            .and_then(|a| nl::find(a, 1))
            .and_then(nl::be_u32)
            .ok_or(libc::EPROTO)
    }

    /// Dumps the mangle table of `family` (table, chains, rules).
    pub fn load(&mut self, family: Family) -> Result<TableState, i32> {
        let fam = family.nfproto();
        let dump = NLM_F_REQUEST | NLM_F_DUMP;
        let tables = self.transact(
            nft_type(NFT_MSG_GETTABLE),
            dump,
            fam,
            &[],
            nft_type(NFT_MSG_NEWTABLE),
        )?;
        let exists = tables
            .iter()
            .filter_map(|p| p.get(4..))
            .any(|a| nl::find(a, 1).map(nl::str_of).as_deref() == Some(TABLE));
        let mut state = TableState {
            exists,
            chains: Vec::new(),
        };
        if !exists {
            return Ok(state);
        }
        let chains = self.transact(
            nft_type(NFT_MSG_GETCHAIN),
            dump,
            fam,
            &[(1, TABLE)],
            nft_type(NFT_MSG_NEWCHAIN),
        )?;
        for p in &chains {
            let Some(a) = p.get(4..) else { continue };
            if nl::find(a, 1).map(nl::str_of).as_deref() != Some(TABLE) {
                continue;
            }
            let Some(name) = nl::find(a, 3).map(nl::str_of) else {
                continue;
            };
            let base = nl::find(a, 4).and_then(|h| {
                let hook = nl::be_u32(nl::find(h, 1)?)?;
                let prio = nl::be_u32(nl::find(h, 2)?)? as i32;
                let kind = nl::find(a, 7).map(nl::str_of).unwrap_or_default();
                Some((hook, prio, kind))
            });
            let policy = nl::find(a, 5).and_then(nl::be_u32);
            let counters = nl::find(a, 8)
                .map(|c| {
                    let bytes = nl::find(c, 1).and_then(nl::be_u64).unwrap_or(0);
                    let packets = nl::find(c, 2).and_then(nl::be_u64).unwrap_or(0);
                    (packets, bytes)
                })
                .unwrap_or((0, 0));
            state.chains.push(ChainState {
                name,
                base,
                policy,
                counters,
                rules: Vec::new(),
            });
        }
        let rules = self.transact(
            nft_type(NFT_MSG_GETRULE),
            dump,
            fam,
            &[(1, TABLE)],
            nft_type(NFT_MSG_NEWRULE),
        )?;
        for p in &rules {
            let Some(a) = p.get(4..) else { continue };
            if nl::find(a, 1).map(nl::str_of).as_deref() != Some(TABLE) {
                continue;
            }
            let (Some(chain), Some(handle)) = (
                nl::find(a, 2).map(nl::str_of),
                nl::find(a, 3).and_then(nl::be_u64),
            ) else {
                continue;
            };
            let exprs = nl::find(a, 4).map(expr::decode_list).unwrap_or_default();
            let userdata = nl::find(a, 7).map(|u| u.to_vec());
            if let Some(c) = state.chains.iter_mut().find(|c| c.name == chain) {
                c.rules.push(StoredRule {
                    handle,
                    exprs,
                    userdata,
                });
            }
        }
        Ok(state)
    }

    /// Sends a batch built with sequence numbers from [`Nfnl::batch_seq`] and
    /// reports the first error the kernel queued for it.
    pub fn send_batch(&mut self, batch: &[u8]) -> Result<(), i32> {
        self.send(batch)?;
        loop {
            match self.recv(true) {
                Ok(buf) => {
                    for msg in nl::messages(&buf) {
                        if msg.ty == NLMSG_ERROR {
                            let code = msg
                                .payload
                                .get(..4)
                                .map_or(0, |b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                            if code != 0 {
                                // The refused message's header follows the code.
                                self.failed_seq = msg
                                    .payload
                                    .get(12..16)
                                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                                return Err(-code);
                            }
                        }
                    }
                }
                Err(e) if e == libc::EAGAIN || e == libc::EWOULDBLOCK => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reserves `n` sequence numbers for a batch and returns the first.
    pub fn batch_seq(&mut self, n: u32) -> u32 {
        let first = self.next_seq();
        self.seq = self.seq.wrapping_add(n);
        first
    }
}
