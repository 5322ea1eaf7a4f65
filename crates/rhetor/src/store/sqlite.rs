//! The embedded backend: analyses in a SQLite database (bundled, no server).
//!
//! Every document is stored whole (its JSON analysis) and in tables for
//! queries: paragraphs, techniques with evidence, frames, claims, links, and
//! a full-text index. Ingest is transactional (a batch commits or not) and
//! incremental (a content hash already stored is skipped), so a killed run
//! leaves a valid database and the next run completes it. The schema is
//! versioned (`PRAGMA user_version`) with migrations; a file that is not a
//! rhetor store is refused before anything is written to it.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{csv_field, DocumentFilter, DocumentSummary, StoreError};
use crate::output::{serde_name, Analysis};

/// `PRAGMA application_id` of rhetor stores ("rhtr").
pub const APPLICATION_ID: i32 = 0x7268_7472;

/// Migrations, in order; `user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[
    // 1: documents and what was found in them.
    r#"
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        source_path TEXT NOT NULL,
        record INTEGER,
        url TEXT,
        source_name TEXT,
        source_label TEXT NOT NULL,
        title TEXT,
        author TEXT,
        published TEXT,
        language TEXT,
        format TEXT NOT NULL,
        encoding TEXT NOT NULL,
        word_count INTEGER NOT NULL,
        genre TEXT,
        genre_probability REAL,
        analysis_json TEXT NOT NULL,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE paragraphs (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        line INTEGER,
        language TEXT,
        text TEXT NOT NULL,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE TABLE techniques (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL,
        technique TEXT NOT NULL,
        probability REAL NOT NULL,
        PRIMARY KEY (doc_id, paragraph, technique)
    );
    CREATE TABLE evidence (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL,
        technique TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE frames (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        frame TEXT NOT NULL,
        probability REAL NOT NULL,
        PRIMARY KEY (doc_id, frame)
    );
    CREATE TABLE claims (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        paragraph INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        sentence TEXT NOT NULL,
        value REAL NOT NULL,
        value_max REAL,
        kind TEXT NOT NULL,
        approximation TEXT NOT NULL,
        unit TEXT,
        subject TEXT,
        subject_key TEXT,
        named_group TEXT,
        per TEXT,
        time_text TEXT,
        time_date TEXT,
        hedge TEXT,
        source TEXT,
        source_kind TEXT,
        source_outlet TEXT,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE TABLE links (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        url TEXT NOT NULL
    );
    CREATE INDEX techniques_by_name ON techniques(technique);
    CREATE INDEX documents_by_source ON documents(source_label);
    "#,
    // 2: full-text search and claim lookup by subject.
    r#"
    CREATE VIRTUAL TABLE documents_fts USING fts5(doc_id UNINDEXED, title, text);
    INSERT INTO documents_fts(doc_id, title, text)
        SELECT id, coalesce(title, ''), json_extract(analysis_json, '$.text') FROM documents;
    CREATE INDEX claims_by_subject ON claims(subject_key);
    "#,
    // 3: what each document cites (analyses stored before keep no rows).
    r#"
    CREATE TABLE cited_sources (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        uses TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        claims INTEGER NOT NULL,
        domain TEXT,
        state_asset TEXT,
        state_owner TEXT,
        state_country TEXT,
        typology TEXT,
        credibility_category TEXT,
        credibility_score REAL,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE INDEX cited_sources_by_source ON cited_sources(source_id);
    "#,
    // 4: human corrections (Label Studio imports), kept apart from model output.
    r#"
    CREATE TABLE corrections (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        start INTEGER,
        end INTEGER,
        text TEXT,
        label TEXT NOT NULL,
        annotator TEXT NOT NULL,
        created_at TEXT,
        origin TEXT NOT NULL,
        PRIMARY KEY (doc_id, origin, annotator, idx)
    );
    "#,
    // 5: who each document names, and how (analyses stored before keep no rows).
    r#"
    CREATE TABLE entity_mentions (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        wikidata TEXT,
        linked INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (doc_id, entity_id)
    );
    CREATE INDEX entity_mentions_by_entity ON entity_mentions(entity_id);
    CREATE TABLE entity_portrayal (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        technique TEXT,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL
    );
    CREATE INDEX entity_portrayal_by_entity ON entity_portrayal(entity_id);
    "#,
];

/// The page size of new stores, in bytes.
const PAGE_SIZE: i64 = 16_384;

/// How much WAL accumulates before SQLite checkpoints it into the file.
const WAL_CHECKPOINT_BYTES: i64 = 64 * 1024 * 1024;

/// The schema version this rhetor writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A rhetor store in a SQLite file.
pub struct SqliteStore {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl SqliteStore {
    pub(super) fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Opens (or creates) the store at `path`, migrating an older schema.
    ///
    /// Safe against other processes opening the same path at the same time:
    /// a new store is built under a temporary name and linked into place
    /// only if nothing is there yet (another run's store wins and is
    /// opened instead), migrations run in one immediate transaction that
    /// re-reads the version, and a busy database is waited for.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let path_buf = path.to_path_buf();
        let sql = |source| StoreError::Sqlite {
            path: path_buf.clone(),
            source,
        };
        let exists = match std::fs::metadata(path) {
            Ok(m) => m.len() > 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(source) => {
                return Err(StoreError::Io {
                    path: path_buf,
                    source,
                })
            }
        };
        if exists {
            check_existing(path)?;
        } else {
            create_atomically(path)?;
        }
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        with_busy_retry(|| conn.pragma_update(None, "journal_mode", "WAL")).map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(sql)?;
        // A writer's batches touch index pages all over the file: a 64 MiB
        // page cache (instead of 2 MiB) keeps them, and checkpointing every
        // 64 MiB of WAL (instead of 4) copies each hot page back once per
        // checkpoint, not once per few batches. 1.4× faster ingest
        // (docs/BENCHMARKS.md); the WAL file is bounded by the same 64 MiB
        // (the checkpoint interval counts pages, whatever their size).
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(sql)?;
        let page: i64 = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .map_err(sql)?;
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            WAL_CHECKPOINT_BYTES / page.max(512),
        )
        .map_err(sql)?;
        let mut store = SqliteStore {
            conn,
            path: path_buf,
        };
        store.migrate(SCHEMA_VERSION)?;
        Ok(store)
    }

    /// Opens an existing store for reading only (a server's readers).
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        check_existing(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|source| StoreError::Sqlite {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Creates a store with only the first `version` migrations applied (for
    /// testing migrations).
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: i64) -> Result<SqliteStore, StoreError> {
        SqliteStore::create_named(path, path, version)
    }

    /// Creates the store file `file` (errors name `shown`, the path the
    /// user gave) with the first `version` migrations.
    fn create_named(file: &Path, shown: &Path, version: i64) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(file).map_err(|source| StoreError::Sqlite {
            path: shown.to_path_buf(),
            source,
        })?;
        let mut store = SqliteStore {
            conn,
            path: shown.to_path_buf(),
        };
        // 16 KiB pages (SQLite's default is 4): an analysis is one large
        // JSON row and a few dozen small ones, and each WAL frame is one
        // write call. A fast run made 102 000 `pwrite64` calls with 4 KiB
        // pages and 30 000 with 16 KiB, and took 0.87× the wall time
        // (docs/BENCHMARKS.md). Only a new file takes it; stores created
        // before keep theirs.
        store
            .conn
            .pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(|e| store.sql(e))?;
        store
            .conn
            .pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| store.sql(e))?;
        store.migrate(version)?;
        Ok(store)
    }

    fn migrate(&mut self, target: i64) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let current: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
            });
        }
        if current >= target {
            return Ok(());
        }
        // One immediate transaction: a second process waits for the lock,
        // then finds the version already raised and runs nothing twice.
        let conn = &mut self.conn;
        with_busy_retry(|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if current == 0 {
                // A new store, or an empty file at the path (a foreign
                // non-empty file was refused before opening).
                tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            }
            for (i, migration) in MIGRATIONS
                .iter()
                .enumerate()
                .take(target as usize)
                .skip(current as usize)
            {
                tx.execute_batch(migration)?;
                tx.pragma_update(None, "user_version", i as i64 + 1)?;
            }
            tx.commit()
        })
        .map_err(sql)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// True when a document with this content hash is stored.
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT 1 FROM documents WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.sql(e))
    }

    /// Stores a batch of analyses with their JSON in one transaction;
    /// returns how many were new (a stored content hash is skipped).
    pub(super) fn insert_pairs(
        &mut self,
        batch: &[(&Analysis, &str)],
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let conn = &mut self.conn;
        with_busy_retry(|| insert_batch(conn, batch)).map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            source,
        })
    }

    /// Number of stored documents.
    pub fn count(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| self.sql(e))
    }

    /// The stored analysis of a document.
    pub fn analysis(&self, id: &str) -> Result<Option<Analysis>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT analysis_json FROM documents WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                id: id.to_string(),
                reason: e.to_string(),
            })
        })
        .transpose()
    }

    /// Every stored analysis, oldest first.
    pub fn analyses(&self) -> Result<Vec<Analysis>, StoreError> {
        let ids: Vec<String> = self.ids(&DocumentFilter::default())?;
        ids.iter()
            .filter_map(|id| self.analysis(id).transpose())
            .collect()
    }

    /// Ids of the documents matching `filter`, oldest ingest first.
    pub fn ids(&self, filter: &DocumentFilter) -> Result<Vec<String>, StoreError> {
        Ok(self.documents(filter)?.into_iter().map(|d| d.id).collect())
    }

    /// Documents matching `filter`.
    pub fn documents(&self, filter: &DocumentFilter) -> Result<Vec<DocumentSummary>, StoreError> {
        let mut sql = String::from(
            "SELECT d.id, d.source_path, d.url, d.source_label, d.title, d.author, d.published, d.language, d.genre, d.word_count, (SELECT p.text FROM paragraphs p WHERE p.doc_id = d.id AND p.kind = 'paragraph' ORDER BY p.idx LIMIT 1) FROM documents d WHERE 1=1",
        );
        let (clauses, mut args) = super::filter_clauses(filter, |n| format!("?{n}"));
        sql.push_str(&clauses);
        if let Some(v) = &filter.query {
            let q = fts_query(v);
            if !q.is_empty() {
                args.push(q);
                sql.push_str(&format!(
                    " AND d.id IN (SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ?{})",
                    args.len()
                ));
            }
        }
        sql.push_str(" ORDER BY d.rowid");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                Ok(DocumentSummary {
                    id: r.get(0)?,
                    source_path: r.get(1)?,
                    url: r.get(2)?,
                    source: r.get(3)?,
                    title: r.get(4)?,
                    author: r.get(5)?,
                    published: r.get(6)?,
                    language: r.get(7)?,
                    genre: r.get(8)?,
                    word_count: r.get(9)?,
                    label: {
                        let title: Option<String> = r.get(4)?;
                        let first: Option<String> = r.get(10)?;
                        let source_path: String = r.get(1)?;
                        crate::compare::label_from(title, first, &source_path)
                    },
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// Distinct values of a document column, for filter menus.
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
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// `PRAGMA integrity_check` says "ok".
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        let r: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        Ok(r == "ok")
    }

    /// All claims as CSV (one row per claim, with the document's source).
    pub fn claims_csv(&self) -> Result<String, StoreError> {
        self.query_csv(
            "SELECT c.doc_id, d.source_label, d.title, c.paragraph, c.text, c.value, c.value_max, c.kind, c.approximation, c.unit, c.subject, c.subject_key, c.named_group, c.per, c.time_text, c.time_date, c.hedge, c.source, c.source_kind, c.source_outlet, c.sentence
             FROM claims c JOIN documents d ON d.id = c.doc_id ORDER BY d.rowid, c.idx",
            "doc_id,source,title,paragraph,text,value,value_max,kind,approximation,unit,subject,subject_key,group,per,time,date,hedge,claim_source,claim_source_kind,claim_source_outlet,sentence",
        )
    }

    /// The rows of `sql` as CSV under `header` (one column per header field).
    pub(super) fn query_csv(&self, sql: &str, header: &str) -> Result<String, StoreError> {
        let columns = header.split(',').count();
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let mut out = String::from(header);
        out.push('\n');
        let rows = stmt
            .query_map([], |r| {
                let mut fields = Vec::with_capacity(columns);
                for i in 0..columns {
                    let v: rusqlite::types::Value = r.get(i)?;
                    fields.push(match v {
                        rusqlite::types::Value::Null => String::new(),
                        rusqlite::types::Value::Integer(n) => n.to_string(),
                        rusqlite::types::Value::Real(x) => x.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(_) => String::new(),
                    });
                }
                Ok(fields)
            })
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let row = row.map_err(|e| self.sql(e))?;
            let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        Ok(out)
    }
}

/// A user's words as an FTS5 query: each word quoted, so punctuation and
/// operators in the input cannot break the syntax.
fn fts_query(input: &str) -> String {
    input
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Inserts a batch in one immediate transaction; returns how many were new.
fn insert_batch(
    conn: &mut Connection,
    batch: &[(&Analysis, &str)],
) -> Result<usize, rusqlite::Error> {
    // Every child row names the document inserted just before it in the
    // same transaction: checking each one's foreign key again (a lookup in
    // `documents` per row, ≈ 180 rows an article) only costs time. The
    // pragma is a no-op inside a transaction, so it is set around it.
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = insert_rows(conn, batch);
    conn.pragma_update(None, "foreign_keys", true)?;
    result
}

fn insert_rows(
    conn: &mut Connection,
    batch: &[(&Analysis, &str)],
) -> Result<usize, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut added = 0;
    for &(a, json) in batch {
        let inserted = tx
                .execute(
                    "INSERT OR IGNORE INTO documents (id, source_path, record, url, source_name, source_label, title, author, published, language, format, encoding, word_count, genre, genre_probability, analysis_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                    params![
                        a.id,
                        a.source.path,
                        a.source.record.map(|r| r as i64),
                        a.source.url,
                        a.source.name,
                        crate::compare::source_label(a),
                        a.title.as_ref().map(|t| &t.text),
                        a.author.as_ref().map(|t| t.text.clone()).or(a.declared_author.clone()),
                        a.published,
                        a.language.as_ref().map(|l| &l.code),
                        serde_name(&a.format),
                        a.encoding,
                        a.word_count as i64,
                        a.genre.as_ref().map(|g| &g.label),
                        a.genre.as_ref().map(|g| f64::from(g.probability)),
                        json,
                    ],
                )
                ?;
        if inserted == 0 {
            continue;
        }
        added += 1;
        for p in &a.paragraphs {
            tx.prepare_cached("INSERT INTO paragraphs (doc_id, idx, kind, start, end, line, language, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(params![a.id, p.index as i64, super::paragraph_kind(p.kind), p.start as i64, p.end as i64, p.line.map(|l| l as i64), p.language.as_ref().map(|l| &l.code), p.text],
                )
                ?;
            for t in &p.techniques {
                tx.prepare_cached("INSERT OR IGNORE INTO techniques (doc_id, paragraph, technique, probability) VALUES (?1, ?2, ?3, ?4)")?.execute(params![a.id, p.index as i64, t.technique, f64::from(t.probability)],
                    )
                    ?;
                for e in &t.evidence {
                    tx.prepare_cached("INSERT INTO evidence (doc_id, paragraph, technique, start, end, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![a.id, p.index as i64, t.technique, e.start as i64, e.end as i64, e.text],
                        )
                        ?;
                }
            }
        }
        for f in &a.frames {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO frames (doc_id, frame, probability) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![a.id, f.label, f64::from(f.probability)])?;
        }
        for (i, c) in a.claims.iter().enumerate() {
            tx.prepare_cached("INSERT INTO claims (doc_id, idx, paragraph, start, end, text, sentence, value, value_max, kind, approximation, unit, subject, subject_key, named_group, per, time_text, time_date, hedge, source, source_kind, source_outlet)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)")?.execute(params![
                        a.id,
                        i as i64,
                        c.paragraph as i64,
                        c.start as i64,
                        c.end as i64,
                        c.text,
                        c.sentence.text,
                        c.value,
                        c.value_max,
                        serde_name(&c.kind),
                        serde_name(&c.approximation),
                        c.unit,
                        c.subject.as_ref().map(|s| &s.text),
                        c.subject_key,
                        c.group,
                        c.per,
                        c.time.as_ref().map(|t| &t.text),
                        c.time.as_ref().and_then(|t| t.date.clone()),
                        c.hedge.as_ref().map(|h| &h.text),
                        c.source.as_ref().map(|s| &s.text),
                        c.source.as_ref().and_then(|s| serde_name(&s.kind)),
                        c.source.as_ref().and_then(|s| s.outlet.as_ref().map(|o| o.text.clone())),
                    ],
                )
                ?;
        }
        super::sources::insert_cited(&tx, a)?;
        let (entities, portrayal) = super::entities::rows_of(a);
        for (id, name, kind, wikidata, linked, mentions) in entities {
            tx.prepare_cached("INSERT OR IGNORE INTO entity_mentions (doc_id, entity_id, name, kind, wikidata, linked, mentions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
                .execute(params![a.id, id, name, kind, wikidata, linked, mentions])?;
        }
        for (id, kind, text, technique, start, end) in portrayal {
            tx.prepare_cached("INSERT INTO entity_portrayal (doc_id, entity_id, kind, text, technique, start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
                .execute(params![a.id, id, kind, text, technique, start, end])?;
        }
        for l in &a.links {
            tx.prepare_cached(
                "INSERT INTO links (doc_id, start, end, text, url) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![a.id, l.start as i64, l.end as i64, l.text, l.url])?;
        }
        tx.prepare_cached("INSERT INTO documents_fts (doc_id, title, text) VALUES (?1, ?2, ?3)")?
            .execute(params![
                a.id,
                a.title.as_ref().map_or("", |t| t.text.as_str()),
                a.text
            ])?;
    }
    tx.commit()?;
    Ok(added)
}

/// How long one statement waits for another process's lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Errors that say "the database is busy, try again".
trait Busy {
    fn is_busy(&self) -> bool;
}

impl Busy for rusqlite::Error {
    fn is_busy(&self) -> bool {
        matches!(
            self.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// Runs `f` again with a growing pause while the database is busy (the busy
/// timeout does not cover every case, e.g. a lock upgrade in WAL mode), for
/// at most about a minute.
fn with_busy_retry<T, E: Busy>(mut f: impl FnMut() -> Result<T, E>) -> Result<T, E> {
    let mut pause = std::time::Duration::from_millis(5);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match f() {
            Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(500));
            }
            other => return other,
        }
    }
}

/// Builds a new store under a temporary name beside `path` and links it
/// into place only if `path` does not exist yet, so that a process opening
/// `path` never sees a half-created store. Losing the race is not an error:
/// the other process's store is then opened.
fn create_atomically(path: &Path) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "rhetor.db".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}-{nanos}.creating", std::process::id()));
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Built, then closed (so that nothing stays in a WAL file) before linking.
    let built = SqliteStore::create_named(&tmp, path, SCHEMA_VERSION).map(drop);
    let linked = built.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // Filesystems without hard links: a rename (may replace an empty file).
        Err(_) if !path.exists() => std::fs::rename(&tmp, path).map_err(io),
        Err(e) => Err(io(e)),
    });
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// Refuses anything but a rhetor store, without writing to it.
fn check_existing(path: &Path) -> Result<(), StoreError> {
    let mut header = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let n = f.read(&mut header).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if n < 16 || &header != b"SQLite format 3\0" {
        return Err(StoreError::NotSqlite(path.to_path_buf()));
    }
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
            StoreError::Sqlite {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
    if app != APPLICATION_ID {
        return Err(StoreError::NotRhetor(path.to_path_buf()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_are_quoted() {
        assert_eq!(
            fts_query("soldats nord-coréens"),
            "\"soldats\" \"nord-coréens\""
        );
        assert_eq!(fts_query("\"x\" OR (y"), "\"x\" \"OR\" \"y\"");
        assert_eq!(fts_query("  "), "");
    }
}
