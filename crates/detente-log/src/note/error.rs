//! The error family of [`crate::note`].

/// Why a note, a signature line or a key was rejected.
///
/// Messages name the offending part but never print key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is larger than this implementation accepts.
    #[error("note is {len} bytes long, the limit is {max}")]
    TooLarge {
        /// Length of the note.
        len: usize,
        /// The limit, [`super::MAX_NOTE_LEN`].
        max: usize,
    },
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8 (first invalid byte at offset {valid_up_to})")]
    NotUtf8 {
        /// Offset of the first byte that is not valid UTF-8.
        valid_up_to: usize,
    },
    /// The note holds an ASCII control character other than newline.
    #[error(
        "note holds control character 0x{byte:02x} at offset {offset}; only newline (0x0a) is allowed"
    )]
    ControlCharacter {
        /// Offset of the character.
        offset: usize,
        /// The character's byte value.
        byte: u8,
    },
    /// The note text does not end with a newline.
    #[error("note text must end with a newline")]
    TextNotTerminated,
    /// No blank line separates the text from signature lines, or no signature
    /// line follows it.
    #[error(
        "note has no signatures: expected text, a blank line, then one or more signature lines"
    )]
    MissingSignatures,
    /// The last signature line does not end with a newline.
    #[error("the last signature line does not end with a newline")]
    SignatureBlockNotTerminated,
    /// More signatures than this implementation accepts.
    #[error("note carries {count} signatures, the limit is {max}")]
    TooManySignatures {
        /// Signatures in the note.
        count: usize,
        /// The limit, [`super::MAX_SIGNATURES`].
        max: usize,
    },
    /// A signature line is not `— <name> <base64>`.
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignatureLine {
        /// The line, quoted and shortened.
        line: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key name is empty or holds a space, `+` or a control character.
    #[error("key name {name} is invalid: {reason}")]
    InvalidKeyName {
        /// The name, quoted and shortened.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A verifier key is not `<name>+<hex key ID>+<base64(type ‖ key)>`.
    #[error("verifier key {vkey} is malformed: {reason}")]
    MalformedVerifierKey {
        /// The vkey, quoted and shortened.
        vkey: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A signer key is not `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ seed)>`.
    /// The key itself is never echoed.
    #[error("signer key is malformed: {reason}")]
    MalformedSignerKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key of a signature type this role does not accept.
    #[error("key {name} has signature type 0x{found:02x}, expected {expected}")]
    WrongSignatureType {
        /// Key name.
        name: String,
        /// The type byte found.
        found: u8,
        /// What was expected, e.g. "0x01 (Ed25519)".
        expected: &'static str,
    },
    /// A key whose stated key ID is not the one its name, type and public key
    /// hash to.
    #[error(
        "key {name} states key ID {stated:08x} but its name and public key give {computed:08x}"
    )]
    KeyIdMismatch {
        /// Key name.
        name: String,
        /// The key ID written in the key.
        stated: u32,
        /// `SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]`.
        computed: u32,
    },
    /// Public or private key material of the wrong length or not a valid key.
    #[error("key {name} has invalid key material: {reason}")]
    InvalidKeyMaterial {
        /// Key name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A signature by a known key does not verify: the whole note is rejected.
    #[error("signature by known key {name} ({key_id:08x}) does not verify")]
    InvalidSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// A known key signed the note more than once.
    #[error("known key {name} ({key_id:08x}) signed the note more than once")]
    DuplicateSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// Two configured verifiers share a key name and key ID, so a signature
    /// cannot be attributed.
    #[error("two trusted keys share name {name} and key ID {key_id:08x}; remove one")]
    AmbiguousVerifier {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// No signature from a trusted key is present.
    #[error("no signature from a trusted key (the note is signed by: {signed_by})")]
    NoTrustedSignature {
        /// Names of the keys that did sign, comma separated.
        signed_by: String,
    },
}
