//! Sparse, hashed features of a text: folded word unigrams and bigrams,
//! language-tagged word unigrams, and character 3–5-grams inside words,
//! weighted by sublinear TF × IDF and L2-normalised.

use crate::document::Span;
use std::borrow::Cow;

use crate::segment::{fold_cow, is_group_space, tokenize, TokenKind};

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
pub fn term_counts(cfg: &FeatureConfig, text: &str, span: Span, lang: &str) -> SparseVec {
    TermStream::new(cfg, text, span, lang).counts()
}

/// The hashed terms of every token of a text, in token order, so that the
/// counts of any whitespace-bounded part of it (a paragraph of the article)
/// come without tokenising and hashing again. Each token's buckets are
/// contiguous, its bigram with the token before it first.
pub struct TermStream {
    buckets: Vec<u32>,
    /// Per token: its span and the index of its first bucket.
    tokens: Vec<(Span, usize)>,
    bigrams: bool,
    bits: u32,
}

impl TermStream {
    /// The terms of `text[span]`, words tagged with `lang`.
    pub fn new(cfg: &FeatureConfig, text: &str, span: Span, lang: &str) -> Self {
        let mask = (cfg.buckets() - 1) as u64;
        let tokens = tokenize(text, span);
        let mut buckets: Vec<u32> = Vec::with_capacity(span.len() * 3);
        let mut starts: Vec<(Span, usize)> = Vec::with_capacity(tokens.len());
        let mut prev: Option<Cow<str>> = None;
        let mut padded = String::new();
        let mut bounds: Vec<usize> = Vec::new();
        for t in &tokens {
            starts.push((t.span, buckets.len()));
            let word: Cow<str> = match t.kind {
                TokenKind::Number => Cow::Borrowed("0"),
                _ => fold_cow(&text[t.span.start..t.span.end]),
            };
            if cfg.word_bigrams {
                if let Some(p) = &prev {
                    buckets.push((hash(3, &[p.as_bytes(), word.as_bytes()]) & mask) as u32);
                }
            }
            buckets.push((hash(1, &[word.as_bytes()]) & mask) as u32);
            if cfg.language_words {
                buckets.push((hash(2, &[lang.as_bytes(), word.as_bytes()]) & mask) as u32);
            }
            if t.kind == TokenKind::Word {
                padded.clear();
                padded.push(' ');
                padded.push_str(&word);
                padded.push(' ');
                bounds.clear();
                bounds.extend(padded.char_indices().map(|(i, _)| i));
                bounds.push(padded.len());
                let n_chars = bounds.len() - 1;
                for n in cfg.char_min..=cfg.char_max {
                    if n > n_chars {
                        break;
                    }
                    for i in 0..=(n_chars - n) {
                        let gram = &padded.as_bytes()[bounds[i]..bounds[i + n]];
                        buckets.push((hash(10 + n as u64, &[gram]) & mask) as u32);
                    }
                }
            }
            prev = Some(word);
        }
        TermStream {
            buckets,
            tokens: starts,
            bigrams: cfg.word_bigrams,
            bits: cfg.bits,
        }
    }

    /// The counts of the whole span the stream was made of.
    pub fn counts(&self) -> SparseVec {
        counted(self.buckets.clone(), self.bits)
    }

    /// The counts of `text[part]` (`text` the stream's text), the same as
    /// [`term_counts`] of it, when no token can cross its ends: both lie at
    /// the text's ends or next to whitespace that cannot group digits
    /// ("8 000"). `None` otherwise.
    pub fn counts_of(&self, text: &str, part: Span) -> Option<SparseVec> {
        let separated = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() && !is_group_space(c));
        let before = text.get(..part.start)?.chars().next_back();
        let after = text.get(part.end..)?.chars().next();
        if !separated(before) || !separated(after) {
            return None;
        }
        let first = self.tokens.partition_point(|(s, _)| s.start < part.start);
        let last = self.tokens.partition_point(|(s, _)| s.end <= part.end);
        if first >= last {
            return Some(Vec::new());
        }
        // The first token's bigram reaches outside the part.
        let skip = usize::from(self.bigrams && first > 0);
        let from = self.tokens[first].1 + skip;
        let to = self.tokens.get(last).map_or(self.buckets.len(), |t| t.1);
        Some(counted(self.buckets.get(from..to)?.to_vec(), self.bits))
    }
}

/// Sorted unique buckets with their counts.
fn counted(mut buckets: Vec<u32>, bits: u32) -> SparseVec {
    sort_buckets(&mut buckets, bits);
    let mut out: SparseVec = Vec::with_capacity(buckets.len() / 2);
    for b in buckets {
        match out.last_mut() {
            Some((last, count)) if *last == b => *count += 1.0,
            _ => out.push((b, 1.0)),
        }
    }
    out
}

/// Sorts bucket indices below `2^bits`: an LSD radix sort for long lists
/// (the article's tens of thousands of terms), the standard sort for short.
fn sort_buckets(keys: &mut Vec<u32>, bits: u32) {
    const RADIX_FROM: usize = 512;
    if keys.len() < RADIX_FROM || bits == 0 || bits > 32 {
        keys.sort_unstable();
        return;
    }
    let passes = bits.div_ceil(11);
    let digit = bits.div_ceil(passes);
    let size = 1usize << digit;
    let mask = (size - 1) as u32;
    let mut other = vec![0u32; keys.len()];
    let mut counts = vec![0usize; size];
    for pass in 0..passes {
        let shift = pass * digit;
        counts.iter_mut().for_each(|c| *c = 0);
        for &k in keys.iter() {
            counts[((k >> shift) & mask) as usize] += 1;
        }
        let mut total = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = total;
            total += n;
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & mask) as usize;
            other[counts[d]] = k;
            counts[d] += 1;
        }
        std::mem::swap(keys, &mut other);
    }
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
    fn parts_cut_from_the_stream_count_as_if_hashed_alone() {
        let cfg = FeatureConfig::default();
        let t = "Titre : 8 000 soldats\n\nL’OTAN doit cesser de jouer les lâches.\nUn 2e « paragraphe »,\n\n12\n345 fin";
        let whole = Span::new(0, t.len());
        let stream = TermStream::new(&cfg, t, whole, "fr");
        assert_eq!(stream.counts(), term_counts(&cfg, t, whole, "fr"));
        let mut start = 0;
        for line in t.split('\n') {
            let part = Span::new(start, start + line.len());
            start += line.len() + 1;
            let cut = stream
                .counts_of(t, part)
                .expect("lines are whitespace-bounded");
            assert_eq!(cut, term_counts(&cfg, t, part, "fr"), "{line:?}");
        }
        // A part whose end a grouped number crosses is not cut.
        let t = "il y a 8 000 soldats";
        let stream = TermStream::new(&cfg, t, Span::new(0, t.len()), "fr");
        assert_eq!(stream.counts_of(t, Span::new(0, 8)), None);
        // Long lists go through the radix sort: still sorted and unique.
        let long = "mot ".repeat(50) + &"différent".repeat(60);
        let c = term_counts(&cfg, &long, Span::new(0, long.len()), "fr");
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn radix_and_standard_sorts_agree() {
        let mut keys: Vec<u32> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 14) & 0x3ffff)
            .collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        sort_buckets(&mut keys, 18);
        assert_eq!(keys, expected);
    }

    #[test]
    fn weighting_normalises() {
        let mut v = vec![(1, 1.0), (5, 3.0)];
        weight(&mut v, |_| 2.0);
        let n: f32 = v.iter().map(|(_, x)| x * x).sum();
        assert!((n - 1.0).abs() < 1e-5);
    }
}
