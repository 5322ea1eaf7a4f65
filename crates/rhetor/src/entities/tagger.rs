//! The name tagger: a greedy left-to-right averaged perceptron over BIO tags
//! (`PER ORG LOC MISC`), one weight table per language, trained from the
//! gold corpora of `../shared/data/ner` (`rhetor train --ner`).
//!
//! Features of a token are hashed into `2^bits` buckets: the word and its
//! lower case, affixes, its shape, its neighbours, the two tags before it,
//! and whether the lower-cased word is common in lower case (a bit set
//! shipped with the model) — which is what tells a sentence-initial
//! "Rappelons" or an all-caps headline from a name.
//!
//! File layout (little endian): magic `RHETORNE`, format version (u32),
//! header length (u32) and JSON header ([`TaggerHeader`]); then per language
//! in header order: one scale (f32) per tag, the weights as i8 in
//! bucket-major order (-128 marks an outlier), the outliers' count (u32)
//! and exact values (u32 index, f32 weight, by index), and the lower-case
//! bit set (`2^vocab_bits` bits); an FNV-1a checksum (u64) of everything
//! before it.
//!
//! Why outliers: a perceptron's few frequent features (the bias, "after
//! O") weigh a thousand times the rest; one i8 scale over them would round
//! every rare feature — the names — to zero. The scale comes from the
//! 99.5th percentile instead, and the weights above it are kept exactly.

use crate::error::ModelError;

pub const MAGIC: &[u8; 8] = b"RHETORNE";
pub const FORMAT_VERSION: u32 = 1;

/// How far (in tokens) from a capital a name decoder still reads views
/// (features look two tokens either way; one more for a continuation).
pub const NEAR: usize = 3;

/// The tags, in weight order.
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
pub const N_TAGS: usize = TAGS.len();

/// Index of a tag name (unknown tags read as `O`).
pub fn tag_index(tag: &str) -> usize {
    TAGS.iter().position(|t| *t == tag).unwrap_or(0)
}

/// Whether tag `t` continues an entity (`I-…`).
pub fn is_inside(t: usize) -> bool {
    t > 0 && t.is_multiple_of(2)
}

/// The entity type of a non-`O` tag (1 PER, 2 ORG, 3 LOC, 4 MISC).
pub fn type_of(t: usize) -> usize {
    t.div_ceil(2)
}

/// What the tagger file says about itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaggerHeader {
    pub languages: Vec<LanguageHeader>,
    /// How the model was trained (data, parameters), for humans.
    pub provenance: String,
}

/// One language's table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LanguageHeader {
    /// ISO 639-1 code.
    pub language: String,
    /// log2 of the feature buckets.
    pub bits: u32,
    /// log2 of the lower-case vocabulary bit set.
    pub vocab_bits: u32,
    /// Cross-validated entity F1 on the gold files, for humans.
    #[serde(default)]
    pub cv_f1: Option<f64>,
}

/// One language's trained weights (quantised) and vocabulary bits.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageTable {
    pub header: LanguageHeader,
    pub scales: [f32; N_TAGS],
    pub weights: Vec<i8>,
    /// Exact weights where `weights` holds [`OUTLIER`], by index.
    pub outliers: Vec<(u32, f32)>,
    pub vocab: Vec<u64>,
    /// Per bucket, the index into `exact_rows` of its row when the row
    /// holds an outlier (`u32::MAX` otherwise): one check per feature, not
    /// a search per weight. Built at load, not stored.
    row_index: Vec<u32>,
    exact_rows: Vec<[f32; N_TAGS]>,
}

/// The dequantised rows that hold outliers, and each bucket's index into them.
fn exact_rows(
    weights: &[i8],
    scales: &[f32; N_TAGS],
    outliers: &[(u32, f32)],
) -> (Vec<u32>, Vec<[f32; N_TAGS]>) {
    let mut index = vec![u32::MAX; weights.len() / N_TAGS];
    let mut rows: Vec<[f32; N_TAGS]> = Vec::new();
    for &(i, w) in outliers {
        let bucket = i as usize / N_TAGS;
        let Some(slot) = index.get_mut(bucket) else {
            continue;
        };
        if *slot == u32::MAX {
            *slot = rows.len() as u32;
            let mut row = [0f32; N_TAGS];
            for (t, r) in row.iter_mut().enumerate() {
                let q = weights[bucket * N_TAGS + t];
                if q != OUTLIER {
                    *r = f32::from(q) * scales[t];
                }
            }
            rows.push(row);
        }
        rows[*slot as usize][i as usize % N_TAGS] = w;
    }
    (index, rows)
}

/// The quantised value that sends a weight to the outlier list.
pub const OUTLIER: i8 = i8::MIN;

/// The shipped tagger: a table per language.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagger {
    pub provenance: String,
    pub tables: Vec<LanguageTable>,
}

/// FNV-1a, the hash of features and of the file checksum.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            x ^= 0xff;
            x = x.wrapping_mul(0x0100_0000_01b3);
        }
        for &b in *p {
            x ^= u64::from(b);
            x = x.wrapping_mul(0x0100_0000_01b3);
        }
    }
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 29)
}

/// The bit of `word` in a vocabulary set of `2^bits` bits.
pub fn vocab_bit(word: &str, bits: u32) -> usize {
    (fnv(&[b"v", word.as_bytes()]) & ((1u64 << bits) - 1)) as usize
}

/// Whether `word` (lower case) is in the set.
pub fn in_vocab(vocab: &[u64], bits: u32, word: &str) -> bool {
    let b = vocab_bit(word, bits);
    vocab.get(b / 64).is_some_and(|w| (w >> (b % 64)) & 1 == 1)
}

/// A token as the tagger sees it.
#[derive(Debug, Clone)]
pub struct TokenView<'a> {
    pub word: &'a str,
    pub lower: std::borrow::Cow<'a, str>,
    pub shape: String,
    /// The lower-case form is common in lower case (in the vocabulary).
    pub common: bool,
    pub sentence_start: bool,
}

/// Shape of a word: letters as `X`/`x`, digits as `d`, runs cut at two
/// ("Kim" → "Xxx", "OTAN" → "XX", "Jong-un" → "Xxx-xx").
pub fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if s == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
        }
        out.push(s);
        last = s;
        if out.len() > 12 {
            break;
        }
    }
    out
}

/// Views of a sentence's words for one language table.
pub fn views<'a>(words: &[&'a str], vocab: &[u64], vocab_bits: u32) -> Vec<TokenView<'a>> {
    views_where(words, vocab, vocab_bits, |_| true)
}

/// Views where `needed(i)`, placeholders elsewhere (no allocation): for a
/// decoder that scores only some tokens.
pub fn views_where<'a>(
    words: &[&'a str],
    vocab: &[u64],
    vocab_bits: u32,
    needed: impl Fn(usize) -> bool,
) -> Vec<TokenView<'a>> {
    let letters: usize = words
        .iter()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    let upper: usize = words
        .iter()
        .map(|w| w.chars().filter(|c| c.is_uppercase()).count())
        .sum();
    // An all-caps headline: shapes say nothing there, so every word reads
    // as if lower-cased.
    let shouting = letters >= 12 && upper * 10 >= letters * 8;
    let mut first = true;
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let sentence_start = first;
            if first && w.chars().any(char::is_alphanumeric) {
                first = false;
            }
            if !needed(i) {
                return TokenView {
                    word: w,
                    lower: std::borrow::Cow::Borrowed(w),
                    shape: String::new(),
                    common: true,
                    sentence_start,
                };
            }
            let lower = if w.chars().any(char::is_uppercase) {
                std::borrow::Cow::Owned(w.to_lowercase())
            } else {
                std::borrow::Cow::Borrowed(*w)
            };
            let common = in_vocab(vocab, vocab_bits, &lower);
            let shape = if shouting { shape(&lower) } else { shape(w) };
            TokenView {
                word: w,
                lower,
                shape,
                common,
                sentence_start,
            }
        })
        .collect()
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn suffix(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    match s.char_indices().nth(count - n) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// The hashed features of token `i` given the tags already decided before
/// it; `out` is cleared and filled with bucket indices.
pub fn features(
    views: &[TokenView<'_>],
    i: usize,
    prev: [usize; 2],
    bits: u32,
    out: &mut Vec<u32>,
) {
    out.clear();
    let mask = (1u64 << bits) - 1;
    let mut push = |parts: &[&[u8]]| out.push((fnv(parts) & mask) as u32);
    let at = |k: isize| -> (&str, &str) {
        if k < 0 {
            ("<s>", "<s>")
        } else {
            views
                .get(k as usize)
                .map_or(("</s>", "</s>"), |v| (v.lower.as_ref(), v.shape.as_str()))
        }
    };
    let v = &views[i];
    let k = i as isize;
    let (p1, ps1) = at(k - 1);
    let (n1, ns1) = at(k + 1);
    let (p2, _) = at(k - 2);
    let (n2, _) = at(k + 2);
    let t1 = TAGS[prev[0]].as_bytes();
    let t2 = TAGS[prev[1]].as_bytes();
    let start: &[u8] = if v.sentence_start { b"1" } else { b"0" };
    let common: &[u8] = if v.common { b"1" } else { b"0" };
    push(&[b"b"]);
    push(&[b"w", v.word.as_bytes()]);
    push(&[b"l", v.lower.as_bytes()]);
    push(&[b"p1", prefix(&v.lower, 1).as_bytes()]);
    push(&[b"p2", prefix(&v.lower, 2).as_bytes()]);
    push(&[b"p3", prefix(&v.lower, 3).as_bytes()]);
    push(&[b"s2", suffix(&v.lower, 2).as_bytes()]);
    push(&[b"s3", suffix(&v.lower, 3).as_bytes()]);
    push(&[b"s4", suffix(&v.lower, 4).as_bytes()]);
    push(&[b"sh", v.shape.as_bytes()]);
    push(&[b"st", start, common, v.shape.as_bytes()]);
    push(&[b"l-1", p1.as_bytes()]);
    push(&[b"l+1", n1.as_bytes()]);
    push(&[b"l-2", p2.as_bytes()]);
    push(&[b"l+2", n2.as_bytes()]);
    push(&[b"sh-1", ps1.as_bytes(), v.shape.as_bytes()]);
    push(&[b"sh+1", v.shape.as_bytes(), ns1.as_bytes()]);
    push(&[b"t-1", t1]);
    push(&[b"t-2", t1, t2]);
    push(&[b"t-1l", t1, v.lower.as_bytes()]);
    push(&[b"t-1sh", t1, v.shape.as_bytes()]);
    push(&[b"bi-", p1.as_bytes(), v.lower.as_bytes()]);
    push(&[b"bi+", v.lower.as_bytes(), n1.as_bytes()]);
    push(&[b"c", common, v.shape.as_bytes()]);
}

/// Whether tag `t` may follow `prev` (an `I-X` only after `B-X`/`I-X`).
pub fn allowed(prev: usize, t: usize) -> bool {
    !is_inside(t) || (prev != 0 && type_of(prev) == type_of(t))
}

/// Greedy decoding: the best allowed tag of each token in turn, given the
/// tags before it; `score` gives the tag scores of a feature set.
pub fn decode(
    views: &[TokenView<'_>],
    bits: u32,
    score: impl FnMut(&[u32]) -> [f32; N_TAGS],
) -> Vec<usize> {
    decode_where(views, bits, score, |_, _| false)
}

/// [`decode`], leaving a token `O` unscored where `skip(i, previous tag)`.
pub fn decode_where(
    views: &[TokenView<'_>],
    bits: u32,
    mut score: impl FnMut(&[u32]) -> [f32; N_TAGS],
    skip: impl Fn(usize, usize) -> bool,
) -> Vec<usize> {
    let mut tags = Vec::with_capacity(views.len());
    let mut feats = Vec::with_capacity(32);
    for i in 0..views.len() {
        let prev = [
            i.checked_sub(1).map_or(0, |k| tags[k]),
            i.checked_sub(2).map_or(0, |k| tags[k]),
        ];
        if skip(i, prev[0]) {
            tags.push(0);
            continue;
        }
        features(views, i, prev, bits, &mut feats);
        let s = score(&feats);
        let best = (0..N_TAGS)
            .filter(|&t| allowed(prev[0], t))
            .max_by(|&a, &b| s[a].total_cmp(&s[b]))
            .unwrap_or(0);
        tags.push(best);
    }
    tags
}

impl LanguageTable {
    /// Tag scores of one feature set.
    pub fn score(&self, feats: &[u32]) -> [f32; N_TAGS] {
        let mut acc = [0i32; N_TAGS];
        let mut out = [0f32; N_TAGS];
        // Two dozen rows scattered over megabytes: ask for all of them
        // before summing any (the sum waits on memory, not arithmetic).
        for &b in feats {
            crate::classify::linear::prefetch(&self.row_index, b as usize);
            crate::classify::linear::prefetch(&self.weights, b as usize * N_TAGS);
        }
        for &b in feats {
            let b = b as usize;
            match self.row_index.get(b) {
                Some(&k) if k != u32::MAX => {
                    for (o, w) in out.iter_mut().zip(&self.exact_rows[k as usize]) {
                        *o += w;
                    }
                }
                _ => {
                    if let Some(w) = self.weights.get(b * N_TAGS..(b + 1) * N_TAGS) {
                        for (a, &x) in acc.iter_mut().zip(w) {
                            *a += i32::from(x);
                        }
                    }
                }
            }
        }
        for ((o, a), s) in out.iter_mut().zip(acc).zip(self.scales) {
            *o += a as f32 * s;
        }
        out
    }

    /// BIO tags of a sentence's words (every token scored: what
    /// cross-validation measures).
    pub fn tag(&self, words: &[&str]) -> Vec<usize> {
        let v = views(words, &self.vocab, self.header.vocab_bits);
        decode(&v, self.header.bits, |f| self.score(f))
    }

    /// BIO tags for name finding (the entities stage).
    ///
    /// A token without a capital after an `O` is `O` unscored: a name span
    /// that started on it would lose it anyway (the stage strips leading
    /// lower-case words: "de Gaulle" is "Gaulle"), so only capitalised
    /// tokens and continuations are scored — a fraction of the work.
    pub fn tag_names(&self, words: &[&str]) -> Vec<usize> {
        let capital: Vec<bool> = words
            .iter()
            .map(|w| w.chars().any(|c| c.is_uppercase()))
            .collect();
        if !capital.iter().any(|&c| c) {
            return vec![0; words.len()];
        }
        let reach = NEAR;
        let needed = |i: usize| {
            capital[i.saturating_sub(reach)..(i + reach + 1).min(capital.len())]
                .iter()
                .any(|&c| c)
        };
        let v = views_where(words, &self.vocab, self.header.vocab_bits, needed);
        decode_where(
            &v,
            self.header.bits,
            |f| self.score(f),
            |i, prev| prev == 0 && !capital[i],
        )
    }

    /// Quantises trained weights (`weights[bucket * N_TAGS + tag]`), one
    /// scale per tag.
    pub fn quantise(header: LanguageHeader, weights: &[f32], vocab: Vec<u64>) -> Self {
        let mut scales = [0f32; N_TAGS];
        for (t, s) in scales.iter_mut().enumerate() {
            let mut mags: Vec<f32> = weights
                .iter()
                .skip(t)
                .step_by(N_TAGS)
                .map(|w| w.abs())
                .filter(|&w| w > 0.0)
                .collect();
            let cut = (mags.len() as f64 * 0.995) as usize;
            let p = if mags.is_empty() {
                0.0
            } else {
                let k = cut.min(mags.len() - 1);
                *mags.select_nth_unstable_by(k, f32::total_cmp).1
            };
            *s = p.max(1e-9) / 127.0;
        }
        let mut outliers = Vec::new();
        let q: Vec<i8> = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let v = (w / scales[i % N_TAGS]).round();
                if v.abs() > 127.0 {
                    outliers.push((i as u32, w));
                    OUTLIER
                } else {
                    v as i8
                }
            })
            .collect();
        let (row_index, exact) = exact_rows(&q, &scales, &outliers);
        LanguageTable {
            header,
            scales,
            weights: q,
            outliers,
            vocab,
            row_index,
            exact_rows: exact,
        }
    }
}

impl Tagger {
    /// The table of a language, if one was trained.
    pub fn table(&self, language: &str) -> Option<&LanguageTable> {
        self.tables.iter().find(|t| t.header.language == language)
    }

    /// The file bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = TaggerHeader {
            languages: self.tables.iter().map(|t| t.header.clone()).collect(),
            provenance: self.provenance.clone(),
        };
        let json = serde_json::to_vec(&header).unwrap_or_default();
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for t in &self.tables {
            for s in t.scales {
                out.extend_from_slice(&s.to_le_bytes());
            }
            out.extend(t.weights.iter().map(|&w| w as u8));
            out.extend_from_slice(&(t.outliers.len() as u32).to_le_bytes());
            for (i, w) in &t.outliers {
                out.extend_from_slice(&i.to_le_bytes());
                out.extend_from_slice(&w.to_le_bytes());
            }
            for w in &t.vocab {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        let sum = fnv(&[&out]);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads a tagger file; `name` names it in errors.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Tagger, ModelError> {
        let bad = |reason: &str| ModelError::Invalid {
            path: name.to_string(),
            reason: reason.to_string(),
        };
        if bytes.len() < 24 || &bytes[..8] != MAGIC {
            return Err(bad("not a rhetor name-tagger file (bad magic)"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let sum = u64::from_le_bytes(sum.try_into().map_err(|_| bad("truncated"))?);
        if fnv(&[body]) != sum {
            return Err(bad("checksum mismatch (file damaged)"));
        }
        let u32_at = |at: usize| -> Result<u32, ModelError> {
            body.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or_else(|| bad("truncated"))
        };
        let version = u32_at(8)?;
        if version != FORMAT_VERSION {
            return Err(bad(&format!(
                "format version {version}, this rhetor reads {FORMAT_VERSION}"
            )));
        }
        let len = u32_at(12)? as usize;
        let json = body
            .get(16..16 + len)
            .ok_or_else(|| bad("truncated header"))?;
        let header: TaggerHeader =
            serde_json::from_slice(json).map_err(|e| bad(&format!("header: {e}")))?;
        let mut at = 16 + len;
        let mut tables = Vec::new();
        for h in header.languages {
            if h.bits > 24 || h.vocab_bits > 26 || h.vocab_bits < 6 {
                return Err(bad("table sizes out of range"));
            }
            let mut scales = [0f32; N_TAGS];
            for s in &mut scales {
                let b = body.get(at..at + 4).ok_or_else(|| bad("truncated"))?;
                *s = f32::from_le_bytes(b.try_into().map_err(|_| bad("truncated"))?);
                at += 4;
            }
            let n = (1usize << h.bits) * N_TAGS;
            let w = body
                .get(at..at + n)
                .ok_or_else(|| bad("truncated weights"))?;
            let weights: Vec<i8> = w.iter().map(|&b| b as i8).collect();
            at += n;
            let count = u32_at(at)? as usize;
            at += 4;
            let list = body
                .get(at..at + count * 8)
                .ok_or_else(|| bad("truncated outliers"))?;
            let outliers: Vec<(u32, f32)> = list
                .chunks_exact(8)
                .map(|c| {
                    let i = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                    (i, f32::from_le_bytes([c[4], c[5], c[6], c[7]]))
                })
                .collect();
            if outliers.windows(2).any(|w| w[0].0 >= w[1].0) {
                return Err(bad("outliers out of order"));
            }
            at += count * 8;
            let words = (1usize << h.vocab_bits) / 64;
            let v = body
                .get(at..at + words * 8)
                .ok_or_else(|| bad("truncated vocabulary"))?;
            let vocab = v
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            at += words * 8;
            let (row_index, exact) = exact_rows(&weights, &scales, &outliers);
            tables.push(LanguageTable {
                header: h,
                scales,
                weights,
                outliers,
                vocab,
                row_index,
                exact_rows: exact,
            });
        }
        if at != body.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(Tagger {
            provenance: header.provenance,
            tables,
        })
    }
}

/// Entity spans (token ranges and type 1–4) of a BIO tag sequence.
pub fn chunks(tags: &[usize]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        if tags[i] == 0 {
            i += 1;
            continue;
        }
        let ty = type_of(tags[i]);
        let start = i;
        i += 1;
        while i < tags.len() && is_inside(tags[i]) && type_of(tags[i]) == ty {
            i += 1;
        }
        out.push((start, i, ty));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_collapse_runs() {
        assert_eq!(shape("Kim"), "Xxx");
        assert_eq!(shape("OTAN"), "XX");
        assert_eq!(shape("Jong-un"), "Xxx-xx");
        assert_eq!(shape("2025"), "dd");
        assert_eq!(shape("Путин"), "Xxx");
    }

    #[test]
    fn chunks_follow_bio() {
        let t = [0, 1, 2, 0, 5, 3, 4, 4, 0, 6];
        assert_eq!(
            chunks(&t),
            vec![(1, 3, 1), (4, 5, 3), (5, 8, 2), (9, 10, 3)]
        );
    }

    #[test]
    fn files_round_trip_and_refuse_damage() {
        let h = LanguageHeader {
            language: "fr".into(),
            bits: 4,
            vocab_bits: 6,
            cv_f1: Some(0.8),
        };
        let w: Vec<f32> = (0..16 * N_TAGS).map(|i| (i as f32 - 70.0) / 10.0).collect();
        let t = Tagger {
            provenance: "test".into(),
            tables: vec![LanguageTable::quantise(h, &w, vec![5])],
        };
        let bytes = t.to_bytes();
        assert_eq!(Tagger::from_bytes(&bytes, "x").unwrap(), t);
        let mut broken = bytes.clone();
        broken[30] ^= 1;
        assert!(Tagger::from_bytes(&broken, "x").is_err());
        assert!(Tagger::from_bytes(&bytes[..20], "x").is_err());
        assert!(Tagger::from_bytes(b"garbage garbage garbage", "x").is_err());
    }
}
