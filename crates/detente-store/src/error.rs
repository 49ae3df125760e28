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
    /// for its direction, a size too large to store (above `i64::MAX`). A bug in the caller, not a failure of the
    /// database: nothing was written, and retrying the same call fails the
    /// same way (unlike [`StoreError::Backend`], which may be transient).
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
