//! What happens at a node, as a stream of events: for timelines (the demo),
//! logs, and later live views in the console.

use chrono::TimeDelta;
use detente_proto::body::DeadlineKind;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::kind::MessageKind;
use detente_proto::time::Timestamp;

/// One event at a node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeEvent {
    /// When it happened (node clock).
    pub at: Timestamp,
    /// The node's party.
    pub party: PartyCode,
    /// What happened.
    pub what: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// A message was signed, stored and queued for delivery.
    Queued {
        /// The message.
        id: MessageId,
        /// Its kind.
        kind: MessageKind,
        /// Its recipient.
        to: PartyCode,
        /// One line about it.
        headline: String,
    },
    /// A peer's envelope was verified, stored and receipted.
    Received {
        /// The message.
        id: MessageId,
        /// Its kind.
        kind: MessageKind,
        /// Its sender.
        from: PartyCode,
        /// SHA-256 of the envelope, base64.
        envelope_sha256: String,
    },
    /// A verified receipt made a message delivered.
    Delivered {
        /// The message.
        id: MessageId,
        /// Its recipient.
        to: PartyCode,
        /// When the recipient says it received it.
        received_at: Timestamp,
        /// The recipient's key id that signed the receipt.
        receipt_key_id: String,
    },
    /// A delivery attempt failed; it will be retried.
    DeliveryFailed {
        /// The message.
        id: MessageId,
        /// Attempts so far.
        attempts: u32,
        /// Why.
        error: String,
        /// When the next attempt is due.
        next_attempt_at: Timestamp,
    },
    /// A deadline a sent message started passed unanswered (first seen).
    DeadlineMissed {
        /// The message.
        id: MessageId,
        /// Which deadline.
        deadline: DeadlineKind,
        /// When it was due.
        due_at: Timestamp,
        /// The party that missed it.
        to: PartyCode,
    },
    /// An answer closed a deadline a sent message started.
    DeadlineMet {
        /// The message.
        id: MessageId,
        /// Which deadline.
        deadline: DeadlineKind,
        /// The answering message.
        by: MessageId,
        /// How late it was, if it was.
        late_by: Option<TimeDelta>,
    },
}
