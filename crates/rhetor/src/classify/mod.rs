//! Persuasion techniques per paragraph (with evidence words), frames and
//! genre per article, in two tiers:
//!
//! - fast: linear models over hashed n-gram features;
//! - accurate: linear heads over multilingual-e5-small embeddings
//!   ([`crate::encoder`]); the evidence words still come from the fast
//!   tier's token model, run for the techniques the heads decided.
//!
//! Both are trained by `rhetor train` and shipped in `models/` (embedded in
//! the binary); the encoder's weights are installed separately.

pub mod evidence;
pub mod features;
pub mod linear;

use std::path::Path;
use std::sync::Arc;

use crate::document::Block;
use crate::document::{BlockKind, Document, LabelScore, Span, TechniqueHit};
use crate::encoder::tuned::TunedLayers;
use crate::encoder::{article_vector, Encoder, Prefix};
use crate::error::ModelError;
use crate::stage::{Stage, StageError};

use features::{term_counts, weight, SparseVec, TermStream};
use linear::LinearModel;

/// Model files, in the order [`Models`] holds them.
pub const MODEL_FILES: [&str; 4] = ["techniques.bin", "frames.bin", "genre.bin", "evidence.bin"];

/// The accurate tier's head files (techniques, frames, genre), read from
/// encoder embeddings.
pub const ENCODER_HEAD_FILES: [&str; 3] = [
    "encoder-techniques.bin",
    "encoder-frames.bin",
    "encoder-genre.bin",
];

/// The fast tier's models.
#[derive(Debug, Clone)]
pub struct Models {
    pub techniques: LinearModel,
    pub frames: LinearModel,
    pub genre: LinearModel,
    pub evidence: LinearModel,
}

#[cfg(rhetor_models)]
mod embedded {
    pub const TECHNIQUES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/techniques.bin"
    ));
    pub const FRAMES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/frames.bin"
    ));
    pub const GENRE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/genre.bin"
    ));
    pub const EVIDENCE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/evidence.bin"
    ));
}

/// A short identifier of the embedded fast-tier models: the FNV-1a of
/// their own checksums (the last 8 bytes of each file), in hex; "none"
/// when the build embeds no models.
pub fn embedded_models_checksum() -> String {
    #[cfg(rhetor_models)]
    {
        let mut tails = Vec::new();
        for m in [
            embedded::TECHNIQUES,
            embedded::FRAMES,
            embedded::GENRE,
            embedded::EVIDENCE,
        ] {
            tails.extend_from_slice(&m[m.len().saturating_sub(8)..]);
        }
        format!("{:016x}", linear::fnv(&tails))
    }
    #[cfg(not(rhetor_models))]
    {
        "none".to_string()
    }
}

/// The accurate tier's heads over encoder embeddings.
#[derive(Debug, Clone)]
pub struct Heads {
    pub techniques: LinearModel,
    pub frames: LinearModel,
    pub genre: LinearModel,
    /// Fine-tuned top layers, when the technique head reads them.
    pub tuned: Option<Arc<TunedLayers>>,
}

/// The fine-tuned layers' file, beside the heads.
pub const TUNED_LAYERS_FILE: &str = "encoder-layers.bin";

#[cfg(rhetor_heads)]
mod embedded_heads {
    pub const TECHNIQUES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-techniques.bin"
    ));
    pub const FRAMES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-frames.bin"
    ));
    pub const GENRE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-genre.bin"
    ));
    #[cfg(rhetor_tuned)]
    pub const LAYERS: Option<&[u8]> = Some(include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-layers.bin"
    )));
    #[cfg(not(rhetor_tuned))]
    pub const LAYERS: Option<&[u8]> = None;
}

/// The bytes of `dir/name` for each name, with the path for errors.
fn read_files(dir: &Path, names: &[&str]) -> Result<Vec<(Vec<u8>, String)>, ModelError> {
    names
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let b = std::fs::read(&path).map_err(|source| ModelError::Io {
                path: path.display().to_string(),
                source,
            })?;
            Ok((b, path.display().to_string()))
        })
        .collect()
}

fn load_kind(bytes: &[u8], name: &str, kind: &str) -> Result<LinearModel, ModelError> {
    let m = LinearModel::from_bytes(bytes, name)?;
    if m.header.kind != kind {
        return Err(ModelError::Invalid {
            path: name.to_string(),
            reason: format!("holds a {} model, expected {kind}", m.header.kind),
        });
    }
    Ok(m)
}

impl Heads {
    /// The heads embedded at build time (from `models/`).
    pub fn embedded() -> Result<Self, ModelError> {
        #[cfg(rhetor_heads)]
        {
            Self::from_bytes(
                [
                    (
                        embedded_heads::TECHNIQUES,
                        "<embedded>/encoder-techniques.bin",
                    ),
                    (embedded_heads::FRAMES, "<embedded>/encoder-frames.bin"),
                    (embedded_heads::GENRE, "<embedded>/encoder-genre.bin"),
                ],
                embedded_heads::LAYERS.map(|b| (b, "<embedded>/encoder-layers.bin")),
            )
        }
        #[cfg(not(rhetor_heads))]
        {
            Err(ModelError::Invalid {
                path: "models/".into(),
                reason: "this build has no accurate-tier heads: run `rhetor train --accurate` and rebuild, or pass --model DIR".into(),
            })
        }
    }

    /// Heads from the files of `dir` (see [`ENCODER_HEAD_FILES`]).
    pub fn from_dir(dir: &Path) -> Result<Self, ModelError> {
        let bytes = read_files(dir, &ENCODER_HEAD_FILES)?;
        let layers_path = dir.join(TUNED_LAYERS_FILE);
        let layers = std::fs::read(&layers_path).ok();
        let layers_name = layers_path.display().to_string();
        Self::from_bytes(
            [
                (&bytes[0].0, &bytes[0].1),
                (&bytes[1].0, &bytes[1].1),
                (&bytes[2].0, &bytes[2].1),
            ],
            layers.as_deref().map(|b| (b, layers_name.as_str())),
        )
    }

    fn from_bytes(
        files: [(&[u8], &str); 3],
        layers: Option<(&[u8], &str)>,
    ) -> Result<Self, ModelError> {
        let techniques = load_kind(files[0].0, files[0].1, "encoder-techniques")?;
        let tuned = match &techniques.header.reads_layers {
            None => None,
            Some(want) => {
                let Some((bytes, name)) = layers else {
                    return Err(ModelError::Invalid {
                        path: files[0].1.to_string(),
                        reason: format!(
                            "reads fine-tuned layers ({TUNED_LAYERS_FILE}) that are not there"
                        ),
                    });
                };
                let t = TunedLayers::from_bytes(bytes, name)?;
                if t.checksum_hex() != *want {
                    return Err(ModelError::Invalid {
                        path: name.to_string(),
                        reason: format!("not the layers {} was trained with", files[0].1),
                    });
                }
                if t.header.base_sha256 != crate::encoder::WEIGHTS_SHA256 {
                    return Err(ModelError::Invalid {
                        path: name.to_string(),
                        reason: "fine-tuned from other base weights than the ones rhetor runs"
                            .into(),
                    });
                }
                Some(Arc::new(t))
            }
        };
        Ok(Heads {
            techniques,
            frames: load_kind(files[1].0, files[1].1, "encoder-frames")?,
            genre: load_kind(files[2].0, files[2].1, "encoder-genre")?,
            tuned,
        })
    }
}

/// The accurate tier: an encoder and the heads that read its embeddings.
#[derive(Debug, Clone)]
pub struct Accurate {
    pub encoder: Arc<Encoder>,
    pub heads: Heads,
}

impl Models {
    /// The models embedded at build time (from `models/`).
    pub fn embedded() -> Result<Self, ModelError> {
        #[cfg(rhetor_models)]
        {
            Self::from_bytes([
                (embedded::TECHNIQUES, "<embedded>/techniques.bin"),
                (embedded::FRAMES, "<embedded>/frames.bin"),
                (embedded::GENRE, "<embedded>/genre.bin"),
                (embedded::EVIDENCE, "<embedded>/evidence.bin"),
            ])
        }
        #[cfg(not(rhetor_models))]
        {
            Err(ModelError::Invalid {
                path: "models/".into(),
                reason: "this build has no embedded models: run `rhetor train` and rebuild, or pass --model DIR".into(),
            })
        }
    }

    /// Models from the files of `dir` (see [`MODEL_FILES`]).
    pub fn from_dir(dir: &Path) -> Result<Self, ModelError> {
        let bytes = read_files(dir, &MODEL_FILES)?;
        let refs: Vec<(&[u8], &str)> = bytes
            .iter()
            .map(|(b, n)| (b.as_slice(), n.as_str()))
            .collect();
        Self::from_bytes([refs[0], refs[1], refs[2], refs[3]])
    }

    fn from_bytes(files: [(&[u8], &str); 4]) -> Result<Self, ModelError> {
        let load = |(bytes, name): (&[u8], &str), kind: &str| load_kind(bytes, name, kind);
        Ok(Models {
            techniques: load(files[0], "techniques")?,
            frames: load(files[1], "frames")?,
            genre: load(files[2], "genre")?,
            evidence: load(files[3], "evidence")?,
        })
    }
}

/// TF-IDF features of `text[span]` for `model`.
pub fn features_for(model: &LinearModel, text: &str, span: Span, lang: &str) -> SparseVec {
    let mut v = term_counts(&model.header.features, text, span, lang);
    weight(&mut v, |b| model.idf(b));
    v
}

/// The classification stage: techniques (with evidence) for every block but
/// bylines, frames and genre for the article; by the accurate tier when it
/// is there, else by the fast one.
pub struct Classify {
    pub models: Models,
    pub accurate: Option<Accurate>,
}

/// Blocks that get techniques, and whose embeddings make the article's
/// vector in the accurate tier: everything but bylines.
pub fn classifies(kind: BlockKind) -> bool {
    kind != BlockKind::Byline
}

/// A block's own language where it was detected, else the article's.
fn block_language<'a>(block: &'a Block, article: &'a str) -> &'a str {
    block.language.as_ref().map_or(article, |l| l.code.as_str())
}

/// An embedding as the heads' input row.
/// An embedding as the sparse vector the linear heads read.
pub(crate) fn dense(v: &[f32]) -> SparseVec {
    v.iter().enumerate().map(|(j, &x)| (j as u32, x)).collect()
}

impl Classify {
    /// The fast tier only.
    pub fn new(models: Models) -> Self {
        Classify {
            models,
            accurate: None,
        }
    }

    /// The accurate tier, with the fast tier's evidence model.
    pub fn accurate(models: Models, accurate: Accurate) -> Self {
        Classify {
            models,
            accurate: Some(accurate),
        }
    }

    /// "accurate" or "fast".
    pub fn tier(&self) -> &'static str {
        if self.accurate.is_some() {
            "accurate"
        } else {
            "fast"
        }
    }

    /// The fast tier's technique probabilities of one paragraph.
    fn fast_probabilities(&self, text: &str, span: Span, lang: &str) -> Vec<f32> {
        let m = &self.models.techniques;
        m.probabilities(&features_for(m, text, span, lang))
    }

    /// Techniques of one paragraph by the fast tier, with evidence spans.
    pub fn techniques(&self, text: &str, span: Span, lang: &str) -> Vec<TechniqueHit> {
        let m = &self.models.techniques;
        let decided = m.decide(&self.fast_probabilities(text, span, lang));
        self.hits(m, decided, text, span)
    }

    /// Decided labels with the evidence model's spans in `text[span]`.
    fn hits(
        &self,
        model: &LinearModel,
        decided: Vec<(usize, f32)>,
        text: &str,
        span: Span,
    ) -> Vec<TechniqueHit> {
        if decided.is_empty() {
            return Vec::new();
        }
        let (tokens, feats) = evidence::token_features(text, span);
        decided
            .into_iter()
            .map(|(l, p)| {
                let label = &model.labels()[l];
                let evidence = self
                    .models
                    .evidence
                    .labels()
                    .iter()
                    .position(|e| e == label)
                    .map(|el| evidence::spans_for(&self.models.evidence, el, &tokens, &feats))
                    .unwrap_or_default();
                TechniqueHit {
                    label: label.clone(),
                    probability: p,
                    confident: model.is_confident(l, p),
                    evidence,
                }
            })
            .collect()
    }

    /// The fast tier's frame and genre probabilities of an article text.
    fn fast_article_probabilities(&self, text: &str, lang: &str) -> (Vec<f32>, Vec<f32>) {
        let counts = term_counts(
            &self.models.frames.header.features,
            text,
            Span::new(0, text.len()),
            lang,
        );
        self.article_probabilities(counts, text, lang)
    }

    /// Frame and genre probabilities from the article's raw term counts
    /// (made with the frames model's features); each model weighs them with
    /// its IDF.
    fn article_probabilities(
        &self,
        counts: SparseVec,
        text: &str,
        lang: &str,
    ) -> (Vec<f32>, Vec<f32>) {
        let fm = &self.models.frames;
        let gm = &self.models.genre;
        let mut x = counts.clone();
        weight(&mut x, |b| fm.idf(b));
        let frames = fm.probabilities(&x);
        let x = if gm.header.features == fm.header.features {
            let mut g = counts;
            weight(&mut g, |b| gm.idf(b));
            g
        } else {
            features_for(gm, text, Span::new(0, text.len()), lang)
        };
        (frames, gm.probabilities(&x))
    }

    /// Frames (decided) and genre of a whole article text, by the fast tier.
    pub fn article(&self, text: &str, lang: &str) -> (Vec<LabelScore>, Vec<LabelScore>) {
        let (frames, genre) = self.fast_article_probabilities(text, lang);
        self.article_labels(&frames, &genre)
    }

    fn article_labels(&self, frames: &[f32], genre: &[f32]) -> (Vec<LabelScore>, Vec<LabelScore>) {
        (
            decided_frames(&self.models.frames, frames),
            genre_scores(&self.models.genre, genre),
        )
    }

    /// The fast tier on a whole document: the article's terms are hashed
    /// once, and each paragraph's counts are cut out of them (a paragraph in
    /// another language than the article's, or whose ends a token could
    /// cross, is hashed on its own).
    fn run_fast(&self, doc: &mut Document, lang: &str) {
        let text = &doc.text;
        let whole = Span::new(0, text.len());
        let tm = &self.models.techniques;
        let fm = &self.models.frames;
        let stream = TermStream::new(&fm.header.features, text, whole, lang);
        let shared = tm.header.features == fm.header.features;
        doc.techniques = doc
            .blocks
            .iter()
            .map(|b| {
                if !classifies(b.kind) {
                    return Vec::new();
                }
                let l = block_language(b, lang);
                let cut = if shared && l == lang {
                    stream.counts_of(text, b.span)
                } else {
                    None
                };
                let mut x =
                    cut.unwrap_or_else(|| term_counts(&tm.header.features, text, b.span, l));
                weight(&mut x, |k| tm.idf(k));
                let decided = tm.decide(&tm.probabilities(&x));
                self.hits(tm, decided, text, b.span)
            })
            .collect();
        let (frames, genre) = self.article_probabilities(stream.counts(), text, lang);
        let (frames, genre) = self.article_labels(&frames, &genre);
        doc.frames = frames;
        doc.genre = genre;
    }
}

/// Frames whose probability reaches their threshold, most probable first.
fn decided_frames(fm: &LinearModel, probs: &[f32]) -> Vec<LabelScore> {
    fm.decide(probs)
        .into_iter()
        .map(|(l, p)| LabelScore {
            label: fm.labels()[l].clone(),
            probability: p,
        })
        .collect()
}

/// `a` averaged with `b` (the fast tier's) when `fused`.
fn fuse(mut a: Vec<f32>, fused: bool, b: impl FnOnce() -> Vec<f32>) -> Vec<f32> {
    if fused {
        for (x, y) in a.iter_mut().zip(b()) {
            *x = 0.5 * (*x + y);
        }
    }
    a
}

impl Classify {
    /// Techniques, frames and genre of `doc` by the accurate tier: every
    /// block embedded in one batch, the article as their mean.
    fn run_accurate(&self, acc: &Accurate, doc: &mut Document, lang: &str) {
        let blocks: Vec<usize> = (0..doc.blocks.len())
            .filter(|&b| classifies(doc.blocks[b].kind))
            .collect();
        let texts: Vec<&str> = blocks
            .iter()
            .map(|&b| head_of(doc.slice(doc.blocks[b].span), MAX_ENCODED_BYTES))
            .collect();
        let (vectors, tuned) =
            acc.encoder
                .embed_tuned(&texts, Prefix::Query, acc.heads.tuned.as_deref());
        let head = &acc.heads.techniques;
        let mut techniques = vec![Vec::new(); doc.blocks.len()];
        for (&b, v) in blocks.iter().zip(tuned.as_ref().unwrap_or(&vectors)) {
            let probs = fuse(
                head.probabilities(&dense(v)),
                head.header.fused_with_fast,
                || {
                    let l = block_language(&doc.blocks[b], lang);
                    self.fast_probabilities(&doc.text, doc.blocks[b].span, l)
                },
            );
            techniques[b] = self.hits(head, head.decide(&probs), &doc.text, doc.blocks[b].span);
        }
        doc.techniques = techniques;
        let article = dense(&article_vector(
            vectors.iter().map(Vec::as_slice),
            acc.encoder.dim(),
        ));
        let (fm, gm) = (&acc.heads.frames, &acc.heads.genre);
        let fused = fm.header.fused_with_fast || gm.header.fused_with_fast;
        let (fast_frames, fast_genre) = if fused {
            self.fast_article_probabilities(&doc.text, lang)
        } else {
            Default::default()
        };
        let frames = fuse(
            fm.probabilities(&article),
            fm.header.fused_with_fast,
            || fast_frames,
        );
        doc.frames = decided_frames(fm, &frames);
        let genre = fuse(
            gm.probabilities(&article),
            gm.header.fused_with_fast,
            || fast_genre,
        );
        doc.genre = genre_scores(gm, &genre);
    }
}

/// The encoder reads at most this much of one block (≈ 16 windows of 510
/// pieces, a few seconds): a "paragraph" of megabytes (a dump without line
/// breaks) would otherwise cost minutes and gigabytes for one embedding.
const MAX_ENCODED_BYTES: usize = 32 * 1024;

/// The longest prefix of `text` within `max` bytes, cut at a char boundary.
fn head_of(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Genre probabilities normalised to sum 1, most probable first.
fn genre_scores(gm: &LinearModel, probs: &[f32]) -> Vec<LabelScore> {
    let total: f32 = probs.iter().sum::<f32>().max(1e-6);
    let mut genre: Vec<LabelScore> = probs
        .iter()
        .enumerate()
        .map(|(l, p)| LabelScore {
            label: gm.labels()[l].clone(),
            probability: p / total,
        })
        .collect();
    genre.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    genre
}

impl Stage for Classify {
    fn name(&self) -> &'static str {
        "classify"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        let lang = doc
            .language
            .as_ref()
            .map_or("xx", |l| l.code.as_str())
            .to_string();
        doc.tier = self.tier();
        if let Some(acc) = &self.accurate {
            self.run_accurate(acc, doc, &lang);
            return Ok(());
        }
        self.run_fast(doc, &lang);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::head_of;

    #[test]
    fn long_blocks_are_cut_at_a_char_boundary() {
        assert_eq!(head_of("abc", 10), "abc");
        assert_eq!(head_of("abcdef", 3), "abc");
        // "é" is two bytes: a cut inside it falls back before it.
        assert_eq!(head_of("aé", 2), "a");
        let long = "ü".repeat(40_000);
        let cut = head_of(&long, super::MAX_ENCODED_BYTES);
        assert!(cut.len() <= super::MAX_ENCODED_BYTES && cut.len() >= super::MAX_ENCODED_BYTES - 1);
    }
}
