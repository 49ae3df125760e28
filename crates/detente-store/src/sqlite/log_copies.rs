//! Copies of the peers' logs in SQLite (docs/storage.md, "Copies of the
//! peers' logs"; table in `migrations/0012_log_copies.sql`).
//!
//! A copy only grows, from its end: appending is one transaction that
//! reads the copy's size under the write lock, so two appends cannot
//! leave a gap between them, and entries already held are left as they
//! are.

use rusqlite::{Connection, params};

use super::log::{consecutive_entries, sql_index};
use super::rows::{self, db_error};
use super::{optional_row, write_transaction};
use crate::StoreError;
use crate::log_batch::MAX_LOG_SIZE;

const T: &str = "log_copies";

/// [`crate::Store::log_copy_size`].
pub(super) fn size(conn: &Connection, origin: &str) -> Result<u64, StoreError> {
    let last: Option<(Option<i64>,)> = optional_row(
        conn,
        "SELECT MAX(log_index) FROM log_copies WHERE origin = ?1",
        [origin],
    )?;
    match last.and_then(|(last,)| last) {
        None => Ok(0),
        Some(last) => Ok(rows::log_index(T, "log_index", origin, last)? + 1),
    }
}

/// [`crate::Store::append_log_copy`].
pub(super) fn append(
    conn: &mut Connection,
    origin: &str,
    start: u64,
    entries: &[Vec<u8>],
) -> Result<(), StoreError> {
    const OPERATION: &str = "append_log_copy";
    let end = start.saturating_add(entries.len() as u64);
    if end > MAX_LOG_SIZE {
        return Err(StoreError::Misuse {
            operation: OPERATION,
            why: format!("a copy of {end} entries exceeds the largest log, {MAX_LOG_SIZE}"),
        });
    }
    let tx = write_transaction(conn)?;
    let held = size(&tx, origin)?;
    if start > held {
        return Err(StoreError::Misuse {
            operation: OPERATION,
            why: format!(
                "the copy of {origin} holds {held} entries: appending at {start} would leave a gap"
            ),
        });
    }
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO log_copies (origin, log_index, entry) VALUES (?1, ?2, ?3)
                 ON CONFLICT (origin, log_index) DO NOTHING",
            )
            .map_err(db_error)?;
        for (index, entry) in (start..).zip(entries).skip_while(|(i, _)| *i < held) {
            insert
                .execute(params![origin, sql_index(index), entry])
                .map_err(db_error)?;
        }
    }
    tx.commit().map_err(db_error)
}

/// [`crate::Store::log_copy`].
pub(super) fn entries(
    conn: &Connection,
    origin: &str,
    start: u64,
    end: u64,
) -> Result<Vec<Vec<u8>>, StoreError> {
    if start >= end || start > MAX_LOG_SIZE {
        return Ok(Vec::new());
    }
    consecutive_entries(
        conn,
        "SELECT log_index, entry FROM log_copies
         WHERE origin = ?1 AND log_index >= ?2 AND log_index < ?3 ORDER BY log_index",
        params![origin, sql_index(start), sql_index(end)],
        start,
        &format!("log_copies of {origin}"),
    )
}
