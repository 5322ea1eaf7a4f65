//! The store: refusal of foreign files, migrations, idempotent ingest.

mod common;

use common::*;
use rhetor::output::Analysis;
use rhetor::store::{Store, StoreError, SCHEMA_VERSION};

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

#[test]
fn ingest_is_idempotent_and_round_trips() {
    let dir = temp("ingest");
    let mut store = Store::open(&dir.join("r.db")).expect("store");
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
    let csv = store.claims_csv().unwrap();
    assert!(csv.starts_with("doc_id,source,title"));
    assert!(csv.lines().count() > 20);
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
