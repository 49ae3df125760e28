//! Why an envelope from a peer was refused.

use detente_proto::admission::Refusal;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::pledge::PledgeRef;
use detente_proto::time::Timestamp;
use detente_store::RecordRole;

use super::DocumentError;

/// Why an envelope from a peer was refused. Nothing is stored for any of these.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
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
    /// The envelope is signed by a key its party revoked as compromised
    /// since a moment at or before the envelope's `created_at`: anyone may
    /// have signed it.
    #[error(
        "the envelope is signed by {party}'s key {key_id}, which {party} revoked as compromised since {since}, and is dated {created_at}; {party} must send it again signed by its new key"
    )]
    CompromisedKey {
        /// The sender.
        party: PartyCode,
        /// The revoked key.
        key_id: detente_proto::ids::KeyId,
        /// Since when it is compromised.
        since: Timestamp,
        /// The envelope's `created_at`.
        created_at: Timestamp,
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
    /// A co-signed document message (an agreement, guarantee or pledge
    /// step) that does not hold.
    #[error(transparent)]
    Step(#[from] StepRefusal),
    /// A pushed card chain that does not start from the card held, or
    /// whose links do not hold.
    #[error(transparent)]
    CardChain(detente_proto::card_chain::ChainError),
}

/// Why a received agreement, guarantee or pledge message does not hold.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum StepRefusal {
    /// The signed document, or the step, breaks the document's own rules:
    /// a bad signature, a signer or withdrawer it does not allow, other
    /// bytes than those held, a pledge closed for signature.
    #[error(transparent)]
    Invalid(#[from] DocumentError),
    /// The agreement does not name this node's party.
    #[error("agreement {agreement} does not name {us}, this node's party")]
    AgreementNotOurs {
        /// The agreement.
        agreement: String,
        /// This node's party.
        us: PartyCode,
    },
    /// The guarantee is between two other parties.
    #[error("guarantee {guarantee} is between {issuer} and {beneficiary}, not {us}")]
    GuaranteeNotOurs {
        /// The guarantee.
        guarantee: String,
        /// Its issuer.
        issuer: PartyCode,
        /// Its beneficiary.
        beneficiary: PartyCode,
        /// This node's party.
        us: PartyCode,
    },
    /// A withdrawal from a guarantee this node does not hold.
    #[error("guarantee {guarantee} is not known here")]
    UnknownGuarantee {
        /// The guarantee.
        guarantee: String,
    },
    /// A withdrawal that names another text than the one held.
    #[error(
        "the withdrawal names guarantee {guarantee} with SHA-256 {named}, but its text here hashes to {held}"
    )]
    OtherHash {
        /// The guarantee.
        guarantee: String,
        /// The hash the withdrawal names (base64).
        named: String,
        /// The hash of the text held (base64).
        held: String,
    },
    /// A pledge step sent to a node that does not host the pledge.
    #[error("pledge {reference} is hosted by {}, not {us}: sign or withdraw at its host", reference.host)]
    NotTheHost {
        /// The pledge.
        reference: PledgeRef,
        /// This node's party.
        us: PartyCode,
    },
    /// A pledge step for a pledge this host never published.
    #[error("{} hosts no pledge {}", reference.host, reference.id)]
    UnknownPledge {
        /// The pledge.
        reference: PledgeRef,
    },
    /// A pledge signature over another text than the one published.
    #[error("{signer}'s signature is over another text than pledge {reference} as published")]
    OtherText {
        /// The pledge.
        reference: PledgeRef,
        /// Who signed.
        signer: PartyCode,
    },
    /// A guarantee or pledge step marked as exercise traffic.
    #[error(
        "{document}: guarantee and pledge steps are never exercise traffic; send it with exercise false"
    )]
    Exercise {
        /// The document (`guarantee <id>`, `pledge <ref>`).
        document: String,
    },
    /// A second step of one role by one party, under another message.
    #[error(
        "{document}: {party} already has a {} step (message {}); a party signs, and withdraws, once",
        role.as_str(),
        message.map_or_else(|| "none".to_owned(), |m| m.to_string())
    )]
    StepTaken {
        /// The document (`guarantee <id>`, `pledge <ref>`).
        document: String,
        /// The party.
        party: PartyCode,
        /// The step's role.
        role: RecordRole,
        /// The message that carried the step held.
        message: Option<MessageId>,
    },
    /// A step dated before the latest step held.
    #[error(
        "{document}: this step is dated {at}, before the latest step held ({latest}); steps are refused out of order so that nobody rewrites the history"
    )]
    OutOfOrder {
        /// The document (`guarantee <id>`, `pledge <ref>`).
        document: String,
        /// The step's date.
        at: Timestamp,
        /// The latest step held.
        latest: Timestamp,
    },
}
