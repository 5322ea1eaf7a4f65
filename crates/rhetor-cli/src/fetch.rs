//! Pages the user names (`rhetor analyze https://…`, `--urls FILE`),
//! fetched on that explicit request and never otherwise: bounded time,
//! size and redirects, an identified user agent, one clear line per
//! failure with the HTTP status.

use std::time::Duration;

use rhetor::document::{DeclaredMeta, Format, Source};
use rhetor::ingest::{Body, RawArticle};
use rhetor::InputError;

/// At most this many redirects are followed.
pub const MAX_REDIRECTS: u32 = 5;

/// The user agent rhetor identifies itself with.
pub const USER_AGENT: &str = concat!(
    "rhetor/",
    env!("CARGO_PKG_VERSION"),
    " (offline article analysis; fetched on the user's request)"
);

/// True for the arguments that are URLs to fetch.
pub fn is_url(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://")
}

/// The URLs of a `--urls` file: one per line, blank lines and `#` comments
/// skipped.
pub fn urls_in(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// An HTTP client with rhetor's limits.
pub struct Fetcher {
    agent: ureq::Agent,
    max_bytes: u64,
}

impl Fetcher {
    pub fn new(max_bytes: u64) -> Fetcher {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(30)))
            .max_redirects(MAX_REDIRECTS)
            .user_agent(USER_AGENT)
            .build()
            .into();
        Fetcher { agent, max_bytes }
    }

    /// Fetches `url` as a raw article (HTML, plain text or PDF).
    pub fn fetch(&self, url: &str) -> Result<RawArticle, InputError> {
        if !is_url(url) {
            return Err(InputError::Fetch(format!("not an http(s) URL: {url}")));
        }
        let mut response = self.agent.get(url).call().map_err(|e| {
            InputError::Fetch(match e {
                ureq::Error::StatusCode(code) => format!("HTTP status {code}"),
                ureq::Error::TooManyRedirects => {
                    format!("more than {MAX_REDIRECTS} redirects")
                }
                ureq::Error::Timeout(_) => "timed out (30 s)".to_string(),
                other => other.to_string(),
            })
        })?;
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.max_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => InputError::TooLarge {
                    size: self.max_bytes + 1,
                    limit: self.max_bytes,
                },
                other => InputError::Fetch(format!("cannot read the body: {other}")),
            })?;
        let source = Source {
            path: url.to_string(),
            record: None,
            url: Some(url.to_string()),
            name: None,
        };
        let article = |format, encoding: String, body| RawArticle {
            source: source.clone(),
            format,
            encoding,
            body,
            declared: DeclaredMeta::default(),
        };
        if content_type.contains("pdf") || bytes.starts_with(b"%PDF-") {
            let laid = rhetor::ingest::pdf::lay_out(&bytes)?;
            return Ok(article(Format::Pdf, "PDF".into(), Body::Pdf(laid)));
        }
        let decoded = rhetor::ingest::decode::decode(&bytes)?;
        let html = content_type.contains("html")
            || (content_type.is_empty() && decoded.text.trim_start().starts_with('<'));
        if !html && !content_type.starts_with("text/") && !content_type.is_empty() {
            return Err(InputError::Fetch(format!(
                "not an article: content type {content_type}"
            )));
        }
        Ok(if html {
            article(
                Format::Html,
                decoded.encoding.to_string(),
                Body::Html(decoded.text),
            )
        } else {
            article(
                Format::Text,
                decoded.encoding.to_string(),
                Body::Text(decoded.text),
            )
        })
    }
}
