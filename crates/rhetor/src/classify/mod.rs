//! Persuasion techniques per paragraph (with evidence words), frames and
//! genre per article, in two tiers:
//!
//! - fast: linear models over hashed n-gram features;
//! - accurate: linear heads over multilingual-e5-small embeddings
//!   ([`crate::encoder`]); the evidence words of the techniques the heads
//!   decided come from a span head over the encoder's word states when the
//!   models have one, else from the fast tier's token model.
//!
//! Both are trained by `rhetor train` and shipped in `models/` (embedded in
//! the binary); the encoder's weights are installed separately.

pub mod evidence;
pub mod features;
pub mod linear;
mod models;

pub use models::{
    embedded_models_checksum, Accurate, Heads, Models, ENCODER_EVIDENCE_FILE, ENCODER_HEAD_FILES,
    MODEL_FILES, TUNED_LAYERS_FILE,
};

use crate::document::Block;
use crate::document::{BlockKind, Document, LabelScore, Span, TechniqueHit};
use crate::encoder::{article_vector, PieceStates, Prefix};
use crate::stage::{Stage, StageError};

use features::{term_counts, weight, SparseVec, TermStream};
use linear::LinearModel;

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
        self.hits_with(model, decided, text, span, None)
    }

    /// [`Classify::hits`]; with `span_head`, the evidence words come from
    /// the accurate tier's span head over the paragraph's piece states
    /// (averaged with the fast tier's token model when the head says so).
    fn hits_with(
        &self,
        model: &LinearModel,
        decided: Vec<(usize, f32)>,
        text: &str,
        span: Span,
        span_head: Option<(&LinearModel, &PieceStates)>,
    ) -> Vec<TechniqueHit> {
        if decided.is_empty() {
            return Vec::new();
        }
        let (tokens, feats) = evidence::token_features(text, span);
        let vectors: Option<Vec<SparseVec>> = span_head.map(|(_, states)| {
            evidence::token_vectors(states, span.start, &tokens, states.hidden)
                .iter()
                .map(|v| dense(v))
                .collect()
        });
        let fast = &self.models.evidence;
        decided
            .into_iter()
            .map(|(l, p)| {
                let label = &model.labels()[l];
                let fast_label = fast.labels().iter().position(|e| e == label);
                let encoder_label =
                    span_head.and_then(|(head, _)| head.labels().iter().position(|e| e == label));
                let evidence = match (span_head, &vectors, encoder_label) {
                    (Some((head, _)), Some(vectors), Some(el)) => {
                        let mut probs: Vec<f32> =
                            vectors.iter().map(|v| head.probability(v, el)).collect();
                        if let (true, Some(fl)) = (head.header.fused_with_fast, fast_label) {
                            for (p, f) in probs.iter_mut().zip(&feats) {
                                *p = 0.5 * (*p + fast.probability(f, fl));
                            }
                        }
                        let threshold = head
                            .header
                            .thresholds
                            .get(el)
                            .copied()
                            .unwrap_or(evidence::TOKEN_THRESHOLD);
                        evidence::spans_from_probs_at(&tokens, &probs, threshold)
                    }
                    _ => fast_label
                        .map(|fl| evidence::spans_for(fast, fl, &tokens, &feats))
                        .unwrap_or_default(),
                };
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
        let heads = &acc.heads;
        let span_head = heads.evidence.as_ref();
        let encoded = acc
            .encoder
            .encode_texts(&texts, Prefix::Query, heads.encode_what());
        let pick = |h: &LinearModel| match (&h.header.reads_layers, &encoded.tuned) {
            (Some(_), Some(t)) => t,
            _ => &encoded.frozen,
        };
        let head = &heads.techniques;
        let mut techniques = vec![Vec::new(); doc.blocks.len()];
        for (j, (&b, v)) in blocks.iter().zip(pick(head)).enumerate() {
            let probs = fuse(
                head.probabilities(&dense(v)),
                head.header.fused_with_fast,
                || {
                    let l = block_language(&doc.blocks[b], lang);
                    self.fast_probabilities(&doc.text, doc.blocks[b].span, l)
                },
            );
            let states = encoded.states.as_ref().and_then(|s| s.get(j));
            techniques[b] = self.hits_with(
                head,
                head.decide(&probs),
                &doc.text,
                doc.blocks[b].span,
                span_head.zip(states),
            );
        }
        doc.techniques = techniques;
        let article = |h: &LinearModel| {
            dense(&article_vector(
                pick(h).iter().map(Vec::as_slice),
                acc.encoder.dim(),
            ))
        };
        let (fm, gm) = (&heads.frames, &heads.genre);
        let fused = fm.header.fused_with_fast || gm.header.fused_with_fast;
        let (fast_frames, fast_genre) = if fused {
            self.fast_article_probabilities(&doc.text, lang)
        } else {
            Default::default()
        };
        let frames = fuse(
            fm.probabilities(&article(fm)),
            fm.header.fused_with_fast,
            || fast_frames,
        );
        doc.frames = decided_frames(fm, &frames);
        let genre = fuse(
            gm.probabilities(&article(gm)),
            gm.header.fused_with_fast,
            || fast_genre,
        );
        doc.genre = genre_scores(gm, &genre);
    }
}

/// The encoder reads at most this much of one block (≈ 16 windows of 510
/// pieces, a few seconds): a "paragraph" of megabytes (a dump without line
/// breaks) would otherwise cost minutes and gigabytes for one embedding.
pub(crate) const MAX_ENCODED_BYTES: usize = 32 * 1024;

/// The longest prefix of `text` within `max` bytes, cut at a char boundary.
pub(crate) fn head_of(text: &str, max: usize) -> &str {
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
