//! The int8 kernels for x86-64 (see the parent module): AVX2's
//! `vpmaddubsw` on 256-bit registers, and AVX-512 VNNI's `vpdpbusd` on
//! 512-bit ones for the 4-bit base weights and the fine-tuned layers' int8
//! blocks. Each is compiled for its instructions and called only where
//! [`Kernel::available`](super::Kernel::available) found them.

use super::{
    QuantisedRows, Tiled, BLOCK, CHUNK, PAD_ROWS, ROWS, TILE, TILES, VNNI_ROWS, VNNI_TILE,
    VNNI_TILES,
};
use std::arch::x86_64::*;

/// `y[r] += W · a[r]` for the first `t` rows of `a`.
///
/// # Safety
/// The CPU must have AVX2 and FMA; `m` must hold nibbles in tiles of 8
/// outputs; `y` must hold `t · m.rows` values and `a` at least `t` rows of
/// `m.cols`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn product(m: &Tiled, a: &QuantisedRows, y: &mut [f32], t: usize) {
    assert!(y.len() >= t * m.rows && a.cols == m.cols && a.q.len() >= t * m.cols);
    assert!(m.lanes == TILE);
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

/// `y[r] += W · a[r]` for the first `t` rows of `a`, with VNNI's
/// `vpdpbusd` on 512-bit registers (tiles of 16 outputs; 4 token rows and
/// 3 tiles a call).
///
/// The weights are unsigned bytes: 4-bit nibbles (0..=15, `w + 8`) or int8
/// weights kept as `w + 128` (see `Q8Matrix`); each input block's offset
/// (`8 · Σ q` or `128 · Σ q`, quantised with the inputs for these weights)
/// comes back off. The inputs are the signed operand, broadcast from
/// memory. `bias`: when given,
/// `y[r] = W · a[r] + bias` is written without reading `y` (a layer then
/// needs no copy of the bias in every row first).
///
/// # Safety
/// The CPU must have AVX2, FMA, AVX-512 F, VL and VNNI; `w` must be in
/// tiles of 16 outputs; `y` must hold `t · w.rows` values and `a` at least
/// `t` rows of `w.cols`, padded to a multiple of `VNNI_ROWS`.
#[target_feature(enable = "avx2,fma,avx512f,avx512vl,avx512vnni")]
pub(super) unsafe fn product_vnni(
    w: &Tiled,
    bias: Option<&[f32]>,
    a: &QuantisedRows,
    y: &mut [f32],
    t: usize,
) {
    let blocks = w.cols / BLOCK;
    assert!(y.len() >= t * w.rows && a.cols == w.cols);
    assert!(a.q.len() >= t.div_ceil(VNNI_ROWS) * VNNI_ROWS * w.cols);
    assert!(w.bytes.len() >= w.rows * w.cols && w.scales.len() >= w.rows * blocks);
    assert!(w.lanes == VNNI_TILE && bias.is_none_or(|b| b.len() >= w.rows));
    let tiles = w.rows / VNNI_TILE;
    for chunk in (0..t).step_by(CHUNK) {
        let end = (chunk + CHUNK).min(t);
        // VNNI_TILES tiles a call, then any left one at a time.
        let mut tile = 0;
        while tile < tiles {
            let wide = tile + VNNI_TILES <= tiles;
            for r0 in (chunk..end).step_by(VNNI_ROWS) {
                let valid = (end - r0).min(VNNI_ROWS);
                if wide {
                    tile_rows_vnni::<VNNI_ROWS, VNNI_TILES>(w, bias, a, y, tile, r0, valid);
                } else {
                    tile_rows_vnni::<VNNI_ROWS, 1>(w, bias, a, y, tile, r0, valid);
                }
            }
            tile += if wide { VNNI_TILES } else { 1 };
        }
    }
}

/// [`tile_rows`] with VNNI: one `vpdpbusd` per group of 4 inputs adds the
/// 4 weight × input products of each of 16 outputs straight into its i32
/// lane, for `R` token rows from `r0` and `C` column tiles from `tile`. For
/// nibbles the block sums are the same integers as `tile_rows`', scaled in
/// the same order: the same bits. For int8 weights (kept as `w + 128`) each
/// block's `128 · Σ q` comes back off: the sums are exactly `Σ q · w`.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx2,fma,avx512f,avx512vl,avx512vnni")]
unsafe fn tile_rows_vnni<const R: usize, const C: usize>(
    w: &Tiled,
    bias: Option<&[f32]>,
    a: &QuantisedRows,
    y: &mut [f32],
    tile: usize,
    r0: usize,
    valid: usize,
) {
    let cols = w.cols;
    let blocks = cols / BLOCK;
    let per_tile = blocks * VNNI_TILE;
    let panel = &w.bytes[tile * cols * VNNI_TILE..(tile + C) * cols * VNNI_TILE];
    let scales = &w.scales[tile * per_tile..(tile + C) * per_tile];
    let rows = &a.q[r0 * cols..(r0 + R) * cols];
    // The rows' scales and offsets: a group's PAD_ROWS rows side by side
    // for each block (`QuantisedRows::at`); r0..r0 + R lie in one group.
    let first = a.at(r0, 0);
    let span = (blocks - 1) * PAD_ROWS + R;
    let in_scales = &a.scale[first..first + span];
    let in_offsets = &a.offset[first..first + span];
    let mut acc = [[_mm512_setzero_ps(); C]; R];
    for b in 0..blocks {
        let mut sums = [[_mm512_setzero_si512(); C]; R];
        for s in 0..BLOCK / 4 {
            let g = b * (BLOCK / 4) + s;
            // SAFETY (all loads): `panel` holds C panels of cols/4 groups
            // of 64 bytes, `rows` R rows of `cols` bytes; g < cols/4.
            let weights: [__m512i; C] = std::array::from_fn(|c| {
                _mm512_loadu_si512(panel.as_ptr().add(c * cols * VNNI_TILE + g * 64) as *const _)
            });
            for (r, sum) in sums.iter_mut().enumerate() {
                let four =
                    std::ptr::read_unaligned(rows.as_ptr().add(r * cols + g * 4) as *const i32);
                let four = _mm512_set1_epi32(four);
                for (sum, weights) in sum.iter_mut().zip(&weights) {
                    *sum = _mm512_dpbusd_epi32(*sum, *weights, four);
                }
            }
        }
        // SAFETY: both slices hold R values at every PAD_ROWS-th place
        // from b · PAD_ROWS; read through pointers, each becomes a
        // broadcast from memory.
        let s_at = in_scales.as_ptr().add(b * PAD_ROWS);
        let o_at = in_offsets.as_ptr().add(b * PAD_ROWS);
        for c in 0..C {
            let d = _mm512_loadu_ps(scales.as_ptr().add((c * blocks + b) * VNNI_TILE));
            for (r, (sum, acc)) in sums.iter().zip(acc.iter_mut()).enumerate() {
                let wide = _mm512_sub_epi32(sum[c], _mm512_set1_epi32(*o_at.add(r)));
                let scale = _mm512_mul_ps(d, _mm512_set1_ps(*s_at.add(r)));
                acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(wide), scale, acc[c]);
            }
        }
    }
    for c in 0..C {
        let at = (tile + c) * VNNI_TILE;
        let bias = bias.map(|b| _mm512_loadu_ps(b[at..][..VNNI_TILE].as_ptr()));
        for (r, acc) in acc.iter().enumerate().take(valid) {
            let out = &mut y[(r0 + r) * w.rows + at..][..VNNI_TILE];
            let base = bias.unwrap_or_else(|| _mm512_loadu_ps(out.as_ptr()));
            _mm512_storeu_ps(out.as_mut_ptr(), _mm512_add_ps(base, acc[c]));
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
        let q: [__m256i; 4] = std::array::from_fn(|j| _mm256_cvtps_epi32(_mm256_mul_ps(v[j], inv)));
        let total = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
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
        out.set(i, max / 127.0, _mm_cvtsi128_si32(t));
    }
}

/// [`quantise`] with AVX-512: a block of 32 inputs is two registers, and
/// `vpmovsdb` narrows each to 16 bytes. The same roundings, so the same
/// bytes, scales and offsets.
///
/// Blocks go 16 at a time: their maxima and their sums are reduced across
/// lanes together ([`across_16`]), so that a block costs about 3 shuffles
/// and reductions instead of 8 for its own maximum and 8 for its own sum,
/// and one division serves 16 blocks. A group with a block that is zero or
/// not finite, and the last blocks, go one at a time.
///
/// # Safety
/// The CPU must have AVX-512 F; `out` must hold `x.len() / 32` blocks.
#[target_feature(enable = "avx2,fma,avx512f")]
pub(super) unsafe fn quantise_avx512(x: &[f32], out: &mut QuantisedRows) {
    let blocks = x.len() / BLOCK;
    assert!(out.q.len() >= blocks * BLOCK && out.scale.len() >= blocks);
    assert!(out.offset.len() >= blocks);
    let mut i = 0;
    while i + 16 <= blocks {
        if !quantise_16(x, out, i) {
            for b in i..i + 16 {
                quantise_block_avx512(x, out, b);
            }
        }
        i += 16;
    }
    while i < blocks {
        quantise_block_avx512(x, out, i);
        i += 1;
    }
}

/// Block `i` of `x`: its 32 values loaded with NaN lanes made 0, as in the
/// scalar version.
#[inline]
#[target_feature(enable = "avx2,fma,avx512f")]
unsafe fn clean_block(x: &[f32], i: usize) -> [__m512; 2] {
    let p = x[i * BLOCK..(i + 1) * BLOCK].as_ptr();
    std::array::from_fn(|j| {
        let raw = _mm512_loadu_ps(p.add(16 * j));
        _mm512_maskz_mov_ps(_mm512_cmp_ps_mask::<_CMP_ORD_Q>(raw, raw), raw)
    })
}

/// Rounds block `i` with `inv` (`127 / max`) and stores its bytes; returns
/// the sum of its integers as 16 lane sums.
#[inline]
#[target_feature(enable = "avx2,fma,avx512f")]
unsafe fn round_block(v: [__m512; 2], inv: __m512, out: &mut QuantisedRows, i: usize) -> __m512i {
    let q: [__m512i; 2] = std::array::from_fn(|j| _mm512_cvtps_epi32(_mm512_mul_ps(v[j], inv)));
    let dst = out.q[i * BLOCK..(i + 1) * BLOCK].as_mut_ptr();
    _mm_storeu_si128(dst as *mut __m128i, _mm512_cvtsepi32_epi8(q[0]));
    _mm_storeu_si128(dst.add(16) as *mut __m128i, _mm512_cvtsepi32_epi8(q[1]));
    _mm512_add_epi32(q[0], q[1])
}

/// One block on its own (see [`quantise_avx512`]).
#[target_feature(enable = "avx2,fma,avx512f")]
unsafe fn quantise_block_avx512(x: &[f32], out: &mut QuantisedRows, i: usize) {
    let v = clean_block(x, i);
    let max = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v[0]), _mm512_abs_ps(v[1])));
    if !(max > 0.0 && max.is_finite()) {
        return;
    }
    let sums = round_block(v, _mm512_set1_ps(127.0 / max), out, i);
    out.set(i, max / 127.0, _mm512_reduce_add_epi32(sums));
}

/// Blocks `i..i + 16`, when every one has a maximum above 0 and finite
/// (false, and nothing written, otherwise).
#[target_feature(enable = "avx2,fma,avx512f")]
unsafe fn quantise_16(x: &[f32], out: &mut QuantisedRows, i: usize) -> bool {
    let mut maxima = [_mm512_setzero_ps(); 16];
    for (j, m) in maxima.iter_mut().enumerate() {
        let v = clean_block(x, i + j);
        *m = _mm512_max_ps(_mm512_abs_ps(v[0]), _mm512_abs_ps(v[1]));
    }
    let max = across_16(maxima, |a, b| _mm512_max_ps(a, b));
    let usable = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(max, _mm512_setzero_ps())
        & _mm512_cmp_ps_mask::<_CMP_LT_OQ>(max, _mm512_set1_ps(f32::INFINITY));
    if usable != 0xffff {
        return false;
    }
    // Both divisions are IEEE, as the scalar ones: the same bits.
    let mut inv = [0f32; 16];
    let mut scale = [0f32; 16];
    _mm512_storeu_ps(inv.as_mut_ptr(), _mm512_div_ps(_mm512_set1_ps(127.0), max));
    _mm512_storeu_ps(
        scale.as_mut_ptr(),
        _mm512_div_ps(max, _mm512_set1_ps(127.0)),
    );
    let mut sums = [_mm512_setzero_ps(); 16];
    for (j, sum) in sums.iter_mut().enumerate() {
        let v = clean_block(x, i + j);
        let inv = _mm512_set1_ps(inv[ACROSS_16_LANE[j]]);
        *sum = _mm512_castsi512_ps(round_block(v, inv, out, i + j));
    }
    let totals = across_16(sums, |a, b| {
        _mm512_castsi512_ps(_mm512_add_epi32(
            _mm512_castps_si512(a),
            _mm512_castps_si512(b),
        ))
    });
    let mut total = [0i32; 16];
    _mm512_storeu_si512(total.as_mut_ptr() as *mut _, _mm512_castps_si512(totals));
    for (j, &lane) in ACROSS_16_LANE.iter().enumerate() {
        out.set(i + j, scale[lane], total[lane]);
    }
    true
}

/// The lane of [`across_16`]'s result that holds vector `j`'s reduction.
const ACROSS_16_LANE: [usize; 16] = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];

/// Reduces each of 16 vectors across its lanes with `op` (associative and
/// commutative: max, integer sum), all 16 at once: 15 steps of two shuffles
/// and one `op`, halving the lanes each vector keeps at every level. Vector
/// `j`'s result lands in lane [`ACROSS_16_LANE`]`[j]`.
#[inline]
#[target_feature(enable = "avx2,fma,avx512f")]
unsafe fn across_16(v: [__m512; 16], op: impl Fn(__m512, __m512) -> __m512) -> __m512 {
    // 16 → 8 lanes each: halves of 256 bits.
    let c: [__m512; 8] = std::array::from_fn(|k| {
        let (a, b) = (v[2 * k], v[2 * k + 1]);
        op(
            _mm512_shuffle_f32x4::<0x44>(a, b),
            _mm512_shuffle_f32x4::<0xEE>(a, b),
        )
    });
    // 8 → 4: 128-bit quarters; vector 4l + m in quarter m of e[l].
    let e: [__m512; 4] = std::array::from_fn(|l| {
        let (a, b) = (c[2 * l], c[2 * l + 1]);
        op(
            _mm512_shuffle_f32x4::<0x88>(a, b),
            _mm512_shuffle_f32x4::<0xDD>(a, b),
        )
    });
    // 4 → 2, then 2 → 1, within each quarter.
    let g: [__m512; 2] = std::array::from_fn(|m| {
        let (a, b) = (e[2 * m], e[2 * m + 1]);
        op(
            _mm512_shuffle_ps::<0x44>(a, b),
            _mm512_shuffle_ps::<0xEE>(a, b),
        )
    });
    op(
        _mm512_shuffle_ps::<0x88>(g[0], g[1]),
        _mm512_shuffle_ps::<0xDD>(g[0], g[1]),
    )
}

/// Column tiles `tile..tile + TILES` (8 outputs each) of rows
/// `r0..r0 + ROWS`; the first `valid` rows are stored (the others are
/// padding). Each weight load serves `ROWS` rows and each input
/// broadcast `TILES` tiles.
#[target_feature(enable = "avx2,fma")]
unsafe fn tile_rows(
    m: &Tiled,
    a: &QuantisedRows,
    y: &mut [f32],
    tile: usize,
    r0: usize,
    valid: usize,
) {
    let cols = m.cols;
    let blocks = cols / BLOCK;
    let panel = &m.bytes[tile * cols * TILE..(tile + TILES) * cols * TILE];
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
                _mm256_loadu_si256(panel.as_ptr().add(c * cols * TILE + g * 32) as *const __m256i)
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
                let at = a.at(r0 + r, b);
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
