//! The PostgreSQL backend: one shared store for a team. The same logical
//! schema as SQLite (documents with their JSON analysis, paragraphs,
//! techniques, evidence, frames, claims, links, cited sources), versioned
//! migrations recorded in `rhetor_meta`, full-text search through
//! PostgreSQL's text search (a `tsvector` per document in the document's
//! language configuration: french, english, german, italian, russian;
//! `simple` for Polish and others), child rows written with `COPY`.
//!
//! Connection: the URL, with the password from the URL, `PGPASSWORD` or
//! `~/.pgpass` (never printed: [`redact`]). A database with tables of its
//! own and no `rhetor_meta` is refused untouched; creating and migrating
//! run under an advisory lock, so concurrent first runs are safe.

use std::cell::RefCell;
use std::str::FromStr;

use ::postgres::{Client, Config, NoTls, Transaction};

use super::{
    csv_field, query_words, Citation, DocumentFilter, DocumentSummary, SourceSummary, StoreError,
    SCHEMA_VERSION,
};
use crate::output::Analysis;

/// Migrations, in order; `rhetor_meta.schema_version` counts how many ran.
/// The logical schema matches SQLite's version 4.
const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE rhetor_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO rhetor_meta (key, value) VALUES ('application', 'rhetor'), ('schema_version', '0'), ('migrations', '0');
    CREATE TABLE documents (
        seq BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        source_path TEXT NOT NULL,
        record BIGINT,
        url TEXT,
        source_name TEXT,
        source_label TEXT NOT NULL,
        title TEXT,
        author TEXT,
        published TEXT,
        language TEXT,
        format TEXT NOT NULL,
        encoding TEXT NOT NULL,
        word_count BIGINT NOT NULL,
        genre TEXT,
        genre_probability DOUBLE PRECISION,
        analysis_json TEXT NOT NULL,
        search TSVECTOR NOT NULL,
        ingested_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX documents_search ON documents USING GIN (search);
    CREATE INDEX documents_by_source ON documents (source_label);
    CREATE TABLE paragraphs (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, kind TEXT NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL,
        line INTEGER, language TEXT, text TEXT NOT NULL,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE TABLE techniques (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL, technique TEXT NOT NULL, probability REAL NOT NULL,
        PRIMARY KEY (doc_id, paragraph, technique)
    );
    CREATE INDEX techniques_by_name ON techniques (technique);
    CREATE TABLE evidence (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL, technique TEXT NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX evidence_by_doc ON evidence (doc_id);
    CREATE TABLE frames (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        frame TEXT NOT NULL, probability REAL NOT NULL,
        PRIMARY KEY (doc_id, frame)
    );
    CREATE TABLE claims (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, paragraph INTEGER NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, sentence TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, value_max DOUBLE PRECISION,
        kind TEXT NOT NULL, approximation TEXT NOT NULL, unit TEXT, subject TEXT, subject_key TEXT,
        named_group TEXT, per TEXT, time_text TEXT, time_date TEXT, hedge TEXT, source TEXT,
        source_kind TEXT, source_outlet TEXT,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE INDEX claims_by_subject ON claims (subject_key);
    CREATE TABLE links (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        "start" INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, url TEXT NOT NULL
    );
    CREATE INDEX links_by_doc ON links (doc_id);
    CREATE TABLE cited_sources (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, source_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
        uses TEXT NOT NULL, mentions INTEGER NOT NULL, claims INTEGER NOT NULL, domain TEXT,
        state_asset TEXT, state_owner TEXT, state_country TEXT, typology TEXT,
        credibility_category TEXT, credibility_score DOUBLE PRECISION,
        PRIMARY KEY (doc_id, idx)
    );
    CREATE INDEX cited_sources_by_source ON cited_sources (source_id);
    "#,
    r#"
    CREATE TABLE corrections (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, kind TEXT NOT NULL, "start" INTEGER, "end" INTEGER, text TEXT,
        label TEXT NOT NULL, annotator TEXT NOT NULL, created_at TEXT, origin TEXT NOT NULL,
        PRIMARY KEY (doc_id, origin, annotator, idx)
    );
    "#,
];

/// Advisory lock key under which stores are created and migrated ("rhtr").
const LOCK_KEY: i64 = 0x7268_7472;

/// A rhetor store in a PostgreSQL database.
pub struct PgStore {
    /// `RefCell`: the client needs `&mut` for every query, the store's
    /// read methods take `&self`.
    pub(super) client: RefCell<Client>,
    pub(super) location: String,
}

/// `url` without its password (in the authority or a `password=` parameter).
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some((userinfo, host)) = authority.rsplit_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                out = format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..]);
            }
        }
    }
    if let Some(p) = out.find("password=") {
        let end = out[p..].find('&').map_or(out.len(), |e| p + e);
        out.replace_range(p..end, "password=***");
    }
    out
}

/// The password for `config` from `PGPASSWORD` or a `~/.pgpass` line
/// (`host:port:database:user:password`, `*` matching anything).
fn password_for(config: &Config) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            ::postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            ::postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or("").to_string();
    let db = config.get_dbname().unwrap_or(&user).to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(5, ':').collect();
        if let [h, p, d, u, pw] = fields.as_slice() {
            let ok = |pattern: &str, value: &str| pattern == "*" || pattern == value;
            if ok(h, &host) && ok(p, &port) && ok(d, &db) && ok(u, &user) {
                return Some(pw.to_string());
            }
        }
    }
    None
}

fn connect(url: &str) -> Result<Client, StoreError> {
    let location = redact(url);
    let mut config = Config::from_str(url).map_err(|source| StoreError::Postgres {
        location: location.clone(),
        source,
    })?;
    if config.get_password().is_none() {
        if let Some(p) = password_for(&config) {
            config.password(p);
        }
    }
    if config.get_application_name().is_none() {
        config.application_name("rhetor");
    }
    if matches!(config.get_ssl_mode(), ::postgres::config::SslMode::Require) {
        return connect_tls(&config, &location);
    }
    config
        .connect(NoTls)
        .map_err(|source| StoreError::Postgres { location, source })
}

#[cfg(feature = "tls")]
fn connect_tls(config: &Config, location: &str) -> Result<Client, StoreError> {
    // libpq's `sslmode=require`: encrypted, the certificate not verified
    // (verification is `verify-full`, which the client library does not
    // parse); set `PGSSLROOTCERT`-style verification up in the server's
    // certificate instead.
    let connector = native_tls::TlsConnector::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .map_err(|e| StoreError::Unusable {
            location: location.to_string(),
            reason: format!("TLS: {e}"),
        })?;
    config
        .connect(postgres_native_tls::MakeTlsConnector::new(connector))
        .map_err(|source| StoreError::Postgres {
            location: location.to_string(),
            source,
        })
}

#[cfg(not(feature = "tls"))]
fn connect_tls(_config: &Config, location: &str) -> Result<Client, StoreError> {
    Err(StoreError::Unusable {
        location: location.to_string(),
        reason: "the URL asks for TLS (sslmode=require) and this rhetor was built without it: rebuild with `--features tls`".into(),
    })
}

/// The text search configuration for a document language.
pub(crate) fn text_config(language: Option<&str>) -> &'static str {
    match language {
        Some("fr") => "french",
        Some("en") => "english",
        Some("de") => "german",
        Some("it") => "italian",
        Some("ru") => "russian",
        _ => "simple",
    }
}

/// One value of a `COPY … FROM STDIN` text-format row.
fn copy_field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\0' => {}
                    c => out.push(c),
                }
            }
        }
    }
}

/// Rows for one `COPY`: fields tab-separated, rows newline-terminated.
#[derive(Default)]
struct CopyRows(String);

impl CopyRows {
    fn row(&mut self, fields: &[Option<&str>]) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.0.push('\t');
            }
            copy_field(&mut self.0, *f);
        }
        self.0.push('\n');
    }
}

fn enum_str<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

impl PgStore {
    fn pg(&self, source: ::postgres::Error) -> StoreError {
        StoreError::Postgres {
            location: self.location.clone(),
            source,
        }
    }

    /// Connects, then creates or migrates the store (refusing a foreign
    /// database before writing anything).
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let store = PgStore {
            client: RefCell::new(connect(url)?),
            location: redact(url),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Connects to an existing store without creating or migrating it.
    pub fn open_existing(url: &str) -> Result<PgStore, StoreError> {
        let store = PgStore {
            client: RefCell::new(connect(url)?),
            location: redact(url),
        };
        match store.meta_version()? {
            Some(v) if v > SCHEMA_VERSION => Err(store.too_new(v)),
            Some(_) => Ok(store),
            None => {
                let tables: i64 = store
                    .client
                    .borrow_mut()
                    .query_one("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()", &[])
                    .map_err(|e| store.pg(e))?
                    .get(0);
                Err(if tables > 0 {
                    StoreError::NotRhetorDatabase(store.location.clone())
                } else {
                    StoreError::Unusable {
                        location: store.location.clone(),
                        reason: "no rhetor store in this database yet (run `rhetor analyze … --db URL` first)".into(),
                    }
                })
            }
        }
    }

    fn too_new(&self, found: i64) -> StoreError {
        StoreError::Unusable {
            location: self.location.clone(),
            reason: format!("store schema version {found} is newer than this rhetor's ({SCHEMA_VERSION}); upgrade rhetor"),
        }
    }

    /// The recorded schema version, or `None` when this is no rhetor store.
    fn meta_version(&self) -> Result<Option<i64>, StoreError> {
        let mut client = self.client.borrow_mut();
        let exists: bool = client
            .query_one("SELECT to_regclass('rhetor_meta') IS NOT NULL", &[])
            .map_err(|e| self.pg(e))?
            .get(0);
        if !exists {
            return Ok(None);
        }
        let rows = client
            .query(
                "SELECT key, value FROM rhetor_meta WHERE key IN ('application', 'schema_version')",
                &[],
            )
            .map_err(|e| self.pg(e))?;
        let get = |k: &str| {
            rows.iter()
                .find(|r| r.get::<_, String>(0) == k)
                .map(|r| r.get::<_, String>(1))
        };
        if get("application").as_deref() != Some("rhetor") {
            return Ok(None);
        }
        Ok(get("schema_version").and_then(|v| v.parse().ok()))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let location = self.location.clone();
        let pg = |source| StoreError::Postgres {
            location: location.clone(),
            source,
        };
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .map_err(pg)?;
        let exists: bool = tx
            .query_one("SELECT to_regclass('rhetor_meta') IS NOT NULL", &[])
            .map_err(pg)?
            .get(0);
        let meta = |tx: &mut Transaction<'_>, key: &str| -> Result<Option<String>, StoreError> {
            Ok(tx
                .query_opt("SELECT value FROM rhetor_meta WHERE key = $1", &[&key])
                .map_err(pg)?
                .map(|r| r.get(0)))
        };
        // `migrations` counts the PostgreSQL migrations run; `schema_version`
        // is the logical schema (the same as SQLite's).
        let done: usize = if exists {
            if meta(&mut tx, "application")?.as_deref() != Some("rhetor") {
                return Err(StoreError::NotRhetorDatabase(location.clone()));
            }
            let logical: i64 = meta(&mut tx, "schema_version")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if logical > SCHEMA_VERSION {
                return Err(StoreError::Unusable {
                    location,
                    reason: format!("store schema version {logical} is newer than this rhetor's ({SCHEMA_VERSION}); upgrade rhetor"),
                });
            }
            meta(&mut tx, "migrations")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        } else {
            let tables: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                    &[],
                )
                .map_err(pg)?
                .get(0);
            if tables > 0 {
                return Err(StoreError::NotRhetorDatabase(location.clone()));
            }
            0
        };
        if done < MIGRATIONS.len() {
            for m in &MIGRATIONS[done..] {
                tx.batch_execute(m).map_err(pg)?;
            }
            tx.execute(
                "UPDATE rhetor_meta SET value = $1 WHERE key = 'migrations'",
                &[&MIGRATIONS.len().to_string()],
            )
            .map_err(pg)?;
            tx.execute(
                "UPDATE rhetor_meta SET value = $1 WHERE key = 'schema_version'",
                &[&SCHEMA_VERSION.to_string()],
            )
            .map_err(pg)?;
        }
        super::queue::create_tables(&mut tx).map_err(pg)?;
        tx.commit().map_err(pg)
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(SCHEMA_VERSION)
    }

    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        self.client
            .borrow_mut()
            .query_opt("SELECT 1 FROM documents WHERE id = $1", &[&id])
            .map(|r| r.is_some())
            .map_err(|e| self.pg(e))
    }

    /// Stores a batch in one transaction; returns how many were new.
    pub fn insert(&mut self, analyses: &[Analysis]) -> Result<usize, StoreError> {
        let location = self.location.clone();
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .transaction()
            .map_err(|source| StoreError::Postgres {
                location: location.clone(),
                source,
            })?;
        let added = insert_in(&mut tx, analyses, &location)?;
        tx.commit()
            .map_err(|source| StoreError::Postgres { location, source })?;
        Ok(added)
    }

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
        let mut args: Vec<String> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, value: String| {
            args.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(v) = &filter.source {
            arg(&mut sql, " AND d.source_label = ?", v.clone());
        }
        if let Some(v) = &filter.language {
            arg(&mut sql, " AND d.language = ?", v.clone());
        }
        if let Some(v) = &filter.technique {
            arg(
                &mut sql,
                " AND d.id IN (SELECT doc_id FROM techniques WHERE technique = ?)",
                v.clone(),
            );
        }
        if let Some(v) = &filter.frame {
            arg(
                &mut sql,
                " AND d.id IN (SELECT doc_id FROM frames WHERE frame = ?)",
                v.clone(),
            );
        }
        if let Some(v) = &filter.since {
            arg(&mut sql, " AND d.published >= ?", v.clone());
        }
        if let Some(v) = &filter.until {
            arg(&mut sql, " AND d.published <= ?", v.clone());
        }
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
}

/// Writes a batch inside `tx` (the caller commits): documents with `INSERT
/// … ON CONFLICT DO NOTHING` (a stored content hash is skipped, so a batch
/// written twice is stored once), then the new documents' child rows with
/// one `COPY` per table. Returns how many documents were new.
pub fn insert_in(
    tx: &mut Transaction<'_>,
    analyses: &[Analysis],
    location: &str,
) -> Result<usize, StoreError> {
    let pg = |source| StoreError::Postgres {
        location: location.to_string(),
        source,
    };
    let insert = tx
        .prepare(
            "INSERT INTO documents (id, source_path, record, url, source_name, source_label, title, author, published, language, format, encoding, word_count, genre, genre_probability, analysis_json, search)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, to_tsvector($17::text::regconfig, $18))
             ON CONFLICT (id) DO NOTHING",
        )
        .map_err(pg)?;
    let mut new = Vec::new();
    for a in analyses {
        let json = serde_json::to_string(a).map_err(|e| StoreError::Unusable {
            location: location.to_string(),
            reason: format!("analysis of {} cannot be written: {e}", a.id),
        })?;
        let title = a.title.as_ref().map(|t| t.text.clone());
        let search_text = format!("{} {}", title.as_deref().unwrap_or(""), a.text);
        let n = tx
            .execute(
                &insert,
                &[
                    &a.id,
                    &a.source.path,
                    &a.source.record.map(|r| r as i64),
                    &a.source.url,
                    &a.source.name,
                    &crate::compare::source_label(a),
                    &title,
                    &a.author
                        .as_ref()
                        .map(|t| t.text.clone())
                        .or(a.declared_author.clone()),
                    &a.published,
                    &a.language.as_ref().map(|l| l.code.clone()),
                    &enum_str(&a.format),
                    &a.encoding,
                    &(a.word_count as i64),
                    &a.genre.as_ref().map(|g| g.label.clone()),
                    &a.genre.as_ref().map(|g| f64::from(g.probability)),
                    &json,
                    &text_config(a.language.as_ref().map(|l| l.code.as_str())),
                    &search_text,
                ],
            )
            .map_err(pg)?;
        if n > 0 {
            new.push(a);
        }
    }
    if new.is_empty() {
        return Ok(0);
    }
    let (
        mut paragraphs,
        mut techniques,
        mut evidence,
        mut frames,
        mut claims,
        mut links,
        mut cited,
    ) = Default::default();
    for a in &new {
        child_rows(
            a,
            &mut paragraphs,
            &mut techniques,
            &mut evidence,
            &mut frames,
            &mut claims,
            &mut links,
            &mut cited,
        );
    }
    for (table, rows) in [
        ("paragraphs (doc_id, idx, kind, \"start\", \"end\", line, language, text)", paragraphs),
        ("techniques (doc_id, paragraph, technique, probability)", techniques),
        ("evidence (doc_id, paragraph, technique, \"start\", \"end\", text)", evidence),
        ("frames (doc_id, frame, probability)", frames),
        ("claims (doc_id, idx, paragraph, \"start\", \"end\", text, sentence, value, value_max, kind, approximation, unit, subject, subject_key, named_group, per, time_text, time_date, hedge, source, source_kind, source_outlet)", claims),
        ("links (doc_id, \"start\", \"end\", text, url)", links),
        ("cited_sources (doc_id, idx, source_id, name, kind, uses, mentions, claims, domain, state_asset, state_owner, state_country, typology, credibility_category, credibility_score)", cited),
    ] {
        let rows: CopyRows = rows;
        if rows.0.is_empty() {
            continue;
        }
        use std::io::Write;
        let mut writer = tx.copy_in(&format!("COPY {table} FROM STDIN")).map_err(pg)?;
        writer.write_all(rows.0.as_bytes()).map_err(|e| StoreError::Unusable {
            location: location.to_string(),
            reason: format!("COPY: {e}"),
        })?;
        writer.finish().map_err(pg)?;
    }
    Ok(new.len())
}

#[allow(clippy::too_many_arguments)]
fn child_rows(
    a: &Analysis,
    paragraphs: &mut CopyRows,
    techniques: &mut CopyRows,
    evidence: &mut CopyRows,
    frames: &mut CopyRows,
    claims: &mut CopyRows,
    links: &mut CopyRows,
    cited: &mut CopyRows,
) {
    let id = Some(a.id.as_str());
    for p in &a.paragraphs {
        let (idx, start, end, line) = (
            p.index.to_string(),
            p.start.to_string(),
            p.end.to_string(),
            p.line.map(|l| l.to_string()),
        );
        let kind = enum_str(&p.kind);
        paragraphs.row(&[
            id,
            Some(&idx),
            kind.as_deref(),
            Some(&start),
            Some(&end),
            line.as_deref(),
            p.language.as_ref().map(|l| l.code.as_str()),
            Some(&p.text),
        ]);
        for t in &p.techniques {
            let prob = t.probability.to_string();
            techniques.row(&[id, Some(&idx), Some(&t.technique), Some(&prob)]);
            for e in &t.evidence {
                let (s, en) = (e.start.to_string(), e.end.to_string());
                evidence.row(&[
                    id,
                    Some(&idx),
                    Some(&t.technique),
                    Some(&s),
                    Some(&en),
                    Some(&e.text),
                ]);
            }
        }
    }
    for f in &a.frames {
        let prob = f.probability.to_string();
        frames.row(&[id, Some(&f.label), Some(&prob)]);
    }
    for (i, c) in a.claims.iter().enumerate() {
        let nums = [
            i.to_string(),
            c.paragraph.to_string(),
            c.start.to_string(),
            c.end.to_string(),
            c.value.to_string(),
        ];
        let value_max = c.value_max.map(|v| v.to_string());
        let (kind, approx) = (enum_str(&c.kind), enum_str(&c.approximation));
        let source_kind = c.source.as_ref().and_then(|s| enum_str(&s.kind));
        claims.row(&[
            id,
            Some(&nums[0]),
            Some(&nums[1]),
            Some(&nums[2]),
            Some(&nums[3]),
            Some(&c.text),
            Some(&c.sentence.text),
            Some(&nums[4]),
            value_max.as_deref(),
            kind.as_deref(),
            approx.as_deref(),
            c.unit.as_deref(),
            c.subject.as_ref().map(|s| s.text.as_str()),
            c.subject_key.as_deref(),
            c.group.as_deref(),
            c.per.as_deref(),
            c.time.as_ref().map(|t| t.text.as_str()),
            c.time.as_ref().and_then(|t| t.date.as_deref()),
            c.hedge.as_ref().map(|h| h.text.as_str()),
            c.source.as_ref().map(|s| s.text.as_str()),
            source_kind.as_deref(),
            c.source
                .as_ref()
                .and_then(|s| s.outlet.as_ref().map(|o| o.text.as_str())),
        ]);
    }
    for l in &a.links {
        let (s, e) = (l.start.to_string(), l.end.to_string());
        links.row(&[id, Some(&s), Some(&e), Some(&l.text), Some(&l.url)]);
    }
    for (i, s) in a.sources.iter().enumerate() {
        let uses: Vec<String> = s.uses.iter().filter_map(enum_str).collect();
        let nums = [
            i.to_string(),
            s.mentions.len().to_string(),
            s.claims.len().to_string(),
        ];
        let kind = enum_str(&s.kind);
        let typology = s.state.as_ref().and_then(|st| enum_str(&st.typology));
        let category = s.credibility.as_ref().and_then(|c| enum_str(&c.category));
        let score = s.credibility.as_ref().map(|c| c.score.to_string());
        cited.row(&[
            id,
            Some(&nums[0]),
            Some(&s.id),
            Some(&s.name),
            kind.as_deref(),
            Some(&uses.join(",")),
            Some(&nums[1]),
            Some(&nums[2]),
            s.domain.as_deref(),
            s.state.as_ref().map(|st| st.asset.as_str()),
            s.state.as_ref().map(|st| st.owner.as_str()),
            s.state.as_ref().map(|st| st.country.as_str()),
            typology.as_deref(),
            category.as_deref(),
            score.as_deref(),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_shown() {
        assert_eq!(
            redact("postgres://ana:s3cret@db.example:5432/corpus"),
            "postgres://ana:***@db.example:5432/corpus"
        );
        assert_eq!(
            redact("postgres://ana@db/corpus?password=s3cret&sslmode=require"),
            "postgres://ana@db/corpus?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://db/corpus"), "postgres://db/corpus");
    }

    #[test]
    fn copy_fields_are_escaped() {
        let mut rows = CopyRows::default();
        rows.row(&[Some("a\tb"), None, Some("x\ty\nz\\")]);
        assert_eq!(rows.0, "a\\tb\t\\N\tx\\ty\\nz\\\\\n");
    }
}
