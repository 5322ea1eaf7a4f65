//! Reading inputs: files, directories, standard input; plain text, Markdown,
//! HTML, JSONL and WARC, optionally gzip-compressed. Every input becomes one
//! or more [`RawArticle`]s; a bad one becomes an [`InputError`] and the rest
//! go on.

pub mod decode;
pub mod html;
pub mod pdf;
pub mod warc;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::document::{DeclaredMeta, Format, Source};
use crate::error::InputError;

/// The body of an article before normalisation.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Text(String),
    Markdown(String),
    Html(String),
    /// A PDF's text laid out into blocks from the page layout.
    Pdf(pdf::LaidOut),
}

/// One article as read from its input.
#[derive(Debug, Clone, PartialEq)]
pub struct RawArticle {
    pub source: Source,
    pub format: Format,
    pub encoding: String,
    pub body: Body,
    pub declared: DeclaredMeta,
}

/// Limits that keep memory bounded.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Largest single article (file, JSONL line or WARC record), in bytes.
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What kind of file a path names, from its extension (after a `.gz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Text,
    Markdown,
    Html,
    Jsonl,
    /// One JSON object (or an array of them: a Media Cloud story list).
    Json,
    Warc,
    Pdf,
}

/// Returns the kind and whether the file is gzip-compressed.
pub fn file_kind(path: &Path) -> Option<(FileKind, bool)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(inner) => (inner.to_string(), true),
        None => (name, false),
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    let kind = match ext {
        "txt" | "text" => FileKind::Text,
        "md" | "markdown" => FileKind::Markdown,
        "html" | "htm" | "xhtml" => FileKind::Html,
        "jsonl" | "ndjson" => FileKind::Jsonl,
        "json" => FileKind::Json,
        "warc" => FileKind::Warc,
        "pdf" => FileKind::Pdf,
        _ => return None,
    };
    Some((kind, gz))
}

/// Expands the user's paths: files as given, directories recursively (only
/// files of a known kind, in sorted order). A missing path is an error item.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, InputError)>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Ok(path.clone()));
        } else if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &mut out);
            found.sort();
            out.extend(found.into_iter().map(Ok));
        } else if path.exists() {
            out.push(Ok(path.clone()));
        } else {
            out.push(Err((path.clone(), InputError::NotFound)));
        }
    }
    out
}

fn walk(
    dir: &Path,
    found: &mut Vec<PathBuf>,
    errors: &mut Vec<Result<PathBuf, (PathBuf, InputError)>>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Err((dir.to_path_buf(), InputError::Io(e))));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, found, errors);
        } else if file_kind(&path).is_some() {
            found.push(path);
        }
    }
}

/// Stream of articles (or errors) from one input.
pub type Articles = Box<dyn Iterator<Item = Result<RawArticle, InputError>> + Send>;

/// Opens an input held in memory (a queued file): its kind from `name`'s
/// extension, else sniffed from the bytes.
pub fn open_bytes(name: &str, bytes: Vec<u8>, opts: ReadOptions) -> Result<Articles, InputError> {
    let (kind, gz) = match file_kind(Path::new(name)) {
        Some(k) => k,
        None if bytes.starts_with(&[0x1f, 0x8b]) => {
            return Err(InputError::Unsupported(name.to_string()))
        }
        None => (sniff(&bytes), false),
    };
    if !gz && !matches!(kind, FileKind::Jsonl | FileKind::Warc) {
        check_size(bytes.len() as u64, opts)?;
    }
    let cursor = std::io::Cursor::new(bytes);
    let reader: Box<dyn BufRead + Send> = if gz {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(cursor)))
    } else {
        Box::new(cursor)
    };
    read_kind(name.to_string(), kind, gz, reader, opts)
}

/// Opens one input. `-` is standard input (sniffed: HTML, JSONL or text).
pub fn open(path: &Path, opts: ReadOptions) -> Result<Articles, InputError> {
    let display = path.display().to_string();
    let (kind, gz, reader): (FileKind, bool, Box<dyn BufRead + Send>) = if display == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(opts.max_bytes + 1)
            .read_to_end(&mut bytes)?;
        check_size(bytes.len() as u64, opts)?;
        let kind = sniff(&bytes);
        (kind, false, Box::new(std::io::Cursor::new(bytes)))
    } else {
        let (kind, gz) = match file_kind(path) {
            Some(k) => k,
            None => {
                // An explicitly named file of unknown kind: sniff its content.
                let mut head = vec![0; 4096];
                let n = File::open(path)?.read(&mut head)?;
                head.truncate(n);
                if head.starts_with(&[0x1f, 0x8b]) {
                    return Err(InputError::Unsupported(display));
                }
                (sniff(&head), false)
            }
        };
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        if !gz && !matches!(kind, FileKind::Jsonl | FileKind::Warc) {
            check_size(size, opts)?;
        }
        let reader: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
                BufReader::new(file),
            )))
        } else {
            Box::new(BufReader::new(file))
        };
        (kind, gz, reader)
    };
    read_kind(display, kind, gz, reader, opts)
}

/// The articles of an opened input of a known kind.
fn read_kind(
    display: String,
    kind: FileKind,
    gz: bool,
    reader: Box<dyn BufRead + Send>,
    opts: ReadOptions,
) -> Result<Articles, InputError> {
    let source = Source {
        path: display,
        ..Source::default()
    };
    match kind {
        FileKind::Jsonl => Ok(Box::new(jsonl_articles(reader, source, opts))),
        FileKind::Json => json_articles(reader, source, opts),
        FileKind::Pdf => {
            let mut bytes = Vec::new();
            reader.take(opts.max_bytes + 1).read_to_end(&mut bytes)?;
            check_size(bytes.len() as u64, opts)?;
            let laid = pdf::lay_out(&bytes)?;
            Ok(Box::new(std::iter::once(Ok(RawArticle {
                source,
                format: Format::Pdf,
                encoding: "PDF".into(),
                body: Body::Pdf(laid),
                declared: DeclaredMeta::default(),
            }))))
        }
        FileKind::Warc => Ok(Box::new(warc_articles(reader, source, opts))),
        FileKind::Text | FileKind::Markdown | FileKind::Html => {
            let mut bytes = Vec::new();
            reader
                .take(opts.max_bytes + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| {
                    if gz {
                        InputError::Binary(format!("corrupt or truncated gzip: {e}"))
                    } else {
                        InputError::Io(e)
                    }
                })?;
            check_size(bytes.len() as u64, opts)?;
            let decoded = decode::decode(&bytes)?;
            let (body, format) = match kind {
                FileKind::Html => (Body::Html(decoded.text), Format::Html),
                FileKind::Markdown => (Body::Markdown(decoded.text), Format::Markdown),
                _ => (Body::Text(decoded.text), Format::Text),
            };
            let article = RawArticle {
                source,
                format,
                encoding: decoded.encoding.to_string(),
                body,
                declared: DeclaredMeta::default(),
            };
            Ok(Box::new(std::iter::once(Ok(article))))
        }
    }
}

fn check_size(size: u64, opts: ReadOptions) -> Result<(), InputError> {
    if size > opts.max_bytes {
        return Err(InputError::TooLarge {
            size,
            limit: opts.max_bytes,
        });
    }
    Ok(())
}

fn sniff(head: &[u8]) -> FileKind {
    let text = String::from_utf8_lossy(&head[..head.len().min(2048)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lower = t.get(..t.len().min(200)).unwrap_or("").to_ascii_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.starts_with("<?xml")
    {
        FileKind::Html
    } else if t.starts_with('{') {
        FileKind::Jsonl
    } else if t.starts_with("WARC/") {
        FileKind::Warc
    } else if t.starts_with("%PDF-") {
        FileKind::Pdf
    } else {
        FileKind::Text
    }
}

/// One record of a JSON or JSONL input, read from its fields. rhetor's own
/// JSONL (`text` or `html`, and optional `id`, `title`, `url`, `source`,
/// `author`, `published`) and the formats of neighbouring tools, detected
/// from their fields: news-please (`maintext`, `authors`, `date_publish`,
/// `source_domain`), trafilatura (`text`, `source` = the URL,
/// `source-hostname`, `date`), Media Cloud stories (`media_name`,
/// `publish_date`, `story_text`/`text`).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Record {
    pub text: Option<String>,
    pub html: Option<String>,
    pub id: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
}

pub(crate) fn record_of(v: &serde_json::Value) -> Result<Record, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let get = |k: &str| {
        obj.get(k).and_then(|x| match x {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let date = |s: Option<String>| s.map(|d| d.chars().take(10).collect::<String>());
    let trafilatura = obj.contains_key("source-hostname");
    let news_please = obj.contains_key("maintext") || obj.contains_key("date_publish");
    let media_cloud = obj.contains_key("media_name") || obj.contains_key("stories_id");
    let authors = obj.get("authors").and_then(|a| a.as_array()).map(|a| {
        a.iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    });
    Ok(Record {
        text: get("text")
            .or_else(|| get("maintext"))
            .or_else(|| get("story_text")),
        html: get("html").or_else(|| get("raw_html")),
        id: get("id")
            .or_else(|| get("stories_id"))
            .or_else(|| get("fingerprint")),
        title: get("title"),
        url: if trafilatura {
            get("url").or_else(|| get("source"))
        } else {
            get("url")
        },
        source: if trafilatura {
            get("sitename").or_else(|| get("source-hostname"))
        } else if news_please {
            get("source_domain").or_else(|| get("source"))
        } else if media_cloud {
            get("media_name").or_else(|| get("media_url"))
        } else {
            get("source")
        },
        author: get("author").or(authors.filter(|a| !a.is_empty())),
        published: date(
            get("published")
                .or_else(|| get("date_publish"))
                .or_else(|| get("publish_date"))
                .or_else(|| get("date")),
        ),
    })
}

/// The article of one record, or why there is none.
fn record_article(
    v: &serde_json::Value,
    source: &Source,
    record: usize,
    format: Format,
) -> Result<RawArticle, String> {
    let r = record_of(v)?;
    let body = match (r.text, r.html) {
        (Some(t), _) => Body::Text(t),
        (_, Some(h)) => Body::Html(h),
        _ => return Err("no \"text\", \"maintext\" or \"html\" field".into()),
    };
    Ok(RawArticle {
        source: Source {
            path: source.path.clone(),
            record: Some(record),
            url: r.url,
            name: r.source,
        },
        format,
        encoding: "UTF-8".into(),
        body,
        declared: DeclaredMeta {
            title: r.title,
            author: r.author,
            published: r.published,
            id: r.id,
        },
    })
}

/// A JSON file: one object, or an array of them (a Media Cloud story list).
fn json_articles(
    mut reader: Box<dyn BufRead + Send>,
    source: Source,
    opts: ReadOptions,
) -> Result<Articles, InputError> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(opts.max_bytes + 1)
        .read_to_end(&mut bytes)?;
    check_size(bytes.len() as u64, opts)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| InputError::Jsonl {
            line: e.line(),
            reason: format!("invalid JSON: {e}"),
        })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(ref o) if o.get("stories").is_some_and(|s| s.is_array()) => {
            o["stories"].as_array().cloned().unwrap_or_default()
        }
        other => vec![other],
    };
    let articles: Vec<Result<RawArticle, InputError>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            record_article(v, &source, i + 1, Format::Jsonl).map_err(|reason| InputError::Warc {
                record: i + 1,
                reason,
            })
        })
        .collect();
    Ok(Box::new(articles.into_iter()))
}

fn jsonl_articles(
    mut reader: Box<dyn BufRead + Send>,
    source: Source,
    opts: ReadOptions,
) -> impl Iterator<Item = Result<RawArticle, InputError>> + Send {
    let mut line_no = 0usize;
    let mut done = false;
    let mut bytes = Vec::new();
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        line_no += 1;
        let err = |reason: String| InputError::Jsonl {
            line: line_no,
            reason,
        };
        match read_bounded_line(&mut reader, opts.max_bytes, &mut bytes) {
            Ok(Line::Eof) => return None,
            Ok(Line::Read) => {}
            Ok(Line::TooLong(seen)) => {
                return Some(Err(err(format!(
                    "over {} bytes (--max-bytes), refused after reading {seen}",
                    opts.max_bytes
                ))))
            }
            Err(e) => {
                done = true;
                return Some(Err(err(format!(
                    "cannot read (truncated or corrupt?): {e}"
                ))));
            }
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => return Some(Err(err(format!("invalid JSON: {e}")))),
        };
        return Some(record_article(&value, &source, line_no, Format::Jsonl).map_err(err));
    })
}

/// What [`read_bounded_line`] read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line (without its `\n`) is in the buffer.
    Read,
    /// The line was longer than the limit: it was skipped to its end without
    /// being kept, after this many bytes.
    TooLong(u64),
    Eof,
}

/// Reads one line into `buf` (cleared first), keeping at most `max` bytes in
/// memory: a longer line is refused while reading and skipped, so one huge
/// line costs time, never memory.
pub(crate) fn read_bounded_line(
    reader: &mut dyn BufRead,
    max: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<Line> {
    buf.clear();
    let mut seen = 0u64;
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(p) => (p, true),
            None => (chunk.len(), false),
        };
        seen += take as u64;
        if !too_long && seen > max {
            too_long = true;
            buf.clear();
            buf.shrink_to(0);
        }
        if !too_long {
            buf.extend_from_slice(&chunk[..take]);
        }
        reader.consume(take + usize::from(newline));
        if newline {
            break;
        }
    }
    Ok(match (any, too_long) {
        (false, _) => Line::Eof,
        (true, true) => Line::TooLong(seen),
        (true, false) => Line::Read,
    })
}

fn warc_articles(
    reader: Box<dyn BufRead + Send>,
    source: Source,
    opts: ReadOptions,
) -> impl Iterator<Item = Result<RawArticle, InputError>> + Send {
    let mut records = warc::WarcReader::new(reader, opts.max_bytes);
    let mut pages = 0usize;
    let mut refused = 0usize;
    let mut finished = false;
    std::iter::from_fn(move || {
        if finished {
            return None;
        }
        loop {
            match records.next() {
                None => {
                    finished = true;
                    if pages == 0 && refused == 0 {
                        return Some(Err(InputError::Warc {
                            record: 0,
                            reason: "no HTML response record in the archive".into(),
                        }));
                    }
                    return None;
                }
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(warc::WarcItem::Refused { record, reason })) => {
                    refused += 1;
                    return Some(Err(InputError::Warc { record, reason }));
                }
                Some(Ok(warc::WarcItem::NotHtml { record, what })) => {
                    // Not a failure of the archive: note it and go on.
                    log_skip(&source.path, record, &what);
                }
                Some(Ok(warc::WarcItem::Page(page))) => {
                    let decoded = match decode::decode(&page.body) {
                        Ok(d) => d,
                        Err(e) => {
                            return Some(Err(InputError::Warc {
                                record: page.record,
                                reason: e.to_string(),
                            }))
                        }
                    };
                    pages += 1;
                    return Some(Ok(RawArticle {
                        source: Source {
                            path: source.path.clone(),
                            record: Some(page.record),
                            url: page.url,
                            name: None,
                        },
                        format: Format::Warc,
                        encoding: decoded.encoding.to_string(),
                        body: Body::Html(decoded.text),
                        declared: DeclaredMeta {
                            published: page.date.map(|d| d.chars().take(10).collect()),
                            ..DeclaredMeta::default()
                        },
                    }));
                }
            }
        }
    })
}

fn log_skip(path: &str, record: usize, what: &str) {
    eprintln!("rhetor: note: {path}: record {record} skipped: not HTML ({what})");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        assert_eq!(
            file_kind(Path::new("a/b.TXT")),
            Some((FileKind::Text, false))
        );
        assert_eq!(
            file_kind(Path::new("x.warc.gz")),
            Some((FileKind::Warc, true))
        );
        assert_eq!(
            file_kind(Path::new("x.html.gz")),
            Some((FileKind::Html, true))
        );
        assert_eq!(file_kind(Path::new("x.png")), None);
    }

    #[test]
    fn jsonl_records_and_bad_lines() {
        let data = "{\"text\":\"Bonjour le monde.\",\"id\":7,\"source\":\"AFP\"}\nnot json\n\n{\"title\":\"x\"}\n";
        let items: Vec<_> = jsonl_articles(
            Box::new(std::io::Cursor::new(data.as_bytes().to_vec())),
            Source::default(),
            ReadOptions::default(),
        )
        .collect();
        assert_eq!(items.len(), 3);
        let first = items[0].as_ref().unwrap();
        assert_eq!(first.declared.id.as_deref(), Some("7"));
        assert_eq!(first.source.name.as_deref(), Some("AFP"));
        assert!(matches!(items[1], Err(InputError::Jsonl { line: 2, .. })));
        assert!(matches!(items[2], Err(InputError::Jsonl { line: 4, .. })));
    }
}
