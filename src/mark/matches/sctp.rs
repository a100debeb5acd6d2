//! sctp's `[!] --chunk-types {all|any|only} CHUNK[:FLAGS][,…]` (or `ALL`,
//! `NONE`): libxt_sctp's parser and texts over the chunk part of `struct
//! xt_sctp_info` (chunk bitmap, match type, up to four flag entries).

/// XT_SCTP_CHUNK_TYPES, in the info's flags and invflags.
pub const CHUNK_TYPES: u32 = 0x04;
/// u32 words of the chunk bitmap (the kernel's `256 / sizeof(u32)`).
pub const MAP_WORDS: usize = 64;
const MAP: usize = 8;
const MATCH_TYPE: usize = 264;
const FLAG_INFO: usize = 268;
const FLAG_COUNT: usize = 280;
const MAX_FLAGS: usize = 4;

/// The chunk part of `struct xt_sctp_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunks {
    /// SCTP_CHUNK_MATCH_ANY (1), _ALL (2) or _ONLY (4).
    pub match_type: u32,
    pub map: Vec<u32>,
    /// (chunk table index, flags, flag mask); unused entries' index is 0xff.
    pub flags: [[u8; 3]; MAX_FLAGS],
    pub count: u32,
    pub inv: bool,
}

/// Chunk names: (name, type, valid flags), in libxt_sctp's table order.
const NAMES: [(&str, u8, &str); 22] = [
    ("DATA", 0, "----IUBE"),
    ("INIT", 1, "--------"),
    ("INIT_ACK", 2, "--------"),
    ("SACK", 3, "--------"),
    ("HEARTBEAT", 4, "--------"),
    ("HEARTBEAT_ACK", 5, "--------"),
    ("ABORT", 6, "-------T"),
    ("SHUTDOWN", 7, "--------"),
    ("SHUTDOWN_ACK", 8, "--------"),
    ("ERROR", 9, "--------"),
    ("COOKIE_ECHO", 10, "--------"),
    ("COOKIE_ACK", 11, "--------"),
    ("ECN_ECNE", 12, "--------"),
    ("ECN_CWR", 13, "--------"),
    ("SHUTDOWN_COMPLETE", 14, "-------T"),
    ("I_DATA", 64, "----IUBE"),
    ("RE_CONFIG", 130, "--------"),
    ("PAD", 132, "--------"),
    ("ASCONF", 193, "--------"),
    ("ASCONF_ACK", 128, "--------"),
    ("FORWARD_TSN", 192, "--------"),
    ("I_FORWARD_TSN", 194, "--------"),
];

const MATCH_TYPES: [(u32, &str); 3] = [(1, "any"), (2, "all"), (4, "only")];

impl Chunks {
    fn set(&mut self, t: u8) {
        if let Some(w) = self.map.get_mut(usize::from(t) / 32) {
            *w |= 1 << (t % 32);
        }
    }
    fn is_set(&self, t: u8) -> bool {
        self.map
            .get(usize::from(t) / 32)
            .is_some_and(|w| w & (1 << (t % 32)) != 0)
    }
    /// libxt_sctp's save_chunk_flag_info.
    fn flag(&mut self, idx: u8, bit: u32, set: bool) -> Result<(), String> {
        let n = (self.count as usize).min(MAX_FLAGS);
        let slot = match self.flags.iter().take(n).position(|f| f[0] == idx) {
            Some(k) => k,
            None if n == MAX_FLAGS => {
                return Err("Number of chunk types with flags exceeds currently allowed limit. Increasing this limit involves changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel space and user space modules".into())
            }
            None => {
                self.count += 1;
                n
            }
        };
        if let Some(f) = self.flags.get_mut(slot) {
            f[0] = idx;
            f[2] |= 1 << bit;
            if set {
                f[1] |= 1 << bit;
            }
        }
        Ok(())
    }
}

/// One `CHUNK[:FLAGS]` item.
fn chunk(c: &mut Chunks, item: &str) -> Result<(), String> {
    let (name, flags) = match item.split_once(':') {
        Some((n, f)) => (n, Some(f)),
        None => (item, None),
    };
    let Some(idx) = NAMES.iter().position(|n| n.0.eq_ignore_ascii_case(name)) else {
        return Err(format!("Unknown sctp chunk `{name}'"));
    };
    let (_, ty, valid) = NAMES[idx];
    c.set(ty);
    for ch in flags.unwrap_or("").chars() {
        let Some(pos) = valid.find(ch.to_ascii_uppercase()) else {
            return Err(format!("Invalid flags for chunk type {idx}"));
        };
        c.flag(idx as u8, 7 - pos as u32, ch.is_ascii_uppercase())?;
    }
    Ok(())
}

/// `--chunk-types TYPE CHUNKS` (`chunks` is the second word).
pub fn option(
    slot: &mut Option<Chunks>,
    match_type: &str,
    chunks: Option<&str>,
    inv: bool,
) -> Result<(), String> {
    if slot.is_some() {
        return Err("Only one `--chunk-types' allowed".into());
    }
    let chunks = chunks.ok_or_else(|| "--chunk-types requires two args".to_string())?;
    let Some(&(mt, _)) = MATCH_TYPES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(match_type))
    else {
        return Err("Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"".into());
    };
    let mut c = Chunks {
        match_type: mt,
        map: vec![0; MAP_WORDS],
        flags: [[0xff, 0, 0]; MAX_FLAGS],
        count: 0,
        inv,
    };
    if chunks.eq_ignore_ascii_case("ALL") {
        c.map = vec![u32::MAX; MAP_WORDS];
    } else if !chunks.eq_ignore_ascii_case("NONE") {
        for item in chunks.split(',').filter(|s| !s.is_empty()) {
            chunk(&mut c, item)?;
        }
    }
    *slot = Some(c);
    Ok(())
}

/// Writes the chunk part into a `struct xt_sctp_info`.
pub fn write(info: &mut [u8], c: &Chunks) {
    for (k, w) in c.map.iter().enumerate().take(MAP_WORDS) {
        super::put32(info, MAP + k * 4, *w);
    }
    super::put32(info, MATCH_TYPE, c.match_type);
    for (k, f) in c.flags.iter().enumerate() {
        super::put_bytes(info, FLAG_INFO + k * 3, f);
    }
    super::put32(info, FLAG_COUNT, c.count);
}

/// Reads the chunk part back (the caller checks the CHUNK_TYPES flag).
pub fn read(info: &[u8], inv: bool) -> Chunks {
    let mut flags = [[0u8; 3]; MAX_FLAGS];
    for (k, f) in flags.iter_mut().enumerate() {
        for (j, b) in f.iter_mut().enumerate() {
            *b = super::get8(info, FLAG_INFO + k * 3 + j);
        }
    }
    Chunks {
        match_type: super::get32(info, MATCH_TYPE),
        map: (0..MAP_WORDS)
            .map(|k| super::get32(info, MAP + k * 4))
            .collect(),
        flags,
        count: super::get32(info, FLAG_COUNT),
        inv,
    }
}

/// The flags of chunk `t` as iptables prints them (`:IUbe`).
fn flag_text(c: &Chunks, t: u8) -> String {
    let valid = NAMES.get(usize::from(t)).map_or("--------", |n| n.2);
    let mut out = String::new();
    let n = (c.count as usize).min(MAX_FLAGS);
    for f in c.flags.iter().take(n).filter(|f| f[0] == t) {
        if f[2] != 0 {
            out.push(':');
        }
        for bit in (0..8u32).rev() {
            if f[2] & (1 << bit) == 0 {
                continue;
            }
            let ch = valid.chars().nth(7 - bit as usize).unwrap_or('-');
            out.push(if f[1] & (1 << bit) != 0 {
                ch
            } else {
                ch.to_ascii_lowercase()
            });
        }
    }
    out
}

/// ` any INIT,DATA:U` (numeric: chunk numbers as `0x0001`).
fn chunks_text(c: &Chunks, numeric: bool) -> String {
    let mt = MATCH_TYPES
        .iter()
        .find(|(v, _)| *v == c.match_type)
        .map_or("", |(_, n)| n);
    let mut out = format!(" {mt}");
    if c.map.iter().all(|&w| w == 0) {
        out.push_str(" NONE");
        return out;
    }
    if c.map.iter().all(|&w| w == u32::MAX) {
        out.push_str(" ALL");
        return out;
    }
    let mut first = true;
    for t in 0..=255u8 {
        if !c.is_set(t) {
            continue;
        }
        out.push(if first { ' ' } else { ',' });
        first = false;
        match NAMES.iter().find(|n| n.1 == t) {
            Some(n) if !numeric => out.push_str(n.0),
            _ => out.push_str(&format!("0x{t:04X}")),
        }
        out.push_str(&flag_text(c, t));
    }
    out
}

/// `-S` text.
pub fn save(c: &Chunks) -> String {
    let bang = if c.inv { " !" } else { "" };
    format!("{bang} --chunk-types{}", chunks_text(c, false))
}

/// `-L` text.
pub fn print(c: &Chunks, numeric: bool) -> String {
    let bang = if c.inv { " !" } else { "" };
    format!("{bang}{}", chunks_text(c, numeric))
}
