//! The pre-pass: what is matched on the raw text before the token
//! scanner — URLs and phone numbers (excluded: their digits are no
//! figures), dates, and amounts with a currency code ("USD 20", "3,5 EUR").

use std::sync::LazyLock;

use regex::Regex;

use super::{parse_digits, words, NumberKind, NumberMatch};
use crate::document::Span;

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(?:https?://|www\.)\S+").expect("url regex"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\+\d[\d .\-()]{7,}\d|(?-u:\b)0\d(?:[ .\-]?\d{2}){4}(?-u:\b)|\(\d{3}\)\s?\d{3}-\d{4}|(?-u:\b)\d{3}-\d{3}-\d{4}(?-u:\b)").expect("phone regex")
});
static CODE_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(usd|eur|gbp|cad|aud|chf|uah|cny|jpy|rub|pln|inr|myr|mnt|rs\.?|rm|us\$|\$us)\s?(\d[\d.,]*\d|\d)|(\d[\d.,]*\d|\d)\s?((?:usd|eur|gbp|cad|aud|chf|uah|cny|jpy|rub|pln|inr|myr|mnt|rs|rm)(?-u:\b)|us\$|\$us)")
        .expect("currency code regex")
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(\d{4})-(\d{2})-(\d{2})(?-u:\b)|(?-u:\b)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?-u:\b)|(?-u:\b)(?:le\s+)?(1er|\d{1,2})\s+(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|january|february|march|april|may|june|july|august|september|october|november|december)(?:\s+(\d{4}))?(?-u:\b)|(?-u:\b)(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?-u:\b)",
    )
    .expect("date regex")
});

/// The pre-pass's matches, and the spans the scanner must not read
/// (URLs, phone numbers, and those matches).
pub(super) fn prepass(text: &str, lang: &str) -> (Vec<NumberMatch>, Vec<Span>) {
    // Every regex below needs a digit (URLs aside): skip them on text without.
    let has_digits = text.bytes().any(|b| b.is_ascii_digit());
    let has_url = text.contains("http") || text.contains("www.");
    let mut excluded: Vec<Span> = Vec::new();
    if has_url {
        excluded.extend(URL.find_iter(text).map(|m| Span::new(m.start(), m.end())));
    }
    if has_digits {
        excluded.extend(PHONE.find_iter(text).map(|m| Span::new(m.start(), m.end())));
    }
    let mut out: Vec<NumberMatch> = Vec::new();
    for c in DATE.captures_iter(text).filter(|_| has_digits) {
        let m = c
            .get(0)
            .map_or(Span::new(0, 0), |m| Span::new(m.start(), m.end()));
        let year = c
            .get(1)
            .or(c.get(6))
            .or(c.get(9))
            .or(c.get(12))
            .and_then(|y| y.as_str().parse::<f64>().ok());
        if excluded
            .iter()
            .any(|e| e.start <= m.start && m.end <= e.end)
        {
            continue;
        }
        out.push(NumberMatch {
            span: m,
            value: year.unwrap_or(0.0),
            value_max: None,
            kind: NumberKind::Date,
            unit: Some(if year.is_some() { "date" } else { "day" }.into()),
            approximate: None,
        });
        excluded.push(m);
    }
    for c in CODE_MONEY.captures_iter(text).filter(|_| has_digits) {
        let m = c
            .get(0)
            .map_or(Span::new(0, 0), |m| Span::new(m.start(), m.end()));
        if excluded.iter().any(|e| e.start < m.end && m.start < e.end) {
            continue;
        }
        let (code, digits) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(code), Some(d), _, _) | (_, _, Some(d), Some(code)) => {
                (code.as_str().to_lowercase(), d.as_str())
            }
            _ => continue,
        };
        let Some(mut value) = parse_digits(digits, lang) else {
            continue;
        };
        let unit = words::currency(code.trim_end_matches('.')).unwrap_or("USD");
        // A scale word after the amount: "US$4.7 billion".
        let mut m = m;
        let rest = &text[m.end..];
        let word_len = rest.len() - rest.trim_start().len();
        let next_word: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect();
        if let Some(scale) = words::digit_scale(&next_word.to_lowercase())
            .filter(|_| !next_word.is_empty() && next_word != "m")
        {
            value *= scale;
            m.end += word_len + next_word.len();
        }
        out.push(NumberMatch {
            span: m,
            value,
            value_max: None,
            kind: NumberKind::Currency,
            unit: Some(unit.into()),
            approximate: None,
        });
        excluded.push(m);
    }
    (out, excluded)
}
