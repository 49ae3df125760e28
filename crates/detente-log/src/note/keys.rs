//! Keys of C2SP signed-note v1.0.0: key IDs (§Signatures), verifier keys
//! (§Verifier keys), Ed25519 signatures (§Ed25519 signatures, type `0x01`),
//! and the signer-key encoding `PRIVATE+KEY+<name>+<hex id>+<base64(type ‖
//! seed)>` used by golang.org/x/mod/sumdb/note (not part of the C2SP text).

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{NoteError, NoteSignature, check_key_name};
use crate::text::{decode_base64, encode_base64, quote};

/// Signature type `0x01`: Ed25519 over the note text (signed-note §Signature types).
pub const SIGNATURE_TYPE_ED25519: u8 = 0x01;

/// Signature type `0x04`: timestamped Ed25519 checkpoint cosignatures
/// (tlog-cosignature, `cosignature/v1`).
pub const SIGNATURE_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// `SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4]`, big endian
/// (signed-note §Signatures).
pub fn key_id(name: &str, signature_type: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', signature_type]);
    h.update(public_key);
    let digest = h.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Something that can check one signature line's signature over a note text.
///
/// A note signature is attributed to a verifier by its key name and key ID;
/// [`super::Note::verify`] calls `verify` only for matching lines.
pub trait NoteVerifier {
    /// The key name in signature lines.
    fn name(&self) -> &str;
    /// The 32-bit key ID in signature lines.
    fn key_id(&self) -> u32;
    /// Whether `signature` (the bytes after the key ID) is valid over `text`.
    fn verify(&self, text: &str, signature: &[u8]) -> bool;
}

/// A verifier key (vkey): `<name>+<hex(key ID)>+<base64(type ‖ public key)>`
/// (signed-note §Verifier keys), kept as data; convert it to a verifier of
/// the right role with [`Ed25519Verifier::from_vkey`] or
/// [`crate::cosignature::CosignatureVerifier::from_vkey`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    signature_type: u8,
    public_key: Vec<u8>,
}

impl VerifierKey {
    /// Parses a vkey. For the types this crate knows (`0x01`, `0x04`) the key
    /// ID must be the one derived from the name and key; the key ID of other
    /// types is taken as written.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::MalformedVerifierKey {
            vkey: quote(vkey),
            reason,
        };
        // Names and hex IDs hold no '+'; base64 may.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected <name>+<key ID>+<key>"));
        };
        check_key_name(name)?;
        let key_id = parse_key_id(id).ok_or(bad("key ID is not 8 lowercase hex digits"))?;
        let bytes = decode_base64(key).ok_or(bad("key is not valid base64"))?;
        let Some((&signature_type, public_key)) = bytes.split_first() else {
            return Err(bad("key is empty"));
        };
        let vkey = Self {
            name: name.to_owned(),
            key_id,
            signature_type,
            public_key: public_key.to_vec(),
        };
        if matches!(
            signature_type,
            SIGNATURE_TYPE_ED25519 | SIGNATURE_TYPE_COSIGNATURE_V1
        ) {
            vkey.check_key_id()?;
        }
        Ok(vkey)
    }

    /// A vkey from its parts, with the key ID derived from them.
    pub fn new(name: &str, signature_type: u8, public_key: &[u8]) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, signature_type, public_key),
            signature_type,
            public_key: public_key.to_vec(),
        })
    }

    /// A vkey from parts this crate has already validated (name checked, key
    /// ID derived).
    pub(crate) fn from_checked_parts(
        name: &str,
        key_id: u32,
        signature_type: u8,
        public_key: &[u8],
    ) -> Self {
        Self {
            name: name.to_owned(),
            key_id,
            signature_type,
            public_key: public_key.to_vec(),
        }
    }

    fn check_key_id(&self) -> Result<(), NoteError> {
        let computed = key_id(&self.name, self.signature_type, &self.public_key);
        if computed != self.key_id {
            return Err(NoteError::KeyIdMismatch {
                name: self.name.clone(),
                stated: self.key_id,
                computed,
            });
        }
        Ok(())
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature type byte.
    pub fn signature_type(&self) -> u8 {
        self.signature_type
    }

    /// The public key material (without the type byte).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The 32-byte Ed25519 public key of a `0x01` or `0x04` key.
    pub(crate) fn ed25519_key(
        &self,
        expected: u8,
        label: &'static str,
    ) -> Result<VerifyingKey, NoteError> {
        if self.signature_type != expected {
            return Err(NoteError::WrongSignatureType {
                name: self.name.clone(),
                found: self.signature_type,
                expected: label,
            });
        }
        self.check_key_id()?;
        let bytes: [u8; 32] =
            self.public_key
                .as_slice()
                .try_into()
                .map_err(|_| NoteError::InvalidKeyMaterial {
                    name: self.name.clone(),
                    reason: "an Ed25519 public key is 32 bytes",
                })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| NoteError::InvalidKeyMaterial {
            name: self.name.clone(),
            reason: "not a valid Ed25519 public key",
        })
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut bytes = Vec::with_capacity(1 + self.public_key.len());
        bytes.push(self.signature_type);
        bytes.extend_from_slice(&self.public_key);
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            encode_base64(&bytes)
        )
    }
}

impl std::str::FromStr for VerifierKey {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Exactly eight lowercase hex digits ("fixed length lowercase Base 16").
fn parse_key_id(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// A signer key: `PRIVATE+KEY+<name>+<hex(key ID)>+<base64(type ‖ seed)>`.
///
/// Its `Debug` output shows only the name and key ID; the seed is wiped from
/// memory when dropped.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    key_id: u32,
    signature_type: u8,
    seed: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .field("signature_type", &self.signature_type)
            .finish_non_exhaustive()
    }
}

impl SignerKey {
    const PREFIX: &'static str = "PRIVATE+KEY+";

    /// Parses a signer key of type `0x01` (Ed25519) or `0x04` (cosignature/v1)
    /// holding a 32-byte Ed25519 seed; the key ID must match the public key.
    pub fn parse(skey: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::MalformedSignerKey { reason };
        let rest = skey
            .strip_prefix(Self::PREFIX)
            .ok_or(bad("does not start with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected name, key ID and key separated by '+'"));
        };
        check_key_name(name)?;
        let key_id = parse_key_id(id).ok_or(bad("key ID is not 8 lowercase hex digits"))?;
        let bytes = Zeroizing::new(decode_base64(key).ok_or(bad("key is not valid base64"))?);
        let Some((&signature_type, seed)) = bytes.split_first() else {
            return Err(bad("key is empty"));
        };
        if !matches!(
            signature_type,
            SIGNATURE_TYPE_ED25519 | SIGNATURE_TYPE_COSIGNATURE_V1
        ) {
            return Err(bad(
                "signature type is neither 0x01 (Ed25519) nor 0x04 (cosignature/v1)",
            ));
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| bad("an Ed25519 seed is 32 bytes"))?;
        let key = Self::from_seed(name, signature_type, &seed)?;
        if key.key_id != key_id {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                stated: key_id,
                computed: key.key_id,
            });
        }
        Ok(key)
    }

    /// A signer key from a 32-byte Ed25519 seed (from a CSPRNG).
    pub fn from_seed(name: &str, signature_type: u8, seed: &[u8; 32]) -> Result<Self, NoteError> {
        check_key_name(name)?;
        let public = SigningKey::from_bytes(seed).verifying_key();
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, signature_type, public.as_bytes()),
            signature_type,
            seed: Zeroizing::new(*seed),
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature type byte.
    pub fn signature_type(&self) -> u8 {
        self.signature_type
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        let public = self.signing_key().verifying_key();
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            signature_type: self.signature_type,
            public_key: public.as_bytes().to_vec(),
        }
    }

    /// The encoded private key, for writing to a key file. Handle with care:
    /// the returned string is wiped when dropped.
    pub fn to_private_string(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(33));
        bytes.push(self.signature_type);
        bytes.extend_from_slice(self.seed.as_ref());
        Zeroizing::new(format!(
            "{}{}+{:08x}+{}",
            Self::PREFIX,
            self.name,
            self.key_id,
            encode_base64(&bytes)
        ))
    }

    pub(crate) fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.seed)
    }
}

/// Verifies Ed25519 note signatures (type `0x01`), e.g. a log's signature on
/// its checkpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ed25519Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// A verifier for `name` and an Ed25519 public key.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, SIGNATURE_TYPE_ED25519, key.as_bytes()),
            key,
        })
    }

    /// A verifier from a vkey, which must be of type `0x01`.
    pub fn from_vkey(vkey: &VerifierKey) -> Result<Self, NoteError> {
        let key = vkey.ed25519_key(SIGNATURE_TYPE_ED25519, "0x01 (Ed25519)")?;
        Self::new(vkey.name(), key)
    }

    /// The vkey of this verifier.
    pub fn to_vkey(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            signature_type: SIGNATURE_TYPE_ED25519,
            public_key: self.key.as_bytes().to_vec(),
        }
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }
}

impl NoteVerifier for Ed25519Verifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        // Strict: rejects non-canonical encodings and small-order keys.
        self.key.verify_strict(text.as_bytes(), &signature).is_ok()
    }
}

/// Signs notes with Ed25519 (type `0x01`).
#[derive(Clone)]
pub struct Ed25519Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Signer")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl Ed25519Signer {
    /// A signer for `name` from a 32-byte seed (from a CSPRNG).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        Self::from_signer_key(&SignerKey::from_seed(name, SIGNATURE_TYPE_ED25519, seed)?)
    }

    /// A signer from a signer key, which must be of type `0x01`.
    pub fn from_signer_key(key: &SignerKey) -> Result<Self, NoteError> {
        if key.signature_type != SIGNATURE_TYPE_ED25519 {
            return Err(NoteError::WrongSignatureType {
                name: key.name.clone(),
                found: key.signature_type,
                expected: "0x01 (Ed25519)",
            });
        }
        Ok(Self {
            name: key.name.clone(),
            key_id: key.key_id,
            key: key.signing_key(),
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Ed25519Verifier {
        Ed25519Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs a note text (already validated by [`super::Note::new`]).
    pub fn sign(&self, text: &str) -> NoteSignature {
        let signature = self.key.sign(text.as_bytes());
        NoteSignature::from_parts(&self.name, self.key_id, signature.to_bytes().to_vec())
    }
}
