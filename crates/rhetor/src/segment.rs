//! Sentences and tokens, aware of French and English conventions:
//! abbreviations ("M.", "Dr.", "etc."), initials, decimal commas, grouped
//! digits ("8 000"), ellipses and « guillemets ».

use crate::document::{BlockKind, Document, Span};
use crate::stage::{Stage, StageError};

/// Abbreviations (lower case, without the final period) after which a
/// period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    // French
    "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "mgr", "st", "ste", "etc", "cf",
    "p", "pp", "art", "av", "bd", "éd", "env", "ex", "fig", "hab", "janv", "févr", "avr", "juill",
    "sept", "oct", "nov", "déc", "vol", "n", "no", "nº", "réf", "tél", "vs", "gén", "col", "cdt",
    "lt", "sgt", "min", "max", "approx", "c.-à-d", "apr", "av. j.-c", "j.-c", // English
    "mr", "mrs", "ms", "prof", "sr", "jr", "gen", "gov", "sen", "rep", "rev", "hon", "capt", "sgt",
    "maj", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "aug", "sep", "dec", "e.g", "i.e",
    "u.s", "u.k", "u.n", "a.m", "p.m", "approx", "dept", "est", "fig", "mt", "ft",
    // German, Italian, Polish, Russian
    "z.b", "bzw", "usw", "ca", "nr", "dott", "sig", "ecc", "tj", "np", "itd", "ul", "dr", "г", "гг",
    "т.е", "т.д", "т.п", "им", "ст", "ул",
];

/// Splits every block into sentences.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sentences;

impl Stage for Sentences {
    fn name(&self) -> &'static str {
        "sentences"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        let mut out = Vec::new();
        for block in &doc.blocks {
            if matches!(
                block.kind,
                BlockKind::Title | BlockKind::Heading | BlockKind::Byline
            ) {
                out.push(block.span);
            } else {
                out.extend(split_sentences(&doc.text, block.span));
            }
        }
        doc.sentences = out;
        Ok(())
    }
}

fn is_closing(c: char) -> bool {
    matches!(c, '»' | '"' | '”' | '’' | '\'' | ')' | ']' | '›')
}

fn is_sentence_start(c: char) -> bool {
    c.is_uppercase()
        || c.is_ascii_digit()
        || matches!(
            c,
            '«' | '"' | '“' | '‘' | '(' | '[' | '—' | '–' | '-' | '¿' | '¡' | '‹'
        )
}

/// Sentence spans inside `span` of `text`, trimmed of whitespace.
pub fn split_sentences(text: &str, span: Span) -> Vec<Span> {
    let body = &text[span.start..span.end];
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !matches!(c, '.' | '!' | '?' | '…') {
            i += 1;
            continue;
        }
        // The whole terminal run: "?!", "...", then closing quotes.
        let mut j = i;
        while j + 1 < chars.len() && matches!(chars[j + 1].1, '.' | '!' | '?' | '…') {
            j += 1;
        }
        loop {
            if j + 1 < chars.len() && is_closing(chars[j + 1].1) {
                j += 1;
            } else if j + 2 < chars.len()
                && matches!(chars[j + 1].1, ' ' | '\u{a0}' | '\u{202f}')
                && chars[j + 2].1 == '»'
            {
                j += 2; // French closing guillemet after a space
            } else {
                break;
            }
        }
        let end = chars[j].0 + chars[j].1.len_utf8();
        let mut k = j + 1;
        let had_space = k < chars.len() && chars[k].1.is_whitespace();
        while k < chars.len() && chars[k].1.is_whitespace() {
            k += 1;
        }
        if k >= chars.len() {
            break;
        }
        let next = chars[k].1;
        // PDF text often glues an ellipsis to the next sentence ("…Les").
        let glued_ellipsis = !had_space && chars[j].1 == '…' && next.is_uppercase();
        let boundary = (had_space || glued_ellipsis)
            && is_sentence_start(next)
            && !(c == '.' && j == i && period_is_not_final(body, chars[i].0));
        if boundary {
            push_trimmed(&mut out, body, span.start, start, end);
            start = chars[k].0;
        }
        i = j + 1;
    }
    push_trimmed(&mut out, body, span.start, start, body.len());
    out
}

fn push_trimmed(out: &mut Vec<Span>, body: &str, base: usize, start: usize, end: usize) {
    let piece = &body[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let s = base + start + lead;
        out.push(Span::new(s, s + trimmed.len()));
    }
}

/// True when the period at byte `at` of `body` belongs to an abbreviation or
/// an initial rather than ending the sentence.
fn period_is_not_final(body: &str, at: usize) -> bool {
    let before = &body[..at];
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | '«' | '"' | '“' | '['))
        .map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    let mut letters = word.chars();
    // A single capital letter is an initial ("J. Smith").
    if let (Some(c), None) = (letters.next(), letters.next()) {
        if c.is_uppercase() {
            return true;
        }
    }
    // Dotted acronyms ("U.S.", "c.-à-d.").
    word.contains('.') && word.chars().filter(|c| c.is_alphabetic()).count() <= 4
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
}

/// A token: its byte span in the text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu",
    "quelqu", "all", "dall", "dell", "nell", "sull", "un",
];

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

pub(crate) fn is_group_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\u{2009}'
}

/// Tokens of `text[span]`: words (with inner hyphens and apostrophes;
/// French elisions split off: "l’" + "OTAN"), numbers (with grouped digits
/// and decimal commas: "8 000", "1,5"), and single punctuation marks.
pub fn tokenize(text: &str, span: Span) -> Vec<Token> {
    let body = &text[span.start..span.end];
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let at = |k: usize| chars.get(k).map_or(body.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let kind;
        if c.is_ascii_digit() {
            kind = TokenKind::Number;
            i += 1;
            loop {
                while i < chars.len() && chars[i].1.is_ascii_digit() {
                    i += 1;
                }
                // "8 000", "1.234", "1,5", "3'000": a separator followed by digits.
                let sep = chars.get(i).map(|x| x.1);
                let digits_after = (i + 1..chars.len())
                    .take_while(|&k| chars[k].1.is_ascii_digit())
                    .count();
                let after_end = chars.get(i + 1 + digits_after).map(|x| x.1);
                match sep {
                    Some(s)
                        if is_group_space(s)
                            && digits_after == 3
                            && !after_end.is_some_and(|c| c.is_ascii_digit()) =>
                    {
                        i += 1;
                    }
                    Some('.' | ',' | '\'' | '’') if digits_after > 0 => i += 1,
                    _ => break,
                }
            }
        } else if c.is_alphanumeric() {
            kind = TokenKind::Word;
            i += 1;
            while i < chars.len() {
                let d = chars[i].1;
                if d.is_alphanumeric() || d == '\u{301}' {
                    i += 1;
                } else if (d == '-' || is_apostrophe(d))
                    && chars.get(i + 1).is_some_and(|n| n.1.is_alphanumeric())
                {
                    if is_apostrophe(d) {
                        let word = body[at(start)..at(i)].to_lowercase();
                        if ELISIONS.contains(&word.as_str()) {
                            i += 1; // the elided article keeps its apostrophe
                            break;
                        }
                    }
                    i += 1;
                } else {
                    break;
                }
            }
        } else {
            kind = TokenKind::Punct;
            i += 1;
        }
        out.push(Token {
            span: Span::new(span.start + at(start), span.start + at(i)),
            kind,
        });
    }
    out
}

/// Lower-cases `s` for matching while keeping every byte offset valid in
/// both strings: a character whose lower case has another UTF-8 length or
/// several characters (ẞ → ß, İ → i̇, Ⱥ → ⱥ) is kept as it is. Offsets found
/// in the result can therefore slice `s` — which a plain `to_lowercase()`
/// copy does not guarantee.
pub fn lower_aligned(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_uppercase) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Lower-cases a token and folds typographic forms to plain ones
/// (’ → ', « » “ ” → ", no-break spaces → space) for matching.
pub fn fold(token: &str) -> String {
    fold_cow(token).into_owned()
}

/// [`fold`] without allocating when the token is already folded.
pub fn fold_cow(token: &str) -> std::borrow::Cow<'_, str> {
    let folded = |c: char| {
        !c.is_uppercase()
            && !matches!(
                c,
                '’' | '‘'
                    | 'ʼ'
                    | '`'
                    | '«'
                    | '»'
                    | '“'
                    | '”'
                    | '„'
                    | '\u{a0}'
                    | '\u{202f}'
                    | '\u{2009}'
                    | '–'
                    | '—'
            )
    };
    if token.chars().all(folded) {
        return std::borrow::Cow::Borrowed(token);
    }
    std::borrow::Cow::Owned(fold_chars(token))
}

fn fold_chars(token: &str) -> String {
    token
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '’' | '‘' | 'ʼ' | '`' => '\'',
            '«' | '»' | '“' | '”' | '„' => '"',
            '\u{a0}' | '\u{202f}' | '\u{2009}' => ' ',
            '–' | '—' => '-',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_aligned_keeps_byte_offsets() {
        for t in ["DIE GROẞE OFFENSIVE", "İSTANBUL ǅ Ⱥ ﬁ", "Déjà VU", "plain"] {
            let l = lower_aligned(t);
            assert_eq!(l.len(), t.len(), "{t}");
            for (i, _) in l.char_indices() {
                assert!(t.is_char_boundary(i), "{t} at {i}");
            }
        }
        assert_eq!(lower_aligned("DIE GROẞE"), "die groẞe");
        assert_eq!(lower_aligned("Déjà VU"), "déjà vu");
    }

    fn sentences(t: &str) -> Vec<&str> {
        split_sentences(t, Span::new(0, t.len()))
            .into_iter()
            .map(|s| &t[s.start..s.end])
            .collect()
    }

    #[test]
    fn french_sentences() {
        let t = "M. Dupont est arrivé. Le Dr. Martin, etc. aussi. Il a dit : « C’est fini. » Puis il est parti… Enfin 8 000 soldats, soit 1,5 % du total. J. Smith vit aux U.S. depuis 2010.";
        assert_eq!(
            sentences(t),
            vec![
                "M. Dupont est arrivé.",
                "Le Dr. Martin, etc. aussi.",
                "Il a dit : « C’est fini. »",
                "Puis il est parti…",
                "Enfin 8 000 soldats, soit 1,5 % du total.",
                "J. Smith vit aux U.S. depuis 2010."
            ]
        );
    }

    #[test]
    fn glued_ellipsis_ends_a_sentence() {
        let t = "on met beaucoup de pièces d’artillerie…Les entretiens ont duré six heures.";
        assert_eq!(
            sentences(t),
            vec![
                "on met beaucoup de pièces d’artillerie…",
                "Les entretiens ont duré six heures."
            ]
        );
    }

    #[test]
    fn english_sentences() {
        let t = "Mr. Smith said so. \"Really?\" she asked. It cost $3.50 in the U.S. Then it rose.";
        assert_eq!(
            sentences(t),
            vec![
                "Mr. Smith said so.",
                "\"Really?\" she asked.",
                "It cost $3.50 in the U.S. Then it rose."
            ]
        );
    }

    #[test]
    fn tokens() {
        let t = "l’OTAN a perdu 8 000 soldats, soit 1,5 % ; c’est-à-dire aujourd’hui.";
        let toks: Vec<&str> = tokenize(t, Span::new(0, t.len()))
            .iter()
            .map(|k| &t[k.span.start..k.span.end])
            .collect();
        assert_eq!(
            toks,
            vec![
                "l’",
                "OTAN",
                "a",
                "perdu",
                "8 000",
                "soldats",
                ",",
                "soit",
                "1,5",
                "%",
                ";",
                "c’",
                "est-à-dire",
                "aujourd’hui",
                "."
            ]
        );
    }
}
