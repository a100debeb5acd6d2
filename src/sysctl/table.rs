//! The IPVS settings we know: the kind of value each takes (with the
//! range the kernel's handler accepts, or a narrower one where the wider
//! one has no meaning), a one-line note on what it does and when to
//! change it, and what a kernel needs to have it.
//!
//! Facts from the kernel's `Documentation/networking/ipvs-sysctl.rst`
//! and the handlers in `net/netfilter/ipvs/ip_vs_ctl.c`; the notes are
//! our own words.

/// The largest number of seconds every kernel's jiffies conversion takes
/// (`INT_MAX / HZ` with HZ up to 1000).
const MAX_SECS: i64 = i32::MAX as i64 / 1000;
const INT_MAX: i64 = i32::MAX as i64;

/// The kind of value a setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 0 or 1.
    Bool,
    /// An integer in `min..=max`.
    Int(i64, i64),
    /// A power of two, at least 1 (`sync_ports`).
    PowerOfTwo,
    /// Two integers `T P`, `0 <= T < P` or `P == 0` (`sync_threshold`).
    Threshold,
    /// A CPU list (`0-3,8`, `all`, or empty).
    CpuList,
}

/// One setting of our table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The short name (the file under `/proc/sys/net/ipv4/vs`).
    pub name: &'static str,
    pub kind: Kind,
    /// What it does and when to change it, in one line.
    pub about: &'static str,
    /// What a kernel needs for the setting to exist, when not every
    /// kernel with IPVS has it.
    pub needs: Option<&'static str>,
}

const fn s(name: &'static str, kind: Kind, about: &'static str) -> Setting {
    Setting {
        name,
        kind,
        about,
        needs: None,
    }
}

const fn n(name: &'static str, kind: Kind, about: &'static str, needs: &'static str) -> Setting {
    Setting {
        name,
        kind,
        about,
        needs: Some(needs),
    }
}

const DEFENSE: Kind = Kind::Int(0, 3);
const EST: &str = "Linux 6.2 or later";

/// Every setting we know, by name.
pub static SETTINGS: &[Setting] = &[
    s("am_droprate", Kind::Int(1, INT_MAX), "drop_packet=3 drops 1 packet in N; raise N to drop fewer"),
    s("amemthresh", Kind::Int(0, INT_MAX), "free memory (pages) below which the automatic defenses (mode 1) switch on"),
    s("backup_only", Kind::Bool, "1: no balancing while a backup sync daemon runs (avoids DR/TUN loops on backups)"),
    s("cache_bypass", Kind::Bool, "1: with no cache server up, send packets straight to their destination (web caches)"),
    s("conn_reuse_mode", Kind::Int(0, 3), "reused client port: 0 same server; 1 reschedule (NAT TIME_WAIT); 2 also DR/TUN FIN_WAIT"),
    n("conntrack", Kind::Bool, "1: keep netfilter conntrack entries for IPVS traffic (stateful iptables rules, NAT)", "IPVS built with CONFIG_IP_VS_NFCT"),
    n("debug_level", Kind::Int(0, INT_MAX), "IPVS kernel log verbosity, 0 (errors) to 12 (every packet)", "a kernel built with CONFIG_IP_VS_DEBUG"),
    s("drop_entry", DEFENSE, "SYN-flood defense, drops random half-open entries: 0 off, 1-2 automatic, 3 always"),
    s("drop_packet", DEFENSE, "overload defense, drops 1 packet in N: 0 off, 1-2 automatic (by memory), 3 always"),
    n("est_cpulist", Kind::CpuList, "CPUs for the rate estimation threads (empty stops estimation)", EST),
    n("est_nice", Kind::Int(-20, 19), "nice value of the rate estimation threads (-20 to 19)", EST),
    s("expire_nodest_conn", Kind::Bool, "1: end a connection at its next packet once its server is deleted (fail fast)"),
    s("expire_quiescent_template", Kind::Bool, "1: persistence ignores servers of weight 0, so draining moves persistent clients"),
    s("ignore_tunneled", Kind::Bool, "1: leave packets of unknown protocols (IPIP, GRE) alone; for directors that are also real servers"),
    n("lblc_expiration", Kind::Int(1, MAX_SECS), "seconds an unused lblc destination entry is kept", "the lblc scheduler module, ip_vs_lblc, loaded"),
    n("lblcr_expiration", Kind::Int(1, MAX_SECS), "seconds an unused lblcr server set is kept", "the lblcr scheduler module, ip_vs_lblcr, loaded"),
    s("nat_icmp_send", Kind::Bool, "1: answer NAT replies that match no connection with ICMP unreachable"),
    s("pmtu_disc", Kind::Bool, "1: refuse too-big DF packets with FRAG_NEEDED; 0 lets tunnel mode fragment them"),
    n("run_estimation", Kind::Bool, "1: compute the rates of -L --rate; 0 saves CPU on very large tables", "Linux 5.18 or later"),
    s("schedule_icmp", Kind::Bool, "1: schedule ICMP errors that match no connection (e.g. PMTU with sh/mh hashing)"),
    s("secure_tcp", DEFENSE, "SYN-flood defense, a stricter TCP state table: 0 off, 1-2 automatic, 3 always"),
    s("sloppy_sctp", Kind::Bool, "1: accept SCTP connections seen mid-stream, not only from INIT (backups, failover)"),
    s("sloppy_tcp", Kind::Bool, "1: accept TCP connections seen mid-stream, not only from SYN (backups, failover)"),
    s("snat_reroute", Kind::Bool, "1: route NAT replies as the director's own packets (policy routing); 0 saves a lookup"),
    s("sync_persist_mode", Kind::Bool, "1: for persistent services sync only the templates, not every connection"),
    s("sync_ports", Kind::PowerOfTwo, "sync threads, one UDP port each from 8848 (a power of two); raise for heavy sync"),
    s("sync_qlen_max", Kind::Int(1, i64::MAX), "most sync messages queued unsent; bounds memory when the sync link is slow"),
    s("sync_refresh_period", Kind::Int(0, MAX_SECS), "seconds before an unchanged connection is synced again (0: by packet count)"),
    s("sync_retries", Kind::Int(0, 3), "resend each sync message up to N times (0-3), every sync_refresh_period/8"),
    s("sync_sock_size", Kind::Int(0, INT_MAX), "sync socket buffer in bytes (0: the system default)"),
    s("sync_threshold", Kind::Threshold, "\"T P\": sync a connection at its T-th packet, then every P packets (P=0: once)"),
    s("sync_version", Kind::Int(0, 1), "sync protocol version sent: 1, or 0 for backups older than Linux 2.6.39"),
];

impl Kind {
    /// Check a value; Ok(the text to write), Err(why it is refused).
    pub fn check(self, value: &str) -> Result<String, String> {
        let v = value.trim();
        match self {
            Kind::Bool => int_in(v, 0, 1).map(|i| i.to_string()),
            Kind::Int(lo, hi) => int_in(v, lo, hi).map(|i| i.to_string()),
            Kind::PowerOfTwo => {
                let i = int_in(v, 1, 1 << 30)?;
                if i & (i - 1) == 0 {
                    Ok(i.to_string())
                } else {
                    Err("expected a power of two (1, 2, 4, 8, ...)".into())
                }
            }
            Kind::Threshold => threshold(v),
            Kind::CpuList => cpulist(v).map(|()| v.to_string()),
        }
    }
}

fn int_in(v: &str, lo: i64, hi: i64) -> Result<i64, String> {
    let range = || {
        if (lo, hi) == (0, 1) {
            "expected 0 or 1".to_string()
        } else if hi >= INT_MAX {
            format!("expected an integer of at least {lo}")
        } else {
            format!("expected an integer from {lo} to {hi}")
        }
    };
    match v.parse::<i64>() {
        Ok(i) if (lo..=hi).contains(&i) => Ok(i),
        _ => Err(range()),
    }
}

fn threshold(v: &str) -> Result<String, String> {
    let why = "expected two integers \"T P\" with 0 <= T < P, or P = 0";
    let w: Vec<&str> = v
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let [t, p] = w.as_slice() else {
        return Err(why.into());
    };
    let (Ok(t), Ok(p)) = (int_in(t, 0, INT_MAX), int_in(p, 0, INT_MAX)) else {
        return Err(why.into());
    };
    if t >= p && p != 0 {
        return Err(why.into());
    }
    Ok(format!("{t} {p}"))
}

/// The kernel's cpu-list syntax: empty, or items separated by `,`, each
/// `all` or `A[-B[:U/G]]` where a number may be `N` (the last CPU).
fn cpulist(v: &str) -> Result<(), String> {
    let why = || format!("`{v}' is not a CPU list (e.g. 0-3,8 or all, or empty)");
    let num = |s: &str| {
        s == "N" || (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
    };
    for item in v.split(',').filter(|_| !v.is_empty()) {
        if item == "all" {
            continue;
        }
        let (range, group) = match item.split_once(':') {
            Some((r, g)) => (r, Some(g)),
            None => (item, None),
        };
        let ok_range = match range.split_once('-') {
            Some((a, b)) => num(a) && num(b),
            None => num(range) && group.is_none(),
        };
        let ok_group =
            group.is_none_or(|g| g.split_once('/').is_some_and(|(u, s)| num(u) && num(s)));
        if !(ok_range && ok_group) {
            return Err(why());
        }
    }
    Ok(())
}
