//! The accurate tier's span head: per technique, a logistic regression over
//! each word's encoder state (the mean of its pieces' hidden states after a
//! number of the base layers, the paragraph read as the technique head
//! reads it), trained on the annotated spans of `spans.tsv` over the same
//! words as the fast tier's evidence model, and optionally averaged with
//! that model's token probabilities.
//!
//! Words of paragraphs without any span are never encoded: no technique's
//! model trains on them.

use rayon::prelude::*;

use super::accurate::{folded_head, head_features, moments, standardised};
use super::tasks::{evidence_data, evidence_fit, EvidenceData};
use super::{fit_binary, Counts, FitParams};
use crate::classify::evidence::{spans_from_probs_at, token_vectors};
use crate::classify::features::SparseVec;
use crate::classify::linear::{LinearModel, ModelHeader};
use crate::classify::{head_of, MAX_ENCODED_BYTES};
use crate::encoder::{EncodeWhat, Encoder, Prefix};
use crate::segment::Token;
use crate::semeval::{LabelledArticle, TECHNIQUES};

/// Paragraphs per call of the encoder.
const BATCH: usize = 48;

/// The span head's words: the evidence model's rows, and for the rows of
/// annotated paragraphs each word's encoder vector.
pub struct SpanRows {
    ev: EvidenceData,
    /// Per row: the word's vector (empty for rows no technique trains on).
    dense: Vec<Vec<f32>>,
    /// Layers of the encoder the vectors are read after.
    pub layer: usize,
    dim: usize,
}

impl SpanRows {
    /// Words the head trains on (rows of paragraphs with spans).
    pub fn encoded(&self) -> usize {
        self.dense.iter().filter(|v| !v.is_empty()).count()
    }
}

/// Encodes the annotated paragraphs of `articles` and reads every word's
/// vector after `layer` layers. `progress(done, total)` counts paragraphs.
pub fn span_rows(
    articles: &[LabelledArticle],
    encoder: &Encoder,
    layer: usize,
    k: usize,
    progress: &dyn Fn(usize, usize),
) -> SpanRows {
    let ev = evidence_data(articles, k);
    let n = ev.rows.len();
    let mut wanted = vec![false; n];
    for s in &ev.subsets {
        for &r in s {
            wanted[r] = true;
        }
    }
    // (article, block, first row, end row) of each paragraph to encode.
    let ends = ev
        .paragraphs
        .iter()
        .skip(1)
        .map(|p| p.2)
        .chain(std::iter::once(n));
    let todo: Vec<(usize, usize, usize, usize)> = ev
        .paragraphs
        .iter()
        .zip(ends)
        .filter(|(p, end)| p.2 < *end && wanted[p.2])
        .map(|(&(a, b, first), end)| (a, b, first, end))
        .collect();
    let dim = encoder.dim();
    let mut dense = vec![Vec::new(); n];
    let mut done = 0;
    for batch in todo.chunks(BATCH) {
        let texts: Vec<&str> = batch
            .iter()
            .map(|&(a, b, _, _)| {
                let doc = &articles[a].doc;
                head_of(doc.slice(doc.blocks[b].span), MAX_ENCODED_BYTES)
            })
            .collect();
        let what = EncodeWhat {
            states_after: Some(layer),
            ..EncodeWhat::default()
        };
        let encoded = encoder.encode_texts(&texts, Prefix::Query, what);
        let states = encoded.states.unwrap_or_default();
        for (&(a, b, first, end), st) in batch.iter().zip(&states) {
            let base = articles[a].doc.blocks[b].span.start;
            let vectors = token_vectors(st, base, &ev.tokens[first..end], dim);
            for (row, v) in (first..end).zip(vectors) {
                dense[row] = v;
            }
        }
        done += batch.len();
        progress(done, todo.len());
    }
    SpanRows {
        ev,
        dense,
        layer,
        dim,
    }
}

fn fit_label(
    d: &SpanRows,
    x: &[SparseVec],
    l: usize,
    rows: &[usize],
    p: FitParams,
) -> (Vec<f32>, f32) {
    let lookup: std::collections::HashMap<usize, bool> = d.ev.subsets[l]
        .iter()
        .copied()
        .zip(d.ev.positive[l].iter().copied())
        .collect();
    let positive = |i: usize| lookup.get(&i).copied().unwrap_or(false);
    fit_binary(
        x,
        rows,
        &positive,
        d.dim,
        FitParams {
            seed: p.seed + 200 + l as u64,
            ..p
        },
    )
}

fn probability(w: &[f32], b: f32, x: &SparseVec) -> f32 {
    let z = b + x.iter().map(|&(j, v)| w[j as usize] * v).sum::<f32>();
    1.0 / (1.0 + (-z).exp())
}

/// Token probabilities of each held-out paragraph.
type Probs = Vec<Vec<f32>>;

/// One label's held-out paragraphs: the fast model's probabilities, each
/// C's encoder model's, the tokens, and which are gold evidence.
type HeldOut = (Probs, Vec<Probs>, Vec<Vec<Token>>, Vec<Vec<bool>>);

/// One setting of the span head.
#[derive(Debug, Clone, Copy)]
pub struct SpanSetting {
    pub c: f32,
    /// Average with the fast tier's evidence probabilities.
    pub fused: bool,
    pub threshold: f32,
}

/// Token-level counts on fold 0 (every model trained on the other folds),
/// for the fast evidence model alone (first) and each of `settings` at
/// each of `cs`'s regularisations: the fast tier's token score with the
/// gold technique given, measured the same way.
pub fn evaluate(
    d: &SpanRows,
    cs: &[f32],
    thresholds: &[f32],
    fast: FitParams,
    epochs: usize,
) -> Vec<(String, Counts)> {
    let train_all: Vec<usize> = (0..d.dense.len())
        .filter(|&i| !d.dense[i].is_empty() && d.ev.folds[i] != 0)
        .collect();
    let (mean, sd) = moments(&d.dense, &train_all, d.dim);
    let x = standardised(&d.dense, &mean, &sd);
    let per_label: Vec<HeldOut> = (0..TECHNIQUES.len())
        .into_par_iter()
        .map(|l| {
            let train: Vec<usize> = d.ev.subsets[l]
                .iter()
                .copied()
                .filter(|&i| d.ev.folds[i] != 0)
                .collect();
            let gold: std::collections::HashMap<usize, bool> = d.ev.subsets[l]
                .iter()
                .copied()
                .zip(d.ev.positive[l].iter().copied())
                .collect();
            let groups: Vec<&Vec<usize>> = d.ev.groups[l]
                .iter()
                .filter(|(f, _)| *f == 0)
                .map(|(_, r)| r)
                .collect();
            let toks = groups
                .iter()
                .map(|rows| rows.iter().map(|&i| d.ev.tokens[i]).collect())
                .collect();
            let truth = groups
                .iter()
                .map(|rows| {
                    rows.iter()
                        .map(|i| gold.get(i).copied().unwrap_or(false))
                        .collect()
                })
                .collect();
            if train.is_empty() {
                let zeros: Probs = groups.iter().map(|r| vec![0.0; r.len()]).collect();
                return (zeros.clone(), vec![zeros; cs.len()], toks, truth);
            }
            let (fw, fb) = evidence_fit(&d.ev, l, &train, fast);
            let fast_probs = groups
                .iter()
                .map(|rows| {
                    rows.iter()
                        .map(|&i| probability(&fw, fb, &d.ev.rows[i]))
                        .collect()
                })
                .collect();
            let enc = cs
                .iter()
                .map(|&c| {
                    let p = FitParams {
                        c,
                        epochs,
                        ..FitParams::default()
                    };
                    let (w, b) = fit_label(d, &x, l, &train, p);
                    groups
                        .iter()
                        .map(|rows| rows.iter().map(|&i| probability(&w, b, &x[i])).collect())
                        .collect()
                })
                .collect();
            (fast_probs, enc, toks, truth)
        })
        .collect();
    let score = |probs: &dyn Fn(usize, usize) -> Vec<f32>, threshold: f32| {
        let mut c = Counts::default();
        for (l, (_, _, toks, truth)) in per_label.iter().enumerate() {
            for (g, (t, y)) in toks.iter().zip(truth).enumerate() {
                let spans = spans_from_probs_at(t, &probs(l, g), threshold);
                for (tok, &gold) in t.iter().zip(y) {
                    let inside = spans
                        .iter()
                        .any(|s| tok.span.start >= s.start && tok.span.end <= s.end);
                    c.add(gold, inside);
                }
            }
        }
        c
    };
    let mut out = vec![(
        "fast evidence model (0.5)".to_string(),
        score(&|l, g| per_label[l].0[g].clone(), 0.5),
    )];
    for (ci, c) in cs.iter().enumerate() {
        for &threshold in thresholds {
            out.push((
                format!("encoder, C = {c}, threshold {threshold}"),
                score(&|l, g| per_label[l].1[ci][g].clone(), threshold),
            ));
            out.push((
                format!("encoder + fast (mean), C = {c}, threshold {threshold}"),
                score(
                    &|l, g| {
                        per_label[l].1[ci][g]
                            .iter()
                            .zip(&per_label[l].0[g])
                            .map(|(a, b)| 0.5 * (a + b))
                            .collect()
                    },
                    threshold,
                ),
            ));
        }
    }
    out
}

/// The span head fitted on every annotated word, the standardisation
/// folded into its weights so that it reads raw word vectors.
pub fn fit(d: &SpanRows, s: SpanSetting, epochs: usize, provenance: String) -> LinearModel {
    let all: Vec<usize> = (0..d.dense.len())
        .filter(|&i| !d.dense[i].is_empty())
        .collect();
    let (mean, sd) = moments(&d.dense, &all, d.dim);
    let x = standardised(&d.dense, &mean, &sd);
    let p = FitParams {
        c: s.c,
        epochs,
        ..FitParams::default()
    };
    let fitted: Vec<(Vec<f32>, f32)> = (0..TECHNIQUES.len())
        .into_par_iter()
        .map(|l| {
            if d.ev.subsets[l].is_empty() {
                (vec![0.0; d.dim], -10.0)
            } else {
                fit_label(d, &x, l, &d.ev.subsets[l], p)
            }
        })
        .collect();
    let header = ModelHeader {
        kind: "encoder-evidence".into(),
        labels: TECHNIQUES.iter().map(|s| s.to_string()).collect(),
        thresholds: vec![s.threshold; TECHNIQUES.len()],
        confident: Vec::new(),
        features: head_features(),
        provenance,
        fused_with_fast: s.fused,
        reads_layers: None,
        states_after: Some(d.layer),
    };
    let (w, b): (Vec<Vec<f32>>, Vec<f32>) = fitted.into_iter().unzip();
    folded_head(header, &w, &b, &mean, &sd)
}
