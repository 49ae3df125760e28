//! Aggregates for metrics and readiness: one `GROUP BY` each, so a scrape
//! reads counts, not rows.

use rusqlite::Connection;

use super::rows::{self, db_error};
use super::{all_rows, write_transaction};
use detente_proto::time::Timestamp;

use crate::{MessageCount, QueuedForPeer, StateCounts, StoreError};

/// [`crate::Store::check_writable`]: an `IMMEDIATE` transaction, rolled back.
pub(super) fn writable(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = write_transaction(conn)?;
    tx.rollback().map_err(db_error)
}

fn corrupt(column: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("messages.{column}: unknown value {text:?}"))
}

/// [`crate::Store::message_counts`].
pub(super) fn messages(conn: &Connection) -> Result<Vec<MessageCount>, StoreError> {
    all_rows(
        conn,
        "SELECT kind, direction, state, count(*) FROM messages
         GROUP BY kind, direction, state ORDER BY kind, direction, state",
        [],
        |(kind, direction, state, count): (String, String, String, i64)| {
            Ok(MessageCount {
                kind: rows::parse("messages", "kind", &kind, &kind)?,
                direction: rows::parse_direction(&direction)
                    .ok_or_else(|| corrupt("direction", &direction))?,
                state: rows::parse_state(&state).ok_or_else(|| corrupt("state", &state))?,
                count: u64::try_from(count).unwrap_or(0),
            })
        },
    )
}

/// [`crate::Store::queued_by_peer`]: the outbox joined to its messages.
pub(super) fn queued(conn: &Connection) -> Result<Vec<QueuedForPeer>, StoreError> {
    all_rows(
        conn,
        "SELECT m.counterparty, count(*), min(m.recorded_at_ms)
         FROM outbox o JOIN messages m ON m.id = o.message_id
         GROUP BY m.counterparty ORDER BY m.counterparty",
        [],
        |(peer, count, oldest): (String, i64, i64)| {
            Ok(QueuedForPeer {
                oldest_recorded_at: rows::timestamp("messages", "recorded_at_ms", &peer, oldest)?,
                peer: rows::parse("messages", "counterparty", &peer, &peer)?,
                count: u64::try_from(count).unwrap_or(0),
            })
        },
    )
}

/// Reads one row of counts, named in column order.
fn counts(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    names: &[&'static str],
) -> Result<StateCounts, StoreError> {
    conn.prepare_cached(sql)
        .map_err(db_error)?
        .query_row(params, |row| {
            names
                .iter()
                .enumerate()
                .map(|(column, name)| {
                    let n: i64 = row.get(column)?;
                    Ok((*name, u64::try_from(n).unwrap_or(0)))
                })
                .collect()
        })
        .map_err(db_error)
}

/// [`crate::Store::alert_counts`]: one pass over `alerts`.
pub(super) fn alerts(conn: &Connection) -> Result<StateCounts, StoreError> {
    counts(
        conn,
        "SELECT coalesce(sum(acknowledged_at_ms IS NULL AND next_at_ms IS NOT NULL), 0),
                coalesce(sum(acknowledged_at_ms IS NULL AND next_at_ms IS NULL), 0),
                coalesce(sum(acknowledged_at_ms IS NOT NULL), 0)
         FROM alerts",
        [],
        &["open", "unanswered", "acknowledged"],
    )
}

/// [`crate::Store::deadline_counts`]: one pass over `deadline_timers`.
pub(super) fn deadlines(conn: &Connection, now: Timestamp) -> Result<StateCounts, StoreError> {
    counts(
        conn,
        "SELECT coalesce(sum(met_at_ms IS NULL AND due_at_ms > ?1), 0),
                coalesce(sum(met_at_ms IS NOT NULL AND met_at_ms <= due_at_ms), 0),
                coalesce(sum(met_at_ms IS NOT NULL AND met_at_ms > due_at_ms), 0),
                coalesce(sum(met_at_ms IS NULL AND due_at_ms <= ?1), 0)
         FROM deadline_timers",
        [now.unix_millis()],
        &["open", "met", "late", "missed"],
    )
}
