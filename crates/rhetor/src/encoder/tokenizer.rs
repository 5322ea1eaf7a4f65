//! XLM-R's SentencePiece unigram tokenizer, as multilingual-e5 uses it:
//! the file's normalisation table per code point, runs of spaces collapsed,
//! a leading "▁" and every space turned into "▁", then the most probable
//! segmentation (Viterbi over piece log-probabilities) with a single-char
//! unknown piece as the fallback. Ids must equal the reference engine's, so
//! the search order and the f32 arithmetic follow it exactly.

use std::collections::HashMap;

use super::format::Vocabulary;

const METASPACE: char = '\u{2581}';

#[derive(Debug, Clone)]
pub struct Tokenizer {
    ids: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    normalisation: HashMap<u32, Vec<u32>>,
    unk: u32,
    unk_score: f32,
    max_piece_bytes: usize,
    pub bos: u32,
    pub eos: u32,
}

impl Tokenizer {
    pub fn new(v: Vocabulary) -> Self {
        let mut ids = HashMap::with_capacity(v.pieces.len());
        let mut max_piece_bytes = 1;
        let mut min_score = f32::INFINITY;
        for (i, (piece, &score)) in v.pieces.into_iter().zip(&v.scores).enumerate() {
            min_score = min_score.min(score);
            max_piece_bytes = max_piece_bytes.max(piece.len());
            if !piece.is_empty() {
                // The first of duplicate pieces wins, as in the reference.
                ids.entry(piece).or_insert(i as u32);
            }
        }
        Tokenizer {
            ids,
            scores: v.scores,
            normalisation: v.normalisation,
            unk: v.unk,
            unk_score: min_score - 10.0,
            max_piece_bytes,
            bos: v.bos,
            eos: v.eos,
        }
    }

    /// The normalised text the pieces are matched against.
    pub fn normalise(&self, text: &str) -> String {
        self.normalise_aligned(text).0
    }

    /// [`Tokenizer::normalise`], with the byte range of `text` each
    /// normalised character comes from (the leading "▁" an empty one at 0;
    /// every character a table entry expands into shares its source's).
    pub fn normalise_aligned(&self, text: &str) -> (String, Vec<(usize, usize)>) {
        let mut chars: Vec<(char, usize, usize)> = Vec::with_capacity(text.len());
        for (at, c) in text.char_indices() {
            let end = at + c.len_utf8();
            match self.normalisation.get(&(c as u32)) {
                None => chars.push((c, at, end)),
                Some(out) => chars.extend(
                    out.iter()
                        .filter_map(|&cp| char::from_u32(cp))
                        .map(|c| (c, at, end)),
                ),
            }
        }
        let mut out = String::with_capacity(text.len() + 3);
        let mut origin = Vec::with_capacity(chars.len() + 1);
        if chars.first().map(|c| c.0) != Some(' ') {
            out.push(METASPACE);
            origin.push((0, 0));
        }
        let mut prev_space = false;
        for (c, at, end) in chars {
            if c == ' ' {
                if prev_space {
                    continue;
                }
                prev_space = true;
                out.push(METASPACE);
            } else {
                prev_space = false;
                out.push(c);
            }
            origin.push((at, end));
        }
        (out, origin)
    }

    /// Content piece ids of `text` (no `<s>`/`</s>`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let norm = self.normalise(text);
        self.segment(&norm).into_iter().map(|p| p.0).collect()
    }

    /// [`Tokenizer::encode`], with the byte range of `text` each piece
    /// covers (a piece's "▁" covers the space before its word).
    pub fn encode_aligned(&self, text: &str) -> Vec<(u32, std::ops::Range<usize>)> {
        let (norm, origin) = self.normalise_aligned(text);
        self.segment(&norm)
            .into_iter()
            .map(|(id, from, to)| {
                let start = origin.get(from).map_or(text.len(), |o| o.0);
                let end = to
                    .checked_sub(1)
                    .and_then(|last| origin.get(last))
                    .map_or(start, |o| o.1)
                    .max(start);
                (id, start..end)
            })
            .collect()
    }

    /// The most probable segmentation of normalised text: (piece id, first
    /// character, end character) per piece.
    fn segment(&self, norm: &str) -> Vec<(u32, usize, usize)> {
        let bytes = norm.as_bytes();
        let starts: Vec<usize> = norm
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(norm.len()))
            .collect();
        let n = starts.len() - 1;
        const NONE: f32 = -1e30;
        let mut best = vec![NONE; n + 1];
        // (piece id or u32::MAX for unknown, start char)
        let mut back = vec![(u32::MAX, 0usize); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            let from = starts[i];
            for e in i + 1..=n {
                let len = starts[e] - from;
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.ids.get(&bytes[from..starts[e]]) {
                    if id != self.unk {
                        let score = best[i] + self.scores[id as usize];
                        if score > best[e] {
                            best[e] = score;
                            back[e] = (id, i);
                        }
                    }
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                best[i + 1] = score;
                back[i + 1] = (u32::MAX, i);
            }
        }
        let mut pieces = Vec::new();
        let mut i = n;
        while i > 0 {
            let (id, from) = back[i];
            pieces.push((if id == u32::MAX { self.unk } else { id }, from, i));
            i = from;
        }
        pieces.reverse();
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Tokenizer {
        let pieces = [
            "<s>", "<pad>", "</s>", "<unk>", "▁", "▁le", "▁chat", "c", "h", "a", "t", "▁l", "e",
        ];
        let scores = [
            0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -4.0, -5.0, -5.0, -5.0, -5.0, -4.0, -4.0,
        ];
        let mut normalisation = HashMap::new();
        normalisation.insert('\n' as u32, vec![' ' as u32]);
        normalisation.insert(0xAD, vec![]); // soft hyphen dropped
        Tokenizer::new(Vocabulary {
            pieces: pieces
                .iter()
                .map(|p| p.as_bytes().to_vec().into_boxed_slice())
                .collect(),
            scores: scores.to_vec(),
            bos: 0,
            eos: 2,
            unk: 3,
            normalisation,
        })
    }

    #[test]
    fn best_segmentation_wins() {
        let t = toy();
        assert_eq!(t.normalise("le\n\nchat"), "▁le▁chat");
        assert_eq!(t.encode("le chat"), vec![5, 6]);
        assert_eq!(t.encode("le  cha\u{AD}t"), vec![5, 6]);
        // Unknown characters become one <unk> each.
        assert_eq!(t.encode("le zz"), vec![5, 4, 3, 3]);
        assert_eq!(t.encode(""), vec![4]);
    }

    #[test]
    fn pieces_know_where_they_come_from() {
        let t = toy();
        let text = "le\n\nchat";
        let pieces = t.encode_aligned(text);
        let spans: Vec<&str> = pieces.iter().map(|(_, r)| &text[r.clone()]).collect();
        assert_eq!(pieces.iter().map(|p| p.0).collect::<Vec<_>>(), vec![5, 6]);
        // "▁le" has no space before it; "▁chat" covers the line breaks its
        // "▁" stands for (the second collapsed into the first).
        assert_eq!(spans, vec!["le", "\n\nchat"]);
        let text = "cha\u{AD}t";
        let spans: Vec<&str> = t
            .encode_aligned(text)
            .iter()
            .map(|(_, r)| &text[r.clone()])
            .collect();
        assert_eq!(spans, vec!["cha\u{AD}t"]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_valid_ids_and_spaces_do_not_matter(text in "\\PC{0,60}") {
            let t = toy();
            let ids = t.encode(&text);
            proptest::prop_assert!(!ids.is_empty());
            proptest::prop_assert!(ids.iter().all(|&id| (id as usize) < t.scores.len()));
            let spaced = text.replace(' ', "   ");
            proptest::prop_assert_eq!(t.encode(&spaced), ids.clone());
            let aligned = t.encode_aligned(&text);
            proptest::prop_assert_eq!(aligned.iter().map(|p| p.0).collect::<Vec<_>>(), ids);
            let mut last = 0;
            for (_, r) in &aligned {
                proptest::prop_assert!(r.start >= last && r.end <= text.len());
                proptest::prop_assert!(text.get(r.clone()).is_some());
                last = r.start;
            }
        }
    }
}
