//! The pipeline: raw article → normalised [`Document`] → stages that each
//! enrich it. Stages are immutable and `Send + Sync`: built once, shared
//! across threads.

use crate::document::{Block, BlockKind, Document, Link, Span};
use crate::error::InputError;
use crate::ingest::{html, Body, RawArticle};
use crate::normalize::{self, PlainOptions, RawBlock};

pub use crate::stage::{Stage, StageError};

/// The stages to run after normalisation, in order.
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
}

impl Default for Pipeline {
    /// Structure, language, sentences, claims, sources and entities (everything that
    /// needs no trained model).
    fn default() -> Self {
        Pipeline {
            stages: vec![
                Box::new(crate::structure::Structure),
                Box::new(crate::lang::Language),
                Box::new(crate::segment::Sentences),
                Box::new(crate::claims::Claims),
                Box::new(crate::sources::Sources),
                Box::new(crate::entities::Entities),
            ],
        }
    }
}

impl Pipeline {
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Self {
        Pipeline { stages }
    }

    /// Appends a stage.
    pub fn with(mut self, stage: Box<dyn Stage>) -> Self {
        self.stages.push(stage);
        self
    }

    /// Normalises `raw` and runs every stage over it. A panic anywhere in
    /// it is contained and returned as this document's error.
    pub fn run(&self, raw: RawArticle) -> Result<Document, InputError> {
        let mut doc = load(raw)?;
        self.enrich(&mut doc)?;
        Ok(doc)
    }

    /// Runs every stage over a loaded document, each under
    /// `catch_unwind`: a panicking stage is this document's
    /// [`StageError::Panicked`], and the document is not to be used.
    pub fn enrich(&self, doc: &mut Document) -> Result<(), StageError> {
        for stage in &self.stages {
            crate::contain::catch(|| stage.run(doc)).unwrap_or_else(|message| {
                Err(StageError::Panicked {
                    stage: stage.name(),
                    message,
                })
            })?;
        }
        Ok(())
    }
}

/// Builds the normalised document from a raw article (no stage run yet); a
/// panic while normalising is contained as [`InputError::Internal`].
pub fn load(raw: RawArticle) -> Result<Document, InputError> {
    crate::contain::catch(|| load_unguarded(raw))
        .unwrap_or_else(|message| Err(InputError::Internal(message)))
}

fn load_unguarded(raw: RawArticle) -> Result<Document, InputError> {
    let RawArticle {
        source,
        format,
        encoding,
        body,
        declared,
    } = raw;
    let mut source = source;
    let mut declared = declared;
    let (original, raw_blocks, link_texts) = match body {
        Body::Text(text) => {
            let blocks = normalize::plain_blocks(&text, PlainOptions::default());
            (text, blocks, Vec::new())
        }
        Body::Pdf(laid) => (laid.text, laid.blocks, Vec::new()),
        Body::Markdown(text) => {
            let blocks = normalize::plain_blocks(&text, PlainOptions { markdown: true });
            (text, blocks, Vec::new())
        }
        Body::Html(page) => {
            let extracted = html::extract(&page, source.url.as_deref())?;
            if source.url.is_none() {
                source.url = extracted.url.clone();
            }
            if source.name.is_none() {
                source.name = extracted.site.clone();
            }
            declared.title = declared.title.or(extracted.meta.title.clone());
            declared.author = declared.author.or(extracted.meta.author.clone());
            declared.published = extracted.meta.published.clone().or(declared.published);
            let mut blocks = extracted.blocks;
            // The page title becomes the first block unless the content has it.
            if let Some(title) = &declared.title {
                if blocks.first().is_none_or(|(t, _)| t != title) {
                    blocks.insert(0, (title.clone(), BlockKind::Title));
                } else {
                    blocks[0].1 = BlockKind::Title;
                }
            }
            let (text, raw_blocks) = html_original(&blocks);
            (text, raw_blocks, extracted.links)
        }
    };
    let (aligned, norm_blocks) = normalize::emit(&original, &raw_blocks);
    let (text, alignment) = aligned.into_parts();
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let blocks: Vec<Block> = norm_blocks
        .iter()
        .map(|b| Block {
            kind: b.kind.unwrap_or(BlockKind::Paragraph),
            span: b.span,
            line: b.line,
            line_count: b.line_count,
            language: None,
        })
        .collect();
    let title = blocks
        .iter()
        .find(|b| b.kind == BlockKind::Title)
        .map(|b| b.span);
    let mut doc = Document {
        source,
        format,
        encoding,
        original,
        text,
        alignment,
        declared,
        blocks,
        links: Vec::new(),
        title,
        author: None,
        language: None,
        sentences: Vec::new(),
        techniques: Vec::new(),
        frames: Vec::new(),
        genre: Vec::new(),
        claims: Vec::new(),
        sources: Vec::new(),
        entities: Vec::new(),
        tier: "",
    };
    doc.links = find_links(&doc, &link_texts);
    if let Some(author) = doc.declared.author.clone() {
        doc.author = doc
            .text
            .find(author.as_str())
            .map(|s| Span::new(s, s + author.len()));
    }
    Ok(doc)
}

/// The text the HTML extractor kept, one block per line, as the "original"
/// that the normalised text aligns to.
fn html_original(blocks: &[(String, BlockKind)]) -> (String, Vec<RawBlock>) {
    let mut text = String::new();
    let mut raw = Vec::with_capacity(blocks.len());
    for (block, kind) in blocks {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(block);
        raw.push(RawBlock {
            lines: std::iter::once(start..text.len()).collect(),
            joins: vec![],
            kind: Some(*kind),
            line: None,
        });
    }
    (text, raw)
}

/// Links: the HTML anchors, found in order in the text, and bare URLs.
fn find_links(doc: &Document, anchors: &[(String, String)]) -> Vec<Link> {
    let mut links = Vec::new();
    let mut from = 0;
    for (anchor, href) in anchors {
        if let Some(pos) = doc.text[from..].find(anchor.as_str()) {
            let start = from + pos;
            links.push(Link {
                span: Span::new(start, start + anchor.len()),
                url: href.clone(),
            });
            from = start + anchor.len();
        }
    }
    let mut offset = 0;
    let has_urls = doc.text.contains("http") || doc.text.contains("www.");
    for token in doc
        .text
        .split_inclusive(char::is_whitespace)
        .filter(|_| has_urls)
    {
        let word = token.trim_end();
        if normalize::looks_like_url(word) {
            let lead = word.len() - word.trim_start_matches(['(', '[', '<', '«', '"']).len();
            let url = word[lead..].trim_end_matches(['.', ',', ';', ':', ')', ']', '>', '»', '"']);
            let start = offset + lead;
            let span = Span::new(start, start + url.len());
            if !links.iter().any(|l| l.span.contains(span)) {
                links.push(Link {
                    span,
                    url: url.to_string(),
                });
            }
        }
        offset += token.len();
    }
    links.sort_by_key(|l| l.span.start);
    links
}
