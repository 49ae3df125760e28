//! Why a guarantee, a signature on it or a withdrawal is refused. Every
//! error names the member or rule it breaks and says what to do.

use thiserror::Error;

use crate::cosigned::CosignError;

/// A guarantee that cannot be signed, held or withdrawn as asked.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum GuaranteeError {
    /// Not TOML of the guarantee's shape (a typo, a missing member, an
    /// unknown member).
    #[error("the guarantee is not valid TOML of the guarantee's shape: {0}")]
    Syntax(String),
    /// The canonical JSON form does not parse, or is not in its one form.
    #[error("the guarantee document is not valid: {0}")]
    Document(String),
    /// A member with a bad value.
    #[error("{field}: {problem}")]
    Field {
        /// The member, e.g. `scope[1]`, `text.ar`, `notice`.
        field: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// A signature by a party that does not sign this guarantee.
    #[error("{signer} may not sign guarantee {guarantee}; it is signed by {signers} only")]
    NotASigner {
        /// The guarantee's id.
        guarantee: String,
        /// Who signed, or tried to.
        signer: String,
        /// Who signs it: the issuer, and for a reciprocal one the beneficiary.
        signers: String,
    },
    /// A countersignature over other bytes than the proposal's.
    #[error(
        "{signer}'s signature is over another text of guarantee {guarantee} than the one proposed (SHA-256 {found}, proposed {proposed}); sign exactly the proposed bytes"
    )]
    DifferentBytes {
        /// The guarantee's id.
        guarantee: String,
        /// Who signed.
        signer: String,
        /// SHA-256 (base64) of what they signed.
        found: String,
        /// SHA-256 (base64) of the proposal.
        proposed: String,
    },
    /// The signature does not verify.
    #[error("{0}")]
    Signature(String),
    /// A withdrawal by a party the guarantee does not bind.
    #[error("{by} may not withdraw guarantee {guarantee}: {why}; only {may} may withdraw it")]
    MayNotWithdraw {
        /// The guarantee's id.
        guarantee: String,
        /// Who tried.
        by: String,
        /// Why not.
        why: String,
        /// Who may: the parties it binds.
        may: String,
    },
}

impl GuaranteeError {
    pub(crate) fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl From<CosignError> for GuaranteeError {
    fn from(error: CosignError) -> Self {
        match error {
            CosignError::Document(problem) => GuaranteeError::Document(problem),
            CosignError::NotASigner {
                document,
                signer,
                signers,
            } => GuaranteeError::NotASigner {
                guarantee: document,
                signer: signer.to_string(),
                signers: super::join(&signers, " and "),
            },
            CosignError::DifferentBytes {
                document,
                signer,
                found,
                proposed,
            } => GuaranteeError::DifferentBytes {
                guarantee: document,
                signer: signer.to_string(),
                found,
                proposed,
            },
            CosignError::Signature(problem) => GuaranteeError::Signature(problem),
        }
    }
}
