//! The builder's part for issue 20: the chain commands' words and checks
//! (`-N`, `-X`, `-E`, `-Z` with or after `-L`/`-S`, `-R`), the targets
//! besides MARK (`-j CHAIN`, ACCEPT, RETURN, CONNMARK) and CONNMARK's
//! options, with iptables 1.8.9's texts.

use super::super::options::{
    cmds, is_known_target, CmdKind, CONNMARK_OPTS, FILTERING_REFUSAL, FILTERING_TARGETS, TARGETS,
};
use super::super::values::parse_u32;
use super::super::{param, Item, Words};
use super::{mark_value_of, rulenumber, State};
use crate::mark::plan::Cmd;
use crate::mark::rule::{
    Connmark, ConnmarkMode, Family, Rule, Target, VERDICT_ACCEPT, VERDICT_GOTO, VERDICT_JUMP,
    VERDICT_RETURN,
};
use crate::mark::MarkError;

/// XT_EXTENSION_MAXNAMELEN: chain and target names are shorter.
const MAXNAMELEN: usize = 29;

/// The CONNMARK options given (bits of [`CONNMARK_OPTS`] indices) and the
/// target info they built, in command-line order as libxt_CONNMARK does.
#[derive(Debug, Clone, Copy)]
pub(in crate::mark::grammar) struct ConnmarkB {
    given: u16,
    info: Connmark,
}

impl Default for ConnmarkB {
    fn default() -> Self {
        ConnmarkB {
            given: 0,
            info: Connmark {
                ctmark: 0,
                ctmask: u32::MAX,
                nfmask: u32::MAX,
                shift_dir: 0,
                shift_bits: 0,
                mode: ConnmarkMode::Set,
            },
        }
    }
}

/// The operations (`--set-xmark` … `--restore-mark`): one at most.
const CM_OPS: u16 = 0x7f;
const CM_CTMASK: usize = 9;
const CM_NFMASK: usize = 10;
const CM_MASK: usize = 11;

/// What option `idx` of CONNMARK may not be given with.
fn cm_excl(idx: usize) -> u16 {
    match idx {
        0..=6 => CM_OPS,
        CM_CTMASK | CM_NFMASK => 1 << CM_MASK,
        CM_MASK => (1 << CM_CTMASK) | (1 << CM_NFMASK),
        _ => 0,
    }
}

/// The matrix row of a chain command (iptables' commands_v_options).
pub(super) fn row(k: CmdKind) -> u16 {
    match k {
        CmdKind::N => cmds::N,
        CmdKind::X => cmds::X,
        CmdKind::E => cmds::E,
        CmdKind::Z => cmds::Z,
        CmdKind::R => cmds::R,
        CmdKind::L => cmds::L,
        CmdKind::S => cmds::S,
        _ => 0,
    }
}

/// Commands iptables runs together: listing and zeroing.
fn combinable(a: CmdKind, b: CmdKind) -> bool {
    matches!(
        (a, b),
        (CmdKind::L | CmdKind::S, CmdKind::Z) | (CmdKind::Z, CmdKind::L | CmdKind::S)
    )
}

/// `-j NAME`: iptables' checks of the name, and ours: `mark` never
/// filters, and loads no other target extension.
pub(super) fn check_target(family: Family, v: &str) -> Result<(), MarkError> {
    check_target_name(family, v)?;
    if FILTERING_TARGETS.contains(&v) {
        return Err(param(family, &format!("target `{v}': {FILTERING_REFUSAL}")));
    }
    if is_known_target(family == Family::V6, v) && !TARGETS.contains(&v) {
        return Err(param(
            family,
            &format!(
                "target `{v}' is not supported by ipvsadm mark (MARK, CONNMARK, ACCEPT, RETURN or a user chain)"
            ),
        ));
    }
    Ok(())
}

/// iptables' xt_parse_target: a name 1 to 28 characters long, no spaces.
fn check_target_name(family: Family, v: &str) -> Result<(), MarkError> {
    if v.is_empty() {
        return Err(param(family, "Invalid target name (too short)"));
    }
    if v.len() >= MAXNAMELEN {
        let max = MAXNAMELEN - 1;
        return Err(param(
            family,
            &format!("Invalid target name `{v}' ({max} chars max)"),
        ));
    }
    if v.chars().any(|c| c.is_ascii_whitespace()) {
        return Err(param(family, &format!("Invalid target name `{v}'")));
    }
    Ok(())
}

/// `-N`'s name, checked as iptables' parse_chain does.
fn check_new_chain(family: Family, name: &str) -> Result<(), MarkError> {
    if name.len() >= MAXNAMELEN {
        return Err(too_long(family, name));
    }
    if let Some(c @ ('-' | '!')) = name.chars().next() {
        return Err(param(
            family,
            &format!("chain name not allowed to start with `{c}'"),
        ));
    }
    if is_known_target(family == Family::V6, name) {
        return Err(param(family, "chain name may not clash with target name"));
    }
    if name.chars().any(|c| c.is_ascii_whitespace()) {
        return Err(param(family, &format!("Invalid chain name `{name}'")));
    }
    Ok(())
}

fn too_long(family: Family, name: &str) -> MarkError {
    param(
        family,
        &format!("chain name `{name}' too long (must be under {MAXNAMELEN} chars)"),
    )
}

impl State {
    /// Records command `k`, or refuses it next to the one(s) given.
    pub(super) fn add_command(&mut self, k: CmdKind) -> Result<(), MarkError> {
        let Some(first) = self.cmd else {
            self.cmd = Some(k);
            return Ok(());
        };
        let clash = [Some(first), self.cmd2]
            .into_iter()
            .flatten()
            .find(|&p| !combinable(p, k));
        match (clash, self.cmd2) {
            (None, None) => {
                self.cmd2 = Some(k);
                Ok(())
            }
            (p, _) => Err(param(
                self.family,
                &format!(
                    "Cannot use -{} with -{}",
                    k.letter(),
                    p.unwrap_or(first).letter()
                ),
            )),
        }
    }

    /// The words a chain command takes after its chain: `-E`'s new name,
    /// `-R`'s rule number; `-N`'s name is checked here.
    pub(super) fn chain_command_words(
        &mut self,
        k: CmdKind,
        w: &mut Words,
    ) -> Result<(), MarkError> {
        match k {
            CmdKind::N => check_new_chain(self.family, self.chain.as_deref().unwrap_or("")),
            CmdKind::E => match w.optional() {
                Some(n) => {
                    self.new_name = Some(n.to_string());
                    Ok(())
                }
                None => Err(param(
                    self.family,
                    "-E requires old-chain-name and new-chain-name",
                )),
            },
            CmdKind::R => match w.optional() {
                Some(n) => {
                    self.rulenum = Some(rulenumber(n, self.family)?);
                    Ok(())
                }
                None => Err(param(self.family, "-R requires a rule number")),
            },
            _ => Ok(()),
        }
    }

    /// After the command matrix: `-R`'s single address, the chain name's
    /// length.
    pub(super) fn check_chain_words(&self, kind: CmdKind) -> Result<(), MarkError> {
        let many = |v: &Option<Vec<_>>| v.as_ref().is_some_and(|v| v.len() != 1);
        if kind == CmdKind::R && (many(&self.srcs) || many(&self.dsts)) {
            return Err(param(
                self.family,
                "Replacement rule does not specify a unique address",
            ));
        }
        match &self.chain {
            Some(c) if c.len() >= MAXNAMELEN => Err(too_long(self.family, c)),
            _ => Ok(()),
        }
    }

    /// One CONNMARK option, applied at once as libxt_CONNMARK does.
    pub(super) fn connmark_option(
        &mut self,
        idx: usize,
        inv: bool,
        item: &Item,
        w: &mut Words,
    ) -> Result<(), MarkError> {
        let family = self.family;
        let name = CONNMARK_OPTS.get(idx).copied().unwrap_or("");
        let bit = 1u16 << idx;
        if self.connmark.given & bit != 0 {
            let m = format!("CONNMARK: option \"--{name}\" can only be used once.\n");
            return Err(param(family, &m));
        }
        if inv {
            let m = format!("CONNMARK: option \"--{name}\" cannot be inverted.\n");
            return Err(param(family, &m));
        }
        let v = match idx {
            5 | 6 => String::new(),
            _ => self.value(item, w)?,
        };
        let dash = format!("--{name}");
        let bad = |range: &str| {
            let m =
                format!("CONNMARK: bad value for option \"{dash}\", or out of range ({range}).\n");
            param(family, &m)
        };
        let info = &mut self.connmark.info;
        match idx {
            0..=4 => {
                let (mark, mask) = mark_value_of("CONNMARK", family, idx, &dash, &v)?;
                (info.mode, info.ctmark, info.ctmask) = (ConnmarkMode::Set, mark, mask);
            }
            5 => info.mode = ConnmarkMode::Save,
            6 => info.mode = ConnmarkMode::Restore,
            7 | 8 => {
                let n = parse_u32(&v)
                    .and_then(|n| u8::try_from(n).ok())
                    .filter(|&n| n <= 32)
                    .ok_or_else(|| bad("0-32"))?;
                (info.shift_dir, info.shift_bits) = (u8::from(idx == 8), n);
            }
            _ => {
                let n = parse_u32(&v).ok_or_else(|| bad("0-4294967295"))?;
                match idx {
                    CM_CTMASK => info.ctmask = n,
                    CM_NFMASK => info.nfmask = n,
                    _ => (info.ctmask, info.nfmask) = (n, n),
                }
            }
        }
        self.connmark.given |= bit;
        Ok(())
    }

    /// CONNMARK's final check: an operation, and no two options that
    /// exclude each other (reported in the order of its option table).
    fn connmark_target(&self) -> Result<Target, MarkError> {
        let given = self.connmark.given;
        if given & CM_OPS == 0 {
            return Err(param(
                self.family,
                "CONNMARK target: No operation specified",
            ));
        }
        for (i, name) in CONNMARK_OPTS.iter().enumerate() {
            if given & (1 << i) == 0 {
                continue;
            }
            let clash = cm_excl(i) & given & !(1 << i);
            if clash == 0 {
                continue;
            }
            let other = CONNMARK_OPTS
                .get(clash.trailing_zeros() as usize)
                .copied()
                .unwrap_or("");
            let m = format!(
                "CONNMARK: option \"--{name}\" cannot be used together with \"--{other}\".\n"
            );
            return Err(param(self.family, &m));
        }
        Ok(Target::Connmark(self.connmark.info))
    }

    /// `-g CHAIN`: iptables checks the name as a target's but loads no
    /// target; `!` before it is reported as before `-j`.
    pub(super) fn goto_option(
        &mut self,
        inv: bool,
        item: &Item,
        w: &mut Words,
    ) -> Result<(), MarkError> {
        if inv {
            return Err(param(self.family, "cannot have ! before -j"));
        }
        let v = self.value(item, w)?;
        if self.target.is_some() {
            return Err(param(self.family, "multiple -j flags not allowed"));
        }
        check_target_name(self.family, &v)?;
        self.target = Some(v);
        self.goto = true;
        Ok(())
    }

    /// Targets other than MARK: None when MARK (or no target) was named.
    pub(super) fn other_target(&self) -> Result<Option<Target>, MarkError> {
        let verdict = |code, chain| Ok(Some(Target::Verdict { code, chain }));
        if let (true, Some(chain)) = (self.goto, &self.target) {
            return verdict(VERDICT_GOTO, Some(chain.clone()));
        }
        match self.target.as_deref() {
            None | Some("MARK") => Ok(None),
            Some("CONNMARK") => self.connmark_target().map(Some),
            Some("ACCEPT") => verdict(VERDICT_ACCEPT, None),
            Some("RETURN") => verdict(VERDICT_RETURN, None),
            Some(chain) => verdict(VERDICT_JUMP, Some(chain.to_string())),
        }
    }

    /// The command of `-N`, `-X`, `-E`, `-Z` (maybe after `-L`/`-S`), `-R`.
    pub(super) fn chain_cmd(&self, kind: CmdKind, chain_s: String, rules: Vec<Rule>) -> Cmd {
        let verbose = self.opts.verbose;
        match kind {
            CmdKind::N => Cmd::NewChain { name: chain_s },
            CmdKind::X => Cmd::DelChain {
                chain: self.chain.clone(),
                verbose,
            },
            CmdKind::E => Cmd::Rename {
                old: chain_s,
                new: self.new_name.clone().unwrap_or_default(),
            },
            CmdKind::R => Cmd::Replace {
                chain: chain_s,
                num: self.rulenum.unwrap_or(1),
                rule: Box::new(rules.into_iter().next().unwrap_or_default()),
            },
            _ => self.zero_cmd(verbose),
        }
    }

    /// `-Z`: a rule's counters (and then nothing is listed, as in
    /// iptables), or chains' after the listing of `-L`/`-S`.
    fn zero_cmd(&self, verbose: bool) -> Cmd {
        let (chain, num) = (self.chain.clone(), self.rulenum);
        let lister = [self.cmd, self.cmd2]
            .into_iter()
            .flatten()
            .find(|k| matches!(k, CmdKind::L | CmdKind::S));
        let list = match lister {
            _ if self.zero_num => None,
            Some(CmdKind::L) => Some(Box::new(Cmd::List {
                chain: chain.clone(),
                num,
            })),
            Some(_) => Some(Box::new(Cmd::ListRules {
                chain: chain.clone(),
                num,
            })),
            None => None,
        };
        Cmd::Zero {
            chain,
            num: if self.zero_num { num } else { None },
            list,
            verbose,
        }
    }
}
