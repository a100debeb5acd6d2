//! The nf_tables codec: the nfnetlink framing of nf_tables messages and
//! batches, and the attribute spaces and expressions that `ipvsadm mark`
//! reads and writes, on the shared [`crate::netlink`] layer.
//!
//! Pure byte work, no I/O and nothing from `crate::mark` (the layers go
//! netlink ← codecs ← transports ← commands). Every attribute number has
//! a name here, grouped per attribute space in [`attrs`] as in
//! `<linux/netfilter/nf_tables.h>`. Byte order: the netlink and nfnetlink
//! headers are host order; nf_tables attribute values (and nfgenmsg's
//! `res_id`) are big-endian, so integers go through the `put_be*`/`be_*`
//! helpers; nests always carry `NLA_F_NESTED`, as libnftnl writes them.

pub mod attrs;
pub mod expr;

use crate::netlink::attr;
use crate::netlink::Writer;

/// `NFNL_SUBSYS_NFTABLES`.
pub const NFNL_SUBSYS_NFTABLES: u16 = 10;
/// `NFNETLINK_V0`, the nfgenmsg version.
pub const NFNETLINK_V0: u8 = 0;
/// Length of `struct nfgenmsg`.
pub const NFGENMSG_LEN: usize = 4;

/// nfnetlink batch delimiters (`NFNL_MSG_BATCH_*`).
pub const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
pub const NFNL_MSG_BATCH_END: u16 = 0x11;

/// nf_tables message types (`enum nf_tables_msg_types`), without the
/// subsystem byte; [`nft_type`] makes the wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum NftMsg {
    NewTable = 0,
    GetTable = 1,
    DelTable = 2,
    NewChain = 3,
    GetChain = 4,
    DelChain = 5,
    NewRule = 6,
    GetRule = 7,
    DelRule = 8,
    NewGen = 15,
    GetGen = 16,
}

/// The netlink message type of an nf_tables message.
pub fn nft_type(msg: NftMsg) -> u16 {
    (NFNL_SUBSYS_NFTABLES << 8) | msg as u16
}

/// Starts an nfnetlink message: nlmsghdr (port id 0, the kernel fills it
/// in) and nfgenmsg {family, version 0, res_id big-endian}. End it with
/// [`Writer::end_msg`].
pub fn begin_msg(w: &mut Writer, ty: u16, flags: u16, seq: u32, family: u8, res_id: u16) -> usize {
    let m = w.begin_msg(ty, flags, seq, 0);
    let [r0, r1] = res_id.to_be_bytes();
    w.raw(&[family, NFNETLINK_V0, r0, r1]);
    m
}

/// Opens a nest as libnftnl does (`NLA_F_NESTED` set).
pub fn nest_begin(w: &mut Writer, kind: u16) -> usize {
    w.nest_begin(kind, true)
}

/// The attributes of an nfnetlink message body (after nfgenmsg).
pub fn body_attrs(body: &[u8]) -> Option<&[u8]> {
    body.get(NFGENMSG_LEN..)
}

/// Readers for nf_tables attribute values (big-endian integers, strings)
/// that give `None` on a short or missing payload.
pub fn find(attrs: &[u8], kind: u16) -> Option<&[u8]> {
    attr::find(attrs, kind)
}
pub fn be_u32(p: &[u8]) -> Option<u32> {
    attr::be_u32(p).ok()
}
pub fn be_u64(p: &[u8]) -> Option<u64> {
    attr::be_u64(p).ok()
}
pub fn str_of(p: &[u8]) -> String {
    attr::str_of(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::msg::{split, NLM_F_REQUEST};

    #[test]
    fn nfgenmsg_res_id_is_big_endian() {
        let mut w = Writer::new();
        let m = begin_msg(
            &mut w,
            NFNL_MSG_BATCH_BEGIN,
            NLM_F_REQUEST,
            5,
            0,
            NFNL_SUBSYS_NFTABLES,
        );
        w.put_be32(attrs::batch::GENID, 0x0102_0304);
        w.end_msg(m);
        let b = w.finish().unwrap();
        let msg = split(&b).next().unwrap().unwrap();
        assert_eq!(msg.hdr.ty, NFNL_MSG_BATCH_BEGIN);
        assert_eq!(msg.hdr.len as usize, b.len());
        assert_eq!(msg.body[..4], [0, 0, 0, 10]);
        let a = body_attrs(msg.body).unwrap();
        assert_eq!(
            find(a, attrs::batch::GENID).and_then(be_u32),
            Some(0x0102_0304)
        );
        assert_eq!(b[..4], 28u32.to_ne_bytes());
    }

    #[test]
    fn wire_types() {
        assert_eq!(nft_type(NftMsg::NewRule), 0x0a06);
        assert_eq!(nft_type(NftMsg::GetGen), 0x0a10);
    }
}
