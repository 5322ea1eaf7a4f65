//! Compiles the two outlet lists of `../shared/data/outlets` (State Media
//! Matrix CSV, CRED-1 CSV) into `models/outlets.tsv` (`rhetor train
//! --outlets DIR`). Deterministic: rows keep the lists' order; hosts are
//! normalised as links are (lower case, no `www.`, no path).

use std::path::Path;

use crate::document::{CredCategory, Typology};
use crate::error::ModelError;
use crate::sources::host::host_of;
use crate::sources::registry::{serialise, Credibility, ListInfo, StateMedia};

/// Reads both CSV files in `dir` and returns the outlets file's text, with
/// counts for the log line.
pub fn compile(dir: &Path) -> Result<(String, usize, usize), ModelError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })
    };
    let invalid = |name: &str, reason: String| ModelError::Invalid {
        path: dir.join(name).display().to_string(),
        reason,
    };
    let matrix = parse_csv(&read("state-media-matrix.csv")?);
    let header = matrix.first().cloned().unwrap_or_default();
    let col = |rows: &[String], name: &str| {
        rows.iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| invalid("state-media-matrix.csv", format!("no column {name:?}")))
    };
    let (country, owner, asset, url, typology) = (
        col(&header, "Country")?,
        col(&header, "Media company")?,
        col(&header, "Main assets")?,
        col(&header, "URL")?,
        col(&header, "Typology")?,
    );
    let mut state_media = Vec::new();
    for (i, row) in matrix.iter().enumerate().skip(1) {
        let get = |c: usize| row.get(c).map_or("", |s| s.trim());
        let code = get(typology);
        if get(asset).is_empty() && get(url).is_empty() {
            continue;
        }
        let uncertain = code.ends_with('?');
        let Some(t) = Typology::from_code(code.trim_end_matches('?')) else {
            return Err(invalid(
                "state-media-matrix.csv",
                format!("row {}: unknown typology {code:?}", i + 1),
            ));
        };
        let raw = get(url);
        let with_scheme = if raw.contains("://") || raw.is_empty() {
            raw.to_string()
        } else {
            format!("https://{raw}")
        };
        state_media.push(StateMedia {
            host: host_of(&with_scheme).unwrap_or_default(),
            asset: get(asset).to_string(),
            owner: get(owner).trim_end_matches('*').trim().to_string(),
            country: get(country).to_string(),
            typology: t,
            uncertain,
        });
    }
    let cred = parse_csv(&read("cred1.csv")?);
    let header = cred.first().cloned().unwrap_or_default();
    let ccol = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| invalid("cred1.csv", format!("no column {name:?}")))
    };
    let (domain, category, score) = (
        ccol("domain")?,
        ccol("category")?,
        ccol("credibility_score")?,
    );
    let mut credibility = Vec::new();
    for (i, row) in cred.iter().enumerate().skip(1) {
        let get = |c: usize| row.get(c).map_or("", |s| s.trim());
        if get(domain).is_empty() {
            continue;
        }
        let Some(cat) = CredCategory::parse(get(category)) else {
            return Err(invalid(
                "cred1.csv",
                format!("row {}: unknown category {:?}", i + 1, get(category)),
            ));
        };
        credibility.push(Credibility {
            domain: get(domain)
                .to_ascii_lowercase()
                .trim_start_matches("www.")
                .to_string(),
            category: cat,
            score: get(score).parse().unwrap_or(0.0),
        });
    }
    let text = serialise(
        &ListInfo {
            id: "smm".into(),
            name: "State Media Monitor via ASD (ASD-at-GMF/state-media-profiles @ d878fee)".into(),
            date: "2024-02".into(),
            licence: "MIT".into(),
        },
        &ListInfo {
            id: "cred1".into(),
            name: "CRED-1 (aloth/cred-1 @ 3b98756; OpenSources, Iffy.news)".into(),
            date: "2026-08".into(),
            licence: "CC BY 4.0".into(),
        },
        &state_media,
        &credibility,
    );
    Ok((text, state_media.len(), credibility.len()))
}

/// RFC 4180 CSV: quoted fields may hold commas, newlines and `""`.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes() {
        let rows = parse_csv("a,\"b, c\",\"d \"\"e\"\"\"\r\n1,2,3\n");
        assert_eq!(
            rows,
            vec![vec!["a", "b, c", "d \"e\""], vec!["1", "2", "3"]]
        );
    }
}
