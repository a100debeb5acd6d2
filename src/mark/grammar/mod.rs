//! `ipvsadm mark` argument grammar: iptables' own options for mangle MARK
//! rules, parsed the way iptables 1.8.9 parses them (pure apart from the
//! libc name lookups for protocols, services and host names).
//!
//! The options are the entries of one table ([`options::OPTIONS`]); this
//! module splits the words into options (clusters `-nvL`, `--opt=value`,
//! `!` inverting the option that follows) and hands each to the builder
//! (`build`), which the table entry's [`options::Act`] says what to do
//! with. `-h` prints help made from the table (`help`), `-V` the version,
//! both where they stand as options. Errors carry iptables' texts.

mod build;
mod help;
pub mod options;
pub(crate) mod values;

use super::plan::{prog_name, Cmd};
use super::rule::Family;
use super::MarkError;
use crate::error;
use build::State;

/// Listing options: `-n`, `-v`, `-x`, `--line-numbers`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListOpts {
    pub numeric: bool,
    pub verbose: bool,
    pub exact: bool,
    pub line_numbers: bool,
}

/// A fully parsed `ipvsadm mark` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub family: Family,
    pub cmd: Cmd,
    pub opts: ListOpts,
    /// What iptables warns about on stderr while parsing (the command
    /// still runs).
    pub warnings: String,
}

/// The family asked for by `-6`/`--ipv6` (last of `-4`/`-6` wins), used to
/// choose iptables' or ip6tables' texts even for early errors.
pub fn family_of(args: &[String]) -> Family {
    let mut f = Family::V4;
    for a in args {
        match a.as_str() {
            "-6" | "--ipv6" => f = Family::V6,
            "-4" | "--ipv4" => f = Family::V4,
            _ => {}
        }
    }
    f
}

/// iptables' PARAMETER_PROBLEM report (exit code 2).
pub fn param(family: Family, msg: &str) -> MarkError {
    let p = prog_name(family);
    MarkError::new(
        format!(
            "{p} v1.8.9 (nf_tables): {msg}\n{}\n",
            error::try_help_line(p)
        ),
        error::XT_PARAMETER,
    )
}

fn bad_argument(family: Family, arg: &str) -> MarkError {
    let p = prog_name(family);
    MarkError::new(
        format!("Bad argument `{arg}'\n{}\n", error::try_help_line(p)),
        error::XT_PARAMETER,
    )
}

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A command to run.
    Run(Command),
    /// `-h` or `-V`: text for stdout, exit code 0.
    Print(String),
}

/// Command-line word source.
pub(crate) struct Words<'a> {
    args: &'a [String],
    i: usize,
}

impl<'a> Words<'a> {
    fn next_plain(&mut self) -> Option<&'a str> {
        let a = self.args.get(self.i)?;
        self.i += 1;
        Some(a)
    }
    /// The next word if it does not look like an option or `!`.
    fn optional(&mut self) -> Option<&'a str> {
        let a = self.args.get(self.i)?;
        if a.starts_with('-') || a.starts_with('!') {
            return None;
        }
        self.i += 1;
        Some(a)
    }
    fn rest(&self) -> &'a [String] {
        self.args.get(self.i..).unwrap_or(&[])
    }
}

/// One option as written: its name, an inline value, and whether it was
/// spelled long.
pub(crate) struct Item {
    name: String,
    inline: Option<String>,
    long: bool,
}

impl Item {
    /// The option as iptables names it in messages (`-s`, `--dport`).
    fn dash(&self) -> String {
        if self.long {
            format!("--{}", self.name)
        } else {
            format!("-{}", self.name)
        }
    }
}

/// What one word is.
enum Word {
    Options(Vec<Item>),
    /// `--`: the rest are not options.
    End,
    /// Not an option.
    Plain,
}

/// Splits a word into its options: `--name[=value]`, or a cluster of
/// short options where one that takes an argument takes the rest.
fn split_word(word: &str) -> Word {
    if let Some(long) = word.strip_prefix("--") {
        if long.is_empty() {
            return Word::End;
        }
        let (name, inline) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (long, None),
        };
        let item = Item {
            name: name.to_string(),
            inline,
            long: true,
        };
        return Word::Options(vec![item]);
    }
    let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) else {
        return Word::Plain;
    };
    let mut items = Vec::new();
    for (k, c) in short.char_indices() {
        let rest = short.get(k + c.len_utf8()..).unwrap_or("");
        // getopt gives an optional argument (`-LPREROUTING`, `-XLVS`) the
        // rest of the cluster too.
        let takes =
            (options::short_takes_arg(c) || options::short_takes_optional(c)) && !rest.is_empty();
        items.push(Item {
            name: c.to_string(),
            inline: takes.then(|| rest.to_string()),
            long: false,
        });
        if takes {
            break;
        }
    }
    Word::Options(items)
}

/// Parses the words after `mark`.
pub fn parse_args(args: &[String]) -> Result<Parsed, MarkError> {
    let mut st = State::new(family_of(args));
    let mut w = Words { args, i: 0 };
    let mut invert = false;
    while let Some(word) = w.next_plain() {
        if word == "!" {
            if invert {
                return Err(param(st.family, "multiple consecutive ! not allowed"));
            }
            invert = true;
            continue;
        }
        let items = match split_word(word) {
            Word::Options(items) => items,
            Word::End => {
                st.leftovers.extend(w.rest().iter().cloned());
                break;
            }
            Word::Plain => {
                st.leftovers.push(word.to_string());
                continue;
            }
        };
        for item in items {
            let inv = std::mem::take(&mut invert);
            let done = st.option(&item, inv, &mut w);
            st.take_warnings();
            match done {
                Ok(Some(text)) => return Ok(Parsed::Print(text)),
                Ok(None) => {}
                // Warnings printed before the error, as iptables does.
                Err(mut e) => {
                    e.text.insert_str(0, &st.warnings);
                    return Err(e);
                }
            }
        }
    }
    if invert {
        return Err(param(st.family, "unexpected ! flag"));
    }
    let warnings = st.warnings.clone();
    st.finish().map(Parsed::Run).map_err(|mut e| {
        e.text.insert_str(0, &warnings);
        e
    })
}

/// Parses the words after `mark` into a command; `-h`/`-V` come back as an
/// error whose text is for stdout and whose code is 0.
pub fn parse(args: &[String]) -> Result<Command, MarkError> {
    match parse_args(args)? {
        Parsed::Run(c) => Ok(c),
        Parsed::Print(text) => Err(MarkError::new(text, error::OK)),
    }
}
