//! What the store keeps, as plain data.

use detente_proto::body::DeadlineKind;
use detente_proto::ids::{Fingerprint, MessageId, OfficerName, PartyCode, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::time::Timestamp;

/// Whether this node sent or received a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Composed here and sent to the counterparty.
    Sent,
    /// Received from the counterparty.
    Received,
}

impl Direction {
    /// `sent` or `received`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Sent side: stored and waiting in the outbox; no verified receipt yet.
    Queued,
    /// Sent side: the recipient's signed receipt was verified and stored.
    Delivered,
    /// Received side: accepted and receipted.
    Received,
}

impl MessageState {
    /// `queued`, `delivered` or `received`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Delivered => "delivered",
            MessageState::Received => "received",
        }
    }
}

/// A message to store: the exact signed envelope bytes plus the columns
/// that queries need (all derived from the verified envelope).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// Envelope id.
    pub id: MessageId,
    /// Sent or received.
    pub direction: Direction,
    /// The other party.
    pub counterparty: PartyCode,
    /// Kind.
    pub kind: MessageKind,
    /// Precedence.
    pub precedence: Precedence,
    /// Sender's tier.
    pub from_tier: Tier,
    /// Recipient's tier.
    pub to_tier: Tier,
    /// The authoring officer.
    pub officer: OfficerName,
    /// The message this answers.
    pub in_reply_to: Option<MessageId>,
    /// Envelope `created_at`.
    pub created_at: Timestamp,
    /// Exercise flag.
    pub exercise: bool,
    /// TLP marking.
    pub tlp: Tlp,
    /// One line for lists.
    pub headline: String,
    /// The exact signed envelope bytes.
    pub envelope: Vec<u8>,
    /// SHA-256 of `envelope`.
    pub envelope_sha256: [u8; 32],
    /// When this node queued (sent) or accepted (received) it.
    pub recorded_at: Timestamp,
    /// The index of its entry in this node's transparency log, when logged.
    pub log_index: Option<u64>,
}

/// A stored message and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    /// What was stored.
    pub message: NewMessage,
    /// Queued, delivered or received.
    pub state: MessageState,
    /// The signed receipt: the peer's (sent) or ours (received).
    pub receipt: Option<Vec<u8>>,
    /// When the receipt was verified (sent side).
    pub delivered_at: Option<Timestamp>,
    /// Delivery attempts so far (sent side, while queued).
    pub attempts: u32,
    /// The last delivery error (sent side, while queued).
    pub last_error: Option<String>,
    /// When the next attempt is due (sent side, while queued).
    pub next_attempt_at: Option<Timestamp>,
    /// The earliest acknowledgement (by `created_at`) that answers this message
    /// from the other side — received for a sent message, sent for a received
    /// one — with its `created_at`.
    pub acknowledged_by: Option<(MessageId, Timestamp)>,
}

/// One group commit of the log sequencer: new log entries, the messages
/// they record and the checkpoint that covers them, written in ONE
/// transaction — or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBatch {
    /// The log size this batch extends. The stored checkpoint must have
    /// exactly this size (0 with no checkpoint yet): a compare-and-swap, so
    /// two sequencers can never fork the log.
    pub old_size: u64,
    /// The new entries' bytes, at indices `old_size`, `old_size + 1`, ….
    pub entries: Vec<Vec<u8>>,
    /// The new checkpoint's size: `old_size + entries.len()`.
    pub new_size: u64,
    /// The signed checkpoint (a C2SP signed note) for `new_size`.
    pub checkpoint: String,
    /// Messages this node composed, each with `log_index` set, queued for
    /// delivery at their `recorded_at`.
    pub sent: Vec<NewMessage>,
    /// Messages received, each with `log_index` set, and the receipt this
    /// node signed for each.
    pub received: Vec<(NewMessage, Vec<u8>)>,
}

/// Something a node must not stay silent about: a log that forked
/// (equivocation), a consistency proof that failed, a missing or mismatched
/// cross-log entry. Kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    /// When it was raised.
    pub at: Timestamp,
    /// A short kebab-case kind, e.g. `equivocation`, `inconsistent-proof`.
    pub kind: String,
    /// The log (origin) or party concerned.
    pub subject: String,
    /// What was found, for people.
    pub detail: String,
    /// The evidence, verbatim (e.g. both signed checkpoints).
    pub evidence: Vec<u8>,
}

/// The result of accepting an incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptOutcome {
    /// Newly stored.
    Accepted,
    /// Already stored with the same bytes; here is the receipt given then.
    AlreadyAccepted {
        /// The receipt bytes stored the first time.
        receipt: Vec<u8>,
    },
}

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailbox {
    /// Received messages.
    Inbox,
    /// Sent messages.
    Outbox,
    /// Both.
    All,
}

/// A message listing query.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageQuery {
    /// Inbox, outbox or both.
    pub mailbox: Mailbox,
    /// Only messages in this state.
    pub state: Option<MessageState>,
    /// Only messages this officer may see: sent from, or addressed to, one of these tiers.
    pub tiers: Vec<Tier>,
    /// Only messages with this counterparty.
    pub counterparty: Option<PartyCode>,
    /// Only messages of this kind.
    pub kind: Option<MessageKind>,
    /// At most this many (newest first).
    pub limit: usize,
}

/// A pending delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The message.
    pub id: MessageId,
    /// Its recipient.
    pub counterparty: PartyCode,
    /// The exact signed envelope bytes to seal and deliver.
    pub envelope: Vec<u8>,
    /// Attempts so far.
    pub attempts: u32,
    /// When it is due.
    pub next_attempt_at: Timestamp,
    /// The last error, if an attempt failed.
    pub last_error: Option<String>,
}

/// A trusted peer: its verified, fingerprint-confirmed card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRecord {
    /// The peer's party code.
    pub party: PartyCode,
    /// The exact signed card bytes.
    pub card: Vec<u8>,
    /// The confirmed fingerprint of its signing key.
    pub fingerprint: Fingerprint,
    /// The pinned SHA-256 of its TLS SubjectPublicKeyInfo.
    pub tls_spki_sha256: [u8; 32],
    /// When it was added or last updated.
    pub added_at: Timestamp,
}

/// An officer of this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRecord {
    /// Unique name.
    pub name: OfficerName,
    /// Tiers the officer is cleared for.
    pub tiers: Vec<Tier>,
    /// SHA-256 of the bearer token (the token itself is never stored).
    pub token_sha256: [u8; 32],
    /// When the officer was added.
    pub created_at: Timestamp,
}

/// One party's signature on one version of an agreement: the exact signed
/// bytes (a `{"agreement", "key_id", "signature"}` wrapper), verified by the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementSignature {
    /// The agreement's id (1–64 of a-z0-9-).
    pub agreement_id: String,
    /// Its version, from 1.
    pub version: u32,
    /// The signing party.
    pub signer: PartyCode,
    /// SHA-256 of the agreement document's canonical bytes (what was signed).
    pub document_sha256: [u8; 32],
    /// The exact signed bytes.
    pub signed: Vec<u8>,
    /// When this node recorded it.
    pub recorded_at: Timestamp,
}

/// One deadline a sent message started: the agreement engine's timer,
/// kept so that it survives a restart. One per message and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineTimer {
    /// The sent message whose delivery started the clock.
    pub message_id: MessageId,
    /// Which deadline: acknowledge, reply or (a communication check) check.
    pub kind: DeadlineKind,
    /// When the clock started.
    pub started_at: Timestamp,
    /// When the answer is due.
    pub due_at: Timestamp,
    /// When the engine must look at it next (the next escalation rung);
    /// `None`: nothing left to fire. Always `None` once met.
    pub next_at: Option<Timestamp>,
    /// How many escalation rungs have fired so far.
    pub rungs_fired: u32,
    /// When an answer met it; `None` while open.
    pub met_at: Option<Timestamp>,
    /// The answering message; set exactly when `met_at` is.
    pub met_by: Option<MessageId>,
}

/// A deadline listing query ([`crate::Store::deadlines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineQuery {
    /// Only deadlines no answer has met yet.
    pub open_only: bool,
    /// At most this many (earliest due first).
    pub limit: usize,
}

/// Which register a [`DocumentRecord`] belongs to: guarantees or pledges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    /// A guarantee, named by its id (`ru-us-elections-2026`).
    Guarantee,
    /// A pledge, named `HOST/id` (`UN/no-first-use`).
    Pledge,
}

impl DocumentKind {
    /// `guarantee` or `pledge`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DocumentKind::Guarantee => "guarantee",
            DocumentKind::Pledge => "pledge",
        }
    }
}

/// What a [`DocumentRecord`] says. Ordered as a document's history is:
/// published, signed, withdrawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordRole {
    /// The document as published (by a guarantee's proposer, a pledge's host).
    Publish,
    /// A party's signature on the document.
    Sign,
    /// A party's withdrawal from the document.
    Withdraw,
}

impl RecordRole {
    /// `publish`, `sign` or `withdraw`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordRole::Publish => "publish",
            RecordRole::Sign => "sign",
            RecordRole::Withdraw => "withdraw",
        }
    }
}

/// One signed step in the history of a guarantee or pledge, verified by the
/// node and kept verbatim ([`crate::Store::put_document_record`]). At most
/// one per kind, document, role and party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    /// The register.
    pub kind: DocumentKind,
    /// A guarantee's id (`ru-us-elections-2026`) or a pledge's `HOST/id`
    /// (`UN/no-first-use`): 1 to 96 of `a-z`, `A-Z`, `0-9`, `-`, `/`.
    pub document_id: String,
    /// Publish, sign or withdraw.
    pub role: RecordRole,
    /// The signer, the withdrawing party, or the publishing host.
    pub party: PartyCode,
    /// SHA-256 of the canonical bytes of the document the record is about.
    pub document_sha256: [u8; 32],
    /// The exact signed bytes: the signed document (publish, sign) or the
    /// signed withdrawal message envelope (withdraw).
    pub signed: Vec<u8>,
    /// The message that carried it, if any (it need not be stored).
    pub message_id: Option<MessageId>,
    /// When the party says it happened: the carrying message's `created_at`.
    pub at: Timestamp,
    /// When this node stored it.
    pub recorded_at: Timestamp,
}
