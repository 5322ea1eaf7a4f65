//! The store: every analysis, kept whole (its JSON) and in tables for
//! queries, behind one interface with two backends.
//!
//! - `sqlite.rs`: the embedded default — one file, no server (`rusqlite`,
//!   SQLite bundled).
//! - `postgres.rs`: a shared PostgreSQL database for a team (the pure-Rust
//!   `postgres` client, no libpq): the same logical schema, versioned
//!   migrations and JSON, full-text search with PostgreSQL's own text
//!   search, bulk writes with `COPY`.
//! - `queue.rs`: ingest spread over machines on PostgreSQL itself — raw
//!   inputs queued in batches, claimed by workers with `FOR UPDATE SKIP
//!   LOCKED` under a lease, `LISTEN/NOTIFY` to wake idle workers.
//! - `sources.rs`: the cited-sources tables and corpus views.
//! - `entities.rs`: who the documents name and how each source portrays
//!   them.
//!
//! A location is a path (SQLite) or a `postgres://` URL. A database that is
//! not a rhetor store is refused before anything is written to it.

use std::path::{Path, PathBuf};

use crate::output::Analysis;

mod corrections;
pub(crate) mod entities;
pub mod postgres;
pub mod queue;
mod sources;
pub mod sqlite;

pub use entities::{
    EntityProfile, EntitySummary, MentionsOverTime, PortrayalCount, SourcePortrayal,
};
pub use sources::{Citation, SourceSummary};
pub use sqlite::{SqliteStore, APPLICATION_ID, SCHEMA_VERSION};

/// An analysis with its JSON (`rhetor.analysis`, compact), as stored in
/// `documents.analysis_json`.
#[derive(Debug, Clone)]
pub struct Serialised {
    pub analysis: Analysis,
    pub json: String,
}

impl Serialised {
    pub fn new(analysis: Analysis) -> Result<Self, StoreError> {
        let json = Self::json_of(&analysis)?;
        Ok(Serialised { analysis, json })
    }

    pub(crate) fn json_of(a: &Analysis) -> Result<String, StoreError> {
        serde_json::to_string(a).map_err(|e| StoreError::Unusable {
            location: a.source.path.clone(),
            reason: format!("analysis of {} cannot be written: {e}", a.id),
        })
    }
}

/// Calls `f` with each analysis of the batch paired with its JSON,
/// serialised once here (the shape the backends insert).
pub(crate) fn with_json<R>(
    analyses: &[Analysis],
    f: impl FnOnce(&[(&Analysis, &str)]) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    let jsons = analyses
        .iter()
        .map(Serialised::json_of)
        .collect::<Result<Vec<String>, StoreError>>()?;
    let pairs: Vec<(&Analysis, &str)> = analyses
        .iter()
        .zip(&jsons)
        .map(|(a, j)| (a, j.as_str()))
        .collect();
    f(&pairs)
}

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user@host:port/db?sslmode=…`).
    Postgres(String),
}

impl StoreLocation {
    /// A `postgres://` or `postgresql://` URL, else a SQLite path.
    pub fn parse(s: &str) -> StoreLocation {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            StoreLocation::Postgres(s.to_string())
        } else {
            StoreLocation::Sqlite(PathBuf::from(s))
        }
    }
}

impl std::str::FromStr for StoreLocation {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(StoreLocation::parse(s))
    }
}

impl StoreLocation {
    /// Whether there may be a store there already (a SQLite file that
    /// exists, or any PostgreSQL URL).
    pub fn may_exist(&self) -> bool {
        match self {
            StoreLocation::Sqlite(p) => p.exists(),
            StoreLocation::Postgres(_) => true,
        }
    }
}

impl From<StoreLocation> for String {
    fn from(l: StoreLocation) -> String {
        l.to_string()
    }
}

impl From<&StoreLocation> for StoreLocation {
    fn from(l: &StoreLocation) -> Self {
        l.clone()
    }
}

impl From<&Path> for StoreLocation {
    fn from(p: &Path) -> Self {
        StoreLocation::parse(&p.to_string_lossy())
    }
}

impl From<&PathBuf> for StoreLocation {
    fn from(p: &PathBuf) -> Self {
        StoreLocation::from(p.as_path())
    }
}

impl From<&str> for StoreLocation {
    fn from(s: &str) -> Self {
        StoreLocation::parse(s)
    }
}

impl From<&String> for StoreLocation {
    fn from(s: &String) -> Self {
        StoreLocation::parse(s)
    }
}

impl std::fmt::Display for StoreLocation {
    /// Paths as they are; URLs without their password, ever.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(p) => write!(f, "{}", p.display()),
            StoreLocation::Postgres(url) => f.write_str(&postgres::redact(url)),
        }
    }
}

/// Why a store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}: not a SQLite database (refusing to touch it)")]
    NotSqlite(PathBuf),
    #[error("{0}: a SQLite database, but not a rhetor store (refusing to touch it)")]
    NotRhetor(PathBuf),
    #[error("{0}: a PostgreSQL database with tables of its own, not a rhetor store (refusing to touch it)")]
    NotRhetorDatabase(String),
    #[error("{path}: store schema version {found} is newer than this rhetor's ({SCHEMA_VERSION}); upgrade rhetor")]
    TooNew { path: PathBuf, found: i64 },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{location}: {source}")]
    Postgres {
        location: String,
        #[source]
        source: ::postgres::Error,
    },
    #[error("{location}: {reason}")]
    Unusable { location: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: stored analysis of {id} is unreadable: {reason}")]
    Corrupt {
        path: PathBuf,
        id: String,
        reason: String,
    },
}

/// One line of the document list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocumentSummary {
    pub id: String,
    pub source_path: String,
    pub url: Option<String>,
    pub source: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub language: Option<String>,
    pub genre: Option<String>,
    pub word_count: i64,
    /// What to call the document on screen: its title, else the start of
    /// its first paragraph, else its file name (never a whole path).
    pub label: String,
}

/// Filters for listing documents.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub source: Option<String>,
    pub language: Option<String>,
    pub technique: Option<String>,
    pub frame: Option<String>,
    /// Published on or after (ISO date prefix).
    pub since: Option<String>,
    pub until: Option<String>,
    /// Full-text query: plain words, all of them must match.
    pub query: Option<String>,
    pub limit: Option<usize>,
}

/// A rhetor store, on either backend.
pub struct Store {
    backend: Backend,
    location: StoreLocation,
}

enum Backend {
    Sqlite(SqliteStore),
    Postgres(Box<postgres::PgStore>),
}

/// Calls the same method on whichever backend holds the store.
macro_rules! dispatch {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Sqlite(s) => s.$method($($arg),*),
            Backend::Postgres(s) => s.$method($($arg),*),
        }
    };
}

impl Store {
    /// Opens (or creates) the store, migrating an older schema.
    pub fn open(location: impl Into<StoreLocation>) -> Result<Store, StoreError> {
        let location = location.into();
        let backend = match &location {
            StoreLocation::Sqlite(p) => Backend::Sqlite(SqliteStore::open(p)?),
            StoreLocation::Postgres(url) => {
                Backend::Postgres(Box::new(postgres::PgStore::open(url)?))
            }
        };
        Ok(Store { backend, location })
    }

    /// Opens an existing store for reading (a server's readers).
    pub fn open_read_only(location: impl Into<StoreLocation>) -> Result<Store, StoreError> {
        let location = location.into();
        let backend = match &location {
            StoreLocation::Sqlite(p) => Backend::Sqlite(SqliteStore::open_read_only(p)?),
            StoreLocation::Postgres(url) => {
                Backend::Postgres(Box::new(postgres::PgStore::open_existing(url)?))
            }
        };
        Ok(Store { backend, location })
    }

    /// A SQLite store with only the first `version` migrations applied (for
    /// testing migrations).
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: i64) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Backend::Sqlite(SqliteStore::create_at_version(path, version)?),
            location: StoreLocation::Sqlite(path.to_path_buf()),
        })
    }

    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// The PostgreSQL backend, for the queue.
    pub fn postgres(&mut self) -> Option<&mut postgres::PgStore> {
        match &mut self.backend {
            Backend::Postgres(p) => Some(p),
            Backend::Sqlite(_) => None,
        }
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        dispatch!(self, schema_version())
    }

    /// True when a document with this content hash is stored.
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        dispatch!(self, contains(id))
    }

    /// Stores a batch of analyses in one transaction; returns how many were
    /// new (a stored content hash is skipped).
    pub fn insert(&mut self, analyses: &[Analysis]) -> Result<usize, StoreError> {
        with_json(analyses, |batch| self.insert_pairs(batch))
    }

    /// [`Store::insert`] of analyses already serialised (by the threads that
    /// made them: the writer, one thread, then only writes).
    pub fn insert_serialised(&mut self, batch: &[Serialised]) -> Result<usize, StoreError> {
        let pairs: Vec<(&Analysis, &str)> = batch
            .iter()
            .map(|s| (&s.analysis, s.json.as_str()))
            .collect();
        self.insert_pairs(&pairs)
    }

    fn insert_pairs(&mut self, batch: &[(&Analysis, &str)]) -> Result<usize, StoreError> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.insert_pairs(batch),
            Backend::Postgres(s) => s.insert_pairs(batch),
        }
    }

    /// Number of stored documents.
    pub fn count(&self) -> Result<usize, StoreError> {
        dispatch!(self, count())
    }

    /// The stored analysis of one document, with its human corrections.
    pub fn analysis(&self, id: &str) -> Result<Option<Analysis>, StoreError> {
        let Some(mut a) = dispatch!(self, analysis(id))? else {
            return Ok(None);
        };
        a.corrections = self.corrections(id)?;
        Ok(Some(a))
    }

    /// Every stored analysis, oldest ingest first, with corrections.
    pub fn analyses(&self) -> Result<Vec<Analysis>, StoreError> {
        let mut all: Vec<Analysis> = dispatch!(self, analyses())?;
        let mut corrections = dispatch!(self, all_corrections())?;
        for a in &mut all {
            a.corrections = corrections.remove(&a.id).unwrap_or_default();
        }
        Ok(all)
    }

    /// Human corrections of one document (kept apart from model output).
    pub fn corrections(&self, id: &str) -> Result<Vec<crate::output::Correction>, StoreError> {
        dispatch!(self, corrections(id))
    }

    /// Replaces the corrections of `doc_id` by the annotators and origins of
    /// `corrections` with these; returns how many were stored.
    pub fn replace_corrections(
        &mut self,
        doc_id: &str,
        corrections: &[crate::output::Correction],
    ) -> Result<usize, StoreError> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.replace_corrections(doc_id, corrections),
            Backend::Postgres(s) => s.replace_corrections(doc_id, corrections),
        }
    }

    /// Ids of the documents matching `filter`, oldest ingest first.
    pub fn ids(&self, filter: &DocumentFilter) -> Result<Vec<String>, StoreError> {
        Ok(self.documents(filter)?.into_iter().map(|d| d.id).collect())
    }

    /// Documents matching `filter`, oldest ingest first.
    pub fn documents(&self, filter: &DocumentFilter) -> Result<Vec<DocumentSummary>, StoreError> {
        dispatch!(self, documents(filter))
    }

    /// Distinct values of a document column, for filter menus.
    pub fn distinct(&self, what: &str) -> Result<Vec<String>, StoreError> {
        dispatch!(self, distinct(what))
    }

    /// The database's own consistency check passes.
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        dispatch!(self, integrity_ok())
    }

    /// All claims as CSV (one row per claim, with the document's source).
    pub fn claims_csv(&self) -> Result<String, StoreError> {
        dispatch!(self, claims_csv())
    }

    /// One row per (document, cited source), for spreadsheets.
    pub fn sources_csv(&self) -> Result<String, StoreError> {
        dispatch!(self, sources_csv())
    }

    /// Every cited source of the corpus, most cited first.
    pub fn cited_sources(&self, kind: Option<&str>) -> Result<Vec<SourceSummary>, StoreError> {
        dispatch!(self, cited_sources(kind))
    }

    /// Who cites whom: per publishing source and cited outlet.
    pub fn citations(&self) -> Result<Vec<Citation>, StoreError> {
        dispatch!(self, citations())
    }

    /// Every entity the documents name, most documents first; `kind`
    /// filters ("person", "organisation", "place", "group").
    pub fn entities(&self, kind: Option<&str>) -> Result<Vec<EntitySummary>, StoreError> {
        dispatch!(self, entities(kind))
    }

    /// One entity across the corpus: how each source portrays it.
    pub fn entity_profile(&self, id: &str) -> Result<Option<EntityProfile>, StoreError> {
        dispatch!(self, entity_profile(id))
    }

    /// One row per (document, entity) with its portrayal, for spreadsheets.
    pub fn entities_csv(&self) -> Result<String, StoreError> {
        Ok(entities::csv(&self.analyses()?))
    }
}

/// The `paragraphs.kind` column value of a block kind, the same in both
/// backends ("paragraph", "heading", "listitem"…, as the first SQLite
/// stores wrote it).
pub(crate) fn paragraph_kind(kind: crate::document::BlockKind) -> String {
    format!("{kind:?}").to_lowercase()
}

/// CSV field quoting (RFC 4180).
pub(crate) fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// The document-list conditions both backends share (every filter but the
/// full-text query, whose syntax is each backend's own), each value as an
/// argument written `placeholder(n)` for the n-th (`?1` in SQLite, `$1` in
/// PostgreSQL): the SQL to append after `WHERE …`, and the arguments.
pub(crate) fn filter_clauses(
    filter: &DocumentFilter,
    placeholder: impl Fn(usize) -> String,
) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut args: Vec<String> = Vec::new();
    let conditions = [
        (&filter.source, " AND d.source_label = ?"),
        (&filter.language, " AND d.language = ?"),
        (
            &filter.technique,
            " AND d.id IN (SELECT doc_id FROM techniques WHERE technique = ?)",
        ),
        (
            &filter.frame,
            " AND d.id IN (SELECT doc_id FROM frames WHERE frame = ?)",
        ),
        (&filter.since, " AND d.published >= ?"),
        (&filter.until, " AND d.published <= ?"),
    ];
    for (value, clause) in conditions {
        if let Some(v) = value {
            args.push(v.clone());
            sql.push_str(&clause.replace('?', &placeholder(args.len())));
        }
    }
    (sql, args)
}

/// The words of a full-text query, without operators or punctuation.
pub(crate) fn query_words(input: &str) -> Vec<String> {
    input
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty() && w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_json_reads_back_every_float_bit_for_bit() {
        // A claim's ratio "2022/2023": the default serde_json parser read it
        // back one ulp off, so an analysis printed from the store differed
        // from the one printed when it was made.
        for v in [
            2022.0f64 / 2023.0,
            2011.0 / 2020.0,
            0.1 + 0.2,
            1e-300,
            123_456.789,
        ] {
            let json = serde_json::to_string(&v).unwrap();
            let back: f64 = serde_json::from_str(&json).unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{json}");
        }
    }
}
