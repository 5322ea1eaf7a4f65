//! Who says so: attributions ("selon X", "X a déclaré", "X, dans Y, nous
//! rappelle") and the kind of source they name.

use aho_corasick::AhoCorasick;

use super::*;

/// Finds the rate, hedge and time expressions of a sentence.
pub(super) fn find_all(ac: &AhoCorasick, text: &str, span: Span) -> Vec<Span> {
    let body = &text[span.start..span.end];
    ac.find_iter(body)
        .filter(|m| {
            let before = body[..m.start()].chars().next_back();
            let after = body[m.end()..].chars().next();
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
        })
        .map(|m| Span::new(span.start + m.start(), span.start + m.end()))
        .collect()
}

/// `name` contains one of the words of `list` (an automaton of
/// `lexicon::word_list`) as whole words, case-insensitively.
pub(super) fn has_word(name: &str, list: &AhoCorasick) -> bool {
    let lower = lower_aligned(name);
    list.find_overlapping_iter(lower.as_ref()).any(|m| {
        let b = lower[..m.start()].chars().next_back();
        let a = lower[m.end()..].chars().next();
        b.is_none_or(|c| !c.is_alphanumeric()) && a.is_none_or(|c| !c.is_alphanumeric())
    })
}

pub(super) fn classify_source(name: &str) -> SourceKind {
    let has = |list: &AhoCorasick| has_word(name, list);
    if has(&AGENCIES_AC) {
        SourceKind::NewsAgency
    } else if has(&OUTLETS_AC) {
        SourceKind::MediaOutlet
    } else if has(&GOVERNMENT_AC) {
        SourceKind::Government
    } else if has(&VAGUE_AC) {
        SourceKind::Unspecified
    } else if name
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count()
        >= 1
    {
        SourceKind::Person
    } else {
        SourceKind::Unspecified
    }
}

pub(super) fn trim_span(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let lead = s.len()
        - s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '—' | '–'))
            .len();
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '—' | '–'));
    let t = t.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '—' | '–')
    });
    Span::new(span.start + lead, span.start + lead + t.len())
}

/// The sources named in a sentence.
pub(crate) fn attributions(text: &str, sentence: Span) -> Vec<Attribution> {
    let mut out = Vec::new();
    let body = &text[sentence.start..sentence.end];
    // "selon X", "according to X": X runs to the next punctuation or clause.
    for cue in find_all(&CUE_AC, text, sentence) {
        if text[cue.start..cue.end].eq_ignore_ascii_case("per") {
            continue;
        }
        let rest_start = cue.end;
        let rest = &text[rest_start..sentence.end];
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if matches!(
                c,
                ',' | '.' | ';' | ':' | '—' | '–' | '(' | ')' | '«' | '»' | '!' | '?'
            ) && i > 0
            {
                end = i;
                break;
            }
        }
        // Stop at a clause: " qui ", " que ", " et ", " which ", " that ".
        let lower = lower_aligned(&rest[..end]);
        for stop in [
            " qui ",
            " que ",
            " qu'",
            " qu’",
            " et ",
            " which ",
            " that ",
            " and ",
            " pour ",
            " portant ",
            " dans ",
        ] {
            if let Some(p) = lower.find(stop) {
                end = end.min(p);
            }
        }
        let words = rest[..end].split_whitespace().count();
        if words == 0 || words > 10 {
            continue;
        }
        let span = trim_span(text, Span::new(rest_start, rest_start + end));
        if span.is_empty() {
            continue;
        }
        out.push(Attribution {
            span,
            kind: classify_source(&text[span.start..span.end]),
            outlet: None,
            cue,
            inherited: false,
        });
    }
    // "X (, dans Y,) nous rappelle que", "X said": X just before the verb.
    for verb in find_all(&VERB_AC, text, sentence) {
        let before = &text[sentence.start..verb.start];
        let before = before.trim_end();
        // Pronouns between subject and verb ("nous rappelle").
        let before = before
            .strip_suffix(" nous")
            .or_else(|| before.strip_suffix(" lui"))
            .or_else(|| before.strip_suffix(" leur"))
            .unwrap_or(before)
            .trim_end();
        let mut outlet = None;
        let mut head_end = sentence.start + before.len();
        // ", dans Le Figaro," apposition.
        if let Some(stripped) = before.strip_suffix(',') {
            let lower = lower_aligned(stripped);
            if let Some(p) = lower
                .rfind(", dans ")
                .or_else(|| lower.rfind(", in "))
                .or_else(|| lower.rfind(", sur "))
            {
                let cue_len = if lower[p..].starts_with(", dans ") {
                    7
                } else if lower[p..].starts_with(", in ") {
                    5
                } else {
                    6
                };
                let o = Span::new(
                    sentence.start + p + cue_len,
                    sentence.start + stripped.len(),
                );
                outlet = Some(trim_span(text, o));
                head_end = sentence.start + p;
            }
        }
        let head = &text[sentence.start..head_end];
        let start_rel = head
            .rfind([',', ';', ':', '—', '–', '«', '»', '"', '(', '.'])
            .map_or(0, |p| {
                p + head[p..].chars().next().map_or(1, char::len_utf8)
            });
        let span = trim_span(text, Span::new(sentence.start + start_rel, head_end));
        let name = &text[span.start..span.end];
        let words = name.split_whitespace().count();
        let kind = classify_source(name);
        // A person is a proper name ("Isabelle Lasserre", "Jean de La Fontaine");
        // a vague source must say so ("des experts"); "Cette hypocrisie révèle"
        // is no attribution.
        let proper_name = (1..=4).contains(&words)
            && name.split_whitespace().all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    || matches!(
                        w,
                        "de" | "du" | "van" | "von" | "la" | "le" | "d'" | "bin" | "al"
                    )
            });
        let vague = has_word(name, &VAGUE_AC);
        let accepted = match kind {
            SourceKind::Person => proper_name,
            SourceKind::Unspecified => vague,
            _ => true,
        };
        if words == 0 || words > 8 || !accepted {
            continue;
        }
        // "Il a déclaré": a pronoun is no source.
        if matches!(
            fold(name).as_str(),
            "il" | "elle"
                | "ils"
                | "elles"
                | "on"
                | "he"
                | "she"
                | "they"
                | "it"
                | "we"
                | "i"
                | "je"
                | "nous"
        ) {
            continue;
        }
        out.push(Attribution {
            span,
            kind: if outlet.is_some() && kind == SourceKind::Person {
                SourceKind::Person
            } else {
                kind
            },
            outlet,
            cue: verb,
            inherited: false,
        });
    }
    let _ = body;
    out
}
