//! Human corrections, kept apart from model output: one row per label an
//! annotator gave, with who and when; an import replaces that annotator's
//! earlier corrections of the same document from the same origin, so
//! re-importing an export is idempotent.

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
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, start, end, text, label, annotator, created_at, origin FROM corrections WHERE doc_id = ?1 ORDER BY origin, annotator, idx",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([doc_id], |r| {
                Ok(Correction {
                    kind: r.get(0)?,
                    start: r.get::<_, Option<i64>>(1)?.map(|x| x as usize),
                    end: r.get::<_, Option<i64>>(2)?.map(|x| x as usize),
                    text: r.get(3)?,
                    label: r.get(4)?,
                    annotator: r.get(5)?,
                    created_at: r.get(6)?,
                    origin: r.get(7)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
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
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT kind, \"start\", \"end\", text, label, annotator, created_at, origin FROM corrections WHERE doc_id = $1 ORDER BY origin, annotator, idx",
                &[&doc_id],
            )
            .map_err(|source| StoreError::Postgres {
                location: self.location.clone(),
                source,
            })?;
        Ok(rows
            .iter()
            .map(|r| Correction {
                kind: r.get(0),
                start: r.get::<_, Option<i32>>(1).map(|x| x as usize),
                end: r.get::<_, Option<i32>>(2).map(|x| x as usize),
                text: r.get(3),
                label: r.get(4),
                annotator: r.get(5),
                created_at: r.get(6),
                origin: r.get(7),
            })
            .collect())
    }
}
