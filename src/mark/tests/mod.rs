//! Unit tests of `ipvsadm mark` without a kernel: argv → rule → batch bytes
//! → listing, against the in-memory ruleset ([`super::mem`]) and the
//! batches and listings captured from iptables-nft 1.8.9.

mod fixtures;
mod grammar;
mod pipeline;
mod pure;

/// Splits a fixture's command line into words (`"…"` quotes a word).
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inq = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '"' => {
                inq = !inq;
                any = true;
            }
            ' ' if !inq => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// A file of tests/fixtures/nft.
pub fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/nft/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// One netlink message of a captured batch.
pub struct Msg<'a> {
    pub ty: u16,
    pub payload: &'a [u8],
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Splits a batch into its messages (stops at the first malformed one).
pub fn messages(buf: &[u8]) -> Vec<Msg<'_>> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while let Some(hdr) = buf.get(off..off + 16) {
        let len = u32::from_ne_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
        if len < 16 {
            break;
        }
        let Some(payload) = buf.get(off + 16..off + len) else {
            break;
        };
        out.push(Msg {
            ty: u16::from_ne_bytes([hdr[4], hdr[5]]),
            payload,
        });
        off += align4(len);
    }
    out
}

/// The payload of the first attribute of type `ty` in `buf`.
pub fn find(buf: &[u8], ty: u16) -> Option<&[u8]> {
    let mut off = 0usize;
    loop {
        let hdr = buf.get(off..off.checked_add(4)?)?;
        let len = u16::from_ne_bytes([hdr[0], hdr[1]]) as usize;
        let t = u16::from_ne_bytes([hdr[2], hdr[3]]) & 0x3fff;
        if len < 4 {
            return None;
        }
        let payload = buf.get(off + 4..off.checked_add(len)?)?;
        if t == ty {
            return Some(payload);
        }
        off = off.checked_add(align4(len))?;
    }
}

pub fn be_u32(p: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(p.get(..4)?.try_into().ok()?))
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
