//! Co-signed documents: agreements, guarantees and pledges (docs/protocol.md,
//! "Co-signed documents" and "Signed documents").
//!
//! Each signer signs the document's exact RFC 8785 canonical bytes under
//! the document's own domain prefix (`"detente/v1/<domain>\n"`), in the
//! common wrapper `{"<domain>", "key_id", "signature"}`. The rules shared
//! by every such document live here, once:
//!
//! - one document, one byte form: a signed document whose bytes are not
//!   exactly what [`CosignedDocument::to_canonical_bytes`] writes for it
//!   (say, with an empty list or a `null` the canonical form leaves out)
//!   is refused, so that a countersignature made from the parsed document
//!   signs the same bytes;
//! - only a party the document lets sign may sign it
//!   ([`CosignedDocument::may_sign`]);
//! - signatures gathered on one proposal must all be over the proposed
//!   bytes ([`Signatures::add`]; otherwise `DifferentBytes`), and the
//!   document is complete when every required signer has signed them
//!   ([`Signatures::complete`]).
//!
//! Each document type words these refusals in its own error type
//! ([`CosignedDocument::Error`], built from a [`CosignError`]).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ids::PartyCode;
use crate::limits::Limits;
use crate::signing::{Domain, PartySigningKey, PartyVerifyingKey, SignedParts};

/// A document that parties sign, each over its exact canonical bytes.
pub trait CosignedDocument: Sized + Clone + Serialize {
    /// The signing domain, which also names the document's member in the
    /// signed wrapper.
    const DOMAIN: Domain;
    /// The largest signed document read, in bytes.
    const MAX_SIGNED_BYTES: usize;
    /// How this document words a refusal.
    type Error: From<CosignError>;

    /// Reads the document from its JSON form and checks every rule.
    fn from_document(value: serde_json::Value) -> Result<Self, Self::Error>;

    /// The bytes each signer signs: RFC 8785 canonical JSON.
    fn to_canonical_bytes(&self) -> Vec<u8>;

    /// How people and errors name it (`ru-us-ict-incidents@1`,
    /// `ru-us-elections-2026`, `UN/no-first-use`).
    fn reference(&self) -> String;

    /// Who must sign the same bytes for the document to be complete, in
    /// the document's order.
    fn required_signers(&self) -> Vec<PartyCode>;

    /// Whether `party` may sign it at all.
    fn may_sign(&self, party: &PartyCode) -> bool;
}

/// A refusal common to every co-signed document, before the document's
/// own error type words it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CosignError {
    /// The signed bytes do not hold a document of this type in its one
    /// canonical form.
    Document(String),
    /// A party the document does not let sign.
    NotASigner {
        /// [`CosignedDocument::reference`].
        document: String,
        /// Who signed, or tried to.
        signer: PartyCode,
        /// Who must sign it ([`CosignedDocument::required_signers`]).
        signers: Vec<PartyCode>,
    },
    /// A signature over other bytes than the proposal's.
    DifferentBytes {
        /// [`CosignedDocument::reference`] of the proposal.
        document: String,
        /// Who signed.
        signer: PartyCode,
        /// SHA-256 (base64) of what they signed.
        found: String,
        /// SHA-256 (base64) of the proposal.
        proposed: String,
    },
    /// The signature does not verify.
    Signature(String),
}

/// One party's verified signature on a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<D> {
    bytes: Vec<u8>,
    document_sha256: [u8; 32],
    document: D,
    signer: PartyCode,
}

impl<D: CosignedDocument> Signed<D> {
    /// `party` signs `document` with `key`; the document must keep every
    /// rule and let `party` sign.
    pub fn sign(document: &D, party: &PartyCode, key: &PartySigningKey) -> Result<Self, D::Error> {
        let value =
            serde_json::to_value(document).map_err(|e| CosignError::Document(e.to_string()))?;
        let checked = D::from_document(value.clone())?;
        if !checked.may_sign(party) {
            return Err(CosignError::NotASigner {
                document: checked.reference(),
                signer: party.clone(),
                signers: checked.required_signers(),
            }
            .into());
        }
        let bytes = key.sign_document(D::DOMAIN, &value);
        Self::verify(&bytes, party, &key.verifying_key())
    }

    /// Reads `party`'s signed document and verifies it with `key`: the
    /// bytes are canonical, the document keeps every rule and is in its
    /// one canonical form, `party` may sign it and the signature is theirs.
    pub fn verify(
        bytes: &[u8],
        party: &PartyCode,
        key: &PartyVerifyingKey,
    ) -> Result<Self, D::Error> {
        let limits = Limits {
            max_envelope_bytes: D::MAX_SIGNED_BYTES,
            ..Limits::default()
        };
        let parts = SignedParts::parse(D::DOMAIN, bytes, &limits)
            .map_err(|e| CosignError::Document(e.to_string()))?;
        let document = D::from_document(parts.document.clone())?;
        // One document, one byte form: members a serialiser would leave
        // out (`"deadlines":[]`, `"expires":null`) are refused, so that a
        // countersignature made from the parsed document signs these bytes.
        if parts.document_bytes != document.to_canonical_bytes() {
            return Err(CosignError::Document(format!(
                "the {} is not in its one canonical form (empty lists and nulls are left out); sign the document detente writes",
                D::DOMAIN.field()
            ))
            .into());
        }
        if !document.may_sign(party) {
            return Err(CosignError::NotASigner {
                document: document.reference(),
                signer: party.clone(),
                signers: document.required_signers(),
            }
            .into());
        }
        parts
            .verify(key, party)
            .map_err(|e| CosignError::Signature(e.to_string()))?;
        Ok(Self {
            bytes: bytes.to_vec(),
            document_sha256: Sha256::digest(&parts.document_bytes).into(),
            document,
            signer: party.clone(),
        })
    }

    /// The exact signed bytes (the whole wrapper).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The document.
    pub fn document(&self) -> &D {
        &self.document
    }

    /// Who signed.
    pub fn signer(&self) -> &PartyCode {
        &self.signer
    }

    /// SHA-256 of the document's canonical bytes: what was signed, the
    /// same for every signer of the same text.
    pub fn document_sha256(&self) -> [u8; 32] {
        self.document_sha256
    }
}

/// The signatures gathered on one proposed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures<D> {
    proposal: Signed<D>,
    required: Vec<PartyCode>,
    by: BTreeMap<PartyCode, Signed<D>>,
}

impl<D: CosignedDocument> Signatures<D> {
    /// Starts from the proposer's signature.
    pub fn proposed(proposal: Signed<D>) -> Self {
        let required = proposal.document.required_signers();
        let mut by = BTreeMap::new();
        by.insert(proposal.signer.clone(), proposal.clone());
        Self {
            proposal,
            required,
            by,
        }
    }

    /// Adds a countersignature: it must be over exactly the proposed bytes.
    /// Signing twice with the same bytes changes nothing.
    pub fn add(&mut self, signature: Signed<D>) -> Result<(), D::Error> {
        if signature.document_sha256 != self.proposal.document_sha256 {
            return Err(CosignError::DifferentBytes {
                document: self.proposal.document.reference(),
                signer: signature.signer.clone(),
                found: BASE64.encode(signature.document_sha256),
                proposed: BASE64.encode(self.proposal.document_sha256),
            }
            .into());
        }
        self.by.insert(signature.signer.clone(), signature);
        Ok(())
    }

    /// The document proposed.
    pub fn document(&self) -> &D {
        &self.proposal.document
    }

    /// The proposer's signature.
    pub fn proposal(&self) -> &Signed<D> {
        &self.proposal
    }

    /// The parties that have signed, by code.
    pub fn signed_by(&self) -> impl Iterator<Item = &PartyCode> {
        self.by.keys()
    }

    /// `party`'s signature, if they have signed.
    pub fn signature_of(&self, party: &PartyCode) -> Option<&Signed<D>> {
        self.by.get(party)
    }

    /// The required signers that have yet to sign, in the document's order.
    pub fn missing(&self) -> Vec<&PartyCode> {
        self.required
            .iter()
            .filter(|p| !self.by.contains_key(*p))
            .collect()
    }

    /// Whether every required signer has signed the same bytes.
    pub fn complete(&self) -> bool {
        self.missing().is_empty()
    }

    /// Each party's signed bytes, by party.
    pub fn signatures(&self) -> impl Iterator<Item = &Signed<D>> {
        self.by.values()
    }
}
