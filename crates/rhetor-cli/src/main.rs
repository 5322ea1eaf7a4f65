//! `rhetor`: a thin binary over the `rhetor` library. Flags are parsed into
//! `LowArgs` (clap), then turned into built objects (`HiArgs`) that the
//! commands run with. Exit codes: 0 all good, 1 some input failed, 2 usage.

mod analyze;
mod bench;
mod install;
mod models;
mod numbers;
mod queue;
mod serve;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Shows how news and opinion articles argue, offline.
#[derive(Debug, Parser)]
#[command(
    name = "rhetor",
    version,
    about = "Shows how news and opinion articles argue, offline: techniques, frames, genre, numeric claims and their sources."
)]
struct LowArgs {
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
    /// Check a store: integrity, schema version, counts.
    Check(store::CheckArgs),
    /// Serve the web app and JSON API over a store.
    Serve(serve::ServeArgs),
    /// Find numbers in each line of standard input (one JSON array per line).
    Numbers(numbers::NumbersArgs),
    /// Measure throughput on a folder of articles (e.g. the SemEval training set).
    Bench(bench::BenchArgs),
    /// Train the technique, frame, genre and evidence models (SemEval data).
    Train(models::TrainArgs),
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
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Files or directories (searched recursively); `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print the analysis as JSON (one document) or JSONL (several).
    #[arg(long)]
    pub json: bool,
    /// Print one JSON document per line, even for a single input.
    #[arg(long, conflicts_with = "json")]
    pub jsonl: bool,
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
        Command::Report(a) => store::report(a),
        Command::Compare(a) => store::compare(a),
        Command::Export(a) => store::export(a),
        Command::Check(a) => store::check(a),
        Command::Serve(a) => serve::run(a),
        Command::Train(a) => models::train(a),
        Command::Eval(a) => models::eval(a),
        Command::Semeval(a) => models::semeval(a),
        Command::Models(a) => install::run(a),
        Command::Queue(a) => queue::run(a),
        Command::Worker(a) => queue::worker(a),
    }
}
