//! The three tasks and the evidence model on the SemEval training data:
//! cross-validated evaluation (`rhetor eval`) and training of the shipped
//! models (`rhetor train`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use super::{
    confident_thresholds, fit_binary, fit_ovr, fold_of, idf_for, out_of_fold, scores,
    tune_thresholds, weighted, Counts, FitParams, CONFIDENT_PRECISION,
};
use crate::classify::evidence::{evidence_config, spans_from_probs, token_features};
use crate::classify::features::{term_counts, FeatureConfig, SparseVec};
use crate::classify::linear::{LinearModel, ModelHeader};
use crate::classify::MODEL_FILES;
use crate::document::Span;
use crate::error::ModelError;
use crate::segment::Token;
use crate::semeval::{self, LabelledArticle, FRAMES, GENRES, LANGUAGES, TECHNIQUES};

/// Options of training and evaluation.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub folds: usize,
    pub techniques: FitParams,
    pub frames: FitParams,
    pub genre: FitParams,
    pub evidence: FitParams,
    pub paragraph_features: FeatureConfig,
    pub article_features: FeatureConfig,
}

impl Default for TrainOptions {
    /// Regularisation chosen by cross-validation (docs/EVALUATION.md):
    /// C = 3 for techniques and genre, 10 for frames, 0.3 for evidence.
    fn default() -> Self {
        let with_c = |c| FitParams {
            c,
            ..FitParams::default()
        };
        TrainOptions {
            folds: 5,
            techniques: with_c(3.0),
            frames: with_c(10.0),
            genre: with_c(3.0),
            evidence: with_c(0.3),
            paragraph_features: FeatureConfig::default(),
            article_features: FeatureConfig::default(),
        }
    }
}

impl TrainOptions {
    /// The same C for every model (for experiments).
    pub fn with_c(mut self, c: f32) -> Self {
        for p in [
            &mut self.techniques,
            &mut self.frames,
            &mut self.genre,
            &mut self.evidence,
        ] {
            p.c = c;
        }
        self
    }
}

/// Rows of one task: raw term counts, labels, language and fold per row.
pub(crate) struct Task {
    pub(crate) counts: Vec<SparseVec>,
    pub(crate) truth: Vec<Vec<usize>>,
    pub(crate) lang: Vec<usize>,
    pub(crate) folds: Vec<usize>,
    pub(crate) n_labels: usize,
}

impl Task {
    /// Out-of-fold probabilities of every row (see [`out_of_fold`]).
    fn out_of_fold(&self, k: usize, buckets: usize, p: FitParams) -> Vec<Vec<f32>> {
        out_of_fold(
            &self.counts,
            &self.folds,
            k,
            &self.truth,
            self.n_labels,
            buckets,
            p,
        )
    }
}

pub(crate) fn lang_index(lang: &str) -> usize {
    LANGUAGES.iter().position(|l| *l == lang).unwrap_or(0)
}

fn paragraph_task(articles: &[LabelledArticle], cfg: &FeatureConfig, k: usize) -> Task {
    let rows: Vec<(usize, usize, &Vec<usize>)> = articles
        .iter()
        .enumerate()
        .flat_map(|(a, art)| art.paragraphs.iter().map(move |(b, l)| (a, *b, l)))
        .collect();
    let counts = rows
        .par_iter()
        .map(|&(a, b, _)| {
            let art = &articles[a];
            term_counts(cfg, &art.doc.text, art.doc.blocks[b].span, &art.lang)
        })
        .collect();
    Task {
        counts,
        truth: rows.iter().map(|r| r.2.clone()).collect(),
        lang: rows
            .iter()
            .map(|r| lang_index(&articles[r.0].lang))
            .collect(),
        folds: rows
            .iter()
            .map(|r| article_fold(&articles[r.0], k))
            .collect(),
        n_labels: TECHNIQUES.len(),
    }
}

/// The cross-validation fold of an article (all its rows go together).
pub(crate) fn article_fold(a: &LabelledArticle, k: usize) -> usize {
    fold_of(&format!("{}/{}", a.lang, a.id), k)
}

/// An article-level task: the labels an article carries (none when it is
/// not annotated for the task), out of how many.
#[derive(Clone, Copy)]
pub(crate) struct ArticleLabels {
    pub(crate) of: fn(&LabelledArticle) -> Option<Vec<usize>>,
    pub(crate) count: usize,
}

pub(crate) const FRAME_LABELS: ArticleLabels = ArticleLabels {
    of: |a| a.frames.clone(),
    count: FRAMES.len(),
};

pub(crate) const GENRE_LABELS: ArticleLabels = ArticleLabels {
    of: |a| a.genre.map(|g| vec![g]),
    count: GENRES.len(),
};

fn article_task(
    articles: &[LabelledArticle],
    cfg: &FeatureConfig,
    k: usize,
    labels: ArticleLabels,
) -> Task {
    let chosen: Vec<(&LabelledArticle, Vec<usize>)> = articles
        .iter()
        .filter_map(|a| Some((a, (labels.of)(a)?)))
        .collect();
    Task {
        counts: chosen
            .par_iter()
            .map(|(a, _)| term_counts(cfg, &a.doc.text, Span::new(0, a.doc.text.len()), &a.lang))
            .collect(),
        truth: chosen.iter().map(|(_, l)| l.clone()).collect(),
        lang: chosen.iter().map(|(a, _)| lang_index(&a.lang)).collect(),
        folds: chosen.iter().map(|(a, _)| article_fold(a, k)).collect(),
        n_labels: labels.count,
    }
}

/// Out-of-fold probabilities of the fast tier's technique model, rows in
/// the order of the labelled paragraphs (for fusion with the accurate tier).
pub(crate) fn fast_paragraph_oof(
    articles: &[LabelledArticle],
    opts: TrainOptions,
) -> Vec<Vec<f32>> {
    let tech = paragraph_task(articles, &opts.paragraph_features, opts.folds);
    tech.out_of_fold(
        opts.folds,
        opts.paragraph_features.buckets(),
        opts.techniques,
    )
}

/// Out-of-fold probabilities of the fast tier's frame or genre model
/// (`labels`, fitted with `p`), rows in the order of the articles that
/// carry those labels.
pub(crate) fn fast_article_oof(
    articles: &[LabelledArticle],
    opts: TrainOptions,
    labels: ArticleLabels,
    p: FitParams,
) -> Vec<Vec<f32>> {
    let task = article_task(articles, &opts.article_features, opts.folds, labels);
    task.out_of_fold(opts.folds, opts.article_features.buckets(), p)
}

/// Scores of one task, per language and per label.
#[derive(Debug, Clone, Default)]
pub struct TaskScores {
    /// language → (rows, micro-F1, macro-F1)
    pub per_language: BTreeMap<String, (usize, f64, f64)>,
    /// All languages pooled.
    pub overall: (usize, f64, f64),
    /// language → per-label counts
    pub per_label: BTreeMap<String, Vec<Counts>>,
    /// language (and "all") → counts of the confident labels alone, both
    /// thresholds of each fold tuned on the others (techniques only).
    pub confident: BTreeMap<String, Counts>,
}

impl TaskScores {
    /// One line: micro-F1 pooled and per language, then the confident
    /// labels' precision and recall per language.
    pub fn summary(&self) -> String {
        let per: Vec<String> = self
            .per_language
            .iter()
            .map(|(l, (_, mi, _))| format!("{l} {mi:.3}"))
            .collect();
        let sure: Vec<String> = self
            .confident
            .iter()
            .map(|(l, c)| format!("{l} P {:.3} R {:.3}", c.precision(), c.recall()))
            .collect();
        format!(
            "micro-F1 {:.3} ({}); confident labels: {}",
            self.overall.1,
            per.join(", "),
            sure.join(", ")
        )
    }
}

pub(crate) fn score_by_language(task: &Task, pred: &[Vec<usize>]) -> TaskScores {
    let mut out = TaskScores::default();
    let all: Vec<usize> = (0..task.truth.len()).collect();
    let (mi, ma, per) = scores(pred, &task.truth, &all, task.n_labels);
    out.overall = (all.len(), mi, ma);
    out.per_label.insert("all".into(), per);
    for (li, lang) in LANGUAGES.iter().enumerate() {
        let rows: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| task.lang[i] == li)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let (mi, ma, per) = scores(pred, &task.truth, &rows, task.n_labels);
        out.per_language
            .insert(lang.to_string(), (rows.len(), mi, ma));
        out.per_label.insert(lang.to_string(), per);
    }
    out
}

/// Nested counts of the confident labels per language: for each fold, the
/// decision and confident thresholds tuned on the other folds' rows, the
/// confident ones for precision `floor` there.
pub(crate) fn nested_confident(
    task: &Task,
    oof: &[Vec<f32>],
    k: usize,
    floor: f64,
) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for f in 0..k {
        let tune: Vec<usize> = (0..oof.len()).filter(|&i| task.folds[i] != f).collect();
        let decide = tune_thresholds(oof, &task.truth, &tune, task.n_labels);
        let sure = confident_thresholds(oof, &task.truth, &tune, &decide, floor);
        for i in (0..oof.len()).filter(|&i| task.folds[i] == f) {
            let lang = LANGUAGES.get(task.lang[i]).copied().unwrap_or("?");
            for l in 0..task.n_labels {
                let y = task.truth[i].contains(&l);
                let yhat = oof[i][l] >= decide[l] && oof[i][l] >= sure[l];
                out.entry(lang.to_string()).or_default().add(y, yhat);
                out.entry("all".to_string()).or_default().add(y, yhat);
            }
        }
    }
    out
}

/// Nested decisions: thresholds for fold f tuned on the other folds' rows.
pub(crate) fn nested_decisions(task: &Task, oof: &[Vec<f32>], k: usize) -> Vec<Vec<usize>> {
    let mut pred = vec![Vec::new(); oof.len()];
    for f in 0..k {
        let tune: Vec<usize> = (0..oof.len()).filter(|&i| task.folds[i] != f).collect();
        let t = tune_thresholds(oof, &task.truth, &tune, task.n_labels);
        for i in (0..oof.len()).filter(|&i| task.folds[i] == f) {
            pred[i] = (0..task.n_labels).filter(|&l| oof[i][l] >= t[l]).collect();
        }
    }
    pred
}

/// Nested decisions with thresholds tuned per language: for fold f and
/// language g, on the other folds' rows of g; a label with fewer than
/// `min_positives` positives among them keeps the pooled threshold.
pub(crate) fn nested_decisions_per_language(
    task: &Task,
    oof: &[Vec<f32>],
    k: usize,
    min_positives: usize,
) -> Vec<Vec<usize>> {
    let mut pred = vec![Vec::new(); oof.len()];
    let mut langs: Vec<usize> = task.lang.clone();
    langs.sort_unstable();
    langs.dedup();
    for f in 0..k {
        let tune: Vec<usize> = (0..oof.len()).filter(|&i| task.folds[i] != f).collect();
        let pooled = tune_thresholds(oof, &task.truth, &tune, task.n_labels);
        for &g in &langs {
            let mine: Vec<usize> = tune
                .iter()
                .copied()
                .filter(|&i| task.lang[i] == g)
                .collect();
            let own = tune_thresholds(oof, &task.truth, &mine, task.n_labels);
            let t: Vec<f32> = (0..task.n_labels)
                .map(|l| {
                    let positives = mine.iter().filter(|&&i| task.truth[i].contains(&l)).count();
                    if positives >= min_positives {
                        own[l]
                    } else {
                        pooled[l]
                    }
                })
                .collect();
            for i in (0..oof.len()).filter(|&i| task.folds[i] == f && task.lang[i] == g) {
                pred[i] = (0..task.n_labels).filter(|&l| oof[i][l] >= t[l]).collect();
            }
        }
    }
    pred
}

pub(crate) fn argmax(p: &[f32]) -> usize {
    p.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// Token-level evidence data: every token of every labelled paragraph.
pub(super) struct EvidenceData {
    pub(super) rows: Vec<SparseVec>,
    /// Per technique: rows of paragraphs that carry it (with spans), and
    /// which of those rows are inside a span.
    pub(super) subsets: Vec<Vec<usize>>,
    pub(super) positive: Vec<Vec<bool>>,
    /// Per row: fold, and (paragraph id, technique) groups for scoring.
    pub(super) folds: Vec<usize>,
    pub(super) groups: Vec<Vec<(usize, Vec<usize>)>>,
    pub(super) tokens: Vec<Token>,
    /// Per paragraph in row order: (article, block, first row).
    pub(super) paragraphs: Vec<(usize, usize, usize)>,
}

pub(super) fn evidence_data(articles: &[LabelledArticle], k: usize) -> EvidenceData {
    let n_labels = TECHNIQUES.len();
    let per_paragraph: Vec<(usize, usize, Vec<Token>, Vec<SparseVec>)> = articles
        .par_iter()
        .enumerate()
        .flat_map_iter(|(a, art)| {
            art.paragraphs.iter().map(move |(b, _)| {
                let (tokens, feats) = token_features(&art.doc.text, art.doc.blocks[*b].span);
                (a, *b, tokens, feats)
            })
        })
        .collect();
    let mut d = EvidenceData {
        rows: Vec::new(),
        subsets: vec![Vec::new(); n_labels],
        positive: vec![Vec::new(); n_labels],
        folds: Vec::new(),
        groups: vec![Vec::new(); n_labels],
        tokens: Vec::new(),
        paragraphs: Vec::new(),
    };
    for (a, b, tokens, feats) in per_paragraph {
        let art = &articles[a];
        let block = art.doc.blocks[b].span;
        let first = d.rows.len();
        d.paragraphs.push((a, b, first));
        let fold = article_fold(art, k);
        for l in 0..n_labels {
            let spans: Vec<Span> = art
                .spans
                .iter()
                .filter(|(t, s)| *t == l && block.start <= s.start && s.end <= block.end)
                .map(|(_, s)| *s)
                .collect();
            if spans.is_empty() {
                continue;
            }
            let rows: Vec<usize> = (first..first + tokens.len()).collect();
            d.subsets[l].extend(&rows);
            d.groups[l].push((fold, rows));
            for t in &tokens {
                d.positive[l].push(
                    spans
                        .iter()
                        .any(|s| t.span.start < s.end && s.start < t.span.end),
                );
            }
        }
        d.folds.extend(std::iter::repeat_n(fold, tokens.len()));
        d.rows.extend(feats);
        d.tokens.extend(tokens);
    }
    // positive[l] is indexed by position in subsets[l]; map to row ids.
    d
}

pub(super) fn evidence_fit(
    d: &EvidenceData,
    l: usize,
    rows: &[usize],
    p: FitParams,
) -> (Vec<f32>, f32) {
    let buckets = evidence_config().buckets();
    let lookup: std::collections::HashMap<usize, bool> = d.subsets[l]
        .iter()
        .copied()
        .zip(d.positive[l].iter().copied())
        .collect();
    let positive = |i: usize| lookup.get(&i).copied().unwrap_or(false);
    fit_binary(
        &d.rows,
        rows,
        &positive,
        buckets,
        FitParams {
            seed: p.seed + 100 + l as u64,
            ..p
        },
    )
}

/// Token-level precision/recall/F1 of evidence spans on fold 0, the model
/// trained on the other folds.
fn evidence_eval(d: &EvidenceData, p: FitParams) -> Counts {
    let results: Vec<Counts> = (0..TECHNIQUES.len())
        .into_par_iter()
        .map(|l| {
            let train: Vec<usize> = d.subsets[l]
                .iter()
                .copied()
                .filter(|&i| d.folds[i] != 0)
                .collect();
            let mut c = Counts::default();
            if train.is_empty() {
                return c;
            }
            let (w, b) = evidence_fit(d, l, &train, p);
            let gold: std::collections::HashMap<usize, bool> = d.subsets[l]
                .iter()
                .copied()
                .zip(d.positive[l].iter().copied())
                .collect();
            for (fold, rows) in &d.groups[l] {
                if *fold != 0 {
                    continue;
                }
                let probs: Vec<f32> = rows
                    .iter()
                    .map(|&i| {
                        let z = b + d.rows[i]
                            .iter()
                            .map(|&(j, v)| w[j as usize] * v)
                            .sum::<f32>();
                        1.0 / (1.0 + (-z).exp())
                    })
                    .collect();
                let toks: Vec<Token> = rows.iter().map(|&i| d.tokens[i]).collect();
                let spans = spans_from_probs(&toks, &probs);
                for (k, &i) in rows.iter().enumerate() {
                    let inside = spans
                        .iter()
                        .any(|s| toks[k].span.start >= s.start && toks[k].span.end <= s.end);
                    c.add(gold.get(&i).copied().unwrap_or(false), inside);
                }
            }
            c
        })
        .collect();
    let mut total = Counts::default();
    for c in results {
        total.tp += c.tp;
        total.fp += c.fp;
        total.fn_ += c.fn_;
    }
    total
}

/// Cross-validated scores of every task.
#[derive(Debug, Clone)]
pub struct EvalReport {
    pub articles: usize,
    pub techniques: TaskScores,
    pub frames: TaskScores,
    /// Genre: language → (articles, accuracy, macro-F1)
    pub genre: TaskScores,
    pub evidence: Counts,
    pub options: String,
    pub seconds: f64,
}

/// Runs k-fold cross-validation (grouped by article) on every task.
pub fn evaluate(dir: &Path, opts: TrainOptions) -> Result<EvalReport, ModelError> {
    let start = std::time::Instant::now();
    let articles = semeval::load_training(dir)?;
    let k = opts.folds;
    let tech = paragraph_task(&articles, &opts.paragraph_features, k);
    let oof = tech.out_of_fold(k, opts.paragraph_features.buckets(), opts.techniques);
    let mut techniques = score_by_language(&tech, &nested_decisions(&tech, &oof, k));
    techniques.confident = nested_confident(&tech, &oof, k, CONFIDENT_PRECISION);

    let fr = article_task(&articles, &opts.article_features, k, FRAME_LABELS);
    let oof = fr.out_of_fold(k, opts.article_features.buckets(), opts.frames);
    let frames = score_by_language(&fr, &nested_decisions(&fr, &oof, k));

    let ge = article_task(&articles, &opts.article_features, k, GENRE_LABELS);
    let oof = ge.out_of_fold(k, opts.article_features.buckets(), opts.genre);
    let pred: Vec<Vec<usize>> = oof.iter().map(|p| vec![argmax(p)]).collect();
    let genre = score_by_language(&ge, &pred);

    let ev = evidence_data(&articles, k);
    let evidence = evidence_eval(&ev, opts.evidence);
    Ok(EvalReport {
        articles: articles.len(),
        techniques,
        frames,
        genre,
        evidence,
        options: format!("{opts:?}"),
        seconds: start.elapsed().as_secs_f64(),
    })
}

impl EvalReport {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}-fold cross-validation grouped by article over {} training articles, six languages pooled; thresholds tuned on the other folds' out-of-fold predictions (nested). {:.0} s.\n", 5, self.articles, self.seconds);
        let table = |s: &mut String, title: &str, t: &TaskScores, metric: &str| {
            let _ = writeln!(s, "### {title}\n\n| language | rows | micro-F1 | macro-F1 |\n| --- | --- | --- | --- |");
            for (lang, (n, mi, ma)) in &t.per_language {
                let _ = writeln!(s, "| {lang} | {n} | {mi:.3} | {ma:.3} |");
            }
            let (n, mi, ma) = t.overall;
            let _ = writeln!(s, "| **all** | {n} | **{mi:.3}** | **{ma:.3}** |\n");
            let _ = writeln!(s, "{metric}\n");
        };
        table(&mut s, "Techniques (paragraph level, 23 labels)", &self.techniques, "Micro-F1 over (article, paragraph, technique); macro-F1 over labels with support in the language.");
        if !self.techniques.confident.is_empty() {
            let _ = writeln!(
                s,
                "### Confident technique labels

| language | confident labels shown | precision | recall |
| --- | --- | --- | --- |"
            );
            for (lang, c) in &self.techniques.confident {
                let _ = writeln!(
                    s,
                    "| {lang} | {} | {:.3} | {:.3} |",
                    c.tp + c.fp,
                    c.precision(),
                    c.recall()
                );
            }
            let _ = writeln!(s, "
A decided label is confident when its probability also reaches the label's confident threshold: the lowest at which the other folds' out-of-fold predictions reach precision ≥ {CONFIDENT_PRECISION} with ≥ 10 true positives (nested, like the decision thresholds). Recall is over every true label.\n");
        }
        table(
            &mut s,
            "Frames (article level, 14 labels)",
            &self.frames,
            "Micro-F1 over (article, frame).",
        );
        table(&mut s, "Genre (article level, 3 classes)", &self.genre, "Genre is single-label (argmax): micro-F1 equals accuracy; macro-F1 over the classes present.");
        let e = self.evidence;
        if e.tp + e.fp + e.fn_ > 0 {
            let _ = writeln!(s, "### Evidence spans\n\nToken-level, on fold 0 (model trained on folds 1–4), for every gold technique of a paragraph that has annotated spans: precision {:.3}, recall {:.3}, F1 {:.3}.\n", e.precision(), e.recall(), e.f1());
        }
        let _ = writeln!(s, "### Techniques per label (all languages)\n\n| technique | support | precision | recall | F1 |\n| --- | --- | --- | --- | --- |");
        if let Some(per) = self.techniques.per_label.get("all") {
            for (l, c) in per.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "| {} | {} | {:.3} | {:.3} | {:.3} |",
                    TECHNIQUES[l],
                    c.support(),
                    c.precision(),
                    c.recall(),
                    c.f1()
                );
            }
        }
        let _ = writeln!(s, "\n### Frames per label (all languages)\n\n| frame | support | F1 |\n| --- | --- | --- |");
        if let Some(per) = self.frames.per_label.get("all") {
            for (l, c) in per.iter().enumerate() {
                let _ = writeln!(s, "| {} | {} | {:.3} |", FRAMES[l], c.support(), c.f1());
            }
        }
        let _ = writeln!(s, "\nOptions: `{}`", self.options);
        s
    }
}

/// Writes `model` to `out/name`; returns the path and the size written.
pub(crate) fn save_model(
    out: &Path,
    name: &str,
    model: &LinearModel,
) -> Result<(String, usize), ModelError> {
    let path = out.join(name);
    let bytes = model.to_bytes();
    std::fs::write(&path, &bytes).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok((path.display().to_string(), bytes.len()))
}

/// What `train` wrote.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    pub files: Vec<(String, usize)>,
    pub seconds: f64,
}

/// Trains the shipped models: thresholds from out-of-fold predictions, then
/// a final fit on all the data; writes `MODEL_FILES` into `out`.
pub fn train(dir: &Path, out: &Path, opts: TrainOptions) -> Result<TrainSummary, ModelError> {
    train_with(dir, out, opts, Vec::new())
}

/// [`train`] with extra labelled articles (human corrections from a store)
/// added to the SemEval training data.
pub fn train_with(
    dir: &Path,
    out: &Path,
    opts: TrainOptions,
    extra: Vec<LabelledArticle>,
) -> Result<TrainSummary, ModelError> {
    let start = std::time::Instant::now();
    let mut articles = semeval::load_training(dir)?;
    articles.extend(extra);
    let k = opts.folds;
    let provenance = |what: &str, rows: usize, p: FitParams| {
        format!(
            "{what}: SemEval-2023 Task 3 training split ({} articles, six languages pooled), {rows} rows; {k}-fold out-of-fold thresholds; {p:?}",
            articles.len()
        )
    };
    std::fs::create_dir_all(out).map_err(|source| ModelError::Io {
        path: out.display().to_string(),
        source,
    })?;
    let mut written = Vec::new();
    let mut save = |name: &str, model: &LinearModel| -> Result<(), ModelError> {
        written.push(save_model(out, name, model)?);
        Ok(())
    };

    // Techniques and frames: thresholds from OOF, final fit on everything.
    let multi = |task: &Task,
                 cfg: FeatureConfig,
                 p: FitParams,
                 kind: &str,
                 labels: &[&str]|
     -> LinearModel {
        let buckets = cfg.buckets();
        let oof = task.out_of_fold(k, buckets, p);
        let all: Vec<usize> = (0..task.truth.len()).collect();
        let thresholds = tune_thresholds(&oof, &task.truth, &all, task.n_labels);
        let confident = if kind == "techniques" {
            confident_thresholds(&oof, &task.truth, &all, &thresholds, CONFIDENT_PRECISION)
        } else {
            Vec::new()
        };
        let idf = idf_for(&task.counts, &all, buckets);
        let rows = weighted(&task.counts, &idf);
        let (w, b) = fit_ovr(&rows, &all, &task.truth, task.n_labels, buckets, p);
        let header = ModelHeader {
            kind: kind.into(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            thresholds,
            confident,
            features: cfg,
            provenance: provenance(kind, all.len(), p),
            fused_with_fast: false,
            reads_layers: None,
            states_after: None,
        };
        LinearModel::quantise(header, &idf, &w, &b)
    };
    let tech = paragraph_task(&articles, &opts.paragraph_features, k);
    save(
        MODEL_FILES[0],
        &multi(
            &tech,
            opts.paragraph_features,
            opts.techniques,
            "techniques",
            &TECHNIQUES,
        ),
    )?;
    drop(tech);
    let fr = article_task(&articles, &opts.article_features, k, FRAME_LABELS);
    save(
        MODEL_FILES[1],
        &multi(&fr, opts.article_features, opts.frames, "frames", &FRAMES),
    )?;

    // Genre: argmax, no thresholds.
    let ge = article_task(&articles, &opts.article_features, k, GENRE_LABELS);
    let buckets = opts.article_features.buckets();
    let all: Vec<usize> = (0..ge.counts.len()).collect();
    let idf = idf_for(&ge.counts, &all, buckets);
    let rows = weighted(&ge.counts, &idf);
    let (w, b) = fit_ovr(&rows, &all, &ge.truth, ge.n_labels, buckets, opts.genre);
    let header = ModelHeader {
        kind: "genre".into(),
        labels: GENRES.iter().map(|s| s.to_string()).collect(),
        thresholds: vec![0.0; GENRES.len()],
        confident: Vec::new(),
        features: opts.article_features,
        provenance: provenance("genre", all.len(), opts.genre),
        fused_with_fast: false,
        reads_layers: None,
        states_after: None,
    };
    save(MODEL_FILES[2], &LinearModel::quantise(header, &idf, &w, &b))?;

    // Evidence: one token model per technique, on all annotated paragraphs.
    let ev = evidence_data(&articles, k);
    let fitted: Vec<(Vec<f32>, f32)> = (0..TECHNIQUES.len())
        .into_par_iter()
        .map(|l| {
            if ev.subsets[l].is_empty() {
                (vec![0.0; evidence_config().buckets()], -10.0)
            } else {
                evidence_fit(&ev, l, &ev.subsets[l], opts.evidence)
            }
        })
        .collect();
    let (w, b): (Vec<Vec<f32>>, Vec<f32>) = fitted.into_iter().unzip();
    let header = ModelHeader {
        kind: "evidence".into(),
        labels: TECHNIQUES.iter().map(|s| s.to_string()).collect(),
        thresholds: vec![crate::classify::evidence::TOKEN_THRESHOLD; TECHNIQUES.len()],
        confident: Vec::new(),
        features: evidence_config(),
        fused_with_fast: false,
        reads_layers: None,
        states_after: None,
        provenance: provenance(
            "evidence (token level, from spans.tsv)",
            ev.rows.len(),
            opts.evidence,
        ),
    };
    save(MODEL_FILES[3], &LinearModel::quantise(header, &[], &w, &b))?;
    Ok(TrainSummary {
        files: written,
        seconds: start.elapsed().as_secs_f64(),
    })
}
