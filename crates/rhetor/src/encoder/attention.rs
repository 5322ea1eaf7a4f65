//! Scaled dot-product attention at inference, every head of every
//! sequence of a packed batch.
//!
//! Where the CPU has AVX-512 and heads are 32 wide (every e5-small model),
//! one fused kernel does a query row at a time: its scores against the
//! head's keys (transposed once per head so that 16 keys are one vector),
//! the softmax on those scores while they are in L1, and the weighted sum
//! of the values, with no n × n matrix written out and no packing. It took
//! the place of two `matrixmultiply` calls and a separate softmax pass,
//! which were a fifth of the accurate tier's time (perf, docs/BENCHMARKS.md).
//! Elsewhere [`attend`] runs per head, as the fine-tuning's backward pass
//! does. The two differ only in the order floating-point sums are taken.

use super::forward::attend;

/// Attention of every head over every sequence: `q`, `k`, `v` and `ctx`
/// are packed `[tokens, hidden]` rows of sequences `lens` long; `ctx` gets
/// each head's context in its columns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attend_all(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    ctx: &mut [f32],
    lens: &[usize],
    heads: usize,
    hidden: usize,
    scale: f32,
) {
    let hd = hidden / heads.max(1);
    let longest = lens.iter().copied().max().unwrap_or(0);
    #[cfg(target_arch = "x86_64")]
    if hd == x86::HEAD && super::simd::avx512_available() {
        let mut buf = x86::Buffers::new(longest);
        each_head(lens, heads, hidden, hd, |off, n| {
            // SAFETY: the CPU has AVX-512 F, AVX2 and FMA (checked just
            // above); `head_attention` checks the rows it reads.
            unsafe { x86::head_attention(q, k, v, ctx, off, n, hidden, scale, &mut buf) }
        });
        return;
    }
    let mut scores = vec![0f32; longest * longest];
    each_head(lens, heads, hidden, hd, |off, n| {
        attend(
            &q[off..],
            &k[off..],
            &v[off..],
            &mut ctx[off..],
            &mut scores[..n * n],
            n,
            hd,
            hidden,
            scale,
        );
    });
}

/// Calls `f(offset, n)` for every head of every sequence: the offset of
/// the head's first element in the packed rows, and the sequence's length.
fn each_head(
    lens: &[usize],
    heads: usize,
    hidden: usize,
    hd: usize,
    mut f: impl FnMut(usize, usize),
) {
    let mut start = 0;
    for &n in lens {
        for head in 0..heads {
            f(start * hidden + head * hd, n);
        }
        start += n;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::super::forward::{EXP_LN2_HI, EXP_LN2_LO, EXP_POLY, EXP_ROUND};
    use std::arch::x86_64::*;

    /// The head width the fused kernel is written for.
    pub(super) const HEAD: usize = 32;
    /// Keys per vector.
    const LANES: usize = 16;

    /// Queries done together: each key and value vector loaded serves them
    /// all, and 16 sums keep the multiply-adds busy. 8 ran the encoder
    /// 1.05× faster than 4 (`rhetor bench --encoder`, session 14); ending
    /// a sequence in groups of 4, 2 and 1 instead of single queries was
    /// 0.97× (more code inlined, for a few queries a sequence).
    const GROUP: usize = 8;

    /// One head's keys transposed, its values packed, and a group's scores.
    pub(super) struct Buffers {
        keys: Vec<f32>,
        values: Vec<f32>,
        rows: Vec<f32>,
    }

    impl Buffers {
        /// Room for sequences of up to `longest` tokens.
        pub(super) fn new(longest: usize) -> Self {
            let padded = longest.div_ceil(LANES) * LANES;
            Buffers {
                keys: vec![0f32; HEAD * padded],
                values: vec![0f32; HEAD * padded],
                rows: vec![0f32; GROUP * padded],
            }
        }
    }

    /// One head over one sequence of `n` tokens whose first row starts at
    /// `off` (rows `stride` apart).
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, AVX2 and FMA.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn head_attention(
        q: &[f32],
        k: &[f32],
        v: &[f32],
        ctx: &mut [f32],
        off: usize,
        n: usize,
        stride: usize,
        scale: f32,
        buf: &mut Buffers,
    ) {
        if n == 0 {
            return;
        }
        let padded = n.div_ceil(LANES) * LANES;
        assert!(buf.keys.len() >= HEAD * padded && buf.values.len() >= HEAD * n);
        assert!(buf.rows.len() >= GROUP * padded);
        assert!(off + (n - 1) * stride + HEAD <= q.len().min(k.len()).min(v.len()).min(ctx.len()));
        // The keys transposed (dimension d of key j at d · padded + j, the
        // padding keys zero: their scores are masked) and the values packed
        // (key j's at j · HEAD): rows `stride` apart fall into a few L1 sets.
        // Each key row is read once, in order (reading a column at a time
        // would revisit n rows `stride` apart 32 times).
        for j in 0..padded {
            let row = (j < n).then(|| &k[off + j * stride..off + j * stride + HEAD]);
            for d in 0..HEAD {
                buf.keys[d * padded + j] = row.map_or(0.0, |r| r[d]);
            }
        }
        for j in 0..n {
            buf.values[j * HEAD..(j + 1) * HEAD]
                .copy_from_slice(&v[off + j * stride..off + j * stride + HEAD]);
        }
        let mut i = 0;
        while i + GROUP <= n {
            group::<GROUP>(q, ctx, off, i, n, stride, scale, buf);
            i += GROUP;
        }
        while i < n {
            group::<1>(q, ctx, off, i, n, stride, scale, buf);
            i += 1;
        }
    }

    /// Queries `i..i + G` of one head: scores, softmax and context.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn group<const G: usize>(
        q: &[f32],
        ctx: &mut [f32],
        off: usize,
        i: usize,
        n: usize,
        stride: usize,
        scale: f32,
        buf: &mut Buffers,
    ) {
        let padded = n.div_ceil(LANES) * LANES;
        let blocks = padded / LANES;
        let kp = buf.keys.as_ptr();
        let rp = buf.rows.as_mut_ptr();
        let qp: [*const f32; G] = std::array::from_fn(|u| q.as_ptr().add(off + (i + u) * stride));
        // Scores of the G queries, two key vectors at a time.
        let mut b = 0;
        while b + 2 <= blocks {
            let mut acc = [[_mm512_setzero_ps(); 2]; G];
            for d in 0..HEAD {
                let k0 = _mm512_loadu_ps(kp.add(d * padded + b * LANES));
                let k1 = _mm512_loadu_ps(kp.add(d * padded + (b + 1) * LANES));
                for (u, acc) in acc.iter_mut().enumerate() {
                    let qd = _mm512_set1_ps(*qp[u].add(d));
                    acc[0] = _mm512_fmadd_ps(qd, k0, acc[0]);
                    acc[1] = _mm512_fmadd_ps(qd, k1, acc[1]);
                }
            }
            for (u, acc) in acc.iter().enumerate() {
                _mm512_storeu_ps(rp.add(u * padded + b * LANES), acc[0]);
                _mm512_storeu_ps(rp.add(u * padded + (b + 1) * LANES), acc[1]);
            }
            b += 2;
        }
        if b < blocks {
            // One key vector left: two sums per query (even and odd
            // dimensions) so that G = 1 is not one long chain.
            let mut acc = [[_mm512_setzero_ps(); 2]; G];
            for d in (0..HEAD).step_by(2) {
                let k0 = _mm512_loadu_ps(kp.add(d * padded + b * LANES));
                let k1 = _mm512_loadu_ps(kp.add((d + 1) * padded + b * LANES));
                for (u, acc) in acc.iter_mut().enumerate() {
                    acc[0] = _mm512_fmadd_ps(_mm512_set1_ps(*qp[u].add(d)), k0, acc[0]);
                    acc[1] = _mm512_fmadd_ps(_mm512_set1_ps(*qp[u].add(d + 1)), k1, acc[1]);
                }
            }
            for (u, acc) in acc.iter().enumerate() {
                _mm512_storeu_ps(
                    rp.add(u * padded + b * LANES),
                    _mm512_add_ps(acc[0], acc[1]),
                );
            }
        }
        // Softmax of scale · scores over the n real keys, row by row.
        let tail: __mmask16 = if n.is_multiple_of(LANES) {
            0xffff
        } else {
            (1u16 << (n % LANES)) - 1
        };
        let vscale = _mm512_set1_ps(scale);
        let mut inv = [0f32; G];
        for (u, inv) in inv.iter_mut().enumerate() {
            let row = rp.add(u * padded);
            let mut max = _mm512_set1_ps(f32::NEG_INFINITY);
            for b in 0..blocks {
                let mask = if b + 1 == blocks { tail } else { 0xffff };
                let s = _mm512_mul_ps(_mm512_loadu_ps(row.add(b * LANES)), vscale);
                _mm512_storeu_ps(row.add(b * LANES), s);
                max = _mm512_mask_max_ps(max, mask, max, s);
            }
            let max = _mm512_set1_ps(_mm512_reduce_max_ps(max));
            let mut sum = _mm512_setzero_ps();
            for b in 0..blocks {
                let mask = if b + 1 == blocks { tail } else { 0xffff };
                let e = exp(_mm512_sub_ps(_mm512_loadu_ps(row.add(b * LANES)), max));
                let e = _mm512_maskz_mov_ps(mask, e);
                _mm512_storeu_ps(row.add(b * LANES), e);
                sum = _mm512_add_ps(sum, e);
            }
            *inv = 1.0 / _mm512_reduce_add_ps(sum);
        }
        // Context: Σ_j p_j · v_j, each value vector serving the G queries.
        let vp = buf.values.as_ptr();
        let mut acc = [[_mm512_setzero_ps(); 2]; G];
        for j in 0..n {
            let v0 = _mm512_loadu_ps(vp.add(j * HEAD));
            let v1 = _mm512_loadu_ps(vp.add(j * HEAD + LANES));
            for (u, acc) in acc.iter_mut().enumerate() {
                let p = _mm512_set1_ps(*rp.add(u * padded + j));
                acc[0] = _mm512_fmadd_ps(p, v0, acc[0]);
                acc[1] = _mm512_fmadd_ps(p, v1, acc[1]);
            }
        }
        for (u, acc) in acc.iter().enumerate() {
            let out = ctx.as_mut_ptr().add(off + (i + u) * stride);
            let s = _mm512_set1_ps(inv[u]);
            _mm512_storeu_ps(out, _mm512_mul_ps(acc[0], s));
            _mm512_storeu_ps(out.add(LANES), _mm512_mul_ps(acc[1], s));
        }
    }

    /// [`super::super::forward::exp`]'s method and constants on 16 lanes:
    /// `2^n · e^r`, inputs clamped to [-87, 88]. The polynomial's steps are
    /// fused multiply-adds here, so the last bit can differ from the scalar
    /// version's.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn exp(x: __m512) -> __m512 {
        let x = _mm512_min_ps(
            _mm512_max_ps(x, _mm512_set1_ps(-87.0)),
            _mm512_set1_ps(88.0),
        );
        let shifted = _mm512_add_ps(
            _mm512_mul_ps(x, _mm512_set1_ps(std::f32::consts::LOG2_E)),
            _mm512_set1_ps(EXP_ROUND),
        );
        let n = _mm512_sub_ps(shifted, _mm512_set1_ps(EXP_ROUND));
        let bits = _mm512_sub_epi32(
            _mm512_castps_si512(shifted),
            _mm512_set1_epi32(EXP_ROUND.to_bits() as i32),
        );
        let r = _mm512_add_ps(
            _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(EXP_LN2_HI))),
            _mm512_mul_ps(n, _mm512_set1_ps(EXP_LN2_LO)),
        );
        let mut p = _mm512_set1_ps(EXP_POLY[0]);
        for &c in &EXP_POLY[1..] {
            p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(c));
        }
        let r2 = _mm512_mul_ps(r, r);
        let e = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(p, r2), r), _mm512_set1_ps(1.0));
        let pow = _mm512_slli_epi32::<23>(_mm512_add_epi32(bits, _mm512_set1_epi32(127)));
        _mm512_mul_ps(e, _mm512_castsi512_ps(pow))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused kernel (where this CPU runs it) against the per-head
    /// `matrixmultiply` path, on sequences of every length around the
    /// vector width and one long one.
    #[test]
    fn fused_attention_matches_per_head_attention() {
        let (heads, hidden) = (3, 96);
        let lens = [1usize, 2, 15, 16, 17, 31, 33, 64, 65, 130];
        let total: usize = lens.iter().sum();
        let mut rng = crate::test_rng::Lcg(11);
        let mut next = move || rng.unit() * 4.0 - 2.0;
        let q: Vec<f32> = (0..total * hidden).map(|_| next()).collect();
        let k: Vec<f32> = (0..total * hidden).map(|_| next()).collect();
        let v: Vec<f32> = (0..total * hidden).map(|_| next()).collect();
        let scale = 1.0 / 32f32.sqrt();
        let mut fused = vec![0f32; total * hidden];
        attend_all(&q, &k, &v, &mut fused, &lens, heads, hidden, scale);
        let mut plain = vec![0f32; total * hidden];
        let mut start = 0;
        for &n in &lens {
            let mut scores = vec![0f32; n * n];
            for head in 0..heads {
                let off = start * hidden + head * 32;
                attend(
                    &q[off..],
                    &k[off..],
                    &v[off..],
                    &mut plain[off..],
                    &mut scores,
                    n,
                    32,
                    hidden,
                    scale,
                );
            }
            start += n;
        }
        let worst = fused
            .iter()
            .zip(&plain)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-5, "largest difference {worst}");
    }
}
