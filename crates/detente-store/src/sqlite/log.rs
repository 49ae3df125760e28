//! The transparency log in SQLite (docs/storage.md, "The transparency
//! log"; tables in `migrations/0002_log.sql`).
//!
//! A sequencer batch is one `BEGIN IMMEDIATE` transaction. The write lock
//! is taken before the checkpoint is read, so the compare-and-swap on its
//! size cannot be split by another connection: two sequencers on one file
//! cannot both extend size N, and the loser writes nothing. Entries,
//! messages, outbox rows, receipts, the records received messages carry
//! and the new checkpoint then go in with
//! cached prepared statements and one commit, so a batch costs one fsync
//! (WAL, `synchronous=FULL`) however many entries it holds.

use rusqlite::{Connection, OptionalExtension, params};

use super::inserts::{insert_message, insert_outbox_row, stored_status};
use super::rows::{self, db_error};
use super::write_transaction;
use super::{agreements, documents};
use crate::log_batch::{self, MAX_LOG_SIZE};
use crate::{CarriedRecord, LogBatch, MessageState, NewMessage, StoreError};

const OPERATION: &str = "commit_log_batch";

/// A log index or size known to be at most [`MAX_LOG_SIZE`], as SQLite stores it.
pub(super) fn sql_index(index: u64) -> i64 {
    i64::try_from(index.min(MAX_LOG_SIZE)).unwrap_or(i64::MAX)
}

/// The stored checkpoint's size and note.
fn read_checkpoint(conn: &Connection) -> Result<Option<(u64, String)>, StoreError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached("SELECT size, note FROM log_checkpoint WHERE singleton = 1")
        .map_err(db_error)?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .map_err(db_error)?;
    row.map(|(size, note)| Ok((rows::log_index("log_checkpoint", "size", "1", size)?, note)))
        .transpose()
}

/// Refuses to extend a log whose stored entries run past its checkpoint:
/// both are only ever written together, so that is damage.
fn check_no_entries_beyond(conn: &Connection, size: u64) -> Result<(), StoreError> {
    let last: Option<i64> = conn
        .prepare_cached("SELECT MAX(log_index) FROM log_entries")
        .map_err(db_error)?
        .query_row([], |row| row.get(0))
        .map_err(db_error)?;
    match last {
        Some(last) if last >= sql_index(size) => Err(StoreError::Corrupt(format!(
            "log_entries holds index {last}, but the checkpoint covers only {size} entries"
        ))),
        _ => Ok(()),
    }
}

/// Inserts a message of the batch; an id already stored (before or earlier
/// in this batch) fails it.
fn insert_new(
    tx: &Connection,
    message: &NewMessage,
    state: MessageState,
    receipt: Option<&[u8]>,
) -> Result<String, StoreError> {
    let id = message.id.to_string();
    if stored_status(tx, &id)?.is_some() {
        return Err(StoreError::ConflictingId { id });
    }
    insert_message(tx, message, state, receipt, OPERATION)?;
    Ok(id)
}

/// Rows per multi-row `INSERT` of log entries: one statement per chunk
/// instead of one per row (the sequencer commits thousands at a time).
const ENTRY_ROWS_PER_INSERT: usize = 256;

/// `INSERT INTO log_entries … VALUES (?,?), …` for `rows` rows.
fn insert_entries_sql(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO log_entries (log_index, entry) VALUES ");
    for i in 0..rows {
        sql.push_str(if i == 0 { "(?,?)" } else { ",(?,?)" });
    }
    sql
}

/// Inserts `entries` at indices `first`, `first + 1`, ….
fn insert_entries(
    tx: &rusqlite::Transaction<'_>,
    first: u64,
    entries: &[Vec<u8>],
) -> Result<(), StoreError> {
    let full = insert_entries_sql(ENTRY_ROWS_PER_INSERT);
    let mut index = first;
    for chunk in entries.chunks(ENTRY_ROWS_PER_INSERT) {
        let partial;
        let sql = if chunk.len() == ENTRY_ROWS_PER_INSERT {
            &full
        } else {
            partial = insert_entries_sql(chunk.len());
            &partial
        };
        let mut insert = tx.prepare_cached(sql).map_err(db_error)?;
        let indices: Vec<_> = (index..).take(chunk.len()).map(sql_index).collect();
        index += chunk.len() as u64;
        let values = indices
            .iter()
            .zip(chunk)
            .flat_map(|(i, entry)| [i as &dyn rusqlite::ToSql, entry as &dyn rusqlite::ToSql]);
        insert
            .execute(rusqlite::params_from_iter(values))
            .map_err(db_error)?;
    }
    Ok(())
}

/// [`crate::Store::commit_log_batch`]. Any early return drops the
/// transaction, which rolls it back: nothing is written.
pub(super) fn commit_batch(conn: &mut Connection, batch: &LogBatch) -> Result<(), StoreError> {
    log_batch::check(batch)?;
    let tx = write_transaction(conn)?;
    let found = read_checkpoint(&tx)?.map_or(0, |(size, _)| size);
    if found != batch.old_size {
        return Err(StoreError::LogConflict {
            expected: batch.old_size,
            found,
        });
    }
    check_no_entries_beyond(&tx, found)?;
    insert_entries(&tx, batch.old_size, &batch.entries)?;
    for message in &batch.sent {
        let id = insert_new(&tx, message, MessageState::Queued, None)?;
        insert_outbox_row(&tx, &id, message.recorded_at)?;
    }
    for (message, receipt) in &batch.received {
        insert_new(&tx, message, MessageState::Received, Some(receipt))?;
    }
    for record in &batch.records {
        match record {
            CarriedRecord::Document(record) => documents::insert_record(&tx, record)?,
            CarriedRecord::AgreementSignature(signature) => {
                agreements::insert_signature(&tx, signature)?
            }
        };
    }
    tx.prepare_cached(
        "INSERT INTO log_checkpoint (singleton, size, note) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET size = excluded.size, note = excluded.note",
    )
    .map_err(db_error)?
    .execute(params![sql_index(batch.new_size), batch.checkpoint])
    .map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// [`crate::Store::log_checkpoint`].
pub(super) fn checkpoint(conn: &Connection) -> Result<Option<(u64, String)>, StoreError> {
    read_checkpoint(conn)
}

/// [`crate::Store::log_entries`]. The indices come back consecutive from
/// `start`, or the log is damaged: a gap would shift every later entry.
pub(super) fn entries(conn: &Connection, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
    if start >= end || start > MAX_LOG_SIZE {
        return Ok(Vec::new());
    }
    consecutive_entries(
        conn,
        "SELECT log_index, entry FROM log_entries
         WHERE log_index >= ?1 AND log_index < ?2 ORDER BY log_index",
        params![sql_index(start), sql_index(end)],
        start,
        "log_entries",
    )
}

/// The entries of the `(log_index, entry)` rows the cached statement `sql`
/// selects with `params`, by index from `start`; a gap in the indices is
/// [`StoreError::Corrupt`], naming `what`.
pub(super) fn consecutive_entries(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    start: u64,
    what: &str,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(db_error)?;
    let found = statement
        .query_map(params, |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
        })
        .map_err(db_error)?;
    let mut entries = Vec::new();
    for (expected, row) in (sql_index(start)..).zip(found) {
        let (index, entry) = row.map_err(db_error)?;
        if index != expected {
            return Err(StoreError::Corrupt(format!(
                "{what}: index {expected} is missing (the next stored is {index})"
            )));
        }
        entries.push(entry);
    }
    Ok(entries)
}
