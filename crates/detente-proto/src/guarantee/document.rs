//! The guarantee as signed: RFC 8785 canonical JSON of [`Guarantee`],
//! under the domain prefix `"detente/v1/guarantee\n"`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::GuaranteeError;
use crate::canonical;
use crate::cosigned::{self, CosignedDocument};
use crate::ids::{DocumentId, PartyCode, is_document_id};
use crate::language::check_texts;
use crate::signing::{Domain, PartySigningKey};
use crate::time::Timestamp;

/// The largest signed guarantee read.
pub const MAX_SIGNED_GUARANTEE_BYTES: usize = 256 * 1024;

/// The longest notice period: ten years, as for an agreement's durations.
pub const MAX_NOTICE_MS: u64 = 10 * 366 * 24 * 3_600_000;

/// One party's verified signature on a guarantee.
pub type SignedGuarantee = cosigned::Signed<Guarantee>;

/// The signatures gathered on one proposed guarantee.
pub type GuaranteeSignatures = cosigned::Signatures<Guarantee>;

/// A signed statement by one party (the issuer) to another (the
/// beneficiary), e.g. of non-interference in its elections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guarantee {
    /// Format version, 1.
    pub v: u8,
    /// Its id.
    pub id: DocumentId,
    /// Whether the beneficiary gives the same guarantee back: then both
    /// sign, both are bound, and neither is bound before the other signs.
    pub reciprocal: bool,
    /// Who gives it.
    pub issuer: PartyCode,
    /// To whom.
    pub beneficiary: PartyCode,
    /// Its text by BCP 47 language tag; signed exactly as written.
    pub text: BTreeMap<String, String>,
    /// What it covers: tags of `a-z`, `0-9`, `-`, in the order written.
    pub scope: Vec<String>,
    /// From when it binds (once concluded).
    pub effective_from: Timestamp,
    /// When it ends by itself; absent, it is open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// How long after a notice of withdrawal it still binds.
    pub notice_ms: u64,
}

impl Guarantee {
    /// The bytes the parties sign: RFC 8785 canonical JSON.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        canonical::to_canonical_bytes(self)
    }

    /// Reads a signed guarantee's document and checks every rule.
    pub fn from_document(value: serde_json::Value) -> Result<Self, GuaranteeError> {
        let guarantee: Guarantee = serde_path_to_error::deserialize(value).map_err(|e| {
            GuaranteeError::Document(format!(
                "{}: {}",
                crate::error::field_path("guarantee", e.path()),
                e.inner()
            ))
        })?;
        guarantee.check()?;
        Ok(guarantee)
    }

    /// `party` signs the guarantee: the issuer, or for a reciprocal one
    /// also the beneficiary.
    pub fn sign(
        &self,
        party: &PartyCode,
        key: &PartySigningKey,
    ) -> Result<SignedGuarantee, GuaranteeError> {
        SignedGuarantee::sign(self, party, key)
    }

    /// Who must sign the same bytes for it to be concluded: the issuer; for
    /// a reciprocal guarantee the issuer and the beneficiary.
    pub fn signers(&self) -> Vec<PartyCode> {
        if self.reciprocal {
            vec![self.issuer.clone(), self.beneficiary.clone()]
        } else {
            vec![self.issuer.clone()]
        }
    }

    /// Who it binds, and so who may withdraw it: the same parties as sign it.
    pub fn bound_parties(&self) -> Vec<PartyCode> {
        self.signers()
    }

    /// Checks every rule a guarantee must keep.
    pub fn check(&self) -> Result<(), GuaranteeError> {
        if self.v != 1 {
            return Err(GuaranteeError::field(
                "v",
                format!("is {}; this detente reads version 1", self.v),
            ));
        }
        if self.issuer == self.beneficiary {
            return Err(GuaranteeError::field(
                "beneficiary",
                format!(
                    "is the issuer, {}; a guarantee is given by one party to another",
                    self.issuer
                ),
            ));
        }
        check_texts("text", &self.text).map_err(|(f, p)| GuaranteeError::field(f, p))?;
        self.check_scope()?;
        if let Some(expires) = self.expires
            && expires <= self.effective_from
        {
            return Err(GuaranteeError::field(
                "expires",
                format!(
                    "{expires} is not after effective_from {}: the guarantee expires before it takes effect; set expires later, or leave it out for an open-ended guarantee",
                    self.effective_from
                ),
            ));
        }
        if self.notice_ms == 0 {
            return Err(GuaranteeError::field(
                "notice",
                "must be longer than zero: give the notice period a withdrawal takes, e.g. 90d",
            ));
        }
        if self.notice_ms > MAX_NOTICE_MS {
            return Err(GuaranteeError::field("notice", "may be at most ten years"));
        }
        Ok(())
    }

    fn check_scope(&self) -> Result<(), GuaranteeError> {
        if self.scope.is_empty() {
            return Err(GuaranteeError::field(
                "scope",
                "name at least one subject it covers, e.g. [\"elections\", \"internal-affairs\"]",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, tag) in self.scope.iter().enumerate() {
            if !is_document_id(tag) {
                return Err(GuaranteeError::field(
                    format!("scope[{i}]"),
                    format!(
                        "{tag:?} is not a scope tag; use 1 to 64 of a-z, 0-9 and '-', e.g. elections"
                    ),
                ));
            }
            if !seen.insert(tag) {
                return Err(GuaranteeError::field(
                    format!("scope[{i}]"),
                    format!("{tag:?} is given twice; name each subject once"),
                ));
            }
        }
        Ok(())
    }
}

impl CosignedDocument for Guarantee {
    const DOMAIN: Domain = Domain::Guarantee;
    const MAX_SIGNED_BYTES: usize = MAX_SIGNED_GUARANTEE_BYTES;
    type Error = GuaranteeError;

    fn from_document(value: serde_json::Value) -> Result<Self, GuaranteeError> {
        Guarantee::from_document(value)
    }

    fn to_canonical_bytes(&self) -> Vec<u8> {
        Guarantee::to_canonical_bytes(self)
    }

    /// The guarantee's id.
    fn reference(&self) -> String {
        self.id.to_string()
    }

    fn required_signers(&self) -> Vec<PartyCode> {
        self.signers()
    }

    fn may_sign(&self, party: &PartyCode) -> bool {
        self.signers().contains(party)
    }
}
