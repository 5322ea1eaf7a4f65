//! `rhetor train`, `rhetor eval` and `rhetor semeval`: the model commands.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use rhetor::classify::{Accurate, Classify, Heads, Models};
use rhetor::encoder::{self, Encoder};
use rhetor::semeval::{line_blocks, text_article};
use rhetor::train::accurate::{self, HeadOptions};
use rhetor::train::tasks::{self, TrainOptions};
use rhetor::{Pipeline, Stage};

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The SemEval-2023 Task 3 folder (`<lang>/train/...`).
    #[arg(long, required_unless_present_any = ["outlets", "ner"])]
    pub data: Option<PathBuf>,
    /// Train the name tagger from this folder of NER corpora
    /// (`<lang>/train*.tsv`, e.g. ../shared/data/ner) into
    /// `OUT/entities.bin`, with its cross-validated F1.
    #[arg(long)]
    pub ner: Option<PathBuf>,
    /// The SemEval folder whose training articles add to the tagger's
    /// lower-case vocabulary (e.g. ../shared/data/semeval2023-task3).
    #[arg(long, requires = "ner")]
    pub ner_vocab: Option<PathBuf>,
    /// Also write the NER cross-validation table to this file.
    #[arg(long, requires = "ner")]
    pub ner_report: Option<PathBuf>,
    /// log2 of the name tagger's feature buckets.
    #[arg(long, requires = "ner")]
    pub ner_bits: Option<u32>,
    /// Passes of the name tagger's perceptron.
    #[arg(long, requires = "ner")]
    pub ner_epochs: Option<usize>,
    /// Leave the raw-OCR Europeana files out of the name tagger's training.
    #[arg(long, requires = "ner")]
    pub ner_no_ocr: bool,
    /// Train the name tagger on the silver WikiNEuRal files too (lowers
    /// the cross-validated F1 in it, pl, ru: docs/EVALUATION.md).
    #[arg(long, requires = "ner")]
    pub ner_silver: bool,
    /// Compile the outlet lists of this folder (`state-media-matrix.csv`,
    /// `cred1.csv`, e.g. ../shared/data/outlets) into `OUT/outlets.tsv`.
    #[arg(long)]
    pub outlets: Option<PathBuf>,
    /// Add the human corrections of the store (`--db`, imported with
    /// `rhetor import labelstudio`) to the SemEval data (fast tier).
    #[arg(long, requires = "data")]
    pub corrections: bool,
    /// The store the corrections come from.
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
    /// Where the model files go.
    #[arg(long, default_value = "models")]
    pub out: PathBuf,
    /// Cross-validation folds used to choose thresholds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    #[command(flatten)]
    pub fit: FitArgs,
    #[command(flatten)]
    pub heads: HeadArgs,
    #[command(flatten)]
    pub finetune: FinetuneArgs,
}

/// Fine-tuning the encoder (`--accurate --finetune`).
#[derive(Debug, clap::Args)]
pub struct FinetuneArgs {
    /// With --accurate: fine-tune the encoder's top layers with the
    /// technique head (one model per fold, then one on all the data) and
    /// write encoder-layers.bin and encoder-techniques.bin.
    #[arg(long, requires = "accurate")]
    pub finetune: bool,
    /// Continue from the checkpoints of an interrupted run in the work
    /// directory (without it they are discarded).
    #[arg(long, requires = "finetune")]
    pub resume: bool,
    /// How many top layers are trained.
    #[arg(long, requires = "finetune", default_value_t = 4)]
    pub finetune_layers: usize,
    /// Passes over the training paragraphs.
    #[arg(long, requires = "finetune", default_value_t = 3)]
    pub finetune_epochs: usize,
    /// Learning rate of the trained layers (the head's is 2e-3).
    #[arg(long, requires = "finetune", default_value_t = 5e-5)]
    pub finetune_lr: f32,
    /// The precision each label's confident threshold is selected for on
    /// the out-of-fold probabilities (a margin above the 0.6 shown to users).
    #[arg(long, requires = "finetune", default_value_t = 0.65)]
    pub finetune_confident_precision: f64,
    /// Where the frozen layers' states, the checkpoints and the held-out
    /// probabilities go (a few GB).
    #[arg(long, requires = "finetune", default_value = "rhetor-finetune")]
    pub finetune_work: PathBuf,
}

/// The accurate tier's heads (`--accurate`).
#[derive(Debug, clap::Args)]
pub struct HeadArgs {
    /// Train or evaluate the accurate tier's heads on encoder embeddings
    /// (needs the weights: `rhetor models install`).
    #[arg(long)]
    pub accurate: bool,
    /// The encoder weights (default: the installed ones).
    #[arg(long, env = "RHETOR_ENCODER")]
    pub encoder: Option<PathBuf>,
    /// Embedding cache of the training set (default: in the model directory).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Which heads average their probabilities with the fast tier's
    /// (techniques,frames,genre as three 0/1, e.g. 1,1,0).
    #[arg(long, value_delimiter = ',', num_args = 3)]
    pub fuse: Option<Vec<u8>>,
    /// Inverse regularisation strength of the technique head.
    #[arg(long)]
    pub head_c: Option<f32>,
    /// Inverse regularisation strength of the frame and genre heads.
    #[arg(long)]
    pub article_c: Option<f32>,
    /// The frame and genre heads read the embeddings through these
    /// fine-tuned layers (e.g. models/encoder-layers.bin, written by
    /// `--finetune`); `train` then leaves the technique head as it is.
    #[arg(long, requires = "accurate")]
    pub tuned_layers: Option<PathBuf>,
    /// Do not train the span head (`train --accurate`).
    #[arg(long, requires = "accurate")]
    pub no_span_head: bool,
    /// The span head reads the word states after this many encoder layers
    /// (default: where the --tuned-layers branch off, else 10).
    #[arg(long, requires = "accurate", conflicts_with = "no_span_head")]
    pub span_layer: Option<usize>,
    /// Inverse regularisation strength of the span head.
    #[arg(long, requires = "accurate", conflicts_with = "no_span_head")]
    pub span_c: Option<f32>,
}

impl HeadArgs {
    fn options(&self, folds: usize) -> HeadOptions {
        let mut o = HeadOptions {
            folds: folds.max(2),
            ..HeadOptions::default()
        };
        if let Some(f) = &self.fuse {
            for (slot, v) in o.fuse.iter_mut().zip(f) {
                *slot = *v != 0;
            }
        }
        if let Some(c) = self.head_c {
            o.techniques.c = c;
        }
        if self.no_span_head {
            o.span = None;
        }
        if let Some((setting, layer)) = &mut o.span {
            if let Some(l) = self.span_layer {
                *layer = l;
            }
            if let Some(c) = self.span_c {
                setting.c = c;
            }
        }
        if let Some(c) = self.article_c {
            o.frames.c = c;
            o.genre.c = c;
        }
        o
    }

    /// The fine-tuned layers of `--tuned-layers`, checked against the
    /// encoder's base weights.
    fn tuned(&self) -> anyhow::Result<Option<rhetor::encoder::tuned::TunedLayers>> {
        let Some(path) = &self.tuned_layers else {
            return Ok(None);
        };
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let t =
            rhetor::encoder::tuned::TunedLayers::from_bytes(&bytes, &path.display().to_string())?;
        anyhow::ensure!(
            t.header.base_sha256 == encoder::WEIGHTS_SHA256,
            "{}: fine-tuned from other base weights than the ones rhetor runs",
            path.display()
        );
        Ok(Some(t))
    }

    fn encoder(&self) -> anyhow::Result<(Encoder, PathBuf)> {
        let path = self
            .encoder
            .clone()
            .unwrap_or_else(encoder::default_weights);
        let enc = Encoder::load_verified(&path).map_err(|e| {
            anyhow::anyhow!(
                "{e}\n(the accurate tier needs the encoder weights: run `rhetor models install`)"
            )
        })?;
        let cache = self
            .cache
            .clone()
            .unwrap_or_else(|| encoder::model_dir().join("semeval-train.embeddings"));
        if let Some(dir) = cache.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok((enc, cache))
    }
}

fn embedding_progress() -> impl Fn(usize, usize) {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "embedding training paragraphs {bar:30} {pos}/{len} {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done == total {
            bar.finish_and_clear();
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The SemEval-2023 Task 3 folder (`<lang>/train/...`).
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Also write the Markdown report to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub fit: FitArgs,
    #[command(flatten)]
    pub heads: HeadArgs,
}

/// Fitting parameters (defaults are the shipped models').
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Inverse regularisation strength.
    #[arg(long)]
    pub c: Option<f32>,
    /// log2 of the hash buckets of paragraph features.
    #[arg(long)]
    pub bits: Option<u32>,
}

impl FitArgs {
    fn options(&self, folds: usize) -> TrainOptions {
        let mut o = TrainOptions {
            folds: folds.max(2),
            ..TrainOptions::default()
        };
        if let Some(e) = self.epochs {
            for p in [
                &mut o.techniques,
                &mut o.frames,
                &mut o.genre,
                &mut o.evidence,
            ] {
                p.epochs = e;
            }
        }
        if let Some(c) = self.c {
            o = o.with_c(c);
        }
        if let Some(b) = self.bits {
            o.paragraph_features.bits = b;
        }
        o
    }
}

#[derive(Debug, clap::Args)]
pub struct SemevalArgs {
    /// `techniques`, `spans` (the evidence words of each technique:
    /// `id<TAB>technique<TAB>start<TAB>end`, character offsets into the
    /// article file as shipped), `frames` or `genre`.
    #[arg(value_parser = ["techniques", "spans", "frames", "genre"])]
    pub task: String,
    /// A folder of `article<ID>.txt` files.
    pub dir: PathBuf,
    /// Model directory (default: the embedded models).
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub tier: TierArgs,
    /// With `techniques` and `spans`: only the confident labels
    /// (cross-validated precision ≥ 0.6), not the possible ones.
    #[arg(long)]
    pub confident: bool,
    /// With `spans`: score the predicted spans against this gold file (the
    /// task's `spans.tsv`) and print character-overlap precision, recall and
    /// F1 per technique instead of the spans.
    #[arg(long)]
    pub gold: Option<PathBuf>,
    /// With `--gold`: score the spans of this file (any system's output in
    /// the span format) instead of predicting them; DIR then only says which
    /// articles count.
    #[arg(long, requires = "gold")]
    pub predicted: Option<PathBuf>,
}

/// `rhetor train --ner DIR`: cross-validates and trains the name tagger.
fn train_ner(a: &TrainArgs, dir: &Path) -> anyhow::Result<()> {
    use rhetor::train::ner;
    let mut opts = ner::NerOptions {
        folds: a.folds,
        ocr: !a.ner_no_ocr,
        silver: a.ner_silver,
        ..ner::NerOptions::default()
    };
    if let Some(b) = a.ner_bits {
        anyhow::ensure!((10..=24).contains(&b), "--ner-bits must be 10 to 24");
        opts.bits = b;
    }
    if let Some(e) = a.ner_epochs {
        opts.epochs = e;
    }
    let started = std::time::Instant::now();
    let (tagger, reports) = ner::train(dir, a.ner_vocab.as_deref(), opts, &|r| {
        eprintln!(
            "{}: {} training sentences, cross-validated entity F1 {:.3} ({:.0} s)",
            r.language,
            r.train_sentences,
            r.all.f1(),
            started.elapsed().as_secs_f64()
        );
    })?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let path = a.out.join("entities.bin");
    std::fs::write(&path, tagger.to_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let table = ner::report_table(&reports);
    println!("{table}");
    println!("wrote {}", path.display());
    if let Some(out) = &a.ner_report {
        std::fs::write(out, &table).with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(())
}

pub fn train(a: TrainArgs) -> anyhow::Result<bool> {
    if let Some(dir) = &a.outlets {
        let (text, state, cred) = rhetor::train::outlets::compile(dir)?;
        std::fs::create_dir_all(&a.out)
            .with_context(|| format!("cannot create {}", a.out.display()))?;
        let path = a.out.join("outlets.tsv");
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "wrote {} ({state} state-affiliated media assets, {cred} rated domains)",
            path.display()
        );
    }
    if let Some(dir) = &a.ner {
        train_ner(&a, dir)?;
    }
    let Some(data) = &a.data else {
        return Ok(true);
    };
    let opts = a.fit.options(a.folds);
    if a.finetune.finetune {
        return finetune(&a, data, opts);
    }
    let summary = if a.heads.accurate {
        let (enc, cache) = a.heads.encoder()?;
        let tuned = a.heads.tuned()?;
        let mut opts = a.heads.options(a.folds);
        // The span head reads the states where the fine-tuned layers branch
        // off, which the accurate tier computes anyway.
        if let (Some(t), None, Some((_, layer))) = (&tuned, a.heads.span_layer, &mut opts.span) {
            *layer = t.header.lower;
        }
        accurate::train(
            data,
            &a.out,
            &enc,
            &cache,
            opts,
            tuned.as_ref(),
            &embedding_progress(),
        )?
    } else if a.corrections {
        anyhow::ensure!(
            a.db.may_exist(),
            "{}: no such store (import corrections with `rhetor import labelstudio FILE --db …` first)",
            a.db
        );
        let store = rhetor::store::Store::open(&a.db)?;
        let (extra, used) = rhetor::train::corrections::articles(&store.analyses()?);
        println!(
            "corrections from {}: {} corrections of {} documents used ({} paragraphs labelled, {} evidence spans, {} genres, {} frame sets)",
            a.db, used.corrections, used.documents, used.paragraphs, used.spans, used.genres, used.frame_sets
        );
        tasks::train_with(data, &a.out, opts, extra)?
    } else {
        tasks::train(data, &a.out, opts)?
    };
    for (path, size) in &summary.files {
        println!("wrote {path} ({:.1} MB)", *size as f64 / 1e6);
    }
    println!("trained in {:.0} s", summary.seconds);
    Ok(true)
}

/// `rhetor train --accurate --finetune`.
fn finetune(a: &TrainArgs, data: &Path, fast: tasks::TrainOptions) -> anyhow::Result<bool> {
    use rhetor::train::finetune::{self, FinetuneOptions};
    let f = &a.finetune;
    let opts = FinetuneOptions {
        trained_layers: f.finetune_layers,
        epochs: f.finetune_epochs,
        lr_layers: f.finetune_lr,
        folds: a.folds.max(2),
        confident_floor: f.finetune_confident_precision,
        work: f.finetune_work.clone(),
        ..FinetuneOptions::default()
    };
    let (enc, _) = a.heads.encoder()?;
    if !f.resume {
        finetune::clear_runs(&opts.work)?;
    }
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let started = std::time::Instant::now();
    let s = finetune::train(data, &a.out, &enc, &opts, fast, &|m| {
        eprintln!("{m} ({:.0} s)", started.elapsed().as_secs_f64());
    })?;
    println!("fine-tuned head alone (nested CV): {}", s.alone.summary());
    println!(
        "fused with the fast tier (nested CV): {}",
        s.fused.summary()
    );
    println!(
        "shipped: {}; int8 files decide like the f32 model on {:.2} % of (paragraph, technique) pairs",
        if s.fused_chosen { "fused" } else { "alone" },
        100.0 * s.int8_agreement
    );
    for (path, size) in &s.files {
        println!("wrote {path} ({:.1} MB)", *size as f64 / 1e6);
    }
    println!("trained in {:.0} s", s.seconds);
    Ok(true)
}

pub fn eval(a: EvalArgs) -> anyhow::Result<bool> {
    let opts = a.fit.options(a.folds);
    let md = if a.heads.accurate {
        let (enc, cache) = a.heads.encoder()?;
        let tuned = a.heads.tuned()?;
        let r = accurate::evaluate(
            &a.data,
            &enc,
            &cache,
            a.heads.options(a.folds),
            opts,
            tuned.as_ref(),
            &embedding_progress(),
        )?;
        format!(
            "# Evaluation — accurate tier (`rhetor eval --accurate`)\n\nSummary and the choice of settings: `docs/EVALUATION.md`.\n\n## Encoder heads alone\n\n{}\n## Encoder heads fused with the fast tier\n\n{}",
            r.heads.to_markdown(),
            r.fused.to_markdown()
        )
    } else {
        tasks::evaluate(&a.data, opts)?.to_markdown()
    };
    print!("{md}");
    if let Some(out) = a.out {
        std::fs::write(&out, &md).with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(true)
}

/// Which classifier tier to run (`analyze`, `semeval`, `serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct TierArgs {
    /// The accurate tier: the multilingual encoder (about a second per
    /// article). The default when its weights are installed.
    #[arg(long, conflicts_with = "fast")]
    pub accurate: bool,
    /// The fast tier: n-gram models (thousands of paragraphs a second).
    #[arg(long)]
    pub fast: bool,
    /// The encoder weights (default: installed by `rhetor models install`).
    #[arg(long, env = "RHETOR_ENCODER")]
    pub encoder: Option<PathBuf>,
}

/// The full pipeline of the binary: the model-free stages, then `classify`.
///
/// Debug builds (the ones the tests run) also honour `RHETOR_TEST_PANIC`: a
/// stage that panics on every document containing that text, so that tests
/// can check that one bad document costs only itself.
pub fn pipeline(classify: Classify) -> rhetor::Pipeline {
    let pipeline = rhetor::Pipeline::default().with(Box::new(classify));
    #[cfg(debug_assertions)]
    if let Some(marker) = std::env::var("RHETOR_TEST_PANIC")
        .ok()
        .filter(|m| !m.is_empty())
    {
        return pipeline.with(Box::new(PanicOn(marker)));
    }
    pipeline
}

/// Test-only stage: panics on documents that contain its marker.
#[cfg(debug_assertions)]
struct PanicOn(String);

#[cfg(debug_assertions)]
impl rhetor::Stage for PanicOn {
    fn name(&self) -> &'static str {
        "test-panic"
    }
    fn run(&self, doc: &mut rhetor::Document) -> Result<(), rhetor::StageError> {
        if doc.text.contains(self.0.as_str()) {
            panic!("RHETOR_TEST_PANIC marker found");
        }
        Ok(())
    }
}

/// The classification stage for `tier`, saying on stderr, once, which tier
/// runs and why. Without the encoder's weights (or heads) the accurate tier
/// falls back to the fast one, in one line.
pub fn classifier(model_dir: Option<&Path>, tier: &TierArgs) -> anyhow::Result<Classify> {
    let models = load_models(model_dir)?;
    if tier.fast {
        crate::note!("rhetor: fast tier (n-gram models; --fast)");
        return Ok(Classify::new(models));
    }
    let path = tier
        .encoder
        .clone()
        .unwrap_or_else(encoder::default_weights);
    if !tier.accurate && tier.encoder.is_none() && !path.exists() {
        crate::note!(
            "rhetor: fast tier (n-gram models); for the accurate tier run `rhetor models install`"
        );
        return Ok(Classify::new(models));
    }
    let heads = match model_dir {
        Some(d) if d.join(rhetor::classify::ENCODER_HEAD_FILES[0]).exists() => Heads::from_dir(d),
        _ => Heads::embedded(),
    };
    let loaded = heads.and_then(|h| Ok((Encoder::load_verified(&path)?, h)));
    match loaded {
        Ok((enc, heads)) => {
            crate::note!(
                "rhetor: accurate tier (multilingual-e5-small, {}, {} products); --fast for the n-gram tier",
                path.display(),
                enc.weights().kernel().as_str()
            );
            Ok(Classify::accurate(
                models,
                Accurate {
                    encoder: std::sync::Arc::new(enc),
                    heads,
                },
            ))
        }
        Err(e) => {
            eprintln!("rhetor: fast tier: the accurate tier is unavailable ({e}); run `rhetor models install`");
            Ok(Classify::new(models))
        }
    }
}

/// Loads `--model DIR` or the embedded models.
pub fn load_models(dir: Option<&Path>) -> anyhow::Result<Models> {
    Ok(match dir {
        Some(d) => Models::from_dir(d)?,
        None => Models::embedded()?,
    })
}

pub fn semeval(a: SemevalArgs) -> anyhow::Result<bool> {
    anyhow::ensure!(
        a.gold.is_none() || a.task == "spans",
        "--gold scores the spans task only"
    );
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&a.dir)
        .with_context(|| format!("cannot read {}", a.dir.display()))?
        .filter_map(|e| {
            let path = e.ok()?.path();
            let id = path
                .file_name()?
                .to_str()?
                .strip_prefix("article")?
                .strip_suffix(".txt")?
                .to_string();
            Some((id, path))
        })
        .collect();
    files.sort();
    if let (Some(gold), Some(predicted)) = (&a.gold, &a.predicted) {
        let predicted = std::fs::read_to_string(predicted)
            .with_context(|| format!("cannot read {}", predicted.display()))?;
        print!("{}", score_spans(gold, &files, &predicted)?);
        return Ok(true);
    }
    let classify = classifier(a.model.as_deref(), &a.tier)?;
    let pipeline = Pipeline::default();
    let results: Vec<Result<String, String>> = files
        .par_iter()
        .map(|(id, path)| {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut doc = pipeline
                .run(text_article(path, text.clone()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            rhetor::contain::catch(|| classify.run(&mut doc))
                .unwrap_or_else(|message| {
                    Err(rhetor::StageError::Panicked {
                        stage: "classify",
                        message,
                    })
                })
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let mut out = String::new();
            match a.task.as_str() {
                "techniques" => {
                    let blocks = line_blocks(&doc);
                    for (i, line) in text.split('\n').enumerate() {
                        if line.trim().is_empty() {
                            continue;
                        }
                        let labels = match blocks.get(&(i + 1)) {
                            Some(&b) => {
                                let mut names: Vec<&str> = doc.techniques[b]
                                    .iter()
                                    .filter(|h| h.confident || !a.confident)
                                    .map(|h| h.label.as_str())
                                    .collect();
                                names.sort();
                                names.join(",")
                            }
                            None => String::new(),
                        };
                        out.push_str(&format!("{id}\t{}\t{labels}\n", i + 1));
                    }
                }
                "spans" => {
                    // Evidence spans are byte spans of the normalised text;
                    // the task counts characters of the file as read.
                    let chars = rhetor::output::CharIndex::new(&doc.original);
                    let char_of = |b: usize| chars.char_of(b);
                    let mut rows: Vec<(usize, usize, &str)> = doc
                        .techniques
                        .iter()
                        .flatten()
                        .filter(|h| h.confident || !a.confident)
                        .flat_map(|h| {
                            h.evidence.iter().map(|&span| {
                                let o = doc.alignment.to_original(span);
                                (char_of(o.start), char_of(o.end), h.label.as_str())
                            })
                        })
                        .filter(|(s, e, _)| s < e)
                        .collect();
                    rows.sort();
                    rows.dedup();
                    for (start, end, technique) in rows {
                        out.push_str(&format!("{id}\t{technique}\t{start}\t{end}\n"));
                    }
                }
                "frames" => {
                    let names: Vec<&str> = doc.frames.iter().map(|f| f.label.as_str()).collect();
                    out.push_str(&format!("{id}\t{}\n", names.join(",")));
                }
                _ => {
                    let best = doc
                        .genre
                        .first()
                        .map_or("opinion".to_string(), |g| g.label.clone());
                    out.push_str(&format!("{id}\t{best}\n"));
                }
            }
            Ok(out)
        })
        .collect();
    let mut ok = true;
    let mut predicted = String::new();
    for r in results {
        match r {
            Ok(s) if a.gold.is_some() => predicted.push_str(&s),
            Ok(s) => print!("{s}"),
            Err(e) => {
                ok = false;
                eprintln!("rhetor: {e}");
            }
        }
    }
    if let Some(gold) = &a.gold {
        print!("{}", score_spans(gold, &files, &predicted)?);
    }
    Ok(ok)
}

/// The character-overlap table of `predicted` against the rows of `gold`
/// that belong to the articles in `files`.
fn score_spans(
    gold: &Path,
    files: &[(String, PathBuf)],
    predicted: &str,
) -> anyhow::Result<String> {
    let gold_text =
        std::fs::read_to_string(gold).with_context(|| format!("cannot read {}", gold.display()))?;
    let ids: std::collections::HashSet<&str> = files.iter().map(|(id, _)| id.as_str()).collect();
    let in_folder = |l: &&str| l.split('\t').next().is_some_and(|id| ids.contains(id));
    let keep = |text: &str| -> String {
        text.lines()
            .filter(in_folder)
            .map(|l| format!("{l}\n"))
            .collect()
    };
    Ok(rhetor::semeval::span_overlap_table(
        &keep(&gold_text),
        &keep(predicted),
    ))
}
