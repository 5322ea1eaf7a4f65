//! The SemEval-2023 Task 3 layout: label names, the training data
//! (`<lang>/train/{articles,techniques.tsv,frames.tsv,genre.tsv,spans.tsv}`),
//! and the mapping between article lines and document blocks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::document::{Document, Span};
use crate::error::ModelError;
use crate::ingest::{Body, RawArticle};
use crate::Pipeline;

/// The 23 persuasion techniques, spelled as the task scores them.
pub const TECHNIQUES: [&str; 23] = [
    "Appeal_to_Authority",
    "Appeal_to_Popularity",
    "Appeal_to_Values",
    "Appeal_to_Fear-Prejudice",
    "Flag_Waving",
    "Causal_Oversimplification",
    "False_Dilemma-No_Choice",
    "Consequential_Oversimplification",
    "Straw_Man",
    "Red_Herring",
    "Whataboutism",
    "Slogans",
    "Appeal_to_Time",
    "Conversation_Killer",
    "Loaded_Language",
    "Repetition",
    "Exaggeration-Minimisation",
    "Obfuscation-Vagueness-Confusion",
    "Name_Calling-Labeling",
    "Doubt",
    "Guilt_by_Association",
    "Appeal_to_Hypocrisy",
    "Questioning_the_Reputation",
];

/// The 14 frames.
pub const FRAMES: [&str; 14] = [
    "Economic",
    "Capacity_and_resources",
    "Morality",
    "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence",
    "Policy_prescription_and_evaluation",
    "Crime_and_punishment",
    "Security_and_defense",
    "Health_and_safety",
    "Quality_of_life",
    "Cultural_identity",
    "Public_opinion",
    "Political",
    "External_regulation_and_reputation",
];

/// The three genres.
pub const GENRES: [&str; 3] = ["opinion", "reporting", "satire"];

/// The languages of the task, in the order reports list them.
pub const LANGUAGES: [&str; 6] = ["en", "fr", "de", "it", "pl", "ru"];

/// One training article with its labels.
#[derive(Debug, Clone)]
pub struct LabelledArticle {
    pub lang: String,
    pub id: String,
    pub doc: Document,
    /// Labelled paragraphs: block index and technique indices.
    pub paragraphs: Vec<(usize, Vec<usize>)>,
    pub frames: Option<Vec<usize>>,
    pub genre: Option<usize>,
    /// Annotated spans: technique index and byte span in `doc.text`.
    pub spans: Vec<(usize, Span)>,
}

fn read(path: &Path) -> Result<String, ModelError> {
    std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })
}

pub(crate) fn label_index(names: &[&str], name: &str) -> Option<usize> {
    names.iter().position(|n| *n == name)
}

/// Loads the training articles of every language folder under `dir`.
pub fn load_training(dir: &Path) -> Result<Vec<LabelledArticle>, ModelError> {
    let pipeline = Pipeline::default();
    let mut out = Vec::new();
    for lang in LANGUAGES {
        let base = dir.join(lang).join("train");
        if !base.is_dir() {
            continue;
        }
        let mut paragraphs: HashMap<String, Vec<(usize, Vec<usize>)>> = HashMap::new();
        for row in read(&base.join("techniques.tsv"))?.lines() {
            let f: Vec<&str> = row.split('\t').collect();
            if f.len() < 2 {
                continue;
            }
            let Ok(line) = f[1].parse::<usize>() else {
                continue;
            };
            let labels = f
                .get(2)
                .map(|l| {
                    l.split(',')
                        .filter_map(|n| label_index(&TECHNIQUES, n.trim()))
                        .collect()
                })
                .unwrap_or_default();
            paragraphs
                .entry(f[0].to_string())
                .or_default()
                .push((line, labels));
        }
        let mut frames: HashMap<String, Vec<usize>> = HashMap::new();
        for row in read(&base.join("frames.tsv"))?.lines() {
            if let Some((id, labels)) = row.split_once('\t') {
                let l = labels
                    .split(',')
                    .filter_map(|n| label_index(&FRAMES, n.trim()))
                    .collect();
                frames.insert(id.to_string(), l);
            }
        }
        let mut genres: HashMap<String, usize> = HashMap::new();
        for row in read(&base.join("genre.tsv"))?.lines() {
            if let Some((id, g)) = row.split_once('\t') {
                if let Some(g) = label_index(&GENRES, g.trim()) {
                    genres.insert(id.to_string(), g);
                }
            }
        }
        let mut spans: HashMap<String, Vec<(usize, usize, usize)>> = HashMap::new();
        for row in read(&base.join("spans.tsv"))?.lines() {
            let f: Vec<&str> = row.split('\t').collect();
            if f.len() == 4 {
                if let (Some(t), Ok(s), Ok(e)) =
                    (label_index(&TECHNIQUES, f[1]), f[2].parse(), f[3].parse())
                {
                    spans.entry(f[0].to_string()).or_default().push((t, s, e));
                }
            }
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(base.join("articles"))
            .map_err(|source| ModelError::Io {
                path: base.join("articles").display().to_string(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for path in files {
            let Some(id) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.strip_prefix("article"))
                .map(str::to_string)
            else {
                continue;
            };
            let Ok(doc) = pipeline.run(text_article(&path, read(&path)?)) else {
                continue;
            };
            let line_to_block = line_blocks(&doc);
            let paras = paragraphs
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(line, labels)| Some((*line_to_block.get(&line)?, labels)))
                .collect();
            let chars: Vec<usize> = doc.original.char_indices().map(|(b, _)| b).collect();
            let byte = |c: usize| chars.get(c).copied().unwrap_or(doc.original.len());
            let spans = spans
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(t, s, e)| {
                    let ns = doc.alignment.from_original(byte(s));
                    let ne = doc.alignment.from_original(byte(e));
                    (ne > ns).then(|| (t, Span::new(ns, ne)))
                })
                .collect();
            out.push(LabelledArticle {
                lang: lang.to_string(),
                frames: frames.remove(&id),
                genre: genres.remove(&id),
                id,
                doc,
                paragraphs: paras,
                spans,
            });
        }
    }
    Ok(out)
}

/// A plain-text article read from `path`.
pub fn text_article(path: &Path, text: String) -> RawArticle {
    RawArticle {
        source: crate::document::Source {
            path: path.display().to_string(),
            ..Default::default()
        },
        format: crate::document::Format::Text,
        encoding: "UTF-8".into(),
        body: Body::Text(text),
        declared: Default::default(),
    }
}

/// Block index for every 1-based line of the original that a block covers.
pub fn line_blocks(doc: &Document) -> HashMap<usize, usize> {
    let mut map = HashMap::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Some(line) = b.line {
            for l in line..line + b.line_count.max(1) {
                map.insert(l, i);
            }
        }
    }
    map
}

/// Character-overlap counts of one technique: characters marked by both,
/// by the prediction, by the gold.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OverlapCounts {
    pub both: usize,
    pub predicted: usize,
    pub gold: usize,
}

impl OverlapCounts {
    pub fn precision(&self) -> f64 {
        self.both as f64 / self.predicted.max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.both as f64 / self.gold.max(1) as f64
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// The characters each (article, technique) covers in rows of the span
/// format (`id<TAB>technique<TAB>start<TAB>end`); malformed rows are skipped.
fn covered(rows: &str) -> HashMap<(String, String), std::collections::BTreeSet<usize>> {
    let mut out: HashMap<(String, String), std::collections::BTreeSet<usize>> = HashMap::new();
    for line in rows.lines() {
        let f: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let [id, technique, start, end] = f[..] else {
            continue;
        };
        let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else {
            continue;
        };
        // A span longer than any article is malformed, not a reason to fill memory.
        if end <= start || end - start > 1 << 20 {
            continue;
        }
        out.entry((id.to_string(), technique.to_string()))
            .or_default()
            .extend(start..end);
    }
    out
}

/// Per technique (sorted by name), the character overlap of predicted with
/// gold spans: a character counts once per technique however many spans
/// cover it.
pub fn span_overlap(gold: &str, predicted: &str) -> Vec<(String, OverlapCounts)> {
    let g = covered(gold);
    let p = covered(predicted);
    let mut by: std::collections::BTreeMap<String, OverlapCounts> = Default::default();
    for ((id, t), chars) in &g {
        let c = by.entry(t.clone()).or_default();
        c.gold += chars.len();
        if let Some(pc) = p.get(&(id.clone(), t.clone())) {
            c.both += chars.intersection(pc).count();
        }
    }
    for ((_, t), chars) in &p {
        by.entry(t.clone()).or_default().predicted += chars.len();
    }
    by.into_iter().collect()
}

/// [`span_overlap`] as a Markdown table, with the micro-averaged total.
pub fn span_overlap_table(gold: &str, predicted: &str) -> String {
    let rows = span_overlap(gold, predicted);
    let mut out = String::from(
        "| technique | gold chars | predicted chars | overlap chars | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut all = OverlapCounts::default();
    for (t, c) in &rows {
        all.both += c.both;
        all.predicted += c.predicted;
        all.gold += c.gold;
        out.push_str(&format!(
            "| {t} | {} | {} | {} | {:.3} | {:.3} | {:.3} |\n",
            c.gold,
            c.predicted,
            c.both,
            c.precision(),
            c.recall(),
            c.f1()
        ));
    }
    out.push_str(&format!(
        "| **all (micro)** | {} | {} | {} | {:.3} | {:.3} | **{:.3}** |\n",
        all.gold,
        all.predicted,
        all.both,
        all.precision(),
        all.recall(),
        all.f1()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_overlap_counts_characters_once_per_technique() {
        let gold = "1\tLoaded_Language\t0\t10\n1\tDoubt\t20\t30\n2\tLoaded_Language\t5\t9\n";
        // Two overlapping predictions cover 5..15 once; a wrong technique
        // and a wrong article count as predicted only; junk rows are skipped.
        let pred = "1\tLoaded_Language\t5\t12\n1\tLoaded_Language\t8\t15\n1\tFlag_Waving\t20\t30\n3\tDoubt\t0\t4\nbad row\n1\tDoubt\t9\t3\n";
        let by: HashMap<String, OverlapCounts> = span_overlap(gold, pred).into_iter().collect();
        let ll = by["Loaded_Language"];
        assert_eq!(
            ll,
            OverlapCounts {
                both: 5,
                predicted: 10,
                gold: 14
            }
        );
        assert!((ll.precision() - 0.5).abs() < 1e-9);
        assert!((ll.recall() - 5.0 / 14.0).abs() < 1e-9);
        assert_eq!(by["Doubt"].both, 0);
        assert_eq!(by["Doubt"].gold, 10);
        assert_eq!(by["Doubt"].predicted, 4);
        assert_eq!(by["Flag_Waving"].f1(), 0.0);
        let table = span_overlap_table(gold, pred);
        assert!(
            table.contains("| **all (micro)** | 24 | 24 | 5 |"),
            "{table}"
        );
    }
}
