//! `rhetor`: a thin binary over the `rhetor` library. Flags are parsed into
//! `LowArgs` (clap), then turned into built objects (`HiArgs`) that the
//! commands run with. Exit codes: 0 all good, 1 some input failed, 2 usage.

mod analyze;
mod bench;
mod fetch;
mod install;
mod models;
mod ner;
mod numbers;
mod queue;
mod serve;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{CommandFactory, Parser, Subcommand};

/// `-q`: informational lines on stderr are not printed (errors still are).
static QUIET: AtomicBool = AtomicBool::new(false);

/// True unless `-q/--quiet` was given.
pub fn chatty() -> bool {
    !QUIET.load(Ordering::Relaxed)
}

/// An informational line on stderr, silenced by `-q`.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {
        if $crate::chatty() {
            eprintln!($($arg)*);
        }
    };
}

/// Shows how news and opinion articles argue, offline.
#[derive(Debug, Parser)]
#[command(
    name = "rhetor",
    version,
    about = "Shows how news and opinion articles argue, offline: techniques, frames, genre, numeric claims and their sources."
)]
struct LowArgs {
    /// Print only errors on stderr (no tier line, summaries or notes).
    /// rhetor prints no colours; `NO_COLOR` is honoured all the same.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse articles (files, directories, `-` for stdin).
    Analyze(AnalyzeArgs),
    /// Write the HTML report of everything in a store.
    Report(store::ReportArgs),
    /// Compare two articles (files, or ids in the store).
    Compare(store::CompareArgs),
    /// Export a store: JSONL, claims CSV, or the SemEval TSV formats.
    Export(store::ExportArgs),
    /// Import human corrections (a Label Studio export) into a store.
    Import(store::ImportArgs),
    /// Check a store: integrity, schema version, counts.
    Check(store::CheckArgs),
    /// Serve the web app and JSON API over a store.
    Serve(serve::ServeArgs),
    /// Find numbers in each line of standard input (one JSON array per line).
    Numbers(numbers::NumbersArgs),
    /// Tag names in token files (the NER corpora's format), or score the tagger on them.
    Ner(ner::NerArgs),
    /// Measure throughput on a folder of articles (e.g. the SemEval training set).
    Bench(bench::BenchArgs),
    /// Train the technique, frame, genre and evidence models (SemEval data).
    Train(Box<models::TrainArgs>),
    /// Cross-validate the models and print scores per language and label.
    Eval(models::EvalArgs),
    /// Install the accurate tier's encoder weights, or show what is installed.
    Models(install::ModelsArgs),
    /// Print predictions in the SemEval-2023 Task 3 formats.
    Semeval(models::SemevalArgs),
    /// Queue inputs in a PostgreSQL store for workers on any number of machines.
    Queue(queue::QueueArgs),
    /// Analyse queued inputs from a PostgreSQL store (run one per machine).
    Worker(queue::WorkerArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), from the same definitions as --help.
    Man,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Files or directories (searched recursively), `http(s)://` URLs to
    /// fetch, or `-` for standard input.
    #[arg(required_unless_present = "urls")]
    pub paths: Vec<PathBuf>,
    /// A file of URLs to fetch and analyse, one per line (`#` comments).
    #[arg(long)]
    pub urls: Option<PathBuf>,
    /// Print the analysis as JSON (one document) or JSONL (several).
    #[arg(long)]
    pub json: bool,
    /// Print one JSON document per line, even for a single input.
    #[arg(long, conflicts_with = "json")]
    pub jsonl: bool,
    /// Print in an export format instead (`rhetor export`'s names): jsonl,
    /// doccano, prodigy, labelstudio, labelstudio-config or webanno.
    #[arg(long, value_parser = store::export_format, conflicts_with_all = ["json", "jsonl"])]
    pub format: Option<rhetor::export::ExportFormat>,
    /// Include every token (offsets and kind) in the JSON.
    #[arg(long)]
    pub tokens: bool,
    /// Largest article accepted, in bytes (file, JSONL line or WARC record).
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_bytes: u64,
    /// The store analyses are kept in: a SQLite file (created when missing)
    /// or a `postgres://` URL.
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
    /// Do not store anything (print only).
    #[arg(long, conflicts_with = "db")]
    pub no_db: bool,
    /// Also write a self-contained HTML report of the analysed articles.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Directory of model files (default: the models embedded in rhetor).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub tier: models::TierArgs,
}

fn main() -> ExitCode {
    let args = LowArgs::parse();
    QUIET.store(args.quiet, Ordering::Relaxed);
    // Panics are contained per document or request and reported in one
    // line each; the hook records where they happened instead of printing.
    rhetor::contain::install_quiet_hook();
    let result = rhetor::contain::catch(|| run(args.command))
        .unwrap_or_else(|message| Err(anyhow::anyhow!("internal error: {message}, please report")));
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("rhetor: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> anyhow::Result<bool> {
    match command {
        Command::Analyze(a) => analyze::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Numbers(a) => numbers::run(a),
        Command::Ner(a) => ner::run(a),
        Command::Report(a) => store::report(a),
        Command::Compare(a) => store::compare(a),
        Command::Export(a) => store::export(a),
        Command::Check(a) => store::check(a),
        Command::Import(a) => store::import(a),
        Command::Serve(a) => serve::run(a),
        Command::Train(a) => models::train(*a),
        Command::Eval(a) => models::eval(a),
        Command::Semeval(a) => models::semeval(a),
        Command::Models(a) => install::run(a),
        Command::Queue(a) => queue::run(a),
        Command::Worker(a) => queue::worker(a),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut LowArgs::command(),
                "rhetor",
                &mut std::io::stdout(),
            );
            Ok(true)
        }
        Command::Man => {
            clap_mangen::Man::new(LowArgs::command()).render(&mut std::io::stdout())?;
            Ok(true)
        }
    }
}
