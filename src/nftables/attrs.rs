//! nf_tables attribute numbers, one module per attribute space, named
//! after `<linux/netfilter/nf_tables.h>` (`NFTA_TABLE_NAME` is
//! [`table::NAME`], and so on), plus the enumerations whose values travel
//! in attributes (comparison operators, meta keys, payload bases, …).

/// `NFTA_TABLE_*`.
pub mod table {
    pub const NAME: u16 = 1;
    pub const FLAGS: u16 = 2;
    pub const USE: u16 = 3;
    pub const HANDLE: u16 = 4;
}

/// `NFTA_CHAIN_*`.
pub mod chain {
    pub const TABLE: u16 = 1;
    pub const HANDLE: u16 = 2;
    pub const NAME: u16 = 3;
    pub const HOOK: u16 = 4;
    pub const POLICY: u16 = 5;
    pub const USE: u16 = 6;
    pub const TYPE: u16 = 7;
    pub const COUNTERS: u16 = 8;
}

/// `NFTA_HOOK_*` (inside [`chain::HOOK`]).
pub mod hook {
    pub const HOOKNUM: u16 = 1;
    pub const PRIORITY: u16 = 2;
    pub const DEV: u16 = 3;
}

/// `NFTA_COUNTER_*` (chain counters and the counter expression).
pub mod counter {
    pub const BYTES: u16 = 1;
    pub const PACKETS: u16 = 2;
}

/// `NFTA_RULE_*`.
pub mod rule {
    pub const TABLE: u16 = 1;
    pub const CHAIN: u16 = 2;
    pub const HANDLE: u16 = 3;
    pub const EXPRESSIONS: u16 = 4;
    pub const COMPAT: u16 = 5;
    pub const POSITION: u16 = 6;
    pub const USERDATA: u16 = 7;
    pub const ID: u16 = 9;
    pub const POSITION_ID: u16 = 10;
}

/// `NFTA_RULE_COMPAT_*` (inside [`rule::COMPAT`]).
pub mod rule_compat {
    pub const PROTO: u16 = 1;
    pub const FLAGS: u16 = 2;
}

/// `NFTA_LIST_*` (the members of [`rule::EXPRESSIONS`]).
pub mod list {
    pub const ELEM: u16 = 1;
}

/// `NFTA_EXPR_*` (one expression).
pub mod expr {
    pub const NAME: u16 = 1;
    pub const DATA: u16 = 2;
}

/// `NFTA_DATA_*` (a value or a verdict).
pub mod data {
    pub const VALUE: u16 = 1;
    pub const VERDICT: u16 = 2;
}

/// `NFTA_VERDICT_*`.
pub mod verdict {
    pub const CODE: u16 = 1;
    pub const CHAIN: u16 = 2;
}

/// `NFTA_META_*`.
pub mod meta {
    pub const DREG: u16 = 1;
    pub const KEY: u16 = 2;
    pub const SREG: u16 = 3;
}

/// `NFTA_CMP_*`.
pub mod cmp {
    pub const SREG: u16 = 1;
    pub const OP: u16 = 2;
    pub const DATA: u16 = 3;
}

/// `NFTA_PAYLOAD_*`.
pub mod payload {
    pub const DREG: u16 = 1;
    pub const BASE: u16 = 2;
    pub const OFFSET: u16 = 3;
    pub const LEN: u16 = 4;
    pub const SREG: u16 = 5;
}

/// `NFTA_BITWISE_*`.
pub mod bitwise {
    pub const SREG: u16 = 1;
    pub const DREG: u16 = 2;
    pub const LEN: u16 = 3;
    pub const MASK: u16 = 4;
    pub const XOR: u16 = 5;
    pub const OP: u16 = 6;
}

/// `NFTA_RANGE_*`.
pub mod range {
    pub const SREG: u16 = 1;
    pub const OP: u16 = 2;
    pub const FROM_DATA: u16 = 3;
    pub const TO_DATA: u16 = 4;
}

/// `NFTA_MATCH_*` and `NFTA_TARGET_*` (the same numbers).
pub mod xt {
    pub const NAME: u16 = 1;
    pub const REV: u16 = 2;
    pub const INFO: u16 = 3;
}

/// `NFTA_IMMEDIATE_*`.
pub mod immediate {
    pub const DREG: u16 = 1;
    pub const DATA: u16 = 2;
}

/// `NFTA_GEN_*`.
pub mod gen {
    pub const ID: u16 = 1;
}

/// `NFNL_BATCH_*` (in the batch-begin message).
pub mod batch {
    pub const GENID: u16 = 1;
}

/// Comparison operators (`enum nft_cmp_ops`).
pub const CMP_EQ: u32 = 0;
pub const CMP_NEQ: u32 = 1;
pub const CMP_LTE: u32 = 3;
pub const CMP_GT: u32 = 4;
/// `enum nft_range_ops`.
pub const RANGE_EQ: u32 = 0;
pub const RANGE_NEQ: u32 = 1;
/// `enum nft_meta_keys` in use.
pub const META_IIFNAME: u32 = 6;
pub const META_OIFNAME: u32 = 7;
pub const META_L4PROTO: u32 = 16;
/// `enum nft_payload_bases`.
pub const BASE_NETWORK: u32 = 1;
pub const BASE_TRANSPORT: u32 = 2;
/// Register 1 (`NFT_REG_1`); the verdict register is `NFT_REG_VERDICT` (0).
pub const REG1: u32 = 1;
pub const REG_VERDICT: u32 = 0;
