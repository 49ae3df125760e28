//! The pledge as its host's officers write it: TOML, times in RFC 3339.
//!
//! ```toml
//! id = "no-first-use"
//! host = "UN"
//! title = "Pledge of no first use of ICT against each other"
//! open_from = "2026-01-01T00:00:00Z"
//! open_until = "2027-01-01T00:00:00Z"
//!
//! [text]
//! en = "Each signatory pledges not to be the first to use ICT against another signatory."
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Pledge, PledgeError};
use crate::ids::PartyCode;
use crate::written::WrittenTime;

/// The longest pledge file read.
pub const MAX_PLEDGE_SPEC_BYTES: usize = 256 * 1024;

/// A pledge as written in TOML (or the same shape in JSON, through serde).
/// [`PledgeSpec::validate`] checks every rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeSpec {
    id: String,
    host: String,
    title: String,
    text: BTreeMap<String, String>,
    open_from: WrittenTime,
    open_until: WrittenTime,
}

impl PledgeSpec {
    /// Reads the TOML text.
    pub fn parse(text: &str) -> Result<Self, PledgeError> {
        if text.len() > MAX_PLEDGE_SPEC_BYTES {
            return Err(PledgeError::Syntax(format!(
                "the file is {} bytes; a pledge is at most {MAX_PLEDGE_SPEC_BYTES}",
                text.len()
            )));
        }
        toml::from_str(text).map_err(|e| PledgeError::Syntax(e.to_string()))
    }

    /// Checks every rule and gives the pledge for its host to sign.
    pub fn validate(self) -> Result<Pledge, PledgeError> {
        let time = |field: &str, at: &WrittenTime| {
            at.timestamp().map_err(|e| PledgeError::field(field, e))
        };
        let pledge = Pledge {
            v: 1,
            host: self
                .host
                .parse::<PartyCode>()
                .map_err(|e| PledgeError::field("host", e))?,
            open_from: time("open_from", &self.open_from)?,
            open_until: time("open_until", &self.open_until)?,
            id: self.id.parse().map_err(|_| {
                PledgeError::field(
                    "id",
                    format!(
                        "{:?} is not a pledge id; use 1 to 64 of a-z, 0-9 and '-', e.g. no-first-use",
                        self.id
                    ),
                )
            })?,
            title: self.title,
            text: self.text,
        };
        pledge.check()?;
        Ok(pledge)
    }
}
