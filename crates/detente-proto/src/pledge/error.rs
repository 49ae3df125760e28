//! Why a pledge, a signature on it or a withdrawal from it is refused.
//! Every error names the member or rule it breaks and says what to do.

use thiserror::Error;

use crate::cosigned::CosignError;

/// A pledge that cannot be published, signed or left as asked.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum PledgeError {
    /// Not TOML of the pledge's shape (a typo, a missing member, an
    /// unknown member).
    #[error("the pledge is not valid TOML of the pledge's shape: {0}")]
    Syntax(String),
    /// The canonical JSON form does not parse, or is not in its one form.
    #[error("the pledge document is not valid: {0}")]
    Document(String),
    /// A member with a bad value.
    #[error("{field}: {problem}")]
    Field {
        /// The member, e.g. `title`, `text.ru`, `open_until`.
        field: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// A signature over other bytes than the host published.
    #[error(
        "{signer}'s signature is over another text of pledge {pledge} than the one its host published (SHA-256 {found}, published {proposed}); sign exactly the published bytes"
    )]
    DifferentBytes {
        /// `<host>/<id>`.
        pledge: String,
        /// Who signed.
        signer: String,
        /// SHA-256 (base64) of what they signed.
        found: String,
        /// SHA-256 (base64) of the published pledge.
        proposed: String,
    },
    /// The signature does not verify.
    #[error("{0}")]
    Signature(String),
    /// A signature before the pledge opened for signature.
    #[error(
        "the pledge {pledge} opens for signature at {open_from}; a signature made at {at} is refused: sign it from then on"
    )]
    NotYetOpen {
        /// `<host>/<id>`.
        pledge: String,
        /// When it opens.
        open_from: String,
        /// When the signature was made.
        at: String,
    },
    /// A signature after the pledge closed for signature.
    #[error(
        "the pledge {pledge} closed for signature at {open_until}; a signature made at {at} is refused"
    )]
    Closed {
        /// `<host>/<id>`.
        pledge: String,
        /// When it closed.
        open_until: String,
        /// When the signature was made.
        at: String,
    },
    /// A withdrawal by a party that is not a signatory.
    #[error(
        "{party} is not a signatory of pledge {pledge} at {at}; only a current signatory may withdraw"
    )]
    NotASignatory {
        /// `<host>/<id>`.
        pledge: String,
        /// Who tried.
        party: String,
        /// When.
        at: String,
    },
}

impl PledgeError {
    pub(crate) fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl From<CosignError> for PledgeError {
    fn from(error: CosignError) -> Self {
        match error {
            CosignError::Document(problem) => PledgeError::Document(problem),
            // Anyone may sign a pledge; kept for completeness.
            CosignError::NotASigner {
                document, signer, ..
            } => PledgeError::Document(format!("{signer} may not sign pledge {document}")),
            CosignError::DifferentBytes {
                document,
                signer,
                found,
                proposed,
            } => PledgeError::DifferentBytes {
                pledge: document,
                signer: signer.to_string(),
                found,
                proposed,
            },
            CosignError::Signature(problem) => PledgeError::Signature(problem),
        }
    }
}
