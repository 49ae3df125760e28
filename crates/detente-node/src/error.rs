//! The node's error type.
//!
//! Bad input from a peer ([`PeerRejection`]), misuse by an officer
//! (`Forbidden`, `NotFound`, `Invalid`, `Refused`…), a missing or damaged
//! record (`NoKey`, `Unreadable`), a failing dependency (`Store`, `Io`,
//! `Tls`), a failure worth retrying ([`TryAgain`]) and our own bugs
//! ([`Bug`]) are separate variants. Every variant maps to one HTTP status
//! and a problem+json document (RFC 9457) in `api::problem`, and
//! nowhere else.

use std::path::{Path, PathBuf};

use detente_proto::ProtoError;
use detente_proto::admission::Refusal;
use detente_proto::agreement::AgreementError;
use detente_proto::guarantee::{GuaranteeError, GuaranteeStatus};
use detente_proto::ids::{MessageId, PartyCode, join_parties};
use detente_proto::keyring::NoKey;
use detente_proto::kind::{Composer, DocumentFamily, MessageKind};
use detente_proto::pledge::{PledgeError, PledgeRef};
use detente_proto::time::Timestamp;
use detente_store::StoreError;

/// Why a node operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The configuration file is missing or wrong.
    #[error("{}: {problem}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A key file is missing or damaged.
    #[error("key file {}: {problem}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A file could not be read or written.
    #[error("{}: {problem}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        problem: String,
    },
    /// TLS setup failed.
    #[error("TLS: {0}")]
    Tls(String),
    /// Input (from an officer, a file or a peer) failed validation.
    #[error(transparent)]
    Invalid(#[from] ProtoError),
    /// No valid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials, but not cleared for this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (or the caller may not see it).
    #[error("{what} {id} does not exist, or you are not cleared to see it")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// An officer's or administrator's request that is well-formed but
    /// cannot be carried out as asked.
    #[error(transparent)]
    Mistake(#[from] Mistake),
    /// A co-signed document an officer handed in, or a step on one, that
    /// does not hold by the document's own rules.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// What is asked contradicts what is held (another text under a
    /// guarantee id already used, say); the text says what to do.
    #[error("{0}")]
    Conflict(String),
    /// The message may not pass: the channel is suspended, the agreement
    /// in force does not allow it, or its citation does not stand.
    #[error(transparent)]
    Refused(Refusal),
    /// No card held here speaks for a party at the time a message or a
    /// stored record needs its key: none is held, or it had expired.
    #[error(transparent)]
    NoKey(#[from] NoKey),
    /// The party is not a known peer of this node.
    #[error("{0} is not a peer of this node; add its card with `detente peer add`")]
    UnknownParty(PartyCode),
    /// The request body is larger than allowed.
    #[error("request body is over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A peer's envelope was refused.
    #[error(transparent)]
    Peer(#[from] PeerRejection),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A record this node stored can no longer be read or verified: the
    /// database is damaged, or was changed behind the node's back.
    #[error(
        "the stored {what} {id} cannot be read or verified ({cause}); the database may be damaged: check it (detente log status) and restore it from a backup"
    )]
    Unreadable {
        /// What kind of record.
        what: &'static str,
        /// Which one.
        id: String,
        /// What failed.
        cause: String,
    },
    /// Nothing was written, and the same request may succeed if tried again.
    #[error(transparent)]
    TryAgain(#[from] TryAgain),
    /// Our own bug, or the runtime failing under us.
    #[error(transparent)]
    Bug(#[from] Bug),
}

/// Why a request failed for now: nothing was written, and the same request
/// may succeed later. Answered as `503 try-again`.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum TryAgain {
    /// The log batch the request's record was in could not be committed
    /// (the store failed, or another record of the batch conflicted).
    #[error(
        "the log batch this was in could not be stored ({cause}); nothing of it was written: try again"
    )]
    BatchNotStored {
        /// Why the batch failed, as the store said.
        cause: String,
    },
    /// Concurrent requests kept changing the witness record of a log.
    #[error(
        "the witness record of {origin} kept changing under concurrent requests; nothing was written: try again"
    )]
    WitnessRecordContended {
        /// The log.
        origin: String,
    },
}

/// An officer's or administrator's request that cannot be carried out as
/// asked; nothing was written. Answered as `422 unprocessable`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mistake {
    /// A query parameter (or a field of a form) does not parse.
    #[error("{parameter}: {problem}; {expected}")]
    Parameter {
        /// The parameter.
        parameter: &'static str,
        /// What is wrong with it, as its parser says.
        problem: String,
        /// What it takes.
        expected: &'static str,
    },
    /// The kind is written by its own operation, not composed as a message.
    #[error("kind {kind}: {}", composed_by(*kind))]
    ComposedElsewhere {
        /// The kind.
        kind: MessageKind,
    },
    /// An answer to one of this node's own messages, of a kind that
    /// answers only messages received.
    #[error(
        "in_reply_to: message {answered} was sent by this node; a {kind} answers a message received from {to}"
    )]
    AnswersOwnMessage {
        /// The message answered.
        answered: MessageId,
        /// The answer's kind.
        kind: MessageKind,
        /// The answer's recipient.
        to: PartyCode,
    },
    /// An answer to a message of another channel.
    #[error("in_reply_to: message {answered} was exchanged with {exchanged_with}, not {to}")]
    AnswersOtherChannel {
        /// The message answered.
        answered: MessageId,
        /// Its counterparty.
        exchanged_with: PartyCode,
        /// The answer's recipient.
        to: PartyCode,
    },
    /// Only received messages are acknowledged.
    #[error("message {id} was sent by this node; only received messages are acknowledged")]
    AcknowledgesSent {
        /// The message.
        id: MessageId,
    },
    /// Acknowledgements are not acknowledged.
    #[error("message {id} is itself an acknowledgement; acknowledgements are not acknowledged")]
    AcknowledgesAcknowledgement {
        /// The message.
        id: MessageId,
    },
    /// A party proposes only the guarantees it gives.
    #[error(
        "guarantee {guarantee}: its issuer is {issuer}, but this node speaks for {party}; a party proposes only the guarantees it gives"
    )]
    NotTheIssuer {
        /// The guarantee.
        guarantee: String,
        /// Its issuer.
        issuer: PartyCode,
        /// This node's party.
        party: PartyCode,
    },
    /// A pledge is published by its host's node.
    #[error(
        "pledge {pledge}: its host is {host}, but this node speaks for {party}; a pledge is published by its host's node"
    )]
    NotTheHost {
        /// The pledge.
        pledge: String,
        /// Its host.
        host: PartyCode,
        /// This node's party.
        party: PartyCode,
    },
    /// The host does not sign its own pledge.
    #[error(
        "{host} hosts pledge {reference}: its published, signed text is its word; other parties sign it"
    )]
    HostSigns {
        /// The pledge.
        reference: PledgeRef,
        /// Its host, this node's party.
        host: PartyCode,
    },
    /// This party has signed the document already.
    #[error("{document} is already signed by {party}")]
    AlreadySigned {
        /// The document (`guarantee <id>`, `pledge <ref>`).
        document: String,
        /// This node's party.
        party: PartyCode,
    },
    /// The guarantee is past proposal.
    #[error("guarantee {guarantee} is no longer open for signature: {status}")]
    NotOpenForSignature {
        /// The guarantee.
        guarantee: String,
        /// Where it stands.
        status: GuaranteeStatus,
    },
    /// This party has withdrawn already.
    #[error("{party} has already notified its withdrawal from guarantee {guarantee}")]
    AlreadyWithdrawn {
        /// The guarantee.
        guarantee: String,
        /// This node's party.
        party: PartyCode,
    },
    /// The agreement does not name a party of the channel.
    #[error(
        "agreement {agreement} does not name {party} among its parties ({})",
        join_parties(parties, ", ")
    )]
    NotNamed {
        /// The agreement.
        agreement: String,
        /// The party it does not name.
        party: PartyCode,
        /// Whom it names.
        parties: Vec<PartyCode>,
    },
    /// A reason is required and was empty.
    #[error("reason: must not be empty; say why")]
    NoReason,
    /// A draft carries at least one STIX object.
    #[error("bundle: has no objects; a draft carries at least one")]
    EmptyDraft,
    /// A node does not add its own card as a peer.
    #[error("this is {party}'s own card; add the cards of other parties")]
    OwnCard {
        /// This node's party.
        party: PartyCode,
    },
    /// The pledge's host answered, but not with a registry that holds.
    #[error("the host's registry of {reference}: {problem}")]
    HostRegistry {
        /// The pledge.
        reference: PledgeRef,
        /// What is wrong with it.
        problem: String,
    },
    /// The pledge's host could not be read.
    #[error("cannot read pledge {reference} from its host: {problem}")]
    HostUnreachable {
        /// The pledge.
        reference: PledgeRef,
        /// Why, as the client says.
        problem: String,
    },
}

/// Which operation writes a kind that is not composed, for
/// [`Mistake::ComposedElsewhere`].
fn composed_by(kind: MessageKind) -> &'static str {
    match kind.composer() {
        Composer::Document(DocumentFamily::Agreement) => {
            "agreements are proposed and signed through /api/v1/agreements (detente agreement propose|sign)"
        }
        Composer::Document(DocumentFamily::Guarantee | DocumentFamily::Pledge) => {
            "guarantees and pledges go through /api/v1/guarantees and /api/v1/pledges (detente guarantee …, detente pledge …)"
        }
        Composer::Engine => {
            "escalations are sent by the agreement engine when a deadline is missed, not composed"
        }
        Composer::Officer => "officers compose it through /api/v1/messages",
    }
}

/// A co-signed document, or a step on one, that does not hold by its own
/// rules. Answered as `422 unprocessable`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// An agreement.
    #[error(transparent)]
    Agreement(#[from] AgreementError),
    /// A guarantee.
    #[error(transparent)]
    Guarantee(#[from] GuaranteeError),
    /// A pledge.
    #[error(transparent)]
    Pledge(#[from] PledgeError),
}

/// Our own bug, or the runtime failing under us: never the caller's doing,
/// and nothing the caller can fix. Answered as `500 internal`; the node's
/// log has the cause.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Bug {
    /// A blocking task or a worker panicked, was cancelled, or could not start.
    #[error("the {task} task failed: {cause}")]
    TaskFailed {
        /// Which task.
        task: &'static str,
        /// Why, as the runtime said.
        cause: String,
    },
    /// The log sequencer's thread has stopped (the node is shutting down,
    /// or it panicked).
    #[error("the log sequencer has stopped")]
    SequencerStopped,
    /// Something just written could not be read back.
    #[error("the {what} {id}, just stored, cannot be read back")]
    Vanished {
        /// What kind of record.
        what: &'static str,
        /// Which one.
        id: String,
    },
    /// Something made from this node's own data and keys, which cannot
    /// fail on well-formed data, failed.
    #[error("cannot make the {what}: {cause}")]
    Construction {
        /// What was being made.
        what: &'static str,
        /// Why.
        cause: String,
    },
}

impl Bug {
    /// [`Bug::TaskFailed`] for `task`, with the runtime's reason.
    pub fn task(task: &'static str) -> impl FnOnce(tokio::task::JoinError) -> NodeError {
        move |e| {
            Bug::TaskFailed {
                task,
                cause: e.to_string(),
            }
            .into()
        }
    }

    /// [`Bug::Construction`] of `what`, with the failure's text.
    pub fn construction<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> NodeError {
        move |e| {
            Bug::Construction {
                what,
                cause: e.to_string(),
            }
            .into()
        }
    }
}

impl NodeError {
    /// [`NodeError::Unreadable`] for the stored `what` `id`, with the
    /// failure's text.
    pub fn unreadable<E: std::fmt::Display>(
        what: &'static str,
        id: impl ToString,
    ) -> impl FnOnce(E) -> NodeError {
        let id = id.to_string();
        move |e| NodeError::Unreadable {
            what,
            id,
            cause: e.to_string(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            problem: error.to_string(),
        }
    }
}

/// Why an envelope from a peer was refused. Nothing is stored for any of these.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerRejection {
    /// The TLS connection presented no pinned client certificate.
    #[error("the peer API requires mutual TLS with a client certificate pinned by a peer card")]
    NotAPeer,
    /// The sealed header names another sender than the TLS client.
    #[error("sealed.from is {claimed}, but the TLS client certificate is {authenticated}'s")]
    SenderMismatch {
        /// Who the header claims.
        claimed: PartyCode,
        /// Who TLS authenticated.
        authenticated: PartyCode,
    },
    /// The envelope inside names another sender or id than its sealed header.
    #[error("{field} inside the envelope is {inner}, but the sealed header says {outer}")]
    HeaderMismatch {
        /// Which field.
        field: &'static str,
        /// Inside.
        inner: String,
        /// Outside.
        outer: String,
    },
    /// The envelope is addressed to another party.
    #[error("the envelope is addressed to {to}, but this node is {us}")]
    Misaddressed {
        /// Addressee.
        to: PartyCode,
        /// This node.
        us: PartyCode,
    },
    /// The sending party is not a peer.
    #[error("{0} is not a known party of this node")]
    UnknownParty(PartyCode),
    /// The sender's card has expired.
    #[error(
        "the card of {party} expired at {at}; {party} must issue a new card, and this node must add it"
    )]
    CardExpired {
        /// The sender.
        party: PartyCode,
        /// When its card expired.
        at: Timestamp,
    },
    /// The id was already used for a different envelope.
    #[error(
        "message id {0} was already received with different content; a replayed or reused id is refused"
    )]
    Replay(MessageId),
    /// A timestamp is outside the allowed skew.
    #[error("{field} {at} is {off} from this node's clock {now}; the allowed skew is {skew}")]
    Skew {
        /// `sealed.sent_at` or `envelope.created_at`.
        field: &'static str,
        /// The timestamp.
        at: String,
        /// Now, here.
        now: String,
        /// How far off, human-readable (e.g. "3h 0m in the future").
        off: String,
        /// The allowed skew.
        skew: String,
    },
    /// The message may not pass: the channel is suspended, the agreement
    /// in force does not allow it, or its citation does not stand.
    #[error(transparent)]
    Refused(Refusal),
    /// An agreement signature that does not hold (bad signature, not a
    /// party, other bytes than those proposed).
    #[error("{0}")]
    Agreement(String),
    /// A guarantee or pledge message that does not hold: a bad signature,
    /// a signer or withdrawer the document does not allow, other bytes than
    /// those held, a pledge closed for signature.
    #[error("{0}")]
    Document(String),
}

/// The result type of this crate.
pub type NodeResult<T> = Result<T, NodeError>;

/// Shorthand for an unknown message.
pub fn message_not_found(id: &MessageId) -> NodeError {
    NodeError::NotFound {
        what: "message",
        id: id.to_string(),
    }
}
