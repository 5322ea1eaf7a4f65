//! How many links and named outlets of a corpus rhetor recognises (the
//! figures of docs/EXTRACTION.md, "Cited sources"):
//! `cargo run --release -p rhetor --example sources_coverage -- ../shared/data/semeval2023-task3 [examples]`.
use std::collections::{BTreeMap, HashMap};

use rhetor::document::{CitedKind, MentionForm};
use rhetor::sources::host;

#[derive(Default)]
struct Counts {
    articles: usize,
    links: usize,
    links_known: usize,
    links_listed: usize,
    names: usize,
    attributed: usize,
    by_kind: BTreeMap<&'static str, usize>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("the SemEval folder");
    let mut docs: Vec<(String, rhetor::Document)> =
        rhetor::semeval::load_training(std::path::Path::new(&dir))
            .expect("data")
            .into_iter()
            .map(|a| (a.lang, a.doc))
            .collect();
    if let Some(seeds) = args.next() {
        for e in std::fs::read_dir(&seeds).expect("seeds") {
            let path = e.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("seed");
            let raw = rhetor::ingest::RawArticle {
                source: rhetor::document::Source {
                    path: path.display().to_string(),
                    ..Default::default()
                },
                format: rhetor::document::Format::Text,
                encoding: "UTF-8".into(),
                body: rhetor::ingest::Body::Text(text),
                declared: Default::default(),
            };
            docs.push((
                "seeds".into(),
                rhetor::Pipeline::default().run(raw).expect("seed"),
            ));
        }
    }
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    let mut unknown: HashMap<String, usize> = HashMap::new();
    let mut unknown_names: HashMap<String, usize> = HashMap::new();
    let mut named: HashMap<String, (usize, String)> = HashMap::new();
    for (lang, doc) in &docs {
        let c = per.entry(lang.clone()).or_default();
        c.articles += 1;
        for s in &doc.sources {
            *c.by_kind.entry(s.kind.as_str()).or_default() += 1;
            for m in &s.mentions {
                match m.form {
                    MentionForm::Link => {
                        c.links += 1;
                        let known =
                            matches!(s.kind, CitedKind::MediaOutlet | CitedKind::NewsAgency)
                                || s.credibility.is_some();
                        if known {
                            c.links_known += 1;
                        } else if let Some(d) = s.domain.clone() {
                            *unknown.entry(d).or_default() += 1;
                        }
                        if s.state.is_some() {
                            c.links_listed += 1;
                        }
                    }
                    MentionForm::Name => {
                        c.names += 1;
                        let e = named.entry(s.id.clone()).or_insert((0, String::new()));
                        e.0 += 1;
                        if e.1.is_empty() {
                            let chars: Vec<(usize, char)> = doc.text.char_indices().collect();
                            let at = chars.partition_point(|(b, _)| *b < m.span.start);
                            let upto = chars.partition_point(|(b, _)| *b < m.span.end);
                            e.1 = chars[at.saturating_sub(40)..(upto + 30).min(chars.len())]
                                .iter()
                                .map(|(_, c)| if *c == '\n' { ' ' } else { *c })
                                .collect();
                        }
                    }
                    MentionForm::Attribution => {
                        c.attributed += 1;
                        if matches!(s.kind, CitedKind::MediaOutlet)
                            && s.id.starts_with("media_outlet:")
                        {
                            *unknown_names.entry(s.name.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    println!("| corpus | articles | links | links to a known outlet or rated domain | links to a listed state-affiliated outlet | outlet names in text | attributions | sources by kind |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (lang, c) in &per {
        let kinds: Vec<String> = c.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "| {lang} | {} | {} | {} | {} | {} | {} | {} |",
            c.articles,
            c.links,
            c.links_known,
            c.links_listed,
            c.names,
            c.attributed,
            kinds.join(", ")
        );
    }
    let mut top: Vec<(String, usize)> = unknown.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("\nMost frequent unknown link domains:");
    for (d, n) in top.iter().take(20) {
        println!("- {d} ({n})");
    }
    let mut top: Vec<(String, (usize, String))> = named.into_iter().collect();
    top.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    println!("\nOutlets named in the text, most frequent:");
    for (id, (n, ctx)) in top.iter().take(40) {
        println!("- {id} ({n}): …{ctx}…");
    }
    let mut top: Vec<(String, usize)> = unknown_names.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("\nOutlets attributed but not in rhetor's table, most frequent:");
    for (d, n) in top.iter().take(15) {
        println!("- {d} ({n})");
    }
    let _ = host::registrable_domain("example.org");
}
