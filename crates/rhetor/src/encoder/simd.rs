//! Run-time choice of AVX-512 or AVX2 for the encoder's element-wise loops.
//!
//! The crate is built for the x86-64 baseline (SSE2), so that one binary
//! runs on every x86-64 CPU. The loops that matter (GELU, softmax, layer
//! norm) are compiled twice more, with AVX2 and FMA and with AVX-512 F,
//! and the widest the CPU has is picked at run time. The copies do the same
//! operations in the same order (Rust never fuses a multiply and an add on
//! its own, and the sums keep 8 partial sums whatever the width), so they
//! give the same bits; the wider copies only do 8 or 16 lanes at a time
//! instead of 4.

/// Whether this CPU has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
pub fn avx2_available() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Whether this CPU has AVX2 and FMA (never, off x86-64).
#[cfg(not(target_arch = "x86_64"))]
pub fn avx2_available() -> bool {
    false
}

/// Whether this CPU has AVX-512 F (and AVX2 and FMA, which every such CPU
/// has).
#[cfg(target_arch = "x86_64")]
pub fn avx512_available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f") && avx2_available()
}

/// Whether this CPU has AVX-512 F (never, off x86-64).
#[cfg(not(target_arch = "x86_64"))]
pub fn avx512_available() -> bool {
    false
}

/// Whether this CPU has AVX-512 VNNI with 256-bit forms (AVX-512 VL).
#[cfg(target_arch = "x86_64")]
pub fn vnni_available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx512vnni")
}

/// Whether this CPU has AVX-512 VNNI (never, off x86-64).
#[cfg(not(target_arch = "x86_64"))]
pub fn vnni_available() -> bool {
    false
}

/// Defines `fn NAME(args)` whose body runs compiled with AVX-512 F where
/// the CPU has it (16 lanes at a time), else with AVX2 and FMA (8 lanes),
/// else as plain code: the same operations in the same order, so the same
/// bits.
macro_rules! with_avx512 {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2,fma")]
                unsafe fn widest($($arg: $ty),*) $body
                #[target_feature(enable = "avx2,fma")]
                unsafe fn wide($($arg: $ty),*) $body
                if $crate::encoder::simd::avx512_available() {
                    // SAFETY: the CPU has the features `widest` was built for.
                    return unsafe { widest($($arg),*) };
                }
                if $crate::encoder::simd::avx2_available() {
                    // SAFETY: the CPU has the features `wide` was built for.
                    return unsafe { wide($($arg),*) };
                }
            }
            $body
        }
    };
}
pub(crate) use with_avx512;

/// The sum of `v` in 8 interleaved partial sums (so that it vectorises),
/// added up pairwise at the end.
#[inline(always)]
pub fn sum(v: &[f32]) -> f32 {
    sum_of(v, |x| x)
}

/// The sum of `f(x)` over `v`, in the same 8 lanes as [`sum`].
#[inline(always)]
pub fn sum_of(v: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += f(x);
        }
    }
    for (l, &x) in lanes.iter_mut().zip(rest) {
        *l += f(x);
    }
    ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
        + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
}

/// The largest value of `v` (NEG_INFINITY when empty; NaN values are
/// skipped unless all are NaN), in 8 lanes.
#[inline(always)]
pub fn max(v: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l = if x > *l { x } else { *l };
        }
    }
    for (l, &x) in lanes.iter_mut().zip(rest) {
        *l = if x > *l { x } else { *l };
    }
    lanes.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sum_and_max_agree_with_plain_loops() {
        for n in [0usize, 1, 7, 8, 9, 91, 384] {
            let v: Vec<f32> = (0..n)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.25)
                .collect();
            let plain: f32 = v.iter().sum();
            assert!((super::sum(&v) - plain).abs() <= 1e-4 * (1.0 + plain.abs()));
            let m = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            assert_eq!(super::max(&v), m);
        }
        assert_eq!(super::max(&[f32::NAN, 2.0]), 2.0);
    }
}
