//! PDFs as users get them: text read from the page layout, not as a flat
//! stream. `pdf-extract` (over `lopdf`) interprets the content streams and
//! hands every glyph to an output device with its position and size; this
//! module's device keeps them, then:
//!
//! 1. groups glyphs into lines by baseline, splitting a line where a wide
//!    horizontal gap (a column gutter) opens;
//! 2. finds columns from the gutters that most lines of a page share, and
//!    reads each band of the page (full-width lines cut bands) column by
//!    column, top to bottom;
//! 3. drops running headers and footers (the same text, digits aside, at
//!    the same height on most pages) and page numbers in any style, by
//!    leaving their lines out of every block — the extracted text keeps
//!    them, so offsets still map to it through the alignment;
//! 4. ends a paragraph where a line stops short of the column's right edge
//!    after a full stop, where a gap opens, where the next line is indented
//!    or set in another size; continues it across page and column breaks
//!    when it has not ended; headings from a larger font size;
//! 5. joins lines with the same rules as text files (hyphenation, split
//!    URLs and numbers), now knowing where the lines really are.
//!
//! `pdf-extract` was kept (rather than walking `lopdf` content streams
//! directly) because it already handles fonts, encodings, ToUnicode maps
//! and text matrices; its output device is exactly the layout interface
//! needed. Its panics are contained; time and glyph counts are bounded.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::document::BlockKind;
use crate::error::InputError;
use crate::normalize::{self, RawBlock};

/// Most glyphs read from one PDF: a dense 400-page report has about a
/// million; each costs about 80 bytes while the pages are laid out.
const MAX_GLYPHS: usize = 1_500_000;
/// Longest time spent interpreting one PDF's pages.
const MAX_TIME: Duration = Duration::from_secs(30);

/// A PDF laid out as text: every line of every page in reading order (the
/// "original" the normalised text aligns to) and the blocks built on them.
#[derive(Debug, Clone, PartialEq)]
pub struct LaidOut {
    pub text: String,
    pub blocks: Vec<RawBlock>,
    pub pages: usize,
}

#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    /// Baseline, from the top of the page.
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

struct Page {
    width: f64,
    height: f64,
    glyphs: Vec<Glyph>,
}

struct Device {
    pages: Vec<Page>,
    flip: pdf_extract::Transform,
    glyphs: usize,
    started: Instant,
}

fn limit(reason: &str) -> pdf_extract::OutputError {
    pdf_extract::OutputError::IoError(std::io::Error::other(reason.to_string()))
}

impl pdf_extract::OutputDev for Device {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &pdf_extract::MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        let height = media_box.ury - media_box.lly;
        self.flip = pdf_extract::Transform::row_major(1., 0., 0., -1., 0., height);
        self.pages.push(Page {
            width: (media_box.urx - media_box.llx).abs().max(1.0),
            height: height.abs().max(1.0),
            glyphs: Vec::new(),
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        self.glyphs += 1;
        if self.glyphs > MAX_GLYPHS {
            return Err(limit("more than 1 500 000 characters: refused"));
        }
        if self.glyphs.is_multiple_of(4096) && self.started.elapsed() > MAX_TIME {
            return Err(limit("took longer than 30 s to read: refused"));
        }
        let position = trm.post_transform(&self.flip);
        // The font size through the text matrix: the side of the square
        // with the area of the transformed (size, size) vector's box, as
        // pdf-extract's own text output computes it.
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        let (x, y) = (position.m31, position.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) || size <= 0.0 {
            return Ok(());
        }
        if let Some(page) = self.pages.last_mut() {
            page.glyphs.push(Glyph {
                x,
                y,
                end: x + width * size,
                size,
                text: text.to_string(),
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// Reads a PDF's text from its layout.
pub fn lay_out(bytes: &[u8]) -> Result<LaidOut, InputError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(InputError::Pdf("no %PDF- header".into()));
    }
    let pages = crate::contain::catch(|| -> Result<Vec<Page>, InputError> {
        let doc = pdf_extract::Document::load_mem(bytes)
            .map_err(|e| InputError::Pdf(format!("cannot be parsed: {e}")))?;
        if doc.is_encrypted() {
            return Err(InputError::Pdf("encrypted (a password is needed)".into()));
        }
        let mut device = Device {
            pages: Vec::new(),
            flip: pdf_extract::Transform::identity(),
            glyphs: 0,
            started: Instant::now(),
        };
        pdf_extract::output_doc(&doc, &mut device).map_err(|e| match e {
            pdf_extract::OutputError::IoError(io) => InputError::Pdf(io.to_string()),
            other => InputError::Pdf(format!("cannot be read: {other:?}")),
        })?;
        Ok(device.pages)
    })
    .unwrap_or_else(|_| {
        Err(InputError::Pdf(
            "the PDF could not be parsed (damaged or unsupported)".into(),
        ))
    })?;
    let laid = assemble(&pages);
    if laid.blocks.is_empty() {
        return Err(InputError::Pdf(
            if pages.iter().all(|p| p.glyphs.is_empty()) {
                "no text layer (scanned?)".into()
            } else {
                "no text found in the PDF".into()
            },
        ));
    }
    Ok(laid)
}

/// A run of glyphs on one baseline of one page.
#[derive(Debug, Clone)]
struct Line {
    page: usize,
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
    /// Column index within its band (0 for a full-width line).
    column: usize,
    /// Left and right edges of the column the line belongs to.
    left: f64,
    right: f64,
    /// Running header, footer or page number.
    furniture: bool,
}

/// Glyphs grouped by baseline (a third of their size), each row left to right.
fn rows_of(page: &Page) -> Vec<Vec<&Glyph>> {
    let mut glyphs: Vec<&Glyph> = page.glyphs.iter().filter(|g| !g.text.is_empty()).collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<&Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (row[0].y - g.y).abs() <= row[0].size.max(g.size) * 0.35 => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    rows
}

/// The column gutter of a page: an x in the middle half of the text that
/// the glyphs of at most a tenth of the rows cover, with text on both
/// sides in at least three rows, the least covered such x. A wide word
/// space of a justified line is covered by the other lines' glyphs; a
/// gutter is covered by none but full-width lines.
fn gutter_of(rows: &[Vec<&Glyph>]) -> Option<f64> {
    let starts: Vec<f64> = rows.iter().filter_map(|r| r.first().map(|g| g.x)).collect();
    let ends: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.last().map(|g| g.end))
        .collect();
    let left = percentile(starts, 0.1)?;
    let right = percentile(ends, 0.9)?;
    if right - left < 100.0 || rows.len() < 6 {
        return None;
    }
    // Rows covering each 1-pt bin of the text's width, and rows with text
    // on both sides of it: linear in glyphs plus bins.
    let origin = left.floor();
    let bins = ((right - origin).ceil() as usize + 2).min(20_000);
    let bin = |x: f64| ((x - origin).max(0.0) as usize).min(bins - 1);
    let mut covered = vec![0usize; bins];
    let mut spans = vec![0i64; bins + 1];
    for row in rows {
        let mut marks = vec![false; bins];
        for g in row {
            for m in marks
                .iter_mut()
                .take(bin(g.end + 0.5) + 1)
                .skip(bin(g.x - 0.5))
            {
                *m = true;
            }
        }
        for (c, m) in covered.iter_mut().zip(&marks) {
            *c += usize::from(*m);
        }
        if let (Some(first), Some(last)) = (row.first(), row.last()) {
            let (a, b) = (bin(first.end) + 1, bin(last.x));
            if a < b {
                spans[a] += 1;
                spans[b] -= 1;
            }
        }
    }
    let mut both = vec![0i64; bins];
    let mut run = 0;
    for (k, b) in both.iter_mut().enumerate() {
        run += spans[k];
        *b = run;
    }
    let (from, to) = (
        bin(left + (right - left) * 0.25),
        bin(left + (right - left) * 0.75),
    );
    let mut best: Option<(usize, usize, i64)> = None;
    for k in from..to {
        if covered[k] * 10 <= rows.len()
            && both[k] >= 3
            && best.is_none_or(|(_, c, b)| covered[k] < c || covered[k] == c && both[k] > b)
        {
            best = Some((k, covered[k], both[k]));
        }
    }
    best.map(|(k, _, _)| origin + k as f64 + 0.5)
}

fn page_lines(
    page_index: usize,
    page: &Page,
    gutter: Option<f64>,
    rows: Vec<Vec<&Glyph>>,
) -> Vec<Line> {
    let mut lines = Vec::new();
    for row in rows {
        let mut current: Option<Line> = None;
        for g in row {
            if let Some(line) = current.as_mut() {
                let gap = g.x - line.end;
                let across_gutter = gutter.is_some_and(|x| line.end <= x + 0.5 && g.x >= x - 0.5);
                if across_gutter && gap > line.size * 0.5 {
                    lines.push(current.take().expect("a line"));
                } else {
                    if gap > line.size * 0.15 && !line.text.ends_with(' ') && g.text != " " {
                        line.text.push(' ');
                    }
                    line.text.push_str(&g.text);
                    line.end = line.end.max(g.end);
                    line.size = line.size.max(g.size);
                    continue;
                }
            }
            current = Some(Line {
                page: page_index,
                x: g.x,
                end: g.end,
                y: g.y,
                size: g.size,
                text: g.text.clone(),
                column: 0,
                left: 0.0,
                right: page.width,
                furniture: false,
            });
        }
        lines.extend(current);
    }
    for l in &mut lines {
        l.text = l.text.trim().to_string();
    }
    lines.retain(|l| !l.text.is_empty());
    lines
}

/// Reading order of one page: bands cut by full-width lines, columns of a
/// band left to right, lines of a column top to bottom.
fn read_page(mut lines: Vec<Line>, width: f64, gutter: Option<f64>) -> Vec<Line> {
    if lines.is_empty() {
        return lines;
    }
    // Edges robust to a line that overflows (an unbreakable URL) or a
    // centred footer: low and high percentiles of where lines start and end.
    let left = percentile(lines.iter().map(|l| l.x).collect(), 0.1).unwrap_or(0.0);
    let right = percentile(lines.iter().map(|l| l.end).collect(), 0.85).unwrap_or(width);
    let Some(gutter) = gutter else {
        for l in &mut lines {
            l.left = left;
            l.right = right;
        }
        lines.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        return lines;
    };
    let col_right = percentile(
        lines
            .iter()
            .filter(|l| l.end <= gutter)
            .map(|l| l.end)
            .collect(),
        0.85,
    )
    .unwrap_or(gutter);
    let col2_left = percentile(
        lines
            .iter()
            .filter(|l| l.x >= gutter)
            .map(|l| l.x)
            .collect(),
        0.1,
    )
    .unwrap_or(gutter);
    for l in &mut lines {
        if l.end <= gutter + 0.5 {
            (l.column, l.left, l.right) = (1, left, col_right);
        } else if l.x >= gutter - 0.5 {
            (l.column, l.left, l.right) = (2, col2_left, right);
        } else {
            (l.column, l.left, l.right) = (0, left, right);
        }
    }
    lines.sort_by(|a, b| a.y.total_cmp(&b.y));
    // The short last line of a full-width heading belongs to it.
    for i in 1..lines.len() {
        let (above, l) = (&lines[i - 1], &lines[i]);
        if l.column != 0
            && above.column == 0
            && (l.size - above.size).abs() < 0.5
            && l.y - above.y <= above.size * 1.6
            && (l.x - above.x).abs() < 2.0
        {
            let (left, right) = (above.left, above.right);
            let l = &mut lines[i];
            (l.column, l.left, l.right) = (0, left, right);
        }
    }
    // Bands: full-width lines (column 0) cut the page.
    let mut out = Vec::with_capacity(lines.len());
    let mut band: Vec<Line> = Vec::new();
    let flush = |band: &mut Vec<Line>, out: &mut Vec<Line>| {
        band.sort_by(|a, b| a.column.cmp(&b.column).then(a.y.total_cmp(&b.y)));
        out.append(band);
    };
    for l in lines {
        if l.column == 0 {
            flush(&mut band, &mut out);
            out.push(l);
        } else {
            band.push(l);
        }
    }
    flush(&mut band, &mut out);
    out
}

/// "Page 3", "3 / 7", "— 3 —", "p. 3", "3", "iii".
fn is_page_number(text: &str) -> bool {
    let t = text.trim().trim_matches(|c: char| {
        matches!(c, '-' | '–' | '—' | '|' | '·' | '•') || c.is_whitespace()
    });
    let lower = t.to_ascii_lowercase();
    let t = [
        "page ",
        "p. ",
        "p ",
        "seite ",
        "pagina ",
        "strona ",
        "стр. ",
        "страница ",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))
    .unwrap_or(&lower);
    let mut parts = t
        .split(['/', ' '])
        .filter(|p| !p.is_empty() && *p != "of" && *p != "sur" && *p != "de");
    let first = parts.next().unwrap_or("");
    let numeric = |p: &str| p.len() <= 4 && !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let roman = |p: &str| p.len() <= 6 && !p.is_empty() && p.chars().all(|c| "ivxlc".contains(c));
    (numeric(first) || roman(first)) && parts.all(numeric)
}

/// Marks running headers, footers and page numbers: lines in the top or
/// bottom margin (12 % of the page) that are page numbers, or whose text —
/// digits aside — recurs at about the same height on at least half of the
/// pages (and on at least two).
fn mark_furniture(lines: &mut [Line], pages: &[Page]) {
    let margin = |l: &Line| {
        let h = pages.get(l.page).map_or(792.0, |p| p.height);
        l.y < h * 0.12 || l.y > h * 0.88
    };
    let shape = |l: &Line| {
        let digits_out: String = l
            .text
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        (digits_out, (l.y / 4.0).round() as i64)
    };
    let mut seen: HashMap<(String, i64), std::collections::BTreeSet<usize>> = HashMap::new();
    for l in lines.iter().filter(|l| margin(l)) {
        seen.entry(shape(l)).or_default().insert(l.page);
    }
    let page_count = pages.len();
    let body_size = median(lines.iter().map(|l| l.size).collect()).unwrap_or(10.0);
    // A one-page document has no recurrence to go by: a line set smaller
    // than the body, alone in the margin, is its header or footer.
    let isolated: Vec<bool> = lines
        .iter()
        .map(|l| {
            margin(l)
                && l.size < body_size * 0.9
                && lines
                    .iter()
                    .filter(|o| o.page == l.page && !std::ptr::eq(*o, l) && !margin(o))
                    .all(|o| (o.y - l.y).abs() > body_size * 2.5)
        })
        .collect();
    for (l, isolated) in lines.iter_mut().zip(isolated) {
        if !margin(l) {
            continue;
        }
        let recurring = seen
            .get(&shape(l))
            .is_some_and(|p| p.len() >= 2 && p.len() * 2 >= page_count);
        if is_page_number(&l.text) || recurring || isolated {
            l.furniture = true;
        }
    }
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['.', '!', '?', '…', ':', '»', '"', '”', ')', ';'])
}

fn median(v: Vec<f64>) -> Option<f64> {
    percentile(v, 0.5)
}

fn percentile(mut v: Vec<f64>, q: f64) -> Option<f64> {
    v.retain(|x| x.is_finite());
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    v.get(i).copied()
}

/// Lines into the extracted text and its blocks.
fn assemble(pages: &[Page]) -> LaidOut {
    let mut lines: Vec<Line> = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let rows = rows_of(p);
        let gutter = gutter_of(&rows);
        lines.extend(read_page(page_lines(i, p, gutter, rows), p.width, gutter));
    }
    mark_furniture(&mut lines, pages);
    let body_size = median(
        lines
            .iter()
            .filter(|l| !l.furniture)
            .map(|l| l.size)
            .collect(),
    )
    .unwrap_or(10.0);
    // Typical baseline distance between consecutive body lines of a column.
    let leading = median(
        lines
            .windows(2)
            .filter(|w| {
                w[0].page == w[1].page
                    && w[0].column == w[1].column
                    && !w[0].furniture
                    && !w[1].furniture
                    && (w[0].size - body_size).abs() < 0.5
            })
            .map(|w| w[1].y - w[0].y)
            .filter(|d| *d > 0.0)
            .collect(),
    )
    .unwrap_or(body_size * 1.2);

    // The extracted text: every line, one per line, a blank line between
    // pages.
    let mut text = String::new();
    let mut ranges = Vec::with_capacity(lines.len());
    let mut prev_page = None;
    for l in &lines {
        if prev_page.is_some_and(|p| p != l.page) {
            text.push('\n');
        }
        prev_page = Some(l.page);
        let start = text.len();
        text.push_str(&l.text);
        ranges.push(start..text.len());
        text.push('\n');
    }

    let heading = |l: &Line| l.size > body_size * 1.15;
    let mut blocks: Vec<RawBlock> = Vec::new();
    let mut vocabulary = None;
    let mut prev: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        if l.furniture {
            continue;
        }
        let new_block = match prev {
            None => true,
            Some(p) => {
                let pl = &lines[p];
                let same_flow = pl.page == l.page && pl.column == l.column;
                let gap = l.y - pl.y;
                let width = (pl.right - pl.left).max(1.0);
                let short = pl.end < pl.right - width * 0.08;
                let indented = l.x > l.left + body_size * 0.8 && l.x < l.left + width * 0.3;
                if heading(l) != heading(pl) || (heading(l) && (l.size - pl.size).abs() > 0.5) {
                    true
                } else if heading(l) {
                    !same_flow || gap > leading * 1.6
                } else if same_flow {
                    gap > leading * 1.5
                        || gap < 0.0
                        || indented
                        || (short && ends_sentence(&pl.text))
                } else {
                    // A page or column break: the paragraph goes on unless it
                    // had ended.
                    indented
                        || short
                        || ends_sentence(&pl.text) && l.text.starts_with(char::is_uppercase)
                }
            }
        };
        if new_block {
            blocks.push(RawBlock {
                lines: vec![ranges[i].clone()],
                joins: Vec::new(),
                kind: heading(l).then_some(BlockKind::Heading),
                line: None,
            });
        } else if let Some(block) = blocks.last_mut() {
            let last = block.lines.last().cloned().unwrap_or(0..0);
            let join = normalize::decide_join(&text, &text[last], &l.text, &mut vocabulary);
            block.joins.push(join);
            block.lines.push(ranges[i].clone());
        }
        prev = Some(i);
    }
    // The largest heading on the first page is the title.
    if let Some(first) = blocks.first_mut() {
        if first.kind == Some(BlockKind::Heading) {
            first.kind = Some(BlockKind::Title);
        }
    }
    LaidOut {
        text,
        blocks,
        pages: pages.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_number_styles() {
        for t in [
            "3",
            "Page 3",
            "3 / 7",
            "— 3 —",
            "- 12 -",
            "p. 4",
            "iv",
            "Page 2 sur 9",
        ] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["2024 fut une année", "Chapitre 3", "8 000 soldats", "12345"] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn not_a_pdf() {
        assert!(matches!(lay_out(b"hello"), Err(InputError::Pdf(_))));
        assert!(matches!(
            lay_out(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage"),
            Err(InputError::Pdf(_))
        ));
    }
}
