//! The SQLite backend: one file per node (docs/storage.md).
//!
//! One connection behind a mutex: the trait is synchronous and called from
//! blocking threads, and SQLite serialises writers anyway. Other processes
//! (the CLI next to a running node) open their own connection; WAL lets
//! their reads proceed during our writes, and the busy timeout makes
//! writers wait for each other.
//!
//! Every operation that writes more than one row, or reads what is stored
//! before deciding to write, runs in one `IMMEDIATE` transaction: the
//! write lock is taken before the first read, so a check ("is this id
//! stored?") and the write that depends on it cannot be split
//! by another connection, and a transaction never fails half-way because
//! another writer got in first. Hence:
//! - a queued message and its outbox row are written together or not at all;
//! - a message id is stored at most once; an accepted message carries the
//!   receipt this node gave for it;
//! - a message becomes `delivered` together with its receipt, and loses its
//!   outbox row in the same commit;
//! - a log batch, its messages and its checkpoint are one commit, hence one
//!   fsync however many entries it holds;
//! - a signature on an agreement version is checked against the ones
//!   stored (one document per version, one signature per signer) and
//!   inserted in one transaction, so two connections cannot store
//!   signatures over two documents on one version;
//! - the deadline timers a delivery starts are inserted in the transaction
//!   that records it, so there are timers exactly when there is a receipt;
//! - a record of a guarantee or pledge is checked against the ones stored
//!   (one per party and role, one document) and inserted in one
//!   transaction, so two connections cannot store contradicting records;
//! - STIX objects are added (each version once per lane, with its
//!   `added_us`) in one transaction; a query's keys and rows are read in
//!   one read transaction (one snapshot); and
//!   the indexer's watermark moves in the transaction that adds the objects
//!   it covers, only from the value it was read at;
//! - a draft, its objects and its status are one commit.
//!
//! The schema, its migrations and connection settings are in [`schema`];
//! writing new message rows in `inserts`; reading rows back in `rows`; the
//! transparency log in `log`; witness records, cosignatures and alarms in
//! `witness` (each a single statement, so atomic without a transaction);
//! a message's thread (one recursive query) in `thread`; signatures on
//! agreements (checked and inserted in one transaction) in `agreements`;
//! deadline timers (each change one conditional statement) in `deadlines`;
//! records of guarantees and pledges (checked and inserted in one
//! transaction) in `documents`; the STIX objects of the TAXII collections
//! and the indexer's watermark in `stix`; drafts, TAXII status resources
//! and TAXII accounts in `taxii`.

mod agreements;
mod alerts;
mod backup;
mod cards;
mod console;
mod counts;
mod deadlines;
mod documents;
mod inserts;
mod log;
mod log_copies;
mod rows;
mod schema;
mod stix;
mod taxii;
mod thread;
mod witness;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use detente_proto::body::DeadlineKind;
use detente_proto::ids::{AccountName, DocumentId, MessageId, OfficerName, PartyCode, ResourceId};
use detente_proto::time::Timestamp;
use rusqlite::types::ToSql;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Params, Row, Transaction, TransactionBehavior, params,
};

use crate::{
    AcceptOutcome, AckOutcome, AgreementSignature, Alarm, AlertAck, AlertNotice, AlertQuery,
    AlertRecord, CardRecord, ConsoleSession, DeadlineQuery, DeadlineTimer, Direction, DocumentKind,
    DocumentRecord, Draft, DraftState, LogBatch, Mailbox, MessageCount, MessageQuery, MessageState,
    NewAlert, NewDraft, NewMessage, NewNotice, NewStixObject, OfficerRecord, OutboxEntry,
    PeerRecord, QueuedForPeer, SignInFailures, StixQuery, Store, StoreError, StoredMessage,
    StoredStixObject, TaxiiAccountRecord, TaxiiStatusRecord,
};
use inserts::{insert_message, insert_outbox_row, stored_status};
use rows::{MessageRow, db_error, format_tiers, parse_state, select_messages};

/// The [`Store`] kept in one SQLite file (WAL, `synchronous=FULL`).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field(
                "path",
                &self.path.as_deref().unwrap_or(Path::new(":memory:")),
            )
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// The schema version this build reads and writes (`PRAGMA user_version`).
    pub const SCHEMA_VERSION: i64 = schema::SCHEMA_VERSION;

    /// Opens (creating if needed) the database at `path`, applies the
    /// connection settings and brings the schema up to date.
    ///
    /// Fails with [`StoreError::TooNew`] if a newer detente wrote it, and
    /// with [`StoreError::Corrupt`] if it is not a detente database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // Not SQLITE_OPEN_URI: a path is a path, even one that starts with `file:`.
        // No SQLite mutex either: the connection is only used under `self.conn`.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| {
            StoreError::Backend(format!("cannot open database {}: {e}", path.display()))
        })?;
        schema::prepare(&mut conn, true)?;
        Ok(Self::with(conn, Some(path.to_owned())))
    }

    /// A fresh, private in-memory database (for tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(db_error)?;
        schema::prepare(&mut conn, false)?;
        Ok(Self::with(conn, None))
    }

    fn with(conn: Connection, path: Option<PathBuf>) -> Self {
        // Room for every fixed statement and every shape of listing query.
        conn.set_prepared_statement_cache_capacity(64);
        Self {
            conn: Mutex::new(conn),
            path,
        }
    }

    /// The file this store is kept in; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The settings the store relies on (`journal_mode`, `synchronous`,
    /// `foreign_keys`, `busy_timeout`, `user_version`, `application_id`) as
    /// SQLite reports them on this store's connection, for diagnostics.
    pub fn settings(&self) -> Result<Vec<(&'static str, String)>, StoreError> {
        schema::settings(&self.lock())
    }

    /// Copies the database, online and consistent, to the new file `dest`
    /// (never overwritten; nothing is left behind on failure), with the
    /// manifest `manifest` makes from the copy's log checkpoint `(size,
    /// note)` stored in it as the one row of `backup_manifest`.
    pub fn backup_to(
        &self,
        dest: &Path,
        manifest: impl FnOnce(Option<(u64, String)>) -> String,
    ) -> Result<(), StoreError> {
        backup::backup_to(&self.lock(), dest, manifest)
    }

    /// The manifest stored in the backup file at `path`; `None` for a
    /// database that is not a backup.
    pub fn backup_manifest(path: &Path) -> Result<Option<String>, StoreError> {
        backup::manifest_of(path)
    }

    /// Makes a copy of a backup file (at `path`, which no store has open)
    /// a node's database again: the manifest goes.
    pub fn strip_backup_manifest(path: &Path) -> Result<(), StoreError> {
        backup::strip_manifest(path)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere while holding the lock rolled back any open
        // transaction when it unwound, so the connection is still sound.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn write_transaction(conn: &mut Connection) -> Result<Transaction<'_>, StoreError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)
}

/// The row the cached statement `sql` finds with `params`, if any, read as
/// the tuple of its columns in order.
fn optional_row<R>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Option<R>, StoreError>
where
    R: for<'r> TryFrom<&'r Row<'r>, Error = rusqlite::Error>,
{
    conn.prepare_cached(sql)
        .map_err(db_error)?
        .query_row(params, |row| R::try_from(row))
        .optional()
        .map_err(db_error)
}

/// Every row the cached statement `sql` finds with `params`, each read as
/// the tuple of its columns in order and then converted with `convert`; the
/// first failure, reading or converting, ends the listing with that error.
fn all_rows<R, T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut convert: impl FnMut(R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError>
where
    R: for<'r> TryFrom<&'r Row<'r>, Error = rusqlite::Error>,
{
    let mut statement = conn.prepare_cached(sql).map_err(db_error)?;
    let found = statement
        .query_map(params, |row| R::try_from(row))
        .map_err(db_error)?;
    found
        .map(|row| row.map_err(db_error).and_then(&mut convert))
        .collect()
}

fn require_direction(
    message: &NewMessage,
    expected: Direction,
    operation: &'static str,
) -> Result<(), StoreError> {
    if message.direction == expected {
        Ok(())
    } else {
        Err(StoreError::Misuse {
            operation,
            why: format!(
                "message {} has direction {}, expected {}",
                message.id,
                message.direction.as_str(),
                expected.as_str()
            ),
        })
    }
}

/// The listing statement for the shape of `query`; values are bound, so
/// there are few distinct texts and each is prepared once.
///
/// Visibility: a sent message by its sender's tier, a received one by its
/// recipient's tier. Written as one `CASE` rather than an `OR` of two
/// directions so the planner walks an index in `recorded_at` order and
/// stops at `LIMIT` instead of sorting every visible row.
fn listing_sql(query: &MessageQuery) -> String {
    let mut sql = String::from(concat!(
        select_messages!(),
        " WHERE (CASE m.direction WHEN 'sent' THEN m.from_tier WHEN 'received' THEN m.to_tier END)
              IN (SELECT value FROM json_each(:tiers))"
    ));
    sql.push_str(match query.mailbox {
        Mailbox::Inbox => " AND m.direction = 'received'",
        Mailbox::Outbox => " AND m.direction = 'sent'",
        Mailbox::All => "",
    });
    if query.state.is_some() {
        sql.push_str(" AND m.state = :state");
    }
    if query.counterparty.is_some() {
        sql.push_str(" AND m.counterparty = :counterparty");
    }
    if query.kind.is_some() {
        sql.push_str(" AND m.kind = :kind");
    }
    sql.push_str(" ORDER BY m.recorded_at_ms DESC, m.id DESC LIMIT :limit");
    sql
}

impl Store for SqliteStore {
    fn enqueue_outgoing(
        &self,
        message: &NewMessage,
        first_attempt_at: Timestamp,
    ) -> Result<(), StoreError> {
        require_direction(message, Direction::Sent, "enqueue_outgoing")?;
        let id = message.id.to_string();
        let mut conn = self.lock();
        let tx = write_transaction(&mut conn)?;
        if stored_status(&tx, &id)?.is_some() {
            return Err(StoreError::ConflictingId { id });
        }
        insert_message(&tx, message, MessageState::Queued, None, "enqueue_outgoing")?;
        insert_outbox_row(&tx, &id, first_attempt_at)?;
        tx.commit().map_err(db_error)
    }

    fn accept_incoming(
        &self,
        message: &NewMessage,
        receipt: &[u8],
    ) -> Result<AcceptOutcome, StoreError> {
        require_direction(message, Direction::Received, "accept_incoming")?;
        let id = message.id.to_string();
        let mut conn = self.lock();
        let tx = write_transaction(&mut conn)?;
        let existing: Option<(String, Vec<u8>, Option<Vec<u8>>)> = optional_row(
            &tx,
            "SELECT direction, envelope_sha256, receipt FROM messages WHERE id = ?1",
            [&id],
        )?;
        if let Some((direction, sha256, first_receipt)) = existing {
            // The same bytes received before: answer with the same receipt.
            // Anything else under this id (another envelope, or a message we
            // sent ourselves) is a reused id.
            if direction == Direction::Received.as_str() && sha256 == message.envelope_sha256 {
                let receipt = first_receipt.ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "messages.receipt of {id:?}: missing for a received message"
                    ))
                })?;
                return Ok(AcceptOutcome::AlreadyAccepted { receipt });
            }
            return Err(StoreError::ConflictingId { id });
        }
        insert_message(
            &tx,
            message,
            MessageState::Received,
            Some(receipt),
            "accept_incoming",
        )?;
        tx.commit().map_err(db_error)?;
        Ok(AcceptOutcome::Accepted)
    }

    fn message(&self, id: &MessageId) -> Result<Option<StoredMessage>, StoreError> {
        let conn = self.lock();
        let row = conn
            .prepare_cached(concat!(select_messages!(), " WHERE m.id = ?1"))
            .map_err(db_error)?
            .query_row([id.to_string()], MessageRow::read)
            .optional()
            .map_err(db_error)?;
        row.map(MessageRow::into_stored).transpose()
    }

    fn thread(&self, root: &MessageId) -> Result<Vec<StoredMessage>, StoreError> {
        thread::thread(&self.lock(), &root.to_string())
    }

    fn messages(&self, query: &MessageQuery) -> Result<Vec<StoredMessage>, StoreError> {
        if query.tiers.is_empty() || query.limit == 0 {
            return Ok(Vec::new());
        }
        let tiers: Vec<&str> = query.tiers.iter().map(|t| t.as_str()).collect();
        let tiers =
            serde_json::to_string(&tiers).map_err(|e| StoreError::Backend(e.to_string()))?;
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        let state = query.state.map(|s| s.as_str());
        let counterparty = query.counterparty.as_ref().map(PartyCode::as_str);
        let mut bound: Vec<(&str, &dyn ToSql)> = vec![(":tiers", &tiers), (":limit", &limit)];
        if let Some(state) = &state {
            bound.push((":state", state));
        }
        if let Some(counterparty) = &counterparty {
            bound.push((":counterparty", counterparty));
        }
        let kind = query.kind.map(|k| k.as_str());
        if let Some(kind) = &kind {
            bound.push((":kind", kind));
        }
        let conn = self.lock();
        let mut statement = conn.prepare_cached(&listing_sql(query)).map_err(db_error)?;
        let found = statement
            .query_map(bound.as_slice(), MessageRow::read)
            .map_err(db_error)?;
        found
            .map(|row| row.map_err(db_error).and_then(MessageRow::into_stored))
            .collect()
    }

    fn due_deliveries(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.lock();
        all_rows(
            &conn,
            "SELECT o.message_id, m.counterparty, m.envelope, o.attempts,
                    o.next_attempt_at_ms, o.last_error
             FROM outbox o JOIN messages m ON m.id = o.message_id
             WHERE o.next_attempt_at_ms <= ?1
             ORDER BY o.next_attempt_at_ms, o.message_id
             LIMIT ?2",
            params![now.unix_millis(), limit],
            rows::outbox_entry,
        )
    }

    fn next_delivery_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let conn = self.lock();
        let millis: Option<i64> = conn
            .prepare_cached("SELECT MIN(next_attempt_at_ms) FROM outbox")
            .map_err(db_error)?
            .query_row([], |row| row.get(0))
            .map_err(db_error)?;
        millis
            .map(|ms| {
                Timestamp::from_unix_millis(ms).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "outbox.next_attempt_at_ms: {ms} ms is out of range"
                    ))
                })
            })
            .transpose()
    }

    fn record_delivery_failure(
        &self,
        id: &MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        let id = id.to_string();
        let mut conn = self.lock();
        let tx = write_transaction(&mut conn)?;
        let updated = tx
            .prepare_cached(
                "UPDATE outbox SET attempts = ?2, next_attempt_at_ms = ?3, last_error = ?4
                 WHERE message_id = ?1",
            )
            .map_err(db_error)?
            .execute(params![id, attempts, next_attempt_at.unix_millis(), error])
            .map_err(db_error)?;
        if updated == 0 {
            // A receipt that arrived meanwhile wins over a late failure report.
            let delivered = stored_status(&tx, &id)?
                .is_some_and(|(_, state)| state == MessageState::Delivered.as_str());
            if !delivered {
                return Err(StoreError::NotFound {
                    what: "outbox entry",
                    name: id,
                });
            }
        }
        tx.commit().map_err(db_error)
    }

    fn record_delivery(
        &self,
        id: &MessageId,
        receipt: &[u8],
        delivered_at: Timestamp,
        deadlines: &[DeadlineTimer],
    ) -> Result<(), StoreError> {
        deadlines::check_timers(id, deadlines)?;
        let id = id.to_string();
        let mut conn = self.lock();
        let tx = write_transaction(&mut conn)?;
        let Some((_, state)) = stored_status(&tx, &id)? else {
            return Err(StoreError::NotFound {
                what: "message",
                name: id,
            });
        };
        match parse_state(&state) {
            // Already recorded: the first verified receipt stays.
            Some(MessageState::Delivered) => return Ok(()),
            Some(MessageState::Queued) => {}
            Some(MessageState::Received) => {
                return Err(StoreError::NotFound {
                    what: "sent message",
                    name: id,
                });
            }
            None => {
                return Err(StoreError::Corrupt(format!(
                    "messages.state of {id:?}: unknown value {state:?}"
                )));
            }
        }
        tx.prepare_cached(
            "UPDATE messages SET state = 'delivered', receipt = ?2, delivered_at_ms = ?3
             WHERE id = ?1",
        )
        .map_err(db_error)?
        .execute(params![id, receipt, delivered_at.unix_millis()])
        .map_err(db_error)?;
        tx.prepare_cached("DELETE FROM outbox WHERE message_id = ?1")
            .map_err(db_error)?
            .execute([&id])
            .map_err(db_error)?;
        deadlines::insert_timers(&tx, deadlines)?;
        tx.commit().map_err(db_error)
    }

    fn due_deadlines(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<DeadlineTimer>, StoreError> {
        deadlines::due(&self.lock(), now, limit)
    }

    fn next_deadline_at(&self) -> Result<Option<Timestamp>, StoreError> {
        deadlines::next_at(&self.lock())
    }

    fn advance_deadline(
        &self,
        message_id: &MessageId,
        kind: DeadlineKind,
        expected_rungs: u32,
        rungs_fired: u32,
        next_at: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        deadlines::advance(
            &self.lock(),
            message_id,
            kind,
            expected_rungs,
            rungs_fired,
            next_at,
        )
    }

    fn meet_deadline(
        &self,
        message_id: &MessageId,
        kind: DeadlineKind,
        met_at: Timestamp,
        met_by: &MessageId,
    ) -> Result<bool, StoreError> {
        deadlines::meet(&self.lock(), message_id, kind, met_at, met_by)
    }

    fn deadlines_of(&self, message_id: &MessageId) -> Result<Vec<DeadlineTimer>, StoreError> {
        deadlines::of_message(&self.lock(), message_id)
    }

    fn deadlines(&self, query: &DeadlineQuery) -> Result<Vec<DeadlineTimer>, StoreError> {
        deadlines::list(&self.lock(), query)
    }

    fn commit_log_batch(&self, batch: &LogBatch) -> Result<(), StoreError> {
        log::commit_batch(&mut self.lock(), batch)
    }

    fn log_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        log::checkpoint(&self.lock())
    }

    fn log_entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        log::entries(&self.lock(), start, end)
    }

    fn append_log_copy(
        &self,
        origin: &str,
        start: u64,
        entries: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        log_copies::append(&mut self.lock(), origin, start, entries)
    }

    fn log_copy(&self, origin: &str, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        log_copies::entries(&self.lock(), origin, start, end)
    }

    fn log_copy_size(&self, origin: &str) -> Result<u64, StoreError> {
        log_copies::size(&self.lock(), origin)
    }

    fn witness_record(&self, origin: &str) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        witness::record(&self.lock(), origin)
    }

    fn swap_witness_record(
        &self,
        origin: &str,
        expected_size: Option<u64>,
        size: u64,
        record: &[u8],
    ) -> Result<bool, StoreError> {
        witness::swap_record(&self.lock(), origin, expected_size, size, record)
    }

    fn put_cosignature(&self, witness: &str, size: u64, line: &str) -> Result<(), StoreError> {
        witness::put_cosignature(&self.lock(), witness, size, line)
    }

    fn cosignatures(&self) -> Result<Vec<(String, u64, String)>, StoreError> {
        witness::cosignatures(&self.lock())
    }

    fn raise_alarm(&self, alarm: &Alarm) -> Result<bool, StoreError> {
        witness::raise_alarm(&self.lock(), alarm)
    }

    fn alarms(&self) -> Result<Vec<Alarm>, StoreError> {
        witness::alarms(&self.lock())
    }

    fn put_agreement_signature(&self, signature: &AgreementSignature) -> Result<bool, StoreError> {
        agreements::put_signature(&mut self.lock(), signature)
    }

    fn agreement_signatures(
        &self,
        agreement_id: &DocumentId,
        version: u32,
    ) -> Result<Vec<AgreementSignature>, StoreError> {
        agreements::signatures(&self.lock(), agreement_id, version)
    }

    fn agreement_versions(&self) -> Result<Vec<(DocumentId, u32)>, StoreError> {
        agreements::versions(&self.lock())
    }

    fn put_document_record(&self, record: &DocumentRecord) -> Result<bool, StoreError> {
        documents::put_record(&mut self.lock(), record)
    }

    fn document_records(
        &self,
        kind: DocumentKind,
        document_id: &str,
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        documents::records(&self.lock(), kind, document_id)
    }

    fn document_ids(&self, kind: DocumentKind) -> Result<Vec<String>, StoreError> {
        documents::ids(&self.lock(), kind)
    }

    fn add_stix_objects(
        &self,
        objects: &[NewStixObject],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        stix::add_objects(&mut self.lock(), objects, now)
    }

    fn stix_objects(&self, query: &StixQuery) -> Result<Vec<StoredStixObject>, StoreError> {
        stix::query(&self.lock(), query)
    }

    fn messages_after(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, StoredMessage)>, StoreError> {
        stix::messages_after(&self.lock(), after, limit)
    }

    fn stix_watermark(&self) -> Result<u64, StoreError> {
        stix::watermark(&self.lock())
    }

    fn index_stix(
        &self,
        from: u64,
        to: u64,
        objects: &[NewStixObject],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        stix::index(&mut self.lock(), from, to, objects, now)
    }

    fn create_draft(
        &self,
        draft: &NewDraft,
        objects: &[NewStixObject],
        status: Option<&TaxiiStatusRecord>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        taxii::create_draft(&mut self.lock(), draft, objects, status, now)
    }

    fn draft(&self, id: &ResourceId) -> Result<Option<Draft>, StoreError> {
        taxii::read_draft(&self.lock(), id)
    }

    fn drafts(
        &self,
        state: Option<DraftState>,
        counterparty: Option<&PartyCode>,
        limit: usize,
    ) -> Result<Vec<Draft>, StoreError> {
        taxii::drafts(&self.lock(), state, counterparty, limit)
    }

    fn decide_draft(
        &self,
        id: &ResourceId,
        to: DraftState,
        message_id: Option<&MessageId>,
        by: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        taxii::decide_draft(&self.lock(), id, to, message_id, by, at)
    }

    fn reopen_draft(&self, id: &ResourceId, message_id: &MessageId) -> Result<bool, StoreError> {
        taxii::reopen_draft(&self.lock(), id, message_id)
    }

    fn put_taxii_status(&self, status: &TaxiiStatusRecord) -> Result<(), StoreError> {
        taxii::put_status(&self.lock(), status)
    }

    fn taxii_status(&self, id: &ResourceId) -> Result<Option<TaxiiStatusRecord>, StoreError> {
        taxii::status(&self.lock(), id)
    }

    fn add_taxii_account(&self, account: &TaxiiAccountRecord) -> Result<(), StoreError> {
        taxii::add_account(&mut self.lock(), account)
    }

    fn taxii_account(&self, name: &AccountName) -> Result<Option<TaxiiAccountRecord>, StoreError> {
        taxii::read_account(&self.lock(), name)
    }

    fn taxii_accounts(&self) -> Result<Vec<TaxiiAccountRecord>, StoreError> {
        taxii::accounts(&self.lock())
    }

    fn remove_taxii_account(&self, name: &AccountName) -> Result<bool, StoreError> {
        taxii::remove_account(&self.lock(), name)
    }

    fn upsert_peer(&self, peer: &PeerRecord) -> Result<(), StoreError> {
        cards::upsert_peer(&mut self.lock(), peer)
    }

    fn advance_peer_card(
        &self,
        peer: &PeerRecord,
        held: &[u8; 32],
        steps: &[CardRecord],
    ) -> Result<(), StoreError> {
        cards::advance_peer_card(&mut self.lock(), peer, held, steps)
    }

    fn add_card(&self, card: &CardRecord) -> Result<bool, StoreError> {
        cards::add_card(&mut self.lock(), card)
    }

    fn cards(&self) -> Result<Vec<CardRecord>, StoreError> {
        cards::cards(&self.lock())
    }

    fn peer(&self, party: &PartyCode) -> Result<Option<PeerRecord>, StoreError> {
        let conn = self.lock();
        let row = optional_row(
            &conn,
            "SELECT party, card, fingerprint, tls_spki_sha256, added_at_ms
             FROM peers WHERE party = ?1",
            [party.as_str()],
        )?;
        row.map(rows::peer_record).transpose()
    }

    fn peers(&self) -> Result<Vec<PeerRecord>, StoreError> {
        let conn = self.lock();
        all_rows(
            &conn,
            "SELECT party, card, fingerprint, tls_spki_sha256, added_at_ms
             FROM peers ORDER BY party",
            [],
            rows::peer_record,
        )
    }

    fn add_officer(&self, officer: &OfficerRecord) -> Result<(), StoreError> {
        let name = officer.name.as_str();
        let mut conn = self.lock();
        let tx = write_transaction(&mut conn)?;
        let holder: Option<String> = tx
            .prepare_cached(
                "SELECT name FROM officers WHERE name = ?1 OR token_sha256 = ?2
                 ORDER BY name = ?1 DESC LIMIT 1",
            )
            .map_err(db_error)?
            .query_row(params![name, officer.token_sha256], |row| row.get(0))
            .optional()
            .map_err(db_error)?;
        if let Some(holder) = holder {
            // Tokens are random, so a shared token hash means a token was reused.
            let what = if holder == name {
                "officer"
            } else {
                "bearer token of officer"
            };
            return Err(StoreError::Duplicate {
                what,
                name: name.to_owned(),
            });
        }
        tx.prepare_cached(
            "INSERT INTO officers (name, tiers, token_sha256, created_at_ms)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(db_error)?
        .execute(params![
            name,
            format_tiers(&officer.tiers),
            officer.token_sha256,
            officer.created_at.unix_millis(),
        ])
        .map_err(db_error)?;
        tx.commit().map_err(db_error)
    }

    fn officer_by_token_hash(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<OfficerRecord>, StoreError> {
        let conn = self.lock();
        let row = optional_row(
            &conn,
            "SELECT name, tiers, token_sha256, created_at_ms
             FROM officers WHERE token_sha256 = ?1",
            [token_sha256],
        )?;
        row.map(rows::officer_record).transpose()
    }

    fn officers(&self) -> Result<Vec<OfficerRecord>, StoreError> {
        let conn = self.lock();
        all_rows(
            &conn,
            "SELECT name, tiers, token_sha256, created_at_ms FROM officers ORDER BY name",
            [],
            rows::officer_record,
        )
    }

    fn remove_officer(&self, name: &OfficerName) -> Result<bool, StoreError> {
        let conn = self.lock();
        let removed = conn
            .prepare_cached("DELETE FROM officers WHERE name = ?1")
            .map_err(db_error)?
            .execute([name.as_str()])
            .map_err(db_error)?;
        Ok(removed > 0)
    }

    fn officer(&self, name: &OfficerName) -> Result<Option<OfficerRecord>, StoreError> {
        console::officer(&self.lock(), name)
    }

    fn set_officer_password(
        &self,
        name: &OfficerName,
        phc: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        console::set_password(&mut self.lock(), name, phc, at)
    }

    fn officer_password(&self, name: &OfficerName) -> Result<Option<String>, StoreError> {
        console::password(&self.lock(), name)
    }

    fn set_officer_language(&self, name: &OfficerName, language: &str) -> Result<bool, StoreError> {
        console::set_language(&mut self.lock(), name, language)
    }

    fn officer_language(&self, name: &OfficerName) -> Result<Option<String>, StoreError> {
        console::language(&self.lock(), name)
    }

    fn add_console_session(&self, session: &ConsoleSession) -> Result<(), StoreError> {
        console::add_session(&mut self.lock(), session)
    }

    fn console_session(
        &self,
        secret_sha256: &[u8; 32],
    ) -> Result<Option<ConsoleSession>, StoreError> {
        console::session(&self.lock(), secret_sha256)
    }

    fn touch_console_session(
        &self,
        secret_sha256: &[u8; 32],
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        console::touch_session(&self.lock(), secret_sha256, at)
    }

    fn remove_console_session(&self, secret_sha256: &[u8; 32]) -> Result<bool, StoreError> {
        console::remove_session(&self.lock(), secret_sha256)
    }

    fn remove_console_sessions_of(&self, officer: &OfficerName) -> Result<usize, StoreError> {
        console::remove_sessions_of(&self.lock(), officer)
    }

    fn signed_in_officers(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
    ) -> Result<Vec<OfficerName>, StoreError> {
        console::signed_in(&self.lock(), now, idle_before)
    }

    fn prune_console_sessions(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
    ) -> Result<usize, StoreError> {
        console::prune_sessions(&self.lock(), now, idle_before)
    }

    fn record_sign_in_failure(
        &self,
        name: &OfficerName,
        at: Timestamp,
    ) -> Result<SignInFailures, StoreError> {
        console::record_failure(&mut self.lock(), name, at)
    }

    fn lock_sign_in(&self, name: &OfficerName, until: Timestamp) -> Result<bool, StoreError> {
        console::lock(&self.lock(), name, until)
    }

    fn sign_in_failures(&self, name: &OfficerName) -> Result<Option<SignInFailures>, StoreError> {
        console::failures(&self.lock(), name)
    }

    fn clear_sign_in_failures(&self, name: &OfficerName) -> Result<(), StoreError> {
        console::clear_failures(&self.lock(), name)
    }

    fn raise_alert(&self, alert: &NewAlert) -> Result<Option<u64>, StoreError> {
        alerts::raise(&self.lock(), alert)
    }

    fn alert(&self, id: u64) -> Result<Option<AlertRecord>, StoreError> {
        alerts::one(&self.lock(), id)
    }

    fn alert_by_cause(&self, cause_key: &str) -> Result<Option<AlertRecord>, StoreError> {
        alerts::by_cause(&self.lock(), cause_key)
    }

    fn alerts(&self, query: &AlertQuery) -> Result<Vec<AlertRecord>, StoreError> {
        alerts::list(&self.lock(), query)
    }

    fn due_alerts(&self, now: Timestamp, limit: usize) -> Result<Vec<AlertRecord>, StoreError> {
        alerts::due(&self.lock(), now, limit)
    }

    fn advance_alert(
        &self,
        id: u64,
        from_step: u32,
        notice: Option<&NewNotice>,
        at: Timestamp,
        next_at: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        alerts::advance(&mut self.lock(), id, from_step, notice, at, next_at)
    }

    fn due_notices(&self, now: Timestamp, limit: usize) -> Result<Vec<AlertNotice>, StoreError> {
        alerts::due_notices(&self.lock(), now, limit)
    }

    fn alert_notices(&self, id: u64) -> Result<Vec<AlertNotice>, StoreError> {
        alerts::notices_of(&self.lock(), id)
    }

    fn record_notice_sent(&self, id: u64, step: u32, at: Timestamp) -> Result<bool, StoreError> {
        alerts::sent(&self.lock(), id, step, at)
    }

    fn record_notice_failure(
        &self,
        id: u64,
        step: u32,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        alerts::failed(&self.lock(), id, step, error, retry_at)
    }

    fn acknowledge_alert(&self, id: u64, ack: &AlertAck) -> Result<AckOutcome, StoreError> {
        alerts::acknowledge(&mut self.lock(), id, ack)
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        counts::writable(&mut self.lock())
    }

    fn message_counts(&self) -> Result<Vec<MessageCount>, StoreError> {
        counts::messages(&self.lock())
    }

    fn queued_by_peer(&self) -> Result<Vec<QueuedForPeer>, StoreError> {
        counts::queued(&self.lock())
    }

    fn alert_counts(&self) -> Result<crate::StateCounts, StoreError> {
        counts::alerts(&self.lock())
    }

    fn deadline_counts(&self, now: Timestamp) -> Result<crate::StateCounts, StoreError> {
        counts::deadlines(&self.lock(), now)
    }
}
