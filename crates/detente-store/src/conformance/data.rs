//! Building the suite's test data: fixed ids, times and records, so a
//! failing check prints values a reader can follow.

use detente_proto::ids::{MessageId, OfficerName, PartyCode, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::time::Timestamp;

use crate::{
    AcceptOutcome, Direction, Mailbox, MessageQuery, MessageState, NewMessage, OutboxEntry, Store,
    StoredMessage,
};

/// 2026-11-28T10:00:00.000Z, the suite's epoch.
pub(super) const T0: i64 = 1_795_860_000_000;

/// `T0` plus `ms` milliseconds.
pub(super) fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(T0 + ms).expect("test timestamps are in range")
}

/// A fixed, valid UUIDv7 numbered `n`.
pub(super) fn id(n: u64) -> MessageId {
    format!("01937b2e-8f00-7000-8000-{n:012x}")
        .parse()
        .expect("test ids are canonical UUIDv7")
}

pub(super) fn party(code: &str) -> PartyCode {
    code.parse().expect("test party codes are valid")
}

pub(super) fn officer(name: &str) -> OfficerName {
    name.parse().expect("test officer names are valid")
}

/// A 32-byte value distinct for each `(n, salt)`.
pub(super) fn hash(n: u64, salt: u8) -> [u8; 32] {
    let mut bytes = [salt; 32];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    bytes
}

/// Message `n` between us and US, technical to technical, recorded `n` seconds after `T0`.
pub(super) fn message(n: u64, direction: Direction) -> NewMessage {
    let ms = i64::try_from(n).expect("small test numbers") * 1000;
    NewMessage {
        id: id(n),
        direction,
        counterparty: party("US"),
        kind: MessageKind::Notification,
        precedence: Precedence::Priority,
        from_tier: Tier::Technical,
        to_tier: Tier::Technical,
        officer: officer("duty officer"),
        in_reply_to: None,
        created_at: at(ms),
        exercise: false,
        tlp: Tlp::Amber,
        headline: format!("message {n}"),
        envelope: format!("envelope {n}").into_bytes(),
        envelope_sha256: hash(n, 0),
        recorded_at: at(ms + 10),
        log_index: None,
    }
}

pub(super) fn sent(n: u64) -> NewMessage {
    message(n, Direction::Sent)
}

pub(super) fn received(n: u64) -> NewMessage {
    message(n, Direction::Received)
}

/// What a store must return for `message` just after it was queued.
pub(super) fn queued(message: &NewMessage, first_attempt_at: Timestamp) -> StoredMessage {
    StoredMessage {
        message: message.clone(),
        state: MessageState::Queued,
        receipt: None,
        delivered_at: None,
        attempts: 0,
        last_error: None,
        next_attempt_at: Some(first_attempt_at),
        acknowledged_by: None,
    }
}

/// What a store must return for `message` just after it was accepted.
pub(super) fn accepted(message: &NewMessage, receipt: &[u8]) -> StoredMessage {
    StoredMessage {
        message: message.clone(),
        state: MessageState::Received,
        receipt: Some(receipt.to_vec()),
        delivered_at: None,
        attempts: 0,
        last_error: None,
        next_attempt_at: None,
        acknowledged_by: None,
    }
}

pub(super) fn enqueue(store: &dyn Store, message: &NewMessage, first_attempt_at: Timestamp) {
    store
        .enqueue_outgoing(message, first_attempt_at)
        .unwrap_or_else(|e| panic!("enqueue_outgoing({}) failed: {e}", message.id));
}

pub(super) fn accept(store: &dyn Store, message: &NewMessage, receipt: &[u8]) {
    let outcome = store
        .accept_incoming(message, receipt)
        .unwrap_or_else(|e| panic!("accept_incoming({}) failed: {e}", message.id));
    assert_eq!(
        outcome,
        AcceptOutcome::Accepted,
        "first accept of {}",
        message.id
    );
}

pub(super) fn get(store: &dyn Store, id: &MessageId) -> Option<StoredMessage> {
    store
        .message(id)
        .unwrap_or_else(|e| panic!("message({id}) failed: {e}"))
}

pub(super) fn all_due(store: &dyn Store) -> Vec<OutboxEntry> {
    store
        .due_deliveries(at(1_000_000_000), 1000)
        .expect("due_deliveries failed")
}

pub(super) fn query(mailbox: Mailbox, tiers: &[Tier]) -> MessageQuery {
    MessageQuery {
        mailbox,
        state: None,
        tiers: tiers.to_vec(),
        counterparty: None,
        kind: None,
        limit: 100,
    }
}

/// The ids a listing returns, in order.
pub(super) fn listed(store: &dyn Store, query: &MessageQuery) -> Vec<MessageId> {
    store
        .messages(query)
        .unwrap_or_else(|e| panic!("messages({query:?}) failed: {e}"))
        .into_iter()
        .map(|stored| stored.message.id)
        .collect()
}

pub(super) fn outbox_entry(
    message: &NewMessage,
    attempts: u32,
    due: Timestamp,
    error: Option<&str>,
) -> OutboxEntry {
    OutboxEntry {
        id: message.id,
        counterparty: message.counterparty.clone(),
        envelope: message.envelope.clone(),
        attempts,
        next_attempt_at: due,
        last_error: error.map(str::to_owned),
    }
}
