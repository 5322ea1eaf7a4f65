//! Commands over the store: `report`, `compare`, `export`.

use std::path::PathBuf;

use anyhow::Context;
use rhetor::output::Analysis;
use rhetor::store::Store;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
    /// Where the HTML goes.
    #[arg(short, long, default_value = "report.html")]
    pub output: PathBuf,
    /// Title of the report.
    #[arg(long, default_value = "rhetor report")]
    pub title: String,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// An article file, or the id (or id prefix) of a stored document.
    pub a: String,
    pub b: String,
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
    /// Directory of model files (default: embedded).
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub tier: crate::models::TierArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
    /// `jsonl`, `claims-csv`, `sources-csv`, `entities-csv`, `techniques-tsv`, `frames-tsv`,
    /// `genre-tsv`, `labelstudio`, `labelstudio-config`, `doccano`, `prodigy`,
    /// `webanno` (W3C Web Annotation JSON-LD), `brat` or `parquet` (directories, `-o`).
    #[arg(long, value_parser = export_format)]
    pub format: rhetor::export::ExportFormat,
    /// Output file (a directory for `brat`; default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

fn open_existing(location: &rhetor::store::StoreLocation) -> anyhow::Result<Store> {
    anyhow::ensure!(
        location.may_exist(),
        "{location}: no such store (run `rhetor analyze … --db {location}` first)"
    );
    Ok(match location {
        rhetor::store::StoreLocation::Sqlite(_) => Store::open(location)?,
        rhetor::store::StoreLocation::Postgres(_) => Store::open_read_only(location)?,
    })
}

pub fn report(a: ReportArgs) -> anyhow::Result<bool> {
    let store = open_existing(&a.db)?;
    let analyses = store.analyses()?;
    let html = rhetor::report::render_report(&analyses, &a.title);
    std::fs::write(&a.output, html)
        .with_context(|| format!("cannot write {}", a.output.display()))?;
    crate::note!(
        "rhetor: report of {} articles written to {}",
        analyses.len(),
        a.output.display()
    );
    Ok(true)
}

/// An article given as a path (analysed now) or a stored id (prefix).
/// `pipeline` is built on first use (only files need one).
fn resolve(
    arg: &str,
    store: Option<&Store>,
    pipeline: &mut Option<rhetor::Pipeline>,
    a: &CompareArgs,
) -> anyhow::Result<Analysis> {
    let path = std::path::Path::new(arg);
    if path.exists() {
        let built = match pipeline.take() {
            Some(p) => p,
            None => {
                crate::models::pipeline(crate::models::classifier(a.model.as_deref(), &a.tier)?)
            }
        };
        let pipeline = pipeline.insert(built);
        let mut articles = rhetor::ingest::open(path, Default::default())
            .map_err(|e| anyhow::anyhow!("{arg}: {e}"))?;
        let raw = articles
            .next()
            .ok_or_else(|| anyhow::anyhow!("{arg}: no article"))?
            .map_err(|e| anyhow::anyhow!("{arg}: {e}"))?;
        let doc = pipeline
            .run(raw)
            .map_err(|e| anyhow::anyhow!("{arg}: {e}"))?;
        return Ok(Analysis::new(&doc, Default::default()));
    }
    let store = store
        .ok_or_else(|| anyhow::anyhow!("{arg}: no such file, and no store to look the id up in"))?;
    let ids: Vec<String> = store
        .ids(&Default::default())?
        .into_iter()
        .filter(|id| id.starts_with(arg))
        .collect();
    match ids.as_slice() {
        [id] => store
            .analysis(id)?
            .ok_or_else(|| anyhow::anyhow!("{arg}: vanished from the store")),
        [] => anyhow::bail!("{arg}: no such file or stored document id"),
        _ => anyhow::bail!("{arg}: ambiguous id prefix ({} documents)", ids.len()),
    }
}

pub fn compare(a: CompareArgs) -> anyhow::Result<bool> {
    let store = if a.db.may_exist() {
        Some(open_existing(&a.db)?)
    } else {
        None
    };
    let mut pipeline = None;
    let left = resolve(&a.a, store.as_ref(), &mut pipeline, &a)?;
    let right = resolve(&a.b, store.as_ref(), &mut pipeline, &a)?;
    let c = rhetor::compare::compare(&left, &right);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(true);
    }
    println!(
        "A: {}  [{}]",
        c.a_label,
        c.a_genre.as_deref().unwrap_or("?")
    );
    println!(
        "B: {}  [{}]",
        c.b_label,
        c.b_genre.as_deref().unwrap_or("?")
    );
    println!("shared frames:   {}", c.shared_frames.join(", "));
    println!("only in A:       {}", c.only_a_frames.join(", "));
    println!("only in B:       {}", c.only_b_frames.join(", "));
    println!("shared terms:    {}", c.shared_terms.join(", "));
    println!("names in both:   {}", c.shared_names.join(", "));
    if !c.actors.is_empty() {
        println!("\nhow each names the same actors:");
        let words = |w: &[rhetor::store::PortrayalCount]| -> String {
            let v: Vec<&str> = w.iter().take(6).map(|p| p.text.as_str()).collect();
            if v.is_empty() {
                "—".to_string()
            } else {
                v.join(" · ")
            }
        };
        for x in &c.actors {
            println!("  {} ({})", x.name, x.kind);
            println!("    A ({} mentions): {}", x.a_mentions, words(&x.a_words));
            println!("    B ({} mentions): {}", x.b_mentions, words(&x.b_words));
        }
    }
    println!("\nfigures on the same things:");
    for g in &c.figures {
        println!(
            "  {}{}{}",
            g.key,
            g.per
                .as_ref()
                .map_or(String::new(), |p| format!(" per {p}")),
            if g.has_conflict() {
                "  ⚠ conflicting"
            } else {
                ""
            }
        );
        for e in &g.entries {
            let side = if e.doc_id == c.a { "A" } else { "B" };
            println!(
                "    {side}: {:<15} {:<16} {:<28} {}",
                e.claim.group.as_deref().unwrap_or("?"),
                rhetor::report::format_value(&e.claim),
                e.claim.subject.as_ref().map_or("", |s| s.text.as_str()),
                e.claim
                    .source
                    .as_ref()
                    .map_or("(no source)".to_string(), |s| format!("— {}", s.text))
            );
        }
    }
    for (name, p) in [("A", &c.a_profile), ("B", &c.b_profile)] {
        println!(
            "\ntechniques in {name} ({} words, {} paragraphs):",
            p.words, p.paragraphs
        );
        for (t, n) in p.dominant().into_iter().take(6) {
            println!(
                "  {:<34} {n:>3}  {:>5.1} per 1 000 words  {:>3.0}% of paragraphs",
                t,
                p.rate(&t),
                p.share(&t) * 100.0
            );
        }
    }
    Ok(true)
}

/// Parses an export format name (`--format`).
pub fn export_format(s: &str) -> Result<rhetor::export::ExportFormat, String> {
    rhetor::export::ExportFormat::parse(s).ok_or_else(|| {
        let names: Vec<&str> = rhetor::export::ExportFormat::ALL
            .iter()
            .map(|f| f.as_str())
            .collect();
        format!("unknown format {s:?}; one of {}", names.join(", "))
    })
}

/// One document in a per-document format (one line each).
pub fn document_line(format: rhetor::export::ExportFormat, a: &Analysis) -> anyhow::Result<String> {
    use rhetor::export::{annotations, ExportFormat};
    Ok(match format {
        ExportFormat::Doccano => serde_json::to_string(&annotations::doccano_line(a))?,
        ExportFormat::Prodigy => serde_json::to_string(&annotations::prodigy_line(a))?,
        _ => serde_json::to_string(a)?,
    })
}

pub fn export(a: ExportArgs) -> anyhow::Result<bool> {
    use rhetor::export::{annotations, brat, ExportFormat};
    if a.format == ExportFormat::LabelStudioConfig {
        return write_out(a.output.as_deref(), annotations::labelstudio_config());
    }
    let store = open_existing(&a.db)?;
    let text = match a.format {
        ExportFormat::ClaimsCsv => store.claims_csv()?,
        ExportFormat::SourcesCsv => store.sources_csv()?,
        ExportFormat::EntitiesCsv => store.entities_csv()?,
        ExportFormat::Jsonl | ExportFormat::Doccano | ExportFormat::Prodigy => {
            let mut s = String::new();
            for an in store.analyses()? {
                s.push_str(&document_line(a.format, &an)?);
                s.push('\n');
            }
            s
        }
        ExportFormat::LabelStudio => {
            serde_json::to_string_pretty(&annotations::labelstudio_tasks(&store.analyses()?))?
                + "\n"
        }
        ExportFormat::WebAnno => {
            serde_json::to_string_pretty(&annotations::web_annotations(&store.analyses()?))? + "\n"
        }
        ExportFormat::Brat => {
            let dir = a
                .output
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("--format brat writes a directory: give -o DIR"))?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let analyses = store.analyses()?;
            for an in &analyses {
                let (stem, txt, ann) = brat::article(an);
                std::fs::write(dir.join(format!("{stem}.txt")), txt)?;
                std::fs::write(dir.join(format!("{stem}.ann")), ann)?;
            }
            std::fs::write(dir.join("annotation.conf"), brat::annotation_conf())?;
            crate::note!(
                "rhetor: {} articles written to {} (brat standoff)",
                analyses.len(),
                dir.display()
            );
            return Ok(true);
        }
        ExportFormat::LabelStudioConfig => annotations::labelstudio_config(),
        ExportFormat::Parquet => {
            let dir = a.output.as_ref().ok_or_else(|| {
                anyhow::anyhow!("--format parquet writes a directory of tables: give -o DIR")
            })?;
            return parquet_tables(dir, &store.analyses()?);
        }
        task => {
            let task = task.as_str();
            let mut s = String::new();
            for an in store.analyses()? {
                let id = an.input_id.clone().unwrap_or_else(|| {
                    let stem = std::path::Path::new(&an.source.path)
                        .file_stem()
                        .and_then(|f| f.to_str())
                        .unwrap_or(&an.id)
                        .to_string();
                    stem.strip_prefix("article")
                        .map_or(stem.clone(), str::to_string)
                });
                match task {
                    "techniques-tsv" => {
                        for p in &an.paragraphs {
                            let line = p.line.unwrap_or(p.index + 1);
                            let mut names: Vec<&str> =
                                p.techniques.iter().map(|t| t.technique.as_str()).collect();
                            names.sort_unstable();
                            s.push_str(&format!("{id}\t{line}\t{}\n", names.join(",")));
                        }
                    }
                    "frames-tsv" => {
                        let names: Vec<&str> = an.frames.iter().map(|f| f.label.as_str()).collect();
                        s.push_str(&format!("{id}\t{}\n", names.join(",")));
                    }
                    _ => {
                        s.push_str(&format!(
                            "{id}\t{}\n",
                            an.genre.as_ref().map_or("opinion", |g| g.label.as_str())
                        ));
                    }
                }
            }
            s
        }
    };
    write_out(a.output.as_deref(), text)
}

fn write_out(output: Option<&std::path::Path>, text: String) -> anyhow::Result<bool> {
    match output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(true)
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
}

/// Prints `ok`, the schema version and the number of documents; exit 1 when
/// the integrity check fails.
pub fn check(a: CheckArgs) -> anyhow::Result<bool> {
    let store = open_existing(&a.db)?;
    let ok = store.integrity_ok()?;
    println!(
        "{}: integrity {}, schema version {}, {} documents",
        a.db,
        if ok { "ok" } else { "FAILED" },
        store.schema_version()?,
        store.count()?
    );
    Ok(ok)
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What to import: `labelstudio` (a Label Studio JSON export of tasks
    /// that `rhetor export --format labelstudio` made).
    #[arg(value_parser = ["labelstudio"])]
    pub kind: String,
    /// The exported file.
    pub file: PathBuf,
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
}

/// Reads annotated tasks back into the store as human corrections, kept
/// apart from the model's labels, with who and when.
pub fn import(a: ImportArgs) -> anyhow::Result<bool> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", a.file.display()))?;
    let tasks = rhetor::export::annotations::labelstudio_import(&value)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    let mut store = open_existing(&a.db)?;
    let (mut ok, mut stored, mut documents) = (true, 0usize, 0usize);
    for t in tasks {
        let Some(id) = t.doc_id.as_deref() else {
            ok = false;
            eprintln!(
                "rhetor: {}: task {}: no data.rhetor_id (was it exported by rhetor?)",
                a.file.display(),
                t.task
            );
            continue;
        };
        if store.analysis(id)?.is_none() {
            ok = false;
            eprintln!(
                "rhetor: {}: task {}: document {id} is not in {}",
                a.file.display(),
                t.task,
                a.db
            );
            continue;
        }
        if t.corrections.is_empty() {
            continue;
        }
        stored += store.replace_corrections(id, &t.corrections)?;
        documents += 1;
    }
    crate::note!(
        "rhetor: {stored} corrections of {documents} documents imported into {}",
        a.db
    );
    Ok(ok)
}

#[cfg(feature = "parquet")]
fn parquet_tables(dir: &std::path::Path, analyses: &[Analysis]) -> anyhow::Result<bool> {
    let written = rhetor::export::parquet::write_tables(dir, analyses)
        .map_err(|e| anyhow::anyhow!("parquet: {e}"))?;
    let tables: Vec<String> = written
        .iter()
        .map(|(t, n)| format!("{t} ({n} rows)"))
        .collect();
    crate::note!(
        "rhetor: Parquet tables written to {}: {}",
        dir.display(),
        tables.join(", ")
    );
    Ok(true)
}

#[cfg(not(feature = "parquet"))]
fn parquet_tables(_dir: &std::path::Path, _analyses: &[Analysis]) -> anyhow::Result<bool> {
    anyhow::bail!("this rhetor was built without Parquet support (cargo feature `parquet`)")
}
