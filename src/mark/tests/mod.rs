//! Unit tests of `ipvsadm mark` without a kernel: argv → rule → batch bytes
//! → listing, against the in-memory ruleset ([`super::mem`]) and the
//! batches and listings captured from iptables-nft 1.8.9.

mod chains;
mod fixtures;
mod grammar;
mod matches;
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
