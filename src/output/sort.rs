//! The listing sort order of ipvsadm 1.31: its service and destination
//! comparisons (32-bit wrapping differences, so not a total order) run by
//! glibc 2.36's `qsort`, which for these arrays is a stable top-down
//! merge sort. Only this exact algorithm reproduces the real order for
//! every input, so it is implemented as such rather than with `sort_by`.

use crate::model::{Dest, RawAddr, Service, AF_INET6};

/// glibc's `msort` over positions: the order in which `items` sort.
/// Split into ⌊n/2⌋ and the rest, sort both, merge taking the first
/// part's head while `cmp(first, second) <= 0`. Only positions move (no
/// element is copied), with one scratch array.
pub fn merge_order<T>(items: &[T], cmp: &dyn Fn(&T, &T) -> i32) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut scratch = vec![0usize; items.len()];
    msort(
        &mut order,
        &mut scratch,
        &|i, j| match (items.get(i), items.get(j)) {
            (Some(a), Some(b)) => cmp(a, b),
            _ => 0,
        },
    );
    order
}

fn msort(idx: &mut [usize], scratch: &mut [usize], cmp: &dyn Fn(usize, usize) -> i32) {
    let n = idx.len();
    if n <= 1 {
        return;
    }
    let (a, b) = idx.split_at_mut(n / 2);
    msort(a, scratch, cmp);
    msort(b, scratch, cmp);
    let (mut ia, mut ib) = (a.iter().peekable(), b.iter().peekable());
    let mut out = scratch.iter_mut();
    while let (Some(&&x), Some(&&y)) = (ia.peek(), ib.peek()) {
        let v = if cmp(x, y) <= 0 {
            ia.next();
            x
        } else {
            ib.next();
            y
        };
        if let Some(slot) = out.next() {
            *slot = v;
        }
    }
    for (slot, &v) in out.zip(ia.chain(ib)) {
        *slot = v;
    }
    if let Some(merged) = scratch.get(..n) {
        idx.copy_from_slice(merged);
    }
}

/// `items` in [`merge_order`], moved into place in the same vector (no
/// second copy of a big table): each cycle of the permutation is walked
/// once with swaps.
pub fn sort_by_order<T>(mut items: Vec<T>, cmp: &dyn Fn(&T, &T) -> i32) -> Vec<T> {
    const DONE: usize = usize::MAX;
    let mut from = merge_order(&items, cmp);
    for i in 0..items.len() {
        // Position k holds the item that started at i; it wants `from[k]`'s.
        let mut k = i;
        while let Some(&src) = from.get(k).filter(|&&s| s != DONE) {
            if let Some(f) = from.get_mut(k) {
                *f = DONE;
            }
            if src == i || src >= items.len() {
                break;
            }
            items.swap(k, src);
            k = src;
        }
    }
    items
}

/// The `n`th 32-bit word of an address, read in network order.
fn word(addr: &RawAddr, n: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(s) = addr.get(n * 4..n * 4 + 4) {
        w.copy_from_slice(s);
    }
    u32::from_be_bytes(w)
}

/// `a - b` in 32 bits, read as signed.
fn wrap(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}

/// Address comparison: four words for IPv6 (chosen by `af`, the first
/// argument's family), else the first word.
fn cmp_addr(af: u16, a: &RawAddr, b: &RawAddr) -> i32 {
    if af == AF_INET6 {
        for n in 0..4 {
            let r = wrap(word(a, n), word(b, n));
            if r != 0 {
                return r;
            }
        }
        0
    } else {
        wrap(word(a, 0), word(b, 0))
    }
}

/// ipvsadm's service comparison: fwmark (wrapping), family, protocol,
/// address (wrapping), port.
pub fn cmp_services(a: &Service, b: &Service) -> i32 {
    let r = wrap(a.fwmark, b.fwmark);
    if r != 0 {
        return r;
    }
    let r = i32::from(a.af) - i32::from(b.af);
    if r != 0 {
        return r;
    }
    let r = i32::from(a.protocol) - i32::from(b.protocol);
    if r != 0 {
        return r;
    }
    let r = cmp_addr(a.af, &a.addr, &b.addr);
    if r != 0 {
        return r;
    }
    i32::from(a.port) - i32::from(b.port)
}

/// ipvsadm's destination comparison: address (by the first argument's
/// family, wrapping), then port.
pub fn cmp_dests(a: &Dest, b: &Dest) -> i32 {
    let r = cmp_addr(a.af, &a.addr, &b.addr);
    if r != 0 {
        return r;
    }
    i32::from(a.port) - i32::from(b.port)
}

pub fn sort_services(s: Vec<Service>) -> Vec<Service> {
    sort_by_order(s, &cmp_services)
}

pub fn sort_dests(d: Vec<Dest>) -> Vec<Dest> {
    sort_by_order(d, &cmp_dests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{raw_from_ip, AF_INET, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};

    #[test]
    fn in_place_order_is_the_gathered_order() {
        // Many small values (ties included), every length up to 60.
        let mut x: u32 = 12345;
        for n in 0..60 {
            let items: Vec<(u32, usize)> = (0..n)
                .map(|i| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((x >> 16) % 7, i)
                })
                .collect();
            let cmp = |a: &(u32, usize), b: &(u32, usize)| a.0 as i32 - b.0 as i32;
            let want: Vec<_> = merge_order(&items, &cmp)
                .into_iter()
                .map(|i| items[i])
                .collect();
            assert_eq!(sort_by_order(items.clone(), &cmp), want, "n = {n}");
        }
    }

    pub fn svc(proto: u16, ip: &str, port: u16) -> Service {
        let ip: std::net::IpAddr = ip.parse().unwrap();
        Service {
            af: if ip.is_ipv4() { AF_INET } else { AF_INET6 },
            protocol: proto,
            addr: raw_from_ip(ip),
            port,
            ..Service::default()
        }
    }

    pub fn fwm(mark: u32) -> Service {
        Service {
            fwmark: mark,
            ..Service::default()
        }
    }

    fn key(s: &Service) -> String {
        if s.fwmark != 0 {
            format!("FWM {}", s.fwmark as i32)
        } else {
            format!("{} {} {}", s.protocol, s.ip(), s.port)
        }
    }

    /// The textbook form of glibc's msort (copying halves), to check the
    /// position-sorting one against, on comparisons that are not a total
    /// order (wrapping differences) as ipvsadm's are not.
    type Pair = (u32, u32);

    fn copying_msort(v: &[Pair], cmp: &dyn Fn(&Pair, &Pair) -> i32) -> Vec<Pair> {
        if v.len() <= 1 {
            return v.to_vec();
        }
        let (a, b) = v.split_at(v.len() / 2);
        let (a, b) = (copying_msort(a, cmp), copying_msort(b, cmp));
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < a.len() && j < b.len() {
            if cmp(&a[i], &b[j]) <= 0 {
                out.push(a[i]);
                i += 1;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        out
    }

    #[test]
    fn position_sort_matches_the_copying_msort() {
        let mut rng = crate::testkit::Rng::new(7);
        let cmp = |a: &(u32, u32), b: &(u32, u32)| wrap(a.0, b.0);
        for n in 0..200 {
            let v: Vec<(u32, u32)> = (0..n)
                .map(|i| (rng.next() as u32 | (rng.below(2) as u32) << 31, i as u32))
                .collect();
            let want = copying_msort(&v, &cmp);
            let by_position: Vec<Pair> = merge_order(&v, &cmp)
                .iter()
                .filter_map(|&i| v.get(i).copied())
                .collect();
            assert_eq!(by_position, want, "n={n}");
            assert_eq!(sort_by_order(v.clone(), &cmp), want, "n={n}");
        }
    }

    #[test]
    fn reference_order_example() {
        let input = vec![
            svc(IPPROTO_TCP, "200.0.0.1", 80),
            svc(IPPROTO_TCP, "10.0.0.1", 80),
            svc(IPPROTO_TCP, "127.0.0.1", 80),
            svc(IPPROTO_TCP, "128.0.0.1", 80),
            svc(IPPROTO_TCP, "10.0.0.1", 8080),
            svc(IPPROTO_TCP, "10.0.0.1", 1),
            fwm(1),
            fwm(4294967295),
            fwm(2147483649),
            svc(IPPROTO_UDP, "1.1.1.1", 1),
            svc(IPPROTO_SCTP, "1.1.1.1", 1),
            svc(IPPROTO_TCP, "ffff::1", 80),
            svc(IPPROTO_TCP, "::1", 80),
            svc(IPPROTO_TCP, "8000::1", 80),
        ];
        let out: Vec<String> = sort_services(input.clone()).iter().map(key).collect();
        assert_eq!(
            out,
            vec![
                "FWM -2147483647",
                "FWM -1",
                "6 200.0.0.1 80",
                "6 10.0.0.1 1",
                "6 10.0.0.1 80",
                "6 10.0.0.1 8080",
                "6 127.0.0.1 80",
                "6 128.0.0.1 80",
                "17 1.1.1.1 1",
                "132 1.1.1.1 1",
                "6 ffff::1 80",
                "6 ::1 80",
                "6 8000::1 80",
                "FWM 1",
            ]
        );
    }

    #[test]
    fn stable_on_ties() {
        let v: Vec<(u32, u32)> = (0..37).map(|i| (i % 3, i)).collect();
        let out = sort_by_order(v.clone(), &|a: &(u32, u32), b: &(u32, u32)| {
            a.0 as i32 - b.0 as i32
        });
        for w in out.windows(2) {
            assert!(w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1));
        }
        assert_eq!(out.len(), 37);
    }

    #[test]
    fn dests_by_first_argument_family() {
        let d = |ip: &str, port: u16| {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            Dest {
                af: if ip.is_ipv4() { AF_INET } else { AF_INET6 },
                addr: raw_from_ip(ip),
                port,
                ..Dest::default()
            }
        };
        let v = vec![
            d("192.168.1.2", 80),
            d("192.168.1.1", 8080),
            d("192.168.1.1", 80),
        ];
        let out = sort_dests(v.clone());
        assert_eq!(out[0].port, 80);
        assert_eq!(out[0].ip().to_string(), "192.168.1.1");
        assert_eq!(out[1].port, 8080);
        // 200.x sorts before 10.x (difference ≥ 2^31 wraps)
        let v = vec![d("10.0.0.1", 1), d("200.0.0.1", 1)];
        assert_eq!(sort_dests(v.clone())[0].ip().to_string(), "200.0.0.1");
    }
}
