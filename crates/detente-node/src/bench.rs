//! `detente bench`: throughput measured on this machine, with real storage.
//!
//! `bench log` drives the real [`Sequencer`] over a real SQLite store in a
//! temporary directory: many concurrent submitters, each waiting for its
//! entry to be durable (group commit), as composers and receivers do.
//!
//! `bench taxii` lives in the `detente` binary: it drives a served node
//! through its public API only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use detente_proto::clock::{Clock, SystemClock};
use detente_proto::ids::PartyCode;
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_proto::signing::PartySigningKey;
use detente_store::{SqliteStore, Store};

use crate::error::{Bug, NodeResult};
use crate::log::Sequencer;

/// What `bench log` measured.
#[derive(Debug, Clone)]
pub struct LogBenchReport {
    /// Entries sequenced.
    pub entries: u64,
    /// Concurrent submitters.
    pub concurrency: usize,
    /// Wall time from the first submission to the last durable answer.
    pub elapsed: Duration,
    /// Checkpoints committed (one per batch).
    pub batches: u64,
}

impl LogBenchReport {
    /// Entries per second.
    pub fn entries_per_second(&self) -> f64 {
        self.entries as f64 / self.elapsed.as_secs_f64()
    }
}

/// Sequences `entries` document entries from `concurrency` submitters into a
/// fresh SQLite store in `dir`, each submitter waiting for durability.
pub async fn log(
    dir: &std::path::Path,
    entries: u64,
    concurrency: usize,
) -> NodeResult<LogBenchReport> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("bench.db"))?);
    let party: PartyCode = "BENCH".parse().map_err(Bug::construction("bench party"))?;
    let key = PartySigningKey::generate(&mut rand::thread_rng());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let sequencer = Sequencer::start(store.clone(), clock.clone(), &party, &key, &[])?;
    let counterparty: PartyCode = "PEER".parse().map_err(Bug::construction("bench party"))?;
    let concurrency = concurrency.max(1);
    let concurrency = concurrency
        .min(usize::try_from(entries).unwrap_or(usize::MAX))
        .max(1);
    // Spread `entries` exactly: the first `entries % concurrency` submitters take one more.
    let (base, extra) = (entries / concurrency as u64, entries % concurrency as u64);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..concurrency as u64 {
        let (sequencer, counterparty, clock) =
            (sequencer.clone(), counterparty.clone(), clock.clone());
        let count = base + u64::from(task < extra);
        let first = task * base + task.min(extra);
        tasks.spawn(async move {
            for i in 0..count {
                let n = first + i;
                let mut sha256 = [0u8; 32];
                sha256[..8].copy_from_slice(&n.to_be_bytes());
                let entry = LogEntry {
                    direction: EntryDirection::Document,
                    counterparty: counterparty.clone(),
                    id: format!("bench-{n}"),
                    sha256,
                    time: clock.now(),
                    peer_size: None,
                };
                sequencer.log_document(entry).await?;
            }
            NodeResult::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(Bug::task("bench submitter"))??;
    }
    let elapsed = started.elapsed();
    let size = sequencer.checkpoint().map(|c| c.size).unwrap_or(0);
    Ok(LogBenchReport {
        entries: size,
        concurrency,
        elapsed,
        batches: sequencer.batches(),
    })
}
