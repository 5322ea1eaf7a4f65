//! One-vs-rest linear models over hashed features, and their file format.
//!
//! File layout (little endian): magic `RHETORMD`, format version (u32),
//! header length (u32) and JSON header ([`ModelHeader`]), bucket and label
//! counts (u32 each), IDF scale (f32) and one IDF byte per bucket, one scale
//! and one bias (f32) per label, the weights as i8 in bucket-major order
//! (all labels of bucket 0, then bucket 1…), and an FNV-1a checksum (u64)
//! of everything before it.

use crate::bytes::LeReader;
use crate::error::ModelError;

use super::features::{FeatureConfig, SparseVec};

pub const MAGIC: &[u8; 8] = b"RHETORMD";
pub const FORMAT_VERSION: u32 = 1;

/// What a model predicts and how its scores become decisions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelHeader {
    /// `techniques`, `frames`, `genre` or `evidence`.
    pub kind: String,
    pub labels: Vec<String>,
    /// Decision threshold per label (a probability; above 1 means "never").
    pub thresholds: Vec<f32>,
    /// Per label, the probability from which a decided label is shown as
    /// confident: chosen by cross-validation for precision ≥ 0.6 (above 1:
    /// never). Empty in models trained before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confident: Vec<f32>,
    pub features: FeatureConfig,
    /// How the model was trained (data, parameters, date), for humans.
    pub provenance: String,
    /// An accurate-tier head whose probabilities are averaged with the
    /// fast tier's before its thresholds apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fused_with_fast: bool,
    /// An accurate-tier head that reads the embeddings of fine-tuned top
    /// layers: the FNV-1a checksum (hex) of their file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reads_layers: Option<String>,
    /// An accurate-tier span head: it reads each word's hidden state after
    /// this many of the encoder's base layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states_after: Option<usize>,
}

/// A trained model, quantised for shipping.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub header: ModelHeader,
    idf_scale: f32,
    idf: Vec<u8>,
    scales: Vec<f32>,
    biases: Vec<f32>,
    /// The weights in bucket-major rows of [`row_stride`] bytes: the labels,
    /// then zeros up to a multiple of 8 when there are more than 8 (so that a row is summed in
    /// fixed-width chunks the compiler vectorises; the file has no padding).
    weights: Vec<i8>,
}

/// Lanes per accumulated chunk of a weight row.
const LANES: usize = 8;

/// The padded length of a weight row of `labels` labels: rows of a few
/// labels (genre's 3) stay unpadded, so that their table stays small.
fn row_stride(labels: usize) -> usize {
    if labels <= LANES {
        labels
    } else {
        labels.div_ceil(LANES) * LANES
    }
}

/// `rows` rows of `labels` bytes, each padded with zeros to [`row_stride`].
fn padded(unpadded: impl Iterator<Item = i8>, labels: usize, rows: usize) -> Vec<i8> {
    let stride = row_stride(labels);
    let mut out = vec![0i8; rows * stride];
    if labels == 0 {
        return out;
    }
    for (i, w) in unpadded.take(rows * labels).enumerate() {
        out[(i / labels) * stride + i % labels] = w;
    }
    out
}

impl LinearModel {
    /// Quantises dense weights (`weights[label][bucket]`) and IDF values.
    pub fn quantise(
        header: ModelHeader,
        idf: &[f32],
        weights: &[Vec<f32>],
        biases: &[f32],
    ) -> Self {
        let buckets = header.features.buckets();
        let labels = header.labels.len();
        let idf_max = idf.iter().copied().fold(0.0f32, f32::max).max(1e-6);
        let idf_scale = idf_max / 255.0;
        let idf_q = if idf.is_empty() {
            vec![0; buckets]
        } else {
            idf.iter()
                .map(|&v| (v / idf_scale).round().clamp(0.0, 255.0) as u8)
                .collect()
        };
        let scales: Vec<f32> = weights
            .iter()
            .map(|w| w.iter().fold(0.0f32, |m, &v| m.max(v.abs())).max(1e-9) / 127.0)
            .collect();
        let mut q = vec![0i8; buckets * labels];
        for (l, w) in weights.iter().enumerate() {
            for (b, &v) in w.iter().enumerate() {
                q[b * labels + l] = (v / scales[l]).round().clamp(-127.0, 127.0) as i8;
            }
        }
        LinearModel {
            header,
            idf_scale: if idf.is_empty() { 0.0 } else { idf_scale },
            idf: idf_q,
            scales,
            biases: biases.to_vec(),
            weights: padded(q.into_iter(), labels, buckets),
        }
    }

    pub fn labels(&self) -> &[String] {
        &self.header.labels
    }

    /// IDF of a bucket (1 when the model has none).
    pub fn idf(&self, bucket: u32) -> f32 {
        if self.idf_scale == 0.0 {
            1.0
        } else {
            f32::from(self.idf[bucket as usize]) * self.idf_scale
        }
    }

    /// Raw scores (logits) per label.
    pub fn scores(&self, x: &SparseVec) -> Vec<f32> {
        let labels = self.header.labels.len();
        let stride = row_stride(labels);
        let mut acc = vec![0f32; stride];
        // Rows are scattered over megabytes of weights: ask for the row a
        // few features ahead while this one is summed (the loop is bound by
        // memory latency, not arithmetic).
        const AHEAD: usize = 16;
        for (i, &(b, v)) in x.iter().enumerate() {
            if let Some(&(next, _)) = x.get(i + AHEAD) {
                prefetch(&self.weights, next as usize * stride);
            }
            let Some(row) = self
                .weights
                .get(b as usize * stride..(b as usize + 1) * stride)
            else {
                continue;
            };
            // The same products and sums per label as a plain loop, eight
            // labels at a time.
            if stride.is_multiple_of(LANES) {
                for (a, w) in acc.chunks_exact_mut(LANES).zip(row.chunks_exact(LANES)) {
                    for k in 0..LANES {
                        a[k] += v * f32::from(w[k]);
                    }
                }
            } else {
                for (a, &w) in acc.iter_mut().zip(row) {
                    *a += v * f32::from(w);
                }
            }
        }
        acc.iter()
            .zip(&self.scales)
            .zip(&self.biases)
            .map(|((a, s), b)| a * s + b)
            .collect()
    }

    /// The probability of one label (cheaper than all of them).
    pub fn probability(&self, x: &SparseVec, label: usize) -> f32 {
        let stride = row_stride(self.header.labels.len());
        let acc: f32 = x
            .iter()
            .map(|&(b, v)| {
                v * f32::from(
                    self.weights
                        .get(b as usize * stride + label)
                        .copied()
                        .unwrap_or(0),
                )
            })
            .sum();
        sigmoid(acc * self.scales[label] + self.biases[label])
    }

    /// Probabilities per label.
    pub fn probabilities(&self, x: &SparseVec) -> Vec<f32> {
        self.scores(x).into_iter().map(sigmoid).collect()
    }

    /// Whether label `l` at probability `p` is confident (see
    /// [`ModelHeader::confident`]).
    pub fn is_confident(&self, l: usize, p: f32) -> bool {
        self.header.confident.get(l).is_some_and(|&t| p >= t)
    }

    /// Labels whose probability reaches their threshold, best first.
    pub fn decide(&self, probs: &[f32]) -> Vec<(usize, f32)> {
        let mut out: Vec<(usize, f32)> = probs
            .iter()
            .enumerate()
            .filter(|(l, p)| **p >= self.header.thresholds[*l])
            .map(|(l, p)| (l, *p))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Serialises the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).unwrap_or_default();
        let mut out = Vec::with_capacity(self.weights.len() + self.idf.len() + header.len() + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(self.idf.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.scales.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.idf_scale.to_le_bytes());
        out.extend_from_slice(&self.idf);
        for v in self.scales.iter().chain(&self.biases) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let labels = self.header.labels.len();
        let stride = row_stride(labels);
        if labels > 0 {
            for row in self.weights.chunks_exact(stride) {
                out.extend(row[..labels].iter().map(|&w| w as u8));
            }
        }
        let checksum = fnv(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Reads a model; `name` names the file in errors.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self, ModelError> {
        let bad = |reason: String| ModelError::Invalid {
            path: name.to_string(),
            reason,
        };
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(bad("not a rhetor model file (bad magic)".into()));
        }
        if bytes.len() < 24 {
            return Err(bad("truncated".into()));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let mut r = LeReader::new(body, 8, name);
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "model format version {version}, this rhetor reads version {FORMAT_VERSION}"
            )));
        }
        let expected = u64::from_le_bytes(tail.try_into().map_err(|_| bad("truncated".into()))?);
        if fnv(body) != expected {
            return Err(bad("checksum mismatch (truncated or corrupted)".into()));
        }
        let header_len = r.u32()? as usize;
        let header: ModelHeader = serde_json::from_slice(r.take(header_len)?)
            .map_err(|e| bad(format!("bad header: {e}")))?;
        let buckets = r.u32()? as usize;
        let labels = r.u32()? as usize;
        if buckets != header.features.buckets()
            || labels != header.labels.len()
            || labels != header.thresholds.len()
        {
            return Err(bad("header and tables disagree".into()));
        }
        let idf_scale = r.f32()?;
        let idf = r.take(buckets)?.to_vec();
        let mut floats = r.f32s(labels * 2)?;
        let weights = padded(
            r.take(buckets * labels)?.iter().map(|&b| b as i8),
            labels,
            buckets,
        );
        if r.pos != body.len() {
            return Err(bad("trailing bytes".into()));
        }
        let biases = floats.split_off(labels);
        Ok(LinearModel {
            header,
            idf_scale,
            idf,
            scales: floats,
            biases,
            weights,
        })
    }
}

/// A hint to load `data[at]`'s cache line; nothing on other targets.
#[inline(always)]
pub(crate) fn prefetch<T>(data: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(p) = data.get(at) {
        // SAFETY: a prefetch never faults and reads nothing; the pointer is
        // in bounds anyway.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (p as *const T).cast(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, at);
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// 64-bit FNV-1a: the model checksum, and stable keys for training
/// (fold assignment, the embedding cache).
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> LinearModel {
        let features = FeatureConfig {
            bits: 4,
            ..FeatureConfig::default()
        };
        let header = ModelHeader {
            kind: "test".into(),
            labels: vec!["a".into(), "b".into()],
            thresholds: vec![0.5, 0.3],
            confident: Vec::new(),
            features,
            provenance: "unit test".into(),
            fused_with_fast: false,
            reads_layers: None,
            states_after: None,
        };
        let mut w = vec![vec![0.0; 16], vec![0.0; 16]];
        w[0][3] = 2.0;
        w[1][3] = -1.0;
        w[1][7] = 4.0;
        LinearModel::quantise(header, &[1.0; 16], &w, &[0.0, -1.0])
    }

    #[test]
    fn round_trip_and_predict() {
        let m = tiny();
        let bytes = m.to_bytes();
        let back = LinearModel::from_bytes(&bytes, "t.bin").unwrap();
        assert_eq!(m, back);
        let p = back.probabilities(&vec![(3, 1.0), (7, 0.5)]);
        assert!((p[0] - sigmoid(2.0)).abs() < 0.02);
        assert!((p[1] - sigmoid(-1.0 - 1.0 + 2.0)).abs() < 0.02);
    }

    #[test]
    fn padded_rows_score_exactly_as_unpadded_ones() {
        // 11 labels: rows padded to 16 and summed eight lanes at a time.
        let labels = 11;
        let header = ModelHeader {
            kind: "test".into(),
            labels: (0..labels).map(|l| format!("l{l}")).collect(),
            thresholds: vec![0.5; labels],
            confident: Vec::new(),
            features: FeatureConfig {
                bits: 4,
                ..FeatureConfig::default()
            },
            provenance: "unit test".into(),
            fused_with_fast: false,
            reads_layers: None,
            states_after: None,
        };
        let w: Vec<Vec<f32>> = (0..labels)
            .map(|l| {
                (0..16)
                    .map(|b| ((l * 7 + b * 3) % 11) as f32 - 5.0)
                    .collect()
            })
            .collect();
        let m = LinearModel::quantise(header, &[1.0; 16], &w, &vec![0.25; labels]);
        let back = LinearModel::from_bytes(&m.to_bytes(), "t.bin").unwrap();
        assert_eq!(m, back);
        assert_eq!(m.to_bytes().len(), back.to_bytes().len());
        let x = vec![(1, 0.3), (4, -0.7), (9, 0.11), (15, 1.5)];
        let scores = back.scores(&x);
        for (l, score) in scores.iter().enumerate() {
            let mut acc = 0f32;
            for &(b, v) in &x {
                let q = (w[l][b as usize] / back.scales[l])
                    .round()
                    .clamp(-127.0, 127.0);
                acc += v * q;
            }
            assert_eq!(*score, acc * back.scales[l] + back.biases[l]);
            assert_eq!(back.probability(&x, l), sigmoid(*score));
        }
    }

    #[test]
    fn damaged_files_are_refused_with_the_name() {
        let bytes = tiny().to_bytes();
        for (damaged, why) in [
            (bytes[..bytes.len() / 2].to_vec(), "checksum"),
            (b"hello world, not a model".to_vec(), "magic"),
            (
                {
                    let mut b = bytes.clone();
                    b[8] = 9;
                    b
                },
                "version 9",
            ),
        ] {
            let e = LinearModel::from_bytes(&damaged, "models/x.bin")
                .unwrap_err()
                .to_string();
            assert!(e.contains("models/x.bin") && e.contains(why), "{e}");
        }
    }
}
