//! Sparse, hashed features of a text: folded word unigrams and bigrams,
//! language-tagged word unigrams, and character 3–5-grams inside words,
//! weighted by sublinear TF × IDF and L2-normalised.

use crate::document::Span;
use crate::segment::{fold, tokenize, TokenKind};

/// A sparse feature vector: sorted, unique bucket indices with values.
pub type SparseVec = Vec<(u32, f32)>;

/// How texts are turned into features (stored in every model file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureConfig {
    /// log2 of the number of hash buckets.
    pub bits: u32,
    pub char_min: usize,
    pub char_max: usize,
    pub word_bigrams: bool,
    pub language_words: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bits: 18,
            char_min: 3,
            char_max: 5,
            word_bigrams: true,
            language_words: true,
        }
    }
}

impl FeatureConfig {
    pub fn buckets(&self) -> usize {
        1 << self.bits
    }
}

/// FNV-1a with a namespace seed, then a final mix (fast, stable across
/// platforms and releases — model files depend on it).
fn hash(namespace: u64, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ namespace.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// Raw term counts of `text[span]` (before IDF), as sorted bucket counts.
pub fn term_counts(cfg: &FeatureConfig, text: &str, span: Span, lang: &str) -> Vec<(u32, f32)> {
    let mask = (cfg.buckets() - 1) as u64;
    let mut buckets: Vec<u32> = Vec::with_capacity(span.len() * 3);
    let tokens = tokenize(text, span);
    let mut prev: Option<String> = None;
    let mut padded = String::new();
    for t in &tokens {
        let word = match t.kind {
            TokenKind::Number => "0".to_string(),
            _ => fold(&text[t.span.start..t.span.end]),
        };
        buckets.push((hash(1, &[word.as_bytes()]) & mask) as u32);
        if cfg.language_words {
            buckets.push((hash(2, &[lang.as_bytes(), word.as_bytes()]) & mask) as u32);
        }
        if cfg.word_bigrams {
            if let Some(p) = &prev {
                buckets.push((hash(3, &[p.as_bytes(), word.as_bytes()]) & mask) as u32);
            }
        }
        if t.kind == TokenKind::Word {
            padded.clear();
            padded.push(' ');
            padded.push_str(&word);
            padded.push(' ');
            let starts: Vec<usize> = padded
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(padded.len()))
                .collect();
            let n_chars = starts.len() - 1;
            for n in cfg.char_min..=cfg.char_max {
                if n > n_chars {
                    break;
                }
                for i in 0..=(n_chars - n) {
                    let gram = &padded.as_bytes()[starts[i]..starts[i + n]];
                    buckets.push((hash(10 + n as u64, &[gram]) & mask) as u32);
                }
            }
        }
        prev = Some(word);
    }
    buckets.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(buckets.len() / 2);
    for b in buckets {
        match out.last_mut() {
            Some((last, count)) if *last == b => *count += 1.0,
            _ => out.push((b, 1.0)),
        }
    }
    out
}

/// Sublinear TF × IDF, L2-normalised, in place.
pub fn weight(counts: &mut SparseVec, idf: impl Fn(u32) -> f32) {
    let mut norm = 0.0f32;
    for (b, v) in counts.iter_mut() {
        *v = (1.0 + v.ln()) * idf(*b);
        norm += *v * *v;
    }
    if norm > 0.0 {
        let inv = 1.0 / norm.sqrt();
        for (_, v) in counts.iter_mut() {
            *v *= inv;
        }
    }
}

/// Smoothed IDF per bucket from document frequencies.
pub fn idf_from_counts(doc_freq: &[u32], n_docs: usize) -> Vec<f32> {
    let n = n_docs as f32;
    doc_freq
        .iter()
        .map(|&df| ((1.0 + n) / (1.0 + df as f32)).ln() + 1.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_sorted_unique_and_stable() {
        let cfg = FeatureConfig::default();
        let t = "Les soldats nord-coréens, les soldats.";
        let c = term_counts(&cfg, t, Span::new(0, t.len()), "fr");
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(c.iter().any(|&(_, n)| n >= 2.0));
        let again = term_counts(&cfg, t, Span::new(0, t.len()), "fr");
        assert_eq!(c, again);
        // Stable hash: model files depend on these exact values.
        assert_eq!(hash(1, &[b"soldats"]), hash(1, &[b"soldats"]));
        assert_ne!(hash(1, &[b"ab", b"c"]), hash(1, &[b"a", b"bc"]));
    }

    #[test]
    fn weighting_normalises() {
        let mut v = vec![(1, 1.0), (5, 3.0)];
        weight(&mut v, |_| 2.0);
        let n: f32 = v.iter().map(|(_, x)| x * x).sum();
        assert!((n - 1.0).abs() < 1e-5);
    }
}
