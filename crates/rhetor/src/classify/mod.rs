//! Persuasion techniques per paragraph (with evidence words), frames and
//! genre per article: linear models over hashed n-gram features, trained by
//! `rhetor train` and shipped in `models/` (embedded in the binary).

pub mod evidence;
pub mod features;
pub mod linear;

use std::path::Path;

use crate::document::{BlockKind, Document, LabelScore, Span, TechniqueHit};
use crate::error::ModelError;
use crate::pipeline::Stage;

use features::{term_counts, weight, SparseVec};
use linear::LinearModel;

/// Model files, in the order [`Models`] holds them.
pub const MODEL_FILES: [&str; 4] = ["techniques.bin", "frames.bin", "genre.bin", "evidence.bin"];

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
        let mut bytes = Vec::new();
        for name in MODEL_FILES {
            let path = dir.join(name);
            let b = std::fs::read(&path).map_err(|source| ModelError::Io {
                path: path.display().to_string(),
                source,
            })?;
            bytes.push((b, path.display().to_string()));
        }
        let refs: Vec<(&[u8], &str)> = bytes
            .iter()
            .map(|(b, n)| (b.as_slice(), n.as_str()))
            .collect();
        Self::from_bytes([refs[0], refs[1], refs[2], refs[3]])
    }

    fn from_bytes(files: [(&[u8], &str); 4]) -> Result<Self, ModelError> {
        let load = |(bytes, name): (&[u8], &str), kind: &str| {
            let m = LinearModel::from_bytes(bytes, name)?;
            if m.header.kind != kind {
                return Err(ModelError::Invalid {
                    path: name.to_string(),
                    reason: format!("holds a {} model, expected {kind}", m.header.kind),
                });
            }
            Ok(m)
        };
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
/// bylines, frames and genre for the article.
pub struct Classify {
    pub models: Models,
}

impl Classify {
    pub fn new(models: Models) -> Self {
        Classify { models }
    }

    /// Techniques of one paragraph, with evidence spans (byte offsets).
    pub fn techniques(&self, text: &str, span: Span, lang: &str) -> Vec<TechniqueHit> {
        let m = &self.models.techniques;
        let x = features_for(m, text, span, lang);
        let decided = m.decide(&m.probabilities(&x));
        if decided.is_empty() {
            return Vec::new();
        }
        let (tokens, feats) = evidence::token_features(text, span);
        decided
            .into_iter()
            .map(|(l, p)| {
                let label = &m.labels()[l];
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
                    evidence,
                }
            })
            .collect()
    }

    /// Frames (decided) and genre of a whole article text.
    pub fn article(&self, text: &str, lang: &str) -> (Vec<LabelScore>, Vec<LabelScore>) {
        let span = Span::new(0, text.len());
        let fm = &self.models.frames;
        let gm = &self.models.genre;
        // One pass over the text; each model weighs the counts with its IDF.
        let counts = term_counts(&fm.header.features, text, span, lang);
        let mut x = counts.clone();
        weight(&mut x, |b| fm.idf(b));
        let frames = fm
            .decide(&fm.probabilities(&x))
            .into_iter()
            .map(|(l, p)| LabelScore {
                label: fm.labels()[l].clone(),
                probability: p,
            })
            .collect();
        let x = if gm.header.features == fm.header.features {
            let mut g = counts;
            weight(&mut g, |b| gm.idf(b));
            g
        } else {
            features_for(gm, text, span, lang)
        };
        let probs = gm.probabilities(&x);
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
        (frames, genre)
    }
}

impl Stage for Classify {
    fn name(&self) -> &'static str {
        "classify"
    }

    fn run(&self, doc: &mut Document) {
        let lang = doc
            .language
            .as_ref()
            .map_or("xx", |l| l.code.as_str())
            .to_string();
        doc.techniques = doc
            .blocks
            .iter()
            .map(|b| {
                if b.kind == BlockKind::Byline {
                    Vec::new()
                } else {
                    let l = b
                        .language
                        .as_ref()
                        .map_or(lang.as_str(), |l| l.code.as_str());
                    self.techniques(&doc.text, b.span, l)
                }
            })
            .collect();
        let (frames, genre) = self.article(&doc.text, &lang);
        doc.frames = frames;
        doc.genre = genre;
    }
}
