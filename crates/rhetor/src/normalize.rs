//! Normalisation that keeps the original: from decoded input to the
//! normalised text, paragraph by paragraph, with an alignment back.
//!
//! Two front-ends produce [`RawBlock`]s (ranges of the original): plain text
//! (line analysis, with the repairs PDF text needs) and HTML (blocks given by
//! the extractor). One emitter turns blocks into text: Unicode NFC, whitespace
//! runs collapsed, lines joined as the front-end decided, blocks separated by a
//! blank line.

use std::collections::HashSet;
use std::ops::Range;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::document::{AlignedText, BlockKind, Span};

/// How two physical lines of one block are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// A soft line wrap: one space.
    Space,
    /// A URL or a compound broken after its hyphen: nothing in between.
    Glue,
    /// A word hyphenated by the line break: the hyphen is dropped too.
    DropHyphen,
}

/// A block before normalisation: physical lines of the original and how
/// they are joined.
#[derive(Debug, Clone, PartialEq)]
pub struct RawBlock {
    pub lines: Vec<Range<usize>>,
    pub joins: Vec<Join>,
    /// Kind known from the input (HTML tags, Markdown markers).
    pub kind: Option<BlockKind>,
    /// 1-based line number of the first line.
    pub line: Option<usize>,
}

/// A normalised block: its span in the normalised text.
#[derive(Debug, Clone, PartialEq)]
pub struct NormBlock {
    pub span: Span,
    pub kind: Option<BlockKind>,
    pub line: Option<usize>,
    /// Number of physical lines the block was made of.
    pub line_count: usize,
}

/// Options for the plain-text front-end.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainOptions {
    pub markdown: bool,
}

const TERMINAL: &[char] = &['.', '!', '?', '…', ':', ';', '»', '"', '”', ')', '’', '\''];

/// Compound prefixes whose hyphen survives a line break ("nord-\ncoréen").
const COMPOUND_PREFIXES: &[&str] = &[
    "nord",
    "sud",
    "est",
    "ouest",
    "anti",
    "pro",
    "pré",
    "post",
    "ex",
    "non",
    "néo",
    "semi",
    "demi",
    "mi",
    "contre",
    "sous",
    "sur",
    "vice",
    "extra",
    "ultra",
    "arrière",
    "avant",
    "après",
    "franco",
    "euro",
    "russo",
    "sino",
    "ukraino",
    "américano",
    "germano",
    "anglo",
    "afro",
    "indo",
    "judéo",
    "socio",
    "politico",
    "grand",
    "grande",
    "petit",
    "petite",
    "belle",
    "beau",
    "porte",
    "garde",
    "chef",
    "peut",
    "c'est",
    "self",
    "well",
    "co",
    "cross",
    "multi",
    "long",
    "short",
    "high",
    "low",
    "full",
    "half",
    "pre",
    "north",
    "south",
    "east",
    "west",
    "so",
    "mid",
    "over",
    "under",
    "ill",
    "all",
    "nato",
    "otan",
    "us",
    "eu",
    "ue",
    "covid",
    "pseudo",
    "quasi",
    "inter",
    "intra",
    "trans",
    "auto",
    "macro",
    "micro",
    "mini",
    "maxi",
    "hyper",
    "super",
    "soi",
    "moi",
    "lui",
    "elle",
    "eux",
    "celui",
    "celle",
    "ceux",
    "celles",
];

/// Suffixes that follow a hyphen in French ("dit-il", "celui-ci").
const HYPHEN_SUFFIXES: &[&str] = &[
    "il", "ils", "elle", "elles", "on", "je", "tu", "nous", "vous", "t", "là", "ci", "même",
    "mêmes", "y", "en", "le", "la", "les", "moi", "toi", "lui", "leur", "eux",
];

/// Splits plain text into raw blocks, repairing hard wraps, hyphenation,
/// broken URLs, page breaks, page numbers and running headers.
pub fn plain_blocks(original: &str, opts: PlainOptions) -> Vec<RawBlock> {
    let lines = physical_lines(original);
    let wrapped = opts.markdown || looks_hard_wrapped(original, &lines);
    let dropped = if wrapped {
        dropped_lines(original, &lines)
    } else {
        HashSet::new()
    };

    // Lazily built vocabulary of the document, for hyphenation decisions.
    let mut vocabulary: Option<HashSet<String>> = None;
    let width = wrap_width(original, &lines);

    let mut blocks: Vec<RawBlock> = Vec::new();
    let mut current: Option<RawBlock> = None;
    let mut blank_gap = true;
    for (index, range) in lines.iter().enumerate() {
        let content = &original[range.clone()];
        if is_blank(content) || dropped.contains(&index) {
            if is_blank(content) {
                blank_gap = true;
                if let Some(block) = current.take() {
                    blocks.push(block);
                }
            }
            continue;
        }
        let trimmed = trim_range(original, range.clone());
        let line_no = index + 1;
        let mut kind = None;
        let mut starts_block = !wrapped || blank_gap;
        if opts.markdown {
            if let Some(rest) = markdown_heading(original, trimmed.clone()) {
                if let Some(block) = current.take() {
                    blocks.push(block);
                }
                blocks.push(RawBlock {
                    lines: vec![rest],
                    joins: vec![],
                    kind: Some(BlockKind::Heading),
                    line: Some(line_no),
                });
                blank_gap = true;
                continue;
            }
        }
        if wrapped && !starts_block {
            if looks_like_list_item(content.trim_start()) {
                starts_block = true;
                kind = opts.markdown.then_some(BlockKind::ListItem);
            } else if let Some(block) = &current {
                // A short line that ends a sentence ends the paragraph.
                let last = &original[block.lines[block.lines.len() - 1].clone()];
                let last = last.trim_end();
                if last.chars().count() < width * 6 / 10 && last.ends_with(TERMINAL) {
                    starts_block = true;
                }
            }
        }
        blank_gap = false;
        match current.as_mut() {
            Some(block) if !starts_block => {
                let prev = &original[block.lines[block.lines.len() - 1].clone()];
                let join = decide_join(original, prev, content.trim(), &mut vocabulary);
                block.joins.push(join);
                block.lines.push(trimmed);
            }
            _ => {
                if let Some(block) = current.take() {
                    blocks.push(block);
                }
                current = Some(RawBlock {
                    lines: vec![trimmed],
                    joins: vec![],
                    kind,
                    line: Some(line_no),
                });
            }
        }
    }
    if let Some(block) = current.take() {
        blocks.push(block);
    }
    if wrapped {
        blocks = rejoin_page_breaks(original, blocks, &mut vocabulary);
    }
    blocks
}

/// Byte ranges of the physical lines, without their `\r\n` / `\n`.
pub fn physical_lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            lines.push(start..end);
            start = i + 1;
        }
    }
    if start < text.len() {
        let mut end = text.len();
        if text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(start..end);
    }
    lines
}

/// Blank: nothing but whitespace and invisible characters.
fn is_blank(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{feff}' | '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
    )
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (range.start + lead)..(range.end - trail).max(range.start + lead)
}

fn char_len(text: &str, range: &Range<usize>) -> usize {
    let line = &text[range.clone()];
    if is_blank(line) {
        0
    } else {
        line.trim().chars().count()
    }
}

/// 90th percentile of non-blank line lengths, in characters.
fn wrap_width(text: &str, lines: &[Range<usize>]) -> usize {
    let mut lengths: Vec<usize> = lines
        .iter()
        .map(|r| char_len(text, r))
        .filter(|&n| n > 0)
        .collect();
    if lengths.is_empty() {
        return 0;
    }
    lengths.sort_unstable();
    lengths[(lengths.len() * 9 / 10).min(lengths.len() - 1)]
}

/// Hard-wrapped text (PDF extraction, e-mail) has most lines followed by
/// another non-blank line, and lines no longer than a page is wide.
fn looks_hard_wrapped(text: &str, lines: &[Range<usize>]) -> bool {
    let nonblank: Vec<bool> = lines.iter().map(|r| char_len(text, r) > 0).collect();
    let count = nonblank.iter().filter(|&&b| b).count();
    if count < 4 {
        return false;
    }
    let continued = nonblank.windows(2).filter(|w| w[0] && w[1]).count();
    continued * 2 >= count && wrap_width(text, lines) <= 110
}

/// Lines to drop in hard-wrapped text: page numbers standing alone, and
/// running headers/footers. A running header needs page structure: the
/// same short line three times or more, recurring at page-like intervals
/// (at least [`PAGE_GAP`] other lines apart, fewer where form feeds or page
/// numbers mark the pages) amid other text. A short document of repeated
/// lines is an article, not a stack of page headers; and nothing is dropped
/// that would leave the document empty.
fn dropped_lines(text: &str, lines: &[Range<usize>]) -> HashSet<usize> {
    let mut dropped = HashSet::new();
    let mut positions: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    let mut nonblank = 0usize;
    for (i, r) in lines.iter().enumerate() {
        let t = text[r.clone()].trim();
        if !t.is_empty() {
            nonblank += 1;
            if t.chars().count() <= 80 {
                positions.entry(t).or_default().push(i);
            }
        }
    }
    let mut page_numbers = 0usize;
    for (i, r) in lines.iter().enumerate() {
        let t = text[r.clone()].trim();
        if t.is_empty() {
            continue;
        }
        let blank_before = i == 0 || text[lines[i - 1].clone()].trim().is_empty();
        let blank_after = i + 1 == lines.len() || text[lines[i + 1].clone()].trim().is_empty();
        if blank_before && blank_after && is_page_number(t) {
            dropped.insert(i);
            page_numbers += 1;
        }
    }
    let paged = page_numbers >= 2 || text.contains('\u{c}');
    let min_gap = if paged { PAGE_GAP / 4 } else { PAGE_GAP };
    for (t, at) in &positions {
        if at.len() < 3 || is_page_number(t) {
            continue;
        }
        let spaced = at.windows(2).all(|w| w[1] - w[0] > min_gap);
        let amid_text = at.len() * 5 <= nonblank;
        if spaced && amid_text {
            dropped.extend(at.iter().copied());
        }
    }
    if dropped.len() >= nonblank {
        dropped.clear();
    }
    dropped
}

/// Fewest lines between two occurrences of a running header when nothing
/// else marks the pages (a printed page holds 40–60 lines).
const PAGE_GAP: usize = 20;

fn is_page_number(t: &str) -> bool {
    let t = t.trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c.is_whitespace());
    let t = t
        .strip_prefix("Page ")
        .or_else(|| t.strip_prefix("page "))
        .or_else(|| t.strip_prefix("p. "))
        .unwrap_or(t);
    let mut parts = t.split('/');
    let first = parts.next().unwrap_or("").trim();
    let second = parts.next().map(str::trim);
    let is_num = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_none() && is_num(first) && second.is_none_or(is_num)
}

fn markdown_heading(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let s = &text[range.clone()];
    let hashes = s.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && s[hashes..].starts_with(' ') {
        let rest = trim_range(text, (range.start + hashes)..range.end);
        let inner = &text[rest.clone()];
        let trailing = inner.len() - inner.trim_end_matches('#').len();
        return Some(trim_range(text, rest.start..rest.end - trailing));
    }
    None
}

fn looks_like_list_item(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '–' | '—') => chars.next() == Some(' '),
        Some(c) if c.is_ascii_digit() => {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let rest = &s[digits..];
            digits <= 3 && (rest.starts_with(". ") || rest.starts_with(") "))
        }
        _ => false,
    }
}

fn last_token(s: &str) -> &str {
    s.trim_end()
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
}

fn first_token(s: &str) -> &str {
    s.trim_start()
        .split(char::is_whitespace)
        .next()
        .unwrap_or("")
}

pub(crate) fn looks_like_url(token: &str) -> bool {
    let t = token.trim_start_matches(['(', '[', '<', '«', '"']);
    t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www.")
}

fn is_url_continuation(token: &str) -> bool {
    !token.is_empty()
        && token
            .chars()
            .all(|c| c.is_alphanumeric() || "-._~/?#[]@!$&'()*+,;=%:".contains(c))
}

/// How two consecutive lines of `text` join: a space, glued (a URL or a
/// compound broken after its hyphen) or with the hyphen dropped.
pub fn decide_join(
    text: &str,
    prev: &str,
    next: &str,
    vocabulary: &mut Option<HashSet<String>>,
) -> Join {
    let prev = prev.trim_end();
    let tail = last_token(prev);
    let head = first_token(next);
    if looks_like_url(tail) && is_url_continuation(head) {
        let next_is_one_token = next.trim() == head;
        if tail.ends_with(['-', '/', '.', '_', '=', '&', '?', '#'])
            || head.contains(['/', '.'])
            || next_is_one_token
        {
            return Join::Glue;
        }
    }
    if let Some(before_hyphen) = prev.strip_suffix('-') {
        let starts_with_letter = next.chars().next().is_some_and(char::is_alphabetic);
        let before_is_letter = before_hyphen
            .chars()
            .last()
            .is_some_and(char::is_alphabetic);
        if starts_with_letter && before_is_letter {
            return hyphen_join(text, before_hyphen, next, vocabulary);
        }
    }
    Join::Space
}

fn hyphen_join(
    text: &str,
    before_hyphen: &str,
    next: &str,
    vocabulary: &mut Option<HashSet<String>>,
) -> Join {
    let word_before = last_token(before_hyphen);
    let stem = word_before
        .rsplit(['-', '\'', '’'])
        .next()
        .unwrap_or(word_before)
        .trim_start_matches(|c: char| !c.is_alphabetic());
    let word_after: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
    if word_after.chars().next().is_some_and(char::is_uppercase) {
        return Join::Glue;
    }
    let stem_lower = stem.to_lowercase();
    let after_lower = word_after.to_lowercase();
    let vocab = vocabulary.get_or_insert_with(|| document_vocabulary(text));
    if vocab.contains(&format!("{stem_lower}-{after_lower}")) {
        return Join::Glue;
    }
    if vocab.contains(&format!("{stem_lower}{after_lower}")) {
        return Join::DropHyphen;
    }
    if word_before.contains('-')
        || COMPOUND_PREFIXES.contains(&stem_lower.as_str())
        || HYPHEN_SUFFIXES.contains(&after_lower.as_str())
    {
        return Join::Glue;
    }
    Join::DropHyphen
}

fn document_vocabulary(text: &str) -> HashSet<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '-'))
        .filter(|w| w.len() > 2 && !w.ends_with('-') && !w.starts_with('-'))
        .map(str::to_lowercase)
        .collect()
}

/// Rejoins paragraphs cut by a page break: the first does not end a
/// sentence and the next begins in lower case.
fn rejoin_page_breaks(
    text: &str,
    blocks: Vec<RawBlock>,
    vocabulary: &mut Option<HashSet<String>>,
) -> Vec<RawBlock> {
    let mut out: Vec<RawBlock> = Vec::with_capacity(blocks.len());
    for block in blocks {
        if let Some(prev) = out.last_mut() {
            let prev_text = &text[prev.lines[prev.lines.len() - 1].clone()];
            let next_text = &text[block.lines[0].clone()];
            let continues = prev.kind.is_none()
                && block.kind.is_none()
                && !prev_text.trim_end().ends_with(TERMINAL)
                && next_text.chars().next().is_some_and(char::is_lowercase);
            if continues {
                let join = decide_join(text, prev_text, next_text, vocabulary);
                prev.joins.push(join);
                prev.joins.extend(block.joins);
                prev.lines.extend(block.lines);
                continue;
            }
        }
        out.push(block);
    }
    out
}

/// Emits the normalised text of `blocks`, separated by blank lines.
pub fn emit(original: &str, blocks: &[RawBlock]) -> (AlignedText, Vec<NormBlock>) {
    let mut out = AlignedText::new();
    let mut norm_blocks = Vec::with_capacity(blocks.len());
    let mut prev_end = 0;
    for block in blocks {
        let Some(first) = block.lines.first() else {
            continue;
        };
        if !out.is_empty() {
            out.push_replacement("\n\n", prev_end..first.start.max(prev_end));
        }
        let start = out.len();
        for (i, line) in block.lines.iter().enumerate() {
            let mut range = line.clone();
            if i > 0 {
                let gap_start = block.lines[i - 1].end;
                match block.joins.get(i - 1).copied().unwrap_or(Join::Space) {
                    Join::Space if out.len() == start || out.text().ends_with(' ') => {
                        out.push_replacement("", gap_start..range.start)
                    }
                    Join::Space => out.push_replacement(" ", gap_start..range.start),
                    Join::Glue => out.push_replacement("", gap_start..range.start),
                    Join::DropHyphen => {}
                }
            }
            if block.joins.get(i) == Some(&Join::DropHyphen)
                && original[range.clone()].ends_with('-')
            {
                range.end -= 1;
                emit_line(original, range.clone(), &mut out);
                out.push_replacement("", range.end..line.end);
            } else {
                emit_line(original, range, &mut out);
            }
        }
        // Trailing whitespace never ends a block.
        let trimmed = out.text().trim_end().len().max(start);
        out.truncate(trimmed);
        let end = out.len();
        if end > start {
            norm_blocks.push(NormBlock {
                span: Span::new(start, end),
                kind: block.kind,
                line: block.line,
                line_count: block.lines.len(),
            });
        }
        prev_end = block.lines.last().map_or(prev_end, |l| l.end);
    }
    (out, norm_blocks)
}

/// Emits one line: whitespace runs become one space (or one no-break space
/// when the run held one), control characters go, NFC is applied where the
/// text is not already NFC.
fn emit_line(original: &str, range: Range<usize>, out: &mut AlignedText) {
    let line = &original[range.clone()];
    let needs_nfc = is_nfc_quick(line.chars()) != IsNormalized::Yes;
    let mut copy_from = range.start;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = range.start + i;
        if c.is_whitespace() || c.is_control() || is_invisible(c) {
            let mut end = at + c.len_utf8();
            let mut nbsp = (c == '\u{a0}' || c == '\u{202f}').then_some(c);
            let mut is_space = c.is_whitespace();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_whitespace() || d.is_control() || is_invisible(d) {
                    if nbsp.is_none() && (d == '\u{a0}' || d == '\u{202f}') {
                        nbsp = Some(d);
                    }
                    is_space |= d.is_whitespace();
                    end = range.start + j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let run = &original[at..end];
            emit_chunk(original, copy_from..at, needs_nfc, out);
            let at_gap = out.is_empty() || out.text().ends_with([' ', '\n', '\u{a0}', '\u{202f}']);
            let replacement = if !is_space || at_gap {
                ""
            } else if let Some(n) = nbsp {
                if n == '\u{a0}' {
                    "\u{a0}"
                } else {
                    "\u{202f}"
                }
            } else {
                " "
            };
            if run == replacement {
                out.push_copy(original, at..end);
            } else {
                out.push_replacement(replacement, at..end);
            }
            copy_from = end;
        }
    }
    emit_chunk(original, copy_from..range.end, needs_nfc, out);
}

/// Emits a chunk of a line; HTML character references left in text inputs
/// scraped from the web ("d&rsquo;après", "&#233;") are decoded through
/// the alignment.
fn emit_chunk(original: &str, range: Range<usize>, needs_nfc: bool, out: &mut AlignedText) {
    let chunk = &original[range.clone()];
    if !chunk.contains('&') {
        return emit_plain(original, range, needs_nfc, out);
    }
    let mut from = range.start;
    for (start, end, decoded) in char_references(chunk) {
        emit_plain(original, from..range.start + start, needs_nfc, out);
        let mut buf = [0u8; 4];
        out.push_replacement(
            decoded.encode_utf8(&mut buf),
            range.start + start..range.start + end,
        );
        from = range.start + end;
    }
    emit_plain(original, from..range.end, needs_nfc, out);
}

/// Named character references that scraped text carries, decoded.
const NAMED_REFERENCES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("rsquo", '’'),
    ("lsquo", '‘'),
    ("rdquo", '”'),
    ("ldquo", '“'),
    ("bdquo", '„'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("hellip", '…'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("agrave", 'à'),
    ("acirc", 'â'),
    ("auml", 'ä'),
    ("ccedil", 'ç'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("ocirc", 'ô'),
    ("ouml", 'ö'),
    ("ugrave", 'ù'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("oelig", 'œ'),
    ("aelig", 'æ'),
    ("szlig", 'ß'),
    ("Eacute", 'É'),
    ("Egrave", 'È'),
    ("Ecirc", 'Ê'),
    ("Agrave", 'À'),
    ("Ccedil", 'Ç'),
    ("OElig", 'Œ'),
    ("Auml", 'Ä'),
    ("Ouml", 'Ö'),
    ("Uuml", 'Ü'),
    ("euro", '€'),
    ("pound", '£'),
    ("deg", '°'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("thinsp", '\u{2009}'),
    ("middot", '·'),
    ("bull", '•'),
    ("times", '×'),
    ("frac12", '½'),
    ("frac14", '¼'),
    ("frac34", '¾'),
    ("sect", '§'),
];

/// `(start, end, char)` of every character reference in `chunk`: the named
/// ones above and numeric ones (`&#233;`, `&#xE9;`) of valid scalar values.
fn char_references(chunk: &str) -> Vec<(usize, usize, char)> {
    let mut found = Vec::new();
    let bytes = chunk.as_bytes();
    let mut i = 0;
    while let Some(p) = chunk[i..].find('&') {
        let start = i + p;
        i = start + 1;
        let Some(len) = bytes[i..].iter().take(12).position(|&b| b == b';') else {
            continue;
        };
        let name = &chunk[i..i + len];
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let value = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            value
                .and_then(char::from_u32)
                .filter(|c| !c.is_control() || *c == '\t')
        } else {
            NAMED_REFERENCES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| *c)
        };
        if let Some(c) = decoded {
            found.push((start, i + len + 1, c));
            i += len + 1;
        }
    }
    found
}

fn emit_plain(original: &str, range: Range<usize>, needs_nfc: bool, out: &mut AlignedText) {
    if range.is_empty() {
        return;
    }
    let chunk = &original[range.clone()];
    if needs_nfc && is_nfc_quick(chunk.chars()) != IsNormalized::Yes {
        let composed: String = chunk.nfc().collect();
        if composed != chunk {
            out.push_replacement(&composed, range);
            return;
        }
    }
    out.push_copy(original, range);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise(text: &str) -> (String, Vec<String>) {
        let blocks = plain_blocks(text, PlainOptions::default());
        let (aligned, nb) = emit(text, &blocks);
        let t = aligned.text().to_string();
        let paras = nb
            .iter()
            .map(|b| t[b.span.start..b.span.end].to_string())
            .collect();
        (t, paras)
    }

    const WRAPPED: &str = "Le  train  blindé  du  dictateur  nord-\ncoréen  est  arrivé  en Sibérie\npour la rencontre avec le camarade de\nlongue date, et Kiev a perdu 400\n000 soldats au total, on le dévelop-\npe ici sans fin.\n\nVoir https://example.org/a-b-\nc-d/1.html pour la suite de ceci.\n";

    #[test]
    fn repairs_hard_wrapped_text() {
        let (text, paras) = normalise(WRAPPED);
        assert!(text.contains("nord-coréen est"), "{text}");
        assert!(text.contains("400 000 soldats"), "{text}");
        assert!(text.contains("développe"), "{text}");
        assert!(
            text.contains("https://example.org/a-b-c-d/1.html"),
            "{text}"
        );
        assert!(!text.contains("  "));
        assert_eq!(paras.len(), 2);
    }

    #[test]
    fn one_line_paragraphs_stay_apart() {
        let text = "A title here\nFirst paragraph is a long line that goes on and on and on and on and on and on and on and on and on and on and on and on.\nSecond paragraph is also a long line that goes on and on and on and on and on and on and on and on and on and on and on.\n";
        let (_, paras) = normalise(text);
        assert_eq!(paras.len(), 3);
    }

    #[test]
    fn page_numbers_dropped_and_page_breaks_rejoined() {
        let text = "This is a line of text that wraps at a fixed width of the page\nand it continues on the next line without a blank line between\nthe lines, as text pulled out of a PDF file does all the time,\nand then the page ends in the middle of a sentence as in the\n\n12\n\nmiddle of this one, which goes on to its natural end here and\nthen some more, to fill the line up to the width of the page.\n";
        let (text, paras) = normalise(text);
        assert_eq!(paras.len(), 1, "{paras:?}");
        assert!(text.contains("in the middle of this one"));
        assert!(!text.contains("12"));
    }

    #[test]
    fn nbsp_kept_and_nfc_applied() {
        let text = "Prix\u{a0}: 8\u{202f}000 euros, cafe\u{301}.";
        let (out, _) = normalise(text);
        assert_eq!(out, "Prix\u{a0}: 8\u{202f}000 euros, café.");
    }

    #[test]
    fn repeated_lines_are_an_article_not_headers() {
        let text = "the same line again and again\n".repeat(50);
        let (out, paras) = normalise(&text);
        assert!(!paras.is_empty());
        assert!(out.contains("the same line again"));
        let text = "Il pleut.\n".repeat(5);
        assert!(!normalise(&text).1.is_empty());
    }

    #[test]
    fn running_headers_need_pages() {
        let body = "a line of body text that wraps at a fixed width on the page\n";
        let page = format!("LE JOURNAL — mardi\n\n{}\n", body.repeat(30));
        let (out, _) = normalise(&page.repeat(4));
        assert!(!out.contains("LE JOURNAL"), "{out}");
        let paged = format!("LE JOURNAL — mardi\n\n{}\n3\n\n\u{c}", body.repeat(8));
        let (out, _) = normalise(&paged.repeat(4));
        assert!(!out.contains("LE JOURNAL"), "{out}");
    }

    #[test]
    fn character_references_decoded_through_the_alignment() {
        let text = "le monde d&rsquo;apr&egrave;s, &#233;t&#xE9; &amp; AT&T; &bogus; fin";
        let blocks = plain_blocks(text, PlainOptions::default());
        let (aligned, _) = emit(text, &blocks);
        let (out, alignment) = aligned.into_parts();
        assert_eq!(out, "le monde d’après, été & AT&T; &bogus; fin");
        let at = out.find("après").unwrap();
        let orig = alignment.to_original(Span::new(at, at + "après".len()));
        assert_eq!(&text[orig.start..orig.end], "apr&egrave;s");
    }

    #[test]
    fn page_number_shapes() {
        assert!(is_page_number("12"));
        assert!(is_page_number("- 3 -"));
        assert!(is_page_number("Page 3"));
        assert!(is_page_number("3/12"));
        assert!(!is_page_number("2014 was a year"));
        assert!(!is_page_number("12345"));
    }
}
