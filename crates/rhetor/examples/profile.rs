//! Ad-hoc timing of classification parts (not a benchmark; see `rhetor bench`).
use std::time::Instant;

use rhetor::classify::{features_for, Classify, Models};

fn main() {
    let dir = std::env::args().nth(1).expect("data dir");
    let arts = rhetor::semeval::load_training(std::path::Path::new(&dir)).expect("data");
    let models = Models::embedded().expect("models");
    let c = Classify::new(models.clone());
    let t = Instant::now();
    let mut n = 0usize;
    for a in &arts {
        for b in &a.doc.blocks {
            n += features_for(&models.techniques, &a.doc.text, b.span, "fr").len();
        }
    }
    println!("paragraph features {:?} ({n} nnz)", t.elapsed());
    let t = Instant::now();
    for a in &arts {
        for b in &a.doc.blocks {
            let x = features_for(&models.techniques, &a.doc.text, b.span, "fr");
            n += models.techniques.probabilities(&x).len();
        }
    }
    println!("features + scores {:?}", t.elapsed());
    let t = Instant::now();
    for a in &arts {
        for b in &a.doc.blocks {
            n += c.techniques(&a.doc.text, b.span, "fr").len();
        }
    }
    println!("techniques + evidence {:?}", t.elapsed());
    let t = Instant::now();
    for a in &arts {
        for b in &a.doc.blocks {
            n += rhetor::classify::evidence::token_features(&a.doc.text, b.span)
                .1
                .len();
        }
    }
    println!("token features (all blocks) {:?}", t.elapsed());
    let t = Instant::now();
    let mut hits = 0;
    for a in &arts {
        for b in &a.doc.blocks {
            let x = features_for(&models.techniques, &a.doc.text, b.span, "fr");
            hits += models
                .techniques
                .decide(&models.techniques.probabilities(&x))
                .len();
        }
    }
    println!("decided techniques: {hits}");
    let t2 = Instant::now();
    for a in &arts {
        n += c.article(&a.doc.text, "fr").0.len();
    }
    println!("frames + genre {:?} {n} {:?}", t2.elapsed(), t.elapsed());
}
