//! The listing sort order of ipvsadm 1.31: its service and destination
//! comparisons (32-bit wrapping differences, so not a total order) run by
//! glibc 2.36's `qsort`, which for these arrays is a stable top-down
//! merge sort. Only this exact algorithm reproduces the real order for
//! every input, so it is implemented as such rather than with `sort_by`.

use crate::model::{Dest, RawAddr, Service, AF_INET6};

/// glibc's `msort`: split into ⌊n/2⌋ and the rest, sort both, merge
/// taking the first part's head while `cmp(first, second) <= 0`.
pub fn merge_sort<T: Clone>(items: &[T], cmp: &dyn Fn(&T, &T) -> i32) -> Vec<T> {
    if items.len() <= 1 {
        return items.to_vec();
    }
    let (a, b) = items.split_at(items.len() / 2);
    let a = merge_sort(a, cmp);
    let b = merge_sort(b, cmp);
    let mut out = Vec::with_capacity(items.len());
    let mut ia = a.into_iter().peekable();
    let mut ib = b.into_iter().peekable();
    while let (Some(x), Some(y)) = (ia.peek(), ib.peek()) {
        let next = if cmp(x, y) <= 0 { ia.next() } else { ib.next() };
        if let Some(v) = next {
            out.push(v);
        }
    }
    out.extend(ia);
    out.extend(ib);
    out
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

pub fn sort_services(s: &[Service]) -> Vec<Service> {
    merge_sort(s, &cmp_services)
}

pub fn sort_dests(d: &[Dest]) -> Vec<Dest> {
    merge_sort(d, &cmp_dests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{raw_from_ip, AF_INET, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP};

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
        let out: Vec<String> = sort_services(&input).iter().map(key).collect();
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
        let out = merge_sort(&v, &|a: &(u32, u32), b: &(u32, u32)| {
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
        let out = sort_dests(&v);
        assert_eq!(out[0].port, 80);
        assert_eq!(out[0].ip().to_string(), "192.168.1.1");
        assert_eq!(out[1].port, 8080);
        // 200.x sorts before 10.x (difference ≥ 2^31 wraps)
        let v = vec![d("10.0.0.1", 1), d("200.0.0.1", 1)];
        assert_eq!(sort_dests(&v)[0].ip().to_string(), "200.0.0.1");
    }
}
