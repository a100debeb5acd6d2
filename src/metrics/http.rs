//! The smallest HTTP/1.1 server that Prometheus can scrape: one request
//! per connection, one connection at a time, on std's `TcpListener`.
//!
//! `GET` (or `HEAD`) `/metrics` → 200 with a fresh body; another path →
//! 404; another method on `/metrics` → 405; anything unreadable → 400.
//! The answer to a request is pure ([`answer`]); [`serve`] does the I/O
//! and survives whatever a client does (slow, silent, rude, gone).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// The content type of the text format, version 0.0.4.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The longest request head we read; the rest is ignored.
const MAX_HEAD: usize = 8192;

/// How long a client may take to send its request or read the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// After the answer: how long, and how much, we read of what the client
/// still sends before closing.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);
const MAX_DRAIN: usize = 1 << 20;

/// A whole response: status line, headers, body (left out for `HEAD`).
fn response(status: &str, content_type: &str, extra: &str, body: &str, head_only: bool) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         {extra}Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        r.extend_from_slice(body.as_bytes());
    }
    r
}

fn plain(status: &str, extra: &str, body: &str, head_only: bool) -> Vec<u8> {
    response(status, "text/plain; charset=utf-8", extra, body, head_only)
}

/// The request line's method and path, when it is `METHOD TARGET
/// HTTP/x.y` with a token for a method.
fn request_line(head: &[u8]) -> Option<(&str, &str)> {
    let end = head.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&head[..end]).ok()?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut words = line.split(' ');
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if words.next().is_some() || !token(method) || !version.starts_with("HTTP/") {
        return None;
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    Some((method, path))
}

/// The answer to a request head; `body` makes the metrics text (or says
/// why it could not) and is called only for a scrape.
pub fn answer(head: &[u8], body: &mut dyn FnMut() -> Result<String, String>) -> Vec<u8> {
    let Some((method, path)) = request_line(head) else {
        return plain("400 Bad Request", "", "bad request\n", false);
    };
    if path != "/metrics" {
        return plain(
            "404 Not Found",
            "",
            "not found; try /metrics\n",
            method == "HEAD",
        );
    }
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        let allow = "Allow: GET, HEAD\r\n";
        return plain(
            "405 Method Not Allowed",
            allow,
            "method not allowed\n",
            false,
        );
    }
    match body() {
        Ok(text) => response("200 OK", CONTENT_TYPE, "", &text, head_only),
        Err(e) => plain(
            "500 Internal Server Error",
            "",
            &format!("{e}\n"),
            head_only,
        ),
    }
}

/// Whether `buf` holds a whole request head (it ends with an empty line).
fn head_complete(buf: &[u8]) -> bool {
    buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n")
}

/// Read a request head: up to its empty line, [`MAX_HEAD`] bytes, the end
/// of the stream or the timeout, whichever comes first.
fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while buf.len() < MAX_HEAD && !head_complete(&buf) {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    buf
}

/// One connection: read, answer, close. Errors only end this connection.
fn handle(mut stream: TcpStream, body: &mut dyn FnMut() -> Result<String, String>) {
    let _ = stream.set_read_timeout(Some(CLIENT_TIMEOUT));
    let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
    let head = read_head(&mut stream);
    if head.is_empty() {
        return;
    }
    // std sends with MSG_NOSIGNAL: a client gone away is an error here,
    // never a SIGPIPE.
    let _ = stream.write_all(&answer(&head, body));
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    drain(&mut stream);
}

/// Read what the client still sends (a request body we did not want)
/// until it closes, for a moment at most: closing a socket with unread
/// input resets the connection, and the client could lose our answer.
fn drain(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(DRAIN_TIMEOUT));
    let mut chunk = [0u8; 4096];
    let mut left = MAX_DRAIN;
    while left > 0 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Serve on `listener` until the process is killed.
pub fn serve(listener: TcpListener, body: &mut dyn FnMut() -> Result<String, String>) -> ! {
    loop {
        match listener.accept() {
            Ok((stream, _)) => handle(stream, body),
            // Out of descriptors and the like: wait, then go on.
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(head: &str) -> String {
        let mut calls = 0;
        let mut body = || {
            calls += 1;
            Ok::<_, String>("m 1\n".to_string())
        };
        String::from_utf8(answer(head.as_bytes(), &mut body)).unwrap()
    }

    #[test]
    fn scrape_answers_200_with_the_format_version() {
        let r = ask("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(
            r,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
             Content-Length: 4\r\nConnection: close\r\n\r\nm 1\n"
        );
        assert!(ask("GET /metrics?x=1 HTTP/1.0\n\n").ends_with("\r\n\r\nm 1\n"));
        let head = ask("HEAD /metrics HTTP/1.1\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: 4\r\n"));
        assert!(head.ends_with("\r\n\r\n"));
    }

    #[test]
    fn other_paths_methods_and_garbage() {
        assert!(ask("GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(ask("GET /metricsx HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
        let r = ask("POST /metrics HTTP/1.1\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), "{r}");
        assert!(r.contains("Allow: GET, HEAD\r\n"));
        for bad in [
            "",
            "\r\n",
            "GET\r\n\r\n",
            "GET /metrics\r\n\r\n",
            "GET /metrics FTP/1\r\n\r\n",
            "GET  /metrics HTTP/1.1\r\n\r\n",
            "G\u{e9}T /metrics HTTP/1.1\r\n\r\n",
            "GET /metrics HTTP/1.1 x\r\n\r\n",
            "GET /metrics HTTP/1.1",
        ] {
            assert!(
                ask(bad).starts_with("HTTP/1.1 400 Bad Request\r\n"),
                "{bad:?}"
            );
        }
        let bytes = [0xffu8, 0xfe, b'\n', b'\n'];
        let r = answer(&bytes, &mut || Ok(String::new()));
        assert!(r.starts_with(b"HTTP/1.1 400 "));
    }

    #[test]
    fn a_failed_scrape_is_a_500_with_the_reason() {
        let r = answer(b"GET /metrics HTTP/1.1\r\n\r\n", &mut || {
            Err("no ip_vs".into())
        });
        let r = String::from_utf8(r).unwrap();
        assert!(r.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
        assert!(r.ends_with("\r\n\r\nno ip_vs\n"));
    }

    #[test]
    fn serves_over_a_real_socket() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            let get = |req: &[u8]| {
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(req).unwrap();
                let mut r = String::new();
                s.read_to_string(&mut r).unwrap();
                r
            };
            // A client that says nothing and goes away first.
            drop(TcpStream::connect(addr).unwrap());
            let a = get(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
            let b = get(b"GET /nope HTTP/1.1\r\n\r\n");
            // A body we do not read: the answer still arrives whole.
            let mut post = b"POST /metrics HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".to_vec();
            post.extend(std::iter::repeat_n(b'x', 100_000));
            let c = get(&post);
            (a, b, c)
        });
        let mut n = 0;
        let mut body = || {
            n += 1;
            Ok::<_, String>(format!("scrape {n}\n"))
        };
        for _ in 0..4 {
            let (s, _) = l.accept().unwrap();
            handle(s, &mut body);
        }
        let (a, b, c) = client.join().unwrap();
        assert!(c.starts_with("HTTP/1.1 405 "), "{c}");
        assert!(a.ends_with("\r\n\r\nscrape 1\n"), "{a}");
        assert!(b.starts_with("HTTP/1.1 404 "), "{b}");
    }
}
