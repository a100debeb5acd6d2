//! The NETLINK_NETFILTER socket of `ipvsadm mark`: generation id,
//! table/chain/rule dumps into a [`TableState`], and sending one batch.
//!
//! The socket, its receive buffer, sequence matching and dumps are the
//! shared [`crate::netlink::socket`]; message bytes come from the
//! nf_tables codec ([`crate::nftables`]) because the batches must match
//! iptables-nft's byte for byte.

use super::plan::{ChainState, StoredRule, TableState, TABLE};
use super::rule::Family;
use crate::netlink::msg::{NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use crate::netlink::socket::{Failure, Recv, Sequence, Socket};
use crate::netlink::{split, Writer};
use crate::nftables::attrs::{chain, counter, gen, hook, rule, table};
use crate::nftables::expr::decode_list;
use crate::nftables::{be_u32, be_u64, begin_msg, body_attrs, find, nft_type, str_of, NftMsg};
use neli::consts::socket::NlFamily;

/// Linux ERESTART: the batch's generation id is stale.
pub const ERESTART: i32 = 85;

/// Kernel receive buffer asked for (large dumps); a hint.
const SOCK_RCVBUF: usize = 4 << 20;
/// The reusable user-space receive buffer: dump datagrams are at most
/// 32 KiB, and an error echoes one message of ours (under 64 KiB).
const RECV_BUF: usize = 256 << 10;

/// An open nfnetlink socket.
pub struct Nfnl {
    sock: Socket,
    seq: Sequence,
    /// Sequence number of the batch message the kernel last refused.
    pub failed_seq: Option<u32>,
}

/// The errno of an exchange that did not complete.
fn failure_errno(f: Failure) -> i32 {
    match f {
        Failure::Reply(e) | Failure::Os(e) => e,
        Failure::Malformed => libc::EPROTO,
        Failure::Overrun => libc::ENOBUFS,
        Failure::Truncated => libc::EMSGSIZE,
    }
}

impl Nfnl {
    pub fn open() -> Result<Nfnl, i32> {
        let sock = Socket::open(NlFamily::Netfilter, RECV_BUF)?;
        sock.grow_rcvbuf(SOCK_RCVBUF);
        Ok(Nfnl {
            sock,
            seq: Sequence::from_clock(),
            failed_seq: None,
        })
    }

    fn next_seq(&mut self) -> u32 {
        self.seq.take()
    }

    /// Sends one request with string attributes `attrs` and collects the
    /// attributes (after nfgenmsg) of its replies of type `want`.
    fn transact(
        &mut self,
        msg: NftMsg,
        flags: u16,
        family: u8,
        attrs: &[(u16, &str)],
        want: NftMsg,
    ) -> Result<Vec<Vec<u8>>, i32> {
        let seq = self.next_seq();
        let mut w = Writer::new();
        let m = begin_msg(&mut w, nft_type(msg), flags, seq, family, 0);
        for (t, s) in attrs {
            w.put_str(*t, s);
        }
        w.end_msg(m);
        let bytes = w.finish().map_err(|_| libc::EMSGSIZE)?;
        self.sock.send_all(&bytes)?;
        let want = nft_type(want);
        let mut out = Vec::new();
        self.sock
            .read_until_done(seq, flags & NLM_F_DUMP != 0, |m| {
                if m.hdr.ty == want {
                    out.push(body_attrs(m.body).unwrap_or(&[]).to_vec());
                }
                Ok(())
            })
            .map_err(failure_errno)?;
        Ok(out)
    }

    /// NFT_MSG_GETGEN: the ruleset generation id.
    pub fn genid(&mut self) -> Result<u32, i32> {
        let flags = NLM_F_REQUEST | NLM_F_ACK;
        let r = self.transact(NftMsg::GetGen, flags, 0, &[], NftMsg::NewGen)?;
        r.first()
            .and_then(|a| find(a, gen::ID))
            .and_then(be_u32)
            .ok_or(libc::EPROTO)
    }

    /// Dumps the mangle table of `family` (table, chains, rules).
    pub fn load(&mut self, family: Family) -> Result<TableState, i32> {
        let fam = family.nfproto();
        let dump = NLM_F_REQUEST | NLM_F_DUMP;
        let tables = self.transact(NftMsg::GetTable, dump, fam, &[], NftMsg::NewTable)?;
        let exists = tables
            .iter()
            .any(|a| find(a, table::NAME).map(str_of).as_deref() == Some(TABLE));
        let mut state = TableState {
            exists,
            chains: Vec::new(),
        };
        if !exists {
            return Ok(state);
        }
        let by_table = [(chain::TABLE, TABLE)];
        let chains = self.transact(NftMsg::GetChain, dump, fam, &by_table, NftMsg::NewChain)?;
        state.chains = chains.iter().filter_map(|a| chain_state(a)).collect();
        let by_table = [(rule::TABLE, TABLE)];
        let rules = self.transact(NftMsg::GetRule, dump, fam, &by_table, NftMsg::NewRule)?;
        for a in &rules {
            let Some((chain, stored)) = stored_rule(a) else {
                continue;
            };
            if let Some(c) = state.chains.iter_mut().find(|c| c.name == chain) {
                c.rules.push(stored);
            }
        }
        Ok(state)
    }

    /// Sends a batch built with sequence numbers from [`Nfnl::batch_seq`] and
    /// reports the first error the kernel queued for it.
    pub fn send_batch(&mut self, batch: &[u8]) -> Result<(), i32> {
        self.sock.send_all(batch)?;
        loop {
            let n = match self.sock.recv(true)? {
                Recv::Data(n) => n,
                Recv::Empty => return Ok(()),
                Recv::Overrun => return Err(libc::ENOBUFS),
                Recv::Truncated => return Err(libc::EMSGSIZE),
            };
            for msg in split(self.sock.data(n)).map_while(Result::ok) {
                if msg.hdr.ty != NLMSG_ERROR {
                    continue;
                }
                let code = msg.error_code().unwrap_or(0);
                if code != 0 {
                    // The refused message's header follows the code.
                    self.failed_seq = msg.error_seq().ok();
                    return Err(code);
                }
            }
        }
    }

    /// Reserves `n` sequence numbers for a batch and returns the first.
    pub fn batch_seq(&mut self, n: u32) -> u32 {
        let first = self.seq.take();
        self.seq.skip(n);
        first
    }
}

/// A chain of our table from a NEWCHAIN's attributes.
fn chain_state(a: &[u8]) -> Option<ChainState> {
    if find(a, chain::TABLE).map(str_of).as_deref() != Some(TABLE) {
        return None;
    }
    let name = find(a, chain::NAME).map(str_of)?;
    let base = find(a, chain::HOOK).and_then(|h| {
        let num = be_u32(find(h, hook::HOOKNUM)?)?;
        let prio = be_u32(find(h, hook::PRIORITY)?)? as i32;
        let kind = find(a, chain::TYPE).map(str_of).unwrap_or_default();
        Some((num, prio, kind))
    });
    let policy = find(a, chain::POLICY).and_then(be_u32);
    let counters = find(a, chain::COUNTERS)
        .map(|c| {
            let bytes = find(c, counter::BYTES).and_then(be_u64).unwrap_or(0);
            let packets = find(c, counter::PACKETS).and_then(be_u64).unwrap_or(0);
            (packets, bytes)
        })
        .unwrap_or((0, 0));
    Some(ChainState {
        name,
        handle: find(a, chain::HANDLE).and_then(be_u64).unwrap_or(0),
        use_count: find(a, chain::USE).and_then(be_u32),
        // NFTA_CHAIN_FLAGS.
        flags: find(a, 10).and_then(be_u32),
        base,
        policy,
        counters,
        rules: Vec::new(),
    })
}

/// A rule of our table from a NEWRULE's attributes, with its chain.
fn stored_rule(a: &[u8]) -> Option<(String, StoredRule)> {
    if find(a, rule::TABLE).map(str_of).as_deref() != Some(TABLE) {
        return None;
    }
    let chain = find(a, rule::CHAIN).map(str_of)?;
    let handle = find(a, rule::HANDLE).and_then(be_u64)?;
    let exprs = find(a, rule::EXPRESSIONS)
        .map(decode_list)
        .unwrap_or_default();
    let userdata = find(a, rule::USERDATA).map(|u| u.to_vec());
    Some((
        chain,
        StoredRule {
            handle,
            exprs,
            userdata,
        },
    ))
}
