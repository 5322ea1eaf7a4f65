//! Number forms spoken or written out, merged after the scanner: decimals in
//! words ("two point five", "trois virgule cinq"), fractions and shares ("un
//! cinquième", "three fifths", "one in five", "un Français sur trois"), "and
//! a half" ("un million et demi", "a million and a half", "5 and a half
//! minutes", "2 1/2 years"), "half a dozen" / "un demi-million", the French
//! long scale ("un billion" is 10^12), scientific notation ("1,5 × 10^6",
//! "2e9") and "2 more minutes".
//!
//! Every pass works on the scanner's non-overlapping matches and the text
//! between them; spans only grow over text the pass has read.

use std::sync::LazyLock;

use regex::Regex;

use super::{parse_digits, words, NumberKind, NumberMatch};
use crate::document::Span;

static SCIENTIFIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d+(?:[.,]\d+)?)\s*[×x*]\s*10\s*\^\s*([+-]?\d{1,3})(?-u:\b)|(?-u:\b)(\d+(?:\.\d+)?)[eE]([+-]?\d{1,3})(?-u:\b)")
        .expect("scientific regex")
});
static AND_FRACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s+(?:and|et)\s+(?:(?:a|an|one|un|une)\s+)?(demie?|half|quart|quarter)(?-u:\b)|(?i)^\s+(?:and|et)\s+(two|three|deux|trois)\s+(quarters?|quarts)(?-u:\b)")
        .expect("and-fraction regex")
});
static HALF_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:(?-u:\b)a\s+)?(?-u:\b)half\s+(?:an?\s+)?$").expect("half regex")
});
static DEMI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:(?:un|une)\s+)?demi-(millions?|milliards?|douzaines?|centaines?|milliers?)(?-u:\b)")
        .expect("demi regex")
});
static DENOMINATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(un|une|one|a|two|deux|three|trois|four|quatre|five|cinq|six|seven|sept|eight|huit|nine|neuf|\d{1,2})(?:\s+|-)(cinquièmes?|sixièmes?|septièmes?|huitièmes?|neuvièmes?|dixièmes?|centièmes?|millièmes?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|hundredths?|thousandths?)(?-u:\b)(\s+(?:de|d'|d’|des|du|of)(?-u:\b))?")
        .expect("denominator regex")
});
static HYPHEN_FRACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(one|two|three|four|five|six|seven|eight|nine)-(half|thirds?|quarters?)(?-u:\b)")
        .expect("hyphen-fraction regex")
});
static ONE_AND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:one|un|une)\s+(?:and|et)\s+(?:(?:a|an)\s+)?(half|quarter|demie?|quart)(?-u:\b)")
        .expect("one-and regex")
});
static ONE_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:one|un|une|a)\s+(?:(\p{L}+)\s+)?(in|out of|sur)\s+(\d{1,4}|two|three|four|five|six|seven|eight|nine|ten|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)(?-u:\b)")
        .expect("one-in regex")
});
static QUARTER_HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\s+and\s+(?:(a|an|one|two|three)\s+)?quarters?\s+(?:of\s+(?:an?\s+)?)?(hours?|hrs?|minutes?|mins?|days?|years?)(?-u:\b)")
        .expect("quarter-hours regex")
});
static DASHED_TENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\s*[—–]\s*(\p{L}+)",
    )
    .expect("dashed-tens regex")
});
static TIME_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)(\d{1,3}(?:[.,]\d+)?)(['′"″])"#).expect("time-mark regex")
});
static UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s+(?:(?:more|additional|extra|less|fewer)\s+)?(?:of\s+(?:an?\s+)?)?(\p{L}+)")
        .expect("unit regex")
});

fn denominator(word: &str) -> Option<f64> {
    let w = word.to_lowercase();
    let stem = w.trim_end_matches('s');
    Some(match stem {
        "cinquième" | "fifth" => 5.0,
        "sixième" | "sixth" => 6.0,
        "septième" | "seventh" => 7.0,
        "huitième" | "eighth" => 8.0,
        "neuvième" | "ninth" => 9.0,
        "dixième" | "tenth" => 10.0,
        "centième" | "hundredth" => 100.0,
        "millième" | "thousandth" => 1000.0,
        _ => return None,
    })
}

fn numerator(word: &str, lang: &str) -> Option<f64> {
    let w = word.to_lowercase();
    match w.as_str() {
        "a" => Some(1.0),
        _ => words::cardinal(&w).or_else(|| parse_digits(&w, lang)),
    }
}

/// The scale the text of a match ends with ("un million" → 10^6).
fn trailing_scale(text: &str, m: &NumberMatch) -> Option<f64> {
    let s = text.get(m.span.start..m.span.end)?;
    let last = s.split_whitespace().last()?.to_lowercase();
    words::multiplier(&last).filter(|&x| x >= 1e3)
}

fn number(span: Span, value: f64, kind: NumberKind) -> NumberMatch {
    NumberMatch {
        span,
        value,
        value_max: None,
        kind,
        unit: None,
        approximate: None,
    }
}

/// A duration of `value` `unit`s ("minute", "hour").
fn duration(span: Span, value: f64, unit: &str) -> NumberMatch {
    NumberMatch {
        unit: Some(unit.to_string()),
        ..number(span, value, NumberKind::Duration)
    }
}

/// Replaces the matches overlapping `new.span` by `new`, in order.
fn replace(matches: &mut Vec<NumberMatch>, new: NumberMatch) {
    matches.retain(|m| m.span.end <= new.span.start || new.span.end <= m.span.start);
    let at = matches.partition_point(|m| m.span.start < new.span.start);
    matches.insert(at, new);
}

/// An integer read as the digits after a decimal point: 5 → 0.5, 77 → 0.77.
fn decimal_part(v: f64) -> f64 {
    if !v.is_finite() || v < 1.0 {
        return 0.0;
    }
    let digits = v.log10().floor() + 1.0;
    v / 10f64.powf(digits)
}

/// Runs every pass; `matches` are sorted and disjoint, and stay so.
pub fn merge(text: &str, lang: &str, mut matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
    scientific(text, lang, &mut matches);
    dashed_tens(text, &mut matches);
    time_marks(text, lang, &mut matches);
    fractions(text, lang, &mut matches);
    quarter_hours(text, lang, &mut matches);
    let mut matches = pairs(text, lang, matches);
    halves(text, &mut matches);
    if lang == "fr" {
        long_scale(text, &mut matches);
    }
    matches
}

fn scientific(text: &str, lang: &str, matches: &mut Vec<NumberMatch>) {
    if !text.contains('^') && !text.contains(['e', 'E']) {
        return;
    }
    for c in SCIENTIFIC.captures_iter(text) {
        let (Some(all), Some(mantissa), Some(exp)) =
            (c.get(0), c.get(1).or(c.get(3)), c.get(2).or(c.get(4)))
        else {
            continue;
        };
        let (Some(m), Ok(e)) = (
            parse_digits(mantissa.as_str(), lang),
            exp.as_str().parse::<i32>(),
        ) else {
            continue;
        };
        // Parsed whole where it can be ("6.02e23" is 6.02e23, not
        // 6.02 × 10^23 rounded twice).
        let value = format!("{m}e{e}")
            .parse::<f64>()
            .unwrap_or(m * 10f64.powi(e));
        if value.is_finite() {
            replace(
                matches,
                number(Span::new(all.start(), all.end()), value, NumberKind::Number),
            );
        }
    }
}

/// "twenty—fifth", "forty – two": tens and units joined by a dash that
/// the tokeniser splits on (a hyphen joins them inside one token).
fn dashed_tens(text: &str, matches: &mut Vec<NumberMatch>) {
    if !text.contains(['—', '–']) {
        return;
    }
    for c in DASHED_TENS.captures_iter(text) {
        let (Some(all), Some(tens), Some(unit)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let joined = format!(
            "{}-{}",
            tens.as_str().to_lowercase(),
            unit.as_str().to_lowercase()
        );
        let (value, kind) = match (words::compound_cardinal(&joined), words::ordinal(&joined)) {
            (Some(v), _) => (v, NumberKind::Number),
            (None, Some(v)) => (v, NumberKind::Ordinal),
            _ => continue,
        };
        replace(
            matches,
            number(Span::new(all.start(), all.end()), value, kind),
        );
    }
}

/// `2'` (minutes) and `1"` (seconds) right after a figure. A `"` is a mark
/// only where it cannot close a quotation (an even number of `"` before it),
/// and neither mark may be followed by a letter or a digit ("5'10").
fn time_marks(text: &str, lang: &str, matches: &mut Vec<NumberMatch>) {
    if !text.contains(['\'', '"', '′', '″']) {
        return;
    }
    for c in TIME_MARK.captures_iter(text) {
        let (Some(all), Some(figure), Some(mark)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let after = text.get(all.end()..).and_then(|r| r.chars().next());
        let before = text
            .get(..figure.start())
            .and_then(|r| r.chars().next_back());
        if after.is_some_and(|a| a.is_alphanumeric() || matches!(a, '\'' | '"' | '′' | '″'))
            || before.is_some_and(|b| b.is_alphanumeric() || matches!(b, '\'' | '"' | '.' | ','))
        {
            continue;
        }
        let unit = match mark.as_str() {
            "'" | "′" => "minute",
            _ => {
                let quotes = text
                    .get(..all.start())
                    .map_or(0, |b| b.matches('"').count());
                if mark.as_str() == "\"" && quotes % 2 == 1 {
                    continue;
                }
                "second"
            }
        };
        let Some(value) = parse_digits(figure.as_str(), lang) else {
            continue;
        };
        replace(
            matches,
            duration(Span::new(all.start(), all.end()), value, unit),
        );
    }
}

/// "one and three quarters of hour", "two and a quarter hours": a whole
/// number and quarters of a time unit (the scanner reads "quarters" as
/// three-month periods there).
fn quarter_hours(text: &str, lang: &str, matches: &mut Vec<NumberMatch>) {
    for c in QUARTER_HOURS.captures_iter(text) {
        let (Some(all), Some(whole), Some(unit)) = (c.get(0), c.get(1), c.get(3)) else {
            continue;
        };
        let w = whole.as_str().to_lowercase();
        let Some(whole) = words::cardinal(&w).or_else(|| parse_digits(&w, lang)) else {
            continue;
        };
        let quarters = c
            .get(2)
            .map_or(Some(1.0), |q| match q.as_str().to_lowercase().as_str() {
                "a" | "an" | "one" => Some(1.0),
                q => words::cardinal(q),
            });
        let (Some(quarters), Some(unit)) = (
            quarters.filter(|q| *q < 4.0),
            words::time_unit(&unit.as_str().to_lowercase()),
        ) else {
            continue;
        };
        replace(
            matches,
            duration(
                Span::new(all.start(), all.end()),
                whole + quarters / 4.0,
                unit,
            ),
        );
    }
}

fn fractions(text: &str, lang: &str, matches: &mut Vec<NumberMatch>) {
    for c in DENOMINATOR.captures_iter(text) {
        let (Some(all), Some(num), Some(den)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let (Some(n), Some(d)) = (numerator(num.as_str(), lang), denominator(den.as_str())) else {
            continue;
        };
        // "le cinquième jour" is an ordinal: a fraction has a plural, or
        // "de"/"of" after it.
        let plural = den.as_str().ends_with('s');
        if !(plural || c.get(3).is_some() || all.end() == text.trim_end().len()) || n >= d {
            continue;
        }
        replace(
            matches,
            number(
                Span::new(all.start(), den.end()),
                n / d,
                NumberKind::Fraction,
            ),
        );
    }
    // "two-thirds", "three-quarters", "one-half" (the scanner reads the
    // hyphenated token as one compound).
    for c in HYPHEN_FRACTION.captures_iter(text) {
        let (Some(all), Some(num), Some(den)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let den = den.as_str().to_lowercase();
        let (Some(n), Some(d)) = (
            words::cardinal(&num.as_str().to_lowercase()),
            words::fraction(&den),
        ) else {
            continue;
        };
        if n * d < 1.0 + 1e-9 {
            replace(
                matches,
                number(
                    Span::new(all.start(), all.end()),
                    n * d,
                    NumberKind::Fraction,
                ),
            );
        }
    }
    // "one and a half", "un et demi" (a lone "one" is no match of its own).
    for c in ONE_AND.captures_iter(text) {
        let (Some(all), Some(f)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let f = f.as_str().to_lowercase();
        let frac = if f.starts_with("demi") {
            0.5
        } else {
            words::fraction(&f).unwrap_or(0.5)
        };
        replace(
            matches,
            number(
                Span::new(all.start(), all.end()),
                1.0 + frac,
                NumberKind::Number,
            ),
        );
    }
    // "one in five", "un Français sur trois".
    for c in ONE_IN.captures_iter(text) {
        let (Some(all), Some(word), Some(den)) = (c.get(0), c.get(2), c.get(3)) else {
            continue;
        };
        let fits = match lang {
            "fr" => word.as_str() == "sur",
            _ => word.as_str() != "sur" && c.get(1).is_none(),
        };
        let d = den.as_str().to_lowercase();
        let Some(d) = words::cardinal(&d).or_else(|| parse_digits(&d, lang)) else {
            continue;
        };
        if fits && d >= 2.0 {
            replace(
                matches,
                number(
                    Span::new(all.start(), all.end()),
                    1.0 / d,
                    NumberKind::Fraction,
                ),
            );
        }
    }
    for c in DEMI.captures_iter(text) {
        let (Some(all), Some(scale)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let s = scale.as_str().to_lowercase();
        let s = s.trim_end_matches('s');
        let v = words::multiplier(s)
            .or_else(|| words::approximate_noun(s).map(|a| a.0))
            .unwrap_or(0.0);
        if v > 0.0 {
            replace(
                matches,
                number(
                    Span::new(all.start(), all.end()),
                    v / 2.0,
                    NumberKind::Number,
                ),
            );
        }
    }
}

/// Passes over neighbouring matches: decimals in words, shares, "and a
/// half", "2 1/2", and a time unit after the merged figure.
fn pairs(text: &str, lang: &str, matches: Vec<NumberMatch>) -> Vec<NumberMatch> {
    let mut out: Vec<NumberMatch> = Vec::with_capacity(matches.len());
    let mut iter = matches.into_iter().peekable();
    while let Some(mut m) = iter.next() {
        // "point 77" at the start of a phrase.
        let before = text.get(..m.span.start).unwrap_or("").trim_end();
        let word_start = before.len().saturating_sub(5);
        let point = before
            .get(word_start..)
            .is_some_and(|w| w.eq_ignore_ascii_case("point"))
            && before[..word_start]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric());
        // "one point three dollars": a lone "one" is no match of its own.
        let one_before = point
            && before[..word_start]
                .trim_end()
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("one"));
        if point
            && matches!(m.kind, NumberKind::Number | NumberKind::Currency)
            && out.last().is_none_or(|p| p.span.end < word_start)
        {
            let scale = trailing_scale(text, &m).unwrap_or(1.0);
            let digits = m.value / scale;
            // "at one point 500 protesters" is no decimal: spoken decimals
            // have a digit or two.
            if digits.fract() == 0.0 && digits < 100.0 {
                let whole = if one_before { 1.0 } else { 0.0 };
                m.span.start = if one_before {
                    before[..word_start].trim_end().len() - 3
                } else {
                    word_start
                };
                m.value = (whole + decimal_part(digits)) * scale;
            }
        }
        while let Some(next) = iter.peek() {
            let between = text.get(m.span.end..next.span.start).unwrap_or("");
            let b = between.trim().to_lowercase();
            let plain = m.kind == NumberKind::Number && m.value.fract() == 0.0;
            if plain
                && matches!(
                    next.kind,
                    NumberKind::Number | NumberKind::Percent | NumberKind::Currency
                )
                && matches!(b.as_str(), "point" | "virgule")
            {
                // "two point five", "two point two million", "twelve point
                // five percent".
                let scale = trailing_scale(text, next).unwrap_or(1.0);
                let digits = next.value / scale;
                if digits.fract() == 0.0 {
                    m.value = (m.value + decimal_part(digits)) * scale;
                    m.span.end = next.span.end;
                    if next.kind != NumberKind::Number {
                        m.kind = next.kind;
                        m.unit = next.unit.clone();
                    }
                    iter.next();
                    continue;
                }
            }
            if plain
                && next.kind == NumberKind::Number
                && next.value > m.value
                && next.value <= 1000.0
                && m.value <= 20.0
            {
                // "one in five", "un Français sur trois".
                let share = match lang {
                    "fr" => {
                        b == "sur" || (b.ends_with(" sur") && b.split_whitespace().count() == 2)
                    }
                    _ => matches!(b.as_str(), "in" | "out of"),
                };
                if share {
                    m.value /= next.value;
                    m.kind = NumberKind::Fraction;
                    m.span.end = next.span.end;
                    iter.next();
                    continue;
                }
            }
            let joins = matches!(b.as_str(), "and" | "et")
                && matches!(next.kind, NumberKind::Fraction | NumberKind::Duration)
                && next.value < 1.0;
            let glued_fraction = b.is_empty()
                && !between.is_empty()
                && text
                    .get(next.span.start..next.span.end)
                    .is_some_and(|t| t.starts_with("1/") || t.starts_with("3/4"));
            if (joins || glued_fraction)
                && matches!(m.kind, NumberKind::Number)
                && (m.value >= 1.0 || (glued_fraction && m.value <= -1.0))
            {
                // "5 and a half minutes", "a million and a half", "2 1/2
                // years", "-2 1/2" (the sign holds for the whole figure).
                let scale = trailing_scale(text, &m).unwrap_or(1.0);
                m.value += next.value * scale * m.value.signum();
                m.span.end = next.span.end;
                if next.kind == NumberKind::Duration {
                    m.kind = NumberKind::Duration;
                    m.unit = next.unit.clone();
                }
                iter.next();
                continue;
            }
            break;
        }
        // "un million et demi", "deux milliards et quart" (no match for the fraction).
        if matches!(
            m.kind,
            NumberKind::Number | NumberKind::Currency | NumberKind::Duration
        ) {
            if let Some(c) = text
                .get(m.span.end..)
                .and_then(|r| AND_FRACTION.captures(r))
            {
                let frac = match (c.get(1), c.get(2)) {
                    (Some(f), _) => words::fraction(&f.as_str().to_lowercase()).unwrap_or(0.5),
                    (None, Some(n)) => {
                        words::cardinal(&n.as_str().to_lowercase()).unwrap_or(0.0) * 0.25
                    }
                    _ => 0.0,
                };
                let frac = if c
                    .get(1)
                    .is_some_and(|f| f.as_str().to_lowercase().starts_with("demi"))
                {
                    0.5
                } else {
                    frac
                };
                let end = m.span.end + c.get(0).map_or(0, |a| a.end());
                if frac > 0.0 && iter.peek().is_none_or(|n| n.span.start >= end) {
                    let scale = trailing_scale(text, &m).unwrap_or(1.0);
                    m.value += frac * scale;
                    m.span.end = end;
                }
            }
        }
        // A time unit after the figure: "one and a quarter of hour", "2 more minutes".
        if matches!(m.kind, NumberKind::Number | NumberKind::Fraction) {
            if let Some(c) = text.get(m.span.end..).and_then(|r| UNIT_AFTER.captures(r)) {
                let filler = c.get(0).is_some_and(|a| {
                    let t = a.as_str().to_lowercase();
                    t.contains(" of ")
                        || ["more", "additional", "extra", "less", "fewer"]
                            .iter()
                            .any(|f| t.contains(f))
                });
                let merged_fraction = m.value.fract() != 0.0 && m.kind == NumberKind::Number;
                if let (Some(unit), true) = (
                    c.get(1)
                        .and_then(|u| words::time_unit(&u.as_str().to_lowercase())),
                    filler || merged_fraction,
                ) {
                    let end = m.span.end + c.get(0).map_or(0, |a| a.end());
                    if iter.peek().is_none_or(|n| n.span.start >= end) {
                        m.kind = NumberKind::Duration;
                        m.unit = Some(unit.to_string());
                        m.span.end = end;
                    }
                }
            }
        }
        out.push(m);
    }
    out
}

/// "half a dozen", "half a million", "a half million".
fn halves(text: &str, matches: &mut Vec<NumberMatch>) {
    let mut i = 0;
    while i < matches.len() {
        let m = &matches[i];
        let before = text.get(..m.span.start).unwrap_or("");
        let scaled =
            m.kind == NumberKind::Number && (m.value == 12.0 || trailing_scale(text, m).is_some());
        // "one and a half million", "two and a half billion": the pairs
        // pass made "one and a half" (1.5) right before the scale.
        if let Some(prev) = i.checked_sub(1).and_then(|p| matches.get(p)) {
            let joined = text
                .get(prev.span.end..m.span.start)
                .is_some_and(|b| b.trim().is_empty());
            // The match is the scale alone, or the scale and a currency
            // ("billion dollars").
            let bare_scale = text
                .get(m.span.start..m.span.end)
                .and_then(|t| t.split_whitespace().next())
                .and_then(|w| words::multiplier(&w.to_lowercase()))
                .is_some_and(|x| x >= 1e3 && x == m.value);
            if joined
                && prev.kind == NumberKind::Number
                && prev.value.fract() == 0.5
                && bare_scale
                && matches!(m.kind, NumberKind::Number | NumberKind::Currency)
            {
                let mut merged = number(
                    Span::new(prev.span.start, m.span.end),
                    prev.value * m.value,
                    m.kind,
                );
                merged.unit = m.unit.clone();
                matches.remove(i);
                matches[i - 1] = merged;
                continue;
            }
        }
        let half = HALF_OF
            .find(before)
            .filter(|_| scaled)
            // The "half" itself may be a match of its own; one that
            // starts before it (and overlaps it) may not.
            .filter(|h| {
                i == 0
                    || matches[i - 1].span.end <= h.start()
                    || matches[i - 1].span.start >= h.start()
            });
        if let Some(h) = half {
            let start = h.start();
            let value = m.value / 2.0;
            let (m_start, span) = (m.span.start, Span::new(start, m.span.end));
            // The "half" the scanner read as a fraction goes.
            matches.retain(|x| !(x.span.start >= start && x.span.end <= m_start));
            let at = matches.partition_point(|x| x.span.start < span.start);
            if let Some(x) = matches.get_mut(at) {
                x.span = span;
                x.value = value;
            }
            i = at + 1;
            continue;
        }
        i += 1;
    }
}

/// French long scale: "un billion" is 10^12 and "un billiard" 10^15 (the
/// scanner's lexicon reads them the English way).
fn long_scale(text: &str, matches: &mut [NumberMatch]) {
    for m in matches.iter_mut() {
        let Some(s) = text.get(m.span.start..m.span.end) else {
            continue;
        };
        let lower = s.to_lowercase();
        if lower
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w == "billion" || w == "billions" || w == "billiard" || w == "billiards")
        {
            m.value *= 1e3;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::numbers::{find_numbers, NumberKind, NumberOptions};

    fn one(text: &str, lang: &str) -> (f64, NumberKind, Option<String>, String) {
        let found = find_numbers(text, lang, NumberOptions::default());
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        let m = &found[0];
        let covered = text
            .get(m.span.start..m.span.end)
            .unwrap_or_default()
            .to_string();
        (m.value, m.kind, m.unit.clone(), covered)
    }

    #[test]
    fn minute_and_second_marks() {
        assert_eq!(
            one("à la 90' de jeu", "fr"),
            (
                90.0,
                NumberKind::Duration,
                Some("minute".into()),
                "90'".into()
            )
        );
        assert_eq!(
            one("1\" d'écart", "fr"),
            (
                1.0,
                NumberKind::Duration,
                Some("second".into()),
                "1\"".into()
            )
        );
        // A closing quotation mark is no second.
        let (_, kind, _, _) = one("he said \"15\" twice", "en");
        assert_eq!(kind, NumberKind::Number);
        // Feet and inches, a mark glued to a letter: no duration.
        let found = find_numbers("a 5'10 man", "en", NumberOptions::default());
        assert!(
            found.iter().all(|m| m.kind != NumberKind::Duration),
            "{found:?}"
        );
    }

    #[test]
    fn quarters_of_a_unit_and_dashed_tens() {
        let (v, kind, unit, covered) = one("one and three quarters of hours", "en");
        assert_eq!(
            (v, kind, unit.as_deref()),
            (1.75, NumberKind::Duration, Some("hour"))
        );
        assert_eq!(covered, "one and three quarters of hours");
        let (v, _, unit, _) = one("one and one quarter hour", "en");
        assert_eq!((v, unit.as_deref()), (1.25, Some("hour")));
        let (v, kind, _, covered) = one("the seventy—third", "en");
        assert_eq!((v, kind), (73.0, NumberKind::Ordinal));
        assert_eq!(covered, "seventy—third");
        // A dash between a ten and a word that is no number stays a dash.
        let found = find_numbers("twenty — soldiers", "en", NumberOptions::default());
        assert!(found.iter().all(|m| m.value == 20.0), "{found:?}");
    }
}
