//! Tests of the exposition text, on tables of the in-memory kernel, with
//! a small parser of the format that every output must pass.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::apply::current_table;
use crate::kernel::mem::MemIpvs;
use crate::kernel::{Ipvs, Request};
use crate::model::{raw_from_ip, AF_INET6};

/// A sample: metric name, labels (name, unescaped value), value.
type Sample = (String, Vec<(String, String)>, String);

/// Read a label value up to its closing quote, undoing the escapes.
fn label_value(chars: &mut std::str::Chars<'_>) -> Result<String, String> {
    let mut v = String::new();
    loop {
        match chars.next() {
            None => return Err("unterminated label value".into()),
            Some('"') => return Ok(v),
            Some('\\') => match chars.next() {
                Some('\\') => v.push('\\'),
                Some('"') => v.push('"'),
                Some('n') => v.push('\n'),
                other => return Err(format!("bad escape {other:?}")),
            },
            Some('\n') => return Err("raw newline in a label value".into()),
            Some(c) => v.push(c),
        }
    }
}

fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `{a="x",b="y"} value` after the name.
fn sample_rest(rest: &str) -> Result<(Vec<(String, String)>, String), String> {
    let mut labels = Vec::new();
    let mut chars = rest.chars();
    let value_text = if rest.starts_with('{') {
        chars.next();
        loop {
            let name: String = chars.by_ref().take_while(|&c| c != '=').collect();
            if !is_name(&name) || chars.next() != Some('"') {
                return Err(format!("bad label near {name:?}"));
            }
            labels.push((name, label_value(&mut chars)?));
            match chars.next() {
                Some(',') => continue,
                Some('}') => break,
                other => return Err(format!("expected , or }} got {other:?}")),
            }
        }
        chars.as_str().to_string()
    } else {
        rest.to_string()
    };
    let v = value_text
        .strip_prefix(' ')
        .ok_or("no space before the value")?;
    v.parse::<f64>().map_err(|e| format!("value {v:?}: {e}"))?;
    Ok((labels, v.to_string()))
}

/// Check the text is exposition format 0.0.4 as we write it: `# HELP`,
/// `# TYPE` or samples; a family's TYPE before its samples; no series
/// twice. Returns the samples.
fn parse(text: &str) -> Result<Vec<Sample>, String> {
    if !text.ends_with('\n') {
        return Err("no final newline".into());
    }
    let mut types: HashMap<String, String> = HashMap::new();
    let mut seen = HashSet::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest.split_once(' ').ok_or("HELP without text")?;
            if !is_name(name) {
                return Err(format!("bad name {name}"));
            }
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').ok_or("TYPE without type")?;
            if !["counter", "gauge", "untyped"].contains(&kind) {
                return Err(format!("bad type {kind}"));
            }
            if types.insert(name.into(), kind.into()).is_some() {
                return Err(format!("TYPE twice for {name}"));
            }
        } else {
            let end = line.find(['{', ' ']).ok_or("sample without value")?;
            let name = &line[..end];
            if !types.contains_key(name) {
                return Err(format!("sample of {name} before its TYPE"));
            }
            let (labels, value) = sample_rest(&line[end..])?;
            if !seen.insert((name.to_string(), labels.clone())) {
                return Err(format!("duplicate series {line}"));
            }
            samples.push((name.to_string(), labels, value));
        }
    }
    Ok(samples)
}

fn svc(addr: &str, port: u16, proto: u16) -> Service {
    Service {
        af: if addr.contains(':') { AF_INET6 } else { 2 },
        protocol: proto,
        addr: raw_from_ip(addr.parse().unwrap()),
        port,
        sched_name: "wlc".into(),
        ..Service::default()
    }
}

fn fwm(mark: u32) -> Service {
    Service {
        protocol: IPPROTO_TCP,
        fwmark: mark,
        sched_name: "rr".into(),
        ..Service::default()
    }
}

fn dest(addr: &str, port: u16, weight: u32) -> Dest {
    Dest {
        af: if addr.contains(':') { AF_INET6 } else { 2 },
        addr: raw_from_ip(addr.parse().unwrap()),
        port,
        weight,
        ..Dest::default()
    }
}

/// A table of every kind of service, with counters set afterwards.
fn table() -> Vec<(Service, Vec<Dest>)> {
    let mut k = MemIpvs::default();
    let web = svc("10.0.0.1", 80, IPPROTO_TCP);
    let dns = svc("10.0.0.3", 53, IPPROTO_UDP);
    let v6 = svc("2001:db8::1", 443, IPPROTO_TCP);
    let sctp = svc("10.0.0.4", 9999, IPPROTO_SCTP);
    let mark = fwm(10);
    let reqs = vec![
        Request::NewService(web.clone()),
        Request::NewDest(web.clone(), dest("10.1.0.1", 80, 2)),
        Request::NewDest(web.clone(), dest("10.1.0.2", 8080, 0)),
        Request::NewService(dns.clone()),
        Request::NewDest(dns, dest("10.1.0.5", 53, 4)),
        Request::NewService(v6.clone()),
        Request::NewDest(v6, dest("2001:db8::a", 443, 1)),
        Request::NewService(sctp),
        Request::NewService(mark.clone()),
        Request::NewDest(mark, dest("10.1.0.6", 0, 3)),
    ];
    for r in &reqs {
        k.execute(r).unwrap();
    }
    for (i, (s, ds)) in k.services.iter_mut().enumerate() {
        let n = i as u64 + 1;
        s.stats = Stats {
            conns: n,
            inpkts: 10 * n,
            outpkts: 20 * n,
            inbytes: 1000 * n,
            outbytes: 2000 * n,
            ..Stats::default()
        };
        for (j, d) in ds.iter_mut().enumerate() {
            d.active_conns = 5 * n as u32 + j as u32;
            d.inact_conns = n as u32;
        }
    }
    current_table(&mut k).unwrap()
}

fn find<'a>(samples: &'a [Sample], name: &str, want: &[(&str, &str)]) -> Option<&'a str> {
    samples
        .iter()
        .find(|(n, l, _)| {
            n == name
                && want
                    .iter()
                    .all(|(k, v)| l.iter().any(|(a, b)| a == k && b == v))
        })
        .map(|(_, _, v)| v.as_str())
}

const TOTALS: Totals = Totals {
    conns: 0x1a,
    inpkts: 7,
    outpkts: 8,
    inbytes: 9,
    outbytes: 10,
};

#[test]
fn per_server_has_node_exporters_names_and_labels() {
    let text = render(&TOTALS, &table(), By::Server);
    let s = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(find(&s, "node_ipvs_connections_total", &[]), Some("26"));
    assert_eq!(find(&s, "node_ipvs_outgoing_bytes_total", &[]), Some("10"));
    assert!(text.contains("# TYPE node_ipvs_incoming_packets_total counter\n"));
    assert!(text.contains("# TYPE node_ipvs_backend_weight gauge\n"));
    let web = [
        ("local_address", "10.0.0.1"),
        ("local_port", "80"),
        ("remote_address", "10.1.0.2"),
        ("remote_port", "8080"),
        ("proto", "TCP"),
        ("local_mark", ""),
    ];
    assert_eq!(find(&s, "node_ipvs_backend_weight", &web), Some("0"));
    assert_eq!(
        find(&s, "node_ipvs_backend_connections_inactive", &web),
        Some("1")
    );
    // Every backend series carries the six labels, in node_exporter's order.
    let line = text
        .lines()
        .find(|l| l.starts_with("node_ipvs_backend_weight{"))
        .unwrap();
    assert!(
        line.starts_with(
            "node_ipvs_backend_weight{local_address=\"10.0.0.1\",local_port=\"80\",\
             remote_address=\"10.1.0."
        ),
        "{line}"
    );
    let mark = [
        ("local_address", ""),
        ("local_port", "0"),
        ("proto", "FWM"),
        ("local_mark", "0000000A"),
        ("remote_address", "10.1.0.6"),
        ("remote_port", "0"),
    ];
    assert_eq!(find(&s, "node_ipvs_backend_weight", &mark), Some("3"));
    let v6 = [("local_address", "2001:db8::1"), ("proto", "TCP")];
    assert_eq!(find(&s, "node_ipvs_backend_weight", &v6), Some("1"));
    let udp = [("proto", "UDP"), ("remote_address", "10.1.0.5")];
    assert_eq!(find(&s, "node_ipvs_backend_weight", &udp), Some("4"));
    // 5 totals + 3 gauges for each of the 5 servers; no series for the
    // server-less SCTP service.
    assert_eq!(s.len(), 5 + 3 * 5);
}

#[test]
fn by_service_aggregates_servers_away() {
    let t = table();
    let text = render(&TOTALS, &t, By::Service);
    let s = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(!text.contains("node_ipvs_backend"));
    let web = [
        ("local_address", "10.0.0.1"),
        ("local_port", "80"),
        ("proto", "TCP"),
        ("local_mark", ""),
    ];
    let (ws, wds) = t.iter().find(|(s, _)| s.port == 80).unwrap();
    let conns = ws.stats.conns.to_string();
    assert_eq!(
        find(&s, "ipvsadm_service_connections_total", &web),
        Some(conns.as_str())
    );
    let active: u32 = wds.iter().map(|d| d.active_conns).sum();
    assert_eq!(
        find(&s, "ipvsadm_service_connections_active", &web),
        Some(active.to_string().as_str())
    );
    assert_eq!(find(&s, "ipvsadm_service_weight", &web), Some("2"));
    assert_eq!(find(&s, "ipvsadm_service_backends", &web), Some("2"));
    let mark = [("proto", "FWM"), ("local_mark", "0000000A")];
    assert_eq!(find(&s, "ipvsadm_service_weight", &mark), Some("3"));
    let sctp = [("proto", "SCTP"), ("local_port", "9999")];
    assert_eq!(find(&s, "ipvsadm_service_backends", &sctp), Some("0"));
    // No remote label anywhere.
    assert!(s.iter().all(|(_, l, _)| l.len() <= 4));
    assert_eq!(s.len(), 5 + 9 * 5);
}

#[test]
fn same_labels_are_summed_not_repeated() {
    let a = svc("10.0.0.1", 80, IPPROTO_TCP);
    let d = dest("10.1.0.1", 80, 2);
    let t = vec![(a.clone(), vec![d.clone()]), (a, vec![d])];
    for by in [By::Server, By::Service] {
        let text = render(&Totals::default(), &t, by);
        let s = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let name = match by {
            By::Server => "node_ipvs_backend_weight",
            By::Service => "ipvsadm_service_weight",
        };
        assert_eq!(find(&s, name, &[]), Some("4"));
    }
}

#[test]
fn empty_table_still_has_the_totals() {
    let text = render(&Totals::default(), &[], By::Server);
    let s = parse(&text).unwrap();
    assert_eq!(s.len(), 5);
    assert!(text.contains("# HELP node_ipvs_backend_weight "));
}

#[test]
fn label_values_are_escaped() {
    assert_eq!(escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    let l = labels(&[("x", "q\"\\\n".to_string())]);
    let text = format!("# TYPE m gauge\nm{{{l}}} 1\n");
    let s = parse(&text).unwrap();
    assert_eq!(s[0].1, vec![("x".to_string(), "q\"\\\n".to_string())]);
}

#[test]
fn the_parser_rejects_what_the_format_forbids() {
    for bad in [
        "m 1\n",
        "# TYPE m gauge\nm{a=\"1\"} 1\nm{a=\"1\"} 2\n",
        "# TYPE m gauge\nm{a=\"1} 1\n",
        "# TYPE m gauge\nm{a=\"\\x\"} 1\n",
        "# TYPE m gauge\nm x\n",
        "# TYPE m gauge\nm 1",
        "# TYPE m nonsense\n",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn stats_file_is_read_as_hex() {
    let text = "   Total Incoming Outgoing         Incoming         Outgoing\n   \
                Conns  Packets  Packets            Bytes            Bytes\n      \
                1A       2B        0             1F4A                0\n\n \
                Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n       \
                0        0        0                0                0\n";
    assert_eq!(
        parse_stats(text),
        Some(Totals {
            conns: 26,
            inpkts: 43,
            outpkts: 0,
            inbytes: 0x1f4a,
            outbytes: 0
        })
    );
    assert_eq!(parse_stats(""), None);
    assert_eq!(parse_stats("a\nb\n1 2 3\n"), None);
    assert_eq!(parse_stats("a\nb\n1 2 3 4 zz\n"), None);
}
