//! HTML pages to article text: main-content extraction by `trafilatura`
//! (menus, related links, comments, scripts and ads dropped), then the kept
//! content split into blocks whose kinds come from their tags.

use scraper::{Html, Selector};

use crate::document::{BlockKind, DeclaredMeta};
use crate::error::InputError;

/// Deepest element nesting accepted; deeper pages are refused before parsing,
/// by a linear scan. Real pages stay far below (the deepest of the
/// ScrapingHub article benchmark nests 645 levels); hostile ones nest
/// hundreds of thousands.
pub const MAX_DEPTH: usize = 20_000;

/// Pages nested deeper than this are extracted on a thread of their own
/// with [`DEEP_STACK`] bytes of stack, because the extractor recurses over
/// the tree.
const SHALLOW_DEPTH: usize = 256;

/// Stack of the deep-page thread: address space reserved, committed only
/// as far as the recursion really goes.
const DEEP_STACK: usize = 256 << 20;

/// Pages nested deeper than this are flattened before extraction (the
/// extractor stops descending at 500 levels)…
const FLATTEN_ABOVE: usize = 400;
/// …to at most this depth.
const FLATTEN_TO: usize = 300;

/// Elements that only group others: past the depth budget their tags are
/// dropped and their content kept.
const WRAPPERS: &[&str] = &[
    "div", "span", "section", "font", "center", "main", "aside", "header", "footer", "nav",
    "figure", "b", "i", "em", "strong", "small", "big", "u", "s", "sup", "sub", "table", "tbody",
    "thead", "tfoot", "tr", "td", "th", "form", "label", "details", "summary",
];

/// Re-serialises `html` so that no element nests deeper than `budget`:
/// below the budget every element is kept; past it, wrapper elements lose
/// their tags (content kept), and beyond twice the budget every tag is
/// dropped. The parse and the walk are iterative, so any depth is safe.
fn flatten(html: &str, budget: usize) -> String {
    use ego_tree::iter::Edge;
    use scraper::Node;
    let doc = Html::parse_document(html);
    let mut out = String::with_capacity(html.len());
    // Whether each open element wrote its tag, and the written depth.
    let mut written: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    let mut raw_text = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) => {
                    if raw_text > 0 {
                        out.push_str(t);
                    } else {
                        escape_into(&mut out, t, false);
                    }
                }
                Node::Element(e) => {
                    let name = e.name();
                    let keep = depth < budget || (depth < 2 * budget && !WRAPPERS.contains(&name));
                    written.push(keep);
                    if keep {
                        depth += 1;
                        out.push('<');
                        out.push_str(name);
                        for (k, v) in e.attrs() {
                            out.push(' ');
                            out.push_str(k);
                            out.push_str("=\"");
                            escape_into(&mut out, v, true);
                            out.push('"');
                        }
                        out.push('>');
                    }
                    if matches!(name, "script" | "style") {
                        raw_text += 1;
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if matches!(e.name(), "script" | "style") {
                        raw_text = raw_text.saturating_sub(1);
                    }
                    if written.pop() == Some(true) {
                        depth -= 1;
                        if !VOID_ELEMENTS.contains(&e.name()) {
                            out.push_str("</");
                            out.push_str(e.name());
                            out.push('>');
                        }
                    }
                }
            }
        }
    }
    out
}

/// Elements without a closing tag.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

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
        return Err(InputError::TooDeep {
            depth,
            limit: MAX_DEPTH,
        });
    }
    // The extractor ignores content nested past its own limit (500): flatten
    // wrapper elements of deeper pages first.
    let flattened;
    let html = if depth > FLATTEN_ABOVE {
        flattened = flatten(html, FLATTEN_TO);
        flattened.as_str()
    } else {
        html
    };
    if depth <= SHALLOW_DEPTH {
        return extract_here(html, url);
    }
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("rhetor-deep-html".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || {
                crate::contain::catch(|| extract_here(html, url))
                    .unwrap_or_else(|message| Err(InputError::Internal(message)))
            })
            .map_err(InputError::Io)?;
        worker
            .join()
            .unwrap_or_else(|_| Err(InputError::Internal("HTML extraction thread failed".into())))
    })
}

fn extract_here(html: &str, url: Option<&str>) -> Result<ExtractedHtml, InputError> {
    let mut opts = trafilatura::Options::default().with_links(true);
    opts.exclude_comments = true;
    opts.enable_fallback = false;
    if let Some(u) = url.and_then(|u| u.parse().ok()) {
        opts.original_url = Some(u);
    }
    // trafilatura 0.6's date parser slices strings of non-ASCII digits
    // ("2024४२12") at byte offsets and panics: should it panic, extract
    // again without the date rather than lose the article.
    let result = match crate::contain::catch(|| trafilatura::extract(html, &opts)) {
        Ok(r) => r,
        Err(_) => {
            opts.html_date_mode = trafilatura::HtmlDateMode::Disabled;
            crate::contain::catch(|| trafilatura::extract(html, &opts))
                .map_err(InputError::Internal)?
        }
    }
    .map_err(|_| InputError::NoContent)?;
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
    }

    fn nested_article(depth: usize) -> String {
        let body = "Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée par le Parlement au printemps prochain selon le calendrier prévu. ";
        format!(
            "<html><head><title>Titre</title></head><body>{}<article><p>{body}</p><p>{body}</p></article>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        )
    }

    #[test]
    fn deep_real_pages_are_extracted() {
        // Real pages nest past the old 512 limit (645 in the benchmark).
        for depth in [700, 5_000, MAX_DEPTH - 10] {
            let e = extract(&nested_article(depth), None)
                .unwrap_or_else(|err| panic!("depth {depth}: {err}"));
            assert!(
                e.blocks.iter().any(|(t, _)| t.contains("réforme")),
                "depth {depth}"
            );
        }
    }

    #[test]
    fn other_script_digits_in_dates_do_not_lose_the_page() {
        let body = "Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée par le Parlement au printemps prochain.";
        let html = format!("<html><body><article><p class=\"date\">2024४२12</p><p>{body}</p><p>{body}</p></article></body></html>");
        let e = extract(&html, None).expect("extracted");
        assert!(e.blocks.iter().any(|(t, _)| t.contains("réforme")));
    }

    #[test]
    fn hostile_depth_is_refused_by_name() {
        let html = "<div>".repeat(200_000) + "x";
        let started = std::time::Instant::now();
        assert!(matches!(
            extract(&html, None),
            Err(InputError::TooDeep {
                depth: 200_000,
                limit: MAX_DEPTH
            })
        ));
        // A linear scan, not a parse (generous bound for a loaded machine).
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
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
