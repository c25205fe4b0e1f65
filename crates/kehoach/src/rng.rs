//! A tiny deterministic generator (xorshift64) for the demo campaign and the
//! benchmarks' synthetic data: the same seed gives the same records.

use kehoach_core::Day;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    /// A day in `from..=to`.
    pub fn day(&mut self, from: Day, to: Day) -> Day {
        from.plus(self.below(to.since(from) as u64 + 1) as i64)
    }
}
