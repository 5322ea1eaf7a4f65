//! The number recogniser: digits in every grouping style, number words and
//! compounds, fractions, approximate counts, ordinals, percentages, money,
//! durations, ranges and dates — and what is *not* a number: names such as
//! "KN-23", "G20", "Article 5", phone numbers, the digits inside URLs.
//!
//! In order: `prepass.rs` (URLs and phones excluded, dates, currency codes,
//! on the raw text), `scanner.rs` (token by token: digits, number words,
//! ordinals, money, durations), `spoken.rs` (forms written out: fractions,
//! "et demi", decimals in words, the French long scale), `merges.rs`
//! (cents, ranges, compound durations, approximation words); `words.rs` is
//! the lexicon. This file holds the types and `find_numbers`, which runs
//! them.

mod merges;
mod prepass;
mod scanner;
mod spoken;
pub mod words;

use merges::{merge_cents, merge_durations, merge_ranges, with_approximation};

use serde::{Deserialize, Serialize};

use crate::document::Span;

/// What a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    Number,
    Ordinal,
    Percent,
    Currency,
    Duration,
    Fraction,
    Date,
}

/// A number found in a text (byte offsets).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberMatch {
    pub span: Span,
    pub value: f64,
    /// Upper bound of a range ("entre 10 000 et 12 000", "de dix à vingt").
    pub value_max: Option<f64>,
    pub kind: NumberKind,
    /// Currency code, time grain, "%" or "year".
    pub unit: Option<String>,
    /// An approximate count word ("une cinquantaine", "des milliers").
    pub approximate: Option<Approximation>,
}

/// How exact a stated quantity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approximation {
    Exact,
    About,
    MoreThan,
    LessThan,
    AtLeast,
    AtMost,
}

/// Recognition options.
#[derive(Debug, Clone, Copy, Default)]
pub struct NumberOptions {
    /// Treat a lone "un"/"une"/"one"/"a" as 1 (only sensible when the text
    /// is nothing but that number, as in test corpora).
    pub lone_articles: bool,
}

/// Languages that write decimals with a comma.
fn comma_decimal(lang: &str) -> bool {
    !matches!(lang, "en")
}

/// Value of a digit token in the given language's conventions.
pub fn parse_digits(s: &str, lang: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '’'))
        .collect();
    let seps: Vec<(usize, char)> = cleaned
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    let normal: String = match seps.len() {
        0 => cleaned,
        1 => {
            let (pos, sep) = seps[0];
            let after = cleaned.len() - pos - 1;
            let grouping = after == 3
                && match sep {
                    ',' => !comma_decimal(lang),
                    _ => {
                        comma_decimal(lang)
                            && cleaned[..pos].len() <= 3
                            && !cleaned.starts_with('0')
                    }
                };
            if grouping {
                cleaned.replace(sep, "")
            } else {
                cleaned.replace(sep, ".")
            }
        }
        _ => {
            // Several separators: the last one is decimal if it differs from
            // the others ("1.234,5", "100,000.0"); else all are grouping.
            let last = seps[seps.len() - 1].1;
            if seps[..seps.len() - 1].iter().all(|(_, c)| *c != last) {
                let (pos, _) = seps[seps.len() - 1];
                let int: String = cleaned[..pos]
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                format!("{int}.{}", &cleaned[pos + 1..])
            } else {
                cleaned.chars().filter(char::is_ascii_digit).collect()
            }
        }
    };
    normal.parse().ok()
}

/// Finds the numbers of `text` written in `lang` (ISO 639-1).
pub fn find_numbers(text: &str, lang: &str, opts: NumberOptions) -> Vec<NumberMatch> {
    let (mut out, excluded) = prepass::prepass(text, lang);
    out.extend(scanner::scan(text, lang, opts, excluded));
    out.sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    // Overlaps cannot survive: keep the earlier, longer match.
    let mut kept: Vec<NumberMatch> = Vec::with_capacity(out.len());
    for m in out {
        if kept.last().is_none_or(|k| k.span.end <= m.span.start) {
            kept.push(m);
        }
    }
    let mut kept = spoken::merge(text, lang, merge_cents(text, kept));
    // The passes keep matches sorted and disjoint; should one fail to, the
    // later of two overlapping matches goes rather than a slice across them.
    let mut end = 0;
    kept.retain(|m| {
        let keep = m.span.start >= end && m.span.start <= m.span.end;
        if keep {
            end = m.span.end;
        }
        keep
    });
    let out = merge_durations(text, merge_ranges(text, kept));
    out.into_iter()
        .map(|m| with_approximation(text, m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, lang: &str) -> NumberMatch {
        let found = find_numbers(
            text,
            lang,
            NumberOptions {
                lone_articles: true,
            },
        );
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
        found.into_iter().next().unwrap()
    }

    #[test]
    fn digits_in_every_style() {
        assert_eq!(parse_digits("8 000", "fr"), Some(8000.0));
        assert_eq!(parse_digits("8\u{202f}000", "fr"), Some(8000.0));
        assert_eq!(parse_digits("1,5", "fr"), Some(1.5));
        assert_eq!(parse_digits("1.500", "de"), Some(1500.0));
        assert_eq!(parse_digits("1,500", "en"), Some(1500.0));
        assert_eq!(parse_digits("2.75", "en"), Some(2.75));
        assert_eq!(parse_digits("1.234,5", "de"), Some(1234.5));
        assert_eq!(parse_digits("100,000.0", "en"), Some(100000.0));
        assert_eq!(parse_digits("3'000", "de"), Some(3000.0));
        assert_eq!(parse_digits("0,75", "fr"), Some(0.75));
    }

    #[test]
    fn words_and_kinds() {
        assert_eq!(one("trente mille", "fr").value, 30000.0);
        assert_eq!(one("quatre-vingt-dix", "fr").value, 90.0);
        assert_eq!(one("soixante et onze", "fr").value, 71.0);
        assert_eq!(one("un million", "fr").value, 1e6);
        assert_eq!(one("1,5 milliard", "fr").value, 1.5e9);
        assert_eq!(one("two hundred and five", "en").value, 205.0);
        assert_eq!(one("la moitié", "fr").value, 0.5);
        assert!((one("deux tiers", "fr").value - 2.0 / 3.0).abs() < 1e-9);
        let m = one("une cinquantaine", "fr");
        assert_eq!((m.value, m.approximate), (50.0, Some(Approximation::About)));
        let m = one("des milliers", "fr");
        assert_eq!(
            (m.value, m.approximate),
            (1000.0, Some(Approximation::AtLeast))
        );
        assert_eq!(one("troisième", "fr").kind, NumberKind::Ordinal);
        let m = one("38e", "fr");
        assert_eq!((m.value, m.kind), (38.0, NumberKind::Ordinal));
        let m = one("XXIe", "fr");
        assert_eq!((m.value, m.kind), (21.0, NumberKind::Ordinal));
        let m = one("50 %", "fr");
        assert_eq!((m.value, m.kind), (50.0, NumberKind::Percent));
        assert_eq!(one("cinquante pour cent", "fr").kind, NumberKind::Percent);
        let m = one("114 milliards d’euros", "fr");
        assert_eq!(
            (m.value, m.kind, m.unit.as_deref()),
            (114e9, NumberKind::Currency, Some("EUR"))
        );
        let m = one("$10", "en");
        assert_eq!((m.value, m.unit.as_deref()), (10.0, Some("Dollar")));
        let m = one("six heures", "fr");
        assert_eq!(
            (m.value, m.kind, m.unit.as_deref()),
            (6.0, NumberKind::Duration, Some("hour"))
        );
        let found = find_numbers("six ou dix mois", "fr", NumberOptions::default());
        let read: Vec<(f64, Option<&str>)> =
            found.iter().map(|m| (m.value, m.unit.as_deref())).collect();
        assert_eq!(read, vec![(6.0, Some("month")), (10.0, Some("month"))]);
        let m = one("entre 10 000 et 12 000", "fr");
        assert_eq!((m.value, m.value_max), (10000.0, Some(12000.0)));
        let m = one("en 2014", "fr");
        assert_eq!((m.value, m.kind), (2014.0, NumberKind::Date));
    }

    #[test]
    fn names_are_not_numbers() {
        for text in [
            "les missiles KN-23 et KN-24",
            "le G20 en Inde",
            "L'Article 5 de l'OTAN",
            "appelez le 01 23 45 67 89",
            "https://fr.sputniknews.africa/20230913/x-1062087010.html",
            "le COVID-19",
            "des F-16",
        ] {
            let found: Vec<NumberMatch> = find_numbers(text, "fr", NumberOptions::default())
                .into_iter()
                .filter(|m| m.kind != NumberKind::Date)
                .collect();
            assert!(found.is_empty(), "{text}: {found:?}");
        }
        assert!(find_numbers("une visite en Corée", "fr", NumberOptions::default()).is_empty());
    }
}
