//! Numeric claims: every sentence that states a quantity, with what is
//! counted (subject), how exactly (approximation), per what period (rate),
//! when (time), how sure (hedge), and who says so (source).

//!
//! `lexicon.rs` (word lists), `gazetteer.rs` (named groups), `subject.rs`
//! (what is counted), `source.rs` (who says so), `time.rs` (when); this file
//! assembles claims per sentence.

use crate::document::{BlockKind, Document, Span};
use crate::numbers::{find_numbers, Approximation, NumberKind, NumberMatch, NumberOptions};
use crate::segment::{fold, lower_aligned, tokenize, Token, TokenKind};
use crate::stage::{Stage, StageError};

mod gazetteer;
mod lexicon;
pub mod role;
mod source;
mod subject;
mod time;
pub mod worthiness;

use gazetteer::*;
use lexicon::*;
use source::*;
use subject::*;
use time::*;

pub(crate) use source::attributions;
pub use subject::stem;

/// True for a demonym ("français", "ukrainien", "nord-coréen"): a whole
/// population, too vague a counted thing to compare figures on.
pub fn is_demonym_word(word: &str) -> bool {
    gazetteer::is_demonym(word)
}

pub use crate::document::{Attribution, Claim, SourceKind, TimeRef};

/// Claims of one block, given its sentences and language.
pub fn block_claims(
    text: &str,
    block: Span,
    block_index: usize,
    sentences: &[Span],
    lang: &str,
) -> Vec<Claim> {
    let numbers = find_numbers(
        &text[block.start..block.end],
        lang,
        NumberOptions::default(),
    );
    let mut out = Vec::new();
    let mut previous_sentence: Option<Span> = None;
    for &sentence in sentences.iter().filter(|s| block.contains(**s)) {
        let quantities: Vec<NumberMatch> = numbers
            .iter()
            .filter(|m| {
                let s = block.start + m.span.start;
                sentence.start <= s && s < sentence.end
            })
            .map(|m| NumberMatch {
                span: Span::new(block.start + m.span.start, block.start + m.span.end),
                ..m.clone()
            })
            .collect();
        // The figures a claim can be made of (dates and ordinals only
        // qualify them).
        let figures: Vec<&NumberMatch> = quantities
            .iter()
            .filter(|m| !matches!(m.kind, NumberKind::Date | NumberKind::Ordinal))
            .collect();
        if !figures.is_empty() {
            // Sources are looked for only where a claim needs one.
            let mut sources = attributions(text, sentence);
            if sources.is_empty() {
                if let Some(prev) = previous_sentence {
                    let first = fold(
                        text[sentence.start..sentence.end]
                            .split_whitespace()
                            .next()
                            .unwrap_or(""),
                    );
                    let continues = matches!(
                        first.as_str(),
                        "il" | "elle"
                            | "ils"
                            | "elles"
                            | "ces"
                            | "cette"
                            | "ce"
                            | "celui-ci"
                            | "it"
                            | "they"
                            | "he"
                            | "she"
                            | "these"
                            | "this"
                            | "moreover"
                            | "also"
                            | "furthermore"
                    );
                    if continues {
                        if let Some(a) = attributions(text, prev).into_iter().next() {
                            sources.push(Attribution {
                                inherited: true,
                                ..a
                            });
                        }
                    }
                }
            }
            let dates: Vec<&NumberMatch> = quantities
                .iter()
                .filter(|m| m.kind == NumberKind::Date)
                .collect();
            let rates = find_all(&RATE_AC, text, sentence);
            let hedges = find_all(&HEDGE_AC, text, sentence);
            let ctx = Ctx::new(text, sentence);
            out.extend(
                figures
                    .iter()
                    .map(|m| {
                        claim(
                            text,
                            sentence,
                            block_index,
                            m,
                            &ctx,
                            &rates,
                            &hedges,
                            &Times {
                                dates: &dates,
                                figures: &figures,
                            },
                            &sources,
                        )
                    })
                    .filter(counts_something),
            );
        }
        previous_sentence = Some(sentence);
    }
    out
}

/// Where the clause holding byte `at` starts: after the last of
/// `boundaries` between `from` and `at` (skipped by its length: a dash is
/// three bytes), else `from`.
fn clause_start(text: &str, from: usize, at: usize, boundaries: &[char]) -> usize {
    text.get(from..at)
        .and_then(|s| s.char_indices().rev().find(|(_, c)| boundaries.contains(c)))
        .map_or(from, |(i, c)| from + i + c.len_utf8())
}

/// The dates of a sentence and its other figures, to attach each date to
/// the figure it belongs to.
struct Times<'a> {
    dates: &'a [&'a NumberMatch],
    figures: &'a [&'a NumberMatch],
}

impl Times<'_> {
    /// The date of figure `number`: a date before it scopes over what
    /// follows up to the next date ("En 2022, 15 000 morts et 20 000
    /// blessés"); a date after it belongs to it only if no other figure
    /// stands between ("un contingent de 6 000 soldats, portant le total à
    /// 30 000 hommes d'ici la fin 2025": the date is the 30 000's).
    fn of(&self, number: Span) -> Option<&NumberMatch> {
        self.dates
            .iter()
            .filter(|d| {
                if d.span.end <= number.start {
                    !self
                        .dates
                        .iter()
                        .any(|o| o.span.start >= d.span.end && o.span.end <= number.start)
                } else if d.span.start >= number.end {
                    !self
                        .figures
                        .iter()
                        .any(|f| f.span.start >= number.end && f.span.end <= d.span.start)
                } else {
                    false
                }
            })
            .min_by_key(|d| d.span.start.abs_diff(number.start))
            .copied()
    }
}

/// A claim needs a counted thing: a bare figure with no subject and no unit
/// ("les trois autres", "par milliers") is kept only as a share or money.
fn counts_something(c: &Claim) -> bool {
    c.subject.is_some()
        || c.unit.is_some()
        || matches!(
            c.kind,
            NumberKind::Percent | NumberKind::Fraction | NumberKind::Currency
        )
}

/// One claim from a number of a sentence and what surrounds it.
#[allow(clippy::too_many_arguments)]
fn claim(
    text: &str,
    sentence: Span,
    block_index: usize,
    m: &NumberMatch,
    ctx: &Ctx,
    rates: &[Span],
    hedges: &[Span],
    times: &Times,
    sources: &[Attribution],
) -> Claim {
    {
        {
            let (subject, subject_key) = match ctx.subject_after(m.span.end) {
                Some((s, k)) if words_between(text, m.span.end, s.start) <= 2 => (Some(s), Some(k)),
                _ => (None, None),
            };
            let end = subject.map_or(m.span.end, |s| s.end);
            // The rate nearest the number, within a few words.
            let per = rates
                .iter()
                .filter(|r| {
                    let gap = if r.start >= end {
                        words_between(text, end, r.start)
                    } else if r.end <= m.span.start {
                        words_between(text, r.end, m.span.start)
                    } else {
                        99
                    };
                    gap <= 3
                })
                .min_by_key(|r| r.start.abs_diff(m.span.start))
                .copied();
            let per_label = per.map(|r| {
                let found = fold(&text[r.start..r.end]);
                RATES
                    .iter()
                    .find(|(p, _)| fold(p) == found)
                    .map_or("", |(_, l)| *l)
                    .to_string()
            });
            let time = times.of(m.span).map(|d| time_ref(text, sentence, d));
            let hedge = hedges
                .iter()
                .min_by_key(|h| h.start.abs_diff(m.span.start))
                .copied();
            let number_start = m.span.start;
            let source = sources
                .iter()
                .min_by_key(|s| s.span.start.abs_diff(m.span.start))
                .cloned();
            let group = named_group(
                text,
                sentence,
                m.span,
                subject,
                source.as_ref().map(|s| s.span),
            );
            Claim {
                span: Span::new(number_start, end),
                sentence,
                paragraph: block_index,
                number: m.span,
                value: m.value,
                value_max: m.value_max,
                kind: m.kind,
                approximation: m.approximate.unwrap_or(Approximation::Exact),
                unit: m.unit.clone(),
                subject,
                subject_key,
                group,
                per: per_label,
                per_span: per,
                time,
                hedge,
                source,
            }
        }
    }
}

fn words_between(text: &str, a: usize, b: usize) -> usize {
    if b <= a {
        return 0;
    }
    text[a..b]
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// The claims stage: every body block, title and heading.
#[derive(Debug, Default, Clone, Copy)]
pub struct Claims;

impl Stage for Claims {
    fn name(&self) -> &'static str {
        "claims"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        let lang = doc
            .language
            .as_ref()
            .map_or("fr", |l| l.code.as_str())
            .to_string();
        let mut claims = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            if b.kind == BlockKind::Byline {
                continue;
            }
            let l = b
                .language
                .as_ref()
                .map_or(lang.as_str(), |l| l.code.as_str());
            claims.extend(block_claims(&doc.text, b.span, i, &doc.sentences, l));
        }
        doc.claims = claims;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(text: &str) -> Vec<Claim> {
        let span = Span::new(0, text.len());
        let sentences = crate::segment::split_sentences(text, span);
        block_claims(text, span, 0, &sentences, "fr")
    }

    #[test]
    fn selon_sources_and_subjects() {
        let t = "Ces troupes ont causé plus de 6 000 pertes selon les services de renseignement britanniques — soit plus de la moitié des effectifs.";
        let c = claims(t);
        let main = c.iter().find(|c| c.value == 6000.0).expect("6 000");
        assert_eq!(main.approximation, Approximation::MoreThan);
        assert_eq!(
            &t[main.subject.unwrap().start..main.subject.unwrap().end],
            "pertes"
        );
        let src = main.source.as_ref().expect("source");
        assert_eq!(
            &t[src.span.start..src.span.end],
            "les services de renseignement britanniques"
        );
        assert_eq!(src.kind, SourceKind::Government);
    }

    #[test]
    fn rates_times_hedges_and_reporting_verbs() {
        let t = "L’armée russe tire sans doute un million d’obus par mois.";
        let c = claims(t);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].value, 1e6);
        assert_eq!(c[0].per.as_deref(), Some("month"));
        assert!(c[0].hedge.is_some());
        assert_eq!(
            &t[c[0].subject.unwrap().start..c[0].subject.unwrap().end],
            "obus"
        );
        let t = "Isabelle Lasserre, dans Le Figaro, nous rappelle qu’au printemps 2022, c’est une cinquantaine de pays qui ont refusé de condamner l’offensive russe.";
        let c = claims(t);
        assert_eq!(c.len(), 1, "{c:?}");
        let src = c[0].source.as_ref().expect("source");
        assert_eq!(&t[src.span.start..src.span.end], "Isabelle Lasserre");
        assert_eq!(
            &t[src.outlet.unwrap().start..src.outlet.unwrap().end],
            "Le Figaro"
        );
        assert_eq!(src.kind, SourceKind::Person);
        assert_eq!(c[0].approximation, Approximation::About);
        assert_eq!(
            c[0].time.as_ref().and_then(|t| t.date.clone()).as_deref(),
            Some("2022")
        );
        let t = "portant le total à plus de 30 000 hommes d’ici la fin 2025.";
        let c = claims(t);
        assert_eq!(
            c[0].time.as_ref().and_then(|t| t.date.clone()).as_deref(),
            Some("2025-12")
        );
        assert_eq!(c[0].subject_key.as_deref(), Some("soldat"));
    }
}
