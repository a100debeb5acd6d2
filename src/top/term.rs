//! The terminal of `ipvsadm top`'s live view, with the C library only
//! (termios, poll, sigaction and a handful of ANSI sequences; no
//! terminal crate is needed for one full-screen redraw per interval).
//!
//! [`Terminal::enter`] switches the terminal to the alternate screen,
//! hides the cursor and turns off line editing, echo and the signal keys
//! (so Ctrl-C arrives as a key and quits like `q`); SIGINT, SIGTERM and
//! SIGHUP from elsewhere are caught instead of killing the process, so
//! that the view can end through the same path. Dropping the
//! [`Terminal`] puts everything back: the terminal's saved settings, the
//! normal screen and cursor, the signals' former handlers. It is dropped
//! on every way out (a key, a signal, an error).
//!
//! What is pure: [`key`] (a typed byte → what it asks for) and
//! [`redraw`] (screen lines → the bytes that paint them).

use std::io;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

use super::frame::SortKey;

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Sort(SortKey),
    ToggleNumeric,
    Quit,
}

/// The meaning of one typed byte: `c`, `p`, `b` sort by connections,
/// packets or bytes per second, `n` toggles numeric names, `q` or Ctrl-C
/// quits (either case); anything else means nothing.
pub fn key(b: u8) -> Option<Key> {
    match b.to_ascii_lowercase() {
        b'c' => Some(Key::Sort(SortKey::Conns)),
        b'p' => Some(Key::Sort(SortKey::Packets)),
        b'b' => Some(Key::Sort(SortKey::Bytes)),
        b'n' => Some(Key::ToggleNumeric),
        b'q' | 0x03 => Some(Key::Quit),
        _ => None,
    }
}

/// The bytes that paint `lines` from the top-left corner: each line
/// clears the rest of its row, and whatever is below the last one is
/// cleared (no line end after the last row, so nothing scrolls).
pub fn redraw(lines: &[String]) -> String {
    let mut s = String::from("\x1b[H");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            s.push_str("\r\n");
        }
        s.push_str(l);
        s.push_str("\x1b[K");
    }
    s.push_str("\x1b[J");
    s
}

/// Into the alternate screen, cursor hidden.
const ENTER: &[u8] = b"\x1b[?1049h\x1b[?25l";
/// Cursor shown, back to the normal screen.
const LEAVE: &[u8] = b"\x1b[?25h\x1b[?1049l";

/// Signals that end the live view (after the terminal is restored).
const ENDING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The last ending signal caught (0: none).
static SIGNALLED: AtomicI32 = AtomicI32::new(0);
/// The window changed size since the last look.
static RESIZED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(sig: libc::c_int) {
    if sig == libc::SIGWINCH {
        RESIZED.store(true, Ordering::SeqCst);
    } else {
        SIGNALLED.store(sig, Ordering::SeqCst);
    }
}

/// What ended a [`Terminal::wait`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The time was up.
    Timeout,
    /// Bytes typed.
    Input(Vec<u8>),
    /// The window changed size.
    Resize,
    /// An ending signal (its number).
    Signal(i32),
    /// The terminal went away (end of input, hangup).
    Closed,
}

/// Whether a descriptor is a terminal.
pub fn is_tty(fd: libc::c_int) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// Columns and rows of the terminal on standard output (80 × 24 when
/// it does not say).
pub fn size() -> (usize, usize) {
    // SAFETY: a zeroed winsize is valid; TIOCGWINSZ fills it in.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: fd 1 and a valid pointer to a winsize.
    let rc = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) };
    if rc != 0 || ws.ws_col == 0 || ws.ws_row == 0 {
        return (80, 24);
    }
    (usize::from(ws.ws_col), usize::from(ws.ws_row))
}

fn write_all_fd(fd: libc::c_int, mut b: &[u8]) {
    while !b.is_empty() {
        // SAFETY: a valid buffer of b.len() bytes.
        let n = unsafe { libc::write(fd, b.as_ptr().cast(), b.len()) };
        if n <= 0 {
            let e = io::Error::last_os_error();
            if n < 0 && e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        b = b.get(n as usize..).unwrap_or(&[]);
    }
}

/// The live view's hold on the terminal (standard input and output);
/// dropping it restores everything.
pub struct Terminal {
    /// Where keys come from and where the screen goes.
    input: libc::c_int,
    output: libc::c_int,
    saved: libc::termios,
    old_actions: Vec<(libc::c_int, libc::sigaction)>,
}

impl Terminal {
    /// Raw input, alternate screen, signal handlers (see the module docs),
    /// on standard input and output.
    pub fn enter() -> io::Result<Terminal> {
        Terminal::enter_on(0, 1)
    }

    /// [`Terminal::enter`] with keys read from `input` and the screen
    /// sequences written to `output`.
    fn enter_on(input: libc::c_int, output: libc::c_int) -> io::Result<Terminal> {
        // SAFETY: a zeroed termios is valid; tcgetattr fills it in.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: a descriptor and a valid pointer.
        if unsafe { libc::tcgetattr(input, &mut saved) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut raw = saved;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
        raw.c_iflag &= !(libc::IXON | libc::ICRNL);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: a descriptor and a valid termios.
        if unsafe { libc::tcsetattr(input, libc::TCSANOW, &raw) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut t = Terminal {
            input,
            output,
            saved,
            old_actions: Vec::new(),
        };
        SIGNALLED.store(0, Ordering::SeqCst);
        RESIZED.store(false, Ordering::SeqCst);
        for sig in ENDING.into_iter().chain([libc::SIGWINCH]) {
            t.catch(sig)?;
        }
        write_all_fd(output, ENTER);
        Ok(t)
    }

    /// Catch `sig` with [`on_signal`], keeping its former action.
    fn catch(&mut self, sig: libc::c_int) -> io::Result<()> {
        // SAFETY: zeroed sigaction structs are valid; the handler only
        // stores into atomics (async-signal-safe). SA_RESTART keeps
        // netlink reads going; poll is interrupted regardless.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            act.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &act, &mut old) != 0 {
                return Err(io::Error::last_os_error());
            }
            self.old_actions.push((sig, old));
        }
        Ok(())
    }

    /// Wait up to `timeout` for a key, a resize or an ending signal.
    pub fn wait(&self, timeout: Duration) -> Event {
        if let Some(e) = pending() {
            return e;
        }
        // Whole milliseconds, rounded up (so as not to wake just early).
        let ms = timeout.as_micros().div_ceil(1000).min(60_000) as libc::c_int;
        let mut p = libc::pollfd {
            fd: self.input,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut p, 1, ms) };
        if rc < 0 {
            return pending().unwrap_or(Event::Timeout);
        }
        if rc == 0 {
            return pending().unwrap_or(Event::Timeout);
        }
        if p.revents & libc::POLLIN == 0 {
            return Event::Closed;
        }
        let mut buf = [0u8; 64];
        // SAFETY: a valid buffer of its length.
        let n = unsafe { libc::read(self.input, buf.as_mut_ptr().cast(), buf.len()) };
        match usize::try_from(n) {
            Ok(0) => Event::Closed,
            Ok(n) => Event::Input(buf.get(..n).unwrap_or(&[]).to_vec()),
            Err(_) => pending().unwrap_or(Event::Timeout),
        }
    }
}

/// A signal or resize noted by the handler since the last look.
fn pending() -> Option<Event> {
    let sig = SIGNALLED.swap(0, Ordering::SeqCst);
    if sig != 0 {
        return Some(Event::Signal(sig));
    }
    RESIZED
        .swap(false, Ordering::SeqCst)
        .then_some(Event::Resize)
}

impl Drop for Terminal {
    fn drop(&mut self) {
        write_all_fd(self.output, LEAVE);
        // SAFETY: the descriptor and the termios saved at entry; the saved
        // actions as sigaction returned them.
        unsafe {
            libc::tcsetattr(self.input, libc::TCSANOW, &self.saved);
            for (sig, old) in self.old_actions.drain(..).rev() {
                libc::sigaction(sig, &old, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key(b'c'), Some(Key::Sort(SortKey::Conns)));
        assert_eq!(key(b'P'), Some(Key::Sort(SortKey::Packets)));
        assert_eq!(key(b'b'), Some(Key::Sort(SortKey::Bytes)));
        assert_eq!(key(b'n'), Some(Key::ToggleNumeric));
        assert_eq!(key(b'q'), Some(Key::Quit));
        assert_eq!(key(b'Q'), Some(Key::Quit));
        assert_eq!(key(0x03), Some(Key::Quit), "Ctrl-C");
        for b in [b'x', b' ', 0x1b, b'[', b'A', 0x1a, 0x1c, b'\r'] {
            assert_eq!(key(b), None, "{b:#x}");
        }
    }

    /// A pseudo-terminal pair (controller, device), closed when dropped.
    struct Pty(libc::c_int, libc::c_int);

    impl Pty {
        fn open() -> Pty {
            let (mut c, mut d) = (-1, -1);
            // SAFETY: valid out-pointers; null name, termios and size.
            let rc = unsafe {
                libc::openpty(
                    &mut c,
                    &mut d,
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    std::ptr::null(),
                )
            };
            assert_eq!(rc, 0, "openpty: {}", io::Error::last_os_error());
            Pty(c, d)
        }

        fn lflag(&self) -> libc::tcflag_t {
            // SAFETY: a zeroed termios filled in by tcgetattr.
            unsafe {
                let mut t: libc::termios = std::mem::zeroed();
                assert_eq!(libc::tcgetattr(self.1, &mut t), 0);
                t.c_lflag
            }
        }

        /// What the device side wrote so far (read until it stays quiet).
        fn written(&self) -> Vec<u8> {
            let mut all = Vec::new();
            let mut buf = [0u8; 256];
            loop {
                let mut p = libc::pollfd {
                    fd: self.0,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd; a valid buffer.
                let n = unsafe {
                    if libc::poll(&mut p, 1, 300) != 1 {
                        return all;
                    }
                    libc::read(self.0, buf.as_mut_ptr().cast(), buf.len())
                };
                match usize::try_from(n) {
                    Ok(n) if n > 0 => all.extend_from_slice(buf.get(..n).unwrap_or(&[])),
                    _ => return all,
                }
            }
        }
    }

    impl Drop for Pty {
        fn drop(&mut self) {
            // SAFETY: closing the two descriptors openpty gave.
            unsafe {
                libc::close(self.0);
                libc::close(self.1);
            }
        }
    }

    /// A view that fails after entering: `?` drops the terminal.
    fn failing_view(p: &Pty) -> io::Result<()> {
        let t = Terminal::enter_on(p.1, p.1)?;
        let raw = p.lflag();
        assert_eq!(raw & (libc::ICANON | libc::ECHO | libc::ISIG), 0);
        // Typed bytes arrive one by one, Ctrl-C as a byte.
        // SAFETY: a valid buffer of two bytes.
        unsafe { libc::write(p.0, b"q\x03".as_ptr().cast(), 2) };
        assert_eq!(
            t.wait(Duration::from_secs(5)),
            Event::Input(b"q\x03".to_vec())
        );
        Err(io::Error::other("the kernel went away"))?;
        Ok(())
    }

    #[test]
    fn the_terminal_is_restored_when_the_view_fails() {
        let p = Pty::open();
        let before = p.lflag();
        assert_ne!(before & libc::ICANON, 0);
        assert!(failing_view(&p).is_err());
        assert_eq!(p.lflag(), before);
        let out = p.written();
        let s = String::from_utf8_lossy(&out);
        assert!(s.starts_with("\x1b[?1049h\x1b[?25l"), "{s:?}");
        assert!(s.ends_with("\x1b[?25h\x1b[?1049l"), "{s:?}");
        // The signals' former handlers are back.
        for sig in ENDING {
            // SAFETY: a query only, into a zeroed sigaction.
            let cur = unsafe {
                let mut cur: libc::sigaction = std::mem::zeroed();
                assert_eq!(libc::sigaction(sig, std::ptr::null(), &mut cur), 0);
                cur.sa_sigaction
            };
            assert_ne!(
                cur,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t
            );
        }
    }

    #[test]
    fn redraw_paints_from_the_corner_and_clears_the_rest() {
        let l = vec!["ab".to_string(), "c".to_string()];
        assert_eq!(redraw(&l), "\x1b[Hab\x1b[K\r\nc\x1b[K\x1b[J");
        assert_eq!(redraw(&[]), "\x1b[H\x1b[J");
    }
}
