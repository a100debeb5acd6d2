//! ipvsadm's `-R` line reader: an input line → argument words. Tokens are
//! runs of anything but space, TAB, CR and LF (at most 4096 bytes each;
//! no quoting, no comments); every token equal to `ipvsadm` is dropped.
//! Shared by `-R` and `apply`, which read the same rule lines. Pure.

/// Longest token ipvsadm's line reader keeps in one piece.
const MAX_TOKEN: usize = 4096;

/// Split one input line into ipvsadm's argument words.
pub fn tokenize(line: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    for run in line.split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
        for t in run.chunks(MAX_TOKEN) {
            if t != b"ipvsadm" {
                words.push(match std::str::from_utf8(t) {
                    Ok(s) => s.to_owned(),
                    Err(_) => String::from_utf8_lossy(t).into_owned(),
                });
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_blanks_and_drop_program_name() {
        assert_eq!(
            tokenize(b"ipvsadm -A\t-t 1.2.3.4:80\r\n"),
            vec!["-A", "-t", "1.2.3.4:80"]
        );
        assert_eq!(tokenize(b"-A ipvsadm -t x"), vec!["-A", "-t", "x"]);
        assert!(tokenize(b"  \t\r\n").is_empty());
        assert!(tokenize(b"ipvsadm").is_empty());
    }

    #[test]
    fn no_quoting_and_long_tokens_are_cut() {
        assert_eq!(tokenize(b"-s \"rr\""), vec!["-s", "\"rr\""]);
        let long = vec![b'a'; MAX_TOKEN + 5];
        let t = tokenize(&long);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].len(), MAX_TOKEN);
        assert_eq!(t[1].len(), 5);
    }
}
