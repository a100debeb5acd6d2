//! Helpers shared by the `mark` integration tests.

/// Splits a shell command line (double quotes only, as the fixtures use).
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inq = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '"' => {
                inq = !inq;
                any = true;
            }
            ' ' if !inq => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}
