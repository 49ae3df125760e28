//! Witnessing, cosignatures and alarms in SQLite (docs/storage.md, "Witnessing,
//! cosignatures and alarms"; tables in
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
//! update is conditional on the size), and for recording an alarm once
//! (`INSERT … ON CONFLICT DO NOTHING` on the unique index over kind, subject
//! and the evidence's SHA-256, `migrations/0004_alarm_dedup.sql`). Sizes are
//! signed 64-bit integers in the database, so a larger one is the caller's
//! bug ([`StoreError::Misuse`]).

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

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

/// The key that makes two alarms the same (with their kind and subject):
/// the SHA-256 of the evidence bytes. Also the SQL function `sha256` that
/// migration 0004 backfills older alarms with, so both agree.
pub(super) fn evidence_sha256(evidence: &[u8]) -> [u8; 32] {
    Sha256::digest(evidence).into()
}

/// [`crate::Store::raise_alarm`]: one statement, so of two connections
/// raising the same alarm at once exactly one records it.
pub(super) fn raise_alarm(conn: &Connection, alarm: &Alarm) -> Result<bool, StoreError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO alarms (at_ms, kind, subject, detail, evidence, evidence_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (kind, subject, evidence_sha256) DO NOTHING",
        )
        .map_err(db_error)?
        .execute(params![
            alarm.at.unix_millis(),
            alarm.kind,
            alarm.subject,
            alarm.detail,
            alarm.evidence,
            evidence_sha256(&alarm.evidence),
        ])
        .map_err(db_error)?;
    Ok(inserted == 1)
}

/// Columns of an alarm: `id, at_ms, kind, subject, detail, evidence`.
type AlarmRow = (i64, i64, String, String, String, Vec<u8>);

/// [`crate::Store::alarms`]: oldest first; alarms raised at the same
/// millisecond in the order they were raised (the rowid only grows: alarms
/// are never updated, and the only rows ever deleted, duplicates dropped by
/// migration 0004, were older than any raised since).
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
