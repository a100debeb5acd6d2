//! `ipvsadm top`: services and their real servers sorted by traffic,
//! live. The table is read over netlink once per interval (`-d`); each
//! refresh shows, per service and real server, the growth of its
//! counters since the previous reading divided by the seconds between
//! the two readings (not the kernel's own rates, which are a moving
//! average over two-second periods), with the totals and the
//! ActiveConn / InActConn counts.
//!
//! On a terminal (standard input and output both) the view refreshes in
//! place and keys change it ([`term`]); otherwise, or with `--once`,
//! `--count` or `--json`, one snapshot is printed per interval, as text
//! or as one JSON object per line ([`render`]). The arithmetic is
//! [`frame`] (pure), the command line [`cli`].

pub mod cli;
pub mod frame;
pub mod render;
pub mod term;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

use crate::apply::Table;
use crate::cli::Parsed;
use crate::error::{self, Error};
use crate::kernel::errors::{io_strerror, strerror};
use crate::kernel::Ipvs;
use crate::model::RawAddr;
use crate::output::names::{Names, SystemNames};
use crate::session;
use cli::Args;
use frame::Frame;
use render::Look;
use term::{Event, Key, Terminal};

/// The system's reverse lookups, each asked once per run (a refresh
/// must not wait for DNS again and again).
#[derive(Default)]
struct CachedNames {
    hosts: RefCell<Answers<(u16, RawAddr)>>,
    services: RefCell<Answers<(u16, String)>>,
}

/// Lookups asked so far and their answers.
type Answers<K> = HashMap<K, Option<Vec<u8>>>;

impl Names for CachedNames {
    fn host(&self, af: u16, addr: &RawAddr) -> Option<Vec<u8>> {
        let mut m = self.hosts.borrow_mut();
        m.entry((af, *addr))
            .or_insert_with(|| SystemNames.host(af, addr))
            .clone()
    }
    fn service(&self, port: u16, proto: &str) -> Option<Vec<u8>> {
        let mut m = self.services.borrow_mut();
        m.entry((port, proto.to_string()))
            .or_insert_with(|| SystemNames.service(port, proto))
            .clone()
    }
}

/// A failure of the subcommand, as `ipvsadm top: reason`, status 1.
fn failed(argv0: &str, reason: &str) -> Error {
    Error::line(format!("{argv0} top: {reason}"), error::LIST_FAILED)
}

/// One reading of the kernel's table and when it started.
fn read(argv0: &str, k: &mut dyn Ipvs) -> Result<(Table, Instant), Error> {
    let at = Instant::now();
    let t = crate::kernel::read_table(k).map_err(|e| {
        failed(
            argv0,
            &format!("cannot read the IPVS table: {}", strerror(e)),
        )
    })?;
    Ok((t, at))
}

/// The local time of day, `HH:MM:SS`.
fn clock() -> String {
    // SAFETY: time with a null pointer; localtime_r into a zeroed tm.
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return "--:--:--".into();
        }
        format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
    }
}

/// Seconds since the epoch, for the JSON.
fn epoch() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The readings' schedule: `delay` after the previous reading started.
fn due(at: Instant, delay: f64) -> Instant {
    at + Duration::from_secs_f64(delay)
}

/// Snapshots on standard output, one per interval, `a.count` of them
/// (or until killed). A failed write ends the run quietly, as listings do.
fn snapshots(argv0: &str, a: &Args, k: &mut dyn Ipvs, out: &mut dyn Write) -> Result<(), Error> {
    let names = CachedNames::default();
    let look = Look {
        sort: a.sort,
        numeric: a.numeric,
    };
    let (mut before, mut at) = read(argv0, k)?;
    let mut shown = 0u64;
    while a.count.is_none_or(|n| shown < n) {
        std::thread::sleep(due(at, a.delay).saturating_duration_since(Instant::now()));
        let (now, now_at) = read(argv0, k)?;
        let f = frame::compute(&before, &now, (now_at - at).as_secs_f64());
        let text = if a.json {
            render::json(&f, a.sort, epoch())
        } else {
            render::text(&f, look, &names, &clock())
        };
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return Ok(());
        }
        (before, at) = (now, now_at);
        shown += 1;
    }
    Ok(())
}

/// Paint the live view; false when the terminal cannot be written.
fn draw(out: &mut dyn Write, f: &Frame, look: Look, names: &dyn Names, clock: &str) -> bool {
    let lines = render::screen(f, look, names, clock, term::size());
    out.write_all(term::redraw(&lines).as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// What the typed bytes ask for: the view changed, or quit.
fn apply_keys(bytes: &[u8], look: &mut Look) -> bool {
    for &b in bytes {
        match term::key(b) {
            Some(Key::Quit) => return true,
            Some(Key::Sort(s)) => look.sort = s,
            Some(Key::ToggleNumeric) => look.numeric = !look.numeric,
            None => {}
        }
    }
    false
}

/// The live view on the terminal, until a quitting key or an ending
/// signal (status 128 + its number); the terminal is restored on every
/// way out (dropping `tty`).
fn live(argv0: &str, a: &Args, k: &mut dyn Ipvs, out: &mut dyn Write) -> Result<(), Error> {
    let names = CachedNames::default();
    let mut look = Look {
        sort: a.sort,
        numeric: a.numeric,
    };
    let (mut before, mut at) = read(argv0, k)?;
    let tty = Terminal::enter().map_err(|e| {
        failed(
            argv0,
            &format!("cannot set up the terminal: {}", io_strerror(&e)),
        )
    })?;
    let mut f = frame::first(&before);
    let mut when = clock();
    let mut ok = draw(out, &f, look, &names, &when);
    while ok {
        // Keys and signals are looked at before every reading, even when
        // reading takes longer than the interval (then without waiting).
        let next = due(at, a.delay);
        match tty.wait(next.saturating_duration_since(Instant::now())) {
            Event::Timeout if Instant::now() >= next => {
                let (now, now_at) = read(argv0, k)?;
                f = frame::compute(&before, &now, (now_at - at).as_secs_f64());
                (before, at, when) = (now, now_at, clock());
            }
            Event::Timeout => continue,
            Event::Input(b) if apply_keys(&b, &mut look) => return Ok(()),
            Event::Input(_) | Event::Resize => {}
            Event::Signal(sig) => return Err(Error::status(128 + sig)),
            Event::Closed => return Ok(()),
        }
        ok = draw(out, &f, look, &names, &when);
    }
    Ok(())
}

/// Run `ipvsadm top` with the words after `top`.
pub fn main(argv0: &str, args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = match cli::parse(argv0, args)? {
        Parsed::Help => return crate::cli::print_help(out, &cli::help(argv0)),
        Parsed::Run(a) => a,
    };
    let mut k = session::connect()?;
    let interactive = a.count.is_none() && !a.json && term::is_tty(0) && term::is_tty(1);
    if interactive {
        live(argv0, &a, &mut k, out)
    } else {
        snapshots(argv0, &a, &mut k, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_the_look_or_quit() {
        let mut look = Look {
            sort: frame::SortKey::Conns,
            numeric: false,
        };
        assert!(!apply_keys(b"bn", &mut look));
        assert_eq!(look.sort, frame::SortKey::Bytes);
        assert!(look.numeric);
        assert!(!apply_keys(b"xpn", &mut look));
        assert_eq!(look.sort, frame::SortKey::Packets);
        assert!(!look.numeric);
        assert!(apply_keys(b"cq", &mut look));
        assert!(apply_keys(b"\x03", &mut look));
    }
}
