//! Structure of plain-text articles: title, byline (a leading "Auteur: …",
//! "Par …", "By …" line or a signature at the end), headings, paragraphs.
//! HTML inputs arrive with kinds from their tags; this stage only fills in
//! what is still unknown.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{BlockKind, Document, Span};
use crate::stage::{Stage, StageError};

static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?i:auteure?|autrice|author|authors|par|by|von|di|autor|автор|écrit par|written by|texte de|réalisé par)\s*[:：]?\s+(\p{Lu}[\p{L}.'’\- ]{1,80}?)\s*$",
    )
    .expect("valid byline regex")
});

/// Fills in title, byline and heading kinds, and the document's author.
#[derive(Debug, Default, Clone, Copy)]
pub struct Structure;

impl Stage for Structure {
    fn name(&self) -> &'static str {
        "structure"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        let n = doc.blocks.len();
        if n == 0 {
            return Ok(());
        }
        let known: Vec<bool> = doc
            .blocks
            .iter()
            .map(|b| b.kind != BlockKind::Paragraph)
            .collect();
        let single_line: Vec<bool> = doc.blocks.iter().map(|b| b.line_count <= 1).collect();

        // Title: a short first line followed by more text.
        if doc.title.is_none() && !known[0] && single_line[0] && n >= 2 {
            let t = doc.slice(doc.blocks[0].span);
            if t.chars().count() <= 250 && !t.ends_with([',', ';', '-']) {
                doc.blocks[0].kind = BlockKind::Title;
                doc.title = Some(doc.blocks[0].span);
            }
        }

        // Byline near the top.
        for i in 0..n.min(5) {
            if doc.author.is_some() || doc.blocks[i].kind != BlockKind::Paragraph {
                continue;
            }
            let span = doc.blocks[i].span;
            if let Some(name) = byline_name(doc.slice(span)) {
                doc.blocks[i].kind = BlockKind::Byline;
                doc.author = Some(Span::new(span.start + name.start, span.start + name.end));
            }
        }
        // Signature at the end: a bare name on its own line.
        if doc.author.is_none() && n >= 3 && doc.blocks[n - 1].kind == BlockKind::Paragraph {
            let span = doc.blocks[n - 1].span;
            if looks_like_name(doc.slice(span)) {
                doc.blocks[n - 1].kind = BlockKind::Byline;
                doc.author = Some(span);
            }
        }

        // Headings: short lines without closing punctuation, followed by text.
        for i in 1..n.saturating_sub(1) {
            if doc.blocks[i].kind != BlockKind::Paragraph || known[i] || !single_line[i] {
                continue;
            }
            let t = doc.slice(doc.blocks[i].span);
            // A short question heads a section when a heading follows it.
            let question_heading = t.ends_with('?')
                && t.split_whitespace().count() <= 12
                && doc.blocks[i + 1].kind == BlockKind::Paragraph
                && doc.blocks[i + 1].line_count <= 1
                && looks_like_heading(doc.slice(doc.blocks[i + 1].span));
            if looks_like_heading(t) || question_heading {
                doc.blocks[i].kind = BlockKind::Heading;
            }
        }
        Ok(())
    }
}

/// The name in a byline line, as a byte range of `line`.
fn byline_name(line: &str) -> Option<std::ops::Range<usize>> {
    if line.chars().count() > 100 {
        return None;
    }
    let caps = BYLINE.captures(line)?;
    let m = caps.get(1)?;
    let words = m.as_str().split_whitespace().count();
    (1..=6).contains(&words).then(|| m.range())
}

fn looks_like_name(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    line.chars().count() <= 50
        && (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || "-'’.".contains(c))
        })
}

fn looks_like_heading(t: &str) -> bool {
    if t.len() > 480 {
        return false; // over 120 characters whatever the script
    }
    let words = t.split_whitespace().count();
    t.chars().count() <= 120
        && (1..=16).contains(&words)
        && !t.ends_with(['.', ',', ';', ':', '!', '?', '…', '»', '"', '”', ')'])
        && t.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines() {
        let line = "Auteur: Maxime Marquette";
        let r = byline_name(line).unwrap();
        assert_eq!(&line[r], "Maxime Marquette");
        let line = "Par Jean-Pierre Dupont";
        assert_eq!(&line[byline_name(line).unwrap()], "Jean-Pierre Dupont");
        assert!(byline_name("Par conséquent, munitions et missiles sont les bienvenus.").is_none());
        assert!(looks_like_name("Jacques Guillemain"));
        assert!(!looks_like_name("Beau bilan."));
    }
}
