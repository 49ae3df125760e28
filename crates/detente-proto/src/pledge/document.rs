//! The pledge as signed: RFC 8785 canonical JSON of [`Pledge`], under the
//! domain prefix `"detente/v1/pledge\n"`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{PledgeError, PledgeRef};
use crate::canonical;
use crate::cosigned::{self, CosignedDocument};
use crate::ids::{DocumentId, PartyCode};
use crate::language::check_texts;
use crate::signing::{Domain, PartySigningKey};
use crate::time::Timestamp;

/// The largest signed pledge read.
pub const MAX_SIGNED_PLEDGE_BYTES: usize = 256 * 1024;

/// One party's verified signature on a pledge: the host's, publishing it,
/// or a signatory's.
pub type SignedPledge = cosigned::Signed<Pledge>;

/// The signatures gathered on one published pledge: complete once the
/// host has signed; every other signature must be over the same bytes.
pub type PledgeSignatures = cosigned::Signatures<Pledge>;

/// A multilateral commitment open for signature (e.g. no first use of ICT
/// against each other), published by its host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pledge {
    /// Format version, 1.
    pub v: u8,
    /// Unique at its host.
    pub id: DocumentId,
    /// The party that publishes it and keeps its signatory list.
    pub host: PartyCode,
    /// Its title, in any script; 1 to 256 characters.
    pub title: String,
    /// Its text by BCP 47 language tag; signed exactly as written.
    pub text: BTreeMap<String, String>,
    /// From when it may be signed (inclusive).
    pub open_from: Timestamp,
    /// Until when it may be signed (exclusive).
    pub open_until: Timestamp,
}

impl Pledge {
    /// `<host>/<id>`.
    pub fn reference(&self) -> PledgeRef {
        PledgeRef {
            host: self.host.clone(),
            id: self.id.clone(),
        }
    }

    /// The bytes the host and every signatory sign: RFC 8785 canonical JSON.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        canonical::to_canonical_bytes(self)
    }

    /// Reads a signed pledge's document and checks every rule.
    pub fn from_document(value: serde_json::Value) -> Result<Self, PledgeError> {
        let pledge: Pledge = serde_path_to_error::deserialize(value).map_err(|e| {
            PledgeError::Document(format!(
                "{}: {}",
                crate::error::field_path("pledge", e.path()),
                e.inner()
            ))
        })?;
        pledge.check()?;
        Ok(pledge)
    }

    /// `party` signs the pledge: the host to publish it, anyone to join it.
    pub fn sign(
        &self,
        party: &PartyCode,
        key: &PartySigningKey,
    ) -> Result<SignedPledge, PledgeError> {
        SignedPledge::sign(self, party, key)
    }

    /// Checks every rule a pledge must keep.
    pub fn check(&self) -> Result<(), PledgeError> {
        if self.v != 1 {
            return Err(PledgeError::field(
                "v",
                format!("is {}; this detente reads version 1", self.v),
            ));
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 256 {
            return Err(PledgeError::field("title", "must be 1 to 256 characters"));
        }
        check_texts("text", &self.text).map_err(|(f, p)| PledgeError::field(f, p))?;
        if self.open_until <= self.open_from {
            return Err(PledgeError::field(
                "open_until",
                format!(
                    "{} is not after open_from {}: the pledge would close before it opens; set open_until later than open_from",
                    self.open_until, self.open_from
                ),
            ));
        }
        Ok(())
    }
}

impl CosignedDocument for Pledge {
    const DOMAIN: Domain = Domain::Pledge;
    const MAX_SIGNED_BYTES: usize = MAX_SIGNED_PLEDGE_BYTES;
    type Error = PledgeError;

    fn from_document(value: serde_json::Value) -> Result<Self, PledgeError> {
        Pledge::from_document(value)
    }

    fn to_canonical_bytes(&self) -> Vec<u8> {
        Pledge::to_canonical_bytes(self)
    }

    /// `<host>/<id>` (the inherent `Pledge::reference` gives it typed).
    fn reference(&self) -> String {
        Pledge::reference(self).to_string()
    }

    /// The host, who publishes it.
    fn required_signers(&self) -> Vec<PartyCode> {
        vec![self.host.clone()]
    }

    /// Anyone: a pledge is open for signature by any party.
    fn may_sign(&self, _party: &PartyCode) -> bool {
        true
    }
}
