//! Witnessing, cosignatures and alarms in SQLite (DESIGN.md, "Logs
//! (transparency)": witnesses and equivocation; tables in
//! `migrations/0003_witness.sql`).
//!
//! C2SP tlog-witness requires the witness's check-and-update of its record
//! for a log to be one atomic compare-and-swap. Here it is one conditional
//! statement, so SQLite's write lock covers the comparison and the write
//! and no other connection or process can come between them:
//! - expecting no record: `INSERT … ON CONFLICT DO NOTHING`;
//! - expecting size N: `UPDATE … WHERE size = N`;
//!
//! and the swap happened exactly when the statement changed a row. The
//! same holds for keeping a witness's latest cosignature (an upsert whose
//! update is conditional on the size). Sizes are signed 64-bit integers in
//! the database, so a larger one is the caller's bug ([`StoreError::Misuse`]).

use rusqlite::{Connection, params};

use super::rows::{self, db_error};
use super::{all_rows, optional_row};
use crate::{Alarm, StoreError};

/// A size as the database stores it; above `i64::MAX` is the caller's bug.
fn sql_size(size: u64, operation: &'static str, what: &str) -> Result<i64, StoreError> {
    i64::try_from(size).map_err(|_| StoreError::Misuse {
        operation,
        why: format!(
            "{what} {size} exceeds the largest storable size {}",
            i64::MAX
        ),
    })
}

/// [`crate::Store::witness_record`].
pub(super) fn record(
    conn: &Connection,
    origin: &str,
) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    let row: Option<(i64, Vec<u8>)> = optional_row(
        conn,
        "SELECT size, record FROM witness_records WHERE origin = ?1",
        [origin],
    )?;
    row.map(|(size, record)| {
        Ok((
            rows::log_index("witness_records", "size", origin, size)?,
            record,
        ))
    })
    .transpose()
}

/// [`crate::Store::swap_witness_record`]: one statement, hence atomic.
pub(super) fn swap_record(
    conn: &Connection,
    origin: &str,
    expected_size: Option<u64>,
    size: u64,
    record: &[u8],
) -> Result<bool, StoreError> {
    const OPERATION: &str = "swap_witness_record";
    let new_size = sql_size(size, OPERATION, "size")?;
    let changed = match expected_size {
        None => conn
            .prepare_cached(
                "INSERT INTO witness_records (origin, size, record) VALUES (?1, ?2, ?3)
                 ON CONFLICT (origin) DO NOTHING",
            )
            .map_err(db_error)?
            .execute(params![origin, new_size, record]),
        Some(expected) => {
            let expected = sql_size(expected, OPERATION, "expected_size")?;
            conn.prepare_cached(
                "UPDATE witness_records SET size = ?2, record = ?3
                 WHERE origin = ?1 AND size = ?4",
            )
            .map_err(db_error)?
            .execute(params![origin, new_size, record, expected])
        }
    }
    .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::put_cosignature`]: an upsert that only replaces a
/// cosignature of the same or a smaller size.
pub(super) fn put_cosignature(
    conn: &Connection,
    witness: &str,
    size: u64,
    line: &str,
) -> Result<(), StoreError> {
    let size = sql_size(size, "put_cosignature", "size")?;
    conn.prepare_cached(
        "INSERT INTO log_cosignatures (witness, size, line) VALUES (?1, ?2, ?3)
         ON CONFLICT (witness) DO UPDATE SET size = excluded.size, line = excluded.line
         WHERE excluded.size >= log_cosignatures.size",
    )
    .map_err(db_error)?
    .execute(params![witness, size, line])
    .map_err(db_error)?;
    Ok(())
}

/// [`crate::Store::cosignatures`], by witness (byte order of the UTF-8
/// name: SQLite's `BINARY` collation, the same as Rust's `str` order).
pub(super) fn cosignatures(conn: &Connection) -> Result<Vec<(String, u64, String)>, StoreError> {
    all_rows(
        conn,
        "SELECT witness, size, line FROM log_cosignatures ORDER BY witness",
        [],
        |(witness, size, line): (String, i64, String)| {
            let size = rows::log_index("log_cosignatures", "size", &witness, size)?;
            Ok((witness, size, line))
        },
    )
}

/// [`crate::Store::raise_alarm`].
pub(super) fn raise_alarm(conn: &Connection, alarm: &Alarm) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO alarms (at_ms, kind, subject, detail, evidence)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .map_err(db_error)?
    .execute(params![
        alarm.at.unix_millis(),
        alarm.kind,
        alarm.subject,
        alarm.detail,
        alarm.evidence,
    ])
    .map_err(db_error)?;
    Ok(())
}

/// Columns of an alarm: `id, at_ms, kind, subject, detail, evidence`.
type AlarmRow = (i64, i64, String, String, String, Vec<u8>);

/// [`crate::Store::alarms`]: oldest first; alarms raised at the same
/// millisecond in the order they were raised (the rowid only grows, since
/// alarms are never deleted).
pub(super) fn alarms(conn: &Connection) -> Result<Vec<Alarm>, StoreError> {
    all_rows(
        conn,
        "SELECT id, at_ms, kind, subject, detail, evidence FROM alarms ORDER BY at_ms, id",
        [],
        |(id, at_ms, kind, subject, detail, evidence): AlarmRow| {
            Ok(Alarm {
                at: rows::timestamp("alarms", "at_ms", &id.to_string(), at_ms)?,
                kind,
                subject,
                detail,
                evidence,
            })
        },
    )
}
