//! Unit tests of `ipvsadm mark` without a kernel: argv → rule → batch bytes
//! → listing, against the in-memory ruleset ([`super::mem`]) and the
//! batches and listings captured from iptables-nft 1.8.9.

mod chains;
mod fixtures;
mod grammar;
mod matches;
mod pipeline;
mod pure;

/// iptables/ip6tables command line → our argv (`ip6tables` becomes `-6`).
pub fn argv(cmdline: &str) -> Vec<String> {
    let mut w = shell_words(cmdline);
    if w.first().map(String::as_str) == Some("ip6tables") {
        w[0] = "-6".into();
    } else if !w.is_empty() {
        w.remove(0);
    }
    w
}

/// Parses and executes on the in-memory ruleset; the command's stdout, or
/// its error text.
pub fn run(nf: &mut crate::mark::mem::MemNetfilter, argv: &[String]) -> Result<String, String> {
    let c = crate::mark::grammar::parse(argv).map_err(|e| e.text)?;
    crate::mark::execute(&c, nf).map_err(|e| e.text)
}

/// The generation id a captured batch was sent with (its first message's).
pub fn genid_of(batch: &[u8]) -> Option<u32> {
    use crate::nftables::{attrs::batch::GENID, be_u32, body_attrs, find};
    let first = crate::netlink::split(batch).map_while(Result::ok).next()?;
    be_u32(find(body_attrs(first.body)?, GENID)?)
}

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
