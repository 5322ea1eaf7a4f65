use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut texts = Vec::new();
    for lang in ["en", "fr", "de", "it", "pl", "ru"] {
        for e in std::fs::read_dir(format!("{dir}/{lang}/train/articles")).unwrap() {
            texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    let t = Instant::now();
    let mut n = 0;
    for x in &texts {
        for p in x.split("\n\n") {
            if whatlang::detect(&p[..p.char_indices().nth(160).map_or(p.len(), |x| x.0)]).is_some()
            {
                n += 1;
            }
        }
    }
    println!("whatlang per paragraph {:?} {n}", t.elapsed());
    let t = Instant::now();
    for x in &texts {
        let b = rhetor::normalize::plain_blocks(x, Default::default());
        let _ = rhetor::normalize::emit(x, &b);
    }
    println!("normalise {:?}", t.elapsed());
    let t = Instant::now();
    for x in &texts {
        let _ = rhetor::segment::split_sentences(x, rhetor::Span::new(0, x.len()));
    }
    println!("sentences {:?}", t.elapsed());
}
