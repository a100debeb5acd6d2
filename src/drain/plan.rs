//! What `drain` works on, as pure functions: picking the servers out of
//! the kernel's table, their names for messages, the undo command that
//! puts a server's weight back (ipvsadm's `-S -n` rule with `-e`, plus
//! the thresholds `-S` leaves out, since `-e` would reset them), and the
//! persistence templates of a server found in `/proc/net/ip_vs_conn`.

use super::cli::Server;
use crate::model::{Dest, Service, ServiceKey, AF_INET6};
use crate::output::conn::scan_line;
use crate::output::format::{self, View};
use crate::output::names::{self, Names, NoNames};

/// One real server of one service to drain, as it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub svc: Service,
    /// The server before drain touched it (its weight is the one to put back).
    pub dest: Dest,
}

/// The kernel's table: every service with its real servers.
pub type Table = Vec<(Service, Vec<Dest>)>;

/// Why nothing matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// The service given is not in the table.
    NoService,
    /// The service is there, without that server.
    NoServerInService,
    /// No service has that server.
    NoServer,
}

/// Whether `d` is the server asked for (every port when none was given).
pub fn matches(d: &Dest, s: &Server) -> bool {
    let k = d.key();
    k.af == s.af && k.addr == s.addr && s.port.is_none_or(|p| p == k.port)
}

/// The servers to drain, in table order.
pub fn select(
    table: &Table,
    service: Option<&ServiceKey>,
    server: &Server,
) -> Result<Vec<Target>, Miss> {
    let mut found = Vec::new();
    let mut service_seen = false;
    for (svc, dests) in table {
        if service.is_some_and(|k| *k != svc.key()) {
            continue;
        }
        service_seen = true;
        found.extend(dests.iter().filter(|d| matches(d, server)).map(|d| Target {
            svc: svc.clone(),
            dest: d.clone(),
        }));
    }
    match (found.is_empty(), service.is_some(), service_seen) {
        (false, _, _) => Ok(found),
        (true, true, false) => Err(Miss::NoService),
        (true, true, true) => Err(Miss::NoServerInService),
        (true, false, _) => Err(Miss::NoServer),
    }
}

/// The service as a rule names it (`-t VIP:PORT`, `-f 7 -6`).
pub fn service_name(svc: &Service, numeric: bool, names: &dyn Names) -> String {
    let vname = if svc.is_fwmark() {
        Vec::new()
    } else {
        names::host_port(svc.af, &svc.addr, svc.port, svc.protocol, numeric, names)
    };
    String::from_utf8_lossy(&format::service_name(svc, &vname, true)).into_owned()
}

/// The server's `HOST:PORT` (ports of fwmark services are never named).
fn dest_hostport(t: &Target, numeric: bool, names: &dyn Names) -> Vec<u8> {
    let proto = if t.svc.is_fwmark() { 0 } else { t.svc.protocol };
    let d = &t.dest;
    names::host_port(d.af, &d.addr, d.port, proto, numeric, names)
}

/// `-t VIP:PORT -r RIP:PORT`: how messages name a target.
pub fn target_name(t: &Target, numeric: bool, names: &dyn Names) -> String {
    format!(
        "{} -r {}",
        service_name(&t.svc, numeric, names),
        String::from_utf8_lossy(&dest_hostport(t, numeric, names))
    )
}

/// The command that puts the target's original settings back:
/// `ARGV0 -e -t VIP:PORT -r RIP:PORT -g -w 1`, as `-S -n` writes the
/// server (forwarding method, tunnel options), with `-x`/`-y` when the
/// thresholds are set.
pub fn undo_line(argv0: &str, t: &Target) -> String {
    let svc = service_name(&t.svc, true, &NoNames);
    let hp = dest_hostport(t, true, &NoNames);
    let dname = format::dest_name(&t.dest, &hp, View::Rule);
    let rule = format::dest_line(svc.as_bytes(), &dname, &t.dest, View::Rule, false);
    let rule = String::from_utf8_lossy(&rule);
    let rule = rule.trim_end_matches('\n');
    let rule = rule.strip_prefix("-a ").unwrap_or(rule);
    let mut line = format!("{argv0} -e {rule}");
    if t.dest.u_threshold != 0 {
        line += &format!(" -x {}", t.dest.u_threshold);
    }
    if t.dest.l_threshold != 0 {
        line += &format!(" -y {}", t.dest.l_threshold);
    }
    line
}

/// The protocol name the connection table gives a service's entries.
fn proto_text(svc: &Service) -> &'static [u8] {
    match svc.protocol {
        _ if svc.is_fwmark() => b"IP",
        crate::model::IPPROTO_TCP => b"TCP",
        crate::model::IPPROTO_UDP => b"UDP",
        crate::model::IPPROTO_SCTP => b"SCTP",
        _ => b"",
    }
}

/// The family's bytes of an address.
fn significant(af: u16, a: &[u8; 16]) -> &[u8] {
    let n = if af == AF_INET6 { 16 } else { 4 };
    a.get(..n).unwrap_or(a)
}

/// How many persistence templates of target `t` the connection table
/// `data` (the text of `/proc/net/ip_vs_conn`) holds. A template is an
/// entry with client port 0 (its state is NONE or ASSURED; real
/// connections always have a client port). It belongs to the server by
/// its destination address (port equal, or 0 for fwmark templates) and to
/// the service by protocol, virtual address and port; fwmark templates
/// are protocol `IP` with the mark as virtual address and port 0.
pub fn templates(data: &[u8], t: &Target) -> u32 {
    let (svc, d) = (&t.svc, &t.dest);
    let mark = svc.fwmark.to_be_bytes();
    let mut n = 0u32;
    for line in data.split(|&b| b == b'\n').skip(1) {
        let f = scan_line(line);
        if f.count < 8 || f.cport != 0 || f.protocol != proto_text(svc) {
            continue;
        }
        let (_, _, vaddr) = crate::output::conn::client_virtual(&f.caddr, &f.vaddr);
        let (daf, daddr) = crate::output::conn::dest_addr(&f.daddr);
        let same_dest = daf == d.af
            && significant(daf, &daddr) == significant(d.af, &d.addr)
            && (f.dport == d.port || f.dport == 0);
        let same_svc = if svc.is_fwmark() {
            f.vport == 0 && vaddr.get(..4) == Some(&mark[..])
        } else {
            f.vport == svc.port && significant(svc.af, &vaddr) == significant(svc.af, &svc.addr)
        };
        if same_dest && same_svc {
            n = n.saturating_add(1);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Forward, AF_INET, IPPROTO_TCP, IPPROTO_UDP, TUN_F_CSUM, TUN_GUE};

    fn raw(a: [u8; 4]) -> [u8; 16] {
        let mut r = [0; 16];
        r[..4].copy_from_slice(&a);
        r
    }

    fn svc(proto: u16, port: u16) -> Service {
        Service {
            protocol: proto,
            addr: raw([10, 0, 0, 1]),
            port,
            sched_name: "rr".into(),
            ..Service::default()
        }
    }

    fn dest(last: u8, port: u16) -> Dest {
        Dest {
            addr: raw([10, 0, 0, last]),
            port,
            ..Dest::default()
        }
    }

    fn server(last: u8, port: Option<u16>) -> Server {
        Server {
            af: AF_INET,
            addr: raw([10, 0, 0, last]),
            port,
        }
    }

    fn table() -> Table {
        let fw = Service {
            fwmark: 7,
            sched_name: "wlc".into(),
            ..Service::default()
        };
        vec![
            (svc(IPPROTO_TCP, 80), vec![dest(2, 80), dest(3, 80)]),
            (svc(IPPROTO_TCP, 81), vec![dest(2, 8081)]),
            (svc(IPPROTO_UDP, 53), vec![dest(3, 53)]),
            (fw, vec![dest(2, 0)]),
        ]
    }

    #[test]
    fn a_server_alone_is_found_in_every_service_on_every_port() {
        let t = select(&table(), None, &server(2, None)).unwrap();
        let names: Vec<String> = t.iter().map(|t| target_name(t, true, &NoNames)).collect();
        assert_eq!(
            names,
            [
                "-t 10.0.0.1:80 -r 10.0.0.2:80",
                "-t 10.0.0.1:81 -r 10.0.0.2:8081",
                "-f 7 -r 10.0.0.2:0"
            ]
        );
        let t = select(&table(), None, &server(2, Some(8081))).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(
            select(&table(), None, &server(9, None)),
            Err(Miss::NoServer)
        );
    }

    #[test]
    fn one_service() {
        let k = svc(IPPROTO_TCP, 80).key();
        let t = select(&table(), Some(&k), &server(3, Some(80))).unwrap();
        assert_eq!(
            t,
            vec![Target {
                svc: svc(IPPROTO_TCP, 80),
                dest: dest(3, 80)
            }]
        );
        assert_eq!(
            select(&table(), Some(&k), &server(3, Some(81))),
            Err(Miss::NoServerInService)
        );
        let k = svc(IPPROTO_UDP, 80).key();
        assert_eq!(
            select(&table(), Some(&k), &server(3, None)),
            Err(Miss::NoService)
        );
    }

    #[test]
    fn undo_lines_are_save_rules_with_thresholds() {
        let t = Target {
            svc: svc(IPPROTO_TCP, 80),
            dest: Dest {
                weight: 3,
                ..dest(2, 80)
            },
        };
        assert_eq!(
            undo_line("ipvsadm", &t),
            "ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 3"
        );
        let d = Dest {
            fwd: Forward::Tunnel,
            tun_type: TUN_GUE,
            tun_port: 6080,
            tun_flags: TUN_F_CSUM,
            u_threshold: 100,
            l_threshold: 10,
            ..dest(2, 80)
        };
        let t = Target {
            svc: svc(IPPROTO_UDP, 53),
            dest: d,
        };
        assert_eq!(
            undo_line("/sbin/ipvsadm", &t),
            "/sbin/ipvsadm -e -u 10.0.0.1:53 -r 10.0.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum -x 100 -y 10"
        );
        let fw = Service {
            af: AF_INET6,
            fwmark: 5,
            ..Service::default()
        };
        let mut d = Dest {
            af: AF_INET6,
            fwd: Forward::Masq,
            weight: 0,
            ..Dest::default()
        };
        d.addr[15] = 2;
        d.addr[0] = 0x20;
        let t = Target { svc: fw, dest: d };
        assert_eq!(
            undo_line("ipvsadm", &t),
            "ipvsadm -e -f 5 -6 -r [2000::2]:0 -m -w 0"
        );
    }

    #[test]
    fn templates_are_entries_without_a_client_port() {
        // Lines as the 6.1 guest kernel shows them (NAT to 127.0.0.1:8080).
        let conn =
            b"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n\
TCP 0A000002 9456 0A000002 0051 7F000001 0051 CLOSE             9\n\
TCP 0A000001 0000 0A000001 0050 7F000001 1F90 ASSURED           4\n\
TCP 0A000001 A062 0A000001 0050 7F000001 1F90 ESTABLISHED     899\n\
TCP 0A000009 0000 0A000001 0050 7F000001 1F90 NONE              4\n\
TCP 0A000009 0000 0A000001 0051 7F000001 1F90 NONE              4\n\
IP  0A000002 0000 00000007 0000 7F000001 0000 NONE              4\n";
        let mut s = svc(IPPROTO_TCP, 80);
        let lo = Dest {
            addr: raw([127, 0, 0, 1]),
            port: 8080,
            ..Dest::default()
        };
        let t = Target {
            svc: s.clone(),
            dest: lo.clone(),
        };
        assert_eq!(templates(conn, &t), 2);
        s.port = 81;
        assert_eq!(
            templates(
                conn,
                &Target {
                    svc: s,
                    dest: lo.clone()
                }
            ),
            1
        );
        let fw = Service {
            fwmark: 7,
            ..Service::default()
        };
        assert_eq!(
            templates(
                conn,
                &Target {
                    svc: fw.clone(),
                    dest: lo.clone()
                }
            ),
            1
        );
        let other = Dest {
            addr: raw([127, 0, 0, 2]),
            ..lo
        };
        assert_eq!(
            templates(
                conn,
                &Target {
                    svc: fw,
                    dest: other
                }
            ),
            0
        );
        assert_eq!(templates(b"", &t), 0);
    }
}
