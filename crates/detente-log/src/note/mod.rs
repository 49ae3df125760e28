//! Signed notes — C2SP `signed-note` v1.0.0.
//!
//! * §Format: a note is UTF-8 text with no ASCII control characters other
//!   than newline; the text ends in a newline; a blank line separates it from
//!   one or more signature lines `— <key name> <base64(key ID ‖ signature)>`
//!   (em dash U+2014). The text may contain empty lines: the *last* empty line
//!   is the separator. Key names are non-empty with no Unicode spaces and no
//!   `+`.
//! * §Signatures: verifiers MUST ignore signatures from unknown keys (a key
//!   is known by its name *and* key ID); a signature from a known key that
//!   fails to verify rejects the whole note (the spec's SHOULD, taken as
//!   MUST here); a note with no verified signature from a known key is
//!   rejected (MUST). A known key that signed twice is rejected as malformed.
//! * §Verifier keys and key IDs: see [`VerifierKey`] and [`key_id`].
//! * §Ed25519 signatures: [`Ed25519Verifier`], [`Ed25519Signer`].
//!
//! Limits: notes up to [`MAX_NOTE_LEN`] bytes and [`MAX_SIGNATURES`]
//! signatures (the spec requires accepting at least 16).

mod error;
mod keys;

pub use error::NoteError;
pub use keys::{
    Ed25519Signer, Ed25519Verifier, NoteVerifier, SIGNATURE_TYPE_COSIGNATURE_V1,
    SIGNATURE_TYPE_ED25519, SignerKey, VerifierKey, key_id,
};

use crate::text::{decode_base64, encode_base64, quote};

/// Largest note accepted by [`Note::parse`], in bytes.
pub const MAX_NOTE_LEN: usize = 1 << 20;

/// Most signatures accepted on one note.
pub const MAX_SIGNATURES: usize = 100;

/// The signature-line prefix: em dash (U+2014) and a space.
const DASH: &str = "\u{2014} ";

/// One signature line: key name, key ID and the signature bytes that follow
/// the key ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NoteSignature {
    name: String,
    key_id: u32,
    signature: Vec<u8>,
}

impl NoteSignature {
    /// A signature line from its parts; the name must be a valid key name and
    /// the signature non-empty.
    pub fn new(name: &str, key_id: u32, signature: Vec<u8>) -> Result<Self, NoteError> {
        check_key_name(name)?;
        if signature.is_empty() {
            return Err(NoteError::MalformedSignatureLine {
                line: quote(name),
                reason: "signature is empty",
            });
        }
        Ok(Self::from_parts(name, key_id, signature))
    }

    pub(crate) fn from_parts(name: &str, key_id: u32, signature: Vec<u8>) -> Self {
        Self {
            name: name.to_owned(),
            key_id,
            signature,
        }
    }

    /// Parses one signature line, with or without its final newline.
    pub fn parse_line(line: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::MalformedSignatureLine {
            line: quote(line),
            reason,
        };
        let body = line.strip_suffix('\n').unwrap_or(line);
        let rest = body
            .strip_prefix(DASH)
            .ok_or(bad("does not start with an em dash (U+2014) and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(bad("expected a key name, a space and a base64 signature"))?;
        check_key_name(name)?;
        let bytes = decode_base64(b64).ok_or(bad("signature is not valid base64"))?;
        if bytes.len() < 5 {
            return Err(bad("signature is shorter than a key ID and one byte"));
        }
        let key_id = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        Ok(Self::from_parts(name, key_id, bytes[4..].to_vec()))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature bytes after the key ID.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The line, including its final newline.
    pub fn to_line(&self) -> String {
        format!("{self}\n")
    }
}

impl std::fmt::Display for NoteSignature {
    /// `— <name> <base64(key ID ‖ signature)>`, without the newline.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut bytes = Vec::with_capacity(4 + self.signature.len());
        bytes.extend_from_slice(&self.key_id.to_be_bytes());
        bytes.extend_from_slice(&self.signature);
        write!(f, "{DASH}{} {}", self.name, encode_base64(&bytes))
    }
}

/// A note: its text and the signature lines that follow it.
///
/// [`Note::parse`] never trusts the text: call [`Note::verify`] with the keys
/// you trust before using it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// An unsigned note with `text`, which must end in a newline and hold no
    /// control characters other than newline. Add signatures before encoding.
    pub fn new(text: impl Into<String>) -> Result<Self, NoteError> {
        let text = text.into();
        check_characters(&text)?;
        if !text.ends_with('\n') {
            return Err(NoteError::TextNotTerminated);
        }
        Ok(Self {
            text,
            signatures: Vec::new(),
        })
    }

    /// Parses a signed note (signed-note §Format). Does not verify signatures.
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_LEN {
            return Err(NoteError::TooLarge {
                len: bytes.len(),
                max: MAX_NOTE_LEN,
            });
        }
        let s = std::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 {
            valid_up_to: e.valid_up_to(),
        })?;
        check_characters(s)?;
        // The text ends at the last empty line.
        let split = s.rfind("\n\n").ok_or(NoteError::MissingSignatures)?;
        let (text, block) = (&s[..=split], &s[split + 2..]);
        if block.is_empty() {
            return Err(NoteError::MissingSignatures);
        }
        let block = block
            .strip_suffix('\n')
            .ok_or(NoteError::SignatureBlockNotTerminated)?;
        let count = block.split('\n').count();
        if count > MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                count,
                max: MAX_SIGNATURES,
            });
        }
        let signatures = block
            .split('\n')
            .map(NoteSignature::parse_line)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Appends a signature line.
    pub fn push_signature(&mut self, signature: NoteSignature) {
        self.signatures.push(signature);
    }

    /// Keeps only the signatures for which `keep` returns true.
    pub fn retain_signatures(&mut self, keep: impl FnMut(&NoteSignature) -> bool) {
        self.signatures.retain(keep);
    }

    /// Signs the note with an Ed25519 signer, appending the signature line.
    pub fn sign(&mut self, signer: &Ed25519Signer) {
        let signature = signer.sign(&self.text);
        self.push_signature(signature);
    }

    /// The encoded note: text, a blank line, the signature lines. A note
    /// without signatures encodes to something [`Note::parse`] rejects.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.text.len() + 1 + 128 * self.signatures.len());
        out.push_str(&self.text);
        out.push('\n');
        for signature in &self.signatures {
            out.push_str(&signature.to_line());
        }
        out.into_bytes()
    }

    /// Checks every signature from a known key; unknown keys are ignored.
    /// Returns `(signature index, verifier index)` for each verified
    /// signature, possibly none. Fails if a known key's signature does not
    /// verify, if a known key signed twice, or if two verifiers share a name
    /// and key ID.
    pub fn check_signatures(
        &self,
        verifiers: &[&dyn NoteVerifier],
    ) -> Result<Vec<(usize, usize)>, NoteError> {
        let mut verified: Vec<(usize, usize)> = Vec::new();
        for (si, sig) in self.signatures.iter().enumerate() {
            let mut matching = verifiers
                .iter()
                .enumerate()
                .filter(|(_, v)| v.name() == sig.name && v.key_id() == sig.key_id);
            let Some((vi, verifier)) = matching.next() else {
                continue;
            };
            if matching.next().is_some() {
                return Err(NoteError::AmbiguousVerifier {
                    name: sig.name.clone(),
                    key_id: sig.key_id,
                });
            }
            if verified.iter().any(|&(_, seen)| seen == vi) {
                return Err(NoteError::DuplicateSignature {
                    name: sig.name.clone(),
                    key_id: sig.key_id,
                });
            }
            if !verifier.verify(&self.text, &sig.signature) {
                return Err(NoteError::InvalidSignature {
                    name: sig.name.clone(),
                    key_id: sig.key_id,
                });
            }
            verified.push((si, vi));
        }
        Ok(verified)
    }

    /// Verifies the note against trusted keys (signed-note §Signatures) and
    /// returns the signatures that verified: at least one, or an error.
    pub fn verify(
        &self,
        verifiers: &[&dyn NoteVerifier],
    ) -> Result<Vec<&NoteSignature>, NoteError> {
        let verified = self.check_signatures(verifiers)?;
        if verified.is_empty() {
            return Err(NoteError::NoTrustedSignature {
                signed_by: self.signed_by(),
            });
        }
        Ok(verified
            .into_iter()
            .map(|(si, _)| &self.signatures[si])
            .collect())
    }

    /// Names of the keys that signed, comma separated, for messages.
    pub(crate) fn signed_by(&self) -> String {
        if self.signatures.is_empty() {
            return "nobody".to_owned();
        }
        let names: Vec<&str> = self.signatures.iter().map(|s| s.name.as_str()).collect();
        names.join(", ")
    }
}

/// Signed-note §Format: no ASCII control characters other than newline.
fn check_characters(s: &str) -> Result<(), NoteError> {
    match s.bytes().enumerate().find(|&(_, b)| b < 0x20 && b != b'\n') {
        Some((offset, byte)) => Err(NoteError::ControlCharacter { offset, byte }),
        None => Ok(()),
    }
}

/// Key names MUST be non-empty and MUST NOT contain Unicode spaces or `+`;
/// as part of a note they cannot hold ASCII control characters either.
pub(crate) fn check_key_name(name: &str) -> Result<(), NoteError> {
    let bad = |reason| NoteError::InvalidKeyName {
        name: quote(name),
        reason,
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(bad("it contains a space"));
    }
    if name.contains('+') {
        return Err(bad("it contains '+'"));
    }
    if name.bytes().any(|b| b < 0x20) {
        return Err(bad("it contains an ASCII control character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
