//! The guarantee as officers write it: TOML, times in RFC 3339, the
//! notice period as people say it (`90d`).
//!
//! ```toml
//! id = "ru-us-elections-2026"
//! reciprocal = true
//! issuer = "RU"
//! beneficiary = "US"
//! scope = ["elections", "internal-affairs"]
//! effective_from = "2026-01-01T00:00:00Z"
//! expires = "2027-01-01T00:00:00Z"   # optional: absent, it is open-ended
//! notice = "90d"
//!
//! [text]
//! en = "Neither party will interfere in the other's elections."
//! ru = "Ни одна из сторон не будет вмешиваться в выборы другой."
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Guarantee, GuaranteeError};
use crate::ids::PartyCode;
use crate::written::{DurationProblem, WrittenTime, duration_ms};

/// The longest guarantee file read.
pub const MAX_GUARANTEE_SPEC_BYTES: usize = 256 * 1024;

/// A guarantee as written in TOML (or the same shape in JSON, through
/// serde). [`GuaranteeSpec::validate`] checks every rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeSpec {
    id: String,
    reciprocal: bool,
    issuer: String,
    beneficiary: String,
    text: BTreeMap<String, String>,
    scope: Vec<String>,
    effective_from: WrittenTime,
    expires: Option<WrittenTime>,
    notice: String,
}

impl GuaranteeSpec {
    /// Reads the TOML text.
    pub fn parse(text: &str) -> Result<Self, GuaranteeError> {
        if text.len() > MAX_GUARANTEE_SPEC_BYTES {
            return Err(GuaranteeError::Syntax(format!(
                "the file is {} bytes; a guarantee is at most {MAX_GUARANTEE_SPEC_BYTES}",
                text.len()
            )));
        }
        toml::from_str(text).map_err(|e| GuaranteeError::Syntax(e.to_string()))
    }

    /// Checks every rule and gives the guarantee to sign.
    pub fn validate(self) -> Result<Guarantee, GuaranteeError> {
        let party = |field: &str, code: &str| {
            code.parse::<PartyCode>()
                .map_err(|e| GuaranteeError::field(field, e))
        };
        let time = |field: &str, at: &WrittenTime| {
            at.timestamp().map_err(|e| GuaranteeError::field(field, e))
        };
        let notice_ms = duration_ms(&self.notice).map_err(|problem| match problem {
            DurationProblem::NotPositive => GuaranteeError::field(
                "notice",
                format!(
                    "{:?} is not longer than zero: give the notice period a withdrawal takes, e.g. 90d",
                    self.notice
                ),
            ),
            DurationProblem::Unreadable(e) => GuaranteeError::field(
                "notice",
                format!("{:?} is not a duration ({e}); write e.g. 30d", self.notice),
            ),
        })?;
        let guarantee = Guarantee {
            v: 1,
            issuer: party("issuer", &self.issuer)?,
            beneficiary: party("beneficiary", &self.beneficiary)?,
            effective_from: time("effective_from", &self.effective_from)?,
            expires: self
                .expires
                .as_ref()
                .map(|at| time("expires", at))
                .transpose()?,
            id: self.id.parse().map_err(|_| {
                GuaranteeError::field(
                    "id",
                    format!(
                        "{:?} is not a guarantee id; use 1 to 64 of a-z, 0-9 and '-', e.g. ru-us-elections-2026",
                        self.id
                    ),
                )
            })?,
            reciprocal: self.reciprocal,
            text: self.text,
            scope: self.scope,
            notice_ms,
        };
        guarantee.check()?;
        Ok(guarantee)
    }
}
