//! The store: refusal of foreign files, migrations, idempotent ingest.

mod common;

use common::*;
use rhetor::output::Analysis;
use rhetor::store::{Store, StoreError, StoreLocation, SCHEMA_VERSION};

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rhetor-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn seed_analyses() -> Vec<Analysis> {
    ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"]
        .iter()
        .map(|s| {
            Analysis::new(
                &analyse_file(&repo_root().join("examples").join(s)),
                Default::default(),
            )
        })
        .collect()
}

/// The same store suite on both backends: a SQLite file, and a fresh
/// PostgreSQL database when a test server is configured.
fn backends(name: &str) -> Vec<StoreLocation> {
    let dir = temp(name);
    let mut out = vec![StoreLocation::Sqlite(dir.join("r.db"))];
    out.extend(pg_database(name).map(StoreLocation::Postgres));
    out
}

#[test]
fn ingest_is_idempotent_and_round_trips() {
    for location in backends("ingest") {
        ingest_round_trip(location);
    }
}

fn ingest_round_trip(location: StoreLocation) {
    let mut store = Store::open(&location).expect("store");
    let analyses = seed_analyses();
    assert_eq!(store.insert(&analyses).unwrap(), 2);
    assert_eq!(store.insert(&analyses).unwrap(), 0);
    assert_eq!(store.count().unwrap(), 2);
    let back = store.analysis(&analyses[0].id).unwrap().expect("stored");
    assert_eq!(back.text, analyses[0].text);
    assert_eq!(back.claims.len(), analyses[0].claims.len());
    assert!(store.integrity_ok().unwrap());
    let filter = rhetor::store::DocumentFilter {
        query: Some("Guillemain".into()),
        ..Default::default()
    };
    assert_eq!(store.documents(&filter).unwrap().len(), 1);
    // Stemmed search in the document's language: "soldat" finds "soldats".
    let filter = rhetor::store::DocumentFilter {
        query: Some("soldats nord-coréens".into()),
        ..Default::default()
    };
    assert!(!store.documents(&filter).unwrap().is_empty(), "{location}");
    let csv = store.claims_csv().unwrap();
    assert!(csv.starts_with("doc_id,source,title"));
    assert!(csv.lines().count() > 20);
    let sources = store.cited_sources(None).unwrap();
    assert!(sources
        .iter()
        .any(|s| s.id == "outlet:sputnik" && s.typology.as_deref() == Some("state-controlled")));
    assert!(store.sources_csv().unwrap().contains("outlet:reuters"));
    assert!(!store.citations().unwrap().is_empty());
    // Entities: the same actors in both seeds, each source's portrayal.
    let entities = store.entities(None).unwrap();
    let kim = entities
        .iter()
        .find(|e| e.id == "kim-jong-un")
        .expect("Kim Jong-un is named");
    assert_eq!((kim.documents, kim.sources), (2, 2), "{location}");
    assert_eq!(kim.wikidata.as_deref(), Some("Q56226"));
    assert!(store
        .entities(Some("person"))
        .unwrap()
        .iter()
        .all(|e| e.kind == "person"));
    let usa = store
        .entity_profile("usa")
        .unwrap()
        .expect("the US is named");
    assert_eq!(usa.by_source.len(), 2);
    let words: Vec<&str> = usa
        .by_source
        .iter()
        .flat_map(|s| s.words.iter().map(|w| w.text.as_str()))
        .collect();
    assert!(
        words.iter().any(|w| w.contains("qui sème la mort")),
        "{location}: {words:?}"
    );
    assert!(store.entity_profile("nobody-at-all").unwrap().is_none());
    let csv = store.entities_csv().unwrap();
    assert!(csv.starts_with("doc_id,source,title,entity_id"));
    assert!(csv.contains(",putin,Vladimir Putin,person,Q7747,true,"));
    let docs = store.documents(&Default::default()).unwrap();
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|d| !d.label.is_empty()));
    assert_eq!(store.distinct("language").unwrap(), vec!["fr".to_string()]);
    // A read-only view sees the same.
    let reader = Store::open_read_only(&location).unwrap();
    assert_eq!(reader.count().unwrap(), 2);
    assert_eq!(reader.analyses().unwrap().len(), 2);
}

#[test]
fn a_foreign_postgres_database_is_refused_untouched() {
    let Some(url) = pg_database("foreign") else {
        return;
    };
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (7)")
        .unwrap();
    let err = Store::open(StoreLocation::Postgres(url.clone()))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::NotRhetorDatabase(_)), "{err}");
    let tables: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created beside the foreign table");
    // An empty database is not a store yet: reading it says so.
    let empty = pg_database("empty").unwrap();
    let err = Store::open_read_only(StoreLocation::Postgres(empty))
        .err()
        .expect("no store");
    assert!(err.to_string().contains("no rhetor store"), "{err}");
}

#[test]
fn concurrent_first_opens_of_a_postgres_store() {
    let Some(url) = pg_database("firstopen") else {
        return;
    };
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(StoreLocation::Postgres(url)).expect("opens");
                s.insert(&seed_analyses()).expect("inserts")
            })
        })
        .collect();
    let added: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(added, 2, "every document stored once");
}

#[test]
fn the_queue_survives_a_lost_worker() {
    let Some(url) = pg_database("queue") else {
        return;
    };
    let mut store = Store::open(StoreLocation::Postgres(url.clone())).unwrap();
    let pg = store.postgres().unwrap();
    let inputs: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| {
            (
                format!("a{i}.txt"),
                format!("Titre {i}\n\nUn texte numéro {i} assez long.\n").into_bytes(),
            )
        })
        .collect();
    let added = pg.queue_add(&inputs, 2).unwrap();
    assert_eq!((added.items, added.batches), (5, 3));
    assert_eq!(pg.queue_add(&inputs, 2).unwrap().duplicates, 5);
    // Worker A claims with a short lease and vanishes.
    let lost = pg
        .queue_claim("A", std::time::Duration::from_millis(300), 1 << 20)
        .unwrap()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    // Worker B takes the expired batch over, and finishes it.
    let mut claimed = Vec::new();
    while let Some(c) = pg
        .queue_claim("B", std::time::Duration::from_secs(60), 1 << 20)
        .unwrap()
    {
        claimed.push(c);
    }
    assert_eq!(claimed.len(), 3);
    assert!(
        claimed.iter().any(|c| c.batch == lost.batch),
        "the expired batch is claimed again"
    );
    for c in &claimed {
        let outcomes: Vec<(String, rhetor::store::queue::Outcome)> = c
            .items
            .iter()
            .map(|i| {
                let doc = rhetor::Pipeline::default()
                    .run(text_article(
                        &i.name,
                        String::from_utf8(i.bytes.clone()).unwrap(),
                    ))
                    .unwrap();
                (
                    i.hash.clone(),
                    rhetor::store::queue::Outcome::Analysed {
                        analyses: vec![Analysis::new(&doc, Default::default())],
                        errors: vec![],
                    },
                )
            })
            .collect();
        assert!(pg.queue_complete("B", c, &outcomes).unwrap());
    }
    // A's late results are refused: nothing is written twice.
    assert!(!pg.queue_complete("A", &lost, &[]).unwrap());
    let status = pg.queue_status().unwrap();
    assert_eq!(
        (status.items_done, status.batches_done, status.documents),
        (5, 3, 5)
    );
    assert_eq!(store.count().unwrap(), 5);
}

#[test]
fn foreign_files_are_refused_untouched() {
    let dir = temp("foreign");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a database at all, just some notes\n").unwrap();
    assert!(matches!(Store::open(&text), Err(StoreError::NotSqlite(_))));
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "not a database at all, just some notes\n"
    );

    let other = dir.join("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (42);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let err = Store::open(&other).err().expect("refused");
    assert!(matches!(err, StoreError::NotRhetor(_)), "{err}");
    assert!(err.to_string().contains("not a rhetor store"));
    assert_eq!(
        std::fs::read(&other).unwrap(),
        before,
        "the foreign database was modified"
    );
    assert!(!dir.join("other.sqlite-wal").exists());
}

#[test]
fn older_schema_is_migrated_with_its_data() {
    let dir = temp("migrate");
    let path = dir.join("old.db");
    {
        let _v1 = Store::create_at_version(&path, 1).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO documents (id, source_path, source_label, format, encoding, word_count, analysis_json) VALUES ('abc', 'x.txt', 'x', 'text', 'UTF-8', 3, ?1)",
            [serde_json::to_string(&seed_analyses()[1]).unwrap()],
        )
        .unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
    }
    let store = Store::open(&path).expect("an older store opens");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.count().unwrap(), 1);
    // Migration 2 indexed the old document for full-text search.
    let filter = rhetor::store::DocumentFilter {
        query: Some("Guillemain".into()),
        ..Default::default()
    };
    assert_eq!(store.documents(&filter).unwrap().len(), 1);
}

#[test]
fn newer_schema_is_refused() {
    let dir = temp("newer");
    let path = dir.join("new.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = Store::open(&path).err().expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn report_escapes_article_text() {
    let raw = text_article(
        "evil.txt",
        "Un titre\n\nLe texte contient <script>alert('x')</script> et <img src=x onerror=alert(1)> au milieu de 8 000 soldats.\n".to_string(),
    );
    let doc = rhetor::Pipeline::default().run(raw).unwrap();
    let a = Analysis::new(&doc, Default::default());
    let html = rhetor::report::render_report(&[a], "t");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    // Self-contained: no external scripts, styles or fonts.
    for bad in ["<script src", "<link", "@import", "url(http", "src=\"http"] {
        assert!(!html.contains(bad), "{bad}");
    }
}

#[test]
fn tls_when_the_url_asks_for_it() {
    let Some(url) = pg_database("tls") else {
        return;
    };
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let ssl_on: String = admin.query_one("SHOW ssl", &[]).unwrap().get(0);
    if ssl_on != "on" {
        assert!(
            std::env::var_os("CI").is_none(),
            "the CI cluster serves TLS (tools/pg-test-cluster)"
        );
        eprintln!("note: the test server has no TLS; skipping");
        return;
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    let mut store = Store::open(StoreLocation::Postgres(format!(
        "{url}{sep}sslmode=require"
    )))
    .expect("TLS connection");
    store.insert(&seed_analyses()).unwrap();
    let encrypted: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.application_name = 'rhetor' AND a.datname = current_database()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(encrypted >= 1, "the store's session is encrypted");
    assert_eq!(store.count().unwrap(), 2);
}

/// New stores get 16 KiB pages; a store made with SQLite's default 4 KiB
/// pages opens, migrates and keeps them (a page size is fixed at creation).
#[test]
fn page_size_of_new_and_older_stores() {
    let dir = temp("pages");
    let fresh = dir.join("new.db");
    drop(Store::open(&fresh).unwrap());
    let page = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(page(&fresh), 16_384);

    let old = dir.join("old.db");
    drop(Store::create_at_version(&old, 1).unwrap());
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.pragma_update(None, "page_size", 4096).unwrap();
        conn.execute_batch("VACUUM").unwrap();
    }
    assert_eq!(page(&old), 4096);
    let mut store = Store::open(&old).expect("a 4 KiB store opens");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.insert(&seed_analyses()).unwrap(), 2);
    assert_eq!(store.count().unwrap(), 2);
    assert!(store.integrity_ok().unwrap());
    drop(store);
    assert_eq!(page(&old), 4096);
}
