//! `ipvsadm sysctl`: the IPVS kernel settings (`net.ipv4.vs.*`) of the
//! current network namespace (or `--netns`), read from and written to
//! `/proc/sys/net/ipv4/vs`.
//!
//! - no argument: every setting the running kernel has (the directory is
//!   listed; nothing is guessed), with its value and a one-line note from
//!   [`SETTINGS`] (`(no description)` for settings we do not know);
//! - `NAME`: that one setting;
//! - `NAME=VALUE`: the name, the value (type and range from [`SETTINGS`])
//!   and writability are checked first; only then is the value written,
//!   and the value read back is printed.
//!
//! Everything but [`main`] works on a directory given as a parameter, so
//! the unit tests use a temporary directory that mimics the kernel's.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::cli::Parsed;
use crate::error::{self, Error};
use crate::kernel::errors::io_strerror;

pub mod cli;
mod table;

pub use table::{Kind, Setting, SETTINGS};

/// Where the kernel shows the settings of the current network namespace.
pub const DIR: &str = "/proc/sys/net/ipv4/vs";
/// The sysctl(8) prefix of every name.
pub const PREFIX: &str = "net.ipv4.vs.";

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Every setting.
    List,
    /// One setting (the name as given).
    Get(String),
    /// Set a setting (name and value as given).
    Set(String, String),
}

/// One setting as the kernel shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// The short name (`conn_reuse_mode`).
    #[serde(serialize_with = "full_name")]
    pub name: String,
    /// The value, runs of blanks shown as one space (`3 50`).
    pub value: String,
    /// Whether it can be written here.
    pub writable: bool,
    /// Our one-line note, when we know the setting.
    pub description: Option<&'static str>,
}

fn full_name<S: serde::Serializer>(name: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{PREFIX}{name}"))
}

/// The entry of our table for a short name.
pub fn known(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The short name of a setting given as `NAME` or `net.ipv4.vs.NAME`;
/// a usage error when it cannot be a setting's name at all.
pub fn short_name(given: &str) -> Result<&str, Error> {
    let name = given.strip_prefix(PREFIX).unwrap_or(given);
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(unknown(given))
    }
}

fn unknown(given: &str) -> Error {
    Error::usage(format!(
        "sysctl: unknown setting `{given}'; `ipvsadm sysctl' lists the settings this kernel has"
    ))
}

/// A value with its runs of blanks (the kernel separates vector items
/// with tabs) shown as one space.
pub fn tidy(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The names the kernel has in `dir`, sorted.
pub fn names(dir: &Path) -> io::Result<Vec<String>> {
    let mut v: Vec<String> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    v.sort();
    Ok(v)
}

/// Whether `path` can be written: some write bit in its mode, and the
/// kernel's own permission check (`access`, which also sees a read-only
/// mount). Err carries the reason it cannot.
fn writable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| io_strerror(&e))?
        .permissions()
        .mode();
    if mode & 0o222 == 0 {
        return Err("it is read-only".into());
    }
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| "invalid path".to_string())?;
    // SAFETY: c is a valid NUL-terminated path.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
        let e = io::Error::last_os_error();
        return Err(format!("it is not writable here ({})", io_strerror(&e)));
    }
    Ok(())
}

/// Read one setting the kernel has.
fn read_entry(dir: &Path, name: &str) -> Result<Entry, Error> {
    let path = dir.join(name);
    let raw = fs::read_to_string(&path).map_err(|e| {
        Error::line(
            format!("sysctl: cannot read {PREFIX}{name}: {}", io_strerror(&e)),
            error::SETTING_FAILED,
        )
    })?;
    Ok(Entry {
        name: name.to_string(),
        value: tidy(&raw),
        writable: writable(&path).is_ok(),
        description: known(name).map(|s| s.about),
    })
}

/// Every setting the kernel has in `dir`.
pub fn read_all(dir: &Path) -> Result<Vec<Entry>, Error> {
    let list = names(dir).map_err(|e| missing_dir(dir, &e))?;
    list.iter().map(|n| read_entry(dir, n)).collect()
}

fn missing_dir(dir: &Path, e: &io::Error) -> Error {
    Error::line(
        format!("sysctl: cannot list {}: {}", dir.display(), io_strerror(e)),
        error::SETTING_FAILED,
    )
}

/// The path of a setting that must exist in `dir`; the errors say whether
/// the kernel lacks a setting we know or the name is unknown.
fn existing(dir: &Path, given: &str) -> Result<(String, PathBuf), Error> {
    let name = short_name(given)?;
    let path = dir.join(name);
    if path.is_file() {
        return Ok((name.to_string(), path));
    }
    match known(name) {
        Some(s) => Err(Error::usage(format!(
            "sysctl: this kernel has no {PREFIX}{name}{}",
            s.needs
                .map(|n| format!(" (it needs {n})"))
                .unwrap_or_default()
        ))),
        None => Err(unknown(given)),
    }
}

/// One setting, by name.
pub fn get(dir: &Path, given: &str) -> Result<Entry, Error> {
    let (name, _) = existing(dir, given)?;
    read_entry(dir, &name)
}

/// Check `NAME=VALUE` without writing anything: the short name and the
/// text to write.
pub fn check(dir: &Path, given: &str, value: &str) -> Result<(String, String), Error> {
    let (name, path) = existing(dir, given)?;
    let text = match known(&name) {
        Some(s) => s.kind.check(value).map_err(|why| {
            Error::usage(format!(
                "sysctl: invalid value `{value}' for {PREFIX}{name}: {why}"
            ))
        })?,
        None => tidy(value),
    };
    writable(&path).map_err(|why| {
        Error::line(
            format!("sysctl: cannot set {PREFIX}{name}: {why}"),
            error::SETTING_FAILED,
        )
    })?;
    Ok((name, text))
}

/// Set one setting after [`check`]; returns it as read back.
pub fn set(dir: &Path, given: &str, value: &str) -> Result<Entry, Error> {
    let (name, text) = check(dir, given, value)?;
    let path = dir.join(&name);
    let written = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .and_then(|mut f| f.write_all(format!("{text}\n").as_bytes()));
    if let Err(e) = written {
        return Err(Error::line(
            format!(
                "sysctl: the kernel refused {PREFIX}{name}={text}: {}",
                io_strerror(&e)
            ),
            error::SETTING_FAILED,
        ));
    }
    read_entry(dir, &name)
}

/// The entries as aligned columns: name, value, description.
pub fn format_table(entries: &[Entry], header: bool) -> String {
    let nw = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let nw = nw.max(if header { 7 } else { 0 });
    let vw = entries.iter().map(|e| e.value.len()).max().unwrap_or(0);
    let vw = vw.max(if header { 5 } else { 0 });
    let mut t = String::new();
    if header {
        t += &format!("{:nw$}  {:vw$}  DESCRIPTION\n", "SETTING", "VALUE");
    }
    for e in entries {
        let mut about = e.description.unwrap_or("(no description)").to_string();
        if !e.writable {
            about.insert_str(0, "[read-only] ");
        }
        t += &format!("{:nw$}  {:vw$}  {about}\n", e.name, e.value);
    }
    t
}

/// Carry out a request on the settings in `dir`, writing to `out`.
pub fn run(dir: &Path, req: &Request, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    let (entries, header) = match req {
        Request::List => (read_all(dir)?, true),
        Request::Get(n) => (vec![get(dir, n)?], false),
        Request::Set(n, v) => (vec![set(dir, n, v)?], false),
    };
    let text = if !json {
        format_table(&entries, header)
    } else if *req == Request::List {
        serde_json::to_string(&entries).unwrap_or_default() + "\n"
    } else {
        entries
            .first()
            .and_then(|e| serde_json::to_string(e).ok())
            .unwrap_or_default()
            + "\n"
    };
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(())
}

/// Make sure IPVS's settings are there: when the directory is missing,
/// open IPVS as every command does (which loads the module), then look
/// again.
fn ensure_loaded(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    drop(crate::session::connect()?);
    if dir.is_dir() {
        return Ok(());
    }
    Err(Error::line(
        format!(
            "sysctl: {} is missing although ip_vs is loaded (is /proc/sys mounted, and is this namespace allowed to see it?)",
            dir.display()
        ),
        error::SETTING_FAILED,
    ))
}

/// Entry point for `ipvsadm sysctl …`.
pub fn main(argv0: &str, args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = match cli::parse(argv0, args)? {
        Parsed::Help => return crate::cli::print_help(out, &cli::help(argv0)),
        Parsed::Run(a) => a,
    };
    let dir = Path::new(DIR);
    ensure_loaded(dir)?;
    run(dir, &a.request, a.json, out)
}

#[cfg(test)]
mod tests;
