//! Scores of a fine-tuning run: the learning curve from the held-out
//! probabilities, nested cross-validated scores, and the frozen encoder's
//! baseline on the same rows.

use rayon::prelude::*;

use super::{store, FinetuneOptions, Rows, StateCache};
use crate::encoder::format::Shape;
use crate::encoder::forward::{mean_pool, run_layers, Layer};
use crate::encoder::Encoder;
use crate::error::ModelError;
use crate::train::tasks::{nested_confident, nested_decisions, score_by_language, TaskScores};
use crate::train::{scores, tune_thresholds};

/// Micro-F1 of `probs` on `rows` with thresholds tuned on the same rows
/// (optimistic, the same way for every model compared on one fold).
pub fn fold_f1(probs: &[Vec<f32>], truth: &[Vec<usize>], n_labels: usize) -> f64 {
    let all: Vec<usize> = (0..probs.len()).collect();
    let t = tune_thresholds(probs, truth, &all, n_labels);
    let pred: Vec<Vec<usize>> = probs
        .iter()
        .map(|p| (0..n_labels).filter(|&l| p[l] >= t[l]).collect())
        .collect();
    scores(&pred, truth, &all, n_labels).0
}

/// One epoch's out-of-fold probabilities of every row, when every fold
/// has them.
pub fn out_of_fold(
    rows: &Rows,
    opts: &FinetuneOptions,
    epoch: usize,
) -> Result<Option<Vec<Vec<f32>>>, ModelError> {
    let n = rows.seqs.len();
    let mut oof = vec![Vec::new(); n];
    for f in 0..opts.folds {
        let probs = store::read_probabilities(&opts.work, &format!("f{f}"), epoch)?;
        let test: Vec<usize> = (0..n).filter(|&i| rows.task.folds[i] == f).collect();
        if probs.len() != test.len() {
            return Ok(None);
        }
        for (i, p) in test.into_iter().zip(probs) {
            oof[i] = p;
        }
    }
    Ok(Some(oof))
}

/// Nested cross-validated scores (thresholds of each fold tuned on the
/// others) of out-of-fold probabilities; confident labels selected for
/// precision `confident_floor` on the other folds.
pub fn nested_scores(
    rows: &Rows,
    oof: &[Vec<f32>],
    folds: usize,
    confident_floor: f64,
) -> TaskScores {
    let mut s = score_by_language(&rows.task, &nested_decisions(&rows.task, oof, folds));
    s.confident = nested_confident(&rows.task, oof, folds, confident_floor);
    s
}

/// Nested cross-validated scores of one epoch, when every fold has run.
pub fn cross_validated(
    rows: &Rows,
    opts: &FinetuneOptions,
    epoch: usize,
) -> Result<Option<TaskScores>, ModelError> {
    Ok(out_of_fold(rows, opts, epoch)?
        .map(|oof| nested_scores(rows, &oof, opts.folds, opts.confident_floor)))
}

/// The frozen encoder's embeddings of every row (the cached states run
/// through the base top layers, mean-pooled, L2-normalised): what today's
/// accurate tier reads, with long paragraphs cut at 510 pieces as here.
pub fn frozen_embeddings(encoder: &Encoder, cache: &StateCache) -> Vec<Vec<f32>> {
    let rows: Vec<usize> = (0..cache.rows()).collect();
    let layers = &encoder.weights().layers()[cache.lower..];
    embeddings(cache, &rows, layers, &encoder.weights().shape)
}

/// The L2-normalised mean-pooled states of `rows` of the cache after
/// `layers`, as the accurate tier's heads read them.
pub(crate) fn embeddings(
    cache: &StateCache,
    rows: &[usize],
    layers: &[Layer],
    shape: &Shape,
) -> Vec<Vec<f32>> {
    rows.par_chunks(32)
        .flat_map_iter(|chunk| {
            let (mut x, lens) = cache.pack(chunk);
            run_layers(layers, &mut x, &lens, shape.heads, shape.eps);
            mean_pool(&x, &lens, shape.hidden)
                .into_iter()
                .map(|mut e| {
                    let norm = e.iter().map(|v| v * v).sum::<f32>().max(1e-12).sqrt();
                    e.iter_mut().for_each(|v| *v /= norm);
                    e
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Held-out probabilities of `fold` from the shipped recipe over frozen
/// embeddings (standardised, L2-regularised logistic regression, C =
/// 0.001, balanced): the baseline a fine-tuned model is compared with.
pub fn frozen_fold_probabilities(emb: &[Vec<f32>], rows: &Rows, fold: usize) -> Vec<Vec<f32>> {
    let dim = emb.first().map_or(0, Vec::len);
    let n = emb.len();
    let train: Vec<usize> = (0..n).filter(|&i| rows.task.folds[i] != fold).collect();
    let test: Vec<usize> = (0..n).filter(|&i| rows.task.folds[i] == fold).collect();
    let (mean, sd) = crate::train::accurate::moments(emb, &train, dim);
    let x = crate::train::accurate::standardised(emb, &mean, &sd);
    let p = crate::train::FitParams {
        c: 0.001,
        epochs: 30,
        ..crate::train::FitParams::default()
    };
    let (w, b) = crate::train::fit_ovr(&x, &train, &rows.task.truth, rows.task.n_labels, dim, p);
    crate::train::predict(&x, &test, &w, &b)
}

/// The truth of `fold`'s rows, in order.
pub fn fold_truth(rows: &Rows, fold: usize) -> Vec<Vec<usize>> {
    (0..rows.len())
        .filter(|&i| rows.task.folds[i] == fold)
        .map(|i| rows.task.truth[i].clone())
        .collect()
}

/// The number of labels.
pub fn labels(rows: &Rows) -> usize {
    rows.task.n_labels
}
