//! Deadline timers in SQLite (the agreement engine's deadlines and
//! escalation; the table is in `migrations/0006_deadlines.sql`).
//!
//! Timers are inserted by `record_delivery`, inside its `IMMEDIATE`
//! transaction, so a delivery and the deadlines it starts are one commit.
//! After that a timer changes only by one conditional `UPDATE` — an
//! escalation rung (`WHERE rungs_fired = expected AND met_at_ms IS NULL`)
//! or the answer that meets it (`WHERE met_at_ms IS NULL`) — so SQLite's
//! write lock covers the comparison and the write, and of two connections
//! swapping from one state exactly one changes the row.
//!
//! A kind is stored as its wire name (`DeadlineKind`'s serde name); kinds
//! of one message are listed in the byte order of that name.

use std::collections::HashSet;

use detente_proto::body::DeadlineKind;
use detente_proto::ids::MessageId;
use detente_proto::time::Timestamp;
use rusqlite::{Connection, params};

use super::rows::{self, db_error};
use super::{all_rows, optional_row};
use crate::{DeadlineQuery, DeadlineTimer, StoreError};

/// The table, as errors about its values name it.
const T: &str = "deadline_timers";

/// The columns every timer read selects, in [`TimerRow`] order.
macro_rules! select_timers {
    () => {
        "SELECT message_id, kind, started_at_ms, due_at_ms, next_at_ms, rungs_fired,
                met_at_ms, met_by
         FROM deadline_timers"
    };
}

/// Columns of a timer: `message_id, kind, started_at_ms, due_at_ms,
/// next_at_ms, rungs_fired, met_at_ms, met_by`.
type TimerRow = (
    String,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    Option<String>,
);

/// The stored name of a kind: its wire name (`DeadlineKind` serialises in
/// lowercase), so the database reads like the protocol.
fn kind_name(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Acknowledge => "acknowledge",
        DeadlineKind::Reply => "reply",
        DeadlineKind::Check => "check",
    }
}

fn parse_kind(text: &str) -> Option<DeadlineKind> {
    [
        DeadlineKind::Acknowledge,
        DeadlineKind::Reply,
        DeadlineKind::Check,
    ]
    .into_iter()
    .find(|kind| kind_name(*kind) == text)
}

/// Refuses timers `record_delivery` of `id` must not store: another
/// message's, two of one kind, or one met in part. Checked before the
/// transaction starts, so a refused call writes nothing.
pub(super) fn check_timers(id: &MessageId, deadlines: &[DeadlineTimer]) -> Result<(), StoreError> {
    let misuse = |why: String| {
        Err(StoreError::Misuse {
            operation: "record_delivery",
            why,
        })
    };
    let mut kinds = HashSet::new();
    for timer in deadlines {
        let kind = kind_name(timer.kind);
        if timer.message_id != *id {
            return misuse(format!(
                "the {kind} timer is of message {}, but this records the delivery of {id}; \
                 a delivery starts only its own message's deadlines",
                timer.message_id
            ));
        }
        if !kinds.insert(kind) {
            return misuse(format!(
                "two {kind} timers for message {id}; a message has one timer per kind"
            ));
        }
        match (timer.met_at, timer.met_by, timer.next_at) {
            (None, None, _) | (Some(_), Some(_), None) => {}
            (Some(_), Some(_), Some(next_at)) => {
                return misuse(format!(
                    "the {kind} timer of {id} is met but has next_at {next_at}; \
                     a met timer has nothing left to fire (next_at None)"
                ));
            }
            (met_at, met_by, _) => {
                return misuse(format!(
                    "the {kind} timer of {id} is met in part (met_at {met_at:?}, \
                     met_by {met_by:?}); set both or neither"
                ));
            }
        }
    }
    Ok(())
}

/// Inserts the timers a delivery started, inside the caller's transaction
/// (after [`check_timers`]).
pub(super) fn insert_timers(
    tx: &Connection,
    deadlines: &[DeadlineTimer],
) -> Result<(), StoreError> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO deadline_timers (message_id, kind, started_at_ms, due_at_ms,
                 next_at_ms, rungs_fired, met_at_ms, met_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(db_error)?;
    for timer in deadlines {
        insert
            .execute(params![
                timer.message_id.to_string(),
                kind_name(timer.kind),
                timer.started_at.unix_millis(),
                timer.due_at.unix_millis(),
                timer.next_at.map(|at| at.unix_millis()),
                timer.rungs_fired,
                timer.met_at.map(|at| at.unix_millis()),
                timer.met_by.map(|id| id.to_string()),
            ])
            .map_err(db_error)?;
    }
    Ok(())
}

/// Parses a [`TimerRow`]; a value no timer can hold is [`StoreError::Corrupt`].
fn timer(row: TimerRow) -> Result<DeadlineTimer, StoreError> {
    let (message_id, kind, started_ms, due_ms, next_ms, rungs_fired, met_ms, met_by) = row;
    let key = format!("{message_id} {kind}");
    let key = key.as_str();
    let time = |column: &str, ms: i64| rows::timestamp(T, column, key, ms);
    Ok(DeadlineTimer {
        message_id: rows::parse(T, "message_id", key, &message_id)?,
        kind: parse_kind(&kind).ok_or_else(|| {
            StoreError::Corrupt(format!("{T}.kind of {key:?}: unknown value {kind:?}"))
        })?,
        started_at: time("started_at_ms", started_ms)?,
        due_at: time("due_at_ms", due_ms)?,
        next_at: next_ms.map(|ms| time("next_at_ms", ms)).transpose()?,
        rungs_fired: u32::try_from(rungs_fired).map_err(|_| {
            StoreError::Corrupt(format!(
                "{T}.rungs_fired of {key:?}: {rungs_fired} is not a count of rungs (0 to {})",
                u32::MAX
            ))
        })?,
        met_at: met_ms.map(|ms| time("met_at_ms", ms)).transpose()?,
        met_by: met_by
            .map(|text| rows::parse::<MessageId>(T, "met_by", key, &text))
            .transpose()?,
    })
}

/// A listing bound as SQLite takes it; any larger `usize` lists everything.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// [`crate::Store::due_deadlines`]: walks the partial index `deadline_timers_due`.
pub(super) fn due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<DeadlineTimer>, StoreError> {
    all_rows(
        conn,
        concat!(
            select_timers!(),
            " WHERE met_at_ms IS NULL AND next_at_ms <= ?1
              ORDER BY next_at_ms, message_id, kind
              LIMIT ?2"
        ),
        params![now.unix_millis(), sql_limit(limit)],
        timer,
    )
}

/// [`crate::Store::next_deadline_at`]: the first entry of `deadline_timers_due`.
pub(super) fn next_at(conn: &Connection) -> Result<Option<Timestamp>, StoreError> {
    let row: Option<(String, String, i64)> = optional_row(
        conn,
        "SELECT message_id, kind, next_at_ms FROM deadline_timers
         WHERE met_at_ms IS NULL AND next_at_ms IS NOT NULL
         ORDER BY next_at_ms, message_id, kind
         LIMIT 1",
        [],
    )?;
    row.map(|(message_id, kind, ms)| {
        rows::timestamp(T, "next_at_ms", &format!("{message_id} {kind}"), ms)
    })
    .transpose()
}

/// [`crate::Store::advance_deadline`]: one statement, hence atomic.
pub(super) fn advance(
    conn: &Connection,
    message_id: &MessageId,
    kind: DeadlineKind,
    expected_rungs: u32,
    rungs_fired: u32,
    next_at: Option<Timestamp>,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE deadline_timers SET rungs_fired = ?3, next_at_ms = ?4
             WHERE message_id = ?1 AND kind = ?2 AND met_at_ms IS NULL AND rungs_fired = ?5",
        )
        .map_err(db_error)?
        .execute(params![
            message_id.to_string(),
            kind_name(kind),
            rungs_fired,
            next_at.map(|at| at.unix_millis()),
            expected_rungs,
        ])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::meet_deadline`]: one statement, hence atomic.
pub(super) fn meet(
    conn: &Connection,
    message_id: &MessageId,
    kind: DeadlineKind,
    met_at: Timestamp,
    met_by: &MessageId,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE deadline_timers SET met_at_ms = ?3, met_by = ?4, next_at_ms = NULL
             WHERE message_id = ?1 AND kind = ?2 AND met_at_ms IS NULL",
        )
        .map_err(db_error)?
        .execute(params![
            message_id.to_string(),
            kind_name(kind),
            met_at.unix_millis(),
            met_by.to_string(),
        ])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::deadlines_of`]: by the kind's stored name, along the primary key.
pub(super) fn of_message(
    conn: &Connection,
    message_id: &MessageId,
) -> Result<Vec<DeadlineTimer>, StoreError> {
    all_rows(
        conn,
        concat!(select_timers!(), " WHERE message_id = ?1 ORDER BY kind"),
        [message_id.to_string()],
        timer,
    )
}

/// [`crate::Store::deadlines`]: open ones along `deadline_timers_open`;
/// all of them sorted (a fixed statement for each, so each is prepared once).
pub(super) fn list(
    conn: &Connection,
    query: &DeadlineQuery,
) -> Result<Vec<DeadlineTimer>, StoreError> {
    let sql = if query.open_only {
        concat!(
            select_timers!(),
            " WHERE met_at_ms IS NULL ORDER BY due_at_ms, message_id, kind LIMIT ?1"
        )
    } else {
        concat!(
            select_timers!(),
            " ORDER BY due_at_ms, message_id, kind LIMIT ?1"
        )
    };
    all_rows(conn, sql, [sql_limit(query.limit)], timer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_stored_as_its_wire_name() {
        for kind in [
            DeadlineKind::Acknowledge,
            DeadlineKind::Reply,
            DeadlineKind::Check,
        ] {
            let wire = serde_json::to_string(&kind).expect("serialise");
            assert_eq!(wire, format!("\"{}\"", kind_name(kind)));
            assert_eq!(parse_kind(kind_name(kind)), Some(kind));
        }
        assert_eq!(parse_kind("Acknowledge"), None);
    }
}
