//! `rhetor ner FILE…`: the name tagger over token files in the NER corpora's
//! format (`token<TAB>tag`, a blank line after each sentence, `# doc` lines).
//! It prints the files back with the predicted tags, or with `--eval` the
//! entity-level precision, recall and F1 against the tags in the files
//! (exact span and type, CoNLL style), per source, per type and overall.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rhetor::entities::tagger::{LanguageTable, Tagger, TAGS};
use rhetor::train::ner::{self, CorpusDoc, EntityCounts};

#[derive(Debug, clap::Args)]
pub struct NerArgs {
    /// Token files (`token<TAB>tag` per line, as in ../shared/data/ner).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Language of the files (default: the name of the folder holding the
    /// first file, when it is one of fr en de it pl ru).
    #[arg(long, value_parser = ner::LANGUAGES)]
    pub lang: Option<String>,
    /// Score the predictions against the files' tags instead of printing them.
    #[arg(long)]
    pub eval: bool,
    /// Directory holding an `entities.bin` to use instead of the embedded one.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// What the command works with once the arguments are checked.
struct HiArgs {
    files: Vec<PathBuf>,
    table: LanguageTable,
    eval: bool,
}

impl HiArgs {
    fn from_low(low: NerArgs) -> anyhow::Result<HiArgs> {
        let lang = match low.lang {
            Some(l) => l,
            None => language_of_folder(&low.files[0]).with_context(|| {
                format!(
                    "{}: cannot tell the language from the folder; give --lang",
                    low.files[0].display()
                )
            })?,
        };
        // The embedded tagger is borrowed: only the one table is copied.
        let loaded;
        let tagger: &Tagger = match &low.model {
            Some(dir) => {
                let path = dir.join("entities.bin");
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                loaded = Tagger::from_bytes(&bytes, &path.display().to_string())?;
                &loaded
            }
            None => rhetor::entities::TAGGER
                .as_ref()
                .context("the embedded name tagger did not load")?,
        };
        let table = tagger
            .table(&lang)
            .cloned()
            .with_context(|| format!("the name tagger has no table for {lang}"))?;
        Ok(HiArgs {
            files: low.files,
            table,
            eval: low.eval,
        })
    }
}

/// The language code a corpus folder is named after (`…/fr/train.tsv`).
fn language_of_folder(path: &Path) -> Option<String> {
    let dir = path.parent()?.file_name()?.to_str()?;
    ner::LANGUAGES.contains(&dir).then(|| dir.to_string())
}

pub fn run(low: NerArgs) -> anyhow::Result<bool> {
    let hi = HiArgs::from_low(low)?;
    let mut ok = true;
    let mut docs: Vec<CorpusDoc> = Vec::new();
    for path in &hi.files {
        match ner::read_file(path) {
            Ok(d) => docs.extend(d),
            Err(e) => {
                eprintln!("rhetor: {e}");
                ok = false;
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if hi.eval {
        let report = score(&hi.table, &docs);
        write!(out, "{report}")?;
    } else {
        for d in &docs {
            writeln!(out, "# doc {}", d.id)?;
            for s in &d.sentences {
                let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
                for (w, t) in words.iter().zip(hi.table.tag(&words)) {
                    // The corpora write a space inside a token as U+00A0.
                    writeln!(out, "{}\t{}", w.replace(' ', "\u{a0}"), TAGS[t])?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(ok)
}

/// The entity types in report order (tag type 1–4).
const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// The Markdown table of entity-level scores: per source, per type, overall.
fn score(table: &LanguageTable, docs: &[CorpusDoc]) -> String {
    let mut by_source: Vec<(String, EntityCounts)> = Vec::new();
    let mut by_type = [EntityCounts::default(); 4];
    let mut all = EntityCounts::default();
    for d in docs {
        let slot = ner::source_slot(&mut by_source, &d.id);
        for s in &d.sentences {
            let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
            let guess = table.tag(&words);
            by_source[slot].1.add(&s.tags, &guess);
            all.add(&s.tags, &guess);
            for (ty, counts) in by_type.iter_mut().enumerate() {
                counts.add_type(&s.tags, &guess, ty + 1);
            }
        }
    }
    let mut out = String::from(
        "| part | entities (gold) | precision | recall | F1 |\n|---|---:|---:|---:|---:|\n",
    );
    let mut row = |name: &str, c: &EntityCounts| {
        out.push_str(&format!(
            "| {name} | {} | {:.3} | {:.3} | {:.3} |\n",
            c.tp + c.fn_,
            c.precision(),
            c.recall(),
            c.f1()
        ));
    };
    for (source, c) in &by_source {
        row(source, c);
    }
    for (name, c) in TYPES.iter().zip(&by_type) {
        row(name, c);
    }
    row("**all**", &all);
    out
}
