//! Trains the name tagger (`rhetor train --ner DIR`) from the gold corpora
//! of `../shared/data/ner/<lang>/train*.tsv`: an averaged perceptron per
//! language, greedy over BIO tags (see `entities::tagger`), and its
//! entity-level F1 by cross-validation over the documents of the gold file
//! (`train.tsv`; the silver and OCR files only ever train).

use std::collections::HashMap;
use std::path::Path;

use crate::entities::tagger::{
    self, chunks, features, tag_index, views, LanguageHeader, LanguageTable, Tagger, N_TAGS,
};
use crate::error::ModelError;

/// The tagger's languages.
pub const LANGUAGES: [&str; 6] = ["fr", "en", "de", "it", "pl", "ru"];

/// One sentence: words and gold tag indices.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub words: Vec<String>,
    pub tags: Vec<usize>,
}

/// One corpus document.
#[derive(Debug, Clone)]
pub struct CorpusDoc {
    /// `source:id` as in the `# doc` line.
    pub id: String,
    /// The file it came from (`train.tsv`, `train.wikineural.tsv`…).
    pub file: String,
    pub sentences: Vec<Sentence>,
}

/// Parameters of the perceptron.
#[derive(Debug, Clone, Copy)]
pub struct NerOptions {
    pub bits: u32,
    pub vocab_bits: u32,
    pub epochs: usize,
    pub folds: usize,
    /// Train on the silver Wikipedia files too.
    pub silver: bool,
    /// Train on the raw-OCR Europeana files too.
    pub ocr: bool,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions {
            bits: 18,
            vocab_bits: 20,
            epochs: 6,
            folds: 5,
            silver: false,
            ocr: true,
        }
    }
}

/// Reads one `token<TAB>tag` file.
pub fn read_file(path: &Path) -> Result<Vec<CorpusDoc>, ModelError> {
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut docs: Vec<CorpusDoc> = Vec::new();
    let mut sentence = Sentence::default();
    let flush = |docs: &mut Vec<CorpusDoc>, s: &mut Sentence| {
        if !s.words.is_empty() {
            if docs.is_empty() {
                docs.push(CorpusDoc {
                    id: String::from("-"),
                    file: file.clone(),
                    sentences: Vec::new(),
                });
            }
            if let Some(d) = docs.last_mut() {
                d.sentences.push(std::mem::take(s));
            }
        }
    };
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("# doc ") {
            flush(&mut docs, &mut sentence);
            docs.push(CorpusDoc {
                id: id.trim().to_string(),
                file: file.clone(),
                sentences: Vec::new(),
            });
        } else if line.trim().is_empty() {
            flush(&mut docs, &mut sentence);
        } else if let Some((word, tag)) = line.rsplit_once('\t') {
            sentence.words.push(word.replace('\u{a0}', " "));
            sentence.tags.push(tag_index(tag.trim()));
        }
    }
    flush(&mut docs, &mut sentence);
    Ok(docs)
}

/// Every file of one language folder, gold first.
pub fn read_language(dir: &Path) -> Result<Vec<CorpusDoc>, ModelError> {
    let mut docs = read_file(&dir.join("train.tsv"))?;
    for extra in ["train.europeana.tsv", "train.wikineural.tsv"] {
        let p = dir.join(extra);
        if p.exists() {
            docs.extend(read_file(&p)?);
        }
    }
    Ok(docs)
}

/// Words common in lower case: seen in lower case at least twice, and at
/// least as often as capitalised away from a sentence start.
pub fn lower_vocab<'a>(sentences: impl Iterator<Item = &'a [String]>, bits: u32) -> Vec<u64> {
    let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
    for words in sentences {
        for (i, w) in words.iter().enumerate() {
            let Some(first) = w.chars().next() else {
                continue;
            };
            if !first.is_alphabetic() {
                continue;
            }
            if first.is_lowercase() {
                counts.entry(w.to_lowercase()).or_default().0 += 1;
            } else if i > 0 {
                counts.entry(w.to_lowercase()).or_default().1 += 1;
            }
        }
    }
    let mut set = vec![0u64; (1usize << bits) / 64];
    for (w, (low, cap)) in counts {
        if low >= 2 && low >= cap {
            let b = tagger::vocab_bit(&w, bits);
            set[b / 64] |= 1 << (b % 64);
        }
    }
    set
}

/// Plain words of the SemEval articles of a language, for the lower-case
/// vocabulary (news spelling the NER corpora may lack).
pub fn article_sentences(dir: &Path) -> Vec<Vec<String>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&p) {
            for s in crate::segment::split_sentences(&text, crate::Span::new(0, text.len())) {
                let words = crate::segment::tokenize(&text, s)
                    .iter()
                    .map(|t| text[t.span.start..t.span.end].to_string())
                    .collect();
                out.push(words);
            }
        }
    }
    out
}

/// An averaged perceptron under training.
struct Perceptron {
    bits: u32,
    weights: Vec<f32>,
    totals: Vec<f32>,
    stamps: Vec<u32>,
    clock: u32,
}

impl Perceptron {
    fn new(bits: u32) -> Self {
        let n = (1usize << bits) * N_TAGS;
        Perceptron {
            bits,
            weights: vec![0.0; n],
            totals: vec![0.0; n],
            stamps: vec![0; n],
            clock: 0,
        }
    }

    fn score(&self, feats: &[u32]) -> [f32; N_TAGS] {
        let mut s = [0f32; N_TAGS];
        for &f in feats {
            let row = &self.weights[f as usize * N_TAGS..(f as usize + 1) * N_TAGS];
            for (a, w) in s.iter_mut().zip(row) {
                *a += w;
            }
        }
        s
    }

    fn bump(&mut self, i: usize, delta: f32) {
        let elapsed = (self.clock - self.stamps[i]) as f32;
        self.totals[i] += elapsed * self.weights[i];
        self.stamps[i] = self.clock;
        self.weights[i] += delta;
    }

    /// One sentence: decode greedily, and on each wrong token move the
    /// weights towards the gold tag.
    fn learn(&mut self, s: &Sentence, vocab: &[u64], vocab_bits: u32) {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let v = views(&words, vocab, vocab_bits);
        let mut tags: Vec<usize> = Vec::with_capacity(v.len());
        let mut feats = Vec::with_capacity(32);
        for i in 0..v.len() {
            self.clock += 1;
            let prev = [
                i.checked_sub(1).map_or(0, |k| tags[k]),
                i.checked_sub(2).map_or(0, |k| tags[k]),
            ];
            features(&v, i, prev, self.bits, &mut feats);
            let sc = self.score(&feats);
            let guess = (0..N_TAGS)
                .filter(|&t| tagger::allowed(prev[0], t))
                .max_by(|&a, &b| sc[a].total_cmp(&sc[b]))
                .unwrap_or(0);
            let gold = s.tags[i];
            if guess != gold {
                for &f in &feats {
                    let base = f as usize * N_TAGS;
                    self.bump(base + gold, 1.0);
                    self.bump(base + guess, -1.0);
                }
            }
            tags.push(guess);
        }
    }

    fn averaged(mut self) -> Vec<f32> {
        let clock = self.clock.max(1) as f32;
        for i in 0..self.weights.len() {
            let elapsed = (self.clock - self.stamps[i]) as f32;
            self.totals[i] += elapsed * self.weights[i];
            self.weights[i] = self.totals[i] / clock;
        }
        self.weights
    }
}

/// Trains one language table on `sentences`.
pub fn fit(
    language: &str,
    sentences: &[&Sentence],
    vocab: Vec<u64>,
    opts: NerOptions,
) -> LanguageTable {
    let mut p = Perceptron::new(opts.bits);
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    let mut rng = super::Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &k in &order {
            p.learn(sentences[k], &vocab, opts.vocab_bits);
        }
    }
    let header = LanguageHeader {
        language: language.to_string(),
        bits: opts.bits,
        vocab_bits: opts.vocab_bits,
        cv_f1: None,
    };
    LanguageTable::quantise(header, &p.averaged(), vocab)
}

/// Entity-level counts (exact span and type).
#[derive(Debug, Clone, Copy, Default)]
pub struct EntityCounts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl EntityCounts {
    pub fn add(&mut self, gold: &[usize], guess: &[usize]) {
        self.tally(gold, guess, |_| true);
    }
    /// [`add`](Self::add) counting only the entities of type `ty` (1–4).
    pub fn add_type(&mut self, gold: &[usize], guess: &[usize], ty: usize) {
        self.tally(gold, guess, |t| t == ty);
    }
    fn tally(&mut self, gold: &[usize], guess: &[usize], keep: impl Fn(usize) -> bool) {
        let g: Vec<_> = chunks(gold).into_iter().filter(|c| keep(c.2)).collect();
        let p: Vec<_> = chunks(guess).into_iter().filter(|c| keep(c.2)).collect();
        let tp = p.iter().filter(|c| g.contains(c)).count();
        self.tp += tp;
        self.fp += p.len() - tp;
        self.fn_ += g.len() - tp;
    }
    pub fn f1(&self) -> f64 {
        super::f1(self.tp, self.fp, self.fn_)
    }
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

/// The index in `by_source` of the counts of the source a document id
/// names (`hipe2020:…` → `hipe2020`), added on first sight.
pub fn source_slot(by_source: &mut Vec<(String, EntityCounts)>, doc_id: &str) -> usize {
    let source = doc_id.split(':').next().unwrap_or("-");
    match by_source.iter().position(|(s, _)| s == source) {
        Some(i) => i,
        None => {
            by_source.push((source.to_string(), EntityCounts::default()));
            by_source.len() - 1
        }
    }
}

/// Cross-validated figures of one language.
#[derive(Debug, Clone)]
pub struct LanguageReport {
    pub language: String,
    /// Per gold source (`hipe2020`, `conll2003`…) and all together.
    pub by_source: Vec<(String, EntityCounts)>,
    pub all: EntityCounts,
    /// The same folds decoded as the entities stage decodes
    /// ([`LanguageTable::tag_names`]: lower-case tokens after `O` unscored).
    pub all_names: EntityCounts,
    pub train_sentences: usize,
}

fn usable(d: &CorpusDoc, opts: NerOptions) -> bool {
    match d.file.as_str() {
        "train.tsv" => true,
        "train.wikineural.tsv" => opts.silver,
        "train.europeana.tsv" => opts.ocr,
        _ => false,
    }
}

/// Cross-validates and trains one language: folds over the gold file's
/// documents; the final table is fitted on everything usable.
pub fn train_language(
    language: &str,
    dir: &Path,
    articles: &Path,
    opts: NerOptions,
) -> Result<(LanguageTable, LanguageReport), ModelError> {
    let docs = read_language(dir)?;
    let extra = article_sentences(articles);
    let vocab_for = |docs: &[&CorpusDoc]| {
        lower_vocab(
            docs.iter()
                .flat_map(|d| d.sentences.iter().map(|s| s.words.as_slice()))
                .chain(extra.iter().map(Vec::as_slice)),
            opts.vocab_bits,
        )
    };
    let usable_docs: Vec<&CorpusDoc> = docs.iter().filter(|d| usable(d, opts)).collect();
    let mut by_source: Vec<(String, EntityCounts)> = Vec::new();
    let mut all = EntityCounts::default();
    let mut all_names = EntityCounts::default();
    if opts.folds >= 2 {
        for fold in 0..opts.folds {
            let held =
                |d: &CorpusDoc| d.file == "train.tsv" && super::fold_of(&d.id, opts.folds) == fold;
            let train_docs: Vec<&CorpusDoc> =
                usable_docs.iter().copied().filter(|d| !held(d)).collect();
            let sentences: Vec<&Sentence> =
                train_docs.iter().flat_map(|d| d.sentences.iter()).collect();
            let table = fit(language, &sentences, vocab_for(&train_docs), opts);
            for d in docs.iter().filter(|d| held(d)) {
                let slot = source_slot(&mut by_source, &d.id);
                for s in &d.sentences {
                    let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
                    let guess = table.tag(&words);
                    by_source[slot].1.add(&s.tags, &guess);
                    all.add(&s.tags, &guess);
                    all_names.add(&s.tags, &table.tag_names(&words));
                }
            }
        }
    }
    let sentences: Vec<&Sentence> = usable_docs
        .iter()
        .flat_map(|d| d.sentences.iter())
        .collect();
    let mut table = fit(language, &sentences, vocab_for(&usable_docs), opts);
    if opts.folds >= 2 {
        table.header.cv_f1 = Some((all.f1() * 1000.0).round() / 1000.0);
    }
    Ok((
        table,
        LanguageReport {
            language: language.to_string(),
            by_source,
            all,
            all_names,
            train_sentences: sentences.len(),
        },
    ))
}

/// Trains every language found under `ner` (articles for the vocabulary
/// from `semeval/<lang>/train`); returns the tagger and the reports.
pub fn train(
    ner: &Path,
    semeval: Option<&Path>,
    opts: NerOptions,
    progress: &dyn Fn(&LanguageReport),
) -> Result<(Tagger, Vec<LanguageReport>), ModelError> {
    let mut tables = Vec::new();
    let mut reports = Vec::new();
    for lang in LANGUAGES {
        let dir = ner.join(lang);
        if !dir.join("train.tsv").exists() {
            continue;
        }
        let articles = semeval
            .map(|s| s.join(lang).join("train"))
            .unwrap_or_default();
        let (table, report) = train_language(lang, &dir, &articles, opts)?;
        progress(&report);
        tables.push(table);
        reports.push(report);
    }
    if tables.is_empty() {
        return Err(ModelError::Invalid {
            path: ner.display().to_string(),
            reason: "no <lang>/train.tsv found".into(),
        });
    }
    let provenance = format!(
        "averaged perceptron, greedy BIO; {} epochs, 2^{} buckets, lower-case vocabulary 2^{} bits; gold train.tsv{}{} of {}; vocabulary also from the SemEval-2023 Task 3 training articles",
        opts.epochs,
        opts.bits,
        opts.vocab_bits,
        if opts.silver { " + silver WikiNEuRal" } else { "" },
        if opts.ocr { " + Europeana OCR" } else { "" },
        ner.display()
    );
    Ok((Tagger { provenance, tables }, reports))
}

/// The Markdown table of the reports.
pub fn report_table(reports: &[LanguageReport]) -> String {
    let mut out = String::from(
        "| language | gold source | entities (gold) | precision | recall | F1 | F1, the stage's decoding |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    for r in reports {
        for (source, c) in &r.by_source {
            out.push_str(&format!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.3} | |\n",
                r.language,
                source,
                c.tp + c.fn_,
                c.precision(),
                c.recall(),
                c.f1()
            ));
        }
        out.push_str(&format!(
            "| **{}** | all gold | {} | {:.3} | {:.3} | **{:.3}** | {:.3} |\n",
            r.language,
            r.all.tp + r.all.fn_,
            r.all.precision(),
            r.all.recall(),
            r.all.f1(),
            r.all_names.f1()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_names_from_a_toy_corpus() {
        let mk = |words: &str, tags: &str| Sentence {
            words: words.split(' ').map(String::from).collect(),
            tags: tags.split(' ').map(tag_index).collect(),
        };
        let data = vec![
            mk("Poutine a parlé à Moscou", "B-PER O O O B-LOC"),
            mk("le président Macron est à Paris", "O O B-PER O O B-LOC"),
            mk("Car il pleut", "O O O"),
            mk("il a vu Macron hier", "O O O B-PER O"),
            mk("Moscou et Paris", "B-LOC O B-LOC"),
        ];
        let refs: Vec<&Sentence> = data.iter().collect();
        let words = data.iter().map(|s| s.words.as_slice());
        let opts = NerOptions {
            bits: 12,
            vocab_bits: 10,
            epochs: 8,
            ..NerOptions::default()
        };
        let table = fit("fr", &refs, lower_vocab(words, 10), opts);
        assert_eq!(
            table.tag(&["Macron", "a", "parlé", "à", "Moscou"]),
            vec![1, 0, 0, 0, 5]
        );
        let mut c = EntityCounts::default();
        for s in &data {
            let w: Vec<&str> = s.words.iter().map(String::as_str).collect();
            c.add(&s.tags, &table.tag(&w));
        }
        assert!(c.f1() > 0.9, "{}", c.f1());
    }
}
