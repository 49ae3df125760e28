//! Aggregates for metrics and readiness: one `GROUP BY` each, so a scrape
//! reads counts, not rows.

use rusqlite::Connection;

use super::rows::{self, db_error};
use super::{all_rows, write_transaction};
use crate::{MessageCount, QueuedForPeer, StoreError};

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
