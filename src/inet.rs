//! Address text and masks with the C library's rules, shared by every
//! layer that reads or writes addresses: glibc's `inet_pton` for IPv4 and
//! IPv6 (the grammar's service addresses, the `-L -c` connection table),
//! and prefix lengths ↔ byte masks.
//!
//! Pure: no lookups, no allocation beyond the returned mask, never panics.

/// glibc `inet_pton(AF_INET)`: exactly four decimal octets, no leading
/// zeros, nothing else.
pub fn pton4(s: impl AsRef<[u8]>) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0usize;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &c in s.as_ref() {
        if c.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            cur = cur * 10 + u32::from(c - b'0');
            if cur > 255 {
                return None;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            *out.get_mut(octets - 1)? = cur as u8;
        } else if c == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    if octets < 4 {
        return None;
    }
    Some(out)
}

/// Stores one finished 16-bit group at `tp`, or fails when it is full.
fn put_group(tmp: &mut [u8; 16], tp: &mut usize, val: u32) -> Option<()> {
    if *tp + 2 > 16 {
        return None;
    }
    *tmp.get_mut(*tp)? = (val >> 8) as u8;
    *tmp.get_mut(*tp + 1)? = val as u8;
    *tp += 2;
    Some(())
}

/// glibc `inet_pton(AF_INET6)`: up to eight groups of up to four hex
/// digits, one `::`, an optional dotted-quad tail.
pub fn pton6(s: impl AsRef<[u8]>) -> Option<[u8; 16]> {
    let b = s.as_ref();
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0usize;
    if b.is_empty() {
        return None;
    }
    if b.first() == Some(&b':') {
        i += 1;
        if b.get(i) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut xdigits = 0usize;
    let mut val: u32 = 0;
    while let Some(&ch) = b.get(i) {
        i += 1;
        if let Some(d) = (ch as char).to_digit(16) {
            if xdigits == 4 {
                return None;
            }
            val = (val << 4) | d;
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == b.len() {
                return None;
            }
            put_group(&mut tmp, &mut tp, val)?;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(v4) = b.get(curtok..).and_then(pton4) {
                tmp.get_mut(tp..tp + 4)?.copy_from_slice(&v4);
                tp += 4;
                xdigits = 0;
                break;
            }
        }
        return None;
    }
    if xdigits > 0 {
        put_group(&mut tmp, &mut tp, val)?;
    }
    if let Some(cp) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - cp;
        let mut out = [0u8; 16];
        out.get_mut(..cp)?.copy_from_slice(tmp.get(..cp)?);
        out.get_mut(16 - n..)?.copy_from_slice(tmp.get(cp..tp)?);
        return Some(out);
    }
    if tp != 16 {
        return None;
    }
    Some(tmp)
}

/// The `len`-byte mask of a prefix length: `bits` leading one bits (all
/// ones when `bits` ≥ 8 × `len`). E.g. (20, 4) → ff.ff.f0.00.
pub fn prefix_mask(bits: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let start = u32::try_from(i).unwrap_or(u32::MAX).saturating_mul(8);
            if bits >= start.saturating_add(8) {
                0xff
            } else if bits <= start {
                0
            } else {
                0xffu8 << (8 - (bits - start))
            }
        })
        .collect()
}

/// The prefix length of a contiguous mask (leading ones, then zeros), or
/// `None` when the mask has a one after a zero.
pub fn mask_prefix(mask: &[u8]) -> Option<u32> {
    let bits: u32 = mask.iter().map(|b| b.count_ones()).sum();
    (prefix_mask(bits, mask.len()) == mask).then_some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pton_takes_text_or_bytes() {
        assert_eq!(pton4("10.0.0.1"), Some([10, 0, 0, 1]));
        assert_eq!(pton4(b"10.0.0.1"), Some([10, 0, 0, 1]));
        assert_eq!(pton4(b"10.0.0.1\xff"), None);
        assert_eq!(pton6(b"::1\xff"), None);
        let mut v4mapped = [0u8; 16];
        v4mapped[10..].copy_from_slice(&[0xff, 0xff, 1, 2, 3, 4]);
        assert_eq!(pton6("::ffff:1.2.3.4"), Some(v4mapped));
    }

    #[test]
    fn masks_and_prefixes() {
        assert_eq!(prefix_mask(20, 4), [0xff, 0xff, 0xf0, 0]);
        assert_eq!(prefix_mask(0, 4), [0; 4]);
        assert_eq!(prefix_mask(32, 4), [0xff; 4]);
        assert_eq!(prefix_mask(99, 4), [0xff; 4]);
        assert_eq!(
            prefix_mask(65, 16)[..9],
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80]
        );
        assert_eq!(prefix_mask(8, 0), Vec::<u8>::new());
        for bits in 0..=128 {
            assert_eq!(mask_prefix(&prefix_mask(bits, 16)), Some(bits));
        }
        assert_eq!(mask_prefix(&[0xff, 0, 0xff, 0]), None);
        assert_eq!(mask_prefix(&[0xfe, 0x80, 0, 0]), None);
        assert_eq!(mask_prefix(&[]), Some(0));
    }
}
