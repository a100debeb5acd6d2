//! A big connection table, made for real: a persistent UDP service and
//! one datagram from each of many distinct client addresses.
//!
//! A network namespace `benchcl` is joined to the guest's own by a veth
//! pair (10.99.0.2 ↔ 10.99.0.1); the virtual address 10.99.1.1 is on the
//! guest's `lo`. From inside the namespace this same benchmark binary
//! (`--flood`) sends UDP datagrams to 10.99.1.1:53 through a raw socket
//! with spoofed source addresses 10.160.x.y (port 40000), so each one is a
//! new client: IPVS makes a persistence template and a connection entry
//! for it — two entries per client. The real server (direct routing to
//! 10.99.0.2) drops what it gets. UDP and persistence timeouts are one
//! hour (`--set 0 0 3600`, `-p 3600`) so nothing expires during the run.

use std::process::Command;

pub const VIP: &str = "10.99.1.1:53";
const VIP_ADDR: [u8; 4] = [10, 99, 1, 1];

/// Source address of client `i` (10.160.0.1 onward, never .0 or .255).
fn client(i: usize) -> [u8; 4] {
    [
        10,
        160 + (i / 62_500) as u8,
        ((i / 250) % 250) as u8,
        (i % 250 + 1) as u8,
    ]
}

fn sh(script: &str) {
    let st = Command::new("/bin/sh")
        .args(["-ec", script])
        .status()
        .expect("sh");
    assert!(st.success(), "setup failed: {script}");
}

/// The namespace, the veth pair, routes and the virtual address (once).
/// The resolver's files are copied to tmpfs and mounted over the host's
/// (which the guest reads over 9p, each open a round trip to the host):
/// a `-L -c` without `-n` looks names up for every row, both tools alike.
pub fn setup_network() {
    sh("mkdir -p /run/bench-etc
        for f in hosts services resolv.conf nsswitch.conf host.conf; do
            [ -e /etc/$f ] || continue
            cp /etc/$f /run/bench-etc/$f
            mount --bind /run/bench-etc/$f /etc/$f
        done
        ip netns add benchcl
        ip link add vh type veth peer name vc
        ip link set vc netns benchcl
        ip addr add 10.99.0.1/24 dev vh
        ip link set vh up
        ip addr add 10.99.1.1/32 dev lo
        ip route add 10.160.0.0/11 via 10.99.0.2
        for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done
        echo 100000 > /proc/sys/net/core/netdev_max_backlog
        ip netns exec benchcl sh -ec 'ip link set lo up
            ip addr add 10.99.0.2/24 dev vc
            ip link set vc up
            ip route add 10.99.1.0/24 via 10.99.0.1'");
}

/// The persistent UDP service (again after each flush of the table).
pub fn add_service(ours: &str) {
    let run = |args: &[&str]| {
        let st = Command::new(ours).args(args).status().expect("spawn");
        assert!(st.success(), "{args:?} failed");
    };
    run(&["--set", "0", "0", "3600"]);
    run(&["-A", "-u", VIP, "-s", "rr", "-p", "3600"]);
    run(&["-a", "-u", VIP, "-r", "10.99.0.2:53", "-g"]);
}

/// Entries in the kernel's connection table now.
pub fn entries() -> usize {
    let text = std::fs::read("/proc/net/ip_vs_conn").unwrap_or_default();
    text.iter()
        .filter(|&&c| c == b'\n')
        .count()
        .saturating_sub(1)
}

/// Make sure clients 0..n have sent their datagram: send from `from` on,
/// and again for all while entries are missing (a datagram dropped on the
/// way is simply sent again).
pub fn fill(from: usize, n: usize) {
    let exe = std::env::current_exe().expect("current_exe");
    let mut first = from;
    for _ in 0..4 {
        let st = Command::new("ip")
            .args(["netns", "exec", "benchcl"])
            .arg(&exe)
            .args(["--flood", &first.to_string(), &n.to_string()])
            .status()
            .expect("spawn flood");
        assert!(st.success(), "flood failed");
        if entries() >= 2 * n {
            return;
        }
        first = 0;
    }
    panic!("connection table: {} entries, wanted {}", entries(), 2 * n);
}

/// `--flood FROM TO`: one UDP datagram from each client FROM..TO, sent
/// through a raw socket (the kernel fills in the IP checksum, length and
/// id; the UDP checksum is left out, as IPv4 allows).
pub fn flood(from: usize, to: usize) {
    // SAFETY: plain socket call; the descriptor is checked.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_RAW) };
    assert!(fd >= 0, "raw socket: {}", std::io::Error::last_os_error());
    let dst = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes(VIP_ADDR),
        },
        sin_zero: [0; 8],
    };
    for i in from..to {
        let pkt = datagram(client(i));
        // SAFETY: pkt and dst are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                fd,
                pkt.as_ptr().cast(),
                pkt.len(),
                0,
                (&dst as *const libc::sockaddr_in).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        };
        assert!(n > 0, "sendto: {}", std::io::Error::last_os_error());
    }
}

/// IPv4 + UDP header and 4 bytes of payload, from `src`:40000 to VIP:53.
fn datagram(src: [u8; 4]) -> [u8; 32] {
    let mut p = [0u8; 32];
    p[0] = 0x45; // version 4, 5 words of header
    p[2..4].copy_from_slice(&32u16.to_be_bytes());
    p[8] = 64; // TTL
    p[9] = libc::IPPROTO_UDP as u8;
    p[12..16].copy_from_slice(&src);
    p[16..20].copy_from_slice(&VIP_ADDR);
    p[20..22].copy_from_slice(&40000u16.to_be_bytes());
    p[22..24].copy_from_slice(&53u16.to_be_bytes());
    p[24..26].copy_from_slice(&12u16.to_be_bytes());
    p
}

/// A `-L -c` listing with its expiry column blanked: the two tools list
/// the same entries seconds apart, so only the countdown may differ.
pub fn mask_expiry(listing: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(listing.len());
    for (i, line) in listing.split_inclusive(|&c| c == b'\n').enumerate() {
        let mut l = line.to_vec();
        if i >= 2 && l.len() > 10 {
            l[4..10].fill(b'*');
        }
        out.extend_from_slice(&l);
    }
    out
}
