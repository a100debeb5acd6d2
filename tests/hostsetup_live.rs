//! `ipvsadm realserver` / `ipvsadm director` against the host kernel, each
//! test in a fresh network namespace it creates (`unshare -n`); no ip_vs
//! needed. Root is required (as in CI).

use std::process::Command;

fn in_netns(script: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_ipvsadm");
    let state = tempdir();
    let out = Command::new("unshare")
        .args(["-n", "sh", "-ec"])
        .arg(format!(
            "ip link set lo up\nB={bin}\nexport IPVSADM_RS_STATE_DIR='{state}'\n{script}"
        ))
        .output()
        .expect("unshare runs (util-linux, root)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "script failed:\n{script}\n---\n{text}"
    );
    text
}

fn tempdir() -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "ipvsadm-rs-hostsetup-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d.to_string_lossy().into_owned()
}

#[test]
fn realserver_sets_arp_sysctls_and_vip_and_undo_restores() {
    let out = in_netns(
        "echo 0 > /proc/sys/net/ipv4/conf/all/arp_ignore
         $B realserver --vip 172.16.2.100
         $B realserver --vip 172.16.2.100
         echo set $(cat /proc/sys/net/ipv4/conf/all/arp_ignore /proc/sys/net/ipv4/conf/all/arp_announce /proc/sys/net/ipv4/conf/lo/arp_ignore /proc/sys/net/ipv4/conf/lo/arp_announce)
         echo vips $(ip -o -4 addr show dev lo | grep -c 172.16.2.100/32)
         $B realserver --vip 172.16.2.100 --undo
         echo undone $(cat /proc/sys/net/ipv4/conf/all/arp_ignore /proc/sys/net/ipv4/conf/all/arp_announce /proc/sys/net/ipv4/conf/lo/arp_ignore /proc/sys/net/ipv4/conf/lo/arp_announce)
         echo vips $(ip -o -4 addr show dev lo | grep -c 172.16.2.100/32 || true)",
    );
    assert!(out.contains("set 1 2 1 2"), "{out}");
    assert!(out.contains("vips 1\n"), "{out}");
    assert!(out.contains("undone 0 0 0 0"), "{out}");
    assert!(out.contains("vips 0\n"), "{out}");
}

#[test]
fn director_adds_labelled_vip_idempotently_and_undo_keeps_preexisting() {
    let out = in_netns(
        "ip link add eth1 type veth peer name p1; ip link set eth1 up
         $B director --vip 172.16.2.100 --dev eth1
         $B director --vip 172.16.2.100 --dev eth1
         echo label $(ip -o -4 addr show dev eth1 | grep 172.16.2.100/32 | grep -c 'eth1:0')
         $B director --vip 172.16.2.100 --dev eth1 --undo
         echo after $(ip -o -4 addr show dev eth1 | grep -c 172.16.2.100 || true)
         ip addr add 172.16.2.101/32 dev eth1
         $B director --vip 172.16.2.101 --dev eth1
         $B director --vip 172.16.2.101 --dev eth1 --undo
         echo kept $(ip -o -4 addr show dev eth1 | grep -c 172.16.2.101)
         $B director --vip 2001:db8::1 --dev eth1
         echo v6 $(ip -o -6 addr show dev eth1 | grep -c 2001:db8::1/128)
         $B director --vip 2001:db8::1 --dev eth1 --undo
         echo v6after $(ip -o -6 addr show dev eth1 | grep -c 2001:db8::1/128 || true)",
    );
    assert!(out.contains("label 1\n"), "{out}");
    assert!(out.contains("after 0\n"), "{out}");
    assert!(out.contains("kept 1\n"), "{out}");
    assert!(out.contains("v6 1\n"), "{out}");
    assert!(out.contains("v6after 0\n"), "{out}");
}

#[test]
fn bad_arguments_and_missing_device() {
    let bin = env!("CARGO_BIN_EXE_ipvsadm");
    let o = Command::new(bin)
        .args(["director", "--vip", "1.2.3.4"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--dev is required"));
    let out = Command::new("unshare")
        .args(["-n", bin, "director", "--vip", "1.2.3.4", "--dev", "nope0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Cannot find device \"nope0\"\n"
    );
}
