//! Writing new message rows: the statements that enqueueing, accepting and
//! a log batch share, so all three store a message the same way. Each runs
//! inside the caller's transaction.

use detente_proto::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::rows::db_error;
use crate::{MessageState, NewMessage, StoreError};

/// The direction and state of a stored message, if it exists.
pub(super) fn stored_status(
    tx: &Connection,
    id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    tx.prepare_cached("SELECT direction, state FROM messages WHERE id = ?1")
        .map_err(db_error)?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .map_err(db_error)
}

/// Inserts a new message; `operation` names the caller in a [`StoreError::Misuse`].
pub(super) fn insert_message(
    tx: &Connection,
    message: &NewMessage,
    state: MessageState,
    receipt: Option<&[u8]>,
    operation: &'static str,
) -> Result<(), StoreError> {
    let log_index = message
        .log_index
        .map(|index| {
            i64::try_from(index).map_err(|_| StoreError::Misuse {
                operation,
                why: format!(
                    "message {} has log_index {index}, beyond the largest storable {}",
                    message.id,
                    i64::MAX
                ),
            })
        })
        .transpose()?;
    tx.prepare_cached(
        "INSERT INTO messages (id, direction, counterparty, kind, precedence, from_tier,
             to_tier, officer, in_reply_to, created_at_ms, exercise, tlp, headline, envelope,
             envelope_sha256, recorded_at_ms, state, delivered_at_ms, receipt, log_index)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             NULL, ?18, ?19)",
    )
    .map_err(db_error)?
    .execute(params![
        message.id.to_string(),
        message.direction.as_str(),
        message.counterparty.as_str(),
        message.kind.as_str(),
        message.precedence.as_str(),
        message.from_tier.as_str(),
        message.to_tier.as_str(),
        message.officer.as_str(),
        message.in_reply_to.map(|id| id.to_string()),
        message.created_at.unix_millis(),
        message.exercise,
        message.tlp.as_str(),
        message.headline,
        message.envelope,
        message.envelope_sha256,
        message.recorded_at.unix_millis(),
        state.as_str(),
        receipt,
        log_index,
    ])
    .map_err(db_error)?;
    Ok(())
}

/// Inserts the outbox row of a message just queued, due at `due`.
pub(super) fn insert_outbox_row(
    tx: &Connection,
    id: &str,
    due: Timestamp,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO outbox (message_id, attempts, next_attempt_at_ms, last_error)
         VALUES (?1, 0, ?2, NULL)",
    )
    .map_err(db_error)?
    .execute(params![id, due.unix_millis()])
    .map_err(db_error)?;
    Ok(())
}
