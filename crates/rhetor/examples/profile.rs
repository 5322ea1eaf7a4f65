//! Ad-hoc timing of the claim stages (not a benchmark; see `rhetor bench`).
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).expect("data dir");
    let mut texts = Vec::new();
    for lang in ["en", "fr", "de", "it", "pl", "ru"] {
        for e in std::fs::read_dir(format!("{dir}/{lang}/train/articles")).expect("dir") {
            texts.push(std::fs::read_to_string(e.expect("entry").path()).expect("text"));
        }
    }
    let t = Instant::now();
    let mut n = 0;
    for x in &texts {
        n += rhetor::numbers::find_numbers(x, "fr", Default::default()).len();
    }
    println!("find_numbers {:?} {n}", t.elapsed());
    let t = Instant::now();
    for x in &texts {
        n += rhetor::segment::tokenize(x, rhetor::Span::new(0, x.len())).len();
    }
    println!("tokenize {:?}", t.elapsed());
    let t = Instant::now();
    for x in &texts {
        for tk in rhetor::segment::tokenize(x, rhetor::Span::new(0, x.len())) {
            n += rhetor::segment::fold(&x[tk.span.start..tk.span.end]).len();
        }
    }
    println!("tokenize+fold {:?}", t.elapsed());
    let t = Instant::now();
    for x in &texts {
        let span = rhetor::Span::new(0, x.len());
        let s = rhetor::segment::split_sentences(x, span);
        n += rhetor::claims::block_claims(x, span, 0, &s, "fr").len();
    }
    println!("block_claims {:?} {n}", t.elapsed());
}
