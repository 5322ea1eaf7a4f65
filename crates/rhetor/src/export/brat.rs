//! brat standoff: per article a `.txt` (the normalised text) and a `.ann`
//! with one text-bound annotation per evidence span and claim (`T1\tLabel
//! START END\ttext`), paragraph techniques as annotation notes. Offsets are
//! code points into the `.txt`, as brat and INCEpTION read them. A span
//! over a line break is written as brat's discontinuous fragments.

use super::spans;
use crate::output::Analysis;

/// One article's files: (`stem`, `.txt` content, `.ann` content).
pub fn article(a: &Analysis) -> (String, String, String) {
    let text: Vec<char> = a.text.chars().collect();
    let mut ann = String::new();
    let mut t = 0;
    for s in spans(a).into_iter().filter(|s| s.what != "paragraph") {
        if s.end > text.len() || s.start >= s.end {
            continue;
        }
        t += 1;
        // Fragments between newlines (brat's "start end;start end").
        let mut fragments = Vec::new();
        let mut from = s.start;
        for (i, c) in text.iter().enumerate().take(s.end).skip(s.start) {
            if *c == '\n' {
                if i > from {
                    fragments.push((from, i));
                }
                from = i + 1;
            }
        }
        if s.end > from {
            fragments.push((from, s.end));
        }
        let offsets: Vec<String> = fragments.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let covered: Vec<String> = fragments
            .iter()
            .map(|(a, b)| text[*a..*b].iter().collect())
            .collect();
        let label = s.label.replace(|c: char| c.is_whitespace(), "_");
        ann.push_str(&format!(
            "T{t}\t{label} {}\t{}\n",
            offsets.join(";"),
            covered.join(" ")
        ));
    }
    let mut note = 0;
    for p in &a.paragraphs {
        if p.techniques.is_empty() {
            continue;
        }
        t += 1;
        note += 1;
        let names: Vec<&str> = p.techniques.iter().map(|x| x.technique.as_str()).collect();
        // The paragraph as a span of its own label, with its techniques in a note.
        let first_line_end = text[p.start..p.end]
            .iter()
            .position(|c| *c == '\n')
            .map_or(p.end, |n| p.start + n);
        let covered: String = text[p.start..first_line_end].iter().collect();
        ann.push_str(&format!(
            "T{t}\tParagraph {} {first_line_end}\t{covered}\n",
            p.start
        ));
        ann.push_str(&format!(
            "#{note}\tAnnotatorNotes T{t}\t{}\n",
            names.join(", ")
        ));
    }
    let stem = std::path::Path::new(&a.source.path)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && *s != "-")
        .map_or_else(
            || a.id.clone(),
            |s| format!("{s}-{}", &a.id[..8.min(a.id.len())]),
        );
    (stem, a.text.clone(), ann)
}

/// brat's `annotation.conf` for these labels.
pub fn annotation_conf() -> String {
    let mut s = String::from("[entities]\nParagraph\nCLAIM\n");
    for t in crate::semeval::TECHNIQUES {
        s.push_str(t);
        s.push('\n');
    }
    s.push_str("[relations]\n[events]\n[attributes]\n");
    s
}
