//! nf_tables rule expressions as libnftnl 1.2 writes them (pure).
//!
//! Encoding follows libnftnl's attribute order byte for byte (e.g. `meta`
//! writes DREG before KEY, `bitwise` writes OP only when the kernel reported
//! one), so re-sending a dumped rule (as iptables does for `-D`) and sending a
//! freshly built one both match iptables-nft 1.8.9. Expressions we do not
//! model are kept as raw attribute bytes and re-emitted unchanged.

use super::attrs::{
    bitwise, cmp, counter, data, expr, immediate, list, meta, payload, range, verdict, xt,
};
use super::{be_u32, be_u64, find, nest_begin, str_of};
use crate::netlink::attr::attrs;
use crate::netlink::Writer;

use super::attrs::REG_VERDICT;
pub use super::attrs::{
    BASE_NETWORK, BASE_TRANSPORT, CMP_EQ, CMP_GT, CMP_LTE, CMP_NEQ, META_IIFNAME, META_L4PROTO,
    META_OIFNAME, RANGE_EQ, RANGE_NEQ, REG1,
};

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

/// A nest `kind` holding one `NFTA_DATA_VALUE`.
fn value_nest(w: &mut Writer, kind: u16, value: &[u8]) {
    let n = nest_begin(w, kind);
    w.put(data::VALUE, value);
    w.nest_end(n);
}

impl Expr {
    /// Writes this expression as one NFTA_LIST_ELEM.
    pub fn encode(&self, w: &mut Writer) {
        let elem = nest_begin(w, list::ELEM);
        w.put_str(expr::NAME, self.name());
        match self {
            Expr::Other { data: None, .. } => {}
            Expr::Other { data: Some(d), .. } => {
                let n = nest_begin(w, expr::DATA);
                w.raw(d);
                w.nest_end(n);
            }
            _ => {
                let n = nest_begin(w, expr::DATA);
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
                w.put_be32(meta::KEY, *key);
                w.put_be32(meta::DREG, *dreg);
            }
            Expr::Cmp { sreg, op, data } => {
                w.put_be32(cmp::SREG, *sreg);
                w.put_be32(cmp::OP, *op);
                value_nest(w, cmp::DATA, data);
            }
            Expr::Payload {
                dreg,
                base,
                offset,
                len,
            } => {
                w.put_be32(payload::DREG, *dreg);
                w.put_be32(payload::BASE, *base);
                w.put_be32(payload::OFFSET, *offset);
                w.put_be32(payload::LEN, *len);
            }
            Expr::Bitwise {
                sreg,
                dreg,
                op,
                len,
                mask,
                xor,
            } => {
                w.put_be32(bitwise::SREG, *sreg);
                w.put_be32(bitwise::DREG, *dreg);
                if let Some(op) = op {
                    w.put_be32(bitwise::OP, *op);
                }
                w.put_be32(bitwise::LEN, *len);
                value_nest(w, bitwise::MASK, mask);
                value_nest(w, bitwise::XOR, xor);
            }
            Expr::Range { sreg, op, from, to } => {
                w.put_be32(range::SREG, *sreg);
                w.put_be32(range::OP, *op);
                value_nest(w, range::FROM_DATA, from);
                value_nest(w, range::TO_DATA, to);
            }
            Expr::Counter { bytes, packets } => {
                w.put_be64(counter::BYTES, *bytes);
                w.put_be64(counter::PACKETS, *packets);
            }
            Expr::Match { name, rev, info } | Expr::Target { name, rev, info } => {
                w.put_str(xt::NAME, name);
                w.put_be32(xt::REV, *rev);
                w.put(xt::INFO, info);
            }
            Expr::Verdict { code, chain } => {
                w.put_be32(immediate::DREG, REG_VERDICT);
                let d = nest_begin(w, immediate::DATA);
                let v = nest_begin(w, data::VERDICT);
                w.put_be32(verdict::CODE, *code as u32);
                if let Some(c) = chain {
                    w.put_str(verdict::CHAIN, c);
                }
                w.nest_end(v);
                w.nest_end(d);
            }
            Expr::Other { .. } => {}
        }
    }

    /// Parses one NFTA_LIST_ELEM payload as the kernel dumps it.
    pub fn decode(elem: &[u8]) -> Option<Expr> {
        let name = str_of(find(elem, expr::NAME)?);
        let d = find(elem, expr::DATA);
        let other = || Expr::Other {
            name: name.clone(),
            data: d.map(|d| d.to_vec()),
        };
        let Some(d) = d else {
            return Some(other());
        };
        Some(decode_data(&name, d).unwrap_or_else(other))
    }
}

/// The expression `name` from its DATA attributes; `None` when they do
/// not have the shape we model.
fn decode_data(name: &str, d: &[u8]) -> Option<Expr> {
    let u = |t: u16| find(d, t).and_then(be_u32);
    let val = |t: u16| {
        find(d, t)
            .and_then(|n| find(n, data::VALUE))
            .map(|v| v.to_vec())
    };
    match name {
        "meta" => Some(Expr::Meta {
            key: u(meta::KEY)?,
            dreg: u(meta::DREG)?,
        }),
        "cmp" => Some(Expr::Cmp {
            sreg: u(cmp::SREG)?,
            op: u(cmp::OP)?,
            data: val(cmp::DATA)?,
        }),
        "payload" => {
            if find(d, payload::SREG).is_some() {
                return None; // payload set (SREG): not a match
            }
            Some(Expr::Payload {
                dreg: u(payload::DREG)?,
                base: u(payload::BASE)?,
                offset: u(payload::OFFSET)?,
                len: u(payload::LEN)?,
            })
        }
        "bitwise" => Some(Expr::Bitwise {
            sreg: u(bitwise::SREG)?,
            dreg: u(bitwise::DREG)?,
            op: u(bitwise::OP),
            len: u(bitwise::LEN)?,
            mask: val(bitwise::MASK)?,
            xor: val(bitwise::XOR)?,
        }),
        "range" => Some(Expr::Range {
            sreg: u(range::SREG)?,
            op: u(range::OP)?,
            from: val(range::FROM_DATA)?,
            to: val(range::TO_DATA)?,
        }),
        "counter" => Some(Expr::Counter {
            bytes: be_u64(find(d, counter::BYTES)?)?,
            packets: be_u64(find(d, counter::PACKETS)?)?,
        }),
        "match" | "target" => {
            let n = str_of(find(d, xt::NAME)?);
            let rev = u(xt::REV)?;
            let info = find(d, xt::INFO)?.to_vec();
            Some(if name == "match" {
                Expr::Match { name: n, rev, info }
            } else {
                Expr::Target { name: n, rev, info }
            })
        }
        "immediate" => {
            if u(immediate::DREG)? != REG_VERDICT {
                return None;
            }
            let v = find(find(d, immediate::DATA)?, data::VERDICT)?;
            let code = be_u32(find(v, verdict::CODE)?)? as i32;
            let chain = find(v, verdict::CHAIN).map(str_of);
            Some(Expr::Verdict { code, chain })
        }
        _ => None,
    }
}

/// Parses the NFTA_RULE_EXPRESSIONS payload into expressions.
pub fn decode_list(list_attr: &[u8]) -> Vec<Expr> {
    attrs(list_attr)
        .filter(|(t, _)| *t == list::ELEM)
        .filter_map(|(_, e)| Expr::decode(e))
        .collect()
}

/// Writes `exprs` as an NFTA_RULE_EXPRESSIONS nest.
pub fn encode_list(w: &mut Writer, exprs: &[Expr]) {
    let n = nest_begin(w, super::attrs::rule::EXPRESSIONS);
    for e in exprs {
        e.encode(w);
    }
    w.nest_end(n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_round_trip() {
        let exprs = vec![
            Expr::Meta {
                key: META_L4PROTO,
                dreg: REG1,
            },
            Expr::Cmp {
                sreg: REG1,
                op: CMP_EQ,
                data: vec![6],
            },
            Expr::Counter {
                bytes: 1,
                packets: 2,
            },
            Expr::Verdict {
                code: -3,
                chain: Some("x".into()),
            },
            Expr::Other {
                name: "quota".into(),
                data: Some(vec![8, 0, 1, 0, 0, 0, 0, 1]),
            },
        ];
        let mut w = Writer::new();
        encode_list(&mut w, &exprs);
        let b = w.finish().unwrap();
        let list_attr = find(&b, super::super::attrs::rule::EXPRESSIONS).unwrap();
        assert_eq!(decode_list(list_attr), exprs);
        for cut in 0..b.len() {
            let _ = decode_list(&b[..cut]);
            let _ = decode_list(b.get(4..cut.max(4)).unwrap_or(&[]));
        }
    }
}
