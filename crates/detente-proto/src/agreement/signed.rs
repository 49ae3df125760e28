//! Signatures on an agreement: the agreement as a [`CosignedDocument`].
//! Each party signs the agreement's canonical bytes under the domain
//! prefix `"detente/v1/agreement\n"`, in the same wrapper as every signed
//! document: `{"agreement", "key_id", "signature"}`. An agreement is in
//! force only when every party it names has signed the SAME bytes
//! ([`Signatures::complete`]); a countersignature over other bytes is
//! refused ([`AgreementError::DifferentBytes`]). The machinery is
//! [`crate::cosigned`]'s; this module words it for agreements.

use super::{Agreement, AgreementError};
use crate::cosigned::{self, CosignError, CosignedDocument};
use crate::ids::PartyCode;
use crate::signing::{Domain, PartySigningKey};

/// The largest signed agreement read.
pub const MAX_SIGNED_AGREEMENT_BYTES: usize = 256 * 1024;

/// One party's verified signature on an agreement.
pub type SignedAgreement = cosigned::Signed<Agreement>;

/// The signatures gathered on one proposed agreement.
pub type Signatures = cosigned::Signatures<Agreement>;

impl CosignedDocument for Agreement {
    const DOMAIN: Domain = Domain::Agreement;
    const MAX_SIGNED_BYTES: usize = MAX_SIGNED_AGREEMENT_BYTES;
    type Error = AgreementError;

    fn from_document(value: serde_json::Value) -> Result<Self, AgreementError> {
        Agreement::from_document(value)
    }

    fn to_canonical_bytes(&self) -> Vec<u8> {
        Agreement::to_canonical_bytes(self)
    }

    /// `<id>@<version>` (the inherent `Agreement::reference` gives it typed).
    fn reference(&self) -> String {
        Agreement::reference(self).to_string()
    }

    fn required_signers(&self) -> Vec<PartyCode> {
        self.parties.clone()
    }

    fn may_sign(&self, party: &PartyCode) -> bool {
        self.parties.contains(party)
    }
}

impl From<CosignError> for AgreementError {
    fn from(error: CosignError) -> Self {
        match error {
            CosignError::Document(problem) => AgreementError::Document(problem),
            CosignError::NotASigner {
                document, signer, ..
            } => AgreementError::NotAParty {
                agreement: document,
                signer: signer.to_string(),
            },
            CosignError::DifferentBytes {
                document,
                signer,
                found,
                proposed,
            } => AgreementError::DifferentBytes {
                agreement: document,
                signer: signer.to_string(),
                found,
                proposed,
            },
            CosignError::Signature(problem) => AgreementError::Signature(problem),
        }
    }
}

impl Agreement {
    /// `party` signs the agreement; it must be one of its parties.
    pub fn sign(
        &self,
        party: &PartyCode,
        key: &PartySigningKey,
    ) -> Result<SignedAgreement, AgreementError> {
        SignedAgreement::sign(self, party, key)
    }
}

impl SignedAgreement {
    /// The agreement.
    pub fn agreement(&self) -> &Agreement {
        self.document()
    }
}

impl Signatures {
    /// The agreement proposed.
    pub fn agreement(&self) -> &Agreement {
        self.document()
    }
}
