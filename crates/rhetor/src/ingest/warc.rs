//! A streaming WARC reader: records one at a time from a (multi-member
//! gzip) stream, so a large or truncated archive yields every record before
//! the damage and then one error naming the record.
//!
//! Written here rather than taken from the `warc` crate because rhetor needs
//! only response records, `flate2`'s multi-member decoder, and a per-record
//! error that does not end the batch silently.

use std::io::{BufRead, Read};

use crate::error::InputError;

/// Longest WARC header line accepted (real ones are under 10 kB).
const MAX_HEADER_LINE: u64 = 64 * 1024;
/// Most header lines in one record.
const MAX_HEADERS: usize = 1024;

/// An HTML response captured in the archive.
#[derive(Debug, Clone, PartialEq)]
pub struct WarcPage {
    pub record: usize,
    pub url: Option<String>,
    pub date: Option<String>,
    /// The HTTP body (de-chunked, decompressed).
    pub body: Vec<u8>,
}

/// What one record turned into.
#[derive(Debug)]
pub enum WarcItem {
    Page(WarcPage),
    /// A response record that holds no HTML (image, PDF, redirect…).
    NotHtml {
        record: usize,
        what: String,
    },
    /// An HTML response refused by a limit (a gzip body inflating past
    /// `--max-bytes`): an error for this record, the archive goes on.
    Refused {
        record: usize,
        reason: String,
    },
}

/// Why a response gave no HTML body.
enum NoBody {
    NotHtml(String),
    Refused(String),
}

impl From<&str> for NoBody {
    fn from(what: &str) -> Self {
        NoBody::NotHtml(what.to_string())
    }
}

/// Iterates over the records of a WARC stream.
pub struct WarcReader<R> {
    input: R,
    record: usize,
    done: bool,
    max_record: u64,
}

impl<R: BufRead> WarcReader<R> {
    pub fn new(input: R, max_record: u64) -> Self {
        WarcReader {
            input,
            record: 0,
            done: false,
            max_record,
        }
    }

    /// One header line into `line`, at most [`MAX_HEADER_LINE`] bytes;
    /// `None` at the end of the input.
    fn header_line(&mut self, line: &mut String) -> Result<Option<()>, String> {
        let mut bytes = Vec::new();
        match super::read_bounded_line(&mut self.input, MAX_HEADER_LINE, &mut bytes) {
            Ok(super::Line::Eof) => Ok(None),
            Ok(super::Line::TooLong(n)) => Err(format!(
                "a header line of over {MAX_HEADER_LINE} bytes ({n}): not a WARC header"
            )),
            Ok(super::Line::Read) => {
                *line = String::from_utf8_lossy(&bytes).into_owned();
                Ok(Some(()))
            }
            Err(e) => Err(format!("cannot read: {e}")),
        }
    }

    fn fail(&mut self, reason: impl Into<String>) -> Option<Result<WarcItem, InputError>> {
        self.done = true;
        Some(Err(InputError::Warc {
            record: self.record,
            reason: reason.into(),
        }))
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<WarcItem, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            // Skip blank lines between records, then expect a version line.
            let mut line = String::new();
            loop {
                match self.header_line(&mut line) {
                    Ok(None) => {
                        self.done = true;
                        return None;
                    }
                    Ok(Some(())) if line.trim().is_empty() => continue,
                    Ok(Some(())) => break,
                    Err(reason) => {
                        self.record += 1;
                        return self.fail(reason);
                    }
                }
            }
            self.record += 1;
            if !line.starts_with("WARC/") {
                return self.fail("not a WARC record (no WARC/ version line)");
            }
            let mut headers = Vec::new();
            loop {
                match self.header_line(&mut line) {
                    Ok(None) => return self.fail("truncated in its headers"),
                    Ok(Some(())) if line.trim().is_empty() => break,
                    Ok(Some(())) => {
                        if headers.len() >= MAX_HEADERS {
                            return self.fail(format!("more than {MAX_HEADERS} header lines"));
                        }
                        if let Some((k, v)) = line.split_once(':') {
                            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                        }
                    }
                    Err(reason) => return self.fail(reason),
                }
            }
            let header = |name: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            let Some(length) = header("content-length").and_then(|v| v.parse::<u64>().ok()) else {
                return self.fail("no valid Content-Length");
            };
            if length > self.max_record {
                return self.fail(format!(
                    "record of {length} bytes is over the limit of {} (--max-bytes)",
                    self.max_record
                ));
            }
            // Capacity grows with what is really read, not with what the
            // header claims.
            let mut block = Vec::with_capacity((length as usize).min(1 << 20));
            match (&mut self.input).take(length).read_to_end(&mut block) {
                Ok(n) if n as u64 == length => {}
                Ok(n) => return self.fail(format!("truncated: {n} of {length} bytes")),
                Err(e) => return self.fail(format!("truncated or corrupt: {e}")),
            }
            let kind = header("warc-type").unwrap_or_default();
            if kind != "response" {
                continue;
            }
            let url = header("warc-target-uri").map(|u| u.trim_matches(['<', '>']).to_string());
            let date = header("warc-date");
            let record = self.record;
            return Some(Ok(match http_html_body(&block, self.max_record) {
                Ok(body) => WarcItem::Page(WarcPage {
                    record,
                    url,
                    date,
                    body,
                }),
                Err(NoBody::NotHtml(what)) => WarcItem::NotHtml { record, what },
                Err(NoBody::Refused(reason)) => WarcItem::Refused { record, reason },
            }));
        }
    }
}

/// The HTML body of an HTTP response, or why there is none.
fn http_html_body(block: &[u8], max: u64) -> Result<Vec<u8>, NoBody> {
    let split = block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            block
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })
        .ok_or("no HTTP headers")?;
    let head = String::from_utf8_lossy(&block[..split.0]);
    let body = &block[split.1..];
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    if !status.starts_with("HTTP/") {
        return Err("not an HTTP response".into());
    }
    let code = status.split_whitespace().nth(1).unwrap_or("");
    let mut content_type = String::new();
    let (mut chunked, mut gzip) = (false, false);
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-type" => content_type = v,
                "transfer-encoding" => chunked = v.contains("chunked"),
                "content-encoding" => gzip = v.contains("gzip"),
                _ => {}
            }
        }
    }
    if code != "200" {
        return Err(NoBody::NotHtml(format!("HTTP status {code}")));
    }
    if !content_type.contains("html") {
        return Err(NoBody::NotHtml(if content_type.is_empty() {
            "no content type".into()
        } else {
            content_type
        }));
    }
    let mut body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    if gzip {
        // Decompressed under the same limit as the record: a gzip bomb is
        // refused after `max` bytes, never inflated in full.
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&body[..])
            .take(max + 1)
            .read_to_end(&mut out)
            .map_err(|e| NoBody::Refused(format!("bad gzip body: {e}")))?;
        if out.len() as u64 > max {
            return Err(NoBody::Refused(format!(
                "gzip body inflates past {max} bytes (--max-bytes): refused as a possible gzip bomb"
            )));
        }
        body = out;
    }
    Ok(body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16);
        let Ok(size) = size else { break };
        data = &data[eol + 2..];
        if size == 0 || size > data.len() {
            out.extend_from_slice(&data[..size.min(data.len())]);
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(kind: &str, url: &str, payload: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-01-02T03:04:05Z\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
            payload.len()
        )
    }

    #[test]
    fn reads_html_responses_and_flags_others() {
        let html = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hi</p></body></html>";
        let png = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\u{1}PNG";
        let data = record("request", "http://a/", "GET / HTTP/1.1\r\n\r\n")
            + &record("response", "http://a/", html)
            + &record("response", "http://a/x.png", png);
        let items: Vec<_> = WarcReader::new(data.as_bytes(), 1 << 20).collect();
        assert_eq!(items.len(), 2);
        match &items[0] {
            Ok(WarcItem::Page(p)) => {
                assert_eq!(p.url.as_deref(), Some("http://a/"));
                assert_eq!(p.record, 2);
                assert!(String::from_utf8_lossy(&p.body).contains("<p>Hi</p>"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&items[1], Ok(WarcItem::NotHtml { what, .. }) if what == "image/png"));
    }

    #[test]
    fn truncated_record_is_an_error_after_good_ones() {
        let html = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Hi</p>";
        let data = record("response", "http://a/", html) + &record("response", "http://b/", html);
        let cut = &data.as_bytes()[..data.len() - 20];
        let items: Vec<_> = WarcReader::new(cut, 1 << 20).collect();
        assert!(matches!(items[0], Ok(WarcItem::Page(_))));
        assert!(
            matches!(&items[1], Err(InputError::Warc { record: 2, .. })),
            "{items:?}"
        );
    }

    #[test]
    fn dechunks() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), b"abcde");
    }
}
