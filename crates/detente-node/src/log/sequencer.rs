//! The log sequencer: group commit of log entries with the messages they
//! record (docs/architecture.md, "The sequencer: group commit").
//!
//! Composers and receivers hand their message to the sequencer and wait.
//! A dedicated thread takes every job waiting (up to [`MAX_BATCH`]), gives
//! each an index, appends the entries to the in-memory tree, signs the new
//! checkpoint and the receipts (which name their leaf index and that
//! checkpoint), and commits everything in ONE store transaction whose
//! checkpoint update is a compare-and-swap. Only then does anyone hear
//! "queued" or get a receipt. If the store refuses, the tree is cut back and
//! every job of the batch gets the error: nothing was half-written.
//!
//! The whole tree lives in memory (about 64 bytes per entry), rebuilt from
//! the stored entries at start and checked against the stored checkpoint.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
use detente_log::merkle::{Hash, MemoryTree};
use detente_log::note::{Ed25519Signer, Ed25519Verifier, NoteVerifier};
use detente_log::proof::TlogProof;
use detente_proto::clock::Clock;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_proto::receipt::{LogPosition, Receipt};
use detente_proto::signing::{PartySigningKey, PartyVerifyingKey};
use detente_store::{CarriedRecord, Direction, LogBatch, NewMessage, Store, StoreError};
use tokio::sync::{mpsc, oneshot, watch};

use super::guard::{HighWater, Hold, Standing};
use super::recovery::Unrecovered;
use crate::error::{Bug, NodeError, NodeResult, PeerRejection, TryAgain};

/// The most jobs one batch takes.
pub const MAX_BATCH: usize = 16_384;

/// Entries read from the store at a time when rebuilding the tree.
const LOAD_CHUNK: u64 = 65_536;

/// A committed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCheckpoint {
    /// Tree size.
    pub size: u64,
    /// The signed note text.
    pub note: String,
}

impl LoggedCheckpoint {
    /// The signed note with the cosignature lines of the witnesses that
    /// cosigned exactly this size appended: `(witness, size, line)` as the
    /// store lists them.
    pub fn cosigned(&self, cosignatures: &[(String, u64, String)]) -> String {
        let mut note = self.note.clone();
        for (_, _, line) in cosignatures
            .iter()
            .filter(|(_, size, _)| *size == self.size)
        {
            note.push_str(line);
            note.push('\n');
        }
        note
    }
}

/// What readers (proofs, tiles) see: the tree and the last committed checkpoint.
#[derive(Debug, Default)]
pub struct LogView {
    /// The tree; it may hold a batch being committed beyond `checkpoint.size`.
    pub tree: MemoryTree,
    /// The last committed checkpoint.
    pub checkpoint: Option<LoggedCheckpoint>,
    /// Documents logged so far, by (id, SHA-256), so each is logged once.
    pub documents: HashSet<(String, [u8; 32])>,
    /// When the last checkpoint was signed: its batch's time (after a
    /// restart, the time of the log's last entry).
    pub signed_at: Option<detente_proto::time::Timestamp>,
}

/// A signed record a received message carries, with the document entry
/// that logs it (once: not again if a document with its id and hash is in
/// the log).
#[derive(Debug, Clone)]
pub struct Carried {
    /// The record, stored with the message.
    pub record: CarriedRecord,
    /// Its document entry.
    pub entry: LogEntry,
}

/// A received message's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The signed receipt bytes.
    pub receipt: Vec<u8>,
    /// False when the same envelope had been accepted before.
    pub fresh: bool,
}

/// What the sequencer thread is handed.
enum Job {
    /// Something to log in the next batch.
    Log(LogJob),
    /// Entries recovered from the peers' copies (`log/recovery.rs`),
    /// taken only if they give `target`, which this log signed; a batch
    /// of their own.
    Recover {
        entries: Vec<Vec<u8>>,
        target: HighWater,
        /// The peers they came from, for the error.
        from: String,
        reply: oneshot::Sender<Result<(), Unrecovered>>,
    },
}

/// Something to log.
enum LogJob {
    Sent {
        message: NewMessage,
        reply: oneshot::Sender<NodeResult<u64>>,
    },
    Received {
        message: NewMessage,
        receipt: Box<Receipt>,
        records: Vec<Carried>,
        reply: oneshot::Sender<NodeResult<Accepted>>,
    },
    Document {
        entry: Vec<u8>,
        /// Set for documents logged at most once: their (id, SHA-256).
        once: Option<(String, [u8; 32])>,
        reply: oneshot::Sender<NodeResult<Option<u64>>>,
    },
}

/// Whether the log may sign, and where its high-water mark is kept
/// (`log/guard.rs`); shared by the handle and the thread.
#[derive(Debug)]
struct Guard {
    standing: RwLock<Standing>,
    mark: RwLock<Option<PathBuf>>,
    /// Why the last attempt to recover missing entries failed.
    recovery: RwLock<Option<Unrecovered>>,
}

/// Handle to the sequencer thread. Dropping every handle ends the thread.
#[derive(Debug, Clone)]
pub struct Sequencer {
    guard: Arc<Guard>,
    jobs: mpsc::Sender<Job>,
    view: Arc<RwLock<LogView>>,
    batches: Arc<AtomicU64>,
    committed: watch::Receiver<u64>,
    peer_sizes: PeerSizes,
}

/// The latest size seen of each counterparty's log.
type PeerSizes = Arc<RwLock<HashMap<PartyCode, u64>>>;

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

struct Core {
    peer_sizes: PeerSizes,
    committed: watch::Sender<u64>,
    batches: Arc<AtomicU64>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    origin: String,
    signer: Ed25519Signer,
    /// Ours, and the log keys of the cards ours replaced.
    verifiers: Vec<Ed25519Verifier>,
    key: PartySigningKey,
    view: Arc<RwLock<LogView>>,
    guard: Arc<Guard>,
}

fn gone() -> NodeError {
    Bug::SequencerStopped.into()
}

impl Sequencer {
    /// Rebuilds the tree from the store, checks it against the stored
    /// checkpoint, and starts the sequencer thread.
    pub fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        party: &PartyCode,
        key: &PartySigningKey,
        earlier_keys: &[PartyVerifyingKey],
    ) -> NodeResult<Self> {
        let origin = super::origin(party);
        let signer = super::log_signer(party, key)?;
        // The stored checkpoint may be signed by a key rotated out since.
        let mut verifiers = vec![signer.verifier()];
        for earlier in earlier_keys {
            verifiers.push(super::log_verifier(party, earlier)?);
        }
        let view = Arc::new(RwLock::new(load(store.as_ref(), &origin, &verifiers)?));
        let batches = Arc::new(AtomicU64::new(0));
        let size = view.read().unwrap_or_else(|p| p.into_inner()).tree.size();
        let (committed_tx, committed) = watch::channel(size);
        let peer_sizes = PeerSizes::default();
        let core = Core {
            peer_sizes: peer_sizes.clone(),
            committed: committed_tx,
            batches: batches.clone(),
            store,
            clock,
            origin,
            signer,
            verifiers,
            key: PartySigningKey::from_seed(&key.to_seed()),
            view: view.clone(),
            // Open until the node says otherwise (`Node::open` judges the
            // high-water mark before anything can be logged).
            guard: Arc::new(Guard {
                standing: RwLock::new(Standing::Open),
                mark: RwLock::new(None),
                recovery: RwLock::new(None),
            }),
        };
        let (jobs, receiver) = mpsc::channel(MAX_BATCH);
        let guard = core.guard.clone();
        std::thread::Builder::new()
            .name(format!("sequencer-{party}"))
            .spawn(move || core.run(receiver))
            .map_err(|e| Bug::TaskFailed {
                task: "log sequencer",
                cause: e.to_string(),
            })?;
        Ok(Self {
            guard,
            jobs,
            view,
            batches,
            committed,
            peer_sizes,
        })
    }

    /// Logs a message this node composed and stores it with its outbox
    /// entry. Returns its log index once durable.
    pub async fn log_sent(&self, message: NewMessage) -> NodeResult<u64> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Log(LogJob::Sent { message, reply }))
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Logs a received message, signs its receipt (naming the leaf index and
    /// checkpoint) and stores both, with the records it carries and their
    /// document entries, in one transaction. A message accepted before is
    /// answered with its receipt and stores nothing. For blocking threads.
    pub fn log_received_blocking(
        &self,
        message: NewMessage,
        receipt: Receipt,
        records: Vec<Carried>,
    ) -> NodeResult<Accepted> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .blocking_send(Job::Log(LogJob::Received {
                message,
                receipt: Box::new(receipt),
                records,
                reply,
            }))
            .map_err(|_| gone())?;
        answer.blocking_recv().map_err(|_| gone())?
    }

    /// [`Self::log_document_once`], for blocking threads.
    pub fn log_document_once_blocking(&self, entry: LogEntry) -> NodeResult<Option<u64>> {
        let Some((job, answer)) = self.document_once_job(entry) else {
            return Ok(None);
        };
        self.jobs.blocking_send(job).map_err(|_| gone())?;
        answer.blocking_recv().map_err(|_| gone())?
    }

    /// The job logging `entry` once, and where its answer comes; `None`
    /// when a document with its id and hash is already in the log.
    fn document_once_job(
        &self,
        entry: LogEntry,
    ) -> Option<(Job, oneshot::Receiver<NodeResult<Option<u64>>>)> {
        let key = (entry.id.clone(), entry.sha256);
        if self.read(|view| view.documents.contains(&key)) {
            return None;
        }
        let (reply, answer) = oneshot::channel();
        let job = Job::Log(LogJob::Document {
            entry: entry.to_bytes(),
            once: Some(key),
            reply,
        });
        Some((job, answer))
    }

    /// Logs a document entry. Returns its index once durable.
    pub async fn log_document(&self, entry: LogEntry) -> NodeResult<u64> {
        let (reply, answer) = oneshot::channel();
        // Encoded here, off the sequencer thread.
        let entry = entry.to_bytes();
        let job = Job::Log(LogJob::Document {
            entry,
            once: None,
            reply,
        });
        self.jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?.and_then(|index| {
            index.ok_or_else(|| {
                Bug::Vanished {
                    what: "document entry",
                    id: "(new)".into(),
                }
                .into()
            })
        })
    }

    /// Logs a document entry unless a document with the same id and hash is
    /// already in the log. Returns its index, or `None` if it was there.
    pub async fn log_document_once(&self, entry: LogEntry) -> NodeResult<Option<u64>> {
        let Some((job, answer)) = self.document_once_job(entry) else {
            return Ok(None);
        };
        self.jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Appends `entries`, recovered from the peers' copies, and commits
    /// them under a checkpoint of `target`'s size and root, if the stored
    /// log with them appended gives that root; held or not, since it
    /// signs only what was signed (`log/recovery.rs`).
    pub async fn recover(
        &self,
        entries: Vec<Vec<u8>>,
        target: HighWater,
        from: String,
    ) -> Result<(), Unrecovered> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Unrecovered::NotStored {
            cause: gone().to_string(),
        };
        self.jobs
            .send(Job::Recover {
                entries,
                target,
                from,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// The high-water mark as kept (`log/guard.rs`), if there is one and
    /// it reads.
    pub fn high_water(&self) -> Option<HighWater> {
        let path = self
            .guard
            .mark
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()?;
        HighWater::read(path.parent()?).ok().flatten()
    }

    /// Records the size of `party`'s log seen by cross-checking: the
    /// `peer_size` of the next entries about `party`.
    pub fn saw_peer_size(&self, party: &PartyCode, size: u64) {
        self.peer_sizes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(party.clone(), size);
    }

    /// Watches the committed size: changes after every committed batch.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    /// Batches committed since start (each one transaction and checkpoint).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// The last committed checkpoint.
    pub fn checkpoint(&self) -> Option<LoggedCheckpoint> {
        self.view
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .checkpoint
            .clone()
    }

    /// Runs `read` on the log view (the tree and the committed checkpoint).
    pub fn read<T>(&self, read: impl FnOnce(&LogView) -> T) -> T {
        read(&self.view.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Whether the log may sign.
    pub fn standing(&self) -> Standing {
        self.guard
            .standing
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Sets whether the log may sign.
    pub fn set_standing(&self, standing: Standing) {
        *self
            .guard
            .standing
            .write()
            .unwrap_or_else(|p| p.into_inner()) = standing;
    }

    /// Why the last attempt to recover the missing entries failed, if it did.
    pub fn recovery(&self) -> Option<Unrecovered> {
        self.guard
            .recovery
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Keeps why the last attempt to recover failed (`None`: it did not).
    pub fn set_recovery(&self, failure: Option<Unrecovered>) {
        *self
            .guard
            .recovery
            .write()
            .unwrap_or_else(|p| p.into_inner()) = failure;
    }

    /// Keeps the high-water mark at `path` from now on, after every batch.
    pub fn keep_high_water(&self, path: PathBuf) {
        *self.guard.mark.write().unwrap_or_else(|p| p.into_inner()) = Some(path);
    }

    /// What `by`, who holds `signed` of this log, says of the stored log
    /// ([`super::guard::judge`]).
    pub fn judge(&self, by: &str, signed: HighWater) -> Result<(), Hold> {
        self.with_stored(|size, root_at| super::guard::judge(by, signed, size, root_at))
    }

    /// Whether the log may sign at start ([`super::guard::at_start`]).
    pub fn standing_at_start(&self, mark: Option<HighWater>, witnesses: &[PartyCode]) -> Standing {
        self.with_stored(|size, root_at| super::guard::at_start(mark, size, root_at, witnesses))
    }

    /// Calls `judge` with the committed size and the stored root at each
    /// size up to it.
    fn with_stored<T>(&self, judge: impl FnOnce(u64, &dyn Fn(u64) -> Option<Hash>) -> T) -> T {
        self.read(|view| {
            let size = view.checkpoint.as_ref().map_or(0, |c| c.size);
            let root_at = |at: u64| (at <= size).then(|| view.tree.root_at(at).ok()).flatten();
            judge(size, &root_at)
        })
    }
}

fn load(store: &dyn Store, origin: &str, verifiers: &[Ed25519Verifier]) -> NodeResult<LogView> {
    let Some((size, note)) = store.log_checkpoint()? else {
        return Ok(LogView::default());
    };
    let corrupt = |what: String| NodeError::Store(StoreError::Corrupt(what));
    let signed = SignedCheckpoint::parse(note.as_bytes())
        .map_err(|e| corrupt(format!("the stored checkpoint does not parse: {e}")))?;
    let verifiers: Vec<&dyn NoteVerifier> =
        verifiers.iter().map(|v| v as &dyn NoteVerifier).collect();
    signed.verify(&verifiers).map_err(|e| {
        corrupt(format!(
            "the stored checkpoint is not signed by this node's key, nor by a key its cards replaced: {e}"
        ))
    })?;
    let checkpoint = signed.checkpoint();
    if checkpoint.origin() != origin || checkpoint.size() != size {
        return Err(corrupt(format!(
            "the stored checkpoint is for {} at size {}, expected {origin} at size {size}",
            checkpoint.origin(),
            checkpoint.size()
        )));
    }
    let mut tree = MemoryTree::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut documents = HashSet::new();
    let mut signed_at = None;
    let mut start = 0;
    while start < size {
        let end = (start + LOAD_CHUNK).min(size);
        let entries = store.log_entries(start, end)?;
        if entries.len() as u64 != end - start {
            return Err(corrupt(format!(
                "the log has a checkpoint at size {size} but only {} entries",
                start + entries.len() as u64
            )));
        }
        for entry in &entries {
            tree.append(entry);
            if let Ok(parsed) = LogEntry::parse(entry) {
                signed_at = Some(parsed.time);
                if parsed.direction == EntryDirection::Document {
                    documents.insert((parsed.id, parsed.sha256));
                }
            }
        }
        start = end;
    }
    if &tree.root() != checkpoint.root() {
        return Err(corrupt(format!(
            "the stored entries do not hash to the root of the stored checkpoint at size {size}"
        )));
    }
    Ok(LogView {
        tree,
        checkpoint: Some(LoggedCheckpoint { size, note }),
        documents,
        signed_at,
    })
}

/// How a job is answered once its batch is committed.
enum Pending {
    Index(oneshot::Sender<NodeResult<u64>>, u64),
    Document(oneshot::Sender<NodeResult<Option<u64>>>, u64),
    Receipt(oneshot::Sender<NodeResult<Accepted>>, usize),
    /// The same envelope twice in one batch: answer with the first one's receipt.
    Echo(oneshot::Sender<NodeResult<Accepted>>, usize),
}

/// Answers every job of a committed batch.
fn answer(pending: Vec<Pending>, receipts: &[Vec<u8>]) {
    for job in pending {
        match job {
            Pending::Index(reply, index) => {
                let _ = reply.send(Ok(index));
            }
            Pending::Document(reply, index) => {
                let _ = reply.send(Ok(Some(index)));
            }
            Pending::Receipt(reply, i) => {
                let _ = reply.send(Ok(Accepted {
                    receipt: receipts[i].clone(),
                    fresh: true,
                }));
            }
            Pending::Echo(reply, i) => {
                let _ = reply.send(Ok(Accepted {
                    receipt: receipts[i].clone(),
                    fresh: false,
                }));
            }
        }
    }
}

fn entry_for(
    message: &NewMessage,
    direction: EntryDirection,
    time: detente_proto::time::Timestamp,
    peer_sizes: &HashMap<PartyCode, u64>,
) -> Vec<u8> {
    LogEntry {
        direction,
        counterparty: message.counterparty.clone(),
        id: message.id.to_string(),
        sha256: message.envelope_sha256,
        time,
        peer_size: peer_sizes.get(&message.counterparty).copied(),
    }
    .to_bytes()
}

impl Core {
    /// Whether the document `key` (id, SHA-256) is logged by this batch:
    /// true the first time, unless it is in the log already.
    fn first_logging(
        &self,
        key: (String, [u8; 32]),
        batch_documents: &mut HashSet<(String, [u8; 32])>,
    ) -> bool {
        let logged = self
            .view
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .documents
            .contains(&key);
        !logged && batch_documents.insert(key)
    }

    fn run(self, mut jobs: mpsc::Receiver<Job>) {
        while let Some(first) = jobs.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            // A recovery is a batch of its own, before the others.
            let mut logging = Vec::with_capacity(batch.len());
            for job in batch {
                match job {
                    Job::Log(job) => logging.push(job),
                    Job::Recover {
                        entries,
                        target,
                        from,
                        reply,
                    } => {
                        let _ = reply.send(self.recover(entries, target, from));
                    }
                }
            }
            self.integrate(logging);
        }
    }

    /// [`Sequencer::recover`], on the sequencer thread.
    fn recover(
        &self,
        entries: Vec<Vec<u8>>,
        target: HighWater,
        from: String,
    ) -> Result<(), Unrecovered> {
        let not_stored = |error: NodeError| Unrecovered::NotStored {
            cause: error.to_string(),
        };
        let (mut tree, old_size) = {
            let view = self.view.read().unwrap_or_else(|p| p.into_inner());
            (
                view.tree.clone(),
                view.checkpoint.as_ref().map_or(0, |c| c.size),
            )
        };
        if old_size + entries.len() as u64 != target.size {
            return Err(Unrecovered::OtherRoot {
                size: target.size,
                from,
            });
        }
        for entry in &entries {
            tree.append(entry);
        }
        if tree.root() != target.root {
            return Err(Unrecovered::OtherRoot {
                size: target.size,
                from,
            });
        }
        let (_, note) = self
            .sign_checkpoint(target.size, target.root)
            .map_err(not_stored)?;
        let parsed: Vec<LogEntry> = entries
            .iter()
            .filter_map(|e| LogEntry::parse(e).ok())
            .collect();
        self.store
            .commit_log_batch(&LogBatch {
                old_size,
                entries,
                new_size: target.size,
                checkpoint: note.clone(),
                sent: Vec::new(),
                received: Vec::new(),
                records: Vec::new(),
            })
            .map_err(|e| not_stored(e.into()))?;
        {
            let mut view = self.view.write().unwrap_or_else(|p| p.into_inner());
            view.tree = tree;
            view.checkpoint = Some(LoggedCheckpoint {
                size: target.size,
                note,
            });
            view.documents.extend(
                parsed
                    .iter()
                    .filter(|e| e.direction == EntryDirection::Document)
                    .map(|e| (e.id.clone(), e.sha256)),
            );
            if let Some(last) = parsed.last() {
                view.signed_at = Some(last.time);
            }
        }
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.committed.send_replace(target.size);
        self.mark_high_water();
        Ok(())
    }

    fn integrate(&self, jobs: Vec<LogJob>) {
        let now = self.clock.now();
        let old_size = self
            .view
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .tree
            .size();
        let mut entries = Vec::new();
        let mut sent = Vec::new();
        let mut received: Vec<(NewMessage, Receipt)> = Vec::new();
        let mut records = Vec::new();
        let mut in_batch: HashMap<MessageId, usize> = HashMap::new();
        let mut batch_documents: HashSet<(String, [u8; 32])> = HashSet::new();
        let mut pending = Vec::new();
        let next_index = |entries: &Vec<Vec<u8>>| old_size + entries.len() as u64;
        let peer_sizes = self
            .peer_sizes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for job in jobs {
            match job {
                LogJob::Sent { mut message, reply } => {
                    let index = next_index(&entries);
                    message.log_index = Some(index);
                    entries.push(entry_for(&message, EntryDirection::Sent, now, &peer_sizes));
                    sent.push(message);
                    pending.push(Pending::Index(reply, index));
                }
                LogJob::Document { entry, once, reply } => {
                    if let Some(key) = once
                        && !self.first_logging(key, &mut batch_documents)
                    {
                        let _ = reply.send(Ok(None));
                        continue;
                    }
                    let index = next_index(&entries);
                    entries.push(entry);
                    pending.push(Pending::Document(reply, index));
                }
                LogJob::Received {
                    mut message,
                    receipt,
                    records: carried,
                    reply,
                } => {
                    if let Some(&first) = in_batch.get(&message.id) {
                        if received[first].0.envelope_sha256 == message.envelope_sha256 {
                            pending.push(Pending::Echo(reply, first));
                        } else {
                            let _ = reply.send(Err(PeerRejection::Replay(message.id).into()));
                        }
                        continue;
                    }
                    match self.store.message(&message.id) {
                        Ok(None) => {}
                        Ok(Some(stored)) => {
                            let same = stored.message.direction == Direction::Received
                                && stored.message.envelope_sha256 == message.envelope_sha256;
                            let answer = match (same, stored.receipt) {
                                (true, Some(receipt)) => Ok(Accepted {
                                    receipt,
                                    fresh: false,
                                }),
                                _ => Err(PeerRejection::Replay(message.id).into()),
                            };
                            let _ = reply.send(answer);
                            continue;
                        }
                        Err(error) => {
                            let _ = reply.send(Err(error.into()));
                            continue;
                        }
                    }
                    let index = next_index(&entries);
                    message.log_index = Some(index);
                    entries.push(entry_for(
                        &message,
                        EntryDirection::Received,
                        now,
                        &peer_sizes,
                    ));
                    for Carried { record, entry } in carried {
                        if self
                            .first_logging((entry.id.clone(), entry.sha256), &mut batch_documents)
                        {
                            entries.push(entry.to_bytes());
                        }
                        records.push(record);
                    }
                    in_batch.insert(message.id, received.len());
                    pending.push(Pending::Receipt(reply, received.len()));
                    received.push((message, *receipt));
                }
            }
        }
        if entries.is_empty() {
            return;
        }
        // Nothing is signed while the log is held (`log/guard.rs`).
        let standing = self
            .guard
            .standing
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Standing::Held(hold) = standing {
            refuse(pending, || TryAgain::LogHeld(hold.clone()).into());
            return;
        }
        match self.commit(now, old_size, entries, sent, received, records) {
            Ok(receipts) => {
                if !batch_documents.is_empty() {
                    let mut view = self.view.write().unwrap_or_else(|p| p.into_inner());
                    view.documents.extend(batch_documents);
                }
                self.mark_high_water();
                answer(pending, &receipts);
            }
            Err(error) => {
                tracing::error!(%error, "log batch not committed");
                let text = error.to_string();
                refuse(pending, || {
                    TryAgain::BatchNotStored {
                        cause: text.clone(),
                    }
                    .into()
                });
            }
        }
    }

    /// Rewrites the high-water mark after a committed batch.
    fn mark_high_water(&self) {
        let Some(path) = self
            .guard
            .mark
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        else {
            return;
        };
        let mark = self.read_mark();
        if let Some(mark) = mark
            && let Err(error) = mark.write(&path)
        {
            tracing::error!(%error, path = %path.display(), "cannot write the log's high-water mark");
        }
    }

    fn read_mark(&self) -> Option<HighWater> {
        let view = self.view.read().unwrap_or_else(|p| p.into_inner());
        let size = view.checkpoint.as_ref()?.size;
        Some(HighWater {
            size,
            root: view.tree.root_at(size).ok()?,
        })
    }
}

/// Answers every job of a batch that was not committed with `error()`.
fn refuse(pending: Vec<Pending>, error: impl Fn() -> NodeError) {
    for job in pending {
        match job {
            Pending::Index(reply, _) => {
                let _ = reply.send(Err(error()));
            }
            Pending::Document(reply, _) => {
                let _ = reply.send(Err(error()));
            }
            Pending::Receipt(reply, _) | Pending::Echo(reply, _) => {
                let _ = reply.send(Err(error()));
            }
        }
    }
}

impl Core {
    /// The checkpoint of this log at `size` with `root`, signed, and its
    /// note's text.
    fn sign_checkpoint(&self, size: u64, root: Hash) -> NodeResult<(SignedCheckpoint, String)> {
        let checkpoint =
            Checkpoint::new(&self.origin, size, root).map_err(Bug::construction("checkpoint"))?;
        let signed = SignedCheckpoint::sign(checkpoint, &self.signer)
            .map_err(Bug::construction("checkpoint signature"))?;
        let note =
            String::from_utf8(signed.to_bytes()).map_err(Bug::construction("checkpoint note"))?;
        Ok((signed, note))
    }

    /// Appends, signs and commits; returns the receipts' bytes in order.
    /// On failure the tree is cut back to `old_size` (or reloaded, if
    /// another writer moved the log).
    fn commit(
        &self,
        now: detente_proto::time::Timestamp,
        old_size: u64,
        entries: Vec<Vec<u8>>,
        sent: Vec<NewMessage>,
        received: Vec<(NewMessage, Receipt)>,
        records: Vec<CarriedRecord>,
    ) -> NodeResult<Vec<Vec<u8>>> {
        let new_size = old_size + entries.len() as u64;
        // Append, and take the inclusion path of every received entry while
        // the tree is at hand.
        let (root, paths) = {
            let mut view = self.view.write().unwrap_or_else(|p| p.into_inner());
            for entry in &entries {
                view.tree.append(entry);
            }
            let paths: Vec<_> = received
                .iter()
                .map(|(message, _)| {
                    let index = message.log_index.unwrap_or_default();
                    view.tree.inclusion_proof(index, new_size)
                })
                .collect();
            (view.tree.root(), paths)
        };
        let result = (|| {
            let (signed, note) = self.sign_checkpoint(new_size, root)?;
            let received: Vec<(NewMessage, Vec<u8>)> = received
                .into_iter()
                .zip(paths)
                .map(|((message, mut receipt), path)| {
                    let index = message.log_index.unwrap_or_default();
                    let offset = usize::try_from(index - old_size).unwrap_or(usize::MAX);
                    let path = path.map_err(|e| Bug::construction("inclusion path")(e))?;
                    let proof = TlogProof::new(None, index, path, signed.clone())
                        .map_err(Bug::construction("tlog-proof"))?;
                    let entry = entries
                        .get(offset)
                        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                        .unwrap_or_default();
                    receipt.log = Some(LogPosition {
                        origin: self.origin.clone(),
                        leaf_index: index,
                        entry,
                        tlog_proof: String::from_utf8_lossy(&proof.to_bytes()).into_owned(),
                    });
                    Ok((message, receipt.sign(&self.key).bytes().to_vec()))
                })
                .collect::<NodeResult<_>>()?;
            let receipts = received.iter().map(|(_, r)| r.clone()).collect();
            self.store.commit_log_batch(&LogBatch {
                old_size,
                entries,
                new_size,
                checkpoint: note.clone(),
                sent,
                received,
                records,
            })?;
            Ok((receipts, note))
        })();
        let mut view = self.view.write().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok((receipts, note)) => {
                view.checkpoint = Some(LoggedCheckpoint {
                    size: new_size,
                    note,
                });
                view.signed_at = Some(now);
                self.batches.fetch_add(1, Ordering::Relaxed);
                self.committed.send_replace(new_size);
                Ok(receipts)
            }
            Err(error) => {
                if let NodeError::Store(StoreError::LogConflict { .. }) = error {
                    match load(self.store.as_ref(), &self.origin, &self.verifiers) {
                        Ok(reloaded) => *view = reloaded,
                        Err(reload) => {
                            tracing::error!(%reload, "cannot reload the log after a conflict")
                        }
                    }
                } else {
                    view.tree.truncate(old_size);
                }
                Err(error)
            }
        }
    }
}
