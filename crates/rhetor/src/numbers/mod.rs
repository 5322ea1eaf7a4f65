//! The number recogniser: digits in every grouping style, number words and
//! compounds, fractions, approximate counts, ordinals, percentages, money,
//! durations, ranges and dates — and what is *not* a number: names such as
//! "KN-23", "G20", "Article 5", phone numbers, the digits inside URLs.

mod spoken;
pub mod words;

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::document::Span;
use std::borrow::Cow;

use crate::segment::{fold_cow, lower_aligned, tokenize, Token, TokenKind};

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
    let tokens: Vec<Token> = tokenize(text, Span::new(0, text.len()));
    // Tokens inside URLs, phone numbers and matches made above stay in the
    // sequence as barriers, so nothing is joined across them.
    excluded.sort_unstable();
    let folded: Vec<Cow<str>> = tokens
        .iter()
        .map(|t| {
            // Excluded spans are sorted: only those starting before the token end matter.
            let upto = excluded.partition_point(|e| e.start < t.span.end);
            if excluded[..upto]
                .iter()
                .rev()
                .take(8)
                .any(|e| t.span.start < e.end)
            {
                Cow::Borrowed(BARRIER)
            } else {
                fold_cow(&text[t.span.start..t.span.end])
            }
        })
        .collect();
    let s = Scanner {
        text,
        lang,
        tokens: &tokens,
        words: &folded,
        opts,
    };
    let mut i = 0;
    while i < tokens.len() {
        if folded[i] == BARRIER {
            i += 1;
            continue;
        }
        match s.at(i) {
            Some((m, next)) => {
                out.push(m);
                i = next;
            }
            None => i += 1,
        }
    }
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

/// Seconds in a time grain, to add durations of different units.
fn grain_seconds(grain: &str) -> Option<f64> {
    Some(match grain {
        "second" => 1.0,
        "minute" => 60.0,
        "hour" => 3600.0,
        "day" => 86_400.0,
        "week" => 604_800.0,
        "fortnight" => 1_209_600.0,
        "month" => 2_592_000.0,
        "quarter" => 7_776_000.0,
        "year" => 31_536_000.0,
        "decade" => 315_360_000.0,
        "century" => 3_153_600_000.0,
        _ => return None,
    })
}

/// The first word of `rest`, lower-cased (letters only), and its byte end.
fn first_word(rest: &str) -> Option<(String, usize)> {
    let start = rest.len() - rest.trim_start().len();
    let word: String = rest[start..]
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    (!word.is_empty()).then(|| (word.to_lowercase(), start + word.len()))
}

/// Durations as newspapers write them: "half an hour", "1/2 day", "an hour
/// and a half", "2 years and 3 months", "1 hour thirty", "une heure et
/// demie" — one duration each, in the smallest unit named.
fn merge_durations(text: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
    let mut out: Vec<NumberMatch> = Vec::with_capacity(matches.len());
    for mut m in matches {
        // Swallowed by the duration before ("an hour and a half").
        if out
            .last()
            .is_some_and(|p: &NumberMatch| p.span.end > m.span.start)
        {
            continue;
        }
        // "half hour", "1/2 h", "demi-journée": a fraction before a time unit.
        if m.kind == NumberKind::Fraction && m.value < 1.0 {
            if let Some((w, end)) = text.get(m.span.end..).and_then(first_word) {
                // "half an hour": "an" is the article there, not French "an".
                if let Some(grain) =
                    words::time_unit(&w).filter(|_| !matches!(w.as_str(), "an" | "a" | "s"))
                {
                    let glued = end == w.len();
                    if w.chars().count() > 2 || glued || text[m.span.end..].starts_with(' ') {
                        m.kind = NumberKind::Duration;
                        m.unit = Some(grain.into());
                        m.span.end += end;
                    }
                }
            }
        }
        if m.kind == NumberKind::Duration {
            // "half an hour", "half a day", "une demi-heure".
            let before = lower_aligned(text.get(..m.span.start).unwrap_or("")).into_owned();
            let trimmed = before.trim_end();
            for lead in ["half", "a half", "demi", "une demi", "une demie"] {
                if let Some(head) = trimmed.strip_suffix(lead) {
                    if head
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric())
                        && m.value == 1.0
                    {
                        m.value = 0.5;
                        m.span.start = head.len();
                        // "half" alone was a fraction match: it is part of this one now.
                        while out
                            .last()
                            .is_some_and(|p: &NumberMatch| p.span.end > m.span.start)
                        {
                            out.pop();
                        }
                        break;
                    }
                }
            }
            // "an hour and a half", "deux heures et demie".
            let after = lower_aligned(text.get(m.span.end..).unwrap_or("")).into_owned();
            for tail in [
                " and a half",
                " and an half",
                " and half",
                " et demi",
                " et demie",
                " und halb",
            ] {
                if after.starts_with(tail)
                    && after[tail.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
                {
                    m.value += 0.5;
                    m.span.end += tail.len();
                    break;
                }
            }
        }
        if let Some(prev) = out.last_mut() {
            let between =
                lower_aligned(text.get(prev.span.end..m.span.start).unwrap_or("")).into_owned();
            let joined = matches!(
                between.trim(),
                "" | "," | "and" | ", and" | "et" | ", et" | "und"
            );
            if prev.kind == NumberKind::Duration && joined {
                let prev_s = prev.unit.as_deref().and_then(grain_seconds);
                // "2 years and 3 months", "1 hour fifteen seconds".
                let unit_s = m.unit.as_deref().and_then(grain_seconds);
                // "1 hour thirty", "2 hours ten": minutes after hours.
                let bare_minutes = m.kind == NumberKind::Number
                    && m.unit.is_none()
                    && m.value > 0.0
                    && m.value < 60.0
                    && prev.unit.as_deref() == Some("hour")
                    && text[m.span.end..]
                        .trim_start()
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric());
                let (add, smaller) = match (m.kind, unit_s) {
                    (NumberKind::Duration, Some(u)) => (Some(m.value * u), m.unit.clone()),
                    _ if bare_minutes => (Some(m.value * 60.0), Some("minute".to_string())),
                    _ => (None, None),
                };
                if let (Some(mut ps), Some(add), Some(smaller)) = (prev_s, add, smaller) {
                    let small_s = grain_seconds(&smaller).unwrap_or(1.0);
                    // Years with months count twelve months to the year.
                    if prev.unit.as_deref() == Some("year")
                        && matches!(smaller.as_str(), "month" | "quarter")
                    {
                        ps = 12.0 * grain_seconds("month").unwrap_or(2_592_000.0);
                    }
                    if small_s < ps && prev.value_max.is_none() && m.value_max.is_none() {
                        prev.value = (prev.value * ps + add) / small_s;
                        prev.unit = Some(smaller);
                        prev.span.end = m.span.end;
                        continue;
                    }
                }
            }
        }
        out.push(m);
    }
    out
}

/// Words before a quantity that say how exact it is, longest first.
const APPROXIMATIONS: &[(&str, Approximation)] = &[
    ("pas plus de", Approximation::AtMost),
    ("pas moins de", Approximation::AtLeast),
    ("no more than", Approximation::AtMost),
    ("no less than", Approximation::AtLeast),
    ("no fewer than", Approximation::AtLeast),
    ("not more than", Approximation::AtMost),
    ("en-dessous de", Approximation::LessThan),
    ("en dessous de", Approximation::LessThan),
    ("au-dessus de", Approximation::MoreThan),
    ("au dessus de", Approximation::MoreThan),
    ("à peu près", Approximation::About),
    ("jusqu'à", Approximation::AtMost),
    ("jusqu’à", Approximation::AtMost),
    ("plus de", Approximation::MoreThan),
    ("plus d'", Approximation::MoreThan),
    ("plus d’", Approximation::MoreThan),
    ("plus que", Approximation::MoreThan),
    ("moins de", Approximation::LessThan),
    ("moins d'", Approximation::LessThan),
    ("moins d’", Approximation::LessThan),
    ("au moins", Approximation::AtLeast),
    ("au plus", Approximation::AtMost),
    ("au maximum", Approximation::AtMost),
    ("au minimum", Approximation::AtLeast),
    ("près de", Approximation::About),
    ("environ", Approximation::About),
    ("quelque", Approximation::About),
    ("exactement", Approximation::Exact),
    ("more than", Approximation::MoreThan),
    ("less than", Approximation::LessThan),
    ("fewer than", Approximation::LessThan),
    ("at least", Approximation::AtLeast),
    ("at most", Approximation::AtMost),
    ("up to", Approximation::AtMost),
    ("nearly", Approximation::About),
    ("almost", Approximation::About),
    ("about", Approximation::About),
    ("around", Approximation::About),
    ("approximately", Approximation::About),
    ("roughly", Approximation::About),
    ("some", Approximation::About),
    ("over", Approximation::MoreThan),
    ("lower than", Approximation::LessThan),
    ("higher than", Approximation::MoreThan),
    ("greater than", Approximation::MoreThan),
    ("above", Approximation::MoreThan),
    ("below", Approximation::LessThan),
    ("under", Approximation::LessThan),
    ("exactly", Approximation::Exact),
    ("mehr als", Approximation::MoreThan),
    ("rund", Approximation::About),
    ("etwa", Approximation::About),
    ("circa", Approximation::About),
    ("oltre", Approximation::MoreThan),
    ("ponad", Approximation::MoreThan),
    ("około", Approximation::About),
    ("более", Approximation::MoreThan),
    ("около", Approximation::About),
];

/// Extends a match over the approximation words just before it.
fn with_approximation(text: &str, mut m: NumberMatch) -> NumberMatch {
    if m.kind == NumberKind::Date || m.kind == NumberKind::Ordinal {
        return m;
    }
    let offset = window_start(text, m.span.start, 48);
    let before = &text[offset..m.span.start];
    let trimmed = before.trim_end();
    let lower = lower_aligned(trimmed);
    for (words, approx) in APPROXIMATIONS {
        if lower.ends_with(words) {
            // `lower` has `trimmed`'s byte offsets (lower_aligned).
            let start = trimmed.len() - words.len();
            let boundary = trimmed[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            if boundary {
                m.span.start = offset + start;
                if m.approximate.is_none() {
                    m.approximate = Some(*approx);
                }
                break;
            }
        }
    }
    m
}

/// "20 dollars 43 cents", "$20 and 43c", "1 USD et 23 centimes": one amount.
fn merge_cents(text: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
    let mut out: Vec<NumberMatch> = Vec::with_capacity(matches.len());
    for m in matches {
        if let Some(prev) = out.last_mut() {
            let between = text[prev.span.end..m.span.start].trim().to_lowercase();
            let joined = matches!(between.as_str(), "" | "et" | "and");
            let is_cents = m.unit.as_deref() == Some("Cent")
                || (m.kind == NumberKind::Number && m.value < 100.0);
            if prev.kind == NumberKind::Currency
                && prev.unit.as_deref() != Some("Cent")
                && joined
                && is_cents
                && m.value < 100.0
                && m.value_max.is_none()
            {
                prev.value = ((prev.value * 100.0).round() + m.value) / 100.0;
                prev.span.end = m.span.end;
                continue;
            }
        }
        out.push(m);
    }
    out
}

/// The folded form of a token that must not take part in a match.
const BARRIER: &str = "\u{0}";

struct Scanner<'a> {
    text: &'a str,
    lang: &'a str,
    tokens: &'a [Token],
    words: &'a [Cow<'a, str>],
    opts: NumberOptions,
}

impl Scanner<'_> {
    fn word(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.as_ref())
    }

    /// Tokens i and i+1 touch (no space between).
    fn adjacent(&self, i: usize) -> bool {
        i + 1 < self.tokens.len() && self.tokens[i].span.end == self.tokens[i + 1].span.start
    }

    fn span(&self, from: usize, to_inclusive: usize) -> Span {
        Span::new(
            self.tokens[from].span.start,
            self.tokens[to_inclusive].span.end,
        )
    }

    /// A match starting at token `i`, and the token index after it.
    fn at(&self, i: usize) -> Option<(NumberMatch, usize)> {
        let t = self.tokens[i];
        let w = self.word(i);
        // Currency before the number: "$10", "EUR 20", "US$ 3.14", "Rs. 20".
        if let Some(cur) = words::currency(w).filter(|c| *c != "Cent") {
            let mut j = i + 1;
            if w == "us" || (w == "rs" && self.word(j) == ".") {
                j += 1;
            }
            if self
                .tokens
                .get(j)
                .is_some_and(|t| t.kind == TokenKind::Number)
            {
                let (mut m, next) = self.cardinal_at(j)?;
                if m.kind == NumberKind::Number {
                    m.span.start = t.span.start;
                    m.kind = NumberKind::Currency;
                    m.unit = Some(cur.into());
                    return Some((m, next));
                }
            }
            if w == "us"
                && self.word(i + 1) == "$"
                && self
                    .tokens
                    .get(i + 2)
                    .is_some_and(|t| t.kind == TokenKind::Number)
            {
                let (mut m, next) = self.cardinal_at(i + 2)?;
                m.span.start = t.span.start;
                m.kind = NumberKind::Currency;
                m.unit = Some("USD".into());
                return Some((m, next));
            }
            return None;
        }
        if t.kind == TokenKind::Number || t.kind == TokenKind::Word {
            let (mut m, next) = self.cardinal_at(i)?;
            self.negate(i, &mut m);
            return Some((m, next));
        }
        None
    }

    /// "-1200", "- 1.200.000", "moins 5", "minus five": a negative number
    /// (only where nothing before makes the minus a dash or a comparison).
    fn negate(&self, i: usize, m: &mut NumberMatch) {
        if i == 0
            || !matches!(
                m.kind,
                NumberKind::Number | NumberKind::Currency | NumberKind::Percent
            )
        {
            return;
        }
        let prev = self.word(i - 1);
        let minus = matches!(prev, "-" | "−");
        let sign = minus || matches!(prev, "minus" | "negative" | "moins" | "négatif");
        let starts = i == 1
            || self.tokens[i - 2].kind == TokenKind::Punct
                && !matches!(self.word(i - 2), "-" | "−");
        // "de -5 %", "(−3,2 %)": a minus glued to the digits after a space.
        let glued = minus
            && self.tokens[i - 1].span.end == self.tokens[i].span.start
            && self.text[..self.tokens[i - 1].span.start]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | ':'));
        if sign && (starts || glued) {
            m.value = -m.value;
            m.span.start = self.tokens[i - 1].span.start;
        }
    }

    /// Numbers that begin at token `i`: digits or words, with what follows.
    fn cardinal_at(&self, i: usize) -> Option<(NumberMatch, usize)> {
        let t = self.tokens[i];
        let w = self.word(i);
        let mut m = NumberMatch {
            span: t.span,
            value: 0.0,
            value_max: None,
            kind: NumberKind::Number,
            unit: None,
            approximate: None,
        };
        let mut next;
        if t.kind == TokenKind::Number {
            // Digits glued to letters are names: "G20", "KN-23", "F-16".
            let before = self.text[..t.span.start].chars().next_back();
            if before
                .is_some_and(|c| c.is_alphabetic() || c == '-' || c == '_' || c == '/' || c == '#')
            {
                let b2 = self.text[..t.span.start].chars().rev().nth(1);
                // "KN-23" is a name; "10-20" is a range.
                if before != Some('-') || b2.is_some_and(char::is_alphabetic) {
                    return None;
                }
            }
            if i > 0 && words::identifier_prefix(self.word(i - 1)) {
                return None;
            }
            m.value = parse_digits(&self.text[t.span.start..t.span.end], self.lang)?;
            next = i + 1;
            // ".77", ",0012": a leading decimal separator.
            if i > 0
                && matches!(self.word(i - 1), "." | ",")
                && self.adjacent(i - 1)
                && (i < 2 || self.tokens[i - 2].kind != TokenKind::Number)
            {
                let digits = &self.text[t.span.start..t.span.end];
                m.value = format!("0.{digits}").parse().ok()?;
                m.span.start = self.tokens[i - 1].span.start;
            }
            // "1 point 1": a spoken decimal point.
            if self.word(i + 1) == "point"
                && self
                    .tokens
                    .get(i + 2)
                    .is_some_and(|n| n.kind == TokenKind::Number)
            {
                let frac = &self.text[self.tokens[i + 2].span.start..self.tokens[i + 2].span.end];
                m.value = format!("{}.{frac}", m.value as i64).parse().ok()?;
                m.span.end = self.tokens[i + 2].span.end;
                next = i + 3;
            }
            // Glued suffixes: ordinals ("38e", "1er", "3rd"), scales ("10k"),
            // currencies ("20€"), fractions ("1/5").
            if self.adjacent(i) {
                let s = self.word(i + 1);
                if matches!(
                    s,
                    "e" | "er"
                        | "re"
                        | "ère"
                        | "ere"
                        | "ème"
                        | "eme"
                        | "è"
                        | "st"
                        | "nd"
                        | "rd"
                        | "th"
                        | "de"
                        | "ste"
                        | "ten"
                        | "te"
                        | "º"
                        | "°"
                ) && !self.adjacent(i + 1)
                    || matches!(s, "e" | "er" | "ème" | "st" | "nd" | "rd" | "th")
                        && self
                            .tokens
                            .get(i + 2)
                            .is_none_or(|n| n.kind == TokenKind::Punct)
                {
                    m.kind = NumberKind::Ordinal;
                    m.span.end = self.tokens[i + 1].span.end;
                    return Some((m, i + 2));
                }
                if s == "/"
                    && self
                        .tokens
                        .get(i + 2)
                        .is_some_and(|n| n.kind == TokenKind::Number)
                    && self.adjacent(i + 1)
                {
                    let d = parse_digits(
                        &self.text[self.tokens[i + 2].span.start..self.tokens[i + 2].span.end],
                        self.lang,
                    )?;
                    if d != 0.0 {
                        m.value /= d;
                        m.kind = NumberKind::Fraction;
                        m.span.end = self.tokens[i + 2].span.end;
                        return Some((m, i + 3));
                    }
                }
                if let Some(scale) = words::digit_scale(s).filter(|_| {
                    matches!(s, "k" | "m" | "bn" | "mln" | "mld" | "mrd" | "md" | "mds")
                }) {
                    m.value *= scale;
                    m.span.end = self.tokens[i + 1].span.end;
                    next = i + 2;
                }
            }
            // A four-digit year.
            let raw = &self.text[t.span.start..t.span.end];
            if next == i + 1
                && raw.len() == 4
                && raw.bytes().all(|b| b.is_ascii_digit())
                && (1000.0..=2100.0).contains(&m.value)
            {
                let prev = if i > 0 { self.word(i - 1) } else { "" };
                let after = self.word(i + 1);
                let follows_unit = words::time_unit(after).is_some()
                    || words::currency(after).is_some()
                    || words::percent_word(after)
                    || words::digit_scale(after).is_some();
                let next_is_noun = self
                    .tokens
                    .get(i + 1)
                    .is_some_and(|n| n.kind == TokenKind::Word)
                    && !words::year_context(after)
                    && !follows_unit;
                if !follows_unit
                    && (words::year_context(prev) || words::month(prev).is_some() || !next_is_noun)
                {
                    m.kind = NumberKind::Date;
                    m.unit = Some("year".into());
                    return Some((m, i + 1));
                }
            }
        } else {
            let (value, end, approximate) = self.number_words(i)?;
            m.value = value;
            if approximate == Some(Approximation::Exact) {
                // number_words marks compound ordinals ("twenty fifth") this way.
                m.kind = NumberKind::Ordinal;
                m.span = self.span(i, end);
                return Some((m, end + 1));
            }
            m.approximate = approximate;
            m.span = self.span(i, end);
            next = end + 1;
            if m.kind == NumberKind::Number && self.fraction_kind(i, end) {
                m.kind = NumberKind::Fraction;
                return Some((m, next));
            }
            let raw = &self.text[t.span.start..t.span.end];
            if let Some(o) = words::ordinal(w)
                .or_else(|| roman_ordinal(raw))
                .filter(|_| end == i)
            {
                m.value = o;
                m.kind = NumberKind::Ordinal;
                return Some((m, next));
            }
        }
        // Scale words: "1,5 milliard", "trente mille", "two hundred thousand",
        // "two dozen".
        while let Some(scale) = words::digit_scale(self.word(next)).or_else(|| {
            matches!(
                self.word(next),
                "dozen" | "dozens" | "douzaine" | "douzaines"
            )
            .then_some(12.0)
        }) {
            if self.word(next) == "m" || (self.lang == "en" && self.word(next) == "cents") {
                break;
            }
            m.value *= scale;
            m.span.end = self.tokens[next].span.end;
            next += 1;
        }
        // "de/d'/of" + currency, percent words, currencies, time units.
        let mut k = next;
        let mut via_de = false;
        if matches!(self.word(k), "de" | "d'" | "of") {
            k += 1;
            via_de = true;
        }
        let mut unit_word = self.word(k);
        // "42 Lebanese pounds", "42 malaysian ringgit": one adjective between.
        let after = self.word(k + 1);
        if words::currency(unit_word).is_none()
            && self
                .tokens
                .get(k)
                .is_some_and(|t| t.kind == TokenKind::Word)
            && after.chars().count() > 2
            && words::currency(after).is_some_and(|c| c != "Cent")
        {
            k += 1;
            unit_word = after;
        }
        if !via_de && words::percent_word(unit_word)
            || unit_word == "pour" && self.word(k + 1) == "cent"
        {
            m.kind = NumberKind::Percent;
            m.unit = Some("%".into());
            let last = if unit_word == "pour" { k + 1 } else { k };
            m.span.end = self.tokens[last].span.end;
            return Some((m, last + 1));
        }
        if let Some(cur) = words::currency(unit_word) {
            let single_letter =
                unit_word.chars().count() == 1 && unit_word.chars().all(char::is_alphabetic);
            if !(single_letter && !self.adjacent(k.saturating_sub(1)) && unit_word != "c")
                || self.adjacent(k.saturating_sub(1))
            {
                let mut last = k;
                if cur == "Dollar" && self.word(k + 1) == "us" {
                    last += 1;
                }
                if unit_word == "us" && self.word(k + 1) == "$" {
                    last += 1;
                }
                m.kind = NumberKind::Currency;
                m.unit = Some(if unit_word == "us" { "USD" } else { cur }.into());
                m.span.end = self.tokens[last].span.end;
                return Some((m, last + 1));
            }
        }
        if !via_de {
            if let Some(grain) = words::time_unit(unit_word) {
                let single = unit_word.chars().count() <= 2;
                if !single || self.adjacent(k.saturating_sub(1)) {
                    m.kind = NumberKind::Duration;
                    m.unit = Some(grain.into());
                    m.span.end = self.tokens[k].span.end;
                    return Some((m, k + 1));
                }
            }
        }
        Some((m, next))
    }

    fn fraction_kind(&self, start: usize, end: usize) -> bool {
        (start..=end).any(|k| words::fraction(self.word(k)).is_some())
    }

    /// A run of number words from `i`: (value, last token, approximation).
    fn number_words(&self, i: usize) -> Option<(f64, usize, Option<Approximation>)> {
        let w = self.word(i);
        let article = matches!(
            w,
            "un" | "une"
                | "a"
                | "an"
                | "one"
                | "la"
                | "le"
                | "des"
                | "quelques"
                | "plusieurs"
                | "several"
                | "some"
        );
        // Approximate counts: "une cinquantaine", "des milliers (de milliers)", "dozens".
        let (noun_at, lead) = if article { (i + 1, true) } else { (i, false) };
        if let Some((v, plural)) = words::approximate_noun(self.word(noun_at)) {
            if lead
                && !matches!(
                    w,
                    "un" | "une" | "a" | "des" | "quelques" | "plusieurs" | "several" | "some"
                )
            {
                return None;
            }
            let mut value = v;
            let mut end = noun_at;
            // "des dizaines de milliers"
            if matches!(self.word(end + 1), "de" | "of") {
                if let Some((v2, _)) =
                    words::approximate_noun(self.word(end + 2)).filter(|(v2, _)| *v2 >= 100.0)
                {
                    value *= v2;
                    end += 2;
                }
            }
            let plural = plural || words::approximate_noun(self.word(end)).is_some_and(|(_, p)| p);
            let approx = if plural {
                Approximation::AtLeast
            } else {
                Approximation::About
            };
            return Some((value, end, Some(approx)));
        }
        // "tens of thousands", "hundreds of thousands", "des centaines de milliers".
        if matches!(
            w,
            "tens" | "hundreds" | "thousands" | "millions" | "milliers" | "billions" | "milliards"
        ) && !lead
        {
            let base = match w {
                "tens" => 10.0,
                "hundreds" => 100.0,
                "thousands" | "milliers" => 1e3,
                "millions" => 1e6,
                _ => 1e9,
            };
            let mut value = base;
            let mut end = i;
            if self.word(i + 1) == "of" || self.word(i + 1) == "de" {
                if let Some(m) = words::multiplier(self.word(i + 2)).filter(|m| *m >= 1e3) {
                    value *= m;
                    end = i + 2;
                }
            }
            // "millions" alone after a number is a scale, handled there.
            if i > 0 && self.tokens[i - 1].kind == TokenKind::Number {
                return None;
            }
            return Some((value, end, Some(Approximation::AtLeast)));
        }
        // Fractions: "la moitié", "un tiers", "deux tiers", "a third", "half".
        if let Some(f) =
            words::fraction(self.word(noun_at)).filter(|_| lead || matches!(w, "half" | "moitié"))
        {
            if matches!(self.word(noun_at), "second" | "quarter" | "quarters") && !lead {
                return None;
            }
            return Some((f, noun_at, None));
        }
        if let Some(n) = words::cardinal(w)
            .or_else(|| {
                w.contains('-')
                    .then(|| words::compound_cardinal(w))
                    .flatten()
            })
            .filter(|_| !article || matches!(w, "un" | "une" | "one"))
        {
            if let Some(f) = words::fraction(self.word(i + 1)).filter(|_| n < 10.0) {
                if !matches!(self.word(i + 1), "second" | "half") {
                    return Some((n * f, i + 1, None));
                }
            }
        }
        // Cardinal words and multipliers, joined by "et"/"and".
        let mut values: Vec<f64> = Vec::new();
        let mut end = i;
        let mut k = i;
        let mut only_article = true;
        loop {
            let word = self.word(k);
            let v = if matches!(word, "a" | "an") && k == i {
                // "a hundred", "a million", "a dollar", "a month": the article counts as one.
                let nxt = self.word(k + 1);
                (words::multiplier(nxt).is_some()
                    || words::currency(nxt).is_some_and(|c| c != "Cent" && nxt.chars().count() > 2)
                    || words::time_unit(nxt).is_some_and(|_| nxt.chars().count() > 2))
                .then_some(1.0)
            } else {
                words::cardinal(word)
                    .or_else(|| {
                        word.contains('-')
                            .then(|| words::compound_cardinal(word))
                            .flatten()
                    })
                    .or_else(|| {
                        words::multiplier(word)
                            .filter(|_| !values.is_empty() || k == i)
                            .filter(|_| !(self.lang == "en" && word == "cents"))
                            .map(|m| -m)
                    })
            };
            let Some(v) = v else {
                if matches!(word, "et" | "and") && !values.is_empty() {
                    let nxt = self.word(k + 1);
                    if words::cardinal(nxt).is_some()
                        || (nxt.contains('-') && words::compound_cardinal(nxt).is_some())
                    {
                        k += 1;
                        continue;
                    }
                }
                break;
            };
            if v < 0.0
                && values.is_empty()
                && matches!(
                    word,
                    "k" | "m" | "md" | "mds" | "mln" | "mld" | "mrd" | "bn" | "mil"
                )
            {
                break;
            }
            if !matches!(word, "un" | "une" | "one" | "a" | "an") {
                only_article = false;
            }
            values.push(v);
            end = k;
            k += 1;
            if self
                .tokens
                .get(k)
                .is_some_and(|t| t.kind != TokenKind::Word)
            {
                break;
            }
        }
        if values.is_empty() {
            // Ordinal words and roman ordinals ("XXIe").
            let raw = &self.text[self.tokens[i].span.start..self.tokens[i].span.end];
            if let Some(o) = words::ordinal(w) {
                return Some((o, i, None));
            }
            return roman_ordinal(raw).map(|r| (r, i, None));
        }
        if only_article {
            let after = self.word(end + 1);
            let followed_by_scale = words::digit_scale(after).is_some()
                || words::currency(after).is_some_and(|c| c != "Cent")
                || words::time_unit(after).is_some_and(|_| after.chars().count() > 2);
            let alone = self.tokens.len() == 1 && self.opts.lone_articles;
            if !followed_by_scale && !alone {
                return None;
            }
        }
        // "twenty fifth", "thirty first": tens then an ordinal word.
        if let (Some(&last), Some(o)) = (values.last(), words::ordinal(self.word(end + 1))) {
            if (20.0..=90.0).contains(&last) && last % 10.0 == 0.0 && o < 10.0 {
                return Some((
                    words::combine(&values) + o,
                    end + 1,
                    Some(Approximation::Exact),
                ));
            }
        }
        // "second" and similar are handled as ordinals by the caller.
        if values.len() == 1 && words::ordinal(w).is_some() && words::cardinal(w).is_none() {
            return None;
        }
        Some((words::combine(&values), end, None))
    }
}

/// "XXIe", "Ier", "IIIème": a roman numeral with an ordinal suffix.
fn roman_ordinal(raw: &str) -> Option<f64> {
    ["ème", "er", "e"].iter().find_map(|suffix| {
        raw.strip_suffix(suffix)
            .filter(|r| !r.is_empty())
            .and_then(words::roman)
    })
}

/// Start of a window of at most `bytes` bytes ending at `end` (on a char boundary).
fn window_start(text: &str, end: usize, bytes: usize) -> usize {
    let mut start = end.saturating_sub(bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    start
}

/// Joins "entre 10 et 12", "de 10 à 12", "10-12" into ranges.
fn merge_ranges(text: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
    let mut out: Vec<NumberMatch> = Vec::with_capacity(matches.len());
    for m in matches {
        if let Some(prev) = out.last_mut() {
            let between = text
                .get(prev.span.end..m.span.start)
                .unwrap_or("")
                .trim()
                .to_lowercase();
            let before = text
                .get(window_start(text, prev.span.start, 16)..prev.span.start)
                .unwrap_or("")
                .trim_end()
                .to_lowercase();
            let opener = before.ends_with("entre")
                || before.ends_with("between")
                || before.ends_with(" de")
                || before.ends_with("from")
                || before.ends_with(" d'");
            let connector = matches!(between.as_str(), "à" | "a" | "-" | "–" | "—" | "to")
                || (matches!(between.as_str(), "et" | "and") && opener);
            // Alternatives are two figures ("vingt ou trente"); the unit of
            // the second is the first's too ("six ou dix mois").
            if matches!(between.as_str(), "ou" | "or")
                && prev.kind == NumberKind::Number
                && prev.unit.is_none()
                && m.unit.is_some()
                && m.kind != NumberKind::Date
            {
                prev.kind = m.kind;
                prev.unit = m.unit.clone();
            }
            let compatible = prev.kind == m.kind
                || prev.kind == NumberKind::Number
                || m.kind == NumberKind::Number;
            if connector
                && compatible
                && prev.value_max.is_none()
                && prev.kind != NumberKind::Date
                && m.kind != NumberKind::Date
                && m.value >= prev.value
            {
                prev.value_max = Some(m.value);
                prev.span.end = m.span.end;
                if m.kind != NumberKind::Number {
                    prev.kind = m.kind;
                    prev.unit = m.unit.clone();
                }
                continue;
            }
        }
        out.push(m);
    }
    out
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
