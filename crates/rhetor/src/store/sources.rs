//! What the stored documents cite: one row per (document, cited source),
//! and the corpus views over them — the cited sources with who stands
//! behind them, and "who cites whom" (publishing source × cited outlet).

use rusqlite::{params, Transaction};

use super::sqlite::SqliteStore;
use super::StoreError;
use crate::output::{serde_name, Analysis};

/// A cited source across the corpus.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourceSummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Documents that cite it, and mentions in all.
    pub documents: i64,
    pub mentions: i64,
    pub claims: i64,
    pub domain: Option<String>,
    pub state_asset: Option<String>,
    pub state_owner: Option<String>,
    pub state_country: Option<String>,
    /// Typology as in the JSON ("state-controlled"); absent when the outlet
    /// is not in the State Media Matrix.
    pub typology: Option<String>,
    pub credibility_category: Option<String>,
    pub credibility_score: Option<f64>,
}

/// How often one publishing source (a document's `source_label`) cites one
/// source.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Citation {
    pub citing: String,
    pub cited_id: String,
    pub cited_name: String,
    pub documents: i64,
    pub typology: Option<String>,
}

/// Stores `a`'s cited sources (inside the batch's transaction).
pub(super) fn insert_cited(tx: &Transaction<'_>, a: &Analysis) -> Result<(), rusqlite::Error> {
    for (i, s) in a.sources.iter().enumerate() {
        let uses: Vec<String> = s.uses.iter().filter_map(serde_name).collect();
        tx.prepare_cached(
            "INSERT INTO cited_sources (doc_id, idx, source_id, name, kind, uses, mentions, claims, domain, state_asset, state_owner, state_country, typology, credibility_category, credibility_score)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(params![
            a.id,
            i as i64,
            s.id,
            s.name,
            serde_name(&s.kind),
            uses.join(","),
            s.mentions.len() as i64,
            s.claims.len() as i64,
            s.domain,
            s.state.as_ref().map(|st| &st.asset),
            s.state.as_ref().map(|st| &st.owner),
            s.state.as_ref().map(|st| &st.country),
            s.state.as_ref().and_then(|st| serde_name(&st.typology)),
            s.credibility.as_ref().and_then(|c| serde_name(&c.category)),
            s.credibility.as_ref().map(|c| f64::from(c.score)),
        ])?;
    }
    Ok(())
}

impl SqliteStore {
    /// Every cited source of the corpus, most cited first; `kind` filters
    /// ("media_outlet", "government"…).
    pub fn cited_sources(&self, kind: Option<&str>) -> Result<Vec<SourceSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source_id, max(name), max(kind), count(DISTINCT doc_id), sum(mentions), sum(claims),
                        max(domain), max(state_asset), max(state_owner), max(state_country), max(typology),
                        max(credibility_category), max(credibility_score)
                 FROM cited_sources WHERE (?1 IS NULL OR kind = ?1)
                 GROUP BY source_id ORDER BY count(DISTINCT doc_id) DESC, sum(mentions) DESC, source_id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([kind], |r| {
                Ok(SourceSummary {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    documents: r.get(3)?,
                    mentions: r.get(4)?,
                    claims: r.get(5)?,
                    domain: r.get(6)?,
                    state_asset: r.get(7)?,
                    state_owner: r.get(8)?,
                    state_country: r.get(9)?,
                    typology: r.get(10)?,
                    credibility_category: r.get(11)?,
                    credibility_score: r.get(12)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// One row per (document, cited source), for spreadsheets.
    pub fn sources_csv(&self) -> Result<String, StoreError> {
        self.query_csv(
            "SELECT c.doc_id, d.source_label, d.title, c.source_id, c.name, c.kind, c.uses, c.mentions, c.claims, c.domain, c.state_asset, c.state_owner, c.state_country, c.typology, c.credibility_category, c.credibility_score
             FROM cited_sources c JOIN documents d ON d.id = c.doc_id ORDER BY d.rowid, c.idx",
            "doc_id,source,title,cited_id,cited_name,cited_kind,uses,mentions,figures,domain,state_asset,state_owner,state_country,typology,credibility_category,credibility_score",
        )
    }

    /// Who cites whom: per publishing source and cited outlet or agency, the
    /// number of documents.
    pub fn citations(&self) -> Result<Vec<Citation>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.source_label, c.source_id, max(c.name), count(DISTINCT c.doc_id), max(c.typology)
                 FROM cited_sources c JOIN documents d ON d.id = c.doc_id
                 WHERE c.kind IN ('media_outlet', 'news_agency', 'website')
                 GROUP BY d.source_label, c.source_id
                 ORDER BY d.source_label, count(DISTINCT c.doc_id) DESC, c.source_id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Citation {
                    citing: r.get(0)?,
                    cited_id: r.get(1)?,
                    cited_name: r.get(2)?,
                    documents: r.get(3)?,
                    typology: r.get(4)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }
}
