//! Typed errors of the library.

use std::path::PathBuf;

/// Why one input could not be read. Shown to users as one line after the
/// file name, so messages are short and say what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("no such file or directory")]
    NotFound,
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty input")]
    Empty,
    #[error("not text: {0}")]
    Binary(String),
    #[error("too large: {size} bytes, the limit is {limit} (--max-bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("HTML nested {depth} levels deep (the limit is {limit}): refused")]
    TooDeep { depth: usize, limit: usize },
    #[error("no article text found in the HTML")]
    NoContent,
    #[error("line {line}: {reason}")]
    Jsonl { line: usize, reason: String },
    #[error("record {record}: {reason}")]
    Warc { record: usize, reason: String },
    #[error("PDF: {0}")]
    Pdf(String),
    /// A page the user asked for could not be fetched.
    #[error("cannot fetch: {0}")]
    Fetch(String),
    /// A bug contained to this input (a panic while reading or analysing it).
    #[error("internal error: {0}, please report")]
    Internal(String),
    #[error(transparent)]
    Stage(#[from] crate::stage::StageError),
    #[error(
        "unsupported file type {0:?} (expected .txt, .md, .html, .htm, .jsonl, .warc, .pdf, or any of them .gz)"
    )]
    Unsupported(String),
}

/// A failure tied to the file (or record) it came from.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    #[source]
    pub source: InputError,
}

/// Errors of model files and lexicons.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
