//! Human corrections become training articles for the fast tier.
#![cfg(feature = "train")]

mod common;

use common::*;
use rhetor::output::{Analysis, Correction};

#[test]
fn corrections_become_labelled_articles() {
    let doc = analyse_file(&repo_root().join("examples/004_b6a211a1276a3b4a.txt"));
    let mut a = Analysis::new(&doc, Default::default());
    let p = a
        .paragraphs
        .iter()
        .find(|p| p.text.contains("dictateur"))
        .unwrap()
        .clone();
    let word = "dictateur";
    let at = p.text.find(word).unwrap();
    let start = p.start + p.text[..at].chars().count();
    let c =
        |kind: &str, label: &str, start: Option<usize>, end: Option<usize>, text: Option<&str>| {
            Correction {
                kind: kind.into(),
                start,
                end,
                text: text.map(str::to_string),
                label: label.into(),
                annotator: "ana".into(),
                created_at: None,
                origin: "labelstudio".into(),
            }
        };
    a.corrections = vec![
        c(
            "paragraph",
            "Name_Calling-Labeling",
            Some(p.start),
            Some(p.end),
            Some(&p.text),
        ),
        c(
            "technique_span",
            "Name_Calling-Labeling",
            Some(start),
            Some(start + word.chars().count()),
            Some(word),
        ),
        c("genre", "opinion", None, None, None),
        c("frame", "Political", None, None, None),
        c("frame", "Not_A_Frame", None, None, None),
    ];
    let (articles, used) = rhetor::train::corrections::articles(&[a]);
    assert_eq!(used.documents, 1);
    assert_eq!(used.corrections, 4, "the unknown frame is not used");
    assert_eq!(used.spans, 1);
    let art = &articles[0];
    let labelled: Vec<&(usize, Vec<usize>)> = art
        .paragraphs
        .iter()
        .filter(|(_, t)| !t.is_empty())
        .collect();
    assert_eq!(labelled.len(), 1);
    assert_eq!(art.doc.slice(art.doc.blocks[labelled[0].0].span), p.text);
    assert!(
        art.paragraphs.len() > 10,
        "the other paragraphs are negatives"
    );
    assert_eq!(art.doc.slice(art.spans[0].1), word);
    assert!(art.genre.is_some() && art.frames.as_ref().is_some_and(|f| f.len() == 1));
}
