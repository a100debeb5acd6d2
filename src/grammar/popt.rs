//! A tokenizer that splits argv the way popt 1.19 does for ipvsadm's
//! option table: long options by exact name (`--name`, `--name=value`),
//! clusters of short options (`-Ln`, `-srr`, `-w=5`), the optional `-p`
//! argument, required arguments that take the next word whatever it looks
//! like, leftovers that do not stop option processing, `--`, popt's
//! `!#:+` argument substitution, and POSIXLY_CORRECT.
//!
//! It only splits and looks names up in [`super::options`]; it never
//! interprets values. Errors carry popt's kind; the caller turns them into
//! ipvsadm's messages using [`Popt::bad_option`].

use std::borrow::Cow;

use super::options::{find_long, find_short, ArgKind, OptSpec};

/// popt's errors that can occur with ipvsadm's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoptError {
    /// `POPT_ERROR_NOARG`
    MissingArgument,
    /// `POPT_ERROR_UNWANTEDARG`
    UnwantedArgument,
    /// `POPT_ERROR_BADOPT`
    UnknownOption,
}

impl PoptError {
    /// popt's English text (`poptStrerror`).
    pub fn text(self) -> &'static str {
        match self {
            PoptError::MissingArgument => "missing argument",
            PoptError::UnwantedArgument => "option does not take an argument",
            PoptError::UnknownOption => "unknown option",
        }
    }
}

/// One option as returned by popt, with its argument (`None` for flags and
/// for `-p` without a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Got<'a> {
    pub spec: &'static OptSpec,
    /// Borrowed from argv unless `!#:+` substitution rewrote it.
    pub arg: Option<Cow<'a, str>>,
}

/// The tokenizer state (popt's context with a single option stack entry).
#[derive(Debug)]
pub struct Popt<'a> {
    /// argv including argv[0] at index 0, each cut at its first NUL.
    words: Vec<&'a str>,
    /// Words consumed by `!#:+` substitution (skipped later).
    taken: Vec<bool>,
    next: usize,
    /// Inside a short-option cluster: (word index, byte offset).
    cluster: Option<(usize, usize)>,
    rest_leftover: bool,
    posix_me_harder: bool,
    leftovers: Vec<&'a str>,
    next_leftover: usize,
}

impl<'a> Popt<'a> {
    /// `argv0` is the program name; `args` the words after it. Words are cut
    /// at an embedded NUL as C would see them.
    pub fn new(argv0: &'a str, args: &'a [String], posix_me_harder: bool) -> Popt<'a> {
        let mut words = Vec::with_capacity(args.len() + 1);
        words.push(argv0);
        for a in args {
            words.push(a.split('\0').next().unwrap_or(""));
        }
        let n = words.len();
        Popt {
            words,
            taken: vec![false; n],
            next: 1,
            cluster: None,
            rest_leftover: false,
            posix_me_harder,
            leftovers: Vec::new(),
            next_leftover: 0,
        }
    }

    fn word(&self, i: usize) -> &'a str {
        self.words.get(i).copied().unwrap_or("")
    }

    /// The word popt reports for errors: the last argv word consumed.
    pub fn bad_option(&self) -> &'a str {
        self.word(self.next.saturating_sub(1))
    }

    /// The next leftover (non-option) word, in order (`poptGetArg`).
    pub fn get_arg(&mut self) -> Option<String> {
        let a = self
            .leftovers
            .get(self.next_leftover)
            .map(|w| w.to_string());
        if a.is_some() {
            self.next_leftover += 1;
        }
        a
    }

    /// `findNextArg(con, 1, 1)`: the first later word that is not taken and
    /// does not start with `-`; it is marked taken.
    fn find_next_arg(&mut self) -> Option<String> {
        for i in self.next..self.words.len() {
            if self.taken.get(i).copied().unwrap_or(true) {
                continue;
            }
            if self.word(i).starts_with('-') {
                continue;
            }
            if let Some(t) = self.taken.get_mut(i) {
                *t = true;
            }
            return Some(self.word(i).to_string());
        }
        None
    }

    /// `expandNextArg`: every `!#:+` becomes the next unused plain word.
    fn expand(&mut self, s: &'a str) -> Cow<'a, str> {
        if !s.contains("!#:+") {
            return Cow::Borrowed(s);
        }
        let bytes = s.as_bytes();
        let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
        let mut a: Option<String> = None;
        let mut i = 0;
        while let Some(&c) = bytes.get(i) {
            i += 1;
            if c == b'!' && bytes.get(i..).is_some_and(|r| r.starts_with(b"#:+")) {
                if a.is_none() {
                    a = self.find_next_arg();
                }
                if let Some(sub) = &a {
                    out.extend_from_slice(sub.as_bytes());
                    i += 3;
                    continue;
                }
            }
            out.push(c);
        }
        Cow::Owned(String::from_utf8_lossy(&out).into_owned())
    }

    /// `poptGetNextOpt`: the next option, `None` at the end of argv.
    pub fn next_opt(&mut self) -> Option<Result<Got<'a>, PoptError>> {
        loop {
            let mut long_arg: Option<&'a str> = None;
            let mut opt: Option<&'static OptSpec> = None;

            if self.cluster.is_none() {
                if self.next >= self.words.len() {
                    return None;
                }
                let idx = self.next;
                if self.taken.get(idx).copied().unwrap_or(false) {
                    self.next += 1;
                    continue;
                }
                self.next += 1;
                let w = self.word(idx);
                if self.rest_leftover || !w.starts_with('-') || w == "-" {
                    if self.posix_me_harder {
                        self.rest_leftover = true;
                    }
                    self.leftovers.push(w);
                    continue;
                }
                if w == "--" {
                    self.rest_leftover = true;
                    continue;
                }
                if let Some(body) = w.strip_prefix("--") {
                    let (name, arg) = match body.split_once('=') {
                        Some((n, a)) => (n, Some(a)),
                        None => (body, None),
                    };
                    match find_long(name) {
                        Some(o) => {
                            opt = Some(o);
                            long_arg = arg;
                        }
                        None => return Some(Err(PoptError::UnknownOption)),
                    }
                } else {
                    // No option of ipvsadm's table allows single-dash long
                    // names, so a single-dash word is a short cluster.
                    self.cluster = Some((idx, 1));
                }
            }

            if let Some((wi, pos)) = self.cluster.take() {
                let len = self.word(wi).len();
                let c = self.word(wi).as_bytes().get(pos).copied().unwrap_or(0);
                match find_short(c) {
                    Some(o) => opt = Some(o),
                    None => return Some(Err(PoptError::UnknownOption)),
                }
                if pos + 1 < len {
                    self.cluster = Some((wi, pos + 1));
                }
            }

            let spec = opt?;
            match spec.arg {
                ArgKind::None => {
                    let eq_next = self
                        .cluster
                        .is_some_and(|(wi, pos)| self.word(wi).as_bytes().get(pos) == Some(&b'='));
                    if long_arg.is_some() || eq_next {
                        return Some(Err(PoptError::UnwantedArgument));
                    }
                    return Some(Ok(Got { spec, arg: None }));
                }
                ArgKind::Required | ArgKind::Optional => {
                    let arg = if let Some(la) = long_arg {
                        Some(self.expand(la))
                    } else if let Some((wi, pos)) = self.cluster.take() {
                        let w = self.word(wi);
                        let mut rest = w.get(pos..).unwrap_or("");
                        if let Some(r) = rest.strip_prefix('=') {
                            rest = r;
                        }
                        Some(self.expand(rest))
                    } else if self.next >= self.words.len() {
                        if spec.arg == ArgKind::Required {
                            return Some(Err(PoptError::MissingArgument));
                        }
                        None
                    } else if spec.arg == ArgKind::Optional && self.word(self.next).starts_with('-')
                    {
                        None
                    } else {
                        let w = self.word(self.next);
                        self.next += 1;
                        Some(self.expand(w))
                    };
                    return Some(Ok(Got { spec, arg }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::options::OptId;
    use super::*;

    type Tok = Result<(OptId, Option<String>), (PoptError, String)>;

    fn toks(args: &[&str]) -> (Vec<Tok>, Vec<String>) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut p = Popt::new("ipvsadm", &args, false);
        let mut out = Vec::new();
        while let Some(r) = p.next_opt() {
            match r {
                Ok(g) => out.push(Ok((g.spec.id, g.arg.map(Cow::into_owned)))),
                Err(e) => {
                    out.push(Err((e, p.bad_option().to_string())));
                    break;
                }
            }
        }
        let mut left = Vec::new();
        while let Some(a) = p.get_arg() {
            left.push(a);
        }
        (out, left)
    }

    fn ok(id: OptId, a: Option<&str>) -> Tok {
        Ok((id, a.map(str::to_string)))
    }

    #[test]
    fn clusters_and_values() {
        let (o, l) = toks(&["-Ln", "-t1.2.3.4:80", "-w=5", "-srr", "--weight", "-5"]);
        assert_eq!(
            o,
            [
                ok(OptId::List, None),
                ok(OptId::Numeric, None),
                ok(OptId::TcpService, Some("1.2.3.4:80")),
                ok(OptId::Weight, Some("5")),
                ok(OptId::Scheduler, Some("rr")),
                ok(OptId::Weight, Some("-5")),
            ]
        );
        assert!(l.is_empty());
    }

    #[test]
    fn optional_argument() {
        let (o, _) = toks(&["-A", "-p", "-n"]);
        assert_eq!(o[1], ok(OptId::Persistent, None));
        let (o, _) = toks(&["-A", "-p", "300"]);
        assert_eq!(o[1], ok(OptId::Persistent, Some("300")));
        let (o, _) = toks(&["-A", "-p"]);
        assert_eq!(o[1], ok(OptId::Persistent, None));
        let (o, _) = toks(&["-A", "-p=60", "--persistent=7", "-p5", "--persistent", "x"]);
        assert_eq!(o[1], ok(OptId::Persistent, Some("60")));
        assert_eq!(o[2], ok(OptId::Persistent, Some("7")));
        assert_eq!(o[3], ok(OptId::Persistent, Some("5")));
        assert_eq!(o[4], ok(OptId::Persistent, Some("x")));
        let (o, _) = toks(&["-A", "-p", ""]);
        assert_eq!(o[1], ok(OptId::Persistent, Some("")));
        let (o, _) = toks(&["-A", "-p", "-5"]);
        assert_eq!(o[2], Err((PoptError::UnknownOption, "-5".into())));
    }

    #[test]
    fn errors_and_bad_word() {
        let (o, _) = toks(&["-Lq"]);
        assert_eq!(o[1], Err((PoptError::UnknownOption, "-Lq".into())));
        let (o, _) = toks(&["-L", "-t"]);
        assert_eq!(o[1], Err((PoptError::MissingArgument, "-t".into())));
        let (o, _) = toks(&["-L", "--numeric=yes"]);
        assert_eq!(
            o[1],
            Err((PoptError::UnwantedArgument, "--numeric=yes".into()))
        );
        let (o, _) = toks(&["-n=1"]);
        assert_eq!(o[0], Err((PoptError::UnwantedArgument, "-n=1".into())));
        let (o, _) = toks(&["-L", "--numeric="]);
        assert_eq!(
            o[1],
            Err((PoptError::UnwantedArgument, "--numeric=".into()))
        );
        let (o, _) = toks(&["--sched=rr"]);
        assert_eq!(o[0], Err((PoptError::UnknownOption, "--sched=rr".into())));
        let (o, _) = toks(&["-L", "-list"]);
        assert_eq!(o[1], ok(OptId::List, None));
        assert_eq!(o[2], ok(OptId::Ipip, None));
        assert_eq!(o[3], ok(OptId::Scheduler, Some("t")));
        let (o, _) = toks(&["-L", "-Lk"]);
        assert_eq!(o[2], Err((PoptError::UnknownOption, "-Lk".into())));
        let (o, _) = toks(&["-L", "---list"]);
        assert_eq!(o[1], Err((PoptError::UnknownOption, "---list".into())));
        let (o, _) = toks(&["-L", "--=x"]);
        assert_eq!(o[1], Err((PoptError::UnknownOption, "--=x".into())));
        let (o, _) = toks(&["-L", "-é"]);
        assert_eq!(o[1], Err((PoptError::UnknownOption, "-é".into())));
    }

    #[test]
    fn leftovers() {
        let (o, l) = toks(&["foo", "-L", "-", "bar", "--", "-n", "--x"]);
        assert_eq!(o, [ok(OptId::List, None)]);
        assert_eq!(l, ["foo", "-", "bar", "-n", "--x"]);
        let (o, l) = toks(&["-L", "", "-n"]);
        assert_eq!(o, [ok(OptId::List, None), ok(OptId::Numeric, None)]);
        assert_eq!(l, [""]);
    }

    #[test]
    fn posix_me_harder() {
        let args: Vec<String> = ["-L", "foo", "-n"].iter().map(|s| s.to_string()).collect();
        let mut p = Popt::new("ipvsadm", &args, true);
        assert!(matches!(p.next_opt(), Some(Ok(_))));
        assert!(p.next_opt().is_none());
        assert_eq!(p.get_arg().as_deref(), Some("foo"));
        assert_eq!(p.get_arg().as_deref(), Some("-n"));
    }

    #[test]
    fn required_takes_next_word_whatever_it_is() {
        let (o, l) = toks(&["-A", "-t", "--", "-s", "-n"]);
        assert_eq!(o[1], ok(OptId::TcpService, Some("--")));
        assert_eq!(o[2], ok(OptId::Scheduler, Some("-n")));
        assert!(l.is_empty());
        let (o, _) = toks(&["-L", "--start-daemon", "master"]);
        assert_eq!(o[1], ok(OptId::StartDaemon, Some("master")));
    }

    #[test]
    fn bang_substitution() {
        let (o, l) = toks(&["-A", "-s", "a!#:+b!#:+", "-n", "X", "Y"]);
        assert_eq!(o[1], ok(OptId::Scheduler, Some("aXbX")));
        assert_eq!(l, ["Y"]);
        let (o, _) = toks(&["-A", "-s", "a!#:+"]);
        assert_eq!(o[1], ok(OptId::Scheduler, Some("a!#:+")));
        let (o, l) = toks(&["-A", "-t!#:+", "1.2.3.4:80", "-s", "rr"]);
        assert_eq!(o[1], ok(OptId::TcpService, Some("1.2.3.4:80")));
        assert_eq!(o[2], ok(OptId::Scheduler, Some("rr")));
        assert!(l.is_empty());
    }

    #[test]
    fn nul_truncates() {
        let (o, _) = toks(&["-L\0q", "-s", "rr\0x"]);
        assert_eq!(o[0], ok(OptId::List, None));
        assert_eq!(o[1], ok(OptId::Scheduler, Some("rr")));
    }
}
