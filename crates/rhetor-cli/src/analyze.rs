//! `rhetor analyze`: inputs stream through the pipeline in parallel, at
//! most a bounded window of them in memory; output keeps input order; a bad
//! input is reported on stderr and the batch goes on.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;
use rhetor::ingest::{self, RawArticle, ReadOptions};
use rhetor::output::Analysis;
use rhetor::output::OutputOptions;
use rhetor::store::{Serialised, Store};
use rhetor::{Document, InputError, Pipeline};

use crate::AnalyzeArgs;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Human,
    Json,
    Jsonl,
    /// One line per document in a per-document export format.
    Lines(rhetor::export::ExportFormat),
    /// A whole-run export format, written at the end.
    Collect(rhetor::export::ExportFormat),
}

/// Built objects for one run.
struct HiArgs {
    inputs: Vec<Result<PathBuf, (PathBuf, InputError)>>,
    /// Pages to fetch, on the user's explicit request.
    urls: Vec<String>,
    fetcher: Option<crate::fetch::Fetcher>,
    mode: Mode,
    read: ReadOptions,
    output: OutputOptions,
    pipeline: Pipeline,
    store: Option<Store>,
    report: Option<PathBuf>,
}

impl HiArgs {
    fn from_low(low: AnalyzeArgs) -> anyhow::Result<Self> {
        if let Some(n) = low.threads {
            // Extractors recurse over HTML trees: give workers a large stack.
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .stack_size(64 << 20)
                .build_global()
                .context("cannot start worker threads")?;
        } else {
            rayon::ThreadPoolBuilder::new()
                .stack_size(64 << 20)
                .build_global()
                .context("cannot start worker threads")?;
        }
        let (url_args, paths): (Vec<PathBuf>, Vec<PathBuf>) = low
            .paths
            .iter()
            .cloned()
            .partition(|p| crate::fetch::is_url(&p.to_string_lossy()));
        let mut urls: Vec<String> = url_args
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if let Some(file) = &low.urls {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read --urls {}", file.display()))?;
            urls.extend(crate::fetch::urls_in(&text));
        }
        let inputs = ingest::expand_paths(&paths);
        let single = inputs.len() == 1
            && inputs[0].as_ref().is_ok_and(|p| {
                ingest::file_kind(p).is_some_and(|(k, _)| {
                    !matches!(k, ingest::FileKind::Jsonl | ingest::FileKind::Warc)
                })
            });
        use rhetor::export::ExportFormat;
        let mode = if let Some(f) = low.format {
            match f {
                f if f.streams() => Mode::Lines(f),
                ExportFormat::LabelStudio | ExportFormat::LabelStudioConfig | ExportFormat::WebAnno => {
                    Mode::Collect(f)
                }
                f => anyhow::bail!(
                    "--format {} is an export of a store: analyse, then `rhetor export --format {} --db …`",
                    f.as_str(),
                    f.as_str()
                ),
            }
        } else if low.jsonl || (low.json && !single) {
            Mode::Jsonl
        } else if low.json {
            Mode::Json
        } else {
            Mode::Human
        };
        Ok(HiArgs {
            fetcher: (!urls.is_empty()).then(|| crate::fetch::Fetcher::new(low.max_bytes)),
            urls,
            inputs,
            mode,
            read: ReadOptions {
                max_bytes: low.max_bytes,
            },
            output: OutputOptions { tokens: low.tokens },
            pipeline: crate::models::pipeline(crate::models::classifier(
                low.model.as_deref(),
                &low.tier,
            )?),
            store: if low.no_db {
                None
            } else {
                Some(Store::open(&low.db)?)
            },
            report: low.report,
        })
    }
}

/// One unit of work: an article to analyse, or an input that failed.
type Item = (String, Result<RawArticle, InputError>);

/// Runs the command; `Ok(false)` when some input failed.
pub fn run(low: AnalyzeArgs) -> anyhow::Result<bool> {
    let mut hi = HiArgs::from_low(low)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut ok = true;
    let read = hi.read;
    let known: HashSet<String> = match &hi.store {
        Some(store) => store.ids(&Default::default())?.into_iter().collect(),
        None => HashSet::new(),
    };
    // Storing runs on its own thread, overlapping the next chunk's analysis;
    // a read-only connection serves documents already stored.
    let reader = match &hi.store {
        Some(store) => Some(Store::open_read_only(store.location())?),
        None => None,
    };
    let (batches, writer) = match hi.store.take() {
        Some(store) => {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<String>, Vec<Serialised>)>(2);
            let handle = std::thread::spawn(move || store_batches(store, rx));
            (Some(tx), Some(handle))
        }
        None => (None, None),
    };
    let progress = progress_bar(hi.inputs.len() + hi.urls.len());
    // Fetched lazily, as the batch reaches them: one page in memory at a time
    // beside the chunk being analysed.
    let fetcher = hi.fetcher.take();
    let fetched = std::mem::take(&mut hi.urls)
        .into_iter()
        .filter_map(move |url| {
            let article = fetcher.as_ref()?.fetch(&url);
            Some((url, article))
        });
    let items = std::mem::take(&mut hi.inputs).into_iter().flat_map({
        let progress = progress.clone();
        move |input| -> Box<dyn Iterator<Item = Item> + Send> {
            progress.inc(1);
            match input {
                Err((path, e)) => Box::new(std::iter::once((path.display().to_string(), Err(e)))),
                Ok(path) => {
                    let name = path.display().to_string();
                    match ingest::open(&path, read) {
                        Err(e) => Box::new(std::iter::once((name, Err(e)))),
                        Ok(articles) => Box::new(articles.map(move |a| (name.clone(), a))),
                    }
                }
            }
        }
    });
    let storing = batches.is_some();
    // Inputs stream through the workers with no barrier between chunks (a
    // chunk waited for its slowest article while a core sat idle): each
    // result comes back with its input's rank and this thread prints them
    // in input order. At most `window` inputs are between reading and
    // printing, so memory stays bounded whatever the input.
    let window = rayon::current_num_threads() * 16;
    // Analyses go to the store in transactions of up to `batch_size`, or
    // what a second brought (the accurate tier stores as it goes). Each
    // commit rewrites every index page its rows touched: batches of 64
    // instead of 16, with the foreign-key checks left out of the insert,
    // took the fast tier's store run to 0.91× its wall time
    // (docs/BENCHMARKS.md); a killed run redoes at most 64.
    let batch_size = 64;
    let batch_age = std::time::Duration::from_secs(1);
    let mut batch_started = std::time::Instant::now();
    let gate = Window::new(window);
    let (results_tx, results_rx) =
        std::sync::mpsc::sync_channel::<(usize, String, Result<Outcome, InputError>)>(window);
    let mut seen: Vec<String> = Vec::new();
    let mut analysed = 0usize;
    let mut collected: Vec<Analysis> = Vec::new();
    let pipeline = &hi.pipeline;
    let (output, mode) = (hi.output, hi.mode);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (gate_ref, known) = (&gate, &known);
        scope.spawn(move || {
            items
                .chain(fetched)
                .enumerate()
                .take_while(|_| gate_ref.enter())
                .par_bridge()
                .for_each_with(results_tx, |tx, (rank, (name, raw))| {
                    let outcome =
                        raw.and_then(|r| analyse(r, pipeline, output, mode, known, storing));
                    // A send fails only when the printer stopped (an output
                    // error, reported below): the result is dropped.
                    let _ = tx.send((rank, name, outcome));
                });
        });
        // Whatever ends the printing, the reader must not wait for room.
        let _open = OpenOnDrop(&gate);
        let mut pending: BTreeMap<usize, (String, Result<Outcome, InputError>)> = BTreeMap::new();
        let mut next = 0usize;
        let mut batch: (Vec<String>, Vec<Serialised>) = Default::default();
        // Owned here: dropped when printing stops, so no worker waits to send.
        let results = results_rx;
        for (rank, name, outcome) in results {
            pending.insert(rank, (name, outcome));
            while let Some((name, result)) = pending.remove(&next) {
                next += 1;
                gate.leave();
                match result {
                    Ok(Outcome::New(doc, analysis, json)) => {
                        analysed += 1;
                        if matches!(mode, Mode::Collect(_)) {
                            collected.push((*analysis).clone());
                        }
                        match (&json, mode) {
                            (Some(line), Mode::Jsonl) => writeln!(out, "{line}")?,
                            _ => print_document(&mut out, &doc, &analysis, mode)?,
                        }
                        seen.push(analysis.id.clone());
                        if let Some(json) = json.filter(|_| storing) {
                            if batch.1.is_empty() {
                                batch_started = std::time::Instant::now();
                            }
                            batch.0.push(name);
                            batch.1.push(Serialised {
                                analysis: *analysis,
                                json,
                            });
                        }
                    }
                    Ok(Outcome::Stored(id, doc)) => {
                        analysed += 1;
                        // Already analysed: print what the store holds.
                        if let Some(store) = &reader {
                            match store.analysis(&id) {
                                Ok(Some(a)) => {
                                    print_stored(&mut out, &doc, &a, mode)?;
                                    if matches!(mode, Mode::Collect(_)) {
                                        collected.push(a);
                                    }
                                }
                                Ok(None) => {}
                                Err(e) => {
                                    ok = false;
                                    out.flush()?;
                                    progress.suspend(|| eprintln!("rhetor: {name}: {e}"));
                                }
                            }
                        }
                        seen.push(id);
                    }
                    Err(e) => {
                        ok = false;
                        out.flush()?;
                        progress.suspend(|| eprintln!("rhetor: {name}: {e}"));
                    }
                }
                if batch.1.len() >= batch_size
                    || (!batch.1.is_empty() && batch_started.elapsed() >= batch_age)
                {
                    send_batch(&batches, &mut batch);
                }
            }
        }
        send_batch(&batches, &mut batch);
        Ok(())
    })?;
    if let Mode::Collect(format) = hi.mode {
        use rhetor::export::{annotations, ExportFormat};
        let value = match format {
            ExportFormat::WebAnno => annotations::web_annotations(&collected),
            ExportFormat::LabelStudioConfig => {
                serde_json::Value::String(annotations::labelstudio_config())
            }
            _ => annotations::labelstudio_tasks(&collected),
        };
        match value {
            serde_json::Value::String(s) => write!(out, "{s}")?,
            v => writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?,
        }
    }
    out.flush()?;
    progress.finish_and_clear();
    drop(batches);
    let mut added = 0;
    if let Some(handle) = writer {
        let written = handle.join().map_err(|_| {
            anyhow::anyhow!("internal error: the store writer panicked, please report")
        })??;
        for (name, message) in &written.failed {
            ok = false;
            eprintln!("rhetor: {name}: not stored: internal error: {message}, please report");
        }
        hi.store = Some(written.store);
        added = written.added;
    }
    if let Some(store) = &hi.store {
        crate::note!(
            "rhetor: {analysed} articles analysed, {added} new in {} ({} in all)",
            store.location(),
            store.count()?
        );
    }
    if let Some(path) = &hi.report {
        let analyses: Vec<Analysis> = match &hi.store {
            Some(store) => seen
                .iter()
                .filter_map(|id| store.analysis(id).transpose())
                .collect::<Result<_, _>>()?,
            None => anyhow::bail!("--report needs the store (drop --no-db)"),
        };
        let html = rhetor::report::render_report(&analyses, "rhetor report");
        std::fs::write(path, html).with_context(|| format!("cannot write {}", path.display()))?;
        crate::note!(
            "rhetor: report of {} articles written to {}",
            analyses.len(),
            path.display()
        );
    }
    Ok(ok)
}

/// One input through the pipeline (on a worker thread), its analysis
/// serialised here for the store and for JSON Lines alike.
fn analyse(
    raw: RawArticle,
    pipeline: &Pipeline,
    output: OutputOptions,
    mode: Mode,
    known: &HashSet<String>,
    storing: bool,
) -> Result<Outcome, InputError> {
    let mut doc = rhetor::pipeline::load(raw)?;
    let id = doc.id();
    if known.contains(&id) {
        return Ok(Outcome::Stored(id, Box::new(doc)));
    }
    pipeline.enrich(&mut doc)?;
    let analysis =
        rhetor::contain::catch(|| Analysis::new(&doc, output)).map_err(InputError::Internal)?;
    let json = match (storing, mode) {
        (true, _) | (_, Mode::Jsonl) => Some(
            serde_json::to_string(&analysis).map_err(|e| InputError::Internal(e.to_string()))?,
        ),
        _ => None,
    };
    Ok(Outcome::New(Box::new(doc), Box::new(analysis), json))
}

/// Hands the analyses printed so far to the store writer (if there is one).
fn send_batch(
    writer: &Option<std::sync::mpsc::SyncSender<(Vec<String>, Vec<Serialised>)>>,
    batch: &mut (Vec<String>, Vec<Serialised>),
) {
    let full = std::mem::take(batch);
    if let Some(tx) = writer {
        if !full.1.is_empty() {
            // A failed send means the writer stopped; its error is reported
            // when it is joined.
            let _ = tx.send(full);
        }
    }
}

/// A counting gate: the reader enters before taking an input, the printer
/// leaves after printing one, and at most `capacity` are inside.
struct Window {
    state: std::sync::Mutex<(usize, bool)>,
    room: std::sync::Condvar,
    capacity: usize,
}

impl Window {
    fn new(capacity: usize) -> Self {
        Window {
            state: std::sync::Mutex::new((0, false)),
            room: std::sync::Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    /// Waits for room; `false` once the printer has stopped.
    fn enter(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        while state.0 >= self.capacity && !state.1 {
            state = match self.room.wait(state) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
        state.0 += 1;
        !state.1
    }

    fn leave(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = state.0.saturating_sub(1);
        }
        self.room.notify_one();
    }

    /// No more waiting: the printer has stopped.
    fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
        }
        self.room.notify_all();
    }
}

/// Closes the window when the printer's scope ends, however it ends.
struct OpenOnDrop<'a>(&'a Window);

impl Drop for OpenOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// What the store writer did with a run's batches.
struct Written {
    store: Store,
    added: usize,
    /// Articles whose rows could not be written (a contained panic).
    failed: Vec<(String, String)>,
}

/// The store writer: each batch in one transaction. Should writing a batch
/// panic, its articles are written one by one so that only the article at
/// fault is lost, and named.
fn store_batches(
    mut store: Store,
    batches: std::sync::mpsc::Receiver<(Vec<String>, Vec<Serialised>)>,
) -> Result<Written, rhetor::store::StoreError> {
    let mut added = 0;
    let mut failed = Vec::new();
    for (names, analyses) in batches {
        match rhetor::contain::catch(|| store.insert_serialised(&analyses)) {
            Ok(n) => added += n?,
            Err(_) => {
                for (name, analysis) in names.into_iter().zip(analyses) {
                    match rhetor::contain::catch(|| {
                        store.insert_serialised(std::slice::from_ref(&analysis))
                    }) {
                        Ok(n) => added += n?,
                        Err(message) => failed.push((name, message)),
                    }
                }
            }
        }
    }
    Ok(Written {
        store,
        added,
        failed,
    })
}

/// What happened to one article.
enum Outcome {
    /// Analysed, with its JSON when it is stored or printed as JSON Lines.
    New(Box<Document>, Box<Analysis>, Option<String>),
    /// Already in the store under this id (document loaded, not analysed).
    Stored(String, Box<Document>),
}

/// A progress bar on stderr, only when stderr is a terminal.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || len < 20 || !crate::chatty() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} inputs  {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

fn print_stored(
    out: &mut impl Write,
    doc: &Document,
    a: &Analysis,
    mode: Mode,
) -> anyhow::Result<()> {
    match mode {
        Mode::Human => writeln!(
            out,
            "── {} (already in the store: {})\n",
            doc.source.path, a.id
        )?,
        _ => print_document(out, doc, a, mode)?,
    }
    Ok(())
}

fn print_document(
    out: &mut impl Write,
    doc: &Document,
    analysis: &Analysis,
    mode: Mode,
) -> anyhow::Result<()> {
    match mode {
        Mode::Json => {
            serde_json::to_writer_pretty(&mut *out, analysis)?;
            writeln!(out)?;
        }
        Mode::Jsonl => {
            serde_json::to_writer(&mut *out, analysis)?;
            writeln!(out)?;
        }
        Mode::Human => print_human(out, doc)?,
        Mode::Lines(format) => writeln!(out, "{}", crate::store::document_line(format, analysis)?)?,
        Mode::Collect(_) => {}
    }
    Ok(())
}

fn print_human(out: &mut impl Write, doc: &Document) -> std::io::Result<()> {
    let source = match doc.source.record {
        Some(r) => format!("{} #{r}", doc.source.path),
        None => doc.source.path.clone(),
    };
    writeln!(out, "── {source}")?;
    if let Some(t) = doc.title {
        writeln!(out, "   title:    {}", doc.slice(t))?;
    }
    let author = doc
        .author
        .map(|a| doc.slice(a).to_string())
        .or_else(|| doc.declared.author.clone());
    if let Some(a) = author {
        writeln!(out, "   author:   {a}")?;
    }
    if let Some(p) = &doc.declared.published {
        writeln!(out, "   date:     {p}")?;
    }
    if let Some(l) = &doc.language {
        writeln!(out, "   language: {} ({:.2})", l.code, l.confidence)?;
    }
    if let Some(g) = doc.genre.first() {
        writeln!(
            out,
            "   genre:    {} ({:.2}; {} tier)",
            g.label, g.probability, doc.tier
        )?;
    }
    if !doc.frames.is_empty() {
        let frames: Vec<String> = doc
            .frames
            .iter()
            .map(|f| format!("{} ({:.2})", f.label, f.probability))
            .collect();
        writeln!(out, "   frames:   {}", frames.join(", "))?;
    }
    writeln!(
        out,
        "   {} paragraphs, {} sentences, {} words",
        doc.body().count(),
        doc.sentences.len(),
        doc.word_count()
    )?;
    if doc.techniques.iter().flatten().any(|h| !h.confident) {
        writeln!(
            out,
            "   techniques: ▸ confident, ? possible (below the label's precision ≥ 0.6 threshold)"
        )?;
    }
    for (i, block) in doc.blocks.iter().enumerate() {
        let text = doc.slice(block.span);
        let short: String = text.chars().take(90).collect();
        let ellipsis = if text.chars().count() > 90 { "…" } else { "" };
        let tag = match block.kind {
            rhetor::BlockKind::Title => "T",
            rhetor::BlockKind::Byline => "B",
            rhetor::BlockKind::Heading => "H",
            rhetor::BlockKind::Paragraph => "¶",
            rhetor::BlockKind::ListItem => "•",
            rhetor::BlockKind::Quote => "\"",
        };
        writeln!(out, "   {tag} {short}{ellipsis}")?;
        for hit in doc.techniques.get(i).into_iter().flatten() {
            let words: Vec<String> = hit
                .evidence
                .iter()
                .map(|&e| format!("«{}»", doc.slice(e)))
                .collect();
            // ▸ confident (cross-validated precision ≥ 0.6), ? possible.
            writeln!(
                out,
                "       {} {:<34} {:.2}  {}",
                if hit.confident { '▸' } else { '?' },
                hit.label,
                hit.probability,
                words.join(" ")
            )?;
        }
    }
    if !doc.sources.is_empty() {
        writeln!(out, "   sources:")?;
        for src in &doc.sources {
            let behind = match &src.state {
                Some(st) => format!(
                    " — {} ({}, {}; {})",
                    st.typology.label(),
                    st.owner,
                    st.country,
                    st.typology.code()
                ),
                None if src.kind.publishes() && src.credibility.is_none() => {
                    " — not in the lists".to_string()
                }
                None => String::new(),
            };
            let cred = src
                .credibility
                .as_ref()
                .map(|c| format!(" — CRED-1: {} ({:.2})", c.category.as_str(), c.score))
                .unwrap_or_default();
            let uses: Vec<&str> = src.uses.iter().map(|u| u.as_str()).collect();
            writeln!(
                out,
                "     @ {} [{}] {}{behind}{cred}",
                src.name,
                src.kind.label(),
                uses.join(", ")
            )?;
        }
    }
    let named: Vec<&rhetor::document::Entity> = doc
        .entities
        .iter()
        .filter(|e| e.mentions.len() > 1 || !e.portrayal.is_empty())
        .take(12)
        .collect();
    if !named.is_empty() {
        writeln!(out, "   named:")?;
        for e in named {
            let words: Vec<String> = e
                .portrayal
                .iter()
                .filter(|p| {
                    use rhetor::document::PortrayalKind as K;
                    matches!(p.kind, K::Epithet | K::Apposition | K::Predicate)
                })
                .take(3)
                .map(|p| format!("«{}»", doc.slice(p.span)))
                .collect();
            writeln!(
                out,
                "     ◆ {} [{}] ×{} {}",
                e.name,
                e.kind.as_str(),
                e.mentions.len(),
                words.join(" ")
            )?;
        }
    }
    if !doc.claims.is_empty() {
        writeln!(out, "   claims:")?;
        for c in &doc.claims {
            writeln!(out, "     # {}", describe_claim(doc, c))?;
        }
    }
    writeln!(out)
}

/// One line per claim: what, how many, when, says who.
pub fn describe_claim(doc: &Document, c: &rhetor::claims::Claim) -> String {
    let approx = rhetor::report::approx_symbol(c.approximation);
    let mut line = format!("{approx}{}", rhetor::report::number_text(c.value));
    if let Some(max) = c.value_max {
        line.push_str(&format!("–{}", rhetor::report::number_text(max)));
    }
    if let Some(u) = &c.unit {
        line.push_str(&format!(" {u}"));
    }
    if let Some(s) = c.subject {
        line.push_str(&format!(" {}", doc.slice(s)));
    }
    if let Some(p) = &c.per {
        line.push_str(&format!(" per {p}"));
    }
    if let Some(t) = &c.time {
        line.push_str(&format!("  [time: {}]", doc.slice(t.span)));
    }
    if let Some(h) = c.hedge {
        line.push_str(&format!("  [hedge: {}]", doc.slice(h)));
    }
    match &c.source {
        Some(s) => {
            line.push_str(&format!("  — source: {} ({:?}", doc.slice(s.span), s.kind));
            if let Some(o) = s.outlet {
                line.push_str(&format!(", in {}", doc.slice(o)));
            }
            line.push(')');
        }
        None => line.push_str("  — no source"),
    }
    line
}
