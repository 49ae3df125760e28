//! The store's error type.

use std::fmt;

use detente_proto::ids::{DocumentId, MessageId, PartyCode};

use crate::{DocumentKind, RecordRole};

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
    /// A record of a guarantee or pledge that contradicts the records
    /// stored for that document: a party has one record per role on a
    /// document, and every record of a document is about one document (one
    /// SHA-256). Nothing was written.
    #[error("{0}")]
    DocumentConflict(Box<DocumentConflict>),
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
    /// A TAXII account with this name is stored. Nothing was written.
    #[error("a TAXII account named {name:?} exists; remove it first or choose another name")]
    TaxiiAccountExists {
        /// The name.
        name: String,
    },
    /// A peer's card is no longer the one an update was checked against:
    /// another update came first. Nothing was written.
    #[error(
        "the card of {party} changed while this update was being checked; nothing was written — check the update again against the card now held"
    )]
    PeerCardMoved {
        /// The peer.
        party: PartyCode,
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
    pub agreement_id: DocumentId,
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

/// Which record of a guarantee or pledge was refused, and why
/// ([`StoreError::DocumentConflict`]). Its message names the document, the
/// record and what differs from what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentConflict {
    /// The register.
    pub kind: DocumentKind,
    /// The document's id.
    pub document_id: String,
    /// The refused record's role.
    pub role: RecordRole,
    /// The refused record's party.
    pub party: PartyCode,
    /// What it contradicts.
    pub reason: DocumentConflictReason,
}

/// What a refused document record contradicts ([`DocumentConflict`]).
///
/// The first three are about the party's own record in that role, already
/// stored: the first of these that differs is named. The last is about
/// the document's other records.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentConflictReason {
    /// The party's record in this role is about another document: a second
    /// signature (publication, withdrawal) over other bytes.
    OtherDocument {
        /// SHA-256 of the document the stored record is about.
        stored_sha256: [u8; 32],
        /// SHA-256 of the document the refused record is about.
        offered_sha256: [u8; 32],
    },
    /// The party's record in this role is about the same document, in
    /// other signed bytes.
    OtherSignedBytes,
    /// The party's record in this role is about the same document in the
    /// same signed bytes, but came with another message (or with none).
    OtherMessage {
        /// The message the stored record came with.
        stored: Option<MessageId>,
        /// The message the refused record came with.
        offered: Option<MessageId>,
    },
    /// The document's publish and sign records are about another document
    /// than this one (a publish or sign over other bytes, or a withdrawal
    /// naming another document); the first of them stored is named.
    NotTheDocument {
        /// The role of the first publish or sign record stored.
        stored_role: RecordRole,
        /// Its party.
        stored_party: PartyCode,
        /// SHA-256 of the document every publish and sign record is about.
        stored_sha256: [u8; 32],
        /// SHA-256 of the document the refused record is about.
        offered_sha256: [u8; 32],
    },
}

impl fmt::Display for DocumentConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            kind,
            document_id,
            role,
            party,
            reason,
        } = self;
        let (kind, role) = (kind.as_str(), role.as_str());
        write!(f, "{kind} {document_id}: the {role} record by {party} ")?;
        match reason {
            DocumentConflictReason::OtherDocument {
                stored_sha256,
                offered_sha256,
            } => write!(
                f,
                "is about the document with SHA-256 {}, but {party}'s {role} record already stored is about {}; nothing was stored — a party has one {role} record per document, so check which text {party} signed",
                hex(offered_sha256),
                hex(stored_sha256)
            ),
            DocumentConflictReason::OtherSignedBytes => write!(
                f,
                "is about the same document as {party}'s {role} record already stored, but its signed bytes differ; nothing was stored — a party has one {role} record per document, and the first one stays"
            ),
            DocumentConflictReason::OtherMessage { stored, offered } => write!(
                f,
                "came with {}, but {party}'s {role} record already stored, with the same bytes, came with {}; nothing was stored — a party has one {role} record per document, and the first one stays",
                carrier(*offered),
                carrier(*stored)
            ),
            DocumentConflictReason::NotTheDocument {
                stored_role,
                stored_party,
                stored_sha256,
                offered_sha256,
            } => write!(
                f,
                "is about the document with SHA-256 {}, but the {} record by {stored_party} already stored is about {}; nothing was stored — every publish and sign record of a document is over the same bytes, and a withdrawal names them, so check which text was signed (a changed text needs a new document id)",
                hex(offered_sha256),
                stored_role.as_str(),
                hex(stored_sha256)
            ),
        }
    }
}

impl std::error::Error for DocumentConflict {}

/// The message a record came with, for error messages.
fn carrier(message: Option<MessageId>) -> String {
    match message {
        Some(id) => format!("message {id}"),
        None => "no message".to_owned(),
    }
}

/// Lower-case hex, for hashes in messages.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(reason: DocumentConflictReason) -> String {
        StoreError::DocumentConflict(Box::new(DocumentConflict {
            kind: DocumentKind::Pledge,
            document_id: "UN/no-first-use".to_owned(),
            role: RecordRole::Sign,
            party: "RU".parse().expect("party"),
            reason,
        }))
        .to_string()
    }

    #[test]
    fn a_document_conflict_names_the_record_and_what_differs() {
        let (stored, offered) = ([0xab; 32], [0xcd; 32]);
        let message = conflict(DocumentConflictReason::OtherDocument {
            stored_sha256: stored,
            offered_sha256: offered,
        });
        assert!(
            message.starts_with("pledge UN/no-first-use: the sign record by RU is about"),
            "{message}"
        );
        assert!(message.contains(&hex(&stored)) && message.contains(&hex(&offered)));

        let message = conflict(DocumentConflictReason::NotTheDocument {
            stored_role: RecordRole::Publish,
            stored_party: "UN".parse().expect("party"),
            stored_sha256: stored,
            offered_sha256: offered,
        });
        assert!(message.contains("the publish record by UN"), "{message}");
        assert!(message.contains(&hex(&stored)) && message.contains(&hex(&offered)));

        let message = conflict(DocumentConflictReason::OtherSignedBytes);
        assert!(message.contains("signed bytes differ"), "{message}");

        let id: MessageId = "01937b2e-8f00-7000-8000-000000000001".parse().expect("id");
        let message = conflict(DocumentConflictReason::OtherMessage {
            stored: Some(id),
            offered: None,
        });
        assert!(
            message.contains("came with no message")
                && message.contains(&format!("came with message {id}")),
            "{message}"
        );
        for reason in [
            DocumentConflictReason::OtherSignedBytes,
            DocumentConflictReason::OtherMessage {
                stored: None,
                offered: Some(id),
            },
        ] {
            assert!(conflict(reason).contains("nothing was stored"));
        }
    }
}
