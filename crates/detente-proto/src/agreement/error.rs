//! Why an agreement is refused. Every error names the rule it breaks.

use thiserror::Error;

/// An agreement that cannot be in force as written.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum AgreementError {
    /// Not TOML of the agreement's shape (a typo, a missing member, an
    /// unknown member).
    #[error("the agreement is not valid TOML of the agreement's shape: {0}")]
    Syntax(String),
    /// The canonical JSON form does not parse.
    #[error("the agreement document is not valid: {0}")]
    Document(String),
    /// A member with a bad value.
    #[error("{field}: {problem}")]
    Field {
        /// The member, e.g. `id`, `deadlines[2].acknowledge`.
        field: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// A tier name that is not one of technical, operational, policy, leadership.
    #[error("{field}: {name:?} is not a tier; use technical, operational, policy or leadership")]
    UnknownTier {
        /// Where it is named.
        field: String,
        /// The name.
        name: String,
    },
    /// A tier that exists but that the agreement does not put in use.
    #[error(
        "{field}: tier {tier} is not in use in this agreement; add [tiers.{tier}] or name a tier that is"
    )]
    TierNotInUse {
        /// Where it is named.
        field: String,
        /// The tier.
        tier: String,
    },
    /// A deadline of zero or less.
    #[error("{field}: a deadline must be longer than zero, not {value:?}")]
    NotPositive {
        /// The member.
        field: String,
        /// As written.
        value: String,
    },
    /// The escalation ladder loops.
    #[error(
        "escalation: the ladder loops ({path}); each step must lead up to a tier not yet on the way"
    )]
    LadderLoops {
        /// The tiers around the loop, `a → b → a`.
        path: String,
    },
    /// A countersignature over other bytes than the proposal's.
    #[error(
        "{signer}'s signature is over another text of agreement {agreement} than the one proposed (SHA-256 {found}, proposed {proposed}); sign exactly the proposed bytes"
    )]
    DifferentBytes {
        /// `<id>@<version>`.
        agreement: String,
        /// Who signed.
        signer: String,
        /// SHA-256 (base64) of what they signed.
        found: String,
        /// SHA-256 (base64) of the proposal.
        proposed: String,
    },
    /// A signature by a party the agreement does not name.
    #[error("{signer} is not a party to agreement {agreement}; only its parties sign it")]
    NotAParty {
        /// `<id>@<version>`.
        agreement: String,
        /// Who signed.
        signer: String,
    },
    /// The signature does not verify.
    #[error("{0}")]
    Signature(String),
    /// Two rules for the same thing.
    #[error("{field}: {what} is given twice")]
    Duplicate {
        /// The member.
        field: String,
        /// What is repeated.
        what: String,
    },
}

impl AgreementError {
    pub(crate) fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }
}
