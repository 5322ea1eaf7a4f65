//! `rhetor queue add|status` and `rhetor worker`: ingest spread over
//! machines through a PostgreSQL store (see `rhetor::store::queue`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use rayon::prelude::*;
use rhetor::ingest::{self, ReadOptions};
use rhetor::output::Analysis;
use rhetor::store::postgres::PgStore;
use rhetor::store::queue::{Claimed, Outcome};
use rhetor::store::{Store, StoreLocation};

#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    #[command(subcommand)]
    pub command: QueueCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// Queue files and directories for the workers (stored compressed in
    /// the database, deduplicated by content).
    Add(QueueAddArgs),
    /// Pending, running, done and failed work, with the failures' reasons.
    Status(QueueStatusArgs),
}

#[derive(Debug, clap::Args)]
pub struct QueueAddArgs {
    /// Files or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The PostgreSQL store (`postgres://…`).
    #[arg(long, env = "RHETOR_DB")]
    pub db: StoreLocation,
    /// Inputs per batch (what one worker claims at a time).
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    /// Largest input accepted, in bytes.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_bytes: u64,
}

#[derive(Debug, clap::Args)]
pub struct QueueStatusArgs {
    #[arg(long, env = "RHETOR_DB")]
    pub db: StoreLocation,
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The PostgreSQL store (`postgres://…`).
    #[arg(long, env = "RHETOR_DB")]
    pub db: StoreLocation,
    /// Stop when no work is left (after waiting for batches other workers
    /// hold, which come back if their lease expires).
    #[arg(long)]
    pub until_empty: bool,
    /// How long a claimed batch stays this worker's, in seconds; a batch
    /// whose worker dies is claimable again after it.
    #[arg(long, default_value_t = 300)]
    pub lease: u64,
    /// Directory of model files (default: the embedded models).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// A name for this worker in the queue (default: host and process id).
    #[arg(long)]
    pub name: Option<String>,
    /// Largest input accepted, in bytes.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_bytes: u64,
    #[command(flatten)]
    pub tier: crate::models::TierArgs,
}

/// The PostgreSQL store behind `location`, or a clear refusal.
fn postgres_store(location: &StoreLocation) -> anyhow::Result<Store> {
    anyhow::ensure!(
        matches!(location, StoreLocation::Postgres(_)),
        "{location}: the queue lives in a PostgreSQL store (--db postgres://…); with SQLite, run `rhetor analyze` directly"
    );
    Ok(Store::open(location)?)
}

fn pg(store: &mut Store) -> anyhow::Result<&mut PgStore> {
    store
        .postgres()
        .ok_or_else(|| anyhow::anyhow!("not a PostgreSQL store"))
}

pub fn run(a: QueueArgs) -> anyhow::Result<bool> {
    match a.command {
        QueueCommand::Add(a) => add(a),
        QueueCommand::Status(a) => status(a),
    }
}

fn add(a: QueueAddArgs) -> anyhow::Result<bool> {
    let mut store = postgres_store(&a.db)?;
    let mut ok = true;
    let mut inputs = Vec::new();
    for input in ingest::expand_paths(&a.paths) {
        match input {
            Err((path, e)) => {
                ok = false;
                eprintln!("rhetor: {}: {e}", path.display());
            }
            Ok(path) => match read_limited(&path, a.max_bytes) {
                Ok(bytes) => inputs.push((path.display().to_string(), bytes)),
                Err(e) => {
                    ok = false;
                    eprintln!("rhetor: {}: {e}", path.display());
                }
            },
        }
    }
    let added = pg(&mut store)?.queue_add(&inputs, a.batch)?;
    crate::note!(
        "rhetor: queued {} inputs in {} batches in {} ({} already queued)",
        added.items,
        added.batches,
        a.db,
        added.duplicates
    );
    Ok(ok)
}

fn read_limited(path: &std::path::Path, max: u64) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    anyhow::ensure!(
        bytes.len() as u64 <= max,
        "too large: over {max} bytes (--max-bytes)"
    );
    Ok(bytes)
}

fn status(a: QueueStatusArgs) -> anyhow::Result<bool> {
    let mut store = postgres_store(&a.db)?;
    let s = pg(&mut store)?.queue_status()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(true);
    }
    println!(
        "batches: {} pending, {} running, {} with an expired lease, {} done",
        s.batches_pending, s.batches_running, s.batches_expired, s.batches_done
    );
    println!(
        "inputs:  {} pending, {} done, {} failed; {} documents analysed",
        s.items_pending, s.items_done, s.items_failed, s.documents
    );
    for (name, reason) in &s.failures {
        println!("  failed: {name}: {reason}");
    }
    Ok(true)
}

/// Analyses one queued input: every article of it, each contained.
fn analyse_input(
    pipeline: &rhetor::Pipeline,
    name: &str,
    bytes: Vec<u8>,
    max_bytes: u64,
) -> Outcome {
    let articles = match ingest::open_bytes(name, bytes, ReadOptions { max_bytes }) {
        Ok(a) => a,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut analyses: Vec<Analysis> = Vec::new();
    let mut errors = Vec::new();
    for article in articles {
        let result = article.and_then(|raw| {
            let doc = pipeline.run(raw)?;
            rhetor::contain::catch(|| Analysis::new(&doc, Default::default()))
                .map_err(rhetor::InputError::Internal)
        });
        match result {
            Ok(a) => analyses.push(a),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if analyses.is_empty() {
        Outcome::Failed(errors.join("; "))
    } else {
        Outcome::Analysed { analyses, errors }
    }
}

pub fn worker(a: WorkerArgs) -> anyhow::Result<bool> {
    if let Some(n) = a.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .stack_size(64 << 20)
            .build_global()
            .context("cannot start worker threads")?;
    }
    let mut store = postgres_store(&a.db)?;
    let pipeline = crate::models::pipeline(crate::models::classifier(a.model.as_deref(), &a.tier)?);
    let name = a.name.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".into());
        format!("{host}:{}", std::process::id())
    });
    let lease = Duration::from_secs(a.lease.max(1));
    let pg = pg(&mut store)?;
    pg.queue_listen()?;
    let (mut batches, mut documents, mut failed) = (0usize, 0usize, 0usize);
    let started = Instant::now();
    loop {
        match pg.queue_claim(&name, lease, a.max_bytes)? {
            Some(claimed) => {
                let outcomes = analyse_batch(&pipeline, &claimed, a.max_bytes);
                for (item, (_, outcome)) in claimed.items.iter().zip(&outcomes) {
                    match outcome {
                        Outcome::Failed(reason) => {
                            failed += 1;
                            eprintln!("rhetor: {}: {reason}", item.name);
                        }
                        Outcome::Analysed { analyses, errors } => {
                            documents += analyses.len();
                            for e in errors {
                                eprintln!("rhetor: {}: {e}", item.name);
                            }
                        }
                    }
                }
                if pg.queue_complete(&name, &claimed, &outcomes)? {
                    batches += 1;
                } else {
                    eprintln!(
                        "rhetor: batch {} was taken over after its lease expired; its results were not written (the other worker writes them)",
                        claimed.batch
                    );
                }
            }
            None => {
                let (claimable, running, next_expiry) = pg.queue_outstanding()?;
                if claimable > 0 {
                    continue;
                }
                if a.until_empty && running == 0 {
                    break;
                }
                // Sleep until new work is notified, or a held lease may
                // have expired.
                let wait = if running > 0 {
                    Duration::from_secs_f64(next_expiry.clamp(0.2, 5.0))
                } else {
                    Duration::from_secs(5)
                };
                pg.queue_wait(wait)?;
            }
        }
    }
    crate::note!(
        "rhetor: worker {name}: {batches} batches, {documents} documents in {:.1} s; {failed} inputs failed",
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

/// The batch's inputs analysed in parallel, in their order.
fn analyse_batch(
    pipeline: &rhetor::Pipeline,
    claimed: &Claimed,
    max_bytes: u64,
) -> Vec<(String, Outcome)> {
    claimed
        .items
        .par_iter()
        .map(|item| {
            (
                item.hash.clone(),
                analyse_input(pipeline, &item.name, item.bytes.clone(), max_bytes),
            )
        })
        .collect()
}
