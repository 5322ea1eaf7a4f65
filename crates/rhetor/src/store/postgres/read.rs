//! The PostgreSQL backend's queries: analyses, document lists with full-text
//! search, filter values, integrity, CSV exports, cited sources.

use super::PgStore;
use crate::output::Analysis;
use crate::store::{
    csv_field, query_words, Citation, DocumentFilter, DocumentSummary, SourceSummary, StoreError,
};
use crate::store::{EntityProfile, EntitySummary};

impl PgStore {
    pub fn count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .client
            .borrow_mut()
            .query_one("SELECT count(*) FROM documents", &[])
            .map_err(|e| self.pg(e))?
            .get(0);
        Ok(n as usize)
    }

    pub fn analysis(&self, id: &str) -> Result<Option<Analysis>, StoreError> {
        let row = self
            .client
            .borrow_mut()
            .query_opt("SELECT analysis_json FROM documents WHERE id = $1", &[&id])
            .map_err(|e| self.pg(e))?;
        row.map(|r| self.parse(id, &r.get::<_, String>(0)))
            .transpose()
    }

    fn parse(&self, id: &str, json: &str) -> Result<Analysis, StoreError> {
        serde_json::from_str(json).map_err(|e| StoreError::Unusable {
            location: self.location.clone(),
            reason: format!("stored analysis of {id} is unreadable: {e}"),
        })
    }

    pub fn analyses(&self) -> Result<Vec<Analysis>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query("SELECT id, analysis_json FROM documents ORDER BY seq", &[])
            .map_err(|e| self.pg(e))?;
        rows.iter()
            .map(|r| self.parse(&r.get::<_, String>(0), &r.get::<_, String>(1)))
            .collect()
    }

    pub fn documents(&self, filter: &DocumentFilter) -> Result<Vec<DocumentSummary>, StoreError> {
        let mut sql = String::from(
            "SELECT d.id, d.source_path, d.url, d.source_label, d.title, d.author, d.published, d.language, d.genre, d.word_count, (SELECT p.text FROM paragraphs p WHERE p.doc_id = d.id AND p.kind = 'paragraph' ORDER BY p.idx LIMIT 1) FROM documents d WHERE true",
        );
        let (clauses, mut args) = crate::store::filter_clauses(filter, |n| format!("${n}"));
        sql.push_str(&clauses);
        if let Some(v) = &filter.query {
            let words = query_words(v).join(" ");
            if !words.is_empty() {
                // Every configuration the documents may have been indexed
                // with: a French document matches the French stems.
                args.push(words);
                let n = args.len();
                let configs = [
                    "french", "english", "german", "italian", "russian", "simple",
                ];
                let any: Vec<String> = configs
                    .iter()
                    .map(|c| format!("plainto_tsquery('{c}', ${n})"))
                    .collect();
                sql.push_str(&format!(" AND d.search @@ ({})", any.join(" || ")));
            }
        }
        sql.push_str(" ORDER BY d.seq");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let params: Vec<&(dyn ::postgres::types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn ::postgres::types::ToSql + Sync))
            .collect();
        let rows = self
            .client
            .borrow_mut()
            .query(sql.as_str(), &params)
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                let title: Option<String> = r.get(4);
                let first: Option<String> = r.get(10);
                let source_path: String = r.get(1);
                DocumentSummary {
                    id: r.get(0),
                    label: crate::compare::label_from(title.clone(), first, &source_path),
                    source_path,
                    url: r.get(2),
                    source: r.get(3),
                    title,
                    author: r.get(5),
                    published: r.get(6),
                    language: r.get(7),
                    genre: r.get(8),
                    word_count: r.get(9),
                }
            })
            .collect())
    }

    pub fn distinct(&self, what: &str) -> Result<Vec<String>, StoreError> {
        let sql = match what {
            "source" => "SELECT DISTINCT source_label FROM documents ORDER BY 1",
            "language" => {
                "SELECT DISTINCT language FROM documents WHERE language IS NOT NULL ORDER BY 1"
            }
            "technique" => "SELECT DISTINCT technique FROM techniques ORDER BY 1",
            "frame" => "SELECT DISTINCT frame FROM frames ORDER BY 1",
            _ => return Ok(Vec::new()),
        };
        let rows = self
            .client
            .borrow_mut()
            .query(sql, &[])
            .map_err(|e| self.pg(e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Every document's analysis parses and its child rows point to it.
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        let orphans: i64 = self
            .client
            .borrow_mut()
            .query_one(
                "SELECT (SELECT count(*) FROM paragraphs p WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = p.doc_id)) + (SELECT count(*) FROM documents WHERE analysis_json NOT LIKE '{%')",
                &[],
            )
            .map_err(|e| self.pg(e))?
            .get(0);
        Ok(orphans == 0)
    }

    /// The rows of `sql` as CSV under `header`, every column read as text.
    fn query_csv(&self, sql: &str, header: &str) -> Result<String, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(sql, &[])
            .map_err(|e| self.pg(e))?;
        let mut out = String::from(header);
        out.push('\n');
        for r in &rows {
            let fields: Vec<String> = (0..r.len())
                .map(|i| csv_field(&r.get::<_, Option<String>>(i).unwrap_or_default()))
                .collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        Ok(out)
    }

    pub fn claims_csv(&self) -> Result<String, StoreError> {
        self.query_csv(
            "SELECT c.doc_id, d.source_label, d.title, c.paragraph::text, c.text, c.value::text, c.value_max::text, c.kind, c.approximation, c.unit, c.subject, c.subject_key, c.named_group, c.per, c.time_text, c.time_date, c.hedge, c.source, c.source_kind, c.source_outlet, c.sentence
             FROM claims c JOIN documents d ON d.id = c.doc_id ORDER BY d.seq, c.idx",
            "doc_id,source,title,paragraph,text,value,value_max,kind,approximation,unit,subject,subject_key,group,per,time,date,hedge,claim_source,claim_source_kind,claim_source_outlet,sentence",
        )
    }

    pub fn sources_csv(&self) -> Result<String, StoreError> {
        self.query_csv(
            "SELECT c.doc_id, d.source_label, d.title, c.source_id, c.name, c.kind, c.uses, c.mentions::text, c.claims::text, c.domain, c.state_asset, c.state_owner, c.state_country, c.typology, c.credibility_category, c.credibility_score::text
             FROM cited_sources c JOIN documents d ON d.id = c.doc_id ORDER BY d.seq, c.idx",
            "doc_id,source,title,cited_id,cited_name,cited_kind,uses,mentions,figures,domain,state_asset,state_owner,state_country,typology,credibility_category,credibility_score",
        )
    }

    pub fn cited_sources(&self, kind: Option<&str>) -> Result<Vec<SourceSummary>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT source_id, max(name), max(kind), count(DISTINCT doc_id), sum(mentions)::bigint, sum(claims)::bigint,
                        max(domain), max(state_asset), max(state_owner), max(state_country), max(typology),
                        max(credibility_category), max(credibility_score)
                 FROM cited_sources WHERE ($1::text IS NULL OR kind = $1)
                 GROUP BY source_id ORDER BY count(DISTINCT doc_id) DESC, sum(mentions) DESC, source_id",
                &[&kind],
            )
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| SourceSummary {
                id: r.get(0),
                name: r.get(1),
                kind: r.get(2),
                documents: r.get(3),
                mentions: r.get(4),
                claims: r.get(5),
                domain: r.get(6),
                state_asset: r.get(7),
                state_owner: r.get(8),
                state_country: r.get(9),
                typology: r.get(10),
                credibility_category: r.get(11),
                credibility_score: r.get(12),
            })
            .collect())
    }

    pub fn citations(&self) -> Result<Vec<Citation>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT d.source_label, c.source_id, max(c.name), count(DISTINCT c.doc_id), max(c.typology)
                 FROM cited_sources c JOIN documents d ON d.id = c.doc_id
                 WHERE c.kind IN ('media_outlet', 'news_agency', 'website')
                 GROUP BY d.source_label, c.source_id
                 ORDER BY d.source_label, count(DISTINCT c.doc_id) DESC, c.source_id",
                &[],
            )
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| Citation {
                citing: r.get(0),
                cited_id: r.get(1),
                cited_name: r.get(2),
                documents: r.get(3),
                typology: r.get(4),
            })
            .collect())
    }

    pub fn entities(&self, kind: Option<&str>) -> Result<Vec<EntitySummary>, StoreError> {
        self.entity_summaries(kind.unwrap_or(""), "")
    }

    fn entity_summaries(&self, kind: &str, id: &str) -> Result<Vec<EntitySummary>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(crate::store::entities::SUMMARY_SQL, &[&kind, &id])
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| EntitySummary {
                id: r.get(0),
                name: r.get(1),
                kind: r.get(2),
                wikidata: r.get(3),
                documents: r.get(4),
                mentions: r.get(5),
                sources: r.get(6),
            })
            .collect())
    }

    pub fn entity_profile(&self, id: &str) -> Result<Option<EntityProfile>, StoreError> {
        use crate::store::entities::{profile, BY_SOURCE_SQL, OVER_TIME_SQL, PORTRAYAL_SQL};
        let Some(summary) = self.entity_summaries("", id)?.into_iter().next() else {
            return Ok(None);
        };
        let mut client = self.client.borrow_mut();
        let sources = client
            .query(BY_SOURCE_SQL, &[&id])
            .map_err(|e| self.pg(e))?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let portrayal = client
            .query(PORTRAYAL_SQL, &[&id])
            .map_err(|e| self.pg(e))?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        let over_time = client
            .query(OVER_TIME_SQL, &[&id])
            .map_err(|e| self.pg(e))?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        Ok(Some(profile(summary, sources, portrayal, over_time)))
    }
}
