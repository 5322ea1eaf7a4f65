//! The token scanner: digits in every grouping style, number words and
//! compounds, approximate counts, ordinals, percentages, money and
//! durations, read token by token; names such as "KN-23", "G20" or
//! "Article 5" are left alone.

use std::borrow::Cow;

use super::*;
use crate::segment::{fold_cow, tokenize, Token, TokenKind};

/// The scanner's matches over `text`, never inside `excluded`.
pub(super) fn scan(
    text: &str,
    lang: &str,
    opts: NumberOptions,
    mut excluded: Vec<Span>,
) -> Vec<NumberMatch> {
    let mut out = Vec::new();
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
        // "50 pour cent", and the British "50 per cent".
        let two_words = matches!(unit_word, "pour" | "per") && self.word(k + 1) == "cent";
        if !via_de && words::percent_word(unit_word) || two_words {
            m.kind = NumberKind::Percent;
            m.unit = Some("%".into());
            let last = if two_words { k + 1 } else { k };
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
                    let next_value = words::cardinal(nxt).or_else(|| {
                        nxt.contains('-')
                            .then(|| words::compound_cardinal(nxt))
                            .flatten()
                    });
                    // "hundred and five", "mille et un", "vingt et un",
                    // "soixante et onze" join; "cinq et dix" (after "entre")
                    // are two numbers.
                    let last = values.last().copied().unwrap_or(0.0);
                    let joins = next_value.is_some_and(|n| {
                        (last < 0.0 && n < -last)
                            || (last >= 20.0
                                && last % 10.0 == 0.0
                                && matches!(nxt, "un" | "une" | "onze"))
                    });
                    if joins {
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
