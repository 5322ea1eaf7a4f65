//! Evidence: which words carry a predicted technique. A token-level linear
//! model per technique, trained on the annotated spans of `spans.tsv`,
//! scores every token of the paragraph; high-scoring runs become spans.

use crate::document::Span;
use crate::segment::{fold_cow, tokenize, Token, TokenKind};

use super::features::{FeatureConfig, SparseVec};
use super::linear::LinearModel;

/// Feature configuration of the evidence model (word context only).
pub fn evidence_config() -> FeatureConfig {
    FeatureConfig {
        bits: 16,
        char_min: 0,
        char_max: 0,
        word_bigrams: true,
        language_words: false,
    }
}

fn h(namespace: u64, a: &str, b: &str) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325 ^ namespace.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for byte in a.bytes().chain(std::iter::once(0xff)).chain(b.bytes()) {
        x ^= u64::from(byte);
        x = x.wrapping_mul(0x0100_0000_01b3);
    }
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}

fn shape(text: &str, t: &Token) -> &'static str {
    let s = &text[t.span.start..t.span.end];
    match t.kind {
        TokenKind::Number => "num",
        TokenKind::Punct => match s {
            "!" => "excl",
            "?" => "quest",
            "«" | "»" | "\"" | "“" | "”" => "quote",
            _ => "punct",
        },
        TokenKind::Word if s.chars().all(|c| !c.is_lowercase()) && s.chars().count() > 1 => "caps",
        TokenKind::Word if s.chars().next().is_some_and(char::is_uppercase) => "cap",
        TokenKind::Word => "low",
    }
}

/// Features of every token of `text[span]`: the word, its neighbours (±2),
/// the bigrams around it, and shapes.
pub fn token_features(text: &str, span: Span) -> (Vec<Token>, Vec<SparseVec>) {
    let cfg = evidence_config();
    let mask = (cfg.buckets() - 1) as u64;
    let tokens = tokenize(text, span);
    let words: Vec<std::borrow::Cow<str>> = tokens
        .iter()
        .map(|t| match t.kind {
            TokenKind::Number => std::borrow::Cow::Borrowed("0"),
            _ => fold_cow(&text[t.span.start..t.span.end]),
        })
        .collect();
    let at = |i: isize| -> &str {
        if i < 0 || i as usize >= words.len() {
            "<s>"
        } else {
            words[i as usize].as_ref()
        }
    };
    let feats = (0..tokens.len())
        .map(|i| {
            let k = i as isize;
            let mut v: [u32; 9] = [
                h(1, at(k), ""),
                h(2, at(k - 1), ""),
                h(3, at(k + 1), ""),
                h(4, at(k - 2), ""),
                h(5, at(k + 2), ""),
                h(6, at(k - 1), at(k)),
                h(7, at(k), at(k + 1)),
                h(8, shape(text, &tokens[i]), ""),
                h(9, shape(text, &tokens[i]), at(k)),
            ]
            .map(|x| (x & mask) as u32);
            v.sort_unstable();
            let mut unique: SparseVec = Vec::with_capacity(9);
            for b in v {
                if unique.last().is_none_or(|(last, _)| *last != b) {
                    unique.push((b, 0.0));
                }
            }
            let norm = 1.0 / (unique.len() as f32).sqrt();
            for u in &mut unique {
                u.1 = norm;
            }
            unique
        })
        .collect();
    (tokens, feats)
}

/// Each token's encoder vector: the mean state of the pieces that overlap
/// it (`states` are of the text starting at byte `base` of the document the
/// tokens' spans point into); the mean of the other tokens' vectors for a
/// token no piece covers (past the encoder's cut of a very long block).
pub fn token_vectors(
    states: &crate::encoder::PieceStates,
    base: usize,
    tokens: &[Token],
    h: usize,
) -> Vec<Vec<f32>> {
    let found: Vec<Option<Vec<f32>>> = tokens
        .iter()
        .map(|t| {
            let start = t.span.start.saturating_sub(base);
            let end = t.span.end.saturating_sub(base);
            states.mean_over(start, end, h)
        })
        .collect();
    let mut mean = vec![0f32; h];
    let n = found.iter().flatten().count().max(1) as f32;
    for v in found.iter().flatten() {
        mean.iter_mut().zip(v).for_each(|(m, x)| *m += x / n);
    }
    found
        .into_iter()
        .map(|v| v.unwrap_or_else(|| mean.clone()))
        .collect()
}

/// Token probability at or above which a token is evidence.
pub const TOKEN_THRESHOLD: f32 = 0.5;

/// Evidence spans for technique `label` in `text[span]`: runs of tokens whose
/// probability reaches the threshold (gaps of one token bridged), best run
/// first, at most three; when no token reaches it, the best token with its
/// strong neighbours.
pub fn spans_for(
    model: &LinearModel,
    label: usize,
    tokens: &[Token],
    feats: &[SparseVec],
) -> Vec<Span> {
    if tokens.is_empty() {
        return Vec::new();
    }
    let probs: Vec<f32> = feats.iter().map(|f| model.probability(f, label)).collect();
    spans_from_probs(tokens, &probs)
}

/// The span selection of [`spans_for`] from token probabilities.
pub fn spans_from_probs(tokens: &[Token], probs: &[f32]) -> Vec<Span> {
    spans_from_probs_at(tokens, probs, TOKEN_THRESHOLD)
}

/// [`spans_from_probs`] with another token threshold.
pub fn spans_from_probs_at(tokens: &[Token], probs: &[f32], threshold: f32) -> Vec<Span> {
    if tokens.is_empty() || probs.len() != tokens.len() {
        return Vec::new();
    }
    let mut runs: Vec<(usize, usize, f32)> = Vec::new();
    let mut i = 0;
    while i < probs.len() {
        if probs[i] >= threshold && tokens[i].kind != TokenKind::Punct {
            let start = i;
            let mut end = i;
            let mut peak = probs[i];
            let mut j = i + 1;
            while j < probs.len() {
                if probs[j] >= threshold {
                    end = j;
                    peak = peak.max(probs[j]);
                    j += 1;
                } else if j + 1 < probs.len() && probs[j + 1] >= threshold {
                    j += 1; // bridge a one-token gap
                } else {
                    break;
                }
            }
            // Runs do not end on punctuation.
            while end > start && tokens[end].kind == TokenKind::Punct {
                end -= 1;
            }
            runs.push((start, end, peak));
            i = j;
        } else {
            i += 1;
        }
    }
    if runs.is_empty() {
        let (best, &peak) = probs
            .iter()
            .enumerate()
            .filter(|(k, _)| tokens[*k].kind != TokenKind::Punct)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &probs[0]));
        let strong = |k: usize| probs[k] >= peak * 0.6 && tokens[k].kind != TokenKind::Punct;
        let (mut s, mut e) = (best, best);
        while s > 0 && strong(s - 1) && e - s < 7 {
            s -= 1;
        }
        while e + 1 < probs.len() && strong(e + 1) && e - s < 7 {
            e += 1;
        }
        runs.push((s, e, peak));
    }
    // Keep the strong runs; a lone short token (an article, "a", an elided
    // "l’" glued to the next word) says little.
    let lone_short = |s: usize, e: usize| {
        let t = &tokens[s];
        let elided = t.span.len() <= 7
            && tokens
                .get(s + 1)
                .is_some_and(|n| n.kind == TokenKind::Word && n.span.start == t.span.end);
        s == e && (t.span.len() <= 3 || elided)
    };
    let best = runs.iter().map(|r| r.2).fold(0.0f32, f32::max);
    let strong: Vec<(usize, usize, f32)> = runs
        .iter()
        .copied()
        .filter(|&(s, e, peak)| peak >= best * 0.75 && !lone_short(s, e))
        .collect();
    if strong.is_empty() {
        // Only short tokens: show each with the word it introduces ("Des
        // soldats", "l’Ukraine") rather than alone.
        for r in &mut runs {
            if lone_short(r.0, r.1)
                && tokens
                    .get(r.1 + 1)
                    .is_some_and(|n| n.kind != TokenKind::Punct)
            {
                r.1 += 1;
            }
        }
    } else {
        runs = strong;
    }
    runs.sort_by(|a, b| b.2.total_cmp(&a.2));
    runs.truncate(3);
    runs.sort_by_key(|r| r.0);
    runs.into_iter()
        .map(|(s, e, _)| Span::new(tokens[s].span.start, tokens[e].span.end))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_vectors_average_the_pieces_they_overlap() {
        // "xx les fous": the block starts at byte 3 of its document.
        let doc = "xx les fous";
        let (tokens, _) = token_features(doc, Span::new(3, doc.len()));
        // Pieces of "les fous" (block offsets): "▁les" 0..3, "▁fo" 3..6, "us" 6..8.
        let states = crate::encoder::PieceStates {
            ranges: vec![0..3, 3..6, 6..8],
            states: vec![1.0, 0.0, 3.0, 2.0, 5.0, 4.0],
            hidden: 2,
        };
        let v = token_vectors(&states, 3, &tokens, 2);
        assert_eq!(v, vec![vec![1.0, 0.0], vec![4.0, 3.0]]);
        // A token past the last piece gets the mean of the others.
        let short = crate::encoder::PieceStates {
            ranges: std::iter::once(0..3).collect(),
            states: vec![1.0, 0.0],
            hidden: 2,
        };
        assert_eq!(
            token_vectors(&short, 3, &tokens, 2),
            vec![vec![1.0, 0.0], vec![1.0, 0.0]]
        );
    }

    #[test]
    fn runs_from_probabilities() {
        let t = "les fous incapables de vivre en paix .";
        let (tokens, _) = token_features(t, Span::new(0, t.len()));
        let probs = [0.1, 0.9, 0.8, 0.2, 0.7, 0.1, 0.1, 0.9];
        let spans = spans_from_probs(&tokens, &probs);
        let texts: Vec<&str> = spans.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(texts, vec!["fous incapables de vivre"]);
        let probs = [0.1, 0.3, 0.35, 0.1, 0.1, 0.1, 0.1, 0.1];
        let spans = spans_from_probs(&tokens, &probs);
        assert_eq!(&t[spans[0].start..spans[0].end], "fous incapables");
    }

    #[test]
    fn an_elided_article_alone_is_no_evidence() {
        let t = "la lâcheté des dirigeants face à l’Ukraine abandonnée .";
        let (tokens, _) = token_features(t, Span::new(0, t.len()));
        let words: Vec<&str> = tokens
            .iter()
            .map(|k| &t[k.span.start..k.span.end])
            .collect();
        let at = |w: &str| words.iter().position(|x| *x == w).unwrap();
        let mut probs = vec![0.1; tokens.len()];
        probs[at("lâcheté")] = 0.9;
        probs[at("l’")] = 0.9;
        let spans = spans_from_probs(&tokens, &probs);
        let texts: Vec<&str> = spans.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(texts, vec!["lâcheté"], "{words:?}");
        // Alone, it is shown with the word it introduces.
        probs[at("lâcheté")] = 0.1;
        let spans = spans_from_probs(&tokens, &probs);
        let texts: Vec<&str> = spans.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(texts, vec!["l’Ukraine"]);
    }
}
