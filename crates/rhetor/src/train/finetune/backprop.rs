//! A hand-written backward pass through the encoder's post-norm BERT layer
//! (the same operations, in the same order, as `encoder::forward`), checked
//! against finite differences in the tests below. Tensors are packed
//! `[tokens, width]` row-major; attention runs per sequence and head.

use crate::encoder::forward::{attend, erf, gelu, Dense, Layer, LayerNorm};

/// Index of each tensor of a layer in [`LayerParams::t`].
pub const QW: usize = 0;
pub const QB: usize = 1;
pub const KW: usize = 2;
pub const KB: usize = 3;
pub const VW: usize = 4;
pub const VB: usize = 5;
pub const OW: usize = 6;
pub const OB: usize = 7;
pub const N1W: usize = 8;
pub const N1B: usize = 9;
pub const IW: usize = 10;
pub const IB: usize = 11;
pub const FW: usize = 12;
pub const FB: usize = 13;
pub const N2W: usize = 14;
pub const N2B: usize = 15;
const TENSORS: usize = 16;

/// One layer's parameters in f32 (or their gradients: the same shapes).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParams {
    pub t: Vec<Vec<f32>>,
    pub hidden: usize,
    pub ffn: usize,
}

impl LayerParams {
    /// All zeros, for a layer `hidden` wide with an `ffn`-wide middle.
    pub fn zeros(hidden: usize, ffn: usize) -> Self {
        let (h, f) = (hidden, ffn);
        let sizes: [usize; TENSORS] = [
            h * h,
            h,
            h * h,
            h,
            h * h,
            h,
            h * h,
            h,
            h,
            h,
            f * h,
            f,
            h * f,
            h,
            h,
            h,
        ];
        LayerParams {
            t: sizes.iter().map(|&n| vec![0f32; n]).collect(),
            hidden,
            ffn,
        }
    }

    /// A copy of an inference layer's (dequantised) weights.
    pub fn from_layer(l: &Layer) -> Self {
        let t = vec![
            l.q.weights().into_owned(),
            l.q.b.clone(),
            l.k.weights().into_owned(),
            l.k.b.clone(),
            l.v.weights().into_owned(),
            l.v.b.clone(),
            l.attention_out.weights().into_owned(),
            l.attention_out.b.clone(),
            l.attention_norm.w.clone(),
            l.attention_norm.b.clone(),
            l.ffn_in.weights().into_owned(),
            l.ffn_in.b.clone(),
            l.ffn_out.weights().into_owned(),
            l.ffn_out.b.clone(),
            l.output_norm.w.clone(),
            l.output_norm.b.clone(),
        ];
        LayerParams {
            hidden: l.q.cols,
            ffn: l.ffn_in.rows,
            t,
        }
    }

    /// The inference layer these parameters make.
    pub fn to_layer(&self) -> Layer {
        let (h, f) = (self.hidden, self.ffn);
        let dense = |w: usize, rows, cols| {
            Dense::from_f32(self.t[w].clone(), self.t[w + 1].clone(), rows, cols)
        };
        let norm = |w: usize| LayerNorm {
            w: self.t[w].clone(),
            b: self.t[w + 1].clone(),
        };
        Layer {
            q: dense(QW, h, h),
            k: dense(KW, h, h),
            v: dense(VW, h, h),
            attention_out: dense(OW, h, h),
            attention_norm: norm(N1W),
            ffn_in: dense(IW, f, h),
            ffn_out: dense(FW, h, f),
            output_norm: norm(N2W),
        }
    }

    /// `self += other` tensor by tensor.
    pub fn add(&mut self, other: &LayerParams) {
        for (a, b) in self.t.iter_mut().zip(&other.t) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }
}

/// A strided read-only matrix operand of [`gemm`].
#[derive(Clone, Copy)]
pub struct Mat<'a> {
    pub d: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl<'a> Mat<'a> {
    /// Row-major with rows `stride` apart.
    pub fn rows(d: &'a [f32], stride: usize) -> Self {
        Mat {
            d,
            rs: stride,
            cs: 1,
        }
    }
    /// The transpose of a row-major matrix with rows `stride` apart.
    pub fn t(d: &'a [f32], stride: usize) -> Self {
        Mat {
            d,
            rs: 1,
            cs: stride,
        }
    }
    fn fits(&self, rows: usize, cols: usize) -> bool {
        rows == 0 || cols == 0 || (rows - 1) * self.rs + (cols - 1) * self.cs < self.d.len()
    }
}

/// `C (m×n, rows rsc apart) = alpha · A (m×k) · B (k×n) + beta · C`.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Mat,
    b: Mat,
    beta: f32,
    c: &mut [f32],
    rsc: usize,
) {
    assert!(a.fits(m, k) && b.fits(k, n), "gemm operand out of bounds");
    assert!(
        m == 0 || n == 0 || (m - 1) * rsc + n <= c.len(),
        "gemm output out of bounds"
    );
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the asserts above bound every element matrixmultiply reads
    // (A: m×k, B: k×n at their strides) and writes (C: m×n, rows rsc apart).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.d.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.d.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            rsc as isize,
            1,
        );
    }
}

/// `y = x · Wᵀ + b` for `x` `[t, cols]`, `w` `[rows, cols]`.
fn linear(x: &[f32], w: &[f32], b: &[f32], cols: usize) -> Vec<f32> {
    let rows = b.len();
    let t = x.len() / cols;
    let mut y = Vec::with_capacity(t * rows);
    for _ in 0..t {
        y.extend_from_slice(b);
    }
    gemm(
        t,
        cols,
        rows,
        1.0,
        Mat::rows(x, cols),
        Mat::t(w, cols),
        1.0,
        &mut y,
        rows,
    );
    y
}

/// Gradients of [`linear`]: `dw += dyᵀ · x`, `db += Σ dy`; returns
/// `dx = dy · W` when `want_dx`.
fn linear_back(
    dy: &[f32],
    x: &[f32],
    w: &[f32],
    cols: usize,
    dw: &mut [f32],
    db: &mut [f32],
    want_dx: bool,
) -> Vec<f32> {
    let rows = db.len();
    let t = dy.len() / rows;
    gemm(
        rows,
        t,
        cols,
        1.0,
        Mat::t(dy, rows),
        Mat::rows(x, cols),
        1.0,
        dw,
        cols,
    );
    for r in dy.chunks_exact(rows) {
        db.iter_mut().zip(r).for_each(|(a, b)| *a += b);
    }
    if !want_dx {
        return Vec::new();
    }
    let mut dx = vec![0f32; t * cols];
    gemm(
        t,
        rows,
        cols,
        1.0,
        Mat::rows(dy, rows),
        Mat::rows(w, cols),
        0.0,
        &mut dx,
        cols,
    );
    dx
}

/// LayerNorm of each row of `u`; returns (output, x̂, 1/σ per row).
fn norm_forward(u: &[f32], w: &[f32], b: &[f32], eps: f32) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let h = w.len();
    let mut out = vec![0f32; u.len()];
    let mut xhat = vec![0f32; u.len()];
    let mut invs = Vec::with_capacity(u.len() / h);
    for ((row, o), xh) in u
        .chunks_exact(h)
        .zip(out.chunks_exact_mut(h))
        .zip(xhat.chunks_exact_mut(h))
    {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for j in 0..h {
            xh[j] = (row[j] - mean) * inv;
            o[j] = xh[j] * w[j] + b[j];
        }
        invs.push(inv);
    }
    (out, xhat, invs)
}

/// Gradient of [`norm_forward`] with respect to its input; accumulates
/// the scale's and shift's gradients.
fn norm_back(
    dy: &[f32],
    xhat: &[f32],
    invs: &[f32],
    w: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
) -> Vec<f32> {
    let h = w.len();
    let mut du = vec![0f32; dy.len()];
    let mut g = vec![0f32; h];
    for (((d, xh), out), inv) in dy
        .chunks_exact(h)
        .zip(xhat.chunks_exact(h))
        .zip(du.chunks_exact_mut(h))
        .zip(invs)
    {
        let mut mean_g = 0f32;
        let mut mean_gx = 0f32;
        for j in 0..h {
            dw[j] += d[j] * xh[j];
            db[j] += d[j];
            g[j] = d[j] * w[j];
            mean_g += g[j];
            mean_gx += g[j] * xh[j];
        }
        mean_g /= h as f32;
        mean_gx /= h as f32;
        for j in 0..h {
            out[j] = inv * (g[j] - mean_g - xh[j] * mean_gx);
        }
    }
    du
}

fn gelu_grad(x: f32) -> f32 {
    let cdf = 0.5 * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
    let pdf = (-0.5 * x * x).exp() * 0.398_942_3;
    cdf + x * pdf
}

/// What a layer's forward pass keeps for its backward pass.
#[derive(Debug, Default)]
pub struct Saved {
    x: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    /// Attention probabilities, per sequence then head, `n × n` each.
    p: Vec<f32>,
    ctx: Vec<f32>,
    xhat1: Vec<f32>,
    inv1: Vec<f32>,
    x1: Vec<f32>,
    m: Vec<f32>,
    g: Vec<f32>,
    xhat2: Vec<f32>,
    inv2: Vec<f32>,
}

/// One layer over packed sequences `lens` long: the output, and what the
/// backward pass needs.
pub fn forward(
    p: &LayerParams,
    x: &[f32],
    lens: &[usize],
    heads: usize,
    eps: f32,
) -> (Vec<f32>, Saved) {
    let h = p.hidden;
    let hd = h / heads;
    let scale = 1.0 / (hd as f32).sqrt();
    let q = linear(x, &p.t[QW], &p.t[QB], h);
    let k = linear(x, &p.t[KW], &p.t[KB], h);
    let v = linear(x, &p.t[VW], &p.t[VB], h);
    let mut ctx = vec![0f32; x.len()];
    let mut probs = Vec::with_capacity(lens.iter().map(|n| n * n * heads).sum());
    let mut start = 0;
    for &n in lens {
        for head in 0..heads {
            let off = start * h + head * hd;
            let at = probs.len();
            probs.resize(at + n * n, 0.0);
            // The inference kernel, which leaves the probabilities in its
            // score buffer: the backward pass needs them.
            attend(
                &q[off..],
                &k[off..],
                &v[off..],
                &mut ctx[off..],
                &mut probs[at..],
                n,
                hd,
                h,
                scale,
            );
        }
        start += n;
    }
    let a = linear(&ctx, &p.t[OW], &p.t[OB], h);
    let u1: Vec<f32> = x.iter().zip(&a).map(|(x, a)| x + a).collect();
    let (x1, xhat1, inv1) = norm_forward(&u1, &p.t[N1W], &p.t[N1B], eps);
    let m = linear(&x1, &p.t[IW], &p.t[IB], h);
    let g: Vec<f32> = m.iter().map(|&v| gelu(v)).collect();
    let f = linear(&g, &p.t[FW], &p.t[FB], p.ffn);
    let u2: Vec<f32> = x1.iter().zip(&f).map(|(x, f)| x + f).collect();
    let (out, xhat2, inv2) = norm_forward(&u2, &p.t[N2W], &p.t[N2B], eps);
    let saved = Saved {
        x: x.to_vec(),
        q,
        k,
        v,
        p: probs,
        ctx,
        xhat1,
        inv1,
        x1,
        m,
        g,
        xhat2,
        inv2,
    };
    (out, saved)
}

/// The backward pass of [`forward`]: accumulates the parameters' gradients
/// into `grad` and returns the gradient with respect to the layer's input
/// (empty when `want_dx` is false: the lowest trained layer).
pub fn backward(
    p: &LayerParams,
    s: &Saved,
    lens: &[usize],
    heads: usize,
    dout: &[f32],
    grad: &mut LayerParams,
    want_dx: bool,
) -> Vec<f32> {
    let h = p.hidden;
    let hd = h / heads;
    let scale = 1.0 / (hd as f32).sqrt();
    let g = &mut grad.t;
    let (lo, hi) = g.split_at_mut(N2W);
    let (n2w, n2b) = hi.split_at_mut(1);
    let du2 = norm_back(dout, &s.xhat2, &s.inv2, &p.t[N2W], &mut n2w[0], &mut n2b[0]);
    // u2 = x1 + f
    let (fw, fb) = lo[FW..FB + 1].split_at_mut(1);
    let dg = linear_back(&du2, &s.g, &p.t[FW], p.ffn, &mut fw[0], &mut fb[0], true);
    let dm: Vec<f32> = dg
        .iter()
        .zip(&s.m)
        .map(|(d, &m)| d * gelu_grad(m))
        .collect();
    let (iw, ib) = lo[IW..IB + 1].split_at_mut(1);
    let dx1_ffn = linear_back(&dm, &s.x1, &p.t[IW], h, &mut iw[0], &mut ib[0], true);
    let dx1: Vec<f32> = du2.iter().zip(&dx1_ffn).map(|(a, b)| a + b).collect();
    let (n1w, n1b) = lo[N1W..N1B + 1].split_at_mut(1);
    let du1 = norm_back(&dx1, &s.xhat1, &s.inv1, &p.t[N1W], &mut n1w[0], &mut n1b[0]);
    // u1 = x + a
    let (ow, ob) = lo[OW..OB + 1].split_at_mut(1);
    let dctx = linear_back(&du1, &s.ctx, &p.t[OW], h, &mut ow[0], &mut ob[0], true);

    let mut dq = vec![0f32; dctx.len()];
    let mut dk = vec![0f32; dctx.len()];
    let mut dv = vec![0f32; dctx.len()];
    let mut at = 0;
    let mut start = 0;
    for &n in lens {
        let mut dp = vec![0f32; n * n];
        for head in 0..heads {
            let off = start * h + head * hd;
            let probs = &s.p[at..at + n * n];
            at += n * n;
            // dP = dctx · Vᵀ; dV = Pᵀ · dctx
            gemm(
                n,
                hd,
                n,
                1.0,
                Mat::rows(&dctx[off..], h),
                Mat::t(&s.v[off..], h),
                0.0,
                &mut dp,
                n,
            );
            gemm(
                n,
                n,
                hd,
                1.0,
                Mat::t(probs, n),
                Mat::rows(&dctx[off..], h),
                0.0,
                &mut dv[off..],
                h,
            );
            // dS = P ⊙ (dP − rowsum(dP ⊙ P))
            for (d, pr) in dp.chunks_exact_mut(n).zip(probs.chunks_exact(n)) {
                let dot: f32 = d.iter().zip(pr).map(|(a, b)| a * b).sum();
                d.iter_mut().zip(pr).for_each(|(a, b)| *a = b * (*a - dot));
            }
            gemm(
                n,
                n,
                hd,
                scale,
                Mat::rows(&dp, n),
                Mat::rows(&s.k[off..], h),
                0.0,
                &mut dq[off..],
                h,
            );
            gemm(
                n,
                n,
                hd,
                scale,
                Mat::t(&dp, n),
                Mat::rows(&s.q[off..], h),
                0.0,
                &mut dk[off..],
                h,
            );
        }
        start += n;
    }
    let mut dx = du1;
    for (d, w) in [(&dq, QW), (&dk, KW), (&dv, VW)] {
        let (gw, gb) = lo[w..w + 2].split_at_mut(1);
        let part = linear_back(d, &s.x, &p.t[w], h, &mut gw[0], &mut gb[0], want_dx);
        dx.iter_mut().zip(&part).for_each(|(a, b)| *a += b);
    }
    if !want_dx {
        return Vec::new();
    }
    dx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::forward::run_layers;

    use crate::test_rng::Lcg;

    fn random_layer(h: usize, f: usize, rng: &mut Lcg) -> LayerParams {
        let mut p = LayerParams::zeros(h, f);
        for (i, t) in p.t.iter_mut().enumerate() {
            for v in t.iter_mut() {
                *v = if i == N1W || i == N2W {
                    1.0 + 0.3 * rng.signed()
                } else {
                    0.5 * rng.signed()
                };
            }
        }
        p
    }

    /// loss = Σ c ⊙ layer2(layer1(x)).
    fn loss(layers: &[LayerParams], x: &[f32], lens: &[usize], c: &[f32]) -> f64 {
        let mut x = x.to_vec();
        for l in layers {
            x = forward(l, &x, lens, 2, 1e-5).0;
        }
        x.iter().zip(c).map(|(a, b)| f64::from(a * b)).sum()
    }

    #[test]
    fn forward_matches_the_inference_layers() {
        let mut rng = Lcg(7);
        let (h, f) = (8, 12);
        let layers = [random_layer(h, f, &mut rng), random_layer(h, f, &mut rng)];
        let lens = [3, 5];
        let x: Vec<f32> = (0..8 * h).map(|_| rng.signed()).collect();
        let mut y = x.clone();
        for l in &layers {
            y = forward(l, &y, &lens, 2, 1e-5).0;
        }
        let inference: Vec<Layer> = layers.iter().map(LayerParams::to_layer).collect();
        let mut z = x.clone();
        run_layers(&inference, &mut z, &lens, 2, 1e-5);
        for (a, b) in y.iter().zip(&z) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        assert_eq!(LayerParams::from_layer(&inference[0]), layers[0]);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = Lcg(11);
        let (h, f) = (8, 12);
        let layers = vec![random_layer(h, f, &mut rng), random_layer(h, f, &mut rng)];
        let lens = [3, 5];
        let x: Vec<f32> = (0..8 * h).map(|_| rng.signed()).collect();
        let c: Vec<f32> = (0..8 * h).map(|_| rng.signed()).collect();

        let (y1, s1) = forward(&layers[0], &x, &lens, 2, 1e-5);
        let (_, s2) = forward(&layers[1], &y1, &lens, 2, 1e-5);
        let mut g = [LayerParams::zeros(h, f), LayerParams::zeros(h, f)];
        let d1 = backward(&layers[1], &s2, &lens, 2, &c, &mut g[1], true);
        let dx = backward(&layers[0], &s1, &lens, 2, &d1, &mut g[0], true);

        let eps = 1e-2f32;
        let mut worst = 0f64;
        let mut check = |analytic: f32, plus: f64, minus: f64| {
            let numeric = (plus - minus) / (2.0 * f64::from(eps));
            let err = (f64::from(analytic) - numeric).abs() / (1.0 + numeric.abs());
            worst = worst.max(err);
        };
        for li in 0..2 {
            for ti in 0..TENSORS {
                for j in (0..layers[li].t[ti].len()).step_by(5) {
                    let mut p = layers.clone();
                    p[li].t[ti][j] += eps;
                    let plus = loss(&p, &x, &lens, &c);
                    p[li].t[ti][j] -= 2.0 * eps;
                    let minus = loss(&p, &x, &lens, &c);
                    check(g[li].t[ti][j], plus, minus);
                }
            }
        }
        for j in 0..x.len() {
            let mut xp = x.clone();
            xp[j] += eps;
            let plus = loss(&layers, &xp, &lens, &c);
            xp[j] -= 2.0 * eps;
            let minus = loss(&layers, &xp, &lens, &c);
            check(dx[j], plus, minus);
        }
        assert!(worst < 2e-2, "worst relative gradient error {worst}");
    }
}
