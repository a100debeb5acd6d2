//! `ipvsadm metrics`: the IPVS table's counters in Prometheus' text
//! exposition format, with node_exporter's ipvs metric names and labels
//! (or per service with `--by service`), on stdout, into a file for
//! node_exporter's textfile collector (`--textfile`, atomically), or over
//! HTTP at `/metrics` (`--listen`).
//!
//! Services, real servers and their counters come from the kernel over
//! netlink; the five `node_ipvs_*_total` totals are the kernel's own,
//! read from `/proc/net/ip_vs_stats` as node_exporter reads them (they
//! include the traffic of services since deleted, which no netlink
//! answer holds). The text is made by [`expo`] (pure); [`http`] serves
//! it; [`cli`] reads the command line.

pub mod cli;
pub mod expo;
pub mod http;

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;

use crate::cli::Parsed;
use crate::error::{self, Error};
use crate::kernel::errors::{io_strerror, strerror};
use crate::kernel::{read_table, Ipvs};
use crate::session;
use cli::Sink;
use expo::{By, Totals};

/// Where the kernel keeps its totals (the current network namespace's).
const STATS_FILE: &str = "/proc/net/ip_vs_stats";

/// The kernel's totals, from [`STATS_FILE`].
fn read_totals() -> Result<Totals, String> {
    let text = std::fs::read_to_string(STATS_FILE)
        .map_err(|e| format!("{STATS_FILE}: {}", io_strerror(&e)))?;
    expo::parse_stats(&text).ok_or_else(|| format!("{STATS_FILE}: unexpected contents"))
}

/// One scrape: the whole text, or why it could not be made.
fn scrape(k: &mut dyn Ipvs, by: By) -> Result<String, String> {
    let table =
        read_table(k).map_err(|e| format!("cannot read the IPVS table: {}", strerror(e)))?;
    let totals = read_totals()?;
    Ok(expo::render(&totals, &table, by))
}

/// Write `text` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed over `path`. On failure the temporary
/// file is removed and `path` is left as it was.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {}", path.display(), io_strerror(&e))
    })
}

/// A failure of the subcommand, as `ipvsadm metrics: reason`.
fn failed(argv0: &str, reason: &str) -> Error {
    Error::line(format!("{argv0} metrics: {reason}"), error::LIST_FAILED)
}

/// Run `ipvsadm metrics` with the words after `metrics`.
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
    let mut k = session::connect()?;
    match a.sink {
        Sink::Stdout => {
            let text = scrape(&mut k, a.by).map_err(|e| failed(argv0, &e))?;
            let _ = out.write_all(text.as_bytes());
            Ok(())
        }
        Sink::Textfile(p) => {
            let text = scrape(&mut k, a.by).map_err(|e| failed(argv0, &e))?;
            write_atomic(Path::new(&p), &text).map_err(|e| failed(argv0, &e))
        }
        Sink::Listen(addr) => {
            let l = TcpListener::bind(addr)
                .map_err(|e| failed(argv0, &format!("{addr}: {}", io_strerror(&e))))?;
            let shown = l.local_addr().unwrap_or(addr);
            let _ = writeln!(err, "{argv0} metrics: serving http://{shown}/metrics");
            let _ = err.flush();
            http::serve(l, &mut || scrape(&mut k, a.by))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::mem::MemIpvs;
    use crate::kernel::Request;
    use crate::model::{Dest, Service};

    #[test]
    fn a_service_gone_between_dumps_is_left_out() {
        let mut k = MemIpvs::default();
        for port in [80, 81] {
            let s = Service {
                protocol: crate::model::IPPROTO_TCP,
                port,
                sched_name: "rr".into(),
                ..Service::default()
            };
            k.execute(&Request::NewService(s.clone())).unwrap();
            k.execute(&Request::NewDest(s, Dest::default())).unwrap();
        }
        k.fail_dests_at = Some((0, libc::ESRCH));
        assert_eq!(read_table(&mut k).unwrap().len(), 1);
        k.dests_calls = 0;
        k.fail_dests_at = Some((1, libc::EPERM));
        assert_eq!(read_table(&mut k), Err(libc::EPERM));
    }

    #[test]
    fn textfile_is_replaced_whole_or_not_at_all() {
        let dir = std::env::temp_dir().join(format!("ipvsadm-metrics-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("ipvs.prom");
        write_atomic(&f, "a 1\n").unwrap();
        write_atomic(&f, "b 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "b 2\n");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
        // A directory in the way: an error naming the path, nothing left.
        let d = dir.join("sub");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("x"), "").unwrap();
        let e = write_atomic(&d, "c 3\n").unwrap_err();
        assert!(e.starts_with(&format!("{}: ", d.display())), "{e}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        let e = write_atomic(&dir.join("missing/x.prom"), "").unwrap_err();
        assert!(e.contains("missing/x.prom: "), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
