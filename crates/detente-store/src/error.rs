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
    /// The database itself failed (I/O, locking, constraint).
    #[error("database error: {0}")]
    Backend(String),
}
