//! Merges after the scanner and the spoken forms: cents into amounts
//! ("1 USD 23 cents"), ranges ("entre 10 et 12", "10-12"), compound
//! durations ("2 years and 3 months"), and the approximation words before a
//! figure ("plus de", "about").

use super::*;
use crate::segment::lower_aligned;

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
pub(super) fn merge_durations(text: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
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
pub(super) fn with_approximation(text: &str, mut m: NumberMatch) -> NumberMatch {
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
pub(super) fn merge_cents(text: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
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

/// Start of a window of at most `bytes` bytes ending at `end` (on a char boundary).
fn window_start(text: &str, end: usize, bytes: usize) -> usize {
    let mut start = end.saturating_sub(bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    start
}

/// The scale word of a match ("20 millions", "3 billion dollars", "six
/// mille"): a multiplier of at least a thousand among its words.
fn scale_of(text: &str, m: &NumberMatch) -> Option<f64> {
    text.get(m.span.start..m.span.end)?
        .split(|c: char| c.is_whitespace() || c == '\'' || c == '’')
        .filter_map(|w| words::multiplier(&w.to_lowercase()))
        .find(|&x| x >= 1e3)
}

/// Joins "entre 10 et 12", "de 10 à 12", "10-12" into ranges.
pub(super) fn merge_ranges(text: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
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
            let alternative = matches!(between.as_str(), "ou" | "or");
            if alternative
                && prev.kind == NumberKind::Number
                && prev.unit.is_none()
                && m.unit.is_some()
                && m.kind != NumberKind::Date
            {
                prev.kind = m.kind;
                prev.unit = m.unit.clone();
            }
            // The scale of the second figure is the first's too: "entre 10
            // et 20 millions" is 10 to 20 million, "cinq ou six mille" 5 000
            // or 6 000 (but "500 000 à 2 millions" keeps its 500 000).
            // The cheap conditions first: this runs for every pair of
            // neighbouring figures, the word scans only beside a connector.
            let shared = ((connector || alternative)
                && prev.kind != NumberKind::Date
                && prev.value_max.is_none())
            .then(|| scale_of(text, &m))
            .flatten()
            .filter(|&scale| {
                scale_of(text, prev).is_none() && prev.value.abs() * scale <= m.value.abs()
            });
            if let Some(scale) = shared {
                prev.value *= scale;
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
