//! What an officer or administrator asked that cannot be done: not
//! signed in, not cleared, not possible as asked, or contradicting what is
//! held.

use detente_proto::ProtoError;
use detente_proto::agreement::AgreementError;
use detente_proto::guarantee::{GuaranteeError, GuaranteeStatus};
use detente_proto::ids::{Fingerprint, MessageId, OfficerName, PartyCode, Tier, join_parties};
use detente_proto::kind::{Composer, DocumentFamily, MessageKind};
use detente_proto::pledge::{PledgeError, PledgeRef};
use detente_proto::time::Timestamp;
use detente_store::{DocumentKind, RecordRole};

/// No valid credentials. Answered as `401 unauthenticated`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Unauthenticated {
    /// The request carries no credentials.
    #[error(
        "no Authorization header; send `Authorization: Bearer <token>` with the token from `detente officer add`"
    )]
    NoCredentials,
    /// The Authorization header is not a bearer token.
    #[error("the Authorization header must be `Bearer <token>`")]
    NotBearer,
    /// No officer holds the token.
    #[error("the bearer token is not valid at this node (revoked, mistyped, or for another node)")]
    UnknownToken,
    /// The name or the password is wrong (which one is not said).
    #[error(
        "the name or the password is wrong; check both (names are case-sensitive), or ask the node administrator to set a new password (detente officer passwd)"
    )]
    WrongPassword,
    /// Too many wrong passwords for this name: it is locked for a while.
    #[error(
        "too many wrong passwords for this name; sign-in is locked until {until}. Wait, or ask the node administrator"
    )]
    LockedOut {
        /// When the lockout ends.
        until: Timestamp,
    },
    /// The browser has no console session.
    #[error("not signed in; sign in at /console/sign-in")]
    NoSession,
    /// The console session ended (idle too long, past its limit, signed
    /// out, or the officer's password changed).
    #[error("the session has ended; sign in again")]
    SessionEnded,
    /// An alert's acknowledgement link that this node did not make.
    #[error(
        "this acknowledgement link is not valid; use the link exactly as the alert gave it, or acknowledge with `detente alerts ack`"
    )]
    BadAlertLink,
}

/// Valid credentials, but not allowed to do this. Answered as `403`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Forbidden {
    /// The officer is not cleared for the tier acted for.
    #[error(
        "officer {officer} is cleared for [{}], not {tier}, and so may not {action}; ask the node administrator for clearance or act at your own tier",
        cleared.iter().map(Tier::as_str).collect::<Vec<_>>().join(", ")
    )]
    NotCleared {
        /// The officer.
        officer: OfficerName,
        /// The tiers the officer is cleared for.
        cleared: Vec<Tier>,
        /// The tier acted for.
        tier: Tier,
        /// What the officer tried.
        action: &'static str,
    },
    /// A console form without this session's CSRF token: made by another
    /// site, or stale.
    #[error(
        "the form did not come from this console session (its CSRF token is missing or wrong); reload the page and try again"
    )]
    Csrf,
    /// A peer card whose fingerprint is not the one confirmed out of band.
    /// The card's real fingerprint is deliberately not said: copying it
    /// from an error message would defeat the out-of-band check.
    #[error(
        "the card of {party} does not have the fingerprint {confirmed} you confirmed; it was not added. Check the card file and the fingerprint with {party} over a separate channel"
    )]
    FingerprintMismatch {
        /// The party the card is for.
        party: PartyCode,
        /// The fingerprint confirmed.
        confirmed: Fingerprint,
    },
}

/// What is asked contradicts what is held; nothing was written. Answered
/// as `409 conflict`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Conflict {
    /// The draft was sent already.
    #[error(
        "draft {draft} was sent as message {} by {by} at {}",
        message.map(|m| m.to_string()).unwrap_or_default(),
        at.map(|t| t.to_string()).unwrap_or_default()
    )]
    DraftSent {
        /// The draft.
        draft: String,
        /// The message it was sent as.
        message: Option<MessageId>,
        /// Who sent it.
        by: String,
        /// When.
        at: Option<Timestamp>,
    },
    /// The draft was discarded.
    #[error(
        "draft {draft} was discarded by {by} at {}",
        at.map(|t| t.to_string()).unwrap_or_default()
    )]
    DraftDiscarded {
        /// The draft.
        draft: String,
        /// Who discarded it.
        by: String,
        /// When.
        at: Option<Timestamp>,
    },
    /// The draft changed while it was being sent.
    #[error("draft {draft} changed while it was being sent; look at it again")]
    DraftChanged {
        /// The draft.
        draft: String,
    },
    /// Another text is held under the guarantee's id.
    #[error(
        "guarantee {guarantee} already exists with another text (SHA-256 {held}); give a new id"
    )]
    GuaranteeText {
        /// The guarantee.
        guarantee: String,
        /// The hash of the text held (base64).
        held: String,
    },
    /// Another text is published under the pledge's id.
    #[error("pledge {reference} is already published with another text; give a new id")]
    PledgeText {
        /// The pledge.
        reference: PledgeRef,
    },
    /// This party has taken the step already.
    #[error(
        "{} {id}: {party} has already taken its {} step; a party signs, and withdraws, once",
        kind.as_str(),
        role.as_str()
    )]
    StepTaken {
        /// The document's family.
        kind: DocumentKind,
        /// The document.
        id: String,
        /// This node's party.
        party: PartyCode,
        /// The step.
        role: RecordRole,
    },
}

/// An officer's or administrator's request that cannot be carried out as
/// asked; nothing was written. Answered as `422 unprocessable`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
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
    /// A query parameter that names none of the values it takes.
    #[error("{parameter}: {value:?} is not one of its values; {expected}")]
    UnknownValue {
        /// The parameter.
        parameter: &'static str,
        /// The value given.
        value: String,
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
    /// A backup never overwrites a file.
    #[error("{} exists; a backup never overwrites a file: give a new name (e.g. with the date)", path.display())]
    BackupExists {
        /// The file named.
        path: std::path::PathBuf,
    },
    /// A file given to restore is not a detente backup.
    #[error("{} is not a detente backup (it has no backup manifest); make backups with `detente backup`", path.display())]
    NotABackup {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A backup of another party's node.
    #[error("{} is a backup of {party}'s node, not of {ours}'s; restore it into {party}'s node directory", path.display())]
    BackupOfOtherParty {
        /// The file.
        path: std::path::PathBuf,
        /// Whose it is.
        party: PartyCode,
        /// This node's party.
        ours: PartyCode,
    },
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
        problem: Box<RegistryProblem>,
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

/// What is wrong with a pledge registry its host served, for
/// [`Mistake::HostRegistry`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryProblem {
    /// It is not a registry document.
    #[error("it is malformed: {cause}")]
    Malformed {
        /// What the JSON parser says.
        cause: String,
    },
    /// The pledge it serves does not verify.
    #[error(transparent)]
    Pledge(PledgeError),
    /// It serves another pledge.
    #[error("it serves pledge {served}")]
    OtherPledge {
        /// The pledge it serves.
        served: PledgeRef,
    },
    /// One of its records does not verify.
    #[error("records[{index}]: {problem}")]
    Record {
        /// The record's index.
        index: usize,
        /// What is wrong with it.
        problem: RegistryRecordProblem,
    },
}

/// What is wrong with one record of a pledge registry.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryRecordProblem {
    /// Its envelope does not parse or verify.
    #[error(transparent)]
    Envelope(ProtoError),
    /// Its envelope does not go from its party to the host.
    #[error("the envelope goes from {from} to {to}")]
    Route {
        /// The sender.
        from: PartyCode,
        /// The addressee.
        to: PartyCode,
    },
    /// Its signed pledge does not verify.
    #[error(transparent)]
    Pledge(PledgeError),
    /// Its signature is over another text than the one published.
    #[error("signed over another text")]
    OtherText,
    /// Its message is not the step it says it is.
    #[error("a {kind} message is not a {role} of this pledge")]
    NotTheStep {
        /// The message's kind.
        kind: MessageKind,
        /// The role the record claims.
        role: String,
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
