//! The tests' random numbers: one seeded linear congruential generator
//! (Knuth's MMIX constants), so that test inputs are the same on every run
//! without a dependency.

/// A generator of uniform values in [0, 1) (24 bits each) from `seed`.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    /// The next value in [0, 1).
    pub(crate) fn unit(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }

    /// The next value in [-1, 1).
    pub(crate) fn signed(&mut self) -> f32 {
        self.unit() * 2.0 - 1.0
    }
}
