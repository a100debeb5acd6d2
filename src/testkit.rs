//! Small helpers shared by the randomized tests (unit and integration):
//! a deterministic xorshift64* generator, so no test needs a random crate
//! and every failing input can be replayed from its seed. Not part of the
//! program's behaviour.
//!
//! Compiled only for tests: the library declares it under `cfg(test)`, and
//! the in-guest fuzz test includes this same file (`tests/guest/fuzz.rs`),
//! so the release build never contains it.

/// xorshift64*: deterministic, fast, good enough to build test inputs.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// A generator from a seed (0 is replaced: the state must not be 0).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    #[allow(clippy::should_implement_trait)] // an endless stream; Iterator adds nothing
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T: ?Sized>(&mut self, v: &[&'a T]) -> &'a T {
        v[self.below(v.len())]
    }
}
