//! Helpers shared by the `mark` integration tests.

/// The randomized tests' generator: the library's own test helper, the same
/// source file (the library builds it for its unit tests only).
#[allow(dead_code)]
#[path = "../../src/testkit.rs"]
pub mod testkit;

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
