// Shared helpers for the data-driven tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rhetor::document::{DeclaredMeta, Format, Source};
use rhetor::ingest::{Body, RawArticle};
use rhetor::{Document, Pipeline};

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
