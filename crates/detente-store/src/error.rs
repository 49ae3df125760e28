//! The store's error type.

/// Why a store operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A message id is already stored with a different envelope.
    #[error("message {id} is already stored with a different envelope; a message id is used once")]
    ConflictingId {
        /// The id.
        id: String,
    },
    /// A signature on an agreement version that contradicts the signatures
    /// stored for it: every signature on one version is over one document,
    /// and a party signs a version once. Nothing was written.
    #[error("{0}")]
    AgreementSignatureConflict(Box<AgreementSignatureConflict>),
    /// The log's stored checkpoint is not the size a batch extends: another
    /// sequencer wrote first. Nothing was written.
    #[error(
        "the log is at size {found}, but this batch extends size {expected}; another sequencer is writing this log — run one node per database, or restart this one"
    )]
    LogConflict {
        /// The size the batch extends.
        expected: u64,
        /// The size stored.
        found: u64,
    },
    /// A unique name is already taken.
    #[error("{what} {name:?} already exists")]
    Duplicate {
        /// What kind of record.
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// A record the operation needs does not exist.
    #[error("{what} {name:?} does not exist")]
    NotFound {
        /// What kind of record.
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// The database holds a value this version cannot read: a newer schema,
    /// or damage. Not caused by the caller.
    #[error(
        "the database holds data this version of detente cannot read ({0}); check that the node directory belongs to this version, or restore it from backup"
    )]
    Corrupt(String),
    /// The database was written by a newer version of detente.
    #[error(
        "the database is at schema version {found}, newer than this detente supports ({supported}); upgrade detente"
    )]
    TooNew {
        /// Schema version found.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// The caller broke the operation's contract: a log batch whose sizes or
    /// log indices do not add up, a message handed to the wrong operation
    /// for its direction, a size too large to store (above `i64::MAX`),
    /// deadline timers that are not those of the delivery they come with.
    /// A bug in the caller, not a failure of the database: nothing was
    /// written, and retrying the same call fails the same way (unlike
    /// [`StoreError::Backend`], which may be transient).
    #[error(
        "{operation}: {why}; this is a bug in the caller, and retrying the same call will fail again"
    )]
    Misuse {
        /// The store operation called.
        operation: &'static str,
        /// What was wrong with the call.
        why: String,
    },
    /// The database itself failed (I/O, locking, constraint).
    #[error("database error: {0}")]
    Backend(String),
}

/// Which signature on an agreement version was refused, and which stored
/// one it contradicts ([`StoreError::AgreementSignatureConflict`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "agreement {agreement_id}@{version}: the signature by {signer} is over the document with SHA-256 {offered}, but the signature by {stored_signer} already stored for this version is over {stored}; nothing was stored — every signature on a version must be over the same document, so check which text the parties signed (a changed text is a new version)",
    offered = hex(.offered_sha256),
    stored = hex(.stored_sha256)
)]
pub struct AgreementSignatureConflict {
    /// The agreement's id.
    pub agreement_id: String,
    /// Its version.
    pub version: u32,
    /// The party whose signature was refused.
    pub signer: String,
    /// SHA-256 of the document the refused signature is over.
    pub offered_sha256: [u8; 32],
    /// The party whose stored signature it contradicts: the same signer (a
    /// second signature over another document), or the version's first signer.
    pub stored_signer: String,
    /// SHA-256 of the document the signatures stored for the version are over.
    pub stored_sha256: [u8; 32],
}

/// Lower-case hex, for hashes in messages.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
