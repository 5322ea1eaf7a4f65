// A small PDF writer for the tests: an article typeset on A4 pages in one
// or two justified columns of Helvetica (WinAnsi), with a running header,
// page numbers in the footer, headings in a larger size, and paragraphs
// that break across pages and columns wherever the page ends. The font
// dictionary carries its own widths, so the layout the writer computes is
// the layout a reader sees.
#![allow(dead_code)]

/// How to typeset.
#[derive(Debug, Clone)]
pub struct Typeset {
    pub columns: usize,
    pub header: Option<String>,
    /// "Page {n}", "{n} / {total}", "— {n} —" or "" (none).
    pub page_number: &'static str,
    pub body_size: f64,
    /// Paragraphs start with an indented line instead of a gap.
    pub indent: bool,
}

impl Default for Typeset {
    fn default() -> Self {
        Typeset {
            columns: 1,
            header: Some("LE QUOTIDIEN — édition du matin".into()),
            page_number: "Page {n}",
            body_size: 10.0,
            indent: false,
        }
    }
}

/// A block of the article to typeset.
pub enum Piece {
    Title(String),
    Heading(String),
    Paragraph(String),
}

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 56.0;
const GUTTER: f64 = 18.0;

/// Width of a character in thousandths of an em (the same table is written
/// into the font's /Widths).
fn advance(c: char) -> f64 {
    match c {
        ' ' => 278.0,
        'i' | 'j' | 'l' | '.' | ',' | ';' | ':' | '\'' | '’' | '!' | '|' | 'í' | 'ì' | 'î'
        | 'ï' => 250.0,
        'f' | 't' | 'r' | '(' | ')' | '-' | '«' | '»' => 333.0,
        'm' | 'w' | 'M' | 'W' | 'œ' | 'Œ' | '—' => 833.0,
        c if c.is_uppercase() => 667.0,
        c if c.is_ascii_digit() => 556.0,
        _ => 500.0,
    }
}

fn winansi(c: char) -> u8 {
    let c = match c {
        '\u{202f}' | '\u{2009}' => '\u{a0}',
        '−' => '-',
        other => other,
    };
    let mut buf = [0u8; 4];
    let s = c.encode_utf8(&mut buf);
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if unmappable || bytes.len() != 1 {
        b'?'
    } else {
        bytes[0]
    }
}

fn decode_winansi(b: u8) -> char {
    let bytes = [b];
    let (s, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    s.chars().next().unwrap_or('?')
}

fn width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| advance(decode_winansi(winansi(c))))
        .sum::<f64>()
        * size
        / 1000.0
}

fn pdf_string(text: &str) -> String {
    let mut s = String::from("(");
    for c in text.chars() {
        match winansi(c) {
            b'(' => s.push_str("\\("),
            b')' => s.push_str("\\)"),
            b'\\' => s.push_str("\\\\"),
            b if b < 0x80 => s.push(b as char),
            b => s.push_str(&format!("\\{b:03o}")),
        }
    }
    s.push(')');
    s
}

/// Greedy line breaking of `text` into lines no wider than `measure`.
fn wrap(text: &str, size: f64, measure: f64, first_indent: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        let avail = if lines.is_empty() {
            measure - first_indent
        } else {
            measure
        };
        if width(&candidate, size) > avail && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Writer {
    ts: Typeset,
    pages: Vec<String>,
    column: usize,
    y: f64,
    /// Where the columns of the current page start (below a title).
    band_top: f64,
}

impl Writer {
    fn col_width(&self) -> f64 {
        (PAGE_W - 2.0 * MARGIN - GUTTER * (self.ts.columns as f64 - 1.0)) / self.ts.columns as f64
    }
    fn col_x(&self) -> f64 {
        MARGIN + self.column as f64 * (self.col_width() + GUTTER)
    }
    fn top(&self) -> f64 {
        PAGE_H - MARGIN
    }
    fn new_page(&mut self) {
        self.pages.push(String::new());
        self.column = 0;
        self.y = self.top();
        self.band_top = self.top();
    }
    fn next_column(&mut self) {
        if self.column + 1 < self.ts.columns {
            self.column += 1;
            self.y = self.band_top;
        } else {
            self.new_page();
        }
    }
    fn text_at(&mut self, x: f64, y: f64, size: f64, word_spacing: f64, text: &str) {
        let page = self.pages.last_mut().expect("a page");
        page.push_str(&format!(
            "BT /F1 {size:.2} Tf {word_spacing:.3} Tw 1 0 0 1 {x:.2} {y:.2} Tm {} Tj ET\n",
            pdf_string(text)
        ));
    }
    /// A full-width line (title) at the current height of the page.
    fn full_width(&mut self, text: &str, size: f64) {
        let measure = PAGE_W - 2.0 * MARGIN;
        for line in wrap(text, size, measure, 0.0) {
            self.y -= size * 1.25;
            self.text_at(MARGIN, self.y, size, 0.0, &line);
        }
        self.y -= size * 0.8;
        self.band_top = self.y;
    }
    fn block(&mut self, text: &str, size: f64, justify: bool, indent: f64, gap_before: f64) {
        let measure = self.col_width();
        let lines = wrap(text, size, measure, indent);
        let leading = size * 1.25;
        if self.y < self.band_top {
            self.y -= gap_before;
        }
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            if self.y - leading < MARGIN + 10.0 {
                self.next_column();
            }
            self.y -= leading;
            let x = self.col_x() + if i == 0 { indent } else { 0.0 };
            let spaces = line.matches(' ').count();
            let spacing = if justify && i + 1 < n && spaces > 0 {
                (measure - if i == 0 { indent } else { 0.0 } - width(line, size)) / spaces as f64
            } else {
                0.0
            };
            self.text_at(x, self.y, size, spacing.max(0.0), line);
        }
    }
}

/// Typesets `pieces` into a PDF.
pub fn typeset(pieces: &[Piece], ts: &Typeset) -> Vec<u8> {
    let mut w = Writer {
        ts: ts.clone(),
        pages: Vec::new(),
        column: 0,
        y: 0.0,
        band_top: 0.0,
    };
    w.new_page();
    let body = ts.body_size;
    for piece in pieces {
        match piece {
            Piece::Title(t) => w.full_width(t, body * 1.6),
            Piece::Heading(t) => w.block(t, body * 1.25, false, 0.0, body * 1.2),
            Piece::Paragraph(t) => {
                let (indent, gap) = if ts.indent {
                    (body * 1.5, 0.0)
                } else {
                    (0.0, body * 0.7)
                };
                w.block(t, body, true, indent, gap)
            }
        }
    }
    let total = w.pages.len();
    let mut contents = Vec::new();
    for (i, page) in w.pages.iter().enumerate() {
        let mut c = page.clone();
        if let Some(h) = &ts.header {
            c.push_str(&format!(
                "BT /F1 8 Tf 0 Tw 1 0 0 1 {MARGIN:.2} {:.2} Tm {} Tj ET\n",
                PAGE_H - 30.0,
                pdf_string(h)
            ));
        }
        if !ts.page_number.is_empty() {
            let label = ts
                .page_number
                .replace("{n}", &(i + 1).to_string())
                .replace("{total}", &total.to_string());
            let x = PAGE_W / 2.0 - width(&label, 9.0) / 2.0;
            c.push_str(&format!(
                "BT /F1 9 Tf 0 Tw 1 0 0 1 {x:.2} 30 Tm {} Tj ET\n",
                pdf_string(&label)
            ));
        }
        contents.push(c);
    }
    // Objects: 1 catalog, 2 pages, 3 font, then page/content pairs.
    let widths: Vec<String> = (32u8..=255)
        .map(|b| format!("{}", advance(decode_winansi(b)) as i64))
        .collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        String::new(),
        format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [{}] >>",
            widths.join(" ")
        ),
    ];
    let mut kids = Vec::new();
    for c in &contents {
        let page_id = objects.len() + 1;
        kids.push(format!("{page_id} 0 R"));
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
            page_id + 1
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{c}endstream", c.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    );
    let objects: Vec<Vec<u8>> = objects.into_iter().map(String::into_bytes).collect();
    assemble(&objects)
}

/// A page that only holds an image: no text layer.
pub fn scanned_pdf() -> Vec<u8> {
    let image = "q 400 0 0 600 80 100 cm /Im1 Do Q\n";
    let pixels = vec![0x80u8; 16];
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>".to_vec(),
        format!("<< /Length {} >>\nstream\n{image}endstream", image.len()).into_bytes(),
        [
            format!("<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n", pixels.len()).into_bytes(),
            pixels,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    assemble(&objects)
}

/// A PDF file of `objects` (numbered from 1; object 1 is the catalog), with
/// its cross-reference table and trailer.
fn assemble(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(o);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
