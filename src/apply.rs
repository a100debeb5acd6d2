//! `ipvsadm apply [--dry-run] FILE`: make the kernel's table match a file
//! in `-S` format with the fewest changes — add, edit, delete; never a
//! flush, so traffic to unchanged services never sees a gap.
//!
//! The diff is pure ([`plan`]); [`render`] prints a change as the ipvsadm
//! command line that would make it; [`run`] applies; [`main`] is the
//! subcommand (its command line is [`cli`]'s).

pub mod cli;
pub mod progress;

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, Write};

use crate::cli::Parsed;
use crate::error::{self, Error};
use crate::grammar::{self, Cmd};
use crate::kernel::{Errno, Ipvs, Request};
use crate::model::{Dest, DestKey, Forward, Service, ServiceKey, SVC_F_HASHED};
use crate::output::format::{self, View};
use crate::output::names::{host_port, NoNames};
use crate::session::{self, Session};
use progress::Progress;

/// Changes are rendered numerically: no name is ever looked up.
static NO_NAMES: NoNames = NoNames;

/// A table: services with their destinations.
pub type Table = Vec<(Service, Vec<Dest>)>;

/// Service attributes that `-E` changes (identity aside).
fn service_differs(want: &Service, have: &Service) -> bool {
    let flags = |s: &Service| s.flags & !SVC_F_HASHED;
    let persistent = want.is_persistent();
    want.sched_name != have.sched_name
        || flags(want) != flags(have)
        || want.pe_name != have.pe_name
        || (persistent && (want.timeout != have.timeout || want.netmask != have.netmask))
}

/// Destination attributes that `-e` changes (identity aside).
fn dest_differs(want: &Dest, have: &Dest) -> bool {
    let tunnel = want.fwd == Forward::Tunnel;
    want.fwd != have.fwd
        || want.weight != have.weight
        || want.u_threshold != have.u_threshold
        || want.l_threshold != have.l_threshold
        || (tunnel
            && (want.tun_type != have.tun_type
                || want.tun_port != have.tun_port
                || want.tun_flags != have.tun_flags))
}

/// The changes that turn `have` into `want`, in a safe order: services
/// added or edited, then destinations added or edited, then destinations
/// removed, then services removed.
///
/// Linear in the size of both tables: services and destinations are
/// matched through hash maps keyed by their identity.
pub fn plan(want: &Table, have: &Table) -> Vec<Request> {
    let mut have_by_key: HashMap<ServiceKey, &(Service, Vec<Dest>)> =
        HashMap::with_capacity(have.len());
    for entry in have {
        have_by_key.entry(entry.0.key()).or_insert(entry);
    }
    let mut adds = Vec::new();
    let mut dest_changes = Vec::new();
    let mut dest_dels = Vec::new();
    for (ws, wds) in want {
        match have_by_key.get(&ws.key()) {
            None => {
                adds.push(Request::NewService(ws.clone()));
                for d in wds.iter().rev() {
                    dest_changes.push(Request::NewDest(ws.clone(), d.clone()));
                }
            }
            Some((hs, hds)) => {
                if service_differs(ws, hs) {
                    adds.push(Request::SetService(ws.clone()));
                }
                plan_dests(ws, wds, hds, &mut dest_changes, &mut dest_dels);
            }
        }
    }
    let wanted: HashSet<ServiceKey> = want.iter().map(|(ws, _)| ws.key()).collect();
    let svc_dels = have
        .iter()
        .filter(|(hs, _)| !wanted.contains(&hs.key()))
        .map(|(hs, _)| Request::DelService(hs.clone()));
    adds.into_iter()
        .chain(dest_changes)
        .chain(dest_dels)
        .chain(svc_dels)
        .collect()
}

/// The destination changes of a service that exists on both sides: adds
/// and edits (in the reverse of the file's order, as ipvsadm lists them)
/// into `changes`, removals into `dels`.
fn plan_dests(
    ws: &Service,
    wds: &[Dest],
    hds: &[Dest],
    changes: &mut Vec<Request>,
    dels: &mut Vec<Request>,
) {
    let mut have: HashMap<DestKey, &Dest> = HashMap::with_capacity(hds.len());
    for h in hds {
        have.entry(h.key()).or_insert(h);
    }
    for d in wds.iter().rev() {
        match have.get(&d.key()) {
            None => changes.push(Request::NewDest(ws.clone(), d.clone())),
            Some(h) if dest_differs(d, h) => changes.push(Request::SetDest(ws.clone(), d.clone())),
            Some(_) => {}
        }
    }
    let wanted: HashSet<DestKey> = wds.iter().map(Dest::key).collect();
    for h in hds {
        if !wanted.contains(&h.key()) {
            dels.push(Request::DelDest(ws.clone(), h.clone()));
        }
    }
}

/// The service as a rule names it (`-t 10.0.0.1:80`, `-f 6 -6`), numeric.
pub fn service_spec(s: &Service) -> String {
    let vname = host_port(s.af, &s.addr, s.port, s.protocol, true, &NO_NAMES);
    String::from_utf8_lossy(&format::service_name(s, &vname, true)).into_owned()
}

/// A rule line from the save formatter, without its newline.
fn rule_text(line: Vec<u8>) -> String {
    String::from_utf8_lossy(&line).trim_end().to_string()
}

/// The `-A` rule for a service, as `-S -n` prints it.
fn add_service_rule(s: &Service) -> String {
    let name = service_spec(s);
    rule_text(format::service_line(s, name.as_bytes(), View::Rule, false))
}

/// The `-a` rule for a destination as `-S -n` prints it, plus the
/// thresholds, which the save format leaves out.
fn add_dest_rule(s: &Service, d: &Dest) -> String {
    let name = service_spec(s);
    let dname = host_port(d.af, &d.addr, d.port, s.protocol, true, &NO_NAMES);
    let mut t = rule_text(format::dest_line(
        name.as_bytes(),
        &dname,
        d,
        View::Rule,
        false,
    ));
    if d.u_threshold != 0 {
        t += &format!(" -x {}", d.u_threshold);
    }
    if d.l_threshold != 0 {
        t += &format!(" -y {}", d.l_threshold);
    }
    t
}

/// Replace a rule's leading command word (`-A` → `-E`, `-a` → `-e`).
fn with_command(rule: String, cmd: &str) -> String {
    match rule.split_once(' ') {
        Some((_, rest)) => format!("{cmd} {rest}"),
        None => cmd.to_string(),
    }
}

/// The ipvsadm command line (without the program name) for a change.
pub fn render(req: &Request) -> String {
    match req {
        Request::NewService(s) => add_service_rule(s),
        Request::SetService(s) => with_command(add_service_rule(s), "-E"),
        Request::DelService(s) => format!("-D {}", service_spec(s)),
        Request::NewDest(s, d) => add_dest_rule(s, d),
        Request::SetDest(s, d) => with_command(add_dest_rule(s, d), "-e"),
        Request::DelDest(s, d) => {
            let dname = host_port(d.af, &d.addr, d.port, s.protocol, true, &NO_NAMES);
            format!(
                "-d {} -r {}",
                service_spec(s),
                String::from_utf8_lossy(&dname)
            )
        }
        Request::Zero(_) => "-Z".into(),
        Request::Flush => "-C".into(),
        Request::SetTimeout(t) => format!("--set {} {} {}", t.tcp, t.tcp_fin, t.udp),
        Request::NewDaemon(_) | Request::DelDaemon(_) => String::new(),
    }
}

/// Why reading the file failed: the crate's error (message and status).
pub type ReadError = Error;

/// Where each service read so far sits in the table, and which real
/// servers each has: duplicates are found in constant time.
#[derive(Default)]
struct TableIndex {
    services: HashMap<ServiceKey, usize>,
    dests: HashSet<(usize, DestKey)>,
}

/// Read a table in `-S` format (one `-A` or `-a` rule a line; blank lines
/// and lines starting with `#` are skipped, a leading `ipvsadm` dropped).
pub fn read_table(argv0: &str, input: &mut dyn BufRead) -> Result<Table, ReadError> {
    let mut table: Table = Vec::new();
    let mut index = TableIndex::default();
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => n += 1,
            Err(e) => return Err(Error::usage(format!("{argv0} apply: read error: {e}"))),
        }
        if line.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'#') {
            continue;
        }
        let words = grammar::tokens::tokenize(&line);
        if words.is_empty() {
            continue;
        }
        let at = |m: String| Error::usage(format!("line {n}: {m}"));
        let cmd = grammar::parse(argv0, &words)
            .map_err(|e| Error::new(format!("line {n}: {}", e.text), e.code))?;
        let svc = cmd.service.clone().unwrap_or_default();
        match cmd.cmd {
            Cmd::AddService => {
                if index.services.insert(svc.key(), table.len()).is_some() {
                    return Err(at("service defined twice".into()));
                }
                table.push((svc, Vec::new()));
            }
            Cmd::AddDest => {
                let d = cmd.dest.clone().unwrap_or_default();
                let Some(&i) = index.services.get(&svc.key()) else {
                    return Err(at("real server for a service not defined above".into()));
                };
                if !index.dests.insert((i, d.key())) {
                    return Err(at("real server defined twice".into()));
                }
                if let Some((_, ds)) = table.get_mut(i) {
                    ds.push(d);
                }
            }
            _ => return Err(at("only -A and -a rules may appear in an apply file".into())),
        }
    }
    Ok(table)
}

/// The kernel's current table.
pub fn current_table(k: &mut dyn Ipvs) -> Result<Table, Errno> {
    read_kernel_table(k, |_, _| {})
}

/// The kernel's current table, calling `each(done, total)` as each
/// service's real servers come in (one dump per service: the long part).
fn read_kernel_table(k: &mut dyn Ipvs, mut each: impl FnMut(usize, usize)) -> Result<Table, Errno> {
    let services = k.services()?;
    let total = services.len();
    each(0, total);
    crate::kernel::with_dests(k, &services, false, &mut |n| each(n, total))
}

/// Changes sent between two progress updates.
const PROGRESS_STEP: usize = 4096;

/// Run `apply`: print the changes (`dry_run`) or make them, writing each
/// failure with its command line as it happens. On a terminal, a run
/// longer than a second shows its progress on stderr.
pub fn run(
    want: &Table,
    dry_run: bool,
    k: &mut dyn Ipvs,
    s: &mut Session<'_>,
) -> Result<(), Error> {
    let progress = Progress::new(
        &format!("{} apply", s.argv0),
        progress::stderr_is_tty(),
        progress::AFTER,
    );
    run_with(want, dry_run, k, s, progress)
}

/// [`run`] with the progress line given (tests draw it into a buffer).
pub fn run_with(
    want: &Table,
    dry_run: bool,
    k: &mut dyn Ipvs,
    s: &mut Session<'_>,
    mut progress: Progress,
) -> Result<(), Error> {
    let have = read_have(k, s, &mut progress)?;
    make_changes(want, &have, dry_run, k, s, progress)
}

/// The kernel's table, with its progress line; a failure is the listing's
/// error text.
fn read_have(
    k: &mut dyn Ipvs,
    s: &mut Session<'_>,
    progress: &mut Progress,
) -> Result<Table, Error> {
    progress.update(s.err, "reading the kernel's table");
    read_kernel_table(k, |done, total| {
        if progress.due() {
            let what = format!("reading the kernel's table: {done}/{total} services");
            progress.update(s.err, &what);
        }
    })
    .map_err(|e| {
        progress.clear(s.err);
        s.kernel_error(e, error::LIST_FAILED)
    })
}

/// Plan from `want` and `have`, then print the changes (`dry_run`) or
/// make them.
fn make_changes(
    want: &Table,
    have: &Table,
    dry_run: bool,
    k: &mut dyn Ipvs,
    s: &mut Session<'_>,
    mut progress: Progress,
) -> Result<(), Error> {
    let changes = plan(want, have);
    if dry_run {
        progress.clear(s.err);
        for c in &changes {
            let _ = writeln!(s.out, "{} {}", s.argv0, render(c));
        }
        return Ok(());
    }
    let mut rc = error::OK;
    let total = changes.len();
    let mut done = 0;
    for chunk in changes.chunks(PROGRESS_STEP) {
        for (c, res) in chunk.iter().zip(k.execute_many(chunk)) {
            if let Err(e) = res {
                progress.clear(s.err);
                s.begin(c);
                let failed = s.kernel_error(e, error::KERNEL_FAILED);
                let line = Error::new(
                    format!("{} {}: {}", s.argv0, render(c), failed.text),
                    failed.code,
                );
                rc = s.report(Err(line));
            }
        }
        done += chunk.len();
        progress.update(s.err, &format!("{done}/{total} changes"));
    }
    progress.finish(s.err, &format!("{done}/{total} changes"));
    match rc {
        error::OK => Ok(()),
        rc => Err(Error::status(rc)),
    }
}

/// Read the table file named on the command line (`-`: stdin).
fn read_file(argv0: &str, file: &str) -> Result<Table, Error> {
    if file == "-" {
        return read_table(argv0, &mut io::stdin().lock());
    }
    let f = std::fs::File::open(file).map_err(|e| {
        Error::usage(format!(
            "{argv0} apply: cannot open {file}: {}",
            crate::kernel::errors::io_strerror(&e)
        ))
    })?;
    read_table(argv0, &mut io::BufReader::new(f))
}

/// `ipvsadm apply [--dry-run] FILE|-` (and `-h`/`--help`).
pub fn main(
    argv0: &str,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let a = match cli::parse(argv0, args)? {
        Parsed::Help => return crate::cli::print_help(out, &cli::help(argv0)),
        Parsed::Run(a) => a,
    };
    let mut s = Session {
        argv0: argv0.to_string(),
        op: crate::kernel::errors::Op::Init,
        out,
        err,
    };
    let mut progress = Progress::new(
        &format!("{argv0} apply"),
        progress::stderr_is_tty(),
        progress::AFTER,
    );
    std::thread::scope(|scope| {
        // The file is read and parsed on a thread of its own while the
        // kernel's table is read: the two overlap. A bad file still wins
        // over any kernel error, and nothing is changed before both are in.
        let file = a.file.as_str();
        let Ok(reader) = std::thread::Builder::new()
            .name("apply-file".into())
            .spawn_scoped(scope, move || read_file(argv0, file))
        else {
            let want = read_file(argv0, file)?;
            let mut k = session::connect()?;
            return run_with(&want, a.dry_run, &mut k, &mut s, progress);
        };
        // Module loading (and its messages) waits for a good file.
        let early = crate::transport::connect_loaded().ok().map(|mut k| {
            let have = read_have(&mut k, &mut s, &mut progress);
            (k, have)
        });
        let want = reader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        if want.is_err() {
            progress.clear(s.err);
        }
        let want = want?;
        let (mut k, have) = match early {
            Some(got) => got,
            None => {
                let mut k = session::connect()?;
                let have = read_have(&mut k, &mut s, &mut progress);
                (k, have)
            }
        };
        make_changes(&want, &have?, a.dry_run, &mut k, &mut s, progress)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::mem::MemIpvs;
    use crate::model::{
        raw_from_ip, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SVC_F_PERSISTENT, TUN_GUE,
    };

    fn svc(addr: &str, port: u16, sched: &str) -> Service {
        Service {
            protocol: IPPROTO_TCP,
            addr: raw_from_ip(addr.parse().unwrap()),
            port,
            sched_name: sched.into(),
            ..Service::default()
        }
    }

    fn dest(addr: &str, port: u16, weight: u32) -> Dest {
        Dest {
            addr: raw_from_ip(addr.parse().unwrap()),
            port,
            weight,
            ..Dest::default()
        }
    }

    fn apply(k: &mut MemIpvs, want: &Table) -> Vec<Request> {
        let have = current_table(k).unwrap();
        let p = plan(want, &have);
        for r in k.execute_many(&p) {
            r.unwrap();
        }
        p
    }

    #[test]
    fn converges_and_second_plan_is_empty() {
        let mut k = MemIpvs::default();
        let mut persistent = svc("10.0.0.2", 443, "rr");
        persistent.flags = SVC_F_PERSISTENT;
        persistent.timeout = 300;
        let want: Table = vec![
            (
                svc("10.0.0.1", 80, "wlc"),
                vec![dest("10.1.0.1", 80, 1), dest("10.1.0.2", 80, 3)],
            ),
            (persistent, vec![]),
        ];
        let first = apply(&mut k, &want);
        assert_eq!(first.len(), 4);
        assert!(apply(&mut k, &want).is_empty());

        // Edit one weight, drop one server, drop a service, add one.
        let want2: Table = vec![
            (svc("10.0.0.1", 80, "wlc"), vec![dest("10.1.0.2", 80, 5)]),
            (svc("10.0.0.3", 80, "rr"), vec![]),
        ];
        let second = apply(&mut k, &want2);
        let lines: Vec<String> = second.iter().map(render).collect();
        assert_eq!(
            lines,
            vec![
                "-A -t 10.0.0.3:80 -s rr",
                "-e -t 10.0.0.1:80 -r 10.1.0.2:80 -g -w 5",
                "-d -t 10.0.0.1:80 -r 10.1.0.1:80",
                "-D -t 10.0.0.2:443",
            ]
        );
        assert!(apply(&mut k, &want2).is_empty());
        assert!(!second.iter().any(|r| matches!(r, Request::Flush)));
    }

    #[test]
    fn help_goes_to_stdout_with_success() {
        for word in ["--help", "-h"] {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let r = main("ipvsadm", &[word.to_string()], &mut out, &mut err);
            assert_eq!(r, Ok(()));
            assert_eq!(String::from_utf8_lossy(&out), cli::help("ipvsadm"));
            assert!(err.is_empty());
        }
        // A bad command line: the reason and the usage, status 2.
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let e = main("ipvsadm", &[], &mut out, &mut err).unwrap_err();
        assert_eq!(e.code, error::USAGE);
        assert!(e.text.ends_with(&format!("{}\n", cli::usage("ipvsadm"))));
        assert!(out.is_empty());
    }

    #[test]
    fn renders_options() {
        let mut s = svc("10.0.0.1", 0, "sh");
        s.flags = SVC_F_PERSISTENT | 0x18;
        s.timeout = 600;
        s.netmask = 0xffff_ff00;
        assert_eq!(
            render(&Request::NewService(s.clone())),
            "-A -t 10.0.0.1:0 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port"
        );
        let mut d = dest("192.168.1.4", 80, 2);
        d.fwd = Forward::Tunnel;
        d.tun_type = TUN_GUE;
        d.tun_port = 6080;
        d.tun_flags = 1;
        d.u_threshold = 10;
        assert_eq!(
            render(&Request::NewDest(s, d)),
            "-a -t 10.0.0.1:0 -r 192.168.1.4:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum -x 10"
        );
    }

    /// A generated table: `n` services (TCP, UDP, some fwmark, some IPv6),
    /// each with 1–4 real servers; `seed` varies the weights.
    fn generated(n: usize, rng: &mut crate::testkit::Rng) -> Table {
        (0..n)
            .map(|i| {
                let mut s = Service {
                    protocol: if i % 3 == 0 { IPPROTO_UDP } else { IPPROTO_TCP },
                    sched_name: "wlc".into(),
                    ..Service::default()
                };
                match i % 10 {
                    0 => s.fwmark = u32::try_from(i).unwrap() + 1,
                    1 => {
                        s.af = AF_INET6;
                        s.addr = raw_from_ip(format!("2001:db8::{:x}", i).parse().unwrap());
                        s.port = 443;
                    }
                    _ => {
                        let a = u32::try_from(i).unwrap();
                        s.addr = raw_from_ip(std::net::Ipv4Addr::from(0x0a00_0000 | a).into());
                        s.port = 80;
                    }
                }
                let n_dests = 1 + rng.below(4);
                let dests = (0..n_dests)
                    .map(|j| {
                        let mut d = dest(&format!("192.168.{}.{}", j, 1 + i % 250), 8080, 1);
                        if s.af == AF_INET6 {
                            d.af = AF_INET6;
                            d.addr =
                                raw_from_ip(format!("2001:db8:1::{:x}:{j}", i).parse().unwrap());
                        }
                        d.port = u16::try_from(8000 + i % 1000).unwrap();
                        d.weight = u32::try_from(rng.below(5)).unwrap();
                        d
                    })
                    .collect();
                (s, dests)
            })
            .collect()
    }

    /// Edits, adds and removes about `pct` percent of services and real
    /// servers of `t`.
    fn mutated(t: &Table, pct: usize, rng: &mut crate::testkit::Rng) -> Table {
        let mut out = Vec::new();
        for (s, ds) in t {
            match rng.below(100) {
                r if r < pct / 3 => continue, // service removed
                r if r < 2 * pct / 3 => {
                    let mut s = s.clone();
                    s.sched_name = "rr".into();
                    out.push((s, ds.clone()));
                }
                r if r < pct => {
                    let mut ds = ds.clone();
                    if let Some(d) = ds.first_mut() {
                        d.weight += 7;
                    }
                    ds.pop();
                    let mut extra = dest("172.16.0.1", 9999, 2);
                    extra.af = s.af;
                    if s.af == AF_INET6 {
                        extra.addr = raw_from_ip("2001:db8:2::1".parse().unwrap());
                    }
                    ds.push(extra);
                    out.push((s.clone(), ds));
                }
                _ => out.push((s.clone(), ds.clone())),
            }
        }
        let mut fresh = generated(t.len() * pct / 100 + 1, rng);
        for (s, _) in fresh.iter_mut() {
            s.port = s.port.wrapping_add(1000);
            if s.fwmark != 0 {
                s.fwmark += 1_000_000;
            }
        }
        out.extend(fresh);
        out
    }

    /// Applies a plan to a table the way the kernel would, by identity.
    fn replay(have: &Table, changes: &[Request]) -> HashMap<ServiceKey, (Service, Vec<Dest>)> {
        let mut t: HashMap<ServiceKey, (Service, Vec<Dest>)> = have
            .iter()
            .map(|(s, d)| (s.key(), (s.clone(), d.clone())))
            .collect();
        for c in changes {
            match c {
                Request::NewService(s) => {
                    assert!(t.insert(s.key(), (s.clone(), vec![])).is_none(), "re-added");
                }
                Request::SetService(s) => {
                    t.get_mut(&s.key()).expect("edited service").0 = s.clone()
                }
                Request::DelService(s) => assert!(t.remove(&s.key()).is_some(), "deleted twice"),
                Request::NewDest(s, d) | Request::SetDest(s, d) | Request::DelDest(s, d) => {
                    let ds = &mut t.get_mut(&s.key()).expect("service of a server").1;
                    let at = ds.iter().position(|x| x.key() == d.key());
                    match (c, at) {
                        (Request::NewDest(..), None) => ds.insert(0, d.clone()),
                        (Request::SetDest(..), Some(i)) => ds[i] = d.clone(),
                        (Request::DelDest(..), Some(i)) => {
                            ds.remove(i);
                        }
                        _ => panic!("server change does not fit: {c:?}"),
                    }
                }
                _ => panic!("apply never sends {c:?}"),
            }
        }
        t
    }

    /// The hash-map plan on 50,000 services with 1 % and 30 % changed: the
    /// replayed result is exactly the wanted table, and planning again
    /// from it asks for nothing.
    #[test]
    fn large_tables_plan_exactly_the_difference() {
        let mut rng = crate::testkit::Rng::new(20261203);
        let have = generated(50_000, &mut rng);
        for pct in [1, 30] {
            let want = mutated(&have, pct, &mut rng);
            let changes = plan(&want, &have);
            assert!(!changes.is_empty());
            let got = replay(&have, &changes);
            assert_eq!(got.len(), want.len());
            let mut after: Table = Vec::with_capacity(want.len());
            for (ws, wds) in &want {
                let (gs, gds) = got.get(&ws.key()).expect("wanted service present");
                assert!(!service_differs(ws, gs), "{ws:?}");
                assert_eq!(gds.len(), wds.len());
                for d in wds {
                    let g = gds.iter().find(|g| g.key() == d.key()).expect("server");
                    assert!(!dest_differs(d, g));
                }
                after.push((gs.clone(), gds.clone()));
            }
            assert!(plan(&want, &after).is_empty(), "second plan at {pct} %");
        }
    }

    /// The same on the in-memory kernel (which checks every change as the
    /// kernel does), on a table small enough for its linear lookups.
    #[test]
    fn generated_tables_converge_on_the_kernel_model() {
        let mut rng = crate::testkit::Rng::new(7);
        let mut k = MemIpvs::default();
        let first = generated(2_000, &mut rng);
        apply(&mut k, &first);
        let want = mutated(&first, 20, &mut rng);
        apply(&mut k, &want);
        assert!(apply(&mut k, &want).is_empty());
        assert_eq!(current_table(&mut k).unwrap().len(), want.len());
    }

    /// On a terminal: progress per step, each failure on a cleared line,
    /// the last count left on the screen; nothing of it on stdout.
    #[test]
    fn progress_line_with_a_failure_mid_way() {
        let mut rng = crate::testkit::Rng::new(11);
        let want = generated(3_000, &mut rng);
        let mut k = MemIpvs::default();
        let mut bad = want.clone();
        bad[1500].0.sched_name = "nosuch".into();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut s = Session {
            argv0: "ipvsadm".into(),
            op: crate::kernel::errors::Op::Init,
            out: &mut out,
            err: &mut err,
        };
        let p = Progress::new("ipvsadm apply", true, std::time::Duration::ZERO);
        let r = run_with(&bad, false, &mut k, &mut s, p);
        assert_eq!(r.map_err(|e| e.code), Err(error::KERNEL_FAILED));
        let err = String::from_utf8(err).unwrap();
        let total = k.log.len();
        assert!(
            err.starts_with("\ripvsadm apply: reading the kernel's table\x1b[K"),
            "{err:?}"
        );
        assert!(
            err.contains(
                "\r\x1b[Kipvsadm -A -f 1501 -s nosuch: Scheduler or persistence engine not found\n"
            ),
            "{err:?}"
        );
        assert!(
            err.contains(&format!("\ripvsadm apply: 4096/{total} changes\x1b[K")),
            "{err:?}"
        );
        assert!(
            err.ends_with(&format!("\ripvsadm apply: {total}/{total} changes\x1b[K\n")),
            "{err:?}"
        );
        assert!(out.is_empty());
    }
}
