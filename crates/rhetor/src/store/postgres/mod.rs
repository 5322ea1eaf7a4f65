//! The PostgreSQL backend: one shared store for a team. The same logical
//! schema as SQLite (documents with their JSON analysis, paragraphs,
//! techniques, evidence, frames, claims, links, cited sources), versioned
//! migrations recorded in `rhetor_meta`, full-text search through
//! PostgreSQL's text search (a `tsvector` per document in the document's
//! language configuration: french, english, german, italian, russian;
//! `simple` for Polish and others), child rows written with `COPY`.
//!
//! Connection: the URL, with the password from the URL, `PGPASSWORD` or
//! `~/.pgpass` (never printed: [`redact`]); `sslmode=require` connects
//! over TLS (rustls). A database with tables of its
//! own and no `rhetor_meta` is refused untouched; creating and migrating
//! run under an advisory lock, so concurrent first runs are safe.

use std::cell::RefCell;
use std::str::FromStr;

use ::postgres::{Client, Config, NoTls, Transaction};

use super::{StoreError, SCHEMA_VERSION};
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
    r#"
    CREATE TABLE entity_mentions (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, wikidata TEXT,
        linked BIGINT NOT NULL, mentions BIGINT NOT NULL,
        PRIMARY KEY (doc_id, entity_id)
    );
    CREATE INDEX entity_mentions_by_entity ON entity_mentions (entity_id);
    CREATE TABLE entity_portrayal (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, technique TEXT,
        "start" BIGINT NOT NULL, "end" BIGINT NOT NULL
    );
    CREATE INDEX entity_portrayal_by_entity ON entity_portrayal (entity_id);
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

/// `sslmode=require`, as libpq means it: the connection is encrypted, the
/// server's certificate is not checked against a certificate authority
/// (the signatures of the handshake still are).
fn connect_tls(config: &Config, location: &str) -> Result<Client, StoreError> {
    use std::sync::Arc;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Unusable {
            location: location.to_string(),
            reason: format!("TLS: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
        .with_no_client_auth();
    config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(|source| StoreError::Postgres {
            location: location.to_string(),
            source,
        })
}

/// Accepts the server's certificate without a certificate authority
/// (`sslmode=require`), verifying the handshake signatures.
#[derive(Debug)]
struct EncryptOnly(std::sync::Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
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

mod read;
mod write;

pub use write::insert_in;

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

    /// The logical schema version recorded in `rhetor_meta`.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.meta_version()?.unwrap_or(0))
    }

    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        self.client
            .borrow_mut()
            .query_opt("SELECT 1 FROM documents WHERE id = $1", &[&id])
            .map(|r| r.is_some())
            .map_err(|e| self.pg(e))
    }

    /// Stores a batch with its JSON in one transaction; returns how many
    /// were new.
    pub(in crate::store) fn insert_pairs(
        &mut self,
        analyses: &[(&Analysis, &str)],
    ) -> Result<usize, StoreError> {
        let location = self.location.clone();
        retry_conflicts(|| {
            let mut client = self.client.borrow_mut();
            let mut tx = client
                .transaction()
                .map_err(|source| StoreError::Postgres {
                    location: location.clone(),
                    source,
                })?;
            let added = insert_in(&mut tx, analyses, &location)?;
            tx.commit().map_err(|source| StoreError::Postgres {
                location: location.clone(),
                source,
            })?;
            Ok(added)
        })
    }
}

/// Runs a transaction again (up to five times, with a short pause) when the
/// server aborted it as a deadlock victim or a serialisation failure: two
/// writers storing the same documents in another order may cross, and the
/// retried transaction then finds them stored.
pub(crate) fn retry_conflicts<T>(
    mut f: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut attempt = 0;
    loop {
        match f() {
            Err(StoreError::Postgres { source, .. })
                if attempt < 5
                    && source.code().is_some_and(|c| {
                        *c == ::postgres::error::SqlState::T_R_DEADLOCK_DETECTED
                            || *c == ::postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                    }) =>
            {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
            }
            other => return other,
        }
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
}
