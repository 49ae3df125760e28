//! The node's error type.
//!
//! Bad input from a peer ([`PeerRejection`]), misuse by an
//! officer (`Forbidden`, `NotFound`, `Invalid`…), a failing dependency
//! (`Store`, `Io`, `Tls`) and our own configuration problems are separate
//! variants. Every variant maps to one HTTP status and a problem+json
//! document (RFC 9457) in [`crate::api::problem`].

use std::path::{Path, PathBuf};

use detente_proto::ProtoError;
use detente_proto::admission::Refusal;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::keyring::NoKey;
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
    /// A request that is well-formed but cannot be carried out as asked.
    #[error("{0}")]
    Unprocessable(String),
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
    /// A task or internal channel failed (our bug or shutdown).
    #[error("internal error: {0}")]
    Internal(String),
}

impl NodeError {
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
