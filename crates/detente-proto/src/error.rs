//! The one error type of this crate.
//!
//! Everything here is about bad
//! *input* (from a peer, a file or an officer). Our own bugs are not reported
//! through these types, and nothing here panics on input.

/// Why a piece of input was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum ProtoError {
    /// The input is larger than the configured bound.
    #[error(
        "{what} is {size} bytes, over the limit of {limit} bytes; send less, or raise the limit in [limits] of detente.toml on both nodes"
    )]
    TooLarge {
        /// What was measured, e.g. "envelope".
        what: &'static str,
        /// Its size in bytes.
        size: usize,
        /// The bound in force.
        limit: usize,
    },
    /// The bytes are not JSON, or not JSON of the expected shape.
    #[error("{what} is not valid JSON: {detail}")]
    MalformedJson {
        /// What was being read.
        what: &'static str,
        /// The parser's explanation, with line and column.
        detail: String,
    },
    /// Valid JSON, but not in the RFC 8785 canonical form that is signed.
    #[error(
        "{what} is not RFC 8785 canonical JSON (first difference at byte {offset}); serialise it with JCS before signing and sending"
    )]
    NotCanonical {
        /// What was being read.
        what: &'static str,
        /// Byte offset of the first difference from the canonical form.
        offset: usize,
    },
    /// The JSON is nested too deeply, or has too many members or too long strings.
    #[error("{path}: {detail}")]
    OutOfBounds {
        /// JSON path of the offending value, e.g. `envelope.body.stix.objects`.
        path: String,
        /// What bound was crossed.
        detail: String,
    },
    /// A field is missing, has the wrong type or an invalid value.
    #[error("{field}: {problem}")]
    InvalidField {
        /// Dotted path of the field, e.g. `envelope.created_at`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A message kind that this version of detente does not know.
    #[error("envelope.kind: unknown message kind {0:?}; known kinds: {known}", known = crate::kind::MessageKind::known_list())]
    UnknownKind(String),
    /// A signature did not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// Sealing or opening failed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// The dotted path of a field below `prefix`, from a serde path (whose
/// root prints as ".").
pub(crate) fn field_path(prefix: &str, path: &serde_path_to_error::Path) -> String {
    match path.to_string().as_str() {
        "." => prefix.to_owned(),
        rest => format!("{prefix}.{rest}"),
    }
}

impl ProtoError {
    /// Shorthand for [`ProtoError::InvalidField`].
    pub fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Why a signature was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature is not 64 bytes of base64.
    #[error("{what}.signature: not a base64-encoded 64-byte Ed25519 signature")]
    Malformed {
        /// What was signed.
        what: &'static str,
    },
    /// The key id in the document does not name the key we verify with.
    #[error(
        "{what}.key_id: the document names key {claimed}, but {party}'s key is {expected}; the signer is not who the document claims, or the sender's card is out of date"
    )]
    WrongKey {
        /// What was signed.
        what: &'static str,
        /// The key id the document names.
        claimed: String,
        /// The key id of the key we expect.
        expected: String,
        /// The party whose key we expected.
        party: String,
    },
    /// Cryptographic verification failed.
    #[error(
        "{what}.signature: does not verify with {party}'s key {key_id}; the document was altered or signed by someone else"
    )]
    Invalid {
        /// What was signed.
        what: &'static str,
        /// The party whose key was used.
        party: String,
        /// The key id used.
        key_id: String,
    },
}

/// Why HPKE sealing or opening failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The recipient's public key is not a valid X25519 key.
    #[error("{0}: not a valid X25519 public key")]
    BadPublicKey(&'static str),
    /// The encapsulated key is malformed.
    #[error("sealed.enc: not a valid 32-byte X25519 encapsulated key")]
    BadEncapsulatedKey,
    /// Decryption failed: wrong recipient key, or the ciphertext or its header was altered.
    #[error(
        "sealed.ciphertext: cannot be opened with this node's encryption key; it was sealed to another key, or altered in transit"
    )]
    OpenFailed,
    /// Sealing failed inside the HPKE library.
    #[error("sealing failed: {0}")]
    SealFailed(String),
}
