//! Signatures on an agreement. Each party signs the agreement's canonical
//! bytes under the domain prefix `"detente/v1/agreement\n"`, in the same
//! wrapper as every signed document: `{"agreement", "key_id",
//! "signature"}`. An agreement is in force only when every party it names
//! has signed the SAME bytes ([`Signatures::complete`]); a countersignature
//! over other bytes is refused ([`AgreementError::DifferentBytes`]).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::{Agreement, AgreementError};
use crate::ids::PartyCode;
use crate::limits::Limits;
use crate::signing::{Domain, PartySigningKey, PartyVerifyingKey, SignedParts};

/// The largest signed agreement read.
pub const MAX_SIGNED_AGREEMENT_BYTES: usize = 256 * 1024;

/// One party's verified signature on an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAgreement {
    bytes: Vec<u8>,
    document_sha256: [u8; 32],
    agreement: Agreement,
    signer: PartyCode,
}

impl Agreement {
    /// `party` signs the agreement; it must be one of its parties.
    pub fn sign(
        &self,
        party: &PartyCode,
        key: &PartySigningKey,
    ) -> Result<SignedAgreement, AgreementError> {
        self.check()?;
        if !self.parties.contains(party) {
            return Err(AgreementError::NotAParty {
                agreement: self.reference().to_string(),
                signer: party.to_string(),
            });
        }
        let value =
            serde_json::to_value(self).map_err(|e| AgreementError::Document(e.to_string()))?;
        let bytes = key.sign_document(Domain::Agreement, &value);
        SignedAgreement::verify(&bytes, party, &key.verifying_key())
    }
}

impl SignedAgreement {
    /// Reads `party`'s signed agreement and verifies it with `key`: the
    /// bytes are canonical, the agreement keeps every rule, `party` is one
    /// of its parties and the signature is theirs.
    pub fn verify(
        bytes: &[u8],
        party: &PartyCode,
        key: &PartyVerifyingKey,
    ) -> Result<Self, AgreementError> {
        let limits = Limits {
            max_envelope_bytes: MAX_SIGNED_AGREEMENT_BYTES,
            ..Limits::default()
        };
        let parts = SignedParts::parse(Domain::Agreement, bytes, &limits)
            .map_err(|e| AgreementError::Document(e.to_string()))?;
        let agreement = Agreement::from_document(parts.document.clone())?;
        // One agreement, one byte form: members a serialiser would leave
        // out (`"deadlines":[]`, `"reply_ms":null`) are refused, so that a
        // countersignature made from the parsed document signs these bytes.
        if parts.document_bytes != agreement.to_canonical_bytes() {
            return Err(AgreementError::Document(
                "the agreement is not in its one canonical form (empty lists and nulls are left out); sign the document detente writes".into(),
            ));
        }
        if !agreement.parties.contains(party) {
            return Err(AgreementError::NotAParty {
                agreement: agreement.reference().to_string(),
                signer: party.to_string(),
            });
        }
        parts
            .verify(key, party)
            .map_err(|e| AgreementError::Signature(e.to_string()))?;
        Ok(Self {
            bytes: bytes.to_vec(),
            document_sha256: Sha256::digest(&parts.document_bytes).into(),
            agreement,
            signer: party.clone(),
        })
    }

    /// The exact signed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The agreement.
    pub fn agreement(&self) -> &Agreement {
        &self.agreement
    }

    /// Who signed.
    pub fn signer(&self) -> &PartyCode {
        &self.signer
    }

    /// SHA-256 of the agreement's canonical bytes: what was signed.
    pub fn document_sha256(&self) -> [u8; 32] {
        self.document_sha256
    }
}

/// The signatures gathered on one proposed agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures {
    proposal: SignedAgreement,
    by: BTreeMap<PartyCode, SignedAgreement>,
}

impl Signatures {
    /// Starts from the proposer's signature.
    pub fn proposed(proposal: SignedAgreement) -> Self {
        let mut by = BTreeMap::new();
        by.insert(proposal.signer.clone(), proposal.clone());
        Self { proposal, by }
    }

    /// Adds a countersignature: it must be over exactly the proposed bytes.
    /// Signing twice with the same bytes changes nothing.
    pub fn add(&mut self, signature: SignedAgreement) -> Result<(), AgreementError> {
        if signature.document_sha256 != self.proposal.document_sha256 {
            return Err(AgreementError::DifferentBytes {
                agreement: self.proposal.agreement.reference().to_string(),
                signer: signature.signer.to_string(),
                found: BASE64.encode(signature.document_sha256),
                proposed: BASE64.encode(self.proposal.document_sha256),
            });
        }
        self.by.insert(signature.signer.clone(), signature);
        Ok(())
    }

    /// The agreement proposed.
    pub fn agreement(&self) -> &Agreement {
        &self.proposal.agreement
    }

    /// The parties that have signed, by code.
    pub fn signed_by(&self) -> impl Iterator<Item = &PartyCode> {
        self.by.keys()
    }

    /// The parties that have yet to sign.
    pub fn missing(&self) -> Vec<&PartyCode> {
        self.agreement()
            .parties
            .iter()
            .filter(|p| !self.by.contains_key(*p))
            .collect()
    }

    /// Whether every party has signed the same bytes: the agreement is in force.
    pub fn complete(&self) -> bool {
        self.missing().is_empty()
    }

    /// Each party's signed bytes, by party.
    pub fn signatures(&self) -> impl Iterator<Item = &SignedAgreement> {
        self.by.values()
    }
}
