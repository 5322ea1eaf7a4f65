//! Training (feature `train`): one-vs-rest L2-regularised logistic
//! regression fitted by dual coordinate descent (the liblinear solver of
//! Yu, Huang and Lin, 2011) with class-balanced costs, grouped k-fold
//! cross-validation, per-label thresholds, and the evaluation report.
//! Deterministic: fixed seeds, fixed fold assignment, labels fitted
//! independently.

pub mod accurate;
pub mod corrections;
pub mod finetune;
pub mod ner;
pub mod outlets;
pub mod span_head;
pub mod tasks;

use rayon::prelude::*;

use crate::classify::features::{idf_from_counts, weight, SparseVec};

/// Fitting parameters.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct FitParams {
    /// Passes of coordinate descent over the rows.
    pub epochs: usize,
    /// Inverse regularisation strength (as in liblinear and scikit-learn).
    pub c: f32,
    pub seed: u64,
    /// Scale each class's cost so both classes weigh the same.
    pub balanced: bool,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            epochs: 10,
            c: 1.0,
            seed: 17,
            balanced: true,
        }
    }
}

/// A small deterministic generator (xorshift64*).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Fits one binary logistic regression on `rows[i]` for `i` in `subset`;
/// returns the weights and the bias (the weight of a constant feature 1).
pub fn fit_binary(
    rows: &[SparseVec],
    subset: &[usize],
    positive: &dyn Fn(usize) -> bool,
    buckets: usize,
    p: FitParams,
) -> (Vec<f32>, f32) {
    let n = subset.len();
    let mut w = vec![0f64; buckets];
    let mut bias = 0f64;
    if n == 0 {
        return (vec![0.0; buckets], 0.0);
    }
    let y: Vec<f64> = subset
        .iter()
        .map(|&i| if positive(i) { 1.0 } else { -1.0 })
        .collect();
    let n_pos = y.iter().filter(|&&v| v > 0.0).count() as f64;
    let (c_pos, c_neg) = if p.balanced && n_pos > 0.0 && n_pos < n as f64 {
        let nf = n as f64;
        (
            p.c as f64 * nf / (2.0 * n_pos),
            p.c as f64 * nf / (2.0 * (nf - n_pos)),
        )
    } else {
        (p.c as f64, p.c as f64)
    };
    let upper: Vec<f64> = y
        .iter()
        .map(|&v| if v > 0.0 { c_pos } else { c_neg })
        .collect();
    // alpha[2k] is the dual variable, alpha[2k+1] = upper - alpha[2k].
    let mut alpha = vec![0f64; 2 * n];
    let mut xx = vec![0f64; n];
    for k in 0..n {
        alpha[2 * k] = (0.001 * upper[k]).min(1e-8);
        alpha[2 * k + 1] = upper[k] - alpha[2 * k];
        let x = &rows[subset[k]];
        xx[k] = 1.0
            + x.iter()
                .map(|&(_, v)| f64::from(v) * f64::from(v))
                .sum::<f64>();
        let coef = y[k] * alpha[2 * k];
        for &(j, v) in x {
            w[j as usize] += coef * f64::from(v);
        }
        bias += coef;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng(p.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for _ in 0..p.epochs {
        rng.shuffle(&mut order);
        let mut max_gradient = 0f64;
        for &k in &order {
            let x = &rows[subset[k]];
            let c = upper[k];
            let a = xx[k];
            let ywx = y[k]
                * (bias
                    + x.iter()
                        .map(|&(j, v)| w[j as usize] * f64::from(v))
                        .sum::<f64>());
            let (mut ind1, mut ind2, mut sign) = (2 * k, 2 * k + 1, 1.0);
            if 0.5 * a * (alpha[ind2] - alpha[ind1]) + ywx < 0.0 {
                ind1 = 2 * k + 1;
                ind2 = 2 * k;
                sign = -1.0;
            }
            let alpha_old = alpha[ind1];
            let mut z = alpha_old;
            if c - z < 0.5 * c {
                z *= 0.1;
            }
            let mut gp = a * (z - alpha_old) + sign * ywx + (z / (c - z)).ln();
            max_gradient = max_gradient.max(gp.abs());
            let mut inner = 0;
            while inner <= 100 && gp.abs() >= 1e-2 {
                let gpp = a + c / (c - z) / z;
                let next = z - gp / gpp;
                z = if next <= 0.0 { z * 0.1 } else { next };
                gp = a * (z - alpha_old) + sign * ywx + (z / (c - z)).ln();
                inner += 1;
            }
            if inner > 0 {
                alpha[ind1] = z;
                alpha[ind2] = c - z;
                let delta = sign * (z - alpha_old) * y[k];
                for &(j, v) in x {
                    w[j as usize] += delta * f64::from(v);
                }
                bias += delta;
            }
        }
        if max_gradient < 0.05 {
            break;
        }
    }
    (w.into_iter().map(|v| v as f32).collect(), bias as f32)
}

/// One-vs-rest fit of `n_labels` labels in parallel. `truth[i]` lists the
/// labels of row `i`.
pub fn fit_ovr(
    rows: &[SparseVec],
    subset: &[usize],
    truth: &[Vec<usize>],
    n_labels: usize,
    buckets: usize,
    p: FitParams,
) -> (Vec<Vec<f32>>, Vec<f32>) {
    let fitted: Vec<(Vec<f32>, f32)> = (0..n_labels)
        .into_par_iter()
        .map(|l| {
            let positive = |i: usize| truth[i].contains(&l);
            fit_binary(
                rows,
                subset,
                &positive,
                buckets,
                FitParams {
                    seed: p.seed + l as u64,
                    ..p
                },
            )
        })
        .collect();
    fitted.into_iter().unzip()
}

/// Document frequencies → IDF over the rows of `subset` (raw counts).
pub fn idf_for(counts: &[SparseVec], subset: &[usize], buckets: usize) -> Vec<f32> {
    let mut df = vec![0u32; buckets];
    for &i in subset {
        for &(b, _) in &counts[i] {
            df[b as usize] += 1;
        }
    }
    idf_from_counts(&df, subset.len())
}

/// Raw counts weighted by `idf` (TF-IDF, L2-normalised).
pub fn weighted(counts: &[SparseVec], idf: &[f32]) -> Vec<SparseVec> {
    counts
        .par_iter()
        .map(|c| {
            let mut v = c.clone();
            weight(&mut v, |b| idf[b as usize]);
            v
        })
        .collect()
}

/// Probability of each label for each row.
pub fn predict(rows: &[SparseVec], subset: &[usize], w: &[Vec<f32>], b: &[f32]) -> Vec<Vec<f32>> {
    subset
        .par_iter()
        .map(|&i| {
            w.iter()
                .zip(b)
                .map(|(wl, bl)| {
                    let z = bl
                        + rows[i]
                            .iter()
                            .map(|&(j, v)| wl[j as usize] * v)
                            .sum::<f32>();
                    1.0 / (1.0 + (-z).exp())
                })
                .collect()
        })
        .collect()
}

/// Fold (0..k) of a group key: stable across runs and platforms.
pub fn fold_of(key: &str, k: usize) -> usize {
    (crate::classify::linear::fnv(key.as_bytes()) % k as u64) as usize
}

/// Out-of-fold probabilities: for each fold, fit on the other folds
/// (IDF included) and predict the held-out rows.
pub fn out_of_fold(
    counts: &[SparseVec],
    folds: &[usize],
    k: usize,
    truth: &[Vec<usize>],
    n_labels: usize,
    buckets: usize,
    p: FitParams,
) -> Vec<Vec<f32>> {
    let mut oof = vec![Vec::new(); counts.len()];
    for f in 0..k {
        let train: Vec<usize> = (0..counts.len()).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..counts.len()).filter(|&i| folds[i] == f).collect();
        let idf = idf_for(counts, &train, buckets);
        let rows = weighted(counts, &idf);
        let (w, b) = fit_ovr(&rows, &train, truth, n_labels, buckets, p);
        for (i, probs) in test.iter().zip(predict(&rows, &test, &w, &b)) {
            oof[*i] = probs;
        }
    }
    oof
}

/// The threshold grid: 0.02 … 0.98, and 1.01 for "never".
pub fn grid() -> Vec<f32> {
    (1..=49)
        .map(|i| i as f32 * 0.02)
        .chain(std::iter::once(1.01))
        .collect()
}

fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    }
}

/// Per-label thresholds that maximise micro-F1 over `rows`: the best global
/// threshold, three rounds of per-label coordinate ascent, then each label's
/// threshold shrunk toward the global one by `n_pos / (n_pos + 20)`.
pub fn tune_thresholds(
    probs: &[Vec<f32>],
    truth: &[Vec<usize>],
    rows: &[usize],
    n_labels: usize,
) -> Vec<f32> {
    let grid = grid();
    // counts[l][g] = (tp, fp, fn) of label l at grid value g.
    let counts: Vec<Vec<(usize, usize, usize)>> = (0..n_labels)
        .map(|l| {
            grid.iter()
                .map(|&t| {
                    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
                    for &i in rows {
                        let y = truth[i].contains(&l);
                        let yhat = probs[i][l] >= t;
                        match (y, yhat) {
                            (true, true) => tp += 1,
                            (false, true) => fp += 1,
                            (true, false) => fn_ += 1,
                            _ => {}
                        }
                    }
                    (tp, fp, fn_)
                })
                .collect()
        })
        .collect();
    let total = |choice: &[usize]| {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (l, &g) in choice.iter().enumerate() {
            let c = counts[l][g];
            tp += c.0;
            fp += c.1;
            fn_ += c.2;
        }
        f1(tp, fp, fn_)
    };
    let best_global = (0..grid.len() - 1)
        .max_by(|&a, &b| {
            total(&vec![a; n_labels])
                .total_cmp(&total(&vec![b; n_labels]))
                .then(b.cmp(&a))
        })
        .unwrap_or(24);
    let mut choice = vec![best_global; n_labels];
    for _ in 0..3 {
        for l in 0..n_labels {
            let mut best = (total(&choice), choice[l]);
            for g in 0..grid.len() {
                choice[l] = g;
                let s = total(&choice);
                if s > best.0 + 1e-12 {
                    best = (s, g);
                }
            }
            choice[l] = best.1;
        }
    }
    let global = grid[best_global];
    (0..n_labels)
        .map(|l| {
            let n_pos = rows.iter().filter(|&&i| truth[i].contains(&l)).count() as f32;
            let w = n_pos / (n_pos + 20.0);
            let t = grid[choice[l]];
            if t > 1.0 && n_pos < 5.0 {
                1.01
            } else {
                w * t.min(1.0) + (1.0 - w) * global
            }
        })
        .collect()
}

/// The precision a confident label must reach on the rows it is tuned on.
pub const CONFIDENT_PRECISION: f64 = 0.6;
/// True positives a confident threshold must keep on those rows: fewer, and
/// the precision it measures is noise.
const CONFIDENT_MIN_TP: usize = 10;

/// Per label, the lowest threshold (at least the label's decision
/// threshold `decide[l]`) at which `probs` reach precision `floor` over
/// `rows` with at least 10 true positives; 1.01 ("never") where none does.
pub fn confident_thresholds(
    probs: &[Vec<f32>],
    truth: &[Vec<usize>],
    rows: &[usize],
    decide: &[f32],
    floor: f64,
) -> Vec<f32> {
    let grid = grid();
    decide
        .iter()
        .enumerate()
        .map(|(l, &base)| {
            grid.iter()
                .copied()
                .filter(|&t| t >= base && t <= 1.0)
                .find(|&t| {
                    let (mut tp, mut fp) = (0usize, 0usize);
                    for &i in rows {
                        if probs[i][l] >= t {
                            if truth[i].contains(&l) {
                                tp += 1;
                            } else {
                                fp += 1;
                            }
                        }
                    }
                    tp >= CONFIDENT_MIN_TP && tp as f64 >= floor * (tp + fp) as f64
                })
                .unwrap_or(1.01)
        })
        .collect()
}

/// Precision, recall and F1 counts for one label or a whole set.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn add(&mut self, y: bool, yhat: bool) {
        match (y, yhat) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            _ => {}
        }
    }
    pub fn f1(&self) -> f64 {
        f1(self.tp, self.fp, self.fn_)
    }
    pub fn support(&self) -> usize {
        self.tp + self.fn_
    }
    /// tp / (tp + fp); 0 with no prediction.
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    /// tp / (tp + fn); 0 with no support.
    pub fn recall(&self) -> f64 {
        self.tp as f64 / self.support().max(1) as f64
    }
}

/// Micro-F1 and macro-F1 (over labels with support) of predictions.
pub fn scores(
    pred: &[Vec<usize>],
    truth: &[Vec<usize>],
    rows: &[usize],
    n_labels: usize,
) -> (f64, f64, Vec<Counts>) {
    let mut per = vec![Counts::default(); n_labels];
    for &i in rows {
        for (l, c) in per.iter_mut().enumerate() {
            c.add(truth[i].contains(&l), pred[i].contains(&l));
        }
    }
    let mut micro = Counts::default();
    for c in &per {
        micro.tp += c.tp;
        micro.fp += c.fp;
        micro.fn_ += c.fn_;
    }
    let supported: Vec<&Counts> = per.iter().filter(|c| c.support() > 0).collect();
    let macro_f1 = if supported.is_empty() {
        0.0
    } else {
        supported.iter().map(|c| c.f1()).sum::<f64>() / supported.len() as f64
    };
    (micro.f1(), macro_f1, per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_deterministically() {
        // Feature 1 marks label 0, feature 2 label 1.
        let rows: Vec<SparseVec> = (0..200)
            .map(|i| {
                if i % 2 == 0 {
                    vec![(1, 1.0), (5, 0.3)]
                } else {
                    vec![(2, 1.0), (5, 0.3)]
                }
            })
            .collect();
        let truth: Vec<Vec<usize>> = (0..200).map(|i| vec![i % 2]).collect();
        let all: Vec<usize> = (0..200).collect();
        let (w, b) = fit_ovr(&rows, &all, &truth, 2, 8, FitParams::default());
        let p = predict(&rows, &[0, 1], &w, &b);
        assert!(p[0][0] > 0.9 && p[0][1] < 0.1, "{p:?}");
        assert!(p[1][1] > 0.9 && p[1][0] < 0.1, "{p:?}");
        let again = fit_ovr(&rows, &all, &truth, 2, 8, FitParams::default());
        assert_eq!((w, b), again);
    }

    #[test]
    fn thresholds_separate_scores() {
        let probs = vec![vec![0.9], vec![0.8], vec![0.3], vec![0.2]];
        let truth = vec![vec![0], vec![0], vec![], vec![]];
        let t = tune_thresholds(&probs, &truth, &[0, 1, 2, 3], 1);
        assert!(t[0] > 0.3 && t[0] <= 0.8, "{t:?}");
        let (micro, macro_f1, _) = scores(
            &[vec![0], vec![0], vec![], vec![]],
            &truth,
            &[0, 1, 2, 3],
            1,
        );
        assert_eq!((micro, macro_f1), (1.0, 1.0));
    }

    #[test]
    fn confident_thresholds_reach_the_precision_floor_or_never() {
        // Label 0: 40 rows; above 0.7 they are 15 of 20 right (0.75),
        // between 0.3 and 0.7 only 5 of 20. Label 1: never precise.
        let mut probs = Vec::new();
        let mut truth = Vec::new();
        for i in 0..40 {
            let high = i < 20;
            probs.push(vec![if high { 0.8 } else { 0.5 }, 0.5]);
            let right = if high { i % 4 != 0 } else { i % 4 == 0 };
            let mut t = Vec::new();
            if right {
                t.push(0);
            }
            if i % 10 == 0 {
                t.push(1);
            }
            truth.push(t);
        }
        let rows: Vec<usize> = (0..40).collect();
        let sure = confident_thresholds(&probs, &truth, &rows, &[0.3, 0.3], 0.6);
        assert!(sure[0] > 0.5 && sure[0] <= 0.8, "{sure:?}");
        assert!(sure[1] > 1.0, "{sure:?}");
        // Never below the decision threshold.
        let sure = confident_thresholds(&probs, &truth, &rows, &[0.9, 0.3], 0.6);
        assert!(sure[0] > 1.0, "{sure:?}");
    }
}
