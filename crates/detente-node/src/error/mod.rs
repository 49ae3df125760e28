//! The node's error type.
//!
//! Bad input from a peer ([`PeerRejection`]), misuse by an officer
//! (`Forbidden`, `NotFound`, `Invalid`, `Refused`…), a missing or damaged
//! record (`NoKey`, `Unreadable`), a failing dependency (`Store`, `Io`,
//! `Tls`), a failure worth retrying ([`TryAgain`]) and our own bugs
//! ([`Bug`]) are separate variants. Every variant maps to one HTTP status
//! and a problem+json document (RFC 9457) in `api::problem`, and
//! nowhere else.

mod mistake;
mod peer;
mod setup;

use std::path::{Path, PathBuf};

use detente_proto::ProtoError;
use detente_proto::admission::Refusal;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::keyring::NoKey;
use detente_store::StoreError;

pub use mistake::{
    Conflict, DocumentError, Forbidden, Mistake, RegistryProblem, RegistryRecordProblem,
    Unauthenticated,
};
pub use peer::{PeerRejection, StepRefusal};
pub use setup::{ConfigProblem, KeyProblem, TlsError};

/// Why a node operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum NodeError {
    /// The configuration file is missing or wrong.
    #[error("{}: {problem}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: ConfigProblem,
    },
    /// A key file is missing or damaged.
    #[error("key file {}: {problem}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: KeyProblem,
    },
    /// A file could not be read or written.
    #[error("{}: {problem}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        problem: String,
    },
    /// TLS material cannot be read, or TLS setup failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Input (from an officer, a file or a peer) failed validation.
    #[error(transparent)]
    Invalid(#[from] ProtoError),
    /// No valid credentials.
    #[error(transparent)]
    Unauthenticated(#[from] Unauthenticated),
    /// Valid credentials, but not allowed to do this.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
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
    /// guarantee id already used, say).
    #[error(transparent)]
    Conflict(#[from] Conflict),
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
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
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
    /// The log signs nothing until it is sure it is as long as anything it
    /// signed before (`log/guard.rs`).
    #[error(transparent)]
    LogHeld(crate::log::guard::Hold),
    /// Concurrent requests kept changing the witness record of a log.
    #[error(
        "the witness record of {origin} kept changing under concurrent requests; nothing was written: try again"
    )]
    WitnessRecordContended {
        /// The log.
        origin: String,
    },
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

impl From<StepRefusal> for NodeError {
    fn from(refusal: StepRefusal) -> Self {
        Self::Peer(refusal.into())
    }
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
