//! `rhetor train`, `rhetor eval` and `rhetor semeval`: the model commands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use rhetor::classify::{Classify, Models};
use rhetor::semeval::{line_blocks, text_article};
use rhetor::train::tasks::{self, TrainOptions};
use rhetor::Pipeline;

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The SemEval-2023 Task 3 folder (`<lang>/train/...`).
    #[arg(long)]
    pub data: PathBuf,
    /// Where the model files go.
    #[arg(long, default_value = "models")]
    pub out: PathBuf,
    /// Cross-validation folds used to choose thresholds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    #[command(flatten)]
    pub fit: FitArgs,
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
    /// `techniques`, `frames` or `genre`.
    #[arg(value_parser = ["techniques", "frames", "genre"])]
    pub task: String,
    /// A folder of `article<ID>.txt` files.
    pub dir: PathBuf,
    /// Model directory (default: the embedded models).
    #[arg(long)]
    pub model: Option<PathBuf>,
}

pub fn train(a: TrainArgs) -> anyhow::Result<bool> {
    let opts = a.fit.options(a.folds);
    let summary = tasks::train(&a.data, &a.out, opts)?;
    for (path, size) in &summary.files {
        println!("wrote {path} ({:.1} MB)", *size as f64 / 1e6);
    }
    println!("trained in {:.0} s", summary.seconds);
    Ok(true)
}

pub fn eval(a: EvalArgs) -> anyhow::Result<bool> {
    let opts = a.fit.options(a.folds);
    let report = tasks::evaluate(&a.data, opts)?;
    let md = report.to_markdown();
    print!("{md}");
    if let Some(out) = a.out {
        std::fs::write(&out, &md).with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(true)
}

/// Loads `--model DIR` or the embedded models.
pub fn load_models(dir: Option<&Path>) -> anyhow::Result<Models> {
    Ok(match dir {
        Some(d) => Models::from_dir(d)?,
        None => Models::embedded()?,
    })
}

pub fn semeval(a: SemevalArgs) -> anyhow::Result<bool> {
    let classify = Classify::new(load_models(a.model.as_deref())?);
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
    let pipeline = Pipeline::default();
    let results: Vec<Result<String, String>> = files
        .par_iter()
        .map(|(id, path)| {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let doc = pipeline
                .run(text_article(path, text.clone()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let lang = doc.language.as_ref().map_or("xx", |l| l.code.as_str());
            let mut out = String::new();
            match a.task.as_str() {
                "techniques" => {
                    let blocks = line_blocks(&doc);
                    let mut cache: BTreeMap<usize, String> = BTreeMap::new();
                    for (i, line) in text.split('\n').enumerate() {
                        if line.trim().is_empty() {
                            continue;
                        }
                        let labels = match blocks.get(&(i + 1)) {
                            Some(&b) => cache
                                .entry(b)
                                .or_insert_with(|| {
                                    let l = doc.blocks[b]
                                        .language
                                        .as_ref()
                                        .map_or(lang, |l| l.code.as_str());
                                    let mut names: Vec<String> = classify
                                        .techniques(&doc.text, doc.blocks[b].span, l)
                                        .into_iter()
                                        .map(|h| h.label)
                                        .collect();
                                    names.sort();
                                    names.join(",")
                                })
                                .clone(),
                            None => String::new(),
                        };
                        out.push_str(&format!("{id}\t{}\t{labels}\n", i + 1));
                    }
                }
                "frames" => {
                    let (frames, _) = classify.article(&doc.text, lang);
                    let names: Vec<String> = frames.into_iter().map(|f| f.label).collect();
                    out.push_str(&format!("{id}\t{}\n", names.join(",")));
                }
                _ => {
                    let (_, genre) = classify.article(&doc.text, lang);
                    let best = genre
                        .first()
                        .map_or("opinion".to_string(), |g| g.label.clone());
                    out.push_str(&format!("{id}\t{best}\n"));
                }
            }
            Ok(out)
        })
        .collect();
    let mut ok = true;
    for r in results {
        match r {
            Ok(s) => print!("{s}"),
            Err(e) => {
                ok = false;
                eprintln!("rhetor: {e}");
            }
        }
    }
    Ok(ok)
}
