//! PDFs typeset here from the seeds and a few training articles (one and two
//! columns, a running header, page numbers, paragraphs broken across pages
//! and columns) analyse like the text files they come from: the same
//! paragraphs (± 10 %), the same words, the same claim values, and no header
//! or page number left in the text. `-- --nocapture` prints the table of
//! docs/EXTRACTION.md.

mod common;

use std::collections::HashMap;

use common::pdf::{scanned_pdf, typeset, Piece, Typeset};
use common::*;
use rhetor::document::{BlockKind, Format};
use rhetor::ingest::{pdf::lay_out, Body, RawArticle};
use rhetor::{Document, InputError, Pipeline};

fn pieces(doc: &Document) -> Vec<Piece> {
    doc.blocks
        .iter()
        .map(|b| {
            let t = doc.slice(b.span).to_string();
            match b.kind {
                BlockKind::Title => Piece::Title(t),
                BlockKind::Heading => Piece::Heading(t),
                _ => Piece::Paragraph(t),
            }
        })
        .collect()
}

fn pdf_doc(bytes: &[u8]) -> Result<Document, InputError> {
    let laid = lay_out(bytes)?;
    Pipeline::default().run(RawArticle {
        source: rhetor::document::Source {
            path: "typeset.pdf".into(),
            ..Default::default()
        },
        format: Format::Pdf,
        encoding: "PDF".into(),
        body: Body::Pdf(laid),
        declared: Default::default(),
    })
}

fn words(text: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if !w.is_empty() {
            *m.entry(w.to_lowercase()).or_insert(0) += 1;
        }
    }
    m
}

/// Share of the text file's words found in the PDF's (multiset overlap).
fn word_overlap(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    let total: usize = wa.values().sum();
    let common: usize = wa
        .iter()
        .map(|(w, n)| (*n).min(*wb.get(w).unwrap_or(&0)))
        .sum();
    common as f64 / total.max(1) as f64
}

fn claim_values(doc: &Document) -> Vec<i64> {
    let mut v: Vec<i64> = doc
        .claims
        .iter()
        .map(|c| (c.value * 100.0).round() as i64)
        .collect();
    v.sort_unstable();
    v
}

struct Row {
    name: String,
    layout: &'static str,
    pages: usize,
    text_paragraphs: usize,
    pdf_paragraphs: usize,
    overlap: f64,
    claims_same: bool,
    furniture_left: bool,
}

fn compare(name: &str, text_doc: &Document, layout: &'static str, ts: &Typeset) -> Row {
    let bytes = typeset(&pieces(text_doc), ts);
    let pages = lay_out(&bytes).map_or(0, |l| l.pages);
    let doc = pdf_doc(&bytes).unwrap_or_else(|e| panic!("{name} ({layout}): {e}"));
    let body = |d: &Document| {
        d.blocks
            .iter()
            .filter(|b| b.kind != BlockKind::Title)
            .count()
    };
    Row {
        name: name.to_string(),
        layout,
        pages,
        text_paragraphs: body(text_doc),
        pdf_paragraphs: body(&doc),
        overlap: word_overlap(&text_doc.text, &doc.text),
        claims_same: claim_values(text_doc) == claim_values(&doc),
        furniture_left: doc.text.contains("QUOTIDIEN") || doc.text.contains("Page "),
    }
}

fn corpus() -> Vec<(String, Document)> {
    let mut docs = Vec::new();
    for seed in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        docs.push((
            seed.to_string(),
            analyse_file(&repo_root().join("examples").join(seed)),
        ));
    }
    let dir = shared_data().join("semeval2023-task3");
    for (lang, n) in [("fr", 3), ("en", 2)] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(lang).join("train").join("articles"))
            .expect("training articles")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files.into_iter().step_by(37).take(n) {
            let name = format!("{lang}/{}", f.file_name().unwrap().to_string_lossy());
            docs.push((name, analyse_file(&f)));
        }
    }
    docs
}

#[test]
fn typeset_articles_analyse_like_their_text() {
    let layouts: [(&str, Typeset); 3] = [
        ("1 column", Typeset::default()),
        (
            "1 column, indents, \"n / N\"",
            Typeset {
                indent: true,
                page_number: "{n} / {total}",
                ..Typeset::default()
            },
        ),
        (
            "2 columns, \"— n —\"",
            Typeset {
                columns: 2,
                page_number: "— {n} —",
                ..Typeset::default()
            },
        ),
    ];
    let mut rows = Vec::new();
    for (name, doc) in corpus() {
        for (label, ts) in &layouts {
            rows.push(compare(&name, &doc, label, ts));
        }
    }
    println!("| article | layout | pages | paragraphs (text → PDF) | words kept | same claim values | header or page number left |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} → {} | {:.3} | {} | {} |",
            r.name,
            r.layout,
            r.pages,
            r.text_paragraphs,
            r.pdf_paragraphs,
            r.overlap,
            if r.claims_same { "yes" } else { "no" },
            if r.furniture_left { "yes" } else { "no" }
        );
    }
    for r in &rows {
        let ratio = r.pdf_paragraphs as f64 / r.text_paragraphs.max(1) as f64;
        let two_columns = r.layout.starts_with('2');
        assert!(
            !r.furniture_left,
            "{} ({}): header or page number left",
            r.name, r.layout
        );
        assert!(
            r.overlap >= 0.98,
            "{} ({}): words {:.3}",
            r.name,
            r.layout,
            r.overlap
        );
        if !two_columns {
            assert!(
                (0.9..=1.1).contains(&ratio),
                "{} ({}): paragraphs {} → {}",
                r.name,
                r.layout,
                r.text_paragraphs,
                r.pdf_paragraphs
            );
            assert!(
                r.claims_same,
                "{} ({}): claim values differ",
                r.name, r.layout
            );
        }
    }
    let two: Vec<&Row> = rows.iter().filter(|r| r.layout.starts_with('2')).collect();
    let good = two
        .iter()
        .filter(|r| {
            let ratio = r.pdf_paragraphs as f64 / r.text_paragraphs.max(1) as f64;
            (0.9..=1.1).contains(&ratio) && r.claims_same
        })
        .count();
    assert!(
        good * 10 >= two.len() * 8,
        "two columns: {good} of {} match",
        two.len()
    );
}

#[test]
fn seed_000_figures_survive_the_line_ends() {
    let text = analyse_file(
        &repo_root()
            .join("examples")
            .join("000_d76dd2dda02f8564.txt"),
    );
    let doc = pdf_doc(&typeset(&pieces(&text), &Typeset::default())).unwrap();
    assert!(
        doc.claims.iter().any(|c| c.value == 8000.0),
        "8 000 soldats"
    );
    assert!(!doc
        .claims
        .iter()
        .any(|c| c.value == 0.0 || c.value == 8.0 && doc.slice(c.number) == "8"));
    assert!(doc.text.contains("nord-coréens"));
    // Offsets map back into the extracted text, which keeps the header.
    assert!(doc.original.contains("LE QUOTIDIEN"));
    for b in &doc.blocks {
        let o = doc.alignment.to_original(b.span);
        assert!(doc.original.get(o.start..o.end).is_some());
    }
}

#[test]
fn a_scanned_page_says_so() {
    match lay_out(&scanned_pdf()) {
        Err(InputError::Pdf(reason)) => {
            assert!(reason.contains("no text layer (scanned?)"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn throughput() {
    let docs = corpus();
    let pdfs: Vec<Vec<u8>> = docs
        .iter()
        .map(|(_, d)| typeset(&pieces(d), &Typeset::default()))
        .collect();
    let pages: usize = pdfs.iter().map(|p| lay_out(p).map_or(0, |l| l.pages)).sum();
    // Best of three passes each, the flat text extraction the PDF path used
    // before, then the layout reading.
    let time = |f: &dyn Fn(&[u8])| {
        (0..3)
            .map(|_| {
                let started = std::time::Instant::now();
                for p in &pdfs {
                    f(p);
                }
                started.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let flat = time(&|p| {
        let _ = pdf_extract::extract_text_from_mem(p);
    });
    let layout = time(&|p| {
        let _ = lay_out(p);
    });
    println!(
        "PDF text, {pages} pages: flat extraction {:.0} pages/s, layout {:.0} pages/s (ratio {:.2})",
        pages as f64 / flat,
        pages as f64 / layout,
        flat / layout
    );
}

#[test]
#[ignore = "debugging aid"]
fn dump_blocks() {
    let which = std::env::var("DUMP").unwrap_or_else(|_| "004_b6a211a1276a3b4a.txt".into());
    let cols: usize = std::env::var("COLS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let text = analyse_file(&repo_root().join("examples").join(&which));
    let doc = pdf_doc(&typeset(
        &pieces(&text),
        &Typeset {
            columns: cols,
            ..Typeset::default()
        },
    ))
    .unwrap();
    for b in &doc.blocks {
        let t: String = doc.slice(b.span).chars().take(100).collect();
        println!("{:?}\t{t}", b.kind);
    }
}
