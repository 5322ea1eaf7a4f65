//! Human corrections from a store as extra training articles for the fast
//! tier (`rhetor train --corrections --db …`): a corrected document's
//! paragraphs take the techniques the annotator gave them (a paragraph
//! given none is a negative), its marked words become evidence spans, its
//! genre and frames replace the model's.

use std::path::Path;

use crate::document::Span;
use crate::output::Analysis;
use crate::semeval::{label_index, text_article, LabelledArticle, FRAMES, GENRES, TECHNIQUES};
use crate::Pipeline;

/// What the corrections contributed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Used {
    pub documents: usize,
    pub corrections: usize,
    pub paragraphs: usize,
    pub spans: usize,
    pub genres: usize,
    pub frame_sets: usize,
}

/// Byte offset of code point `c` in `text`.
fn byte_of(text: &str, c: usize) -> usize {
    text.char_indices().nth(c).map_or(text.len(), |(b, _)| b)
}

/// Training articles from the analyses that carry corrections.
pub fn articles(analyses: &[Analysis]) -> (Vec<LabelledArticle>, Used) {
    let pipeline = Pipeline::default();
    let mut out = Vec::new();
    let mut used = Used::default();
    for a in analyses.iter().filter(|a| !a.corrections.is_empty()) {
        let Ok(doc) = pipeline.run(text_article(Path::new(&a.source.path), a.text.clone())) else {
            continue;
        };
        let lang = a
            .language
            .as_ref()
            .map_or("fr", |l| l.code.as_str())
            .to_string();
        // The analysis' paragraphs and the re-read document's blocks, by text.
        let block_of = |char_start: usize| -> Option<usize> {
            let p = a
                .paragraphs
                .iter()
                .find(|p| p.start <= char_start && char_start < p.end.max(p.start + 1))?;
            doc.blocks.iter().position(|b| doc.slice(b.span) == p.text)
        };
        let mut labelled: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut spans = Vec::new();
        let (mut genre, mut frames): (Option<usize>, Option<Vec<usize>>) = (None, None);
        let mut any_paragraph = false;
        for c in &a.corrections {
            match c.kind.as_str() {
                "paragraph" => {
                    let (Some(start), Some(t)) = (c.start, label_index(&TECHNIQUES, &c.label))
                    else {
                        continue;
                    };
                    let Some(b) = block_of(start) else { continue };
                    any_paragraph = true;
                    match labelled.iter_mut().find(|(i, _)| *i == b) {
                        Some((_, ts)) if !ts.contains(&t) => ts.push(t),
                        Some(_) => {}
                        None => labelled.push((b, vec![t])),
                    }
                }
                "technique_span" => {
                    let (Some(s), Some(e), Some(t)) =
                        (c.start, c.end, label_index(&TECHNIQUES, &c.label))
                    else {
                        continue;
                    };
                    let (bs, be) = (byte_of(&doc.text, s), byte_of(&doc.text, e));
                    if bs < be && doc.text.get(bs..be) == c.text.as_deref() {
                        spans.push((t, Span::new(bs, be)));
                    }
                }
                "genre" => {
                    let Some(g) = label_index(&GENRES, &c.label) else {
                        continue;
                    };
                    genre = Some(g);
                }
                "frame" => {
                    let Some(f) = label_index(&FRAMES, &c.label) else {
                        continue;
                    };
                    let set = frames.get_or_insert_with(Vec::new);
                    if !set.contains(&f) {
                        set.push(f);
                    }
                }
                _ => continue,
            }
            used.corrections += 1;
        }
        let paragraphs = if any_paragraph {
            // Reviewed: every body paragraph is labelled, most with nothing.
            (0..doc.blocks.len())
                .filter(|&i| crate::classify::classifies(doc.blocks[i].kind))
                .map(|i| {
                    let ts = labelled
                        .iter()
                        .find(|(b, _)| *b == i)
                        .map(|(_, ts)| ts.clone())
                        .unwrap_or_default();
                    (i, ts)
                })
                .collect()
        } else {
            Vec::new()
        };
        used.documents += 1;
        used.paragraphs += paragraphs.len();
        used.spans += spans.len();
        used.genres += usize::from(genre.is_some());
        used.frame_sets += usize::from(frames.is_some());
        out.push(LabelledArticle {
            lang,
            id: format!("correction-{}", a.id),
            doc,
            paragraphs,
            frames,
            genre,
            spans,
        });
    }
    (out, used)
}
