//! Ingest spread over machines, on the PostgreSQL store itself.
//!
//! `rhetor queue add` stores raw inputs (gzip-compressed, deduplicated by
//! the SHA-256 of their bytes) in batches of pending work. `rhetor worker`,
//! on any number of machines, claims the oldest claimable batch with
//! `FOR UPDATE SKIP LOCKED` under a lease, analyses it, and in one
//! transaction writes the analyses and marks every item done or failed
//! (with its reason) and the batch done — only if it still holds the lease.
//! A batch whose lease expired (its worker was killed) is claimable again;
//! documents are keyed by content hash, so nothing is stored twice.
//! `NOTIFY rhetor_queue` wakes idle workers when work is added.

use std::io::{Read, Write};
use std::time::Duration;

use ::postgres::Transaction;
use sha2::{Digest, Sha256};

use super::postgres::{insert_in, PgStore};
use super::StoreError;
use crate::output::Analysis;

/// The notification channel workers listen on.
pub const CHANNEL: &str = "rhetor_queue";

/// Creates the queue's tables if missing (run with the store's migrations).
pub(super) fn create_tables(tx: &mut Transaction<'_>) -> Result<(), ::postgres::Error> {
    // Only when missing: even `CREATE INDEX IF NOT EXISTS` takes a SHARE lock
    // on its table first, which would deadlock with workers writing there.
    let exists: bool = tx
        .query_one("SELECT to_regclass('queue_items') IS NOT NULL AND to_regclass('queue_batches') IS NOT NULL", &[])?
        .get(0);
    if exists {
        return Ok(());
    }
    tx.batch_execute(
        r#"
        CREATE TABLE IF NOT EXISTS queue_batches (
            id BIGSERIAL PRIMARY KEY,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done')),
            worker TEXT,
            lease_until TIMESTAMPTZ,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            finished_at TIMESTAMPTZ
        );
        CREATE INDEX IF NOT EXISTS queue_batches_open ON queue_batches (id) WHERE state <> 'done';
        CREATE TABLE IF NOT EXISTS queue_items (
            hash TEXT PRIMARY KEY,
            batch_id BIGINT NOT NULL REFERENCES queue_batches(id),
            name TEXT NOT NULL,
            data BYTEA NOT NULL,
            bytes BIGINT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
            error TEXT,
            documents INTEGER
        );
        CREATE INDEX IF NOT EXISTS queue_items_by_batch ON queue_items (batch_id);
        "#,
    )
}

/// What `add` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added {
    pub items: usize,
    /// Inputs already queued (same bytes), skipped.
    pub duplicates: usize,
    pub batches: usize,
}

/// A claimed batch.
#[derive(Debug)]
pub struct Claimed {
    pub batch: i64,
    pub items: Vec<QueuedInput>,
}

/// One queued input, decompressed.
#[derive(Debug)]
pub struct QueuedInput {
    pub hash: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What became of one input.
pub enum Outcome {
    /// Its analyses (a container file may hold several articles); some of
    /// its records may have failed, said in `errors`.
    Analysed {
        analyses: Vec<Analysis>,
        errors: Vec<String>,
    },
    Failed(String),
}

/// Counts per state, and the failed items with their reasons.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Status {
    pub batches_pending: i64,
    pub batches_running: i64,
    pub batches_expired: i64,
    pub batches_done: i64,
    pub items_pending: i64,
    pub items_done: i64,
    pub items_failed: i64,
    pub documents: i64,
    /// `(input name, reason)`, most recent first (at most 50).
    pub failures: Vec<(String, String)>,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn gunzip(bytes: &[u8], limit: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)?;
    Ok(out)
}

impl PgStore {
    fn queue_err(&self, source: ::postgres::Error) -> StoreError {
        StoreError::Postgres {
            location: self.location.clone(),
            source,
        }
    }

    /// Queues `inputs` (name, raw bytes) in batches of `batch_size`, one
    /// transaction, then wakes the workers.
    pub fn queue_add(
        &self,
        inputs: &[(String, Vec<u8>)],
        batch_size: usize,
    ) -> Result<Added, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.queue_err(e))?;
        let mut added = Added::default();
        let mut batch: Option<i64> = None;
        let mut in_batch = 0usize;
        for (name, bytes) in inputs {
            let hash = format!("{:x}", Sha256::digest(bytes));
            let exists = tx
                .query_opt("SELECT 1 FROM queue_items WHERE hash = $1", &[&hash])
                .map_err(|e| self.queue_err(e))?
                .is_some();
            if exists {
                added.duplicates += 1;
                continue;
            }
            let id = match batch {
                Some(id) if in_batch < batch_size.max(1) => id,
                _ => {
                    let id: i64 = tx
                        .query_one("INSERT INTO queue_batches DEFAULT VALUES RETURNING id", &[])
                        .map_err(|e| self.queue_err(e))?
                        .get(0);
                    added.batches += 1;
                    in_batch = 0;
                    batch = Some(id);
                    id
                }
            };
            let n = tx
                .execute(
                    "INSERT INTO queue_items (hash, batch_id, name, data, bytes) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
                    &[&hash, &id, name, &gzip(bytes), &(bytes.len() as i64)],
                )
                .map_err(|e| self.queue_err(e))?;
            if n == 0 {
                added.duplicates += 1;
            } else {
                added.items += 1;
                in_batch += 1;
            }
        }
        // A batch emptied by concurrent duplicates is closed at once.
        tx.execute(
            "UPDATE queue_batches b SET state = 'done', finished_at = now() WHERE state = 'pending' AND NOT EXISTS (SELECT 1 FROM queue_items i WHERE i.batch_id = b.id)",
            &[],
        )
        .map_err(|e| self.queue_err(e))?;
        tx.execute(&format!("NOTIFY {CHANNEL}"), &[])
            .map_err(|e| self.queue_err(e))?;
        tx.commit().map_err(|e| self.queue_err(e))?;
        Ok(added)
    }

    /// Claims the oldest pending batch, or one whose lease expired, for
    /// `lease`; `None` when there is nothing to claim now.
    pub fn queue_claim(
        &self,
        worker: &str,
        lease: Duration,
        max_bytes: u64,
    ) -> Result<Option<Claimed>, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.queue_err(e))?;
        let secs = lease.as_secs_f64();
        let row = tx
            .query_opt(
                "UPDATE queue_batches SET state = 'running', worker = $1, lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
                 WHERE id = (SELECT id FROM queue_batches
                             WHERE state = 'pending' OR (state = 'running' AND lease_until < now())
                             ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
                 RETURNING id",
                &[&worker, &secs],
            )
            .map_err(|e| self.queue_err(e))?;
        let Some(row) = row else {
            tx.commit().map_err(|e| self.queue_err(e))?;
            return Ok(None);
        };
        let batch: i64 = row.get(0);
        let rows = tx
            .query(
                "SELECT hash, name, data FROM queue_items WHERE batch_id = $1 AND state = 'pending' ORDER BY name",
                &[&batch],
            )
            .map_err(|e| self.queue_err(e))?;
        tx.commit().map_err(|e| self.queue_err(e))?;
        let items = rows
            .iter()
            .map(|r| {
                let data: Vec<u8> = r.get(2);
                QueuedInput {
                    hash: r.get(0),
                    name: r.get(1),
                    bytes: gunzip(&data, max_bytes).unwrap_or_default(),
                }
            })
            .collect();
        Ok(Some(Claimed { batch, items }))
    }

    /// Writes a batch's analyses and marks its items and itself done, in
    /// one transaction, if `worker` still holds its lease; returns `false`
    /// (writing nothing) when the lease was lost to another worker.
    pub fn queue_complete(
        &self,
        worker: &str,
        claimed: &Claimed,
        outcomes: &[(String, Outcome)],
    ) -> Result<bool, StoreError> {
        super::postgres::retry_conflicts(|| self.complete_once(worker, claimed, outcomes))
    }

    fn complete_once(
        &self,
        worker: &str,
        claimed: &Claimed,
        outcomes: &[(String, Outcome)],
    ) -> Result<bool, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| self.queue_err(e))?;
        let held = tx
            .query_opt(
                "SELECT 1 FROM queue_batches WHERE id = $1 AND state = 'running' AND worker = $2 FOR UPDATE",
                &[&claimed.batch, &worker],
            )
            .map_err(|e| self.queue_err(e))?
            .is_some();
        if !held {
            return Ok(false);
        }
        let analyses: Vec<Analysis> = outcomes
            .iter()
            .flat_map(|(_, o)| match o {
                Outcome::Analysed { analyses, .. } => analyses.clone(),
                Outcome::Failed(_) => Vec::new(),
            })
            .collect();
        super::with_json(&analyses, |pairs| insert_in(&mut tx, pairs, &self.location))?;
        for (hash, outcome) in outcomes {
            let (state, error, documents) = match outcome {
                Outcome::Analysed { analyses, errors } => (
                    "done",
                    (!errors.is_empty()).then(|| errors.join("; ")),
                    analyses.len() as i32,
                ),
                Outcome::Failed(reason) => ("failed", Some(reason.clone()), 0),
            };
            tx.execute(
                "UPDATE queue_items SET state = $2, error = $3, documents = $4 WHERE hash = $1",
                &[hash, &state, &error, &documents],
            )
            .map_err(|e| self.queue_err(e))?;
        }
        tx.execute(
            "UPDATE queue_batches SET state = 'done', finished_at = now(), lease_until = NULL WHERE id = $1",
            &[&claimed.batch],
        )
        .map_err(|e| self.queue_err(e))?;
        // Wakes workers waiting for this batch to end.
        tx.execute(&format!("NOTIFY {CHANNEL}"), &[])
            .map_err(|e| self.queue_err(e))?;
        tx.commit().map_err(|e| self.queue_err(e))?;
        Ok(true)
    }

    /// Batches not done yet: (claimable now, running under a live lease,
    /// seconds until the earliest live lease ends).
    pub fn queue_outstanding(&self) -> Result<(i64, i64, f64), StoreError> {
        let row = self
            .client
            .borrow_mut()
            .query_one(
                "SELECT count(*) FILTER (WHERE state = 'pending' OR (state = 'running' AND lease_until < now())),
                        count(*) FILTER (WHERE state = 'running' AND lease_until >= now()),
                        coalesce(extract(epoch FROM min(lease_until) FILTER (WHERE state = 'running' AND lease_until >= now()) - now())::float8, 0)
                 FROM queue_batches",
                &[],
            )
            .map_err(|e| self.queue_err(e))?;
        Ok((row.get(0), row.get(1), row.get(2)))
    }

    /// Subscribes this connection to the queue's notifications.
    pub fn queue_listen(&self) -> Result<(), StoreError> {
        self.client
            .borrow_mut()
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| self.queue_err(e))
    }

    /// Waits up to `timeout` for a notification (new work); true if one came.
    pub fn queue_wait(&self, timeout: Duration) -> Result<bool, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut notifications = client.notifications();
        let mut iter = notifications.timeout_iter(timeout);
        match fallible_next(&mut iter) {
            Ok(got) => Ok(got),
            Err(e) => Err(StoreError::Postgres {
                location: self.location.clone(),
                source: e,
            }),
        }
    }

    pub fn queue_status(&self) -> Result<Status, StoreError> {
        let mut client = self.client.borrow_mut();
        let b = client
            .query_one(
                "SELECT count(*) FILTER (WHERE state = 'pending'),
                        count(*) FILTER (WHERE state = 'running' AND lease_until >= now()),
                        count(*) FILTER (WHERE state = 'running' AND lease_until < now()),
                        count(*) FILTER (WHERE state = 'done')
                 FROM queue_batches",
                &[],
            )
            .map_err(|e| self.queue_err(e))?;
        let i = client
            .query_one(
                "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'done'),
                        count(*) FILTER (WHERE state = 'failed'), coalesce(sum(documents), 0)::bigint
                 FROM queue_items",
                &[],
            )
            .map_err(|e| self.queue_err(e))?;
        let failures = client
            .query(
                "SELECT name, coalesce(error, '') FROM queue_items WHERE error IS NOT NULL ORDER BY batch_id DESC, name LIMIT 50",
                &[],
            )
            .map_err(|e| self.queue_err(e))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(Status {
            batches_pending: b.get(0),
            batches_running: b.get(1),
            batches_expired: b.get(2),
            batches_done: b.get(3),
            items_pending: i.get(0),
            items_done: i.get(1),
            items_failed: i.get(2),
            documents: i.get(3),
            failures,
        })
    }
}

fn fallible_next<I>(iter: &mut I) -> Result<bool, ::postgres::Error>
where
    I: ::postgres::fallible_iterator::FallibleIterator<
        Item = ::postgres::Notification,
        Error = ::postgres::Error,
    >,
{
    Ok(iter.next()?.is_some())
}
