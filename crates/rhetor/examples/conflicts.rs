//! Lists the conflicting figure pairs of a folder of articles (the check of
//! docs/EXTRACTION.md, "Conflicts"):
//! `cargo run --release -p rhetor --example conflicts -- ../shared/data/semeval2023-task3/fr/train/articles`.
fn main() {
    let dir = std::env::args().nth(1).expect("a folder of .txt articles");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let pipeline = rhetor::Pipeline::default();
    let analyses: Vec<rhetor::output::Analysis> = files
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let raw = rhetor::semeval::text_article(p, text);
            let doc = pipeline.run(raw).ok()?;
            Some(rhetor::output::Analysis::new(&doc, Default::default()))
        })
        .collect();
    let groups = rhetor::compare::group_claims(&analyses);
    let mut n = 0;
    for g in &groups {
        for (i, j) in &g.conflicts {
            n += 1;
            let (a, b) = (&g.entries[*i], &g.entries[*j]);
            println!(
                "- [{}] {} ({}) vs {} ({})",
                g.key, a.claim.text, a.source, b.claim.text, b.source
            );
            println!("    {}", rhetor::compare::conflict_reason(g, *i, *j));
        }
    }
    println!("{n} conflicting pairs over {} articles", analyses.len());
}
