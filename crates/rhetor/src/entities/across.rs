//! Entities across documents, from analyses in memory (the report and
//! `rhetor compare`; the store computes the same views in SQL): per entity,
//! how each source portrays it, and for two articles how each names the
//! actors both share.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::compare::source_label;
use crate::document::PortrayalKind;
use crate::output::{Analysis, EntityOut};
use crate::store::{
    EntityProfile, EntitySummary, MentionsOverTime, PortrayalCount, SourcePortrayal,
};

/// Words shown per source and entity.
const WORDS: usize = 30;

/// The words (not techniques or claims) of an entity, most frequent first.
fn words(e: &EntityOut) -> Vec<PortrayalCount> {
    let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    for p in &e.portrayal {
        if !matches!(p.kind, PortrayalKind::Technique | PortrayalKind::Claim) {
            *counts
                .entry((p.kind.as_str().to_string(), p.text.clone()))
                .or_default() += 1;
        }
    }
    sorted_counts(counts)
}

fn sorted_counts(counts: BTreeMap<(String, String), i64>) -> Vec<PortrayalCount> {
    let mut v: Vec<PortrayalCount> = counts
        .into_iter()
        .map(|((kind, text), count)| PortrayalCount { kind, text, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.text.cmp(&b.text)));
    v
}

/// The techniques near an entity's mentions, most frequent first.
pub fn technique_counts(e: &EntityOut) -> Vec<(String, i64)> {
    by_count(techniques(e))
}

fn techniques(e: &EntityOut) -> BTreeMap<String, i64> {
    let mut t = BTreeMap::new();
    for p in &e.portrayal {
        if let Some(label) = p
            .technique
            .as_ref()
            .filter(|_| p.kind == PortrayalKind::Technique)
        {
            *t.entry(label.clone()).or_default() += 1;
        }
    }
    t
}

fn by_count(t: BTreeMap<String, i64>) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = t.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Every entity of `analyses`, most documents first, with each source's
/// portrayal.
pub fn profiles(analyses: &[Analysis]) -> Vec<EntityProfile> {
    #[derive(Default)]
    struct SourceAcc {
        documents: i64,
        mentions: i64,
        words: BTreeMap<(String, String), i64>,
        techniques: BTreeMap<String, i64>,
    }
    struct Acc {
        entity: EntitySummary,
        sources: BTreeMap<String, SourceAcc>,
        months: BTreeMap<(String, String), i64>,
    }
    let mut all: BTreeMap<String, Acc> = BTreeMap::new();
    for a in analyses {
        let source = source_label(a);
        let month = a
            .published
            .as_deref()
            .and_then(|p| p.get(..7))
            .unwrap_or("undated")
            .to_string();
        for e in &a.entities {
            let acc = all.entry(e.id.clone()).or_insert_with(|| Acc {
                entity: EntitySummary {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    kind: e.kind.as_str().to_string(),
                    wikidata: e.wikidata.clone(),
                    documents: 0,
                    mentions: 0,
                    sources: 0,
                },
                sources: BTreeMap::new(),
                months: BTreeMap::new(),
            });
            let n = e.mentions.len() as i64;
            acc.entity.documents += 1;
            acc.entity.mentions += n;
            let s = acc.sources.entry(source.clone()).or_default();
            s.documents += 1;
            s.mentions += n;
            for w in words(e) {
                *s.words.entry((w.kind, w.text)).or_default() += w.count;
            }
            for (t, c) in techniques(e) {
                *s.techniques.entry(t).or_default() += c;
            }
            *acc.months
                .entry((month.clone(), source.clone()))
                .or_default() += n;
        }
    }
    let mut out: Vec<EntityProfile> = all
        .into_values()
        .map(|mut acc| {
            acc.entity.sources = acc.sources.len() as i64;
            let mut by_source: Vec<SourcePortrayal> = acc
                .sources
                .into_iter()
                .map(|(source, acc)| {
                    let mut words = sorted_counts(acc.words);
                    words.truncate(WORDS);
                    SourcePortrayal {
                        source,
                        documents: acc.documents,
                        mentions: acc.mentions,
                        words,
                        techniques: by_count(acc.techniques),
                    }
                })
                .collect();
            by_source.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.source.cmp(&b.source)));
            EntityProfile {
                entity: acc.entity,
                by_source,
                over_time: acc
                    .months
                    .into_iter()
                    .map(|((month, source), mentions)| MentionsOverTime {
                        month,
                        source,
                        mentions,
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.entity
            .documents
            .cmp(&a.entity.documents)
            .then(b.entity.mentions.cmp(&a.entity.mentions))
            .then(a.entity.id.cmp(&b.entity.id))
    });
    out
}

/// How two articles name one actor both mention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorComparison {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub a_mentions: usize,
    pub b_mentions: usize,
    pub a_words: Vec<PortrayalCount>,
    pub b_words: Vec<PortrayalCount>,
    pub a_techniques: Vec<(String, i64)>,
    pub b_techniques: Vec<(String, i64)>,
}

/// The actors both articles name, most mentioned first.
pub fn actors(a: &Analysis, b: &Analysis) -> Vec<ActorComparison> {
    let mut out: Vec<ActorComparison> = a
        .entities
        .iter()
        .filter_map(|x| {
            let y = b.entities.iter().find(|y| y.id == x.id)?;
            Some(ActorComparison {
                id: x.id.clone(),
                name: x.name.clone(),
                kind: x.kind.as_str().to_string(),
                a_mentions: x.mentions.len(),
                b_mentions: y.mentions.len(),
                a_words: words(x),
                b_words: words(y),
                a_techniques: technique_counts(x),
                b_techniques: technique_counts(y),
            })
        })
        .collect();
    out.sort_by(|p, q| {
        (q.a_mentions + q.b_mentions)
            .cmp(&(p.a_mentions + p.b_mentions))
            .then(p.id.cmp(&q.id))
    });
    out
}
