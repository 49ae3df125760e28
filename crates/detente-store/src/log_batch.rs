//! What makes a [`LogBatch`] well formed, checked before any backend
//! touches its database (docs/architecture.md, "The sequencer: group commit").
//!
//! The rules are the batch's own arithmetic, independent of what is stored:
//! - `new_size` is `old_size + entries.len()`, and fits a database integer;
//! - every sent message is [`Direction::Sent`], every received one
//!   [`Direction::Received`];
//! - every message names the entry that records it: a `log_index` in
//!   `old_size..new_size`, and no two messages the same one.
//!
//! A batch that breaks one is a bug in the sequencer that built it, so it is
//! [`StoreError::Misuse`], whatever the database holds. What depends on the
//! stored state (the checkpoint's size, ids already stored) is each
//! backend's part, inside its transaction.

use std::collections::HashMap;

use detente_proto::ids::MessageId;

use crate::{Direction, LogBatch, NewMessage, StoreError};

const OPERATION: &str = "commit_log_batch";

/// The largest log size a backend stores: its indices are signed 64-bit
/// integers in both SQLite and PostgreSQL.
pub(crate) const MAX_LOG_SIZE: u64 = i64::MAX as u64;

fn misuse(why: String) -> StoreError {
    StoreError::Misuse {
        operation: OPERATION,
        why,
    }
}

/// Checks `batch` against the rules above.
pub(crate) fn check(batch: &LogBatch) -> Result<(), StoreError> {
    let added = u64::try_from(batch.entries.len()).unwrap_or(u64::MAX);
    let expected = batch.old_size.checked_add(added);
    if expected != Some(batch.new_size) {
        return Err(misuse(format!(
            "new_size is {}, but old_size {} plus {} entries is {}",
            batch.new_size,
            batch.old_size,
            added,
            expected.map_or_else(|| "beyond u64".to_owned(), |size| size.to_string()),
        )));
    }
    if batch.new_size > MAX_LOG_SIZE {
        return Err(misuse(format!(
            "new_size {} exceeds the largest storable log size {MAX_LOG_SIZE}",
            batch.new_size
        )));
    }
    let messages = batch
        .sent
        .iter()
        .map(|message| (message, Direction::Sent))
        .chain(
            batch
                .received
                .iter()
                .map(|(message, _)| (message, Direction::Received)),
        );
    let mut recorded_by: HashMap<u64, MessageId> = HashMap::new();
    for (message, expected) in messages {
        if message.direction != expected {
            return Err(misuse(format!(
                "message {} is listed as {} but has direction {}",
                message.id,
                expected.as_str(),
                message.direction.as_str()
            )));
        }
        let index = in_batch_index(batch, message)?;
        if let Some(other) = recorded_by.insert(index, message.id) {
            return Err(misuse(format!(
                "messages {other} and {} both name log entry {index}; an entry records one message",
                message.id
            )));
        }
    }
    Ok(())
}

/// The message's log index, if it names one of the batch's new entries.
fn in_batch_index(batch: &LogBatch, message: &NewMessage) -> Result<u64, StoreError> {
    let range = batch.old_size..batch.new_size;
    match message.log_index {
        Some(index) if range.contains(&index) => Ok(index),
        Some(index) => Err(misuse(format!(
            "message {} has log_index {index}, outside the batch's new entries {}..{}",
            message.id, range.start, range.end
        ))),
        None => Err(misuse(format!(
            "message {} has no log_index; every message in a batch names its entry",
            message.id
        ))),
    }
}

#[cfg(test)]
mod tests {
    use detente_proto::ids::Tier;
    use detente_proto::kind::{MessageKind, Precedence, Tlp};
    use detente_proto::time::Timestamp;

    use super::*;

    fn message(n: u64, direction: Direction, log_index: Option<u64>) -> NewMessage {
        let at = Timestamp::from_unix_millis(1_795_860_000_000).expect("in range");
        NewMessage {
            id: format!("01937b2e-8f00-7000-8000-{n:012x}")
                .parse()
                .expect("id"),
            direction,
            counterparty: "US".parse().expect("party"),
            kind: MessageKind::Notification,
            precedence: Precedence::Routine,
            from_tier: Tier::Technical,
            to_tier: Tier::Technical,
            officer: "duty officer".parse().expect("officer"),
            in_reply_to: None,
            created_at: at,
            exercise: false,
            tlp: Tlp::Green,
            headline: format!("message {n}"),
            envelope: vec![],
            envelope_sha256: [0; 32],
            recorded_at: at,
            log_index,
        }
    }

    /// Entries 10, 11, 12: a sent message at 10, a received one at 12.
    fn batch() -> LogBatch {
        LogBatch {
            old_size: 10,
            entries: vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()],
            new_size: 13,
            checkpoint: "note".to_owned(),
            sent: vec![message(1, Direction::Sent, Some(10))],
            received: vec![(message(2, Direction::Received, Some(12)), b"r".to_vec())],
            records: Vec::new(),
        }
    }

    fn refused(batch: &LogBatch, because: &str) {
        match check(batch) {
            Err(StoreError::Misuse { operation, why }) => {
                assert_eq!(operation, OPERATION);
                assert!(why.contains(because), "{why:?} should say {because:?}");
            }
            other => panic!("expected Misuse ({because}), got {other:?}"),
        }
    }

    #[test]
    fn a_well_formed_batch_passes() {
        check(&batch()).expect("well formed");
        let empty = LogBatch {
            old_size: 0,
            entries: vec![],
            new_size: 0,
            checkpoint: "note".to_owned(),
            sent: vec![],
            received: vec![],
            records: Vec::new(),
        };
        check(&empty).expect("an empty batch only replaces the checkpoint");
    }

    #[test]
    fn sizes_must_add_up() {
        for new_size in [12, 14, 0] {
            refused(
                &LogBatch {
                    new_size,
                    ..batch()
                },
                "plus 3 entries is 13",
            );
        }
        let overflow = LogBatch {
            old_size: u64::MAX - 1,
            new_size: 1,
            ..batch()
        };
        refused(&overflow, "beyond u64");
        let huge = LogBatch {
            old_size: MAX_LOG_SIZE - 1,
            new_size: MAX_LOG_SIZE + 2,
            sent: vec![],
            received: vec![],
            records: Vec::new(),
            ..batch()
        };
        refused(&huge, "largest storable");
    }

    #[test]
    fn every_message_names_a_new_entry_of_its_own() {
        for index in [None, Some(9), Some(13), Some(u64::MAX)] {
            let mut b = batch();
            b.sent[0].log_index = index;
            refused(&b, "log_index");
        }
        let mut b = batch();
        b.received[0].0.log_index = Some(10);
        refused(&b, "both name log entry 10");
    }

    #[test]
    fn directions_match_the_lists() {
        let mut b = batch();
        b.sent[0].direction = Direction::Received;
        refused(&b, "listed as sent");
        let mut b = batch();
        b.received[0].0.direction = Direction::Sent;
        refused(&b, "listed as received");
    }
}
