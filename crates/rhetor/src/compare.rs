//! Across documents: claims about the same counted thing lined up and
//! checked for conflicts, technique profiles per document and per source,
//! and the side-by-side comparison of two articles.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::numbers::{Approximation, NumberKind};
use crate::output::{Analysis, ClaimOut};
use crate::semeval::TECHNIQUES;

/// The source a document speaks for: the outlet when known, else the site,
/// the author, or the file.
pub fn source_label(a: &Analysis) -> String {
    if let Some(name) = a.source.name.as_ref().filter(|n| !n.trim().is_empty()) {
        return name.trim().to_string();
    }
    if let Some(host) = a.source.url.as_deref().and_then(host_of) {
        return host;
    }
    if let Some(author) = a
        .author
        .as_ref()
        .map(|t| t.text.clone())
        .or(a.declared_author.clone())
    {
        return author;
    }
    std::path::Path::new(&a.source.path)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(&a.source.path)
        .to_string()
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest
        .split(['/', '?', '#'])
        .next()?
        .trim_start_matches("www.");
    (!host.is_empty()).then(|| host.to_string())
}

/// A short label for a document: its title, else the start of its first
/// paragraph.
pub fn document_label(a: &Analysis) -> String {
    let first = a
        .paragraphs
        .iter()
        .find(|p| p.kind == crate::document::BlockKind::Paragraph)
        .map(|p| p.text.clone());
    label_from(
        a.title.as_ref().map(|t| t.text.clone()),
        first,
        &a.source.path,
    )
}

/// A document's label from its title, else the start of its first
/// paragraph (cut at a word near 70 characters), else its file name.
pub fn label_from(title: Option<String>, first_paragraph: Option<String>, path: &str) -> String {
    if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
        return t;
    }
    let Some(first) = first_paragraph.filter(|p| !p.trim().is_empty()) else {
        return std::path::Path::new(path)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or(path)
            .to_string();
    };
    if first.chars().count() > 70 {
        let cut: String = first.chars().take(70).collect();
        let cut = cut
            .rsplit_once(' ')
            .map_or(cut.as_str(), |(head, _)| head)
            .to_string();
        format!("{cut}…")
    } else {
        first
    }
}

/// How often each technique appears.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TechniqueProfile {
    pub label: String,
    pub documents: usize,
    pub words: usize,
    /// Blocks that carry running text (paragraphs, titles, headings).
    pub paragraphs: usize,
    /// technique → (occurrences, paragraphs with it)
    pub counts: BTreeMap<String, (usize, usize)>,
}

impl TechniqueProfile {
    /// Occurrences per 1 000 words.
    pub fn rate(&self, technique: &str) -> f64 {
        let n = self.counts.get(technique).map_or(0, |c| c.0);
        if self.words == 0 {
            0.0
        } else {
            n as f64 * 1000.0 / self.words as f64
        }
    }

    /// Share of paragraphs that carry the technique.
    pub fn share(&self, technique: &str) -> f64 {
        let n = self.counts.get(technique).map_or(0, |c| c.1);
        if self.paragraphs == 0 {
            0.0
        } else {
            n as f64 / self.paragraphs as f64
        }
    }

    /// Techniques by occurrences, most frequent first.
    pub fn dominant(&self) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> =
            self.counts.iter().map(|(k, c)| (k.clone(), c.0)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    fn add(&mut self, a: &Analysis) {
        self.documents += 1;
        self.words += a.word_count;
        for p in a
            .paragraphs
            .iter()
            .filter(|p| p.kind != crate::document::BlockKind::Byline)
        {
            self.paragraphs += 1;
            for t in &p.techniques {
                let e = self.counts.entry(t.technique.clone()).or_default();
                e.0 += 1;
                e.1 += 1;
            }
        }
    }
}

/// The technique profile of one document.
pub fn document_profile(a: &Analysis) -> TechniqueProfile {
    let mut p = TechniqueProfile {
        label: document_label(a),
        ..Default::default()
    };
    p.add(a);
    p
}

/// Technique profiles per source, sources in first-seen order.
pub fn source_profiles(analyses: &[Analysis]) -> Vec<TechniqueProfile> {
    let mut order: Vec<String> = Vec::new();
    let mut by: HashMap<String, TechniqueProfile> = HashMap::new();
    for a in analyses {
        let label = source_label(a);
        let p = by.entry(label.clone()).or_insert_with(|| {
            order.push(label.clone());
            TechniqueProfile {
                label: label.clone(),
                ..Default::default()
            }
        });
        p.add(a);
    }
    order.into_iter().filter_map(|l| by.remove(&l)).collect()
}

/// A claim of one document within a group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupEntry {
    pub doc_id: String,
    pub source: String,
    pub claim: ClaimOut,
}

/// Claims about the same counted thing across documents (entries ordered by
/// named group, then document).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimGroup {
    /// The head of the subject key ("soldat", "perte", "obus").
    pub key: String,
    pub per: Option<String>,
    pub kind: NumberKind,
    pub entries: Vec<GroupEntry>,
    /// Pairs of entries whose figures cannot both be true (same full subject,
    /// same rate, non-overlapping ranges).
    pub conflicts: Vec<(usize, usize)>,
    /// Documents the group draws on.
    pub documents: usize,
}

impl ClaimGroup {
    pub fn has_conflict(&self) -> bool {
        !self.conflicts.is_empty()
    }
}

/// The interval a claim asserts, with its approximation.
/// Always `low <= high`: the tolerance scales the magnitude, so a negative
/// value ("-5 %") gets the same interval as its mirror, not an inverted one.
pub fn interval(c: &ClaimOut) -> (f64, f64) {
    let v = c.value;
    if let Some(max) = c.value_max {
        return (v.min(max), v.max(max));
    }
    let around = |low: f64, high: f64| {
        let (a, b) = (v * low, v * high);
        (a.min(b), a.max(b))
    };
    match c.approximation {
        Approximation::Exact => around(0.95, 1.05),
        Approximation::About => around(0.8, 1.25),
        Approximation::MoreThan | Approximation::AtLeast => (v, f64::INFINITY),
        Approximation::LessThan | Approximation::AtMost => (f64::NEG_INFINITY, v),
    }
}

fn overlap(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

fn kind_class(k: NumberKind) -> NumberKind {
    match k {
        NumberKind::Fraction => NumberKind::Percent,
        other => other,
    }
}

/// Groups claims by the head of their subject, rate and kind; keeps groups
/// with at least two claims; conflicting groups first.
pub fn group_claims(analyses: &[Analysis]) -> Vec<ClaimGroup> {
    let mut groups: BTreeMap<(String, Option<String>, String), ClaimGroup> = BTreeMap::new();
    for a in analyses {
        let source = source_label(a);
        for c in &a.claims {
            let Some(key) = c.subject_key.as_ref() else {
                continue;
            };
            let head = key.split_whitespace().next().unwrap_or(key).to_string();
            if matches!(c.kind, NumberKind::Duration) {
                continue;
            }
            let kind = kind_class(c.kind);
            let g = groups
                .entry((head.clone(), c.per.clone(), format!("{kind:?}")))
                .or_insert_with(|| ClaimGroup {
                    key: head,
                    per: c.per.clone(),
                    kind,
                    entries: Vec::new(),
                    conflicts: Vec::new(),
                    documents: 0,
                });
            g.entries.push(GroupEntry {
                doc_id: a.id.clone(),
                source: source.clone(),
                claim: c.clone(),
            });
        }
    }
    let mut out: Vec<ClaimGroup> = groups
        .into_values()
        .filter(|g| g.entries.len() >= 2)
        .map(|mut g| {
            // A timeline per named group: its dated figures in date order,
            // then the undated ones, by document and position.
            let date = |e: &GroupEntry| {
                let d = e.claim.time.as_ref().and_then(|t| t.date.clone());
                (d.is_none(), d)
            };
            g.entries.sort_by(|a, b| {
                a.claim
                    .group
                    .cmp(&b.claim.group)
                    .then_with(|| date(a).cmp(&date(b)))
                    .then(a.doc_id.cmp(&b.doc_id))
                    .then(a.claim.start.cmp(&b.claim.start))
            });
            g.documents = g
                .entries
                .iter()
                .map(|e| &e.doc_id)
                .collect::<BTreeSet<_>>()
                .len();
            for i in 0..g.entries.len() {
                for j in i + 1..g.entries.len() {
                    let (a, b) = (&g.entries[i].claim, &g.entries[j].claim);
                    let one_article = g.entries[i].doc_id == g.entries[j].doc_id;
                    // The same thing: the same head, rate and unit (the group
                    // already ensures those) and the same named group, known
                    // on both sides: North Korean losses do not contradict
                    // Ukrainian ones.
                    if like_with_like(a, b, one_article) && !overlap(interval(a), interval(b)) {
                        g.conflicts.push((i, j));
                    }
                }
            }
            g
        })
        .collect();
    out.sort_by(|a, b| {
        b.documents
            .cmp(&a.documents)
            .then(b.has_conflict().cmp(&a.has_conflict()))
            .then(b.entries.len().cmp(&a.entries.len()))
            .then(a.key.cmp(&b.key))
    });
    out
}

/// Two figures measure the same thing: the same counted thing (full
/// subject key), the same named group known on both sides, the same role
/// (a total never contradicts an increment), the same unit (the group key
/// already holds the rate), overlapping time (or none on either side), not
/// two figures of one sentence (they count different things there), and
/// neither a small count ("deux pays") nor a span of time read as a count.
/// Within `one_article`, a demonym of the group may be left out of one side.
fn like_with_like(a: &ClaimOut, b: &ClaimOut, one_article: bool) -> bool {
    let same_group = a.group.is_some() && a.group == b.group;
    // Within one article, a demonym in the counted thing says the group
    // again ("soldats nord-coréens" of North Korea are the article's
    // "soldats"): compared without it. Across articles the unqualified
    // "soldats" may be any army's, so the keys must be equal.
    let counted = |c: &ClaimOut| {
        c.subject_key.as_deref().map(|k| {
            k.split_whitespace()
                .enumerate()
                .filter(|(i, w)| *i == 0 || !crate::claims::is_demonym_word(w))
                .map(|(_, w)| w)
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let same_subject = a.subject_key.is_some()
        && (a.subject_key == b.subject_key
            || (one_article && same_group && counted(a) == counted(b)));
    let same_sentence = a.sentence.start == b.sentence.start && a.sentence.text == b.sentence.text;
    let trivial = |c: &ClaimOut| c.kind == NumberKind::Number && c.value.abs() < 10.0;
    // Heads that say too little to tell two figures apart: spans of time
    // read as counts ("les huit dernières années"), people in general and
    // whole populations ("7 millions de personnes", "45 millions
    // d'Ukrainiens", "73 % des Français" answer different questions).
    let vague_subject = |c: &ClaimOut| {
        c.subject_key.as_deref().is_some_and(|k| {
            let head = k.split_whitespace().next().unwrap_or(k);
            matches!(
                head,
                "dernier"
                    | "derniere"
                    | "dernière"
                    | "premier"
                    | "première"
                    | "prochain"
                    | "last"
                    | "first"
                    | "next"
                    | "past"
                    | "personne"
                    | "gen"
                    | "gens"
                    | "habitant"
                    | "citoyen"
                    | "individu"
                    | "people"
                    | "person"
                    | "resident"
                    | "citizen"
                    | "inhabitant"
                    | "fois"
                    | "time"
                    | "an"
                    | "année"
                    | "annee"
                    | "year"
                    | "mois"
                    | "month"
                    | "jour"
                    | "day"
            ) || crate::claims::is_demonym_word(head)
        }) || c.subject.as_ref().is_some_and(|s| {
            let first = s
                .text
                .split(|ch: char| ch.is_whitespace() || ch == '\'' || ch == '’')
                .find(|w| {
                    !w.is_empty()
                        && !matches!(
                            *w,
                            "de" | "des" | "d" | "du" | "of" | "the" | "les" | "la" | "le" | "l"
                        )
                })
                .unwrap_or("");
            s.text.split_whitespace().count() <= 3
                && crate::claims::is_demonym_word(&first.to_lowercase())
        })
    };
    let time = |c: &ClaimOut| {
        c.time
            .as_ref()
            .and_then(|t| t.date.clone())
            .map(|d| d.chars().take(4).collect::<String>())
    };
    let same_time = match (time(a), time(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => true,
        _ => false,
    };
    same_group
        && same_subject
        && a.role == b.role
        && a.unit == b.unit
        && same_time
        && !same_sentence
        && !trivial(a)
        && !trivial(b)
        && !vague_subject(a)
        && !vague_subject(b)
}

/// Why two figures of a group conflict, in one sentence: "8 000 soldats
/// (§3) vs 11 000 soldats (§39): same group (North Korea), same role
/// (count), no time given".
pub fn conflict_reason(g: &ClaimGroup, i: usize, j: usize) -> String {
    let (a, b) = (&g.entries[i].claim, &g.entries[j].claim);
    let time = match a.time.as_ref().and_then(|t| t.date.clone()) {
        Some(d) => format!("both in {}", d.chars().take(4).collect::<String>()),
        None => "no time given".to_string(),
    };
    let place = |e: &GroupEntry| format!("§{} of {}", e.claim.paragraph, e.source);
    format!(
        "{} ({}) vs {} ({}): same group ({}), same role ({}), {time}",
        a.text,
        place(&g.entries[i]),
        b.text,
        place(&g.entries[j]),
        a.group.as_deref().unwrap_or("?"),
        a.role.as_str()
    )
}

/// Two articles side by side.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub a_label: String,
    pub b_label: String,
    pub a_genre: Option<String>,
    pub b_genre: Option<String>,
    pub shared_frames: Vec<String>,
    pub only_a_frames: Vec<String>,
    pub only_b_frames: Vec<String>,
    /// Content words both use, most shared first.
    pub shared_terms: Vec<String>,
    /// Names both mention.
    pub shared_names: Vec<String>,
    /// Claim groups (by subject head) present in both, with both sides' figures.
    pub figures: Vec<ClaimGroup>,
    pub a_profile: TechniqueProfile,
    pub b_profile: TechniqueProfile,
    /// How each names the actors both mention.
    pub actors: Vec<crate::entities::across::ActorComparison>,
}

const STOPWORDS: &[&str] = &[
    "les", "des", "une", "que", "qui", "dans", "pour", "par", "sur", "est", "sont", "pas", "avec",
    "plus", "mais", "comme", "aux", "son", "ses", "leur", "leurs", "cette", "ces", "tout", "tous",
    "elle", "ils", "nous", "vous", "été", "être", "fait", "même", "aussi", "dont", "entre", "sans",
    "très", "encore", "après", "avant", "depuis", "contre", "the", "and", "that", "with", "for",
    "are", "was", "were", "this", "these", "from", "have", "has", "had", "which", "their", "they",
    "will", "would", "there", "about", "into", "more", "than", "also", "been", "such", "only",
    "other", "lorsque", "alors", "donc", "ainsi", "celui", "celle", "ceux", "quand", "peut",
    "doit", "face",
];

fn terms(a: &Analysis) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in a.text.split(|c: char| !c.is_alphanumeric() && c != '-') {
        let lower = w.to_lowercase();
        if lower.chars().count() >= 4
            && !STOPWORDS.contains(&lower.as_str())
            && !lower.chars().all(|c| c.is_ascii_digit())
        {
            *m.entry(crate::claims::stem(&lower)).or_insert(0) += 1;
        }
    }
    m
}

fn names(a: &Analysis) -> BTreeSet<String> {
    // Capitalised words not at a sentence start, joined when adjacent.
    let mut out = BTreeSet::new();
    for s in &a.sentences {
        let text: String = a.text.chars().skip(s.start).take(s.end - s.start).collect();
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut run: Vec<&str> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let clean =
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'' && c != '’');
            let capital =
                clean.chars().next().is_some_and(char::is_uppercase) && clean.chars().count() > 1;
            if capital && i > 0 {
                let base = clean.rsplit(['\'', '’']).next().unwrap_or(clean);
                run.push(base);
            } else if !run.is_empty() {
                out.insert(run.join(" "));
                run.clear();
            }
        }
        if !run.is_empty() {
            out.insert(run.join(" "));
        }
    }
    out
}

/// Compares two analyses.
pub fn compare(a: &Analysis, b: &Analysis) -> Comparison {
    let fa: BTreeSet<String> = a.frames.iter().map(|f| f.label.clone()).collect();
    let fb: BTreeSet<String> = b.frames.iter().map(|f| f.label.clone()).collect();
    let (ta, tb) = (terms(a), terms(b));
    let mut shared: Vec<(String, usize)> = ta
        .iter()
        .filter_map(|(k, &n)| tb.get(k).map(|&m| (k.clone(), n.min(m))))
        .filter(|(_, n)| *n >= 2)
        .collect();
    shared.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let (na, nb) = (names(a), names(b));
    let pair = [a.clone(), b.clone()];
    let figures = group_claims(&pair)
        .into_iter()
        .filter(|g| g.documents == 2)
        .collect();
    Comparison {
        a: a.id.clone(),
        b: b.id.clone(),
        a_label: document_label(a),
        b_label: document_label(b),
        a_genre: a.genre.as_ref().map(|g| g.label.clone()),
        b_genre: b.genre.as_ref().map(|g| g.label.clone()),
        shared_frames: fa.intersection(&fb).cloned().collect(),
        only_a_frames: fa.difference(&fb).cloned().collect(),
        only_b_frames: fb.difference(&fa).cloned().collect(),
        shared_terms: shared.into_iter().take(15).map(|(k, _)| k).collect(),
        shared_names: na.intersection(&nb).take(20).cloned().collect(),
        figures,
        a_profile: document_profile(a),
        b_profile: document_profile(b),
        actors: crate::entities::across::actors(a, b),
    }
}

/// The technique names in the taxonomy's order (for stable charts).
pub fn technique_order() -> &'static [&'static str] {
    &TECHNIQUES
}
