//! nf_tables rule expressions as libnftnl 1.2 writes them (pure).
//!
//! Encoding follows libnftnl's attribute order byte for byte (e.g. `meta`
//! writes DREG before KEY, `bitwise` writes OP only when the kernel reported
//! one), so re-sending a dumped rule (as iptables does for `-D`) and sending a
//! freshly built one both match iptables-nft 1.8.9. Expressions we do not
//! model are kept as raw attribute bytes and re-emitted unchanged.

use super::nl::{self, Writer};

const NFTA_LIST_ELEM: u16 = 1;
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;
const NFTA_DATA_VALUE: u16 = 1;
const NFTA_DATA_VERDICT: u16 = 2;

/// Comparison operators (`enum nft_cmp_ops`).
pub const CMP_EQ: u32 = 0;
pub const CMP_NEQ: u32 = 1;
pub const CMP_LTE: u32 = 3;
pub const CMP_GT: u32 = 4;
/// `enum nft_range_ops`.
pub const RANGE_EQ: u32 = 0;
pub const RANGE_NEQ: u32 = 1;
/// `enum nft_meta_keys` we use.
pub const META_IIFNAME: u32 = 6;
pub const META_OIFNAME: u32 = 7;
pub const META_L4PROTO: u32 = 16;
/// `enum nft_payload_bases`.
pub const BASE_NETWORK: u32 = 1;
pub const BASE_TRANSPORT: u32 = 2;
/// Register 1 (NFT_REG_1).
pub const REG1: u32 = 1;

/// One expression of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Meta {
        key: u32,
        dreg: u32,
    },
    Cmp {
        sreg: u32,
        op: u32,
        data: Vec<u8>,
    },
    Payload {
        dreg: u32,
        base: u32,
        offset: u32,
        len: u32,
    },
    Bitwise {
        sreg: u32,
        dreg: u32,
        op: Option<u32>,
        len: u32,
        mask: Vec<u8>,
        xor: Vec<u8>,
    },
    Range {
        sreg: u32,
        op: u32,
        from: Vec<u8>,
        to: Vec<u8>,
    },
    Counter {
        bytes: u64,
        packets: u64,
    },
    Match {
        name: String,
        rev: u32,
        info: Vec<u8>,
    },
    Target {
        name: String,
        rev: u32,
        info: Vec<u8>,
    },
    /// A verdict in register 0 (`-j ACCEPT`, `-j chain`, …).
    Verdict {
        code: i32,
        chain: Option<String>,
    },
    /// Anything else: the expression's name and raw DATA attributes.
    Other {
        name: String,
        data: Option<Vec<u8>>,
    },
}

fn value_nest(w: &mut Writer, ty: u16, data: &[u8]) {
    let n = w.nest_begin(ty);
    w.attr(NFTA_DATA_VALUE, data);
    w.nest_end(n);
}

impl Expr {
    /// Writes this expression as one NFTA_LIST_ELEM.
    pub fn encode(&self, w: &mut Writer) {
        let elem = w.nest_begin(NFTA_LIST_ELEM);
        w.attr_str(NFTA_EXPR_NAME, self.name());
        match self {
            Expr::Other { data: None, .. } => {}
            Expr::Other { data: Some(d), .. } => {
                let n = w.nest_begin(NFTA_EXPR_DATA);
                w.buf.extend_from_slice(d);
                w.nest_end(n);
            }
            _ => {
                let n = w.nest_begin(NFTA_EXPR_DATA);
                self.encode_data(w);
                w.nest_end(n);
            }
        }
        w.nest_end(elem);
    }

    pub fn name(&self) -> &str {
        match self {
            Expr::Meta { .. } => "meta",
            Expr::Cmp { .. } => "cmp",
            Expr::Payload { .. } => "payload",
            Expr::Bitwise { .. } => "bitwise",
            Expr::Range { .. } => "range",
            Expr::Counter { .. } => "counter",
            Expr::Match { .. } => "match",
            Expr::Target { .. } => "target",
            Expr::Verdict { .. } => "immediate",
            Expr::Other { name, .. } => name,
        }
    }

    fn encode_data(&self, w: &mut Writer) {
        match self {
            Expr::Meta { key, dreg } => {
                w.attr_u32(2, *key);
                w.attr_u32(1, *dreg);
            }
            Expr::Cmp { sreg, op, data } => {
                w.attr_u32(1, *sreg);
                w.attr_u32(2, *op);
                value_nest(w, 3, data);
            }
            Expr::Payload {
                dreg,
                base,
                offset,
                len,
            } => {
                w.attr_u32(1, *dreg);
                w.attr_u32(2, *base);
                w.attr_u32(3, *offset);
                w.attr_u32(4, *len);
            }
            Expr::Bitwise {
                sreg,
                dreg,
                op,
                len,
                mask,
                xor,
            } => {
                w.attr_u32(1, *sreg);
                w.attr_u32(2, *dreg);
                if let Some(op) = op {
                    w.attr_u32(6, *op);
                }
                w.attr_u32(3, *len);
                value_nest(w, 4, mask);
                value_nest(w, 5, xor);
            }
            Expr::Range { sreg, op, from, to } => {
                w.attr_u32(1, *sreg);
                w.attr_u32(2, *op);
                value_nest(w, 3, from);
                value_nest(w, 4, to);
            }
            Expr::Counter { bytes, packets } => {
                w.attr_u64(1, *bytes);
                w.attr_u64(2, *packets);
            }
            Expr::Match { name, rev, info } | Expr::Target { name, rev, info } => {
                w.attr_str(1, name);
                w.attr_u32(2, *rev);
                w.attr(3, info);
            }
            Expr::Verdict { code, chain } => {
                w.attr_u32(1, 0);
                let d = w.nest_begin(2);
                let v = w.nest_begin(NFTA_DATA_VERDICT);
                w.attr_u32(1, *code as u32);
                if let Some(c) = chain {
                    w.attr_str(2, c);
                }
                w.nest_end(v);
                w.nest_end(d);
            }
            Expr::Other { .. } => {}
        }
    }

    /// Parses one NFTA_LIST_ELEM payload as the kernel dumps it.
    pub fn decode(elem: &[u8]) -> Option<Expr> {
        let name = nl::str_of(nl::find(elem, NFTA_EXPR_NAME)?);
        let data = nl::find(elem, NFTA_EXPR_DATA);
        let other = || Expr::Other {
            name: name.clone(),
            data: data.map(|d| d.to_vec()),
        };
        let Some(d) = data else {
            return Some(other());
        };
        let u = |t: u16| nl::find(d, t).and_then(nl::be_u32);
        let val = |t: u16| {
            nl::find(d, t)
                .and_then(|n| nl::find(n, NFTA_DATA_VALUE))
                .map(|v| v.to_vec())
        };
        let parsed = match name.as_str() {
            "meta" => (|| {
                Some(Expr::Meta {
                    key: u(2)?,
                    dreg: u(1)?,
                })
            })(),
            "cmp" => (|| {
                Some(Expr::Cmp {
                    sreg: u(1)?,
                    op: u(2)?,
                    data: val(3)?,
                })
            })(),
            "payload" => (|| {
                if nl::find(d, 5).is_some() {
                    return None; // payload set (SREG): not a match
                }
                Some(Expr::Payload {
                    dreg: u(1)?,
                    base: u(2)?,
                    offset: u(3)?,
                    len: u(4)?,
                })
            })(),
            "bitwise" => (|| {
                Some(Expr::Bitwise {
                    sreg: u(1)?,
                    dreg: u(2)?,
                    op: u(6),
                    len: u(3)?,
                    mask: val(4)?,
                    xor: val(5)?,
                })
            })(),
            "range" => (|| {
                Some(Expr::Range {
                    sreg: u(1)?,
                    op: u(2)?,
                    from: val(3)?,
                    to: val(4)?,
                })
            })(),
            "counter" => (|| {
                Some(Expr::Counter {
                    bytes: nl::be_u64(nl::find(d, 1)?)?,
                    packets: nl::be_u64(nl::find(d, 2)?)?,
                })
            })(),
            "match" | "target" => (|| {
                let n = nl::str_of(nl::find(d, 1)?);
                let rev = u(2)?;
                let info = nl::find(d, 3)?.to_vec();
                Some(if name == "match" {
                    Expr::Match { name: n, rev, info }
                } else {
                    Expr::Target { name: n, rev, info }
                })
            })(),
            "immediate" => (|| {
                if u(1)? != 0 {
                    return None;
                }
                let v = nl::find(nl::find(d, 2)?, NFTA_DATA_VERDICT)?;
                let code = nl::be_u32(nl::find(v, 1)?)? as i32;
                let chain = nl::find(v, 2).map(nl::str_of);
                Some(Expr::Verdict { code, chain })
            })(),
            _ => None,
        };
        Some(parsed.unwrap_or_else(other))
    }
}

/// Parses the NFTA_RULE_EXPRESSIONS payload into expressions.
pub fn decode_list(list: &[u8]) -> Vec<Expr> {
    nl::attrs(list)
        .filter(|(t, _)| *t == NFTA_LIST_ELEM)
        .filter_map(|(_, e)| Expr::decode(e))
        .collect()
}
