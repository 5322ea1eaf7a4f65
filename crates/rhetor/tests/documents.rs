//! The document pipeline on the shared corpora: the seeds, every SemEval
//! training article, and the trafilatura evaluation pages.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use common::*;
use rhetor::output::{Analysis, OutputOptions};
use rhetor::BlockKind;

#[test]
fn seed_004_pdf_text_is_repaired() {
    let doc = analyse_file(&repo_root().join("examples/004_b6a211a1276a3b4a.txt"));
    let t = &doc.text;
    assert!(t.contains("400 000 soldats"));
    assert!(t.contains("nord-coréen "));
    assert!(t.contains("nord-coréenne"));
    assert!(t.contains(
        "https://fr.sputniknews.africa/20230913/ce-quil-faut-retenir-de-la-rencontre-entre-vladimir-poutine-et-kim-jong-un-1062087010.html"
    ));
    assert!(!t.contains("  "), "double spaces remain");
    let para = doc
        .blocks
        .iter()
        .map(|b| doc.slice(b.span))
        .find(|p| p.contains("mais le souci de Poutine"))
        .expect("the page break is rejoined inside one paragraph");
    assert!(para.starts_with("L’armée russe tire"));
    assert_eq!(
        doc.slice(doc.author.expect("signature found")),
        "Jacques Guillemain"
    );
    assert!(doc.links.iter().any(|l| l.url.ends_with("1062087010.html")));
    assert_eq!(doc.language.as_ref().map(|l| l.code.as_str()), Some("fr"));
}

#[test]
fn seed_000_web_text_has_title_author_headings() {
    let doc = analyse_file(&repo_root().join("examples/000_d76dd2dda02f8564.txt"));
    assert_eq!(
        doc.slice(doc.title.expect("title")),
        "L’OTAN doit cesser de jouer les lâches : l’Ukraine seule face à une guerre déjà mondiale"
    );
    assert_eq!(doc.slice(doc.author.expect("author")), "Maxime Marquette");
    let headings: Vec<&str> = doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| doc.slice(b.span))
        .collect();
    for h in [
        "La mascarade occidentale qui tue les Ukrainiens",
        "L’internationalisation que l’Occident refuse de voir",
        "Le moment de vérité pour l’Alliance atlantique",
        "Conclusion",
    ] {
        assert!(
            headings.contains(&h),
            "missing heading {h:?} in {headings:?}"
        );
    }
    assert!(doc.body().count() >= 40);
}

/// Every reported span must slice the text to exactly what is reported.
#[test]
fn json_offsets_slice_the_text() {
    for seed in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        let doc = analyse_file(&repo_root().join("examples").join(seed));
        let a = Analysis::new(&doc, OutputOptions { tokens: true });
        let chars: Vec<char> = a.text.chars().collect();
        let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
        for p in &a.paragraphs {
            assert_eq!(slice(p.start, p.end), p.text);
            // The original range holds the same words.
            let orig: Vec<char> = doc.original.chars().collect();
            let o: String = orig[p.source_start..p.source_end].iter().collect();
            let squash = |s: &str| {
                s.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            };
            assert_eq!(squash(&o), squash(&p.text), "source range of {:?}", p.text);
        }
        for l in &a.links {
            assert_eq!(slice(l.start, l.end), l.text);
        }
        let t = a
            .title
            .as_ref()
            .or(a.author.as_ref())
            .expect("title or author");
        assert_eq!(slice(t.start, t.end), t.text);
        for s in &a.sentences {
            let p = &a.paragraphs[s.paragraph];
            assert!(p.start <= s.start && s.end <= p.end);
        }
        assert!(a.tokens.as_ref().is_some_and(|t| t.len() > 500));
    }
}

fn semeval_dir() -> std::path::PathBuf {
    shared_data().join("semeval2023-task3")
}

/// Every SemEval training article loads; every labelled paragraph is the
/// paragraph whose line number the labels use; every annotated span maps
/// through the alignment onto the same words in the normalised text.
#[test]
fn semeval_articles_load_and_labels_map_to_paragraphs() {
    let mut articles = 0;
    let mut labelled = 0;
    let mut spans = 0;
    let mut spans_ok = 0;
    for lang in ["en", "fr", "de", "it", "pl", "ru"] {
        let dir = semeval_dir().join(lang).join("train");
        let mut lines: HashMap<String, Vec<usize>> = HashMap::new();
        let tsv = std::fs::read_to_string(dir.join("techniques.tsv")).expect("techniques.tsv");
        for row in tsv.lines() {
            let mut f = row.split('\t');
            let (Some(id), Some(line)) = (f.next(), f.next()) else {
                continue;
            };
            lines
                .entry(id.to_string())
                .or_default()
                .push(line.parse().expect("line number"));
        }
        let mut span_rows: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        let tsv = std::fs::read_to_string(dir.join("spans.tsv")).expect("spans.tsv");
        for row in tsv.lines() {
            let f: Vec<&str> = row.split('\t').collect();
            if f.len() == 4 {
                span_rows
                    .entry(f[0].to_string())
                    .or_default()
                    .push((f[2].parse().expect("start"), f[3].parse().expect("end")));
            }
        }
        for entry in std::fs::read_dir(dir.join("articles")).expect("articles dir") {
            let path = entry.expect("entry").path();
            let id = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.strip_prefix("article"))
                .expect("article<ID>.txt")
                .to_string();
            let doc = analyse_file(&path);
            articles += 1;
            for &line in lines.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                let original_line = doc.original.lines().nth(line - 1).unwrap_or("");
                if !original_line.chars().any(char::is_alphanumeric) {
                    continue; // a label on a blank (or BOM-only) line has no paragraph
                }
                labelled += 1;
                assert!(
                    doc.blocks.iter().any(|b| b.line == Some(line)),
                    "{lang}/{id}: no paragraph at line {line}"
                );
            }
            let chars: Vec<(usize, char)> = doc.original.char_indices().collect();
            let byte = |c: usize| chars.get(c).map_or(doc.original.len(), |x| x.0);
            for &(s, e) in span_rows.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                spans += 1;
                let (bs, be) = (byte(s), byte(e));
                let ns = doc.alignment.from_original(bs);
                let ne = doc.alignment.from_original(be);
                let squash = |s: &str| s.split_whitespace().collect::<String>();
                if ne >= ns && squash(&doc.text[ns..ne]) == squash(&doc.original[bs..be]) {
                    spans_ok += 1;
                }
            }
        }
    }
    eprintln!("semeval: {articles} articles, {labelled} labelled paragraphs, {spans_ok}/{spans} spans aligned");
    assert!(articles > 1100);
    assert!(
        spans_ok as f64 >= spans as f64 * 0.99,
        "{spans_ok}/{spans} spans aligned"
    );
}

#[derive(serde::Deserialize)]
struct EvalPage {
    html: String,
    url: String,
    lang_guess: String,
    with: Vec<String>,
    without: Vec<String>,
}

/// Share of `with` snippets found and of `without` snippets kept out, on
/// the French/English trafilatura evaluation pages.
#[test]
fn trafilatura_eval_pages() {
    let dir = shared_data().join("trafilatura-eval");
    let list = std::fs::read_to_string(dir.join("subset_fr_en.jsonl")).expect("subset list");
    let (mut with_found, mut with_total, mut without_out, mut without_total) = (0, 0, 0, 0);
    let mut failed = 0;
    for line in list.lines() {
        let page: EvalPage = serde_json::from_str(line).expect("page entry");
        let mut bytes = Vec::new();
        let file = std::fs::File::open(dir.join(&page.html)).expect("page file");
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .expect("gzip page");
        let html = rhetor::ingest::decode::decode(&bytes)
            .expect("decodable page")
            .text;
        let raw = rhetor::ingest::RawArticle {
            source: rhetor::document::Source {
                path: page.html.clone(),
                url: Some(page.url.clone()),
                ..Default::default()
            },
            format: rhetor::document::Format::Html,
            encoding: "UTF-8".into(),
            body: rhetor::ingest::Body::Html(html),
            declared: Default::default(),
        };
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = match rhetor::Pipeline::default().run(raw) {
            Ok(doc) => squash(&doc.text),
            Err(_) => {
                failed += 1;
                String::new()
            }
        };
        let _ = &page.lang_guess;
        with_total += page.with.len();
        with_found += page
            .with
            .iter()
            .filter(|w| text.contains(&squash(w)))
            .count();
        without_total += page.without.len();
        without_out += page
            .without
            .iter()
            .filter(|w| !text.contains(&squash(w)))
            .count();
        if std::env::var_os("RHETOR_EVAL_VERBOSE").is_some() {
            for w in page.without.iter().filter(|w| text.contains(&squash(w))) {
                eprintln!("LEAK {}: {w:?}", page.html);
            }
            for w in page.with.iter().filter(|w| !text.contains(&squash(w))) {
                eprintln!("MISS {}: {w:?}", page.html);
            }
        }
    }
    let with_share = with_found as f64 / with_total as f64;
    let without_share = without_out as f64 / without_total as f64;
    eprintln!(
        "trafilatura-eval fr/en: with {with_found}/{with_total} = {with_share:.3}, without kept out {without_out}/{without_total} = {without_share:.3}, {failed} pages failed"
    );
    assert!(with_share >= 0.90, "with share {with_share:.3}");
    assert!(without_share >= 0.90, "without share {without_share:.3}");
}

/// Language identification on the SemEval articles, whose folder gives
/// their language: article level, and paragraphs of 40+ characters.
#[test]
fn semeval_languages() {
    let (mut docs, mut docs_ok, mut paras, mut paras_ok) = (0, 0, 0, 0);
    for lang in ["en", "fr", "de", "it", "pl", "ru"] {
        let dir = semeval_dir().join(lang).join("train/articles");
        for entry in std::fs::read_dir(dir).expect("articles") {
            let doc = analyse_file(&entry.expect("entry").path());
            docs += 1;
            docs_ok += usize::from(doc.language.as_ref().is_some_and(|l| l.code == lang));
            for b in doc
                .body()
                .filter(|b| doc.slice(b.span).chars().count() >= 40)
            {
                paras += 1;
                paras_ok += usize::from(b.language.as_ref().is_some_and(|l| l.code == lang));
            }
        }
    }
    let doc_acc = docs_ok as f64 / docs as f64;
    let para_acc = paras_ok as f64 / paras as f64;
    eprintln!("language: articles {docs_ok}/{docs} = {doc_acc:.4}, paragraphs {paras_ok}/{paras} = {para_acc:.4}");
    assert!(doc_acc >= 0.99, "{doc_acc}");
    assert!(para_acc >= 0.97, "{para_acc}");
}
