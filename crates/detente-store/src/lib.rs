//! # detente-store — where it is kept
//!
//! One [`Store`] trait, with an SQLite implementation ([`SqliteStore`]:
//! WAL, `synchronous=FULL`, one file per node) and a conformance suite
//! ([`conformance`], behind the `conformance` feature) that every backend's
//! tests run, so a PostgreSQL backend can be held to the same behaviour.
//!
//! The trait is synchronous: the node calls it from blocking threads
//! (`spawn_blocking`), never from the async runtime's workers.
//!
//! Invariants every backend keeps:
//! - an accepted or queued message and its outbox entry (or its receipt) are
//!   written in ONE transaction: all or nothing;
//! - a message id is stored at most once; a second, different envelope with
//!   the same id is refused ([`StoreError::ConflictingId`]);
//! - a message becomes `delivered` only together with its receipt bytes;
//! - a log batch (entries, the messages they record, the checkpoint) is
//!   written in ONE transaction, and only if the stored checkpoint has the
//!   size the batch extends: the log never forks and never has entries
//!   that no checkpoint covers.
//! - a witness record changes only by a compare-and-swap on its stored size,
//!   atomic across connections and processes: of two swaps from one size,
//!   one wins and the other changes nothing;
//! - a log keeps each witness's latest cosignature, never an older one;
//! - an alarm is recorded once: raising one with the kind, subject and
//!   evidence bytes of a stored alarm (even one raised before a restart)
//!   writes nothing, and the first, with its `at`, stays; atomic across
//!   connections and processes;
//! - a message's thread is the message and every stored message answering
//!   it at any depth (up to [`MAX_THREAD_DEPTH`]), each once, even where
//!   stored replies form a cycle, each read exactly as [`Store::message`]
//!   reads it.
//! - the signatures stored on one agreement version are all over one
//!   document (one `document_sha256`), at most one per signer; a signature
//!   that would break this is refused
//!   ([`StoreError::AgreementSignatureConflict`]) and writes nothing,
//!   atomic across connections and processes;
//! - a sent message's deadline timers are written in the same transaction
//!   as its delivery, only by the first recording of it, and only for that
//!   message: at most one timer per message and kind;
//! - a timer advances only by a compare-and-swap on its fired rungs, and
//!   only while no answer has met it; it is met once, and the first
//!   answer (its `met_at` and `met_by`) stays; a met timer has no `next_at`.
//!   Both are atomic across connections and processes: of two swaps from
//!   one state, one wins and the other changes nothing.
//! - a party has at most one record per role (publish, sign, withdraw) on
//!   one guarantee or pledge; the publish and sign records of one are all
//!   about one document (one `document_sha256`), and a withdrawal stored
//!   while there is one names that document. A record that would break
//!   this is refused ([`StoreError::DocumentConflict`]) and writes nothing;
//!   the same record again writes nothing. Atomic across connections and
//!   processes.
//! - a STIX object's version is stored once per collection and lane (the
//!   first copy stays), so a copy in a lane a writer cannot see never
//!   stops the writer's own (no existence oracle); its `added_us`
//!   (`date_added`) is unique and strictly increasing across the store in
//!   insertion order, even if the clock steps back;
//! - a query of STIX objects reads only the lanes it names, and nothing
//!   outside them changes its answer: an object's latest and first
//!   versions are decided over those lanes only, and a version in several
//!   of them is returned once (the copy added first); its cost does not
//!   grow with the size of the collection, and it holds the full JSON of
//!   the page's rows only;
//! - the indexer's watermark changes only by a compare-and-swap, in the
//!   transaction that adds the objects it covers: of two indexers from one
//!   watermark one adds, so no message's objects are added twice or lost;
//! - a draft leaves open only by a compare-and-swap (of two officers
//!   deciding it, one does), is sent exactly with its message id, and goes
//!   back to open only from sent as that message; a draft, its objects and
//!   its status are written in ONE transaction;
//! - a TAXII account name is stored once
//!   ([`StoreError::TaxiiAccountExists`]), with at most one grant per
//!   collection, and its grants go with it.
#![forbid(unsafe_code)]

pub mod alert;
#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
mod log_batch;
mod model;
mod sqlite;

pub use alert::{
    AckOutcome, AckVia, AlertAck, AlertCause, AlertNotice, AlertQuery, AlertRecord, NewAlert,
    NewNotice, NoticeState,
};
pub use error::{AgreementSignatureConflict, DocumentConflict, DocumentConflictReason, StoreError};
pub use model::{
    AcceptOutcome, AgreementSignature, Alarm, CardRecord, CarriedRecord, CollectionKind,
    ConsoleSession, DeadlineQuery, DeadlineTimer, Direction, DocumentKind, DocumentRecord, Draft,
    DraftState, LogBatch, Mailbox, MessageQuery, MessageState, NewDraft, NewMessage, NewStixObject,
    OfficerRecord, OutboxEntry, PeerRecord, RecordRole, SignInFailures, StixQuery, StixSource,
    StoredMessage, StoredStixObject, TaxiiAccountRecord, TaxiiGrant, TaxiiStatusRecord,
    VersionFilter,
};
pub use model::{MessageCount, QueuedForPeer, StateCounts};
pub use sqlite::SqliteStore;

use detente_proto::body::DeadlineKind;
use detente_proto::ids::{AccountName, DocumentId, MessageId, OfficerName, PartyCode, ResourceId};
use detente_proto::time::Timestamp;

/// How many replies deep below its root [`Store::thread`] follows a thread:
/// a bound on the walk whatever a peer signed, far beyond any real exchange.
pub const MAX_THREAD_DEPTH: u32 = 10_000;

/// Everything a node keeps.
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// Stores a message this node composed and signed, and its outbox entry
    /// due at `first_attempt_at`, in one transaction.
    /// Fails with [`StoreError::ConflictingId`] if the id is already stored.
    fn enqueue_outgoing(
        &self,
        message: &NewMessage,
        first_attempt_at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Stores a message received from a peer together with the receipt this
    /// node signed for it, in one transaction.
    ///
    /// If the same id is already stored with the same envelope hash, nothing
    /// is written and the receipt stored the first time is returned
    /// ([`AcceptOutcome::AlreadyAccepted`]): delivery is idempotent. If it is
    /// stored with another hash, [`StoreError::ConflictingId`].
    fn accept_incoming(
        &self,
        message: &NewMessage,
        receipt: &[u8],
    ) -> Result<AcceptOutcome, StoreError>;

    /// One message by id.
    fn message(&self, id: &MessageId) -> Result<Option<StoredMessage>, StoreError>;

    /// The thread of `root`: the message `root` and every stored message
    /// that answers it, directly or through other stored answers (by
    /// `in_reply_to`, either direction), by `created_at` then id, each read
    /// as [`Store::message`] reads it. Empty if `root` is not stored.
    ///
    /// A message whose `in_reply_to` names an unstored message starts a
    /// thread of its own; the answers to an unstored root are not a thread.
    /// Each message is listed once, even where stored replies form a cycle
    /// (a peer signs what it likes); answers more than [`MAX_THREAD_DEPTH`]
    /// replies below `root` are left out. Like [`Store::message`], no tier
    /// visibility is applied: that is the caller's to filter.
    fn thread(&self, root: &MessageId) -> Result<Vec<StoredMessage>, StoreError>;

    /// Messages matching `query`, newest first.
    fn messages(&self, query: &MessageQuery) -> Result<Vec<StoredMessage>, StoreError>;

    /// Outbox entries due at `now` (next attempt at or before it), oldest first, at most `limit`.
    fn due_deliveries(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxEntry>, StoreError>;

    /// When the earliest outbox entry is next due, if any.
    fn next_delivery_at(&self) -> Result<Option<Timestamp>, StoreError>;

    /// Records a failed attempt and when to try again.
    fn record_delivery_failure(
        &self,
        id: &MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Records a verified receipt: stores it, marks the message delivered,
    /// removes the outbox entry and inserts the `deadlines` the delivery
    /// started (the timers, as given), in one transaction.
    ///
    /// Recording the same delivery twice is a no-op: the first receipt and
    /// the timers stored with it stay, and no timer is inserted the second
    /// time. A message that is not stored is [`StoreError::NotFound`], and
    /// so is a received one.
    ///
    /// Every timer must be `id`'s, one per kind, and met wholly or not at
    /// all (`met_at` and `met_by` both set or both `None`; a met one with no
    /// `next_at`); anything else is [`StoreError::Misuse`], whatever is
    /// stored, and writes nothing: not the delivery either.
    fn record_delivery(
        &self,
        id: &MessageId,
        receipt: &[u8],
        delivered_at: Timestamp,
        deadlines: &[DeadlineTimer],
    ) -> Result<(), StoreError>;

    /// The deadline timers due at `now`: not met, with `next_at` at or
    /// before it; by `next_at`, then message id, then kind (by its stored
    /// name: `acknowledge`, `check`, `reply`); at most `limit`. A timer with
    /// no `next_at` is never due.
    fn due_deadlines(&self, now: Timestamp, limit: usize)
    -> Result<Vec<DeadlineTimer>, StoreError>;

    /// The earliest `next_at` of the timers no answer has met, if any: when
    /// [`Store::due_deadlines`] next has something to return.
    fn next_deadline_at(&self) -> Result<Option<Timestamp>, StoreError>;

    /// Records escalation rungs fired on the `kind` timer of `message_id`:
    /// sets its `rungs_fired` and `next_at`, if it exists, is not met, and
    /// has fired exactly `expected_rungs` so far — one atomic
    /// compare-and-swap. Returns whether it changed; a refused swap changes
    /// nothing. Of two connections advancing one timer from the same rungs,
    /// one wins. Whether `rungs_fired` may follow `expected_rungs` is the
    /// caller's decision, not the store's.
    fn advance_deadline(
        &self,
        message_id: &MessageId,
        kind: DeadlineKind,
        expected_rungs: u32,
        rungs_fired: u32,
        next_at: Option<Timestamp>,
    ) -> Result<bool, StoreError>;

    /// Records that `met_by`, at `met_at`, met the `kind` timer of
    /// `message_id`: sets `met_at` and `met_by` and clears `next_at`, if the
    /// timer exists and is not met yet. Returns whether it changed: `false`
    /// means no such timer, or one already met, whose first answer stays.
    /// Atomic: of two connections meeting one timer, one does. `met_by`
    /// need not be a stored message.
    fn meet_deadline(
        &self,
        message_id: &MessageId,
        kind: DeadlineKind,
        met_at: Timestamp,
        met_by: &MessageId,
    ) -> Result<bool, StoreError>;

    /// Every timer of one message, met or not, by kind (by its stored name:
    /// `acknowledge`, `check`, `reply`). Empty if it has none, or is not stored.
    fn deadlines_of(&self, message_id: &MessageId) -> Result<Vec<DeadlineTimer>, StoreError>;

    /// The timers matching `query` (every one, or only those not met), by
    /// `due_at`, then message id, then kind (by its stored name); at most
    /// `query.limit`.
    fn deadlines(&self, query: &DeadlineQuery) -> Result<Vec<DeadlineTimer>, StoreError>;

    /// Commits one sequencer batch in one transaction: the log entries, the
    /// sent messages with their outbox entries, the received messages with
    /// their receipts, and the checkpoint — swapped only if the stored one
    /// has size `batch.old_size` ([`StoreError::LogConflict`] otherwise).
    /// Any message id already stored fails the whole batch with
    /// [`StoreError::ConflictingId`]. A malformed batch (sizes that do not
    /// add up, a message without a `log_index` in `old_size..new_size`, two
    /// messages on one entry, a message in the wrong list for its direction)
    /// is [`StoreError::Misuse`], whatever is stored. On any error nothing
    /// is written.
    fn commit_log_batch(&self, batch: &LogBatch) -> Result<(), StoreError>;

    /// The latest checkpoint: its size and signed note text.
    fn log_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError>;

    /// The log entries with indices in `start..end` (fewer if the log is shorter).
    fn log_entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Appends `entries`, at index `start`, to this node's copy of the log
    /// `origin` (a peer's log, as the cross-check verified it against the
    /// peer's signed root). Entries the copy holds already are left as
    /// they are; a `start` past the copy's end is [`StoreError::Misuse`]
    /// (a copy has no gaps).
    fn append_log_copy(
        &self,
        origin: &str,
        start: u64,
        entries: &[Vec<u8>],
    ) -> Result<(), StoreError>;

    /// Entries `start..end` of the copy of the log `origin`, in order;
    /// fewer past its end.
    fn log_copy(&self, origin: &str, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError>;

    /// How many entries the copy of the log `origin` holds.
    fn log_copy_size(&self, origin: &str) -> Result<u64, StoreError>;

    /// As a witness: the record (a cosigned checkpoint note, opaque here)
    /// this node keeps for the log `origin`, with its size.
    fn witness_record(&self, origin: &str) -> Result<Option<(u64, Vec<u8>)>, StoreError>;

    /// As a witness: stores `record` (of size `size`) for `origin` if the
    /// stored record still has size `expected_size` (`None`: only if there is
    /// none yet) — one atomic compare-and-swap. Returns whether it swapped.
    ///
    /// Expecting a size when there is no record does not swap; a refused
    /// swap changes nothing. Whether `size` may follow `expected_size`
    /// (consistency, no rollback) is the caller's decision, not the store's.
    /// A size or expected size above `i64::MAX` is [`StoreError::Misuse`].
    fn swap_witness_record(
        &self,
        origin: &str,
        expected_size: Option<u64>,
        size: u64,
        record: &[u8],
    ) -> Result<bool, StoreError>;

    /// As a log: stores `witness`'s latest cosignature of this node's
    /// checkpoint of size `size` (the signed-note signature line), replacing
    /// an older one; a cosignature for a smaller size than stored is ignored.
    /// One for the same size replaces the stored one. A size above
    /// `i64::MAX` is [`StoreError::Misuse`].
    fn put_cosignature(&self, witness: &str, size: u64, line: &str) -> Result<(), StoreError>;

    /// As a log: every witness's latest cosignature, as (witness, size, line),
    /// by witness (byte order of the name, as `str` orders it).
    fn cosignatures(&self) -> Result<Vec<(String, u64, String)>, StoreError>;

    /// Records an alarm (e.g. equivocation evidence) raised at `at`, unless
    /// one with the same `kind`, `subject` and evidence bytes is stored.
    /// Returns whether it was recorded: `false` means the same alarm was
    /// raised before (perhaps by an earlier run of the node) and nothing was
    /// written; the stored one keeps its `at` and `detail`. Atomic: of two
    /// connections raising the same alarm at once, one records it.
    fn raise_alarm(&self, alarm: &Alarm) -> Result<bool, StoreError>;

    /// Every alarm, oldest first; alarms raised at the same time in the order raised.
    fn alarms(&self) -> Result<Vec<Alarm>, StoreError>;

    /// Records a party's signature on an agreement version. Returns false (and
    /// writes nothing) when that signer's signature on that version is already
    /// stored with the same document_sha256. A second signature by the same
    /// signer on the same version over OTHER bytes, or any signature whose
    /// document_sha256 differs from the one of the first signature stored for
    /// that version, is [`StoreError::AgreementSignatureConflict`] and writes
    /// nothing.
    ///
    /// "The same" is judged by `document_sha256` alone: a repeat whose
    /// `signed` bytes differ (say, signed again with a new key) is `false`,
    /// and the first signature stays. The checks and the write are one
    /// transaction, atomic across connections and processes. Version 0 is
    /// [`StoreError::Misuse`].
    fn put_agreement_signature(&self, signature: &AgreementSignature) -> Result<bool, StoreError>;

    /// Every signature on one agreement version, by signer (byte order of the code).
    /// Empty if none is stored; version 0 is [`StoreError::Misuse`].
    fn agreement_signatures(
        &self,
        agreement_id: &DocumentId,
        version: u32,
    ) -> Result<Vec<AgreementSignature>, StoreError>;

    /// Every agreement version with at least one signature, as (id, version),
    /// ordered by id then version descending (newest version of each id first).
    fn agreement_versions(&self) -> Result<Vec<(DocumentId, u32)>, StoreError>;

    /// Records one signed step in the history of a guarantee or pledge (its
    /// publication, a party's signature, a party's withdrawal), which the
    /// node verified. Returns `true` when it was stored.
    ///
    /// A party has at most ONE record per role on a document (`kind` and
    /// `document_id`). If the party's record in that role is stored with
    /// the same `document_sha256`, `signed` bytes and `message_id`, this is
    /// a repeat: `false`, nothing written, and the first stays with its
    /// `at` and `recorded_at` (those two do not count). With anything else
    /// it is [`StoreError::DocumentConflict`], naming the first of these
    /// that differs ([`DocumentConflictReason::OtherDocument`],
    /// [`OtherSignedBytes`](DocumentConflictReason::OtherSignedBytes),
    /// [`OtherMessage`](DocumentConflictReason::OtherMessage)).
    ///
    /// Every publish and sign record of a document is about one document:
    /// one whose `document_sha256` differs from that of the first publish
    /// or sign record stored is [`DocumentConflictReason::NotTheDocument`],
    /// naming both hashes, and so is a withdrawal naming another document
    /// than they are about. A withdrawal stored while the document has no
    /// publish or sign record is checked against nothing and pins nothing
    /// (a node may learn of a withdrawal before the document): publish and
    /// sign records stored after it are checked only against each other.
    ///
    /// A refused record writes nothing. The checks and the write are one
    /// transaction, atomic across connections and processes: of two
    /// connections storing contradicting records at once, one stores and
    /// the other gets the conflict. A `document_id` that is not 1 to 96 of
    /// `a-z`, `A-Z`, `0-9`, `-`, `/` is [`StoreError::Misuse`].
    fn put_document_record(&self, record: &DocumentRecord) -> Result<bool, StoreError>;

    /// Every record of one document, each field as stored, by `at`, then
    /// role (publish, sign, withdraw), then party (byte order of the code).
    /// Empty if none is stored; an id `put_document_record` refuses is
    /// [`StoreError::Misuse`].
    fn document_records(
        &self,
        kind: DocumentKind,
        document_id: &str,
    ) -> Result<Vec<DocumentRecord>, StoreError>;

    /// Every id of a document of `kind` with at least one record, once each,
    /// in byte order (as `str` orders it).
    fn document_ids(&self, kind: DocumentKind) -> Result<Vec<String>, StoreError>;

    /// Adds STIX objects to their collections, in one transaction, and
    /// returns how many were added.
    ///
    /// An object is added unless its collection (counterparty and
    /// collection) holds a row with the same `object_id`, `version_key`
    /// and `lane` (objects with no version count as one version: stored
    /// once per lane); then the first copy stays, whatever the new one's
    /// source or bytes. A copy in another lane is added: each lane keeps
    /// its own, so what one writer stored is never revealed to another by
    /// a refused add. Each object added gets an `added_us` (its
    /// `date_added`): the first `max(now in µs, greatest stored added_us +
    /// 1)`, each following one more, so it is unique and increasing across
    /// the store even if the clock steps back.
    ///
    /// An object breaking the rules of [`NewStixObject`] (an `object_id` not
    /// 1 to 300 characters, a `lane` not 1 to 200, `version` and
    /// `version_key` not both set or both `None`, an empty `version_key`, a
    /// draft id not 1 to 64 of `A-Z`, `a-z`, `0-9`, `-`) is
    /// [`StoreError::Misuse`], and nothing is written.
    fn add_stix_objects(
        &self,
        objects: &[NewStixObject],
        now: Timestamp,
    ) -> Result<usize, StoreError>;

    /// The objects matching `query`, in `added_us` order, at most
    /// `query.limit`.
    ///
    /// Only objects in one of `query.lanes` are ever read, so an object
    /// outside them is absent: not listed, never counted, and it changes
    /// nothing of what is returned. Versions are as the reader sees them:
    /// an object's latest and first versions (by `version_key`, no version
    /// lowest) are its greatest and least in `query.lanes`, and a version
    /// held in several of those lanes is returned once, as the copy with
    /// the least `added_us`, under every filter. The cost of a call does
    /// not grow with the size of the collection: each lane is one range
    /// scan of an index in `added_us` order that stops at the page's end
    /// (with `ids`, one search of those objects' versions), reading keys
    /// only; the full rows are read for the page alone.
    fn stix_objects(&self, query: &StixQuery) -> Result<Vec<StoredStixObject>, StoreError>;

    /// For the indexer: the messages stored after position `after`, in the
    /// order they were stored, at most `limit`, each with its position and
    /// read as [`Store::message`] reads it. A position only grows (a
    /// message stored later has a greater one) and is never reused;
    /// positions start after 0.
    fn messages_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, StoredMessage)>, StoreError>;

    /// For the indexer: the position of the last message whose objects are
    /// added (0 before any).
    fn stix_watermark(&self) -> Result<u64, StoreError>;

    /// For the indexer: if the watermark is `from`, adds `objects` exactly
    /// as [`Store::add_stix_objects`] does and sets the watermark to `to`,
    /// in ONE transaction, and returns `true`; otherwise writes nothing and
    /// returns `false` (another indexer got there first). A compare-and-swap,
    /// atomic across connections and processes: of two indexers from one
    /// watermark, one adds. `to` before `from`, or either above `i64::MAX`,
    /// is [`StoreError::Misuse`].
    fn index_stix(
        &self,
        from: u64,
        to: u64,
        objects: &[NewStixObject],
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Stores a new, open draft, its objects (as
    /// [`Store::add_stix_objects`] adds them, with `now`) and the status of
    /// the POST that made it, in one transaction.
    ///
    /// A stored draft id is [`StoreError::Duplicate`]; an id not 1 to 64
    /// of `A-Z`, `a-z`, `0-9`, `-`, or an object outside the draft (not in
    /// `draft.counterparty`'s drafts collection, or not with source
    /// [`StixSource::Draft`] of `draft.id`), is [`StoreError::Misuse`].
    /// Either way nothing is written.
    fn create_draft(
        &self,
        draft: &NewDraft,
        objects: &[NewStixObject],
        status: Option<&TaxiiStatusRecord>,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// One draft by id; `None` if none is stored.
    fn draft(&self, id: &ResourceId) -> Result<Option<Draft>, StoreError>;

    /// The drafts in `state` (any: `None`) to `counterparty` (any: `None`),
    /// newest first (by `created_at`, ties by id descending), at most `limit`.
    fn drafts(
        &self,
        state: Option<DraftState>,
        counterparty: Option<&PartyCode>,
        limit: usize,
    ) -> Result<Vec<Draft>, StoreError>;

    /// Sends or discards a draft: moves it from open to `to`, recording
    /// `message_id` (sent), who (`by`) and when (`at`), if it is open — one
    /// atomic compare-and-swap. Returns whether it was open: of two
    /// officers deciding one draft, one does, and the other changes
    /// nothing. `to` open, sent without a message id, or discarded with one,
    /// is [`StoreError::Misuse`].
    fn decide_draft(
        &self,
        id: &ResourceId,
        to: DraftState,
        message_id: Option<&MessageId>,
        by: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Moves a draft sent as `message_id` back to open, clearing the
    /// decision (composing that message failed after the claim). Returns
    /// whether it did: `false` if the draft is not sent, or was sent as
    /// another message.
    fn reopen_draft(&self, id: &ResourceId, message_id: &MessageId) -> Result<bool, StoreError>;

    /// Stores a TAXII status resource, replacing one with the same id.
    fn put_taxii_status(&self, status: &TaxiiStatusRecord) -> Result<(), StoreError>;

    /// One status resource by id; `None` if none is stored.
    fn taxii_status(&self, id: &ResourceId) -> Result<Option<TaxiiStatusRecord>, StoreError>;

    /// Adds a TAXII account with its grants. A stored name is
    /// [`StoreError::TaxiiAccountExists`]; two grants for one collection,
    /// or a grant of neither read nor write, is [`StoreError::Misuse`]. Either
    /// way nothing is written.
    fn add_taxii_account(&self, account: &TaxiiAccountRecord) -> Result<(), StoreError>;

    /// One TAXII account by name, with its grants in the order given;
    /// `None` if none is stored.
    fn taxii_account(&self, name: &AccountName) -> Result<Option<TaxiiAccountRecord>, StoreError>;

    /// Every TAXII account, by name (byte order).
    fn taxii_accounts(&self) -> Result<Vec<TaxiiAccountRecord>, StoreError>;

    /// Removes a TAXII account and its grants. Returns whether one existed.
    fn remove_taxii_account(&self, name: &AccountName) -> Result<bool, StoreError>;

    /// Adds a peer, or replaces the card of a known one; the card joins
    /// the history of cards ([`Store::cards`]) as a first card (no link)
    /// if it is not held yet. For a card that succeeds a held one, use
    /// [`Store::advance_peer_card`].
    fn upsert_peer(&self, peer: &PeerRecord) -> Result<(), StoreError>;

    /// Replaces a peer's current card with a successor chain, atomically:
    /// `steps` (each with its link) join the history and `peer` becomes
    /// the peer's record — only if the peer's card is still the one with
    /// SHA-256 `held`, else [`StoreError::PeerCardMoved`] and nothing is
    /// written. The caller has checked the chain.
    fn advance_peer_card(
        &self,
        peer: &PeerRecord,
        held: &[u8; 32],
        steps: &[CardRecord],
    ) -> Result<(), StoreError>;

    /// Records a card in the history (this party's own, e.g. after a
    /// rotation); a card held already is left as it is. Returns whether
    /// it was new.
    fn add_card(&self, card: &CardRecord) -> Result<bool, StoreError>;

    /// Every card held, by party, then in the order first held.
    fn cards(&self) -> Result<Vec<CardRecord>, StoreError>;

    /// One peer.
    fn peer(&self, party: &PartyCode) -> Result<Option<PeerRecord>, StoreError>;

    /// Every peer, by party code.
    fn peers(&self) -> Result<Vec<PeerRecord>, StoreError>;

    /// Adds an officer. Fails with [`StoreError::Duplicate`] if the name is taken.
    fn add_officer(&self, officer: &OfficerRecord) -> Result<(), StoreError>;

    /// The officer whose bearer token hashes to `token_sha256`.
    fn officer_by_token_hash(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<OfficerRecord>, StoreError>;

    /// Every officer, by name.
    fn officers(&self) -> Result<Vec<OfficerRecord>, StoreError>;

    /// Removes an officer (and so invalidates their token). Returns whether
    /// one existed. Their password, language and sessions go with them.
    fn remove_officer(&self, name: &OfficerName) -> Result<bool, StoreError>;

    /// One officer, by name.
    fn officer(&self, name: &OfficerName) -> Result<Option<OfficerRecord>, StoreError>;

    /// Sets an officer's password (an argon2id PHC string, made by the
    /// node), replacing any. Returns whether the officer exists; a string
    /// that is not argon2id is [`StoreError::Misuse`].
    fn set_officer_password(
        &self,
        name: &OfficerName,
        phc: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// An officer's password (PHC string); `None` if they have none (or do
    /// not exist).
    fn officer_password(&self, name: &OfficerName) -> Result<Option<String>, StoreError>;

    /// Remembers the interface language an officer chose. Returns whether
    /// the officer exists.
    fn set_officer_language(&self, name: &OfficerName, language: &str) -> Result<bool, StoreError>;

    /// The interface language an officer chose, if any.
    fn officer_language(&self, name: &OfficerName) -> Result<Option<String>, StoreError>;

    /// Opens a console session. An officer who does not exist is
    /// [`StoreError::NotFound`]; a session secret already stored,
    /// [`StoreError::Duplicate`]; times out of order, [`StoreError::Misuse`].
    fn add_console_session(&self, session: &ConsoleSession) -> Result<(), StoreError>;

    /// The session whose secret hashes to `secret_sha256`, ended or not.
    fn console_session(
        &self,
        secret_sha256: &[u8; 32],
    ) -> Result<Option<ConsoleSession>, StoreError>;

    /// Records that a session was used at `at` (never moving `seen_at`
    /// back). Returns whether the session exists.
    fn touch_console_session(
        &self,
        secret_sha256: &[u8; 32],
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Ends one session (sign-out). Returns whether it existed.
    fn remove_console_session(&self, secret_sha256: &[u8; 32]) -> Result<bool, StoreError>;

    /// Ends every session of an officer (a new password). Returns how many.
    fn remove_console_sessions_of(&self, officer: &OfficerName) -> Result<usize, StoreError>;

    /// The officers with a session that has not expired by `now` and was
    /// last used after `idle_before`: who is signed in, each once, by name.
    fn signed_in_officers(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
    ) -> Result<Vec<OfficerName>, StoreError>;

    /// Ends every session that has expired by `now` or was last used at or
    /// before `idle_before`. Returns how many.
    fn prune_console_sessions(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
    ) -> Result<usize, StoreError>;

    /// Counts one more wrong password for `name` at `at`, atomically, and
    /// returns the count as stored (a lockout set earlier is kept).
    fn record_sign_in_failure(
        &self,
        name: &OfficerName,
        at: Timestamp,
    ) -> Result<SignInFailures, StoreError>;

    /// Locks `name` out until `until`. Returns whether it has failures.
    fn lock_sign_in(&self, name: &OfficerName, until: Timestamp) -> Result<bool, StoreError>;

    /// The failures counted for `name`, if any.
    fn sign_in_failures(&self, name: &OfficerName) -> Result<Option<SignInFailures>, StoreError>;

    /// Forgets the failures of `name` (a good sign-in).
    fn clear_sign_in_failures(&self, name: &OfficerName) -> Result<(), StoreError>;

    /// Raises an alert for the event `alert.cause_key`, its first rota step
    /// due at `raised_at`. An event already raised records nothing: returns
    /// `None` then, else the new alert's number.
    fn raise_alert(&self, alert: &NewAlert) -> Result<Option<u64>, StoreError>;

    /// Alert `id`, if stored.
    fn alert(&self, id: u64) -> Result<Option<AlertRecord>, StoreError>;

    /// The alert raised for `cause_key`, if any.
    fn alert_by_cause(&self, cause_key: &str) -> Result<Option<AlertRecord>, StoreError>;

    /// Alerts, newest first, as `query` asks.
    fn alerts(&self, query: &AlertQuery) -> Result<Vec<AlertRecord>, StoreError>;

    /// Alerts not acknowledged with a rota step due at `now`, earliest due
    /// first, at most `limit`.
    fn due_alerts(&self, now: Timestamp, limit: usize) -> Result<Vec<AlertRecord>, StoreError>;

    /// Moves alert `id` from rota step `from_step` to the next, in ONE
    /// transaction: writes `notice` (if any) as step `from_step`, pending
    /// and due at `at`, and sets the next step due at `next_at` (`None`:
    /// the rota is done). Only while the alert is at `from_step` and not
    /// acknowledged: returns `false` and writes nothing otherwise, so two
    /// dispatchers never send one step twice.
    fn advance_alert(
        &self,
        id: u64,
        from_step: u32,
        notice: Option<&NewNotice>,
        at: Timestamp,
        next_at: Option<Timestamp>,
    ) -> Result<bool, StoreError>;

    /// Pending notices due at `now`, earliest first, at most `limit`.
    fn due_notices(&self, now: Timestamp, limit: usize) -> Result<Vec<AlertNotice>, StoreError>;

    /// The notices of alert `id`, by step.
    fn alert_notices(&self, id: u64) -> Result<Vec<AlertNotice>, StoreError>;

    /// Records that a pending notice was sent at `at` (one attempt more).
    /// Returns `false` if it was not pending (cancelled meanwhile).
    fn record_notice_sent(&self, id: u64, step: u32, at: Timestamp) -> Result<bool, StoreError>;

    /// Records a failed attempt at a pending notice: retried at `retry_at`,
    /// or given up (`failed`) when `None`. Returns `false` if it was not
    /// pending.
    fn record_notice_failure(
        &self,
        id: u64,
        step: u32,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<bool, StoreError>;

    /// Acknowledges alert `id`: nothing more is sent (its next step is
    /// cleared, its pending notices cancelled), in one transaction. An
    /// alert acknowledged before keeps its first acknowledgement. An
    /// unknown alert is [`StoreError::NotFound`].
    fn acknowledge_alert(&self, id: u64, ack: &AlertAck) -> Result<AckOutcome, StoreError>;

    /// Whether a write can be made now: takes the write lock and lets it
    /// go, writing nothing (readiness checks).
    fn check_writable(&self) -> Result<(), StoreError>;

    /// How many messages there are of each (kind, direction, state), in
    /// that order (metrics).
    fn message_counts(&self) -> Result<Vec<MessageCount>, StoreError>;

    /// For each peer with messages queued: how many, and when the oldest
    /// was recorded, by party (metrics, readiness, alerts).
    fn queued_by_peer(&self) -> Result<Vec<QueuedForPeer>, StoreError>;

    /// How many alerts are open (a rota step still due), unanswered (the
    /// rota done, nobody acknowledged) and acknowledged (metrics).
    fn alert_counts(&self) -> Result<StateCounts, StoreError>;

    /// How many deadline timers are, at `now`, open (unmet, not yet due),
    /// met (in time), late (met after they fell due) and missed (unmet
    /// and due) (metrics).
    fn deadline_counts(&self, now: Timestamp) -> Result<StateCounts, StoreError>;
}
