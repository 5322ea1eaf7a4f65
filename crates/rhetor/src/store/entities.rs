//! Who the stored documents name: one row per (document, entity) and one per
//! portrayal item, and the corpus views over them — the entities with their
//! reach, and per entity how each source portrays it (words side by side,
//! technique counts near its mentions, mentions over time). The SQL is the
//! same for both backends (`$1` placeholders, which SQLite reads too).

use std::collections::BTreeMap;

use crate::document::PortrayalKind;
use crate::output::Analysis;

/// An entity across the corpus.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntitySummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub wikidata: Option<String>,
    /// Documents that name it, mentions in all, publishing sources.
    pub documents: i64,
    pub mentions: i64,
    pub sources: i64,
}

/// How one publishing source portrays one entity.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct SourcePortrayal {
    /// The document's source label (outlet, site or file).
    pub source: String,
    pub documents: i64,
    pub mentions: i64,
    /// Words attached to the entity (epithets, appositions, predicates,
    /// actions), most frequent first: (kind, text, count).
    pub words: Vec<PortrayalCount>,
    /// Techniques whose evidence touches a mention: (technique, count).
    pub techniques: Vec<(String, i64)>,
}

/// A portrayal text and how often a source used it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PortrayalCount {
    pub kind: String,
    pub text: String,
    pub count: i64,
}

/// Mentions of an entity per month (publication date; "undated" when the
/// document has none) and source.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MentionsOverTime {
    pub month: String,
    pub source: String,
    pub mentions: i64,
}

/// One entity in the corpus: who it is, and each source's portrayal.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntityProfile {
    pub entity: EntitySummary,
    pub by_source: Vec<SourcePortrayal>,
    pub over_time: Vec<MentionsOverTime>,
}

/// Rows to store for one analysis: (entity_id, name, kind, wikidata,
/// linked, mentions) and (entity_id, kind, text, technique, start, end).
pub(crate) type EntityRow = (String, String, String, Option<String>, i64, i64);
pub(crate) type PortrayalRow = (String, String, String, Option<String>, i64, i64);

pub(crate) fn rows_of(a: &Analysis) -> (Vec<EntityRow>, Vec<PortrayalRow>) {
    let mut entities = Vec::new();
    let mut portrayal = Vec::new();
    for e in &a.entities {
        entities.push((
            e.id.clone(),
            e.name.clone(),
            e.kind.as_str().to_string(),
            e.wikidata.clone(),
            i64::from(e.linked),
            e.mentions.len() as i64,
        ));
        for p in &e.portrayal {
            portrayal.push((
                e.id.clone(),
                p.kind.as_str().to_string(),
                p.text.clone(),
                p.technique.clone(),
                p.start as i64,
                p.end as i64,
            ));
        }
    }
    (entities, portrayal)
}

pub(crate) const SUMMARY_SQL: &str = "SELECT e.entity_id, max(e.name), max(e.kind), max(e.wikidata), count(DISTINCT e.doc_id), CAST(sum(e.mentions) AS BIGINT), count(DISTINCT d.source_label)
     FROM entity_mentions e JOIN documents d ON d.id = e.doc_id
     WHERE ($1 = '' OR e.kind = $1) AND ($2 = '' OR e.entity_id = $2)
     GROUP BY e.entity_id
     ORDER BY count(DISTINCT e.doc_id) DESC, sum(e.mentions) DESC, e.entity_id";

pub(crate) const BY_SOURCE_SQL: &str =
    "SELECT d.source_label, count(DISTINCT e.doc_id), CAST(sum(e.mentions) AS BIGINT)
     FROM entity_mentions e JOIN documents d ON d.id = e.doc_id
     WHERE e.entity_id = $1 GROUP BY d.source_label ORDER BY sum(e.mentions) DESC, d.source_label";

pub(crate) const PORTRAYAL_SQL: &str = "SELECT d.source_label, p.kind, CASE WHEN p.kind = 'technique' THEN coalesce(p.technique, '') ELSE p.text END, count(*)
     FROM entity_portrayal p JOIN documents d ON d.id = p.doc_id
     WHERE p.entity_id = $1 AND p.kind <> 'claim'
     GROUP BY d.source_label, p.kind, CASE WHEN p.kind = 'technique' THEN coalesce(p.technique, '') ELSE p.text END
     ORDER BY d.source_label, count(*) DESC, 3";

pub(crate) const OVER_TIME_SQL: &str = "SELECT coalesce(substr(d.published, 1, 7), 'undated'), d.source_label, CAST(sum(e.mentions) AS BIGINT)
     FROM entity_mentions e JOIN documents d ON d.id = e.doc_id
     WHERE e.entity_id = $1 GROUP BY 1, 2 ORDER BY 1, 2";

/// Words shown per source and entity.
const WORDS_PER_SOURCE: usize = 30;

/// Builds a profile from the rows of the four queries.
pub(crate) fn profile(
    entity: EntitySummary,
    sources: Vec<(String, i64, i64)>,
    portrayal: Vec<(String, String, String, i64)>,
    over_time: Vec<(String, String, i64)>,
) -> EntityProfile {
    let mut by: BTreeMap<String, SourcePortrayal> = BTreeMap::new();
    for (source, documents, mentions) in &sources {
        by.insert(
            source.clone(),
            SourcePortrayal {
                source: source.clone(),
                documents: *documents,
                mentions: *mentions,
                ..SourcePortrayal::default()
            },
        );
    }
    for (source, kind, text, count) in portrayal {
        let Some(s) = by.get_mut(&source) else {
            continue;
        };
        if kind == "technique" {
            s.techniques.push((text, count));
        } else if s.words.len() < WORDS_PER_SOURCE {
            s.words.push(PortrayalCount { kind, text, count });
        }
    }
    let mut by_source: Vec<SourcePortrayal> = by.into_values().collect();
    by_source.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.source.cmp(&b.source)));
    EntityProfile {
        entity,
        by_source,
        over_time: over_time
            .into_iter()
            .map(|(month, source, mentions)| MentionsOverTime {
                month,
                source,
                mentions,
            })
            .collect(),
    }
}

/// One CSV row per (document, entity), with its portrayal words joined
/// ("epithet: camarade | predicate: qui sème la mort…").
pub(super) fn csv(analyses: &[Analysis]) -> String {
    use super::csv_field;
    let mut out = String::from(
        "doc_id,source,title,entity_id,name,kind,wikidata,linked,mentions,portrayal\n",
    );
    for a in analyses {
        let source = crate::compare::source_label(a);
        let title = a.title.as_ref().map(|t| t.text.as_str()).unwrap_or("");
        for e in &a.entities {
            let words: Vec<String> = e
                .portrayal
                .iter()
                .filter(|p| !matches!(p.kind, PortrayalKind::Technique | PortrayalKind::Claim))
                .map(|p| format!("{}: {}", p.kind.as_str(), p.text))
                .collect();
            let fields = [
                a.id.clone(),
                source.clone(),
                title.to_string(),
                e.id.clone(),
                e.name.clone(),
                e.kind.as_str().to_string(),
                e.wikidata.clone().unwrap_or_default(),
                e.linked.to_string(),
                e.mentions.len().to_string(),
                words.join(" | "),
            ];
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

impl super::sqlite::SqliteStore {
    /// Every entity of the corpus, most documents first; `kind` filters
    /// ("person", "place"…).
    pub fn entities(&self, kind: Option<&str>) -> Result<Vec<EntitySummary>, super::StoreError> {
        self.summaries(kind.unwrap_or(""), "")
    }

    fn summaries(&self, kind: &str, id: &str) -> Result<Vec<EntitySummary>, super::StoreError> {
        let mut stmt = self.conn.prepare(SUMMARY_SQL).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([kind, id], |r| {
                Ok(EntitySummary {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    wikidata: r.get(3)?,
                    documents: r.get(4)?,
                    mentions: r.get(5)?,
                    sources: r.get(6)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// The rows of one of the profile queries, for entity `id` (the same
    /// SQL as PostgreSQL's, which maps its rows the same way).
    fn rows_for<T>(
        &self,
        sql: &str,
        id: &str,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, super::StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([id], map).map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// One entity: how each source portrays it; `None` if no document names it.
    pub fn entity_profile(&self, id: &str) -> Result<Option<EntityProfile>, super::StoreError> {
        let Some(summary) = self.summaries("", id)?.into_iter().next() else {
            return Ok(None);
        };
        let sources =
            self.rows_for(BY_SOURCE_SQL, id, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let portrayal = self.rows_for(PORTRAYAL_SQL, id, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        let over_time =
            self.rows_for(OVER_TIME_SQL, id, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(Some(profile(summary, sources, portrayal, over_time)))
    }
}
