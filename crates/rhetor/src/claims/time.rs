//! When: the time expression around a date ("d'ici la fin 2025") and its
//! ISO (partial) date.

use super::*;

/// Time expressions around a date: "d'ici la fin 2025", "au printemps 2022".
pub(super) fn time_ref(text: &str, sentence: Span, date: &NumberMatch) -> TimeRef {
    let before = &text[sentence.start..date.span.start];
    let lower = lower_aligned(before);
    let mut start = date.span.start;
    for lead in [
        "d'ici la fin de",
        "d’ici la fin de",
        "d'ici la fin",
        "d’ici la fin",
        "d'ici fin",
        "d’ici fin",
        "à la fin de",
        "à la fin",
        "fin",
        "début",
        "au printemps",
        "à l'été",
        "à l’été",
        "en été",
        "à l'automne",
        "à l’automne",
        "en automne",
        "en hiver",
        "au printemps de",
        "en",
        "depuis",
        "dès",
        "jusqu'en",
        "jusqu’en",
        "avant",
        "après",
        "by the end of",
        "at the end of",
        "end of",
        "in",
        "since",
        "by",
        "until",
        "before",
        "after",
        "spring",
        "summer",
        "autumn",
        "winter",
    ] {
        if lower.trim_end().ends_with(lead) {
            let trimmed_len = before.trim_end().len();
            let s = trimmed_len - lead.len();
            if before.is_char_boundary(s)
                && before[..s]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            {
                start = sentence.start + s;
                break;
            }
        }
    }
    let raw = &text[date.span.start..date.span.end];
    let year = date.value as i64;
    let lead = lower
        .get(start - sentence.start..)
        .unwrap_or("")
        .to_string();
    let iso = if date.unit.as_deref() == Some("date") {
        iso_date(raw).or(Some(year.to_string()))
    } else if year > 0 {
        Some(if lead.contains("fin") || lead.contains("end") {
            format!("{year}-12")
        } else {
            year.to_string()
        })
    } else {
        None
    };
    TimeRef {
        span: Span::new(start, date.span.end),
        date: iso,
    }
}

pub(super) fn iso_date(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    if raw.len() == 10 && raw.as_bytes()[4] == b'-' {
        return Some(raw.to_string());
    }
    let parts: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '/' || c == '.' || c == ',')
        .filter(|p| !p.is_empty() && *p != "le")
        .collect();
    let (mut day, mut month, mut year) = (None, None, None);
    for p in parts {
        let p = p.trim_end_matches(|c: char| {
            c.is_alphabetic() && p.chars().next().is_some_and(|d| d.is_ascii_digit())
        });
        if let Some(m) = crate::numbers::words::month(p) {
            month = Some(m);
        } else if let Ok(n) = p.trim_end_matches("er").parse::<u32>() {
            if n > 31 {
                year = Some(n);
            } else if day.is_none() {
                day = Some(n);
            } else {
                month = month.or(Some(n));
            }
        }
    }
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => Some(format!("{y:04}-{m:02}-{d:02}")),
        (Some(y), Some(m), None) => Some(format!("{y:04}-{m:02}")),
        _ => None,
    }
}
