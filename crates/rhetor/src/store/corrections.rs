//! Human corrections, kept apart from model output: one row per label an
//! annotator gave, with who and when; an import replaces that annotator's
//! earlier corrections of the same document from the same origin, so
//! re-importing an export is idempotent.

use std::collections::HashMap;

use rusqlite::params;

use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::StoreError;
use crate::output::Correction;

impl SqliteStore {
    pub fn replace_corrections(
        &mut self,
        doc_id: &str,
        corrections: &[Correction],
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        for c in corrections {
            tx.execute(
                "DELETE FROM corrections WHERE doc_id = ?1 AND origin = ?2 AND annotator = ?3",
                params![doc_id, c.origin, c.annotator],
            )
            .map_err(sql)?;
        }
        for (i, c) in corrections.iter().enumerate() {
            tx.execute(
                "INSERT INTO corrections (doc_id, idx, kind, start, end, text, label, annotator, created_at, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![doc_id, i as i64, c.kind, c.start.map(|x| x as i64), c.end.map(|x| x as i64), c.text, c.label, c.annotator, c.created_at, c.origin],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(corrections.len())
    }

    pub fn corrections(&self, doc_id: &str) -> Result<Vec<Correction>, StoreError> {
        Ok(self
            .corrections_where("WHERE doc_id = ?1", &[doc_id])?
            .remove(doc_id)
            .unwrap_or_default())
    }

    /// Every document's corrections, by document (one query for a whole export).
    pub fn all_corrections(&self) -> Result<HashMap<String, Vec<Correction>>, StoreError> {
        self.corrections_where("", &[])
    }

    fn corrections_where(
        &self,
        condition: &str,
        args: &[&str],
    ) -> Result<HashMap<String, Vec<Correction>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT doc_id, kind, start, end, text, label, annotator, created_at, origin FROM corrections {condition} ORDER BY doc_id, origin, annotator, idx"
            ))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Correction {
                        kind: r.get(1)?,
                        start: r.get::<_, Option<i64>>(2)?.map(|x| x as usize),
                        end: r.get::<_, Option<i64>>(3)?.map(|x| x as usize),
                        text: r.get(4)?,
                        label: r.get(5)?,
                        annotator: r.get(6)?,
                        created_at: r.get(7)?,
                        origin: r.get(8)?,
                    },
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out: HashMap<String, Vec<Correction>> = HashMap::new();
        for row in rows {
            let (doc, c) = row.map_err(|e| self.sql(e))?;
            out.entry(doc).or_default().push(c);
        }
        Ok(out)
    }
}

impl PgStore {
    pub fn replace_corrections(
        &mut self,
        doc_id: &str,
        corrections: &[Correction],
    ) -> Result<usize, StoreError> {
        let location = self.location.clone();
        let pg = |source| StoreError::Postgres {
            location: location.clone(),
            source,
        };
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(pg)?;
        for c in corrections {
            tx.execute(
                "DELETE FROM corrections WHERE doc_id = $1 AND origin = $2 AND annotator = $3",
                &[&doc_id, &c.origin, &c.annotator],
            )
            .map_err(pg)?;
        }
        for (i, c) in corrections.iter().enumerate() {
            tx.execute(
                "INSERT INTO corrections (doc_id, idx, kind, \"start\", \"end\", text, label, annotator, created_at, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[&doc_id, &(i as i32), &c.kind, &c.start.map(|x| x as i32), &c.end.map(|x| x as i32), &c.text, &c.label, &c.annotator, &c.created_at, &c.origin],
            )
            .map_err(pg)?;
        }
        tx.commit().map_err(pg)?;
        Ok(corrections.len())
    }

    pub fn corrections(&self, doc_id: &str) -> Result<Vec<Correction>, StoreError> {
        Ok(self
            .corrections_where("WHERE doc_id = $1", &[&doc_id])?
            .remove(doc_id)
            .unwrap_or_default())
    }

    /// Every document's corrections, by document (one query for a whole export).
    pub fn all_corrections(&self) -> Result<HashMap<String, Vec<Correction>>, StoreError> {
        self.corrections_where("", &[])
    }

    fn corrections_where(
        &self,
        condition: &str,
        args: &[&(dyn ::postgres::types::ToSql + Sync)],
    ) -> Result<HashMap<String, Vec<Correction>>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!("SELECT doc_id, kind, \"start\", \"end\", text, label, annotator, created_at, origin FROM corrections {condition} ORDER BY doc_id, origin, annotator, idx"),
                args,
            )
            .map_err(|source| StoreError::Postgres {
                location: self.location.clone(),
                source,
            })?;
        let mut out: HashMap<String, Vec<Correction>> = HashMap::new();
        for r in &rows {
            out.entry(r.get(0)).or_default().push(Correction {
                kind: r.get(1),
                start: r.get::<_, Option<i32>>(2).map(|x| x as usize),
                end: r.get::<_, Option<i32>>(3).map(|x| x as usize),
                text: r.get(4),
                label: r.get(5),
                annotator: r.get(6),
                created_at: r.get(7),
                origin: r.get(8),
            });
        }
        Ok(out)
    }
}
