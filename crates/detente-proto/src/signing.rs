//! Domain-separated Ed25519 signatures (RFC 8032), and the signed-document
//! wrapper shared by envelopes, cards and receipts.
//!
//! Every signature is over `"detente/v1/<domain>\n" ‖ jcs_bytes`, so a
//! signature made for one kind of document can never be replayed as another.
//! Verification uses `verify_strict` (no small-order keys, canonical `S`).
//!
//! A signed document travels as the RFC 8785 canonical JSON object
//! `{"<domain>": <document>, "key_id": "<16 hex>", "signature": "<base64>"}`.
//! Parsing keeps the exact bytes: the signature is checked over the exact
//! sub-slice that was received, never over a re-serialisation.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::canonical::{ensure_canonical, to_canonical_bytes};
use crate::ids::{Fingerprint, KeyId, PartyCode};
use crate::limits::Limits;
use crate::{ProtoError, SignatureError};

/// What a signature is for. Each has its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A message envelope.
    Envelope,
    /// A delivery receipt.
    Receipt,
    /// A party card.
    Card,
    /// A party's link from one of its cards to the next, signed by the
    /// earlier card's key.
    CardLink,
    /// A party's signature on an agreement.
    Agreement,
    /// A party's signature on a guarantee.
    Guarantee,
    /// A party's signature on a pledge (the host's, publishing it, or a
    /// signatory's).
    Pledge,
}

impl Domain {
    /// The member name of the document inside its signed wrapper.
    pub fn field(&self) -> &'static str {
        match self {
            Domain::Envelope => "envelope",
            Domain::Receipt => "receipt",
            Domain::Card => "card",
            Domain::CardLink => "card_link",
            Domain::Agreement => "agreement",
            Domain::Guarantee => "guarantee",
            Domain::Pledge => "pledge",
        }
    }

    fn prefix(&self) -> &'static [u8] {
        match self {
            Domain::Envelope => b"detente/v1/envelope\n",
            Domain::Receipt => b"detente/v1/receipt\n",
            Domain::Card => b"detente/v1/card\n",
            Domain::CardLink => b"detente/v1/card-link\n",
            Domain::Agreement => b"detente/v1/agreement\n",
            Domain::Guarantee => b"detente/v1/guarantee\n",
            Domain::Pledge => b"detente/v1/pledge\n",
        }
    }

    fn message(&self, jcs: &[u8]) -> Vec<u8> {
        let mut message = Vec::with_capacity(self.prefix().len() + jcs.len());
        message.extend_from_slice(self.prefix());
        message.extend_from_slice(jcs);
        message
    }
}

/// A party's Ed25519 signing key. Never printed, logged or serialised
/// except to its 0600 key file.
pub struct PartySigningKey(SigningKey);

impl std::fmt::Debug for PartySigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PartySigningKey({})", self.key_id())
    }
}

impl PartySigningKey {
    /// A fresh random key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        Self(SigningKey::generate(rng))
    }

    /// From the 32-byte seed stored in the key file.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The 32-byte seed, for the key file only.
    pub fn to_seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half.
    pub fn verifying_key(&self) -> PartyVerifyingKey {
        PartyVerifyingKey(self.0.verifying_key())
    }

    /// The key id of the public half.
    pub fn key_id(&self) -> KeyId {
        self.verifying_key().key_id()
    }

    /// Signs `jcs` (already canonical) for `domain`.
    pub fn sign(&self, domain: Domain, jcs: &[u8]) -> [u8; 64] {
        self.0.sign(&domain.message(jcs)).to_bytes()
    }

    /// Signs a document and wraps it: the canonical bytes of
    /// `{"<domain>": document, "key_id", "signature"}`.
    pub fn sign_document(&self, domain: Domain, document: &serde_json::Value) -> Vec<u8> {
        let jcs = to_canonical_bytes(document);
        let signature = self.sign(domain, &jcs);
        let mut wrapper = serde_json::Map::new();
        wrapper.insert(domain.field().to_owned(), document.clone());
        wrapper.insert("key_id".into(), self.key_id().as_str().into());
        wrapper.insert("signature".into(), BASE64.encode(signature).into());
        to_canonical_bytes(&wrapper)
    }
}

/// A party's Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyVerifyingKey(VerifyingKey);

impl PartyVerifyingKey {
    /// From 32 bytes; refuses bytes that are not a curve point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, String> {
        VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| "not a valid Ed25519 public key".to_owned())
    }

    /// From base64 of 32 bytes; `field` names it in the error.
    pub fn from_base64(field: &str, text: &str) -> Result<Self, ProtoError> {
        let bytes = decode_fixed::<32>(field, text)?;
        Self::from_bytes(&bytes).map_err(|problem| ProtoError::field(field, problem))
    }

    /// The 32 raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Base64 of the 32 raw bytes.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.to_bytes())
    }

    /// The key id.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.0.to_bytes())
    }

    /// The fingerprint people compare out of band.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.0.to_bytes())
    }

    /// Verifies a domain-separated signature with `verify_strict`.
    pub fn verify(
        &self,
        domain: Domain,
        jcs: &[u8],
        signature: &[u8; 64],
        party: &PartyCode,
    ) -> Result<(), SignatureError> {
        let signature = Signature::from_bytes(signature);
        self.0
            .verify_strict(&domain.message(jcs), &signature)
            .map_err(|_| SignatureError::Invalid {
                what: domain.field(),
                party: party.to_string(),
                key_id: self.key_id().to_string(),
            })
    }
}

/// A signed document as received: exact bytes, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedParts {
    /// The whole wrapper, exactly as received (canonical).
    pub bytes: Vec<u8>,
    /// The document's exact canonical bytes (a sub-slice of `bytes`).
    pub document_bytes: Vec<u8>,
    /// The document, parsed.
    pub document: serde_json::Value,
    /// The key id the signer named.
    pub key_id: KeyId,
    /// The signature.
    pub signature: [u8; 64],
    domain: Domain,
}

impl SignedParts {
    /// Reads a signed wrapper: checks size, canonical form and bounds, and
    /// splits it into its parts. Does NOT verify the signature.
    pub fn parse(domain: Domain, bytes: &[u8], limits: &Limits) -> Result<Self, ProtoError> {
        let what = domain.field();
        limits.check_size(what, bytes.len())?;
        let whole = ensure_canonical(what, bytes)?;
        // Paths are named from the wrapper down: `envelope.body.…`.
        limits.check_tree("", &whole)?;
        let raw: BTreeMap<&str, &RawValue> =
            serde_json::from_slice(bytes).map_err(|error| ProtoError::MalformedJson {
                what,
                detail: format!("expected {{\"{what}\", \"key_id\", \"signature\"}}: {error}"),
            })?;
        for name in raw.keys() {
            if ![what, "key_id", "signature"].contains(name) {
                return Err(ProtoError::field(
                    format!("signed {what}.{name}"),
                    "unknown member; a signed document has only the document, key_id and signature",
                ));
            }
        }
        let member = |name: &str| {
            raw.get(name)
                .copied()
                .ok_or_else(|| ProtoError::field(format!("signed {what}.{name}"), "missing"))
        };
        let document_bytes = member(what)?.get().as_bytes().to_vec();
        let document = whole.get(what).cloned().unwrap_or_default();
        if !document.is_object() {
            return Err(ProtoError::field(what, "must be a JSON object"));
        }
        let key_id_text: String = serde_json::from_str(member("key_id")?.get())
            .map_err(|_| ProtoError::field(format!("{what}.key_id"), "must be a string"))?;
        let key_id = key_id_text
            .parse()
            .map_err(|problem: String| ProtoError::field(format!("{what}.key_id"), problem))?;
        let signature_text: String = serde_json::from_str(member("signature")?.get())
            .map_err(|_| SignatureError::Malformed { what })?;
        let signature = BASE64
            .decode(signature_text)
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
            .ok_or(SignatureError::Malformed { what })?;
        Ok(Self {
            bytes: bytes.to_vec(),
            document_bytes,
            document,
            key_id,
            signature,
            domain,
        })
    }

    /// [`SignedParts::parse`] with a size bound of `max_bytes`, and the
    /// document decoded as `T`, a failure naming the field from the
    /// domain's member down (`card.endpoint`, `receipt.log.entry`). Does
    /// NOT verify the signature.
    pub fn parse_as<T: serde::de::DeserializeOwned>(
        domain: Domain,
        bytes: &[u8],
        max_bytes: usize,
    ) -> Result<(Self, T), ProtoError> {
        let limits = Limits {
            max_envelope_bytes: max_bytes,
            ..Limits::default()
        };
        let parts = Self::parse(domain, bytes, &limits)?;
        let document = serde_path_to_error::deserialize(parts.document.clone()).map_err(|e| {
            ProtoError::field(
                crate::error::field_path(domain.field(), e.path()),
                e.inner().to_string(),
            )
        })?;
        Ok((parts, document))
    }

    /// Verifies the signature with `party`'s `key`.
    pub fn verify(&self, key: &PartyVerifyingKey, party: &PartyCode) -> Result<(), SignatureError> {
        let expected = key.key_id();
        if self.key_id != expected {
            return Err(SignatureError::WrongKey {
                what: self.domain.field(),
                claimed: self.key_id.to_string(),
                expected: expected.to_string(),
                party: party.to_string(),
            });
        }
        key.verify(self.domain, &self.document_bytes, &self.signature, party)
    }
}

/// Decodes base64 of exactly `N` bytes; `field` names it in the error.
pub fn decode_fixed<const N: usize>(field: &str, text: &str) -> Result<[u8; N], ProtoError> {
    BASE64
        .decode(text)
        .ok()
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .ok_or_else(|| ProtoError::field(field, format!("must be base64 of exactly {N} bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn party() -> PartyCode {
        "RU".parse().expect("party")
    }

    #[test]
    fn signed_document_round_trip() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let bytes = key.sign_document(Domain::Receipt, &json!({"b": 2, "a": "x"}));
        let parts = SignedParts::parse(Domain::Receipt, &bytes, &Limits::default()).expect("parse");
        assert_eq!(parts.document_bytes, br#"{"a":"x","b":2}"#);
        parts
            .verify(&key.verifying_key(), &party())
            .expect("verifies");
    }

    #[test]
    fn domain_separation_refuses_cross_use() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let card = key.sign_document(Domain::Card, &json!({"a": 1}));
        // Re-label the card as an envelope: same key, same document bytes.
        let relabelled = String::from_utf8(card)
            .expect("utf8")
            .replace("\"card\"", "\"envelope\"");
        let parts = SignedParts::parse(Domain::Envelope, relabelled.as_bytes(), &Limits::default())
            .expect("parse");
        assert!(matches!(
            parts.verify(&key.verifying_key(), &party()),
            Err(SignatureError::Invalid {
                what: "envelope",
                ..
            })
        ));
    }

    #[test]
    fn another_key_is_named_in_the_error() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let other = PartySigningKey::generate(&mut rand::thread_rng());
        let bytes = key.sign_document(Domain::Envelope, &json!({"a": 1}));
        let parts =
            SignedParts::parse(Domain::Envelope, &bytes, &Limits::default()).expect("parse");
        let err = parts.verify(&other.verifying_key(), &party()).unwrap_err();
        assert!(matches!(err, SignatureError::WrongKey { .. }), "{err}");
    }

    #[test]
    fn extra_members_are_refused() {
        let bytes = br#"{"envelope":{},"extra":1,"key_id":"0011223344556677","signature":"AA=="}"#;
        let err = SignedParts::parse(Domain::Envelope, bytes, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("extra"), "{err}");
    }
}
