//! HTML pages to article text: main-content extraction by `trafilatura`
//! (menus, related links, comments, scripts and ads dropped), then the kept
//! content split into blocks whose kinds come from their tags.

use scraper::{Html, Selector};

use crate::document::{BlockKind, DeclaredMeta};
use crate::error::InputError;

/// Deepest element nesting accepted; deeper pages are refused before parsing
/// (extractors recurse over the tree).
pub const MAX_DEPTH: usize = 512;

/// What the extractor kept of a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractedHtml {
    /// Blocks of text in reading order, with the kind their tag gives.
    pub blocks: Vec<(String, BlockKind)>,
    /// `(anchor text, href)` of links inside the main content.
    pub links: Vec<(String, String)>,
    pub meta: DeclaredMeta,
    pub url: Option<String>,
    pub site: Option<String>,
}

/// Extracts the main content of `html`.
pub fn extract(html: &str, url: Option<&str>) -> Result<ExtractedHtml, InputError> {
    let depth = nesting_depth(html);
    if depth > MAX_DEPTH {
        return Err(InputError::TooDeep(depth));
    }
    let mut opts = trafilatura::Options::default().with_links(true);
    opts.exclude_comments = true;
    opts.enable_fallback = false;
    if let Some(u) = url.and_then(|u| u.parse().ok()) {
        opts.original_url = Some(u);
    }
    let result = trafilatura::extract(html, &opts).map_err(|_| InputError::NoContent)?;
    if result.content_text.trim().is_empty() {
        return Err(InputError::NoContent);
    }
    let fragment = Html::parse_fragment(&result.content_html);
    let mut blocks = html_blocks(&fragment);
    blocks.retain(|(text, _)| !is_boilerplate(text));
    if blocks.is_empty() {
        return Err(InputError::NoContent);
    }
    let links = link_texts(&fragment);
    let m = &result.metadata;
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Ok(ExtractedHtml {
        blocks,
        links,
        meta: DeclaredMeta {
            title: non_empty(&m.title),
            author: non_empty(&m.author),
            published: m.date.map(|d| d.format("%Y-%m-%d").to_string()),
            id: None,
        },
        url: non_empty(&m.url).or_else(|| url.map(str::to_string)),
        site: non_empty(&m.sitename),
    })
}

fn selector(s: &str) -> Selector {
    // The selectors are literals of this module; a parse failure is a bug.
    Selector::parse(s).expect("valid CSS selector literal")
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cues of page furniture that extractors let through: subscription
/// prompts, share and follow buttons, photo credits, copyright lines.
const BOILERPLATE_CUES: &[&str] = &[
    "subscribe",
    "sign up",
    "newsletter",
    "read more:",
    "all rights reserved",
    "©",
    "follow us",
    "follow the ",
    "on twitter",
    "on facebook",
    "share this",
    "click here",
    "advertisement",
    "view comments",
    "leave a comment",
    "credit:",
    "getty images",
    "this post contains references",
    "we recommend",
    "already a subscriber",
    "download the",
    "trust principles",
    "if you enjoyed",
    "give us feedback",
    "what you think about this article",
    "written permission",
    "copyrighted property",
    "last modified:",
    "release date:",
    "category :",
    "abonnez",
    "s'abonner",
    "s’abonner",
    "inscrivez",
    "inscription à",
    "lire aussi",
    "à lire",
    "lire la suite",
    "pour accéder",
    "crédits photo",
    "crédit photo",
    "publicité",
    "tous droits réservés",
    "suivez-nous",
    "image illustrative",
    "permalien",
    "abonnieren",
    "weiterlesen",
    "mehr zum thema",
    "alle rechte vorbehalten",
    "iscriviti",
    "leggi anche",
    "riproduzione riservata",
];

static BOILERPLATE: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(BOILERPLATE_CUES)
            .expect("valid boilerplate cues")
    });

/// A short block that carries a boilerplate cue.
fn is_boilerplate(text: &str) -> bool {
    text.chars().count() <= 200 && BOILERPLATE.is_match(&text.to_lowercase())
}

/// Tags that start a new block of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "li",
    "item",
    "blockquote",
    "quote",
    "pre",
    "code",
    "td",
    "th",
    "tr",
    "table",
    "ul",
    "ol",
    "list",
    "dl",
    "dt",
    "dd",
    "figcaption",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "figure",
    "body",
    "html",
    "br",
    "lb",
    "hr",
    "row",
    "cell",
];

fn block_kind(tag: &str) -> Option<BlockKind> {
    match tag {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "head" => Some(BlockKind::Heading),
        "li" | "item" | "dt" | "dd" => Some(BlockKind::ListItem),
        "blockquote" | "quote" => Some(BlockKind::Quote),
        _ => None,
    }
}

/// Blocks of the extracted content in reading order: the text between block
/// tags, with the kind of the innermost enclosing heading, item or quote.
fn html_blocks(fragment: &Html) -> Vec<(String, BlockKind)> {
    use ego_tree::iter::Edge;
    use scraper::Node;
    let mut blocks = Vec::new();
    let mut buffer = String::new();
    let mut kinds: Vec<BlockKind> = Vec::new();
    let flush =
        |buffer: &mut String, kinds: &[BlockKind], blocks: &mut Vec<(String, BlockKind)>| {
            let text = collapse(buffer);
            if !text.is_empty() {
                blocks.push((text, kinds.last().copied().unwrap_or(BlockKind::Paragraph)));
            }
            buffer.clear();
        };
    for edge in fragment.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) => buffer.push_str(t),
                Node::Element(e) if BLOCK_TAGS.contains(&e.name()) => {
                    flush(&mut buffer, &kinds, &mut blocks);
                    if let Some(k) = block_kind(e.name()) {
                        kinds.push(k);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if BLOCK_TAGS.contains(&e.name()) {
                        flush(&mut buffer, &kinds, &mut blocks);
                        if block_kind(e.name()).is_some() {
                            kinds.pop();
                        }
                    }
                }
            }
        }
    }
    flush(&mut buffer, &kinds, &mut blocks);
    blocks
}

#[cfg(any())]
fn tagged_texts(fragment: &Html) -> Vec<(String, BlockKind)> {
    let mut out = Vec::new();
    for (css, kind) in [
        ("h1, h2, h3, h4, h5, h6, head", BlockKind::Heading),
        ("li, item", BlockKind::ListItem),
        ("blockquote, quote", BlockKind::Quote),
    ] {
        for el in fragment.select(&selector(css)) {
            let text = collapse(&el.text().collect::<String>());
            if !text.is_empty() {
                out.push((text, kind));
            }
        }
    }
    out
}

fn link_texts(fragment: &Html) -> Vec<(String, String)> {
    fragment
        .select(&selector("a[href], ref[target]"))
        .filter_map(|a| {
            let href = a
                .value()
                .attr("href")
                .or_else(|| a.value().attr("target"))?;
            let text = collapse(&a.text().collect::<String>());
            (!text.is_empty() && !href.starts_with("javascript:")).then(|| (text, href.to_string()))
        })
        .collect()
}

/// Maximum element nesting, estimated by a linear scan of the tags (void
/// elements and self-closing tags do not nest).
pub fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "option", "td", "tr", "th", "dt", "dd",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        i += offset + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            let tag_end = bytes[i..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(bytes.len(), |p| i + p);
            if tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/') {
                continue;
            }
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_of_nested_divs() {
        let html = "<div>".repeat(1000) + "x" + &"</div>".repeat(1000);
        assert_eq!(nesting_depth(&html), 1000);
        assert_eq!(nesting_depth("<p>a<br>b<img src=x/></p>"), 0);
        assert!(matches!(
            extract(&html, None),
            Err(InputError::TooDeep(1000))
        ));
    }

    #[test]
    fn extracts_article_and_drops_navigation() {
        let body = "Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée par le Parlement au printemps prochain selon le calendrier prévu.";
        let html = format!(
            "<html><head><title>Réforme des retraites</title><meta name=\"author\" content=\"Jean Dupont\"></head><body><nav><ul><li><a href=\"/\">Accueil</a></li><li><a href=\"/sport\">Sport</a></li></ul></nav><article><h1>Réforme des retraites</h1><p>{body}</p><h2>Un calendrier serré</h2><p>{body} Les syndicats ont réagi <a href=\"https://example.org/x\">dans un communiqué</a>.</p></article><footer>Mentions légales</footer><script>var x = 1;</script></body></html>"
        );
        let e = extract(&html, None).unwrap();
        let texts: Vec<&str> = e.blocks.iter().map(|(t, _)| t.as_str()).collect();
        assert!(
            texts.iter().any(|t| t.starts_with("Le gouvernement")),
            "{texts:?}"
        );
        assert!(
            !texts.iter().any(|t| t.contains("Mentions légales")),
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.contains("var x")), "{texts:?}");
        assert!(
            e.blocks
                .iter()
                .any(|(t, k)| t == "Un calendrier serré" && *k == BlockKind::Heading),
            "{:?}",
            e.blocks
        );
        assert_eq!(e.meta.title.as_deref(), Some("Réforme des retraites"));
        assert!(
            e.links
                .iter()
                .any(|(t, h)| t == "dans un communiqué" && h == "https://example.org/x"),
            "{:?}",
            e.links
        );
    }
}
